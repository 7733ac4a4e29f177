//! Comments: writing, reporting and moderating them.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::AppError;
use convene_app::blog;
use serde::Deserialize;

/// The comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    /// Left empty by people; bots fill it.
    #[serde(default)]
    website: String,
    /// When the form was shown (seconds since 1970).
    #[serde(default)]
    shown_at: i64,
}

/// `POST /blog/{slug}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    crate::extract::ClientIp(ip): crate::extract::ClientIp,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let bot = blog::BotChecks {
        honeypot: f.website,
        seconds_to_fill: state.svc.clock.now().timestamp() - f.shown_at,
        ip,
    };
    match blog::add_comment(&state.svc, &me.actor, &slug, &f.body, &bot).await {
        Ok(blog::Commented::Visible) => Ok(see_other(&format!(
            "/blog/{slug}?done=comment-shown#comments"
        ))),
        Ok(blog::Commented::Held) => Ok(see_other(&format!(
            "/blog/{slug}?done=comment-held#comments"
        ))),
        Err(AppError::Invalid(e)) => {
            let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
            post_page_with(&state, &visitor, &post, None, Vec::new(), Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /comments/{id}/report`.
pub async fn report(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::extract::NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    blog::report_comment(&state.svc, &me.actor, id).await?;
    Ok(see_other("/blog?done=comment-reported"))
}

/// The moderation form.
#[derive(Debug, Deserialize)]
pub struct ModerationForm {
    #[serde(default)]
    decision: String,
}

/// `POST /comments/{id}/moderate`.
pub async fn moderate(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ModerationForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let decision = blog::Moderation::parse(&f.decision).ok_or_else(|| {
        convene_domain::InvalidInput::new("decision", "Choose approve, hide, spam or ban.")
    })?;
    blog::moderate(&state.svc, &me.actor, id, decision).await?;
    Ok(see_other("/blog/moderation?done=comment-moderated"))
}

#[derive(Template)]
#[template(path = "blog/moderation.html")]
struct ModerationPage {
    ctx: PageCtx,
    queue: Vec<(convene_store::comments::CommentRow, String)>,
}

/// `GET /blog/moderation`: comments waiting for the signed-in moderator.
pub async fn moderation(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let mut queue = Vec::new();
    for c in blog::moderation_queue(&state.svc, &me.actor).await? {
        let html = blog::comment_html(&state.svc, &c).await?;
        queue.push((c, html));
    }
    Ok(render(
        StatusCode::OK,
        &ModerationPage {
            ctx: PageCtx::new(&state, &visitor, "Comments to moderate")
                .with_notice(q.done.as_deref()),
            queue,
        },
    ))
}
