//! "What's on near you" subscriptions: who gets the weekly email of a
//! regional calendar or of the area around a place, and what they were
//! last sent.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "id, user_id, email, calendar_id, place, latitude, longitude, radius_km, \
     time_zone, token, confirmed_at, created_at, last_sent_at, last_week";

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WeeklyRow {
    /// Id.
    pub id: i64,
    /// The member, or none for a visitor.
    pub user_id: Option<i64>,
    /// Where the email goes (lowercased).
    pub email: String,
    /// The regional calendar, when it is one.
    pub calendar_id: Option<i64>,
    /// The place's name as shown ("Berlin, Germany"), empty for a calendar.
    pub place: String,
    /// The place's latitude.
    pub latitude: Option<f64>,
    /// The place's longitude.
    pub longitude: Option<f64>,
    /// How far from the place, in kilometres.
    pub radius_km: Option<f64>,
    /// The IANA zone the email's times are in.
    pub time_zone: String,
    /// The unsubscribe (and feed) token.
    pub token: String,
    /// When the address was confirmed; none while a visitor's waits.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When the last email went out.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// The ISO week (`2026-W50`) last looked at, sent or not.
    pub last_week: Option<String>,
}

/// A subscription to store.
#[derive(Debug, Clone)]
pub struct NewWeekly<'a> {
    /// The member, or none for a visitor.
    pub user_id: Option<i64>,
    /// Lowercased address.
    pub email: &'a str,
    /// A regional calendar.
    pub calendar_id: Option<i64>,
    /// The place's name, or empty.
    pub place: &'a str,
    /// Latitude, longitude and radius in km, for an area.
    pub area: Option<(f64, f64, f64)>,
    /// IANA zone.
    pub time_zone: &'a str,
    /// Unsubscribe token.
    pub token: &'a str,
    /// Hash of the confirmation token and when it expires, for a visitor.
    pub confirm: Option<(&'a str, DateTime<Utc>)>,
    /// Set for a confirmed member.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Stores a subscription; returns its id.
pub async fn insert(ex: Ex<'_>, s: &NewWeekly<'_>) -> Result<i64> {
    let (lat, lon, km) = match s.area {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (None, None, None),
    };
    let (hash, expires) = match s.confirm {
        Some((h, e)) => (Some(h), Some(e)),
        None => (None, None),
    };
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO weekly_subscriptions (user_id, email, calendar_id, place, latitude, longitude, radius_km, \
         time_zone, token, confirm_hash, confirm_expires_at, confirmed_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
    )
    .bind(s.user_id)
    .bind(s.email)
    .bind(s.calendar_id)
    .bind(s.place)
    .bind(lat)
    .bind(lon)
    .bind(km)
    .bind(s.time_zone)
    .bind(s.token)
    .bind(hash)
    .bind(expires)
    .bind(s.confirmed_at)
    .bind(s.now)
    .fetch_one(c)
    .await
    })?)
}

/// The subscription with this unsubscribe token.
pub async fn by_token(ex: Ex<'_>, token: &str) -> Result<Option<WeeklyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM weekly_subscriptions WHERE token = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(token)
    .fetch_optional(c)
    .await)?)
}

/// The subscription by id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<WeeklyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM weekly_subscriptions WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Confirms the subscription waiting on this confirmation hash, if its link
/// has not expired at `now`; returns its id.
pub async fn confirm(ex: Ex<'_>, confirm_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "UPDATE weekly_subscriptions SET confirmed_at = $2, confirm_hash = NULL, confirm_expires_at = NULL \
         WHERE confirm_hash = $1 AND confirmed_at IS NULL AND confirm_expires_at > $2 RETURNING id"
    )
    .bind(confirm_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?)
}

/// True if a confirmation with this hash is stored but its link expired at `now`.
pub async fn confirm_expired(ex: Ex<'_>, confirm_hash: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM weekly_subscriptions WHERE confirm_hash = $1 AND confirm_expires_at <= $2"
    )
    .bind(confirm_hash)
    .bind(now)
    .fetch_one(c)
    .await
    })? > 0)
}

/// Ends the subscription with exactly this token; returns it as it was.
pub async fn delete_by_token(ex: Ex<'_>, token: &str) -> Result<Option<WeeklyRow>> {
    let sql = format!("DELETE FROM weekly_subscriptions WHERE token = $1 RETURNING {COLUMNS}");
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(token)
    .fetch_optional(c)
    .await)?)
}

/// A subscription of `email` to the same calendar, or to the same place
/// and distance, if there is one.
pub async fn same_as(
    ex: Ex<'_>,
    email: &str,
    calendar_id: Option<i64>,
    place: &str,
    radius_km: Option<f64>,
) -> Result<Option<WeeklyRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM weekly_subscriptions WHERE email = $1 AND \
         ((calendar_id IS NOT NULL AND calendar_id = $2) OR \
          (calendar_id IS NULL AND $2 IS NULL AND place = $3 AND radius_km = $4)) \
         ORDER BY id LIMIT 1"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(email)
    .bind(calendar_id)
    .bind(place)
    .bind(radius_km)
    .fetch_optional(c)
    .await)?)
}

/// A member's subscriptions, oldest first.
pub async fn of_user(ex: Ex<'_>, user_id: i64) -> Result<Vec<WeeklyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM weekly_subscriptions WHERE user_id = $1 ORDER BY id");
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// Every confirmed subscription, by id.
pub async fn confirmed(ex: Ex<'_>) -> Result<Vec<WeeklyRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM weekly_subscriptions WHERE confirmed_at IS NOT NULL ORDER BY id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, WeeklyRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(c)
    .await)?)
}

/// A published post of a group, for the weekly email.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupPost {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary (may be empty).
    pub summary: String,
    /// Markdown body.
    pub body: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// The group's id.
    pub group_id: i64,
    /// The group's slug.
    pub group_slug: String,
    /// The group's name.
    pub group_name: String,
}

/// Group posts published in `(after, until]`, oldest first (at most 200).
pub async fn group_posts_between(
    ex: Ex<'_>,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<GroupPost>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, GroupPost>(
        "SELECT p.slug, p.title, p.summary, p.body, p.published_at, g.id AS group_id, g.slug AS group_slug, \
         g.name AS group_name FROM posts p JOIN groups g ON g.id = p.group_id \
         WHERE p.state = 'published' AND p.published_at > $1 AND p.published_at <= $2 \
         ORDER BY p.published_at, p.id LIMIT 200"
    )
    .bind(after)
    .bind(until)
    .fetch_all(c)
    .await
    })?)
}

/// One queued copy of a sending of the weekly email: the subscription as
/// it is now, and the attempts made so far.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedWeekly {
    /// The subscription.
    #[sqlx(flatten)]
    pub subscription: WeeklyRow,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Up to `limit` queued copies of the weekly sending `batch_id` (its
/// moment in Unix seconds) for subscriptions after `after_id`, in id
/// order. One job per sending runs at a time (the job queue's lease), so
/// reading the batch is claiming it.
pub async fn claim(
    ex: Ex<'_>,
    batch_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<QueuedWeekly>> {
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("w.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, d.attempts FROM deliveries d JOIN weekly_subscriptions w ON w.id = d.recipient_id \
         WHERE d.batch_kind = 'weekly' AND d.batch_id = $1 AND d.state = 'queued' AND d.recipient_id > $2 \
         ORDER BY d.recipient_id LIMIT $3",
        columns.join(", ")
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, QueuedWeekly>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(batch_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Records when the copies of the weekly sending `batch_id` that the relay
/// took went out, on their subscriptions.
pub async fn mark_sent_from_ledger(ex: Ex<'_>, batch_id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE weekly_subscriptions SET last_sent_at = \
           (SELECT d.sent_at FROM deliveries d WHERE d.batch_kind = 'weekly' AND d.batch_id = $1 AND d.recipient_id = weekly_subscriptions.id) \
         WHERE id IN (SELECT d.recipient_id FROM deliveries d WHERE d.batch_kind = 'weekly' AND d.batch_id = $1 AND d.state = 'sent')",
        batch_id
    )?)
}

/// Takes `week` for subscription `id`: records it as looked at, unless it
/// already was. Returns 1 if it was taken now, 0 if it was taken before
/// (on PostgreSQL a concurrent taker waits for the row and then finds it
/// taken).
pub async fn take_week(ex: Ex<'_>, id: i64, week: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE weekly_subscriptions SET last_week = $2 WHERE id = $1 AND (last_week IS NULL OR last_week <> $2)",
        id,
        week
    )?)
}
