//! One domain error, two renderings: a page in the site's layout for
//! browsers ([`PageError`]) and a JSON body for the API ([`ApiError`]).
//!
//! Expected failures keep their message and get their own status; anything
//! internal is logged here with its cause and shown only as a generic 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_domain::Denied;
use serde::Serialize;
use utoipa::ToSchema;

/// The status and public message for an error, logging internal ones.
pub fn classify(e: &AppError) -> (StatusCode, &'static str, String) {
    match e {
        AppError::Invalid(i) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            i.message.clone(),
        ),
        AppError::Denied(Denied::NotSignedIn) => {
            (StatusCode::UNAUTHORIZED, "not_signed_in", e.to_string())
        }
        AppError::Denied(Denied::Forbidden) => (StatusCode::FORBIDDEN, "forbidden", e.to_string()),
        AppError::NotAllowed(m) => (StatusCode::FORBIDDEN, "forbidden", (*m).to_owned()),
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", (*m).to_owned()),
        AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
        AppError::LinkSpent(m) => (StatusCode::GONE, "link_spent", (*m).to_owned()),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials", e.to_string()),
        AppError::RateLimited { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited", e.to_string())
        }
        AppError::SignupClosed => (StatusCode::FORBIDDEN, "signup_closed", e.to_string()),
        AppError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side. It has been logged; please try again in a moment.".to_owned())
        }
    }
}

/// Adds `Retry-After` to a 429 answer.
pub fn retry_after(e: &AppError, response: &mut Response) {
    if let AppError::RateLimited { retry_after_secs } = e
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// An error shown to a browser as a page in the layout.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _, message) = classify(&self.0);
        let mut response = crate::pages::error_page(status, &message);
        retry_after(&self.0, &mut response);
        response
    }
}

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
    /// `conflict`, `link_spent`, `rate_limited`, `held_back`, `internal`, ...
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// The offending field, parameter or part of the request (`body`,
    /// `query`, a path parameter's name), for `invalid` and `held_back`.
    pub field: Option<String>,
    /// For `held_back`: what to add, most important first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<Vec<String>>,
}

impl ErrorBody {
    /// The answer carrying this body with `status`.
    pub fn respond(self, status: StatusCode) -> Response {
        (status, axum::Json(self)).into_response()
    }
}

/// An error answered to an API client as JSON:
/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl ApiError {
    /// The request could not be read at all (a path or query value of the
    /// wrong type): a 400 in the API's error shape, naming the part at fault.
    pub fn unreadable(field: impl Into<String>, message: impl Into<String>) -> Response {
        ErrorBody {
            error: ErrorDetail {
                code: "invalid".to_owned(),
                message: message.into(),
                field: Some(field.into()),
                advice: None,
            },
        }
        .respond(StatusCode::BAD_REQUEST)
    }
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = classify(&self.0);
        let field = match &self.0 {
            AppError::Invalid(i) => Some(i.field.to_owned()),
            _ => None,
        };
        let mut response = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field,
                advice: None,
            },
        }
        .respond(status);
        retry_after(&self.0, &mut response);
        response
    }
}
