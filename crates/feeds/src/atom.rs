//! Atom 1.0 (RFC 4287).

use crate::GENERATOR;
use crate::dates::rfc3339;
use crate::model::{Entry, Feed, Person};
use crate::xml::{MEDIA_NS, Writer, write_image};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Writes `feed` as an Atom 1.0 document to be served at `self_url`.
///
/// Titles, the subtitle and summaries are `type="text"`; the post is
/// `<content type="html">`. RFC 4287 §4.1.1 wants an author for every entry:
/// when any entry has none of its own, or there are no entries, the blog
/// itself (its title and page) is written as the feed's author, which then
/// applies to those entries. An entry's image is Media RSS content and thumbnail.
pub fn atom(feed: &Feed, self_url: &str) -> String {
    let mut w = Writer::new();
    let mut root = vec![("xmlns", ATOM_NS), ("xmlns:media", MEDIA_NS)];
    if let Some(language) = &feed.language {
        root.push(("xml:lang", language));
    }
    w.open("feed", &root);
    w.text("id", &[], &feed.id);
    w.text("title", &[("type", "text")], &feed.title);
    if let Some(subtitle) = &feed.subtitle {
        w.text("subtitle", &[("type", "text")], subtitle);
    }
    w.text("updated", &[], &rfc3339(feed.updated));
    w.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &feed.home_url),
        ],
    );
    w.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", self_url),
        ],
    );
    if let Some(icon) = &feed.icon {
        w.text("icon", &[], icon);
    }
    w.text("generator", &[], GENERATOR);
    let every_entry_has_an_author = !feed.entries.is_empty()
        && feed
            .entries
            .iter()
            .all(|e| e.named_authors().next().is_some());
    if !every_entry_has_an_author {
        write_author(
            &mut w,
            &Person {
                name: feed.title.clone(),
                url: Some(feed.home_url.clone()),
            },
        );
    }
    for entry in &feed.entries {
        write_entry(&mut w, entry);
    }
    w.finish()
}

fn write_entry(w: &mut Writer, entry: &Entry) {
    w.open("entry", &[]);
    w.text("id", &[], &entry.id);
    w.text("title", &[("type", "text")], &entry.title);
    w.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &entry.url),
        ],
    );
    w.text("published", &[], &rfc3339(entry.published));
    w.text("updated", &[], &rfc3339(entry.updated));
    for author in entry.named_authors() {
        write_author(w, author);
    }
    for tag in entry.distinct_tags() {
        w.empty("category", &[("term", tag)]);
    }
    if let Some(summary) = &entry.summary {
        w.text("summary", &[("type", "text")], summary);
    }
    w.text("content", &[("type", "html")], &entry.content_html);
    if let Some(image) = &entry.image {
        write_image(w, image);
    }
    w.close();
}

fn write_author(w: &mut Writer, person: &Person) {
    w.open("author", &[]);
    w.text("name", &[], &person.name);
    if let Some(url) = &person.url {
        w.text("uri", &[], url);
    }
    w.close();
}
