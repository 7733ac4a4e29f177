//! Every bad input the foundation must survive: each gets a clear 4xx
//! message, and stored data does not change.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::*;

#[tokio::test]
async fn malformed_oversized_and_non_utf8_form_bodies_are_refused() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let csrf = c.csrf().await;
    let before = app.fingerprint().await;

    let r = c
        .post_raw(
            "/signup",
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email=%ZZ&password=%").into_bytes(),
        )
        .await;
    r.assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("not valid UTF-8");

    let mut body = format!("csrf={csrf}&display_name=Zo%C3&email=a%40b.org&password=").into_bytes();
    body.extend_from_slice(b"x\xff\xfe");
    c.post_raw("/signup", "application/x-www-form-urlencoded", body)
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("not valid UTF-8");

    let huge = format!(
        "csrf={csrf}&display_name={}&email=a%40b.org&password=x",
        "a".repeat(200_000)
    );
    c.post_raw(
        "/signup",
        "application/x-www-form-urlencoded",
        huge.into_bytes(),
    )
    .await
    .assert_status(StatusCode::PAYLOAD_TOO_LARGE);

    c.post_raw(
        "/signup",
        "application/json",
        br#"{"email":"a@b.org"}"#.to_vec(),
    )
    .await
    .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let r = c
        .post_raw(
            "/admin/signup",
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&open=").into_bytes(),
        )
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);

    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_or_from_another_site_are_refused() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let before = app.fingerprint().await;
    let fields = "email=eve%40example.org&role=coordinator&scope=";

    let r = coord
        .post_raw(
            "/invite",
            "application/x-www-form-urlencoded",
            fields.as_bytes().to_vec(),
        )
        .await;
    r.assert_status(StatusCode::FORBIDDEN)
        .assert_contains("This form has expired or was not sent from this site");
    let wrong = format!("csrf={}&{fields}", "A".repeat(43));
    coord
        .post_raw(
            "/invite",
            "application/x-www-form-urlencoded",
            wrong.into_bytes(),
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // A page on another site posting with the victim's cookies.
    let csrf = coord.csrf().await;
    let cookie = coord
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = Request::post("/invite")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "convene.test")
        .body(Body::from(format!("csrf={csrf}&{fields}")))
        .unwrap();
    app.send(req)
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("sent from another site");

    app.drain_jobs().await;
    assert_eq!(app.fingerprint().await, before);
    assert!(app.mail().iter().all(|m| m.to != "eve@example.org"));
}

#[tokio::test]
async fn expired_used_and_revoked_invitations_say_so_and_change_nothing() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    ensure_group(&app, "pug-oslo").await;

    // Expired: 7 days and a minute later.
    coord
        .submit(
            "/invite",
            &[
                ("email", "late@example.org"),
                ("role", "organizer"),
                ("scope", "pug-oslo"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let late = app.link_in_mail("late@example.org", "/invitations/");
    // Used.
    let mut used_by = organizer(&app, &mut coord, "used@example.org", "pug-oslo").await;
    let used = app.link_in_mail("used@example.org", "/invitations/");
    used_by.submit("/signout", &[]).await;
    // Revoked.
    coord
        .submit(
            "/invite",
            &[
                ("email", "gone@example.org"),
                ("role", "organizer"),
                ("scope", "pug-oslo"),
            ],
        )
        .await;
    app.drain_jobs().await;
    let gone = app.link_in_mail("gone@example.org", "/invitations/");
    let pending = convene_app::invitations::pending_invitations(
        app.svc(),
        &convene_domain::Actor {
            user_id: 1,
            grants: vec![convene_domain::Grant {
                role: convene_domain::Role::Coordinator,
                scope: convene_domain::Scope::Site,
            }],
        },
    )
    .await
    .unwrap();
    let gone_id = pending
        .iter()
        .find(|i| i.email == "gone@example.org")
        .unwrap()
        .id;
    coord
        .submit(&format!("/invite/{gone_id}/revoke"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    app.advance(Duration::days(7) + Duration::minutes(1));
    let before = app.fingerprint().await;
    let fields = [
        ("display_name", "Someone"),
        ("password", "orange lantern meadow"),
    ];
    let mut stranger = app.client();
    for (link, words) in [
        (&late, "expired"),
        (&used, "already been accepted"),
        (&gone, "withdrawn"),
    ] {
        stranger
            .get(link)
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains(words);
        stranger
            .submit(link, &fields)
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains(words);
    }
    stranger
        .get("/invitations/not-a-real-token")
        .await
        .assert_status(StatusCode::NOT_FOUND)
        .assert_contains("not valid");
    assert!(!stranger.signed_in());
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn an_invitation_for_another_account_is_refused_to_whoever_is_signed_in() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    ensure_group(&app, "pug-lagos").await;
    let mut mallory = member(&app, "mallory@example.org").await;
    coord
        .submit(
            "/invite",
            &[
                ("email", "olu@example.org"),
                ("role", "organizer"),
                ("scope", "pug-lagos"),
            ],
        )
        .await;
    app.drain_jobs().await;
    let link = app.link_in_mail("olu@example.org", "/invitations/");
    let before = app.fingerprint().await;
    let r = mallory
        .submit(
            &link,
            &[
                ("display_name", "Mallory"),
                ("password", "orange lantern meadow"),
            ],
        )
        .await;
    r.assert_status(StatusCode::CONFLICT)
        .assert_contains("sent to olu@example.org, but you are signed in as mallory@example.org");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn expired_and_used_magic_links_say_so() {
    let app = TestApp::new().await;
    let mut m = member(&app, "ada@example.org").await;
    m.submit("/signout", &[]).await;
    m.submit("/signin/link", &[("email", "ada@example.org")])
        .await
        .assert_status(StatusCode::OK);
    app.drain_jobs().await;
    let first = app.link_in_mail("ada@example.org", "/signin/link/");
    m.submit(&first, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(m.signed_in());
    m.submit("/signout", &[]).await;

    let before = app.fingerprint().await;
    m.get(&first)
        .await
        .assert_status(StatusCode::GONE)
        .assert_contains("already been used");
    m.submit(&first, &[]).await.assert_status(StatusCode::GONE);
    assert_eq!(app.fingerprint().await, before);

    m.submit("/signin/link", &[("email", "ada@example.org")])
        .await;
    app.drain_jobs().await;
    let second = app.link_in_mail("ada@example.org", "/signin/link/");
    app.advance(Duration::minutes(16));
    let before = app.fingerprint().await;
    m.submit(&second, &[])
        .await
        .assert_status(StatusCode::GONE)
        .assert_contains("expired");
    assert!(!m.signed_in());
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn wrong_passwords_past_the_limit_get_429_even_for_the_right_one() {
    let app = TestApp::new().await;
    let mut m = member(&app, "ada@example.org").await;
    m.submit("/signout", &[]).await;
    let before = app.fingerprint().await;
    for _ in 0..10 {
        m.submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "not my password at all"),
            ],
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains("do not match an account");
    }
    let r = m
        .submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "purple window garden"),
            ],
        )
        .await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("Too many attempts");
    let retry: i64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert!(!m.signed_in());
    assert_eq!(app.fingerprint().await, before);
    // The limit is per address and source: guesses from here do not lock
    // the owner out elsewhere (see tests/security.rs).
    let mut elsewhere = app.client();
    elsewhere.ip = "203.0.113.99".into();
    elsewhere
        .submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "purple window garden"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(elsewhere.signed_in());
    // After the window the right password works again.
    app.advance(Duration::minutes(16));
    m.submit(
        "/signin",
        &[
            ("email", "ada@example.org"),
            ("password", "purple window garden"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn line_breaks_and_lookalike_characters_in_addresses_and_names_are_refused() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let before = app.fingerprint().await;
    let cases: [(&str, &str, &str); 8] = [
        ("Eve\u{202E}nimda", "eve@example.org", "invisible direction"),
        (
            "Eve",
            "eve@example.org\r\nBcc: all@example.org",
            "line break",
        ),
        ("Eve", "eve@example.org\nBcc: all@example.org", "line break"),
        ("Eve\r\nBcc: all@example.org", "eve@example.org", "one line"),
        ("Eve", "eve＠example.org", "needs an @"),
        ("Eve", "eve@exаmple.org", "domain name"),
        ("Eve", "évé@example.org", "before the @"),
        ("Eve", "Eve <eve@example.org>", "before the @"),
    ];
    for (name, email, words) in cases {
        let r = c
            .submit(
                "/signup",
                &[
                    ("display_name", name),
                    ("email", email),
                    ("password", "purple window garden"),
                ],
            )
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(words);
    }
    // The form keeps what was typed, shows the error by its field and in the summary.
    let r = c
        .submit(
            "/signup",
            &[
                ("display_name", "Eve"),
                ("email", "eve@exаmple.org"),
                ("password", "purple window garden"),
            ],
        )
        .await;
    r.assert_contains("value=\"Eve\"")
        .assert_contains("aria-invalid=\"true\"")
        .assert_contains("<a href=\"#email\">");
    app.drain_jobs().await;
    assert_eq!(app.fingerprint().await, before);
    assert!(app.mail().is_empty());
}

#[tokio::test]
async fn sql_metacharacters_are_just_text() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let name = "Robert'); DROP TABLE users;-- \" \\ % _";
    c.submit(
        "/signup",
        &[
            ("display_name", name),
            ("email", "o'brien+x@example.org"),
            ("password", "'; DROP TABLE sessions; --x"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    app.drain_jobs().await;
    let link = app.link_in_mail("o'brien+x@example.org", "/verify/");
    c.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    c.get("/account")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Robert&#39;); DROP TABLE users;-- &#34; \\ % _");
    c.submit("/signout", &[]).await;

    let before = app.fingerprint().await;
    for (email, password) in [
        ("' OR '1'='1", "' OR '1'='1"),
        ("o'brien+x@example.org", "' OR 1=1 --"),
        ("%@example.org", "x"),
    ] {
        c.submit("/signin", &[("email", email), ("password", password)])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    c.submit(
        "/invite",
        &[
            ("email", "x@example.org'--"),
            ("role", "organizer'; --"),
            ("scope", "' OR 1=1"),
        ],
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(app.fingerprint().await, before);
    c.submit(
        "/signin",
        &[
            ("email", "O'Brien+x@Example.org"),
            ("password", "'; DROP TABLE sessions; --x"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_member_calling_organizer_and_coordinator_actions_through_the_api_is_refused() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let _org = organizer(&app, &mut coord, "olu@example.org", "pug-lagos").await;
    member(&app, "mo@example.org").await;
    let token = convene_app::accounts::create_api_token(app.svc(), "mo@example.org", "script")
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token.expose());
    let before = app.fingerprint().await;

    let call = |method: &str, path: &str, body: Option<&str>| {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, &bearer);
        if body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        b.body(Body::from(body.unwrap_or_default().to_owned()))
            .unwrap()
    };
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/invitations",
            Some(r#"{"email":"eve@example.org","role":"organizer","scope":"group:pug-lagos"}"#),
        ),
        (
            "POST",
            "/api/v1/invitations",
            Some(r#"{"email":"eve@example.org","role":"coordinator","scope":""}"#),
        ),
        ("GET", "/api/v1/jobs?state=done", None),
        ("POST", "/api/v1/jobs/1/retry", None),
        ("DELETE", "/api/v1/invitations/1", None),
        ("POST", "/api/v1/invitations/1/resend", None),
    ] {
        let r = app.send(call(method, path, body)).await;
        r.assert_status(StatusCode::FORBIDDEN);
        assert_eq!(r.json()["error"]["code"], "forbidden", "{method} {path}");
    }
    let r = app.send(call("GET", "/api/v1/invitations", None)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(
        r.json(),
        serde_json::json!([]),
        "a member sees no one's invitations"
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn api_clients_get_clear_json_errors() {
    let app = TestApp::new().await;
    coordinator(&app).await;
    let token = convene_app::accounts::create_api_token(app.svc(), "coord@example.org", "script")
        .await
        .unwrap();
    let before = app.fingerprint().await;

    let r = app
        .send(Request::get("/api/v1/me").body(Body::empty()).unwrap())
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"convene\""
    );
    assert_eq!(r.json()["error"]["code"], "not_signed_in");
    let r = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, "Bearer nope")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);

    let post = |body: &'static [u8]| {
        Request::post("/api/v1/invitations")
            .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(post(b"{\"email\": ")).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "body");
    let r = app
        .send(post(
            b"{\"email\":\"a\\r\\nb@example.org\",\"role\":\"organizer\",\"scope\":\"group:pug\"}",
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "email");
    let r = app
        .send(post(
            b"{\"email\":\"a@example.org\",\"role\":\"king\",\"scope\":\"\"}",
        ))
        .await;
    assert_eq!(r.json()["error"]["field"], "role");
    let r = app
        .send(post(
            b"{\"email\":\"a@example.org\",\"role\":\"organizer\",\"scope\":\"\"}",
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "scope");
    let r = app.send(post(&[0xff, 0xfe, b'{'])).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.fingerprint().await, before);

    // Revoked tokens stop working.
    let mut tx = app.svc().db.begin().await.unwrap();
    convene_store::execute!(tx.ex(), "UPDATE api_tokens SET revoked_at = created_at").unwrap();
    tx.commit().await.unwrap();
    let r = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
}
