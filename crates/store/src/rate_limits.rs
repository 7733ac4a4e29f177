//! Fixed-window hit counters shared by every node through the database.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// Counts one hit on `key` and returns the hits in the current window and
/// when that window began. A window older than `window_floor` starts over.
pub async fn hit(
    ex: Ex<'_>,
    key: &str,
    now: DateTime<Utc>,
    window_floor: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>)> {
    const SQL: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
        ON CONFLICT (key) DO UPDATE SET \
          hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
          window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
        RETURNING hits, window_start";
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, DateTime<Utc>)>(
        SQL
    )
    .bind(key)
    .bind(now)
    .bind(window_floor)
    .fetch_one(c)
    .await)?)
}

/// Forgets windows that ended before `before`.
pub async fn prune(ex: Ex<'_>, before: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM rate_limits WHERE window_start < $1";
    Ok(execute!(ex, SQL, before)?)
}
