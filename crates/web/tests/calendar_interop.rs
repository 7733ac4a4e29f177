//! Calendars from other producers, in and out: Google's lone changed
//! occurrences, Apple's RANGE=THISANDFUTURE, the same UID in two
//! calendars, and feeds that every client reads as convene lists them.
//!
//! Each fixture is written in the shape its producer writes. Occurrences
//! are compared both ways with an independent expansion (Python's
//! `icalendar` and `recurring-ical-events`, whose rules are dateutil's):
//! convene's listing of an imported file against Python reading that file,
//! and Python reading convene's feed against convene's own listing and API.
//!
//! Needs `python3` with `icalendar` and `recurring-ical-events`; without
//! them the comparisons print a notice and are left out, unless
//! `CONVENE_REQUIRE_ORACLE=1` (CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Utc};
use common::*;
use convene_app::calendars::{self, Calendar, Moment};
use convene_app::groups::{RosterFormat, import_roster};
use std::sync::{Arc, Mutex};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");
const GOOGLE_INVITATIONS: &[u8] = include_bytes!("fixtures/interop/google-invitations.ics");
const GOOGLE_SHARED: &[u8] = include_bytes!("fixtures/interop/google-shared-series.ics");
const APPLE_RANGE: &[u8] = include_bytes!("fixtures/interop/apple-this-and-future.ics");
const APPLE_RANGE_BAD: &[u8] =
    include_bytes!("fixtures/interop/apple-this-and-future-before-start.ics");
const NOTES_RANGE: &[u8] = include_bytes!("fixtures/interop/notes-this-and-future-rdates.ics");
const GOOGLE_EDGES: &[u8] = include_bytes!("fixtures/interop/google-edge-cases.ics");
const GOOGLE_CONFERENCE: &[u8] = include_bytes!("fixtures/interop/google-conference.ics");

const RRULES: &str = include_str!("oracle/rrules.py");
const LONE_UID: &str = "6b2hm0ua8cpk9p3q5ogcn7lj3g@google.com";

fn oracle_available() -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", "import icalendar, recurring_ical_events"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() != Ok("1"),
            "CONVENE_REQUIRE_ORACLE=1 but python3 with icalendar and recurring-ical-events is missing"
        );
        eprintln!(
            "comparisons left out: python3 with icalendar and recurring-ical-events is not installed"
        );
    }
    found
}

/// dateutil's verdict on every RRULE of `ics` with its DTSTART: the
/// refusals, or the number of rules read.
fn dateutil_reads_rules(ics: &[u8]) -> Result<usize, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    let script = dir.path().join("rrules.py");
    std::fs::write(&path, ics).unwrap();
    std::fs::write(&script, RRULES).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    if out.status.success() {
        Ok(text.trim().parse().unwrap())
    } else {
        Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// Serves whatever `body` holds at `/feed.ics` (ETag: its length).
async fn serve_feed(body: Arc<Mutex<Vec<u8>>>) -> String {
    let router = axum::Router::new().route(
        "/feed.ics",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let body = body.clone();
            async move {
                let bytes = body.lock().unwrap().clone();
                let etag = format!("\"{}\"", bytes.len());
                if headers
                    .get(header::IF_NONE_MATCH)
                    .and_then(|v| v.to_str().ok())
                    == Some(etag.as_str())
                {
                    return axum::response::IntoResponse::into_response((
                        StatusCode::NOT_MODIFIED,
                        [(header::ETAG, etag)],
                    ));
                }
                axum::response::IntoResponse::into_response((
                    [
                        (header::CONTENT_TYPE, "text/calendar".to_owned()),
                        (header::ETAG, etag),
                    ],
                    bytes,
                ))
            }
        }),
    );
    let addr = TestApp::serve(router).await;
    format!("http://{addr}/feed.ics")
}

fn stamp(m: &Moment) -> String {
    match *m {
        Moment::At { utc, .. } => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Moment::Floating(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// convene's own listing of `cal` in `[from, to)`, in the same lines.
async fn convene_lists(app: &TestApp, cal: &Calendar, from: &str, to: &str) -> Vec<String> {
    let from: DateTime<Utc> = from.parse().unwrap();
    let to: DateTime<Utc> = to.parse().unwrap();
    let (occs, truncated) =
        calendars::occurrences_between(app.svc(), cal, from, to, chrono_tz::Tz::UTC)
            .await
            .unwrap();
    assert!(!truncated);
    let mut lines: Vec<String> = occs
        .iter()
        .map(|o| {
            format!(
                "{} {} {} {}",
                o.uid,
                stamp(&o.start),
                stamp(&o.end),
                o.status.ical()
            )
        })
        .collect();
    lines.sort();
    lines
}

/// The API's occurrences of every event it lists in `[from, to)`.
async fn api_lists(app: &TestApp, from: &str, to: &str) -> Vec<String> {
    let list = app
        .send(
            Request::get(format!("/api/v1/events?from={from}&to={to}&limit=500"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let mut lines = Vec::new();
    for ev in list.json().as_array().unwrap() {
        let id = ev["id"].as_i64().unwrap();
        let uid = ev["uid"].as_str().unwrap();
        let occs = app
            .send(
                Request::get(format!(
                    "/api/v1/events/{id}/occurrences?from={from}&to={to}"
                ))
                .body(Body::empty())
                .unwrap(),
            )
            .await;
        assert_eq!(occs.status, 200, "{}", occs.body);
        let body = occs.json();
        let items = body
            .as_array()
            .or_else(|| body["occurrences"].as_array())
            .unwrap()
            .clone();
        for o in items {
            let moment = |s: &str| match DateTime::parse_from_rfc3339(s) {
                Ok(t) => t
                    .with_timezone(&Utc)
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
                Err(_) => s.to_owned(),
            };
            lines.push(format!(
                "{uid} {} {} {}",
                moment(o["start"].as_str().unwrap()),
                moment(o["end"].as_str().unwrap()),
                o["status"].as_str().unwrap().to_ascii_uppercase()
            ));
        }
    }
    lines.sort();
    lines
}

fn assert_same(what: &str, ours: &[String], theirs: &[String]) {
    let only_ours: Vec<&String> = ours.iter().filter(|o| !theirs.contains(o)).collect();
    let only_theirs: Vec<&String> = theirs.iter().filter(|t| !ours.contains(t)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty() && ours.len() == theirs.len(),
        "{what}\nonly convene: {only_ours:#?}\nonly the other side: {only_theirs:#?}"
    );
}

/// A split piece's UID (`{UID}_R{RECURRENCE-ID}`) read as its series'.
fn series_uid(line: &str) -> String {
    let (uid, rest) = line.split_once(' ').unwrap();
    let uid = match uid.rfind("_R") {
        Some(at) if uid[at + 2..].chars().all(|c| c.is_ascii_alphanumeric()) => &uid[..at],
        _ => uid,
    };
    format!("{uid} {rest}")
}

async fn feed(app: &TestApp, path: &str) -> String {
    let r = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, 200, "{path}");
    r.body
}

/// The stored events and overrides (a sync also records its job).
async fn stored_events(app: &TestApp) -> Vec<String> {
    app.fingerprint()
        .await
        .into_iter()
        .filter(|l| l.contains("FROM events") || l.contains("FROM event_overrides"))
        .collect()
}

async fn setup() -> (TestApp, convene_domain::Actor) {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let _coord = coordinator(&app).await;
    let actor = actor(&app, "coord@example.org").await;
    (app, actor)
}

const FROM: &str = "2026-01-01T00:00:00Z";
const TO: &str = "2027-06-01T00:00:00Z";

#[tokio::test]
async fn google_lone_changed_occurrences_are_kept_and_join_their_series_when_it_arrives() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "boston-python")
        .await
        .unwrap();
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_INVITATIONS)
        .await
        .unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.created.len(), 3, "{report:?}");
    assert_eq!(report.standalone.len(), 2, "{report:?}");
    assert!(
        report.standalone[0].contains("RECURRENCE-ID 20261208T183000")
            && report.standalone[0].contains("imported as a one-off event"),
        "{report:?}"
    );

    // A second sync of the same file matches them by UID and RECURRENCE-ID.
    let before = app.fingerprint().await;
    let again = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_INVITATIONS)
        .await
        .unwrap();
    assert_eq!((again.created.len(), again.unchanged), (0, 3), "{again:?}");
    assert_eq!(app.fingerprint().await, before);

    // The feed writes them back as Google did: the series' UID and the
    // RECURRENCE-ID, no RRULE.
    let ics = feed(&app, "/groups/boston-python/events.ics").await;
    assert_eq!(
        ics.matches("RECURRENCE-ID;TZID=America/New_York:20261208T183000")
            .count(),
        1,
        "{ics}"
    );
    if oracle_available() {
        let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
        assert_eq!(ours.len(), 3, "{ours:#?}");
        assert_same(
            "convene's import against Python reading Google's file",
            &ours,
            &python_expands(GOOGLE_INVITATIONS, FROM, TO),
        );
        assert_same(
            "Python reading convene's feed against convene's listing",
            &ours,
            &python_expands(ics.as_bytes(), FROM, TO),
        );
        assert_same(
            "the API against the listing",
            &api_lists(&app, FROM, TO).await,
            &ours,
        );
    }

    // The calendar is shared later: the series arrives with the December
    // change; the January one, no longer in the file, becomes its override.
    let shared = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_SHARED)
        .await
        .unwrap();
    assert!(shared.skipped.is_empty(), "{shared:?}");
    assert_eq!(shared.standalone.len(), 2, "{shared:?}");
    assert!(
        shared
            .standalone
            .iter()
            .all(|s| s.contains("now a changed occurrence of its series")),
        "{shared:?}"
    );
    let from: DateTime<Utc> = FROM.parse().unwrap();
    let to: DateTime<Utc> = TO.parse().unwrap();
    let (occs, _) =
        calendars::occurrences_between(app.svc(), &Calendar::Site, from, to, chrono_tz::Tz::UTC)
            .await
            .unwrap();
    let lone: Vec<_> = occs.iter().filter(|o| o.uid == LONE_UID).collect();
    assert!(lone.len() >= 8, "{lone:#?}");
    assert!(
        lone.iter().all(|o| o.event_id == lone[0].event_id),
        "one series holds them all: {lone:#?}"
    );
    let january = lone.iter().find(|o| o.key == "20270112T183000").unwrap();
    assert_eq!(
        january.title,
        "PyData Boston + Boston Python: lightning talks"
    );
    assert!(january.changed);
    let december = lone.iter().find(|o| o.key == "20261208T183000").unwrap();
    assert_eq!(stamp(&december.start), "2026-12-09T00:00:00Z");

    if oracle_available() {
        let ics = feed(&app, "/groups/boston-python/events.ics").await;
        let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
        assert_same(
            "Python reading convene's feed after the series arrived",
            &ours,
            &python_expands(ics.as_bytes(), FROM, TO),
        );
        // Google's shared file holds the series; the project night is ours.
        let theirs = python_expands(GOOGLE_SHARED, FROM, TO);
        let ours_of_series: Vec<String> = ours
            .iter()
            .filter(|l| l.starts_with(LONE_UID))
            .cloned()
            .collect();
        assert_same(
            "convene's series against Python reading Google's shared file",
            &ours_of_series,
            &theirs,
        );
    }
}

#[tokio::test]
async fn this_and_future_changes_every_later_occurrence_and_is_exported_as_a_split_series() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "pyberlin").await.unwrap();
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, APPLE_RANGE)
        .await
        .unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.split.len(), 2, "{report:?}");
    assert!(
        report.split[0].contains("3C1F2E7A-8B4D-4E5F-9A6B-1C2D3E4F5A6B_R20261006T190000"),
        "{report:?}"
    );

    let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
    // Ten Stammtisch evenings in all, five of them Wednesdays at 19:30 at c-base.
    let stammtisch: Vec<&String> = ours.iter().filter(|l| l.starts_with("3C1F2E7A")).collect();
    assert_eq!(stammtisch.len(), 10, "{ours:#?}");
    assert!(
        ours.iter()
            .any(|l| l.contains("_R20261006T190000 2026-10-28T18:30:00Z")),
        "19:30 in Berlin after the DST change: {ours:#?}"
    );
    let ics = feed(&app, "/groups/pyberlin/events.ics").await;
    assert!(
        ics.contains("RRULE:FREQ=WEEKLY;UNTIL=20261006T165959Z"),
        "{ics}"
    );
    assert!(ics.contains("RRULE:FREQ=WEEKLY;COUNT=5"), "{ics}");
    assert!(ics.contains("BYDAY=TH"), "{ics}");

    if oracle_available() {
        let theirs = python_expands(APPLE_RANGE, FROM, TO);
        let ours_as_series: Vec<String> = ours.iter().map(|l| series_uid(l)).collect();
        let mut ours_as_series = ours_as_series;
        ours_as_series.sort();
        assert_same(
            "convene's import against Python applying RANGE=THISANDFUTURE to Apple's file",
            &ours_as_series,
            &theirs,
        );
        assert_same(
            "Python reading convene's split series against convene's listing",
            &ours,
            &python_expands(ics.as_bytes(), FROM, TO),
        );
        assert_same(
            "the API against the listing",
            &api_lists(&app, FROM, TO).await,
            &ours,
        );
    }
}

#[tokio::test]
async fn this_and_future_on_a_series_of_dates_moves_every_later_date() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "pyberlin").await.unwrap();
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, NOTES_RANGE)
        .await
        .unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.split.len(), 1, "{report:?}");
    let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
    assert_eq!(ours.len(), 6, "{ours:#?}");
    assert!(
        ours.iter().any(|l| l
            .ends_with("_R20261001T180000 2026-10-29T17:30:00Z 2026-10-29T19:00:00Z CONFIRMED")),
        "18:30 in Berlin after the DST change: {ours:#?}"
    );
    if oracle_available() {
        let mut as_series: Vec<String> = ours.iter().map(|l| series_uid(l)).collect();
        as_series.sort();
        assert_same(
            "convene's import against Python reading the Notes file",
            &as_series,
            &python_expands(NOTES_RANGE, FROM, TO),
        );
        let ics = feed(&app, "/groups/pyberlin/events.ics").await;
        assert_same(
            "Python reading convene's feed against convene's listing",
            &ours,
            &python_expands(ics.as_bytes(), FROM, TO),
        );
        assert_same(
            "the API against the listing",
            &api_lists(&app, FROM, TO).await,
            &ours,
        );
    }
}

#[tokio::test]
async fn this_and_future_before_the_series_start_is_refused_and_changes_nothing() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "pyberlin").await.unwrap();
    calendars::import_ics(app.svc(), Some(&actor), &cal, APPLE_RANGE)
        .await
        .unwrap();
    let before = app.fingerprint().await;
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, APPLE_RANGE_BAD)
        .await
        .unwrap();
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    let (what, why) = &report.skipped[0];
    assert!(what.contains("PyBerlin Stammtisch"), "{what}");
    assert_eq!(
        why,
        "RECURRENCE-ID 20260825T190000 with RANGE=THISANDFUTURE (line 39) is before the series' DTSTART 20260901T190000, so it changes no occurrence; the series was left as it was"
    );
    assert!(
        report.created.is_empty() && report.updated.is_empty(),
        "{report:?}"
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_new_series_with_a_change_before_its_start_is_imported_without_that_change() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "pyberlin").await.unwrap();
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, APPLE_RANGE_BAD)
        .await
        .unwrap();
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    let (what, why) = &report.skipped[0];
    assert!(what.contains("PyBerlin Stammtisch"), "{what}");
    assert_eq!(
        why,
        "RECURRENCE-ID 20260825T190000 with RANGE=THISANDFUTURE (line 39) is before the series' DTSTART 20260901T190000, so it changes no occurrence; the series was imported without that change"
    );
    assert!(
        report.created.iter().any(|t| t == "PyBerlin Stammtisch"),
        "{report:?}"
    );
    // All ten weekly meetings are there, at the series' own time.
    let ics = feed(&app, "/groups/pyberlin/events.ics").await;
    assert!(
        ics.contains("UID:3C1F2E7A-8B4D-4E5F-9A6B-1C2D3E4F5A6B"),
        "{ics}"
    );
    assert!(ics.contains("RRULE:FREQ=WEEKLY;COUNT=10"), "{ics}");
}

#[tokio::test]
async fn the_same_uid_in_two_calendars_is_stored_twice_and_listed_once() {
    let (app, actor) = setup().await;
    for slug in ["boston-python", "pyworcester"] {
        let cal = calendars::calendar(app.svc(), slug).await.unwrap();
        let report = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_CONFERENCE)
            .await
            .unwrap();
        assert!(report.skipped.is_empty(), "{slug}: {report:?}");
        assert_eq!(report.created, vec!["PyCon US 2027".to_owned()], "{slug}");
    }
    // Each group's calendar has it.
    for slug in ["boston-python", "pyworcester"] {
        let cal = calendars::calendar(app.svc(), slug).await.unwrap();
        let ours = convene_lists(&app, &cal, FROM, TO).await;
        assert_eq!(ours.len(), 1, "{slug}: {ours:#?}");
    }
    // The site lists it once, in the feed and on the page.
    let ics = feed(&app, "/calendar.ics").await;
    assert_eq!(ics.matches("UID:pycon-us-2027-").count(), 1, "{ics}");
    let page = feed(&app, "/calendar?view=month&month=2027-05").await;
    let mut linked: Vec<&str> = page
        .split("/events/")
        .skip(1)
        .map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next().unwrap())
        .filter(|id| !id.is_empty())
        .collect();
    linked.sort_unstable();
    linked.dedup();
    assert!(page.contains("PyCon US 2027"), "{page}");
    assert_eq!(linked.len(), 1, "{linked:?}");
    let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
    assert_eq!(ours.len(), 1, "{ours:#?}");
    // A second upload into one of them matches it there.
    let cal = calendars::calendar(app.svc(), "pyworcester").await.unwrap();
    let again = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_CONFERENCE)
        .await
        .unwrap();
    assert_eq!((again.created.len(), again.unchanged), (0, 1), "{again:?}");
}

#[tokio::test]
async fn feeds_write_dtend_after_dtstart_until_as_rfc_5545_requires_and_agree_with_the_api() {
    let (app, actor) = setup().await;
    let cal = calendars::calendar(app.svc(), "boston-python")
        .await
        .unwrap();
    let report = calendars::import_ics(app.svc(), Some(&actor), &cal, GOOGLE_EDGES)
        .await
        .unwrap();
    assert!(report.skipped.is_empty(), "{report:?}");
    let ics = feed(&app, "/groups/boston-python/events.ics").await;
    let unfolded = ics.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.lines().collect();

    // Item 10: no DTEND equal to its DTSTART; the event written without one keeps none.
    let mut start = "";
    for line in &lines {
        if line.starts_with("DTSTART") {
            start = line.split_once(':').unwrap().1;
        }
        if line.starts_with("DTEND") {
            let end = line.split_once(':').unwrap().1;
            assert!(end > start, "DTEND {end} not after DTSTART {start}");
        }
    }
    for summary in ["SUMMARY:Sponsor call", "SUMMARY:CFP deadline"] {
        let vevent = unfolded
            .split("BEGIN:VEVENT")
            .find(|v| v.contains(summary))
            .unwrap();
        assert!(!vevent.contains("DTEND"), "{vevent}");
    }

    // Item 11: every UNTIL in the form its DTSTART requires.
    let mut checked = 0;
    for vevent in unfolded.split("BEGIN:VEVENT").skip(1) {
        let Some(rule) = vevent.lines().find(|l| l.starts_with("RRULE:")) else {
            continue;
        };
        let Some(until) = rule.split(';').find_map(|p| p.strip_prefix("UNTIL=")) else {
            continue;
        };
        let dtstart = vevent.lines().find(|l| l.starts_with("DTSTART")).unwrap();
        if dtstart.contains("VALUE=DATE") {
            assert_eq!(until.len(), 8, "{rule} with {dtstart}");
        } else if dtstart.contains("TZID=") || dtstart.ends_with('Z') {
            assert!(until.ends_with('Z'), "{rule} with {dtstart}");
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "{unfolded}");
    if oracle_available() {
        // dateutil refuses the three rules as Google's file writes them, and
        // reads every rule convene writes.
        let refused = dateutil_reads_rules(GOOGLE_EDGES).unwrap_err();
        assert_eq!(
            refused.matches("must be specified in UTC").count(),
            3,
            "{refused}"
        );
        assert_eq!(dateutil_reads_rules(ics.as_bytes()), Ok(5));
    }
    assert!(
        unfolded.contains("RRULE:FREQ=WEEKLY;UNTIL=20261216T045959Z\r\n"),
        "a date UNTIL on a zoned series includes its whole day: {unfolded}"
    );
    assert!(
        unfolded.contains("RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261210T140000Z\r\n"),
        "a floating UNTIL is read in the series' zone: {unfolded}"
    );
    assert!(
        unfolded.contains("RRULE:FREQ=MONTHLY;BYDAY=1SA;UNTIL=20261231\r\n"),
        "a date-time UNTIL on an all-day series is its date: {unfolded}"
    );

    if oracle_available() {
        // Item 12: the API, the listing and Python reading the feed agree,
        // in windows of a day (the zero-length all-day event), a year and
        // around the series that began in 1753.
        for (from, to) in [
            (FROM, TO),
            ("2026-09-21T12:00:00Z", "2026-09-21T13:00:00Z"),
            ("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"),
        ] {
            let ours = convene_lists(&app, &Calendar::Site, from, to).await;
            assert_same(
                &format!("Python reading convene's feed, {from} to {to}"),
                &ours,
                &python_expands(ics.as_bytes(), from, to),
            );
            assert_same(
                &format!("the API, {from} to {to}"),
                &api_lists(&app, from, to).await,
                &ours,
            );
        }
        let day = convene_lists(
            &app,
            &Calendar::Site,
            "2026-09-21T12:00:00Z",
            "2026-09-21T13:00:00Z",
        )
        .await;
        assert_eq!(
            day,
            vec!["zero-length-all-day@google.com 2026-09-21 2026-09-22 CONFIRMED".to_owned()],
            "the zero-length all-day event is in a window inside its date"
        );
        let ours = convene_lists(&app, &Calendar::Site, FROM, TO).await;
        let has = |needle: &str| ours.iter().any(|l| l.contains(needle));
        assert!(has("founders-day-1753@google.com 2026-04-12"), "{ours:#?}");
        assert!(has("founders-day-1753@google.com 2027-04-12"), "{ours:#?}");
        assert!(has("charter-day-1753@google.com 2026-07-01"), "{ours:#?}");
        // A date both excluded and changed: listed once, at its new time.
        let moved: Vec<&String> = ours
            .iter()
            .filter(|l| {
                l.contains("weekly-sync@google.com 2026-10-01")
                    || l.contains("weekly-sync@google.com 2026-10-02")
            })
            .collect();
        assert_eq!(
            moved,
            vec!["weekly-sync@google.com 2026-10-02T14:00:00Z 2026-10-02T14:30:00Z CONFIRMED"],
            "{ours:#?}"
        );
        // Excluded and called off: not listed at all.
        assert!(!has("weekly-sync@google.com 2026-10-13"), "{ours:#?}");
    }
}

#[tokio::test]
async fn a_synced_feed_keeps_lone_occurrences_split_series_and_refuses_a_range_before_the_start() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let body = Arc::new(Mutex::new(GOOGLE_INVITATIONS.to_vec()));
    let url = serve_feed(body.clone()).await;
    coord
        .submit("/calendars/pyworcester/sources", &[("url", &url)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let cal = calendars::calendar(app.svc(), "pyworcester").await.unwrap();
    let sync = |bytes: &[u8]| {
        *body.lock().unwrap() = bytes.to_vec();
        let app = &app;
        async move {
            app.clock.advance(chrono::Duration::hours(2));
            calendars::schedule_source_syncs(app.svc()).await.unwrap();
            app.drain_jobs().await;
        }
    };
    let first = convene_lists(&app, &cal, FROM, TO).await;
    assert_eq!(first.len(), 3, "{first:#?}");
    assert!(
        first.contains(&format!(
            "{LONE_UID} 2026-12-09T00:00:00Z 2026-12-09T02:00:00Z CONFIRMED"
        )),
        "{first:#?}"
    );
    let sources = calendars::sources(app.svc(), &cal).await.unwrap();
    assert_eq!(sources[0].last_error, None, "{sources:?}");

    // The same feed again (a changed validator): matched, nothing changes.
    let before = stored_events(&app).await;
    sync(&[GOOGLE_INVITATIONS, b"\r\n"].concat()).await;
    assert_eq!(stored_events(&app).await, before);

    // The series arrives: the lone occurrences become its changes, the
    // project night has left the feed.
    sync(GOOGLE_SHARED).await;
    let from: DateTime<Utc> = FROM.parse().unwrap();
    let to: DateTime<Utc> = TO.parse().unwrap();
    let (occs, _) = calendars::occurrences_between(app.svc(), &cal, from, to, chrono_tz::Tz::UTC)
        .await
        .unwrap();
    assert!(occs.iter().all(|o| o.uid == LONE_UID), "{occs:#?}");
    assert!(
        occs.iter().all(|o| o.event_id == occs[0].event_id),
        "{occs:#?}"
    );
    let january = occs.iter().find(|o| o.key == "20270112T183000").unwrap();
    assert_eq!(
        january.title,
        "PyData Boston + Boston Python: lightning talks"
    );
    if oracle_available() {
        let ours = convene_lists(&app, &cal, FROM, TO).await;
        assert_same(
            "the synced series against Python reading Google's shared file",
            &ours,
            &python_expands(GOOGLE_SHARED, FROM, TO),
        );
    }

    // Apple's file with THISANDFUTURE: split on the first sync, the same on the next.
    sync(APPLE_RANGE).await;
    let split = convene_lists(&app, &cal, FROM, TO).await;
    assert_eq!(split.len(), 10 + 15, "{split:#?}");
    let before = stored_events(&app).await;
    sync(&[APPLE_RANGE, b"\r\n"].concat()).await;
    assert_eq!(stored_events(&app).await, before);

    // A RANGE=THISANDFUTURE before the series' start: the series stays as
    // it was, and the feed's status says why.
    sync(APPLE_RANGE_BAD).await;
    assert_eq!(stored_events(&app).await, before);
    let sources = calendars::sources(app.svc(), &cal).await.unwrap();
    let note = sources[0].last_error.clone().unwrap_or_default();
    assert!(
        note.contains(
            "RANGE=THISANDFUTURE (line 39) is before the series' DTSTART 20260901T190000"
        ),
        "{note}"
    );
    let page = coord.get("/calendars/pyworcester").await;
    page.assert_contains("is before the series")
        .assert_contains("DTSTART 20260901T190000");
}
