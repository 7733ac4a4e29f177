//! Mailing lists and their members.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    /// Id.
    pub id: i64,
    /// The local part of its address.
    pub name: String,
    /// Shown name.
    pub display_name: String,
    /// What it is for.
    pub description: String,
    /// The group it belongs to, if any (else a site list).
    pub group_id: Option<i64>,
    /// open, moderated or announce.
    pub policy: String,
    /// members, anyone or moderators.
    pub posters: String,
    /// public, members or private.
    pub archive: String,
    /// Put before subjects.
    pub subject_prefix: String,
    /// Added under each message.
    pub footer: String,
    /// poster or list.
    pub reply_to: String,
    /// Largest message accepted.
    pub max_bytes: i64,
    /// Rewrite From to "X via the list" (for DMARC-strict domains).
    pub rewrite_from: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Settings last changed.
    pub updated_at: DateTime<Utc>,
    /// Changes whenever the archive does (kept by triggers).
    pub archive_version: i64,
}

const LIST_COLUMNS: &str = "id, name, display_name, description, group_id, policy, posters, archive, subject_prefix, footer, reply_to, max_bytes, rewrite_from, created_at, updated_at, archive_version";

/// A list's settings, for creating or changing it.
#[derive(Debug, Clone)]
pub struct ListFields<'a> {
    /// Shown name.
    pub display_name: &'a str,
    /// What it is for.
    pub description: &'a str,
    /// open, moderated or announce.
    pub policy: &'a str,
    /// members, anyone or moderators.
    pub posters: &'a str,
    /// public, members or private.
    pub archive: &'a str,
    /// Subject prefix.
    pub subject_prefix: &'a str,
    /// Footer.
    pub footer: &'a str,
    /// poster or list.
    pub reply_to: &'a str,
    /// Size limit in bytes.
    pub max_bytes: i64,
    /// Rewrite From.
    pub rewrite_from: bool,
}

/// Creates a list; `Duplicate` if the name is taken.
pub async fn insert_list(
    ex: Ex<'_>,
    name: &str,
    group_id: Option<i64>,
    f: &ListFields<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO lists (name, display_name, description, group_id, policy, posters, archive, subject_prefix, footer, reply_to, max_bytes, rewrite_from, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id"
    )
    .bind(name)
    .bind(f.display_name)
    .bind(f.description)
    .bind(group_id)
    .bind(f.policy)
    .bind(f.posters)
    .bind(f.archive)
    .bind(f.subject_prefix)
    .bind(f.footer)
    .bind(f.reply_to)
    .bind(f.max_bytes)
    .bind(f.rewrite_from)
    .bind(now)
    .fetch_one(c)
    .await
    })?)
}

/// Changes a list's settings.
pub async fn update_list(
    ex: Ex<'_>,
    id: i64,
    f: &ListFields<'_>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE lists SET display_name = $2, description = $3, policy = $4, posters = $5, archive = $6, subject_prefix = $7, footer = $8, reply_to = $9, max_bytes = $10, rewrite_from = $11, updated_at = $12 WHERE id = $1",
        id,
        f.display_name,
        f.description,
        f.policy,
        f.posters,
        f.archive,
        f.subject_prefix,
        f.footer,
        f.reply_to,
        f.max_bytes,
        f.rewrite_from,
        now
    )?)
}

/// The list with this name.
pub async fn by_name(ex: Ex<'_>, name: &str) -> Result<Option<ListRow>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE name = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, ListRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

/// The list with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<ListRow>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, ListRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Every list: site lists first, then by name.
pub async fn all(ex: Ex<'_>) -> Result<Vec<ListRow>> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM lists ORDER BY CASE WHEN group_id IS NULL THEN 0 ELSE 1 END, name"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, ListRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(c)
    .await)?)
}

/// A group's lists.
pub async fn for_group(ex: Ex<'_>, group_id: i64) -> Result<Vec<ListRow>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE group_id = $1 ORDER BY name");
    Ok(run!(ex, |c| sqlx::query_as::<_, ListRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(group_id)
    .fetch_all(c)
    .await)?)
}

/// A subscription (or a request for one).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// Id.
    pub id: i64,
    /// The list.
    pub list_id: i64,
    /// Where mail goes (lowercase).
    pub email: String,
    /// The account with this address, if any.
    pub user_id: Option<i64>,
    /// pending (not yet confirmed), active or left.
    pub state: String,
    /// each, digest or paused.
    pub delivery: String,
    /// Their posts wait for a moderator.
    pub moderated: bool,
    /// The hash of the pending confirmation link's token.
    pub confirm_hash: Option<String>,
    /// When that link stops working.
    pub confirm_expires_at: Option<DateTime<Utc>>,
    /// The member's own secret, in unsubscribe links and bounce addresses.
    pub token: String,
    /// Recent bounces, weighted.
    pub bounce_score: i64,
    /// When bounces paused delivery.
    pub bounce_paused_at: Option<DateTime<Utc>>,
    /// The last bounce.
    pub last_bounce_at: Option<DateTime<Utc>>,
    /// First asked.
    pub created_at: DateTime<Utc>,
    /// Confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const MEMBER_COLUMNS: &str = "id, list_id, email, user_id, state, delivery, moderated, confirm_hash, confirm_expires_at, token, bounce_score, bounce_paused_at, last_bounce_at, created_at, confirmed_at, updated_at";

/// The subscription of `email` to a list, in any state.
pub async fn member(ex: Ex<'_>, list_id: i64, email: &str) -> Result<Option<MemberRow>> {
    let sql =
        format!("SELECT {MEMBER_COLUMNS} FROM list_members WHERE list_id = $1 AND email = $2");
    Ok(run!(ex, |c| sqlx::query_as::<_, MemberRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(email)
    .fetch_optional(c)
    .await)?)
}

/// The subscription with this member token.
pub async fn member_by_token(ex: Ex<'_>, token: &str) -> Result<Option<MemberRow>> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM list_members WHERE token = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, MemberRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(token)
    .fetch_optional(c)
    .await)?)
}

/// The subscription waiting for the confirmation token with this hash.
pub async fn member_by_confirm_hash(ex: Ex<'_>, hash: &str) -> Result<Option<MemberRow>> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM list_members WHERE confirm_hash = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, MemberRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(hash)
    .fetch_optional(c)
    .await)?)
}

/// Records a request to subscribe `email`, waiting for the confirmation
/// link whose token hashes to `confirm_hash`. A member who left, or who
/// asked before, asks again; an active member is left as is (returns 0).
#[allow(clippy::too_many_arguments)]
pub async fn request(
    ex: Ex<'_>,
    list_id: i64,
    email: &str,
    user_id: Option<i64>,
    confirm_hash: &str,
    expires: DateTime<Utc>,
    token: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO list_members (list_id, email, user_id, state, delivery, moderated, confirm_hash, confirm_expires_at, token, bounce_score, created_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', 'each', TRUE, $4, $5, $6, 0, $7, $7) \
         ON CONFLICT (list_id, email) DO UPDATE SET confirm_hash = $4, confirm_expires_at = $5, user_id = COALESCE(list_members.user_id, $3), \
         state = CASE WHEN list_members.state = 'left' THEN 'pending' ELSE list_members.state END, updated_at = $7 \
         WHERE list_members.state <> 'active'",
        list_id,
        email,
        user_id,
        confirm_hash,
        expires,
        token,
        now
    )?)
}

/// Makes a pending subscription active and spends its confirmation link.
pub async fn confirm(ex: Ex<'_>, member_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_members SET state = 'active', confirm_hash = NULL, confirm_expires_at = NULL, confirmed_at = $2, updated_at = $2 WHERE id = $1 AND state = 'pending'",
        member_id,
        now
    )?)
}

/// Ends a subscription.
pub async fn leave(ex: Ex<'_>, member_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_members SET state = 'left', confirm_hash = NULL, confirm_expires_at = NULL, updated_at = $2 WHERE id = $1 AND state <> 'left'",
        member_id,
        now
    )?)
}

/// Sets how a member receives the list. Choosing digests (from another
/// mode) starts the member's digests at `now`.
pub async fn set_delivery(
    ex: Ex<'_>,
    member_id: i64,
    delivery: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_members SET delivery = $2, bounce_paused_at = CASE WHEN $2 = 'each' OR $2 = 'digest' THEN NULL ELSE bounce_paused_at END, \
         digest_since = CASE WHEN $2 = 'digest' AND delivery <> 'digest' THEN $3 ELSE digest_since END, updated_at = $3 WHERE id = $1",
        member_id,
        delivery,
        now
    )?)
}

/// Lets a member post without moderation from now on.
pub async fn trust(ex: Ex<'_>, member_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_members SET moderated = FALSE, updated_at = $2 WHERE id = $1",
        member_id,
        now
    )?)
}

/// Active members who receive each message, in id order.
pub async fn recipients(ex: Ex<'_>, list_id: i64) -> Result<Vec<MemberRow>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM list_members WHERE list_id = $1 AND state = 'active' AND delivery = 'each' ORDER BY id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, MemberRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .fetch_all(c)
    .await)?)
}

/// How many active members a list has.
pub async fn count_active(ex: Ex<'_>, list_id: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM list_members WHERE list_id = $1 AND state = 'active'"
    )
    .bind(list_id)
    .fetch_one(c)
    .await)?)
}

/// Every subscription of `email` (or of the account `user_id`), with its
/// list, active or pending.
pub async fn memberships(
    ex: Ex<'_>,
    email: &str,
    user_id: i64,
) -> Result<Vec<(MemberRow, String, String)>> {
    let cols: String = MEMBER_COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols}, l.name AS list_name, l.display_name AS list_display_name FROM list_members m JOIN lists l ON l.id = m.list_id \
         WHERE (m.email = $1 OR m.user_id = $2) AND m.state <> 'left' ORDER BY l.name"
    );
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        m: MemberRow,
        list_name: String,
        list_display_name: String,
    }
    let rows: Vec<Joined> = run!(ex, |c| sqlx::query_as::<_, Joined>(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(email)
    .bind(user_id)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|j| (j.m, j.list_name, j.list_display_name))
        .collect())
}
