//! Each format, read back by an independent parser (feed-rs), gives back
//! what was written: titles, ids, links, dates, authors, categories, images
//! and the HTML content, hostile text included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use convene_feeds::{atom, json_feed, rss};
use feed_rs::model::{Entry as ParsedEntry, Feed as ParsedFeed, FeedType};

fn parse(document: &str) -> ParsedFeed {
    feed_rs::parser::parse(document.as_bytes()).expect("the document parses")
}

fn text(text: &Option<feed_rs::model::Text>) -> &str {
    &text.as_ref().expect("the text is there").content
}

fn content(entry: &ParsedEntry) -> &str {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .expect("the entry has content")
}

fn author_names(entry: &ParsedEntry) -> Vec<&str> {
    entry
        .authors
        .iter()
        .map(|p| p.name.as_deref().unwrap_or_default())
        .collect()
}

fn terms(entry: &ParsedEntry) -> Vec<&str> {
    entry.categories.iter().map(|c| c.term.as_str()).collect()
}

/// The entry's images: Media RSS content, then thumbnails.
fn images(entry: &ParsedEntry) -> Vec<String> {
    let media = entry.media.iter();
    let content = media
        .clone()
        .flat_map(|m| &m.content)
        .filter_map(|c| c.url.as_ref().map(|u| u.to_string()));
    let thumbnails = media
        .flat_map(|m| &m.thumbnails)
        .map(|t| t.image.uri.clone());
    content.chain(thumbnails).collect()
}

fn link_with_rel<'a>(links: &'a [feed_rs::model::Link], rel: &str) -> &'a str {
    &links
        .iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .unwrap_or_else(|| panic!("a {rel} link in {links:?}"))
        .href
}

/// Undoes the HTML escaping of a plain-text RSS description.
fn html_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

const TAGS: [&str; 3] = ["rust & friends", "<meetup>", "🦀"];
const IMAGE: &str = "https://example.org/media/cover.png?w=600&h=300";

#[test]
fn atom_round_trips() {
    let feed = hostile_feed();
    let parsed = parse(&atom(&feed, ATOM_URL));

    assert_eq!(parsed.feed_type, FeedType::Atom);
    assert_eq!(parsed.id, feed.id);
    assert_eq!(text(&parsed.title), carried(&feed.title));
    assert_eq!(
        text(&parsed.description),
        carried(feed.subtitle.as_deref().unwrap())
    );
    assert_eq!(parsed.updated, Some(feed.updated));
    assert_eq!(parsed.language.as_deref(), Some("en"));
    assert_eq!(link_with_rel(&parsed.links, "self"), ATOM_URL);
    assert_eq!(link_with_rel(&parsed.links, "alternate"), feed.home_url);
    assert_eq!(
        parsed.icon.as_ref().map(|i| i.uri.as_str()),
        feed.icon.as_deref()
    );
    // The second entry has no author, so the blog is the feed's author.
    assert_eq!(parsed.authors.len(), 1);
    assert_eq!(
        parsed.authors[0].name.as_deref(),
        Some(&*carried(&feed.title))
    );
    assert_eq!(parsed.authors[0].uri.as_deref(), Some(&*feed.home_url));

    assert_eq!(parsed.entries.len(), 2);
    let (first, second) = (&parsed.entries[0], &parsed.entries[1]);
    let source = &feed.entries[0];
    assert_eq!(first.id, source.id);
    assert_eq!(text(&first.title), carried(&hostile_title()));
    assert_eq!(link_with_rel(&first.links, "alternate"), source.url);
    assert_eq!(first.published, Some(source.published));
    assert_eq!(first.updated, Some(source.updated));
    assert_eq!(author_names(first), ["Zoë <Admin> & Co", "Ana"]);
    assert_eq!(
        first.authors[0].uri.as_deref(),
        Some("https://example.org/people/zoe?x=1&y=2")
    );
    assert_eq!(first.authors[1].uri, None);
    assert_eq!(terms(first), TAGS);
    assert_eq!(text(&first.summary), carried(&hostile_summary()));
    assert_eq!(content(first), carried(&hostile_content()));
    assert_eq!(
        first.content.as_ref().unwrap().content_type.to_string(),
        "text/html"
    );
    assert_eq!(images(first), [IMAGE, IMAGE]);

    assert_eq!(second.id, feed.entries[1].id);
    assert!(second.authors.is_empty());
    assert_eq!(content(second), "<p>Nothing to see.</p>");
    assert_eq!(second.summary, None);
}

#[test]
fn atom_needs_no_feed_author_when_every_entry_has_one() {
    let document = atom(&minimal_feed(), ATOM_URL);
    let parsed = parse(&document);
    assert!(parsed.authors.is_empty(), "{document}");
    assert_eq!(author_names(&parsed.entries[0]), ["Ana"]);
}

#[test]
fn atom_without_entries_still_has_an_author() {
    let mut feed = minimal_feed();
    feed.entries.clear();
    let parsed = parse(&atom(&feed, ATOM_URL));
    assert_eq!(parsed.authors.len(), 1);
    assert_eq!(parsed.authors[0].name.as_deref(), Some("Minimal"));
}

#[test]
fn rss_round_trips() {
    let feed = hostile_feed();
    let document = rss(&feed, RSS_URL);
    let parsed = parse(&document);

    assert_eq!(parsed.feed_type, FeedType::RSS2);
    assert_eq!(text(&parsed.title), carried(&feed.title));
    assert_eq!(
        text(&parsed.description),
        carried(feed.subtitle.as_deref().unwrap())
    );
    assert_eq!(parsed.updated, Some(feed.updated));
    assert_eq!(parsed.language.as_deref(), Some("en"));
    assert_eq!(link_with_rel(&parsed.links, "self"), RSS_URL);
    let hrefs: Vec<&str> = parsed.links.iter().map(|l| l.href.as_str()).collect();
    assert!(hrefs.contains(&feed.home_url.as_str()), "{hrefs:?}");
    assert_eq!(
        parsed.logo.as_ref().map(|i| i.uri.as_str()),
        feed.icon.as_deref()
    );

    assert_eq!(parsed.entries.len(), 2);
    let (first, second) = (&parsed.entries[0], &parsed.entries[1]);
    let source = &feed.entries[0];
    assert_eq!(first.id, source.id);
    assert!(document.contains("<guid isPermaLink=\"false\">tag:example.org,2026:post/42</guid>"));
    assert_eq!(text(&first.title), carried(&hostile_title()));
    assert_eq!(first.links[0].href, source.url);
    assert_eq!(first.published, Some(source.published));
    assert_eq!(author_names(first), ["Zoë <Admin> & Co", "Ana"]);
    assert_eq!(terms(first), TAGS);
    assert_eq!(
        html_unescape(text(&first.summary)),
        carried(&hostile_summary())
    );
    assert_eq!(content(first), carried(&hostile_content()));
    assert_eq!(images(first), [IMAGE, IMAGE]);

    // The id is the URL here, so the guid is a permalink.
    assert_eq!(second.id, feed.entries[1].id);
    assert!(document.contains(
        "<guid isPermaLink=\"true\">https://example.org/groups/rust-berlin/blog/2026/plain</guid>"
    ));
    assert_eq!(second.published, Some(feed.entries[1].published));
    assert_eq!(content(second), "<p>Nothing to see.</p>");
    assert!(second.authors.is_empty());
}

#[test]
fn rss_dates_are_rfc_822() {
    let document = rss(&hostile_feed(), RSS_URL);
    assert!(document.contains("<lastBuildDate>Tue, 08 Dec 2026 19:00:00 +0000</lastBuildDate>"));
    assert!(document.contains("<pubDate>Tue, 01 Dec 2026 18:30:00 +0000</pubDate>"));
    assert!(document.contains("<pubDate>Tue, 03 Nov 2026 09:05:00 +0000</pubDate>"));
}

#[test]
fn rss_splits_cdata_terminators_in_content() {
    let document = rss(&hostile_feed(), RSS_URL);
    assert!(document.contains("<pre>a]]]]><![CDATA[>b ]]]]]]><![CDATA[> c ]]]]><![CDATA[></pre>"));
}

#[test]
fn json_feed_round_trips() {
    let feed = hostile_feed();
    let document = json_feed(&feed, JSON_URL);
    let parsed = parse(&document);

    assert_eq!(parsed.feed_type, FeedType::JSON);
    // JSON could carry every character, but gets the same text as XML.
    assert_eq!(text(&parsed.title), carried(&feed.title));
    assert_eq!(
        text(&parsed.description),
        carried(feed.subtitle.as_deref().unwrap())
    );
    assert_eq!(parsed.language.as_deref(), Some("en"));
    let hrefs: Vec<&str> = parsed.links.iter().map(|l| l.href.as_str()).collect();
    assert_eq!(hrefs, [feed.home_url.as_str(), JSON_URL]);

    assert_eq!(parsed.entries.len(), 2);
    let first = &parsed.entries[0];
    let source = &feed.entries[0];
    assert_eq!(first.id, source.id);
    assert_eq!(text(&first.title), carried(&hostile_title()));
    assert_eq!(first.links[0].href, source.url);
    assert_eq!(first.published, Some(source.published));
    assert_eq!(first.updated, Some(source.updated));
    assert_eq!(author_names(first), ["Zoë <Admin> & Co", "Ana"]);
    assert_eq!(
        first.authors[0].uri.as_deref(),
        Some("https://example.org/people/zoe?x=1&y=2")
    );
    assert_eq!(terms(first), TAGS);
    assert_eq!(text(&first.summary), carried(&hostile_summary()));
    assert_eq!(content(first), carried(&hostile_content()));
    assert_eq!(parsed.entries[1].id, feed.entries[1].id);
}

#[test]
fn json_feed_has_the_version_1_1_fields() {
    let feed = hostile_feed();
    let value: serde_json::Value = serde_json::from_str(&json_feed(&feed, JSON_URL)).unwrap();
    assert_eq!(value["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(value["home_page_url"], feed.home_url.as_str());
    assert_eq!(value["feed_url"], JSON_URL);
    assert_eq!(value["icon"], "https://example.org/static/icon.png");
    let first = &value["items"][0];
    assert_eq!(first["image"], IMAGE);
    assert_eq!(first["date_published"], "2026-12-01T18:30:00Z");
    assert_eq!(first["date_modified"], "2026-12-08T19:00:00Z");
    assert_eq!(first["authors"][1], serde_json::json!({ "name": "Ana" }));
    // Absent values are left out rather than written as null.
    let second = value["items"][1].as_object().unwrap();
    for absent in ["summary", "image", "authors", "tags"] {
        assert!(!second.contains_key(absent), "{absent} in {second:?}");
    }
}

#[test]
fn output_is_deterministic() {
    let feed = hostile_feed();
    assert_eq!(atom(&feed, ATOM_URL), atom(&feed.clone(), ATOM_URL));
    assert_eq!(rss(&feed, RSS_URL), rss(&feed.clone(), RSS_URL));
    assert_eq!(
        json_feed(&feed, JSON_URL),
        json_feed(&feed.clone(), JSON_URL)
    );
}
