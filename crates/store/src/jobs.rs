//! The durable job queue's table.
//!
//! States: `queued` → `running` → `done`, or back to `queued` with a later
//! `run_at` after a failure, or `dead` after `max_attempts`. A claim sets a
//! lease (`locked_until`, `lease_token`); a worker that dies leaves the lease
//! to expire and another worker claims the job again. Every update after the
//! claim names the lease token, so a worker whose lease was taken over
//! cannot overwrite the newer attempt's outcome.

use crate::{Backend, Db, Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A job as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input, as JSON text.
    pub payload: String,
    /// Set when enqueued with one; a second enqueue with the same key is ignored.
    pub idempotency_key: Option<String>,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    /// Attempts begun so far.
    pub attempts: i64,
    /// Attempts allowed before the job is dead.
    pub max_attempts: i64,
    /// Earliest time to run.
    pub run_at: DateTime<Utc>,
    /// While running: when the lease expires.
    pub locked_until: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it reached `done` or `dead`.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job claimed by a worker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    /// Id.
    pub id: i64,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    pub payload: String,
    /// This attempt's number, from 1.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Handler name.
    pub kind: &'a str,
    /// JSON text.
    pub payload: &'a str,
    /// De-duplication key.
    pub idempotency_key: Option<&'a str>,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// Earliest time to run.
    pub run_at: DateTime<Utc>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Enqueues a job. Returns `None` if a job with the same idempotency key exists.
pub async fn enqueue(ex: Ex<'_>, job: &NewJob<'_>) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO jobs (kind, payload, idempotency_key, state, attempts, max_attempts, run_at, created_at, updated_at) \
                       VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(job.kind)
        .bind(job.payload)
        .bind(job.idempotency_key)
        .bind(job.max_attempts)
        .bind(job.run_at)
        .bind(job.now)
        .fetch_optional(c)
        .await)?)
}

/// Claims the next due job for `lease_until`, or `None` if nothing is due.
///
/// A job whose lease expired counts as due again. A job that used up its
/// attempts while its worker died is moved to `dead` first. On PostgreSQL
/// `FOR UPDATE SKIP LOCKED` keeps concurrent claimers off the same row; on
/// SQLite the `BEGIN IMMEDIATE` transaction serialises claimers.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    lease_token: &str,
) -> Result<Option<Claimed>> {
    const BURY: &str = "UPDATE jobs SET state = 'dead', finished_at = $1, updated_at = $1, lease_token = NULL, locked_until = NULL, \
                        last_error = 'the worker stopped during the last attempt (lease expired)' \
                        WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts";
    const CLAIM_SQLITE: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, lease_token = $3, updated_at = $1 \
         WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1) \
         ORDER BY run_at, id LIMIT 1) \
         RETURNING id, kind, payload, attempts, max_attempts";
    const CLAIM_POSTGRES: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, lease_token = $3, updated_at = $1 \
         WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1) \
         ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, kind, payload, attempts, max_attempts";
    let sql = match db.backend() {
        Backend::Sqlite => CLAIM_SQLITE,
        Backend::Postgres => CLAIM_POSTGRES,
    };
    let mut tx = db.begin().await?;
    execute!(tx.ex(), BURY, now)?;
    let claimed = run!(tx.ex(), |c| sqlx::query_as::<_, Claimed>(sql)
        .bind(now)
        .bind(lease_until)
        .bind(lease_token)
        .fetch_optional(c)
        .await)?;
    tx.commit().await?;
    Ok(claimed)
}

/// Marks a claimed job done. False if the lease was lost to another worker.
pub async fn complete(ex: Ex<'_>, id: i64, lease_token: &str, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET state = 'done', finished_at = $1, updated_at = $1, locked_until = NULL, lease_token = NULL \
                       WHERE id = $2 AND lease_token = $3 AND state = 'running'";
    Ok(execute!(ex, SQL, now, id, lease_token)? == 1)
}

/// Records a failed attempt: queued again at `retry_at`, or dead when the
/// attempts are used up or `permanent` is set.
pub async fn fail(
    ex: Ex<'_>,
    id: i64,
    lease_token: &str,
    error: &str,
    retry_at: DateTime<Utc>,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET \
        state = CASE WHEN $4 OR attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
        finished_at = CASE WHEN $4 OR attempts >= max_attempts THEN $5 ELSE NULL END, \
        run_at = $3, last_error = $6, updated_at = $5, locked_until = NULL, lease_token = NULL \
        WHERE id = $1 AND lease_token = $2 AND state = 'running'";
    Ok(execute!(ex, SQL, id, lease_token, retry_at, permanent, now, error)? == 1)
}

/// Queues a claimed job again at `run_at` without counting the attempt,
/// noting `reason`.
pub async fn postpone(
    ex: Ex<'_>,
    id: i64,
    lease_token: &str,
    reason: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $3, last_error = $4, updated_at = $5, locked_until = NULL, lease_token = NULL \
                       WHERE id = $1 AND lease_token = $2 AND state = 'running'";
    Ok(execute!(ex, SQL, id, lease_token, run_at, reason, now)? == 1)
}

/// Gives a claimed job back untouched (at shutdown): the attempt is not counted.
pub async fn release(ex: Ex<'_>, id: i64, lease_token: &str, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $1, updated_at = $1, locked_until = NULL, lease_token = NULL \
                       WHERE id = $2 AND lease_token = $3 AND state = 'running'";
    Ok(execute!(ex, SQL, now, id, lease_token)? == 1)
}

/// Running jobs whose lease token starts with `prefix`: (id, lease token).
pub async fn leased_by(ex: Ex<'_>, prefix: &str) -> Result<Vec<(i64, String)>> {
    const SQL: &str = "SELECT id, lease_token FROM jobs WHERE state = 'running' AND substr(lease_token, 1, length($1)) = $1 ORDER BY id";
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, String)>(SQL)
        .bind(prefix)
        .fetch_all(c)
        .await)?)
}

/// Ends the lease of a running job whose worker is known to be gone, so
/// that the next claim takes it over at once rather than when the lease
/// would have run out. The interrupted attempt still counts.
pub async fn expire_lease(
    ex: Ex<'_>,
    id: i64,
    lease_token: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET locked_until = $1, updated_at = $1 WHERE id = $2 AND lease_token = $3 AND state = 'running'";
    Ok(execute!(ex, SQL, now, id, lease_token)? == 1)
}

/// Puts a dead job back in the queue with fresh attempts.
pub async fn retry_dead(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1, finished_at = NULL \
                       WHERE id = $2 AND state = 'dead'";
    Ok(execute!(ex, SQL, now, id)? == 1)
}

/// The job with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<JobRow>> {
    const SQL: &str = "SELECT id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at, finished_at FROM jobs WHERE id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, JobRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Jobs in `state`, most recently changed first.
pub async fn in_state(ex: Ex<'_>, state: &str, limit: i64) -> Result<Vec<JobRow>> {
    const SQL: &str = "SELECT id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at, finished_at FROM jobs WHERE state = $1 ORDER BY updated_at DESC, id DESC LIMIT $2";
    Ok(run!(ex, |c| sqlx::query_as::<_, JobRow>(SQL)
        .bind(state)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// How many jobs are in each state.
pub async fn count_by_state(ex: Ex<'_>) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state";
    Ok(run!(ex, |c| sqlx::query_as::<_, (String, i64)>(SQL)
        .fetch_all(c)
        .await)?)
}
