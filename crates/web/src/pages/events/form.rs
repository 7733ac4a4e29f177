//! The event form, shared by new events, edits and "this and following".

use crate::AppState;
use crate::extract::Visitor;
use crate::pages::calendar_views::zone_choices;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::calendars::EventInput;
use convene_domain::events::Repeat;

#[derive(Template)]
#[template(path = "events/form.html")]
struct EventFormPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    input: EventInput,
    errors: FormErrors,
    zones: Vec<&'static str>,
    back: String,
    /// The picker's patterns: value and what it will do for the start date.
    repeat_choices: Vec<(&'static str, String)>,
}

/// The event form's fields, for error placement.
pub const EVENT_FIELDS: [&str; 24] = [
    "title",
    "description",
    "all_day",
    "start",
    "end",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "repeat_until",
    "repeat_count",
    "tz",
    "repeat",
    "rrule",
    "rdates",
    "exdates",
    "venue_name",
    "venue_address",
    "coordinates",
    "online_url",
    "capacity",
    "rsvp_opens",
    "rsvp_closes",
    "status",
];

/// Renders the event form.
pub fn event_form(
    state: &AppState,
    visitor: &Visitor,
    heading: String,
    action: String,
    input: EventInput,
    errors: FormErrors,
    back: String,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The labels follow the start date given (or the one the form had).
    let day = chrono::NaiveDate::parse_from_str(input.start_date.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| convene_domain::events::parse_local(&input.start).map(|t| t.date()))
        .unwrap_or_else(|| state.svc.clock.now().date_naive());
    let repeat_choices = Repeat::ALL
        .into_iter()
        .map(|r| (r.as_str(), r.describe(day)))
        .collect();
    render(
        status,
        &EventFormPage {
            repeat_choices,
            ctx: PageCtx::new(state, visitor, heading.clone()),
            heading,
            action,
            input,
            errors,
            zones: zone_choices(),
            back,
        },
    )
}
