//! The exact bytes of a small feed in each format, so that any change to
//! what readers receive shows up in review.
//!
//! After an intended change, rewrite the files with
//! `CONVENE_UPDATE_GOLDEN=1 cargo test -p convene-feeds --test golden` and
//! read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use convene_feeds::{atom, json_feed, rss};

#[track_caller]
fn assert_golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("CONVENE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(actual, expected, "{name} differs from {path}");
}

#[test]
fn minimal_atom() {
    assert_golden("minimal.atom", &atom(&minimal_feed(), ATOM_URL));
}

#[test]
fn minimal_rss() {
    assert_golden("minimal.rss", &rss(&minimal_feed(), RSS_URL));
}

#[test]
fn minimal_json_feed() {
    assert_golden("minimal.json", &json_feed(&minimal_feed(), JSON_URL));
}

#[test]
fn hostile_atom() {
    assert_golden("hostile.atom", &atom(&hostile_feed(), ATOM_URL));
}

#[test]
fn hostile_rss() {
    assert_golden("hostile.rss", &rss(&hostile_feed(), RSS_URL));
}

#[test]
fn hostile_json_feed() {
    assert_golden("hostile.json", &json_feed(&hostile_feed(), JSON_URL));
}
