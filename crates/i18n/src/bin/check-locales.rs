//! Fails (exit status 1) when a locale lacks a message English has, has one
//! English lacks, or uses other variables in a message than English does.
//!
//! `check-locales [DIR]`: DIR holds one folder per locale with `.ftl` files
//! (by default, the files embedded in this build).

use convene_i18n::check::{check, embedded_files, read_dir};
use std::process::ExitCode;

fn main() -> ExitCode {
    let files = match std::env::args_os().nth(1) {
        Some(dir) => match read_dir(dir.as_ref()) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("cannot read {}: {error}", dir.to_string_lossy());
                return ExitCode::from(2);
            }
        },
        None => embedded_files(),
    };
    let problems = check(&files);
    for problem in &problems {
        println!("{problem}");
    }
    let locales: std::collections::BTreeSet<&str> =
        files.iter().map(|f| f.locale.as_str()).collect();
    if problems.is_empty() {
        println!("{} locales, {} files: complete", locales.len(), files.len());
        ExitCode::SUCCESS
    } else {
        println!("{} problems", problems.len());
        ExitCode::FAILURE
    }
}
