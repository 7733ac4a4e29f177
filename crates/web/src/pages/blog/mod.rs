//! The shared blog's pages: listings (all, by group, kind and tag), a post,
//! writing and submitting, the review desk, and the Atom, RSS and JSON
//! feeds of every listing.

mod comments;
mod desk;
mod feeds;
mod list;
mod review;
mod show;
mod subscribe;
mod write;

pub use comments::*;
pub use desk::*;
pub use feeds::*;
pub use list::*;
pub use review::*;
pub use show::*;
pub use subscribe::*;
pub use write::*;

use crate::AppState;
use crate::error::PageError;
use crate::feed_links::{self};
use convene_app::AppError;
use convene_app::blog::{self, Post};
use convene_app::calendars::Calendar;
use convene_domain::posts::PostKind;
use convene_store::posts::Listing;
use serde::Deserialize;

/// Posts per listing page.
const PAGE_SIZE: i64 = 20;

/// Entries per feed.
const FEED_SIZE: i64 = 30;
/// Listing pages kept in memory, per listing.
const CACHED_PAGES: i64 = 3;

/// A post as listings show it.
#[derive(Clone)]
pub struct PostCard {
    slug: String,
    title: String,
    summary: String,
    kind: &'static str,
    kind_slug: &'static str,
    authors: String,
    published: String,
    published_iso: String,
    group: Option<(String, String)>,
    tags: Vec<String>,
}

fn summary_of(p: &Post) -> String {
    crate::markdown::summary(&p.row.summary, &p.row.body)
}

fn card(p: &Post) -> PostCard {
    let at = p.row.published_at.unwrap_or(p.row.updated_at);
    PostCard {
        slug: p.row.slug.clone(),
        title: p.row.title.clone(),
        summary: summary_of(p),
        kind: p.kind.label(),
        kind_slug: p.kind.as_str(),
        authors: p
            .authors
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        published: at.format("%-d %B %Y").to_string(),
        published_iso: at.to_rfc3339(),
        group: p.group.clone(),
        tags: p.tags.clone(),
    }
}

/// A listing: its heading, filter, path and feeds.
struct Scope {
    group_slug: Option<String>,
    heading: String,
    path: String,
    listing: ListingOwned,
    calendar: Calendar,
}

#[derive(Debug, Default, Clone)]
struct ListingOwned {
    group_id: Option<i64>,
    kind: Option<String>,
    tag: Option<String>,
    stories: bool,
    continent: Option<String>,
    country: Option<String>,
}

impl ListingOwned {
    fn as_listing(&self) -> Listing<'_> {
        Listing {
            group_id: self.group_id,
            kind: self.kind.as_deref(),
            tag: self.tag.as_deref(),
            stories: self.stories,
            continent: self.continent.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

/// `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based page.
    pub page: Option<i64>,
    /// Notice code.
    pub done: Option<String>,
}

async fn scope_for(state: &AppState, what: &str, value: &str) -> Result<Scope, PageError> {
    Ok(match what {
        "group" => {
            let cal = convene_app::calendars::calendar(&state.svc, value).await?;
            let (id, name) = blog::group_id(&state.svc, value).await?;
            Scope {
                group_slug: Some(value.to_owned()),
                heading: format!("{name}: blog"),
                path: feed_links::group_blog(value),
                listing: ListingOwned {
                    group_id: Some(id),
                    ..ListingOwned::default()
                },
                calendar: cal,
            }
        }
        "kind" => {
            let kind = PostKind::parse(value)
                .ok_or(AppError::NotFound("There is no such kind of post."))?;
            Scope {
                group_slug: None,
                heading: format!("Blog: {}", kind.label()),
                path: feed_links::kind_blog(kind.as_str()),
                listing: ListingOwned {
                    kind: Some(kind.as_str().to_owned()),
                    ..ListingOwned::default()
                },
                calendar: Calendar::Site,
            }
        }
        "tag" => Scope {
            group_slug: None,
            heading: format!("Blog: posts tagged {value}"),
            path: feed_links::tag_blog(value),
            listing: ListingOwned {
                tag: Some(value.to_owned()),
                ..ListingOwned::default()
            },
            calendar: Calendar::Site,
        },
        _ => Scope {
            group_slug: None,
            heading: "Blog".to_owned(),
            path: feed_links::SITE_BLOG.to_owned(),
            listing: ListingOwned::default(),
            calendar: Calendar::Site,
        },
    })
}
