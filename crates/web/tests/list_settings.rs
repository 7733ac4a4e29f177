//! Starting mailing lists and changing their settings: coordinators start
//! the site's lists, a group's organizers start lists from the group's
//! page; every setting is checked, and a refused form changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

fn settings<'a>(name: &'a str, display_name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("display_name", display_name),
        ("description", "Planning the monthly meetings."),
        ("policy", "open"),
        ("posters", "members"),
        ("archive", "public"),
        ("subject_prefix", "[bospy]"),
        ("footer", "Boston Python: https://example.org"),
        ("reply_to", "list"),
        ("max_megabytes", "1.5"),
    ]
}

#[tokio::test]
async fn an_organizer_starts_a_group_list_from_the_group_page_and_changes_its_settings() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;

    olu.get("/groups/boston-python")
        .await
        .assert_contains("href=\"/lists/new?group=boston-python\"");
    olu.get("/lists/new?group=boston-python")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("@convene.test");
    let mut form = settings("bospy-organizers", "Boston Python organizers");
    form.push(("group", "boston-python"));
    let r = olu.submit("/lists/new", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/lists/bospy-organizers?done=list-created");

    // The group's page offers it to visitors, with a subscribe form.
    let mut visitor = app.client();
    visitor
        .get("/groups/boston-python")
        .await
        .assert_contains("href=\"/lists/bospy-organizers\"")
        .assert_contains("action=\"/lists/bospy-organizers/subscribe\"");
    let page = visitor.get("/lists/bospy-organizers").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Boston Python organizers")
        .assert_contains("bospy-organizers@convene.test")
        .assert_contains("href=\"/groups/boston-python\"")
        .assert_contains("The archive is public.");
    assert!(!page.body.contains("/lists/bospy-organizers/settings"));

    // What was typed is what is stored.
    let list = convene_app::lists::list(app.svc(), "bospy-organizers")
        .await
        .unwrap();
    assert_eq!(list.row.subject_prefix, "[bospy] ");
    assert_eq!(list.row.max_bytes, 1_572_864);
    assert_eq!(list.row.reply_to, "list");
    assert_eq!(list.row.footer, "Boston Python: https://example.org");

    // Its settings page shows the values; saving changes them.
    olu.get("/lists/bospy-organizers/settings")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("value=\"[bospy]\"")
        .assert_contains("value=\"1.5\"");
    let mut changed = settings("", "Boston Python organizers");
    changed[3] = ("policy", "announce");
    changed.push(("rewrite_from", "1"));
    let r = olu
        .submit("/lists/bospy-organizers/settings", &changed)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = convene_app::lists::list(app.svc(), "bospy-organizers")
        .await
        .unwrap();
    assert_eq!(list.row.policy, "announce");
    assert!(list.row.rewrite_from);

    // Someone else's organizers and plain members can neither start nor change it.
    let mut other = organizer(&app, &mut coord, "zoe@example.org", "pyladies-berlin").await;
    let before = app.fingerprint().await;
    let r = other
        .submit(
            "/lists/bospy-organizers/settings",
            &settings("", "Mine now"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    r.assert_contains(&askama_escape(
        "Only the list's moderators change its settings.",
    ));
    let mut form = settings("zoe-list", "Zoe's list");
    form.push(("group", "boston-python"));
    let r = other.submit("/lists/new", &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    r.assert_contains(&askama_escape(
        "Only the group's organizers create its lists.",
    ));
    assert_eq!(app.fingerprint().await, before);
    let mut mo = member(&app, "mo@example.org").await;
    let before_member = app.fingerprint().await;
    let r = mo
        .submit("/lists/new", &settings("mo-list", "Mo's list"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    r.assert_contains(&askama_escape("Only coordinators create the site's lists."));
    assert_eq!(app.fingerprint().await, before_member);

    // A coordinator starts a site list.
    let r = coord
        .submit("/lists/new", &settings("newcomers", "Newcomers"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    coord
        .get("/lists")
        .await
        .assert_contains("href=\"/lists/newcomers\"")
        .assert_contains("href=\"/lists/bospy-organizers\"");
}

#[tokio::test]
async fn bad_list_settings_are_refused_with_their_reason_and_nothing_changes() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    coord.get("/lists/new").await.assert_status(StatusCode::OK);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("name", "organizers", "There is already a list called"),
        (
            "name",
            "Has Spaces",
            "Use only letters, digits and single dashes",
        ),
        ("name", "team-owner", "is kept for the mail system"),
        ("name", "x", "2 to 40 characters"),
        ("display_name", "  ", "Give the list a name"),
        ("policy", "chaos", "Choose how the list works"),
        ("posters", "robots", "Choose who may write"),
        ("archive", "world", "Choose who reads the archive"),
        (
            "subject_prefix",
            "[x]\r\nBcc: everyone@example.org",
            "Write the subject prefix on one line.",
        ),
        ("reply_to", "all", "Choose where replies go"),
        (
            "max_megabytes",
            "100",
            "Give the largest message in megabytes",
        ),
        (
            "max_megabytes",
            "-1",
            "Give the largest message in megabytes",
        ),
        ("footer", "ding\u{7}", "The footer has a control character"),
    ];
    for (field, value, message) in cases {
        let before = app.fingerprint().await;
        let mut form = settings("site-team", "Site team");
        for f in form.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        let r = coord.submit("/lists/new", &form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value:?}: {}",
            r.body
        );
        r.assert_contains(&askama_escape(message));
        // The form comes back as typed.
        if field != "display_name" {
            r.assert_contains("value=\"Site team\"");
        }
        assert_eq!(app.fingerprint().await, before, "{field}={value:?}");

        // The same value on an existing list's settings changes nothing either.
        if field != "name" {
            let r = coord.submit("/lists/organizers/settings", &form).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            r.assert_contains(&askama_escape(message));
            assert_eq!(app.fingerprint().await, before, "{field}={value:?}");
        }
    }

    // A forged form (no CSRF token) is refused before anything is read.
    let before = app.fingerprint().await;
    let mut forger = app.client();
    let r = forger
        .post_raw(
            "/lists/organizers/settings",
            "application/x-www-form-urlencoded",
            b"display_name=Hacked&policy=open&posters=anyone&archive=public&reply_to=list&max_megabytes=2"
                .to_vec(),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_eq!(app.fingerprint().await, before);

    // A list that does not exist has no settings page.
    coord
        .get("/lists/nowhere/settings")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

/// Text as the pages print it.
fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
