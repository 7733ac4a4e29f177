//! Calendars as their users meet them: a regional calendar built from
//! groups and an outside feed, events with recurrence and overrides, the
//! iCalendar feeds, answering with a waitlist, the widget's JSON and the
//! bad input each part must survive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use convene_app::calendars::{self, Calendar};
use convene_app::groups::{RosterFormat, import_roster};
use convene_domain::events::Answer;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");
const OUTSIDE: &[u8] = include_bytes!("fixtures/outside-feed.ics");
const BROKEN: &[u8] = include_bytes!("fixtures/broken.ics");

async fn roster(app: &TestApp) {
    let r = import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    assert_eq!(r.created, 3, "{r:?}");
}

fn event<'a>(
    title: &'a str,
    start: &'a str,
    end: &'a str,
    tz: &'a str,
    repeat: &'a str,
    rrule: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "Talks and **lightning** talks."),
        ("start", start),
        ("end", end),
        ("tz", tz),
        ("repeat", repeat),
        ("rrule", rrule),
        ("status", "confirmed"),
        ("venue_name", "Microsoft NERD"),
        ("venue_address", "1 Memorial Drive, Cambridge"),
    ]
}

/// Serves `body` at `/feed.ics` on a loopback port, answering 304 to a
/// matching `If-None-Match`; returns the address and a request counter.
async fn outside_feed(body: Arc<std::sync::Mutex<Vec<u8>>>) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let router = axum::Router::new().route(
        "/feed.ics",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let body = body.clone();
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
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
    (format!("http://{addr}/feed.ics"), hits)
}

#[tokio::test]
async fn a_regional_calendar_gathers_its_groups_and_an_outside_feed() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    coord
        .submit(
            "/calendars",
            &[
                ("name", "Massachusetts"),
                ("country", "US"),
                ("region", "Massachusetts"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = coord.get("/calendars/massachusetts").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Boston Python")
        .assert_contains("PyWorcester");
    // Berlin is offered in the picker of groups to include, not gathered.
    assert!(!page.body.contains("href=\"/groups/pyberlin\""));
    page.assert_contains("<option value=\"PyBerlin\">");

    // An editor of the regional calendar who organizes no group.
    coord
        .submit(
            "/invite",
            &[
                ("email", "eda@example.org"),
                ("role", "calendar_editor"),
                ("scope", "massachusetts"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail("eda@example.org", "/invitations/");
    let mut eda = app.client();
    eda.ip = "203.0.113.77".into();
    eda.submit(
        &link,
        &[
            ("display_name", "Eda Editor"),
            ("password", "orange lantern meadow"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    // Group events, made by the coordinator on each group's calendar.
    let r = coord
        .submit(
            "/calendars/boston-python/events/new",
            &event(
                "Boston Python project night",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "monthly_nth",
                "",
            ),
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let boston_event = r
        .location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    coord
        .submit(
            "/calendars/pyworcester/events/new",
            &event(
                "PyWorcester meetup",
                "2026-12-31T18:00",
                "2026-12-31T20:00",
                "America/New_York",
                "monthly_last",
                "",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    coord
        .submit(
            "/calendars/pyberlin/events/new",
            &event(
                "PyBerlin Stammtisch",
                "2026-12-03T19:00",
                "2026-12-03T22:00",
                "Europe/Berlin",
                "weekly",
                "",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // The editor may add to the region but not to a group's calendar.
    eda.submit(
        "/calendars/massachusetts/events/new",
        &event(
            "Massachusetts organizers' call",
            "2027-01-06T12:00",
            "2027-01-06T13:00",
            "America/New_York",
            "never",
            "",
        ),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let denied = eda
        .submit(
            "/calendars/boston-python/events/new",
            &event(
                "Not mine",
                "2027-01-06T12:00",
                "2027-01-06T13:00",
                "America/New_York",
                "never",
                "",
            ),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);

    // The outside feed, synced through the job queue with a conditional GET.
    let body = Arc::new(std::sync::Mutex::new(OUTSIDE.to_vec()));
    let (url, hits) = outside_feed(body.clone()).await;
    eda.submit("/calendars/massachusetts/sources", &[("url", &url)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let list = eda.get("/calendars/massachusetts").await;
    list.assert_contains("Boston Python project night")
        .assert_contains("PyWorcester meetup")
        .assert_contains("Massachusetts organizers&#39; call")
        .assert_contains("Cambridge Hack Night");
    assert!(!list.body.contains("PyBerlin Stammtisch"), "{}", list.body);
    // The moved occurrence shows with its new title; the cancelled one struck through.
    let month = eda
        .get("/calendars/massachusetts?view=month&month=2026-12")
        .await;
    month
        .assert_contains("Cambridge Hack Night (moved to Friday)")
        .assert_contains("<caption>December 2026</caption>");
    assert!(
        month.body.contains("<s><a class=\"u-url p-name\""),
        "cancelled occurrences are struck through"
    );

    // The feed keeps series whole, with zones, overrides and validators.
    let feed = eda.get("/calendars/massachusetts.ics").await;
    feed.assert_status(StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let ics = &feed.body;
    for needle in [
        "BEGIN:VCALENDAR\r\n",
        "PRODID:",
        "VERSION:2.0\r\n",
        "X-WR-CALNAME:Massachusetts",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York",
        "RRULE:FREQ=MONTHLY;BYDAY=2TU",
        "RRULE:FREQ=MONTHLY;BYDAY=-1TH",
        "UID:hacknight-series@outside.example",
        "RECURRENCE-ID;TZID=America/New_York:20261210T183000",
        "EXDATE;TZID=America/New_York:20261126T183000",
        "STATUS:CANCELLED",
        "DTSTART;VALUE=DATE:20270123",
    ] {
        assert!(ics.contains(needle), "missing {needle:?} in\n{ics}");
    }
    assert!(!ics.contains("Europe/Berlin"));
    assert!(ics.lines().all(|l| l.len() <= 75), "every line is folded");
    assert!(
        ics.split("\r\n").all(|l| !l.contains('\n')),
        "CRLF line ends only"
    );
    let etag = feed.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = app
        .send(
            Request::get("/calendars/massachusetts.ics")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // A change raises SEQUENCE and the feed's validator.
    coord
        .submit(
            &format!("/events/{boston_event}/edit"),
            &event(
                "Boston Python project night (new room)",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "monthly_nth",
                "",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let changed = eda.get("/calendars/massachusetts.ics").await;
    assert_ne!(changed.headers[header::ETAG].to_str().unwrap(), etag);
    assert!(
        changed
            .body
            .contains("SUMMARY:Boston Python project night (new room)\r\nDESCRIPTION")
            || changed.body.contains("(new room)")
    );
    assert!(changed.body.contains("SEQUENCE:1\r\n"), "{}", changed.body);

    // The next sync sends the validator and gets 304; a changed feed is applied by UID.
    calendars::schedule_source_syncs(app.svc()).await.unwrap();
    app.clock.advance(chrono::Duration::hours(2));
    calendars::schedule_source_syncs(app.svc()).await.unwrap();
    app.drain_jobs().await;
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let without_sprint: Vec<u8> = String::from_utf8(OUTSIDE.to_vec())
        .unwrap()
        .split("BEGIN:VEVENT\r\nUID:sprint-2027")
        .next()
        .unwrap()
        .to_owned()
        .into_bytes();
    *body.lock().unwrap() = [without_sprint, b"END:VCALENDAR\r\n".to_vec()].concat();
    app.clock.advance(chrono::Duration::hours(2));
    calendars::schedule_source_syncs(app.svc()).await.unwrap();
    app.drain_jobs().await;
    let after = eda.get("/calendars/massachusetts.ics").await;
    assert!(
        !after.body.contains("sprint-2027"),
        "a removed event leaves the calendar"
    );
    assert!(after.body.contains("hacknight-series@outside.example"));

    // Imported events are read-only.
    let cal = calendars::calendar(app.svc(), "massachusetts")
        .await
        .unwrap();
    let (occs, _) = calendars::occurrences_between(
        app.svc(),
        &cal,
        app.now(),
        app.now() + chrono::Duration::days(30),
        chrono_tz::Tz::UTC,
    )
    .await
    .unwrap();
    let imported = occs.iter().find(|o| o.imported).unwrap();
    let refused = eda
        .submit(&format!("/events/{}/cancel", imported.event_id), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("read-only"));

    // Group pages list their upcoming events; event pages carry JSON-LD and h-event.
    eda.get("/groups/boston-python")
        .await
        .assert_contains("Boston Python project night");
    let ev = eda.get(&format!("/events/{boston_event}")).await;
    ev.assert_status(StatusCode::OK)
        .assert_contains("application/ld+json")
        .assert_contains("\"@type\":\"Event\"")
        .assert_contains("\"startDate\":\"2026-12-08T19:00:00-05:00\"")
        .assert_contains("class=\"h-event event\"")
        .assert_contains("og:title");
    let file = eda.get(&format!("/events/{boston_event}.ics")).await;
    file.assert_status(StatusCode::OK)
        .assert_contains("RRULE:FREQ=MONTHLY;BYDAY=2TU");

    // The widget's JSON is open to other sites and sets no cookie.
    let json = app
        .send(
            Request::get("/embed/calendars/massachusetts.json?limit=3")
                .header(header::ORIGIN, "https://elsewhere.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(json.headers.get(header::SET_COOKIE).is_none());
    let doc = json.json();
    assert_eq!(doc["calendar"]["name"], "Massachusetts");
    assert_eq!(doc["occurrences"].as_array().unwrap().len(), 3);
    let frame = app
        .send(
            Request::get("/embed/calendars/massachusetts")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(frame.headers.get("x-frame-options").is_none());
    assert!(
        frame.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors *")
    );
    let normal = app
        .send(
            Request::get("/calendars/massachusetts")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(normal.headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn the_last_seat_goes_to_one_of_two_people_answering_at_once() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let mut form = event(
        "Workshop",
        "2026-12-08T19:00",
        "2026-12-08T21:00",
        "America/New_York",
        "never",
        "",
    );
    form.push(("capacity", "1"));
    let r = coord
        .submit("/calendars/boston-python/events/new", &form)
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let id: i64 = r
        .location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let _ = member(&app, "ann@example.org").await;
    let _ = member(&app, "bob@example.org").await;
    let (ann, bob) = (
        actor(&app, "ann@example.org").await,
        actor(&app, "bob@example.org").await,
    );
    let key = "20261208T190000";
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            calendars::answer(app.svc(), &ann, id, key, Answer::Yes),
            calendars::answer(app.svc(), &bob, id, key, Answer::Yes)
        );
        let states = [a.unwrap().state, b.unwrap().state];
        assert_eq!(
            states
                .iter()
                .filter(|s| **s == convene_domain::events::RsvpState::Going)
                .count(),
            1,
            "{states:?}"
        );
        let (going, waiting) = calendars::seat_counts(app.svc(), id, key).await.unwrap();
        assert_eq!((going, waiting), (1, 1));
        // Whoever holds the seat gives it back; the other is promoted and told.
        let holder = if states[0] == convene_domain::events::RsvpState::Going {
            &ann
        } else {
            &bob
        };
        let done = calendars::answer(app.svc(), holder, id, key, Answer::No)
            .await
            .unwrap();
        assert!(done.promoted.is_some());
        let (going, waiting) = calendars::seat_counts(app.svc(), id, key).await.unwrap();
        assert_eq!((going, waiting), (1, 0));
        // Reset for the next round.
        calendars::answer(app.svc(), &ann, id, key, Answer::No)
            .await
            .unwrap();
        calendars::answer(app.svc(), &bob, id, key, Answer::No)
            .await
            .unwrap();
    }
    app.drain_jobs().await;
    let promoted = app
        .mail()
        .into_iter()
        .find(|m| m.subject.starts_with("A seat freed up"))
        .expect("the promoted member is told");
    let ics = promoted.calendar.expect("with the event attached");
    assert!(
        ics.contains("METHOD:PUBLISH") && ics.contains("SUMMARY:Workshop"),
        "{ics}"
    );
    let raw = String::from_utf8(promoted_message(&app, &promoted.message_id)).unwrap();
    assert!(raw.contains("text/calendar"), "{raw}");

    // The organizer's attendee list, as CSV.
    let csv = coord
        .get(&format!("/events/{id}/attendees?at={key}&format=csv"))
        .await;
    csv.assert_status(StatusCode::OK)
        .assert_contains("name,email,answer,state");
}

fn promoted_message(app: &TestApp, message_id: &str) -> Vec<u8> {
    let entries = app.outbox.list().unwrap();
    for e in entries {
        if let Some((mail, raw)) = app.outbox.read(&e.file).unwrap()
            && mail.message_id == message_id
        {
            return raw.into_bytes();
        }
    }
    panic!("message {message_id} not in the outbox");
}

#[tokio::test]
async fn bad_events_get_clear_errors_and_change_nothing() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let before = app.fingerprint().await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            event(
                "No freq",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "custom",
                "BYDAY=TU",
            ),
            "recurrence rule has no FREQ",
        ),
        (
            event(
                "Both",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "custom",
                "FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z",
            ),
            "may not have both COUNT and UNTIL",
        ),
        (
            event(
                "Until before",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "custom",
                "FREQ=WEEKLY;UNTIL=20261101T000000Z",
            ),
            "UNTIL is before the event&#39;s start",
        ),
        (
            event(
                "Zone",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "Mars/Olympus_Mons",
                "never",
                "",
            ),
            "is not a time zone we know",
        ),
        (
            event(
                "Backwards",
                "2026-12-08T19:00",
                "2026-12-08T18:00",
                "America/New_York",
                "never",
                "",
            ),
            "must end after it starts",
        ),
        (
            event(
                "Never",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "custom",
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            ),
            "never produces a date after the first",
        ),
        (
            event(
                "Secondly",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "custom",
                "FREQ=SECONDLY",
            ),
            "at most hourly",
        ),
    ];
    for (form, message) in cases {
        let r = coord
            .submit("/calendars/boston-python/events/new", &form)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}: {}",
            r.body
        );
        r.assert_contains(message);
        assert_eq!(app.fingerprint().await, before, "{message}");
    }

    // An .ics over the size limit.
    let big = vec![b'A'; calendars_limit() + 10];
    let cal = calendars::calendar(app.svc(), "boston-python")
        .await
        .unwrap();
    let coord_actor = actor(&app, "coord@example.org").await;
    let e = calendars::import_ics(app.svc(), Some(&coord_actor), &cal, &big)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("bytes accepted"), "{e}");
    assert_eq!(app.fingerprint().await, before);

    // An import URL pointing to a private address (the site's own fetch policy).
    let strict = convene_app::net::Fetcher::new(convene_app::net::FetchPolicy::default());
    for url in [
        "http://127.0.0.1:9/feed.ics",
        "http://10.0.0.8/feed.ics",
        "http://localhost/x.ics",
        "ftp://example.org/x.ics",
    ] {
        let e = calendars::add_source(app.svc(), &strict, &coord_actor, &cal, url)
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("private or local") || text.contains("http"),
            "{url}: {text}"
        );
        assert_eq!(app.fingerprint().await, before, "{url}");
    }

    // A malformed file: the valid events are imported, each skipped one reported with why.
    let report = calendars::import_ics(app.svc(), Some(&coord_actor), &cal, BROKEN)
        .await
        .unwrap();
    assert_eq!(
        report.created,
        vec!["A good event".to_owned(), "Another good one".to_owned()],
        "{report:?}"
    );
    let reasons: Vec<String> = report
        .skipped
        .iter()
        .map(|(w, why)| format!("{w}: {why}"))
        .collect();
    let all = reasons.join("\n");
    for needle in ["UID", "Mars/Olympus_Mons", "SECONDLY", "DTEND"] {
        assert!(all.contains(needle), "{needle} not in {all}");
    }
    assert_eq!(report.skipped.len(), 4, "{all}");
    // Uploading it again changes nothing.
    let again = calendars::import_ics(app.svc(), Some(&coord_actor), &cal, BROKEN)
        .await
        .unwrap();
    assert_eq!((again.created.len(), again.unchanged), (0, 2), "{again:?}");

    // Through the page too: the upload form reports the same.
    let mut body = Vec::new();
    let csrf = coord.csrf().await;
    let boundary = "XyZzy";
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"broken.ics\"\r\nContent-Type: text/calendar\r\n\r\n").as_bytes());
    body.extend_from_slice(BROKEN);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = coord
        .post_raw(
            "/calendars/boston-python/import",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("unknown time zone");
    let _ = &mut coord;
}

fn calendars_limit() -> usize {
    2 * 1024 * 1024
}

#[tokio::test]
async fn one_occurrence_moves_and_this_and_following_splits_the_series() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let r = coord
        .submit(
            "/calendars/pyberlin/events/new",
            &event(
                "Stammtisch",
                "2026-12-03T19:00",
                "2026-12-03T22:00",
                "Europe/Berlin",
                "custom",
                "FREQ=WEEKLY;BYDAY=TH;COUNT=10",
            ),
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let id = r
        .location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    coord
        .submit(
            &format!("/events/{id}/occurrence?at=20261210T190000"),
            &[("start", "2026-12-11T19:30"), ("end", "2026-12-11T22:00")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    coord
        .submit(
            &format!("/events/{id}/occurrence?at=20261217T190000"),
            &[("cancelled", "on")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let bad = coord
        .submit(
            &format!("/events/{id}/occurrence?at=20261218T190000"),
            &[("cancelled", "on")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("no occurrence at that time");
    let r = coord
        .submit(
            &format!("/events/{id}/following?at=20261231T190000"),
            &event(
                "Stammtisch (new place)",
                "2026-12-31T18:00",
                "2026-12-31T21:00",
                "Europe/Berlin",
                "custom",
                "FREQ=WEEKLY;BYDAY=TH;COUNT=7",
            ),
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let cal = calendars::calendar(app.svc(), "pyberlin").await.unwrap();
    assert!(matches!(cal, Calendar::Group(_)));
    let (occs, _) = calendars::occurrences_between(
        app.svc(),
        &cal,
        app.now(),
        app.now() + chrono::Duration::days(120),
        chrono_tz::Tz::UTC,
    )
    .await
    .unwrap();
    let seen: Vec<String> = occs
        .iter()
        .map(|o| {
            format!(
                "{} {}{}",
                o.start.rfc3339(),
                o.title,
                if o.cancelled() { " (cancelled)" } else { "" }
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            "2026-12-03T19:00:00+01:00 Stammtisch",
            "2026-12-11T19:30:00+01:00 Stammtisch",
            "2026-12-17T19:00:00+01:00 Stammtisch (cancelled)",
            "2026-12-24T19:00:00+01:00 Stammtisch",
            "2026-12-31T18:00:00+01:00 Stammtisch (new place)",
            "2027-01-07T18:00:00+01:00 Stammtisch (new place)",
            "2027-01-14T18:00:00+01:00 Stammtisch (new place)",
            "2027-01-21T18:00:00+01:00 Stammtisch (new place)",
            "2027-01-28T18:00:00+01:00 Stammtisch (new place)",
            "2027-02-04T18:00:00+01:00 Stammtisch (new place)",
            "2027-02-11T18:00:00+01:00 Stammtisch (new place)",
        ],
    );
    let feed = coord.get("/groups/pyberlin/events.ics").await;
    feed.assert_contains("UNTIL=20261231T175959Z")
        .assert_contains("RECURRENCE-ID;TZID=Europe/Berlin:20261210T190000")
        .assert_contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin");
}

#[tokio::test]
async fn members_get_a_private_feed_of_their_answers() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let r = coord
        .submit(
            "/calendars/boston-python/events/new",
            &event(
                "Project night",
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "America/New_York",
                "monthly_nth",
                "",
            ),
        )
        .await;
    let id = r
        .location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let mut mo = member(&app, "mo@example.org").await;
    mo.submit(
        &format!("/events/{id}/rsvp"),
        &[("at", "20270112T190000"), ("answer", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = mo.submit("/account/calendar-feed", &[]).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("webcal://");
    let url = page
        .body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap();
    let path = url.trim_start_matches("http://convene.test");
    let stranger = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(
        stranger
            .body
            .contains("DTSTART;TZID=America/New_York:20270112T190000"),
        "{}",
        stranger.body
    );
    assert!(!stranger.body.contains("RRULE"));
    // Their account's zone: times on calendar and event pages are shown in it.
    let bad = mo
        .submit("/account/time-zone", &[("time_zone", "Europe/Atlantis")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    bad.assert_contains("Europe/Atlantis");
    mo.submit("/account/time-zone", &[("time_zone", "Europe/Berlin")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mo.get(&format!("/events/{id}?at=20270112T190000"))
        .await
        .assert_contains("Your time: Wed 13 Jan 2027, 01:00–03:00 CET");
    // The list shows the series once; the month grid shows this date, in their zone.
    mo.get("/calendars/boston-python?view=month&month=2027-01")
        .await
        .assert_contains("datetime=\"2027-01-13T01:00:00+01:00\">01:00</time>");
    let wrong = app
        .send(
            Request::get("/my-events/not-a-token.ics")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_group_feed_is_revalidated_without_a_lookup_yet_follows_the_roster() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    coord
        .submit(
            "/calendars",
            &[
                ("name", "Massachusetts"),
                ("country", "US"),
                ("region", "Massachusetts"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let get = |path: &str, etag: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(e) = etag {
            r = r.header(header::IF_NONE_MATCH, e);
        }
        r.body(Body::empty()).unwrap()
    };
    // Only a group has a group feed; nothing is cached for the others.
    for path in [
        "/groups/massachusetts/events.ics",
        "/groups/no-such-group/events.ics",
    ] {
        let r = app.send(get(path, None)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        r.assert_contains("There is no group at this address.");
    }
    let feed = app.send(get("/groups/pyberlin/events.ics", None)).await;
    assert_eq!(feed.status, StatusCode::OK);
    let etag = feed.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = app
        .send(get("/groups/pyberlin/events.ics", Some(&etag)))
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // Another feed's validator is its own.
    let other = app
        .send(get("/groups/boston-python/events.ics", Some(&etag)))
        .await;
    assert_eq!(other.status, StatusCode::OK);

    // A change to the roster changes the validator: the group is withdrawn.
    let mut conn = app.svc().db.conn().await.unwrap();
    let id = convene_store::groups::by_slug(conn.ex(), "pyberlin")
        .await
        .unwrap()
        .unwrap()
        .id;
    drop(conn);
    let mut tx = app.svc().db.begin().await.unwrap();
    convene_store::groups::set_approval(tx.ex(), id, "rejected", Some("gone"), app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after = app
        .send(get("/groups/pyberlin/events.ics", Some(&etag)))
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_whole_sites_feed_keeps_to_the_weeks_around_today_and_a_groups_keeps_everything() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let now = app.now();
    let day = |days: i64| {
        (now + chrono::Duration::days(days))
            .format("%Y-%m-%dT19:00")
            .to_string()
    };
    let end = |days: i64| {
        (now + chrono::Duration::days(days))
            .format("%Y-%m-%dT21:00")
            .to_string()
    };
    for (title, days) in [
        ("Two months ago", -60),
        ("Last week", -7),
        ("In ten months", 300),
        ("In fourteen months", 420),
    ] {
        coord
            .submit(
                "/calendars/boston-python/events/new",
                &event(
                    title,
                    &day(days),
                    &end(days),
                    "America/New_York",
                    "never",
                    "",
                ),
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let get = |path: &'static str| Request::get(path).body(Body::empty()).unwrap();
    let site = app.send(get("/calendar.ics")).await;
    site.assert_status(StatusCode::OK);
    let group = app.send(get("/groups/boston-python/events.ics")).await;
    for title in ["Last week", "In ten months"] {
        assert!(site.body.contains(&format!("SUMMARY:{title}")), "{title}");
    }
    for title in ["Two months ago", "In fourteen months"] {
        assert!(!site.body.contains(&format!("SUMMARY:{title}")), "{title}");
    }
    for title in [
        "Two months ago",
        "Last week",
        "In ten months",
        "In fourteen months",
    ] {
        assert!(group.body.contains(&format!("SUMMARY:{title}")), "{title}");
    }
    assert!(
        site.body.replace("\r\n ", "").contains(
            "X-WR-CALDESC:Every group's events from 30 days ago to 365 days ahead\\; each group's own calendar has its full history."
        ),
        "{}",
        site.body
    );
}
