//! A coordinator's decisions on a post: review, feature, visibility.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use axum::extract::{Path, State};
use axum::response::Response;
use convene_app::AppError;
use convene_app::blog;
use convene_domain::posts::PostState;
use serde::Deserialize;

/// The review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /blog/{slug}/review`.
pub async fn review(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let approve = f.decision == "approve";
    blog::review_post(&state.svc, &me.actor, &slug, approve, &f.note).await?;
    let done = if approve {
        "post-published"
    } else {
        "post-sent-back"
    };
    Ok(see_other(&format!("/blog/{slug}?done={done}")))
}

/// The feature form.
#[derive(Debug, Deserialize)]
pub struct FeatureForm {
    #[serde(default)]
    featured: String,
}

/// `POST /blog/{slug}/feature`.
pub async fn feature(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<FeatureForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    blog::feature_post(&state.svc, &me.actor, &slug, f.featured == "yes").await?;
    Ok(see_other(&format!("/blog/{slug}?done=post-saved")))
}

/// The visibility form.
#[derive(Debug, Deserialize)]
pub struct VisibilityForm {
    /// published, unlisted or archived.
    state: String,
}

/// `POST /blog/{slug}/visibility`: listed, unlisted or archived.
pub async fn visibility(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<VisibilityForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let to = PostState::parse(&f.state).ok_or_else(|| {
        AppError::from(convene_domain::InvalidInput::new(
            "state",
            "Choose whether the post is listed, unlisted or archived.",
        ))
    })?;
    blog::set_visibility(&state.svc, &me.actor, &slug, to).await?;
    Ok(see_other(&format!("/blog/{slug}?done=post-saved")))
}
