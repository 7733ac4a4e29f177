//! `/account`: the signed-in person's own page.

use super::{Done, PageCtx, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::accounts;
use convene_domain::{Action, authorize};
use convene_store::api_tokens::ApiTokenRow;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    email: String,
    roles: Vec<String>,
    tokens: Vec<ApiTokenRow>,
    can_invite: bool,
    time_zone: String,
    zones: Vec<&'static str>,
}

/// `GET /account`.
pub async fn account(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::ManageOwnAccount)?;
    let roles = convene_app::invitations::describe_grants(&state.svc, &me.actor.grants).await?;
    let can_invite = !me.actor.grants.is_empty();
    let tokens = accounts::list_api_tokens(&state.svc, me.user.id).await?;
    let ctx = PageCtx::new(&state, &visitor, "Your account").with_notice(done.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            ctx,
            email: me.user.email.clone(),
            roles,
            tokens,
            can_invite,
            time_zone: me.user.time_zone.clone(),
            zones: super::calendar_views::zone_choices(),
        },
    ))
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    accounts::revoke_api_token(&state.svc, me.user.id, id).await?;
    Ok(see_other("/account?done=token-revoked"))
}
