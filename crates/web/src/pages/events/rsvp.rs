//! Answering an event.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use axum::extract::{Path, State};
use axum::response::Response;
use convene_app::calendars::{self};
use convene_domain::events::{Answer, RsvpState};
use serde::Deserialize;

/// The answer form.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// The occurrence key.
    #[serde(default)]
    at: String,
    /// yes, no or maybe.
    #[serde(default)]
    answer: String,
}

/// `POST /events/{id}/rsvp`.
pub async fn rsvp(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let answer = Answer::parse(&form.answer)
        .ok_or_else(|| convene_domain::InvalidInput::new("answer", "Answer yes, no or maybe."))?;
    let done = match calendars::answer(&state.svc, &me.actor, id, &form.at, answer)
        .await?
        .state
    {
        RsvpState::Going => "rsvp-going",
        RsvpState::Waitlisted => "rsvp-waitlisted",
        _ => "rsvp-saved",
    };
    Ok(see_other(&format!(
        "/events/{id}?at={}&done={done}",
        form.at
    )))
}
