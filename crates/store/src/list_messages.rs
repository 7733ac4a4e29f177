//! Messages a list accepted or holds, and one delivery row per message and
//! recipient so that a fan-out resumes where it stopped.

use crate::deliveries::{self, Batch, BatchKind};
use crate::lists::ListRow;
use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A message to store, as read from the mail that came in.
#[derive(Debug, Clone)]
pub struct NewListMessage<'a> {
    /// The list.
    pub list_id: i64,
    /// `<id@host>` as in the Message-ID header (with angle brackets).
    pub message_id: &'a str,
    /// The message it answers, `<id@host>`.
    pub in_reply_to: Option<&'a str>,
    /// The References chain, space-separated `<id@host>` values.
    pub refs: &'a str,
    /// Decoded subject.
    pub subject: &'a str,
    /// The poster's name.
    pub from_name: &'a str,
    /// The poster's address (lowercase).
    pub from_email: &'a str,
    /// When the poster sent it (its Date, or when it arrived).
    pub sent_at: DateTime<Utc>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// `YYYY-MM` of `sent_at`, for the archive by month.
    pub month: &'a str,
    /// Plain text of the body, for the archive and search.
    pub body_text: &'a str,
    /// The message exactly as it arrived (plus a Message-ID if it had none).
    pub raw: &'a [u8],
    /// accepted or held.
    pub state: &'a str,
    /// Why it waits for a moderator.
    pub hold_reason: Option<&'a str>,
}

/// A stored message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListMessageRow {
    /// Id (in Archived-At links).
    pub id: i64,
    /// The list.
    pub list_id: i64,
    /// `<id@host>`.
    pub message_id: String,
    /// The message it answers.
    pub in_reply_to: Option<String>,
    /// The References chain.
    pub refs: String,
    /// Decoded subject.
    pub subject: String,
    /// Poster's name.
    pub from_name: String,
    /// Poster's address.
    pub from_email: String,
    /// Sent.
    pub sent_at: DateTime<Utc>,
    /// Arrived.
    pub received_at: DateTime<Utc>,
    /// `YYYY-MM`.
    pub month: String,
    /// Plain text body.
    pub body_text: String,
    /// The raw message.
    pub raw: Vec<u8>,
    /// held, accepted, rejected or discarded.
    pub state: String,
    /// Why it is held.
    pub hold_reason: Option<String>,
}

const MESSAGE_COLUMNS: &str = "id, list_id, message_id, in_reply_to, refs, subject, from_name, from_email, sent_at, received_at, month, body_text, raw, state, hold_reason";

/// Stores a message; `Duplicate` if the list already has its Message-ID.
pub async fn insert(ex: Ex<'_>, m: &NewListMessage<'_>) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO list_messages (list_id, message_id, in_reply_to, refs, subject, from_name, from_email, sent_at, received_at, month, body_text, raw, state, hold_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(m.list_id)
        .bind(m.message_id)
        .bind(m.in_reply_to)
        .bind(m.refs)
        .bind(m.subject)
        .bind(m.from_name)
        .bind(m.from_email)
        .bind(m.sent_at)
        .bind(m.received_at)
        .bind(m.month)
        .bind(m.body_text)
        .bind(m.raw)
        .bind(m.state)
        .bind(m.hold_reason)
        .fetch_one(c)
        .await
    })?)
}

/// Queues one delivery of message `message_row_id` to every active member
/// of `list_id` who receives each message. Call it in the transaction that
/// stored the message, so a stored message always has its recipients.
/// Returns how many were queued.
pub async fn queue_deliveries(ex: Ex<'_>, message_row_id: i64, list_id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO deliveries (batch_kind, batch_id, recipient_id, state, attempts) \
         SELECT 'list', $1, id, 'queued', 0 FROM list_members WHERE list_id = $2 AND state = 'active' AND delivery = 'each'",
        message_row_id,
        list_id
    )?)
}

/// The message with this row id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<ListMessageRow>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM list_messages WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, ListMessageRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The list's message with this Message-ID (`<id@host>`), in any state.
pub async fn by_message_id(
    ex: Ex<'_>,
    list_id: i64,
    message_id: &str,
) -> Result<Option<ListMessageRow>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM list_messages WHERE list_id = $1 AND message_id = $2"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, ListMessageRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(message_id)
    .fetch_optional(c)
    .await)?)
}

/// A list's messages in one state, oldest first (the moderation queue is
/// `held`).
pub async fn in_state(
    ex: Ex<'_>,
    list_id: i64,
    state: &str,
    limit: i64,
) -> Result<Vec<ListMessageRow>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM list_messages WHERE list_id = $1 AND state = $2 ORDER BY received_at, id LIMIT $3"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, ListMessageRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(state)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// The list a stored message belongs to.
pub async fn list_of(ex: Ex<'_>, message_row_id: i64) -> Result<Option<ListRow>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, ListRow>(
        "SELECT l.id, l.name, l.display_name, l.description, l.group_id, l.policy, l.posters, l.archive, l.subject_prefix, l.footer, l.reply_to, l.max_bytes, l.rewrite_from, l.created_at, l.updated_at, l.archive_version \
         FROM lists l JOIN list_messages m ON m.list_id = l.id WHERE m.id = $1"
    )
    .bind(message_row_id)
    .fetch_optional(c)
    .await
    })?)
}

/// One queued copy of a message, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedDelivery {
    /// The member.
    pub member_id: i64,
    /// Where the copy goes.
    pub email: String,
    /// The member's token (bounce address, unsubscribe link).
    pub token: String,
    /// The member's state now (they may have left since the message came in).
    pub member_state: String,
    /// The member's delivery mode now.
    pub delivery: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Up to `limit` deliveries of a message still queued, for members after
/// `after_member_id`, in member order. One fan-out job per message runs at
/// a time (the job queue's lease), so reading the next batch is claiming it.
pub async fn claim_queued(
    ex: Ex<'_>,
    message_row_id: i64,
    after_member_id: i64,
    limit: i64,
) -> Result<Vec<QueuedDelivery>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, QueuedDelivery>(
        "SELECT d.recipient_id AS member_id, m.email, m.token, m.state AS member_state, m.delivery, d.attempts \
         FROM deliveries d JOIN list_members m ON m.id = d.recipient_id \
         WHERE d.batch_kind = 'list' AND d.batch_id = $1 AND d.state = 'queued' AND d.recipient_id > $2 ORDER BY d.recipient_id LIMIT $3"
    )
    .bind(message_row_id)
    .bind(after_member_id)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

/// The ledger's batch of a list message's copies.
pub fn batch(message_row_id: i64) -> Batch {
    Batch::new(BatchKind::List, message_row_id)
}

/// Records that the relay took the copies for `member_ids`, in one
/// statement. Returns how many were still queued (the others were already
/// recorded by an earlier run).
pub async fn mark_sent_many(
    ex: Ex<'_>,
    message_row_id: i64,
    member_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<u64> {
    deliveries::mark_sent_many(ex, batch(message_row_id), member_ids, now).await
}

/// How many deliveries of a message are queued, sent and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Still to send.
    pub queued: i64,
    /// Taken by the relay.
    pub sent: i64,
    /// Given up, or not to be sent (the member left).
    pub failed: i64,
}

/// Counts a message's deliveries by state.
pub async fn count_deliveries(ex: Ex<'_>, message_row_id: i64) -> Result<DeliveryCounts> {
    let c = deliveries::count(ex, batch(message_row_id)).await?;
    Ok(DeliveryCounts {
        queued: c.queued,
        sent: c.sent,
        failed: c.failed + c.skipped,
    })
}

/// How many messages a list has stored, in every state.
pub async fn count_for_list(ex: Ex<'_>, list_id: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM list_messages WHERE list_id = $1"
    )
    .bind(list_id)
    .fetch_one(c)
    .await)?)
}

/// Adds `points` to a member's bounce score and returns the new score.
/// A score whose last bounce is older than `stale_before` starts again
/// from zero, so scattered bounces over the years do not add up.
pub async fn record_bounce(
    ex: Ex<'_>,
    member_id: i64,
    points: i64,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "UPDATE list_members SET bounce_score = CASE WHEN last_bounce_at IS NULL OR last_bounce_at < $4 THEN $2 ELSE bounce_score + $2 END, \
         last_bounce_at = $3, updated_at = $3 WHERE id = $1 RETURNING bounce_score"
    )
    .bind(member_id)
    .bind(points)
    .bind(now)
    .bind(stale_before)
    .fetch_one(c)
    .await
    })?)
}

/// Pauses delivery to a member whose address keeps bouncing (they stay
/// subscribed). False if it was paused already.
pub async fn pause_for_bounces(ex: Ex<'_>, member_id: i64, now: DateTime<Utc>) -> Result<bool> {
    Ok(execute!(
        ex,
        "UPDATE list_members SET delivery = 'paused', bounce_paused_at = $2, updated_at = $2 WHERE id = $1 AND delivery <> 'paused'",
        member_id,
        now
    )? == 1)
}

/// The member of `list_id` whose token matches `token` without regard to
/// case (mail systems may fold the case of the bounce address it travels
/// in).
pub async fn member_by_bounce_token(
    ex: Ex<'_>,
    list_id: i64,
    token: &str,
) -> Result<Option<crate::lists::MemberRow>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, crate::lists::MemberRow>(
        "SELECT id, list_id, email, user_id, state, delivery, moderated, confirm_hash, confirm_expires_at, token, bounce_score, bounce_paused_at, last_bounce_at, created_at, confirmed_at, updated_at \
         FROM list_members WHERE list_id = $1 AND LOWER(token) = LOWER($2)"
    )
    .bind(list_id)
    .bind(token)
    .fetch_optional(c)
    .await
    })?)
}

/// Moves a held message to `state` (accepted, rejected or discarded);
/// returns 0 if it was no longer held (another moderator decided first).
pub async fn decide(ex: Ex<'_>, id: i64, state: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_messages SET state = $2, hold_reason = NULL WHERE id = $1 AND state = 'held'",
        id,
        state
    )?)
}
