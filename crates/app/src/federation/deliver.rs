//! Deliveries to other servers: each activity goes to each inbox as its
//! own job, signed with the sending actor's key. A job is keyed by the
//! activity and the inbox, so queuing it again (a retry of the write that
//! caused it, a crash between queuing and committing) sends nothing twice.
//! Temporary failures are retried with the queue's backoff for about two
//! and a half days before the job is dead; an inbox that refuses for good
//! (4xx other than 408 and 429) is not asked again.

use super::actors;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppResult, Services};
use convene_activitypub::signatures;
use convene_store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The agent our requests name.
pub const AGENT: &str = "convene federation";

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
        let key = actors::key(svc, &self.actor)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let url = url::Url::parse(&self.inbox)
            .map_err(|e| JobError::Permanent(format!("{}: {e}", self.inbox)))?;
        let key_id = format!("{}#main-key", svc.site.link(&self.actor));
        let headers = signatures::sign(
            "POST",
            &url,
            Some(self.body.as_bytes()),
            &key_id,
            &key,
            svc.clock.now(),
        )
        .map_err(|e| JobError::Permanent(e.to_string()))?;
        let mut sent: Vec<(&str, String)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        sent.push(("accept", convene_activitypub::ACTIVITY_JSON.to_owned()));
        let (status, answer) = ctx
            .fetcher
            .post(&self.inbox, &sent, self.body.into_bytes(), AGENT)
            .await
            .map_err(JobError::Retry)?;
        match status {
            200..=299 => Ok(()),
            408 | 429 => Err(JobError::Retry(format!("{status}: {answer}"))),
            400..=499 => Err(JobError::Permanent(format!("{status}: {answer}"))),
            _ => Err(JobError::Retry(format!("{status}: {answer}"))),
        }
    }
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
