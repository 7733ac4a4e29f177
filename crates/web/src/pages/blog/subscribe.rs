//! Email subscriptions to new posts, and one-click unsubscribing.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::blog;
use serde::Deserialize;

/// The subscribe form.
#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    /// A group's slug, or empty for every post.
    #[serde(default)]
    group: String,
}

/// `POST /blog/subscribe`.
pub async fn subscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(f): CsrfForm<SubscribeForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    // The slug goes back into the redirect only as the use-case accepted it.
    let group = Some(f.group.trim()).filter(|g| !g.is_empty());
    blog::subscribe(&state.svc, &me.actor, group).await?;
    let back = match group {
        Some(g) => format!("/groups/{g}/blog?done=subscribed"),
        None => "/blog?done=subscribed".to_owned(),
    };
    Ok(see_other(&back))
}

#[derive(Template)]
#[template(path = "blog/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    done: bool,
}

/// `GET /unsubscribe/{token}`: asks before ending the subscription (a link
/// scanner must not unsubscribe anyone by fetching it).
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Response {
    render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Stop these emails"),
            token,
            done: false,
        },
    )
}

/// `POST /unsubscribe/{token}`: one click, from the page or straight from a
/// mail program (`List-Unsubscribe=One-Click`, RFC 8058); needs no session.
pub async fn unsubscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    blog::unsubscribe(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Unsubscribed"),
            token,
            done: true,
        },
    ))
}
