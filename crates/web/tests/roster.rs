//! The roster as its users meet it: importing the community's roster,
//! browsing, searching, near me, the map, entries that go stale, confirming,
//! editing with history, proposals, exports and the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const CSV: &[u8] = include_bytes!("fixtures/roster.csv");
const WIKI: &[u8] = include_bytes!("fixtures/roster.md");

async fn import(
    app: &TestApp,
    format: RosterFormat,
    bytes: &[u8],
    strict: bool,
) -> convene_app::groups::ImportReport {
    import_roster(app.svc(), None, format, bytes, strict)
        .await
        .unwrap()
}

#[tokio::test]
async fn import_browse_by_place_search_and_find_groups_near_a_place() {
    let app = TestApp::new().await;
    let r = import(&app, RosterFormat::Csv, CSV, false).await;
    assert_eq!((r.read, r.created, r.skipped.len()), (4, 4, 0), "{r:?}");
    assert_eq!(r.countries_resolved, 4);
    let r = import(&app, RosterFormat::Wiki, WIKI, false).await;
    assert_eq!(r.created, 5, "{r:?}");
    assert!(
        r.problems.iter().any(|(_, m)| m.contains("javascript:")),
        "{:?}",
        r.problems
    );
    assert_eq!(r.countries_resolved, r.read, "{r:?}");

    let mut c = app.client();
    let top = c.get("/groups").await;
    top.assert_status(StatusCode::OK)
        .assert_contains("Africa</a> <span class=\"count\">3</span>")
        .assert_contains("Europe</a> <span class=\"count\">4</span>");
    c.get("/groups?continent=EU")
        .await
        .assert_contains("Germany</a> <span class=\"count\">3</span>");
    let de = c.get("/groups?continent=EU&country=DE").await;
    de.assert_contains("PyBerlin")
        .assert_contains("PyCologne")
        .assert_contains("Bad Link PUG");
    c.get("/groups?continent=NA&country=US&region=Massachusetts")
        .await
        .assert_contains("Boston Python");

    let near = c.get("/groups?near=Cambridge%2C+Massachusetts").await;
    near.assert_status(StatusCode::OK)
        .assert_contains("Groups near Cambridge, Massachusetts, United States");
    let first = near.body.split("<h2><a href=\"/groups/").nth(1).unwrap();
    assert!(
        first.starts_with("boston-python\""),
        "nearest first: {first}"
    );
    near.assert_contains("km</strong> away");
    let pune = c.get("/groups?near=Pune").await;
    assert!(
        pune.body
            .split("<h2><a href=\"/groups/")
            .nth(1)
            .unwrap()
            .starts_with("pythonpune\"")
    );
    pune.assert_contains("<strong>0.0 km</strong>");
    c.get("/groups?near=42.37%2C+-71.11")
        .await
        .assert_contains("Boston Python");
    c.get("/groups?near=Atlantis+under+the+sea")
        .await
        .assert_contains("We do not know a place called");

    let found = c.get("/groups?q=berlin").await;
    found.assert_contains("PyBerlin");
    assert!(!found.body.contains("Boston Python"));
    c.get("/groups?q=larg")
        .await
        .assert_contains("Boston Python");
    c.get("/groups?q=%22%29+OR+*+NEAR")
        .await
        .assert_status(StatusCode::OK);
    c.get("/groups?language=sw").await;
    let filtered = c
        .get("/groups?continent=AF&country=KE&status=dormant")
        .await;
    filtered.assert_contains("Python Nairobi");

    let map = c.get("/groups/map?continent=EU").await;
    map.assert_status(StatusCode::OK)
        .assert_contains("<svg")
        .assert_contains("href=\"/groups/pyberlin\"");
    assert!(
        !map.body.contains("href=\"/groups/boston-python\""),
        "pins outside the view are left out"
    );
    c.get("/groups/map?country=US")
        .await
        .assert_contains("href=\"/groups/boston-python\"");
}

#[tokio::test]
async fn a_group_page_has_json_ld_open_graph_and_sanitised_markdown() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let r = coord
        .submit("/groups/boston-python/edit", &[
            ("name", "Boston Python"), ("slug", "boston-python"), ("country", "US"), ("city", "Boston"), ("region", "Massachusetts"),
            ("short_description", "Boston's Python user group"), ("status", "active"), ("languages", "en"),
            ("description", "## Talks\n\n<script>alert(1)</script><img src=x onerror=alert(2)> [slides](javascript:alert(3)) [site](https://bostonpython.example/)"),
            ("link_kind_0", "website"), ("link_url_0", "https://www.bostonpython.example/"),
        ])
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let page = app.client().get("/groups/boston-python").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<h2>Talks</h2>")
        .assert_contains("<meta property=\"og:title\" content=\"Boston Python\">")
        .assert_contains("<script type=\"application/ld+json\">");
    // What is left of the raw HTML is shown as text, never as markup or a link.
    for bad in ["<script>alert", "onerror", "href=\"javascript:"] {
        assert!(!page.body.contains(bad), "{bad} in {}", page.body);
    }
    let ld = page
        .body
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "Organization");
    assert_eq!(ld["name"], "Boston Python");
    assert_eq!(ld["address"]["addressCountry"], "US");
    assert!(ld["location"]["geo"]["latitude"].as_f64().unwrap() > 42.0);
}

#[tokio::test]
async fn importing_twice_changes_nothing_and_confirmed_entries_are_kept() {
    let app = TestApp::new().await;
    import(&app, RosterFormat::Wiki, WIKI, false).await;
    let before = app.fingerprint().await;
    let again = import(&app, RosterFormat::Wiki, WIKI, false).await;
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 5),
        "{again:?}"
    );
    assert_eq!(app.fingerprint().await, before);

    // An organizer confirms an entry; a changed roster does not overwrite it.
    let mut coord = coordinator(&app).await;
    app.advance(Duration::days(1));
    let slug = "python-paris";
    coord
        .submit(&format!("/groups/{slug}/confirm"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let changed = String::from_utf8(WIKI.to_vec())
        .unwrap()
        .replace("https://paris.example/", "https://new-paris.example/")
        .replace("https://pycologne.example/", "https://new-cologne.example/");
    let r = import(&app, RosterFormat::Wiki, changed.as_bytes(), false).await;
    assert_eq!(r.updated, 1, "{r:?}");
    assert!(
        r.skipped
            .iter()
            .any(|(_, name, why)| name == "Python Paris" && why.contains("confirmed")),
        "{r:?}"
    );
    app.client()
        .get("/groups/python-paris")
        .await
        .assert_contains("https://paris.example/");
    app.client()
        .get("/groups/pycologne")
        .await
        .assert_contains("https://new-cologne.example/");
}

#[tokio::test]
async fn strict_imports_import_nothing_when_anything_is_wrong() {
    let app = TestApp::new().await;
    let before = app.fingerprint().await;
    let r = import(&app, RosterFormat::Wiki, WIKI, true).await;
    assert!(r.rolled_back);
    assert!(!r.problems.is_empty());
    assert_eq!(app.fingerprint().await, before);
    for (bytes, words) in [
        (&b"name,city\nPUG,Oslo\n"[..], "country"),
        (&b"name,country\nPUG \xff\xfe,NO\n"[..], "UTF-8"),
        (&b"name,country,latitude\nPUG,NO,abc\n"[..], "latitude"),
    ] {
        let r = import(&app, RosterFormat::Csv, bytes, false).await;
        assert!(
            r.problems.iter().any(|(_, m)| m.contains(words)),
            "{words}: {r:?}"
        );
        assert_eq!(r.created, 0);
    }
    let r = import(
        &app,
        RosterFormat::Csv,
        b"name,country\nPUG Mars,Mars\n",
        false,
    )
    .await;
    assert!(
        r.skipped
            .iter()
            .any(|(_, _, why)| why.contains("not a country")),
        "{r:?}"
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn entries_go_stale_after_a_year_and_organizers_confirm_from_the_email() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let _org = organizer(&app, &mut coord, "olu@example.org", "pyberlin").await;

    // Half a year on, nothing is stale yet, and the organizers are asked to confirm.
    app.advance(Duration::days(183));
    app.client()
        .get("/groups/boston-python")
        .await
        .assert_status(StatusCode::OK);
    assert!(
        !app.client()
            .get("/groups/boston-python")
            .await
            .body
            .contains("Possibly inactive")
    );
    let asked = convene_app::groups::request_confirmations(app.svc())
        .await
        .unwrap();
    assert_eq!(asked, 4);
    assert_eq!(
        convene_app::groups::request_confirmations(app.svc())
            .await
            .unwrap(),
        0,
        "asked once per half year"
    );
    app.drain_jobs().await;
    let mail = app.last_mail_to("olu@example.org");
    assert!(mail.subject.contains("PyBerlin"), "{}", mail.subject);
    assert!(
        app.mail().iter().all(|m| !m.subject.contains("Boston")),
        "groups without organizers send nothing"
    );

    // A year on, unconfirmed entries are flagged, in listings and on their page.
    app.advance(Duration::days(183));
    coord
        .submit(
            "/signin",
            &[
                ("email", "coord@example.org"),
                ("password", "violet kettle harbour"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut visitor = app.client();
    visitor
        .get("/groups/boston-python")
        .await
        .assert_contains("Possibly inactive");
    visitor
        .get("/groups?continent=NA&country=US")
        .await
        .assert_contains("possibly inactive");
    coord
        .get("/admin/groups")
        .await
        .assert_contains("Possibly inactive (4)");

    // The organizers are asked again; the new link works, the old one expired.
    assert_eq!(
        convene_app::groups::request_confirmations(app.svc())
            .await
            .unwrap(),
        4
    );
    app.drain_jobs().await;
    let old_link = app
        .mail()
        .iter()
        .filter(|m| {
            m.to == "olu@example.org"
                && m.subject.contains("PyBerlin")
                && !m.subject.contains("invites you")
        })
        .count();
    assert_eq!(old_link, 2);
    let link = app.link_in_mail("olu@example.org", "/groups/confirm/");

    // The organizer clicks the link in the email: one click, once.
    let mut org = app.client();
    org.get(&link)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Yes, the entry is right");
    let r = org.submit(&link, &[]).await;
    assert_eq!(r.location(), "/groups/pyberlin?done=group-confirmed");
    let page = visitor.get("/groups/pyberlin").await;
    assert!(!page.body.contains("Possibly inactive"));
    page.assert_contains("today</time> by Olu Organizer");
    org.submit(&link, &[]).await.assert_status(StatusCode::GONE);
    coord
        .get("/admin/groups")
        .await
        .assert_contains("Possibly inactive (3)");
}

#[tokio::test]
async fn bad_entries_get_clear_errors_and_change_nothing() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let before = app.fingerprint().await;
    let long = "x".repeat(20_001);
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![
                ("name", "PUG"),
                ("country", "DE"),
                ("latitude", "91"),
                ("longitude", "0"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Latitude must be between -90 and 90",
        ),
        (
            vec![
                ("name", "PUG"),
                ("country", "DE"),
                ("latitude", "0"),
                ("longitude", "181"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Longitude must be between",
        ),
        (
            vec![("name", "PUG"), ("country", "XX")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a country code or name we know",
        ),
        (
            vec![
                ("name", "Boston again"),
                ("slug", "boston-python"),
                ("country", "US"),
            ],
            StatusCode::CONFLICT,
            "boston-python-2 is free",
        ),
        (
            vec![("name", &long), ("country", "DE")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "too long",
        ),
        (
            vec![("name", "PUG"), ("country", "DE"), ("description", &long)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "too long",
        ),
        (
            vec![
                ("name", "PUG"),
                ("country", "DE"),
                ("link_kind_0", "website"),
                ("link_url_0", "javascript:alert(1)"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "must start with https://",
        ),
        (
            vec![
                ("name", "PUG"),
                ("country", "DE"),
                ("link_kind_0", "chat"),
                ("link_url_0", "data:text/html,<script>alert(1)</script>"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "must start with https://",
        ),
        (
            vec![("name", "PUG"), ("country", "DE"), ("languages", "English")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a language tag",
        ),
        (
            vec![("name", "Map"), ("slug", "map"), ("country", "DE")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "the site uses itself",
        ),
    ];
    for (fields, status, words) in cases {
        let r = coord.submit("/groups/new", &fields).await;
        r.assert_status(status).assert_contains(words);
        assert_eq!(app.fingerprint().await, before, "{words}");
    }
    // Editing someone else's group, as a member or an organizer of another group.
    let mut other = organizer(&app, &mut coord, "olu@example.org", "pyberlin").await;
    let before_edit = app.fingerprint().await;
    other
        .submit(
            "/groups/boston-python/edit",
            &[("name", "Mine now"), ("country", "US")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    other
        .submit("/groups/boston-python/confirm", &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    other
        .get("/groups/boston-python/history")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before_edit);
}

#[tokio::test]
async fn proposals_wait_for_a_coordinator_who_approves_or_rejects_by_email() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let mut m = member(&app, "mo@example.org").await;
    m.get("/groups/new")
        .await
        .assert_contains("Propose a group");
    let r = m
        .submit(
            "/groups/new",
            &[("name", "PyOslo"), ("country", "NO"), ("city", "Oslo")],
        )
        .await;
    assert_eq!(r.location(), "/groups/pyoslo?done=proposed");
    m.get("/groups/pyoslo")
        .await
        .assert_contains("waiting for a coordinator");
    app.client()
        .get("/groups/pyoslo")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client()
        .get("/groups")
        .await
        .assert_contains("No groups are listed here yet");
    coord
        .get("/admin/groups")
        .await
        .assert_contains("Proposals waiting (1)")
        .assert_contains("PyOslo");
    coord
        .submit(
            "/groups/pyoslo/review",
            &[("decision", "reject"), ("reason", "")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    coord
        .submit("/groups/pyoslo/review", &[("decision", "approve")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    assert_eq!(
        app.last_mail_to("mo@example.org").subject,
        "PyOslo is now listed on Python Groups"
    );
    app.client()
        .get("/groups/pyoslo")
        .await
        .assert_status(StatusCode::OK);

    m.submit("/groups/new", &[("name", "Spam Group"), ("country", "NO")])
        .await;
    coord
        .submit(
            "/groups/spam-group/review",
            &[
                ("decision", "reject"),
                ("reason", "This is not a user group."),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let mail = app.last_mail_to("mo@example.org");
    assert!(mail.text.contains("This is not a user group."));
    coord
        .submit("/groups/spam-group/review", &[("decision", "approve")])
        .await
        .assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn every_change_is_a_revision_and_coordinators_can_go_back() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let mut org = organizer(&app, &mut coord, "olu@example.org", "pyberlin").await;
    org.get("/groups/pyberlin/edit")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("value=\"PyBerlin\"");
    let fields = [
        ("name", "PyBerlin e.V."),
        ("country", "DE"),
        ("city", "Berlin"),
        ("latitude", "52.52"),
        ("longitude", "13.405"),
        ("languages", "de en"),
        ("meeting_pattern", "first Wednesday"),
        ("link_kind_0", "website"),
        ("link_url_0", "https://pyberlin.example/"),
    ];
    org.submit("/groups/pyberlin/edit", &fields)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    org.submit(
        "/groups/pyberlin/edit",
        &[("slug", "py-berlin"), ("name", "x"), ("country", "DE")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("Only a coordinator");
    app.client()
        .get("/groups/pyberlin")
        .await
        .assert_contains("PyBerlin e.V.")
        .assert_contains("first Wednesday");
    let history = coord.get("/groups/pyberlin/history").await;
    history
        .assert_contains("edited")
        .assert_contains("imported")
        .assert_contains("first Wednesday");
    let first = history
        .body
        .split("/revert/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    coord
        .submit(&format!("/groups/pyberlin/revert/{first}"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = app.client().get("/groups/pyberlin").await;
    page.assert_contains("<h1>PyBerlin</h1>");
    assert!(!page.body.contains("first Wednesday"));
    coord
        .get("/groups/pyberlin/history")
        .await
        .assert_contains("reverted to revision");
}

#[tokio::test]
async fn exports_round_trip_and_parse() {
    let app = TestApp::new().await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let send = |path: &str| app.send(Request::get(path).body(Body::empty()).unwrap());
    let csv = send("/groups.csv").await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let (entries, problems) = convene_rosterfile::parse_csv(csv.body.as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(entries.len(), 4);
    let boston = entries.iter().find(|e| e.name == "Boston Python").unwrap();
    assert_eq!(
        boston.meeting_pattern.as_deref(),
        Some("second Tuesday, 7 pm")
    );
    assert_eq!(boston.links.len(), 3);

    // Re-importing the export into a fresh site gives the same entries.
    let other = TestApp::new().await;
    let r = import(&other, RosterFormat::Csv, csv.body.as_bytes(), true).await;
    assert_eq!(r.created, 4, "{r:?}");

    let geo = send("/groups.geojson").await;
    assert_eq!(geo.headers[header::CONTENT_TYPE], "application/geo+json");
    let geo = geo.json();
    assert_eq!(geo["type"], "FeatureCollection");
    let berlin = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "pyberlin")
        .unwrap();
    assert_eq!(
        berlin["geometry"]["coordinates"],
        serde_json::json!([13.405, 52.52]),
        "longitude first"
    );

    let opml = send("/groups.opml").await;
    opml.assert_contains("<opml version=\"2.0\">")
        .assert_contains("xmlUrl=\"https://bostonpython.example/feed.atom\"")
        .assert_contains("htmlUrl=\"https://www.bostonpython.example/\"");
}

#[tokio::test]
async fn the_groups_api_lists_gets_creates_and_updates_with_the_right_role() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let _org = organizer(&app, &mut coord, "olu@example.org", "pyberlin").await;
    let mut auth = Vec::new();
    for email in ["coord@example.org", "olu@example.org"] {
        auth.push(format!(
            "Bearer {}",
            convene_app::accounts::create_api_token(app.svc(), email, "t")
                .await
                .unwrap()
                .expose()
        ));
    }
    let (coord_auth, org_auth) = (auth[0].clone(), auth[1].clone());
    let call = |method: &str, path: &str, auth: Option<&str>, body: &str| {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(Body::from(body.to_owned())).unwrap()
    };
    let list = app
        .send(call("GET", "/api/v1/groups?country=de", None, ""))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["slug"], "pyberlin");
    let page = app
        .send(call("GET", "/api/v1/groups?limit=2&offset=2", None, ""))
        .await
        .json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    let one = app
        .send(call("GET", "/api/v1/groups/boston-python", None, ""))
        .await
        .json();
    assert_eq!(one["links"].as_array().unwrap().len(), 3);
    assert_eq!(
        app.send(call("GET", "/api/v1/groups?q=pune", None, ""))
            .await
            .json()[0]["slug"],
        "pythonpune"
    );

    let body = r#"{"name":"PyBerlin","country":"DE","city":"Berlin","meeting_pattern":"every Thursday","languages":["de"],"links":[{"kind":"website","url":"https://pyberlin.example/"}]}"#;
    let r = app
        .send(call(
            "PUT",
            "/api/v1/groups/pyberlin",
            Some(&org_auth),
            body,
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json()["meeting_pattern"], "every Thursday");
    let before = app.fingerprint().await;
    app.send(call(
        "PUT",
        "/api/v1/groups/boston-python",
        Some(&org_auth),
        body,
    ))
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.send(call("PUT", "/api/v1/groups/pyberlin", None, body))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let r = app
        .send(call(
            "POST",
            "/api/v1/groups",
            Some(&coord_auth),
            r#"{"name":"Dup","slug":"pyberlin","country":"DE"}"#,
        ))
        .await;
    r.assert_status(StatusCode::CONFLICT);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pyberlin-2 is free")
    );
    let r = app
        .send(call(
            "POST",
            "/api/v1/groups",
            Some(&coord_auth),
            r#"{"name":"PUG","country":"DE","latitude":95,"longitude":0}"#,
        ))
        .await;
    assert_eq!(r.json()["error"]["field"], "latitude");
    assert_eq!(app.fingerprint().await, before);
    let r = app
        .send(call(
            "POST",
            "/api/v1/groups",
            Some(&coord_auth),
            r#"{"name":"PyHamburg","country":"DE","city":"Hamburg"}"#,
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    assert!(
        r.json()["latitude"].as_f64().unwrap() > 53.0,
        "the pin comes from the gazetteer"
    );
}

#[tokio::test]
async fn visitors_write_to_organizers_without_seeing_their_addresses() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let _org = organizer(&app, &mut coord, "olu@example.org", "pyberlin").await;
    let mut v = app.client();
    let page = v.get("/groups/pyberlin").await;
    page.assert_contains("/groups/pyberlin/contact");
    assert!(
        !page.body.contains("olu@example.org"),
        "no organizer address on the page"
    );
    v.get("/groups/pyberlin/contact")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Leave this empty");
    let msg = [
        ("name", "Ada"),
        ("email", "ada@example.org"),
        ("message", "Hello! Can a beginner come to the next meeting?"),
    ];
    let r = v.submit("/groups/pyberlin/contact", &msg).await;
    assert_eq!(r.location(), "/groups/pyberlin?done=message-sent");
    app.drain_jobs().await;
    let mail = app.last_mail_to("olu@example.org");
    assert_eq!(mail.reply_to.as_deref(), Some("ada@example.org"));
    assert!(mail.text.contains("Can a beginner come"));

    let before = app.fingerprint().await;
    // Bad input: a clear message, nothing queued.
    v.submit(
        "/groups/pyberlin/contact",
        &[
            ("name", "Ada"),
            ("email", "ada@example.org\r\nBcc: x@y.z"),
            ("message", "Hello there, organizers!"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("line break");
    v.submit(
        "/groups/pyberlin/contact",
        &[
            ("name", "Ada"),
            ("email", "ada@example.org"),
            ("message", "hi"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("Write a little more");
    // A group with no organizer here says so.
    v.submit("/groups/boston-python/contact", &msg)
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("no organizer on this site");
    // A bot filling the hidden field is told "sent", and nothing is sent.
    let mut bot_fields = msg.to_vec();
    bot_fields.push(("website", "http://spam.example/"));
    v.submit("/groups/pyberlin/contact", &bot_fields)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.fingerprint().await, before);
    // Limited per IP.
    for _ in 0..4 {
        v.submit("/groups/pyberlin/contact", &msg)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let r = v.submit("/groups/pyberlin/contact", &msg).await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn a_coordinator_uploads_a_roster_and_broken_markdown_is_reported_by_line() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let csrf = coord.csrf().await;
    let broken = "Europe\n------\n\n### Norway\n\n* [PyOslo](https://pyoslo.example/ - Oslo\n* [PyBergen](https://pybergen.example/) - Bergen\n";
    let multipart = |csrf: &str, strict: bool, file: &str| {
        let mut body =
            format!("--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
        if strict {
            body.push_str("--XYZ\r\nContent-Disposition: form-data; name=\"strict\"\r\n\r\n1\r\n");
        }
        body.push_str(&format!("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.md\"\r\nContent-Type: text/markdown\r\n\r\n{file}\r\n--XYZ--\r\n"));
        body.into_bytes()
    };
    let before = app.fingerprint().await;
    let r = coord
        .post_raw(
            "/admin/groups/import",
            "multipart/form-data; boundary=XYZ",
            multipart(&csrf, true, broken),
        )
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("nothing was imported")
        .assert_contains("Line 6");
    assert_eq!(app.fingerprint().await, before);
    let r = coord
        .post_raw(
            "/admin/groups/import",
            "multipart/form-data; boundary=XYZ",
            multipart("A".repeat(43).as_str(), false, broken),
        )
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
    let r = coord
        .post_raw(
            "/admin/groups/import",
            "multipart/form-data; boundary=XYZ",
            multipart(&csrf, false, broken),
        )
        .await;
    r.assert_status(StatusCode::OK)
        .assert_contains("Import done")
        .assert_contains("Line 6");
    app.client()
        .get("/groups/pybergen")
        .await
        .assert_status(StatusCode::OK);
    let mut m = member(&app, "mo@example.org").await;
    let csrf = m.csrf().await;
    m.post_raw(
        "/admin/groups/import",
        "multipart/form-data; boundary=XYZ",
        multipart(&csrf, false, broken),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_map_lists_its_pinned_groups_beside_it_for_people_who_cannot_use_the_map() {
    let app = TestApp::new().await;
    import(&app, RosterFormat::Csv, CSV, false).await;
    let mut c = app.client();
    let map = c.get("/groups/map?continent=EU").await;
    map.assert_status(StatusCode::OK)
        .assert_contains(" role=\"group\" aria-labelledby=\"worldmap-")
        .assert_contains("<g class=\"countries\" aria-hidden=\"true\"")
        .assert_contains("<h2 id=\"map-list-heading\">Groups on this map</h2>")
        .assert_contains(
            "<li><a href=\"/groups/pyberlin\">PyBerlin</a> <span class=\"place\">Berlin, Germany</span></li>",
        );
    assert!(
        !map.body.contains("role=\"img\""),
        "an image role would hide the pins' links from screen readers"
    );
    let list = map.body.split("map-list-heading").nth(1).unwrap();
    assert!(
        !list.contains("/groups/boston-python"),
        "groups outside the view are not listed"
    );

    // With more groups in view than a list can hold, the countries are
    // listed instead, each linking to its own map.
    convene_app::groups::seed_groups(app.svc(), 400)
        .await
        .unwrap();
    let world = c.get("/groups/map").await;
    world
        .assert_status(StatusCode::OK)
        .assert_contains("<h2 id=\"map-list-heading\">Countries on this map</h2>")
        .assert_contains(
            "<li><a href=\"/groups/map?country=DE\">Germany</a> <span class=\"place\">",
        );
    let list = world.body.split("map-list-heading").nth(1).unwrap();
    assert!(!list.contains("href=\"/groups/pyberlin\""));
}
