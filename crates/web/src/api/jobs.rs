//! `/api/v1/jobs`: the durable queue, for coordinators.

use super::ApiUser;
use super::{ApiPath, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use convene_app::admin;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A job in the queue (its payload is not shown: it may hold mail).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    /// Id.
    pub id: i64,
    /// Handler name.
    pub kind: String,
    /// `queued`, `running`, `done` or `dead`.
    #[schema(schema_with = super::openapi::job_state)]
    pub state: String,
    /// Attempts begun.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// Earliest next run.
    pub run_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Which jobs to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// `queued`, `running`, `done` or `dead` (default `dead`, also when empty).
    #[param(schema_with = super::openapi::job_state_filter)]
    pub state: Option<String>,
}

/// Jobs in one state, most recent first (at most 200).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobsQuery),
    responses((status = 200, body = Vec<JobOut>), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<JobsQuery>,
) -> Result<Json<Vec<JobOut>>, ApiError> {
    let wanted = match q.state.as_deref() {
        None | Some("") => "dead".to_owned(),
        Some(s) if admin::JOB_STATES.contains(&s) => s.to_owned(),
        Some(_) => {
            return Err(convene_domain::InvalidInput::new(
                "state",
                format!("Use one of: {}.", admin::JOB_STATES.join(", ")),
            )
            .into());
        }
    };
    let jobs = admin::list_jobs(&state.svc, &me.actor, &wanted, 200).await?;
    Ok(Json(
        jobs.into_iter()
            .map(|j| JobOut {
                id: j.id,
                kind: j.kind,
                state: j.state,
                attempts: j.attempts,
                max_attempts: j.max_attempts,
                run_at: j.run_at,
                last_error: j.last_error,
                updated_at: j.updated_at,
            })
            .collect(),
    ))
}

/// Queues a dead job again.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 409, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    admin::retry_job(&state.svc, &me.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
