//! Accounts and sessions as a visitor meets them.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use convene_domain::{Grant, Role, Scope};

#[tokio::test]
async fn sign_up_confirm_and_sign_in() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.get("/signup")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("<label for=\"password\">");
    c.submit(
        "/signup",
        &[
            ("display_name", "Ada Lovelace"),
            ("email", "Ada@Example.org"),
            ("password", "analytical engine notes"),
        ],
    )
    .await
    .assert_status(StatusCode::OK)
    .assert_contains("We have sent a confirmation link");
    // Not confirmed yet: password sign-in is refused with advice.
    c.submit(
        "/signin",
        &[
            ("email", "ada@example.org"),
            ("password", "analytical engine notes"),
        ],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("confirm your email address first");
    app.drain_jobs().await;
    let mail = app.last_mail_to("ada@example.org");
    assert_eq!(mail.subject, "Confirm your email address for Python Groups");
    assert!(mail.html.contains("<a href=\"http://convene.test/verify/"));
    let link = app.link_in_mail("ada@example.org", "/verify/");
    // Opening the link only shows a button: mail scanners cannot spend it.
    c.get(&link)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Confirm my address");
    let r = c.submit(&link, &[]).await;
    assert_eq!(r.location(), "/account?done=verified");
    c.get("/account?done=verified")
        .await
        .assert_contains("Your email address is confirmed")
        .assert_contains("ada@example.org");
}

#[tokio::test]
async fn signing_up_with_a_taken_address_reveals_nothing_and_tells_the_owner() {
    let app = TestApp::new().await;
    member(&app, "ada@example.org").await;
    let mut c = app.client();
    let r = c
        .submit(
            "/signup",
            &[
                ("display_name", "Impostor"),
                ("email", "ada@example.org"),
                ("password", "another long phrase"),
            ],
        )
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("We have sent a confirmation link");
    app.drain_jobs().await;
    assert_eq!(
        app.last_mail_to("ada@example.org").subject,
        "You already have an account on Python Groups"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_with_advice() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for (pw, words) in [
        ("short", "at least 12 characters"),
        ("passwordpassword", "most common"),
        ("qwertyuiop123456", "most common"),
        ("ada@example.org", "most common"),
    ] {
        c.submit(
            "/signup",
            &[
                ("display_name", "Ada"),
                ("email", "ada@example.org"),
                ("password", pw),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(words);
    }
}

#[tokio::test]
async fn a_coordinator_can_close_sign_up() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    coord
        .submit("/admin/signup", &[("open", "false")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut c = app.client();
    c.get("/signup").await.assert_contains("Sign-up is closed");
    let before = app.fingerprint().await;
    c.submit(
        "/signup",
        &[
            ("display_name", "Late"),
            ("email", "late@example.org"),
            ("password", "purple window garden"),
        ],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN)
    .assert_contains("Sign-up is closed");
    assert_eq!(app.fingerprint().await, before);
    // Members cannot flip the switch.
    coord.submit("/admin/signup", &[("open", "true")]).await;
    let mut m = member(&app, "mo@example.org").await;
    m.submit("/admin/signup", &[("open", "false")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    c.get("/signup").await.assert_contains("Create my account");
}

#[tokio::test]
async fn sessions_are_server_side_fresh_at_sign_in_and_gone_at_sign_out() {
    let app = TestApp::new().await;
    let mut m = member(&app, "ada@example.org").await;
    let first = m.cookies["convene_session"].clone();
    m.submit("/signout", &[]).await;
    // The old cookie no longer opens anything, even if replayed.
    let mut thief = app.client();
    thief
        .cookies
        .insert("convene_session".into(), first.clone());
    thief
        .get("/account")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    // A session id planted before sign-in is replaced at sign-in.
    m.cookies
        .insert("convene_session".into(), "planted-by-attacker".into());
    let r = m
        .submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "purple window garden"),
            ],
        )
        .await;
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("convene_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http site: no Secure flag"
    );
    let second = m.cookies["convene_session"].clone();
    assert_ne!(second, first);
    assert_ne!(second, "planted-by-attacker");
    m.get("/account").await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn cookies_are_secure_and_host_prefixed_on_https_sites() {
    let app = TestApp::with_base_url("https://groups.example.org/").await;
    let r = app
        .send(Request::get("/signin").body(Body::empty()).unwrap())
        .await;
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-convene_csrf="), "{cookie}");
    assert!(cookie.contains("; Secure"));
}

#[tokio::test]
async fn a_password_reset_ends_every_other_session() {
    let app = TestApp::new().await;
    let mut laptop = member(&app, "ada@example.org").await;
    let mut phone = app.client();
    phone.ip = "198.51.100.77".into();
    phone
        .submit("/password/forgot", &[("email", "ada@example.org")])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("If that address has an account");
    // Unknown addresses get the same answer and no mail.
    phone
        .submit("/password/forgot", &[("email", "nobody@example.org")])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("If that address has an account");
    app.drain_jobs().await;
    assert!(app.mail().iter().all(|m| m.to != "nobody@example.org"));
    let link = app.link_in_mail("ada@example.org", "/password/reset/");
    phone.get(&link).await.assert_status(StatusCode::OK);
    phone
        .submit(&link, &[("password", "short")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let r = phone
        .submit(&link, &[("password", "a brand new passphrase")])
        .await;
    assert_eq!(r.location(), "/account?done=password-set");
    phone.get("/account").await.assert_status(StatusCode::OK);
    laptop
        .get("/account")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    phone
        .submit(&link, &[("password", "yet another passphrase")])
        .await
        .assert_status(StatusCode::GONE);
}

#[tokio::test]
async fn sign_in_redirects_only_within_the_site() {
    let app = TestApp::new().await;
    let mut m = member(&app, "ada@example.org").await;
    m.submit("/signout", &[]).await;
    let r = m
        .submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "purple window garden"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?done=signed-in");
    m.submit("/signout", &[]).await;
    let r = m
        .submit(
            "/signin",
            &[
                ("email", "ada@example.org"),
                ("password", "purple window garden"),
                ("next", "/invite"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/invite?done=signed-in");
}

#[tokio::test]
async fn a_changed_role_or_a_disabled_account_counts_from_the_very_next_request() {
    let app = TestApp::new().await;
    let mut m = member(&app, "ada@example.org").await;
    m.get("/admin").await.assert_status(StatusCode::FORBIDDEN);
    let ada = actor(&app, "ada@example.org").await.user_id;
    let now = app.now();
    let mut conn = app.svc().db.conn().await.unwrap();
    for role in [Role::TrustedAuthor, Role::Coordinator] {
        convene_store::grants::grant(
            conn.ex(),
            ada,
            &Grant {
                role,
                scope: Scope::Site,
            },
            None,
            now,
        )
        .await
        .unwrap();
    }
    drop(conn);
    // Granted: the next page already knows, with both roles.
    m.get("/admin")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Run the site");
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "DELETE FROM role_grants WHERE user_id = $1 AND role = 'coordinator'",
        ada
    )
    .unwrap();
    drop(conn);
    // Taken back: refused at once, while the account stays signed in.
    m.get("/admin").await.assert_status(StatusCode::FORBIDDEN);
    m.get("/account").await.assert_status(StatusCode::OK);
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "UPDATE users SET disabled_at = created_at WHERE id = $1",
        ada
    )
    .unwrap();
    drop(conn);
    m.get("/account")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}
