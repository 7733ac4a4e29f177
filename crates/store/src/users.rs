//! Accounts.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// One account as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Lowercased address, unique.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// argon2id PHC string, if a password was set.
    pub password_hash: Option<String>,
    /// When the address was proven to belong to the person.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When a coordinator disabled the account.
    pub disabled_at: Option<DateTime<Utc>>,
    /// The IANA zone the member sees times in, or empty for each event's own.
    pub time_zone: String,
}

/// A new account to store.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Lowercased address.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Password hash, if chosen now.
    pub password_hash: Option<&'a str>,
    /// Set when the address is already proven (an invitation link was opened).
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Now.
    pub created_at: DateTime<Utc>,
}

/// Stores a new account; [`crate::StoreError::Duplicate`] if the address is taken.
pub async fn insert(ex: Ex<'_>, user: &NewUser<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO users (email, display_name, password_hash, email_verified_at, created_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(user.email)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.email_verified_at)
        .bind(user.created_at)
        .fetch_one(c)
        .await)?)
}

/// The account with this (lowercased) address.
pub async fn by_email(ex: Ex<'_>, email: &str) -> Result<Option<UserRow>> {
    const SQL: &str = "SELECT id, email, display_name, password_hash, email_verified_at, created_at, disabled_at, time_zone FROM users WHERE email = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, UserRow>(SQL)
        .bind(email)
        .fetch_optional(c)
        .await)?)
}

/// The account with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<UserRow>> {
    const SQL: &str = "SELECT id, email, display_name, password_hash, email_verified_at, created_at, disabled_at, time_zone FROM users WHERE id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, UserRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Replaces the password hash.
pub async fn set_password(ex: Ex<'_>, id: i64, hash: &str) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $1 WHERE id = $2";
    execute!(ex, SQL, hash, id)?;
    Ok(())
}

/// Records that the address was proven, if not already.
pub async fn mark_verified(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<()> {
    const SQL: &str =
        "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL";
    execute!(ex, SQL, now, id)?;
    Ok(())
}

/// How many accounts exist.
pub async fn count(ex: Ex<'_>) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM users";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(c)
        .await)?)
}

/// Sets the zone the member sees times in (empty: each event's own).
pub async fn set_time_zone(ex: Ex<'_>, id: i64, time_zone: &str) -> Result<()> {
    execute!(
        ex,
        "UPDATE users SET time_zone = $2 WHERE id = $1",
        id,
        time_zone
    )?;
    Ok(())
}

/// Accounts, newest first.
pub async fn list(ex: Ex<'_>, limit: i64, offset: i64) -> Result<Vec<UserRow>> {
    const SQL: &str = "SELECT id, email, display_name, password_hash, email_verified_at, created_at, disabled_at, time_zone FROM users ORDER BY id DESC LIMIT $1 OFFSET $2";
    Ok(run!(ex, |c| sqlx::query_as::<_, UserRow>(SQL)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?)
}
