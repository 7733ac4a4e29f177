//! The durable job queue: everything that leaves the process (email now;
//! imports, feed syncs, link checks and federation later) is a job stored in
//! the same database, enqueued inside the business transaction.
//!
//! Processing is at-least-once: a worker claims a job with a lease, runs it
//! and marks it done; if the worker dies the lease expires and another worker
//! runs it again. So handlers must be safe to repeat (the email job keeps its
//! Message-ID, so a repeat is recognisably the same message). Failures are
//! retried with exponential backoff and jitter, and after `MAX_ATTEMPTS` the
//! job is dead: visible and retryable on the coordinator's jobs page.

mod backoff;
mod worker;

pub use backoff::backoff_delay;
pub use worker::{Outcome, Registry, Worker, WorkerConfig};

use crate::mail::Mailer;
use crate::{AppError, AppResult, Services};
use convene_store::{Tx, jobs};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

/// A kind of work the queue can carry.
pub trait BackgroundJob: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored name that routes a job to this handler. Never rename one
    /// that has been deployed: queued jobs carry it.
    const KIND: &'static str;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i64 = 8;

    /// A key that makes a second enqueue of the same work a no-op.
    fn idempotency_key(&self) -> Option<String> {
        None
    }

    /// Does the work.
    fn run(self, ctx: JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// What a running job can use.
#[derive(Clone)]
pub struct JobContext {
    /// Database, clock, tokens, site facts.
    pub services: Services,
    /// Where email goes.
    pub mailer: Arc<dyn Mailer>,
    /// Fetches from other servers (the link checker).
    pub fetcher: Arc<crate::net::Fetcher>,
}

/// How a job attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later.
    #[error("{0}")]
    Retry(String),
    /// Will never succeed; the job goes straight to dead.
    #[error("{0}")]
    Permanent(String),
    /// Not tried now: queued again at `until` without counting as an
    /// attempt (a delivery to a server marked unreachable waits for the
    /// server's next try).
    #[error("{reason}")]
    Later {
        /// When to run it again.
        until: chrono::DateTime<chrono::Utc>,
        /// Why, for the jobs page.
        reason: String,
    },
}

/// At start-up, before this process's workers run: takes back the jobs that
/// workers of an earlier process on this host held when it died (a crash,
/// SIGKILL, a power cut), instead of leaving them until their lease runs
/// out. Worker names are `{host}-{pid}-{n}`; a job is taken back when
/// `alive(pid)` says that process is gone. A process with this process's
/// own pid is an earlier one too (in a container the pid repeats), as no
/// worker of this process has started yet. Returns how many were taken
/// back.
pub async fn take_back_from_dead_workers(
    svc: &Services,
    host: &str,
    alive: impl Fn(u32) -> bool,
) -> AppResult<usize> {
    let prefix = format!("{host}-");
    let me = std::process::id();
    let mut tx = svc.db.begin().await?;
    let mut taken = 0;
    for (id, token) in jobs::leased_by(tx.ex(), &prefix).await? {
        // Exactly `{pid}-{n}` before the colon, so that a host whose name
        // merely starts with ours ("web" and "web-2") is never mistaken
        // for this one.
        let pid = token
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(name, _)| name.split_once('-'))
            .filter(|(_, n)| n.parse::<u32>().is_ok())
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let gone = pid.is_some_and(|pid| pid == me || !alive(pid));
        if gone && jobs::expire_lease(tx.ex(), id, &token, svc.clock.now()).await? {
            let worker = token.split(':').next().unwrap_or_default();
            tracing::warn!(job = id, worker, "took back a job from a worker that died");
            taken += 1;
        }
    }
    tx.commit().await?;
    Ok(taken)
}

/// Adds `job` to the queue inside `tx`. Returns the new job's id, or `None`
/// if a job with the same idempotency key was already queued.
pub async fn enqueue<J: BackgroundJob>(
    tx: &mut Tx,
    svc: &Services,
    job: &J,
) -> AppResult<Option<i64>> {
    let payload = serde_json::to_string(job).map_err(|e| AppError::Internal(e.to_string()))?;
    let key = job.idempotency_key();
    let now = svc.clock.now();
    Ok(jobs::enqueue(
        tx.ex(),
        &jobs::NewJob {
            kind: J::KIND,
            payload: &payload,
            idempotency_key: key.as_deref(),
            max_attempts: J::MAX_ATTEMPTS,
            run_at: now,
            now,
        },
    )
    .await?)
}
