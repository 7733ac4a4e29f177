//! Who answered an occurrence, as a page or a CSV file.

use super::At;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::headers::download_as;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_app::calendars::{self};
use convene_store::events::Attendee;

#[derive(Template)]
#[template(path = "events/attendees.html")]
struct AttendeesPage {
    ctx: PageCtx,
    id: i64,
    key: String,
    when: String,
    list: Vec<Attendee>,
}

/// `GET /events/{id}/attendees?at=KEY[&format=csv]`.
pub async fn attendees(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.clone().unwrap_or_else(|| ev.first_key());
    let list = calendars::attendees(&state.svc, &me.actor, id, &key).await?;
    // The key reaches a header and the page: only a real occurrence's key,
    // which is digits and a `T`, gets that far.
    if !ev.has_occurrence(&key) {
        return Err(AppError::from(convene_domain::InvalidInput::new(
            "at",
            "This event has no occurrence at that time. Open the attendee list from the event's page.",
        ))
        .into());
    }
    if q.format.as_deref() == Some("csv") {
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    download_as(&format!("attendees-{id}-{key}.csv")),
                ),
            ],
            calendars::attendees_csv(&list),
        )
            .into_response());
    }
    let (occ, _) =
        calendars::event_occurrence(&state.svc, &ev, Some(&key), state.svc.clock.now()).await?;
    Ok(render(
        StatusCode::OK,
        &AttendeesPage {
            ctx: PageCtx::new(&state, &visitor, format!("Attendees: {}", ev.row.title)),
            id,
            key,
            when: calendars::when_text(&occ),
            list,
        },
    ))
}
