//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document at
//! `/api/v1/openapi.json`. Clients authenticate with a bearer token made by
//! `convene admin token EMAIL`; every permission is checked by the same
//! authorization module as the pages.

mod auth;
mod events;
mod extract;
mod groups;
mod invitations;
mod jobs;
mod lists;
mod me;
mod my_lists;
mod openapi;
mod posts;

pub use auth::{ApiJson, ApiUser};
pub use extract::{ApiPath, ApiQuery};

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post};

/// The largest post a client may send: a 200,000-byte body, with room for
/// JSON escaping and the other fields.
const POST_JSON_BYTES: usize = 1024 * 1024;

/// API routes (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(me::me))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/{slug}", get(groups::get_one).put(groups::update))
        .route("/events", get(events::list).post(events::create))
        .route("/events/{id}", get(events::get_one).put(events::update))
        .route("/events/{id}/occurrences", get(events::occurrences))
        .route("/events/{id}/cancel", post(events::cancel))
        .route(
            "/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route("/invitations/{id}", delete(invitations::revoke))
        .route("/invitations/{id}/resend", post(invitations::resend))
        .route(
            "/posts",
            get(posts::list)
                .post(posts::create)
                .layer(DefaultBodyLimit::max(POST_JSON_BYTES)),
        )
        .route(
            "/posts/{slug}",
            get(posts::get_one)
                .put(posts::update)
                .layer(DefaultBodyLimit::max(POST_JSON_BYTES)),
        )
        .route("/posts/{slug}/publish", post(posts::publish))
        .route(
            "/posts/{slug}/comments",
            get(posts::comments).post(posts::comment),
        )
        .route("/lists", get(lists::list))
        .route("/lists/{name}", get(lists::get_one))
        .route("/lists/{name}/threads", get(lists::threads))
        .route("/lists/{name}/messages/{id}", get(lists::message))
        .route("/me/lists", get(lists::mine).post(my_lists::join))
        .route(
            "/me/lists/{name}",
            patch(my_lists::change).delete(my_lists::leave),
        )
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}/retry", post(jobs::retry))
        .fallback(not_found)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError(convene_app::AppError::NotFound(
        "There is no such API endpoint; see /api/v1/openapi.json.",
    ))
}
