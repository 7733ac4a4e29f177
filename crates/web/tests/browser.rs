//! convene in a real browser: headless Chromium, driven by chromedriver,
//! goes through a site's first day (set-up, an invitation read from the
//! outbox and accepted, signing out and in again).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/browser.rs"]
mod kit;

use common::TestApp;
use fantoccini::Locator;
use kit::{Browser, PAGE_WAIT, in_browser};
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long the background worker may take to write the invitation to the outbox.
const MAIL_WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_invites_organizer_who_accepts_from_the_outbox_in_a_browser() {
    in_browser(true, "browser flow", first_day).await;
}

async fn first_day(app: TestApp, addr: SocketAddr, b: Browser) {
    common::ensure_group(&app, "pug-lagos").await;
    // 1. The person who started the server opens the set-up link and becomes
    //    the first coordinator.
    let setup = convene_app::accounts::first_coordinator_link(app.svc())
        .await
        .expect("set-up link");
    b.open(&setup).await;
    b.expect_page("/setup/", &["Set up this site"]).await;
    b.fill("display_name", "Cora Coordinator").await;
    b.fill("email", "coord@example.org").await;
    b.fill("password", "violet kettle harbour").await;
    b.submit_form().await;
    b.expect_page(
        "/admin",
        &[
            "Welcome! Your account is ready and you are signed in.",
            "Run the site",
            "Cora Coordinator",
            "Sign out",
        ],
    )
    .await;

    // The page is styled under the site's Content-Security-Policy: the
    // stylesheet is linked and applies (the skip link is moved off-screen).
    let sheet = b.find("link[rel=stylesheet]").await;
    let href = sheet.attr("href").await.unwrap_or_default();
    let expected = convene_web::layout::stylesheet_href();
    if href.as_deref() != Some(expected.as_str()) {
        b.fail(&format!("stylesheet link points to {href:?}")).await;
    }
    let position = b
        .find("a.skip")
        .await
        .css_value("position")
        .await
        .unwrap_or_default();
    if position != "absolute" {
        b.fail(&format!(
            "the stylesheet did not apply (skip link position is {position:?}, expected \"absolute\"); \
             is it blocked by the Content-Security-Policy?"
        ))
        .await;
    }

    // 2. The coordinator invites an organizer of pug-lagos.
    b.open("/invite").await;
    b.expect_page("/invite", &["Invite someone"]).await;
    b.fill("email", "olu@example.org").await;
    let role = b.find("#role").await;
    if let Err(e) = role.select_by_value("organizer").await {
        b.fail(&format!("cannot choose the organizer role: {e}"))
            .await;
    }
    b.fill("scope", "pug-lagos").await;
    b.submit_form().await;
    b.expect_page(
        "/invite",
        &["The invitation is on its way.", "olu@example.org"],
    )
    .await;
    let notice = b
        .find("main .notice")
        .await
        .text()
        .await
        .unwrap_or_default();
    if notice != "The invitation is on its way." {
        b.fail(&format!("unexpected notice {notice:?}")).await;
    }

    // 3. The invitation arrives in the outbox (written by the background
    //    worker); the organizer opens the link in it.
    b.open("/admin/outbox").await;
    let row_link = Locator::XPath("//main//tr[td[normalize-space()='olu@example.org']]//a");
    let deadline = Instant::now() + MAIL_WAIT;
    let message = loop {
        if let Ok(a) = b.c.find(row_link).await {
            break a;
        }
        if Instant::now() > deadline {
            b.fail(&format!(
                "no mail to olu@example.org in the outbox after {MAIL_WAIT:?}"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = b.c.refresh().await;
    };
    b.click(&message, "the invitation in the outbox").await;
    b.expect_page(
        "/admin/outbox/",
        &[
            "Text part",
            "Cora Coordinator invites you to be an organizer of the group pug-lagos",
        ],
    )
    .await;
    let text = b.find("pre.mail").await.text().await.unwrap_or_default();
    let prefix = format!("http://{addr}/invitations/");
    let Some(invitation) = text
        .split_whitespace()
        .find(|w| w.starts_with(&prefix))
        .map(str::to_owned)
    else {
        b.fail(&format!("no {prefix}… link in the mail's text part"))
            .await;
    };
    let expected = app.link_in_mail("olu@example.org", "/invitations/");
    assert_eq!(
        invitation.strip_prefix(&b.base),
        Some(expected.as_str()),
        "the link shown in the outbox differs from the one in the mail"
    );

    // 4. Signed out, the organizer accepts the invitation with a password.
    b.sign_out().await;
    b.open(&invitation).await;
    b.expect_page("/invitations/", &["Your invitation", "olu@example.org"])
        .await;
    b.fill("display_name", "Olu Organizer").await;
    b.fill("password", "orange lantern meadow").await;
    b.submit_form().await;
    b.expect_page(
        "/account",
        &[
            "Welcome! Your account is ready and you are signed in.",
            "Olu Organizer",
            "an organizer of the group pug-lagos",
        ],
    )
    .await;

    // 5. They sign out and in again with the new password.
    b.sign_out().await;
    b.open("/signin").await;
    b.expect_page("/signin", &["Sign in"]).await;
    b.fill("email", "olu@example.org").await;
    b.fill("password", "orange lantern meadow").await;
    b.submit_form().await;
    b.expect_page(
        "/account",
        &[
            "You are signed in.",
            "olu@example.org",
            "an organizer of the group pug-lagos",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_editor_embeds_a_calendar_on_another_site_in_a_browser() {
    in_browser(true, "calendar browser flow", regional_calendar).await;
}

/// Serves `files` (path, content type, body) on a loopback port: another
/// site, on another origin.
async fn other_site(files: Vec<(&'static str, &'static str, String)>) -> SocketAddr {
    let mut router = axum::Router::new();
    for (path, kind, body) in files {
        router = router.route(
            path,
            axum::routing::get(move || {
                let body = body.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, kind)], body) }
            }),
        );
    }
    TestApp::serve(router).await
}

/// The event form's repeat choices are named for the start date, and the
/// form's script renames them when another date is picked.
async fn repeat_picker_follows_the_date(b: &Browser) {
    b.open("/calendars/boston-python/events/new").await;
    b.expect_page("/calendars/boston-python/events/new", &["How often"])
        .await;
    b.c.execute(
        "const d = document.getElementById('start_date'); \
         d.value = '2026-12-19'; d.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await
    .expect("set the start date");
    let wanted = "Every third Saturday of the month";
    let started = Instant::now();
    loop {
        let label = b
            .find("#repeat option[value=monthly_nth]")
            .await
            .text()
            .await
            .unwrap_or_default();
        if label == wanted {
            break;
        }
        if started.elapsed() > PAGE_WAIT {
            b.fail(&format!(
                "the repeat choice still reads {label:?} after the date became Saturday 19 December"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn regional_calendar(app: TestApp, addr: SocketAddr, b: Browser) {
    use convene_app::calendars::{self, EventInput};
    // The roster, and one event on each Massachusetts group's calendar
    // (made by their organizers; here straight through the use-cases).
    convene_app::groups::import_roster(
        app.svc(),
        None,
        convene_app::groups::RosterFormat::Csv,
        include_bytes!("fixtures/calendar-roster.csv"),
        false,
    )
    .await
    .expect("roster");
    let setup = convene_app::accounts::first_coordinator_link(app.svc())
        .await
        .expect("set-up link");
    b.open(&setup).await;
    b.fill("display_name", "Cora Coordinator").await;
    b.fill("email", "coord@example.org").await;
    b.fill("password", "violet kettle harbour").await;
    b.submit_form().await;
    b.expect_page("/admin", &["Cora Coordinator"]).await;
    repeat_picker_follows_the_date(&b).await;
    let coordinator = common::actor(&app, "coord@example.org").await;
    for (group, title, start, end, rrule) in [
        (
            "boston-python",
            "Boston Python project night",
            "2026-12-08T19:00",
            "2026-12-08T21:00",
            "FREQ=MONTHLY;BYDAY=2TU",
        ),
        (
            "pyworcester",
            "PyWorcester meetup",
            "2026-12-31T18:00",
            "2026-12-31T20:00",
            "FREQ=MONTHLY;BYDAY=-1TH",
        ),
        (
            "pyberlin",
            "PyBerlin Stammtisch",
            "2026-12-03T19:00",
            "2026-12-03T22:00",
            "FREQ=WEEKLY;BYDAY=TH",
        ),
    ] {
        let cal = calendars::calendar(app.svc(), group).await.unwrap();
        let tz = if group == "pyberlin" {
            "Europe/Berlin"
        } else {
            "America/New_York"
        };
        calendars::create_event(
            app.svc(),
            &coordinator,
            &cal,
            &EventInput {
                title: title.into(),
                start: start.into(),
                end: end.into(),
                tz: tz.into(),
                repeat: "custom".into(),
                rrule: rrule.into(),
                status: "confirmed".into(),
                ..EventInput::default()
            },
        )
        .await
        .expect("group event");
    }

    // 1. The coordinator makes the Massachusetts calendar and invites an editor.
    b.open("/calendars").await;
    b.fill("name", "Massachusetts").await;
    b.fill("country", "US").await;
    b.fill("region", "Massachusetts").await;
    b.submit_form().await;
    b.expect_page(
        "/calendars/massachusetts",
        &["The calendar is ready", "Boston Python", "PyWorcester"],
    )
    .await;
    b.open("/invite").await;
    b.fill("email", "eda@example.org").await;
    let role = b.find("#role").await;
    if let Err(e) = role.select_by_value("calendar_editor").await {
        b.fail(&format!("cannot choose the calendar editor role: {e}"))
            .await;
    }
    b.fill("scope", "massachusetts").await;
    b.submit_form().await;
    b.expect_page("/invite", &["The invitation is on its way."])
        .await;
    let deadline = Instant::now() + MAIL_WAIT;
    let invitation = loop {
        let found = app.mail().iter().any(|m| m.to == "eda@example.org");
        if found {
            break app.link_in_mail("eda@example.org", "/invitations/");
        }
        if Instant::now() > deadline {
            b.fail("no invitation mail for eda@example.org").await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    // 2. The editor accepts and subscribes the calendar to an outside feed.
    b.sign_out().await;
    b.open(&invitation).await;
    b.fill("display_name", "Eda Editor").await;
    b.fill("password", "orange lantern meadow").await;
    b.submit_form().await;
    b.expect_page("/account", &["Eda Editor", "calendar editor"])
        .await;
    let outside = other_site(vec![(
        "/hacknights.ics",
        "text/calendar",
        String::from_utf8(include_bytes!("fixtures/outside-feed.ics").to_vec()).unwrap(),
    )])
    .await;
    b.open("/calendars/massachusetts").await;
    b.expect_page(
        "/calendars/massachusetts",
        &["For editors", "Outside calendars synced in"],
    )
    .await;
    b.fill("url", &format!("http://{outside}/hacknights.ics"))
        .await;
    let subscribe = b
        .find("form[action='/calendars/massachusetts/sources'] button[type=submit]")
        .await;
    b.click(&subscribe, "Subscribe this calendar").await;
    b.expect_page(
        "/calendars/massachusetts",
        &["The outside calendar is subscribed"],
    )
    .await;
    // The background worker syncs it; the page then lists all three sources.
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        b.open("/calendars/massachusetts").await;
        let text = b.find("main").await.text().await.unwrap_or_default();
        if text.contains("Cambridge Hack Night") {
            break;
        }
        if Instant::now() > deadline {
            b.fail("the outside feed's events did not arrive").await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    b.expect_page(
        "/calendars/massachusetts",
        &[
            "Boston Python project night",
            "PyWorcester meetup",
            "Cambridge Hack Night",
        ],
    )
    .await;

    // 3. The editor copies the snippets the page offers into a plain page on another site.
    let snippets: Vec<String> = {
        let mut out = Vec::new();
        for code in
            b.c.find_all(Locator::Css("details.embed pre code"))
                .await
                .unwrap_or_default()
        {
            out.push(
                code.prop("textContent")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            );
        }
        out
    };
    if snippets.len() != 2 {
        b.fail(&format!("expected two snippets, found {}", snippets.len()))
            .await;
    }
    let host_page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Massachusetts Python</title></head><body>\
         <h1>Python in Massachusetts</h1><p>Our friends' meetings:</p>{}<h2>Also as a frame</h2>{}</body></html>",
        snippets[1], snippets[0]
    );
    let elsewhere = other_site(vec![("/", "text/html; charset=utf-8", host_page)]).await;
    b.open(&format!("http://{elsewhere}/")).await;
    // The script renders the upcoming events into the div (fetched across origins).
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let text = b
            .find("[data-convene-calendar]")
            .await
            .text()
            .await
            .unwrap_or_default();
        if text.contains("Boston Python project night")
            && text.contains("Cambridge Hack Night")
            && text.contains("Massachusetts")
        {
            break;
        }
        if Instant::now() > deadline {
            b.fail(&format!(
                "the widget did not render the calendar; it shows {text:?}"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let state = b
        .find("[data-convene-calendar]")
        .await
        .attr("data-convene-state")
        .await
        .ok()
        .flatten();
    if state.as_deref() != Some("ready") {
        b.fail(&format!("widget state {state:?}")).await;
    }
    // The frame renders too, without any script.
    let frame = b.find("iframe").await;
    if let Err(e) = frame.enter_frame().await {
        b.fail(&format!("cannot enter the frame: {e}")).await;
    }
    let framed = b.find("main").await.text().await.unwrap_or_default();
    if !framed.contains("Massachusetts") || !framed.contains("Cambridge Hack Night") {
        b.fail(&format!("the framed calendar shows {framed:?}"))
            .await;
    }
    let _ = b.c.enter_parent_frame().await;

    // 4. The editor subscribes to the webcal feed the page links to.
    b.open("/calendars/massachusetts").await;
    let webcal = b
        .find("a[href^='webcal://']")
        .await
        .attr("href")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let http = webcal.replacen("webcal://", "http://", 1);
    let path = http
        .trim_start_matches(&format!("http://{addr}"))
        .to_owned();
    if path != "/calendars/massachusetts.ics" {
        b.fail(&format!("the webcal link points to {webcal}")).await;
    }
    let feed = app
        .send(
            axum::http::Request::get(path.as_str())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(feed.status, axum::http::StatusCode::OK);
    let parsed = convene_ical::parse(feed.body.as_bytes(), convene_ical::Limits::default())
        .expect("a valid feed");
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    let uids: Vec<&str> = parsed.events.iter().map(|e| e.uid.as_str()).collect();
    assert!(
        uids.contains(&"hacknight-series@outside.example"),
        "{uids:?}"
    );
    assert!(
        !feed.body.contains("PyBerlin"),
        "Berlin is not in Massachusetts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_reports_a_meeting_with_photos_and_a_video_in_a_browser() {
    in_browser(true, "blog browser flow", |app, _, b| {
        meeting_report(app, b)
    })
    .await;
}

/// A report of a real kind of meeting: what was covered and who spoke.
const REPORT: &str = "Twenty-five people came to our March meeting at the Microsoft NERD center.\n\n\
## Talks\n\n\
* **Packaging without tears** — Priya Raman walked through `pyproject.toml`, building wheels with `build` and publishing with trusted publishing.\n\
* **Pandas to Polars** — Sam Ortiz showed how a 40-minute report job dropped to 3 minutes, and where lazy frames surprised him.\n\n\
In the lightning talks we discussed type hints in Django views. Questions ran long: most were about migrating old setup.py projects.\n\n\
The recording of Priya's talk:\n\n\
https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n\
Next month: a beginners' workshop on testing with pytest.";

/// Writes a JPEG of `w` × `h` pixels to `path` (for the browser to upload).
fn write_photo(path: &Path, w: u32, h: u32, tint: u8) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, tint])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg)
        .expect("photo written");
}

async fn meeting_report(app: TestApp, b: Browser) {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    // The roster, a coordinator, an invited organizer of Boston Python, and
    // a member who follows the group's posts by email.
    convene_app::groups::import_roster(
        app.svc(),
        None,
        convene_app::groups::RosterFormat::Csv,
        include_bytes!("fixtures/calendar-roster.csv"),
        false,
    )
    .await
    .expect("roster");
    let mut coord = common::coordinator(&app).await;
    common::organizer(&app, &mut coord, "olu@example.org", "boston-python").await;
    common::member(&app, "mo@example.org").await;
    let photos = tempfile::tempdir().expect("temporary folder");
    let (first, second) = (
        photos.path().join("talk.jpg"),
        photos.path().join("room.jpg"),
    );
    write_photo(&first, 1600, 1200, 40);
    write_photo(&second, 1200, 900, 200);

    // 1. The member subscribes to the group's posts.
    b.sign_in("mo@example.org", "purple window garden").await;
    b.open("/groups/boston-python/blog").await;
    let subscribe = b.find("form[action='/blog/subscribe'] button").await;
    b.click(&subscribe, "the subscribe button").await;
    b.expect_page("/groups/boston-python/blog", &["Subscribed"])
        .await;
    b.sign_out().await;

    // 2. The organizer writes the report.
    b.sign_in("olu@example.org", "orange lantern meadow").await;
    b.open("/blog/new").await;
    b.fill("title", "March: packaging and Polars").await;
    if let Err(e) = b
        .find("#kind")
        .await
        .select_by_value("meeting_report")
        .await
    {
        b.fail(&format!("cannot choose the kind: {e}")).await;
    }
    b.fill("group", "boston-python").await;
    b.fill("body", REPORT).await;
    b.fill("tags", "packaging, polars").await;
    b.submit_form().await;
    b.expect_page("/blog/", &["The post is saved.", "Photos"])
        .await;
    let post_path =
        b.c.current_url()
            .await
            .map(|u| u.path().to_owned())
            .unwrap_or_default();

    // 3. Two photos, each with a description.
    for (file, alt) in [
        (&first, "Priya Raman presenting packaging without tears"),
        (&second, "The audience at the Microsoft NERD center"),
    ] {
        let input = b.find("#photo-file").await;
        if let Err(e) = input.send_keys(&file.display().to_string()).await {
            b.fail(&format!("cannot choose the photo: {e}")).await;
        }
        b.fill("photo-alt", alt).await;
        let add = b
            .find("form[enctype='multipart/form-data'] button[type=submit]")
            .await;
        b.click(&add, "Add the photo").await;
        b.expect_page(&post_path, &["The photo is in the gallery.", alt])
            .await;
    }
    let shown =
        b.c.find_all(Locator::Css(".gallery img"))
            .await
            .unwrap_or_default();
    if shown.len() != 2 {
        b.fail(&format!("the gallery shows {} photos", shown.len()))
            .await;
    }
    for img in &shown {
        let src = img.attr("src").await.ok().flatten().unwrap_or_default();
        if !src.starts_with("/media/photos/") {
            b.fail(&format!("a photo is served from {src}")).await;
        }
    }
    // The photos load lazily; load them now and check they decode.
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let loaded =
            b.c.execute(
                "const imgs = [...document.querySelectorAll('.gallery img')];\
                 imgs.forEach(i => { i.loading = 'eager'; });\
                 return imgs.every(i => i.complete && i.naturalWidth > 0);",
                vec![],
            )
            .await
            .ok();
        if loaded == Some(json!(true)) {
            break;
        }
        if Instant::now() > deadline {
            b.fail("the gallery photos did not load").await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 4. It passes the substance check and, from a new author, goes to review.
    let submit = b
        .find(&format!("form[action='{post_path}/submit'] button"))
        .await;
    b.click(&submit, "Submit").await;
    b.expect_page(&post_path, &["A coordinator will read the post"])
        .await;
    let body = b.find("body").await.text().await.unwrap_or_default();
    if body.contains("does not yet say what happened") {
        b.fail("the report was held back by the substance check")
            .await;
    }
    b.sign_out().await;

    // 5. The coordinator publishes it.
    b.sign_in("coord@example.org", "violet kettle harbour")
        .await;
    b.open(&post_path).await;
    let publish = b.find("button[value='approve']").await;
    b.click(&publish, "Publish").await;
    b.expect_page(&post_path, &["March: packaging and Polars"])
        .await;
    b.sign_out().await;

    // 6. Visitors see the video as a box that loads nothing from YouTube
    //    until they press play.
    b.open(&post_path).await;
    b.expect_page(&post_path, &["March: packaging and Polars", "Play here"])
        .await;
    if b.c.find(Locator::Css("iframe")).await.is_ok() {
        b.fail("a player was loaded before anyone pressed play")
            .await;
    }
    let images = b.c.find_all(Locator::Css("img")).await.unwrap_or_default();
    for img in &images {
        let src = img.attr("src").await.ok().flatten().unwrap_or_default();
        if !src.starts_with('/') {
            b.fail(&format!("the page loads an image from {src}")).await;
        }
    }
    let play = b.find("figure.embed button.embed-play").await;
    b.click(&play, "Play here").await;
    let frame = b.find("figure.embed iframe").await;
    let src = frame.attr("src").await.ok().flatten().unwrap_or_default();
    if src != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1" {
        b.fail(&format!("the player frame loads {src:?}")).await;
    }

    // 7. The post is in the site's and the group's feeds, which parse.
    for feed in [
        "/blog/feed.atom",
        "/groups/boston-python/blog/feed.atom",
        "/blog/feed.rss",
        "/blog/feed.json",
    ] {
        let r = app
            .send(Request::get(feed).body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{feed}");
        let parsed = feed_rs::parser::parse(r.body.as_bytes())
            .unwrap_or_else(|e| panic!("{feed} does not parse: {e}"));
        let entry = parsed
            .entries
            .iter()
            .find(|e| {
                e.title
                    .as_ref()
                    .is_some_and(|t| t.content == "March: packaging and Polars")
            })
            .unwrap_or_else(|| panic!("{feed} lacks the report"));
        let content = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_default();
        assert!(content.contains("Priya Raman"), "{feed}: {content}");
        assert!(
            content.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            "{feed}"
        );
    }

    // 8. The member comments; a new account's first comment waits.
    b.sign_in("mo@example.org", "purple window garden").await;
    b.open(&post_path).await;
    b.fill(
        "comment-body",
        "Thanks for the slides, Priya! The **trusted publishing** part saved me.",
    )
    .await;
    app.advance(chrono::Duration::seconds(20));
    let send = b
        .find("form[action$='/comments'] button[type=submit]")
        .await;
    b.click(&send, "Comment").await;
    b.expect_page(&post_path, &["moderator"]).await;
    b.sign_out().await;

    // 9. The coordinator approves it from the moderation queue.
    b.sign_in("coord@example.org", "violet kettle harbour")
        .await;
    b.open("/blog/moderation").await;
    b.expect_page("/blog/moderation", &["trusted publishing"])
        .await;
    let approve = b.find("button[value='approve']").await;
    b.click(&approve, "Approve").await;
    b.expect_page("/blog/moderation", &["Done."]).await;
    b.open(&post_path).await;
    b.expect_page(
        &post_path,
        &["Mo Member", "trusted publishing part saved me"],
    )
    .await;

    // 10. The subscriber got the post by email with a one-click way out, and
    //     the author was told about the comment.
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let mail = app.mail();
        let post_mail = mail.iter().find(|m| {
            m.to == "mo@example.org" && m.subject.contains("March: packaging and Polars")
        });
        let comment_mail = mail
            .iter()
            .find(|m| m.to == "olu@example.org" && m.text.contains("trusted publishing"));
        if let (Some(p), Some(_)) = (post_mail, comment_mail) {
            assert!(p.text.contains("Priya Raman"), "{}", p.text);
            assert!(
                p.unsubscribe
                    .as_deref()
                    .is_some_and(|u| u.contains("/unsubscribe/"))
            );
            break;
        }
        if Instant::now() > deadline {
            panic!(
                "missing mail after {MAIL_WAIT:?}: {:?}",
                mail.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizers_list_works_from_the_web_and_by_mail_in_a_browser_without_javascript() {
    in_browser(false, "mailing list browser flow", |app, _, b| {
        organizers_list(app, b)
    })
    .await;
}

/// A post as Thunderbird writes it: multipart, flowed text, an attachment.
const THUNDERBIRD: &[u8] = include_bytes!("fixtures/thunderbird-multipart.eml");
const POST_ID: &str = "<4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org>";

/// Hands `data` to the LMTP listener on `port` for `rcpt`, as an MTA
/// would; returns the RCPT and DATA answers.
async fn lmtp_deliver(port: u16, from: &str, rcpt: &str, data: &[u8]) -> (String, String) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("LMTP connect");
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    let mut reply = async move |w: &mut tokio::net::tcp::OwnedWriteHalf, send: &[u8]| {
        if !send.is_empty() {
            w.write_all(send).await.expect("LMTP write");
        }
        loop {
            line.clear();
            r.read_line(&mut line).await.expect("LMTP read");
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line.trim_end().to_owned();
            }
        }
    };
    assert!(reply(&mut w, b"").await.starts_with("220"));
    assert!(reply(&mut w, b"LHLO mx.test\r\n").await.starts_with("250"));
    let mail = format!("MAIL FROM:<{from}>\r\n");
    assert!(reply(&mut w, mail.as_bytes()).await.starts_with("250"));
    let rcpt_reply = reply(&mut w, format!("RCPT TO:<{rcpt}>\r\n").as_bytes()).await;
    if !rcpt_reply.starts_with("250") {
        return (rcpt_reply, String::new());
    }
    assert!(reply(&mut w, b"DATA\r\n").await.starts_with("354"));
    let mut body = Vec::new();
    for l in data.split_inclusive(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\n").unwrap_or(l);
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.starts_with(b".") {
            body.push(b'.');
        }
        body.extend_from_slice(l);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b".\r\n");
    let data_reply = reply(&mut w, &body).await;
    let _ = reply(&mut w, b"QUIT\r\n").await;
    (rcpt_reply, data_reply)
}

/// Waits for list copies in the outbox whose raw text holds `needle`,
/// until there are `count`; returns (recipient, raw message) pairs.
async fn list_copies(app: &TestApp, needle: &str, count: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let copies: Vec<(String, String)> = app
            .outbox
            .list()
            .expect("outbox")
            .iter()
            .filter_map(|e| app.outbox.read(&e.file).ok().flatten())
            .filter(|(_, raw)| raw.contains(needle) && raw.contains("List-Id:"))
            .map(|(m, raw)| (m.to, raw))
            .collect();
        if copies.len() >= count {
            return copies;
        }
        if Instant::now() > deadline {
            panic!(
                "{} of {count} list copies holding {needle:?} after {MAIL_WAIT:?}",
                copies.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
fn raw_header(raw: &str, name: &str) -> Option<String> {
    let msg = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
    msg.headers()
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .map(|h| {
            raw[h.offset_start as usize..h.offset_end as usize]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
}

async fn organizers_list(app: TestApp, b: Browser) {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use std::sync::Arc;

    // The browser really has JavaScript turned off.
    b.open("data:text/html,<p id=js>off</p><script>document.getElementById('js').textContent='on'</script>")
        .await;
    let js = b.find("#js").await.text().await.unwrap_or_default();
    assert_eq!(js, "off", "the browser runs JavaScript");

    // The list's mail listener, as `CONVENE_LMTP_LISTEN` starts it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("LMTP port");
    let lmtp_port = listener.local_addr().expect("LMTP address").port();
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(convene_lmtp::serve(
        listener,
        Arc::new(convene_mailin::ListMailHandler::new(app.svc().clone())),
        convene_lmtp::LmtpConfig {
            hostname: "lists.test".into(),
            ..Default::default()
        },
        stop_rx,
    ));
    let domain = "convene.test";

    // Two members already on the list; a new organizer joins from the web.
    for email in ["zoe@example.org", "ann@example.net"] {
        convene_app::lists::request_subscription(app.svc(), "organizers", email, None)
            .await
            .expect("asked");
        let deadline = Instant::now() + MAIL_WAIT;
        while !app.mail().iter().any(|m| m.to == email) {
            assert!(Instant::now() < deadline, "no confirmation for {email}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let link = app.link_in_mail(email, "/lists/confirm/");
        convene_app::lists::confirm(app.svc(), link.trim_start_matches("/lists/confirm/"))
            .await
            .expect("confirmed");
    }
    // Zoë has written to the list before: her posts go out at once.
    {
        let mut conn = app.svc().db.conn().await.expect("db");
        let list = convene_store::lists::by_name(conn.ex(), "organizers")
            .await
            .expect("list")
            .expect("organizers");
        let zoe = convene_store::lists::member(conn.ex(), list.id, "zoe@example.org")
            .await
            .expect("member")
            .expect("Zoë");
        convene_store::lists::trust(conn.ex(), zoe.id, app.now())
            .await
            .expect("trusted");
    }
    convene_app::groups::import_roster(
        app.svc(),
        None,
        convene_app::groups::RosterFormat::Csv,
        include_bytes!("fixtures/calendar-roster.csv"),
        false,
    )
    .await
    .expect("roster");
    let mut coord = common::coordinator(&app).await;
    let mut olu = common::organizer(&app, &mut coord, "olu@example.org", "boston-python").await;

    // 1. The organizer subscribes from the list's page and confirms.
    b.sign_in("olu@example.org", "orange lantern meadow").await;
    b.open("/lists").await;
    let to_list = b.find("a[href='/lists/organizers']").await;
    b.click(&to_list, "the organizers' list").await;
    b.expect_page("/lists/organizers", &["Organizers", "2 members"])
        .await;
    b.submit_form().await;
    b.expect_page("/lists/organizers", &["Check your inbox"])
        .await;
    let deadline = Instant::now() + MAIL_WAIT;
    while !app
        .mail()
        .iter()
        .any(|m| m.to == "olu@example.org" && m.text.contains("/lists/confirm/"))
    {
        assert!(Instant::now() < deadline, "no confirmation link for Olu");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let link = app.link_in_mail("olu@example.org", "/lists/confirm/");
    b.open(&link).await;
    b.expect_page(&link, &["Confirm my subscription"]).await;
    b.submit_form().await;
    b.expect_page("/lists/organizers", &["You are subscribed", "3 members"])
        .await;

    // 2. Zoë's post from Thunderbird, handed over by LMTP, reaches all
    //    three with the list's headers.
    let (rcpt, data) = lmtp_deliver(
        lmtp_port,
        "zoe@example.org",
        &format!("organizers@{domain}"),
        THUNDERBIRD,
    )
    .await;
    assert!(rcpt.starts_with("250"), "{rcpt}");
    assert_eq!(data, "250 2.0.0 Accepted for 3 members");
    let copies = list_copies(&app, POST_ID, 3).await;
    let mut to: Vec<&str> = copies.iter().map(|(t, _)| t.as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        ["ann@example.net", "olu@example.org", "zoe@example.org"]
    );
    let mut unsubscribe_ann = String::new();
    for (who, raw) in &copies {
        assert_eq!(
            raw_header(raw, "List-Id").as_deref(),
            Some("\"Organizers\" <organizers.convene.test>")
        );
        assert_eq!(
            raw_header(raw, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        let unsubscribe = raw_header(raw, "List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            unsubscribe.contains("mailto:organizers-leave@convene.test"),
            "{unsubscribe}"
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a copy parses");
        assert_eq!(
            parsed.subject(),
            Some("[organizers] Finding a venue – what worked for us")
        );
        if who == "ann@example.net" {
            unsubscribe_ann = unsubscribe
                .split(['<', '>'])
                .find(|u| u.starts_with("http"))
                .expect("an https unsubscribe link")
                .to_owned();
        }
    }

    // 3. Ann's mail program unsubscribes her in one POST, with no cookie.
    let path = unsubscribe_ann
        .split_once("//")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, p)| format!("/{p}"))
        .expect("a path");
    let r = app
        .send(
            Request::post(&path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // 4. The archive, without JavaScript: month, thread, message; the
    //    organizer replies from the message's page.
    b.open("/lists/organizers").await;
    b.expect_page("/lists/organizers", &["2 members"]).await;
    let archive = b.find("a[href='/lists/organizers/archive']").await;
    b.click(&archive, "the archive").await;
    b.expect_page("/lists/organizers/archive", &["2026-11"])
        .await;
    let month = b.find("a[href='/lists/organizers/archive/2026-11']").await;
    b.click(&month, "November").await;
    b.expect_page(
        "/lists/organizers/archive/2026-11",
        &["Finding a venue – what worked for us"],
    )
    .await;
    let post = match b
        .c
        .find(Locator::LinkText("Finding a venue – what worked for us"))
        .await
    {
        Ok(e) => e,
        Err(e) => b.fail(&format!("no link to the post: {e}")).await,
    };
    b.click(&post, "the post").await;
    b.expect_page(
        "/lists/organizers/archive/",
        &["community hall", "Reply to the list"],
    )
    .await;
    let post_path = b.c.current_url().await.expect("url").path().to_owned();
    b.fill(
        "body",
        "The public library near us did the same: free, if we open a talk to all.",
    )
    .await;
    b.submit_form().await;
    // A new member's first message waits for a moderator, who approves it
    // from the queue.
    b.expect_page("/lists/organizers", &["waits for a moderator"])
        .await;
    b.sign_out().await;
    b.sign_in("coord@example.org", "violet kettle harbour")
        .await;
    b.open("/lists/organizers/moderation").await;
    b.expect_page(
        "/lists/organizers/moderation",
        &["Re: Finding a venue", "The public library near us"],
    )
    .await;
    let approve = b.find("button[name=decision][value=approve]").await;
    b.click(&approve, "Approve and send").await;
    b.expect_page(
        "/lists/organizers/moderation",
        &["Nothing waits for a moderator"],
    )
    .await;

    // It threads under the post in the archive...
    let thread_page = olu.get(&post_path).await;
    thread_page
        .assert_status(StatusCode::OK)
        .assert_contains("<li class=\"depth-1\">");
    b.open(&post_path).await;
    b.expect_page(&post_path, &["The thread", "Re: Finding a venue"])
        .await;
    // ...and in mail clients: its copies answer the post by its Message-ID.
    let replies = list_copies(&app, &format!("In-Reply-To: {POST_ID}"), 2).await;
    for (_, raw) in &replies {
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a reply parses");
        assert!(
            parsed
                .body_text(0)
                .is_some_and(|t| t.contains("The public library near us")),
            "{raw}"
        );
        assert_eq!(raw_header(raw, "In-Reply-To").as_deref(), Some(POST_ID));
        assert!(
            raw_header(raw, "References").is_some_and(|r| r.contains(POST_ID)),
            "{raw}"
        );
    }
    assert!(replies.iter().all(|(to, _)| to != "ann@example.net"));

    // 5. Zoë's mailbox is gone: her server's bounce pauses her delivery,
    //    and she is told how to resume.
    let zoe_copy = copies
        .iter()
        .find(|(to, _)| to == "zoe@example.org")
        .map(|(_, raw)| raw.clone())
        .expect("Zoë's copy");
    let token = raw_header(&zoe_copy, "List-Unsubscribe")
        .and_then(|u| {
            u.split("/unsubscribe/list/").nth(1).map(|t| {
                t.chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect::<String>()
            })
        })
        .expect("Zoë's token");
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n\
To: organizers-bounces+{token}@{domain}\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\
Message-Id: <dsn-1@mx.example.org>\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain\r\n\
\r\n\
Your message could not be delivered.\r\n\
--B\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.org\r\n\
\r\n\
Final-Recipient: rfc822; zoe@example.org\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\
--B--\r\n"
    );
    let (rcpt, data) = lmtp_deliver(
        lmtp_port,
        "",
        &format!("organizers-bounces+{token}@{domain}"),
        bounce.as_bytes(),
    )
    .await;
    assert!(rcpt.starts_with("250"), "{rcpt}");
    assert!(data.starts_with("250"), "{data}");
    let member = {
        let mut conn = app.svc().db.conn().await.expect("db");
        let list = convene_store::lists::by_name(conn.ex(), "organizers")
            .await
            .expect("list")
            .expect("organizers");
        convene_store::lists::member(conn.ex(), list.id, "zoe@example.org")
            .await
            .expect("member")
            .expect("Zoë")
    };
    assert!(member.bounce_paused_at.is_some(), "{member:?}");
    assert_eq!(member.state, "active", "nobody is unsubscribed by bounces");
    let deadline = Instant::now() + MAIL_WAIT;
    while !app
        .mail()
        .iter()
        .any(|m| m.to == "zoe@example.org" && m.text.contains("/account/lists"))
    {
        assert!(Instant::now() < deadline, "Zoë was not told how to resume");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // 6. The archive's pages carry no script at all: they need none.
    for path in [
        "/lists/organizers",
        "/lists/organizers/archive",
        "/lists/organizers/archive/2026-11",
        post_path.as_str(),
        "/lists/organizers/archive?q=library",
    ] {
        let page = olu.get(path).await;
        page.assert_status(StatusCode::OK);
        assert!(!page.body.contains("<script"), "{path} has a script");
    }
    b.open("/lists/organizers/archive?q=library").await;
    b.expect_page("/lists/organizers/archive", &["Re: Finding a venue"])
        .await;
}
