//! The front page: a search box with "near me", the next events (near the
//! visitor when the site knows where they are, else worldwide; each series
//! once), featured and recent posts, groups that met lately,
//! the community's size, and a call to start a group.

use super::calendar_views::{OccView, cached_series_once, occ_view};
use super::groups::near::remembered;
use super::{Done, PageCtx, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use convene_app::blog::{self, Post};
use convene_app::calendars::{self, Calendar, Occ};
use convene_app::front_page::{RosterCounts, Whereabouts, groups_near, is_near, roster_counts};
use convene_store::posts::Listing;
use std::sync::Arc;

/// Events on the front page.
const NEXT_EVENTS: usize = 6;
/// How many upcoming series are looked through for those near the visitor.
const NEAR_POOL: usize = 200;
/// Recent posts, and featured ones.
const RECENT_POSTS: i64 = 5;
const FEATURED_POSTS: i64 = 3;
/// Groups that met lately.
const RECENT_GROUPS: usize = 8;

/// An event card: the date badge's month and day, then the rest.
pub struct EventCard {
    occ: OccView,
    month: String,
    day: String,
}

/// A post as the front page lists it.
pub struct PostLine {
    slug: String,
    title: String,
    summary: String,
    kind: &'static str,
    group: Option<(String, String)>,
    published: String,
    published_iso: String,
}

/// A group that met lately, and when.
#[derive(Clone)]
pub struct MetLately {
    slug: String,
    name: String,
    last: String,
    last_iso: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    events: Vec<EventCard>,
    featured: Vec<PostLine>,
    recent: Vec<PostLine>,
    met: Vec<MetLately>,
    counts: RosterCounts,
    meetings_this_month: usize,
    month_name: String,
    /// Where the visitor is, as the page names it, and whether it came
    /// from a remembered search (which can be forgotten).
    here: Option<(String, bool)>,
    /// Meetings near the visitor (shown before `events`, which are then
    /// the rest of the world's).
    near: Vec<EventCard>,
}

fn post_line(p: &Post) -> PostLine {
    let at = p.row.published_at.unwrap_or(p.row.updated_at);
    PostLine {
        slug: p.row.slug.clone(),
        title: p.row.title.clone(),
        summary: crate::markdown::summary(&p.row.summary, &p.row.body),
        kind: p.kind.label(),
        group: p.group.clone(),
        published: at.format("%-d %B %Y").to_string(),
        published_iso: at.to_rfc3339(),
    }
}

fn event_card(o: &Occ) -> EventCard {
    let local = o.start.local();
    EventCard {
        occ: occ_view(o, None, ""),
        month: local.format("%b").to_string(),
        day: local.format("%-d").to_string(),
    }
}

/// The groups whose meetings happened in `occs` (oldest first), latest first.
fn met_lately(occs: &[Occ]) -> Vec<MetLately> {
    let mut out: Vec<MetLately> = Vec::new();
    for o in occs.iter().rev().filter(|o| !o.cancelled()) {
        let Some((slug, name)) = &o.group else {
            continue;
        };
        if out.iter().any(|m| &m.slug == slug) {
            continue;
        }
        let local = o.start.local();
        out.push(MetLately {
            slug: slug.clone(),
            name: name.clone(),
            last: local.format("%-d %B").to_string(),
            last_iso: local.format("%Y-%m-%d").to_string(),
        });
        if out.len() == RECENT_GROUPS {
            break;
        }
    }
    out
}

/// The hour `now` falls in, so cached windows are shared for an hour.
fn this_hour(now: DateTime<Utc>) -> DateTime<Utc> {
    now.with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now)
}

/// `/`: the community's front page.
pub async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let now = state.svc.clock.now();
    let hour = this_hour(now);
    let site = Calendar::Site;

    let remembered = remembered(&headers);
    let from_search = remembered.is_some();
    let here = remembered.or_else(|| {
        visitor
            .signed_in
            .as_ref()
            .and_then(|s| s.user.time_zone.parse::<Tz>().ok())
            .map(Whereabouts::Zone)
    });
    let (near, events) = match &here {
        None => (
            Vec::new(),
            cached_series_once(&state, &site, NEXT_EVENTS, Tz::UTC)
                .await?
                .iter()
                .map(event_card)
                .collect(),
        ),
        Some(here) => {
            let near_groups = match here {
                Whereabouts::Place { lat, lon, .. } => {
                    let version = convene_app::groups::roster_version(&state.svc).await?;
                    let svc = state.svc.clone();
                    let (lat, lon) = (*lat, *lon);
                    state
                        .roster_cache
                        .get_or_build(
                            &format!("near-groups:{lat:.4},{lon:.4}"),
                            &version,
                            || async move { groups_near(&svc, lat, lon).await },
                        )
                        .await?
                }
                Whereabouts::Zone(_) => Arc::new(Vec::new()),
            };
            let pool = cached_series_once(&state, &site, NEAR_POOL, Tz::UTC).await?;
            let (close, far): (Vec<&Occ>, Vec<&Occ>) =
                pool.iter().partition(|o| is_near(o, here, &near_groups));
            let near: Vec<EventCard> = close
                .into_iter()
                .take(NEXT_EVENTS)
                .map(event_card)
                .collect();
            let rest = NEXT_EVENTS.saturating_sub(near.len()).max(3);
            (near, far.into_iter().take(rest).map(event_card).collect())
        }
    };

    // Only what the page shows is kept: which groups met lately and how
    // many meetings the month holds, not the site's every occurrence in
    // those windows (tens of thousands on a large site).
    let calendar_version = calendars::feed_version(&state.svc).await?.to_string();
    let (svc, from) = (state.svc.clone(), hour - Duration::days(30));
    let met = state
        .calendar_cache
        .get_or_build(
            &format!("front:met:{}", hour.timestamp()),
            &calendar_version,
            || async move {
                let (occs, _) =
                    calendars::occurrences_between(&svc, &Calendar::Site, from, hour, Tz::UTC)
                        .await?;
                Ok::<_, PageError>(met_lately(&occs))
            },
        )
        .await?;

    let month_start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(hour);
    let next_month = if now.month() == 12 {
        Utc.with_ymd_and_hms(now.year() + 1, 1, 1, 0, 0, 0)
    } else {
        Utc.with_ymd_and_hms(now.year(), now.month() + 1, 1, 0, 0, 0)
    }
    .single()
    .unwrap_or(hour);
    let svc = state.svc.clone();
    let meetings_this_month = *state
        .calendar_cache
        .get_or_build(
            &format!("front:month:{}", month_start.timestamp()),
            &calendar_version,
            || async move {
                let (occs, _) = calendars::occurrences_between(
                    &svc,
                    &Calendar::Site,
                    month_start,
                    next_month,
                    Tz::UTC,
                )
                .await?;
                Ok::<_, PageError>(occs.iter().filter(|o| !o.cancelled()).count())
            },
        )
        .await?;

    let roster_version = convene_app::groups::roster_version(&state.svc).await?;
    let svc = state.svc.clone();
    let counts = *state
        .roster_cache
        .get_or_build("front:counts", &roster_version, || async move {
            roster_counts(&svc).await
        })
        .await?;

    let posts_version = blog::feed_version(&state.svc).await?;
    let svc = state.svc.clone();
    let posts = state
        .calendar_cache
        .get_or_build("front:posts", &posts_version, || async move {
            let featured = blog::featured(&svc, FEATURED_POSTS).await?;
            let recent =
                blog::published(&svc, Listing::default(), RECENT_POSTS + FEATURED_POSTS, 0).await?;
            let featured_ids: Vec<i64> = featured.iter().map(|p| p.row.id).collect();
            let recent: Vec<PostLine> = recent
                .iter()
                .filter(|p| !featured_ids.contains(&p.row.id))
                .take(RECENT_POSTS as usize)
                .map(post_line)
                .collect();
            let featured: Vec<PostLine> = featured.iter().map(post_line).collect();
            Ok::<_, PageError>((featured, recent))
        })
        .await?;

    let mut ctx = PageCtx::new(&state, &visitor, "").with_notice(done.done.as_deref());
    ctx.title = ctx.site_name.clone();
    let description = format!(
        "{}{} {} group{} in {} countr{}, {} meeting{} this month: find the group near you and see when it meets.",
        ctx.site_name,
        if ctx.tagline.is_empty() {
            ":".to_owned()
        } else {
            format!(": {}.", ctx.tagline)
        },
        counts.groups,
        if counts.groups == 1 { "" } else { "s" },
        counts.countries,
        if counts.countries == 1 { "y" } else { "ies" },
        meetings_this_month,
        if meetings_this_month == 1 { "" } else { "s" },
    );
    let ctx = ctx.with_description(description);
    Ok(render(
        StatusCode::OK,
        &Home {
            ctx,
            events,
            featured: posts.0.iter().map(clone_line).collect(),
            recent: posts.1.iter().map(clone_line).collect(),
            met: met.as_ref().clone(),
            counts,
            meetings_this_month,
            month_name: now.format("%B").to_string(),
            here: here.map(|h| (h.phrase(), from_search)),
            near,
        },
    ))
}

fn clone_line(p: &PostLine) -> PostLine {
    PostLine {
        slug: p.slug.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        kind: p.kind,
        group: p.group.clone(),
        published: p.published.clone(),
        published_iso: p.published_iso.clone(),
    }
}
