//! The front page as a visitor meets it: what is on next (each series
//! once), what happened lately, featured and recent posts, the community's
//! size and a way in; and the coordinators' dashboard of what waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

const REPORT: &str = "Thirty people came to our November meeting.\n\n\
## Talks\n\n\
* **Typing in practice** — Ana showed how gradual typing caught three bugs in a billing service before release.\n\
* **Async without tears** — Ben walked through structured concurrency with task groups and timeouts.\n\n\
In the lightning talks we discussed packaging with uv and a small tool for checking broken links. \
Questions ran long: most were about migrating old projects.\n\n\
Next month: a beginners' workshop on testing with pytest.";

fn event<'a>(
    title: &'a str,
    start: &'a str,
    end: &'a str,
    repeat: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "Talks and lightning talks."),
        ("start", start),
        ("end", end),
        ("tz", "Europe/Berlin"),
        ("repeat", repeat),
        ("rrule", ""),
        ("status", "confirmed"),
        ("venue_name", "Betahaus"),
        ("venue_address", "Rudi-Dutschke-Strasse 23, Berlin"),
    ]
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn the_front_page_shows_what_is_next_once_per_series_what_happened_and_the_community_size() {
    let app = TestApp::new().await;
    // An empty site says what to do next.
    let mut visitor = app.client();
    let empty = visitor.get("/").await;
    empty
        .assert_status(StatusCode::OK)
        .assert_contains("Nothing is planned yet.")
        .assert_contains("<strong>0</strong> groups")
        .assert_contains("No group near you?")
        .assert_contains("<a class=\"button\" href=\"/groups/new\">Start a group</a>")
        .assert_contains(
            "<form class=\"search\" method=\"get\" action=\"/groups\" role=\"search\">",
        )
        .assert_contains("name=\"near\"");

    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    // A weekly series: many dates ahead, shown once at its next date.
    coord
        .submit(
            "/calendars/pyberlin/events/new",
            &event(
                "PyBerlin weekly hack night",
                "2026-12-02T19:00",
                "2026-12-02T21:00",
                "weekly",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // A meeting that already happened this month.
    coord
        .submit(
            "/calendars/pyworcester/events/new",
            &event(
                "PyWorcester November meetup",
                "2026-11-10T19:00",
                "2026-11-10T21:00",
                "never",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // A published post, featured by a coordinator, and a plain one.
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    for title in ["November report", "Our first workshop"] {
        let r = olu
            .submit(
                "/blog/new",
                &[
                    ("title", title),
                    ("body", REPORT),
                    ("kind", "meeting_report"),
                    ("group", "boston-python"),
                    ("tags", ""),
                ],
            )
            .await;
        r.assert_status(StatusCode::SEE_OTHER);
        let slug = r.post_slug();
        // A coordinator reading a draft is not offered to publish it yet.
        let draft = coord.get(&format!("/blog/{slug}")).await;
        draft.assert_contains("Its authors have not submitted it yet");
        assert!(!draft.body.contains("value=\"approve\""));
        olu.submit(&format!("/blog/{slug}/submit"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        coord
            .submit(
                &format!("/blog/{slug}/review"),
                &[("decision", "approve"), ("note", "")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        if title == "November report" {
            coord
                .submit(&format!("/blog/{slug}/feature"), &[("featured", "yes")])
                .await
                .assert_status(StatusCode::SEE_OTHER);
        }
    }

    // The group's page shows its latest posts and leads to its blog.
    visitor
        .get("/groups/boston-python")
        .await
        .assert_contains("<h2>From the blog</h2>")
        .assert_contains("November report")
        .assert_contains("<a href=\"/groups/boston-python/blog\">All posts from Boston Python</a>");
    visitor
        .get("/groups/pyberlin")
        .await
        .assert_contains("No posts from this group yet.");

    let home = visitor.get("/").await;
    home.assert_status(StatusCode::OK)
        .assert_contains("Next events worldwide")
        .assert_contains("<time class=\"date-badge\" datetime=\"2026-12-02\"><span class=\"month\">Dec</span><span class=\"day\">2</span></time>")
        .assert_contains("Betahaus")
        .assert_contains("<a href=\"/groups/pyberlin\">PyBerlin</a>")
        .assert_contains("Met lately")
        .assert_contains("<a href=\"/groups/pyworcester\">PyWorcester</a></h3><p>Met on <time datetime=\"2026-11-10\">10 November</time>")
        .assert_contains("<p class=\"meta\">Featured · Meeting report</p>")
        .assert_contains("November report")
        .assert_contains("Our first workshop");
    assert_eq!(
        count(&home.body, "PyBerlin weekly hack night"),
        1,
        "a series is listed once: {}",
        home.body
    );
    assert_eq!(
        count(&home.body, "November report"),
        1,
        "featured, not repeated"
    );
    // Three groups in the fixture's countries; the month's meetings.
    let groups = {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::groups::count_approved(conn.ex())
            .await
            .unwrap()
    };
    home.assert_contains(&format!("<strong>{groups}</strong> groups"))
        .assert_contains("in <strong>2</strong> countries");
    // The weekly series meets 2026-12-02 onward, so November holds the one
    // meeting that happened (and none of the series').
    home.assert_contains("<strong>1</strong> meeting in November");
    home.assert_contains(&format!(
        "<meta name=\"description\" content=\"Python Groups: {groups} groups in 2 countries, 1 meeting this month"
    ));
}

#[tokio::test]
async fn the_dashboard_lists_what_waits_with_counts_and_links() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    let calm = coord.get("/admin").await;
    calm.assert_status(StatusCode::OK)
        .assert_contains("What waits for you")
        .assert_contains("Nothing waits");

    // A post submitted for review, and a group proposed by a member.
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit(
            "/blog/new",
            &[
                ("title", "Report"),
                ("body", REPORT),
                ("kind", "meeting_report"),
                ("group", "boston-python"),
                ("tags", ""),
            ],
        )
        .await;
    let slug = r.post_slug();
    olu.submit(&format!("/blog/{slug}/submit"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::groups::insert(
        conn.ex(),
        &convene_store::groups::GroupFields {
            slug: "pylagos".into(),
            name: "PyLagos".into(),
            short_description: String::new(),
            description: String::new(),
            city: "Lagos".into(),
            region: String::new(),
            country: "NG".into(),
            continent: "AF".into(),
            latitude: None,
            longitude: None,
            languages: String::new(),
            meeting_pattern: String::new(),
            founded: String::new(),
            status: "active".into(),
        },
        convene_store::groups::Origin {
            approval: "pending",
            proposed_by: None,
            source: "web",
            imported_at: None,
        },
        app.now(),
    )
    .await
    .unwrap();
    drop(conn);

    let dash = coord.get("/admin").await;
    dash.assert_status(StatusCode::OK)
        .assert_contains("<li class=\"due\"><a href=\"/blog/desk\"><span class=\"n\">1</span> Posts in review</a></li>")
        .assert_contains("<li class=\"due\"><a href=\"/admin/groups\"><span class=\"n\">1</span> Groups proposed</a></li>")
        .assert_contains("<li><a href=\"/lists\"><span class=\"n\">0</span> Held list messages</a></li>")
        .assert_contains("<span class=\"n\">0</span> Failing links")
        .assert_contains("<a href=\"/admin/jobs?state=dead\"><span class=\"n\">0</span> Dead jobs</a>")
        .assert_contains("<a href=\"/admin/settings\">Site identity</a>");
    assert!(!dash.body.contains("Nothing waits"));
    // Only coordinators see it.
    olu.get("/admin").await.assert_status(StatusCode::FORBIDDEN);
}

/// The part of the front page between two texts.
fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let start = body
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {body}"));
    let rest = &body[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn the_front_page_shows_the_meetings_near_the_place_last_searched_or_in_a_members_zone() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(&app).await;
    coord
        .submit(
            "/calendars/pyberlin/events/new",
            &event(
                "PyBerlin weekly hack night",
                "2026-12-09T19:00",
                "2026-12-09T21:00",
                "weekly",
            ),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut boston = event(
        "Boston Python project night",
        "2026-12-15T19:00",
        "2026-12-15T21:00",
        "never",
    );
    boston[4] = ("tz", "America/New_York");
    boston[8] = ("venue_name", "Microsoft NERD");
    boston[9] = ("venue_address", "1 Memorial Drive, Cambridge, MA");
    coord
        .submit("/calendars/boston-python/events/new", &boston)
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // A visitor who has searched for nothing sees the world's next events.
    let mut visitor = app.client();
    visitor
        .get("/")
        .await
        .assert_contains("Next events worldwide")
        .assert_contains("Boston Python project night")
        .assert_contains("PyBerlin weekly hack night");

    // A place that is no one city is not remembered.
    for place in ["Atlantis%20under%20the%20sea", "Cambridge", "India"] {
        let r = visitor.get(&format!("/groups?near={place}")).await;
        r.assert_status(StatusCode::OK);
        assert!(
            !visitor.cookies.contains_key("convene_near"),
            "{place} was remembered"
        );
    }
    visitor
        .get("/")
        .await
        .assert_contains("Next events worldwide");

    // A city is: the front page puts its meetings first.
    visitor
        .get("/groups?near=Worcester%2C%20MA")
        .await
        .assert_contains("Boston Python");
    assert!(visitor.cookies.contains_key("convene_near"));
    let home = visitor.get("/").await;
    home.assert_status(StatusCode::OK)
        .assert_contains("Next events near Worcester, Massachusetts")
        .assert_contains("From your last search.")
        .assert_contains("Elsewhere in the world");
    let near = between(&home.body, "id=\"near-events\"", "id=\"next-events\"");
    assert!(near.contains("Boston Python project night"), "{near}");
    assert!(!near.contains("PyBerlin"), "{near}");
    let elsewhere = between(&home.body, "id=\"next-events\"", "</section>");
    assert!(
        elsewhere.contains("PyBerlin weekly hack night"),
        "{elsewhere}"
    );
    assert!(
        !elsewhere.contains("Boston Python project night"),
        "{elsewhere}"
    );

    // Forgetting the place brings the world back.
    visitor
        .submit("/near/forget", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(!visitor.cookies.contains_key("convene_near"));
    visitor
        .get("/")
        .await
        .assert_contains("Next events worldwide");

    // A member's time zone stands for their place when they searched none.
    let mut mo = member(&app, "mo@example.org").await;
    mo.submit("/account/time-zone", &[("time_zone", "Europe/Berlin")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let home = mo.get("/").await;
    home.assert_contains("Next events in your time zone (Europe/Berlin)");
    let near = between(&home.body, "id=\"near-events\"", "id=\"next-events\"");
    assert!(near.contains("PyBerlin weekly hack night"), "{near}");
    assert!(!near.contains("Forget this place"), "{near}");
}

#[tokio::test]
async fn a_remembered_place_that_is_garbage_is_ignored_and_changes_nothing() {
    let app = TestApp::new().await;
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let before = app.fingerprint().await;
    let long = "x".repeat(10_000);
    for value in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "<b>Boston</b>",
        "Atlantis+under+the+sea",
        "%FF%FE",
        long.as_str(),
        "",
    ] {
        let mut visitor = app.client();
        visitor
            .cookies
            .insert("convene_near".to_owned(), value.to_owned());
        let home = visitor.get("/").await;
        home.assert_status(StatusCode::OK)
            .assert_contains("Next events worldwide");
        assert!(!home.body.contains("<script>alert"), "{value}");
        assert!(!home.body.contains("near-events"), "{value}");
    }
    assert_eq!(before, app.fingerprint().await);
}
