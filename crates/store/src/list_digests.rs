//! Daily digests: which messages each digest gathers and one delivery row
//! per digest and member, recorded before anything is sent so a run that
//! stops half way resumes where it stopped.

use crate::deliveries::{self, Batch, BatchKind};
use crate::list_messages::ListMessageRow;
use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A recorded digest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestRow {
    /// Id.
    pub id: i64,
    /// The list.
    pub list_id: i64,
    /// The day it was made for (`YYYY-MM-DD`, UTC).
    pub day: String,
    /// The volume: one per year of the list.
    pub volume: i64,
    /// Its number within the volume.
    pub issue: i64,
    /// When it was put together (its Date).
    pub created_at: DateTime<Utc>,
}

/// The list's digest for `day`, if one was recorded.
pub async fn by_day(ex: Ex<'_>, list_id: i64, day: &str) -> Result<Option<DigestRow>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, DigestRow>(
        "SELECT id, list_id, day, volume, issue, created_at FROM list_digests WHERE list_id = $1 AND day = $2"
    )
    .bind(list_id)
    .bind(day)
    .fetch_optional(c)
    .await
    })?)
}

/// The number the next digest of `volume` takes.
pub async fn next_issue(ex: Ex<'_>, list_id: i64, volume: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) + 1 FROM list_digests WHERE list_id = $1 AND volume = $2"
    )
    .bind(list_id)
    .bind(volume)
    .fetch_one(c)
    .await)?)
}

/// Records a digest; returns its id.
pub async fn insert(
    ex: Ex<'_>,
    list_id: i64,
    day: &str,
    volume: i64,
    issue: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO list_digests (list_id, day, volume, issue, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(list_id)
    .bind(day)
    .bind(volume)
    .bind(issue)
    .bind(now)
    .fetch_one(c)
    .await
    })?)
}

/// Puts into digest `digest_id` every accepted message of `list_id` that
/// arrived up to `until` and is in no digest yet, as long as it arrived
/// after some digest member chose digests (older ones reached everyone
/// one by one). Returns how many it took.
pub async fn gather_messages(
    ex: Ex<'_>,
    digest_id: i64,
    list_id: i64,
    until: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO list_digest_messages (digest_id, message_id) \
         SELECT $1, m.id FROM list_messages m \
         WHERE m.list_id = $2 AND m.state = 'accepted' AND m.received_at <= $3 \
         AND NOT EXISTS (SELECT 1 FROM list_digest_messages dm WHERE dm.message_id = m.id) \
         AND EXISTS (SELECT 1 FROM list_members mb WHERE mb.list_id = $2 AND mb.state = 'active' AND mb.delivery = 'digest' \
                     AND m.received_at >= COALESCE(mb.digest_since, mb.updated_at))",
        digest_id,
        list_id,
        until
    )?)
}

/// Queues the digest for every active digest member with at least one of
/// its messages (those that arrived after they chose digests). Returns
/// how many were queued.
pub async fn queue_members(
    ex: Ex<'_>,
    digest_id: i64,
    list_id: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO deliveries (batch_kind, batch_id, recipient_id, since, state, attempts, updated_at) \
         SELECT 'digest', $1, mb.id, COALESCE(mb.digest_since, mb.updated_at), 'queued', 0, $3 FROM list_members mb \
         WHERE mb.list_id = $2 AND mb.state = 'active' AND mb.delivery = 'digest' \
         AND EXISTS (SELECT 1 FROM list_digest_messages dm JOIN list_messages m ON m.id = dm.message_id \
                     WHERE dm.digest_id = $1 AND m.received_at >= COALESCE(mb.digest_since, mb.updated_at))",
        digest_id,
        list_id,
        now
    )?)
}

/// The digest's messages in the order they arrived.
pub async fn messages(ex: Ex<'_>, digest_id: i64) -> Result<Vec<ListMessageRow>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, ListMessageRow>(
        "SELECT m.id, m.list_id, m.message_id, m.in_reply_to, m.refs, m.subject, m.from_name, m.from_email, m.sent_at, m.received_at, m.month, m.body_text, m.raw, m.state, m.hold_reason \
         FROM list_digest_messages dm JOIN list_messages m ON m.id = dm.message_id WHERE dm.digest_id = $1 ORDER BY m.received_at, m.id"
    )
    .bind(digest_id)
    .fetch_all(c)
    .await
    })?)
}

/// One queued digest copy, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedDigest {
    /// The member.
    pub member_id: i64,
    /// Where the copy goes.
    pub email: String,
    /// The member's token (bounce address, unsubscribe link).
    pub token: String,
    /// The member's state now.
    pub member_state: String,
    /// The member's delivery mode now.
    pub delivery: String,
    /// Messages that arrived from this moment on are theirs.
    pub since: DateTime<Utc>,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Up to `limit` queued copies of a digest for members after
/// `after_member_id`, in member order. One job per digest runs at a time
/// (the job queue's lease), so reading the batch is claiming it.
pub async fn claim_queued(
    ex: Ex<'_>,
    digest_id: i64,
    after_member_id: i64,
    limit: i64,
) -> Result<Vec<QueuedDigest>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, QueuedDigest>(
        "SELECT d.recipient_id AS member_id, m.email, m.token, m.state AS member_state, m.delivery, d.since, d.attempts \
         FROM deliveries d JOIN list_members m ON m.id = d.recipient_id \
         WHERE d.batch_kind = 'digest' AND d.batch_id = $1 AND d.state = 'queued' AND d.recipient_id > $2 ORDER BY d.recipient_id LIMIT $3"
    )
    .bind(digest_id)
    .bind(after_member_id)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

/// The ledger's batch of a digest's copies.
pub fn batch(digest_id: i64) -> Batch {
    Batch::new(BatchKind::Digest, digest_id)
}

/// A digest that has not reached a member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DigestProblem {
    /// Volume.
    pub volume: i64,
    /// Issue.
    pub issue: i64,
    /// `queued` (to be tried again) or `failed` (given up).
    pub state: String,
    /// What the relay said.
    pub last_error: String,
    /// When it was last tried.
    pub updated_at: DateTime<Utc>,
}

/// When the relay last took one of member `member_id`'s digests.
pub async fn last_sent(ex: Ex<'_>, member_id: i64) -> Result<Option<DateTime<Utc>>> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT sent_at FROM deliveries WHERE batch_kind = 'digest' AND recipient_id = $1 AND state = 'sent' ORDER BY sent_at DESC LIMIT 1"
    )
    .bind(member_id)
    .fetch_optional(c)
    .await
    })?)
}

/// The newest of member `member_id`'s digests that an error has held up
/// since `after` (their last digest that went out).
pub async fn last_problem(
    ex: Ex<'_>,
    member_id: i64,
    after: Option<DateTime<Utc>>,
) -> Result<Option<DigestProblem>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, DigestProblem>(
        "SELECT g.volume, g.issue, d.state, d.last_error, d.updated_at FROM deliveries d JOIN list_digests g ON g.id = d.batch_id \
         WHERE d.batch_kind = 'digest' AND d.recipient_id = $1 AND d.last_error IS NOT NULL AND d.state IN ('queued', 'failed') \
         AND d.updated_at > $2 ORDER BY d.updated_at DESC LIMIT 1"
    )
    .bind(member_id)
    .bind(after.unwrap_or(DateTime::<Utc>::UNIX_EPOCH))
    .fetch_optional(c)
    .await
    })?)
}

/// A member's digest that did not go out, for the list's moderators.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedDigest {
    /// The member's address.
    pub email: String,
    /// Volume.
    pub volume: i64,
    /// Issue.
    pub issue: i64,
    /// `queued` (to be tried again) or `failed`.
    pub state: String,
    /// What the relay said.
    pub last_error: String,
    /// When it was last tried.
    pub updated_at: DateTime<Utc>,
}

/// The list's digest copies of the last `days` that have not gone out
/// after an error, newest first.
pub async fn failures(
    ex: Ex<'_>,
    list_id: i64,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<FailedDigest>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, FailedDigest>(
        "SELECT m.email, g.volume, g.issue, d.state, d.last_error, d.updated_at \
         FROM deliveries d JOIN list_digests g ON g.id = d.batch_id JOIN list_members m ON m.id = d.recipient_id \
         WHERE d.batch_kind = 'digest' AND g.list_id = $1 AND d.state IN ('queued', 'failed') AND d.last_error IS NOT NULL AND d.updated_at >= $2 \
         ORDER BY d.updated_at DESC, m.email LIMIT $3"
    )
    .bind(list_id)
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

/// The lists with at least one active digest member.
pub async fn lists_with_digest_members(ex: Ex<'_>) -> Result<Vec<i64>> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT list_id FROM list_members WHERE state = 'active' AND delivery = 'digest' ORDER BY list_id"
    )
    .fetch_all(c)
    .await
    })?)
}

/// How many copies of a digest are in each state: queued, sent, failed,
/// skipped.
pub async fn count_deliveries(ex: Ex<'_>, digest_id: i64) -> Result<[i64; 4]> {
    let c = deliveries::count(ex, batch(digest_id)).await?;
    Ok([c.queued, c.sent, c.failed, c.skipped])
}
