//! Every Unicode scalar value, in every place a string goes, either reaches
//! the reader unchanged or is dropped because XML 1.0 cannot carry it; the
//! JSON Feed drops the same ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use convene_feeds::{atom, json_feed, rss};

/// The XML 1.0 `Char` production, written out from the specification.
fn xml_char(c: char) -> bool {
    let c = u32::from(c);
    c == 0x9
        || c == 0xA
        || c == 0xD
        || (0x20..=0xD7FF).contains(&c)
        || (0xE000..=0xFFFD).contains(&c)
        || (0x10000..=0x10FFFF).contains(&c)
}

/// Compares without printing sixty thousand characters on failure.
#[track_caller]
fn assert_same(what: &str, got: &str, expected: &str) {
    if got != expected {
        let at = got
            .chars()
            .zip(expected.chars())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.chars().count().min(expected.chars().count()));
        let near = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(3))
                .take(8)
                .collect::<String>()
        };
        panic!(
            "{what} differs at character {at}: got {:?}, expected {:?}",
            near(got),
            near(expected)
        );
    }
}

#[test]
fn xml_documents_hold_only_xml_characters_and_keep_the_rest() {
    let text = every_character();
    let expected: String = text.chars().filter(|&c| xml_char(c)).collect();
    let feed = feed_full_of(&text);

    for document in [atom(&feed, ATOM_URL), rss(&feed, RSS_URL)] {
        if let Some(bad) = document.chars().find(|&c| !xml_char(c)) {
            panic!("U+{:04X} is not an XML character", u32::from(bad));
        }
        let parsed = feed_rs::parser::parse(document.as_bytes()).unwrap();
        let entry = &parsed.entries[0];
        assert_same(
            "feed title",
            &parsed.title.as_ref().unwrap().content,
            &expected,
        );
        assert_same(
            "entry title",
            &entry.title.as_ref().unwrap().content,
            &expected,
        );
        assert_same(
            "content",
            entry.content.as_ref().unwrap().body.as_deref().unwrap(),
            &expected,
        );
        assert_same("category", &entry.categories[0].term, &expected);
    }
}

#[test]
fn json_feed_carries_the_same_characters() {
    let all = every_character();
    let text: String = all.chars().filter(|&c| xml_char(c)).collect();
    let document = json_feed(&feed_full_of(&all), JSON_URL);
    let value: serde_json::Value = serde_json::from_str(&document).unwrap();
    assert_same("title", value["title"].as_str().unwrap(), &text);
    let item = &value["items"][0];
    assert_same("content", item["content_html"].as_str().unwrap(), &text);
    assert_same("tag", item["tags"][0].as_str().unwrap(), &text);
}

#[test]
fn carriage_returns_survive_outside_cdata() {
    let feed = feed_full_of("one\r\ntwo\rthree");
    let parsed = feed_rs::parser::parse(atom(&feed, ATOM_URL).as_bytes()).unwrap();
    assert_eq!(parsed.title.unwrap().content, "one\r\ntwo\rthree");
}
