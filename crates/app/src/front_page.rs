//! What the front page tells a visitor at a glance, beyond the calendar and
//! the blog: how large the community is.

use crate::{AppResult, Services};
use convene_store::groups::{Filter, place_counts};

/// The roster's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RosterCounts {
    /// Listed groups.
    pub groups: i64,
    /// Countries with at least one listed group.
    pub countries: i64,
}

/// Counts the listed groups and their countries in one grouped query.
pub async fn roster_counts(svc: &Services) -> AppResult<RosterCounts> {
    let mut conn = svc.db.conn().await?;
    let rows = place_counts(conn.ex(), &Filter::default()).await?;
    let mut countries: Vec<&str> = rows
        .iter()
        .map(|(_, country, _, _)| country.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    Ok(RosterCounts {
        groups: rows.iter().map(|(_, _, _, n)| n).sum(),
        countries: countries.len() as i64,
    })
}
