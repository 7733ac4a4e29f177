//! `/admin/jobs`: the durable queue, with dead jobs to retry.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::admin;
use convene_store::jobs::JobRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    ctx: PageCtx,
    state: String,
    counts: Vec<(&'static str, i64)>,
    jobs: Vec<JobRow>,
}

/// Which state to list, and a notice.
#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    state: Option<String>,
    done: Option<String>,
}

/// `GET /admin/jobs?state=dead`.
pub async fn jobs(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<JobsQuery>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let wanted = q.state.unwrap_or_else(|| "dead".to_owned());
    let jobs = admin::list_jobs(&state.svc, &me.actor, &wanted, 200).await?;
    let counts = admin::job_counts(&state.svc).await?;
    let ctx = PageCtx::new(&state, &visitor, "Jobs").with_notice(q.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &JobsPage {
            ctx,
            state: wanted,
            counts,
            jobs,
        },
    ))
}

/// `POST /admin/jobs/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    admin::retry_job(&state.svc, &me.actor, id).await?;
    Ok(see_other("/admin/jobs?state=queued&done=retried"))
}
