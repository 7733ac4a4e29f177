//! Pages, invitations management, jobs and outbox pages, health, metrics,
//! the OpenAPI document and the API, as their users see them.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

#[tokio::test]
async fn pages_have_the_layout_security_headers_and_work_without_javascript() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for path in [
        "/",
        "/groups",
        "/calendar",
        "/blog",
        "/lists",
        "/signin",
        "/signup",
        "/signin/link",
        "/password/forgot",
    ] {
        let r = c.get(path).await;
        r.assert_status(StatusCode::OK)
            .assert_contains("<a class=\"skip\" href=\"#main\">")
            .assert_contains("<nav aria-label=\"Main\">");
        assert!(!r.body.contains("<script"), "{path} has a script");
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert_eq!(r.headers["referrer-policy"], "same-origin");
    }
    let r = c.get("/no/such/page").await;
    r.assert_status(StatusCode::NOT_FOUND)
        .assert_contains("Page not found")
        .assert_contains("<nav aria-label=\"Main\">");
    c.get("/admin")
        .await
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains("Please sign in");
    let css = c.get("/static/style.css").await;
    css.assert_status(StatusCode::OK)
        .assert_contains("prefers-color-scheme: dark")
        .assert_contains(":focus-visible");
}

#[tokio::test]
async fn organizers_invite_co_organizers_only_for_their_own_group() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    ensure_group(&app, "pug-paris").await;
    let mut org = organizer(&app, &mut coord, "olu@example.org", "pug-lagos").await;
    org.get("/invite")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Send the invitation");
    org.submit(
        "/invite",
        &[
            ("email", "ife@example.org"),
            ("role", "organizer"),
            ("scope", "pug-lagos"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let before = app.fingerprint().await;
    org.submit(
        "/invite",
        &[
            ("email", "eve@example.org"),
            ("role", "organizer"),
            ("scope", "pug-paris"),
        ],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    org.submit(
        "/invite",
        &[
            ("email", "eve@example.org"),
            ("role", "coordinator"),
            ("scope", ""),
        ],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    org.submit(
        "/invite",
        &[
            ("email", "eve@example.org"),
            ("role", "organizer"),
            ("scope", "Not A Slug"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("No group is called “Not A Slug”.");
    assert_eq!(app.fingerprint().await, before);
    // The organizer sees their own invitation; the coordinator sees all.
    org.get("/invite").await.assert_contains("ife@example.org");
    coord
        .get("/invite")
        .await
        .assert_contains("ife@example.org");
    // A second invitation to the same person and role is refused with advice.
    org.submit(
        "/invite",
        &[
            ("email", "ife@example.org"),
            ("role", "organizer"),
            ("scope", "pug-lagos"),
        ],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("resend it");
    org.get("/admin").await.assert_status(StatusCode::FORBIDDEN);
    org.get("/admin/jobs")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    org.get("/admin/outbox")
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn resending_renews_the_link_and_revoking_kills_it() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    coord
        .submit("/calendars", &[("name", "Europe"), ("continent", "EU")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    coord
        .submit(
            "/invite",
            &[
                ("email", "ife@example.org"),
                ("role", "calendar_editor"),
                ("scope", "europe"),
            ],
        )
        .await;
    app.drain_jobs().await;
    let old = app.link_in_mail("ife@example.org", "/invitations/");
    let page = coord.get("/invite").await;
    let id: i64 = page
        .body
        .split("/invite/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    coord
        .submit(&format!("/invite/{id}/resend"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let new = app.link_in_mail("ife@example.org", "/invitations/");
    assert_ne!(old, new);
    let mut ife = app.client();
    ife.get(&old).await.assert_status(StatusCode::NOT_FOUND);
    ife.get(&new)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("a calendar editor of the calendar Europe");
    coord
        .submit(&format!("/invite/{id}/revoke"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    ife.get(&new)
        .await
        .assert_status(StatusCode::GONE)
        .assert_contains("withdrawn");
    coord
        .get("/invite?done=revoked")
        .await
        .assert_contains("The invitation was withdrawn")
        .assert_contains("No pending invitations");
}

#[tokio::test]
async fn the_outbox_and_jobs_pages_show_mail_and_dead_jobs() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    ensure_group(&app, "pug-lagos").await;
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
    let page = coord.get("/admin/outbox").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("olu@example.org")
        .assert_contains("Cora Coordinator invites you");
    let file = page
        .body
        .split("href=\"/admin/outbox/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    coord
        .get(&format!("/admin/outbox/{file}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("/invitations/");
    coord
        .get("/admin/outbox/..%2F..%2Fetc%2Fpasswd.eml")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A job whose payload cannot be read is dead at once and can be retried.
    let mut tx = app.svc().db.begin().await.unwrap();
    let now = app.now();
    convene_store::jobs::enqueue(
        tx.ex(),
        &convene_store::jobs::NewJob {
            kind: "send_email",
            payload: "{broken",
            idempotency_key: None,
            max_attempts: 3,
            run_at: now,
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.drain_jobs().await;
    let jobs = coord.get("/admin/jobs?state=dead").await;
    jobs.assert_status(StatusCode::OK)
        .assert_contains("unreadable payload")
        .assert_contains("Retry");
    let id = jobs
        .body
        .split("/admin/jobs/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    coord
        .submit(&format!("/admin/jobs/{id}/retry"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    coord
        .get("/admin/jobs?state=queued&done=retried")
        .await
        .assert_contains("The job is queued again")
        .assert_contains("send_email");
    coord
        .submit(&format!("/admin/jobs/{id}/retry"), &[])
        .await
        .assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::new().await;
    let r = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("database answers");
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    app.send(Request::get("/livez").body(Body::empty()).unwrap())
        .await
        .assert_status(StatusCode::OK);
    app.send(Request::get("/signin").body(Body::empty()).unwrap())
        .await;
    let m = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    m.assert_status(StatusCode::OK)
        .assert_contains(
            "convene_http_requests_total{method=\"GET\",route=\"/signin\",status=\"200\"} 1",
        )
        .assert_contains(
            "convene_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
        )
        .assert_contains("convene_jobs{state=\"dead\"} 0");
    assert!(
        m.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::new().await;
    let r = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_status(StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/me",
        "/api/v1/invitations",
        "/api/v1/invitations/{id}",
        "/api/v1/invitations/{id}/resend",
        "/api/v1/jobs",
        "/api/v1/jobs/{id}/retry",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn the_api_invites_lists_resends_and_revokes() {
    let app = TestApp::new().await;
    coordinator(&app).await;
    ensure_group(&app, "pug-lagos").await;
    let token = convene_app::accounts::create_api_token(app.svc(), "coord@example.org", "script")
        .await
        .unwrap();
    let auth = format!("Bearer {}", token.expose());
    let req = |method: &str, path: &str, body: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let me = app.send(req("GET", "/api/v1/me", "")).await;
    assert_eq!(me.json()["roles"][0]["role"], "coordinator");
    let r = app
        .send(req(
            "POST",
            "/api/v1/invitations",
            r#"{"email":"olu@example.org","role":"organizer","scope":"group:pug-lagos"}"#,
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    let id = r.json()["id"].as_i64().unwrap();
    let list = app.send(req("GET", "/api/v1/invitations", "")).await.json();
    assert_eq!(list[0]["email"], "olu@example.org");
    assert_eq!(list[0]["scope"], "group:pug-lagos");
    app.send(req("POST", &format!("/api/v1/invitations/{id}/resend"), ""))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.send(req("DELETE", &format!("/api/v1/invitations/{id}"), ""))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let r = app
        .send(req("DELETE", &format!("/api/v1/invitations/{id}"), ""))
        .await;
    r.assert_status(StatusCode::CONFLICT);
    assert_eq!(
        app.send(req("GET", "/api/v1/invitations", "")).await.json(),
        serde_json::json!([])
    );
    app.drain_jobs().await;
    assert_eq!(
        app.mail()
            .iter()
            .filter(|m| m.to == "olu@example.org")
            .count(),
        2
    );
    let jobs = app
        .send(req("GET", "/api/v1/jobs?state=done", ""))
        .await
        .json();
    assert_eq!(jobs.as_array().unwrap().len(), 2);
    assert!(
        jobs[0].get("payload").is_none(),
        "mail contents stay out of the API"
    );
    app.send(req("GET", "/api/v1/nothing", ""))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_failure_on_our_side_is_a_plain_500_page_and_healthz_says_503() {
    let app = TestApp::new().await;
    app.svc().db.close().await;
    let r = app
        .send(Request::get("/signup").body(Body::empty()).unwrap())
        .await;
    r.assert_status(StatusCode::INTERNAL_SERVER_ERROR)
        .assert_contains("Something went wrong on our side")
        .assert_contains("<nav aria-label=\"Main\">");
    assert!(
        !r.body.to_lowercase().contains("pool"),
        "internals leaked: {}",
        r.body
    );
    let r = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let r = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, "Bearer x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.json()["error"]["code"], "internal");
}
