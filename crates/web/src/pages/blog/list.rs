//! Listings of posts: all, by kind, by tag, by group, and `/stories`.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::feed_links::{self, FeedLink};
use crate::pages::calendar_views::{OccView, cached_upcoming, occ_view};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::AppError;
use convene_app::blog;
use convene_app::calendars::Calendar;
use convene_domain::{Action, authorize};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "blog/list.html")]
struct ListPage {
    ctx: PageCtx,
    heading: String,
    path: String,
    cards: Vec<PostCard>,
    page: i64,
    more: bool,
    can_write: bool,
    events: Vec<OccView>,
    calendar_path: String,
    kinds: Vec<(&'static str, &'static str)>,
    feeds: Vec<FeedLink>,
    places: Option<StoryPlaces>,
    subscribe_group: Option<String>,
}

/// The place filter of `/stories`.
pub struct StoryPlaces {
    continents: Vec<(&'static str, &'static str)>,
    continent: String,
    country: String,
}

async fn list(
    state: &AppState,
    visitor: &Visitor,
    scope: Scope,
    q: &PageQuery,
) -> Result<Response, PageError> {
    list_with(state, visitor, scope, q, None).await
}

async fn list_with(
    state: &AppState,
    visitor: &Visitor,
    scope: Scope,
    q: &PageQuery,
    places: Option<StoryPlaces>,
) -> Result<Response, PageError> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (cards, more) = listing_page(state, &scope, page).await?;
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let can_write = authorize(actor, &Action::WritePost { group: None }).is_ok()
        || actor.is_some_and(|a| !a.grants.is_empty());
    let events = cached_upcoming(state, &scope.calendar, 5, chrono_tz::Tz::UTC)
        .await?
        .iter()
        .map(|o| occ_view(o, None, ""))
        .collect();
    let ctx = PageCtx::new(state, visitor, scope.heading.clone()).with_notice(q.done.as_deref());
    let feeds = if places.is_none() {
        feed_links::feeds_of(&scope.path)
    } else {
        Vec::new()
    };
    Ok(render(
        StatusCode::OK,
        &ListPage {
            ctx,
            heading: scope.heading,
            path: scope.path,
            cards,
            page,
            more,
            can_write,
            events,
            calendar_path: scope.calendar.path(),
            kinds: blog::kinds(),
            feeds,
            subscribe_group: if places.is_none() && visitor.signed_in.is_some() {
                Some(scope.group_slug.clone().unwrap_or_default())
            } else {
                None
            },
            places,
        },
    ))
}

/// The cards of one page of a listing, and whether there is a next page.
/// The first pages, which nearly every visitor reads, are kept in memory
/// until any post changes.
async fn listing_page(
    state: &AppState,
    scope: &Scope,
    page: i64,
) -> Result<(Vec<PostCard>, bool), PageError> {
    let build = || async {
        let posts = blog::published(
            &state.svc,
            scope.listing.as_listing(),
            PAGE_SIZE + 1,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
        let more = posts.len() as i64 > PAGE_SIZE;
        let cards: Vec<PostCard> = posts.iter().take(PAGE_SIZE as usize).map(card).collect();
        Ok::<_, AppError>((cards, more))
    };
    if page > CACHED_PAGES {
        return Ok(build().await?);
    }
    let version = blog::feed_version(&state.svc).await?;
    let key = format!("bloglist:{:?}:{page}", scope.listing);
    let cached = state
        .calendar_cache
        .get_or_build(&key, &version, build)
        .await?;
    Ok((cached.0.clone(), cached.1))
}

/// `GET /blog`.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "all", "").await?;
    list(&state, &visitor, scope, &q).await
}

/// `GET /blog/kind/{kind}`.
pub async fn by_kind(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(kind): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "kind", &kind).await?;
    list(&state, &visitor, scope, &q).await
}

/// `GET /blog/tag/{tag}`.
pub async fn by_tag(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "tag", &tag).await?;
    list(&state, &visitor, scope, &q).await
}

/// `?continent=&country=` on `/stories`.
#[derive(Debug, Default, Deserialize)]
pub struct StoriesQuery {
    /// Continent code.
    pub continent: Option<String>,
    /// Country name or code.
    pub country: Option<String>,
    /// 1-based page.
    pub page: Option<i64>,
}

/// `GET /stories`: how groups started, what a typical meeting is like, and
/// interviews, by continent and country.
pub async fn stories(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<StoriesQuery>,
) -> Result<Response, PageError> {
    let continent = q
        .continent
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(convene_places::Continent::from_code)
        .map(|c| c.code().to_owned());
    let country = match q
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            convene_places::country(c)
                .or_else(|| convene_places::country_by_name(c))
                .map(|c| c.code.clone())
                .ok_or_else(|| {
                    convene_domain::InvalidInput::new(
                        "country",
                        "We do not know this country; use its name or its two-letter code.",
                    )
                })?,
        ),
    };
    let places = StoryPlaces {
        continents: convene_places::Continent::all()
            .iter()
            .map(|c| (c.code(), c.name()))
            .collect(),
        continent: continent.clone().unwrap_or_default(),
        country: country.clone().unwrap_or_default(),
    };
    let scope = Scope {
        group_slug: None,
        heading: "Stories from groups around the world".to_owned(),
        path: "/stories".to_owned(),
        listing: ListingOwned {
            stories: true,
            continent,
            country,
            ..ListingOwned::default()
        },
        calendar: Calendar::Site,
    };
    let page = PageQuery {
        page: q.page,
        done: None,
    };
    list_with(&state, &visitor, scope, &page, Some(places)).await
}

/// `GET /groups/{slug}/blog`.
pub async fn group(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "group", &slug).await?;
    list(&state, &visitor, scope, &q).await
}
