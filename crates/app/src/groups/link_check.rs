//! The link checker: every week each group's links are fetched (politely,
//! through [`crate::net::Fetcher`]) and what was found is recorded, so that
//! the group page and the coordinators' list show which links are broken.

use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppResult, Services};
use chrono::Duration;
use convene_store::groups;
use serde::{Deserialize, Serialize};

/// Links are checked again after this many days.
pub const RECHECK_AFTER_DAYS: i64 = 7;

/// Groups queued for checking in one daily run.
const BATCH: i64 = 1000;

/// The daily run: queues a check for each group whose links are due.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleLinkChecks {
    /// The day (`YYYY-MM-DD`), its idempotency key.
    pub day: String,
}

impl BackgroundJob for ScheduleLinkChecks {
    const KIND: &'static str = "schedule_link_checks";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("link-checks:{}", self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        queue_due_checks(&ctx.services, &self.day)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Checks the links of one group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckGroupLinks {
    /// The group.
    pub group_id: i64,
    /// The day it was queued, so a group is checked at most once a day.
    pub day: String,
}

impl BackgroundJob for CheckGroupLinks {
    const KIND: &'static str = "check_group_links";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("links:{}:{}", self.group_id, self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        check_group_links(&ctx, self.group_id)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Queues today's run, once however many nodes ask.
pub async fn schedule_link_checks(svc: &Services) -> AppResult<()> {
    let day = svc.clock.now().format("%Y-%m-%d").to_string();
    let mut tx = svc.db.begin().await?;
    enqueue(&mut tx, svc, &ScheduleLinkChecks { day }).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a check for every group with a link not checked for a week.
pub async fn queue_due_checks(svc: &Services, day: &str) -> AppResult<usize> {
    let before = svc.clock.now() - Duration::days(RECHECK_AFTER_DAYS);
    let mut tx = svc.db.begin().await?;
    let due = groups::groups_with_links_due(tx.ex(), before, BATCH).await?;
    for group_id in &due {
        enqueue(
            &mut tx,
            svc,
            &CheckGroupLinks {
                group_id: *group_id,
                day: day.to_owned(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Fetches each link of group `group_id` and records what was found.
/// Returns (links checked, links broken or unreachable).
pub async fn check_group_links(ctx: &JobContext, group_id: i64) -> AppResult<(usize, usize)> {
    let svc = &ctx.services;
    let links = {
        let mut conn = svc.db.conn().await?;
        groups::links(conn.ex(), group_id).await?
    };
    let mut broken = 0;
    for link in &links {
        // No transaction is held while waiting on another server.
        let found = ctx.fetcher.check(&link.url).await;
        if matches!(found.status, "broken" | "unreachable") {
            broken += 1;
        }
        let mut tx = svc.db.begin().await?;
        groups::record_link_check(
            tx.ex(),
            link.id,
            found.status,
            &found.detail,
            found.final_url.as_deref(),
            svc.clock.now(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((links.len(), broken))
}
