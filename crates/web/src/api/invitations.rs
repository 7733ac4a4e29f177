//! `/api/v1/invitations`: send, list, resend and revoke invitations.

use super::ApiPath;
use super::{ApiJson, ApiUser};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use convene_app::AppError;
use convene_app::invitations;
use convene_domain::{InvalidInput, Role, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A pending invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    /// Id.
    pub id: i64,
    /// Invited address.
    pub email: String,
    /// Role offered.
    #[schema(schema_with = super::openapi::role)]
    pub role: String,
    /// `""`, `group:{slug}` or `calendar:{slug}`.
    pub scope: String,
    /// Id of the account that sent it.
    pub invited_by: i64,
    /// When the current link expires.
    pub expires_at: DateTime<Utc>,
    /// True once the link no longer works.
    pub expired: bool,
    /// How many times it was sent.
    pub sent_count: i64,
}

/// Pending invitations the caller may manage.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations",
    responses((status = 200, body = Vec<InvitationOut>), (status = 401, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<InvitationOut>>, ApiError> {
    let list = invitations::pending_invitations(&state.svc, &me.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| InvitationOut {
                id: i.id,
                email: i.email,
                role: i.role.as_str().to_owned(),
                scope: i.scope,
                invited_by: i.invited_by,
                expires_at: i.expires_at,
                expired: i.expired,
                sent_count: i.sent_count,
            })
            .collect(),
    ))
}

/// A new invitation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvitation {
    /// The address to invite.
    pub email: String,
    /// `coordinator`, `organizer`, `calendar_editor` or `trusted_author`.
    #[schema(schema_with = super::openapi::role)]
    pub role: String,
    /// `""` for a coordinator, `group:{slug}` for an organizer, `calendar:{slug}` for an editor.
    #[serde(default)]
    pub scope: String,
}

/// The id of something created.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: i64,
}

/// Sends an invitation by email.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = NewInvitation,
    responses((status = 201, body = Created), (status = 403, body = super::openapi::ErrorBody),
              (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        AppError::Invalid(InvalidInput::new(
            "role",
            "Use coordinator, organizer, calendar_editor or trusted_author.",
        ))
    })?;
    let scope = Scope::from_stored(&body.scope).ok_or_else(|| {
        AppError::Invalid(InvalidInput::new(
            "scope",
            "Use \"\", \"group:{slug}\" or \"calendar:{slug}\".",
        ))
    })?;
    let id = invitations::invite(&state.svc, &me.actor, &body.email, role, &scope).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Sends an invitation again with a fresh 7-day link.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "invitations",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
              (status = 409, description = "The invitation was already accepted or withdrawn.", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    invitations::resend_invitation(&state.svc, &me.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a pending invitation.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "invitations",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
              (status = 409, description = "The invitation was already accepted or withdrawn.", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    invitations::revoke_invitation(&state.svc, &me.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
