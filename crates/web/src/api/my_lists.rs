//! The caller's own subscriptions in the API: join a list with the
//! account's address, change delivery, leave.

use super::ApiPath;
use super::lists::SubscriptionOut;
use super::openapi::ErrorBody;
use super::{ApiJson, ApiUser};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use convene_app::lists::my_lists::{self, Joined};
use serde::Deserialize;
use utoipa::ToSchema;

/// A list to join.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JoinIn {
    /// The list's name.
    pub list: String,
}

/// How to receive a list.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeliveryIn {
    /// `each`, `digest` or `paused`.
    #[schema(schema_with = super::openapi::delivery)]
    pub delivery: String,
}

async fn subscription(
    state: &AppState,
    me: &convene_app::accounts::SignedIn,
    name: &str,
) -> Result<SubscriptionOut, ApiError> {
    let list = convene_app::lists::list(&state.svc, name).await?;
    super::lists::subscriptions(state, &me.actor)
        .await?
        .into_iter()
        .find(|s| s.list == list.row.name)
        .ok_or(ApiError(convene_app::AppError::NotFound(
            "You are not subscribed to this list.",
        )))
}

/// Subscribes the caller's account address. An address the account has
/// confirmed becomes `active` at once (201); any other is mailed a
/// confirmation link and stays `pending` (202). Asking again is harmless.
#[utoipa::path(post, path = "/api/v1/me/lists", tag = "lists", request_body = JoinIn,
    responses((status = 201, body = SubscriptionOut), (status = 202, body = SubscriptionOut),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn join(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<JoinIn>,
) -> Result<(StatusCode, Json<SubscriptionOut>), ApiError> {
    let joined = my_lists::join_mine(&state.svc, &me.actor, &body.list).await?;
    let out = subscription(&state, &me, &body.list).await?;
    let status = match joined {
        Joined::Active => StatusCode::CREATED,
        Joined::Pending => StatusCode::ACCEPTED,
    };
    Ok((status, Json(out)))
}

/// Changes how the caller receives a list.
#[utoipa::path(patch, path = "/api/v1/me/lists/{name}", tag = "lists", request_body = DeliveryIn,
    params(("name" = String, Path, description = "The list's name")),
    responses((status = 200, body = SubscriptionOut), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn change(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<DeliveryIn>,
) -> Result<Json<SubscriptionOut>, ApiError> {
    my_lists::set_delivery_on(&state.svc, &me.actor, &name, &body.delivery).await?;
    Ok(Json(subscription(&state, &me, &name).await?))
}

/// The caller leaves a list.
#[utoipa::path(delete, path = "/api/v1/me/lists/{name}", tag = "lists",
    params(("name" = String, Path, description = "The list's name")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn leave(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    my_lists::leave_list(&state.svc, &me.actor, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
