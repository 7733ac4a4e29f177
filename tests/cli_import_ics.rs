//! `convene import ics` as an operator uses it: Google Calendar's zip export,
//! a file with zones it defines itself (reported), and a zip that holds no
//! calendar (refused with a message that says so, nothing imported).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn convene(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_convene"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONVENE_DATA_DIR", data)
        .env("RUST_LOG", "warn");
    c
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn import_ics_reads_googles_zip_export_and_names_a_zip_without_calendars() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (out, _, stderr) = run(convene(&data).arg("migrate"));
    assert!(out.status.success(), "{stderr}");
    let (out, _, stderr) = run(convene(&data)
        .args(["import", "roster"])
        .arg(fixture("crates/web/tests/fixtures/calendar-roster.csv")));
    assert!(out.status.success(), "{stderr}");

    let (out, stdout, stderr) =
        run(convene(&data)
            .args(["import", "ics", "pyberlin"])
            .arg(fixture(
                "crates/web/tests/fixtures/google_calendar_export.ical.zip",
            )));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("created: Rust Lisbon monthly meetup")
            && stdout.contains("created: Async Rust workshop"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 skipped."), "{stdout}");

    // A zone no IANA zone follows: imported, and the remark printed.
    let (out, stdout, stderr) =
        run(convene(&data)
            .args(["import", "ics", "pyworcester"])
            .arg(fixture(
                "crates/ical/tests/fixtures/thunderbird_custom_zones.ics",
            )));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("note on line ")
            && stdout.contains("Club evening")
            && stdout
                .contains("the time zone \"Club time\" that the file defines follows no IANA zone"),
        "{stdout}"
    );
    assert!(stdout.contains("2 created"), "{stdout}");

    // A zip with no calendar: refused, and nothing more is imported.
    let (out, stdout, stderr) =
        run(convene(&data)
            .args(["import", "ics", "boston-python"])
            .arg(fixture(
                "crates/web/tests/fixtures/zip_without_calendar.zip",
            )));
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stderr.contains("this is a zip file with no .ics inside"),
        "{stderr}"
    );
    assert!(!stdout.contains("created"), "{stdout}");
}
