//! Blog posts, their authors, tags and revisions.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    /// Id.
    pub id: i64,
    /// Stable URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Plain-text summary.
    pub summary: String,
    /// Markdown body.
    pub body: String,
    /// The body's sanitised HTML as rendered when it was saved (with marks
    /// where embeds may go); none for posts saved before it was kept.
    pub body_html: Option<String>,
    /// meeting_report, announcement, how_we_started, typical_meeting, interview or article.
    pub kind: String,
    /// draft, in_review, published, unlisted or archived.
    pub state: String,
    /// The group it is about.
    pub group_id: Option<i64>,
    /// Cover image URL, or empty.
    pub cover_image: String,
    /// Shown on the front page.
    pub featured: bool,
    /// Passed the substance check when last submitted.
    pub substance_ok: bool,
    /// A reviewer's note when sent back.
    pub review_note: Option<String>,
    /// Who started it.
    pub created_by: Option<i64>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// First published.
    pub published_at: Option<DateTime<Utc>>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "p.id, p.slug, p.title, p.summary, p.body, p.body_html, p.kind, p.state, p.group_id, p.cover_image, p.featured, p.substance_ok, p.review_note, p.created_by, p.created_at, p.published_at, p.updated_at";

/// The editable fields of a post.
#[derive(Debug, Clone)]
pub struct PostFields<'a> {
    /// Title.
    pub title: &'a str,
    /// Summary.
    pub summary: &'a str,
    /// Markdown body.
    pub body: &'a str,
    /// The body's sanitised HTML; none to have it rendered on first read.
    pub body_html: Option<&'a str>,
    /// Kind.
    pub kind: &'a str,
    /// The group it is about.
    pub group_id: Option<i64>,
    /// Cover image URL.
    pub cover_image: &'a str,
}

/// Stores a new draft.
pub async fn insert(
    ex: Ex<'_>,
    slug: &str,
    f: &PostFields<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO posts (slug, title, summary, body, kind, state, group_id, cover_image, featured, substance_ok, created_by, created_at, updated_at, body_html) \
        VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $8, $9, $10, $10, $11) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(slug)
        .bind(f.title)
        .bind(f.summary)
        .bind(f.body)
        .bind(f.kind)
        .bind(f.group_id)
        .bind(f.cover_image)
        .bind(false)
        .bind(by)
        .bind(now)
        .bind(f.body_html)
        .fetch_one(c)
        .await)?)
}

/// Changes a post's fields.
pub async fn update(
    mut ex: Ex<'_>,
    id: i64,
    f: &PostFields<'_>,
    now: DateTime<Utc>,
) -> Result<u64> {
    bump(ex.reborrow()).await?;
    Ok(execute!(
        ex,
        "UPDATE posts SET title = $2, summary = $3, body = $4, kind = $5, group_id = $6, cover_image = $7, updated_at = $8, body_html = $9 WHERE id = $1",
        id,
        f.title,
        f.summary,
        f.body,
        f.kind,
        f.group_id,
        f.cover_image,
        now,
        f.body_html
    )?)
}

/// Keeps the HTML rendered from a post's `body`, if the post still has that
/// body and no HTML yet (a post saved before the HTML was kept, rendered on
/// its first read).
pub async fn keep_body_html(ex: Ex<'_>, id: i64, body: &str, html: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE posts SET body_html = $3 WHERE id = $1 AND body = $2 AND body_html IS NULL",
        id,
        body,
        html
    )?)
}

/// Moves a post to `state`, recording the substance check and a reviewer's
/// note; the first publication sets `published_at`.
pub async fn set_state(
    mut ex: Ex<'_>,
    id: i64,
    state: &str,
    substance_ok: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    bump(ex.reborrow()).await?;
    Ok(execute!(
        ex,
        "UPDATE posts SET state = $2, substance_ok = $3, review_note = $4, updated_at = $5, \
         published_at = CASE WHEN $2 = 'published' AND published_at IS NULL THEN $5 ELSE published_at END WHERE id = $1",
        id,
        state,
        substance_ok,
        note,
        now
    )?)
}

/// Features a post on the front page, or stops.
pub async fn set_featured(mut ex: Ex<'_>, id: i64, featured: bool) -> Result<u64> {
    bump(ex.reborrow()).await?;
    Ok(execute!(
        ex,
        "UPDATE posts SET featured = $2 WHERE id = $1",
        id,
        featured
    )?)
}

/// The post with this slug.
pub async fn by_slug(ex: Ex<'_>, slug: &str) -> Result<Option<PostRow>> {
    let sql = format!("SELECT {COLUMNS} FROM posts p WHERE p.slug = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(slug)
    .fetch_optional(c)
    .await)?)
}

/// The post with this id.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<PostRow>> {
    let sql = format!("SELECT {COLUMNS} FROM posts p WHERE p.id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Slugs starting with `prefix`, to find a free one.
pub async fn slugs_like(ex: Ex<'_>, prefix: &str) -> Result<Vec<String>> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(
        "SELECT slug FROM posts WHERE slug LIKE $1"
    )
    .bind(&pattern)
    .fetch_all(c)
    .await)?)
}

/// A post's id, slug, state and first publication, for the benchmark seeder.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostStub {
    /// Id.
    pub id: i64,
    /// Stable URL name.
    pub slug: String,
    /// draft, in_review, published, unlisted or archived.
    pub state: String,
    /// First published.
    pub published_at: Option<DateTime<Utc>>,
}

/// Every post whose slug starts with `prefix`, in no particular order.
pub async fn with_slug_prefix(ex: Ex<'_>, prefix: &str) -> Result<Vec<PostStub>> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(run!(ex, |c| sqlx::query_as::<_, PostStub>(
        "SELECT id, slug, state, published_at FROM posts WHERE slug LIKE $1"
    )
    .bind(&pattern)
    .fetch_all(c)
    .await)?)
}

/// Which published posts a listing shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing<'a> {
    /// Only this group's.
    pub group_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<&'a str>,
    /// Only with this tag.
    pub tag: Option<&'a str>,
    /// Only stories: how we started, a typical meeting, interviews.
    pub stories: bool,
    /// Only about groups on this continent (code).
    pub continent: Option<&'a str>,
    /// Only about groups in this country (code).
    pub country: Option<&'a str>,
}

/// Published posts, newest first.
pub async fn published(
    ex: Ex<'_>,
    l: Listing<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<PostRow>> {
    listed(
        ex,
        &Page {
            state: "published",
            listing: l,
            author: None,
            after: None,
            limit,
            offset,
        },
    )
    .await
}

/// A page of posts in one state, newest first (by first publication, or
/// by creation for posts never published).
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// draft, in_review, published, unlisted or archived.
    pub state: &'a str,
    /// Which of them.
    pub listing: Listing<'a>,
    /// Only posts this account is an author of.
    pub author: Option<i64>,
    /// Only posts that come after the post with this id in this order (a
    /// cursor that stays put when newer posts appear).
    pub after: Option<i64>,
    /// The most to return.
    pub limit: i64,
    /// How many to skip.
    pub offset: i64,
}

/// The posts of a [`Page`].
pub async fn listed(ex: Ex<'_>, page: &Page<'_>) -> Result<Vec<PostRow>> {
    const AT: &str = "COALESCE(p.published_at, p.created_at)";
    const AT_C: &str = "COALESCE(c.published_at, c.created_at)";
    let sql = format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.state = $9 \
         AND ($1 IS NULL OR p.group_id = $1) AND ($2 IS NULL OR p.kind = $2) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = p.id AND t.tag = $3)) \
         AND (NOT $6 OR p.kind IN ('how_we_started', 'typical_meeting', 'interview')) \
         AND ($7 IS NULL OR EXISTS (SELECT 1 FROM groups g WHERE g.id = p.group_id AND g.continent = $7)) \
         AND ($8 IS NULL OR EXISTS (SELECT 1 FROM groups g WHERE g.id = p.group_id AND g.country = $8)) \
         AND ($10 IS NULL OR EXISTS (SELECT 1 FROM post_authors a WHERE a.post_id = p.id AND a.user_id = $10)) \
         AND ($11 IS NULL OR EXISTS (SELECT 1 FROM posts c WHERE c.id = $11 \
              AND ({AT} < {AT_C} OR ({AT} = {AT_C} AND p.id < c.id)))) \
         ORDER BY {AT} DESC, p.id DESC LIMIT $4 OFFSET $5"
    );
    let l = page.listing;
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(l.group_id)
    .bind(l.kind)
    .bind(l.tag)
    .bind(page.limit)
    .bind(page.offset)
    .bind(l.stories)
    .bind(l.continent)
    .bind(l.country)
    .bind(page.state)
    .bind(page.author)
    .bind(page.after)
    .fetch_all(c)
    .await)?)
}

/// Posts waiting for a coordinator, oldest first.
pub async fn in_review(ex: Ex<'_>) -> Result<Vec<PostRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.state = 'in_review' ORDER BY p.updated_at, p.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(c)
    .await)?)
}

/// The posts `user_id` is an author of, newest first.
pub async fn by_author(ex: Ex<'_>, user_id: i64) -> Result<Vec<PostRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM posts p JOIN post_authors a ON a.post_id = p.id WHERE a.user_id = $1 ORDER BY p.updated_at DESC, p.id DESC"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// Replaces a post's authors (in order).
pub async fn set_authors(mut ex: Ex<'_>, post_id: i64, users: &[i64]) -> Result<()> {
    bump(ex.reborrow()).await?;
    execute!(
        ex.reborrow(),
        "DELETE FROM post_authors WHERE post_id = $1",
        post_id
    )?;
    for (position, user) in users.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        execute!(
            ex.reborrow(),
            "INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)",
            post_id,
            *user,
            position
        )?;
    }
    Ok(())
}

/// A post's authors: id and display name, in order.
pub async fn authors(ex: Ex<'_>, post_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (i64, String)>(
        "SELECT u.id, u.display_name FROM post_authors a JOIN users u ON u.id = a.user_id WHERE a.post_id = $1 ORDER BY a.position"
    )
    .bind(post_id)
    .fetch_all(c)
    .await
    })?)
}

/// Replaces a post's tags.
pub async fn set_tags(mut ex: Ex<'_>, post_id: i64, tags: &[String]) -> Result<()> {
    bump(ex.reborrow()).await?;
    execute!(
        ex.reborrow(),
        "DELETE FROM post_tags WHERE post_id = $1",
        post_id
    )?;
    for tag in tags {
        execute!(
            ex.reborrow(),
            "INSERT INTO post_tags (post_id, tag) VALUES ($1, $2)",
            post_id,
            tag
        )?;
    }
    Ok(())
}

/// A post's tags, sorted.
pub async fn tags(ex: Ex<'_>, post_id: i64) -> Result<Vec<String>> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(
        "SELECT tag FROM post_tags WHERE post_id = $1 ORDER BY tag"
    )
    .bind(post_id)
    .fetch_all(c)
    .await)?)
}

/// Records the post as it now reads.
pub async fn insert_revision(
    ex: Ex<'_>,
    post_id: i64,
    user_id: Option<i64>,
    now: DateTime<Utc>,
    f: &PostFields<'_>,
) -> Result<()> {
    execute!(
        ex,
        "INSERT INTO post_revisions (post_id, user_id, created_at, title, summary, body) VALUES ($1, $2, $3, $4, $5, $6)",
        post_id,
        user_id,
        now,
        f.title,
        f.summary,
        f.body
    )?;
    Ok(())
}

/// How many revisions a post has.
pub async fn count_revisions(ex: Ex<'_>, post_id: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM post_revisions WHERE post_id = $1"
    )
    .bind(post_id)
    .fetch_one(c)
    .await)?)
}

/// Raises the blog's change counter: every write that can change a listing
/// or a feed (a post's fields, state, featuring, authors and tags) calls it
/// in its transaction.
pub async fn bump(ex: Ex<'_>) -> Result<()> {
    execute!(
        ex,
        "UPDATE counters SET value = value + 1 WHERE name = 'posts'"
    )?;
    Ok(())
}

/// Subscribes `user_id` to new posts in `scope` ('' site-wide, or a group's
/// slug) with the unsubscribe `token`; a second subscription to the same
/// scope changes nothing.
pub async fn subscribe(
    ex: Ex<'_>,
    user_id: i64,
    scope: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO post_subscriptions (user_id, scope, token, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, scope) DO NOTHING",
        user_id,
        scope,
        token,
        now
    )?)
}

/// Ends the subscription with this unsubscribe token; returns its scope.
pub async fn unsubscribe(ex: Ex<'_>, token: &str) -> Result<Option<String>> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(
        "DELETE FROM post_subscriptions WHERE token = $1 RETURNING scope"
    )
    .bind(token)
    .fetch_optional(c)
    .await)?)
}

/// A member's subscription scopes.
pub async fn subscriptions_of(ex: Ex<'_>, user_id: i64) -> Result<Vec<String>> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(
        "SELECT scope FROM post_subscriptions WHERE user_id = $1 ORDER BY scope"
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// Published posts whose body links to `/events/{event_id}` (a meeting's
/// report names the event by linking its page): slug and title, oldest
/// first.
pub async fn naming_event(ex: Ex<'_>, event_id: i64) -> Result<Vec<(String, String)>> {
    let needle = format!("/events/{event_id}");
    let pattern = format!("%{needle}%");
    let rows: Vec<(String, String, String)> = run!(ex, |c| {
        sqlx::query_as::<
        _,
        (String, String, String),
    >(
        "SELECT slug, title, body FROM posts WHERE state = 'published' AND body LIKE $1 ORDER BY published_at, id"
    )
    .bind(&pattern)
    .fetch_all(c)
    .await
    })?;
    // `/events/1` must not match a link to `/events/12`.
    Ok(rows
        .into_iter()
        .filter(|(_, _, body)| {
            body.match_indices(&needle).any(|(i, _)| {
                !body[i + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
        })
        .map(|(slug, title, _)| (slug, title))
        .collect())
}

/// Published posts a coordinator featured on the front page, newest first.
pub async fn featured(ex: Ex<'_>, limit: i64) -> Result<Vec<PostRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.state = 'published' AND p.featured \
         ORDER BY COALESCE(p.published_at, p.created_at) DESC, p.id DESC LIMIT $1"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, PostRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// How many posts wait for a coordinator's review.
pub async fn count_in_review(ex: Ex<'_>) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM posts WHERE state = 'in_review'";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(c)
        .await)?)
}

/// Queues post `post_id`'s mail in the delivery ledger, once per member
/// subscribed to the site or to `group` (slug) however many of those
/// subscriptions they hold. Returns how many were queued.
pub async fn queue_mail(
    ex: Ex<'_>,
    post_id: i64,
    group: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "INSERT INTO deliveries (batch_kind, batch_id, recipient_id, state, attempts, updated_at) \
         SELECT DISTINCT 'post', $1, s.user_id, 'queued', 0, $3 FROM post_subscriptions s JOIN users u ON u.id = s.user_id \
         WHERE s.scope = '' OR s.scope = $2 \
         ON CONFLICT (batch_kind, batch_id, recipient_id) DO NOTHING",
        post_id,
        group.unwrap_or(""),
        now
    )?)
}

/// One queued copy of a post's mail, with what making it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedPostMail {
    /// The member.
    pub user_id: i64,
    /// Where it goes.
    pub email: String,
    /// The member's name.
    pub display_name: String,
    /// The subscription it comes under (the group's before the whole
    /// site's), or none if the member has unsubscribed since.
    pub scope: Option<String>,
    /// That subscription's unsubscribe token.
    pub token: Option<String>,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Up to `limit` queued copies of post `post_id`'s mail for members after
/// `after_user_id`, in member order. One job per post runs at a time (the
/// job queue's lease), so reading the batch is claiming it.
pub async fn claim_mail(
    ex: Ex<'_>,
    post_id: i64,
    group: Option<&str>,
    after_user_id: i64,
    limit: i64,
) -> Result<Vec<QueuedPostMail>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, QueuedPostMail>(
            "SELECT d.recipient_id AS user_id, u.email, u.display_name, s.scope, s.token, d.attempts \
             FROM deliveries d JOIN users u ON u.id = d.recipient_id \
             LEFT JOIN post_subscriptions s ON s.user_id = d.recipient_id AND s.scope = \
               (SELECT MAX(s2.scope) FROM post_subscriptions s2 WHERE s2.user_id = d.recipient_id AND (s2.scope = '' OR s2.scope = $2)) \
             WHERE d.batch_kind = 'post' AND d.batch_id = $1 AND d.state = 'queued' AND d.recipient_id > $3 \
             ORDER BY d.recipient_id LIMIT $4",
        )
        .bind(post_id)
        .bind(group.unwrap_or(""))
        .bind(after_user_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}
