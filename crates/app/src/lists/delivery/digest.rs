//! Daily digests: once a day each list with digest members gathers the
//! messages accepted since its last digest into one MIME digest, and sends
//! each digest member their own copy (their bounce address and unsubscribe
//! link).
//!
//! Durable like the fan-out: the digest (which messages, which members) is
//! recorded in one transaction before anything is sent, and each member's
//! copy is marked sent as soon as the relay takes it, so a run that stops
//! half way resumes with the members still queued and nobody gets a
//! digest twice (except the one copy the relay was taking at the instant
//! the process died; it carries the same Message-ID). A member's digest
//! holds the messages that arrived after they chose digests; nothing is
//! recorded or sent on a day with nothing new.

use super::digest_mime::{self, DigestEntry};
use super::fanout::ListCopy;
use super::headers;
use super::mail_domain;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Datelike, Utc};
use convene_domain::lists::{bounce_address, digest_subject, digest_title, digest_volume};
use convene_store::deliveries::Batch;
use convene_store::list_digests::{self, DigestProblem, DigestRow, FailedDigest};
use convene_store::lists::{self as lists_store, ListRow};
use convene_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

// Digests are delivered under the fan-out's rules: batch size, attempts
// per copy, and when the relay itself counts as in trouble.
use crate::delivery::{self, Copy, Ledger, Outcome};

/// The daily run: queues one [`SendDigest`] per list with digest members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleDigests {
    /// The day (`YYYY-MM-DD`, UTC), its idempotency key.
    pub day: String,
}

impl BackgroundJob for ScheduleDigests {
    const KIND: &'static str = "schedule_list_digests";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("list-digests:{}", self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let queue = async {
            let mut tx = svc.db.begin().await?;
            for list_id in list_digests::lists_with_digest_members(tx.ex()).await? {
                enqueue(
                    &mut tx,
                    svc,
                    &SendDigest {
                        list_id,
                        day: self.day.clone(),
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

/// Queues today's digests, once however many nodes ask (the job is keyed
/// by the day).
pub async fn schedule_digests(svc: &Services) -> AppResult<()> {
    let day = svc.clock.now().format("%Y-%m-%d").to_string();
    let mut tx = svc.db.begin().await?;
    enqueue(&mut tx, svc, &ScheduleDigests { day }).await?;
    tx.commit().await?;
    Ok(())
}

/// How a member's digests have gone, for their subscriptions page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// When the relay last took one of their digests.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// A later digest an error held up or stopped.
    pub problem: Option<DigestProblem>,
}

/// How the digests of the subscription `member_id` have gone.
pub async fn digest_report(svc: &Services, member_id: i64) -> AppResult<DigestReport> {
    let mut conn = svc.db.conn().await?;
    let last_sent_at = list_digests::last_sent(conn.ex(), member_id).await?;
    let problem = list_digests::last_problem(conn.ex(), member_id, last_sent_at).await?;
    Ok(DigestReport {
        last_sent_at,
        problem,
    })
}

/// The list's digest copies that an error held up or stopped in the last
/// two weeks, for its moderators.
pub async fn digest_failures(svc: &Services, list_id: i64) -> AppResult<Vec<FailedDigest>> {
    let mut conn = svc.db.conn().await?;
    Ok(list_digests::failures(
        conn.ex(),
        list_id,
        svc.clock.now() - chrono::Duration::days(14),
        50,
    )
    .await?)
}

/// Makes and sends one list's digest for one day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendDigest {
    /// The list.
    pub list_id: i64,
    /// The day (`YYYY-MM-DD`, UTC).
    pub day: String,
}

impl BackgroundJob for SendDigest {
    const KIND: &'static str = "list_digest";

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("list-digest:{}:{}", self.list_id, self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let db = |e: convene_store::StoreError| JobError::Retry(e.to_string());
        let list = {
            let mut conn = svc.db.conn().await.map_err(db)?;
            lists_store::by_id(conn.ex(), self.list_id)
                .await
                .map_err(db)?
        };
        let Some(list) = list else {
            return Ok(());
        };
        let Some(digest) = record(svc, &list, &self.day).await.map_err(db)? else {
            return Ok(());
        };
        send(&ctx, &list, &digest).await
    }
}

/// The list's digest for `day`: the one already recorded (a run resuming),
/// or a new one with its messages and members, or `None` when there is
/// nothing new for anyone.
async fn record(
    svc: &Services,
    list: &ListRow,
    day: &str,
) -> Result<Option<DigestRow>, convene_store::StoreError> {
    let mut tx = svc.db.begin().await?;
    if let Some(done) = list_digests::by_day(tx.ex(), list.id, day).await? {
        return Ok(Some(done));
    }
    let now = svc.clock.now();
    let volume = digest_volume(list.created_at.year(), now.year());
    let issue = list_digests::next_issue(tx.ex(), list.id, volume).await?;
    let id = list_digests::insert(tx.ex(), list.id, day, volume, issue, now).await?;
    let gathered = list_digests::gather_messages(tx.ex(), id, list.id, now).await?;
    if gathered == 0 {
        // Dropping the transaction forgets the empty digest.
        return Ok(None);
    }
    if list_digests::queue_members(tx.ex(), id, list.id, now).await? == 0 {
        return Ok(None);
    }
    let digest = list_digests::by_day(tx.ex(), list.id, day).await?;
    tx.commit().await?;
    Ok(digest)
}

/// Sends every copy of `digest` still queued.
async fn send(ctx: &JobContext, list: &ListRow, digest: &DigestRow) -> Result<(), JobError> {
    let svc = &ctx.services;
    let db = |e: convene_store::StoreError| JobError::Retry(e.to_string());
    let messages = {
        let mut conn = svc.db.conn().await.map_err(db)?;
        list_digests::messages(conn.ex(), digest.id)
            .await
            .map_err(db)?
    };
    let domain = mail_domain(svc);
    let title = digest_title(&list.display_name, digest.volume, digest.issue);
    let mut fields = vec![
        (
            "From".to_owned(),
            format!(
                "{} <{}@{domain}>",
                headers::encode_display_name(&list.display_name),
                list.name
            ),
        ),
        ("To".to_owned(), format!("<{}@{domain}>", list.name)),
        (
            "Subject".to_owned(),
            headers::encode_text(&digest_subject(
                &list.subject_prefix,
                &list.display_name,
                digest.volume,
                digest.issue,
            )),
        ),
        ("Date".to_owned(), digest.created_at.to_rfc2822()),
        (
            "Message-ID".to_owned(),
            format!(
                "<digest.{}.{}.{}@{domain}>",
                digest.volume, digest.issue, list.name
            ),
        ),
    ];
    fields.extend(ListCopy::list_fields(svc, list));
    let (unsubscribe_web, leave_mailto) = ListCopy::unsubscribe_links(svc, list);
    let ledger = Digests {
        digest_id: digest.id,
        list_name: list.name.clone(),
        footer: list.footer.clone(),
        domain,
        title,
        fields,
        unsubscribe_web,
        leave_mailto,
        messages,
    };
    delivery::deliver(ctx, ledger, "digests").await
}

/// The copies of one digest, as the delivery engine sends them.
struct Digests {
    digest_id: i64,
    list_name: String,
    footer: String,
    domain: String,
    title: String,
    fields: Vec<(String, String)>,
    unsubscribe_web: String,
    leave_mailto: String,
    messages: Vec<convene_store::list_messages::ListMessageRow>,
}

impl Ledger for Digests {
    type Queued = list_digests::QueuedDigest;

    fn batch(&self) -> Batch {
        list_digests::batch(self.digest_id)
    }

    fn recipient(q: &list_digests::QueuedDigest) -> i64 {
        q.member_id
    }

    fn attempts(q: &list_digests::QueuedDigest) -> i64 {
        q.attempts
    }

    async fn claim(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
    ) -> Result<Vec<list_digests::QueuedDigest>, StoreError> {
        let mut conn = db.conn().await?;
        list_digests::claim_queued(conn.ex(), self.digest_id, after, limit).await
    }

    async fn prepare(&self, d: &list_digests::QueuedDigest) -> Result<Copy, Outcome> {
        // A member who left or paused since the digest was recorded gets
        // nothing; one who switched to each message still gets this
        // digest, since its messages did not reach them one by one.
        if d.member_state != "active" || d.delivery == "paused" {
            return Err(Outcome::Skipped(
                "the member left or paused delivery".to_owned(),
            ));
        }
        // A member's digest holds what arrived after they chose digests.
        let theirs: Vec<DigestEntry<'_>> = self
            .messages
            .iter()
            .filter(|m| m.received_at >= d.since)
            .map(|m| DigestEntry {
                subject: &m.subject,
                author: if m.from_name.is_empty() {
                    &m.from_email
                } else {
                    &m.from_name
                },
                raw: &m.raw,
            })
            .collect();
        if theirs.is_empty() {
            return Err(Outcome::Skipped(
                "nothing in it is new to the member".to_owned(),
            ));
        }
        let mut own = self.fields.clone();
        own.extend(ListCopy::member_fields(
            &self.unsubscribe_web,
            &self.leave_mailto,
            &d.token,
        ));
        Ok(Copy::Raw {
            envelope: bounce_address(&self.list_name, &d.token, &self.domain),
            to: d.email.clone(),
            bytes: digest_mime::build(&own, &self.title, &theirs, &self.footer),
        })
    }
}
