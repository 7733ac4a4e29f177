//! RSS 2.0, with the Atom, content, Dublin Core and Media RSS namespaces
//! for what RSS itself has no element for.

use crate::GENERATOR;
use crate::dates::rfc822;
use crate::model::{Entry, Feed};
use crate::xml::{MEDIA_NS, Writer, html_escape, write_image};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";

/// Writes `feed` as an RSS 2.0 document to be served at `self_url`.
///
/// * `<atom:link rel="self">` names `self_url`, as RSS readers expect;
/// * `<guid>` is the entry's id, marked `isPermaLink="false"` unless the id
///   is the post's URL;
/// * `<description>` holds the summary; readers take it as HTML, so the
///   plain text is HTML-escaped first (`&lt;` reaches them as text, not as a
///   tag);
/// * `<content:encoded>` holds the full post in CDATA;
/// * authors are `<dc:creator>`, since RSS's own `<author>` wants an e-mail
///   address; an entry's image is Media RSS content and thumbnail.
///
/// The channel's `<description>`, which RSS requires, is the subtitle, or
/// the title when there is none.
pub fn rss(feed: &Feed, self_url: &str) -> String {
    let mut w = Writer::new();
    w.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", ATOM_NS),
            ("xmlns:content", CONTENT_NS),
            ("xmlns:dc", DC_NS),
            ("xmlns:media", MEDIA_NS),
        ],
    );
    w.open("channel", &[]);
    w.text("title", &[], &feed.title);
    w.text("link", &[], &feed.home_url);
    w.text(
        "description",
        &[],
        feed.subtitle.as_deref().unwrap_or(&feed.title),
    );
    w.empty(
        "atom:link",
        &[
            ("href", self_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
    if let Some(language) = &feed.language {
        w.text("language", &[], language);
    }
    w.text("lastBuildDate", &[], &rfc822(feed.updated));
    w.text("generator", &[], GENERATOR);
    if let Some(icon) = &feed.icon {
        w.open("image", &[]);
        w.text("url", &[], icon);
        w.text("title", &[], &feed.title);
        w.text("link", &[], &feed.home_url);
        w.close();
    }
    for entry in &feed.entries {
        write_item(&mut w, entry);
    }
    w.finish()
}

fn write_item(w: &mut Writer, entry: &Entry) {
    w.open("item", &[]);
    w.text("title", &[], &entry.title);
    w.text("link", &[], &entry.url);
    let is_permalink = if entry.id == entry.url {
        "true"
    } else {
        "false"
    };
    w.text("guid", &[("isPermaLink", is_permalink)], &entry.id);
    w.text("pubDate", &[], &rfc822(entry.published));
    for author in entry.named_authors() {
        w.text("dc:creator", &[], &author.name);
    }
    for tag in entry.distinct_tags() {
        w.text("category", &[], tag);
    }
    if let Some(summary) = &entry.summary {
        w.text("description", &[], &html_escape(summary));
    }
    w.cdata("content:encoded", &entry.content_html);
    if let Some(image) = &entry.image {
        write_image(w, image);
    }
    w.close();
}
