//! Invitations to a role, sent by email as single-use links.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored invitation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    /// Id.
    pub id: i64,
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: String,
    /// Where it applies (stored scope form).
    pub scope: String,
    /// Who sent it.
    pub invited_by: i64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
    /// How many times the email went out.
    pub sent_count: i64,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Who accepted it.
    pub accepted_by: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new invitation to store.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    /// Hash of the secret in the link.
    pub token_hash: &'a str,
    /// The invited address.
    pub email: &'a str,
    /// The role offered.
    pub role: &'a str,
    /// Stored scope form.
    pub scope: &'a str,
    /// Who sends it.
    pub invited_by: i64,
    /// Now.
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Stores an invitation.
pub async fn insert(ex: Ex<'_>, inv: &NewInvitation<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO invitations (token_hash, email, role, scope, invited_by, created_at, expires_at, sent_count) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(inv.token_hash)
        .bind(inv.email)
        .bind(inv.role)
        .bind(inv.scope)
        .bind(inv.invited_by)
        .bind(inv.created_at)
        .bind(inv.expires_at)
        .fetch_one(c)
        .await)?)
}

/// The invitation whose link has this hash.
pub async fn by_token_hash(ex: Ex<'_>, token_hash: &str) -> Result<Option<InvitationRow>> {
    const SQL: &str = "SELECT id, email, role, scope, invited_by, created_at, expires_at, sent_count, accepted_at, accepted_by, revoked_at FROM invitations WHERE token_hash = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, InvitationRow>(SQL)
        .bind(token_hash)
        .fetch_optional(c)
        .await)?)
}

/// The invitation with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<InvitationRow>> {
    const SQL: &str = "SELECT id, email, role, scope, invited_by, created_at, expires_at, sent_count, accepted_at, accepted_by, revoked_at FROM invitations WHERE id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, InvitationRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Invitations not yet accepted nor revoked (expired ones included, so they
/// can be resent), newest first.
pub async fn pending(ex: Ex<'_>) -> Result<Vec<InvitationRow>> {
    const SQL: &str = "SELECT id, email, role, scope, invited_by, created_at, expires_at, sent_count, accepted_at, accepted_by, revoked_at FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL ORDER BY id DESC";
    Ok(run!(ex, |c| sqlx::query_as::<_, InvitationRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// Marks the invitation accepted, if it still is pending and unexpired.
/// Returns false when another request got there first.
pub async fn accept(ex: Ex<'_>, id: i64, user_id: i64, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1";
    Ok(execute!(ex, SQL, now, user_id, id)? == 1)
}

/// Revokes a pending invitation. Returns false if it was no longer pending.
pub async fn revoke(ex: Ex<'_>, id: i64, now: DateTime<Utc>) -> Result<bool> {
    const SQL: &str = "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL";
    Ok(execute!(ex, SQL, now, id)? == 1)
}

/// Gives a pending invitation a new link and expiry (the old link stops working).
pub async fn renew(
    ex: Ex<'_>,
    id: i64,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "UPDATE invitations SET token_hash = $1, expires_at = $2, sent_count = sent_count + 1 WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL";
    Ok(execute!(ex, SQL, token_hash, expires_at, id)? == 1)
}
