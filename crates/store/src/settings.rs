//! Site settings a coordinator changes at run time (not start-up config).

use crate::{Ex, Result, execute, run};

/// The stored value of `key`.
pub async fn get(ex: Ex<'_>, key: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT value FROM settings WHERE key = $1";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// Stores `value` under `key` unless something is stored there already,
/// and returns what is stored there now (so concurrent first writers all
/// end up with the same value).
pub async fn get_or_set(mut ex: Ex<'_>, key: &str, value: &str) -> Result<String> {
    const INSERT: &str =
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
    const SQL: &str = "SELECT value FROM settings WHERE key = $1";
    execute!(ex.reborrow(), INSERT, key, value)?;
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(key)
        .fetch_one(c)
        .await)?)
}

/// Stores `value` under `key`.
pub async fn set(ex: Ex<'_>, key: &str, value: &str) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    execute!(ex, SQL, key, value)?;
    Ok(())
}
