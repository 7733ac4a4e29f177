//! Path and query extractors whose refusals are in the API's error shape:
//! a value that cannot be read as its documented type (an id that is not a
//! whole number, or is out of range; a limit that is not a number) is a 400
//! naming the parameter, never axum's plain-text rejection.

use crate::error::ApiError;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Query, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use serde::de::DeserializeOwned;

/// Path parameters, parsed into `T`.
pub struct ApiPath<T>(pub T);

/// How a parameter's expected type reads in a message.
fn described(expected_type: &str) -> &'static str {
    let base = expected_type.rsplit("::").next().unwrap_or(expected_type);
    match base {
        "i64" | "i32" | "u64" | "u32" | "usize" | "isize" => {
            "a whole number (at most 9223372036854775807)"
        }
        "bool" => "true or false",
        _ => "text",
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                // The parameters' names, for errors that give only a position
                // or a value.
                let names: Vec<(String, String)> = RawPathParams::from_request_parts(parts, state)
                    .await
                    .map(|raw| {
                        raw.iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                let (field, message) = match e.kind() {
                    ErrorKind::ParseErrorAtIndex {
                        index,
                        value,
                        expected_type,
                    } => {
                        let key = names
                            .get(*index)
                            .map_or_else(|| "path".to_owned(), |(k, _)| k.clone());
                        (
                            key.clone(),
                            format!(
                                "The path parameter `{key}` must be {}; {value:?} is not.",
                                described(expected_type)
                            ),
                        )
                    }
                    ErrorKind::ParseErrorAtKey {
                        key,
                        value,
                        expected_type,
                    } => (
                        key.clone(),
                        format!(
                            "The path parameter `{key}` must be {}; {value:?} is not.",
                            described(expected_type)
                        ),
                    ),
                    ErrorKind::ParseError {
                        value,
                        expected_type,
                    } => {
                        let key = names
                            .iter()
                            .find(|(_, v)| v == value)
                            .map_or_else(|| "path".to_owned(), |(k, _)| k.clone());
                        (
                            key.clone(),
                            format!(
                                "The path parameter `{key}` must be {}; {value:?} is not.",
                                described(expected_type)
                            ),
                        )
                    }
                    ErrorKind::InvalidUtf8InPathParam { key } => (
                        key.clone(),
                        format!("The path parameter `{key}` is not valid UTF-8 once decoded."),
                    ),
                    other => (
                        "path".to_owned(),
                        format!("The address could not be read: {other}"),
                    ),
                };
                Err(ApiError::unreadable(field, message))
            }
            Err(other) => Err(ApiError(AppError::Internal(format!(
                "path parameters missing for this route: {other}"
            )))
            .into_response()),
        }
    }
}

/// A query string parsed into `T`; one that cannot be read (a number that
/// is not one, a value that is not UTF-8) is a 400 naming `query`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::unreadable(
                "query",
                format!(
                    "The query string could not be read ({}); see /api/v1/openapi.json for each parameter's type.",
                    rejection
                        .body_text()
                        .trim_start_matches("Failed to deserialize query string: ")
                ),
            )),
        }
    }
}
