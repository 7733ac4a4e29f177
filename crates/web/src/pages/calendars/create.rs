//! A coordinator makes a regional calendar.

use super::index::IndexPage;
use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use axum::extract::State;
use axum::response::Response;
use convene_app::calendars::{self, CalendarInput};

/// `POST /calendars`: a coordinator makes a regional calendar.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(input): CsrfForm<CalendarInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::create_calendar(&state.svc, &me.actor, &input).await {
        Ok(slug) => Ok(see_other(&format!(
            "/calendars/{slug}?done=calendar-created"
        ))),
        Err(e) => match FormErrors::from_app(&e, &CALENDAR_FIELDS) {
            Some((status, errors)) => {
                let regions = calendars::regional_calendars(&state.svc).await?;
                let ctx = PageCtx::new(&state, &visitor, "Calendars");
                Ok(render(
                    status,
                    &IndexPage {
                        ctx,
                        regions,
                        input,
                        errors,
                    },
                ))
            }
            None => Err(e.into()),
        },
    }
}
