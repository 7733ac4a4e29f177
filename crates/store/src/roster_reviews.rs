//! Roster entries an import held for a coordinator to accept as a group or
//! dismiss: conferences, links to sites, bullets of links only.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// One held entry.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReviewRow {
    /// Id.
    pub id: i64,
    /// The line of the roster file it came from.
    pub line: i64,
    /// Its name as the file gave it (for links only, the heading's).
    pub name: String,
    /// `conference`, `resource` or `links_only`.
    pub kind: String,
    /// Why it was held, in plain words.
    pub reason: String,
    /// Alpha-2 of its country, empty when unknown.
    pub country: String,
    /// Its region heading, empty when none.
    pub region: String,
    /// Its description.
    pub description: String,
    /// Its links, one "kind url" per line.
    pub links: String,
    /// `waiting`, `accepted` or `dismissed`.
    pub status: String,
    /// The group made when it was accepted.
    pub group_id: Option<i64>,
    /// When it was held.
    pub created_at: DateTime<Utc>,
}

/// What a new held entry says.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    /// Line in the file.
    pub line: i64,
    /// Name.
    pub name: &'a str,
    /// `conference`, `resource` or `links_only`.
    pub kind: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Alpha-2 or empty.
    pub country: &'a str,
    /// Region or empty.
    pub region: &'a str,
    /// Description.
    pub description: &'a str,
    /// One "kind url" per line.
    pub links: &'a str,
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, line, name, kind, reason, country, region, description, links, status, group_id, created_at FROM roster_reviews ",
            $tail
        )
    };
}

/// Holds `entry` unless an entry of the same name and country is held (or
/// was decided) already; true when it is new.
pub async fn hold(ex: Ex<'_>, entry: &NewReview<'_>, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "INSERT INTO roster_reviews (line, name, kind, reason, country, region, description, links, status, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9) ON CONFLICT (name, country) DO NOTHING";
    let n = execute!(
        ex,
        SQL,
        entry.line,
        entry.name,
        entry.kind,
        entry.reason,
        entry.country,
        entry.region,
        entry.description,
        entry.links,
        now
    )?;
    Ok(n > 0)
}

/// Entries waiting for a decision, in file order.
pub async fn waiting(ex: Ex<'_>) -> Result<Vec<ReviewRow>> {
    const SQL: &str = select!("WHERE status = 'waiting' ORDER BY line, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, ReviewRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// One held entry.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<ReviewRow>> {
    const SQL: &str = select!("WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, ReviewRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Records the decision on a waiting entry; false when it was no longer
/// waiting.
pub async fn decide(
    ex: Ex<'_>,
    id: i64,
    status: &str,
    group_id: Option<i64>,
    decided_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "UPDATE roster_reviews SET status = $2, group_id = $3, decided_by = $4, decided_at = $5 WHERE id = $1 AND status = 'waiting'";
    let n = execute!(ex, SQL, id, status, group_id, decided_by, now)?;
    Ok(n > 0)
}
