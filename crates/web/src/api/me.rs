//! `GET /api/v1/me`.

use super::ApiUser;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A role held by the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleOut {
    /// `coordinator`, `organizer`, `calendar_editor` or `trusted_author`.
    #[schema(schema_with = super::openapi::role)]
    pub role: String,
    /// `""` for the site, `group:{slug}` or `calendar:{slug}`.
    pub scope: String,
}

/// The account behind the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Account id.
    pub id: i64,
    /// Email address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles beyond membership.
    pub roles: Vec<RoleOut>,
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(ApiUser(me): ApiUser) -> Json<Me> {
    Json(Me {
        id: me.user.id,
        email: me.user.email,
        display_name: me.user.display_name,
        roles: me
            .actor
            .grants
            .iter()
            .map(|g| RoleOut {
                role: g.role.as_str().to_owned(),
                scope: g.scope.to_stored(),
            })
            .collect(),
    })
}
