//! Outside feeds a calendar follows.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use convene_app::calendars::{self};
use serde::Deserialize;

/// The outside-feed form.
#[derive(Debug, Deserialize)]
pub struct SourceForm {
    /// Feed address.
    #[serde(default)]
    url: String,
}

/// `POST /calendars/{slug}/sources`: subscribe to an outside feed.
pub async fn add_source(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<SourceForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::add_source(&state.svc, &state.fetcher, &me.actor, &cal, &form.url).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{slug}?done=source-added"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["url"]).await,
    }
}

/// `POST /calendars/{slug}/sources/{id}/delete`.
pub async fn remove_source(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::extract::NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    calendars::remove_source(&state.svc, &me.actor, &cal, id).await?;
    Ok(see_other(&format!("/calendars/{slug}?done=source-removed")))
}

/// The follow form.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    /// A handle (`@name@server`) or an account's address.
    #[serde(default)]
    account: String,
}

/// `POST /calendars/{slug}/follows`: follow a fediverse account (a
/// Mobilizon group or instance, a Gancio instance) whose events then
/// show here.
pub async fn follow(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match convene_app::federation::following::follow(
        &state.svc,
        &state.fetcher,
        &me.actor,
        &cal,
        &form.account,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/calendars/{slug}?done=followed"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["account"]).await,
    }
}
