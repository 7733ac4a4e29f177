//! Every occurrence convene shows matches an independent expansion of the
//! iCalendar feed it publishes: the feed is read by Python's `icalendar`
//! and expanded by `recurring-ical-events` (dateutil's rules, the system's
//! zone data), across the DST changes of America/New_York and Europe/Berlin.
//!
//! Needs `python3` with `icalendar` and `recurring-ical-events`
//! (`pip install icalendar recurring-ical-events`); without them the test
//! prints a notice and passes, unless `CONVENE_REQUIRE_ORACLE=1` (CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::Request;
use chrono::{DateTime, Utc};
use common::*;
use convene_app::calendars::{self, Calendar, EventInput, Moment, OccurrenceEdit};
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

fn oracle_available() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import icalendar, recurring_ical_events"])
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Series {
    group: &'static str,
    title: &'static str,
    start: &'static str,
    end: &'static str,
    tz: &'static str,
    rrule: &'static str,
    rdates: &'static str,
    exdates: &'static str,
    all_day: bool,
}

const NY: &str = "America/New_York";
const BERLIN: &str = "Europe/Berlin";

fn series() -> Vec<Series> {
    let s = |group, title, start, end, tz, rrule| Series {
        group,
        title,
        start,
        end,
        tz,
        rrule,
        rdates: "",
        exdates: "",
        all_day: false,
    };
    vec![
        // 02:30 on 8 March 2026 does not exist in New York (spring forward).
        s(
            "boston-python",
            "Sunday 02:30 across the gap",
            "2026-02-22T02:30",
            "2026-02-22T03:30",
            NY,
            "FREQ=WEEKLY;BYDAY=SU;COUNT=6",
        ),
        // 01:30 on 1 November 2026 happens twice in New York (fall back).
        s(
            "boston-python",
            "Daily 01:30 across the overlap",
            "2026-10-30T01:30",
            "2026-10-30T02:00",
            NY,
            "FREQ=DAILY;COUNT=5",
        ),
        Series {
            rdates: "2026-06-16T19:00",
            exdates: "2026-06-09T19:00",
            ..s(
                "boston-python",
                "Second Tuesday",
                "2026-01-13T19:00",
                "2026-01-13T21:00",
                NY,
                "FREQ=MONTHLY;BYDAY=2TU",
            )
        },
        s(
            "boston-python",
            "Last weekday of the month",
            "2026-01-30T18:00",
            "2026-01-30T19:00",
            NY,
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=14",
        ),
        s(
            "boston-python",
            "Fortnightly with WKST",
            "2026-08-04T09:00",
            "2026-08-04T10:00",
            NY,
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=8",
        ),
        s(
            "pyworcester",
            "Second-to-last day",
            "2026-01-30T12:00",
            "2026-01-30T13:00",
            NY,
            "FREQ=MONTHLY;BYMONTHDAY=-2;UNTIL=20270101T000000Z",
        ),
        s(
            "pyworcester",
            "Last Thursday",
            "2026-01-29T18:00",
            "2026-01-29T20:00",
            NY,
            "FREQ=MONTHLY;BYDAY=-1TH",
        ),
        // 02:30 on 29 March 2026 does not exist in Berlin; on 25 October it happens twice.
        s(
            "pyberlin",
            "Berlin daily 02:30 across the gap",
            "2026-03-27T02:30",
            "2026-03-27T03:00",
            BERLIN,
            "FREQ=DAILY;COUNT=5",
        ),
        s(
            "pyberlin",
            "Berlin Sunday 02:30 across the overlap",
            "2026-10-11T02:30",
            "2026-10-11T03:15",
            BERLIN,
            "FREQ=WEEKLY;BYDAY=SU;COUNT=4",
        ),
        Series {
            exdates: "2026-03-12T19:00,2026-04-02T19:00",
            ..s(
                "pyberlin",
                "Stammtisch, COUNT with EXDATE",
                "2026-02-26T19:00",
                "2026-02-26T22:00",
                BERLIN,
                "FREQ=WEEKLY;BYDAY=TH;COUNT=10",
            )
        },
        s(
            "pyberlin",
            "Berlin yearly on the last Sunday of March",
            "2026-03-29T10:00",
            "2026-03-29T12:00",
            BERLIN,
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20300101T000000Z",
        ),
        Series {
            all_day: true,
            ..s(
                "pyberlin",
                "Sprint days",
                "2026-03-28",
                "2026-03-29",
                BERLIN,
                "FREQ=MONTHLY;BYDAY=-1SA;COUNT=10",
            )
        },
    ]
}

fn stamp(m: &Moment) -> String {
    match *m {
        Moment::At { utc, .. } => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Moment::Floating(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// The series above on the roster's groups, with one occurrence of the
/// second-Tuesday series moved and one cancelled; returns their ids.
async fn site_with_series(app: &TestApp) -> Vec<i64> {
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let _coord = coordinator(app).await;
    let actor = actor(app, "coord@example.org").await;
    let mut ids = Vec::new();
    for s in series() {
        let cal = calendars::calendar(app.svc(), s.group).await.unwrap();
        let input = EventInput {
            title: s.title.into(),
            start: s.start.into(),
            end: s.end.into(),
            tz: s.tz.into(),
            repeat: "custom".into(),
            rrule: s.rrule.into(),
            rdates: s.rdates.into(),
            exdates: s.exdates.into(),
            all_day: if s.all_day {
                "on".into()
            } else {
                String::new()
            },
            status: "confirmed".into(),
            ..EventInput::default()
        };
        let id = calendars::create_event(app.svc(), &actor, &cal, &input)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.title));
        ids.push(id);
    }
    // One occurrence moved, one cancelled (RECURRENCE-ID components in the feed).
    let second_tuesday = ids[2];
    calendars::edit_occurrence(
        app.svc(),
        &actor,
        second_tuesday,
        "20261013T190000",
        &OccurrenceEdit {
            start: "2026-10-14T18:30".into(),
            end: "2026-10-14T20:30".into(),
            ..OccurrenceEdit::default()
        },
    )
    .await
    .unwrap();
    calendars::edit_occurrence(
        app.svc(),
        &actor,
        second_tuesday,
        "20261110T190000",
        &OccurrenceEdit {
            cancelled: "on".into(),
            ..OccurrenceEdit::default()
        },
    )
    .await
    .unwrap();

    ids
}

#[tokio::test]
async fn every_occurrence_matches_an_independent_expansion_across_dst() {
    if !oracle_available() {
        if std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() == Ok("1") {
            panic!(
                "CONVENE_REQUIRE_ORACLE=1 but python3 with icalendar and recurring-ical-events is missing"
            );
        }
        eprintln!(
            "skipped: python3 with icalendar and recurring-ical-events is not installed (pip install icalendar recurring-ical-events)"
        );
        return;
    }
    let app = TestApp::new().await;
    site_with_series(&app).await;
    let from: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2028-01-01T00:00:00Z".parse().unwrap();
    let (occs, truncated) =
        calendars::occurrences_between(app.svc(), &Calendar::Site, from, to, chrono_tz::Tz::UTC)
            .await
            .unwrap();
    assert!(!truncated);
    let mut ours: Vec<String> = occs
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
    ours.sort();

    // Each group's own feed keeps every series whole (the whole site's
    // keeps to the weeks around today), so the independent expansion reads
    // every group's feed.
    let mut groups: Vec<&str> = series().iter().map(|s| s.group).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut theirs = Vec::new();
    for group in groups {
        let feed = app
            .send(
                Request::get(format!("/groups/{group}/events.ics"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(feed.status, 200, "{group}");
        theirs.extend(python_expands(
            feed.body.as_bytes(),
            "2026-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ));
    }
    let only_ours: Vec<&String> = ours.iter().filter(|o| !theirs.contains(o)).collect();
    let only_theirs: Vec<&String> = theirs.iter().filter(|t| !ours.contains(t)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "only convene: {only_ours:#?}\nonly the independent expansion: {only_theirs:#?}"
    );
    assert!(ours.len() > 100, "{} occurrences compared", ours.len());

    // The cases the test is about are really in there.
    let has = |needle: &str| ours.iter().any(|o| o.contains(needle));
    assert!(
        has("2026-03-08T07:30:00Z"),
        "NY gap: 02:30 read with the offset before the gap (EST)"
    );
    assert!(
        has("2026-11-01T05:30:00Z"),
        "NY overlap: the first 01:30 (EDT)"
    );
    assert!(has("2026-03-29T01:30:00Z"), "Berlin gap: 02:30 read as CET");
    assert!(
        has("2026-10-25T00:30:00Z"),
        "Berlin overlap: the first 02:30 (CEST)"
    );
    assert!(has("2026-10-14T22:30:00Z"), "the moved occurrence");
    assert!(
        ours.iter()
            .any(|o| o.contains("2026-11-11T00:00:00Z") && o.ends_with("CANCELLED"))
    );
    eprintln!(
        "{} occurrences matched the independent expansion",
        ours.len()
    );
}

/// The events with an occurrence overlapping `[from, to)` in the order of
/// their first one there (then by id), from every occurrence expanded.
async fn expanded_order(app: &TestApp, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<i64> {
    let (occs, truncated) =
        calendars::occurrences_between(app.svc(), &Calendar::Site, from, to, chrono_tz::Tz::UTC)
            .await
            .unwrap();
    assert!(!truncated);
    let mut firsts: Vec<(DateTime<Utc>, i64)> = Vec::new();
    for o in &occs {
        let at = o.start.instant(chrono_tz::Tz::UTC);
        match firsts.iter_mut().find(|(_, id)| *id == o.event_id) {
            Some(f) => f.0 = f.0.min(at),
            None => firsts.push((at, o.event_id)),
        }
    }
    firsts.sort();
    firsts.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn the_events_api_lists_what_full_expansion_finds_in_the_same_order() {
    let app = TestApp::new().await;
    let ids = site_with_series(&app).await;
    assert!(ids.len() > 10);
    let windows = [
        ("2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z"),
        ("2026-03-28T00:00:00Z", "2026-04-05T00:00:00Z"),
        ("2026-10-13T00:00:00Z", "2026-10-20T00:00:00Z"),
        ("2026-10-14T00:00:00Z", "2026-10-15T00:00:00Z"),
        ("2026-11-10T00:00:00Z", "2026-11-11T00:00:00Z"),
        ("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"),
        ("2027-06-01T00:00:00Z", "2027-09-01T00:00:00Z"),
        ("2029-01-01T00:00:00Z", "2031-01-01T00:00:00Z"),
    ];
    for (from, to) in windows {
        let (f, t): (DateTime<Utc>, DateTime<Utc>) = (from.parse().unwrap(), to.parse().unwrap());
        let expected = expanded_order(&app, f, t).await;
        for limit in [1, 2, 3, 5, 500] {
            let r = app
                .send(
                    Request::get(format!("/api/v1/events?from={from}&to={to}&limit={limit}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
            let got: Vec<i64> = r
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap())
                .collect();
            let want: Vec<i64> = expected.iter().take(limit).copied().collect();
            assert_eq!(got, want, "{from}..{to}, limit {limit}");
        }
    }
}
