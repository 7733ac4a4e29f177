//! A list's archive without JavaScript: threads by month with replies under
//! what they answer, a permanent page per message with quoted text folded,
//! search, an Atom feed and mbox files; members' and private archives stay
//! closed to others, through search and the feed too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::*;
use convene_store::{run, sqlx};

/// Stores an accepted message on the organizers' list and threads it as
/// the mail path does; returns its id.
async fn archived(
    app: &TestApp,
    message_id: &str,
    in_reply_to: Option<&str>,
    subject: &str,
    from: (&str, &str),
    at: &str,
    body: &str,
) -> i64 {
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&Utc);
    let raw = format!(
        "From: {} <{}>\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n\r\n{}\r\n",
        from.0,
        from.1,
        body.replace('\n', "\r\n")
    );
    let mut tx = app.svc().db.begin().await.unwrap();
    let (mid, reply, subj, name, email, month, text) = (
        message_id.to_owned(),
        in_reply_to.map(str::to_owned),
        subject.to_owned(),
        from.0.to_owned(),
        from.1.to_owned(),
        at.format("%Y-%m").to_string(),
        body.to_owned(),
    );
    let refs = reply.clone().unwrap_or_default();
    let id = run!(tx.ex(), |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO list_messages (list_id, message_id, in_reply_to, refs, subject, from_name, from_email, sent_at, received_at, month, body_text, raw, state) \
         VALUES ((SELECT id FROM lists WHERE name = 'organizers'), $1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, 'accepted') RETURNING id"
    )
    .bind(mid.clone())
    .bind(reply.clone())
    .bind(refs.clone())
    .bind(subj.clone())
    .bind(name.clone())
    .bind(email.clone())
    .bind(at)
    .bind(month.clone())
    .bind(text.clone())
    .bind(raw.clone().into_bytes())
    .fetch_one(c)
    .await)
    .unwrap();
    let list_id = convene_store::lists::by_name(tx.ex(), "organizers")
        .await
        .unwrap()
        .unwrap()
        .id;
    let refs: Vec<String> = in_reply_to.map(|r| vec![r.to_owned()]).unwrap_or_default();
    convene_app::lists::archive::assign_thread(
        &mut tx,
        list_id,
        id,
        in_reply_to,
        &refs,
        subject,
        "[organizers] ",
        at,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn set_archive(app: &TestApp, visibility: &str) {
    let mut conn = app.svc().db.conn().await.unwrap();
    let v = visibility.to_owned();
    convene_store::execute!(
        conn.ex(),
        "UPDATE lists SET archive = $1 WHERE name = 'organizers'",
        v.clone()
    )
    .unwrap();
}

/// Three messages in one thread (one threaded only by its subject), and
/// one on its own, over two months.
async fn conversation(app: &TestApp) -> (i64, i64, i64, i64) {
    let first = archived(
        app,
        "<venue-1@example.org>",
        None,
        "[organizers] Finding a venue in winter",
        ("Ana Lima", "ana@example.org"),
        "2026-10-30T18:00:00Z",
        "Our library closes at 7pm from November. Where do your groups meet in winter?",
    )
    .await;
    let reply = archived(
        app,
        "<venue-2@example.org>",
        Some("<venue-1@example.org>"),
        "Re: [organizers] Finding a venue in winter",
        ("Bo Chen", "bo@example.org"),
        "2026-11-02T09:00:00Z",
        "> Where do your groups meet in winter?\n> Our library closes at 7pm.\nCoworking spaces often lend a room for free: ask for a sponsorship page.\nFrom experience, <script>alert(1)</script> is not a venue.",
    )
    .await;
    let by_subject = archived(
        app,
        "<venue-3@example.net>",
        None,
        "RE: Finding a venue in winter",
        ("Cy Okafor", "cy@example.net"),
        "2026-11-03T10:00:00Z",
        "Universities too: a student society can book the room.",
    )
    .await;
    let other = archived(
        app,
        "<speakers-1@example.org>",
        None,
        "[organizers] Finding speakers",
        ("Ana Lima", "ana@example.org"),
        "2026-11-05T10:00:00Z",
        "How do you find speakers for a small group?",
    )
    .await;
    (first, reply, by_subject, other)
}

#[tokio::test]
async fn a_public_archive_is_threaded_searchable_and_in_a_feed() {
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let (first, reply, by_subject, other) = conversation(&app).await;
    let mut visitor = app.client();

    let index = visitor.get("/lists/organizers/archive").await;
    index
        .assert_status(StatusCode::OK)
        .assert_contains("href=\"/lists/organizers/archive/2026-11\">2026-11</a> (3)")
        .assert_contains("href=\"/lists/organizers/archive/2026-10\">2026-10</a> (1)")
        .assert_contains("href=\"/lists/organizers/feed.atom\"");
    assert!(
        !index.body.contains("<script"),
        "no script is needed or sent"
    );

    // November: the two replies sit under the thread started in October,
    // the second found by its subject alone.
    let month = visitor.get("/lists/organizers/archive/2026-11").await;
    month.assert_status(StatusCode::OK);
    let threads: Vec<&str> = month.body.split("<ul class=\"thread\">").skip(1).collect();
    assert_eq!(threads.len(), 2, "{}", month.body);
    assert!(threads[0].contains(&format!("/archive/{reply}\"")));
    assert!(threads[0].contains(&format!("/archive/{by_subject}\"")));
    assert!(threads[1].contains(&format!("/archive/{other}\"")));

    // The reply's page: quoted text folded, the script shown as text, and
    // the whole thread with the first message.
    let page = visitor
        .get(&format!("/lists/organizers/archive/{reply}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<details class=\"quoted\"><summary>Quoted text (2 lines)</summary>")
        .assert_contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .assert_contains(&format!("href=\"/lists/organizers/archive/{first}\""))
        .assert_contains("<li class=\"depth-1\"><strong aria-current=\"page\">");
    assert!(!page.body.contains("<script>alert"));

    // Search: every word must be there.
    let found = visitor
        .get("/lists/organizers/archive?q=coworking+sponsorship")
        .await;
    found
        .assert_contains("1 message with")
        .assert_contains(&format!("/archive/{reply}\""));
    visitor
        .get("/lists/organizers/archive?q=coworking+zebra")
        .await
        .assert_contains("0 messages with");
    // Percent signs are searched as text, not as wildcards.
    visitor
        .get("/lists/organizers/archive?q=%25%25")
        .await
        .assert_contains("0 messages with");

    // The feed parses, newest first.
    let feed = visitor.get("/lists/organizers/feed.atom").await;
    feed.assert_status(StatusCode::OK);
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    assert_eq!(parsed.entries.len(), 4);
    assert_eq!(
        parsed.entries[0].title.as_ref().unwrap().content,
        "[organizers] Finding speakers"
    );

    // The month as mbox, with a body line starting "From " quoted.
    let mbox = visitor.get("/lists/organizers/archive/2026-11.mbox").await;
    mbox.assert_status(StatusCode::OK);
    assert_eq!(mbox.headers["content-type"], "application/mbox");
    assert_eq!(
        mbox.body.matches("\nFrom ").count() + usize::from(mbox.body.starts_with("From ")),
        3
    );
    assert!(mbox.body.contains("\n>From experience"), "{}", mbox.body);

    // Made-up months and numbers are simply not there.
    for bad in ["2026-13", "abc", "99999", "2026-13.mbox"] {
        visitor
            .get(&format!("/lists/organizers/archive/{bad}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn members_and_private_archives_stay_closed_to_others() {
    let app = TestApp::new().await;
    let (_, reply, _, _) = conversation(&app).await;
    let mut coord = coordinator(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    let mut stranger = app.client();
    let paths = [
        "/lists/organizers/archive".to_owned(),
        "/lists/organizers/archive/2026-11".to_owned(),
        format!("/lists/organizers/archive/{reply}"),
        "/lists/organizers/archive?q=coworking".to_owned(),
        "/lists/organizers/archive/2026-11.mbox".to_owned(),
        "/lists/organizers/feed.atom".to_owned(),
    ];

    // The organizers' list keeps its archive for members.
    for p in &paths {
        let r = stranger.get(p).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{p}");
        assert!(!r.body.contains("Coworking"), "{p}");
        let r = mo.get(p).await;
        // A feed reader has no session: the feed answers as to a stranger.
        let expected = if p.ends_with(".atom") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status, expected, "{p}");
        assert!(!r.body.contains("Coworking"), "{p}");
        if expected == StatusCode::FORBIDDEN {
            r.assert_contains("for its members");
        }
    }
    coord
        .get(&format!("/lists/organizers/archive/{reply}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Coworking");

    // Once subscribed and confirmed, the member reads it (not the feed,
    // which has no session).
    mo.get("/lists/organizers").await;
    mo.submit(
        "/lists/organizers/subscribe",
        &[("email", "mo@example.org")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail("mo@example.org", "/lists/confirm/");
    mo.get(&link).await;
    mo.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    for p in &paths[..5] {
        mo.get(p).await.assert_status(StatusCode::OK);
    }
    mo.get("/lists/organizers/feed.atom")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    // A private archive is for the moderators only.
    set_archive(&app, "private").await;
    for p in &paths[..5] {
        let r = mo.get(p).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
        r.assert_contains("private to its moderators");
        assert!(!r.body.contains("Coworking"), "{p}");
        coord.get(p).await.assert_status(StatusCode::OK);
    }
}

const OLD_ARCHIVE: &str = "From ana@example.org Mon Oct  5 18:00:00 2026
From: Ana Lima <ana@example.org>
Subject: [organizers] Room bookings
Date: Mon, 05 Oct 2026 18:00:00 +0000
Message-ID: <rooms-1@old.example.org>

Who books your rooms, and how far ahead?
>From what I have seen, three months.

From bo@example.org Tue Oct  6 09:00:00 2026
From: Bo Chen <bo@example.org>
Subject: Re: [organizers] Room bookings
Date: Tue, 06 Oct 2026 09:00:00 +0000
References: <rooms-1@old.example.org>

> Who books your rooms?
Our treasurer does, a term ahead.

From nobody Wed Oct  7 09:00:00 2026
Subject: no sender here

This one says nothing about who wrote it.
";

#[tokio::test]
async fn an_old_mbox_archive_is_imported_once_and_threaded() {
    use convene_app::lists::import::import_mbox;
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let report = import_mbox(app.svc(), "organizers", OLD_ARCHIVE.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (report.imported, report.already_there),
        (2, 0),
        "{report:?}"
    );
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].0, 3);
    assert!(
        report.skipped[0].1.contains("no From address"),
        "{report:?}"
    );

    // Again: nothing new, even for the message that had no Message-ID.
    let before = app.fingerprint().await;
    let again = import_mbox(app.svc(), "organizers", OLD_ARCHIVE.as_bytes())
        .await
        .unwrap();
    assert_eq!((again.imported, again.already_there), (0, 2), "{again:?}");
    assert_eq!(app.fingerprint().await, before);

    // Threaded, with the body's quoted `From ` line restored, and nobody mailed.
    let mut visitor = app.client();
    let month = visitor.get("/lists/organizers/archive/2026-10").await;
    let threads: Vec<&str> = month.body.split("<ul class=\"thread\">").skip(1).collect();
    assert_eq!(threads.len(), 1, "{}", month.body);
    assert!(
        threads[0].contains("<li class=\"depth-1\">"),
        "{}",
        threads[0]
    );
    let first: String = threads[0]
        .split("/lists/organizers/archive/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    visitor
        .get(&format!("/lists/organizers/archive/{first}"))
        .await
        .assert_contains("\nFrom what I have seen, three months.");
    app.drain_jobs().await;
    assert!(app.mail().is_empty());

    // An unknown list changes nothing.
    let err = import_mbox(app.svc(), "no-such-list", OLD_ARCHIVE.as_bytes())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no list"), "{err}");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn the_api_lists_lists_and_reads_archives_under_the_same_rules() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new().await;
    let (first, reply, _, _) = conversation(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    let token = convene_app::accounts::create_api_token(app.svc(), "mo@example.org", "script")
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token.expose());
    let get = |path: &str, auth: Option<&str>| {
        let mut b = Request::get(path);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(Body::empty()).unwrap()
    };

    let lists = app.send(get("/api/v1/lists", None)).await;
    lists.assert_status(StatusCode::OK);
    let v = lists.json();
    assert_eq!(v[0]["name"], "organizers");
    assert_eq!(v[0]["address"], "organizers@convene.test");
    assert_eq!(v[0]["archive"], "members");

    // A members' archive: strangers and non-members are refused.
    let threads = "/api/v1/lists/organizers/threads?month=2026-11";
    app.send(get(threads, None))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    app.send(get(threads, Some(&bearer)))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mine = app.send(get("/api/v1/me/lists", Some(&bearer))).await;
    assert_eq!(mine.json(), serde_json::json!([]));

    // Once subscribed, the member reads the threads and a message.
    mo.get("/lists/organizers").await;
    mo.submit(
        "/lists/organizers/subscribe",
        &[("email", "mo@example.org")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail("mo@example.org", "/lists/confirm/");
    mo.get(&link).await;
    mo.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mine = app
        .send(get("/api/v1/me/lists", Some(&bearer)))
        .await
        .json();
    assert_eq!(mine[0]["list"], "organizers");
    assert_eq!(mine[0]["state"], "active");
    let t = app.send(get(threads, Some(&bearer))).await;
    t.assert_status(StatusCode::OK);
    let t = t.json();
    assert_eq!(t.as_array().unwrap().len(), 2);
    // Without a month, the newest month with messages.
    let newest = app
        .send(get("/api/v1/lists/organizers/threads", Some(&bearer)))
        .await;
    newest.assert_status(StatusCode::OK);
    assert_eq!(newest.json(), t);
    assert_eq!(t[0][0]["id"], reply);
    assert_eq!(t[0][0]["thread"], first);
    let m = app
        .send(get(
            &format!("/api/v1/lists/organizers/messages/{reply}"),
            Some(&bearer),
        ))
        .await;
    m.assert_status(StatusCode::OK);
    assert!(
        m.json()["text"]
            .as_str()
            .unwrap()
            .contains("Coworking spaces")
    );
    // A month that is not one is named; a month with nothing in it is empty.
    let r = app
        .send(get(
            "/api/v1/lists/organizers/threads?month=2026-13",
            Some(&bearer),
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "month");
    let r = app
        .send(get(
            "/api/v1/lists/organizers/threads?month=2020-01",
            Some(&bearer),
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!([]));

    // Private: even members are refused.
    set_archive(&app, "private").await;
    app.send(get(threads, Some(&bearer)))
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // The paths are in the OpenAPI document.
    let doc = app.send(get("/api/v1/openapi.json", None)).await.json();
    for p in [
        "/api/v1/lists",
        "/api/v1/lists/{name}",
        "/api/v1/lists/{name}/threads",
        "/api/v1/lists/{name}/messages/{id}",
        "/api/v1/me/lists",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
}

/// The ids of the search results on a page, in order.
fn result_ids(body: &str) -> Vec<i64> {
    let Some(section) = body.split("id=\"results-h\"").nth(1) else {
        return Vec::new();
    };
    let section = section.split("</section>").next().unwrap_or("");
    section
        .split("href=\"/lists/organizers/archive/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test]
async fn search_ranks_stems_finds_phrases_and_pages() {
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let body_only = archived(
        &app,
        "<venue-body@example.org>",
        None,
        "Spring plans",
        ("Ada Okafor", "ada@example.org"),
        "2026-03-01T10:00:00Z",
        "We still need a venue for the spring meetup.",
    )
    .await;
    let in_subject = archived(
        &app,
        "<venue-subject@example.org>",
        None,
        "Venues near the station",
        ("Bruno Silva", "bruno@example.org"),
        "2026-02-01T10:00:00Z",
        "The library has a room.",
    )
    .await;
    let phrase = archived(
        &app,
        "<phrase@example.org>",
        None,
        "Talks",
        ("Chidi Haddad", "chidi@example.org"),
        "2026-04-01T10:00:00Z",
        "Lightning talks keep the evening moving; talks that are long do not.",
    )
    .await;
    let scattered = archived(
        &app,
        "<scattered@example.org>",
        None,
        "Evenings",
        ("Dana Weber", "dana@example.org"),
        "2026-05-01T10:00:00Z",
        "Talks at lightning speed: every evening had one.",
    )
    .await;
    let mut visitor = app.client();

    // A word in the subject ranks above the same word in the text, and
    // "venue" finds "Venues" (stemming).
    let found = visitor.get("/lists/organizers/archive?q=venue").await;
    found.assert_status(StatusCode::OK);
    assert_eq!(result_ids(&found.body), [in_subject, body_only]);

    // A quoted phrase needs its words together and in order.
    let found = visitor
        .get("/lists/organizers/archive?q=%22lightning+talks%22")
        .await;
    assert_eq!(result_ids(&found.body), [phrase]);
    let found = visitor
        .get("/lists/organizers/archive?q=lightning+talks")
        .await;
    let mut both = result_ids(&found.body);
    both.sort();
    assert_eq!(both, [phrase, scattered]);

    // The writer's name is searched too.
    let found = visitor.get("/lists/organizers/archive?q=okafor").await;
    assert_eq!(result_ids(&found.body), [body_only]);

    // Held messages are never found.
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "UPDATE list_messages SET state = 'held' WHERE id = $1",
        body_only
    )
    .unwrap();
    drop(conn);
    let found = visitor.get("/lists/organizers/archive?q=venue").await;
    assert_eq!(result_ids(&found.body), [in_subject]);

    // Pages of 50, best first, ties newest first.
    let mut many = Vec::new();
    for n in 0..55 {
        many.push(
            archived(
                &app,
                &format!("<zebra-{n}@example.org>"),
                None,
                &format!("Note {n}"),
                ("Eszter Rossi", "eszter@example.org"),
                &format!("2025-01-{:02}T10:00:00Z", 1 + n % 28),
                "A zebra crossing outside the venue.",
            )
            .await,
        );
    }
    let first = visitor.get("/lists/organizers/archive?q=zebra").await;
    first
        .assert_contains("50 or more messages with")
        .assert_contains("href=\"/lists/organizers/archive?q=zebra&#38;page=2\" rel=\"next\"");
    let first_ids = result_ids(&first.body);
    assert_eq!(first_ids.len(), 50);
    let second = visitor
        .get("/lists/organizers/archive?q=zebra&page=2")
        .await;
    second
        .assert_contains("Page 2: 5 messages with")
        .assert_contains("rel=\"prev\"");
    let second_ids = result_ids(&second.body);
    assert_eq!(second_ids.len(), 5);
    let mut all: Vec<i64> = first_ids.iter().chain(&second_ids).copied().collect();
    all.sort();
    many.sort();
    assert_eq!(all, many, "every message once over the two pages");
}

#[tokio::test]
async fn search_syntax_in_the_query_is_searched_as_words_not_an_error() {
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    conversation(&app).await;
    let count = |app: &TestApp| {
        let db = app.svc().db.clone();
        async move {
            let mut conn = db.conn().await.unwrap();
            run!(conn.ex(), |c| sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(body_text)), 0) FROM list_messages"
            )
            .fetch_one(c)
            .await)
            .unwrap()
        }
    };
    let before = count(&app).await;
    let mut visitor = app.client();
    for q in [
        "%22foo",
        "AND+OR+(",
        "*",
        "NEAR(a+b)",
        "subject%3Acoworking",
        "-coworking",
        "%22%22",
        "%27%3B+DROP+TABLE+list_messages%3B--",
        "coworking*",
        "%5E%7B%7D%5B%5D",
    ] {
        let page = visitor
            .get(&format!("/lists/organizers/archive?q={q}"))
            .await;
        page.assert_status(StatusCode::OK);
        assert!(page.body.contains("id=\"results-h\""), "{q}: {}", page.body);
    }
    // Operator characters only separate words: "subject:coworking" and
    // "coworking*" look for the words themselves.
    let found = visitor
        .get("/lists/organizers/archive?q=subject%3Acoworking")
        .await;
    assert!(result_ids(&found.body).is_empty());
    let found = visitor.get("/lists/organizers/archive?q=coworking*").await;
    assert!(!result_ids(&found.body).is_empty());
    // A page number past the end or zero shows no results, not an error.
    for p in ["0", "999", "x"] {
        let page = visitor
            .get(&format!("/lists/organizers/archive?q=coworking&page={p}"))
            .await;
        assert_ne!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "page={p}");
    }
    assert_eq!(
        count(&app).await,
        before,
        "searching changes nothing stored"
    );
}

/// A message with a PDF, an HTML file and a file name that tries to
/// climb out of its folder; and a message written only in HTML with a
/// script, a style sheet and a `javascript:` link.
const WITH_ATTACHMENTS: &str = "From ana@example.org Mon Nov 02 10:00:00 2026\n\
From: Ana Lima <ana@example.org>\n\
To: organizers@convene.test\n\
Subject: Slides from the venue meeting\n\
Date: Mon, 02 Nov 2026 10:00:00 +0000\n\
Message-ID: <slides@example.org>\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"b1\"\n\
\n\
--b1\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
The slides and the floor plan are attached.\n\
--b1\n\
Content-Type: application/pdf; name=\"slides.pdf\"\n\
Content-Disposition: attachment; filename=\"slides.pdf\"\n\
Content-Transfer-Encoding: base64\n\
\n\
JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==\n\
--b1\n\
Content-Type: text/html; name=\"plan.html\"\n\
Content-Disposition: attachment; filename=\"../../plan.html\"\n\
\n\
<script>alert(document.cookie)</script><p>Floor plan</p>\n\
--b1--\n\
\n\
From bo@example.org Mon Nov 02 11:00:00 2026\n\
From: Bo <bo@example.org>\n\
To: organizers@convene.test\n\
Subject: Written in HTML only\n\
Date: Mon, 02 Nov 2026 11:00:00 +0000\n\
Message-ID: <html-only@example.org>\n\
MIME-Version: 1.0\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<html><head><style>body { color: red }</style><script>steal()</script></head>\n\
<body><p>Room <b>B2</b> is booked &amp; ready.</p><p><a href=\"javascript:steal()\">Map</a> <img src=\"https://tracker.example/pixel.gif\" onerror=\"steal()\"></p></body></html>\n";

#[tokio::test]
async fn attachments_download_from_the_archive_and_html_mail_is_shown_as_text() {
    use convene_app::lists::import::import_mbox;
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let report = import_mbox(app.svc(), "organizers", WITH_ATTACHMENTS.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.imported, 2, "{report:?}");
    let mut visitor = app.client();
    let month = visitor.get("/lists/organizers/archive/2026-11").await;
    let id_of = |subject: &str| -> String {
        let at = month.body.find(subject).unwrap();
        let before = &month.body[..at];
        let start = before.rfind("/lists/organizers/archive/").unwrap() + 26;
        before[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let slides = id_of("Slides from the venue meeting");
    let html_only = id_of("Written in HTML only");

    // The page shows the text and lists the files; their contents stay off it.
    let page = visitor
        .get(&format!("/lists/organizers/archive/{slides}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("The slides and the floor plan are attached.")
        .assert_contains(&format!(
            "href=\"/lists/organizers/archive/{slides}/attachments/1\" download>slides.pdf</a>"
        ))
        .assert_contains("application/pdf, 58 bytes")
        .assert_contains(">plan.html</a>");
    assert!(!page.body.contains("JVBERi0"), "{}", page.body);
    assert!(!page.body.contains("alert(document.cookie)"));

    // The PDF comes back byte for byte, as a download.
    let pdf = visitor
        .get(&format!("/lists/organizers/archive/{slides}/attachments/1"))
        .await;
    pdf.assert_status(StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-1.4"), "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(
        pdf.headers["content-disposition"],
        "attachment; filename=\"slides.pdf\""
    );
    assert_eq!(
        pdf.headers["content-security-policy"],
        "default-src 'none'; sandbox"
    );

    // The HTML file is never served as HTML, and its name has lost its path.
    let html = visitor
        .get(&format!("/lists/organizers/archive/{slides}/attachments/2"))
        .await;
    assert_eq!(html.headers["content-type"], "application/octet-stream");
    assert_eq!(
        html.headers["content-disposition"],
        "attachment; filename=\"plan.html\""
    );
    assert_eq!(html.headers["x-content-type-options"], "nosniff");
    visitor
        .get(&format!("/lists/organizers/archive/{slides}/attachments/3"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // HTML-only mail reads as text: no markup, script, style or remote image.
    let page = visitor
        .get(&format!("/lists/organizers/archive/{html_only}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Room B2 is booked &amp; ready.");
    let body = page.body.split("mail-body").nth(1).unwrap();
    let body = body.split("</div>").next().unwrap();
    for bad in [
        "<b>",
        "steal()",
        "color: red",
        "tracker.example",
        "javascript:",
    ] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }

    // A members' archive keeps its attachments from strangers too.
    set_archive(&app, "members").await;
    let r = app
        .client()
        .get(&format!("/lists/organizers/archive/{slides}/attachments/1"))
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(!r.body.contains("%PDF"));
}

#[tokio::test]
async fn the_months_follow_every_change_to_the_archive() {
    use convene_store::execute;
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let mut visitor = app.client();
    visitor
        .get("/lists/organizers/archive")
        .await
        .assert_contains("No messages yet.");

    // A message arrives: its month appears, with its count.
    let first = archived(
        &app,
        "<m1@example.org>",
        None,
        "Venues",
        ("Ana", "ana@example.org"),
        "2026-10-05T10:00:00Z",
        "Hello",
    )
    .await;
    visitor
        .get("/lists/organizers/archive")
        .await
        .assert_contains(">2026-10</a> (1)");

    // A held message counts once a moderator approves it, and no longer
    // once it is taken back.
    archived(
        &app,
        "<m2@example.org>",
        None,
        "Speakers",
        ("Bo", "bo@example.org"),
        "2026-10-06T10:00:00Z",
        "Hi",
    )
    .await;
    visitor
        .get("/lists/organizers/archive")
        .await
        .assert_contains(">2026-10</a> (2)");
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        execute!(
            conn.ex(),
            "UPDATE list_messages SET state = 'held' WHERE id = $1",
            first
        )
        .unwrap();
    }
    visitor
        .get("/lists/organizers/archive")
        .await
        .assert_contains(">2026-10</a> (1)");
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::list_messages::decide(conn.ex(), first, "accepted")
            .await
            .unwrap();
    }
    visitor
        .get("/lists/organizers/archive")
        .await
        .assert_contains(">2026-10</a> (2)");
}

#[tokio::test]
async fn a_search_asked_again_is_answered_alike_and_follows_new_mail_at_once() {
    let app = TestApp::new().await;
    set_archive(&app, "public").await;
    let older = archived(
        &app,
        "<old-venue@example.org>",
        None,
        "A venue downtown",
        ("Ana", "ana@example.org"),
        "2026-01-05T10:00:00Z",
        "The hall is free on Thursdays.",
    )
    .await;
    let mut visitor = app.client();
    let first = visitor.get("/lists/organizers/archive?q=venue").await;
    assert_eq!(result_ids(&first.body), [older]);
    // The same search written another way reads the same words: the same page.
    let again = visitor.get("/lists/organizers/archive?q=%20Venue%20").await;
    assert_eq!(result_ids(&again.body), [older]);

    // A new message is found by the very next search, and listed as the newest.
    let newer = archived(
        &app,
        "<new-venue@example.org>",
        None,
        "Venue change",
        ("Bo", "bo@example.org"),
        "2026-02-05T10:00:00Z",
        "We move to the library.",
    )
    .await;
    let after = visitor.get("/lists/organizers/archive?q=venue").await;
    let mut ids = result_ids(&after.body);
    ids.sort();
    assert_eq!(ids, [older, newer]);
    let recent = after.body.split("id=\"recent-h\"").nth(1).unwrap();
    assert!(
        recent.find("Venue change").unwrap() < recent.find("A venue downtown").unwrap(),
        "{recent}"
    );

    // Taken out of the archive: gone from the next search too.
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "UPDATE list_messages SET state = 'held' WHERE id = $1",
        older
    )
    .unwrap();
    drop(conn);
    let held = visitor.get("/lists/organizers/archive?q=VENUE").await;
    assert_eq!(result_ids(&held.body), [newer]);
    assert!(!held.body.contains("A venue downtown"), "{}", held.body);
}
