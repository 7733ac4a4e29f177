//! The neutral description of a feed that every format is written from.

use chrono::{DateTime, Utc};

/// A blog's feed: the channel and its entries, newest first as a rule (the
/// writers keep the order they are given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// A stable IRI that names the feed for ever, e.g.
    /// `https://example.org/groups/rust-berlin/blog`.
    pub id: String,
    /// The blog's title, plain text.
    pub title: String,
    /// A line describing the blog, plain text.
    pub subtitle: Option<String>,
    /// The blog's HTML page (the feed's `alternate` link).
    pub home_url: String,
    /// The feed's own URL as the caller knows it. The writers do not read
    /// it: each takes the URL of the document it writes as its `self_url`
    /// argument, since every format is served at an address of its own.
    pub self_url: String,
    /// When anything in the feed last changed.
    pub updated: DateTime<Utc>,
    /// The language of the posts, as a BCP 47 tag such as `en` or `de-AT`.
    pub language: Option<String>,
    /// An absolute URL of a small square image for the blog.
    pub icon: Option<String>,
    /// The posts, in the order they should appear.
    pub entries: Vec<Entry>,
}

/// One post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// A stable identifier that never changes once published: a `tag:` URI
    /// or an `https` IRI.
    pub id: String,
    /// The post's HTML page.
    pub url: String,
    /// The post's title, plain text.
    pub title: String,
    /// A short summary, plain text.
    pub summary: Option<String>,
    /// The full post as sanitised HTML.
    pub content_html: String,
    /// When the post was first published.
    pub published: DateTime<Utc>,
    /// When the post last changed.
    pub updated: DateTime<Utc>,
    /// Who wrote the post, in the order to credit them.
    pub authors: Vec<Person>,
    /// The post's tags, plain text.
    pub tags: Vec<String>,
    /// An absolute URL of an image that represents the post.
    pub image: Option<String>,
}

/// An author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name to show, plain text.
    pub name: String,
    /// The person's page, if they have one.
    pub url: Option<String>,
}

impl Entry {
    /// The authors worth writing: those whose name is not blank.
    pub(crate) fn named_authors(&self) -> impl Iterator<Item = &Person> {
        self.authors.iter().filter(|p| !p.name.trim().is_empty())
    }

    /// The tags worth writing: not blank, each once, in the order given.
    pub(crate) fn distinct_tags(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::with_capacity(self.tags.len());
        for tag in &self.tags {
            let tag = tag.trim();
            if !tag.is_empty() && !seen.contains(&tag) {
                seen.push(tag);
            }
        }
        seen
    }
}
