//! Keeping entries true: every six months the organizers are asked by email
//! to confirm their group's entry with one click.

use super::revisions::record;
use crate::accounts::{LinkPurpose, issue_link_about, spend};
use crate::jobs::{BackgroundJob, JobContext, JobError};
use crate::mail::{queue_email, templates};
use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_store::groups;
use serde::{Deserialize, Serialize};

/// Entries are due for a confirmation request this long after their last confirmation.
pub const ASK_AFTER_DAYS: i64 = 182;

/// Most entries asked about in one run (the next run takes the rest).
const BATCH: i64 = 500;

/// The scheduled job that emails organizers of entries due for confirmation.
/// `serve` enqueues one a day (its key is the date, so several nodes enqueue it once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestConfirmations {
    /// The day this run is for (`YYYY-MM-DD`), its idempotency key.
    pub day: String,
}

impl BackgroundJob for RequestConfirmations {
    const KIND: &'static str = "request_group_confirmations";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("confirmations:{}", self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        request_confirmations(&ctx.services)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Emails the organizers of every entry due for confirmation; returns how many entries.
pub async fn request_confirmations(svc: &Services) -> AppResult<usize> {
    let now = svc.clock.now();
    let due_before = now - Duration::days(ASK_AFTER_DAYS);
    let mut tx = svc.db.begin().await?;
    let due = groups::due_for_confirmation(tx.ex(), due_before, due_before, BATCH).await?;
    for group in &due {
        // The link names the group by id, so a rename before it is used
        // still confirms this group and no other.
        let group_subject = convene_domain::Scope::Group(group.id).to_stored();
        for (user_id, email, name) in groups::organizers(tx.ex(), group.id).await? {
            let token = issue_link_about(
                &mut tx,
                svc,
                LinkPurpose::ConfirmGroup,
                Some(user_id),
                &email,
                LinkPurpose::ConfirmGroup.lifetime(),
                Some(&group_subject),
            )
            .await?;
            let confirm = svc
                .site
                .link(&format!("/groups/confirm/{}", token.expose()));
            let edit = svc.site.link(&format!("/groups/{}/edit", group.slug));
            queue_email(
                &mut tx,
                svc,
                &email,
                Some(&name),
                templates::confirm_group(&svc.site.name, &name, &group.name, &confirm, &edit),
            )
            .await?;
        }
        groups::mark_confirmation_requested(tx.ex(), group.id, now).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Uses a confirmation link: the entry is confirmed by the organizer it was
/// sent to. Returns the group's slug.
pub async fn confirm_by_link(svc: &Services, token: &str) -> AppResult<String> {
    let mut tx = svc.db.begin().await?;
    let link = spend(&mut tx, svc, token, LinkPurpose::ConfirmGroup).await?;
    let slug = link
        .subject
        .ok_or(AppError::NotFound("This link is not valid."))?;
    // Links sent before groups were named by id carry the slug.
    let group = match convene_domain::Scope::from_stored(&slug) {
        Some(convene_domain::Scope::Group(id)) => groups::by_id(tx.ex(), id).await?,
        _ => groups::by_slug(tx.ex(), &slug).await?,
    }
    .ok_or(AppError::NotFound("That group is no longer listed."))?;
    groups::confirm(tx.ex(), group.id, link.user_id, svc.clock.now()).await?;
    record(
        &mut tx,
        svc,
        group.id,
        link.user_id,
        "confirmed as current (emailed link)",
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(group.slug)
}

/// Queues today's confirmation run, once however many nodes ask.
pub async fn schedule_confirmations(svc: &Services) -> AppResult<()> {
    let day = svc.clock.now().format("%Y-%m-%d").to_string();
    let mut tx = svc.db.begin().await?;
    crate::jobs::enqueue(&mut tx, svc, &RequestConfirmations { day }).await?;
    tx.commit().await?;
    Ok(())
}
