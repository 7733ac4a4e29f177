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
        "<meta name=\"description\" content=\"Python Groups: {groups} groups in 2 countries, 1 meetings this month"
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
