//! The locale completeness check CI runs: the shipped files pass, and a
//! broken set of files fails with every problem named.

use convene_i18n::check::{Problem, ProblemKind, check, embedded_files, read_dir};
use convene_i18n::{AREAS, Locale};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_shipped_locale_is_complete() {
    let files = match read_dir(&crate_dir().join("locales")) {
        Ok(files) => files,
        Err(error) => panic!("locales/ reads: {error}"),
    };
    let problems: Vec<String> = check(&files).iter().map(Problem::to_string).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_file_on_disk_is_embedded_and_every_locale_has_a_folder() {
    let on_disk: BTreeSet<(String, String)> = match read_dir(&crate_dir().join("locales")) {
        Ok(files) => files.into_iter().map(|f| (f.locale, f.area)).collect(),
        Err(error) => panic!("locales/ reads: {error}"),
    };
    let embedded: BTreeSet<(String, String)> = embedded_files()
        .into_iter()
        .map(|f| (f.locale, f.area))
        .collect();
    assert_eq!(on_disk, embedded);
    let expected: BTreeSet<(String, String)> = Locale::ALL
        .iter()
        .flat_map(|l| AREAS.iter().map(|a| (l.tag().to_string(), a.to_string())))
        .collect();
    assert_eq!(embedded, expected);
}

#[test]
fn a_broken_set_of_files_fails_with_every_problem_named() {
    let files = match read_dir(&crate_dir().join("tests/fixtures/incomplete")) {
        Ok(files) => files,
        Err(error) => panic!("fixtures read: {error}"),
    };
    let problems: BTreeSet<String> = check(&files).iter().map(Problem::to_string).collect();
    let expected: BTreeSet<String> = [
        "de/common.ftl: lacks `title`",
        "de/common.ftl: has `farewell`, which English does not",
        "de/common.ftl: `welcome` uses variables $nom but English uses $name",
        "de/common.ftl: `welcome.title` uses variables none but English uses $name",
        "fr/events.ftl: missing (English has this file)",
        "fr/extra.ftl: English has no such file",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let syntax: Vec<&String> = problems
        .iter()
        .filter(|p| p.starts_with("ja/common.ftl: does not parse"))
        .collect();
    assert_eq!(syntax.len(), 1, "{problems:#?}");
    let rest: BTreeSet<String> = problems
        .iter()
        .filter(|p| !p.starts_with("ja/"))
        .cloned()
        .collect();
    assert_eq!(rest, expected);
}

#[test]
fn variables_inside_plural_variants_count() {
    let file = |locale: &str, text: &str| convene_i18n::check::LocaleFile {
        locale: locale.into(),
        area: "common".into(),
        text: text.into(),
    };
    let english = file(
        "en",
        "n = { $count ->\n    [one] One\n   *[other] { $count } of { $total }\n}\n",
    );
    let good = file("ja", "n = { $total } 件中 { $count } 件\n");
    let bad = file(
        "de",
        "n = { $count ->\n    [one] Eins\n   *[other] { $count }\n}\n",
    );
    assert!(check(&[english.clone(), good]).is_empty());
    let problems = check(&[english, bad]);
    assert_eq!(problems.len(), 1);
    assert!(matches!(&problems[0].kind, ProblemKind::VariablesDiffer { key, .. } if key == "n"));
}

fn run_check(dir: &Path) -> (Option<i32>, String) {
    let output = match Command::new(env!("CARGO_BIN_EXE_check-locales"))
        .arg(dir)
        .output()
    {
        Ok(output) => output,
        Err(error) => panic!("check-locales runs: {error}"),
    };
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_ci_command_passes_on_the_shipped_files_and_fails_on_broken_ones() {
    let (status, out) = run_check(&crate_dir().join("locales"));
    assert_eq!(status, Some(0), "{out}");
    assert_eq!(out, "10 locales, 10 files: complete\n");

    let (status, out) = run_check(&crate_dir().join("tests/fixtures/incomplete"));
    assert_eq!(status, Some(1), "{out}");
    assert!(out.contains("de/common.ftl: lacks `title`\n"), "{out}");
    assert!(out.ends_with("7 problems\n"), "{out}");
}
