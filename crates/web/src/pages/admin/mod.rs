//! Pages for running the site: the coordinator's overview, the job queue,
//! the outbox, and invitations (also open to organizers for their groups).

mod federation;
mod groups;
mod index;
mod invitations;
mod jobs;
mod outbox;
mod settings;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Admin and invitation routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index::index))
        .route("/admin/signup", post(index::set_signup))
        .route("/admin/groups", get(groups::groups_admin))
        .route(
            "/admin/groups/import",
            post(groups::import).layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route(
            "/admin/settings",
            get(settings::settings_form)
                .post(settings::save_settings)
                .layer(DefaultBodyLimit::max(settings::SETTINGS_FORM_BYTES)),
        )
        .route("/admin/groups/held/{id}/accept", post(groups::accept_held))
        .route(
            "/admin/groups/held/{id}/dismiss",
            post(groups::dismiss_held),
        )
        .route("/admin/federation", get(federation::federation))
        .route("/admin/federation/block", post(federation::block))
        .route("/admin/federation/unblock", post(federation::unblock))
        .route("/admin/jobs", get(jobs::jobs))
        .route("/admin/jobs/{id}/retry", post(jobs::retry))
        .route("/admin/outbox", get(outbox::outbox))
        .route("/admin/outbox/{file}", get(outbox::message))
        .route(
            "/invite",
            get(invitations::manage).post(invitations::invite),
        )
        .route("/invite/{id}/resend", post(invitations::resend))
        .route("/invite/{id}/revoke", post(invitations::revoke))
}
