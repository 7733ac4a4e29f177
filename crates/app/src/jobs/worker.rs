//! Workers: claim due jobs, run their handlers, record the outcome.

use super::{BackgroundJob, JobContext, JobError, backoff_delay};
use crate::{AppError, AppResult};
use convene_store::jobs;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tokio::sync::watch;

type Handler =
    Arc<dyn Fn(JobContext, String) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// Which handler runs which kind of job.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry with every job kind convene has.
    pub fn standard() -> Self {
        Self::new()
            .register::<crate::mail::SendEmail>()
            .register::<crate::federation::deliver::DeliverActivity>()
            .register::<crate::federation::publish::Federate>()
            .register::<crate::federation::publish::RollSeriesForward>()
            .register::<crate::groups::RequestConfirmations>()
            .register::<crate::groups::ScheduleLinkChecks>()
            .register::<crate::groups::CheckGroupLinks>()
            .register::<crate::calendars::SyncCalendarSources>()
            .register::<crate::calendars::SyncSource>()
            .register::<crate::blog::MailNewPost>()
            .register::<crate::media::FetchEmbed>()
            .register::<crate::lists::FanOut>()
            .register::<crate::lists::ScheduleDigests>()
            .register::<crate::lists::SendDigest>()
            .register::<crate::lists::ForwardToModerator>()
            .register::<crate::weekly::SendWeekly>()
            .register::<crate::weekly::QueueWeeklyOne>()
    }

    /// Adds the handler for `J`.
    pub fn register<J: BackgroundJob>(mut self) -> Self {
        let handler: Handler = Arc::new(|ctx, payload| {
            Box::pin(async move {
                let job: J = serde_json::from_str(&payload)
                    .map_err(|e| JobError::Permanent(format!("unreadable payload: {e}")))?;
                job.run(ctx).await
            })
        });
        self.handlers.insert(J::KIND, handler);
        self
    }
}

/// Timing of a worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// A name for logs and lease tokens (host and process).
    pub name: String,
    /// How long a claim lasts before another worker may take the job.
    pub lease: chrono::Duration,
    /// How long to sleep when nothing is due, at most: a newly queued job
    /// (the jobs change counter rising) wakes the worker sooner.
    pub idle_wait: StdDuration,
    /// At shutdown, how long the current job may still run before it is released.
    pub shutdown_grace: StdDuration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            name: format!("worker-{}", std::process::id()),
            lease: chrono::Duration::minutes(5),
            idle_wait: StdDuration::from_millis(500),
            shutdown_grace: StdDuration::from_secs(20),
        }
    }
}

/// What happened to a claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded.
    Done,
    /// It failed and will be retried.
    Retrying,
    /// It failed for good.
    Dead,
    /// It was given back unfinished at shutdown.
    Released,
    /// Another worker took over the lease meanwhile; nothing recorded.
    LeaseLost,
}

/// A loop that claims and runs jobs until shut down.
pub struct Worker {
    ctx: JobContext,
    registry: Arc<Registry>,
    config: WorkerConfig,
}

impl Worker {
    /// A worker over `ctx`'s database.
    pub fn new(ctx: JobContext, registry: Registry, config: WorkerConfig) -> Self {
        Self {
            ctx,
            registry: Arc::new(registry),
            config,
        }
    }

    /// Claims one due job and runs it. `None` when nothing was due.
    pub async fn run_one(
        &self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> AppResult<Option<(i64, Outcome)>> {
        let svc = &self.ctx.services;
        let now = svc.clock.now();
        let lease_token = format!("{}:{}", self.config.name, svc.tokens.new_token().expose());
        let Some(job) = jobs::claim(&svc.db, now, now + self.config.lease, &lease_token).await?
        else {
            return Ok(None);
        };
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        let _enter = span.enter();
        let result = match self.registry.handlers.get(job.kind.as_str()) {
            None => Err(JobError::Permanent(format!(
                "no handler for job kind {:?}",
                job.kind
            ))),
            Some(handler) => {
                let fut = handler(self.ctx.clone(), job.payload.clone());
                tokio::pin!(fut);
                let grace = self.config.shutdown_grace;
                tokio::select! {
                    r = &mut fut => r,
                    () = async {
                        let _ = shutdown.wait_for(|stop| *stop).await;
                        tokio::time::sleep(grace).await;
                    } => {
                        let mut tx = svc.db.begin().await?;
                        let released = jobs::release(tx.ex(), job.id, &lease_token, svc.clock.now()).await?;
                        tx.commit().await?;
                        tracing::warn!(released, "shutdown: job released unfinished");
                        return Ok(Some((job.id, Outcome::Released)));
                    }
                }
            }
        };
        let now = svc.clock.now();
        let mut tx = svc.db.begin().await?;
        let outcome = match result {
            Ok(()) => {
                if jobs::complete(tx.ex(), job.id, &lease_token, now).await? {
                    tracing::info!("job done");
                    Outcome::Done
                } else {
                    Outcome::LeaseLost
                }
            }
            Err(JobError::Later { until, reason }) => {
                let recorded =
                    jobs::postpone(tx.ex(), job.id, &lease_token, &reason, until, now).await?;
                tracing::info!(%reason, %until, "job postponed");
                if recorded {
                    Outcome::Retrying
                } else {
                    Outcome::LeaseLost
                }
            }
            Err(e) => {
                let permanent = matches!(e, JobError::Permanent(_));
                let dead = permanent || job.attempts >= job.max_attempts;
                let retry_at = now + backoff_delay(job.attempts, |b| svc.tokens.below(b));
                let recorded = jobs::fail(
                    tx.ex(),
                    job.id,
                    &lease_token,
                    &e.to_string(),
                    retry_at,
                    permanent,
                    now,
                )
                .await?;
                tracing::warn!(error = %e, dead, "job failed");
                match (recorded, dead) {
                    (false, _) => Outcome::LeaseLost,
                    (true, true) => Outcome::Dead,
                    (true, false) => Outcome::Retrying,
                }
            }
        };
        tx.commit().await?;
        Ok(Some((job.id, outcome)))
    }

    /// Runs jobs until `shutdown` turns true. Errors talking to the database
    /// are logged and retried after the idle wait.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.config.name, "job worker started");
        let db = self.ctx.services.db.clone();
        while !*shutdown.borrow() {
            // A job queued from now on (it raises the jobs counter) ends
            // the idle wait below at once.
            let queued = db.next_counter_raise();
            let ran = match self.run_one(&mut shutdown).await {
                Ok(Some(_)) => true,
                Ok(None) => false,
                Err(e) => {
                    tracing::error!(error = %e, "job worker could not reach the queue");
                    false
                }
            };
            if !ran {
                tokio::select! {
                    () = tokio::time::sleep(self.config.idle_wait) => {}
                    () = queued => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        tracing::info!(worker = %self.config.name, "job worker stopped");
    }

    /// Runs every due job until none is left (for tests and one-shot commands).
    pub async fn drain(&self) -> AppResult<Vec<(i64, Outcome)>> {
        let (_tx, mut rx) = watch::channel(false);
        let mut out = Vec::new();
        while let Some(r) = self.run_one(&mut rx).await? {
            out.push(r);
            if out.len() > 10_000 {
                return Err(AppError::Internal("the queue did not drain".into()));
            }
        }
        Ok(out)
    }
}
