//! The embeddable calendar: an iframe page, a small script that renders into
//! a `<div>` on any site, and the JSON it reads. Embed routes set no
//! cookies, answer CORS requests from anywhere and may be framed (see
//! [`crate::middleware::security_headers`]).

use super::calendar_views::{DayCell, OccView, month_grid, occ_view};
use crate::AppState;
use crate::error::PageError;
use crate::pages::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use convene_app::calendars::{self, Calendar, Occ};
use serde::Deserialize;
use std::sync::Arc;

/// The widget script, served as is.
const WIDGET_JS: &str = include_str!("../../static/embed/widget.js");

/// The stylesheet of the iframe page.
const EMBED_CSS: &str = include_str!("../../static/embed/embed.css");

/// `GET /embed/widget.js`.
pub async fn widget() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        WIDGET_JS,
    )
        .into_response()
}

/// `GET /embed/embed.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        EMBED_CSS,
    )
        .into_response()
}

/// Options of the iframe and the JSON.
#[derive(Debug, Default, Deserialize)]
pub struct EmbedQuery {
    /// How many upcoming events (1–50, default 5).
    pub limit: Option<usize>,
    /// Only this group's events.
    pub group: Option<String>,
    /// `list` (default) or `month`.
    pub view: Option<String>,
    /// `light` (default) or `dark`.
    pub theme: Option<String>,
    /// `YYYY-MM` for the iframe's month view.
    pub month: Option<String>,
    /// Window start (`YYYY-MM-DD`), for the script's month view.
    pub from: Option<String>,
    /// Window end (`YYYY-MM-DD`, exclusive).
    pub to: Option<String>,
}

#[derive(Template)]
#[template(path = "embed/calendar.html")]
struct EmbedPage {
    name: String,
    page_url: String,
    webcal: String,
    dark: bool,
    month_view: bool,
    upcoming: Vec<OccView>,
    weeks: Vec<Vec<DayCell>>,
    month_label: String,
    prev: String,
    next: String,
    query_rest: String,
}

fn limit(q: &EmbedQuery) -> usize {
    q.limit.unwrap_or(5).clamp(1, 50)
}

fn only_group(occs: Vec<Occ>, group: Option<&str>) -> Vec<Occ> {
    match group.filter(|g| !g.is_empty()) {
        None => occs,
        Some(g) => occs
            .into_iter()
            .filter(|o| o.group.as_ref().is_some_and(|(slug, _)| slug == g))
            .collect(),
    }
}

/// `GET /embed/calendars/{slug}` (an iframe page) or `/embed/calendars/{slug}.json`.
pub async fn calendar(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<EmbedQuery>,
) -> Result<Response, PageError> {
    if let Some(slug) = slug.strip_suffix(".json") {
        let cal = calendars::calendar(&state.svc, slug).await?;
        return json(&state, cal, &q).await;
    }
    let cal = calendars::calendar(&state.svc, &slug).await?;
    embed_page(&state, cal, &q).await
}

/// `GET /embed/calendar` or `/embed/calendar.json`: every event on the site.
pub async fn site_calendar(
    State(state): State<AppState>,
    Query(q): Query<EmbedQuery>,
) -> Result<Response, PageError> {
    embed_page(&state, Calendar::Site, &q).await
}

/// `GET /embed/calendar.json`.
pub async fn site_json(
    State(state): State<AppState>,
    Query(q): Query<EmbedQuery>,
) -> Result<Response, PageError> {
    json(&state, Calendar::Site, &q).await
}

async fn embed_page(
    state: &AppState,
    cal: Calendar,
    q: &EmbedQuery,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let now = svc.clock.now();
    let base = svc.site.link("");
    let month_view = q.view.as_deref() == Some("month");
    let today = now.date_naive();
    let first = q
        .month
        .as_deref()
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let (upcoming, weeks) = if month_view {
        let from = (first - Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let to = (next + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let occs = super::calendar_views::cached_between(state, &cal, from, to, Tz::UTC).await?;
        let views: Vec<OccView> = only_group(occs.as_ref().clone(), q.group.as_deref())
            .iter()
            .map(|o| occ_view(o, None, &base))
            .collect();
        (Vec::new(), month_grid(first, next, today, &views))
    } else {
        let occs = super::calendar_views::cached_series_once(state, &cal, 200, Tz::UTC).await?;
        let mut occs = only_group(occs.as_ref().clone(), q.group.as_deref());
        occs.truncate(limit(q));
        (
            occs.iter().map(|o| occ_view(o, None, &base)).collect(),
            Vec::new(),
        )
    };
    let page_url = svc.site.link(&cal.path());
    let feed = svc.site.link(&cal.feed_path());
    let mut rest = String::new();
    if let Some(g) = q.group.as_deref().filter(|g| !g.is_empty()) {
        rest.push_str(&format!("&group={}", url_encode(g)));
    }
    if q.theme.as_deref() == Some("dark") {
        rest.push_str("&theme=dark");
    }
    Ok(render(
        StatusCode::OK,
        &EmbedPage {
            name: cal.name(&svc.site.name).to_owned(),
            page_url,
            webcal: feed
                .replacen("https://", "webcal://", 1)
                .replacen("http://", "webcal://", 1),
            dark: q.theme.as_deref() == Some("dark"),
            month_view,
            upcoming,
            weeks,
            month_label: first.format("%B %Y").to_string(),
            prev: (first - Duration::days(1)).format("%Y-%m").to_string(),
            next: next.format("%Y-%m").to_string(),
            query_rest: rest,
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

#[derive(serde::Serialize)]
struct CalendarJson {
    slug: String,
    name: String,
    url: String,
    ics: String,
    webcal: String,
}

#[derive(serde::Serialize)]
struct EmbedJson {
    calendar: CalendarJson,
    occurrences: Vec<OccView>,
}

async fn json(state: &AppState, cal: Calendar, q: &EmbedQuery) -> Result<Response, PageError> {
    let svc = &state.svc;
    let slug = cal.widget_slug().to_owned();
    let version = calendars::feed_version(svc).await?;
    let now = svc.clock.now();
    let window = match (q.from.as_deref(), q.to.as_deref()) {
        (Some(f), Some(t)) => {
            let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            match (parse(f), parse(t)) {
                (Some(f), Some(t)) if t > f && t - f <= Duration::days(62) => Some((f, t)),
                _ => {
                    return Ok(cors(
                        (
                            StatusCode::BAD_REQUEST,
                            axum::Json(serde_json::json!({"error": "from and to must be dates (YYYY-MM-DD), to after from, at most 62 days apart"})),
                        )
                            .into_response(),
                    ));
                }
            }
        }
        _ => None,
    };
    // Upcoming lists depend on the time, so they are rebuilt at most once a minute.
    let key = format!(
        "embed:{slug}:{:?}:{:?}:{}:{}",
        window,
        q.group,
        limit(q),
        if window.is_some() {
            String::new()
        } else {
            now.format("%Y%m%d%H%M").to_string()
        }
    );
    let base = svc.site.link("");
    let svc2 = svc.clone();
    let group = q.group.clone();
    let n = limit(q);
    let body: Arc<String> = state
        .calendar_cache
        .get_or_build_weighed(&key, &version.to_string(), || async move {
            let occs = match window {
                Some((f, t)) => {
                    let from = (f - Duration::days(1))
                        .and_hms_opt(0, 0, 0)
                        .unwrap_or_default()
                        .and_utc();
                    let to = (t + Duration::days(1))
                        .and_hms_opt(0, 0, 0)
                        .unwrap_or_default()
                        .and_utc();
                    let (occs, _) =
                        calendars::occurrences_between(&svc2, &cal, from, to, Tz::UTC).await?;
                    let fs = f.format("%Y-%m-%d").to_string();
                    let ts = t.format("%Y-%m-%d").to_string();
                    only_group(occs, group.as_deref())
                        .iter()
                        .map(|o| occ_view(o, None, &base))
                        .filter(|v| v.date >= fs && v.date < ts)
                        .collect()
                }
                None => {
                    let occs =
                        calendars::upcoming_series_once(&svc2, &cal, now, 200, Tz::UTC).await?;
                    let mut occs = only_group(occs, group.as_deref());
                    occs.truncate(n);
                    occs.iter().map(|o| occ_view(o, None, &base)).collect()
                }
            };
            let feed = svc2.site.link(&cal.feed_path());
            let doc = EmbedJson {
                calendar: CalendarJson {
                    slug: cal.slug().to_owned(),
                    name: cal.name(&svc2.site.name).to_owned(),
                    url: svc2.site.link(&cal.path()),
                    webcal: feed.replacen("https://", "webcal://", 1).replacen(
                        "http://",
                        "webcal://",
                        1,
                    ),
                    ics: feed,
                },
                occurrences: occs,
            };
            serde_json::to_string(&doc)
                .map_err(|e| PageError(convene_app::AppError::Internal(e.to_string())))
        })
        .await?;
    Ok(cors(
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=60"),
            ],
            body.as_ref().clone(),
        )
            .into_response(),
    ))
}

fn cors(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    r
}
