//! JSON Feed 1.1.

use std::borrow::Cow;

use serde::Serialize;

use crate::dates::rfc3339;
use crate::model::{Entry, Feed, Person};
use crate::text::carriable_text;

/// A string as the document carries it.
type Text<'a> = Cow<'a, str>;

fn text(value: &str) -> Text<'_> {
    carriable_text(value)
}

fn optional(value: &Option<String>) -> Option<Text<'_>> {
    value.as_deref().map(carriable_text)
}

const VERSION: &str = "https://jsonfeed.org/version/1.1";

/// Writes `feed` as a JSON Feed 1.1 document to be served at `self_url`
/// (the `feed_url`), pretty-printed, with absent values left out and the
/// same characters dropped as from the XML formats.
#[expect(
    clippy::expect_used,
    reason = "serialising strings, lists and structs into a String cannot fail"
)]
pub fn json_feed(feed: &Feed, self_url: &str) -> String {
    let document = Document {
        version: VERSION,
        title: text(&feed.title),
        home_page_url: text(&feed.home_url),
        feed_url: text(self_url),
        description: optional(&feed.subtitle),
        icon: optional(&feed.icon),
        language: optional(&feed.language),
        items: feed.entries.iter().map(Item::from).collect(),
    };
    // serde_json errs only for maps with non-string keys or a Serialize impl
    // that errs, and the document has neither.
    serde_json::to_string_pretty(&document).expect("a JSON Feed document always serialises")
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    title: Text<'a>,
    home_page_url: Text<'a>,
    feed_url: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<Text<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: Text<'a>,
    url: Text<'a>,
    title: Text<'a>,
    content_html: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Text<'a>>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Text<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Text<'a>>,
}

impl<'a> From<&'a Entry> for Item<'a> {
    fn from(entry: &'a Entry) -> Self {
        Self {
            id: text(&entry.id),
            url: text(&entry.url),
            title: text(&entry.title),
            content_html: text(&entry.content_html),
            summary: optional(&entry.summary),
            image: optional(&entry.image),
            date_published: rfc3339(entry.published),
            date_modified: rfc3339(entry.updated),
            authors: entry.named_authors().map(Author::from).collect(),
            tags: entry.distinct_tags().into_iter().map(text).collect(),
        }
    }
}

impl<'a> From<&'a Person> for Author<'a> {
    fn from(person: &'a Person) -> Self {
        Self {
            name: text(&person.name),
            url: optional(&person.url),
        }
    }
}
