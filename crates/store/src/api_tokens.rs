//! Bearer tokens for the JSON API, stored as hashes.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored API token (never the secret itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// The owner's label for it.
    pub name: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a token hash for `user_id`.
pub async fn insert(
    ex: Ex<'_>,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// The unrevoked token with this hash.
pub async fn live_by_hash(ex: Ex<'_>, token_hash: &str) -> Result<Option<ApiTokenRow>> {
    const SQL: &str = "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
    Ok(run!(ex, |c| sqlx::query_as::<_, ApiTokenRow>(SQL)
        .bind(token_hash)
        .fetch_optional(c)
        .await)?)
}

/// Tokens of one account, newest first.
pub async fn for_user(ex: Ex<'_>, user_id: i64) -> Result<Vec<ApiTokenRow>> {
    const SQL: &str = "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC";
    Ok(run!(ex, |c| sqlx::query_as::<_, ApiTokenRow>(SQL)
        .bind(user_id)
        .fetch_all(c)
        .await)?)
}

/// Records a use.
pub async fn touch(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<()> {
    const SQL: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
    execute!(ex, SQL, now, id)?;
    Ok(())
}

/// Revokes one of `user_id`'s tokens. Returns false if there was no such live token.
pub async fn revoke(ex: Ex<'_>, id: i64, user_id: i64, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
    Ok(execute!(ex, SQL, now, id, user_id)? == 1)
}
