//! The blog's API: posts written, changed, submitted and commented on with
//! a bearer token follow the same rules as the pages (trust, review, the
//! substance check, first comments held), are read back as JSON with safe
//! HTML, and refused calls change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use serde_json::{Value, json};

const REPORT: &str = "Twenty-five people came to our March meeting.\n\n\
## Talks\n\n\
* **Packaging without tears** — Priya Raman walked through `pyproject.toml`, building wheels with `build` and publishing with trusted publishing. [Slides](https://slides.example.org/packaging)\n\
* **Pandas to Polars** — Sam Ortiz showed how a 40-minute report job dropped to 3 minutes, and where lazy frames surprised him.\n\n\
In the lightning talks we discussed type hints in Django views and a small tool for checking broken links. \
Questions ran long: most were about migrating old setup.py projects.\n\n\
Next month: a beginners' workshop on testing with pytest.";

const BARE: &str = "Meeting on 5 June at 7pm at the library, pizza provided.";

/// Bearer headers of the people of [`site`].
struct People {
    coord: String,
    olu: String,
    ada: String,
    tess: String,
    mo: String,
}

/// A site with the group boston-python organized by olu@example.org and
/// ada@example.org, a trusted author tess@example.org, and a member
/// mo@example.org.
async fn site(app: &TestApp) -> People {
    let mut coord = coordinator(app).await;
    let coord_auth = bearer(app, "coord@example.org").await;
    app.send(call(
        "POST",
        "/api/v1/groups",
        Some(&coord_auth),
        Some(&json!({"name": "Boston Python", "slug": "boston-python", "country": "US", "city": "Boston"})),
    ))
    .await
    .assert_status(StatusCode::CREATED);
    organizer(app, &mut coord, "olu@example.org", "boston-python").await;
    organizer(app, &mut coord, "ada@example.org", "boston-python").await;
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
    member(app, "mo@example.org").await;
    People {
        coord: coord_auth,
        olu: bearer(app, "olu@example.org").await,
        ada: bearer(app, "ada@example.org").await,
        tess: bearer(app, "tess@example.org").await,
        mo: bearer(app, "mo@example.org").await,
    }
}

fn report(title: &str) -> Value {
    json!({
        "title": title,
        "body": REPORT,
        "kind": "meeting_report",
        "group": "boston-python",
        "tags": ["packaging", "polars"],
    })
}

/// Creates a draft as `auth` and returns its slug.
async fn draft(app: &TestApp, auth: &str, post: &Value) -> String {
    let r = app
        .send(call("POST", "/api/v1/posts", Some(auth), Some(post)))
        .await;
    r.assert_status(StatusCode::CREATED);
    r.json()["slug"].as_str().unwrap().to_owned()
}

/// The stored post, its tags, authors and revisions, for "nothing changed" checks.
async fn stored_post(app: &TestApp, slug: &str) -> Vec<String> {
    use convene_store::{run, sqlx};
    let mut conn = app.svc().db.conn().await.unwrap();
    let row = convene_store::posts::by_slug(conn.ex(), slug)
        .await
        .unwrap()
        .unwrap();
    let tags = convene_store::posts::tags(conn.ex(), row.id).await.unwrap();
    let authors = convene_store::posts::authors(conn.ex(), row.id)
        .await
        .unwrap();
    let revisions: Vec<(i64, Option<i64>, String, String, String)> = run!(conn.ex(), |c| {
        sqlx::query_as(
            "SELECT id, user_id, title, summary, body FROM post_revisions WHERE post_id = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(c)
        .await
    })
    .unwrap();
    vec![
        format!("{row:?}"),
        format!("{tags:?}"),
        format!("{authors:?}"),
        format!("{revisions:?}"),
    ]
}

/// How many posts and revisions are stored.
async fn stored_counts(app: &TestApp) -> (i64, i64) {
    use convene_store::{run, sqlx};
    let mut conn = app.svc().db.conn().await.unwrap();
    let posts = run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM posts"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    let revisions = run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM post_revisions"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    (posts, revisions)
}

fn slugs(list: &Value) -> Vec<&str> {
    list["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_trusted_author_creates_updates_and_publishes_a_post() {
    let app = TestApp::new().await;
    let p = site(&app).await;

    let r = app
        .send(call(
            "POST",
            "/api/v1/posts",
            Some(&p.tess),
            Some(&report("March meeting: packaging and Polars")),
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    let post = r.json();
    let slug = "march-meeting-packaging-and-polars";
    assert_eq!(post["slug"], slug);
    assert_eq!(
        r.location(),
        format!("http://convene.test/api/v1/posts/{slug}")
    );
    assert_eq!(post["state"], "draft");
    assert_eq!(post["kind"], "meeting_report");
    assert_eq!(post["group"], "boston-python");
    assert_eq!(post["group_name"], "Boston Python");
    assert_eq!(post["tags"], json!(["packaging", "polars"]));
    assert_eq!(post["authors"], json!(["Tess Trusted"]));
    assert_eq!(post["created_at"], "2026-11-26T12:00:00Z");
    assert_eq!(post["published_at"], Value::Null);
    assert_eq!(post["body"], REPORT);
    assert!(
        post["html"]
            .as_str()
            .unwrap()
            .contains("<strong>Packaging without tears</strong>"),
        "{post}"
    );
    let summary = post["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Twenty-five people came to our March meeting. Talks Packaging"),
        "without a summary of its own, the start of the text: {summary}"
    );
    assert!(summary.ends_with('…') && summary.chars().count() == 281);
    assert_eq!(post["url"], format!("http://convene.test/blog/{slug}"));
    // Its Location answers with the same post.
    assert_eq!(
        app.send(call(
            "GET",
            &format!("/api/v1/posts/{slug}"),
            Some(&p.tess),
            None
        ))
        .await
        .json(),
        post
    );
    // A draft is its authors' alone.
    app.send(call("GET", &format!("/api/v1/posts/{slug}"), None, None))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send(call(
        "GET",
        &format!("/api/v1/posts/{slug}"),
        Some(&p.mo),
        None,
    ))
    .await
    .assert_status(StatusCode::NOT_FOUND);
    assert!(
        slugs(
            &app.send(call("GET", "/api/v1/posts", None, None))
                .await
                .json()
        )
        .is_empty()
    );

    app.advance(chrono::Duration::hours(1));
    let mut changed = report("March meeting: packaging and Polars");
    changed["summary"] = json!("Two talks: packaging without tears, and pandas to Polars.");
    changed["tags"] = json!(["packaging", "polars", "data"]);
    let r = app
        .send(call(
            "PUT",
            &format!("/api/v1/posts/{slug}"),
            Some(&p.tess),
            Some(&changed),
        ))
        .await;
    r.assert_status(StatusCode::OK);
    let post = r.json();
    assert_eq!(
        post["summary"],
        "Two talks: packaging without tears, and pandas to Polars."
    );
    assert_eq!(post["tags"], json!(["data", "packaging", "polars"]));
    assert_eq!(post["updated_at"], "2026-11-26T13:00:00Z");
    assert_eq!(post["state"], "draft");
    let (_, revisions) = stored_counts(&app).await;
    assert_eq!(revisions, 2, "the change is kept as a second revision");

    app.advance(chrono::Duration::hours(1));
    let r = app
        .send(call(
            "POST",
            &format!("/api/v1/posts/{slug}/publish"),
            Some(&p.tess),
            None,
        ))
        .await;
    r.assert_status(StatusCode::OK);
    let post = r.json();
    assert_eq!(post["state"], "published");
    assert_eq!(post["published_at"], "2026-11-26T14:00:00Z");

    // Now anyone reads it, and the filters find it.
    let public = app
        .send(call("GET", &format!("/api/v1/posts/{slug}"), None, None))
        .await;
    public.assert_status(StatusCode::OK);
    assert_eq!(public.json()["state"], "published");
    for query in [
        "",
        "?group=boston-python",
        "?kind=meeting_report",
        "?tag=data",
        "?tag=%23Data&limit=1",
    ] {
        let list = app
            .send(call("GET", &format!("/api/v1/posts{query}"), None, None))
            .await
            .json();
        assert_eq!(slugs(&list), [slug], "{query}");
        assert_eq!(list["next"], Value::Null);
        assert_eq!(list["posts"][0]["authors"], json!(["Tess Trusted"]));
        assert!(
            list["posts"][0].get("body").is_none(),
            "lists leave out the body"
        );
    }
    for query in ["?tag=django", "?kind=interview"] {
        let list = app
            .send(call("GET", &format!("/api/v1/posts{query}"), None, None))
            .await
            .json();
        assert!(slugs(&list).is_empty(), "{query}");
    }
    let r = app
        .send(call("GET", "/api/v1/posts?group=nowhere", None, None))
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    let r = app
        .send(call("GET", "/api/v1/posts?kind=poem", None, None))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "kind");
}

#[tokio::test]
async fn an_untrusted_organizers_post_goes_to_review_and_is_seen_only_by_those_allowed() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let slug = draft(&app, &p.olu, &report("Our March meeting")).await;

    let r = app
        .send(call(
            "POST",
            &format!("/api/v1/posts/{slug}/publish"),
            Some(&p.olu),
            Some(&json!({})),
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json()["state"], "in_review");
    assert_eq!(r.json()["published_at"], Value::Null);

    // Not published: not listed, not readable by others.
    assert!(
        slugs(
            &app.send(call("GET", "/api/v1/posts", None, None))
                .await
                .json()
        )
        .is_empty()
    );
    for who in [None, Some(p.mo.as_str()), Some(p.ada.as_str())] {
        app.send(call("GET", &format!("/api/v1/posts/{slug}"), who, None))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Its author and the coordinators find it among the posts in review.
    for who in [&p.olu, &p.coord] {
        let list = app
            .send(call("GET", "/api/v1/posts?state=review", Some(who), None))
            .await;
        list.assert_status(StatusCode::OK);
        assert_eq!(slugs(&list.json()), [slug.as_str()]);
        assert_eq!(list.json()["posts"][0]["state"], "in_review");
    }
    for who in [&p.mo, &p.ada] {
        let list = app
            .send(call("GET", "/api/v1/posts?state=review", Some(who), None))
            .await
            .json();
        assert!(slugs(&list).is_empty());
    }
    let r = app
        .send(call("GET", "/api/v1/posts?state=review", None, None))
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    let r = app
        .send(call(
            "GET",
            "/api/v1/posts?state=archived",
            Some(&p.coord),
            None,
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "state");
    // Drafts are listed apart.
    let other = draft(&app, &p.olu, &report("Our April meeting")).await;
    let list = app
        .send(call("GET", "/api/v1/posts?state=draft", Some(&p.olu), None))
        .await
        .json();
    assert_eq!(slugs(&list), [other.as_str()]);
}

#[tokio::test]
async fn a_bare_logistics_post_is_held_back_with_advice_until_sent_anyway() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let post = json!({
        "title": "June meeting",
        "body": BARE,
        "kind": "announcement",
        "group": "boston-python",
    });
    // Held back even for a trusted author: the check is about the post.
    for who in [&p.olu, &p.tess] {
        let slug = draft(&app, who, &post).await;
        let before = (stored_post(&app, &slug).await, app.fingerprint().await);
        let r = app
            .send(call(
                "POST",
                &format!("/api/v1/posts/{slug}/publish"),
                Some(who),
                None,
            ))
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let err = r.json();
        assert_eq!(err["error"]["code"], "held_back");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("\"anyway\": true"),
            "{err}"
        );
        let advice = err["error"]["advice"].as_array().unwrap();
        assert!(!advice.is_empty(), "{err}");
        assert!(advice.iter().all(|a| !a.as_str().unwrap().is_empty()));
        assert_eq!(
            (stored_post(&app, &slug).await, app.fingerprint().await),
            before,
            "a held post stays as it was"
        );

        let r = app
            .send(call(
                "POST",
                &format!("/api/v1/posts/{slug}/publish"),
                Some(who),
                Some(&json!({"anyway": true})),
            ))
            .await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.json()["state"], "in_review");
    }
    let r = app
        .send(call(
            "POST",
            "/api/v1/posts/june-meeting/publish",
            Some(&p.olu),
            Some(&json!({"anyway": "please"})),
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "invalid");
}

#[tokio::test]
async fn editing_someone_elses_post_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let slug = draft(&app, &p.olu, &report("Our March meeting")).await;
    let mut hijack = report("Hijacked");
    hijack["body"] = json!("Replaced by someone else.");
    let before = (
        stored_post(&app, &slug).await,
        stored_counts(&app).await,
        app.fingerprint().await,
    );

    // A co-organizer of the same group, a trusted author and a member: none
    // of them wrote it.
    for who in [&p.ada, &p.tess, &p.mo] {
        let r = app
            .send(call(
                "PUT",
                &format!("/api/v1/posts/{slug}"),
                Some(who),
                Some(&hijack),
            ))
            .await;
        r.assert_status(StatusCode::FORBIDDEN);
        let err = r.json();
        assert_eq!(err["error"]["code"], "forbidden");
        assert_eq!(
            err["error"]["message"],
            "You are not an author of this post: only its authors and coordinators may change or submit it."
        );
        let r = app
            .send(call(
                "POST",
                &format!("/api/v1/posts/{slug}/publish"),
                Some(who),
                None,
            ))
            .await;
        r.assert_status(StatusCode::FORBIDDEN);
    }
    // Its author may not move it to a group they do not write about.
    let mut elsewhere = report("Our March meeting");
    app.send(call(
        "POST",
        "/api/v1/groups",
        Some(&p.coord),
        Some(&json!({"name": "Paris Python", "slug": "paris-python", "country": "FR", "city": "Paris"})),
    ))
    .await
    .assert_status(StatusCode::CREATED);
    let before = (before.0, before.1, app.fingerprint().await);
    elsewhere["group"] = json!("paris-python");
    let r = app
        .send(call(
            "PUT",
            &format!("/api/v1/posts/{slug}"),
            Some(&p.olu),
            Some(&elsewhere),
        ))
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only under a group you write about"),
        "{}",
        r.body
    );
    assert_eq!(
        (
            stored_post(&app, &slug).await,
            stored_counts(&app).await,
            app.fingerprint().await
        ),
        before
    );

    // A coordinator may change anyone's post.
    app.send(call(
        "PUT",
        &format!("/api/v1/posts/{slug}"),
        Some(&p.coord),
        Some(&report("Our March meeting, edited")),
    ))
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(stored_counts(&app).await, (1, 2));
}

#[tokio::test]
async fn script_in_a_body_is_stored_as_written_and_rendered_safe() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let body = format!(
        "{REPORT}\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">here</a>"
    );
    let mut post = report("March meeting");
    post["body"] = json!(body);
    let slug = draft(&app, &p.tess, &post).await;
    app.send(call(
        "POST",
        &format!("/api/v1/posts/{slug}/publish"),
        Some(&p.tess),
        None,
    ))
    .await
    .assert_status(StatusCode::OK);

    let got = app
        .send(call("GET", &format!("/api/v1/posts/{slug}"), None, None))
        .await
        .json();
    assert_eq!(
        got["body"],
        body.as_str(),
        "the Markdown is kept as written"
    );
    let html = got["html"].as_str().unwrap();
    for bad in ["<script", "alert(1)", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("<h2>Talks</h2>"), "{html}");
    assert!(
        html.contains(
            "<a href=\"https://slides.example.org/packaging\" rel=\"nofollow ugc noopener\">Slides</a>"
        ),
        "{html}"
    );
}

#[tokio::test]
async fn oversized_and_malformed_posts_get_clear_errors_and_store_nothing() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let before = (stored_counts(&app).await, app.fingerprint().await);

    // Just over the 200,000-byte limit on the Markdown.
    let mut post = report("Too long");
    post["body"] = json!(format!("{REPORT}\n\n{}", "a".repeat(200_000)));
    let r = app
        .send(call("POST", "/api/v1/posts", Some(&p.tess), Some(&post)))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let err = r.json();
    assert_eq!(err["error"]["field"], "body");
    assert_eq!(
        err["error"]["message"],
        "The post is longer than 200,000 characters; split it into parts."
    );
    // Far over what the endpoint reads at all.
    post["body"] = json!("a".repeat(2 * 1024 * 1024));
    let r = app
        .send(call("POST", "/api/v1/posts", Some(&p.tess), Some(&post)))
        .await;
    r.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"]["field"], "body");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than this endpoint accepts")
    );
    // Other bad input.
    for (bad, field) in [
        (
            json!({"title": "", "body": REPORT, "kind": "meeting_report"}),
            "title",
        ),
        (
            json!({"title": "Hi", "body": REPORT, "kind": "poem"}),
            "kind",
        ),
        (
            json!({"title": "Hi", "body": REPORT, "kind": "article", "tags": ["two words"]}),
            "tags",
        ),
        (
            json!({"title": "Hi", "body": REPORT, "kind": "article", "group": "nowhere"}),
            "group",
        ),
        (json!({"title": 5}), "body"),
    ] {
        let r = app
            .send(call("POST", "/api/v1/posts", Some(&p.tess), Some(&bad)))
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["field"], field, "{bad}");
    }
    // A member writes no posts.
    let r = app
        .send(call(
            "POST",
            "/api/v1/posts",
            Some(&p.mo),
            Some(&report("Mine")),
        ))
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"]["message"],
        "You do not have permission to write about this group: its organizers, trusted authors and coordinators do."
    );
    assert_eq!((stored_counts(&app).await, app.fingerprint().await), before);
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401_and_store_nothing() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let slug = draft(&app, &p.tess, &report("March meeting")).await;
    let before = (
        stored_post(&app, &slug).await,
        stored_counts(&app).await,
        app.fingerprint().await,
    );
    let post_path = format!("/api/v1/posts/{slug}");
    let publish_path = format!("/api/v1/posts/{slug}/publish");
    let comments_path = format!("/api/v1/posts/{slug}/comments");
    let calls = [
        ("POST", "/api/v1/posts", Some(report("Sneaky"))),
        ("PUT", post_path.as_str(), Some(report("Sneaky"))),
        ("POST", publish_path.as_str(), None),
        ("POST", comments_path.as_str(), Some(json!({"body": "Hi"}))),
    ];
    for auth in [None, Some("Bearer not-a-token"), Some("Basic abc")] {
        for (method, path, body) in &calls {
            let r = app.send(call(method, path, auth, body.as_ref())).await;
            r.assert_status(StatusCode::UNAUTHORIZED);
            assert_eq!(r.json()["error"]["code"], "not_signed_in");
            assert_eq!(
                r.headers[header::WWW_AUTHENTICATE],
                "Bearer realm=\"convene\""
            );
        }
    }
    // A token that is sent must be valid, even for reading.
    app.send(call(
        "GET",
        "/api/v1/posts",
        Some("Bearer not-a-token"),
        None,
    ))
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        (
            stored_post(&app, &slug).await,
            stored_counts(&app).await,
            app.fingerprint().await
        ),
        before
    );
}

#[tokio::test]
async fn members_comment_and_a_new_accounts_first_comment_waits() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let slug = draft(&app, &p.tess, &report("March meeting")).await;
    let path = format!("/api/v1/posts/{slug}/comments");

    // Not on a draft.
    let r = app
        .send(call(
            "POST",
            &path,
            Some(&p.mo),
            Some(&json!({"body": "Early!"})),
        ))
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    app.send(call(
        "POST",
        &format!("/api/v1/posts/{slug}/publish"),
        Some(&p.tess),
        None,
    ))
    .await
    .assert_status(StatusCode::OK);

    // A new account's first comment is held, not listed.
    let r = app
        .send(call(
            "POST",
            &path,
            Some(&p.mo),
            Some(&json!({"body": "Great talks, thanks for the **slides**!"})),
        ))
        .await;
    r.assert_status(StatusCode::ACCEPTED);
    assert_eq!(r.json()["state"], "held");
    let list = app.send(call("GET", &path, None, None)).await;
    list.assert_status(StatusCode::OK);
    assert_eq!(list.json(), json!([]));

    // A coordinator's comment is shown at once.
    let r = app
        .send(call(
            "POST",
            &path,
            Some(&p.coord),
            Some(&json!({"body": "Thanks for writing this up. <script>alert(1)</script>"})),
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(r.json()["state"], "visible");
    let list = app.send(call("GET", &path, None, None)).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["author"], "Cora Coordinator");
    assert_eq!(
        list[0]["body"],
        "Thanks for writing this up. <script>alert(1)</script>"
    );
    assert!(!list[0]["html"].as_str().unwrap().contains("<script"));
    assert_eq!(list[0]["created_at"], "2026-11-26T12:00:00Z");

    // Once a moderator shows the first, the member's next is shown at once.
    let held =
        convene_app::blog::moderation_queue(app.svc(), &actor(&app, "coord@example.org").await)
            .await
            .unwrap();
    assert_eq!(held.len(), 1);
    convene_app::blog::moderate(
        app.svc(),
        &actor(&app, "coord@example.org").await,
        held[0].id,
        convene_app::blog::Moderation::Approve,
    )
    .await
    .unwrap();
    let r = app
        .send(call(
            "POST",
            &path,
            Some(&p.mo),
            Some(&json!({"body": "One more question about wheels."})),
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    let list = app.send(call("GET", &path, None, None)).await.json();
    let bodies: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Great talks, thanks for the **slides**!",
            "Thanks for writing this up. <script>alert(1)</script>",
            "One more question about wheels."
        ]
    );

    // Empty comments are refused and change nothing.
    let before = app.fingerprint().await;
    let r = app
        .send(call(
            "POST",
            &path,
            Some(&p.mo),
            Some(&json!({"body": "  "})),
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "body");
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(
        app.send(call("GET", &path, None, None))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn lists_page_newest_first_by_cursor_or_page_number() {
    let app = TestApp::new().await;
    let p = site(&app).await;
    let mut published = Vec::new();
    for (i, title) in ["First", "Second", "Third", "Fourth", "Fifth"]
        .into_iter()
        .enumerate()
    {
        let slug = draft(&app, &p.tess, &report(&format!("{title} meeting"))).await;
        app.send(call(
            "POST",
            &format!("/api/v1/posts/{slug}/publish"),
            Some(&p.tess),
            None,
        ))
        .await
        .assert_status(StatusCode::OK);
        published.push(slug);
        // Two of them share their moment of publication.
        if i != 2 {
            app.advance(chrono::Duration::minutes(5));
        }
    }
    published.reverse();
    let newest_first: Vec<&str> = published.iter().map(String::as_str).collect();

    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(n) => format!("/api/v1/posts?limit=2&before={n}"),
            None => "/api/v1/posts?limit=2".to_owned(),
        };
        let page = app.send(call("GET", &path, None, None)).await.json();
        seen.extend(slugs(&page).into_iter().map(str::to_owned));
        match page["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);

    let page2 = app
        .send(call("GET", "/api/v1/posts?limit=2&page=2", None, None))
        .await
        .json();
    assert_eq!(slugs(&page2), &newest_first[2..4]);
    assert_eq!(page2["next"], newest_first[3]);
    let all = app
        .send(call("GET", "/api/v1/posts?limit=1000", None, None))
        .await
        .json();
    assert_eq!(slugs(&all), newest_first);

    for bad in [
        "/api/v1/posts?before=first-meeting&page=2",
        "/api/v1/posts?before=no-such-post",
    ] {
        let r = app.send(call("GET", bad, None, None)).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["code"], "invalid", "{bad}");
    }
    let r = app
        .send(call("GET", "/api/v1/posts?limit=many", None, None))
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["field"], "query");
    // A draft's slug is no cursor for those who may not read it.
    let hidden = draft(&app, &p.olu, &report("Unfinished")).await;
    let r = app
        .send(call(
            "GET",
            &format!("/api/v1/posts?before={hidden}"),
            None,
            None,
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "before");
}

#[tokio::test]
async fn the_openapi_document_describes_the_posts_api() {
    let app = TestApp::new().await;
    let doc = app
        .send(call("GET", "/api/v1/openapi.json", None, None))
        .await
        .json();
    for (path, methods) in [
        ("/api/v1/posts", &["get", "post"][..]),
        ("/api/v1/posts/{slug}", &["get", "put"][..]),
        ("/api/v1/posts/{slug}/publish", &["post"][..]),
        ("/api/v1/posts/{slug}/comments", &["get", "post"][..]),
    ] {
        for method in methods {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} missing"
            );
        }
    }
    assert!(doc["paths"]["/api/v1/posts"]["post"]["security"].is_array());
    assert!(doc["paths"]["/api/v1/posts/{slug}/publish"]["post"]["responses"]["422"].is_object());
    let params = doc["paths"]["/api/v1/posts"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for name in ["group", "kind", "tag", "state", "limit", "before", "page"] {
        let param = params.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(param["in"], "query", "{name}");
    }
    for schema in [
        "PostOut",
        "PostSummaryOut",
        "PostList",
        "PostIn",
        "PublishIn",
        "ErrorBody",
        "CommentOut",
        "CommentIn",
        "CommentedOut",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}
