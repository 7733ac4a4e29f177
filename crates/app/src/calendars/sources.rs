//! Outside feeds a calendar subscribes to (Google Calendar, Meetup...):
//! adding and removing one, and the job that syncs each every hour with a
//! conditional GET, its events going through the import in
//! [`super::import`].

use super::import::{ImportReport, MAX_ICS_BYTES, SYNC_EVERY_MINUTES, apply};
use super::{Calendar, may_edit, touched};
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::groups::check_url;
use convene_domain::{Actor, InvalidInput};
use convene_ical::Limits;
use convene_store::calendars::{self, SourceRow};
use convene_store::events::EventOwner;
use serde::{Deserialize, Serialize};

/// An editor subscribes `cal` to an outside iCalendar feed. The address is
/// checked (http or https, not a private or local address) and the first
/// sync is queued.
pub async fn add_source(
    svc: &Services,
    fetcher: &crate::net::Fetcher,
    actor: &Actor,
    cal: &Calendar,
    url: &str,
) -> AppResult<i64> {
    may_edit(cal, actor)?;
    let mut url = url.trim().to_owned();
    if let Some(rest) = url.strip_prefix("webcal://") {
        url = format!("https://{rest}");
    }
    let url = check_url("url", &url)?;
    if url.starts_with("mailto:") {
        return Err(InvalidInput::new("url", "Give the feed's web address (https://...).").into());
    }
    fetcher
        .screen(&url)
        .await
        .map_err(|e| InvalidInput::new("url", format!("This address cannot be used: {e}.")))?;
    let (group_id, calendar_id) = cal.owner();
    if group_id.is_none() && calendar_id.is_none() {
        return Err(InvalidInput::new(
            "url",
            "Subscribe a group's or a regional calendar, not the site-wide one.",
        )
        .into());
    }
    let mut tx = svc.db.begin().await?;
    let id = calendars::insert_source(
        tx.ex(),
        group_id,
        calendar_id,
        &url,
        actor.user_id,
        svc.clock.now(),
    )
    .await?;
    enqueue(
        &mut tx,
        svc,
        &SyncSource {
            source_id: id,
            slot: String::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An editor removes an outside feed and its events.
pub async fn remove_source(
    svc: &Services,
    actor: &Actor,
    cal: &Calendar,
    source_id: i64,
) -> AppResult<()> {
    may_edit(cal, actor)?;
    let (group_id, calendar_id) = cal.owner();
    let mut tx = svc.db.begin().await?;
    let src = calendars::source(tx.ex(), source_id)
        .await?
        .filter(|s| s.group_id == group_id && s.calendar_id == calendar_id)
        .ok_or(AppError::NotFound(
            "This calendar has no such outside feed.",
        ))?;
    crate::federation::following::undo_in(&mut tx, svc, src.id).await?;
    calendars::delete_source(tx.ex(), src.id).await?;
    touched(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Fetches one outside feed (conditionally) and applies it. Returns the
/// report, or `None` when the feed had not changed.
pub async fn sync_source(ctx: &JobContext, source_id: i64) -> AppResult<Option<ImportReport>> {
    let svc = &ctx.services;
    let src: SourceRow = {
        let mut conn = svc.db.conn().await?;
        match calendars::source(conn.ex(), source_id).await? {
            Some(s) => s,
            None => return Ok(None),
        }
    };
    let mut headers = Vec::new();
    if let Some(etag) = &src.etag {
        headers.push(("if-none-match", etag.clone()));
    }
    if let Some(lm) = src.last_modified {
        headers.push(("if-modified-since", lm.to_rfc2822().replace("+0000", "GMT")));
    }
    let now = svc.clock.now();
    // No transaction is held while waiting on the other server.
    let fetched = ctx.fetcher.get(&src.url, &headers, MAX_ICS_BYTES).await;
    let fail = |why: String| async move {
        let mut tx = svc.db.begin().await?;
        calendars::record_sync(tx.ex(), source_id, now, false, None, None, Some(&why)).await?;
        tx.commit().await?;
        Ok::<_, AppError>(None)
    };
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => return fail(e).await,
    };
    let last_modified = fetched
        .last_modified
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc2822(s).ok())
        .map(|d| d.with_timezone(&Utc));
    match fetched.status {
        304 => {
            let mut tx = svc.db.begin().await?;
            calendars::record_sync(tx.ex(), source_id, now, true, None, None, None).await?;
            tx.commit().await?;
            Ok(None)
        }
        200 => {
            let parsed = match convene_ical::parse_upload(
                &fetched.body,
                Limits {
                    max_bytes: MAX_ICS_BYTES,
                    ..Limits::default()
                },
            ) {
                Ok(p) => p,
                Err(e) => return fail(format!("not a usable iCalendar feed: {e}")).await,
            };
            let mut tx = svc.db.begin().await?;
            let report = apply(
                &mut tx,
                svc,
                EventOwner {
                    group_id: src.group_id,
                    calendar_id: src.calendar_id,
                    source_id: Some(src.id),
                },
                parsed,
                None,
            )
            .await?;
            let note = match (report.skipped.first(), report.notes.first()) {
                (Some((what, why)), _) => Some(format!(
                    "{}; first skipped: {what} — {why}",
                    report.summary()
                )),
                (None, Some((what, why))) => Some(format!(
                    "{}; first remark: {what} — {why}",
                    report.summary()
                )),
                (None, None) => None,
            };
            calendars::record_sync(
                tx.ex(),
                source_id,
                now,
                true,
                fetched.etag.as_deref(),
                last_modified,
                note.as_deref(),
            )
            .await?;
            tx.commit().await?;
            Ok(Some(report))
        }
        other => fail(format!("the feed answered HTTP {other}")).await,
    }
}

/// Syncs one outside feed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncSource {
    /// The feed.
    pub source_id: i64,
    /// The scheduling slot (hour), so each feed is queued at most once per slot.
    pub slot: String,
}

impl BackgroundJob for SyncSource {
    const KIND: &'static str = "sync_calendar_source";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        (!self.slot.is_empty()).then(|| format!("ics-sync:{}:{}", self.source_id, self.slot))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        sync_source(&ctx, self.source_id)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// The hourly run: queues a sync of every feed not fetched for an hour.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncCalendarSources {
    /// The hour (`YYYY-MM-DDTHH`), its idempotency key.
    pub slot: String,
}

impl BackgroundJob for SyncCalendarSources {
    const KIND: &'static str = "sync_calendar_sources";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("ics-syncs:{}", self.slot))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let queue = async {
            let before = svc.clock.now() - Duration::minutes(SYNC_EVERY_MINUTES - 5);
            let mut tx = svc.db.begin().await?;
            // Keyed by the hour it runs in, so two late runs queue each feed once.
            let slot = svc.clock.now().format("%Y-%m-%dT%H").to_string();
            for src in calendars::sources_due(tx.ex(), before, 1000).await? {
                enqueue(
                    &mut tx,
                    svc,
                    &SyncSource {
                        source_id: src.id,
                        slot: slot.clone(),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok::<_, AppError>(())
        };
        queue.await.map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Queues this hour's sync run, once however many nodes ask.
pub async fn schedule_source_syncs(svc: &Services) -> AppResult<()> {
    let slot = svc.clock.now().format("%Y-%m-%dT%H").to_string();
    let mut tx = svc.db.begin().await?;
    enqueue(&mut tx, svc, &SyncCalendarSources { slot }).await?;
    tx.commit().await?;
    Ok(())
}
