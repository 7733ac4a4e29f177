//! A calendar's iCalendar feed.

use crate::AppState;
use crate::error::PageError;
use crate::pages::error_page;
use crate::pages::http_cache::*;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use convene_app::calendars::{self, Calendar};
use std::sync::Arc;

/// `GET /calendar.ics`.
pub async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    feed(&state, &headers, Calendar::Site).await
}

/// `GET /groups/{slug}/events.ics`.
pub async fn group_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let cal = calendars::calendar(&state.svc, &slug).await?;
    if !matches!(cal, Calendar::Group(_)) {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "There is no group at this address.",
        ));
    }
    feed(&state, &headers, cal).await
}

/// A cached, validated iCalendar answer with `ETag`, `Last-Modified` and 304s.
pub(super) async fn feed(
    state: &AppState,
    headers: &HeaderMap,
    cal: Calendar,
) -> Result<Response, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let key = format!("ics:{}", cal.feed_path());
    let etag = format!("\"{version}-{:x}\"", fxhash(&key));
    // A client that has this version is answered without touching the body.
    if etag_matches(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let svc = state.svc.clone();
    let built: Arc<(Bytes, DateTime<Utc>)> = state
        .calendar_cache
        .get_or_build(&key, &version.to_string(), || async move {
            let body = calendars::calendar_feed(&svc, &cal).await?;
            Ok::<_, PageError>((Bytes::from(body), svc.clock.now()))
        })
        .await?;
    Ok(conditional(
        headers,
        &etag,
        built.1,
        "text/calendar; charset=utf-8",
        built.0.clone(),
    ))
}
