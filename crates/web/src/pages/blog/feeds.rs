//! The Atom, RSS and JSON feeds of every listing.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::feed_links::{self, FeedFormat};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use convene_app::AppError;
use convene_app::blog;
use std::sync::Arc;

fn content_type(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "application/atom+xml; charset=utf-8",
        FeedFormat::Rss => "application/rss+xml; charset=utf-8",
        FeedFormat::Json => "application/feed+json; charset=utf-8",
    }
}

async fn feed(
    state: &AppState,
    headers: &HeaderMap,
    scope: Scope,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let version = blog::feed_version(&state.svc).await?;
    let self_path = feed_links::feed(&scope.path, format);
    let etag = format!(
        "\"{version}-{:x}\"",
        crate::pages::http_cache::fxhash(&self_path)
    );
    let svc = state.svc.clone();
    let key = format!("blogfeed:{self_path}");
    let built: Arc<(crate::packed::Packed, DateTime<Utc>)> = state
        .calendar_cache
        .get_or_build_weighed(&key, &version, || async move {
            let posts = blog::published(&svc, scope.listing.as_listing(), FEED_SIZE, 0).await?;
            let site = &svc.site;
            let updated = posts
                .iter()
                .map(|p| p.row.updated_at)
                .max()
                .unwrap_or_else(|| svc.clock.now());
            let mut embeds = Vec::with_capacity(posts.len());
            let mut stored = Vec::with_capacity(posts.len());
            for p in &posts {
                embeds.push(convene_app::media::embed_views(&svc, &p.row.body).await?);
                stored.push(blog::post_html(&svc, &p.row).await?);
            }
            let entries = posts
                .iter()
                .zip(embeds.iter().zip(&stored))
                .map(|(p, (embeds, stored))| convene_feeds::Entry {
                    id: site.link(&format!("/blog/{}", p.row.slug)),
                    url: site.link(&format!("/blog/{}", p.row.slug)),
                    title: p.row.title.clone(),
                    summary: Some(summary_of(p)),
                    content_html: crate::markdown::with_embeds(
                        stored,
                        embeds,
                        site.base_url.as_str(),
                    ),
                    published: p.row.published_at.unwrap_or(p.row.created_at),
                    updated: p.row.updated_at,
                    authors: p
                        .authors
                        .iter()
                        .map(|(_, n)| convene_feeds::Person {
                            name: n.clone(),
                            url: None,
                        })
                        .collect(),
                    tags: p.tags.clone(),
                    image: Some(p.row.cover_image.clone()).filter(|c| !c.is_empty()),
                })
                .collect();
            let feed = convene_feeds::Feed {
                id: site.link(&scope.path),
                title: format!("{} — {}", scope.heading, site.name),
                subtitle: None,
                home_url: site.link(&scope.path),
                self_url: site.link(&self_path),
                updated,
                language: Some("en".into()),
                icon: None,
                entries,
            };
            let self_url = site.link(&self_path);
            let body = match format {
                FeedFormat::Atom => convene_feeds::atom(&feed, &self_url),
                FeedFormat::Rss => convene_feeds::rss(&feed, &self_url),
                FeedFormat::Json => convene_feeds::json_feed(&feed, &self_url),
            };
            Ok::<_, PageError>((crate::packed::Packed::new(body), updated))
        })
        .await?;
    Ok(crate::pages::http_cache::conditional(
        headers,
        &etag,
        built.1,
        content_type(format),
        &built.0,
    ))
}

/// `GET /blog/feed.{atom,rss,json}`.
pub async fn site_feed(
    state: &AppState,
    headers: &HeaderMap,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let scope = scope_for(state, "all", "").await?;
    feed(state, headers, scope, format).await
}

fn format_of(file: &str) -> Result<FeedFormat, PageError> {
    Ok(FeedFormat::from_file(file).ok_or(AppError::NotFound("There is no such feed."))?)
}

/// `GET /blog/kind/{kind}/{file}`.
pub async fn kind_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let format = format_of(&file)?;
    let scope = scope_for(&state, "kind", &kind).await?;
    feed(&state, &headers, scope, format).await
}

/// `GET /blog/tag/{tag}/{file}`.
pub async fn tag_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tag, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let format = format_of(&file)?;
    let scope = scope_for(&state, "tag", &tag).await?;
    feed(&state, &headers, scope, format).await
}

/// `GET /groups/{slug}/blog/feed.{atom,rss,json}`.
pub async fn group_feed(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let scope = scope_for(state, "group", slug).await?;
    feed(state, headers, scope, format).await
}

/// `GET /groups/{slug}/feed.{atom,rss,json}`, where group feeds used to be:
/// a permanent redirect, which feed readers follow and remember.
pub fn moved_group_feed(slug: &str, format: FeedFormat) -> Response {
    crate::headers::moved_permanently(&feed_links::feed(&feed_links::group_blog(slug), format))
}
