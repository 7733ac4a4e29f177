//! An editor changes a regional calendar and the groups it gathers.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use convene_app::calendars::{self, CalendarInput};
use serde::Deserialize;

/// `POST /calendars/{slug}/settings`: an editor changes a regional calendar.
pub async fn settings(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<CalendarInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::update_calendar(&state.svc, &me.actor, &slug, &input).await {
        Ok(()) => Ok(see_other(&format!("/calendars/{slug}?done=calendar-saved"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &CALENDAR_FIELDS).await,
    }
}

/// The include/exclude form.
#[derive(Debug, Deserialize)]
pub struct GroupChoice {
    /// Group slug.
    #[serde(default)]
    group: String,
    /// include, exclude or area.
    #[serde(default)]
    mode: String,
}

/// `POST /calendars/{slug}/groups`.
pub async fn set_group(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(choice): CsrfForm<GroupChoice>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let included = match choice.mode.as_str() {
        "include" => Some(true),
        "exclude" => Some(false),
        _ => None,
    };
    match calendars::set_calendar_group(&state.svc, &me.actor, &slug, &choice.group, included).await
    {
        Ok(()) => Ok(see_other(&format!("/calendars/{slug}?done=calendar-saved"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["group"]).await,
    }
}
