//! "Near me" that is never wrong, an import that places groups from what
//! their entries hold, search inside words, and the review list for entries
//! that may not be groups — on a roster in the community wiki page's shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use convene_app::groups::{ImportReport, RosterFormat, import_roster};

const PAGE: &[u8] = include_bytes!("fixtures/roster-places.md");

async fn import(app: &TestApp) -> ImportReport {
    import_roster(app.svc(), None, RosterFormat::Wiki, PAGE, false)
        .await
        .unwrap()
}

/// The slugs of the groups listed on a page, in order.
fn listed(body: &str) -> Vec<String> {
    body.split("<h2><a href=\"/groups/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

/// (city, country, latitude) of a group as stored.
async fn place_of(app: &TestApp, slug: &str) -> (String, String, Option<f64>) {
    let mut conn = app.svc().db.conn().await.unwrap();
    let g = convene_store::groups::by_slug(conn.ex(), slug)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no group {slug}"));
    (g.city, g.country, g.latitude)
}

#[tokio::test]
async fn the_import_places_groups_from_their_names_links_and_headings() {
    let app = TestApp::new().await;
    let r = import(&app).await;
    for (slug, city, country) in [
        ("bangpypers-bangalore-python-users-group", "Bengaluru", "IN"),
        ("pythonpune-meetup-group", "Pune", "IN"),
        ("mumpy", "Mumbai", "IN"),
        ("pyladies-bangalore-india", "Bengaluru", "IN"),
        ("pybhopal", "Bhopal", "IN"),
        ("kolpy-kolkata-python-user-group", "Kolkata", "IN"),
        ("dehradun-python-user-group-dpug", "Dehradun", "IN"),
        ("pytbilisi", "Tbilisi", "GE"),
        ("pycologne", "Köln", "DE"),
        ("campug", "Cambridge", "GB"),
        ("pyatl", "Atlanta", "US"),
        ("boston-python-users-group", "Boston", "US"),
        ("cambridge-python", "Cambridge", "US"),
    ] {
        let (got_city, got_country, lat) = place_of(&app, slug).await;
        assert_eq!(
            (got_city.as_str(), got_country.as_str()),
            (city, country),
            "{slug}"
        );
        assert!(lat.is_some(), "{slug} has a pin");
    }
    // A group of a region is pinned at its largest city, with no city.
    let (city, country, lat) = place_of(&app, "pyguj-python-user-group-gujarat").await;
    assert_eq!((city.as_str(), country.as_str()), ("", "IN"));
    assert!(lat.is_some());
    assert_eq!(r.regionwide.len(), 1, "{r:?}");
    // The one group that names no place is reported by name.
    let unplaced: Vec<&str> = r.unplaced.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(unplaced, vec!["PyNomads"], "{r:?}");
    assert_eq!(place_of(&app, "pynomads").await.1, "IN");

    let mut c = app.client();
    let pune = c.get("/groups?near=Pune").await;
    pune.assert_status(StatusCode::OK)
        .assert_contains("Groups near Pune, Maharashtra, India")
        .assert_contains("Also in India, place unknown")
        .assert_contains("<a href=\"/groups/pynomads\">PyNomads</a>");
    assert_eq!(listed(&pune.body)[0], "pythonpune-meetup-group");
    let bangalore = c.get("/groups?near=Bangalore").await;
    let near = listed(&bangalore.body);
    assert!(
        near[..2].contains(&"bangpypers-bangalore-python-users-group".to_owned())
            && near[..2].contains(&"pyladies-bangalore-india".to_owned()),
        "{near:?}"
    );
}

#[tokio::test]
async fn conferences_pages_and_links_only_are_held_for_review_not_created_or_dropped() {
    let app = TestApp::new().await;
    let r = import(&app).await;
    let held: Vec<&str> = r.held.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(
        held,
        vec![
            "Ivory Coast",
            "Maputo",
            "Philippines",
            "Belgium mailing list",
            "Community Page",
            "German Python Site",
            "PyCon Italia",
            "Facebook: Python Lietuva",
        ],
        "{r:?}"
    );
    let mut c = app.client();
    for slug in [
        "community-page",
        "pycon-italia",
        "belgium-mailing-list",
        "ivory-coast",
    ] {
        c.get(&format!("/groups/{slug}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Importing again holds nothing twice.
    let again = import(&app).await;
    assert_eq!(again.created, 0, "{again:?}");

    let mut coord = coordinator(&app).await;
    let page = coord.get("/admin/groups").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Held for review (8)")
        .assert_contains("a conference, not a user group")
        .assert_contains("https://twitter.com/PythonCIexample");
    let id_of = |body: &str, name: &str| -> String {
        let at = body.find(&format!("<h3>{name}</h3>")).unwrap();
        body[at..]
            .split("/admin/groups/held/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    };
    let ivory = id_of(&page.body, "Ivory Coast");
    let pycon = id_of(&page.body, "PyCon Italia");
    let r = coord
        .submit(
            &format!("/admin/groups/held/{ivory}/accept"),
            &[("name", "Python Côte d'Ivoire")],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let group = c.get(r.location()).await;
    group
        .assert_status(StatusCode::OK)
        .assert_contains("Python Côte d")
        .assert_contains("pythonci.example");
    coord
        .submit(&format!("/admin/groups/held/{pycon}/dismiss"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = coord.get("/admin/groups?done=held-dismissed").await;
    page.assert_contains("Held for review (6)")
        .assert_contains("The entry is dismissed");
    assert!(!page.body.contains("<h3>PyCon Italia</h3>"));

    // Deciding twice is refused, and changes nothing.
    let before = app.fingerprint().await;
    let r = coord
        .submit(
            &format!("/admin/groups/held/{pycon}/accept"),
            &[("name", "PyCon")],
        )
        .await;
    r.assert_status(StatusCode::CONFLICT)
        .assert_contains("was already dismissed");
    assert_eq!(before, app.fingerprint().await);
    // Visitors cannot decide.
    app.client()
        .submit(&format!("/admin/groups/held/{ivory}/dismiss"), &[])
        .await;
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn a_country_is_the_country_never_a_town() {
    let app = TestApp::new().await;
    import(&app).await;
    let before = app.fingerprint().await;
    let mut c = app.client();
    let india = c.get("/groups?near=India").await;
    india
        .assert_status(StatusCode::OK)
        .assert_contains("<h1>Groups in India</h1>")
        .assert_contains("PythonPune Meetup Group")
        .assert_contains("PyNomads");
    assert!(!india.body.contains("Inđija"), "never the Serbian town");
    assert!(!india.body.contains("PyCologne"));
    let georgia = c.get("/groups?near=Georgia").await;
    georgia.assert_contains("<h1>Groups in Georgia</h1>");
    assert_eq!(listed(&georgia.body), vec!["pytbilisi"]);
    let state = c.get("/groups?near=Georgia%2C+USA").await;
    state.assert_contains("<h1>Groups in Georgia, United States</h1>");
    assert_eq!(listed(&state.body), vec!["pyatl"]);
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn an_ambiguous_place_offers_its_candidates() {
    let app = TestApp::new().await;
    import(&app).await;
    let before = app.fingerprint().await;
    let mut c = app.client();
    let which = c.get("/groups?near=Cambridge").await;
    which
        .assert_status(StatusCode::OK)
        .assert_contains("<h1>Which Cambridge?</h1>")
        .assert_contains("Several places are called “Cambridge”")
        .assert_contains(">Cambridge, England</a>")
        .assert_contains(">Cambridge, Massachusetts</a>?");
    assert!(listed(&which.body).is_empty(), "no silent guess");
    let href = which
        .body
        .split("<a href=\"")
        .find(|s| s.contains(">Cambridge, Massachusetts</a>"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let ma = c.get(&href).await;
    ma.assert_contains("Groups near Cambridge, Massachusetts, United States");
    assert_eq!(listed(&ma.body)[0], "cambridge-python");
    let england = c.get("/groups?near=Cambridge%2C+England").await;
    assert_eq!(listed(&england.body)[0], "campug");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn a_place_that_matches_nothing_says_so_and_changes_nothing() {
    let app = TestApp::new().await;
    import(&app).await;
    let before = app.fingerprint().await;
    let mut c = app.client();
    let r = c.get("/groups?near=Atlantis+under+the+sea").await;
    r.assert_status(StatusCode::OK)
        .assert_contains("We do not know a place called “Atlantis under the sea”");
    assert!(listed(&r.body).is_empty());
    // A real town of 80,000 is called Atlantis: the answer says which one.
    c.get("/groups?near=Atlantis")
        .await
        .assert_contains("Groups near Atlantis, Western Cape, South Africa");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn search_finds_words_inside_words_after_whole_words() {
    let app = TestApp::new().await;
    import(&app).await;
    let csv = b"name,slug,status,city,region,country,latitude,longitude,languages,meeting_pattern,founded,short_description,website,meetup,mailing_list,chat,code,social,blog_feed,other\n\
PyDataLovers,pydatalovers,active,,,NZ,,,,,,,,,,,,,,\n\
Data Friends,data-friends,active,,,NZ,,,,,,,,,,,,,,\n";
    let r = import_roster(app.svc(), None, RosterFormat::Csv, csv, false)
        .await
        .unwrap();
    assert_eq!(r.created, 2, "{r:?}");
    let mut c = app.client();
    let found = c.get("/groups?q=data").await;
    assert_eq!(listed(&found.body), vec!["data-friends", "pydatalovers"]);
    let found = c.get("/groups?q=pypers").await;
    assert_eq!(
        listed(&found.body),
        vec!["bangpypers-bangalore-python-users-group"]
    );
    let found = c.get("/groups?q=Pune").await;
    assert_eq!(listed(&found.body)[0], "pythonpune-meetup-group");
    let nothing = c.get("/groups?q=zzzqqq").await;
    nothing.assert_contains("No group matches those words");
}

#[tokio::test]
async fn an_event_venue_in_a_country_is_placed_inside_it() {
    let app = TestApp::new().await;
    import(&app).await;
    let mut coord = coordinator(&app).await;
    let r = coord
        .submit(
            "/calendars/bangpypers-bangalore-python-users-group/events/new",
            &[
                ("title", "Monthly meetup"),
                ("description", "Talks."),
                ("start", "2027-02-13T10:00"),
                ("end", "2027-02-13T13:00"),
                ("tz", "Asia/Kolkata"),
                ("repeat", ""),
                ("status", "confirmed"),
                ("venue_name", "Hall 3"),
                ("venue_address", "12 MG Road, Bengaluru, India"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let page = coord.get(r.location()).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("mlat=12.97");
    assert!(!page.body.contains("mlat=45."), "not Inđija, Serbia");
}
