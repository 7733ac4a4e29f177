//! Every address the site hands to another program answers: a crawl of a
//! seeded site (site-wide and group pages, the blog, calendars, lists)
//! collects each page's `<link rel="alternate">` and canonical link, every
//! feed's self and alternate links (Atom `rel="self"`/`"alternate"`, RSS
//! `<link>` and `atom:link`, JSON Feed `feed_url` and `home_page_url`, read
//! back by feed-rs) and the `URL`s in every iCalendar feed, and fetches each
//! as a feed reader would: without a session, expecting a 200.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use convene_app::groups::{RosterFormat, import_roster};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

const REPORT: &str = "Twenty-five people came to our March meeting.\n\n\
## Talks\n\n\
* **Packaging without tears**: Priya Raman walked through `pyproject.toml`, building wheels and publishing them.\n\
* **Pandas to Polars**: Sam Ortiz showed how a 40-minute report job dropped to 3 minutes, and where lazy frames surprised him.\n\n\
Questions ran long: most were about migrating old setup.py projects.";

/// The most pages one crawl visits; the seeded site has far fewer.
const MAX_PAGES: usize = 600;
/// Query-string variants followed per path (month and page navigation go on
/// forever otherwise).
const VARIANTS_PER_PATH: usize = 3;

/// A site with three groups, a regional calendar, an event on a group's
/// calendar, a published post about a group, and a list with a public
/// archive.
async fn seeded(app: &TestApp) -> Client<'_> {
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
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
    let auth = bearer(app, "coord@example.org").await;
    app.send(call(
        "POST",
        "/api/v1/events",
        Some(&auth),
        Some(&json!({
            "calendar": "boston-python",
            "title": "Project night",
            "start": "2026-12-08T19:00",
            "end": "2026-12-08T21:00",
            "tz": "America/New_York",
            "rrule": "FREQ=MONTHLY;BYDAY=2TU",
            "venue_name": "Microsoft NERD"
        })),
    ))
    .await
    .assert_status(StatusCode::CREATED);
    let r = app
        .send(call(
            "POST",
            "/api/v1/posts",
            Some(&auth),
            Some(&json!({
                "title": "March: packaging and Polars",
                "body": REPORT,
                "kind": "meeting_report",
                "group": "boston-python",
                "tags": ["packaging", "polars"]
            })),
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    let slug = r.json()["slug"].as_str().unwrap().to_owned();
    app.send(call(
        "POST",
        &format!("/api/v1/posts/{slug}/publish"),
        Some(&auth),
        None,
    ))
    .await
    .assert_status(StatusCode::OK);
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::execute!(
        conn.ex(),
        "UPDATE lists SET archive = $1 WHERE name = 'organizers'",
        "public".to_owned()
    )
    .unwrap();
    coord
}

/// Undoes the HTML escaping askama applies to attribute values.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 8) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The attributes of every `<name ...>` start tag in `html`.
fn tags(html: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        if !rest.starts_with(|c: char| c.is_whitespace()) {
            continue;
        }
        let mut attrs = BTreeMap::new();
        let mut s = rest;
        loop {
            s = s.trim_start();
            if s.is_empty() || s.starts_with('>') || s.starts_with("/>") {
                break;
            }
            let key_end = s
                .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                .unwrap_or(s.len());
            let key = s[..key_end].to_ascii_lowercase();
            s = s[key_end..].trim_start();
            if let Some(after) = s.strip_prefix('=') {
                let after = after.trim_start();
                let (value, next) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let end = after[1..].find(q).map_or(after.len(), |e| e + 1);
                        (&after[1..end], &after[(end + 1).min(after.len())..])
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                attrs.insert(key, unescape(value));
                s = next;
            } else {
                attrs.insert(key, String::new());
            }
        }
        found.push(attrs);
    }
    found
}

/// `href` as a path on this site, or `None` for another site or scheme.
/// `webcal://` subscription links are the site's own feeds.
fn local(href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or_default();
    for base in [
        "http://convene.test",
        "https://convene.test",
        "webcal://convene.test",
    ] {
        if let Some(path) = href.strip_prefix(base) {
            return Some(if path.is_empty() { "/" } else { path }.to_owned());
        }
    }
    (href.starts_with('/') && !href.starts_with("//")).then(|| href.to_owned())
}

fn is_feed_path(path: &str) -> bool {
    let p = path.split('?').next().unwrap_or_default();
    p.ends_with("/feed.atom")
        || p.ends_with("/feed.rss")
        || p.ends_with("/feed.json")
        || p.ends_with(".ics")
}

/// The `URL` properties of an iCalendar file (RFC 5545 §3.8.4.6), lines
/// unfolded first (§3.1).
fn ics_urls(text: &str) -> Vec<String> {
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    unfolded
        .lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            let prop = name.split(';').next()?;
            prop.eq_ignore_ascii_case("URL").then(|| value.to_owned())
        })
        .collect()
}

/// What one crawl found: each self or alternate address, with where it was
/// seen first, and every feed read.
#[derive(Default)]
struct Found {
    /// Address → the page or feed that announced it.
    links: BTreeMap<String, String>,
    /// Feeds (and iCalendar files) fetched and read.
    feeds: BTreeSet<String>,
    pages: usize,
}

impl Found {
    fn note(&mut self, href: &str, from: &str) {
        if let Some(path) = local(href) {
            self.links.entry(path).or_insert_with(|| from.to_owned());
        } else {
            panic!("{from} announces {href:?}, an address off the site");
        }
    }
}

/// Crawls from the main pages with `client`, following every link on the
/// site, reading every page's head and every feed.
async fn crawl(app: &TestApp, client: &mut Client<'_>) -> Found {
    let mut found = Found::default();
    let mut queue: VecDeque<String> = [
        "/",
        "/groups",
        "/groups/map",
        "/groups/boston-python",
        "/groups/boston-python/blog",
        "/blog",
        "/stories",
        "/calendar",
        "/calendars",
        "/calendars/massachusetts",
        "/lists",
        "/lists/organizers/archive",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if found.pages >= MAX_PAGES {
            break;
        }
        let r = client.get(&path).await;
        if r.status != StatusCode::OK {
            continue;
        }
        found.pages += 1;
        let ctype = r
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if ctype.starts_with("application/atom+xml")
            || ctype.starts_with("application/rss+xml")
            || ctype.starts_with("application/feed+json")
        {
            found.feeds.insert(path.clone());
            let feed = feed_rs::parser::parse(r.bytes.as_slice())
                .unwrap_or_else(|e| panic!("{path} is not a feed feed-rs reads: {e}"));
            for l in &feed.links {
                found.note(&l.href, &path);
            }
            for entry in &feed.entries {
                for l in &entry.links {
                    found.note(&l.href, &path);
                }
            }
            continue;
        }
        if ctype.starts_with("text/calendar") {
            found.feeds.insert(path.clone());
            for url in ics_urls(&r.body) {
                found.note(&url, &path);
            }
            continue;
        }
        if !ctype.starts_with("text/html") {
            continue;
        }
        for link in tags(&r.body, "link") {
            let rel = link.get("rel").map(String::as_str).unwrap_or_default();
            let rels: Vec<&str> = rel.split_whitespace().collect();
            if rels.contains(&"alternate") || rels.contains(&"canonical") {
                let href = link.get("href").expect("a <link> without href");
                found.note(href, &path);
            }
        }
        for a in tags(&r.body, "a") {
            let Some(next) = a.get("href").and_then(|h| local(h)) else {
                continue;
            };
            if is_feed_path(&next) {
                found.links.entry(next.clone()).or_insert(path.clone());
            }
            let bare = next.split('?').next().unwrap_or_default().to_owned();
            if bare.starts_with("/media/") || bare.ends_with(".mbox") || bare == "/signout" {
                continue;
            }
            if next.contains('?') {
                let n = variants.entry(bare).or_default();
                if *n >= VARIANTS_PER_PATH {
                    continue;
                }
                *n += 1;
            }
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    // Feeds and calendars found on pages are read too, for their own links.
    let feeds: Vec<(String, String)> = found
        .links
        .iter()
        .filter(|(p, _)| is_feed_path(p) && !found.feeds.contains(*p))
        .map(|(p, f)| (p.clone(), f.clone()))
        .collect();
    let mut reader = app.client();
    for (path, _) in feeds {
        let r = reader.get(&path).await;
        if r.status != StatusCode::OK {
            continue;
        }
        found.feeds.insert(path.clone());
        if path.ends_with(".ics") {
            for url in ics_urls(&r.body) {
                found.note(&url, &path);
            }
        } else {
            let feed = feed_rs::parser::parse(r.bytes.as_slice())
                .unwrap_or_else(|e| panic!("{path} is not a feed feed-rs reads: {e}"));
            for l in feed
                .links
                .iter()
                .chain(feed.entries.iter().flat_map(|e| &e.links))
            {
                found.note(&l.href, &path);
            }
        }
    }
    found
}

/// Fetches every address in `found` without a session; returns the ones
/// that did not answer 200, with where each was announced.
async fn broken(app: &TestApp, found: &Found) -> Vec<String> {
    let mut reader = app.client();
    let mut bad = Vec::new();
    for (path, from) in &found.links {
        let r = reader.get(path).await;
        if r.status != StatusCode::OK {
            bad.push(format!(
                "{path} (announced by {from}) answered {}",
                r.status
            ));
        }
    }
    bad
}

#[tokio::test]
async fn every_self_and_alternate_link_on_every_page_and_feed_answers_200() {
    let app = TestApp::new().await;
    let mut coord = seeded(&app).await;

    for (who, found) in [
        ("a visitor", crawl(&app, &mut app.client()).await),
        ("the coordinator", crawl(&app, &mut coord).await),
    ] {
        eprintln!(
            "crawling as {who}: {} pages, {} feeds and calendars read, {} self and alternate links checked",
            found.pages,
            found.feeds.len(),
            found.links.len()
        );
        let bad = broken(&app, &found).await;
        assert!(
            bad.is_empty(),
            "crawling as {who}, {} of {} links do not answer 200:\n{}",
            bad.len(),
            found.links.len(),
            bad.join("\n")
        );
        // The crawl reached what it is for: every group feed, read back, and
        // each naming itself.
        for feed in [
            "/groups/boston-python/blog/feed.atom",
            "/groups/boston-python/blog/feed.rss",
            "/groups/boston-python/blog/feed.json",
            "/blog/feed.atom",
            "/blog/tag/polars/feed.rss",
            "/blog/kind/meeting_report/feed.json",
            "/lists/organizers/feed.atom",
            "/groups/boston-python/events.ics",
            "/calendars/massachusetts.ics",
            "/calendar.ics",
        ] {
            assert!(
                found.feeds.contains(feed),
                "crawling as {who}, {feed} was never read; read: {:?}",
                found.feeds
            );
        }
        for (announced, by) in [
            (
                "/groups/boston-python/blog/feed.atom",
                "/groups/boston-python/blog/feed.atom",
            ),
            (
                "/groups/boston-python/blog/feed.rss",
                "/groups/boston-python/blog/feed.rss",
            ),
            (
                "/groups/boston-python/blog/feed.json",
                "/groups/boston-python/blog/feed.json",
            ),
        ] {
            let r = app.client().get(by).await;
            let feed = feed_rs::parser::parse(r.bytes.as_slice()).unwrap();
            assert!(
                feed.links
                    .iter()
                    .any(|l| local(&l.href).as_deref() == Some(announced)),
                "{by} does not name itself: {:?}",
                feed.links
            );
        }
        assert!(
            found.links.keys().any(|l| l.starts_with("/events/")),
            "no event URL was read from the iCalendar feeds"
        );
        assert!(found.pages > 20, "only {} pages were crawled", found.pages);
    }
}

#[tokio::test]
async fn the_old_group_feed_addresses_move_permanently_to_the_new_ones() {
    let app = TestApp::new().await;
    seeded(&app).await;
    let mut reader = app.client();
    for (old, new) in [
        (
            "/groups/boston-python/feed.atom",
            "/groups/boston-python/blog/feed.atom",
        ),
        (
            "/groups/boston-python/feed.rss",
            "/groups/boston-python/blog/feed.rss",
        ),
        (
            "/groups/boston-python/feed.json",
            "/groups/boston-python/blog/feed.json",
        ),
    ] {
        let r = reader.get(old).await;
        r.assert_status(StatusCode::MOVED_PERMANENTLY);
        assert_eq!(r.location(), new);
        reader.get(new).await.assert_status(StatusCode::OK);
    }
    reader
        .get("/groups/no-such-group/blog/feed.atom")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
