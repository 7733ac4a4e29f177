//! A calendar's iCalendar feed.

use crate::AppState;
use crate::error::PageError;
use crate::pages::http_cache::*;
use crate::spill::Built;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use convene_app::AppError;
use convene_app::calendars::{self, Calendar};
use std::sync::Arc;

/// `GET /calendar.ics`.
pub async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    // Its window moves with the days, so the day is part of its key.
    let key = format!("/calendar.ics@{}", state.svc.clock.now().format("%Y-%m-%d"));
    feed(&state, &headers, &key, async { Ok(Calendar::Site) }).await
}

/// `GET /groups/{slug}/events.ics`.
pub async fn group_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let path = format!("/groups/{slug}/events.ics");
    feed(&state, &headers, &path, async {
        match calendars::calendar(&state.svc, &slug).await {
            Ok(cal @ Calendar::Group(_)) => Ok(cal),
            Ok(_) | Err(AppError::NotFound(_)) => Err(PageError(AppError::NotFound(
                "There is no group at this address.",
            ))),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// A cached, validated iCalendar answer for the feed at `path`, with
/// `ETag`, `Last-Modified` and 304s. The validator comes from the change
/// counters in memory, so a client that has the current version is
/// answered before the calendar is even looked up (`resolve` runs only to
/// build the body).
pub(super) async fn feed(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    resolve: impl Future<Output = Result<Calendar, PageError>>,
) -> Result<Response, PageError> {
    // Which groups a feed gathers depends on the roster too.
    let version = format!(
        "{}-{}",
        calendars::feed_version(&state.svc).await?,
        convene_app::groups::roster_version(&state.svc).await?
    );
    let key = format!("ics:{path}");
    let etag = format!("\"{:x}-{:x}\"", fxhash(&version), fxhash(&key));
    if etag_matches(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let svc = state.svc.clone();
    let spill_dir = &state.config.spill_dir;
    let built: Arc<(Built, DateTime<Utc>)> = state
        .calendar_cache
        .get_or_build_weighed(&key, &version, || async move {
            let cal = resolve.await?;
            let body = Built::from_parts(spill_dir, |mut out| async move {
                calendars::write_calendar_feed(&svc, &cal, &mut out).await?;
                Ok::<_, PageError>(())
            })
            .await?;
            Ok::<_, PageError>((body, state.svc.clock.now()))
        })
        .await?;
    Ok(conditional_built(
        headers,
        &etag,
        built.1,
        "text/calendar; charset=utf-8",
        &built.0,
    )
    .await)
}
