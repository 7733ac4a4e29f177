//! Regional calendars, which groups they gather, outside feeds synced into
//! calendars, private feed tokens, and the change counter that versions
//! every calendar feed.
//!
//! A group's own calendar has no row here: it is the group, and its events
//! carry the group's id. A regional calendar gathers the events of the
//! approved groups inside its area (continent, country, region), plus the
//! groups its editors include and minus those they exclude, plus its own.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A regional (or thematic) calendar.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarRow {
    /// Id.
    pub id: i64,
    /// URL name, unique among calendars and groups.
    pub slug: String,
    /// Name ("Massachusetts").
    pub name: String,
    /// Markdown description.
    pub description: String,
    /// Continent code, or empty for any.
    pub continent: String,
    /// ISO country code, or empty for any.
    pub country: String,
    /// Region or state within the country, or empty for any.
    pub region: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The editable fields of a calendar.
#[derive(Debug, Clone)]
pub struct CalendarFields<'a> {
    /// URL name.
    pub slug: &'a str,
    /// Name.
    pub name: &'a str,
    /// Markdown description.
    pub description: &'a str,
    /// Continent code or empty.
    pub continent: &'a str,
    /// Country code or empty.
    pub country: &'a str,
    /// Region or empty.
    pub region: &'a str,
}

const COLUMNS: &str =
    "id, slug, name, description, continent, country, region, created_at, updated_at";

/// Stores a new calendar.
pub async fn insert(
    ex: Ex<'_>,
    f: &CalendarFields<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO calendars (slug, name, description, continent, country, region, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(f.slug)
        .bind(f.name)
        .bind(f.description)
        .bind(f.continent)
        .bind(f.country)
        .bind(f.region)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// Changes a calendar's name, description and area.
pub async fn update(
    ex: Ex<'_>,
    id: i64,
    f: &CalendarFields<'_>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE calendars SET name = $2, description = $3, continent = $4, country = $5, region = $6, updated_at = $7 WHERE id = $1",
        id,
        f.name,
        f.description,
        f.continent,
        f.country,
        f.region,
        now
    )?)
}

/// The calendar with this slug.
pub async fn by_slug(ex: Ex<'_>, slug: &str) -> Result<Option<CalendarRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendars WHERE slug = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, CalendarRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(slug)
    .fetch_optional(c)
    .await)?)
}

/// The calendar with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<CalendarRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendars WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, CalendarRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Every calendar, by name.
pub async fn all(ex: Ex<'_>) -> Result<Vec<CalendarRow>> {
    let sql = format!("SELECT {COLUMNS} FROM calendars ORDER BY name, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, CalendarRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(c)
    .await)?)
}

/// SQL selecting the ids of the approved groups calendar `cal` gathers (area
/// match, plus included, minus excluded), with `no` and `yes` the
/// placeholders bound to false and true.
pub fn member_groups_sql(cal: &str, no: &str, yes: &str) -> String {
    format!(
        "SELECT g.id FROM groups g, calendars k WHERE k.id = {cal} AND g.approval = 'approved' AND (\
         ((k.continent <> '' OR k.country <> '') \
           AND (k.continent = '' OR g.continent = k.continent) \
           AND (k.country = '' OR g.country = k.country) \
           AND (k.region = '' OR lower(g.region) = lower(k.region)) \
           AND NOT EXISTS (SELECT 1 FROM calendar_groups x WHERE x.calendar_id = k.id AND x.group_id = g.id AND x.included = {no})) \
         OR EXISTS (SELECT 1 FROM calendar_groups x WHERE x.calendar_id = k.id AND x.group_id = g.id AND x.included = {yes}))"
    )
}

/// A group gathered by a calendar, and why.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberGroup {
    /// Group id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// `area`, `included` or `excluded`.
    pub why: String,
}

/// The groups a calendar gathers, and the ones its editors excluded.
pub async fn member_groups(ex: Ex<'_>, calendar_id: i64) -> Result<Vec<MemberGroup>> {
    let sql = format!(
        "SELECT g.id, g.slug, g.name, g.city, COALESCE((SELECT CASE WHEN x.included = $3 THEN 'included' ELSE 'excluded' END FROM calendar_groups x WHERE x.calendar_id = $1 AND x.group_id = g.id), 'area') AS why \
         FROM groups g WHERE g.id IN ({}) OR g.id IN (SELECT group_id FROM calendar_groups WHERE calendar_id = $1 AND included = $2) ORDER BY g.name, g.id",
        member_groups_sql("$1", "$2", "$3")
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, MemberGroup>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(calendar_id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// Includes (`true`) or excludes (`false`) one group, or with `None` returns it to the area rule.
pub async fn set_group(
    ex: Ex<'_>,
    calendar_id: i64,
    group_id: i64,
    included: Option<bool>,
) -> Result<u64> {
    match included {
        None => Ok(execute!(
            ex,
            "DELETE FROM calendar_groups WHERE calendar_id = $1 AND group_id = $2",
            calendar_id,
            group_id
        )?),
        Some(inc) => Ok(execute!(
            ex,
            "INSERT INTO calendar_groups (calendar_id, group_id, included) VALUES ($1, $2, $3) ON CONFLICT (calendar_id, group_id) DO UPDATE SET included = excluded.included",
            calendar_id,
            group_id,
            inc
        )?),
    }
}

/// Raises the change counter; every write to calendars, events or overrides calls it
/// in the same transaction.
pub async fn bump(ex: Ex<'_>) -> Result<()> {
    execute!(
        ex,
        "UPDATE counters SET value = value + 1 WHERE name = 'calendars'"
    )?;
    Ok(())
}

/// An outside iCalendar feed synced into a calendar.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    /// Id.
    pub id: i64,
    /// The group whose calendar it feeds, if any.
    pub group_id: Option<i64>,
    /// The regional calendar it feeds, if any.
    pub calendar_id: Option<i64>,
    /// Feed address.
    pub url: String,
    /// Last `ETag` seen.
    pub etag: Option<String>,
    /// Last `Last-Modified` seen.
    pub last_modified: Option<DateTime<Utc>>,
    /// Last attempt.
    pub last_checked_at: Option<DateTime<Utc>>,
    /// Last attempt that changed or confirmed the events.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What went wrong last time, if it did.
    pub last_error: Option<String>,
    /// Added.
    pub created_at: DateTime<Utc>,
    /// `ics` (fetched every hour) or `activitypub` (a followed account
    /// whose events arrive by themselves).
    pub kind: String,
}

const SOURCE_COLUMNS: &str = "id, group_id, calendar_id, url, etag, last_modified, last_checked_at, last_synced_at, last_error, created_at, kind";

/// Adds an outside feed to a calendar.
pub async fn insert_source(
    ex: Ex<'_>,
    group_id: Option<i64>,
    calendar_id: Option<i64>,
    url: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO calendar_sources (group_id, calendar_id, url, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(group_id)
        .bind(calendar_id)
        .bind(url)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// One outside feed.
pub async fn source(ex: Ex<'_>, id: i64) -> Result<Option<SourceRow>> {
    let sql = format!("SELECT {SOURCE_COLUMNS} FROM calendar_sources WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, SourceRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The outside feeds of a group's (`group_id`) or a regional (`calendar_id`) calendar.
pub async fn sources_of(
    ex: Ex<'_>,
    group_id: Option<i64>,
    calendar_id: Option<i64>,
) -> Result<Vec<SourceRow>> {
    let sql = format!(
        "SELECT {SOURCE_COLUMNS} FROM calendar_sources WHERE (group_id = $1 OR (group_id IS NULL AND $1 IS NULL)) AND (calendar_id = $2 OR (calendar_id IS NULL AND $2 IS NULL)) ORDER BY id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, SourceRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(group_id)
    .bind(calendar_id)
    .fetch_all(c)
    .await)?)
}

/// Feeds not checked since `before`.
pub async fn sources_due(ex: Ex<'_>, before: DateTime<Utc>, limit: i64) -> Result<Vec<SourceRow>> {
    let sql = format!(
        "SELECT {SOURCE_COLUMNS} FROM calendar_sources WHERE kind = 'ics' AND (last_checked_at IS NULL OR last_checked_at < $1) ORDER BY id LIMIT $2"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, SourceRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(before)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Records the outcome of one sync attempt.
pub async fn record_sync(
    ex: Ex<'_>,
    id: i64,
    now: DateTime<Utc>,
    synced: bool,
    etag: Option<&str>,
    last_modified: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE calendar_sources SET last_checked_at = $2, last_synced_at = CASE WHEN $3 THEN $2 ELSE last_synced_at END, etag = COALESCE($4, etag), last_modified = COALESCE($5, last_modified), last_error = $6 WHERE id = $1",
        id,
        now,
        synced,
        etag,
        last_modified,
        error
    )?)
}

/// Removes an outside feed (and, through the foreign key, its events).
pub async fn delete_source(ex: Ex<'_>, id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM calendar_sources WHERE id = $1",
        id
    )?)
}

/// Stores (or replaces) a member's private feed token hash.
pub async fn set_feed_token(
    ex: Ex<'_>,
    user_id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    execute!(
        ex,
        "INSERT INTO feed_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        user_id,
        token_hash,
        now
    )?;
    Ok(())
}

/// The member whose private feed token has this hash.
pub async fn feed_token_user(ex: Ex<'_>, token_hash: &str) -> Result<Option<i64>> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT user_id FROM feed_tokens WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?)
}
