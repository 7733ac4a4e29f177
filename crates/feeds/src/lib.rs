//! A blog's feeds for convene, written in three formats from one neutral
//! description ([`Feed`], [`Entry`], [`Person`]):
//!
//! * [`atom()`]: Atom 1.0 (RFC 4287), with `self` and `alternate` links, the
//!   full post as `<content type="html">`, and a feed-level author whenever
//!   an entry has none of its own, so that every entry has an author;
//! * [`rss()`]: RSS 2.0 with `atom:link rel="self"`, `guid`, RFC 822 dates,
//!   the summary in `<description>`, the full post in `<content:encoded>` and
//!   authors as `dc:creator`;
//! * [`json_feed()`]: JSON Feed 1.1.
//!
//! The crate is pure: no clock, no I/O. The caller passes `updated` and the
//! URL each document will be served at. Output is deterministic: elements
//! come in a fixed order and entries, authors and tags in the order given.
//!
//! Every string is taken as untrusted text. The XML writers escape markup
//! and drop the characters XML 1.0 cannot carry (C0 controls other than tab,
//! line feed and carriage return; U+FFFE and U+FFFF), so the documents are
//! well-formed whatever a post contains. The JSON Feed drops the same
//! characters, so every format carries the same text.

#![forbid(unsafe_code)]

mod atom;
mod dates;
mod json_feed;
mod model;
mod rss;
mod text;
mod xml;

pub use atom::atom;
pub use json_feed::json_feed;
pub use model::{Entry, Feed, Person};
pub use rss::rss;

/// The name the documents give as their generator.
const GENERATOR: &str = "convene";
