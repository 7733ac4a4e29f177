//! `/admin/federation`: blocked fediverse actors and domains, what the
//! inboxes refused and why, and what other servers reported.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::federation::moderation::{self, Overview};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/federation.html")]
struct FederationPage {
    ctx: PageCtx,
    overview: Overview,
}

/// A notice after a change.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /admin/federation`.
pub async fn federation(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let overview = moderation::overview(&state.svc, &me.actor).await?;
    let ctx = PageCtx::new(&state, &visitor, "Fediverse").with_notice(q.done.as_deref());
    Ok(render(StatusCode::OK, &FederationPage { ctx, overview }))
}

/// The block form.
#[derive(Debug, Deserialize)]
pub struct BlockForm {
    target: String,
    reason: String,
}

/// `POST /admin/federation/block`.
pub async fn block(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    moderation::block(&state.svc, &me.actor, &form.target, &form.reason).await?;
    Ok(see_other("/admin/federation?done=blocked"))
}

/// The unblock button.
#[derive(Debug, Deserialize)]
pub struct UnblockForm {
    target: String,
}

/// `POST /admin/federation/unblock`.
pub async fn unblock(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<UnblockForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    moderation::unblock(&state.svc, &me.actor, &form.target).await?;
    Ok(see_other("/admin/federation?done=unblocked"))
}
