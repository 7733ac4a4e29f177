//! Bearer-token authentication and JSON bodies with errors in the API's shape.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRef, FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_app::accounts::{SignedIn, resolve_api_token};
use convene_domain::{Denied, InvalidInput};
use serde::de::DeserializeOwned;

/// The account whose bearer token came with the request.
pub struct ApiUser(pub SignedIn);

/// A 401 that tells the client how to authenticate.
pub struct Unauthenticated(ApiError);

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        let mut r = self.0.into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"convene\""),
        );
        r
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(
                Unauthenticated(ApiError(AppError::Denied(Denied::NotSignedIn))).into_response(),
            );
        };
        match resolve_api_token(&state.svc, token).await {
            Ok(Some(user)) => Ok(ApiUser(user)),
            Ok(None) => Err(
                Unauthenticated(ApiError(AppError::Denied(Denied::NotSignedIn))).into_response(),
            ),
            Err(e) => Err(ApiError(e).into_response()),
        }
    }
}

/// Reading with or without a token: no `Authorization` header means a
/// visitor, but a token that is sent must be valid (a 401 otherwise, so a
/// client with an expired token is not silently shown less).
impl<S: Send + Sync> OptionalFromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            <ApiUser as FromRequestParts<S>>::from_request_parts(parts, state)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A JSON request body; malformed JSON gets a 422 and a body over the
/// route's size limit a 413, both in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let mut r = ApiError(AppError::Invalid(InvalidInput::new(
                    "body",
                    "The request body is larger than this endpoint accepts; send less.",
                )))
                .into_response();
                *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                Err(r)
            }
            Err(rejection) => Err(ApiError(AppError::Invalid(InvalidInput::new(
                "body",
                rejection.body_text(),
            )))
            .into_response()),
        }
    }
}
