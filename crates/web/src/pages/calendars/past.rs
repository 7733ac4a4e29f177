//! A calendar's past events: newest first, paged, searchable.

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::calendar_views::{OccView, occ_view, viewer_zone};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use convene_app::calendars::{self, Calendar};
use serde::Deserialize;

/// Past events shown on one page.
const PER_PAGE: usize = 20;

/// Query of the past-events page.
#[derive(Debug, Default, Deserialize)]
pub struct PastQuery {
    /// Words to look for in titles, places and group names.
    #[serde(default)]
    pub q: String,
    /// Page number, from 1.
    pub page: Option<usize>,
    /// A zone to show times in.
    pub tz: Option<String>,
}

#[derive(Template)]
#[template(path = "calendars/past.html")]
struct PastPage {
    ctx: PageCtx,
    name: String,
    path: String,
    past_path: String,
    q: String,
    events: Vec<OccView>,
    page: usize,
    prev_link: String,
    next_link: String,
}

/// `GET /calendar/past`: every past event on the site.
pub async fn site_past(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(q): Query<PastQuery>,
) -> Result<Response, PageError> {
    past_page(&state, &visitor, &headers, Calendar::Site, &q).await
}

/// `GET /calendars/{slug}/past`.
pub async fn past(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<PastQuery>,
) -> Result<Response, PageError> {
    let cal = calendars::calendar(&state.svc, &slug).await?;
    past_page(&state, &visitor, &headers, cal, &q).await
}

async fn past_page(
    state: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    cal: Calendar,
    q: &PastQuery,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let viewer = viewer_zone(q.tz.as_deref(), headers, visitor);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let query: String = q.q.trim().chars().take(200).collect();
    let (occs, more) = calendars::past_occurrences(
        svc,
        &cal,
        svc.clock.now(),
        &query,
        (page - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let past_path = cal.past_path();
    let link = |n: usize| {
        let mut l = format!("{past_path}?page={n}");
        if !query.is_empty() {
            l.push_str("&q=");
            l.push_str(&url_encode(&query));
        }
        l
    };
    let name = cal.name(&svc.site.name).to_owned();
    let ctx = PageCtx::new(state, visitor, format!("Past events — {name}"));
    Ok(render(
        StatusCode::OK,
        &PastPage {
            ctx,
            path: cal.path(),
            events: occs.iter().map(|o| occ_view(o, viewer, "")).collect(),
            prev_link: if page > 1 {
                link(page - 1)
            } else {
                String::new()
            },
            next_link: if more { link(page + 1) } else { String::new() },
            past_path,
            name,
            q: query,
            page,
        },
    ))
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
