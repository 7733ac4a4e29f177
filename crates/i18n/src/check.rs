//! The locale completeness check: every locale has exactly English's
//! messages and attributes, each using exactly English's variables.
//!
//! Run by the crate's tests, and by CI as
//! `cargo run -p convene-i18n --bin check-locales [DIR]`.

use crate::sources::SOURCES;
use crate::vars::pattern_variables;
use fluent_syntax::ast::{Entry, Message, Pattern};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// The locale English is compared against.
pub const SOURCE_LOCALE: &str = "en";

/// One message file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocaleFile {
    /// The locale's folder name (`pt-BR`).
    pub locale: String,
    /// The file's name without `.ftl` (`common`).
    pub area: String,
    /// The file's text.
    pub text: String,
}

/// Something that makes a locale incomplete or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The locale (folder) with the problem.
    pub locale: String,
    /// The area (file) with the problem.
    pub area: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a locale's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// English has this area; the locale has no file for it.
    MissingFile,
    /// The locale has a file for an area English does not have.
    ExtraFile,
    /// The file is not valid Fluent.
    Syntax(String),
    /// English has this message (or `message.attribute`); the locale lacks it.
    MissingMessage(String),
    /// The locale has a message (or `message.attribute`) English lacks.
    ExtraMessage(String),
    /// The message (or `message.attribute`) uses other variables than English's.
    VariablesDiffer {
        /// `message` or `message.attribute`.
        key: String,
        /// English's variables.
        english: BTreeSet<String>,
        /// The locale's variables.
        found: BTreeSet<String>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = format!("{}/{}.ftl", self.locale, self.area);
        match &self.kind {
            ProblemKind::MissingFile => write!(f, "{file}: missing (English has this file)"),
            ProblemKind::ExtraFile => write!(f, "{file}: English has no such file"),
            ProblemKind::Syntax(detail) => write!(f, "{file}: does not parse: {detail}"),
            ProblemKind::MissingMessage(key) => write!(f, "{file}: lacks `{key}`"),
            ProblemKind::ExtraMessage(key) => {
                write!(f, "{file}: has `{key}`, which English does not")
            }
            ProblemKind::VariablesDiffer {
                key,
                english,
                found,
            } => write!(
                f,
                "{file}: `{key}` uses variables {} but English uses {}",
                list(found),
                list(english)
            ),
        }
    }
}

fn list(variables: &BTreeSet<String>) -> String {
    if variables.is_empty() {
        return "none".to_string();
    }
    variables
        .iter()
        .map(|v| format!("${v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message files embedded in the binary.
pub fn embedded_files() -> Vec<LocaleFile> {
    SOURCES
        .iter()
        .map(|source| LocaleFile {
            locale: source.locale.tag().to_string(),
            area: source.area.to_string(),
            text: source.text.to_string(),
        })
        .collect()
}

/// Reads `dir/{locale}/{area}.ftl` for every locale folder in `dir`.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<LocaleFile>> {
    let mut files = Vec::new();
    for locale in std::fs::read_dir(dir)? {
        let locale = locale?;
        if !locale.file_type()?.is_dir() {
            continue;
        }
        let locale_name = locale.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(locale.path())? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let area = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files.push(LocaleFile {
                    locale: locale_name.clone(),
                    area,
                    text: std::fs::read_to_string(&path)?,
                });
            }
        }
    }
    files.sort_by(|a, b| (&a.locale, &a.area).cmp(&(&b.locale, &b.area)));
    Ok(files)
}

/// The variables of each message and attribute of one file, by key
/// (`message` or `message.attribute`).
type Keys = BTreeMap<String, BTreeSet<String>>;

fn keys_of(file: &LocaleFile) -> Result<Keys, String> {
    let resource = fluent_syntax::parser::parse(file.text.as_str()).map_err(|(_, errors)| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let mut keys = Keys::new();
    for entry in &resource.body {
        if let Entry::Message(message) = entry {
            add_message(message, &mut keys);
        }
    }
    Ok(keys)
}

fn add_message(message: &Message<&str>, keys: &mut Keys) {
    let id = message.id.name;
    if let Some(value) = &message.value {
        keys.insert(id.to_string(), variables(value));
    }
    for attribute in &message.attributes {
        keys.insert(
            format!("{id}.{}", attribute.id.name),
            variables(&attribute.value),
        );
    }
}

fn variables(pattern: &Pattern<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    pattern_variables(pattern, &mut out);
    out
}

/// Compares every locale's files with English's and lists what is wrong;
/// an empty list means every locale is complete.
pub fn check(files: &[LocaleFile]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut parsed: BTreeMap<(&str, &str), Keys> = BTreeMap::new();
    for file in files {
        match keys_of(file) {
            Ok(keys) => {
                parsed.insert((file.locale.as_str(), file.area.as_str()), keys);
            }
            Err(detail) => problems.push(Problem {
                locale: file.locale.clone(),
                area: file.area.clone(),
                kind: ProblemKind::Syntax(detail),
            }),
        }
    }
    let english_areas: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.locale == SOURCE_LOCALE)
        .map(|f| f.area.as_str())
        .collect();
    let locales: BTreeSet<&str> = files
        .iter()
        .map(|f| f.locale.as_str())
        .filter(|l| *l != SOURCE_LOCALE)
        .collect();
    for locale in locales {
        let areas: BTreeSet<&str> = files
            .iter()
            .filter(|f| f.locale == locale)
            .map(|f| f.area.as_str())
            .collect();
        let problem = |area: &str, kind| Problem {
            locale: locale.to_string(),
            area: area.to_string(),
            kind,
        };
        for area in english_areas.difference(&areas) {
            problems.push(problem(area, ProblemKind::MissingFile));
        }
        for area in areas.difference(&english_areas) {
            problems.push(problem(area, ProblemKind::ExtraFile));
        }
        for area in english_areas.intersection(&areas) {
            let (Some(english), Some(found)) = (
                parsed.get(&(SOURCE_LOCALE, *area)),
                parsed.get(&(locale, *area)),
            ) else {
                continue;
            };
            for (key, english_vars) in english {
                match found.get(key) {
                    None => problems.push(problem(area, ProblemKind::MissingMessage(key.clone()))),
                    Some(found_vars) if found_vars != english_vars => problems.push(problem(
                        area,
                        ProblemKind::VariablesDiffer {
                            key: key.clone(),
                            english: english_vars.clone(),
                            found: found_vars.clone(),
                        },
                    )),
                    Some(_) => {}
                }
            }
            for key in found.keys().filter(|k| !english.contains_key(*k)) {
                problems.push(problem(area, ProblemKind::ExtraMessage(key.clone())));
            }
        }
    }
    problems
}
