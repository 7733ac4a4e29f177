//! Deliveries to other servers: each activity goes to each inbox as its
//! own job, signed with the sending actor's key. A job is keyed by the
//! activity and the inbox, so queuing it again (a retry of the write that
//! caused it, a crash between queuing and committing) sends nothing twice.
//! Temporary failures are retried with the queue's backoff; an inbox that
//! refuses for good (4xx other than 408 and 429) is not asked again.
//!
//! A server that keeps failing is marked unreachable: after
//! [`UNREACHABLE_AFTER_FAILURES`] failed deliveries in a row, the first of
//! them at least [`UNREACHABLE_AFTER`] ago, deliveries to its host are
//! parked (queued again for its next try, without using up an attempt)
//! and it is tried once every [`RETRY_UNREACHABLE_EVERY`]. Any answer
//! from it clears the mark. A job is dead after 20 real attempts.

use super::actors;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppResult, Services};
use chrono::Duration;
use convene_activitypub::signatures;
use convene_store::{Tx, federation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The agent our requests name.
pub const AGENT: &str = "convene federation";

/// Failed deliveries in a row after which a host may be unreachable.
pub const UNREACHABLE_AFTER_FAILURES: i64 = 10;

/// How long a host must have been failing before it is unreachable.
pub const UNREACHABLE_AFTER: Duration = Duration::days(1);

/// How often a parked host is tried again.
pub const RETRY_UNREACHABLE_EVERY: Duration = Duration::days(1);

/// One activity to one inbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverActivity {
    /// The inbox.
    pub inbox: String,
    /// The sending local actor's path.
    pub actor: String,
    /// The activity's id.
    pub activity_id: String,
    /// The activity, as sent.
    pub body: String,
}

impl BackgroundJob for DeliverActivity {
    const KIND: &'static str = "ap_deliver";
    // 30 s doubling to 6 h between tries: about two and a half days.
    const MAX_ATTEMPTS: i64 = 20;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("ap:{}:{}", self.activity_id, self.inbox))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let url = url::Url::parse(&self.inbox)
            .map_err(|e| JobError::Permanent(format!("{}: {e}", self.inbox)))?;
        let host = host_of(&url);
        let now = svc.clock.now();
        let failing = {
            let mut conn = svc.db.conn().await.map_err(retry)?;
            federation::inbox_host(conn.ex(), &host)
                .await
                .map_err(retry)?
        };
        let parked_until = failing
            .as_ref()
            .filter(|r| r.unreachable_since.is_some())
            .and_then(|r| r.next_try_at)
            .filter(|next| *next > now);
        if let Some(until) = parked_until {
            return Err(JobError::Later {
                until,
                reason: format!(
                    "{host} is unreachable; deliveries wait until {}",
                    until.to_rfc3339()
                ),
            });
        }
        let key = actors::key(svc, &self.actor)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let key_id = format!("{}#main-key", svc.site.link(&self.actor));
        let headers =
            signatures::sign("POST", &url, Some(self.body.as_bytes()), &key_id, &key, now)
                .map_err(|e| JobError::Permanent(e.to_string()))?;
        let mut sent: Vec<(&str, String)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        sent.push(("accept", convene_activitypub::ACTIVITY_JSON.to_owned()));
        let answer = ctx
            .fetcher
            .post(&self.inbox, &sent, self.body.into_bytes(), AGENT)
            .await;
        let failure = match answer {
            Err(e) => JobError::Retry(e),
            Ok((200..=299, _)) => {
                if failing.is_some() {
                    reached(svc, &host).await?;
                }
                return Ok(());
            }
            Ok((status @ (408 | 429 | 500..), answer)) => {
                JobError::Retry(format!("{status}: {answer}"))
            }
            Ok((status, answer)) => {
                // It answered: the server is there, it just will not take this.
                if failing.is_some() {
                    reached(svc, &host).await?;
                }
                return Err(JobError::Permanent(format!("{status}: {answer}")));
            }
        };
        failed(svc, &host, &failure.to_string()).await?;
        Err(failure)
    }
}

/// An inbox's host as the unreachable mark names it (with a port that is
/// not the default).
fn host_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Counts a failed delivery to `host`, and marks it unreachable (again,
/// for another [`RETRY_UNREACHABLE_EVERY`]) once it has failed long enough.
async fn failed(svc: &Services, host: &str, error: &str) -> Result<(), JobError> {
    let now = svc.clock.now();
    let mut error = error.to_owned();
    error.truncate(500);
    let mut tx = svc.db.begin().await.map_err(retry)?;
    let row = federation::inbox_failed(tx.ex(), host, &error, now)
        .await
        .map_err(retry)?;
    if row.failures >= UNREACHABLE_AFTER_FAILURES && now - row.first_failed_at >= UNREACHABLE_AFTER
    {
        federation::park_inbox_host(tx.ex(), host, now, now + RETRY_UNREACHABLE_EVERY)
            .await
            .map_err(retry)?;
        if row.unreachable_since.is_none() {
            tracing::warn!(
                host,
                failures = row.failures,
                "fediverse server marked unreachable"
            );
        }
    }
    tx.commit().await.map_err(retry)?;
    Ok(())
}

/// `host` answered: its failures (and any unreachable mark) are forgotten.
async fn reached(svc: &Services, host: &str) -> Result<(), JobError> {
    let mut conn = svc.db.conn().await.map_err(retry)?;
    if federation::inbox_reached(conn.ex(), host)
        .await
        .map_err(retry)?
    {
        tracing::info!(host, "fediverse server reached again");
    }
    Ok(())
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Retry(e.to_string())
}

/// Queues `activity` (whose `id` it carries) from the local actor at
/// `actor` to each of `inboxes`, inside the caller's transaction.
pub async fn queue(
    tx: &mut Tx,
    svc: &Services,
    actor: &str,
    inboxes: &[String],
    activity: &Value,
) -> AppResult<()> {
    let activity_id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let body = activity.to_string();
    for inbox in inboxes {
        enqueue(
            tx,
            svc,
            &DeliverActivity {
                inbox: inbox.clone(),
                actor: actor.to_owned(),
                activity_id: activity_id.clone(),
                body: body.clone(),
            },
        )
        .await?;
    }
    Ok(())
}
