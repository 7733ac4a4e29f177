//! Calling off or deleting an event.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use axum::extract::{Path, State};
use axum::response::Response;
use convene_app::calendars::{self};

/// `POST /events/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    calendars::cancel_event(&state.svc, &me.actor, id).await?;
    Ok(see_other(&format!("/events/{id}?done=event-cancelled")))
}

/// `POST /events/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (_, cal) = calendars::event(&state.svc, id).await?;
    calendars::delete_event(&state.svc, &me.actor, id).await?;
    Ok(see_other(&format!("{}?done=event-deleted", cal.path())))
}
