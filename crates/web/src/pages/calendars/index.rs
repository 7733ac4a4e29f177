//! The list of regional calendars.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::calendars::{self, CalendarInput};
use convene_store::calendars::CalendarRow;

#[derive(Template)]
#[template(path = "calendars/index.html")]
pub(super) struct IndexPage {
    pub(super) ctx: PageCtx,
    pub(super) regions: Vec<CalendarRow>,
    pub(super) input: CalendarInput,
    pub(super) errors: FormErrors,
}

/// `GET /calendars`: the regional calendars (and, for coordinators, a form for a new one).
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let regions = calendars::regional_calendars(&state.svc).await?;
    let ctx = PageCtx::new(&state, &visitor, "Calendars").with_notice(q.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            ctx,
            regions,
            input: CalendarInput::default(),
            errors: FormErrors::default(),
        },
    ))
}
