//! Single-use links sent by email: address verification, magic sign-in,
//! password reset and the first coordinator's set-up link.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored single-use link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthTokenRow {
    /// Id.
    pub id: i64,
    /// What the link does.
    pub purpose: String,
    /// The account it acts on, if one exists yet.
    pub user_id: Option<i64>,
    /// The address it was sent to.
    pub email: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// What else it acts on (a group's slug for confirmation links).
    pub subject: Option<String>,
}

/// A new link to store.
#[derive(Debug, Clone)]
pub struct NewAuthToken<'a> {
    /// Hash of the secret in the link.
    pub token_hash: &'a str,
    /// What the link does.
    pub purpose: &'a str,
    /// The account it acts on.
    pub user_id: Option<i64>,
    /// The address it goes to.
    pub email: &'a str,
    /// Now.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// What else it acts on.
    pub subject: Option<&'a str>,
}

/// Stores a link.
pub async fn insert(ex: Ex<'_>, t: &NewAuthToken<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO auth_tokens (token_hash, purpose, user_id, email, created_at, expires_at, subject) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(t.token_hash)
        .bind(t.purpose)
        .bind(t.user_id)
        .bind(t.email)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.subject)
        .fetch_one(c)
        .await)?)
}

/// The link with this hash, used or not.
pub async fn by_hash(ex: Ex<'_>, token_hash: &str) -> Result<Option<AuthTokenRow>> {
    const SQL: &str = "SELECT id, purpose, user_id, email, expires_at, used_at, subject FROM auth_tokens WHERE token_hash = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, AuthTokenRow>(SQL)
        .bind(token_hash)
        .fetch_optional(c)
        .await)?)
}

/// Marks the link used. Returns false if it was already used (a race lost).
pub async fn mark_used(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE auth_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL";
    Ok(execute!(ex, SQL, now, id)? == 1)
}

/// Attaches an account to a link made before the account existed.
pub async fn set_user(ex: Ex<'_>, id: i64, user_id: i64) -> Result<()> {
    const SQL: &str = "UPDATE auth_tokens SET user_id = $1 WHERE id = $2";
    execute!(ex, SQL, user_id, id)?;
    Ok(())
}

/// Makes every unused link with `purpose` expire now (a newer one replaces them).
pub async fn expire_unused(ex: Ex<'_>, purpose: &str, now: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "UPDATE auth_tokens SET expires_at = $1 WHERE purpose = $2 AND used_at IS NULL AND expires_at > $1";
    Ok(execute!(ex, SQL, now, purpose)?)
}
