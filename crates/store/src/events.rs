//! Events, their per-occurrence overrides, and RSVPs.
//!
//! Times are stored as written (local wall time, zone, rule); `first_start`
//! and `last_end` are derived instants that let a window query skip series
//! that cannot touch it (`last_end` is NULL for a series without end).

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored event (a single one or a whole series).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// iCalendar UID.
    pub uid: String,
    /// The group whose calendar holds it.
    pub group_id: Option<i64>,
    /// The regional calendar that holds it.
    pub calendar_id: Option<i64>,
    /// The outside feed it was imported from (read-only then).
    pub source_id: Option<i64>,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// `zoned`, `floating` or `date`.
    pub timing: String,
    /// IANA zone, for `zoned`.
    pub tz: String,
    /// Local start of the first occurrence.
    pub start_local: String,
    /// Local end of the first occurrence.
    pub end_local: String,
    /// RRULE value.
    pub rrule: Option<String>,
    /// Extra occurrences, local, comma separated.
    pub rdates: String,
    /// Excluded occurrences, local, comma separated.
    pub exdates: String,
    /// Earliest start instant.
    pub first_start: DateTime<Utc>,
    /// Latest end instant; `None` for a series without end.
    pub last_end: Option<DateTime<Utc>>,
    /// Venue name.
    pub venue_name: String,
    /// Venue address.
    pub venue_address: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Link to join online.
    pub online_url: String,
    /// Seats per occurrence.
    pub capacity: Option<i64>,
    /// RSVPs open at.
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    /// RSVPs close at.
    pub rsvp_closes_at: Option<DateTime<Utc>>,
    /// confirmed, tentative or cancelled.
    pub status: String,
    /// iCalendar SEQUENCE, raised on each change.
    pub sequence: i64,
    /// Who made it.
    pub created_by: Option<i64>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// For one changed occurrence of a series this calendar does not hold,
    /// its `RECURRENCE-ID` (compact form); empty for a whole event or series.
    pub recurrence_id: String,
}

/// The stored fields of an event (everything but id, owner, source and times of record).
#[derive(Debug, Clone, Default)]
pub struct EventFields {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// `zoned`, `floating` or `date`.
    pub timing: String,
    /// IANA zone or empty.
    pub tz: String,
    /// Local start.
    pub start_local: String,
    /// Local end.
    pub end_local: String,
    /// RRULE.
    pub rrule: Option<String>,
    /// RDATEs, stored form.
    pub rdates: String,
    /// EXDATEs, stored form.
    pub exdates: String,
    /// Derived earliest start.
    pub first_start: DateTime<Utc>,
    /// Derived latest end.
    pub last_end: Option<DateTime<Utc>>,
    /// Venue name.
    pub venue_name: String,
    /// Venue address.
    pub venue_address: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Online link.
    pub online_url: String,
    /// Seats per occurrence.
    pub capacity: Option<i64>,
    /// RSVPs open.
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    /// RSVPs close.
    pub rsvp_closes_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: String,
    /// `RECURRENCE-ID` of a lone changed occurrence (compact form), empty
    /// otherwise; set when the event is stored and never changed after.
    pub recurrence_id: String,
}

/// Where a new event goes and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct EventOwner {
    /// A group's calendar.
    pub group_id: Option<i64>,
    /// A regional calendar.
    pub calendar_id: Option<i64>,
    /// The outside feed, for imported events.
    pub source_id: Option<i64>,
}

/// Every column, in [`EventRow`] order.
pub const COLUMNS: &str = "e.id, e.uid, e.group_id, e.calendar_id, e.source_id, e.title, e.description, e.timing, e.tz, e.start_local, e.end_local, e.rrule, e.rdates, e.exdates, e.first_start, e.last_end, e.venue_name, e.venue_address, e.latitude, e.longitude, e.online_url, e.capacity, e.rsvp_opens_at, e.rsvp_closes_at, e.status, e.sequence, e.created_by, e.created_at, e.updated_at, e.recurrence_id";

/// Stores a new event.
pub async fn insert(
    ex: Ex<'_>,
    uid: &str,
    owner: EventOwner,
    f: &EventFields,
    sequence: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO events (uid, group_id, calendar_id, source_id, title, description, timing, tz, start_local, end_local, rrule, rdates, exdates, first_start, last_end, venue_name, venue_address, latitude, longitude, online_url, capacity, rsvp_opens_at, rsvp_closes_at, status, sequence, created_by, created_at, updated_at, recurrence_id) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $27, $28) RETURNING id";
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(SQL)
        .bind(uid)
        .bind(owner.group_id)
        .bind(owner.calendar_id)
        .bind(owner.source_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.timing)
        .bind(&f.tz)
        .bind(&f.start_local)
        .bind(&f.end_local)
        .bind(&f.rrule)
        .bind(&f.rdates)
        .bind(&f.exdates)
        .bind(f.first_start)
        .bind(f.last_end)
        .bind(&f.venue_name)
        .bind(&f.venue_address)
        .bind(f.latitude)
        .bind(f.longitude)
        .bind(&f.online_url)
        .bind(f.capacity)
        .bind(f.rsvp_opens_at)
        .bind(f.rsvp_closes_at)
        .bind(&f.status)
        .bind(sequence)
        .bind(by)
        .bind(now)
        .bind(&f.recurrence_id)
        .fetch_one(c)
        .await)?)
}

/// Replaces an event's fields and sets its SEQUENCE.
pub async fn update(
    ex: Ex<'_>,
    id: i64,
    f: &EventFields,
    sequence: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    const SQL: &str = "UPDATE events SET title = $2, description = $3, timing = $4, tz = $5, start_local = $6, end_local = $7, rrule = $8, rdates = $9, exdates = $10, first_start = $11, last_end = $12, venue_name = $13, venue_address = $14, latitude = $15, longitude = $16, online_url = $17, capacity = $18, rsvp_opens_at = $19, rsvp_closes_at = $20, status = $21, sequence = $22, updated_at = $23 WHERE id = $1";
    Ok(run!(ex, |c| sqlx::query(SQL)
        .bind(id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.timing)
        .bind(&f.tz)
        .bind(&f.start_local)
        .bind(&f.end_local)
        .bind(&f.rrule)
        .bind(&f.rdates)
        .bind(&f.exdates)
        .bind(f.first_start)
        .bind(f.last_end)
        .bind(&f.venue_name)
        .bind(&f.venue_address)
        .bind(f.latitude)
        .bind(f.longitude)
        .bind(&f.online_url)
        .bind(f.capacity)
        .bind(f.rsvp_opens_at)
        .bind(f.rsvp_closes_at)
        .bind(&f.status)
        .bind(sequence)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?)
}

/// Removes an event with its overrides and RSVPs.
pub async fn delete(ex: Ex<'_>, id: i64) -> Result<u64> {
    Ok(execute!(ex, "DELETE FROM events WHERE id = $1", id)?)
}

/// One event.
pub async fn by_id(ex: Ex<'_>, id: i64) -> Result<Option<EventRow>> {
    let sql = format!("SELECT {COLUMNS} FROM events e WHERE e.id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// One event, locked against concurrent RSVPs until the transaction ends
/// (on SQLite the write transaction already holds the database lock).
pub async fn lock(ex: Ex<'_>, id: i64) -> Result<Option<EventRow>> {
    let sqlite = format!("SELECT {COLUMNS} FROM events e WHERE e.id = $1");
    let pg = format!("SELECT {COLUMNS} FROM events e WHERE e.id = $1 FOR UPDATE");
    Ok(match ex {
        Ex::Sqlite(c) => {
            sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sqlite))
                .bind(id)
                .fetch_optional(c)
                .await?
        }
        Ex::Postgres(c) => {
            sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(pg))
                .bind(id)
                .fetch_optional(c)
                .await?
        }
    })
}

/// The events of an outside feed, by UID.
pub async fn of_source(ex: Ex<'_>, source_id: i64) -> Result<Vec<EventRow>> {
    let sql = format!("SELECT {COLUMNS} FROM events e WHERE e.source_id = $1 ORDER BY e.id");
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(source_id)
    .fetch_all(c)
    .await)?)
}

/// The event made or uploaded here (not synced from a feed) with this UID
/// and `RECURRENCE-ID` (empty for a whole event or series) on the calendar
/// of `owner`: a UID is unique per calendar, not per site.
pub async fn local_by_uid(
    ex: Ex<'_>,
    owner: EventOwner,
    uid: &str,
    recurrence_id: &str,
) -> Result<Option<EventRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.uid = $1 AND e.recurrence_id = $2 AND e.source_id IS NULL \
         AND COALESCE(e.group_id, 0) = $3 AND COALESCE(e.calendar_id, 0) = $4"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(uid)
    .bind(recurrence_id)
    .bind(owner.group_id.unwrap_or(0))
    .bind(owner.calendar_id.unwrap_or(0))
    .fetch_optional(c)
    .await)?)
}

/// The lone changed occurrences (events with a `RECURRENCE-ID`) made or
/// uploaded on the calendar of `owner` with this UID, oldest first.
pub async fn local_instances(ex: Ex<'_>, owner: EventOwner, uid: &str) -> Result<Vec<EventRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.uid = $1 AND e.recurrence_id <> '' AND e.source_id IS NULL \
         AND COALESCE(e.group_id, 0) = $2 AND COALESCE(e.calendar_id, 0) = $3 ORDER BY e.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(uid)
    .bind(owner.group_id.unwrap_or(0))
    .bind(owner.calendar_id.unwrap_or(0))
    .fetch_all(c)
    .await)?)
}

/// Which events a listing covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every event.
    Site,
    /// One group's calendar.
    Group(i64),
    /// A regional calendar: its own events and its groups' events.
    Calendar(i64),
}

/// The events of `scope` that may have an occurrence in `[from, to)`
/// (a series is returned whole; the caller expands it). Overrides that move
/// an occurrence into the window are found too.
pub async fn in_window(
    ex: Ex<'_>,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<EventRow>> {
    let span = "((e.first_start < $2 AND (e.last_end IS NULL OR e.last_end > $1)) OR e.id IN (SELECT o.event_id FROM event_overrides o WHERE o.start_at >= $1 AND o.start_at < $2))";
    let (filter, id) = scope_filter(scope);
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE {span} AND {filter} ORDER BY e.first_start, e.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(from)
    .bind(to)
    .bind(id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// Every event of `scope` (for feeds), oldest first.
pub async fn all_in(ex: Ex<'_>, scope: Scope) -> Result<Vec<EventRow>> {
    let (filter, id) = scope_filter(scope);
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE $1 = $1 AND $2 = $2 AND {filter} ORDER BY e.first_start, e.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(0_i64)
    .bind(0_i64)
    .bind(id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// The part of a feed to read: every event of a scope, or only those that
/// may have an occurrence in `[from, to)` (as [`in_window`] finds them).
#[derive(Debug, Clone, Copy)]
pub struct FeedPart {
    /// Whose events.
    pub scope: Scope,
    /// The window, when the feed keeps to one.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl FeedPart {
    /// The condition on `e` with `$1`..`$5` bound by [`FeedPart::binds`].
    fn condition(&self) -> (String, i64) {
        let (filter, id) = scope_filter(self.scope);
        let span = match self.window {
            Some(_) => {
                "((e.first_start < $2 AND (e.last_end IS NULL OR e.last_end > $1)) OR e.id IN (SELECT o.event_id FROM event_overrides o WHERE o.start_at >= $1 AND o.start_at < $2))"
            }
            None => "$1 = $1 AND $2 = $2",
        };
        (format!("{span} AND {filter}"), id)
    }

    /// `$1` and `$2`: the window, or placeholders the condition ignores.
    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        self.window
            .unwrap_or((DateTime::<Utc>::UNIX_EPOCH, DateTime::<Utc>::UNIX_EPOCH))
    }
}

/// The zones a feed's events use (`zoned` timing only), each with the
/// earliest start and the latest known end among them, for the feed's
/// `VTIMEZONE`s.
pub async fn zone_spans(
    ex: Ex<'_>,
    part: FeedPart,
) -> Result<Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>> {
    let (cond, id) = part.condition();
    let (from, to) = part.bounds();
    let sql = format!(
        "SELECT e.tz, MIN(e.first_start), MAX(e.last_end) \
         FROM events e WHERE e.timing = 'zoned' AND {cond} GROUP BY e.tz ORDER BY e.tz"
    );
    Ok(run!(ex, |c| sqlx::query_as::<
        _,
        (String, DateTime<Utc>, Option<DateTime<Utc>>),
    >(sqlx::AssertSqlSafe(sql.clone()))
    .bind(from)
    .bind(to)
    .bind(id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// `(id, uid, recurrence_id)` of a feed's events whose UID is held by more
/// than one of them: a series with its separately stored occurrences, or
/// one event listed by two calendars. Every other event is listed once as
/// it is.
pub async fn shared_uids(ex: Ex<'_>, part: FeedPart) -> Result<Vec<(i64, String, String)>> {
    let (cond, id) = part.condition();
    let (from, to) = part.bounds();
    let sql = format!(
        "SELECT e.id, e.uid, e.recurrence_id FROM events e WHERE {cond} AND e.uid IN \
         (SELECT e.uid FROM events e WHERE {cond} GROUP BY e.uid HAVING COUNT(*) > 1) ORDER BY e.id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, String, String)>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(from)
    .bind(to)
    .bind(id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// The ids of a feed's events, ordered by first start then id, as
/// [`all_in`] and [`in_window`] order them: one pass over the events, so
/// that the rows themselves can be read a page at a time with
/// [`by_ids`].
pub async fn feed_ids(ex: Ex<'_>, part: FeedPart) -> Result<Vec<i64>> {
    let (cond, id) = part.condition();
    let (from, to) = part.bounds();
    let sql = format!("SELECT e.id FROM events e WHERE {cond} ORDER BY e.first_start, e.id");
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(from)
    .bind(to)
    .bind(id)
    .bind(false)
    .bind(true)
    .fetch_all(c)
    .await)?)
}

/// The events with these ids, in the order given (ids not found are left
/// out).
pub async fn by_ids(ex: Ex<'_>, ids: &[i64]) -> Result<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // The ids are integers formatted here, never text from outside.
    let sql = format!("SELECT {COLUMNS} FROM events e WHERE e.id IN ({list})");
    // Not kept prepared: each list of ids is a statement of its own.
    let mut rows = run!(ex, |c| sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .persistent(false)
    .fetch_all(c)
    .await)?;
    let place: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| place.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// The filter for a scope, with `$3` its id and `$4`/`$5` false/true.
fn scope_filter(scope: Scope) -> (String, i64) {
    match scope {
        // Events of groups no longer (or not yet) listed are not shown.
        Scope::Site => (
            "$3 = $3 AND $4 = $4 AND $5 = $5 AND (e.group_id IS NULL OR e.group_id IN (SELECT id FROM groups WHERE approval = 'approved'))".to_owned(),
            0,
        ),
        Scope::Group(id) => ("e.group_id = $3 AND $4 = $4 AND $5 = $5".to_owned(), id),
        Scope::Calendar(id) => {
            let members = crate::calendars::member_groups_sql("$3", "$4", "$5");
            (
                format!("(e.calendar_id = $3 OR e.group_id IN ({members}))"),
                id,
            )
        }
    }
}

/// A stored per-occurrence change.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverrideRow {
    /// The series.
    pub event_id: i64,
    /// The occurrence's original local start, compact form (`20261208T190000`).
    pub recurrence_id: String,
    /// The occurrence is called off.
    pub cancelled: bool,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New local start.
    pub start_local: Option<String>,
    /// New local end.
    pub end_local: Option<String>,
    /// New start instant (for window queries).
    pub start_at: Option<DateTime<Utc>>,
    /// New venue name.
    pub venue_name: Option<String>,
    /// New venue address.
    pub venue_address: Option<String>,
    /// New online link.
    pub online_url: Option<String>,
    /// New status.
    pub status: Option<String>,
    /// SEQUENCE of the override.
    pub sequence: i64,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const OVERRIDE_COLUMNS: &str = "event_id, recurrence_id, cancelled, title, description, start_local, end_local, start_at, venue_name, venue_address, online_url, status, sequence, updated_at";

/// Stores (or replaces) one occurrence's override.
pub async fn put_override(ex: Ex<'_>, o: &OverrideRow) -> Result<()> {
    const SQL: &str = "INSERT INTO event_overrides (event_id, recurrence_id, cancelled, title, description, start_local, end_local, start_at, venue_name, venue_address, online_url, status, sequence, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
        ON CONFLICT (event_id, recurrence_id) DO UPDATE SET cancelled = excluded.cancelled, title = excluded.title, description = excluded.description, start_local = excluded.start_local, end_local = excluded.end_local, start_at = excluded.start_at, venue_name = excluded.venue_name, venue_address = excluded.venue_address, online_url = excluded.online_url, status = excluded.status, sequence = excluded.sequence, updated_at = excluded.updated_at";
    run!(ex, |c| sqlx::query(SQL)
        .bind(o.event_id)
        .bind(&o.recurrence_id)
        .bind(o.cancelled)
        .bind(&o.title)
        .bind(&o.description)
        .bind(&o.start_local)
        .bind(&o.end_local)
        .bind(o.start_at)
        .bind(&o.venue_name)
        .bind(&o.venue_address)
        .bind(&o.online_url)
        .bind(&o.status)
        .bind(o.sequence)
        .bind(o.updated_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves the answers given to event `from` (a lone changed occurrence) to
/// occurrence `occurrence` of event `to` (its series); an answer the member
/// already gave there is kept instead.
pub async fn move_rsvps(ex: Ex<'_>, from: i64, to: i64, occurrence: &str) -> Result<u64> {
    let mut ex = ex;
    execute!(
        ex.reborrow(),
        "DELETE FROM rsvps WHERE event_id = $1 AND user_id IN (SELECT user_id FROM rsvps WHERE event_id = $2 AND occurrence = $3)",
        from,
        to,
        occurrence
    )?;
    Ok(execute!(
        ex,
        "UPDATE rsvps SET event_id = $2, occurrence = $3 WHERE event_id = $1",
        from,
        to,
        occurrence
    )?)
}

/// Removes every override of an event (an imported series replaced whole).
pub async fn clear_overrides(ex: Ex<'_>, event_id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM event_overrides WHERE event_id = $1",
        event_id
    )?)
}

/// Removes the overrides of an event from `recurrence_id` on (compact keys sort by time).
pub async fn drop_overrides_from(ex: Ex<'_>, event_id: i64, recurrence_id: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "DELETE FROM event_overrides WHERE event_id = $1 AND recurrence_id >= $2",
        event_id,
        recurrence_id
    )?)
}

/// The overrides of the given events.
pub async fn overrides_of(ex: Ex<'_>, event_ids: &[i64]) -> Result<Vec<OverrideRow>> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = event_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // The ids are integers formatted here, never text from outside.
    let sql = format!(
        "SELECT {OVERRIDE_COLUMNS} FROM event_overrides WHERE event_id IN ({ids}) ORDER BY event_id, recurrence_id"
    );
    // Not kept prepared: each list of ids is a statement of its own.
    Ok(run!(ex, |c| sqlx::query_as::<_, OverrideRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .persistent(false)
    .fetch_all(c)
    .await)?)
}

/// A member's answer for one occurrence.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RsvpRow {
    /// Id.
    pub id: i64,
    /// The event.
    pub event_id: i64,
    /// The occurrence key.
    pub occurrence: String,
    /// The member.
    pub user_id: i64,
    /// yes, no or maybe.
    pub answer: String,
    /// going, waitlisted, maybe or not_going.
    pub state: String,
    /// First answered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When they joined the waitlist (their place in it).
    pub queued_at: Option<DateTime<Utc>>,
}

const RSVP_COLUMNS: &str =
    "id, event_id, occurrence, user_id, answer, state, created_at, updated_at, queued_at";

/// One member's RSVP for an occurrence.
pub async fn rsvp(
    ex: Ex<'_>,
    event_id: i64,
    occurrence: &str,
    user_id: i64,
) -> Result<Option<RsvpRow>> {
    let sql = format!(
        "SELECT {RSVP_COLUMNS} FROM rsvps WHERE event_id = $1 AND occurrence = $2 AND user_id = $3"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, RsvpRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(event_id)
    .bind(occurrence)
    .bind(user_id)
    .fetch_optional(c)
    .await)?)
}

/// How many members hold a seat at an occurrence.
pub async fn count_going(ex: Ex<'_>, event_id: i64, occurrence: &str) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM rsvps WHERE event_id = $1 AND occurrence = $2 AND state = 'going'"
    )
    .bind(event_id)
    .bind(occurrence)
    .fetch_one(c)
    .await)?)
}

/// Stores or changes a member's RSVP.
#[allow(clippy::too_many_arguments)]
pub async fn put_rsvp(
    ex: Ex<'_>,
    event_id: i64,
    occurrence: &str,
    user_id: i64,
    answer: &str,
    state: &str,
    queued_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    execute!(
        ex,
        "INSERT INTO rsvps (event_id, occurrence, user_id, answer, state, created_at, updated_at, queued_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
         ON CONFLICT (event_id, occurrence, user_id) DO UPDATE SET answer = excluded.answer, state = excluded.state, updated_at = excluded.updated_at, queued_at = excluded.queued_at",
        event_id,
        occurrence,
        user_id,
        answer,
        state,
        now,
        queued_at
    )?;
    Ok(())
}

/// The first member on an occurrence's waitlist.
pub async fn first_waitlisted(
    ex: Ex<'_>,
    event_id: i64,
    occurrence: &str,
) -> Result<Option<RsvpRow>> {
    let sql = format!(
        "SELECT {RSVP_COLUMNS} FROM rsvps WHERE event_id = $1 AND occurrence = $2 AND state = 'waitlisted' ORDER BY queued_at, id LIMIT 1"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, RsvpRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(event_id)
    .bind(occurrence)
    .fetch_optional(c)
    .await)?)
}

/// An attendee line: the RSVP with the member's name and address.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attendee {
    /// The member.
    pub user_id: i64,
    /// Display name.
    pub display_name: String,
    /// Address.
    pub email: String,
    /// yes, no or maybe.
    pub answer: String,
    /// going, waitlisted, maybe or not_going.
    pub state: String,
    /// First answered.
    pub created_at: DateTime<Utc>,
    /// Place on the waitlist.
    pub queued_at: Option<DateTime<Utc>>,
}

/// Everyone who answered for an occurrence: seats first, then the waitlist in order.
pub async fn attendees(ex: Ex<'_>, event_id: i64, occurrence: &str) -> Result<Vec<Attendee>> {
    const SQL: &str = "SELECT r.user_id, u.display_name, u.email, r.answer, r.state, r.created_at, r.queued_at FROM rsvps r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 AND r.occurrence = $2 \
        ORDER BY CASE r.state WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'maybe' THEN 2 ELSE 3 END, r.queued_at, r.created_at, r.id";
    Ok(run!(ex, |c| sqlx::query_as::<_, Attendee>(SQL)
        .bind(event_id)
        .bind(occurrence)
        .fetch_all(c)
        .await)?)
}

/// A member's RSVPs (for their private feed and account page), with the event.
pub async fn rsvps_of(ex: Ex<'_>, user_id: i64) -> Result<Vec<RsvpRow>> {
    let sql = format!(
        "SELECT {RSVP_COLUMNS} FROM rsvps WHERE user_id = $1 AND state IN ('going', 'waitlisted', 'maybe') ORDER BY event_id, occurrence"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, RsvpRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// The latest change to a member's RSVPs, for their feed's validator.
pub async fn rsvps_version(ex: Ex<'_>, user_id: i64) -> Result<(i64, Option<DateTime<Utc>>)> {
    Ok(run!(ex, |c| sqlx::query_as::<
        _,
        (i64, Option<DateTime<Utc>>),
    >(
        "SELECT COUNT(*), MAX(updated_at) FROM rsvps WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)?)
}

/// Slug and name of the given groups, for labelling events.
pub async fn group_labels(ex: Ex<'_>, group_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = group_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // The ids are integers formatted here, never text from outside.
    let sql = format!("SELECT id, slug, name FROM groups WHERE id IN ({ids})");
    // Not kept prepared: each list of ids is a statement of its own.
    Ok(run!(ex, |c| sqlx::query_as::<_, (i64, String, String)>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .persistent(false)
    .fetch_all(c)
    .await)?)
}
