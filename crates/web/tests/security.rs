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

const FORBIDDEN_TEXT: &str = "Your account does not have permission to do this.";

#[tokio::test]
async fn a_renamed_group_keeps_its_organizers_and_its_freed_slug_gives_nobody_anything() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;

    let r = coord
        .submit(
            "/groups/boston-python/edit",
            &[
                ("slug", "boston"),
                ("name", "Boston Python"),
                ("country", "US"),
                ("city", "Boston"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/groups/boston?done=group-saved");

    // The organizer follows the group to its new address.
    olu.get("/groups/boston/edit")
        .await
        .assert_status(StatusCode::OK);
    let r = olu
        .submit(
            "/groups/boston/edit",
            &[
                ("name", "Boston Python Users"),
                ("country", "US"),
                ("city", "Boston"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/groups/boston?done=group-saved");
    app.client()
        .get("/groups/boston")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Boston Python Users");
    olu.get("/account")
        .await
        .assert_contains("an organizer of the group Boston Python Users");
    olu.get("/calendars/boston/events/new")
        .await
        .assert_status(StatusCode::OK);

    // Someone proposes a new group, which takes the freed address.
    let mut mo = member(&app, "mo@example.org").await;
    let r = mo
        .submit(
            "/groups/new",
            &[
                ("name", "Boston Python"),
                ("country", "US"),
                ("city", "Boston"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/groups/boston-python?done=proposed");

    // The old organizers have no say over it: every answer is a refusal and
    // nothing is saved (an edit used to be saved and then answered 404).
    let before = app.fingerprint().await;
    olu.submit(
        "/groups/boston-python/edit",
        &[("name", "Taken over"), ("country", "US")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN)
    .assert_contains(FORBIDDEN_TEXT);
    olu.submit("/groups/boston-python/confirm", &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.get("/groups/boston-python/edit")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    olu.get("/groups/boston-python")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.fingerprint().await, before);

    // Listed, it is still not theirs, nor is its calendar.
    coord
        .submit("/groups/boston-python/review", &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let before = app.fingerprint().await;
    olu.get("/groups/boston-python/edit")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.submit(
        "/groups/boston-python/edit",
        &[("name", "Taken over"), ("country", "US")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    olu.get("/calendars/boston-python/events/new")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let page = olu.get("/groups/boston-python").await;
    page.assert_status(StatusCode::OK);
    assert!(!page.body.contains("/groups/boston-python/edit"));
    // Olu is named as an organizer of the group they organize, not of this one.
    app.client()
        .get("/groups/boston")
        .await
        .assert_contains("Olu Organizer");
    let page = app.client().get("/groups/boston-python").await;
    assert!(!page.body.contains("Olu Organizer"), "{}", page.body);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn an_invitation_sent_before_a_rename_gives_the_renamed_group() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut coord = coordinator(&app).await;
    for (email, role) in [
        ("ned@example.org", "organizer"),
        ("eda@example.org", "calendar_editor"),
    ] {
        coord
            .submit(
                "/invite",
                &[("email", email), ("role", role), ("scope", "pyworcester")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    coord
        .submit(
            "/groups/pyworcester/edit",
            &[
                ("slug", "worcester"),
                ("name", "PyWorcester"),
                ("country", "US"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Pending invitations read under the group's address of today.
    let list = coord.get("/invite").await;
    list.assert_contains("(group:worcester)");
    assert!(!list.body.contains("pyworcester"), "{}", list.body);
    let auth = bearer(&app, "coord@example.org").await;
    let api = app
        .send(call("GET", "/api/v1/invitations", Some(&auth), None))
        .await;
    api.assert_status(StatusCode::OK);
    let scopes: Vec<String> = api
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["scope"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(scopes, vec!["group:worcester", "group:worcester"]);

    app.drain_jobs().await;
    let mut accepted = Vec::new();
    for email in ["ned@example.org", "eda@example.org"] {
        let link = app.link_in_mail(email, "/invitations/");
        let mut c = app.client();
        c.ip = format!("203.0.113.{}", email.len());
        c.get(&link)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("PyWorcester");
        c.submit(
            &link,
            &[
                ("display_name", "Newly Invited"),
                ("password", "orange lantern meadow"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
        accepted.push(c);
    }
    let (ned, eda) = accepted.split_at_mut(1);
    let (ned, eda) = (&mut ned[0], &mut eda[0]);
    ned.get("/groups/worcester/edit")
        .await
        .assert_status(StatusCode::OK);
    eda.get("/calendars/worcester/events/new")
        .await
        .assert_status(StatusCode::OK);
    eda.get("/groups/worcester/edit")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    eda.get("/account")
        .await
        .assert_contains("a calendar editor of the group PyWorcester&#39;s calendar");
}

#[tokio::test]
async fn groups_and_regional_calendars_share_one_namespace() {
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
    let mut mo = member(&app, "mo@example.org").await;
    let before = app.fingerprint().await;
    let taken =
        "The regional calendar Massachusetts already has the address /calendars/massachusetts";

    // A group at the calendar's slug: made by a coordinator, proposed, or renamed to.
    coord
        .submit(
            "/groups/new",
            &[("name", "Massachusetts"), ("country", "US")],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(taken);
    mo.submit(
        "/groups/new",
        &[
            ("name", "PyMass"),
            ("slug", "massachusetts"),
            ("country", "US"),
        ],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains(taken);
    coord
        .submit(
            "/groups/boston-python/edit",
            &[
                ("slug", "massachusetts"),
                ("name", "Boston Python"),
                ("country", "US"),
            ],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(taken);
    // A roster import skips it and says why.
    let report = import_roster(
        app.svc(),
        None,
        RosterFormat::Csv,
        b"name,slug,status,city,region,country\nMass Pythonistas,massachusetts,active,Boston,Massachusetts,US\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(report.created, 0, "{report:?}");
    assert!(
        report.skipped[0]
            .2
            .contains("taken by another group or a regional calendar"),
        "{report:?}"
    );
    assert_eq!(app.fingerprint().await, before);

    // The other way round: a calendar at a group's slug.
    coord
        .submit(
            "/calendars",
            &[
                ("name", "Boston Python"),
                ("slug", "boston-python"),
                ("country", "US"),
            ],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(
            "The group boston-python already has the address /calendars/boston-python",
        );
    assert_eq!(app.fingerprint().await, before);

    // Group 1 and regional calendar 1 share a number, not a grant: an
    // organizer of Boston Python has no say over Massachusetts.
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let before = app.fingerprint().await;
    olu.submit(
        "/calendars/massachusetts/settings",
        &[("name", "Mine"), ("country", "US")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    olu.get("/calendars/massachusetts/events/new")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.get("/calendars/boston-python/events/new")
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn strangers_guessing_a_password_cannot_lock_its_owner_out() {
    const RIGHT: &str = "violet kettle harbour";
    let app = TestApp::new().await;
    let _ = coordinator(&app).await;
    let sign_in = |password: &'static str| [("email", "coord@example.org"), ("password", password)];

    // The owner signs in once on their laptop, which keeps a device mark.
    let mut laptop = app.client();
    laptop.ip = "198.51.100.50".into();
    laptop
        .submit("/signin", &sign_in(RIGHT))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(laptop.cookies.contains_key("convene_device"));
    laptop
        .submit("/signout", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(!laptop.signed_in());

    // A stranger guesses from one address: the limit holds for them, even
    // with the right password once it is reached.
    let before = app.fingerprint().await;
    let mut eve = app.client();
    eve.ip = "203.0.113.66".into();
    for i in 0..12 {
        let r = eve.submit("/signin", &sign_in("wrong guess")).await;
        if i < 10 {
            r.assert_status(StatusCode::UNAUTHORIZED);
        } else {
            r.assert_status(StatusCode::TOO_MANY_REQUESTS)
                .assert_contains("Too many attempts");
        }
    }
    eve.submit("/signin", &sign_in(RIGHT))
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(!eve.signed_in());
    assert_eq!(app.fingerprint().await, before);

    // The owner, from anywhere else, is not locked out by it.
    let mut phone = app.client();
    phone.ip = "192.0.2.99".into();
    phone
        .submit("/signin", &sign_in(RIGHT))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(phone.signed_in());

    // Guesses spread over sixty machines reach the bound on the address.
    let before = app.fingerprint().await;
    let mut refused = 0;
    for i in 0..60 {
        let mut bot = app.client();
        bot.ip = format!("10.9.0.{}", i + 1);
        let r = bot.submit("/signin", &sign_in("wrong guess")).await;
        match r.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("{other}: {}", r.body),
        }
    }
    assert!(refused > 0, "the address has a bound across sources");
    assert_eq!(app.fingerprint().await, before);
    // A device that never signed in here waits, even with the right password,
    let mut kiosk = app.client();
    kiosk.ip = "192.0.2.200".into();
    kiosk
        .submit("/signin", &sign_in(RIGHT))
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    // as does one showing a made-up mark,
    let mut forger = app.client();
    forger.ip = "192.0.2.201".into();
    let forged = laptop.cookies["convene_device"].replacen('.', "0.", 1);
    forger.cookies.insert("convene_device".into(), forged);
    forger
        .submit("/signin", &sign_in(RIGHT))
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(!kiosk.signed_in() && !forger.signed_in());
    // but the owner's laptop gets through with the right password.
    let r = laptop.submit("/signin", &sign_in(RIGHT)).await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert!(laptop.signed_in());

    // The laptop's own guesses are still limited, on their own counter.
    laptop
        .submit("/signout", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            laptop
                .submit("/signin", &sign_in("wrong guess"))
                .await
                .status,
        );
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
