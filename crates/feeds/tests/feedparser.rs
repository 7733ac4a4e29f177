//! Python's feedparser, the reader many planets and aggregators are built
//! on, reads the Atom and RSS documents without complaint (`bozo == 0`), and
//! Python's strict XML parser accepts them. (feedparser 6.0 has no JSON Feed
//! reader; the JSON document is read by Python's `json` and by feed-rs.)
//!
//! Skipped, with a notice, where python3 or feedparser is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use convene_feeds::{atom, json_feed, rss};
use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/read_feed.py");

fn feedparser_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import feedparser"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        // CI installs feedparser and sets this, so there a skip is a failure.
        assert!(
            std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() != Ok("1"),
            "CONVENE_REQUIRE_ORACLE=1 but python3 with feedparser is missing"
        );
        eprintln!("notice: python3 with feedparser not found; skipping (pip install feedparser)");
    }
    found
}

/// What feedparser reads from `document`, given as the script's JSON.
fn read_with_feedparser(kind: &str, document: &str) -> Value {
    let mut child = Command::new("python3")
        .args([SCRIPT, kind])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(document.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{kind}: {}\n{document}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn feedparser_reads_both_xml_formats_cleanly() {
    if !feedparser_available() {
        return;
    }
    let feed = hostile_feed();
    let documents = [
        ("atom", "atom10", atom(&feed, ATOM_URL)),
        ("rss", "rss20", rss(&feed, RSS_URL)),
    ];
    for (kind, version, document) in documents {
        let read = read_with_feedparser(kind, &document);
        assert_eq!(read["bozo"], 0, "{kind}: {}", read["bozo_exception"]);
        assert_eq!(read["version"], version, "{kind}");
        assert_eq!(read["link"], feed.home_url.as_str(), "{kind}");

        let entries = read["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{kind}");
        let (first, second) = (&entries[0], &entries[1]);
        let source = &feed.entries[0];
        assert_eq!(first["id"], source.id.as_str(), "{kind}");
        assert_eq!(first["link"], source.url.as_str(), "{kind}");
        assert_eq!(first["published"], source.published.timestamp(), "{kind}");
        assert_eq!(strings(&first["authors"])[0], "Zoë <Admin> & Co", "{kind}");
        assert_eq!(
            strings(&first["tags"]),
            ["rust & friends", "<meetup>", "🦀"],
            "{kind}"
        );
        let content = first["content"].as_str().unwrap();
        assert!(
            content.contains("Fish &amp; chips &lt;3 — 🦀"),
            "{kind}: {content}"
        );
        assert!(
            content.contains("<pre>a]]>b ]]]]> c ]]></pre>"),
            "{kind}: {content}"
        );
        assert!(content.contains("tail"), "{kind}: {content}");
        assert_eq!(second["id"], feed.entries[1].id.as_str(), "{kind}");
        assert_eq!(second["content"], "<p>Nothing to see.</p>", "{kind}");
    }
}

#[test]
fn strict_xml_parser_accepts_every_character() {
    if !feedparser_available() {
        return;
    }
    let feed = feed_full_of(&every_character());
    for (kind, document) in [
        ("atom", atom(&feed, ATOM_URL)),
        ("rss", rss(&feed, RSS_URL)),
    ] {
        let read = read_with_feedparser(kind, &document);
        assert_eq!(read["bozo"], 0, "{kind}: {}", read["bozo_exception"]);
    }
}

#[test]
fn python_reads_the_json_feed() {
    if !feedparser_available() {
        return;
    }
    // The script parses the document with `json.loads` before anything else.
    let read = read_with_feedparser("json", &json_feed(&hostile_feed(), JSON_URL));
    assert_eq!(read["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(read["items"], 2);
}

#[test]
fn feedparser_sees_the_self_links() {
    if !feedparser_available() {
        return;
    }
    let feed = hostile_feed();
    for (kind, self_url, document) in [
        ("atom", ATOM_URL, atom(&feed, ATOM_URL)),
        ("rss", RSS_URL, rss(&feed, RSS_URL)),
    ] {
        let read = read_with_feedparser(kind, &document);
        let links = strings(&read["links"]);
        assert!(links.contains(&self_url), "{kind}: {links:?}");
        assert_eq!(read["updated"], feed.updated.timestamp(), "{kind}");
    }
}
