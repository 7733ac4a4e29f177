//! Mailing lists from the web: the organizers' list exists from the first
//! start; anyone subscribes with a confirmation link (double opt-in);
//! members leave in one click, straight from their mail program; a member
//! changes all their subscriptions on one page; bad links change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

/// Subscribes `email` from the list's page, signed out, and returns the
/// confirmation link mailed to it.
async fn ask(app: &TestApp, list: &str, email: &str) -> String {
    let mut visitor = app.client();
    visitor.get(&format!("/lists/{list}")).await;
    let r = visitor
        .submit(&format!("/lists/{list}/subscribe"), &[("email", email)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/lists/{list}?done=list-check-inbox"));
    app.drain_jobs().await;
    app.link_in_mail(&email.to_ascii_lowercase(), "/lists/confirm/")
}

#[tokio::test]
async fn a_new_organizer_subscribes_from_the_web_and_confirms() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    let page = visitor.get("/lists").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("href=\"/lists/organizers\"")
        .assert_contains("organizers@convene.test")
        .assert_contains("0 members");

    // Asking changes nothing visible until the link is followed.
    let link = ask(&app, "organizers", "Ana@Example.org").await;
    let mail = app.last_mail_to("ana@example.org");
    assert!(
        mail.subject
            .contains("Confirm your subscription to organizers@convene.test")
    );
    visitor
        .get("/lists/organizers")
        .await
        .assert_contains("0 members");

    // Fetching the link (as a link scanner would) only shows a button.
    let before = app.fingerprint().await;
    let mut ana = app.client();
    ana.get(&link)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Confirm my subscription");
    assert_eq!(app.fingerprint().await, before);
    let r = ana.submit(&link, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/lists/organizers?done=list-joined");
    visitor
        .get("/lists/organizers")
        .await
        .assert_contains("1 member.");

    // The link works once.
    let before = app.fingerprint().await;
    let r = ana.submit(&link, &[]).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    r.assert_contains("already been used");
    assert_eq!(app.fingerprint().await, before);

    // Asking again for a subscribed address sends nothing and changes nothing.
    let mails = app.mail().len();
    let before = app.fingerprint().await;
    let mut again = app.client();
    again.get("/lists/organizers").await;
    again
        .submit(
            "/lists/organizers/subscribe",
            &[("email", "ana@example.org")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    assert_eq!(app.mail().len(), mails);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn bad_addresses_and_links_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let before = app.fingerprint().await;
    let mut visitor = app.client();
    visitor.get("/lists/organizers").await;
    for bad in [
        "not an address",
        "ana@example.org\r\nBcc: x@example.org",
        "",
    ] {
        let r = visitor
            .submit("/lists/organizers/subscribe", &[("email", bad)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.body
        );
        r.assert_contains("class=\"field-error\"");
    }
    visitor
        .get("/lists/no-such-list")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let r = visitor
        .submit(
            "/lists/no-such-list/subscribe",
            &[("email", "ana@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = visitor.submit("/lists/confirm/made-up-token", &[]).await;
    assert_eq!(r.status, StatusCode::GONE);
    let r = visitor.get("/unsubscribe/list/0123456789abcdef").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.assert_contains("copy the whole link");
    app.drain_jobs().await;
    assert!(app.mail().is_empty());
    assert_eq!(app.fingerprint().await, before);
}

/// The member token of `email` on the organizers' list.
async fn member_token(app: &TestApp, email: &str) -> String {
    use convene_store::{run, sqlx};
    let mut conn = app.svc().db.conn().await.unwrap();
    let email = email.to_owned();
    run!(conn.ex(), |c| sqlx::query_scalar::<_, String>(
        "SELECT token FROM list_members WHERE email = $1"
    )
    .bind(email.clone())
    .fetch_one(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn one_click_unsubscribe_ends_only_that_subscription() {
    let app = TestApp::new().await;
    for email in ["ana@example.org", "bo@example.org"] {
        let link = ask(&app, "organizers", email).await;
        let mut c = app.client();
        c.get(&link).await;
        c.submit(&link, &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let ana = member_token(&app, "ana@example.org").await;
    assert_eq!(ana.len(), 32);
    assert!(
        ana.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );

    // The link in an email asks first.
    let mut visitor = app.client();
    visitor
        .get(&format!("/unsubscribe/list/{ana}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Stop sending Organizers to ana@example.org?");

    // A mail program posts `List-Unsubscribe=One-Click` from elsewhere,
    // with no cookie (RFC 8058).
    let one_click = || {
        Request::post(format!("/unsubscribe/list/{ana}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://mail.example.net")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .unwrap()
    };
    let r = app.send(one_click()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.assert_contains("no more messages from Organizers");
    let before = app.fingerprint().await;
    assert!(
        before
            .iter()
            .any(|l| l.contains("\"ana@example.org\", \"left\""))
    );
    assert!(
        before
            .iter()
            .any(|l| l.contains("\"bo@example.org\", \"active\""))
    );
    // Twice is harmless.
    app.send(one_click()).await.assert_status(StatusCode::OK);
    assert_eq!(app.fingerprint().await, before);
    visitor
        .get("/lists/organizers")
        .await
        .assert_contains("1 member.");
}

#[tokio::test]
async fn a_member_sees_and_changes_every_subscription_on_one_page() {
    let app = TestApp::new().await;
    let mut mo = member(&app, "mo@example.org").await;
    mo.get("/account/lists")
        .await
        .assert_contains("You are on no list");
    // Signed in, the form is filled with the account's address.
    mo.get("/lists/organizers")
        .await
        .assert_contains("value=\"mo@example.org\"");
    mo.submit(
        "/lists/organizers/subscribe",
        &[("email", "mo@example.org")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = mo.get("/account/lists").await;
    page.assert_contains("Waiting for you to follow the confirmation link");
    mo.get("/lists/organizers")
        .await
        .assert_contains("A confirmation link was sent to mo@example.org");
    app.drain_jobs().await;
    let link = app.link_in_mail("mo@example.org", "/lists/confirm/");
    mo.get(&link).await;
    mo.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = mo.get("/account/lists").await;
    page.assert_contains("Subscribed");
    let list_page = mo.get("/lists/organizers").await;
    list_page.assert_contains("You are subscribed as mo@example.org.");
    assert!(
        !list_page
            .body
            .contains("action=\"/lists/organizers/subscribe\"")
    );
    let id: String = page
        .body
        .split("action=\"/account/lists/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let path = format!("/account/lists/{id}");
    mo.submit(&path, &[("delivery", "paused")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(
        app.fingerprint()
            .await
            .iter()
            .any(|l| l.contains("\"mo@example.org\", \"active\", \"paused\""))
    );

    // Someone else's subscription, and a made-up mode, change nothing.
    let mut other = member(&app, "sam@example.org").await;
    let before = app.fingerprint().await;
    let r = other.submit(&path, &[("delivery", "each")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    for mode in ["hourly", "digest"] {
        let r = mo.submit(&path, &[("delivery", mode)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let r = mo.submit(&path, &[("delivery", "hourly")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    mo.submit(&path, &[("delivery", "leave")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mo.get("/account/lists")
        .await
        .assert_contains("You are on no list");
}

#[tokio::test]
async fn a_member_joins_changes_and_leaves_lists_through_the_api() {
    use serde_json::json;
    let app = TestApp::new().await;
    member(&app, "mo@example.org").await;
    let mo = bearer(&app, "mo@example.org").await;

    // A confirmed account address joins at once, and asking again is harmless.
    for _ in 0..2 {
        let r = app
            .send(call(
                "POST",
                "/api/v1/me/lists",
                Some(&mo),
                Some(&json!({"list": "organizers"})),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["state"], "active");
        assert_eq!(r.json()["delivery"], "each");
    }
    let mine = app
        .send(call("GET", "/api/v1/me/lists", Some(&mo), None))
        .await;
    assert_eq!(mine.json().as_array().unwrap().len(), 1, "{}", mine.body);
    app.client()
        .get("/lists/organizers")
        .await
        .assert_contains("1 member.");

    // Pausing, then bad input: an unknown mode, an unknown list, no token.
    let r = app
        .send(call(
            "PATCH",
            "/api/v1/me/lists/organizers",
            Some(&mo),
            Some(&json!({"delivery": "paused"})),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["delivery"], "paused");
    let before = app.fingerprint().await;
    let r = app
        .send(call(
            "PATCH",
            "/api/v1/me/lists/organizers",
            Some(&mo),
            Some(&json!({"delivery": "hourly"})),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "delivery", "{}", r.body);
    let r = app
        .send(call(
            "POST",
            "/api/v1/me/lists",
            Some(&mo),
            Some(&json!({"list": "no-such-list"})),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app
        .send(call("DELETE", "/api/v1/me/lists/organizers", None, None))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    // Someone else's token leaves only their own subscriptions.
    member(&app, "zed@example.org").await;
    let zed = bearer(&app, "zed@example.org").await;
    let r = app
        .send(call(
            "DELETE",
            "/api/v1/me/lists/organizers",
            Some(&zed),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let mine = app
        .send(call("GET", "/api/v1/me/lists", Some(&mo), None))
        .await;
    assert_eq!(mine.json()[0]["state"], "active", "{}", mine.body);

    let r = app
        .send(call(
            "DELETE",
            "/api/v1/me/lists/organizers",
            Some(&mo),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mine = app
        .send(call("GET", "/api/v1/me/lists", Some(&mo), None))
        .await;
    assert!(mine.json().as_array().unwrap().is_empty(), "{}", mine.body);
    app.client()
        .get("/lists/organizers")
        .await
        .assert_contains("0 members");

    // The three calls are in the OpenAPI document.
    let doc = app
        .send(call("GET", "/api/v1/openapi.json", None, None))
        .await
        .json();
    let paths = &doc["paths"];
    assert!(paths["/api/v1/me/lists"]["post"].is_object());
    assert!(paths["/api/v1/me/lists/{name}"]["patch"].is_object());
    assert!(paths["/api/v1/me/lists/{name}"]["delete"].is_object());
}

#[tokio::test]
async fn an_unsubscribe_link_or_subscription_of_another_member_changes_nothing() {
    let app = TestApp::new().await;
    let mut mo = member(&app, "mo@example.org").await;
    for email in ["ana@example.org", "mo@example.org"] {
        let link = ask(&app, "organizers", email).await;
        let mut c = app.client();
        c.get(&link).await;
        c.submit(&link, &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let ana = member_token(&app, "ana@example.org").await;
    let before = app.fingerprint().await;

    // Ana's link with one character changed, as someone fishing for
    // other members' links would try: no such link, nobody leaves.
    let last = if ana.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &ana[..ana.len() - 1]);
    for path in [
        format!("/unsubscribe/list/{forged}"),
        format!("/unsubscribe/list/{}", ana.to_ascii_uppercase()),
        format!("/unsubscribe/list/{ana}x"),
    ] {
        let r = app
            .send(
                Request::post(&path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("List-Unsubscribe=One-Click"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        r.assert_contains("copy the whole link");
    }
    assert_eq!(app.fingerprint().await, before);

    // Mo, signed in, cannot pause or end Ana's subscription by its number.
    let ana_id: i64 = {
        use convene_store::{run, sqlx};
        let mut conn = app.svc().db.conn().await.unwrap();
        run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM list_members WHERE email = 'ana@example.org'"
        )
        .fetch_one(c)
        .await)
        .unwrap()
    };
    mo.get("/account/lists").await;
    for delivery in ["paused", "leave"] {
        let r = mo
            .submit(
                &format!("/account/lists/{ana_id}"),
                &[("delivery", delivery)],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        r.assert_contains("You have no such subscription.");
    }
    assert_eq!(app.fingerprint().await, before);
}
