//! What needs a coordinator's care: proposals, stale entries, broken links.

use super::STALE_AFTER_DAYS;
use crate::{AppResult, Services};
use chrono::Duration;
use convene_domain::{Action, Actor, authorize};
use convene_store::groups::{self, GroupRow};

/// The roster's to-do list.
#[derive(Debug, Clone)]
pub struct Care {
    /// Proposals waiting for review.
    pub pending: Vec<GroupRow>,
    /// Entries not confirmed for a year (the oldest 200), and how many in all.
    pub stale: Vec<GroupRow>,
    /// All stale entries.
    pub stale_total: i64,
    /// (slug, name, url, status, detail) of broken links (at most 500).
    pub broken_links: Vec<(String, String, String, String, Option<String>)>,
}

/// The to-do list, for coordinators.
pub async fn care(svc: &Services, actor: &Actor) -> AppResult<Care> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let before = svc.clock.now() - Duration::days(STALE_AFTER_DAYS);
    let mut conn = svc.db.conn().await?;
    Ok(Care {
        pending: groups::pending(conn.ex()).await?,
        stale: groups::stale(conn.ex(), before, 200).await?,
        stale_total: groups::count_stale(conn.ex(), before).await?,
        broken_links: groups::broken_links(conn.ex(), 500).await?,
    })
}
