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
use crate::mail::MailError;
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Datelike, Utc};
use convene_domain::lists::{bounce_address, digest_subject, digest_title, digest_volume};
use convene_store::list_digests::{self, DigestProblem, DigestRow, FailedDigest};
use convene_store::lists::{self as lists_store, ListRow};
use serde::{Deserialize, Serialize};

// Digests are delivered under the fan-out's rules: batch size, attempts
// per copy, and when the relay itself counts as in trouble.
use super::fanout::{BATCH, MAX_DELIVERY_ATTEMPTS, RELAY_TROUBLE};

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
    let mut after = 0;
    let mut deferred = 0usize;
    let mut deferred_in_a_row = 0usize;
    let mut last_error = String::new();
    loop {
        let batch = {
            let mut conn = svc.db.conn().await.map_err(db)?;
            list_digests::claim_queued(conn.ex(), digest.id, after, BATCH)
                .await
                .map_err(db)?
        };
        let Some(last) = batch.last() else {
            break;
        };
        after = last.member_id;
        for d in batch {
            // A member's digest holds what arrived after they chose digests.
            let theirs: Vec<DigestEntry<'_>> = messages
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
            // A member who left or paused since the digest was recorded
            // gets nothing; one who switched to each message still gets
            // this digest, since its messages did not reach them one by one.
            let outcome = if d.member_state != "active" || d.delivery == "paused" {
                Err(("skipped", "the member left or paused delivery".to_owned()))
            } else if theirs.is_empty() {
                Err(("skipped", "nothing in it is new to the member".to_owned()))
            } else {
                let mut own = fields.clone();
                own.extend(ListCopy::member_fields(
                    &unsubscribe_web,
                    &leave_mailto,
                    &d.token,
                ));
                let bytes = digest_mime::build(&own, &title, &theirs, &list.footer);
                let envelope = bounce_address(&list.name, &d.token, &domain);
                match ctx.mailer.send_raw(&envelope, &d.email, &bytes).await {
                    Ok(()) => Ok(()),
                    Err(MailError::Permanent(e)) => Err(("failed", e)),
                    Err(MailError::Transient(e)) if d.attempts + 1 >= MAX_DELIVERY_ATTEMPTS => {
                        Err(("failed", e))
                    }
                    Err(MailError::Transient(e)) => Err(("queued", e)),
                }
            };
            let now = svc.clock.now();
            let mut tx = svc.db.begin().await.map_err(db)?;
            match outcome {
                Ok(()) => {
                    deferred_in_a_row = 0;
                    list_digests::mark_sent(tx.ex(), digest.id, d.member_id, now)
                        .await
                        .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                }
                Err((state, error)) => {
                    list_digests::mark_unsent(tx.ex(), digest.id, d.member_id, state, &error, now)
                        .await
                        .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                    if state == "failed" {
                        tracing::warn!(list = %list.name, member = d.member_id, error = %error, "a digest could not be delivered");
                    }
                    if state == "queued" {
                        deferred += 1;
                        deferred_in_a_row += 1;
                        last_error = error;
                        if deferred_in_a_row >= RELAY_TROUBLE {
                            return Err(JobError::Retry(format!(
                                "the relay refused {deferred_in_a_row} digests in a row for now: {last_error}"
                            )));
                        }
                    }
                }
            }
        }
    }
    if deferred > 0 {
        return Err(JobError::Retry(format!(
            "{deferred} digests wait for another try: {last_error}"
        )));
    }
    Ok(())
}
