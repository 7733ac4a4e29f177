//! The front page.

use super::{Done, PageCtx, render};
use crate::AppState;
use crate::extract::Visitor;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
}

/// `/`: what the site is and where to go.
pub async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Response {
    let ctx = PageCtx::new(&state, &visitor, "Home").with_notice(done.done.as_deref());
    render(StatusCode::OK, &Home { ctx })
}
