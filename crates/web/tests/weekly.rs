//! "What's on near you", weekly: subscribing near a place or to a regional
//! calendar, the Monday email with the coming two weeks' meetings in the
//! subscriber's zone and the new posts, sent once a week and not at all
//! when there is nothing new, one-click unsubscribing with exactly one's
//! own link, a visitor's confirmation, the Atom feed, and the email
//! arriving signed at a real SMTP sink.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use common::*;
use convene_app::groups::{RosterFormat, import_roster};
use convene_app::jobs::{JobContext, Registry, Worker, WorkerConfig};
use convene_app::weekly;
use std::sync::Arc;

const ROSTER: &[u8] = include_bytes!("fixtures/weekly-roster.csv");

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
    venue: &'a str,
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
        ("venue_name", venue),
        ("venue_address", ""),
    ]
}

/// The roster, a coordinator, meetings around Berlin and farther, and a
/// published report by PyBerlin.
async fn site(app: &TestApp) -> Client<'_> {
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(app).await;
    for (cal, ev) in [
        (
            "pyberlin",
            event(
                "PyBerlin hack night",
                "2026-12-02T19:00",
                "2026-12-02T21:00",
                "weekly",
                "Betahaus",
            ),
        ),
        (
            "pypotsdam",
            event(
                "PyPotsdam meetup",
                "2026-12-03T18:30",
                "2026-12-03T20:30",
                "never",
                "Rechenzentrum",
            ),
        ),
        (
            "pyhamburg",
            event(
                "PyHamburg meetup",
                "2026-12-03T19:00",
                "2026-12-03T21:00",
                "never",
                "Betahaus Hamburg",
            ),
        ),
        (
            "pyberlin",
            event(
                "PyBerlin Christmas party",
                "2026-12-18T19:00",
                "2026-12-18T23:00",
                "never",
                "c-base",
            ),
        ),
    ] {
        coord
            .submit(&format!("/calendars/{cal}/events/new"), &ev)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let r = coord
        .submit(
            "/blog/new",
            &[
                ("title", "November at PyBerlin"),
                ("body", REPORT),
                ("kind", "meeting_report"),
                ("group", "pyberlin"),
                ("tags", "typing"),
            ],
        )
        .await;
    let slug = r.post_slug();
    coord
        .submit(&format!("/blog/{slug}/submit"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    coord
}

/// Every stored weekly subscription, for "nothing changed" checks.
async fn subscriptions(app: &TestApp) -> Vec<String> {
    use convene_store::{run, sqlx};
    let mut conn = app.svc().db.conn().await.unwrap();
    type Row = (
        i64,
        Option<i64>,
        String,
        Option<i64>,
        String,
        Option<f64>,
        String,
        String,
        Option<DateTime<Utc>>,
        Option<String>,
    );
    let rows: Vec<Row> = run!(conn.ex(), |c| sqlx::query_as::<_, Row>(
        "SELECT id, user_id, email, calendar_id, place, radius_km, time_zone, token, confirmed_at, last_week FROM weekly_subscriptions ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter().map(|r| format!("{r:?}")).collect()
}

/// Stored state in full: the site's and the subscriptions'.
async fn everything(app: &TestApp) -> Vec<String> {
    let mut all = app.fingerprint().await;
    all.extend(subscriptions(app).await);
    all
}

fn weekly_mail(app: &TestApp, to: &str) -> Vec<convene_app::mail::OutgoingEmail> {
    app.mail()
        .into_iter()
        .filter(|m| m.to == to && m.subject.starts_with("What's on"))
        .collect()
}

/// Moves the clock to `at` (which must be later).
fn go_to(app: &TestApp, at: &str) {
    let at = DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&Utc);
    let by = at - app.now();
    assert!(by >= Duration::zero());
    app.advance(by);
}

#[tokio::test]
async fn a_member_near_a_place_gets_the_coming_two_weeks_in_their_zone_once_a_week() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    // Where a meeting is held decides, not whose it is.
    let mut visit = event(
        "PyHamburg visits Berlin",
        "2026-12-05T14:00",
        "2026-12-05T17:00",
        "never",
        "Alexanderplatz",
    );
    visit[9] = ("venue_address", "Alexanderplatz 1, 10178 Berlin");
    let mut trip = event(
        "PyBerlin trip to Hamburg",
        "2026-12-06T14:00",
        "2026-12-06T17:00",
        "never",
        "Reeperbahn",
    );
    trip[9] = ("venue_address", "Reeperbahn 1, 20359 Hamburg");
    for (cal, ev) in [("pyhamburg", visit), ("pyberlin", trip)] {
        coord
            .submit(&format!("/calendars/{cal}/events/new"), &ev)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let mut mo = member(&app, "mo@example.org").await;
    mo.get("/weekly")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Near a place")
        .assert_contains("Within (km)");
    let r = mo
        .submit(
            "/weekly",
            &[
                ("place", "Berlin"),
                ("km", "50"),
                ("time_zone", "America/New_York"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/weekly?done=weekly-subscribed");
    mo.get(r.location())
        .await
        .assert_contains("Subscribed: the weekly email comes on Mondays")
        .assert_contains("What is on within 50 km of Berlin");

    // Asking again changes nothing: still one subscription.
    let before = everything(&app).await;
    mo.submit(
        "/weekly",
        &[
            ("place", "Berlin"),
            ("km", "50"),
            ("time_zone", "America/New_York"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(everything(&app).await, before);

    // Thursday: the subscription starts next Monday, not now.
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    // Monday 06:59 in New York is not yet the morning.
    go_to(&app, "2026-11-30T11:59:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    go_to(&app, "2026-11-30T12:30:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 1);
    // Asked again (another node, the next tick): nothing more is queued.
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    app.drain_jobs().await;
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    app.drain_jobs().await;

    let got = weekly_mail(&app, "mo@example.org");
    assert_eq!(got.len(), 1, "one email a week");
    let mail = &got[0];
    assert_eq!(
        mail.subject,
        "What's on near Berlin: 4 meetings in the next two weeks"
    );
    assert!(mail.text.contains("* PyHamburg visits Berlin\n  Sat 5 Dec 2026, 08:00–11:00 EST\n  PyHamburg · Alexanderplatz\n"), "{}", mail.text);
    assert!(!mail.text.contains("trip to Hamburg"), "{}", mail.text);
    // Times in the member's zone: 19:00 in Berlin is 13:00 in New York.
    for line in [
        "* PyBerlin hack night\n  Wed 2 Dec 2026, 13:00–15:00 EST\n  PyBerlin · Betahaus\n",
        "* PyPotsdam meetup\n  Thu 3 Dec 2026, 12:30–14:30 EST\n  PyPotsdam · Rechenzentrum\n",
        "* PyBerlin hack night\n  Wed 9 Dec 2026, 13:00–15:00 EST\n",
        "Times are in America/New York.",
        "NEW POSTS",
        "* November at PyBerlin (PyBerlin)",
    ] {
        assert!(mail.text.contains(line), "{line:?} in {}", mail.text);
    }
    // Hamburg is 255 km away; the party is more than two weeks ahead.
    assert!(!mail.text.contains("PyHamburg meetup"), "{}", mail.text);
    assert!(!mail.text.contains("Christmas"), "{}", mail.text);
    assert!(mail.html.contains("<strong>PyBerlin hack night</strong>"));
    assert!(mail.html.contains("Wed 2 Dec 2026, 13:00–15:00 EST"));
    let unsubscribe = mail.unsubscribe.clone().expect("an unsubscribe link");
    assert!(unsubscribe.starts_with("http://convene.test/unsubscribe/weekly/"));
    let raw = String::from_utf8_lossy(&mail.to_message().unwrap().formatted()).into_owned();
    assert!(
        raw.contains(&format!("List-Unsubscribe: <{unsubscribe}>")),
        "{raw}"
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    // A rerun of the week's job sends nothing twice.
    let id = {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::weekly::by_token(conn.ex(), unsubscribe.rsplit('/').next().unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    assert!(!weekly::send_one(app.svc(), id, "2026-W49").await.unwrap());
    app.drain_jobs().await;
    assert_eq!(weekly_mail(&app, "mo@example.org").len(), 1);

    // The next Monday: the post was in the last email, the meetings go on.
    go_to(&app, "2026-12-07T12:30:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 1);
    app.drain_jobs().await;
    let got = weekly_mail(&app, "mo@example.org");
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[1].subject,
        "What's on near Berlin: 3 meetings in the next two weeks"
    );
    assert!(!got[1].text.contains("NEW POSTS"), "{}", got[1].text);
    assert!(got[1].text.contains("PyBerlin Christmas party"));
    assert!(got[1].message_id != got[0].message_id);
}

#[tokio::test]
async fn nothing_is_sent_in_a_week_with_nothing_new() {
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    // No group within 100 km of Reykjavík.
    mo.submit("/weekly", &[("place", "Reykjavik"), ("km", "100")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    go_to(&app, "2026-11-30T08:00:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 1);
    app.drain_jobs().await;
    assert!(weekly_mail(&app, "mo@example.org").is_empty());
    // The week is done all the same: nothing is composed again.
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    assert!(subscriptions(&app).await[0].ends_with("Some(\"2026-W49\"))"));
}

#[tokio::test]
async fn a_regional_calendars_page_offers_the_weekly_email_of_its_meetings() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    coord
        .submit(
            "/calendars",
            &[("name", "Brandenburg and Berlin"), ("country", "DE")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut mo = member(&app, "mo@example.org").await;
    let page = mo.get("/calendars/brandenburg-and-berlin").await;
    page.assert_contains("Every week by email")
        .assert_contains("name=\"calendar\" value=\"brandenburg-and-berlin\"");
    mo.submit(
        "/weekly",
        &[("calendar", "brandenburg-and-berlin"), ("time_zone", "")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    go_to(&app, "2026-11-30T08:00:00Z");
    weekly::queue_due(app.svc()).await.unwrap();
    app.drain_jobs().await;
    let got = weekly_mail(&app, "mo@example.org");
    assert_eq!(got.len(), 1);
    // The calendar gathers every German group, Hamburg's too; times in UTC.
    assert_eq!(
        got[0].subject,
        "What's on in Brandenburg and Berlin: 4 meetings in the next two weeks"
    );
    assert!(
        got[0].text.contains("Wed 2 Dec 2026, 18:00–20:00 UTC"),
        "{}",
        got[0].text
    );
    assert!(got[0].text.contains("PyHamburg meetup"));
    assert!(got[0].text.contains("November at PyBerlin"));
}

#[tokio::test]
async fn bad_places_distances_and_calendars_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    let before = everything(&app).await;
    for (fields, message) in [
        (
            vec![("place", "Berlin"), ("km", "fifty")],
            "Give the distance as a number of kilometres, like 50.",
        ),
        (
            vec![("place", "Berlin"), ("km", "0")],
            "Choose a distance of more than 0 and at most 500 km.",
        ),
        (
            vec![("place", "Berlin"), ("km", "-20")],
            "Choose a distance of more than 0 and at most 500 km.",
        ),
        (
            vec![("place", "Berlin"), ("km", "501")],
            "Choose a distance of more than 0 and at most 500 km.",
        ),
        (
            vec![("place", "Atlantis under the sea"), ("km", "50")],
            "We do not know a place called “Atlantis under the sea”.",
        ),
        (
            vec![("calendar", "nowhere-at-all")],
            "There is no regional calendar at that address.",
        ),
        (
            vec![
                ("place", "Berlin"),
                ("km", "50"),
                ("time_zone", "Mars/Olympus"),
            ],
            "Mars/Olympus",
        ),
    ] {
        let r = mo.submit("/weekly", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}: {}",
            r.body
        );
        r.assert_contains(message)
            .assert_contains("Please fix this");
        // What was typed is kept.
        if let Some((_, place)) = fields.iter().find(|(k, _)| *k == "place") {
            r.assert_contains(&format!("value=\"{place}\""));
        }
        assert_eq!(everything(&app).await, before, "{fields:?}");
    }
}

#[tokio::test]
async fn a_visitor_gets_nothing_until_the_confirmation_link_is_followed() {
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut visitor = app.client();
    let before = everything(&app).await;
    // An address is needed, and a real one.
    for (email, message) in [
        ("", "Give the address the email should go to"),
        ("not-an-address", "address"),
    ] {
        let r = visitor
            .submit(
                "/weekly",
                &[("place", "Berlin"), ("km", "30"), ("email", email)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        r.assert_contains(message);
        assert_eq!(everything(&app).await, before);
    }
    let r = visitor
        .submit(
            "/weekly",
            &[
                ("place", "Berlin"),
                ("km", "30"),
                ("email", "Vi@Example.org"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/weekly?done=weekly-check-inbox");
    app.drain_jobs().await;
    let confirm = app.link_in_mail("vi@example.org", "/weekly/confirm/");

    // Monday comes: the unconfirmed address gets nothing.
    go_to(&app, "2026-11-30T08:00:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    app.drain_jobs().await;
    assert!(weekly_mail(&app, "vi@example.org").is_empty());

    // A garbled link is refused clearly and confirms nothing.
    let before = everything(&app).await;
    let garbled = format!("{}x", confirm);
    visitor.get(&garbled).await.assert_status(StatusCode::OK);
    let r = visitor.submit(&garbled, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    r.assert_contains("This confirmation link is not one we sent");
    assert_eq!(everything(&app).await, before);

    // The right one starts it; the week after, the email comes.
    let r = visitor.submit(&confirm, &[]).await;
    assert_eq!(r.location(), "/weekly?done=weekly-confirmed");
    let r = visitor.submit(&confirm, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a used link: {}", r.body);
    go_to(&app, "2026-12-07T08:00:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 1);
    app.drain_jobs().await;
    let got = weekly_mail(&app, "vi@example.org");
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].subject,
        "What's on near Berlin: 3 meetings in the next two weeks"
    );
    assert!(
        got[0].text.contains("Wed 16 Dec 2026, 18:00–20:00 UTC"),
        "{}",
        got[0].text
    );

    // A link left for more than a week has expired, and says so.
    visitor
        .submit(
            "/weekly",
            &[
                ("place", "Potsdam"),
                ("km", "20"),
                ("email", "vi@example.org"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let late = app.link_in_mail("vi@example.org", "/weekly/confirm/");
    app.advance(Duration::days(8));
    let before = everything(&app).await;
    let r = visitor.submit(&late, &[]).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    r.assert_contains("This confirmation link has expired.");
    assert_eq!(everything(&app).await, before);
}

#[tokio::test]
async fn only_ones_own_exact_link_ends_a_weekly_subscription() {
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut ann = member(&app, "ann@example.org").await;
    let mut bob = member(&app, "bob@example.org").await;
    for c in [&mut ann, &mut bob] {
        c.submit("/weekly", &[("place", "Berlin"), ("km", "50")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    go_to(&app, "2026-11-30T08:00:00Z");
    weekly::queue_due(app.svc()).await.unwrap();
    app.drain_jobs().await;
    let link = |to: &str| {
        weekly_mail(&app, to)[0]
            .unsubscribe
            .clone()
            .unwrap()
            .trim_start_matches("http://convene.test")
            .to_owned()
    };
    let (ann_link, bob_link) = (link("ann@example.org"), link("bob@example.org"));
    assert_ne!(ann_link, bob_link);

    // Forged and garbled links: a clear page, and nothing ends.
    let before = everything(&app).await;
    let mut forged = bob_link.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for (path, status, message) in [
        (
            forged.as_str(),
            StatusCode::GONE,
            "This subscription has already ended, or the link is not one we sent; nothing was changed.",
        ),
        (
            &bob_link[..bob_link.len() - 5],
            StatusCode::NOT_FOUND,
            "This unsubscribe link is not one we sent.",
        ),
        (
            "/unsubscribe/weekly/%27%20OR%201%3D1%20--",
            StatusCode::NOT_FOUND,
            "This unsubscribe link is not one we sent.",
        ),
    ] {
        for method in ["GET", "POST"] {
            let r = app
                .send(
                    Request::builder()
                        .method(method)
                        .uri(path)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from("List-Unsubscribe=One-Click"))
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, status, "{method} {path}: {}", r.body);
            r.assert_contains(message);
            assert_eq!(everything(&app).await, before, "{method} {path}");
        }
    }
    // Ann, signed in, using Bob's link with one character changed ends nothing.
    let r = ann.submit(&forged, &[]).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(everything(&app).await, before);

    // Bob's own link, as his mail program posts it: only his ends.
    let page = app
        .send(Request::get(bob_link.as_str()).body(Body::empty()).unwrap())
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Stop sending the weekly email of what is on within 50 km of Berlin")
        .assert_contains("bob@example.org");
    assert_eq!(everything(&app).await, before, "asking changes nothing");
    let r = app
        .send(
            Request::post(bob_link.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://mail.example")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.assert_contains("You will get no more weekly emails");
    let again = app
        .send(
            Request::post(bob_link.as_str())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    let left = subscriptions(&app).await;
    assert_eq!(left.len(), 1);
    assert!(left[0].contains("ann@example.org"));
    // Ann's still runs the next Monday; Bob gets nothing more.
    go_to(&app, "2026-12-07T08:00:00Z");
    weekly::queue_due(app.svc()).await.unwrap();
    app.drain_jobs().await;
    assert_eq!(weekly_mail(&app, "ann@example.org").len(), 2);
    assert_eq!(weekly_mail(&app, "bob@example.org").len(), 1);
    let _ = ann_link;
}

#[tokio::test]
async fn the_weekly_digest_is_also_an_atom_feed() {
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut visitor = app.client();
    let r = visitor
        .get("/weekly.atom?near=Berlin&km=50&tz=Europe/Berlin")
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let feed = feed_rs::parser::parse(r.bytes.as_slice()).unwrap();
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        vec![
            "PyBerlin hack night — Wed 2 Dec 2026, 19:00–21:00 CET",
            "PyPotsdam meetup — Thu 3 Dec 2026, 18:30–20:30 CET",
            "PyBerlin hack night — Wed 9 Dec 2026, 19:00–21:00 CET",
            "November at PyBerlin",
        ]
    );
    let r = visitor.get("/weekly.atom?near=Berlin&km=900").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Choose a distance of more than 0 and at most 500 km.");
}

#[tokio::test]
async fn a_weekly_digest_reaches_a_member_at_a_local_smtp_sink_signed() {
    use convene_app::mail::dkim::{DkimKey, setting_name};
    use convene_app::mail::{SigningMailer, SmtpMailer};
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut mo = member(&app, "mo@example.org").await;
    mo.submit(
        "/weekly",
        &[
            ("place", "Berlin"),
            ("km", "50"),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let (port, inbox) = smtp_sink().await;
    let key = DkimKey::generate("convene.test", "convene1").unwrap();
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::settings::set(conn.ex(), &setting_name("convene.test"), &key.to_setting())
            .await
            .unwrap();
    }
    let smtp = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let mailer = SigningMailer::new(Arc::new(smtp), app.svc().db.clone(), "convene.test")
        .await
        .unwrap();
    assert!(mailer.is_signing().await);
    let worker = Worker::new(
        JobContext {
            services: app.svc().clone(),
            mailer: Arc::new(mailer),
            fetcher: Arc::new(convene_app::net::Fetcher::new(
                convene_app::net::FetchPolicy::default(),
            )),
        },
        Registry::standard(),
        WorkerConfig {
            name: "smtp".into(),
            ..WorkerConfig::default()
        },
    );
    go_to(&app, "2026-11-30T07:00:00Z");
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 1);
    worker.drain().await.unwrap();
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one weekly email at the sink");
    let (from, to, data) = &got[0];
    assert_eq!(from, "<hub@convene.test>");
    assert_eq!(to, &vec!["<mo@example.org>".to_owned()]);
    assert!(data.starts_with(b"DKIM-Signature: "), "signed by the site");
    let msg = mail_parser::MessageParser::default().parse(data).unwrap();
    let dkim = msg.header_raw("DKIM-Signature").unwrap();
    assert!(
        dkim.contains("d=convene.test") && dkim.contains("s=convene1"),
        "{dkim}"
    );
    assert_eq!(
        msg.subject(),
        Some("What's on near Berlin: 3 meetings in the next two weeks")
    );
    assert!(
        msg.header_raw("List-Unsubscribe")
            .unwrap()
            .contains("http://convene.test/unsubscribe/weekly/")
    );
    assert_eq!(
        msg.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
    let text = msg.body_text(0).unwrap();
    for want in [
        "PyBerlin hack night\n  Wed 2 Dec 2026, 19:00–21:00 CET",
        "PyPotsdam meetup\n  Thu 3 Dec 2026, 18:30–20:30 CET",
        "PyBerlin hack night\n  Wed 9 Dec 2026, 19:00–21:00 CET",
        "November at PyBerlin",
    ] {
        assert!(
            text.replace("\r\n", "\n").contains(want),
            "{want:?} in {text}"
        );
    }
    assert!(!text.contains("PyHamburg"));
    let html = msg.body_html(0).unwrap();
    assert!(html.contains("<strong>PyPotsdam meetup</strong>"));
}

#[tokio::test]
async fn a_weekly_sending_reaches_each_subscriber_once_at_a_real_relay_even_when_it_stops_half_way()
{
    use convene_app::jobs::BackgroundJob;
    use convene_store::deliveries::{self, Batch, BatchKind};
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const N: usize = 20;
    let app = TestApp::new().await;
    let _coord = site(&app).await;
    let mut ids = Vec::new();
    for i in 0..N {
        let mut conn = app.svc().db.conn().await.unwrap();
        let id = convene_store::weekly::insert(
            conn.ex(),
            &convene_store::weekly::NewWeekly {
                user_id: None,
                email: &format!("near{i:02}@example.org"),
                calendar_id: None,
                place: "Berlin",
                area: Some((52.52, 13.405, 50.0)),
                time_zone: "Europe/Berlin",
                token: &format!("weeklytoken{i:02}"),
                confirm: None,
                confirmed_at: Some(app.now()),
                now: app.now(),
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    // The relay takes half the emails, then refuses for now.
    let refuse_after = Arc::new(AtomicUsize::new(N / 2));
    let (port, inbox) = smtp_sink_refusing_after(refuse_after.clone()).await;
    let context = || JobContext {
        services: app.svc().clone(),
        mailer: Arc::new(
            convene_app::mail::SmtpMailer::from_url_with_connections(
                &format!("smtp://127.0.0.1:{port}"),
                4,
            )
            .unwrap(),
        ),
        fetcher: Arc::new(convene_app::net::Fetcher::new(
            convene_app::net::FetchPolicy::default(),
        )),
    };
    let worker = Worker::new(
        context(),
        Registry::standard(),
        WorkerConfig {
            name: "smtp".into(),
            ..WorkerConfig::default()
        },
    );
    let per_recipient = || {
        let mut per = BTreeMap::new();
        for (_, to, _) in inbox.lock().unwrap().iter() {
            *per.entry(to[0].clone()).or_insert(0usize) += 1;
        }
        per
    };
    go_to(&app, "2026-11-30T07:00:00Z");
    let sending = app.now().timestamp_millis();
    let batch = Batch::new(BatchKind::Weekly, sending);
    let counts = || async {
        let mut conn = app.svc().db.conn().await.unwrap();
        deliveries::count(conn.ex(), batch).await.unwrap()
    };
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), N);
    worker.drain().await.unwrap();
    let first = per_recipient();
    assert_eq!(first.len(), N / 2, "{first:?}");
    assert!(first.values().all(|n| *n == 1), "{first:?}");
    let c = counts().await;
    assert_eq!((c.sent, c.queued), (N as i64 / 2, N as i64 / 2));

    // The relay recovers; the job's next try sends the rest only.
    refuse_after.store(usize::MAX, Ordering::SeqCst);
    app.advance(Duration::hours(1));
    worker.drain().await.unwrap();
    let all = per_recipient();
    assert_eq!(all.len(), N, "{all:?}");
    assert!(all.values().all(|n| *n == 1), "each exactly once: {all:?}");
    let c = counts().await;
    assert_eq!((c.sent, c.queued, c.failed), (N as i64, 0, 0));

    // Each email is the subscriber's own, with their own unsubscribe link.
    for (_, to, data) in inbox.lock().unwrap().iter() {
        let msg = mail_parser::MessageParser::default().parse(data).unwrap();
        assert_eq!(
            msg.subject(),
            Some("What's on near Berlin: 3 meetings in the next two weeks")
        );
        let i = &to[0]["<near".len().."<near".len() + 2];
        let link = msg.header_raw("List-Unsubscribe").unwrap();
        assert!(
            link.contains(&format!("/unsubscribe/weekly/weeklytoken{i}>")),
            "{to:?} {link}"
        );
    }

    // Run again, as after a crash, and asked again: nobody gets a second
    // email, and each subscription knows when its email went out.
    assert_eq!(weekly::queue_due(app.svc()).await.unwrap(), 0);
    assert!(
        !weekly::send_one(app.svc(), ids[0], "2026-W49")
            .await
            .unwrap()
    );
    weekly::SendWeekly {
        sending,
        week: "2026-W49".into(),
    }
    .run(context())
    .await
    .unwrap();
    worker.drain().await.unwrap();
    assert_eq!(inbox.lock().unwrap().len(), N);
    for id in ids {
        let mut conn = app.svc().db.conn().await.unwrap();
        let row = convene_store::weekly::by_id(conn.ex(), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.last_week.as_deref(), Some("2026-W49"));
        assert!(
            row.last_sent_at
                .is_some_and(|t| t >= app.now() - Duration::hours(1))
        );
    }
}
