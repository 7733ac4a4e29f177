//! The author's desk: their posts and, for coordinators, the review queue.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::blog;

#[derive(Template)]
#[template(path = "blog/desk.html")]
struct DeskPage {
    ctx: PageCtx,
    review: Vec<PostCard>,
    mine: Vec<(PostCard, &'static str)>,
}

/// `GET /blog/desk`: the author's posts and, for coordinators, the review queue.
pub async fn desk(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (review, mine) = blog::desk(&state.svc, &me.actor).await?;
    Ok(render(
        StatusCode::OK,
        &DeskPage {
            ctx: PageCtx::new(&state, &visitor, "Your posts"),
            review: review.iter().map(card).collect(),
            mine: mine.iter().map(|p| (card(p), p.state.label())).collect(),
        },
    ))
}
