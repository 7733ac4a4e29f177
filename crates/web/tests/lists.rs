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
    for mode in ["hourly", "Digest", "digest\r\n", ""] {
        let r = mo.submit(&path, &[("delivery", mode)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body
                .contains("Choose each message, daily digest, or paused.")
        );
    }
    let r = other.submit(&path, &[("delivery", "digest")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    // Daily digests are offered, and chosen like the other modes.
    mo.get("/account/lists")
        .await
        .assert_contains("<option value=\"digest\">Daily digest</option>");
    mo.submit(&path, &[("delivery", "digest")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mo.get("/account/lists")
        .await
        .assert_contains("<option value=\"digest\" selected>Daily digest</option>")
        .assert_contains("No digest sent yet");

    mo.submit(&path, &[("delivery", "leave")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mo.get("/account/lists")
        .await
        .assert_contains("You are on no list");
}

/// Subscribes the signed-in member `email` to the organizers' list and
/// returns their client and the path of their subscription's form.
async fn subscribed<'a>(app: &'a TestApp, email: &str) -> (Client<'a>, String) {
    let mut mo = member(app, email).await;
    mo.get("/lists/organizers").await;
    mo.submit("/lists/organizers/subscribe", &[("email", email)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail(email, "/lists/confirm/");
    mo.get(&link).await;
    mo.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = mo.get("/account/lists").await;
    let id: String = page
        .body
        .split("action=\"/account/lists/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (mo, format!("/account/lists/{id}"))
}

#[tokio::test]
async fn digest_members_see_when_their_last_digest_went_out_and_moderators_see_failures() {
    let app = TestApp::new().await;
    let (mut mo, path) = subscribed(&app, "mo@example.org").await;
    mo.submit(&path, &[("delivery", "digest")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.advance(chrono::Duration::hours(1));
    convene_app::lists::accept(
        app.svc(),
        "organizers",
        b"From: zoe@example.org\r\nMessage-ID: <venue@example.org>\r\nSubject: Venues\r\n\r\nThe hall.\r\n",
    )
    .await
    .unwrap();
    // A stranger's post waits for a moderator; approve it as one would.
    {
        let mut tx = app.svc().db.begin().await.unwrap();
        convene_store::execute!(tx.ex(), "UPDATE list_messages SET state = 'accepted'").unwrap();
        tx.commit().await.unwrap();
    }
    app.drain_jobs().await;
    app.advance(chrono::Duration::days(1));
    convene_app::lists::schedule_digests(app.svc())
        .await
        .unwrap();
    app.drain_jobs().await;
    let digest = app.last_mail_to("mo@example.org");
    assert!(
        digest
            .subject
            .contains("[organizers] Digest, Vol 1, Issue 1"),
        "{}",
        digest.subject
    );
    let sent = app.now().format("%-d %B %Y, %H:%M UTC").to_string();
    mo.get("/account/lists").await.assert_contains(&format!(
        "Last digest sent <time datetime=\"{}\">{sent}</time>",
        app.now().to_rfc3339()
    ));

    // The next digest is refused by the mail system: the member and the
    // list's moderators see it.
    {
        let mut tx = app.svc().db.begin().await.unwrap();
        convene_store::execute!(
            tx.ex(),
            "INSERT INTO list_digests (list_id, day, volume, issue, created_at) SELECT list_id, '2026-12-01', 1, 2, created_at FROM list_digests"
        )
        .unwrap();
        convene_store::execute!(
            tx.ex(),
            "INSERT INTO deliveries (batch_kind, batch_id, recipient_id, since, state, attempts, last_error, updated_at) \
             SELECT 'digest', g.id, d.recipient_id, d.since, 'failed', 1, '550 5.1.1 mailbox unknown', $1 FROM list_digests g, deliveries d \
             WHERE g.issue = 2 AND d.batch_kind = 'digest'",
            app.now() + chrono::Duration::days(1)
        )
        .unwrap();
        tx.commit().await.unwrap();
    }
    mo.get("/account/lists")
        .await
        .assert_contains("Issue 2 of volume 1 could not be delivered")
        .assert_contains("550 5.1.1 mailbox unknown");
    let mut admin = coordinator(&app).await;
    admin
        .get("/lists/organizers/moderation")
        .await
        .assert_contains("Digests that did not go out")
        .assert_contains("<td>mo@example.org</td><td>Vol 1, Issue 2</td><td>given up</td><td>550 5.1.1 mailbox unknown</td>");
}

#[tokio::test]
async fn the_api_shows_and_changes_delivery_and_refuses_unknown_modes() {
    let app = TestApp::new().await;
    let (_mo, _) = subscribed(&app, "mo@example.org").await;
    let token = convene_app::accounts::create_api_token(app.svc(), "mo@example.org", "script")
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token.expose());
    let patch = |path: &str, body: &str| {
        Request::patch(path)
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let before = app.fingerprint().await;
    for body in [
        r#"{"delivery": "weekly"}"#,
        r#"{"delivery": ""}"#,
        r#"{"mode": "digest"}"#,
        "digest",
    ] {
        let r = app.send(patch("/api/v1/me/lists/organizers", body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    let r = app
        .send(patch(
            "/api/v1/me/lists/organizers",
            r#"{"delivery": "weekly"}"#,
        ))
        .await;
    assert!(
        r.body
            .contains("Choose each message, daily digest, or paused."),
        "{}",
        r.body
    );
    let r = app
        .send(patch(
            "/api/v1/me/lists/no-such-list",
            r#"{"delivery": "digest"}"#,
        ))
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.fingerprint().await, before, "nothing changed");

    let r = app
        .send(patch(
            "/api/v1/me/lists/organizers",
            r#"{"delivery": "digest"}"#,
        ))
        .await;
    r.assert_status(StatusCode::OK);
    let v = r.json();
    assert_eq!(v["list"], "organizers");
    assert_eq!(v["delivery"], "digest");
    assert_eq!(v["last_digest_at"], serde_json::Value::Null);
    let mine = app
        .send(
            Request::get("/api/v1/me/lists")
                .header(header::AUTHORIZATION, &bearer)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json();
    assert_eq!(mine[0]["delivery"], "digest");
    let doc = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json();
    assert!(doc["paths"]["/api/v1/me/lists/{name}"]["patch"].is_object());
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
