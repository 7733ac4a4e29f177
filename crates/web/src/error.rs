//! One domain error, two renderings: a page in the site's layout for
//! browsers ([`PageError`]) and a JSON body for the API ([`ApiError`]).
//!
//! Expected failures keep their message and get their own status; anything
//! internal is logged here with its cause and shown only as a generic 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_domain::Denied;

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

/// An error answered to an API client as JSON:
/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = classify(&self.0);
        let field = match &self.0 {
            AppError::Invalid(i) => Some(i.field),
            _ => None,
        };
        let body =
            serde_json::json!({ "error": { "code": code, "message": message, "field": field } });
        let mut response = (status, axum::Json(body)).into_response();
        retry_after(&self.0, &mut response);
        response
    }
}
