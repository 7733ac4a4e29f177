//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The shape of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `invalid`, `not_signed_in`, `forbidden`, `not_found`,
    /// `conflict`, `link_spent`, `rate_limited`, `internal`, ...
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// The offending field, for `invalid`.
    pub field: Option<String>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `convene admin token EMAIL`."))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "convene API", description = "The JSON API of a convene site.", license(name = "AGPL-3.0-or-later")),
    paths(
        super::me::me,
        super::groups::list,
        super::groups::get_one,
        super::groups::create,
        super::groups::update,
        super::events::list,
        super::events::get_one,
        super::events::occurrences,
        super::events::create,
        super::events::update,
        super::events::cancel,
        super::posts::list,
        super::posts::get_one,
        super::posts::create,
        super::posts::update,
        super::posts::publish,
        super::posts::comments,
        super::posts::comment,
        super::invitations::list,
        super::invitations::create,
        super::invitations::resend,
        super::invitations::revoke,
        super::lists::list,
        super::lists::get_one,
        super::lists::threads,
        super::lists::message,
        super::lists::mine,
        super::lists::set_delivery,
        super::jobs::list,
        super::jobs::retry,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// `GET /api/v1/openapi.json`: built once, served from memory.
pub async fn document() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .unwrap_or_else(|_| "{}".to_owned())
    });
    ([(header::CONTENT_TYPE, "application/json")], body.as_str())
}
