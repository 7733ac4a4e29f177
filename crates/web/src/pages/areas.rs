//! The site's main areas. Each says plainly what it holds so far.

use super::{PageCtx, render};
use crate::AppState;
use crate::extract::Visitor;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "area.html")]
struct Area {
    ctx: PageCtx,
    lead: &'static str,
}

fn area(state: &AppState, visitor: &Visitor, title: &str, lead: &'static str) -> Response {
    render(
        StatusCode::OK,
        &Area {
            ctx: PageCtx::new(state, visitor, title),
            lead,
        },
    )
}

/// `/lists`.
pub async fn lists(State(state): State<AppState>, visitor: Visitor) -> Response {
    area(
        &state,
        &visitor,
        "Lists",
        "Mailing lists where organizers trade tips, with their archives. No lists are open yet.",
    )
}
