//! Coordinator tasks over the job queue.

use crate::{AppError, AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_store::jobs::{self, JobRow};

/// The states a job can be in, in the order pages list them.
pub const JOB_STATES: [&str; 4] = ["queued", "running", "dead", "done"];

/// Jobs in `state` (most recent first), for the coordinator's jobs page.
pub async fn list_jobs(
    svc: &Services,
    actor: &Actor,
    state: &str,
    limit: i64,
) -> AppResult<Vec<JobRow>> {
    authorize(Some(actor), &Action::AdministerSite)?;
    if !JOB_STATES.contains(&state) {
        return Err(AppError::NotFound("There is no such job state."));
    }
    let mut conn = svc.db.conn().await?;
    Ok(jobs::in_state(conn.ex(), state, limit).await?)
}

/// How many jobs are in each state (every state listed, zeros included).
pub async fn job_counts(svc: &Services) -> AppResult<Vec<(&'static str, i64)>> {
    let mut conn = svc.db.conn().await?;
    let counts = jobs::count_by_state(conn.ex()).await?;
    Ok(JOB_STATES
        .iter()
        .map(|s| {
            (
                *s,
                counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n),
            )
        })
        .collect())
}

/// Puts a dead job back in the queue.
pub async fn retry_job(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut tx = svc.db.begin().await?;
    if !jobs::retry_dead(tx.ex(), id, svc.clock.now()).await? {
        return Err(AppError::Conflict(
            "Only a dead job can be retried, and this one is not dead (any more).".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions and finished rate-limit windows. Run every few
/// minutes by `convene serve`; safe to run on several nodes at once.
pub async fn housekeeping(svc: &Services) -> AppResult<(u64, u64)> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let sessions = convene_store::sessions::delete_expired(tx.ex(), now).await?;
    let windows =
        convene_store::rate_limits::prune(tx.ex(), now - chrono::Duration::days(1)).await?;
    tx.commit().await?;
    svc.db.optimize().await?;
    Ok((sessions, windows))
}

/// What waits for coordinators, counted, and the lists holding messages.
pub async fn waiting(
    svc: &Services,
) -> AppResult<(convene_store::dashboard::Waiting, Vec<(String, i64)>)> {
    let mut conn = svc.db.conn().await?;
    let counts = convene_store::dashboard::waiting(conn.ex()).await?;
    let lists = if counts.held_messages > 0 {
        convene_store::dashboard::held_by_list(conn.ex()).await?
    } else {
        Vec::new()
    };
    Ok((counts, lists))
}
