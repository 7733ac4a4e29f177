//! Writing to a list from the web: a member's first message waits for a
//! moderator, later ones go out at once; a reply written on the web is a
//! real email that threads under the message it answers; bad input (a
//! subject with a line break, a stranger, a rejection without a reason)
//! changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use convene_store::{run, sqlx};

/// Subscribes the signed-in `client` (address `email`) and confirms.
async fn join(app: &TestApp, client: &mut Client<'_>, email: &str) {
    client.get("/lists/organizers").await;
    client
        .submit("/lists/organizers/subscribe", &[("email", email)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail(email, "/lists/confirm/");
    client.get(&link).await;
    client
        .submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// The held message ids on the moderation page.
fn held_ids(body: &str) -> Vec<String> {
    body.split("action=\"/lists/organizers/moderation/")
        .skip(1)
        .map(|s| s.chars().take_while(char::is_ascii_digit).collect())
        .collect()
}

/// (state, raw message) of every stored message, oldest first.
async fn stored(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.svc().db.conn().await.unwrap();
    let rows: Vec<(String, Vec<u8>)> = run!(conn.ex(), |c| sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT state, raw FROM list_messages ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter()
        .map(|(s, r)| (s, String::from_utf8_lossy(&r).into_owned()))
        .collect()
}

#[tokio::test]
async fn a_reply_written_on_the_web_threads_under_the_message_it_answers() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let mut bo = member(&app, "bo@example.org").await;
    join(&app, &mut olu, "olu@example.org").await;
    join(&app, &mut bo, "bo@example.org").await;

    // Olu starts a thread; as a new member's first message it waits.
    olu.get("/lists/organizers/archive").await;
    let r = olu
        .submit(
            "/lists/organizers/archive",
            &[
                ("subject", "Finding speakers for a small group"),
                ("body", "How do you find speakers when you are twelve people?\nWe tried meetup.com alone."),
            ],
        )
        .await;
    assert_eq!(
        r.location(),
        "/lists/organizers?done=list-held",
        "{}",
        r.body
    );
    let page = coord.get("/lists/organizers/moderation").await;
    page.assert_contains("Finding speakers for a small group");
    let ids = held_ids(&page.body);
    assert_eq!(ids.len(), 1);

    // Rejecting needs a reason; without one nothing changes.
    let before = app.fingerprint().await;
    let states = stored(&app).await;
    let r = coord
        .submit(
            &format!("/lists/organizers/moderation/{}", ids[0]),
            &[("decision", "reject"), ("reason", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(stored(&app).await, states);
    // Olu is not a moderator.
    let r = olu
        .submit(
            &format!("/lists/organizers/moderation/{}", ids[0]),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(stored(&app).await, states);

    coord
        .submit(
            &format!("/lists/organizers/moderation/{}", ids[0]),
            &[("decision", "approve")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let first = ids[0].clone();
    assert_eq!(stored(&app).await[0].0, "accepted");

    // Bo replies from the message's page: a real email answering Olu's.
    let page = bo.get(&format!("/lists/organizers/archive/{first}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("value=\"Re: Finding speakers for a small group\"")
        .assert_contains("Send the reply");
    // A subject with a line break would forge headers: refused, nothing stored.
    let before = stored(&app).await;
    let r = bo
        .submit(
            &format!("/lists/organizers/archive/{first}/reply"),
            &[
                ("subject", "Re: speakers\r\nBcc: everyone@example.org"),
                ("body", "Ask the nearest university."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("one line");
    assert_eq!(stored(&app).await, before);

    let r = bo
        .submit(
            &format!("/lists/organizers/archive/{first}/reply"),
            &[
                ("subject", ""),
                (
                    "body",
                    "Ask the nearest university: students love to give talks.",
                ),
            ],
        )
        .await;
    assert_eq!(
        r.location(),
        "/lists/organizers?done=list-held",
        "{}",
        r.body
    );
    let ids = held_ids(&coord.get("/lists/organizers/moderation").await.body);
    coord
        .submit(
            &format!("/lists/organizers/moderation/{}", ids[0]),
            &[("decision", "approve")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let all = stored(&app).await;
    let olu_raw = &all[0].1;
    let olu_id = olu_raw
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .to_owned();
    let reply_raw = &all[1].1;
    assert!(
        reply_raw.contains(&format!("\r\nIn-Reply-To: {olu_id}\r\n")),
        "{reply_raw}"
    );
    assert!(
        reply_raw.contains(&format!("\r\nReferences: {olu_id}\r\n")),
        "{reply_raw}"
    );
    assert!(
        reply_raw.contains("\r\nFrom: \"Mo Member\" <bo@example.org>\r\n"),
        "{reply_raw}"
    );
    assert!(!reply_raw.contains("Bcc"));

    // In the archive the reply sits under Olu's message.
    let month = bo.get("/lists/organizers/archive/2026-11").await;
    let threads: Vec<&str> = month.body.split("<ul class=\"thread\">").skip(1).collect();
    assert_eq!(threads.len(), 1, "{}", month.body);
    assert!(
        threads[0].contains("<li class=\"depth-1\">"),
        "{}",
        threads[0]
    );

    // Approved once, Olu's next message goes out at once.
    let r = olu
        .submit(
            "/lists/organizers/archive",
            &[
                ("subject", "Venues in winter"),
                ("body", "Where do you meet in winter?"),
            ],
        )
        .await;
    assert!(
        r.location().starts_with("/lists/organizers/archive/")
            && r.location().ends_with("?done=list-posted"),
        "{}",
        r.location()
    );

    // Someone who is not on the list cannot write to it.
    let mut sam = member(&app, "sam@example.org").await;
    let before = stored(&app).await;
    sam.get("/lists/organizers/archive").await;
    let r = sam
        .submit(
            "/lists/organizers/archive",
            &[("subject", "Hello"), ("body", "Buy my course")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    r.assert_contains("subscribe first");
    assert_eq!(stored(&app).await, before);
}
