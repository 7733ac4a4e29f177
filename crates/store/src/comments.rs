//! Comments on blog posts, their moderation, and accounts barred from commenting.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A comment with its writer's name and its post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    /// Id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// The post's slug.
    pub post_slug: String,
    /// The post's title.
    pub post_title: String,
    /// The post's group, if any.
    pub post_group_id: Option<i64>,
    /// The writer's account; none for a reply from the fediverse.
    pub user_id: Option<i64>,
    /// The writer's display name (a remote writer's with their handle).
    pub author: String,
    /// A remote writer's actor id.
    pub remote_actor: Option<String>,
    /// Markdown (a subset is rendered).
    pub body: String,
    /// The body's sanitised HTML as rendered when it was saved; none for
    /// comments saved before it was kept.
    pub body_html: Option<String>,
    /// visible, held, hidden or spam.
    pub state: String,
    /// How many readers reported it.
    pub reports: i64,
    /// Written.
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT c.id, c.post_id, p.slug AS post_slug, p.title AS post_title, p.group_id AS post_group_id, c.user_id, \
    COALESCE(u.display_name, r.name || ' (@' || r.handle || ')') AS author, c.remote_actor, c.body, c.body_html, c.state, c.reports, c.created_at \
    FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN users u ON u.id = c.user_id \
    LEFT JOIN ap_remote_actors r ON r.id = c.remote_actor";

/// Stores a comment in `state` (visible or held), with its body's HTML
/// (none to have it rendered on first read).
pub async fn insert(
    ex: Ex<'_>,
    post_id: i64,
    user_id: i64,
    (body, body_html): (&str, Option<&str>),
    state: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO comments (post_id, user_id, body, state, reports, created_at, body_html) VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING id"
    )
    .bind(post_id)
    .bind(user_id)
    .bind(body)
    .bind(state)
    .bind(now)
    .bind(body_html)
    .fetch_one(c)
    .await
    })?)
}

/// Stores a reply from the fediverse (`remote_id` is its Note's id) as a
/// comment held for a moderator, its body sanitised HTML with a plain-text
/// copy; a second delivery of the same Note changes nothing. Returns its
/// id when new.
pub async fn insert_remote(
    ex: Ex<'_>,
    post_id: i64,
    remote_actor: &str,
    remote_id: &str,
    (text, html): (&str, &str),
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO comments (post_id, remote_actor, remote_id, body, body_html, state, reports, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'held', 0, $6) ON CONFLICT (remote_id) DO NOTHING RETURNING id"
    )
    .bind(post_id)
    .bind(remote_actor)
    .bind(remote_id)
    .bind(text)
    .bind(html)
    .bind(now)
    .fetch_optional(c)
    .await
    })?)
}

/// Changes a remote reply's text, when `remote_actor` wrote it.
pub async fn update_remote(
    ex: Ex<'_>,
    remote_actor: &str,
    remote_id: &str,
    (text, html): (&str, &str),
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE comments SET body = $3, body_html = $4 WHERE remote_id = $2 AND remote_actor = $1",
        remote_actor,
        remote_id,
        text,
        html
    )?)
}

/// Removes a remote reply, when `remote_actor` wrote it.
pub async fn delete_remote(ex: Ex<'_>, remote_actor: &str, remote_id: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM comments WHERE remote_id = $2 AND remote_actor = $1",
        remote_actor,
        remote_id
    )?)
}

/// Keeps the HTML rendered from a comment's body, if it has none yet (a
/// comment saved before the HTML was kept, rendered on its first read).
pub async fn keep_body_html(ex: Ex<'_>, id: i64, html: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE comments SET body_html = $2 WHERE id = $1 AND body_html IS NULL",
        id,
        html
    )?)
}

/// One comment.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<CommentRow>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, CommentRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// A post's visible comments, oldest first.
pub async fn visible(ex: Ex<'_>, post_id: i64) -> Result<Vec<CommentRow>> {
    let sql = format!("{SELECT} WHERE c.post_id = $1 AND c.state = 'visible' ORDER BY c.id");
    Ok(run!(ex, |c| sqlx::query_as::<_, CommentRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(post_id)
    .fetch_all(c)
    .await)?)
}

/// Comments waiting for a moderator (held, or visible and reported), oldest first.
pub async fn queue(ex: Ex<'_>) -> Result<Vec<CommentRow>> {
    let sql = format!(
        "{SELECT} WHERE c.state = 'held' OR (c.state = 'visible' AND c.reports > 0) ORDER BY c.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, CommentRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(c)
    .await)?)
}

/// Sets a comment's state after moderation (and clears its reports).
pub async fn moderate(
    ex: Ex<'_>,
    id: i64,
    state: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE comments SET state = $2, reports = 0, moderated_by = $3, moderated_at = $4 WHERE id = $1",
        id,
        state,
        by,
        now
    )?)
}

/// Counts a reader's report.
pub async fn report(ex: Ex<'_>, id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE comments SET reports = reports + 1 WHERE id = $1 AND state = 'visible'",
        id
    )?)
}

/// How many of `user_id`'s comments a moderator has let through (or were never held).
pub async fn count_visible_by(ex: Ex<'_>, user_id: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM comments WHERE user_id = $1 AND state = 'visible'"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)?)
}

/// How many comments, in any state, there are on posts whose slug starts with `prefix`.
pub async fn count_on_slug_prefix(ex: Ex<'_>, prefix: &str) -> Result<i64> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug LIKE $1"
    )
    .bind(&pattern)
    .fetch_one(c)
    .await)?)
}

/// Bars an account from commenting and hides its waiting comments as spam.
pub async fn ban(mut ex: Ex<'_>, user_id: i64, by: i64, now: DateTime<Utc>) -> Result<()> {
    execute!(
        ex.reborrow(),
        "INSERT INTO comment_bans (user_id, banned_by, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
        user_id,
        by,
        now
    )?;
    execute!(
        ex,
        "UPDATE comments SET state = 'spam', moderated_by = $2, moderated_at = $3 WHERE user_id = $1 AND state IN ('held', 'visible')",
        user_id,
        by,
        now
    )?;
    Ok(())
}

/// True if the account may not comment.
pub async fn is_banned(ex: Ex<'_>, user_id: i64) -> Result<bool> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM comment_bans WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)?
        > 0)
}
