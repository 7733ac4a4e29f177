//! Editing a whole series.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::FormErrors;
use crate::pages::events::form::{EVENT_FIELDS, event_form};
use axum::extract::{Path, State};
use axum::response::Response;
use convene_app::AppError;
use convene_app::calendars::{self, EventInput};

/// `GET /events/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, cal) = calendars::event(&state.svc, id).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    Ok(event_form(
        &state,
        &visitor,
        format!("Edit: {}", ev.row.title),
        format!("/events/{id}/edit"),
        EventInput::from_event(&ev),
        FormErrors::default(),
        format!("/events/{id}"),
    ))
}

/// `POST /events/{id}/edit`: changes every occurrence.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::update_event(&state.svc, &me.actor, id, &input).await {
        Ok(()) => Ok(see_other(&format!("/events/{id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                "Edit the event".to_owned(),
                format!("/events/{id}/edit"),
                input,
                errors,
                format!("/events/{id}"),
            )),
            None => Err(e.into()),
        },
    }
}
