//! `GET /events/repeat-choices?start=YYYY-MM-DD`: the repeat picker's
//! labels for a start date, so the form's script can relabel the choices
//! as the organizer changes the date. Without the script the labels follow
//! the date when the form is shown again; this only adds comfort.

use axum::Json;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use convene_domain::events::Repeat;
use serde::{Deserialize, Serialize};

/// The date asked about.
#[derive(Debug, Default, Deserialize)]
pub struct ChoicesQuery {
    #[serde(default)]
    start: String,
}

/// One choice of the picker.
#[derive(Debug, Serialize)]
struct Choice {
    value: &'static str,
    label: String,
}

/// The picker's choices for a series starting on `start`, in the form's
/// order; 400 with a reason when `start` is not a `YYYY-MM-DD` date.
pub async fn repeat_choices(Query(q): Query<ChoicesQuery>) -> Response {
    let Ok(day) = NaiveDate::parse_from_str(q.start.trim(), "%Y-%m-%d") else {
        return (
            StatusCode::BAD_REQUEST,
            "start must be a date written as year-month-day, e.g. 2026-12-19",
        )
            .into_response();
    };
    let choices: Vec<Choice> = Repeat::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: r.describe(day),
        })
        .collect();
    (
        [(header::CACHE_CONTROL, "public, max-age=86400")],
        Json(choices),
    )
        .into_response()
}

/// `GET /static/event-form.js`: relabels the repeat picker when the start
/// date changes, from [`repeat_choices`].
pub async fn event_form_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/event-form.js"),
    )
}
