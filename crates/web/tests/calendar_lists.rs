//! Calendar lists people can read: a series once with its next date in
//! every list, multi-day events across the month grid, past events with
//! their reports, worldwide calendars, embed snippets that load, repeat
//! rules in plain words, and the event form's date, time and repeat
//! pickers with their bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use convene_app::groups::{RosterFormat, import_roster};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

async fn site(app: &TestApp) -> Client<'_> {
    let r = import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    assert_eq!(r.created, 3, "{r:?}");
    let mut coord = coordinator(app).await;
    coord
        .submit(
            "/calendars",
            &[
                ("name", "Massachusetts"),
                ("country", "US"),
                ("region", "Massachusetts"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    coord
}

/// The event form as a browser with date and time inputs sends it.
fn form<'a>(
    title: &'a str,
    date: &'a str,
    end_date: &'a str,
    repeat: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "Talks and lightning talks."),
        ("start_date", date),
        ("start_time", "19:00"),
        ("end_date", end_date),
        ("end_time", "21:00"),
        ("tz", "America/New_York"),
        ("repeat", repeat),
        ("rrule", ""),
        ("status", "confirmed"),
        ("venue_name", "Microsoft NERD"),
    ]
}

async fn make(c: &mut Client<'_>, cal: &str, fields: &[(&str, &str)]) -> i64 {
    let r = c
        .submit(&format!("/calendars/{cal}/events/new"), fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn event_count(app: &TestApp) -> usize {
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::events::in_window(
        conn.ex(),
        convene_store::events::Scope::Site,
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
    )
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn a_series_shows_once_in_every_list_with_its_next_date() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    // 19 December 2026 is the third Saturday of the month.
    let id = make(
        &mut coord,
        "boston-python",
        &form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth"),
    )
    .await;
    make(
        &mut coord,
        "boston-python",
        &form("Holiday social", "2026-12-05", "2026-12-05", "never"),
    )
    .await;
    let words = "every third Saturday of the month";
    let next = "Sat 19 Dec 2026, 19:00–21:00 EST";
    for path in [
        "/calendar",
        "/calendars/massachusetts",
        "/calendars/boston-python",
        "/groups/boston-python",
        "/embed/calendars/massachusetts?limit=5",
        "/embed/calendar?limit=5",
    ] {
        let page = coord.get(path).await;
        page.assert_status(StatusCode::OK)
            .assert_contains(words)
            .assert_contains(next)
            .assert_contains("Holiday social");
        assert_eq!(
            page.body.matches("Monthly meetup").count(),
            1,
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("BYDAY"), "{path}");
        // The next date comes first: the single event is earlier.
        let (a, b) = (
            page.body.find("Holiday social").unwrap(),
            page.body.find("Monthly meetup").unwrap(),
        );
        assert!(a < b, "{path}");
    }
    for path in [
        "/embed/calendar.json",
        "/embed/calendars/massachusetts.json",
    ] {
        let json = coord.get(path).await.json();
        let occs = json["occurrences"].as_array().unwrap();
        let meetups: Vec<_> = occs
            .iter()
            .filter(|o| o["title"] == "Monthly meetup")
            .collect();
        assert_eq!(meetups.len(), 1, "{path}: {json}");
        assert_eq!(meetups[0]["series"], words);
        assert_eq!(meetups[0]["when"], next);
    }
    // The month grid still shows each date.
    for (month, day) in [
        ("2026-12", "2026-12-19T19:00"),
        ("2027-01", "2027-01-16T19:00"),
    ] {
        let grid = coord
            .get(&format!("/calendar?view=month&month={month}"))
            .await;
        grid.assert_contains(&format!("datetime=\"{day}:00-05:00\""));
    }
    // The event's page says it in words.
    let page = coord.get(&format!("/events/{id}")).await;
    page.assert_contains(words);
    assert!(!page.body.contains("FREQ="), "{}", page.body);
}

#[tokio::test]
async fn a_conference_spans_every_day_it_covers_in_the_month_grid() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    let mut fields = form("PyCon Boston", "2027-01-20", "2027-01-22", "never");
    fields.push(("all_day", "on"));
    make(&mut coord, "massachusetts", &fields).await;
    let grid = coord.get("/calendar?view=month&month=2027-01").await;
    grid.assert_contains("Times are shown in each event's own time zone.");
    coord
        .get("/calendar?view=month&month=2027-01&tz=Asia/Tokyo")
        .await
        .assert_contains("Times are shown in Asia/Tokyo time.");
    assert_eq!(
        grid.body.matches("PyCon Boston").count(),
        3,
        "{}",
        grid.body
    );
    // Each of the three days holds it, and the day after does not.
    let cell = |day: &str| {
        let start = grid
            .body
            .find(&format!("<span class=\"day\">{day}</span>"))
            .unwrap();
        let end = grid.body[start..].find("</td>").unwrap() + start;
        grid.body[start..end].to_owned()
    };
    for day in ["20", "21", "22"] {
        assert!(cell(day).contains("PyCon Boston"), "{day}");
    }
    assert!(!cell("23").contains("PyCon Boston"));
    // A timed event over two evenings shows on both days.
    make(
        &mut coord,
        "massachusetts",
        &form("Sprint weekend", "2027-01-09", "2027-01-10", "never"),
    )
    .await;
    let grid = coord.get("/calendar?view=month&month=2027-01").await;
    assert_eq!(grid.body.matches("Sprint weekend").count(), 2);
}

#[tokio::test]
async fn past_events_are_listed_newest_first_paged_searchable_with_reports() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    // 25 Tuesdays from 5 May 2026, all before the clock's 26 November.
    let mut weekly = form("Project night", "2026-05-05", "2026-05-05", "weekly");
    weekly.push(("repeat_count", "25"));
    make(&mut coord, "boston-python", &weekly).await;
    let sprint = make(
        &mut coord,
        "boston-python",
        &form("Autumn sprint", "2026-11-14", "2026-11-14", "never"),
    )
    .await;
    make(
        &mut coord,
        "boston-python",
        &form("Winter talk night", "2026-12-08", "2026-12-08", "never"),
    )
    .await;

    let page = coord.get("/calendar/past").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Past events")
        .assert_contains("Sat 14 Nov 2026");
    assert!(!page.body.contains("Winter talk night"));
    let newest = page.body.find("Autumn sprint").unwrap();
    let next = page.body.find("Tue 20 Oct 2026").unwrap();
    assert!(newest < next);
    assert_eq!(page.body.matches("class=\"h-event").count(), 20);
    page.assert_contains("href=\"/calendar/past?page=2\"");
    let older = coord.get("/calendar/past?page=2").await;
    older.assert_contains("Tue 5 May 2026");
    assert_eq!(older.body.matches("class=\"h-event").count(), 6);
    assert!(!older.body.contains("?page=3"));

    let found = coord.get("/calendar/past?q=SPRINT").await;
    found.assert_contains("Autumn sprint");
    assert!(!found.body.contains("Project night"));
    let none = coord.get("/calendar/past?q=haskell").await;
    none.assert_contains("No past event matches “haskell”");

    // A published report that links the event is named beside it.
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        let user = convene_store::users::by_email(conn.ex(), "coord@example.org")
            .await
            .unwrap()
            .unwrap();
        let body = format!("We sprinted: see [the event](/events/{sprint}).");
        let post = convene_store::posts::insert(
            conn.ex(),
            "autumn-sprint-report",
            &convene_store::posts::PostFields {
                title: "How the autumn sprint went",
                summary: "",
                body: &body,
                body_html: None,
                kind: "meeting_report",
                group_id: None,
                cover_image: "",
            },
            user.id,
            app.now(),
        )
        .await
        .unwrap();
        convene_store::posts::set_state(conn.ex(), post, "published", true, None, app.now())
            .await
            .unwrap();
    }
    let group = coord.get("/groups/boston-python").await;
    group
        .assert_contains("Past meetings")
        .assert_contains("href=\"/blog/autumn-sprint-report\">How the autumn sprint went</a>")
        .assert_contains("href=\"/calendars/boston-python/past\"");
    coord
        .get("/calendars/boston-python/past")
        .await
        .assert_contains("Autumn sprint");
}

#[tokio::test]
async fn a_worldwide_calendar_names_no_continent() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    let before = event_count(&app).await;
    // Asking for both, or for neither, is refused with advice; nothing is made.
    let both = coord
        .submit(
            "/calendars",
            &[
                ("name", "Conferences"),
                ("worldwide", "on"),
                ("continent", "EU"),
            ],
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    both.assert_contains("A worldwide calendar has no continent");
    let neither = coord.submit("/calendars", &[("name", "Conferences")]).await;
    assert_eq!(neither.status, StatusCode::UNPROCESSABLE_ENTITY);
    neither.assert_contains("tick “Worldwide”");
    assert_eq!(
        coord.get("/calendars/conferences").await.status,
        StatusCode::NOT_FOUND
    );

    coord
        .submit(
            "/calendars",
            &[("name", "Conferences"), ("worldwide", "on")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut taipei = form("PyCon Taiwan", "2027-01-23", "2027-01-24", "never");
    taipei.retain(|(k, _)| *k != "tz");
    taipei.push(("tz", "Asia/Taipei"));
    taipei.push(("venue_address", "Academia Sinica, Taipei"));
    make(&mut coord, "conferences", &taipei).await;
    assert_eq!(event_count(&app).await, before + 1);
    let page = coord.get("/calendars/conferences").await;
    page.assert_contains("PyCon Taiwan")
        .assert_contains("covers the whole world");
    assert!(!page.body.contains("(EU)") && !page.body.contains("in the area"));
    coord
        .get("/calendars")
        .await
        .assert_contains("Conferences</a> — worldwide");
}

/// The `src` of the iframe snippet and the slug of the script snippet a page offers.
fn snippets(body: &str) -> (String, String) {
    let iframe = body.split("&lt;iframe src=\"").nth(1).unwrap();
    let src = iframe.split('"').next().unwrap().replace("&amp;", "&");
    let div = body.split("data-convene-calendar=\"").nth(1).unwrap();
    (src, div.split('"').next().unwrap().to_owned())
}

#[tokio::test]
async fn every_embed_snippet_a_page_offers_loads() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    make(
        &mut coord,
        "boston-python",
        &form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth"),
    )
    .await;
    let mut c = app.client();
    for page in [
        "/calendar",
        "/calendars/massachusetts",
        "/calendars/boston-python",
    ] {
        let body = c.get(page).await.body;
        let (src, slug) = snippets(&body);
        let path = src.trim_start_matches("http://convene.test");
        assert!(path.starts_with("/embed/"), "{page}: {src}");
        let frame = c.get(path).await;
        frame
            .assert_status(StatusCode::OK)
            .assert_contains("Monthly meetup");
        // What widget.js requests for that slug.
        let json = if slug == "*" {
            "/embed/calendar.json?limit=5".to_owned()
        } else {
            format!("/embed/calendars/{slug}.json?limit=5")
        };
        let r = c.get(&json).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {json}");
        assert_eq!(r.json()["occurrences"][0]["title"], "Monthly meetup");
        assert!(body.contains("/embed/widget.js"));
    }
    let widget = c.get("/embed/widget.js").await;
    widget
        .assert_status(StatusCode::OK)
        .assert_contains("\"/embed/calendar\"");
}

#[tokio::test]
async fn the_event_form_picks_dates_times_and_repeats_and_explains_bad_dates() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    let blank = coord.get("/calendars/boston-python/events/new").await;
    blank
        .assert_contains("type=\"date\"")
        .assert_contains("type=\"time\"")
        .assert_contains("name=\"repeat_until\"")
        .assert_contains("name=\"repeat_count\"");
    // The picker says what each choice does for the default date (Thu 3 Dec 2026).
    blank
        .assert_contains(">Every Thursday<")
        .assert_contains(">Every first Thursday of the month<")
        .assert_contains(">Every last Thursday of the month<")
        .assert_contains(">Monthly on the 3rd<")
        .assert_contains(">Every year on 3 December<");

    let before = app.fingerprint().await;
    for (field, typed) in [
        ("start_date", "19/12/2026"),
        ("start_date", "Dec 19 2026"),
        ("end_date", "12/19/2026"),
        ("start_time", "7pm"),
        ("repeat_until", "June 2027"),
    ] {
        let mut fields = form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth");
        for f in &mut fields {
            if f.0 == field {
                f.1 = typed;
            }
        }
        if !fields.iter().any(|f| f.0 == field) {
            fields.push((field, typed));
        }
        let r = coord
            .submit("/calendars/boston-python/events/new", &fields)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let err = format!("<p class=\"field-error\" id=\"{field}-error\">“{typed}” is not a");
        r.assert_contains(&err)
            .assert_contains(&format!("value=\"{typed}\""))
            .assert_contains(&format!("href=\"#{field}\""));
    }
    let both = {
        let mut f = form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth");
        f.push(("repeat_count", "10"));
        f.push(("repeat_until", "2027-06-30"));
        coord
            .submit("/calendars/boston-python/events/new", &f)
            .await
    };
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    both.assert_contains("not both");
    assert_eq!(app.fingerprint().await, before, "nothing was stored");

    // An organizer's monthly meeting on the third Saturday, ten times.
    let mut olu = organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    let mut fields = form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth");
    fields.push(("repeat_count", "10"));
    let id = make(&mut olu, "boston-python", &fields).await;
    let page = olu.get(&format!("/events/{id}")).await;
    page.assert_contains("every third Saturday of the month, 10 times");
    // Editing shows the same choice, not a raw rule.
    let edit = olu.get(&format!("/events/{id}/edit")).await;
    edit.assert_contains(
        "<option value=\"monthly_nth\" selected>Every third Saturday of the month</option>",
    )
    .assert_contains("name=\"repeat_count\" type=\"number\" value=\"10\"");
    let mut until = form("Monthly meetup", "2026-12-19", "2026-12-19", "monthly_nth");
    until.push(("repeat_until", "2027-06-30"));
    olu.submit(&format!("/events/{id}/edit"), &until)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/events/{id}"))
        .await
        .assert_contains("every third Saturday of the month, until 30 June 2027");
}

#[tokio::test]
async fn an_imported_rule_without_plain_words_says_so_and_shows_the_rule() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    let mut fields = form("Last weekday", "2026-12-31", "2026-12-31", "custom");
    fields.retain(|(k, _)| *k != "rrule");
    fields.push(("rrule", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"));
    let id = make(&mut coord, "boston-python", &fields).await;
    let page = coord.get(&format!("/events/{id}")).await;
    page.assert_contains("repeats on a custom schedule")
        .assert_contains("<details class=\"series-rule-raw\"><summary>The rule</summary><code>FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1</code></details>");
    coord
        .get("/calendar")
        .await
        .assert_contains("repeats on a custom schedule");
}

#[tokio::test]
async fn the_repeat_choices_for_a_date_name_what_each_will_do() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    let json = visitor
        .get("/events/repeat-choices?start=2026-12-19")
        .await
        .json();
    let label = |value: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|c| c["value"] == value)
            .map(|c| c["label"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(label("monthly_nth"), "Every third Saturday of the month");
    assert_eq!(label("weekly"), "Every Saturday");
    assert_eq!(label("monthly_day"), "Monthly on the 19th");
    // Bad input: a date in another format gets the reason.
    let r = visitor.get("/events/repeat-choices?start=19/12/2026").await;
    r.assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("year-month-day");
}

/// A second approved group with a name the roster already has.
async fn namesake(app: &TestApp, slug: &str, name: &str, city: &str) {
    insert_group(app, slug, name, city, "GB").await;
}

#[tokio::test]
async fn an_editor_includes_a_group_by_its_name_picked_from_a_list() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    coord
        .submit(
            "/calendars",
            &[("name", "Conferences"), ("worldwide", "on")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = coord.get("/calendars/conferences").await;
    page.assert_contains("list=\"group-names\"")
        .assert_contains("<option value=\"Boston Python\">")
        .assert_contains("<option value=\"PyBerlin\">");

    // By name, in any case, and by address.
    for typed in ["boston python", "  PyWorcester "] {
        coord
            .submit(
                "/calendars/conferences/groups",
                &[("group", typed), ("mode", "include")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    coord
        .submit(
            "/calendars/conferences/groups",
            &[("group", "pyberlin"), ("mode", "include")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = coord.get("/calendars/conferences").await;
    for name in ["Boston Python", "PyWorcester", "PyBerlin"] {
        page.assert_contains(&format!("\">{name}</a>"));
    }

    // Names that pick no one group are refused with the choices; nothing changes.
    namesake(&app, "pyladies-london", "PyLadies", "London").await;
    namesake(&app, "pyladies-leeds", "PyLadies", "Leeds").await;
    let before = app.fingerprint().await;
    let cases = [
        ("", "Type the group&#39;s name and choose it from the list."),
        ("Python", "No group is called “Python”. Did you mean"),
        (
            "Atlantis Python Society",
            "No group is called “Atlantis Python Society”.",
        ),
        (
            "pyladies",
            "Several groups are called “pyladies”; type the address of the one you mean: pyladies-leeds (Leeds, GB), pyladies-london (London, GB).",
        ),
        (
            "<script>x</script>",
            "No group is called “&#60;script&#62;x&#60;/script&#62;”.",
        ),
    ];
    for (typed, message) in cases {
        let r = coord
            .submit(
                "/calendars/conferences/groups",
                &[("group", typed), ("mode", "include")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        r.assert_contains(message)
            .assert_contains("id=\"group-error\"");
    }
    let long = "P".repeat(5_000);
    let r = coord
        .submit(
            "/calendars/conferences/groups",
            &[("group", long.as_str()), ("mode", "include")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains(&"P".repeat(81)));
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn an_invitation_names_its_group_or_calendar_as_people_know_it() {
    let app = TestApp::new().await;
    let mut coord = site(&app).await;
    let page = coord.get("/invite").await;
    page.assert_contains("list=\"scope-names\"")
        .assert_contains("<option value=\"Boston Python\">")
        .assert_contains("<option value=\"Massachusetts\">");
    for (email, role, scope) in [
        ("olu@example.org", "organizer", "Boston Python"),
        ("ada@example.org", "calendar_editor", "massachusetts"),
        ("bo@example.org", "calendar_editor", "MASSACHUSETTS"),
    ] {
        coord
            .submit(
                "/invite",
                &[("email", email), ("role", role), ("scope", scope)],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    app.drain_jobs().await;
    let mail = app.last_mail_to("olu@example.org");
    assert!(mail.text.contains("Boston Python"), "{}", mail.text);
    let mail = app.last_mail_to("bo@example.org");
    assert!(mail.text.contains("Massachusetts"), "{}", mail.text);

    namesake(&app, "pyladies-london", "PyLadies", "London").await;
    namesake(&app, "pyladies-leeds", "PyLadies", "Leeds").await;
    let before = app.fingerprint().await;
    for (scope, message) in [
        ("PyLadies", "Several groups are called “PyLadies”"),
        ("Python Atlantis", "No group is called “Python Atlantis”."),
        ("", "Type the name of the group or calendar"),
    ] {
        let r = coord
            .submit(
                "/invite",
                &[
                    ("email", "eve@example.org"),
                    ("role", "organizer"),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{scope}");
        r.assert_contains(message);
    }
    assert_eq!(before, app.fingerprint().await);
}
