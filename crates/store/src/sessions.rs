//! Server-side sessions, keyed by the hash of the cookie's secret.

use crate::users::UserRow;
use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};
use convene_domain::Grant;

/// A live session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Hash of the secret in the cookie.
    pub id_hash: String,
    /// Whose session it is.
    pub user_id: i64,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// Last request seen.
    pub last_seen_at: DateTime<Utc>,
}

/// Stores a new session.
pub async fn insert(
    ex: Ex<'_>,
    id_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)";
    execute!(ex, SQL, id_hash, user_id, now, expires_at)?;
    Ok(())
}

/// The unexpired session with this hash.
pub async fn live(ex: Ex<'_>, id_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRow>> {
    const SQL: &str = "SELECT id_hash, user_id, created_at, expires_at, last_seen_at FROM sessions WHERE id_hash = $1 AND expires_at > $2";
    Ok(run!(ex, |c| sqlx::query_as::<_, SessionRow>(SQL)
        .bind(id_hash)
        .bind(now)
        .fetch_optional(c)
        .await)?)
}

/// One row of [`live_account`]: the account, and one of its roles (none
/// when it holds no role).
#[derive(sqlx::FromRow)]
struct AccountRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: Option<String>,
    scope: Option<String>,
}

/// The account of the unexpired session with this hash and every role it
/// holds, in one query: every signed-in request asks this, so it is read
/// fresh each time (a sign-out, a password change or a changed role
/// counts from the very next request) but in one round trip.
pub async fn live_account(
    ex: Ex<'_>,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(UserRow, Vec<Grant>)>> {
    const SQL: &str = "SELECT u.id, u.email, u.display_name, u.password_hash, u.email_verified_at, \
                       u.created_at, u.disabled_at, u.time_zone, g.role, g.scope \
                       FROM sessions s JOIN users u ON u.id = s.user_id \
                       LEFT JOIN role_grants g ON g.user_id = u.id \
                       WHERE s.id_hash = $1 AND s.expires_at > $2 ORDER BY g.id";
    let rows = run!(ex, |c| sqlx::query_as::<_, AccountRow>(SQL)
        .bind(id_hash)
        .bind(now)
        .fetch_all(c)
        .await)?;
    let mut grants = Vec::new();
    let mut user = None;
    for row in rows {
        if let (Some(role), Some(scope)) = (&row.role, &row.scope) {
            grants.push(crate::grants::parse(role, scope)?);
        }
        user.get_or_insert(row.user);
    }
    Ok(user.map(|u| (u, grants)))
}

/// Ends one session.
pub async fn delete(ex: Ex<'_>, id_hash: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE id_hash = $1";
    execute!(ex, SQL, id_hash)?;
    Ok(())
}

/// Ends every session of an account (after a password change).
pub async fn delete_for_user(ex: Ex<'_>, user_id: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
    Ok(execute!(ex, SQL, user_id)?)
}

/// Removes sessions that have expired.
pub async fn delete_expired(ex: Ex<'_>, now: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1";
    Ok(execute!(ex, SQL, now)?)
}
