//! The one ledger of who got what, for every bulk send: a row per copy,
//! keyed by its batch (a list message, a digest, a blog post, a sending of
//! the weekly email) and its recipient. Written before anything is sent
//! and as each copy's answer comes back, so a send that stops half way
//! resumes with the recipients still queued.
//!
//! Reading the queued copies joins the recipient's own table, so it lives
//! beside each kind (`list_messages::claim_queued`,
//! `list_digests::claim_queued`, `posts::claim_mail`, `weekly::claim`);
//! writing the answers is the same for all and lives here.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// What a batch of copies is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchKind {
    /// A list message's copies (batch: the message, recipient: the member).
    List,
    /// A list digest's copies (batch: the digest, recipient: the member).
    Digest,
    /// A blog post's mail (batch: the post, recipient: the user).
    Post,
    /// One sending of the weekly email (batch: its moment in Unix seconds,
    /// recipient: the subscription).
    Weekly,
}

impl BatchKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Digest => "digest",
            Self::Post => "post",
            Self::Weekly => "weekly",
        }
    }
}

/// One batch of copies in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Batch {
    /// What it is.
    pub kind: BatchKind,
    /// Which one, within its kind.
    pub id: i64,
}

impl Batch {
    /// The batch `id` of `kind`.
    pub fn new(kind: BatchKind, id: i64) -> Self {
        Self { kind, id }
    }
}

/// What became of a copy that did not go out this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// Refused for now: tried again on the job's next run.
    Deferred,
    /// Refused for good.
    Failed,
    /// Not to be sent (the recipient left, or it holds nothing for them).
    Skipped,
}

impl Unsent {
    fn state(self) -> &'static str {
        match self {
            Self::Deferred => "queued",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// Queues one copy of `batch` for `recipient`, unless the ledger already
/// has it (in any state). Returns whether it was queued now.
pub async fn queue(ex: Ex<'_>, batch: Batch, recipient: i64, now: DateTime<Utc>) -> Result<bool> {
    Ok(execute!(
        ex,
        "INSERT INTO deliveries (batch_kind, batch_id, recipient_id, state, attempts, updated_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4) ON CONFLICT (batch_kind, batch_id, recipient_id) DO NOTHING",
        batch.kind.as_str(),
        batch.id,
        recipient,
        now
    )? == 1)
}

/// Whether the ledger holds any copy of `batch`.
pub async fn exists(ex: Ex<'_>, batch: Batch) -> Result<bool> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE batch_kind = $1 AND batch_id = $2 LIMIT 1) AS one"
    )
    .bind(batch.kind.as_str())
    .bind(batch.id)
    .fetch_one(c)
    .await
    })? > 0)
}

/// Records that the relay took the copies of `batch` for `recipients`, in
/// one statement. Returns how many were still queued (the others were
/// recorded by an earlier run).
pub async fn mark_sent_many(
    ex: Ex<'_>,
    batch: Batch,
    recipients: &[i64],
    now: DateTime<Utc>,
) -> Result<u64> {
    if recipients.is_empty() {
        return Ok(0);
    }
    let marks: Vec<String> = (0..recipients.len())
        .map(|i| format!("${}", i + 4))
        .collect();
    let sql = format!(
        "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = $3, updated_at = $3 \
         WHERE batch_kind = $1 AND batch_id = $2 AND state = 'queued' AND recipient_id IN ({})",
        marks.join(", ")
    );
    Ok(run!(ex, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(batch.kind.as_str())
            .bind(batch.id)
            .bind(now);
        for r in recipients {
            q = q.bind(r);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?)
}

/// Records a copy that did not go out this time, with why. False if it
/// was not queued any more.
pub async fn mark_unsent(
    ex: Ex<'_>,
    batch: Batch,
    recipient: i64,
    unsent: Unsent,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(execute!(
        ex,
        "UPDATE deliveries SET state = $4, attempts = attempts + 1, last_error = $5, updated_at = $6 \
         WHERE batch_kind = $1 AND batch_id = $2 AND recipient_id = $3 AND state = 'queued'",
        batch.kind.as_str(),
        batch.id,
        recipient,
        unsent.state(),
        error,
        now
    )? == 1)
}

/// How many copies of a batch are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Still to send.
    pub queued: i64,
    /// Taken by the relay.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
    /// Not to be sent.
    pub skipped: i64,
}

/// Counts a batch's copies by state (the primary key's range).
pub async fn count(ex: Ex<'_>, batch: Batch) -> Result<Counts> {
    let rows: Vec<(String, i64)> = run!(ex, |c| {
        sqlx::query_as::<_, (String, i64)>(
        "SELECT state, COUNT(*) FROM deliveries WHERE batch_kind = $1 AND batch_id = $2 GROUP BY state"
    )
    .bind(batch.kind.as_str())
    .bind(batch.id)
    .fetch_all(c)
    .await
    })?;
    let mut counts = Counts::default();
    for (state, n) in rows {
        match state.as_str() {
            "queued" => counts.queued += n,
            "sent" => counts.sent += n,
            "failed" => counts.failed += n,
            _ => counts.skipped += n,
        }
    }
    Ok(counts)
}

/// The recipients of `batch` whose copy the relay took, with when.
pub async fn sent(ex: Ex<'_>, batch: Batch) -> Result<Vec<(i64, DateTime<Utc>)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (i64, DateTime<Utc>)>(
        "SELECT recipient_id, sent_at FROM deliveries WHERE batch_kind = $1 AND batch_id = $2 AND state = 'sent' ORDER BY recipient_id"
    )
    .bind(batch.kind.as_str())
    .bind(batch.id)
    .fetch_all(c)
    .await
    })?)
}
