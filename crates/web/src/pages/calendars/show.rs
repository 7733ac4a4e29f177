//! Showing a calendar: the site-wide one and a regional or group calendar.

use super::feed::feed;
use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::FormErrors;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use convene_app::calendars::{self, Calendar};

/// `GET /calendar`: every event on the site.
pub async fn site_calendar(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    calendar_page(
        &state,
        &visitor,
        &headers,
        Calendar::Site,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}

/// `GET /calendars/{slug}` (or `/calendars/{slug}.ics`, the feed).
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    if let Some(name) = slug.strip_suffix(".ics") {
        let path = format!("/calendars/{slug}");
        return feed(&state, &headers, &path, async {
            Ok(calendars::calendar(&state.svc, name).await?)
        })
        .await;
    }
    let cal = calendars::calendar(&state.svc, &slug).await?;
    calendar_page(
        &state,
        &visitor,
        &headers,
        cal,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}
