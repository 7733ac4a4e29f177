//! `/groups/{slug}/history`: every change, and going back to one.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, Change};
use convene_store::groups::RevisionRow;

#[derive(Template)]
#[template(path = "groups/history.html")]
struct HistoryPage {
    ctx: PageCtx,
    slug: String,
    revisions: Vec<(RevisionRow, Vec<Change>)>,
}

/// `GET /groups/{slug}/history` (coordinators).
pub async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let revisions = groups::history(&state.svc, &me.actor, &slug).await?;
    let ctx = PageCtx::new(&state, &visitor, "History");
    Ok(render(
        StatusCode::OK,
        &HistoryPage {
            ctx,
            slug,
            revisions,
        },
    ))
}

/// `POST /groups/{slug}/revert/{revision}`.
pub async fn revert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, revision)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let slug = groups::revert_to(&state.svc, &me.actor, &slug, revision).await?;
    Ok(see_other(&format!("/groups/{slug}?done=reverted")))
}
