//! `/admin/outbox`: mail written to files when no SMTP relay is configured.

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::AppError;
use convene_app::mail::{OutboxEntry, OutgoingEmail};
use convene_domain::{Action, authorize};

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    enabled: bool,
    folder: String,
    entries: Vec<OutboxEntry>,
}

/// `GET /admin/outbox`.
pub async fn outbox(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::AdministerSite)?;
    let (enabled, folder, entries) = match &state.outbox {
        Some(o) => (
            true,
            o.dir().display().to_string(),
            o.list().map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        None => (false, String::new(), Vec::new()),
    };
    let ctx = PageCtx::new(&state, &visitor, "Outbox");
    Ok(render(
        StatusCode::OK,
        &OutboxPage {
            ctx,
            enabled,
            folder,
            entries,
        },
    ))
}

#[derive(Template)]
#[template(path = "admin/outbox_message.html")]
struct MessagePage {
    ctx: PageCtx,
    file: String,
    email: OutgoingEmail,
    raw: String,
}

/// `GET /admin/outbox/{file}`: one message, its text part and its source.
pub async fn message(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::AdministerSite)?;
    let outbox = state.outbox.as_ref().ok_or(AppError::NotFound(
        "Mail is sent through SMTP; there is no outbox.",
    ))?;
    let (email, raw) = outbox
        .read(&file)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .ok_or(AppError::NotFound(
            "There is no such message in the outbox.",
        ))?;
    let ctx = PageCtx::new(&state, &visitor, email.subject.clone());
    Ok(render(
        StatusCode::OK,
        &MessagePage {
            ctx,
            file,
            email,
            raw,
        },
    ))
}
