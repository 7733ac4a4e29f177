//! Importing calendars other programs wrote: zones the file defines itself
//! (Outlook, Exchange, Lotus Notes, Thunderbird), rules convene keeps only
//! in part (several RRULEs, rules with no second date, RSCALE), all-day
//! durations in seconds, and Google Calendar's zip export, through the
//! upload, the upload form and subscriptions.
//!
//! Every imported occurrence is checked against an independent reading of
//! the same file: Python's `icalendar` with `recurring-ical-events`
//! (`pip install icalendar recurring-ical-events`); without them the
//! comparisons print a notice and are left out, unless
//! `CONVENE_REQUIRE_ORACLE=1` (CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use common::*;
use convene_app::calendars::{self, ImportReport, Moment};
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");
const ORACLE: &str = include_str!("oracle/expand.py");
const OUTLOOK: &[u8] = include_bytes!("../../ical/tests/fixtures/outlook16_zones.ics");
const LOTUS: &[u8] = include_bytes!("../../ical/tests/fixtures/lotus_notes_zones.ics");
const THUNDERBIRD: &[u8] = include_bytes!("../../ical/tests/fixtures/thunderbird_custom_zones.ics");
const APPLE: &[u8] = include_bytes!("../../ical/tests/fixtures/apple_rules_not_understood.ics");
const EVOLUTION: &[u8] = include_bytes!("../../ical/tests/fixtures/evolution_two_rrules.ics");
const DAVX5: &[u8] = include_bytes!("../../ical/tests/fixtures/davx5_all_day_durations.ics");
const NO_TRANSITIONS: &[u8] =
    include_bytes!("../../ical/tests/fixtures/outlook16_vtimezone_without_transitions.ics");
const UNKNOWN_TZID: &[u8] = include_bytes!("../../ical/tests/fixtures/nextcloud_unknown_tzid.ics");
const GOOGLE_ZIP: &[u8] = include_bytes!("fixtures/google_calendar_export.ical.zip");
const ZIP_WITHOUT_CALENDAR: &[u8] = include_bytes!("fixtures/zip_without_calendar.zip");
const ZIP_BOMB: &[u8] = include_bytes!("fixtures/zip_bomb.zip");
const ZIP_MANY_ENTRIES: &[u8] = include_bytes!("fixtures/zip_many_entries.zip");

/// A site with the roster's groups; the coordinator is signed in with
/// `coordinator(&app)` by each test, once.
async fn app_with_groups() -> TestApp {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    app
}

async fn import(app: &TestApp, slug: &str, bytes: &[u8]) -> Result<ImportReport, String> {
    let cal = calendars::calendar(app.svc(), slug).await.unwrap();
    let actor = actor(app, "coord@example.org").await;
    calendars::import_ics(app.svc(), Some(&actor), &cal, bytes)
        .await
        .map_err(|e| e.to_string())
}

fn stamp(m: &Moment) -> String {
    match *m {
        Moment::At { utc, .. } => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Moment::Floating(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Every occurrence on `slug`'s calendar in the window, as "UID start end".
async fn ours(app: &TestApp, slug: &str, from: &str, to: &str) -> Vec<String> {
    let cal = calendars::calendar(app.svc(), slug).await.unwrap();
    let (occs, truncated) =
        calendars::occurrences_between(app.svc(), &cal, at(from), at(to), chrono_tz::Tz::UTC)
            .await
            .unwrap();
    assert!(!truncated);
    let mut out: Vec<String> = occs
        .iter()
        .map(|o| format!("{} {} {}", o.uid, stamp(&o.start), stamp(&o.end)))
        .collect();
    out.sort();
    out
}

fn oracle_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import icalendar, recurring_ical_events"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() == Ok("1") {
            panic!(
                "CONVENE_REQUIRE_ORACLE=1 but python3 with icalendar and recurring-ical-events is missing"
            );
        }
        eprintln!(
            "skipped the independent comparison: python3 with icalendar and recurring-ical-events is not installed"
        );
    }
    ok
}

/// The independent expansion of `ics` in the window, as "UID start end";
/// series it cannot read are left out with `skip_bad_series`.
fn theirs(ics: &[u8], from: &str, to: &str, skip_bad_series: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.ics");
    let script = dir.path().join("expand.py");
    std::fs::write(&path, ics).unwrap();
    std::fs::write(&script, ORACLE).unwrap();
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(&script).arg(&path).arg(from).arg(to);
    if skip_bad_series {
        cmd.arg("--skip-bad-series");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {}",
                v["uid"].as_str().unwrap(),
                v["start"].as_str().unwrap(),
                v["end"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines
}

fn assert_same(ours: &[String], theirs: &[String]) {
    let only_ours: Vec<&String> = ours.iter().filter(|o| !theirs.contains(o)).collect();
    let only_theirs: Vec<&String> = theirs.iter().filter(|t| !ours.contains(t)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "only convene: {only_ours:#?}\nonly the independent reading: {only_theirs:#?}"
    );
}

/// What is stored of events, overrides and feeds, beside the site-wide
/// fingerprint, for "nothing changed" checks.
async fn stored(app: &TestApp) -> Vec<String> {
    use convene_store::{Db, run, sqlx};
    let db: &Db = &app.svc().db;
    let mut conn = db.conn().await.unwrap();
    let mut out = app.fingerprint().await;
    type EventCols = (
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
    );
    let events: Vec<EventCols> = run!(conn.ex(), |c| {
        sqlx::query_as::<_, EventCols>(
        "SELECT id, uid, title, tz, start_local, end_local, rrule, rdates FROM events ORDER BY id"
    )
    .fetch_all(c)
    .await
    })
    .unwrap();
    out.extend(events.iter().map(|e| format!("event {e:?}")));
    type OverrideCols = (i64, String, Option<String>, Option<String>);
    let overrides: Vec<OverrideCols> = run!(conn.ex(), |c| sqlx::query_as::<_, OverrideCols>(
        "SELECT event_id, recurrence_id, start_local, end_local FROM event_overrides ORDER BY event_id, recurrence_id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    out.extend(overrides.iter().map(|o| format!("override {o:?}")));
    type SourceCols = (i64, String, Option<String>);
    let sources: Vec<SourceCols> = run!(conn.ex(), |c| sqlx::query_as::<_, SourceCols>(
        "SELECT id, url, last_error FROM calendar_sources ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    out.extend(sources.iter().map(|s| format!("source {s:?}")));
    out
}

async fn stored_zone(app: &TestApp, uid: &str) -> String {
    use convene_store::{Db, run, sqlx};
    let db: &Db = &app.svc().db;
    let mut conn = db.conn().await.unwrap();
    let (tz,): (String,) = run!(conn.ex(), |c| sqlx::query_as::<_, (String,)>(
        "SELECT tz FROM events WHERE uid = $1"
    )
    .bind(uid)
    .fetch_one(c)
    .await)
    .unwrap();
    tz
}

fn notes_of(report: &ImportReport) -> String {
    report
        .notes
        .iter()
        .map(|(what, why)| format!("{what}: {why}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn zones_the_file_defines_import_with_the_instants_an_independent_reader_gives() {
    let app = app_with_groups().await;
    let _coord = coordinator(&app).await;
    let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    for (slug, file, name) in [
        ("pyberlin", OUTLOOK, "Outlook 16"),
        ("boston-python", LOTUS, "Lotus Notes"),
        ("pyworcester", THUNDERBIRD, "Thunderbird"),
    ] {
        let report = import(&app, slug, file).await.unwrap();
        assert!(report.skipped.is_empty(), "{name}: {report:?}");
        let ours = ours(&app, slug, from, to).await;
        assert!(ours.len() >= 5, "{name}: {ours:#?}");
        if oracle_available() {
            assert_same(&ours, &theirs(file, from, to, false));
        }
    }

    // Windows names through CLDR, Windows display names, and definitions
    // matched to the IANA zone that follows them.
    let zone = |uid: &'static str| stored_zone(&app, uid);
    assert_eq!(
        zone("040000008200E00074C5B7101A82E00800000000D0B3C7A1F67EDC01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90").await,
        "Europe/Berlin"
    );
    assert_eq!(
        zone("040000008200E00074C5B7101A82E00800000000E0C4D8B2078FDC0100000000000000001000000011223344556677889900AABBCCDDEEFF").await,
        "America/New_York"
    );
    assert_eq!(
        zone("040000008200E00074C5B7101A82E00800000000F0D5E9C3189FDC01000000000000000010000000FFEEDDCCBBAA00998877665544332211").await,
        "Australia/Sydney"
    );
    // Exchange's "Customized Time Zone": New Zealand's rules.
    let custom = zone("040000008200E00074C5B7101A82E0080000000001E6FAD429AFDC0100000000000000001000000099887766554433221100FFEEDDCCBBAA").await;
    assert!(
        [
            "Pacific/Auckland",
            "Antarctica/McMurdo",
            "Antarctica/South_Pole",
            "NZ"
        ]
        .contains(&custom.as_str()),
        "{custom}"
    );
    assert_eq!(
        zone("C1257F2A004B5E8DC1257F2A004B5E8D-Lotus_Notes_Generated").await,
        "Europe/Berlin"
    );
    assert_eq!(
        zone("7c1e5d2a-4f0b-4e8e-9a61-2b3c4d5e6f70").await,
        "Australia/Lord_Howe"
    );
    // A zone no IANA zone follows: the instants are right, kept in UTC, and said so.
    assert_eq!(zone("0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b").await, "UTC");
    let again = import(&app, "pyworcester", THUNDERBIRD).await.unwrap();
    let notes = notes_of(&again);
    assert!(
        notes.contains("Club evening")
            && notes
                .contains("the time zone \"Club time\" that the file defines follows no IANA zone"),
        "{notes}"
    );
    let club = ours(&app, "pyworcester", from, to).await;
    assert!(
        club.contains(
            &"0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b 2026-06-10T16:30:00Z 2026-06-10T18:30:00Z"
                .to_owned()
        ),
        "{club:#?}"
    );
    // The cases the fixtures are about are really in there.
    let outlook = ours(&app, "pyberlin", from, to).await;
    for needle in [
        // Sydney leaves daylight saving on 5 April 2026: 18:00 is 07:00Z, then 08:00Z.
        "FFEEDDCCBBAA00998877665544332211 2026-04-02T07:00:00Z",
        "FFEEDDCCBBAA00998877665544332211 2026-04-09T08:00:00Z",
        // Auckland leaves it the same day: 09:00 is 20:00Z the day before, then 21:00Z.
        "99887766554433221100FFEEDDCCBBAA 2026-04-02T20:00:00Z",
        "99887766554433221100FFEEDDCCBBAA 2026-04-09T21:00:00Z",
    ] {
        assert!(
            outlook.iter().any(|o| o.contains(needle)),
            "{needle}: {outlook:#?}"
        );
    }
}

#[tokio::test]
async fn rules_convene_keeps_only_in_part_are_reported_and_lose_no_date() {
    let app = app_with_groups().await;
    let _coord = coordinator(&app).await;
    let (from, to) = ("2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");

    // Several RRULEs: the union, and the report says how.
    let report = import(&app, "boston-python", EVOLUTION).await.unwrap();
    assert_eq!(report.created.len(), 2, "{report:?}");
    assert!(report.skipped.is_empty(), "{report:?}");
    let notes = notes_of(&report);
    assert!(
        notes.contains("Hack night (first and third Monday)")
            && notes.contains("the event has 2 RRULEs")
            && notes.contains("the 6 dates of RRULE FREQ=MONTHLY;COUNT=6;BYDAY=3MO are kept as extra dates (RDATE)"),
        "{notes}"
    );
    // The open-ended rule stays the rule; the bounded one becomes dates.
    assert!(
        notes.contains("Lunch and learn")
            && notes.contains("the 3 dates of RRULE FREQ=MONTHLY;COUNT=4;BYDAY=1WE"),
        "{notes}"
    );
    assert!(
        report.summary().ends_with("0 skipped, 2 with a remark"),
        "{}",
        report.summary()
    );
    let hack = ours(&app, "boston-python", from, to).await;
    assert_eq!(
        hack.iter()
            .filter(|o| o.starts_with("20260113T102030Z-4711-1000-1-7@workstation"))
            .count(),
        12,
        "{hack:#?}"
    );
    if oracle_available() {
        assert_same(&hack, &theirs(EVOLUTION, from, to, false));
    }

    // RSCALE and rules that produce no second date keep their first date.
    let report = import(&app, "pyberlin", APPLE).await.unwrap();
    assert_eq!(report.created.len(), 4, "{report:?}");
    assert!(report.skipped.is_empty(), "{report:?}");
    let notes = notes_of(&report);
    for needle in [
        "Chinesisches Neujahr (UID 6F1A4C2E-9B3D-4E5F-8A7B-1C2D3E4F5A6B): RRULE RSCALE=CHINESE;FREQ=YEARLY is not understood: the rule counts its dates in the chinese calendar (RSCALE, RFC 7529); convene only repeats events by the Gregorian calendar; the event is kept with its first date",
        "RRULE RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=FORWARD is not understood: the rule moves dates that do not exist (SKIP=FORWARD, RFC 7529); convene does not support that; the event is kept with its first date",
        "Jahreshauptversammlung (UID 3D2C1B0A-9F8E-4D7C-8B6A-5F4E3D2C1B0A): RRULE FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 produces no date after the event's start (its BYxxx parts never match another date); the event is kept with its first date",
        "RRULE FREQ=WEEKLY;UNTIL=20260419T215959Z produces no date after the event's start (its UNTIL comes before its second date); the event is kept with its first date",
    ] {
        assert!(notes.contains(needle), "{needle}\nnot in\n{notes}");
    }
    assert!(!notes.contains(".."), "{notes}");
    assert!(!notes.contains("RRule"), "{notes}");
    let apple = ours(&app, "pyberlin", from, to).await;
    assert_eq!(
        apple,
        vec![
            "0B9C8D7E-6F5A-4B3C-9D2E-1F0A9B8C7D6E 2028-02-29 2028-03-01",
            "3D2C1B0A-9F8E-4D7C-8B6A-5F4E3D2C1B0A 2026-03-30T17:00:00Z 2026-03-30T19:00:00Z",
            "6F1A4C2E-9B3D-4E5F-8A7B-1C2D3E4F5A6B 2026-02-17 2026-02-18",
            "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D 2026-04-13T16:00:00Z 2026-04-13T18:00:00Z",
        ]
    );
    if oracle_available() {
        // The independent reader cannot read RSCALE series at all; the rest agree.
        let readable: Vec<String> = apple
            .iter()
            .filter(|o| !o.starts_with("6F1A4C2E") && !o.starts_with("0B9C8D7E"))
            .cloned()
            .collect();
        assert_same(&readable, &theirs(APPLE, from, to, true));
    }
}

#[tokio::test]
async fn all_day_durations_in_seconds_are_days_and_an_all_day_override_stays_all_day() {
    let app = app_with_groups().await;
    let _coord = coordinator(&app).await;
    let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    let report = import(&app, "pyberlin", DAVX5).await.unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.created.len(), 2, "{report:?}");
    let ours = ours(&app, "pyberlin", from, to).await;
    for expected in [
        "c7d4e1f0-2b3a-4c5d-9e8f-7a6b5c4d3e2f 2026-03-07 2026-03-08",
        // Moved from Saturday 21 March to Sunday, still a whole day.
        "c7d4e1f0-2b3a-4c5d-9e8f-7a6b5c4d3e2f 2026-03-22 2026-03-23",
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 2026-05-16 2026-05-18",
    ] {
        assert!(ours.contains(&expected.to_owned()), "{expected}: {ours:#?}");
    }
    assert!(!ours.iter().any(|o| o.contains("2026-03-21")), "{ours:#?}");
    if oracle_available() {
        assert_same(&ours, &theirs(DAVX5, from, to, false));
    }
    // The feed convene writes keeps the override a date, as read independently.
    let feed = app
        .send(
            axum::http::Request::get("/calendars/pyberlin.ics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        feed.body.contains("RECURRENCE-ID;VALUE=DATE:20260321")
            && feed.body.contains("DTSTART;VALUE=DATE:20260322"),
        "{}",
        feed.body
    );
    if oracle_available() {
        assert_same(&ours, &theirs(feed.body.as_bytes(), from, to, false));
    }
}

#[tokio::test]
async fn google_calendars_zip_export_imports_through_the_upload_the_form_and_a_subscription() {
    let app = app_with_groups().await;
    let mut coord = coordinator(&app).await;
    let report = import(&app, "pyberlin", GOOGLE_ZIP).await.unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    assert!(
        report
            .created
            .contains(&"Rust Lisbon monthly meetup".to_owned())
            && report.created.contains(&"Async Rust workshop".to_owned()),
        "{report:?}"
    );
    let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    let ours_zip = ours(&app, "pyberlin", from, to).await;
    if oracle_available() {
        // The same as reading each calendar in the zip on its own.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("export.zip"), GOOGLE_ZIP).unwrap();
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg("import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [open(sys.argv[2] + str(i) + '.ics', 'wb').write(z.read(n)) for i, n in enumerate(z.namelist())]")
            .arg(dir.path().join("export.zip"))
            .arg(dir.path().join("part"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let mut all = Vec::new();
        for i in 0..2 {
            let part = std::fs::read(dir.path().join(format!("part{i}.ics"))).unwrap();
            all.extend(theirs(&part, from, to, false));
        }
        all.sort();
        assert_same(&ours_zip, &all);
    }

    // The upload form, into a second calendar of the same site: a UID is
    // one event per calendar, so the same export is imported there whole.
    let csrf = coord.csrf().await;
    let boundary = "XyZzy";
    let form = |name: &str, ctype: &str, bytes: &[u8]| {
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        body
    };
    let r = coord
        .post_raw(
            "/calendars/boston-python/import",
            &format!("multipart/form-data; boundary={boundary}"),
            form("me@gmail.com.ical.zip", "application/zip", GOOGLE_ZIP),
        )
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("Import done:")
        .assert_contains("Async Rust workshop");
    assert!(!r.body.contains("Skipped:"), "{}", r.body);
    // The report comes first on the page, before the calendar itself.
    assert!(
        r.body.find("id=\"import-report\"") < r.body.find("class=\"subscribe\""),
        "the report is below the fold"
    );
    // Reloading the answered upload leads back to the calendar.
    let again = coord.get("/calendars/boston-python/import").await;
    again.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/calendars/boston-python");
    assert_eq!(ours(&app, "boston-python", from, to).await, ours_zip);
    // The first calendar's events are untouched by the second import.
    assert_eq!(ours(&app, "pyberlin", from, to).await, ours_zip);

    // A subscription whose address serves the zip.
    let body = GOOGLE_ZIP.to_vec();
    let router = axum::Router::new().route(
        "/export.zip",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/zip")], body) }
        }),
    );
    let addr = TestApp::serve(router).await;
    coord
        .submit(
            "/calendars/pyworcester/sources",
            &[("url", &format!("http://{addr}/export.zip"))],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let synced = ours(&app, "pyworcester", from, to).await;
    assert_eq!(synced, ours_zip);
}

#[tokio::test]
async fn bad_calendars_get_a_clear_message_and_change_nothing() {
    let app = app_with_groups().await;
    let mut coord = coordinator(&app).await;
    // Something stored already, so that "nothing changed" means something.
    import(&app, "pyberlin", DAVX5).await.unwrap();
    let before = stored(&app).await;

    // A VTIMEZONE with no transitions: the event is skipped, and says why.
    let report = import(&app, "boston-python", NO_TRANSITIONS).await.unwrap();
    assert_eq!(report.created.len(), 0, "{report:?}");
    assert_eq!(
        report.skipped,
        vec![(
            "line 19: Kassenprüfung (UID 040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5DC01000000000000000010000000)".to_owned(),
            "DTSTART: the time zone \"Customized Time Zone\" cannot be read: its VTIMEZONE has no STANDARD or DAYLIGHT part with a DTSTART and a TZOFFSETTO, so it says nothing about the zone's offset from UTC".to_owned()
        )]
    );
    assert_eq!(stored(&app).await, before);

    // A TZID that neither maps nor is defined.
    let report = import(&app, "boston-python", UNKNOWN_TZID).await.unwrap();
    assert_eq!(report.created.len(), 0, "{report:?}");
    assert_eq!(
        report.skipped,
        vec![(
            "line 5: Rover night (UID 5e1c0e4b-8f2d-4a6b-b1a5-0c7d9e3f2a18)".to_owned(),
            "DTSTART: unknown time zone \"Mars Coordinated Time\": it is neither an IANA nor a Windows zone name, and the file has no VTIMEZONE that defines it".to_owned()
        )]
    );
    assert_eq!(stored(&app).await, before);

    // Files that are not calendars: refused whole, named for what they are.
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    let html = b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Sign in - Google Accounts</title></head></html>\n".to_vec();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    let cases: [(&[u8], &str); 6] = [
        (
            ZIP_WITHOUT_CALENDAR,
            "this is a zip file with no .ics inside (it holds 2 other entries)",
        ),
        (
            ZIP_BOMB,
            "calendar.ics in the zip file cannot be read: it is more than the 2097152 bytes accepted",
        ),
        (
            ZIP_MANY_ENTRIES,
            "the zip file holds 300 entries, more than the 200 accepted",
        ),
        (&pdf, "this is a PDF document, not an iCalendar (.ics) file"),
        (&html, "this is an HTML page, not a calendar"),
        (&png, "this is a PNG image, not an iCalendar (.ics) file"),
    ];
    for (bytes, message) in cases {
        let e = import(&app, "boston-python", bytes).await.unwrap_err();
        assert!(e.contains(message), "{message}\nnot in\n{e}");
        assert_eq!(stored(&app).await, before, "{message}");

        // The upload form shows the same message next to the field.
        let csrf = coord.csrf().await;
        let boundary = "XyZzy";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = coord
            .post_raw(
                "/calendars/boston-python/import",
                &format!("multipart/form-data; boundary={boundary}"),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let shown = message.replace('"', "&quot;");
        assert!(
            r.body.contains(message) || r.body.contains(&shown),
            "{message}\nnot in the page"
        );
        assert_eq!(stored(&app).await, before, "{message}");
    }

    // A subscription that serves a zip without a calendar: its events stay
    // as they are and the feed's line says why.
    let router = axum::Router::new().route(
        "/export.zip",
        axum::routing::get(|| async { ZIP_WITHOUT_CALENDAR.to_vec() }),
    );
    let addr = TestApp::serve(router).await;
    coord
        .submit(
            "/calendars/boston-python/sources",
            &[("url", &format!("http://{addr}/export.zip"))],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let with_source = stored(&app).await;
    app.drain_jobs().await;
    let after = stored(&app).await;
    let events_before: Vec<&String> = with_source
        .iter()
        .filter(|l| l.starts_with("event"))
        .collect();
    let events_after: Vec<&String> = after.iter().filter(|l| l.starts_with("event")).collect();
    assert_eq!(events_after, events_before);
    let page = coord.get("/calendars/boston-python").await;
    page.assert_contains("not a usable iCalendar feed: this is a zip file with no .ics inside");
}
