//! Changing this and the following occurrences of a series.

use super::At;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::FormErrors;
use crate::pages::events::form::{EVENT_FIELDS, event_form};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Duration;
use convene_app::AppError;
use convene_app::calendars::{self, EventInput};

/// `GET /events/{id}/following?at=KEY`: the series form, starting at this occurrence.
pub async fn following_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, cal) = calendars::event(&state.svc, id).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let key = q.at.unwrap_or_else(|| ev.first_key());
    let (occ, _) =
        calendars::event_occurrence(&state.svc, &ev, Some(&key), state.svc.clock.now()).await?;
    let mut input = EventInput::from_event(&ev);
    let end = if ev.timing.all_day() {
        occ.end.local() - Duration::days(1)
    } else {
        occ.end.local()
    };
    input.set_times(occ.start.local(), end, ev.timing.all_day());
    Ok(event_form(
        &state,
        &visitor,
        format!("Change this and following: {}", ev.row.title),
        format!("/events/{id}/following?at={key}"),
        input,
        FormErrors::default(),
        format!("/events/{id}?at={key}"),
    ))
}

/// `POST /events/{id}/following?at=KEY`.
pub async fn following(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let key = q.at.unwrap_or_default();
    match calendars::split_series(&state.svc, &me.actor, id, &key, &input).await {
        Ok(new_id) => Ok(see_other(&format!("/events/{new_id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                "Change this and following".to_owned(),
                format!("/events/{id}/following?at={key}"),
                input,
                errors,
                format!("/events/{id}?at={key}"),
            )),
            None => Err(e.into()),
        },
    }
}
