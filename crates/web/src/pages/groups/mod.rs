//! The roster's pages: browse, search, near me, the map, one group, editing
//! and the exports.

mod browse;
mod contact;
mod edit;
mod export;
mod history;
mod map;
pub mod near;
mod show;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

/// Roster routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(browse::browse))
        .route("/groups/map", get(map::map))
        .route("/near/forget", post(near::forget))
        .route("/groups/new", get(edit::new_form).post(edit::create))
        .route("/groups.csv", get(export::csv))
        .route("/groups.geojson", get(export::geojson))
        .route("/groups.opml", get(export::opml))
        .route(
            "/groups/confirm/{token}",
            get(edit::confirm_link_form).post(edit::confirm_link),
        )
        .route("/groups/{slug}", get(show::show))
        .route(
            "/groups/{slug}/edit",
            get(edit::edit_form).post(edit::update),
        )
        .route("/groups/{slug}/confirm", post(edit::confirm))
        .route(
            "/groups/{slug}/contact",
            get(contact::contact_form).post(contact::contact),
        )
        .route("/groups/{slug}/review", post(edit::review))
        .route("/groups/{slug}/history", get(history::history))
        .route("/groups/{slug}/revert/{revision}", post(history::revert))
}

/// A country's name from its code ("" → "Place unknown").
pub fn country_name(code: &str) -> String {
    convene_places::country(code).map_or_else(
        || {
            if code.is_empty() {
                "Place unknown".to_owned()
            } else {
                code.to_owned()
            }
        },
        |c| c.name.clone(),
    )
}

/// A continent's name from its code.
pub fn continent_name(code: &str) -> &'static str {
    convene_places::Continent::from_code(code).map_or("Place unknown", |c| c.name())
}

/// "confirmed 3 months ago" and the like, for a past instant.
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (now - then).num_days();
    match days {
        ..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        2..=44 => format!("{days} days ago"),
        45..=547 => format!("{} months ago", (days + 15) / 30),
        _ => format!("{} years ago", (days + 182) / 365),
    }
}
