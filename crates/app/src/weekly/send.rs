//! Sending: every Monday from [`SEND_HOUR`] in each subscriber's own zone,
//! one [`SendWeekly`] job per subscription and ISO week. The job composes
//! the digest and queues its email, or sends nothing in a week with
//! nothing to tell; either way the week is recorded, so a rerun (a second
//! node, a retry, a crash) sends nothing twice.

use super::compose::compose;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::mail::{OutgoingEmail, SendEmail, templates};
use crate::{AppResult, Services};
use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use convene_store::weekly;
use serde::{Deserialize, Serialize};

/// The local hour on Monday from which the week's email goes out.
pub const SEND_HOUR: u32 = 7;

/// The ISO week (`2026-W50`) at `now` in `tz`, and whether its email is due:
/// it is past Monday [`SEND_HOUR`] there.
fn local_week(now: DateTime<Utc>, tz: Tz) -> (String, DateTime<Utc>) {
    let local = now.with_timezone(&tz);
    let week = local.iso_week();
    let monday = local.date_naive()
        - chrono::Duration::days(i64::from(local.weekday().num_days_from_monday()));
    let start = tz
        .from_local_datetime(
            &monday.and_time(NaiveTime::from_hms_opt(SEND_HOUR, 0, 0).unwrap_or(NaiveTime::MIN)),
        )
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc));
    (format!("{}-W{:02}", week.year(), week.week()), start)
}

/// Queues this week's email for every subscription whose Monday morning
/// has come and that was confirmed before it (a subscription made mid-week
/// starts the next Monday). Safe to call often and from several nodes.
/// Returns how many jobs were queued.
pub async fn queue_due(svc: &Services) -> AppResult<usize> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let mut queued = 0;
    for row in weekly::confirmed(tx.ex()).await? {
        let tz: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
        let (week, due_from) = local_week(now, tz);
        let confirmed_before = row.confirmed_at.is_some_and(|c| c < due_from);
        if now < due_from || !confirmed_before || row.last_week.as_deref() == Some(week.as_str()) {
            continue;
        }
        let job = SendWeekly {
            subscription_id: row.id,
            week,
        };
        if enqueue(&mut tx, svc, &job).await?.is_some() {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// Makes and queues one subscriber's email for one week.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendWeekly {
    /// The subscription.
    pub subscription_id: i64,
    /// The ISO week in the subscriber's zone (`2026-W50`).
    pub week: String,
}

impl BackgroundJob for SendWeekly {
    const KIND: &'static str = "weekly_digest";
    const MAX_ATTEMPTS: i64 = 5;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("weekly:{}:{}", self.subscription_id, self.week))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        send_one(&ctx.services, self.subscription_id, &self.week)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Composes subscription `id`'s digest for `week` and queues its email;
/// returns whether one was queued (not when there is nothing new, the
/// subscription is gone, or the week was already done).
pub async fn send_one(svc: &Services, id: i64, week: &str) -> AppResult<bool> {
    let now = svc.clock.now();
    let row = {
        let mut conn = svc.db.conn().await?;
        weekly::by_id(conn.ex(), id).await?
    };
    let Some(row) = row.filter(|r| r.confirmed_at.is_some()) else {
        return Ok(false);
    };
    if row.last_week.as_deref() == Some(week) {
        return Ok(false);
    }
    let digest = compose(svc, &row, now).await?;
    let mut tx = svc.db.begin().await?;
    // Looked at again inside the transaction: another node may have
    // finished this week, or the member may have left, meanwhile.
    let Some(current) = weekly::by_id(tx.ex(), id).await? else {
        return Ok(false);
    };
    if current.last_week.as_deref() == Some(week) {
        return Ok(false);
    }
    let Some(digest) = digest.filter(|d| !d.is_empty()) else {
        weekly::mark_week(tx.ex(), id, week, None).await?;
        tx.commit().await?;
        return Ok(false);
    };
    let name = match row.user_id {
        Some(uid) => convene_store::users::by_id(tx.ex(), uid)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let unsubscribe = svc.site.link(&format!("/unsubscribe/weekly/{}", row.token));
    let rendered = templates::weekly_digest(
        &svc.site.name,
        name.as_deref(),
        &digest,
        &svc.site.link("/weekly"),
        &unsubscribe,
    );
    let host = svc
        .site
        .base_url
        .host_str()
        .unwrap_or("localhost")
        .to_owned();
    let email = OutgoingEmail {
        from: svc.site.mail_from.clone(),
        from_name: svc.site.name.clone(),
        to: row.email.clone(),
        to_name: name,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: format!("<weekly-{id}-{week}@{host}>"),
        date: now,
        reply_to: None,
        calendar: None,
        unsubscribe: Some(unsubscribe),
    };
    email.validate()?;
    enqueue(&mut tx, svc, &SendEmail { email }).await?;
    weekly::mark_week(tx.ex(), id, week, Some(now)).await?;
    tx.commit().await?;
    Ok(true)
}
