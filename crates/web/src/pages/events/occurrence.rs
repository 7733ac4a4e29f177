//! Changing one occurrence of a series.

use super::At;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::calendars::{self, Event, OccurrenceEdit};

#[derive(Template)]
#[template(path = "events/occurrence.html")]
struct OccurrencePage {
    ctx: PageCtx,
    id: i64,
    key: String,
    when: String,
    edit: OccurrenceEdit,
    errors: FormErrors,
}

async fn occurrence_page(
    state: &AppState,
    visitor: &Visitor,
    ev: &Event,
    key: &str,
    edit: OccurrenceEdit,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let now = state.svc.clock.now();
    let (occ, _) = calendars::event_occurrence(&state.svc, ev, Some(key), now).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &OccurrencePage {
            ctx: PageCtx::new(
                state,
                visitor,
                format!("Change one occurrence: {}", ev.row.title),
            ),
            id: ev.row.id,
            key: key.to_owned(),
            when: calendars::when_text(&occ),
            edit,
            errors,
        },
    ))
}

/// `GET /events/{id}/occurrence?at=KEY`.
pub async fn occurrence_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.unwrap_or_else(|| ev.first_key());
    occurrence_page(
        &state,
        &visitor,
        &ev,
        &key,
        OccurrenceEdit::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /events/{id}/occurrence?at=KEY`.
pub async fn occurrence(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
    CsrfForm(edit): CsrfForm<OccurrenceEdit>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.unwrap_or_else(|| ev.first_key());
    match calendars::edit_occurrence(&state.svc, &me.actor, id, &key, &edit).await {
        Ok(()) => Ok(see_other(&format!(
            "/events/{id}?at={key}&done=event-saved"
        ))),
        Err(e) => match FormErrors::from_app(&e, &["title", "start", "end", "venue_name", "at"]) {
            Some((_, errors)) => occurrence_page(&state, &visitor, &ev, &key, edit, errors).await,
            None => Err(e.into()),
        },
    }
}
