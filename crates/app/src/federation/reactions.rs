//! What the fediverse made of our posts and events: likes and boosts.

use crate::{AppResult, Services};
use convene_store::federation;

/// Likes and boosts (Announce) of the post or event at `path`.
pub async fn counts(svc: &Services, path: &str) -> AppResult<(i64, i64)> {
    let mut conn = svc.db.conn().await?;
    Ok(federation::reaction_counts(conn.ex(), path).await?)
}
