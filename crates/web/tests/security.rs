//! Holes found in a security review, each closed and kept closed: headers
//! built from request data, transport and cache headers, metrics that a
//! visitor cannot inflate, roles keyed by what they are for, and a sign-in
//! limit that strangers cannot turn against an owner.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

async fn roster(app: &TestApp) {
    let r = import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    assert_eq!(r.created, 3, "{r:?}");
}

/// A weekly event on Boston Python's calendar; returns its id.
async fn weekly_event(coord: &mut Client<'_>) -> i64 {
    let r = coord
        .submit(
            "/calendars/boston-python/events/new",
            &[
                ("title", "Project night"),
                ("description", "Bring a laptop."),
                ("start", "2026-12-08T19:00"),
                ("end", "2026-12-08T21:00"),
                ("tz", "America/New_York"),
                ("repeat", "weekly"),
                ("rrule", ""),
                ("status", "confirmed"),
                ("venue_name", "Microsoft NERD"),
                ("venue_address", "1 Memorial Drive, Cambridge"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_attendee_list_names_only_a_real_occurrence_in_its_file_name() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let id = weekly_event(&mut coord).await;
    let mut ann = member(&app, "ann@example.org").await;
    ann.submit(
        &format!("/events/{id}/rsvp"),
        &[("at", "20261215T190000"), ("answer", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let csv = coord
        .get(&format!(
            "/events/{id}/attendees?at=20261215T190000&format=csv"
        ))
        .await;
    csv.assert_status(StatusCode::OK)
        .assert_contains("ann@example.org");
    assert_eq!(
        csv.headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"attendees-{id}-20261215T190000.csv\"").as_str()
    );

    let before = app.fingerprint().await;
    for at in [
        // A line end used to fail the answer with a 500.
        "20261215T190000%0D%0AX-Injected:%201",
        // A quote used to close the file name and add a parameter.
        "20261215T190000.csv%22%3B%20filename*%3DUTF-8''evil.exe%3B%20x%3D%22",
        // Well formed, but not a date the event happens on.
        "20261216T190000",
        "",
    ] {
        for format in ["&format=csv", ""] {
            let r = coord
                .get(&format!("/events/{id}/attendees?at={at}{format}"))
                .await;
            r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("This event has no occurrence at that time.");
            assert!(r.headers.get(header::CONTENT_DISPOSITION).is_none());
            assert!(r.headers.get("x-injected").is_none());
        }
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn redirects_built_from_a_form_or_path_never_fail_or_split() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut ann = member(&app, "ann@example.org").await;
    // The honeypot answer echoes the path's slug: a line end in it used to
    // make the redirect panic.
    let before = app.fingerprint().await;
    let r = ann
        .submit(
            "/groups/boston-python%0D%0ASet-Cookie:%20x=1/contact",
            &[
                ("name", "Bot"),
                ("email", "bot@example.org"),
                ("message", "hi"),
                ("website", "http://spam.example/"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        "/groups/boston-python%0D%0ASet-Cookie:%20x=1?done=message-sent"
    );
    assert_eq!(app.fingerprint().await, before);

    // A group slug with a trailing line end is accepted as the slug it
    // names, and the redirect carries that slug only.
    let r = ann
        .submit("/blog/subscribe", &[("group", "boston-python\r\n")])
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/groups/boston-python/blog?done=subscribed");
}

#[tokio::test]
async fn an_https_site_sends_hsts_on_every_answer() {
    let app = TestApp::with_base_url("https://convene.test/").await;
    roster(&app).await;
    for path in [
        "/",
        "/groups/boston-python",
        "/calendar.ics",
        "/embed/calendars/boston-python",
        "/static/style.css",
        "/livez",
        "/no/such/page",
    ] {
        let r = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(
            r.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .map(|v| v.to_str().unwrap()),
            Some("max-age=63072000"),
            "{path} answered {}",
            r.status
        );
    }
    let r = app
        .send(
            Request::post("/signin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from("email=a%40b.org"))
                .unwrap(),
        )
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));

    // Plain http: a browser would ignore it, and it would pin a site that
    // is not served over TLS.
    let plain = TestApp::new().await;
    let r = plain
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert!(!r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn signed_in_and_private_pages_are_never_stored() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let id = weekly_event(&mut coord).await;
    let private = [
        "/account".to_owned(),
        "/account/lists".to_owned(),
        "/admin".to_owned(),
        "/admin/jobs".to_owned(),
        "/blog/moderation".to_owned(),
        "/invite".to_owned(),
        format!("/events/{id}/attendees"),
        // Public pages, but they show who is signed in.
        "/groups".to_owned(),
        format!("/events/{id}"),
    ];
    for path in &private {
        let r = coord.get(path).await;
        r.assert_status(StatusCode::OK);
        assert_eq!(
            r.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
    }
    // Signing in answers with the session cookie: not stored either.
    let mut again = app.client();
    let r = again
        .submit(
            "/signin",
            &[
                ("email", "coord@example.org"),
                ("password", "violet kettle harbour"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");

    // A visitor's public pages may be cached; private pages never are,
    // even when they only ask the visitor to sign in.
    let mut visitor = app.client();
    let r = visitor.get("/groups").await;
    r.assert_status(StatusCode::OK);
    assert!(r.headers.get(header::CACHE_CONTROL).is_none());
    let r = visitor.get("/account").await;
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{}", r.status);
    // Public feeds keep their own caching, whoever asks.
    let r = coord.get("/calendar.ics").await;
    assert_eq!(r.headers[header::CACHE_CONTROL], "public, max-age=300");

    // The API answers a token holder with their own data.
    let auth = bearer(&app, "coord@example.org").await;
    let r = app.send(call("GET", "/api/v1/me", Some(&auth), None)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn metrics_label_methods_by_a_closed_set_and_routes_by_pattern() {
    let app = TestApp::new().await;
    roster(&app).await;
    for method in ["BREW", "PROPFIND", "X-MADE-UP-1", "X-MADE-UP-2", "TRACE"] {
        let r = app
            .send(
                Request::builder()
                    .method(method)
                    .uri("/signin")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    for path in [
        "/groups/boston-python",
        "/groups/pyworcester",
        "/my-events/secret-token-abc.ics",
        "/no/such/page/secret-token-def",
    ] {
        app.send(Request::get(path).body(Body::empty()).unwrap())
            .await;
    }
    app.send(Request::head("/groups").body(Body::empty()).unwrap())
        .await;
    let m = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    m.assert_status(StatusCode::OK);
    let series: Vec<&str> = m
        .body
        .lines()
        .filter(|l| l.starts_with("convene_http_requests_total{"))
        .collect();
    for line in &series {
        let method = line
            .split("method=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        assert!(
            [
                "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
            ]
            .contains(&method),
            "{line}"
        );
    }
    m.assert_contains(
        "convene_http_requests_total{method=\"other\",route=\"/signin\",status=\"405\"} 5",
    )
    .assert_contains(
        "convene_http_requests_total{method=\"GET\",route=\"/groups/{slug}\",status=\"200\"} 2",
    )
    .assert_contains(
        "convene_http_requests_total{method=\"HEAD\",route=\"/groups\",status=\"200\"} 1",
    )
    .assert_contains(
        "convene_http_requests_total{method=\"GET\",route=\"/my-events/{token}\",status=\"404\"} 1",
    )
    .assert_contains(
        "convene_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
    );
    for raw in [
        "BREW",
        "MADE-UP",
        "secret-token",
        "boston-python",
        "pyworcester",
    ] {
        assert!(!m.body.contains(raw), "{raw} leaked into the metrics");
    }
}
