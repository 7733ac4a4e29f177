//! A member's chosen time zone.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use axum::extract::State;
use axum::response::Response;
use convene_app::calendars::{self};
use serde::Deserialize;

/// The time-zone form.
#[derive(Debug, Deserialize)]
pub struct ZoneForm {
    /// IANA zone, or empty for each event's own.
    #[serde(default)]
    time_zone: String,
}

/// `POST /account/time-zone`.
pub async fn set_time_zone(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ZoneForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    calendars::set_time_zone(&state.svc, me.user.id, &form.time_zone).await?;
    Ok(see_other("/account?done=time-zone-saved"))
}
