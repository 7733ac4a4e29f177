//! A new event on a calendar.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::FormErrors;
use crate::pages::events::form::{EVENT_FIELDS, event_form};
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Duration;
use convene_app::calendars::{self, Calendar, EventInput};

/// `GET /calendars/{slug}/events/new`.
pub async fn new_event_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(convene_app::AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let tomorrow = state.svc.clock.now().date_naive() + Duration::days(7);
    let mut input = EventInput {
        tz: default_zone(&cal),
        repeat: "never".into(),
        status: "confirmed".into(),
        ..EventInput::default()
    };
    let day = tomorrow.and_time(chrono::NaiveTime::MIN);
    input.set_times(day + Duration::hours(19), day + Duration::hours(21), false);
    Ok(event_form(
        &state,
        &visitor,
        format!("New event on {}", cal.name(&state.svc.site.name)),
        format!("/calendars/{slug}/events/new"),
        input,
        FormErrors::default(),
        cal.path(),
    ))
}

/// A sensible zone for a calendar's new events: its group's or area's country's main zone.
fn default_zone(cal: &Calendar) -> String {
    let country = match cal {
        Calendar::Group(g) => g.country.clone(),
        Calendar::Region(c) => c.country.clone(),
        Calendar::Site => String::new(),
    };
    let region = match cal {
        Calendar::Group(g) => g.region.to_ascii_lowercase(),
        Calendar::Region(c) => c.region.to_ascii_lowercase(),
        Calendar::Site => String::new(),
    };
    let eastern = [
        "massachusetts",
        "new york",
        "florida",
        "georgia",
        "virginia",
        "pennsylvania",
        "ohio",
        "michigan",
    ];
    match country.as_str() {
        "US" if region == "california" || region == "washington" || region == "oregon" => {
            "America/Los_Angeles"
        }
        "US" if eastern.contains(&region.as_str()) => "America/New_York",
        "US" => "America/Chicago",
        "DE" => "Europe/Berlin",
        "GB" => "Europe/London",
        "FR" => "Europe/Paris",
        "IN" => "Asia/Kolkata",
        "BR" => "America/Sao_Paulo",
        "JP" => "Asia/Tokyo",
        "AU" => "Australia/Sydney",
        _ => "UTC",
    }
    .to_owned()
}

/// `POST /calendars/{slug}/events/new`.
pub async fn create_event(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::create_event(&state.svc, &me.actor, &cal, &input).await {
        Ok(id) => Ok(see_other(&format!("/events/{id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                format!("New event on {}", cal.name(&state.svc.site.name)),
                format!("/calendars/{slug}/events/new"),
                input,
                errors,
                cal.path(),
            )),
            None => Err(e.into()),
        },
    }
}
