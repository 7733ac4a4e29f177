//! The shared blog as its users meet it: an organizer writes a meeting
//! report, the substance check holds back a bare announcement, coordinators
//! review, published posts are listed and in valid feeds, and bad input
//! changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

const REPORT: &str = "Twenty-five people came to our March meeting.\n\n\
## Talks\n\n\
* **Packaging without tears** — Priya Raman walked through `pyproject.toml`, building wheels with `build` and publishing with trusted publishing. [Slides](https://slides.example.org/packaging)\n\
* **Pandas to Polars** — Sam Ortiz showed how a 40-minute report job dropped to 3 minutes, and where lazy frames surprised him.\n\n\
In the lightning talks we discussed type hints in Django views and a small tool for checking broken links. \
Questions ran long: most were about migrating old setup.py projects.\n\n\
Next month: a beginners' workshop on testing with pytest.";

const BARE: &str = "Meeting on 5 June at 7pm at the library, pizza provided.";

fn post<'a>(title: &'a str, body: &'a str, group: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("body", body),
        ("kind", "meeting_report"),
        ("group", group),
        ("tags", "packaging, polars"),
    ]
}

#[tokio::test]
async fn an_organizers_report_is_reviewed_published_listed_and_in_valid_feeds() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;

    // A bare announcement is held back with advice, and nothing changes.
    let r = olu
        .submit("/blog/new", &post("June meeting", BARE, "boston-python"))
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let bare = r.post_slug();
    let before = app.fingerprint().await;
    let held = olu.submit(&format!("/blog/{bare}/submit"), &[]).await;
    assert_eq!(
        held.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        held.body
    );
    held.assert_contains("does not yet say what happened")
        .assert_contains("Submit for review anyway");
    assert_eq!(app.fingerprint().await, before);
    // Submitted anyway, it waits for a coordinator.
    olu.submit(&format!("/blog/{bare}/submit"), &[("anyway", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // The real report passes the check and, from an untrusted author, goes to review.
    let r = olu
        .submit(
            "/blog/new",
            &post("March: packaging and Polars", REPORT, "boston-python"),
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let slug = r.post_slug();
    assert_eq!(slug, "march-packaging-and-polars");
    let r = olu.submit(&format!("/blog/{slug}/submit"), &[]).await;
    assert_eq!(r.location(), format!("/blog/{slug}?done=post-in-review"));
    let visitor = app
        .send(
            Request::get(format!("/blog/{slug}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        visitor.status,
        StatusCode::NOT_FOUND,
        "not public before review"
    );

    // The coordinator sends the bare one back (the author is emailed) and publishes the report.
    coord
        .submit(
            &format!("/blog/{bare}/review"),
            &[
                ("decision", "send_back"),
                ("note", "Say what was covered, please."),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let mail = app.last_mail_to("olu@example.org");
    assert!(mail.subject.contains("needs a change"), "{}", mail.subject);
    assert!(mail.text.contains("Say what was covered, please."));
    coord
        .submit(&format!("/blog/{slug}/review"), &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Listed everywhere it belongs; the page carries microformats and OpenGraph.
    let mut reader = app.client();
    for path in [
        "/blog",
        "/groups/boston-python/blog",
        "/blog/kind/meeting_report",
        "/blog/tag/polars",
    ] {
        reader
            .get(path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("March: packaging and Polars");
    }
    let page = reader.get(&format!("/blog/{slug}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("class=\"h-entry post\"")
        .assert_contains("og:title")
        .assert_contains("<h2>Talks</h2>")
        .assert_contains("rel=\"alternate\" type=\"application/atom+xml\"");

    // The feeds parse with an independent reader, with stable ids and authors.
    for path in [
        "/blog/feed.atom",
        "/blog/feed.rss",
        "/blog/feed.json",
        "/groups/boston-python/blog/feed.atom",
        "/blog/kind/meeting_report/feed.rss",
        "/blog/tag/polars/feed.json",
    ] {
        let r = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let feed =
            feed_rs::parser::parse(r.body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(feed.entries.len(), 1, "{path}");
        let entry = &feed.entries[0];
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            "March: packaging and Polars"
        );
        assert!(
            entry.id.ends_with(&format!("/blog/{slug}")),
            "{path}: {}",
            entry.id
        );
        assert!(
            entry
                .authors
                .iter()
                .any(|a| a.name.as_deref() == Some("Olu Organizer")),
            "{path}"
        );
        let etag = r.headers[header::ETAG].to_str().unwrap().to_owned();
        let again = app
            .send(
                Request::get(path)
                    .header(header::IF_NONE_MATCH, &etag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
    }
}

#[tokio::test]
async fn bad_posts_get_clear_errors_and_change_nothing() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit("/blog/new", &post("Our report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    let before = app.fingerprint().await;

    let huge = "word ".repeat(50_000);
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (post("", REPORT, "boston-python"), "title", "title"),
        (post("Too long", &huge, "boston-python"), "body", "200,000"),
        (post("Elsewhere", REPORT, "pyberlin"), "group", "permission"),
        (
            post("Nowhere", REPORT, "no-such-group"),
            "group",
            "no listed group",
        ),
    ];
    for (form, field, needle) in cases {
        let r = olu.submit("/blog/new", &form).await;
        assert!(r.status.is_client_error(), "{field}: {}", r.status);
        assert!(
            r.body.contains(needle),
            "{field}: expected {needle:?} in {}",
            r.body
        );
        assert_eq!(app.fingerprint().await, before, "{field}");
    }
    // A member cannot write, nor edit someone else's post.
    let mut mo = member(&app, "mo@example.org").await;
    let before = app.fingerprint().await;
    let r = mo.submit("/blog/new", &post("Mine", REPORT, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = mo
        .submit(
            &format!("/blog/{slug}/edit"),
            &post("Hijacked", REPORT, "boston-python"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);

    // Script and raw HTML in Markdown never reach the page.
    let evil = format!(
        "{REPORT}\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [data](data:text/html,hi)"
    );
    coord
        .submit(
            &format!("/blog/{slug}/edit"),
            &post("Our report", &evil, "boston-python"),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = coord.get(&format!("/blog/{slug}")).await;
    for bad in ["<script>alert", "onerror", "javascript:", "data:text"] {
        assert!(!page.body.contains(bad), "{bad} reached the page");
    }
}

#[tokio::test]
async fn trusted_authors_publish_at_once_and_stories_filter_by_place() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let story = "Boston Python started in 2005 when a handful of people met in a bar to talk about \
        Django, Twisted and the new Python 2.4 decorators. The first talks were lightning talks; \
        within a year project nights began, where beginners pair with experienced developers \
        on their own code. Today the group runs workshops for newcomers and a study group on \
        data science, and every talk is recorded.";
    let r = coord
        .submit(
            "/blog/new",
            &[
                ("title", "How Boston Python started"),
                ("body", story),
                ("kind", "how_we_started"),
                ("group", "boston-python"),
            ],
        )
        .await;
    let slug = r.post_slug();
    let r = coord.submit(&format!("/blog/{slug}/submit"), &[]).await;
    assert_eq!(
        r.location(),
        format!("/blog/{slug}?done=post-published"),
        "a coordinator is a trusted author"
    );
    // A trusted author, invited by a coordinator, publishes without review too.
    coord
        .submit(
            "/invite",
            &[
                ("email", "tess@example.org"),
                ("role", "trusted_author"),
                ("scope", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail("tess@example.org", "/invitations/");
    let mut tess = app.client();
    tess.ip = "203.0.113.90".into();
    tess.submit(
        &link,
        &[
            ("display_name", "Tess Trusted"),
            ("password", "orange lantern meadow"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let r = tess
        .submit(
            "/blog/new",
            &[
                ("title", "Interview with a founder"),
                ("body", story),
                ("kind", "interview"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let tess_slug = r.post_slug();
    let r = tess.submit(&format!("/blog/{tess_slug}/submit"), &[]).await;
    assert_eq!(
        r.location(),
        format!("/blog/{tess_slug}?done=post-published")
    );

    let mut c = app.client();
    c.get("/stories")
        .await
        .assert_contains("How Boston Python started")
        .assert_contains("Interview with a founder");
    c.get("/stories?continent=NA&country=US")
        .await
        .assert_contains("How Boston Python started");
    let europe = c.get("/stories?continent=EU").await;
    assert!(!europe.body.contains("How Boston Python started"));
    let bad = c.get("/stories?country=Atlantis").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("We do not know this country");
}

#[tokio::test]
async fn comments_are_moderated_and_bots_and_floods_are_refused() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit("/blog/new", &post("March report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    olu.submit(&format!("/blog/{slug}/submit"), &[]).await;
    coord
        .submit(&format!("/blog/{slug}/review"), &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut mo = member(&app, "mo@example.org").await;
    let shown = (app.now() - chrono::Duration::seconds(30))
        .timestamp()
        .to_string();
    let comment = |body: &'static str| vec![("body", body), ("website", ""), ("shown_at", "")];

    // Bots: a filled honeypot or a form sent at once is refused, and nothing is stored.
    let before = app.fingerprint().await;
    let mut bot = comment("Buy now");
    bot[1].1 = "http://spam.example";
    bot[2].1 = &shown;
    let r = mo.submit(&format!("/blog/{slug}/comments"), &bot).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("too quick to be typed by a person");
    let now = app.now().timestamp().to_string();
    let mut fast = comment("Fast");
    fast[2].1 = &now;
    let r = mo.submit(&format!("/blog/{slug}/comments"), &fast).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.fingerprint().await, before);

    // A first comment waits for a moderator: the group's organizer approves it.
    let mut first =
        comment("Thanks! <script>alert(1)</script> The [slides](javascript:alert(2)) helped.");
    first[2].1 = &shown;
    let r = mo.submit(&format!("/blog/{slug}/comments"), &first).await;
    assert!(
        r.location().contains("done=comment-held"),
        "{}",
        r.location()
    );
    let page = app.client().get(&format!("/blog/{slug}")).await;
    assert!(!page.body.contains("helped"), "held comments are not shown");
    let queue = olu.get("/blog/moderation").await;
    queue.assert_contains("helped");
    let id = queue
        .body
        .split("/comments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    olu.submit(
        &format!("/comments/{id}/moderate"),
        &[("decision", "approve")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = app.client().get(&format!("/blog/{slug}")).await;
    page.assert_contains("helped");
    assert!(!page.body.contains("<script>alert"));
    assert!(!page.body.contains("javascript:"));
    app.drain_jobs().await;
    let mail = app.last_mail_to("olu@example.org");
    assert!(mail.subject.starts_with("New comment"), "{}", mail.subject);

    // Later comments appear at once; a flood is stopped.
    let mut second = comment("And the Polars part was great.");
    second[2].1 = &shown;
    let r = mo.submit(&format!("/blog/{slug}/comments"), &second).await;
    assert!(
        r.location().contains("done=comment-shown"),
        "{}",
        r.location()
    );
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = mo
            .submit(&format!("/blog/{slug}/comments"), &second)
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    // A member cannot moderate; a banned writer cannot comment again.
    let r = mo
        .submit(&format!("/comments/{id}/moderate"), &[("decision", "hide")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    coord
        .submit(&format!("/comments/{id}/moderate"), &[("decision", "ban")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = app.client().get(&format!("/blog/{slug}")).await;
    assert!(
        !page.body.contains("helped"),
        "a banned writer's comments are hidden"
    );
    app.clock.advance(chrono::Duration::hours(1));
    let shown = (app.now() - chrono::Duration::seconds(30))
        .timestamp()
        .to_string();
    let mut again = comment("Let me back in");
    again[2].1 = &shown;
    let r = mo.submit(&format!("/blog/{slug}/comments"), &again).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn subscribers_get_published_posts_by_email_and_leave_in_one_click() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    mo.submit("/blog/subscribe", &[("group", "")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mo.submit("/blog/subscribe", &[("group", "boston-python")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let r = coord
        .submit("/blog/new", &post("March report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    coord.submit(&format!("/blog/{slug}/submit"), &[]).await;
    app.drain_jobs().await;
    // One email although subscribed twice; the job run again sends nothing more.
    convene_app::blog::fan_out(app.svc(), 1).await.unwrap();
    app.drain_jobs().await;
    let to_mo: Vec<_> = app
        .mail()
        .into_iter()
        .filter(|m| m.to == "mo@example.org" && m.subject == "March report")
        .collect();
    assert_eq!(to_mo.len(), 1);
    let mail = &to_mo[0];
    let unsubscribe = mail.unsubscribe.clone().expect("an unsubscribe link");
    let raw = mail.to_message().unwrap().formatted();
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains(&format!("List-Unsubscribe: <{unsubscribe}>")),
        "{raw}"
    );
    assert!(
        raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );

    // The mail program posts to the link, without cookies or a form token.
    let path = unsubscribe
        .trim_start_matches("http://convene.test")
        .to_owned();
    let r = app
        .send(
            Request::post(path.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://mail.example")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app
        .send(Request::post(path.as_str()).body(Body::empty()).unwrap())
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    let subs =
        convene_app::blog::subscriptions(app.svc(), actor(&app, "mo@example.org").await.user_id)
            .await
            .unwrap();
    assert_eq!(
        subs,
        vec![String::new()],
        "only the group subscription (whose link was in the mail) ended"
    );
}

#[tokio::test]
async fn published_posts_can_be_unlisted_and_archived_without_breaking_their_link() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit(
            "/blog/new",
            &post("March: packaging and Polars", REPORT, "boston-python"),
        )
        .await;
    let slug = r.post_slug();
    let page = format!("/blog/{slug}");
    let visibility = format!("/blog/{slug}/visibility");

    // Not yet through review: it cannot be unlisted instead.
    let before = app.fingerprint().await;
    let r = olu.submit(&visibility, &[("state", "unlisted")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    r.assert_contains("submit it first");
    assert_eq!(app.fingerprint().await, before);

    olu.submit(&format!("/blog/{slug}/submit"), &[]).await;
    coord
        .submit(&format!("/blog/{slug}/review"), &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut visitor = app.client();
    // A group's post names the group's next meeting.
    assert!(
        !visitor
            .get(&page)
            .await
            .body
            .contains("Next Boston Python meeting")
    );
    let cal = convene_app::calendars::calendar(app.svc(), "boston-python")
        .await
        .unwrap();
    convene_app::calendars::create_event(
        app.svc(),
        &actor(&app, "olu@example.org").await,
        &cal,
        &convene_app::calendars::EventInput {
            title: "April project night".into(),
            start: "2026-12-08T19:00".into(),
            end: "2026-12-08T21:00".into(),
            tz: "America/New_York".into(),
            status: "confirmed".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    visitor
        .get(&page)
        .await
        .assert_contains("Next Boston Python meeting: <a class=\"p-name u-url\" href=\"/events/");
    let listed = |body: &str| body.contains(&format!("href=\"/blog/{slug}\""));
    assert!(listed(&visitor.get("/blog").await.body));
    assert!(visitor.get("/blog/feed.atom").await.body.contains(&slug));

    // Strangers and wrong values change nothing.
    let mut mo = member(&app, "mo@example.org").await;
    let before = app.fingerprint().await;
    // A published post is not sent back through the review form.
    let r = coord
        .submit(
            &format!("/blog/{slug}/review"),
            &[("decision", "send_back"), ("note", "Take it down")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    r.assert_contains("not waiting for review");
    let r = mo.submit(&visibility, &[("state", "archived")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = olu.submit(&visibility, &[("state", "draft")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("on the blog, only by its link, or archived");
    let r = olu.submit(&visibility, &[("state", "hidden")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    // Unlisted: readable by its link, open to comments, but in no listing or feed.
    olu.submit(&visibility, &[("state", "unlisted")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let shown = visitor.get(&page).await;
    shown
        .assert_status(StatusCode::OK)
        .assert_contains("<meta name=\"robots\" content=\"noindex\">")
        .assert_contains("Sign in</a> to comment");
    assert!(!listed(&visitor.get("/blog").await.body));
    assert!(!listed(
        &visitor.get("/groups/boston-python/blog").await.body
    ));
    assert!(!visitor.get("/blog/feed.atom").await.body.contains(&slug));
    assert!(
        !visitor
            .get("/groups/boston-python/blog/feed.json")
            .await
            .body
            .contains(&slug)
    );

    // Archived: still at its link with a notice, closed to comments.
    olu.submit(&visibility, &[("state", "archived")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let shown = visitor.get(&page).await;
    shown
        .assert_status(StatusCode::OK)
        .assert_contains("archived</strong>: kept here for the record");
    assert!(!shown.body.contains("Sign in</a> to comment"));
    assert!(!listed(&visitor.get("/blog").await.body));
    app.advance(chrono::Duration::seconds(30));
    let r = mo
        .submit(
            &format!("/blog/{slug}/comments"),
            &[
                ("body", "Late thoughts."),
                ("shown_at", "0"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // And back on the blog.
    olu.submit(&visibility, &[("state", "published")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(listed(&visitor.get("/blog").await.body));
    assert!(visitor.get("/blog/feed.atom").await.body.contains(&slug));
}

/// Sends `form` to `path` while asking `/livez` again and again on the
/// same task: if the request blocked the thread it runs on, `/livez` could
/// not answer until it was done. Returns the answer, how long it took, and
/// the slowest `/livez`.
async fn while_livez_answers(
    app: &TestApp,
    client: &mut Client<'_>,
    path: &str,
    form: &[(&str, &str)],
) -> (Resp, std::time::Duration, std::time::Duration) {
    let started = std::time::Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let request = async {
        let r = if form.is_empty() {
            client.get(path).await
        } else {
            client.submit(path, form).await
        };
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        (r, started.elapsed())
    };
    let probe = async {
        let mut slowest = std::time::Duration::ZERO;
        let mut probes = app.client();
        let mut asked = 0;
        while asked < 3 || !done.load(std::sync::atomic::Ordering::SeqCst) {
            let t = std::time::Instant::now();
            let r = probes.get("/livez").await;
            assert_eq!(r.status, StatusCode::OK);
            slowest = slowest.max(t.elapsed());
            asked += 1;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        slowest
    };
    let ((r, took), slowest) = tokio::join!(request, probe);
    (r, took, slowest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_markdown_is_refused_quickly_while_the_site_keeps_answering() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit("/blog/new", &post("March report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    olu.submit(&format!("/blog/{slug}/submit"), &[]).await;
    coord
        .submit(&format!("/blog/{slug}/review"), &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // The HTML is rendered once, when the post is saved.
    let row = {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::posts::by_slug(conn.ex(), &slug)
            .await
            .unwrap()
            .unwrap()
    };
    let kept = row.body_html.clone().expect("the post's HTML is kept");
    assert!(kept.contains("<h2>Talks</h2>"), "{kept}");

    let quotes = format!("{}deep", ">".repeat(50_000));
    let lists = format!("{}deep", "- ".repeat(50_000));
    let emphasis = format!("{}deep{}", "*".repeat(50_000), "*".repeat(50_000));
    let mut mo = member(&app, "mo@example.org").await;
    let shown = (app.now() - chrono::Duration::seconds(30))
        .timestamp()
        .to_string();
    let deep_comment = format!("{}deep", ">".repeat(4_000));
    let before = app.fingerprint().await;
    for (name, body) in [
        ("quotes", &quotes),
        ("lists", &lists),
        ("emphasis", &emphasis),
    ] {
        for path in ["/blog/new".to_owned(), format!("/blog/{slug}/edit")] {
            let (r, took, slowest) =
                while_livez_answers(&app, &mut olu, &path, &post("Deep", body, "boston-python"))
                    .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} {path}");
            r.assert_contains("levels deep; at most 32 can be shown");
            assert!(
                took < std::time::Duration::from_secs(2),
                "{name} {path}: {took:?}"
            );
            assert!(
                slowest < std::time::Duration::from_millis(500),
                "{name} {path}: /livez took {slowest:?}"
            );
            assert_eq!(app.fingerprint().await, before, "{name} {path}");
        }
    }
    let form = [
        ("body", deep_comment.as_str()),
        ("website", ""),
        ("shown_at", shown.as_str()),
    ];
    let (r, took, _) =
        while_livez_answers(&app, &mut mo, &format!("/blog/{slug}/comments"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("levels deep");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    assert_eq!(app.fingerprint().await, before);

    // A post saved before the HTML was kept, holding the same text: shown
    // within the bounds on its first read, and its HTML kept from then on.
    {
        let mut tx = app.svc().db.begin().await.unwrap();
        let fields = convene_store::posts::PostFields {
            title: &row.title,
            summary: &row.summary,
            body: &quotes,
            body_html: None,
            kind: &row.kind,
            group_id: row.group_id,
            cover_image: &row.cover_image,
        };
        convene_store::posts::update(tx.ex(), row.id, &fields, app.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let (page, took, slowest) =
        while_livez_answers(&app, &mut mo, &format!("/blog/{slug}"), &[]).await;
    page.assert_status(StatusCode::OK);
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    assert!(
        slowest < std::time::Duration::from_millis(500),
        "{slowest:?}"
    );
    let article = &page.body[page.body.find("deep").unwrap().saturating_sub(2_000)..];
    assert!(page.body.contains("deep"));
    assert!(
        page.body.matches("<blockquote>").count() <= 32,
        "{}",
        page.body.matches("<blockquote>").count()
    );
    assert!(article.contains("<blockquote>"));
    let mut conn = app.svc().db.conn().await.unwrap();
    let kept = convene_store::posts::by_slug(conn.ex(), &slug)
        .await
        .unwrap()
        .unwrap()
        .body_html
        .expect("kept after the first read");
    assert!(kept.contains("deep") && kept.matches("<blockquote>").count() <= 32);
}

#[tokio::test]
async fn a_posts_comments_follow_every_change_from_the_very_next_page() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let r = coord
        .submit("/blog/new", &post("April report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    coord.submit(&format!("/blog/{slug}/submit"), &[]).await;
    let mut reader = app.client();
    reader
        .get(&format!("/blog/{slug}"))
        .await
        .assert_contains("No comments yet.");
    let shown = (app.now() - chrono::Duration::seconds(30))
        .timestamp()
        .to_string();

    // A coordinator's comment is shown at once: the next page has it.
    let form = [
        ("body", "The room is booked for May."),
        ("website", ""),
        ("shown_at", shown.as_str()),
    ];
    let r = coord.submit(&format!("/blog/{slug}/comments"), &form).await;
    assert!(
        r.location().contains("done=comment-shown"),
        "{}",
        r.location()
    );
    let page = reader.get(&format!("/blog/{slug}")).await;
    page.assert_contains("The room is booked for May.")
        .assert_contains("Cora Coordinator");
    assert!(!page.body.contains("No comments yet."));

    // Its writer's new name is shown from the next page on.
    let mut conn = app.svc().db.begin().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "UPDATE users SET display_name = 'Cora Renamed' WHERE email = 'coord@example.org'"
    )
    .unwrap();
    conn.commit().await.unwrap();
    let page = reader.get(&format!("/blog/{slug}")).await;
    // Once in the post's byline and once over the comment.
    assert_eq!(
        page.body.matches("Cora Renamed").count(),
        2,
        "{}",
        page.body
    );
    assert!(!page.body.contains("Cora Coordinator"), "{}", page.body);

    // Hidden by a moderator: gone from the next page.
    let moderating = coord.get(&format!("/blog/{slug}")).await;
    let id = moderating
        .body
        .split("/comments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    coord
        .submit(&format!("/comments/{id}/moderate"), &[("decision", "hide")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = reader.get(&format!("/blog/{slug}")).await;
    assert!(!page.body.contains("The room is booked"), "{}", page.body);
    page.assert_contains("No comments yet.");
}

/// A worker sending through a real SMTP client to the sink on `port`.
fn smtp_worker(app: &TestApp, port: u16) -> convene_app::jobs::Worker {
    use convene_app::jobs::{Registry, Worker, WorkerConfig};
    Worker::new(
        worker_context(app, port),
        Registry::standard(),
        WorkerConfig {
            name: "smtp".into(),
            ..WorkerConfig::default()
        },
    )
}

/// Per recipient, how many messages the sink took for them.
fn copies_per_recipient(inbox: &Inbox) -> std::collections::BTreeMap<String, usize> {
    let mut per = std::collections::BTreeMap::new();
    for (_, to, _) in inbox.lock().unwrap().iter() {
        for t in to {
            *per.entry(t.clone()).or_insert(0) += 1;
        }
    }
    per
}

#[tokio::test]
async fn a_post_reaches_each_subscriber_once_at_a_real_relay_even_when_it_stops_half_way() {
    use convene_app::jobs::BackgroundJob;
    use convene_store::deliveries::{self, Batch, BatchKind};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const N: usize = 24;
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    for i in 0..N {
        let email = format!("reader{i:02}@example.org");
        {
            let mut conn = app.svc().db.conn().await.unwrap();
            convene_store::users::insert(
                conn.ex(),
                &convene_store::users::NewUser {
                    email: &email,
                    display_name: &format!("Reader {i}"),
                    password_hash: None,
                    email_verified_at: Some(app.now()),
                    created_at: app.now(),
                },
            )
            .await
            .unwrap();
        }
        let who = actor(&app, &email).await;
        convene_app::blog::subscribe(app.svc(), &who, None)
            .await
            .unwrap();
        if i == 0 {
            // Subscribed twice, still one copy.
            convene_app::blog::subscribe(app.svc(), &who, Some("boston-python"))
                .await
                .unwrap();
        }
    }
    // The relay takes half the copies, then refuses for now.
    let refuse_after = Arc::new(AtomicUsize::new(N / 2));
    let (port, inbox) = smtp_sink_refusing_after(refuse_after.clone()).await;
    let worker = smtp_worker(&app, port);
    let r = coord
        .submit("/blog/new", &post("March report", REPORT, "boston-python"))
        .await;
    let slug = r.post_slug();
    coord.submit(&format!("/blog/{slug}/submit"), &[]).await;
    let post_id = {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::posts::by_slug(conn.ex(), &slug)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let batch = Batch::new(BatchKind::Post, post_id);
    let counts = || async {
        let mut conn = app.svc().db.conn().await.unwrap();
        deliveries::count(conn.ex(), batch).await.unwrap()
    };
    worker.drain().await.unwrap();
    let first = copies_per_recipient(&inbox);
    assert_eq!(first.len(), N / 2, "{first:?}");
    assert!(first.values().all(|n| *n == 1), "{first:?}");
    let c = counts().await;
    assert_eq!((c.sent, c.queued), (N as i64 / 2, N as i64 / 2));

    // The relay recovers; the job's next try sends the rest only.
    refuse_after.store(usize::MAX, Ordering::SeqCst);
    app.advance(chrono::Duration::hours(1));
    worker.drain().await.unwrap();
    let all = copies_per_recipient(&inbox);
    assert_eq!(all.len(), N, "{all:?}");
    assert!(all.values().all(|n| *n == 1), "each exactly once: {all:?}");
    let c = counts().await;
    assert_eq!((c.sent, c.queued, c.failed), (N as i64, 0, 0));

    // Each copy is the member's own: their address, their unsubscribe link.
    let mut links = std::collections::BTreeSet::new();
    for (_, to, data) in inbox.lock().unwrap().iter() {
        let msg = mail_parser::MessageParser::default().parse(data).unwrap();
        assert_eq!(msg.subject(), Some("March report"));
        let addr = to[0].trim_matches(|c| c == '<' || c == '>');
        let shown = msg.to().unwrap().first().unwrap().address().unwrap();
        assert_eq!(shown, addr);
        let link = msg
            .header_raw("List-Unsubscribe")
            .unwrap()
            .trim()
            .to_owned();
        assert!(
            link.starts_with("<http://convene.test/unsubscribe/"),
            "{link}"
        );
        links.insert(link);
    }
    assert_eq!(links.len(), N, "one unsubscribe link per member");

    // Run again, as after a crash: the ledger holds everyone, nobody gets
    // a second copy.
    assert_eq!(
        convene_app::blog::fan_out(app.svc(), post_id)
            .await
            .unwrap(),
        0
    );
    worker.drain().await.unwrap();
    convene_app::blog::MailNewPost { post_id }
        .run(worker_context(&app, port))
        .await
        .unwrap();
    assert_eq!(inbox.lock().unwrap().len(), N);
    assert_eq!(counts().await.sent, N as i64);
}

/// What a job sending to the sink on `port` is given: a real SMTP client
/// with four connections.
fn worker_context(app: &TestApp, port: u16) -> convene_app::jobs::JobContext {
    let smtp = convene_app::mail::SmtpMailer::from_url_with_connections(
        &format!("smtp://127.0.0.1:{port}"),
        4,
    )
    .unwrap();
    convene_app::jobs::JobContext {
        services: app.svc().clone(),
        mailer: std::sync::Arc::new(smtp),
        fetcher: std::sync::Arc::new(convene_app::net::Fetcher::new(
            convene_app::net::FetchPolicy::default(),
        )),
    }
}
