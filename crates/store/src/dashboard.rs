//! Counts of what waits for a coordinator, for the `/admin` dashboard. Each
//! is one aggregate over an indexed column.

use crate::{Ex, Result, run};

/// How many of each kind of waiting work there is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Posts submitted for review.
    pub posts_in_review: i64,
    /// Groups proposed by visitors, not yet approved or rejected.
    pub groups_proposed: i64,
    /// List messages held for a moderator.
    pub held_messages: i64,
    /// Links of listed groups the checker found broken or unreachable.
    pub failing_links: i64,
    /// Jobs that failed every retry.
    pub dead_jobs: i64,
    /// Comments waiting for a moderator.
    pub held_comments: i64,
}

/// Counts everything that waits, in one round trip.
pub async fn waiting(ex: Ex<'_>) -> Result<Waiting> {
    const SQL: &str = "SELECT \
        (SELECT COUNT(*) FROM posts WHERE state = 'in_review'), \
        (SELECT COUNT(*) FROM groups WHERE approval = 'pending'), \
        (SELECT COUNT(*) FROM list_messages WHERE state = 'held'), \
        (SELECT COUNT(*) FROM group_links l JOIN groups g ON g.id = l.group_id \
            WHERE g.approval = 'approved' AND l.check_status IN ('broken', 'unreachable')), \
        (SELECT COUNT(*) FROM jobs WHERE state = 'dead'), \
        (SELECT COUNT(*) FROM comments WHERE state = 'held')";
    let row = run!(ex, |c| sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64)>(
        SQL
    )
    .fetch_one(c)
    .await)?;
    Ok(Waiting {
        posts_in_review: row.0,
        groups_proposed: row.1,
        held_messages: row.2,
        failing_links: row.3,
        dead_jobs: row.4,
        held_comments: row.5,
    })
}

/// The lists with messages held for a moderator: name and how many.
pub async fn held_by_list(ex: Ex<'_>) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT l.name, COUNT(*) FROM list_messages m JOIN lists l ON l.id = m.list_id \
        WHERE m.state = 'held' GROUP BY l.name ORDER BY l.name";
    Ok(run!(ex, |c| sqlx::query_as::<_, (String, i64)>(SQL)
        .fetch_all(c)
        .await)?)
}
