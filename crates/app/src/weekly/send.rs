//! Sending: every Monday from [`SEND_HOUR`] in each subscriber's own zone,
//! the subscriptions whose morning has come are recorded in the delivery
//! ledger as one sending, and one [`SendWeekly`] job sends it through the
//! delivery engine ([`crate::delivery`]): each subscriber's digest is
//! composed for them and marked sent as the relay takes it, or skipped in
//! a week with nothing to tell. Either way the week is recorded when it is
//! queued, so a rerun (a second node, a retry, a crash) sends nothing twice
//! (but for at most one copy per relay connection at a crash, with the
//! same Message-ID).

use super::compose::compose;
use crate::delivery::{self, Copy, Ledger, Outcome};
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::mail::{OutgoingEmail, templates};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use convene_store::deliveries::{self, Batch, BatchKind};
use convene_store::{Db, StoreError, Tx, weekly};
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
/// starts the next Monday), as one sending. Safe to call often and from
/// several nodes. Returns how many subscriptions were queued.
pub async fn queue_due(svc: &Services) -> AppResult<usize> {
    let now = svc.clock.now();
    let sending = sending_id(now);
    let mut tx = svc.db.begin().await?;
    let mut queued = 0;
    for row in weekly::confirmed(tx.ex()).await? {
        let tz: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
        let (week, due_from) = local_week(now, tz);
        let confirmed_before = row.confirmed_at.is_some_and(|c| c < due_from);
        if now < due_from || !confirmed_before || row.last_week.as_deref() == Some(week.as_str()) {
            continue;
        }
        if queue_one(&mut tx, svc, row.id, &week, sending).await? {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// The sending (its ledger batch) that subscriptions queued at `now` join:
/// the moment in milliseconds, so that each sending has its own job.
fn sending_id(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

/// Records that subscription `id` gets `week`'s email in `sending`, and
/// queues the sending's job. False when the week was already queued (by
/// another node meanwhile).
async fn queue_one(
    tx: &mut Tx,
    svc: &Services,
    id: i64,
    week: &str,
    sending: i64,
) -> AppResult<bool> {
    // Taking the week first settles a race between nodes: the second
    // waits for the first's row and then finds the week taken.
    if weekly::take_week(tx.ex(), id, week).await? == 0 {
        return Ok(false);
    }
    deliveries::queue(tx.ex(), batch(sending), id, svc.clock.now()).await?;
    enqueue(
        tx,
        svc,
        &SendWeekly {
            sending,
            week: week.to_owned(),
        },
    )
    .await?;
    Ok(true)
}

fn batch(sending: i64) -> Batch {
    Batch::new(BatchKind::Weekly, sending)
}

/// Sends one sending of the weekly email: every subscription queued in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendWeekly {
    /// The sending: when it was queued, in milliseconds since 1970.
    pub sending: i64,
    /// The ISO week it is for, in its subscribers' zones (`2026-W50`).
    pub week: String,
}

impl BackgroundJob for SendWeekly {
    const KIND: &'static str = "weekly_sending";
    const MAX_ATTEMPTS: i64 = 5;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("weekly-sending:{}", self.sending))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let mail = WeeklyMail {
            sending: self.sending,
            week: self.week,
            svc: svc.clone(),
            host: svc
                .site
                .base_url
                .host_str()
                .unwrap_or("localhost")
                .to_owned(),
        };
        let sent = delivery::deliver(&ctx, mail, "emails").await;
        // When each email went out, for the next week's "new posts".
        let noted = async {
            let mut tx = svc.db.begin().await?;
            weekly::mark_sent_from_ledger(tx.ex(), self.sending).await?;
            tx.commit().await
        }
        .await;
        sent?;
        noted.map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// One subscriber's email for one week, as jobs queued before sendings
/// went through the delivery engine carry it: it now joins a sending.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueueWeeklyOne {
    /// The subscription.
    pub subscription_id: i64,
    /// The ISO week in the subscriber's zone (`2026-W50`).
    pub week: String,
}

impl BackgroundJob for QueueWeeklyOne {
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

/// Queues subscription `id`'s email for `week` now, unless that week was
/// queued already (or the subscription is gone or unconfirmed); returns
/// whether it was queued.
pub async fn send_one(svc: &Services, id: i64, week: &str) -> AppResult<bool> {
    let mut tx = svc.db.begin().await?;
    let Some(row) = weekly::by_id(tx.ex(), id)
        .await?
        .filter(|r| r.confirmed_at.is_some())
    else {
        return Ok(false);
    };
    if row.last_week.as_deref() == Some(week) {
        return Ok(false);
    }
    let queued = queue_one(&mut tx, svc, id, week, sending_id(svc.clock.now())).await?;
    tx.commit().await?;
    Ok(queued)
}

/// One sending of the weekly email, as the delivery engine sends it: each
/// subscriber's digest is composed when their copy is made.
struct WeeklyMail {
    sending: i64,
    week: String,
    svc: Services,
    host: String,
}

impl Ledger for WeeklyMail {
    type Queued = weekly::QueuedWeekly;

    fn batch(&self) -> Batch {
        batch(self.sending)
    }

    fn recipient(q: &weekly::QueuedWeekly) -> i64 {
        q.subscription.id
    }

    fn attempts(q: &weekly::QueuedWeekly) -> i64 {
        q.attempts
    }

    async fn claim(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
    ) -> Result<Vec<weekly::QueuedWeekly>, StoreError> {
        let mut conn = db.conn().await?;
        weekly::claim(conn.ex(), self.sending, after, limit).await
    }

    async fn prepare(&self, q: &weekly::QueuedWeekly) -> Result<Copy, Outcome> {
        let row = &q.subscription;
        if row.confirmed_at.is_none() {
            return Err(Outcome::Skipped("the subscription is not confirmed".into()));
        }
        let for_now = |e: AppError| delivery::engine::refused_for_now(e.to_string(), q.attempts);
        match self.email(row).await.map_err(for_now)? {
            Some(email) => Ok(Copy::Email(Box::new(email))),
            None => Err(Outcome::Skipped("nothing new this week".into())),
        }
    }
}

impl WeeklyMail {
    /// The subscriber's email this week, or none when there is nothing to
    /// tell.
    async fn email(&self, row: &weekly::WeeklyRow) -> AppResult<Option<OutgoingEmail>> {
        let svc = &self.svc;
        let now = svc.clock.now();
        let Some(digest) = compose(svc, row, now).await?.filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        let name = match row.user_id {
            Some(uid) => {
                let mut conn = svc.db.conn().await?;
                convene_store::users::by_id(conn.ex(), uid)
                    .await?
                    .map(|u| u.display_name)
            }
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
        let email = OutgoingEmail {
            from: svc.site.mail_from.clone(),
            from_name: svc.site.name.clone(),
            to: row.email.clone(),
            to_name: name,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("<weekly-{}-{}@{}>", row.id, self.week, self.host),
            date: now,
            reply_to: None,
            calendar: None,
            unsubscribe: Some(unsubscribe),
        };
        email.validate()?;
        Ok(Some(email))
    }
}
