//! Writing, editing and submitting a post.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::AppError;
use convene_app::blog::{self, PostInput, Submitted};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "blog/form.html")]
struct FormPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    input: PostInput,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

const FIELDS: [&str; 7] = [
    "title",
    "summary",
    "body",
    "kind",
    "group",
    "cover_image",
    "tags",
];

fn form(
    state: &AppState,
    visitor: &Visitor,
    heading: &str,
    action: String,
    input: PostInput,
    errors: FormErrors,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormPage {
            ctx: PageCtx::new(state, visitor, heading),
            heading: heading.to_owned(),
            action,
            input,
            kinds: blog::kinds(),
            errors,
        },
    )
}

/// `?group=` to start a post about a group.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    /// Group slug.
    pub group: Option<String>,
}

/// `GET /blog/new`.
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    visitor.require()?;
    let input = PostInput {
        kind: "meeting_report".into(),
        group: q.group.unwrap_or_default(),
        ..PostInput::default()
    };
    Ok(form(
        &state,
        &visitor,
        "Write a post",
        "/blog/new".into(),
        input,
        FormErrors::default(),
    ))
}

/// `POST /blog/new`.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(input): CsrfForm<PostInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::create_post(&state.svc, &me.actor, &input).await {
        Ok(slug) => Ok(see_other(&format!("/blog/{slug}?done=post-saved"))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => Ok(form(
                &state,
                &visitor,
                "Write a post",
                "/blog/new".into(),
                input,
                errors,
            )),
            None => Err(e.into()),
        },
    }
}

/// `GET /blog/{slug}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
    if !post.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let input = PostInput {
        title: post.row.title.clone(),
        summary: post.row.summary.clone(),
        body: post.row.body.clone(),
        kind: post.kind.as_str().to_owned(),
        group: post.group.as_ref().map(|g| g.0.clone()).unwrap_or_default(),
        cover_image: post.row.cover_image.clone(),
        tags: post.tags.join(", "),
    };
    Ok(form(
        &state,
        &visitor,
        "Edit the post",
        format!("/blog/{slug}/edit"),
        input,
        FormErrors::default(),
    ))
}

/// `POST /blog/{slug}/edit`.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<PostInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::update_post(&state.svc, &me.actor, &slug, &input).await {
        Ok(()) => Ok(see_other(&format!("/blog/{slug}?done=post-saved"))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => Ok(form(
                &state,
                &visitor,
                "Edit the post",
                format!("/blog/{slug}/edit"),
                input,
                errors,
            )),
            None => Err(e.into()),
        },
    }
}

/// The submit form: `anyway` after the advice was shown.
#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    anyway: String,
}

/// `POST /blog/{slug}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<SubmitForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::submit_post(&state.svc, &me.actor, &slug, f.anyway == "yes").await? {
        Submitted::Published => Ok(see_other(&format!("/blog/{slug}?done=post-published"))),
        Submitted::InReview => Ok(see_other(&format!("/blog/{slug}?done=post-in-review"))),
        Submitted::HeldBack(advice) => {
            let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
            post_page(&state, &visitor, &post, None, advice).await
        }
    }
}
