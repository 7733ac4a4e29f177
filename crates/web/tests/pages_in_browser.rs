//! Every main page of a lived-in site, measured in a real browser: at a
//! desktop's width (1280x900) and a phone's (390x844), signed out and signed
//! in as a coordinator, each page is screenshotted, must not scroll sideways
//! and must pass axe-core's accessibility rules.
//!
//! axe-core comes from npm (`npm install axe-core@4`); `CONVENE_AXE` names
//! its `axe.min.js`. Without it the axe part is skipped with a notice
//! (`CONVENE_REQUIRE_AXE=1` makes that a failure). Nothing is downloaded
//! here. Screenshots go to `CONVENE_SCREENSHOTS` (default: `screenshots` in
//! the target folder); the folder is printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/browser.rs"]
mod kit;

use common::TestApp;
use convene_app::calendars::{self, EventInput};
use kit::{Browser, in_browser};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

const AXE_SKIP_NOTICE: &str =
    "axe-core checks skipped: set CONVENE_AXE to axe-core's axe.min.js (npm install axe-core@4)";

/// The window sizes every page is measured at: a desktop and a phone.
const SIZES: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

/// Screenshots are cut at this height, so a runaway page cannot make a
/// huge image.
const MAX_SHOT_HEIGHT: u32 = 6000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_fits_a_desktop_and_a_phone_and_passes_axe() {
    in_browser(true, "pages in browser", every_page).await;
}

/// What one visit found wrong.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
}

async fn every_page(app: TestApp, _addr: SocketAddr, b: Browser) {
    let site = seed(&app).await;
    let axe = axe_source();
    let shots = screenshot_folder();
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let _ = writeln!(std::io::stderr(), "screenshots: {}", shots.display());

    let pages: Vec<(&str, String, &str)> = vec![
        ("home", "/".into(), "Python Groups"),
        ("groups", "/groups".into(), "Asia"),
        ("near-pune", "/groups?near=Pune".into(), "Mumbai Python"),
        ("map", "/groups/map".into(), "Groups on the map"),
        ("group", "/groups/pypune".into(), "PyPune"),
        ("calendar", "/calendar".into(), "PyCon Maharashtra"),
        (
            "month",
            "/calendars/maharashtra?view=month&month=2026-12".into(),
            "PyCon Maharashtra",
        ),
        (
            "event",
            format!("/events/{}", site.conference),
            "PyCon Maharashtra",
        ),
        ("blog", "/blog".into(), "How PyPune started"),
        ("post", format!("/blog/{}", site.post), "How PyPune started"),
        (
            "list-archive",
            "/lists/organizers/archive".into(),
            "Finding speakers",
        ),
        ("admin", "/admin".into(), ""),
    ];

    let mut findings = Findings::default();
    let mut visits = 0;
    for signed_in in [false, true] {
        if signed_in {
            b.sign_in("coord@example.org", "violet kettle harbour")
                .await;
        }
        let who = if signed_in { "coordinator" } else { "visitor" };
        for (size, width, height) in SIZES {
            set_viewport(&b, width, height).await;
            for (name, path, expect) in &pages {
                let expect = match (*name, signed_in) {
                    ("admin", true) => "Run the site",
                    ("admin", false) => "Sign in",
                    _ => expect,
                };
                b.open(path).await;
                let body = b.find("body").await.text().await.unwrap_or_default();
                if !body.contains(expect) {
                    b.fail(&format!("{path} ({who}) does not show {expect:?}"))
                        .await;
                }
                let label = format!("{path} ({who}, {size} {width}x{height})");
                overflow(&b, &label, &mut findings).await;
                if let Some(axe) = &axe {
                    accessibility(&b, axe, &label, &mut findings).await;
                }
                let file = shots.join(format!("{who}-{size}-{name}.png"));
                screenshot(&b, width, height, &file).await;
                visits += 1;
            }
        }
    }
    eprintln!(
        "{visits} page visits measured{}",
        if axe.is_some() {
            ", with axe-core"
        } else {
            ", without axe-core"
        }
    );
    if !findings.problems.is_empty() {
        panic!(
            "{} problems found in the browser:\n{}",
            findings.problems.len(),
            findings.problems.join("\n")
        );
    }
}

/// What the pages link to.
struct Site {
    conference: i64,
    post: String,
}

/// A site people use: groups with places in four continents, a regional
/// calendar with a monthly series and a three-day conference, posts (one
/// featured), the organizers' list with a public archive, and a coordinator.
async fn seed(app: &TestApp) -> Site {
    use axum::http::StatusCode;
    convene_app::groups::import_roster(
        app.svc(),
        None,
        convene_app::groups::RosterFormat::Csv,
        include_bytes!("fixtures/pages-roster.csv"),
        false,
    )
    .await
    .expect("roster");
    let mut coord = common::coordinator(app).await;
    let actor = common::actor(app, "coord@example.org").await;

    let r = coord
        .submit(
            "/calendars",
            &[
                ("name", "Maharashtra"),
                ("country", "IN"),
                ("region", "Maharashtra"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pune = calendars::calendar(app.svc(), "pypune").await.unwrap();
    calendars::create_event(
        app.svc(),
        &actor,
        &pune,
        &EventInput {
            title: "PyPune monthly meetup".into(),
            description: "Two talks and a beginners' corner.".into(),
            start: "2026-12-12T10:00".into(),
            end: "2026-12-12T13:00".into(),
            tz: "Asia/Kolkata".into(),
            repeat: "custom".into(),
            rrule: "FREQ=MONTHLY;BYDAY=2SA".into(),
            venue_name: "Pune Tech Park, Hall B".into(),
            status: "confirmed".into(),
            ..EventInput::default()
        },
    )
    .await
    .expect("monthly series");
    let region = calendars::calendar(app.svc(), "maharashtra").await.unwrap();
    let conference = calendars::create_event(
        app.svc(),
        &actor,
        &region,
        &EventInput {
            title: "PyCon Maharashtra 2026".into(),
            description: "Three days of talks, workshops and sprints for the whole state.".into(),
            start: "2026-12-18T09:00".into(),
            end: "2026-12-20T17:30".into(),
            tz: "Asia/Kolkata".into(),
            venue_name: "College of Engineering, Pune".into(),
            venue_address: "Wellesley Road, Shivajinagar, Pune 411005".into(),
            status: "confirmed".into(),
            ..EventInput::default()
        },
    )
    .await
    .expect("conference");

    let story = "PyPune started in 2012 when six people met in a café near Fergusson College \
        to talk about Django and data analysis. The first meetings were lightning talks; within \
        a year the group added a beginners' corner where newcomers pair with experienced \
        developers on their own code. Today PyPune meets every second Saturday, runs workshops \
        for students and organises the city's sprint days.";
    let mut published = Vec::new();
    for (title, body, kind, group) in [
        ("How PyPune started", story, "how_we_started", "pypune"),
        (
            "Ten years of lightning talks",
            "Across our groups, lightning talks have been the first step for most speakers: \
             five minutes, no slides needed, and a friendly room. This article collects what \
             organizers in Pune, Berlin and Lagos learned from running them every month, from \
             keeping time to asking newcomers in person.",
            "article",
            "",
        ),
    ] {
        let r = coord
            .submit(
                "/blog/new",
                &[
                    ("title", title),
                    ("body", body),
                    ("kind", kind),
                    ("group", group),
                ],
            )
            .await;
        let slug = r.post_slug();
        let r = coord.submit(&format!("/blog/{slug}/submit"), &[]).await;
        assert_eq!(
            r.location(),
            format!("/blog/{slug}?done=post-published"),
            "{}",
            r.body
        );
        published.push(slug);
    }
    convene_app::blog::feature_post(app.svc(), &actor, &published[0], true)
        .await
        .expect("featured post");

    {
        let mut conn = app.svc().db.conn().await.unwrap();
        let public = "public".to_owned();
        convene_store::execute!(
            conn.ex(),
            "UPDATE lists SET archive = $1 WHERE name = 'organizers'",
            public.clone()
        )
        .unwrap();
    }
    let report = convene_app::lists::import::import_mbox(
        app.svc(),
        "organizers",
        include_bytes!("fixtures/pages-organizers.mbox"),
    )
    .await
    .expect("archive");
    assert_eq!(report.imported, 4, "{report:?}");
    Site {
        conference,
        post: published.swap_remove(0),
    }
}

/// Sizes the window so that the page's viewport is `width` x `height` CSS
/// pixels (the window's frame, if any, is added).
async fn set_viewport(b: &Browser, width: u32, height: u32) {
    let mut w = width;
    let mut h = height;
    for _ in 0..3 {
        if let Err(e) = b.c.set_window_size(w, h).await {
            b.fail(&format!("cannot size the window to {w}x{h}: {e}"))
                .await;
        }
        let inner =
            b.c.execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await
                .unwrap_or_default();
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (iw, ih) == (width, height) {
            return;
        }
        w = (w + width).saturating_sub(iw);
        h = (h + height).saturating_sub(ih);
    }
    b.fail(&format!("cannot make the viewport {width}x{height}"))
        .await;
}

/// Notes a page wider than the window, naming the elements that stick out.
async fn overflow(b: &Browser, label: &str, findings: &mut Findings) {
    let script = r#"
        const width = window.innerWidth;
        const scroll = document.documentElement.scrollWidth;
        const out = [];
        if (scroll > width) {
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > width + 0.5 && r.width > 0) {
                    let name = el.tagName.toLowerCase();
                    if (el.id) name += '#' + el.id;
                    if (el.classList.length) name += '.' + [...el.classList].join('.');
                    out.push(name + ' (right edge ' + Math.round(r.right) + 'px)');
                    if (out.length >= 8) break;
                }
            }
        }
        return [scroll, width, out];
    "#;
    let got = match b.c.execute(script, vec![]).await {
        Ok(v) => v,
        Err(e) => b.fail(&format!("cannot measure {label}: {e}")).await,
    };
    let scroll = got[0].as_u64().unwrap_or(u64::MAX);
    let width = got[1].as_u64().unwrap_or(0);
    if scroll > width {
        let culprits: Vec<String> = got[2]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        findings.problems.push(format!(
            "overflow: {label}: the page is {scroll}px wide in a {width}px window; wider: {}",
            culprits.join(", ")
        ));
    }
}

/// Runs axe-core in the page and notes every violation.
async fn accessibility(b: &Browser, axe: &str, label: &str, findings: &mut Findings) {
    // Scripts run through WebDriver are not subject to the page's
    // Content-Security-Policy, so axe needs no change to the site's headers.
    if let Err(e) = b.c.execute(axe, vec![]).await {
        b.fail(&format!("cannot load axe-core into {label}: {e}"))
            .await;
    }
    let run = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
            .then(r => done(r.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }))))
            .catch(e => done('axe failed: ' + e));
    "#;
    let result = match b.c.execute_async(run, vec![]).await {
        Ok(v) => v,
        Err(e) => {
            b.fail(&format!("axe-core did not finish on {label}: {e}"))
                .await
        }
    };
    let Value::Array(violations) = result else {
        b.fail(&format!("axe-core on {label}: {result}")).await;
    };
    for v in violations {
        let targets: Vec<&str> = v["targets"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut line = format!(
            "axe: {label}: {} ({}): {}; on ",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or("")
        );
        let shown = targets.len().min(6);
        let _ = write!(line, "{}", targets[..shown].join(", "));
        if targets.len() > shown {
            let _ = write!(line, " and {} more", targets.len() - shown);
        }
        findings.problems.push(line);
    }
}

/// Saves the whole page (up to [`MAX_SHOT_HEIGHT`]) as a PNG.
async fn screenshot(b: &Browser, width: u32, height: u32, file: &std::path::Path) {
    let full =
        b.c.execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(u64::from(height)) as u32;
    let tall = full.clamp(height, MAX_SHOT_HEIGHT);
    if tall != height {
        set_viewport(b, width, tall).await;
    }
    let png = match b.c.screenshot().await {
        Ok(png) => png,
        Err(e) => b.fail(&format!("cannot take a screenshot: {e}")).await,
    };
    std::fs::write(file, png).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    if tall != height {
        set_viewport(b, width, height).await;
    }
}

/// axe-core's script, from `CONVENE_AXE`, or `None` (with a notice) when it
/// is not set.
fn axe_source() -> Option<String> {
    match std::env::var_os("CONVENE_AXE").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read axe-core at {}: {e}", path.display()));
            Some(source)
        }
        None => {
            if std::env::var("CONVENE_REQUIRE_AXE").as_deref() == Ok("1") {
                panic!("{AXE_SKIP_NOTICE}; CONVENE_REQUIRE_AXE=1 makes this a failure");
            }
            // Straight to stderr, past the test harness's output capture, so
            // the skip shows in a plain `cargo test` run too.
            let _ = writeln!(std::io::stderr(), "{AXE_SKIP_NOTICE}");
            None
        }
    }
}

/// Where screenshots go: `CONVENE_SCREENSHOTS`, else `screenshots` in the
/// build's target folder.
fn screenshot_folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONVENE_SCREENSHOTS").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}
