//! The addresses of the blog's feeds, built in one place for the router, the
//! feeds' own self links and the pages' `<link rel="alternate">`, so that
//! what a feed reader is told and what the site serves cannot drift apart.
//!
//! Every blog listing (`/blog`, `/groups/{slug}/blog`, `/blog/kind/{kind}`,
//! `/blog/tag/{tag}`) has its feeds beside it, at `{listing}/feed.atom`,
//! `{listing}/feed.rss` and `{listing}/feed.json`.

/// The site-wide blog listing.
pub const SITE_BLOG: &str = "/blog";

/// A feed format and what it is called in an address and a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// Atom 1.0 (RFC 4287).
    Atom,
    /// RSS 2.0.
    Rss,
    /// JSON Feed 1.1.
    Json,
}

impl FeedFormat {
    /// Every format, in the order pages offer them.
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json];

    /// The last segment of the feed's address.
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Atom => "feed.atom",
            FeedFormat::Rss => "feed.rss",
            FeedFormat::Json => "feed.json",
        }
    }

    /// The format whose address ends in `file`.
    pub fn from_file(file: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.file() == file)
    }

    /// Its media type, as `<link type>` names it.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Atom => "Atom",
            FeedFormat::Rss => "RSS",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// A group's blog listing.
pub fn group_blog(slug: &str) -> String {
    format!("/groups/{slug}/blog")
}

/// The listing of one kind of post.
pub fn kind_blog(kind: &str) -> String {
    format!("/blog/kind/{kind}")
}

/// The listing of one tag.
pub fn tag_blog(tag: &str) -> String {
    format!("/blog/tag/{tag}")
}

/// The feed of the listing at `listing` in `format`.
pub fn feed(listing: &str, format: FeedFormat) -> String {
    format!("{listing}/{}", format.file())
}

/// A feed as a page announces it.
#[derive(Debug, Clone)]
pub struct FeedLink {
    /// Its path.
    pub href: String,
    /// Its media type.
    pub media_type: &'static str,
    /// The format's name.
    pub label: &'static str,
}

/// The feeds of the listing at `listing`, one per format.
pub fn feeds_of(listing: &str) -> Vec<FeedLink> {
    FeedFormat::ALL
        .into_iter()
        .map(|f| FeedLink {
            href: feed(listing, f),
            media_type: f.media_type(),
            label: f.label(),
        })
        .collect()
}

/// Route patterns for the group feeds, with axum's `{slug}` capture, made
/// by the same function as the links.
pub fn group_feed_route(format: FeedFormat) -> String {
    feed(&group_blog("{slug}"), format)
}

/// Where group feeds used to be (`/groups/{slug}/feed.atom`): kept as
/// permanent redirects so existing subscriptions move to the address above.
pub fn old_group_feed_route(format: FeedFormat) -> String {
    format!("/groups/{{slug}}/{}", format.file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listing_has_its_feeds_beside_it() {
        assert_eq!(
            feed(&group_blog("boston-python"), FeedFormat::Rss),
            "/groups/boston-python/blog/feed.rss"
        );
        assert_eq!(feed(SITE_BLOG, FeedFormat::Atom), "/blog/feed.atom");
        assert_eq!(
            group_feed_route(FeedFormat::Json),
            "/groups/{slug}/blog/feed.json"
        );
        for f in FeedFormat::ALL {
            assert_eq!(FeedFormat::from_file(f.file()), Some(f));
        }
        assert_eq!(FeedFormat::from_file("feed.xml"), None);
    }
}
