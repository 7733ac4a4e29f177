//! Roles held by accounts.

use crate::{Ex, Result, StoreError, execute, run};
use chrono::{DateTime, Utc};
use convene_domain::{Grant, Role, Scope};

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    scope: String,
}

/// Gives `user_id` the role over the scope; does nothing if already held.
pub async fn grant(
    ex: Ex<'_>,
    user_id: i64,
    grant: &Grant,
    granted_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "INSERT INTO role_grants (user_id, role, scope, granted_by, created_at) \
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, role, scope) DO NOTHING";
    let scope = grant.scope.to_stored();
    execute!(
        ex,
        SQL,
        user_id,
        grant.role.as_str(),
        &scope,
        granted_by,
        now
    )?;
    Ok(())
}

/// A stored grant read back, or [`StoreError::Corrupt`] if it names a role
/// or scope this version does not know.
pub(crate) fn parse(role: &str, scope: &str) -> Result<Grant> {
    let role = Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
    let scope =
        Scope::from_stored(scope).ok_or_else(|| StoreError::Corrupt(format!("scope {scope:?}")))?;
    Ok(Grant { role, scope })
}

/// Every role `user_id` holds.
pub async fn for_user(ex: Ex<'_>, user_id: i64) -> Result<Vec<Grant>> {
    const SQL: &str = "SELECT role, scope FROM role_grants WHERE user_id = $1 ORDER BY id";
    let rows = run!(ex, |c| sqlx::query_as::<_, GrantRow>(SQL)
        .bind(user_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(|r| parse(&r.role, &r.scope)).collect()
}

/// The enabled accounts holding `role` over `scope`: (account id, address,
/// name), oldest grant first.
pub async fn holders(ex: Ex<'_>, role: Role, scope: &Scope) -> Result<Vec<(i64, String, String)>> {
    const SQL: &str = "SELECT u.id, u.email, u.display_name FROM role_grants r JOIN users u ON u.id = r.user_id WHERE r.role = $1 AND r.scope = $2 AND u.disabled_at IS NULL ORDER BY r.id";
    let scope = scope.to_stored();
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, String, String)>(
        SQL
    )
    .bind(role.as_str())
    .bind(&scope)
    .fetch_all(c)
    .await)?)
}

/// How many accounts hold `role` over `scope`.
pub async fn count_holders(ex: Ex<'_>, role: Role, scope: &Scope) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM role_grants WHERE role = $1 AND scope = $2";
    let scope = scope.to_stored();
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(role.as_str())
        .bind(&scope)
        .fetch_one(c)
        .await)?)
}
