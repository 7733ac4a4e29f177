//! Translated messages: Fluent bundles for every locale, with English as
//! the fallback for any message that is missing or fails to format.
//!
//! Isolation: Fluent can wrap every variable in the invisible Unicode marks
//! FSI/PDI so that an English group name inside an Arabic sentence keeps
//! its own direction. convene turns them off: they show up in copied text,
//! in e-mail subjects and in exact-bytes tests, and some fonts draw them as
//! boxes. Instead [`Messages::html`] wraps each text variable in `<bdi>`,
//! which isolates it the same way in HTML; plain text ([`Messages::get`])
//! carries no marks.
//!
//! Numbers passed as variables are formatted with ICU4X for the locale
//! (`1.234` in German, `1,00,000` in Hindi), so a message never has to format
//! one itself.

use crate::locale::Locale;
use crate::sources::{SOURCES, SourceFile};
use crate::vars::pattern_variables;
use fixed_decimal::Decimal;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::memoizer::MemoizerKind;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentError, FluentResource, FluentValue};
use icu_decimal::DecimalFormatter;
use intl_memoizer::Memoizable;
use intl_memoizer::concurrent::IntlLangMemoizer;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use unic_langid::LanguageIdentifier;

type Bundle = FluentBundle<Arc<FluentResource>>;

/// A message file that cannot be loaded. The files are embedded and checked
/// by the crate's tests, so this is a build defect, reported at start-up.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid Fluent.
    #[error("locales/{locale}/{area}.ftl does not parse: {detail}")]
    Syntax {
        /// The file's locale.
        locale: Locale,
        /// The file's area.
        area: &'static str,
        /// What the parser said.
        detail: String,
    },
    /// The file defines a message another file of the locale already has.
    #[error("locales/{locale}/{area}.ftl repeats a message: {detail}")]
    Duplicate {
        /// The file's locale.
        locale: Locale,
        /// The file's area.
        area: &'static str,
        /// Which message.
        detail: String,
    },
}

/// Text that is safe to put into HTML as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html(pub String);

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every locale's messages, loaded once at start-up and shared.
pub struct Messages {
    plain: Vec<Bundle>,
    html: Vec<Bundle>,
    /// Problems already logged, so that each is logged once.
    reported: Mutex<HashSet<(Locale, String)>>,
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages").finish_non_exhaustive()
    }
}

/// Why a message could not be shown in the locale asked for.
#[derive(Debug)]
enum Problem {
    Missing,
    Runtime(Vec<FluentError>),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("message missing"),
            Problem::Runtime(errors) => {
                f.write_str("formatting failed:")?;
                for error in errors {
                    write!(f, " {error};")?;
                }
                Ok(())
            }
        }
    }
}

impl Messages {
    /// Loads the embedded message files of every locale.
    pub fn load() -> Result<Messages, LoadError> {
        Messages::from_sources(SOURCES)
    }

    /// Loads the given message files (the embedded ones in production; tests
    /// use their own). Every locale gets a bundle even if it has no file.
    pub fn from_sources(sources: &[SourceFile]) -> Result<Messages, LoadError> {
        let mut plain: Vec<Bundle> = Locale::ALL.iter().map(|l| new_bundle(*l, false)).collect();
        let mut html: Vec<Bundle> = Locale::ALL.iter().map(|l| new_bundle(*l, true)).collect();
        for source in sources {
            let resource =
                FluentResource::try_new(source.text.to_string()).map_err(|(_, errors)| {
                    LoadError::Syntax {
                        locale: source.locale,
                        area: source.area,
                        detail: errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                    }
                })?;
            let resource = Arc::new(resource);
            let duplicate = |errors: Vec<FluentError>| LoadError::Duplicate {
                locale: source.locale,
                area: source.area,
                detail: errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            plain[source.locale as usize]
                .add_resource(Arc::clone(&resource))
                .map_err(duplicate)?;
            html[source.locale as usize]
                .add_resource(resource)
                .map_err(duplicate)?;
        }
        Ok(Messages {
            plain,
            html,
            reported: Mutex::new(HashSet::new()),
        })
    }

    /// The message `id` in `locale` as plain text (no isolation marks, no
    /// escaping: askama escapes it where it lands in HTML).
    ///
    /// A message missing in `locale`, or failing there (a variable the
    /// caller did not pass), is shown in English instead and logged once.
    /// A variable missing from the English message too is left blank: the
    /// visitor never sees `{ $name }`.
    pub fn get(&self, locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
        self.format(&self.plain, locale, id, None, args)
    }

    /// An attribute of a message (`signin.title`), with the same fallback
    /// as [`Messages::get`].
    pub fn attribute(
        &self,
        locale: Locale,
        id: &str,
        attribute: &str,
        args: Option<&FluentArgs>,
    ) -> String {
        self.format(&self.plain, locale, id, Some(attribute), args)
    }

    /// The message as HTML: its own text escaped, each text variable escaped
    /// and wrapped in `<bdi>` so that a name in another script keeps its
    /// direction, numbers formatted for the locale.
    pub fn html(&self, locale: Locale, id: &str, args: Option<&FluentArgs>) -> Html {
        let isolated = args.map(isolate_for_html);
        Html(self.format(&self.html, locale, id, None, isolated.as_ref()))
    }

    /// Whether `locale` has its own translation of `id` (not English's).
    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.plain[locale as usize].has_message(id)
    }

    fn format(
        &self,
        bundles: &[Bundle],
        locale: Locale,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs>,
    ) -> String {
        if locale != Locale::En {
            match try_format(&bundles[locale as usize], id, attribute, args) {
                Ok(text) => return text,
                Err(problem) => self.report_once(locale, id, attribute, &problem),
            }
        }
        let english = &bundles[Locale::En as usize];
        match try_format(english, id, attribute, args) {
            Ok(text) => text,
            Err(problem) => {
                self.report_once(Locale::En, id, attribute, &problem);
                match problem {
                    Problem::Missing => id.to_string(),
                    Problem::Runtime(_) => format_with_blanks(english, id, attribute, args),
                }
            }
        }
    }

    fn report_once(&self, locale: Locale, id: &str, attribute: Option<&str>, problem: &Problem) {
        let key = match attribute {
            Some(attribute) => format!("{id}.{attribute}"),
            None => id.to_string(),
        };
        let first_time = self
            .reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((locale, key.clone()));
        if first_time {
            if locale == Locale::En {
                tracing::error!(locale = %locale, message = %key, problem = %problem, "English message cannot be shown");
            } else {
                tracing::warn!(locale = %locale, message = %key, problem = %problem, "translation cannot be shown; using English");
            }
        }
    }
}

fn new_bundle(locale: Locale, html: bool) -> Bundle {
    let langid: LanguageIdentifier = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    bundle.set_use_isolating(false);
    if html {
        bundle.set_transform(Some(escape_text));
    }
    bundle.set_formatter(Some(number_value));
    bundle
}

fn try_format(
    bundle: &Bundle,
    id: &str,
    attribute: Option<&str>,
    args: Option<&FluentArgs>,
) -> Result<String, Problem> {
    let message = bundle.get_message(id).ok_or(Problem::Missing)?;
    let pattern = match attribute {
        Some(name) => message.get_attribute(name).map(|a| a.value()),
        None => message.value(),
    }
    .ok_or(Problem::Missing)?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if errors.is_empty() {
        Ok(text.into_owned())
    } else {
        Err(Problem::Runtime(errors))
    }
}

/// Formats an English message after giving every variable it uses and the
/// caller left out an empty value.
fn format_with_blanks(
    bundle: &Bundle,
    id: &str,
    attribute: Option<&str>,
    args: Option<&FluentArgs>,
) -> String {
    let Some(message) = bundle.get_message(id) else {
        return id.to_string();
    };
    let Some(pattern) = (match attribute {
        Some(name) => message.get_attribute(name).map(|a| a.value()),
        None => message.value(),
    }) else {
        return id.to_string();
    };
    let mut wanted = BTreeSet::new();
    pattern_variables(pattern, &mut wanted);
    let mut filled = FluentArgs::new();
    if let Some(args) = args {
        for (name, value) in args.iter() {
            filled.set(name.to_string(), value.clone());
        }
    }
    for name in wanted {
        if filled.get(name.as_str()).is_none() {
            filled.set(name, "");
        }
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&filled), &mut errors)
        .into_owned()
}

/// ICU4X's number formatter, kept once per bundle by Fluent's memoizer.
struct IcuNumbers(DecimalFormatter);

impl Memoizable for IcuNumbers {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _args: ()) -> Result<Self, ()> {
        let locale = icu_locale_core::Locale::try_from_str(&lang.to_string()).map_err(|_| ())?;
        DecimalFormatter::try_new((&locale).into(), Default::default())
            .map(IcuNumbers)
            .map_err(|_| ())
    }
}

fn format_number(number: &FluentNumber, intls: &IntlLangMemoizer) -> Option<String> {
    // Fluent's own rendering honours the message's fraction-digit options;
    // ICU then adds the locale's digits, separators and grouping.
    let decimal = Decimal::try_from_str(&number.as_string()).ok()?;
    intls
        .with_try_get_threadsafe::<IcuNumbers, _, _>((), |numbers| {
            numbers.0.format(&decimal).to_string()
        })
        .ok()
}

/// Formats numbers with ICU4X; everything else as Fluent does.
fn number_value(value: &FluentValue, intls: &IntlLangMemoizer) -> Option<String> {
    match value {
        FluentValue::Number(number) => format_number(number, intls),
        _ => None,
    }
}

/// The caller's variables for an HTML message: text escaped and wrapped in
/// `<bdi>`, numbers left for the locale's formatter. (The message's own text
/// is escaped by the HTML bundles' transform.)
fn isolate_for_html(args: &FluentArgs<'_>) -> FluentArgs<'static> {
    let mut isolated = FluentArgs::new();
    for (name, value) in args.iter() {
        let value = match value {
            FluentValue::String(text) => {
                FluentValue::from(format!("<bdi>{}</bdi>", escape_text(text)))
            }
            FluentValue::Number(number) => FluentValue::Number(number.clone()),
            _ => FluentValue::None,
        };
        isolated.set(name.to_string(), value);
    }
    isolated
}

/// Escapes text for HTML content and quoted attribute values.
pub(crate) fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
