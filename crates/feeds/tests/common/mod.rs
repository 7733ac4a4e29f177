//! The feeds the integration tests write: an ordinary blog, and one whose
//! every string tries to break the documents.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use convene_feeds::{Entry, Feed, Person};

pub const ATOM_URL: &str = "https://example.org/groups/rust-berlin/blog/atom.xml";
pub const RSS_URL: &str = "https://example.org/groups/rust-berlin/blog/rss.xml";
pub const JSON_URL: &str = "https://example.org/groups/rust-berlin/blog/feed.json";

/// Text no XML document can carry, spread through the hostile strings.
pub const UNCARRIABLE: &str = "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{fffe}\u{ffff}";

pub fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// What a reader should get back from `text`: the same, less what XML
/// cannot carry.
pub fn carried(text: &str) -> String {
    text.chars().filter(|c| !UNCARRIABLE.contains(*c)).collect()
}

pub fn hostile_title() -> String {
    format!("Tom & Jerry's <script>alert(\"t\")</script> ]]> 🎉{UNCARRIABLE} end")
}

pub fn hostile_summary() -> String {
    format!("1 < 2 & \"3\" > '0' ]]> <b>not bold</b> ✓{UNCARRIABLE}")
}

pub fn hostile_content() -> String {
    format!(
        "<p>Fish &amp; chips &lt;3 — 🦀</p>\n<script>alert('x')</script>\n\
         <pre>a]]>b ]]]]> c ]]></pre>\n<p title=\"q&quot;\">{UNCARRIABLE}tail</p>"
    )
}

pub fn hostile_feed() -> Feed {
    Feed {
        id: "https://example.org/groups/rust-berlin/blog".into(),
        title: format!("Rust <Berlin> & \"Friends\"{UNCARRIABLE}"),
        subtitle: Some(format!("Meet-ups, talks & <code>{UNCARRIABLE}")),
        home_url: "https://example.org/groups/rust-berlin/blog?lang=en&page=1".into(),
        self_url: "https://example.org/groups/rust-berlin/blog/unused.xml".into(),
        updated: at(2026, 12, 8, 19, 0),
        language: Some("en".into()),
        icon: Some("https://example.org/static/icon.png".into()),
        entries: vec![
            Entry {
                id: "tag:example.org,2026:post/42".into(),
                url: "https://example.org/groups/rust-berlin/blog/2026/hostile?a=1&b=2".into(),
                title: hostile_title(),
                summary: Some(hostile_summary()),
                content_html: hostile_content(),
                published: at(2026, 12, 1, 18, 30),
                updated: at(2026, 12, 8, 19, 0),
                authors: vec![
                    Person {
                        name: "Zoë <Admin> & Co".into(),
                        url: Some("https://example.org/people/zoe?x=1&y=2".into()),
                    },
                    Person {
                        name: "Ana".into(),
                        url: None,
                    },
                ],
                tags: vec![
                    "rust & friends".into(),
                    "<meetup>".into(),
                    "🦀".into(),
                    "rust & friends".into(),
                    "  ".into(),
                ],
                image: Some("https://example.org/media/cover.png?w=600&h=300".into()),
            },
            Entry {
                id: "https://example.org/groups/rust-berlin/blog/2026/plain".into(),
                url: "https://example.org/groups/rust-berlin/blog/2026/plain".into(),
                title: "A plain post".into(),
                summary: None,
                content_html: "<p>Nothing to see.</p>".into(),
                published: at(2026, 11, 3, 9, 5),
                updated: at(2026, 11, 3, 9, 5),
                authors: vec![],
                tags: vec![],
                image: None,
            },
        ],
    }
}

/// A small feed with every optional field absent.
pub fn minimal_feed() -> Feed {
    Feed {
        id: "https://example.org/blog".into(),
        title: "Minimal".into(),
        subtitle: None,
        home_url: "https://example.org/blog".into(),
        self_url: "https://example.org/blog/unused.xml".into(),
        updated: at(2026, 12, 8, 19, 0),
        language: None,
        icon: None,
        entries: vec![Entry {
            id: "tag:example.org,2026:1".into(),
            url: "https://example.org/blog/1".into(),
            title: "One".into(),
            summary: Some("First.".into()),
            content_html: "<p>First.</p>".into(),
            published: at(2026, 12, 8, 19, 0),
            updated: at(2026, 12, 8, 19, 0),
            authors: vec![Person {
                name: "Ana".into(),
                url: None,
            }],
            tags: vec!["news".into()],
            image: None,
        }],
    }
}

/// Every character of the Basic Multilingual Plane, then a sample from the
/// planes above it, less the carriage return, which XML parsers turn into a
/// line feed in CDATA sections. Brackets keep the white space at the ends
/// from being trimmed by the reader.
pub fn every_character() -> String {
    let all: String = (0..=0xFFFF)
        .chain((0x10000..=0x10FFFF).step_by(0x3FF))
        .chain([0x10FFFF])
        .filter_map(char::from_u32)
        .filter(|&c| c != '\r')
        .collect();
    format!("[{all}]")
}

/// The hostile feed with `text` in every place a string goes.
pub fn feed_full_of(text: &str) -> Feed {
    let mut feed = hostile_feed();
    feed.title = text.to_owned();
    feed.subtitle = Some(text.to_owned());
    let entry = &mut feed.entries[0];
    entry.title = text.to_owned();
    entry.summary = Some(text.to_owned());
    entry.content_html = text.to_owned();
    entry.tags = vec![text.to_owned()];
    entry.authors[0].name = text.to_owned();
    feed
}
