//! ActivityPub: local actors' keys, remote actors as last read, who
//! follows our actors and whom our calendars follow, likes and boosts,
//! reports, blocks, and the log of what inboxes refused.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A local actor's stored key pair.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    /// The private half, PKCS#8 PEM.
    pub private_pem: String,
    /// The public half, PEM.
    pub public_pem: String,
}

/// The key pair of the local actor at `actor` (its path).
pub async fn key(ex: Ex<'_>, actor: &str) -> Result<Option<KeyRow>> {
    const SQL: &str = "SELECT private_pem, public_pem FROM ap_keys WHERE actor = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, KeyRow>(SQL)
        .bind(actor)
        .fetch_optional(c)
        .await)?)
}

/// Stores a key pair for `actor` unless one is stored already, and
/// returns the one stored (so two first requests end up with one key).
pub async fn key_or_insert(
    mut ex: Ex<'_>,
    actor: &str,
    private_pem: &str,
    public_pem: &str,
    now: DateTime<Utc>,
) -> Result<KeyRow> {
    const INSERT: &str = "INSERT INTO ap_keys (actor, private_pem, public_pem, created_at) \
                          VALUES ($1, $2, $3, $4) ON CONFLICT (actor) DO NOTHING";
    execute!(ex.reborrow(), INSERT, actor, private_pem, public_pem, now)?;
    const SQL: &str = "SELECT private_pem, public_pem FROM ap_keys WHERE actor = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, KeyRow>(SQL)
        .bind(actor)
        .fetch_one(c)
        .await)?)
}

/// A remote actor as last read.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RemoteActorRow {
    /// Its id.
    pub id: String,
    /// Person, Group, Application…
    pub kind: String,
    /// `name@host`.
    pub handle: String,
    /// The name shown.
    pub name: String,
    /// Its inbox.
    pub inbox: String,
    /// Its server's shared inbox.
    pub shared_inbox: Option<String>,
    /// Its key's id.
    pub key_id: String,
    /// Its public key, PEM.
    pub public_key_pem: String,
    /// When it was read.
    pub fetched_at: DateTime<Utc>,
}

/// The remote actor whose key is `key_id`.
pub async fn actor_by_key(ex: Ex<'_>, key_id: &str) -> Result<Option<RemoteActorRow>> {
    const SQL: &str = "SELECT id, kind, handle, name, inbox, shared_inbox, key_id, \
                       public_key_pem, fetched_at FROM ap_remote_actors WHERE key_id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, RemoteActorRow>(SQL)
        .bind(key_id)
        .fetch_optional(c)
        .await)?)
}

/// The remote actor `id`.
pub async fn actor(ex: Ex<'_>, id: &str) -> Result<Option<RemoteActorRow>> {
    const SQL: &str = "SELECT id, kind, handle, name, inbox, shared_inbox, key_id, \
                       public_key_pem, fetched_at FROM ap_remote_actors WHERE id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, RemoteActorRow>(SQL)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Stores what was read of a remote actor.
pub async fn save_actor(ex: Ex<'_>, a: &RemoteActorRow) -> Result<()> {
    const SQL: &str = "INSERT INTO ap_remote_actors \
        (id, kind, handle, name, inbox, shared_inbox, key_id, public_key_pem, fetched_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
        ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, handle = excluded.handle, \
        name = excluded.name, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, \
        key_id = excluded.key_id, public_key_pem = excluded.public_key_pem, \
        fetched_at = excluded.fetched_at";
    execute!(
        ex,
        SQL,
        &a.id,
        &a.kind,
        &a.handle,
        &a.name,
        &a.inbox,
        &a.shared_inbox,
        &a.key_id,
        &a.public_key_pem,
        a.fetched_at
    )?;
    Ok(())
}

/// Records that `follower` follows the local `actor`; true when it did
/// not already.
pub async fn add_follower(
    ex: Ex<'_>,
    actor: &str,
    follower: &str,
    follow_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "INSERT INTO ap_followers (actor, follower, follow_id, created_at) \
                       VALUES ($1, $2, $3, $4) ON CONFLICT (actor, follower) DO NOTHING";
    Ok(execute!(ex, SQL, actor, follower, follow_id, now)? > 0)
}

/// Ends `follower`'s following of `actor`; true when it was following.
pub async fn remove_follower(ex: Ex<'_>, actor: &str, follower: &str) -> Result<bool> {
    const SQL: &str = "DELETE FROM ap_followers WHERE actor = $1 AND follower = $2";
    Ok(execute!(ex, SQL, actor, follower)? > 0)
}

/// How many follow the local `actor`.
pub async fn follower_count(ex: Ex<'_>, actor: &str) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM ap_followers WHERE actor = $1";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(actor)
        .fetch_one(c)
        .await)?)
}

/// The inboxes to deliver `actor`'s activities to: each follower's
/// server's shared inbox if it has one, else the follower's own, each
/// once.
pub async fn follower_inboxes(ex: Ex<'_>, actor: &str) -> Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT COALESCE(r.shared_inbox, r.inbox) FROM ap_followers f \
                       JOIN ap_remote_actors r ON r.id = f.follower WHERE f.actor = $1 ORDER BY 1";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(actor)
        .fetch_all(c)
        .await)?)
}

/// Writes down that an inbox refused something from `remote`, and why.
pub async fn log_refusal(ex: Ex<'_>, remote: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
    const SQL: &str = "INSERT INTO ap_refusals (at, remote, reason) VALUES ($1, $2, $3)";
    execute!(ex, SQL, now, remote, reason)?;
    Ok(())
}

/// One refusal, for the moderation log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefusalRow {
    /// When.
    pub at: DateTime<Utc>,
    /// Who sent it (an actor id, a key id or a host).
    pub remote: String,
    /// Why it was refused.
    pub reason: String,
}

/// The latest `limit` refusals, newest first.
pub async fn refusals(ex: Ex<'_>, limit: i64) -> Result<Vec<RefusalRow>> {
    const SQL: &str = "SELECT at, remote, reason FROM ap_refusals ORDER BY id DESC LIMIT $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, RefusalRow>(SQL)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Accounts in all, those seen since `month_ago` and since `halfyear_ago`,
/// and published posts: what NodeInfo reports.
pub async fn site_usage(
    ex: Ex<'_>,
    month_ago: DateTime<Utc>,
    halfyear_ago: DateTime<Utc>,
) -> Result<(i64, i64, i64, i64)> {
    const SQL: &str = "SELECT (SELECT COUNT(*) FROM users), \
        (SELECT COUNT(DISTINCT user_id) FROM sessions WHERE last_seen_at >= $1), \
        (SELECT COUNT(DISTINCT user_id) FROM sessions WHERE last_seen_at >= $2), \
        (SELECT COUNT(*) FROM posts WHERE state = 'published')";
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, i64, i64, i64)>(
        SQL
    )
    .bind(month_ago)
    .bind(halfyear_ago)
    .fetch_one(c)
    .await)?)
}

/// What an actor's outbox holds: ids of the events it publishes that
/// have not ended by `now` (a group's, or a regional calendar's own), and
/// of its latest published posts (a group's, or for the site those with
/// no group), at most `limit` of each.
pub async fn outbox_of(
    mut ex: Ex<'_>,
    actor: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let (events, posts): (Option<&'static str>, Option<&'static str>) = if actor
        .starts_with("/groups/")
    {
        (
            Some(
                "SELECT e.id FROM events e JOIN groups g ON g.id = e.group_id \
                     WHERE g.slug = $1 AND e.source_id IS NULL AND e.recurrence_id = '' \
                     AND (e.last_end IS NULL OR e.last_end >= $2) ORDER BY e.first_start DESC LIMIT $3",
            ),
            Some(
                "SELECT p.id FROM posts p JOIN groups g ON g.id = p.group_id \
                     WHERE g.slug = $1 AND p.state = 'published' ORDER BY p.published_at DESC LIMIT $2",
            ),
        )
    } else if actor.starts_with("/calendars/") {
        (
            Some(
                "SELECT e.id FROM events e JOIN calendars c ON c.id = e.calendar_id \
                     WHERE c.slug = $1 AND e.source_id IS NULL AND e.recurrence_id = '' \
                     AND (e.last_end IS NULL OR e.last_end >= $2) ORDER BY e.first_start DESC LIMIT $3",
            ),
            None,
        )
    } else {
        (
            None,
            Some(
                "SELECT p.id FROM posts p WHERE p.group_id IS NULL AND p.state = 'published' \
                     ORDER BY p.published_at DESC LIMIT $1",
            ),
        )
    };
    let slug = actor.rsplit('/').next().unwrap_or_default();
    let event_ids = match events {
        Some(sql) => run!(ex.reborrow(), |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(slug)
            .bind(now)
            .bind(limit)
            .fetch_all(c)
            .await)?,
        None => Vec::new(),
    };
    let post_ids = match posts {
        Some(sql) if actor.starts_with("/groups/") => {
            run!(ex, |c| sqlx::query_scalar::<_, i64>(sql)
                .bind(slug)
                .bind(limit)
                .fetch_all(c)
                .await)?
        }
        Some(sql) => run!(ex, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(limit)
            .fetch_all(c)
            .await)?,
        None => Vec::new(),
    };
    Ok((event_ids, post_ids))
}

/// The host of an actor or key address (`https://host:port/...`).
pub fn host_of(address: &str) -> &str {
    let rest = address
        .strip_prefix("https://")
        .or_else(|| address.strip_prefix("http://"))
        .unwrap_or(address);
    rest.split(['/', '#', '?']).next().unwrap_or(rest)
}

/// Blocks a remote actor (`kind` "actor", `target` its id) or a whole
/// domain (`kind` "domain", `target` its host): their follows end and
/// what they wrote here is no longer shown.
pub async fn block(
    mut ex: Ex<'_>,
    target: &str,
    kind: &str,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "INSERT INTO ap_blocks (target, kind, reason, created_by, created_at) \
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target) DO NOTHING";
    execute!(ex.reborrow(), SQL, target, kind, reason, by, now)?;
    let ids: Vec<String> = if kind == "domain" {
        const ACTORS: &str = "SELECT id FROM ap_remote_actors";
        run!(ex.reborrow(), |c| sqlx::query_scalar::<_, String>(ACTORS)
            .fetch_all(c)
            .await)?
        .into_iter()
        .filter(|id| host_of(id).eq_ignore_ascii_case(target))
        .collect()
    } else {
        vec![target.to_owned()]
    };
    for id in ids {
        execute!(
            ex.reborrow(),
            "DELETE FROM ap_followers WHERE follower = $1",
            &id
        )?;
        execute!(
            ex.reborrow(),
            "UPDATE comments SET state = 'spam' WHERE remote_actor = $1",
            &id
        )?;
        execute!(
            ex.reborrow(),
            "DELETE FROM ap_reactions WHERE actor = $1",
            &id
        )?;
    }
    Ok(())
}

/// Lifts a block.
pub async fn unblock(ex: Ex<'_>, target: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM ap_blocks WHERE target = $1",
        target
    )?)
}

/// Why `actor` (or its domain) is blocked, if it is.
pub async fn blocked(ex: Ex<'_>, actor: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT reason FROM ap_blocks WHERE (kind = 'actor' AND target = $1) \
                       OR (kind = 'domain' AND target = $2)";
    let host = host_of(actor).to_ascii_lowercase();
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .bind(actor)
        .bind(&host)
        .fetch_optional(c)
        .await)?)
}

/// A block, for the coordinators' page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockRow {
    /// An actor id or a domain.
    pub target: String,
    /// actor or domain.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Every block, newest first.
pub async fn blocks(ex: Ex<'_>) -> Result<Vec<BlockRow>> {
    const SQL: &str =
        "SELECT target, kind, reason, created_at FROM ap_blocks ORDER BY created_at DESC, target";
    Ok(run!(ex, |c| sqlx::query_as::<_, BlockRow>(SQL)
        .fetch_all(c)
        .await)?)
}

/// Counts a Like or Announce of our object at `object` (its path); true
/// when new.
pub async fn add_reaction(
    ex: Ex<'_>,
    object: &str,
    kind: &str,
    actor: &str,
    activity_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    const SQL: &str = "INSERT INTO ap_reactions (object, kind, actor, activity_id, created_at) \
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (object, kind, actor) DO NOTHING";
    Ok(execute!(ex, SQL, object, kind, actor, activity_id, now)? > 0)
}

/// Takes back a Like or Announce by its activity's id.
pub async fn remove_reaction(ex: Ex<'_>, actor: &str, activity_id: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM ap_reactions WHERE actor = $1 AND activity_id = $2",
        actor,
        activity_id
    )?)
}

/// Likes and boosts of our object at `object`.
pub async fn reaction_counts(ex: Ex<'_>, object: &str) -> Result<(i64, i64)> {
    const SQL: &str = "SELECT \
        COALESCE(SUM(CASE WHEN kind = 'Like' THEN 1 ELSE 0 END), 0), \
        COALESCE(SUM(CASE WHEN kind = 'Announce' THEN 1 ELSE 0 END), 0) \
        FROM ap_reactions WHERE object = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, i64)>(SQL)
        .bind(object)
        .fetch_one(c)
        .await)?)
}

/// Keeps a report (Flag) from `actor` about `objects` for coordinators.
pub async fn add_flag(
    ex: Ex<'_>,
    actor: &str,
    objects: &str,
    content: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str =
        "INSERT INTO ap_flags (actor, objects, content, created_at) VALUES ($1, $2, $3, $4)";
    execute!(ex, SQL, actor, objects, content, now)?;
    Ok(())
}

/// A report from another server.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlagRow {
    /// Who sent it.
    pub actor: String,
    /// What it is about (addresses, one per line).
    pub objects: String,
    /// What they said.
    pub content: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The latest `limit` reports, newest first.
pub async fn flags(ex: Ex<'_>, limit: i64) -> Result<Vec<FlagRow>> {
    const SQL: &str =
        "SELECT actor, objects, content, created_at FROM ap_flags ORDER BY id DESC LIMIT $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, FlagRow>(SQL)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Forgets a remote actor and everything it wrote or did here (its
/// follows, replies and reactions go with it).
pub async fn forget_actor(ex: Ex<'_>, id: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM ap_remote_actors WHERE id = $1",
        id
    )?)
}

/// Records that calendar source `source_id` follows `remote_actor` by the
/// Follow `follow_id`, waiting for its Accept.
pub async fn start_following(
    mut ex: Ex<'_>,
    source_id: i64,
    remote_actor: &str,
    follow_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    execute!(
        ex.reborrow(),
        "UPDATE calendar_sources SET kind = 'activitypub' WHERE id = $1",
        source_id
    )?;
    execute!(
        ex,
        "INSERT INTO ap_following (source_id, remote_actor, follow_id, state, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4)",
        source_id,
        remote_actor,
        follow_id,
        now
    )?;
    Ok(())
}

/// One of our follows of a remote actor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowingRow {
    /// The calendar source it feeds.
    pub source_id: i64,
    /// The calendar.
    pub calendar_id: Option<i64>,
    /// Whom we follow.
    pub remote_actor: String,
    /// Our Follow's id.
    pub follow_id: String,
    /// pending, accepted or rejected.
    pub state: String,
}

/// Our follow whose Follow is `follow_id`.
pub async fn following_by_follow(ex: Ex<'_>, follow_id: &str) -> Result<Option<FollowingRow>> {
    const SQL: &str = "SELECT f.source_id, s.calendar_id, f.remote_actor, f.follow_id, f.state \
                       FROM ap_following f JOIN calendar_sources s ON s.id = f.source_id \
                       WHERE f.follow_id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, FollowingRow>(SQL)
        .bind(follow_id)
        .fetch_optional(c)
        .await)?)
}

/// Our follows of any of `actors` that it accepted.
pub async fn following_of(ex: Ex<'_>, actor: &str) -> Result<Vec<FollowingRow>> {
    const SQL: &str = "SELECT f.source_id, s.calendar_id, f.remote_actor, f.follow_id, f.state \
                       FROM ap_following f JOIN calendar_sources s ON s.id = f.source_id \
                       WHERE f.remote_actor = $1 AND f.state = 'accepted' ORDER BY f.source_id";
    Ok(run!(ex, |c| sqlx::query_as::<_, FollowingRow>(SQL)
        .bind(actor)
        .fetch_all(c)
        .await)?)
}

/// Our follow feeding calendar source `source_id`.
pub async fn following_of_source(ex: Ex<'_>, source_id: i64) -> Result<Option<FollowingRow>> {
    const SQL: &str = "SELECT f.source_id, s.calendar_id, f.remote_actor, f.follow_id, f.state \
                       FROM ap_following f JOIN calendar_sources s ON s.id = f.source_id \
                       WHERE f.source_id = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, FollowingRow>(SQL)
        .bind(source_id)
        .fetch_optional(c)
        .await)?)
}

/// Marks our follow `follow_id` accepted or rejected.
pub async fn set_following_state(
    ex: Ex<'_>,
    follow_id: &str,
    state: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE ap_following SET state = $2, updated_at = $3 WHERE follow_id = $1",
        follow_id,
        state,
        now
    )?)
}

/// Local actors someone follows.
pub async fn followed_actors(ex: Ex<'_>) -> Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT actor FROM ap_followers ORDER BY actor";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, String>(SQL)
        .fetch_all(c)
        .await)?)
}

/// A host whose inboxes failed since their last success.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxHostRow {
    /// The host (with a port that is not the default).
    pub host: String,
    /// Consecutive failed deliveries.
    pub failures: i64,
    /// The first of them.
    pub first_failed_at: DateTime<Utc>,
    /// The latest.
    pub last_failed_at: DateTime<Utc>,
    /// What the latest failure was.
    pub last_error: String,
    /// Since when deliveries to it are parked; `None` while it is only
    /// failing.
    pub unreachable_since: Option<DateTime<Utc>>,
    /// When a parked delivery may try it again.
    pub next_try_at: Option<DateTime<Utc>>,
}

/// The failure record of `host`, if it failed since its last success.
pub async fn inbox_host(ex: Ex<'_>, host: &str) -> Result<Option<InboxHostRow>> {
    const SQL: &str = "SELECT host, failures, first_failed_at, last_failed_at, last_error, \
                       unreachable_since, next_try_at FROM ap_inbox_hosts WHERE host = $1";
    Ok(run!(ex, |c| sqlx::query_as::<_, InboxHostRow>(SQL)
        .bind(host)
        .fetch_optional(c)
        .await)?)
}

/// Counts one more failed delivery to `host` and returns the record.
pub async fn inbox_failed(
    ex: Ex<'_>,
    host: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<InboxHostRow> {
    const SQL: &str = "INSERT INTO ap_inbox_hosts (host, failures, first_failed_at, last_failed_at, last_error) \
         VALUES ($1, 1, $2, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET failures = ap_inbox_hosts.failures + 1, \
         last_failed_at = $2, last_error = $3 \
         RETURNING host, failures, first_failed_at, last_failed_at, last_error, unreachable_since, next_try_at";
    Ok(run!(ex, |c| sqlx::query_as::<_, InboxHostRow>(SQL)
        .bind(host)
        .bind(now)
        .bind(error)
        .fetch_one(c)
        .await)?)
}

/// Marks `host` unreachable (since `now`, unless it already was) until
/// `next_try_at`.
pub async fn park_inbox_host(
    ex: Ex<'_>,
    host: &str,
    now: DateTime<Utc>,
    next_try_at: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "UPDATE ap_inbox_hosts SET unreachable_since = COALESCE(unreachable_since, $2), \
                       next_try_at = $3 WHERE host = $1";
    execute!(ex, SQL, host, now, next_try_at)?;
    Ok(())
}

/// A delivery to `host` succeeded: its failures are forgotten. True when
/// there were any.
pub async fn inbox_reached(ex: Ex<'_>, host: &str) -> Result<bool> {
    const SQL: &str = "DELETE FROM ap_inbox_hosts WHERE host = $1";
    Ok(execute!(ex, SQL, host)? > 0)
}

/// Hosts marked unreachable, longest first.
pub async fn unreachable_inbox_hosts(ex: Ex<'_>) -> Result<Vec<InboxHostRow>> {
    const SQL: &str = "SELECT host, failures, first_failed_at, last_failed_at, last_error, \
                       unreachable_since, next_try_at FROM ap_inbox_hosts \
                       WHERE unreachable_since IS NOT NULL ORDER BY unreachable_since, host";
    Ok(run!(ex, |c| sqlx::query_as::<_, InboxHostRow>(SQL)
        .fetch_all(c)
        .await)?)
}
