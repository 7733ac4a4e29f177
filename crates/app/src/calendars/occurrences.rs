//! Occurrences: a calendar's events expanded into the window a page shows,
//! with per-occurrence overrides applied.
//!
//! Expansion is bounded by [`convene_recurrence::Bounds::default`] per series
//! (10,000 occurrences, 100 years, 1,000,000 scanned rule instances) and a
//! listing keeps at most [`MAX_LISTED`] occurrences, so no rule or window can
//! hang a request.

use super::Calendar;
use super::events::Event;
use crate::{AppResult, Services};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use convene_domain::events::{EventStatus, Timing, occurrence_key, parse_local, wall_of};
use convene_recurrence::{Bounds, Window, expand, place};
use convene_store::events::{self, OverrideRow};
use std::collections::HashMap;

/// Most occurrences one listing returns.
pub const MAX_LISTED: usize = 5_000;

/// When an occurrence starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// An instant, shown in its event's zone.
    At {
        /// The instant.
        utc: DateTime<Utc>,
        /// The event's zone.
        tz: Tz,
    },
    /// A floating wall-clock time.
    Floating(NaiveDateTime),
    /// A date (all-day events; ends are exclusive).
    Date(NaiveDate),
}

impl Moment {
    fn from_wall(timing: Timing, wall: NaiveDateTime) -> Self {
        match timing {
            Timing::Zoned(tz) => Moment::At {
                utc: place(wall, tz),
                tz,
            },
            Timing::Floating => Moment::Floating(wall),
            Timing::AllDay => Moment::Date(wall.date()),
        }
    }

    /// The local time in the event's own zone (midnight for dates).
    pub fn local(&self) -> NaiveDateTime {
        match *self {
            Moment::At { utc, tz } => utc.with_timezone(&tz).naive_local(),
            Moment::Floating(t) => t,
            Moment::Date(d) => d.and_time(chrono::NaiveTime::MIN),
        }
    }

    /// The local time as seen from `viewer`.
    pub fn local_in(&self, viewer: Tz) -> NaiveDateTime {
        match *self {
            Moment::At { utc, .. } => utc.with_timezone(&viewer).naive_local(),
            other => other.local(),
        }
    }

    /// The instant, reading floating times and dates in `viewer`.
    pub fn instant(&self, viewer: Tz) -> DateTime<Utc> {
        match *self {
            Moment::At { utc, .. } => utc,
            other => place(other.local(), viewer),
        }
    }

    /// RFC 3339 with the local offset (`2026-12-08T19:00:00-05:00`); floating
    /// times without offset, dates as `2026-12-08`.
    pub fn rfc3339(&self) -> String {
        match *self {
            Moment::At { utc, tz } => utc
                .with_timezone(&tz)
                .fixed_offset()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            Moment::Floating(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// RFC 3339 as seen from `viewer` (dates and floating times unchanged).
    pub fn rfc3339_in(&self, viewer: Tz) -> String {
        match *self {
            Moment::At { utc, .. } => Moment::At { utc, tz: viewer }.rfc3339(),
            other => other.rfc3339(),
        }
    }

    /// The zone's abbreviation at this instant ("EST", "CEST"), if zoned.
    pub fn abbreviation(&self, viewer: Option<Tz>) -> String {
        match *self {
            Moment::At { utc, tz } => {
                let tz = viewer.unwrap_or(tz);
                let off = tz.offset_from_utc_datetime(&utc.naive_utc());
                let name = off.to_string();
                if name.starts_with('+') || name.starts_with('-') {
                    let secs = off.fix().local_minus_utc();
                    format!("UTC{:+}", f64::from(secs) / 3600.0)
                } else {
                    name
                }
            }
            _ => String::new(),
        }
    }

    /// The zone, if zoned.
    pub fn tz(&self) -> Option<Tz> {
        match *self {
            Moment::At { tz, .. } => Some(tz),
            _ => None,
        }
    }
}

/// One occurrence of an event, ready to show.
#[derive(Debug, Clone)]
pub struct Occ {
    /// The event.
    pub event_id: i64,
    /// Its iCalendar UID.
    pub uid: String,
    /// The occurrence key (its original local start, `20261208T190000`).
    pub key: String,
    /// Title (overridden or the series').
    pub title: String,
    /// Start.
    pub start: Moment,
    /// End.
    pub end: Moment,
    /// Status (overridden or the series').
    pub status: EventStatus,
    /// Venue name.
    pub venue_name: String,
    /// Has an online link.
    pub online: bool,
    /// The group whose event it is.
    pub group: Option<(String, String)>,
    /// The venue's latitude and longitude, when known (and not moved by a
    /// change to this occurrence).
    pub geo: Option<(f64, f64)>,
    /// Part of a recurring series.
    pub recurring: bool,
    /// This occurrence was changed from the series.
    pub changed: bool,
    /// Imported from an outside feed.
    pub imported: bool,
    /// How its series repeats, if it is part of one.
    pub repeats: Option<Repeats>,
}

/// How a series repeats, as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeats {
    /// Plain words: "every third Saturday of the month", or "repeats on a
    /// custom schedule" when the rule cannot be said honestly in a phrase.
    pub words: String,
    /// The rule itself, when the words could not say it (to show in a
    /// `<details>` for those who read RFC 5545).
    pub custom_rule: Option<String>,
}

impl Repeats {
    /// How a series with this timing repeats, or `None` for a single event.
    pub fn of(timing: &convene_domain::events::EventTiming) -> Option<Self> {
        match &timing.rrule {
            Some(rule) => Some(
                match convene_recurrence::describe_rule(
                    &local_until(rule, timing),
                    timing.start.date(),
                ) {
                    Some(words) => Repeats {
                        words,
                        custom_rule: None,
                    },
                    None => Repeats {
                        words: "repeats on a custom schedule".to_owned(),
                        custom_rule: Some(rule.clone()),
                    },
                },
            ),
            None if !timing.rdates.is_empty() => Some(Repeats {
                words: format!("on {} dates", timing.rdates.len() + 1),
                custom_rule: None,
            }),
            None => None,
        }
    }
}

impl Occ {
    /// True when it is called off (struck through).
    pub fn cancelled(&self) -> bool {
        self.status == EventStatus::Cancelled
    }

    /// The event page's path for this occurrence.
    pub fn path(&self) -> String {
        if self.recurring {
            format!("/events/{}?at={}", self.event_id, self.key)
        } else {
            format!("/events/{}", self.event_id)
        }
    }
}

/// Expands one event into its occurrences overlapping `[from, to)`.
pub fn expand_event(
    ev: &Event,
    overrides: &[&OverrideRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    viewer: Tz,
) -> (Vec<Occ>, bool) {
    let t = &ev.timing;
    let dur = t.duration();
    let window = Window {
        from: from - dur - Duration::days(1),
        to,
        viewer,
    };
    let exp = match expand(&t.series(), &window, Bounds::default()) {
        Ok(exp) => exp,
        Err(e) => {
            tracing::warn!(event = ev.row.id, error = %e, "a stored event cannot be expanded");
            return (Vec::new(), false);
        }
    };
    let by_key: HashMap<&str, &OverrideRow> = overrides
        .iter()
        .map(|o| (o.recurrence_id.as_str(), *o))
        .collect();
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let repeats = Repeats::of(t);
    for o in &exp.occurrences {
        let wall = wall_of(o);
        let key = occurrence_key(wall, t.all_day());
        let mut occ = build(ev, &key, wall, by_key.get(key.as_str()).copied());
        occ.repeats.clone_from(&repeats);
        seen.push(key);
        out.push(occ);
    }
    // Occurrences moved into the window from outside it, and excluded
    // dates that a change brings back; one excluded and called off is not
    // listed at all (the feed keeps it in EXDATE).
    for o in overrides {
        if seen.iter().any(|k| k == &o.recurrence_id) {
            continue;
        }
        if o.cancelled
            && t.exdates
                .iter()
                .any(|d| occurrence_key(*d, t.all_day()) == o.recurrence_id)
        {
            continue;
        }
        if let Some(wall) = convene_domain::events::parse_occurrence_key(&o.recurrence_id) {
            let mut occ = build(ev, &o.recurrence_id, wall, Some(o));
            occ.repeats.clone_from(&repeats);
            out.push(occ);
        }
    }
    out.retain(|o| o.end.instant(viewer) > from && o.start.instant(viewer) < to);
    let truncated = exp.truncated;
    (out, truncated)
}

fn build(ev: &Event, key: &str, wall: NaiveDateTime, ov: Option<&OverrideRow>) -> Occ {
    let t = &ev.timing;
    let dur = t.duration();
    let start_wall = ov
        .and_then(|o| o.start_local.as_deref())
        .and_then(parse_local)
        .unwrap_or(wall);
    let end_wall = ov
        .and_then(|o| o.end_local.as_deref())
        .and_then(parse_local)
        .filter(|e| *e > start_wall)
        .unwrap_or(start_wall + dur);
    let status = if ov.is_some_and(|o| o.cancelled) {
        EventStatus::Cancelled
    } else {
        ov.and_then(|o| o.status.as_deref())
            .and_then(EventStatus::parse)
            .unwrap_or(ev.status)
    };
    Occ {
        event_id: ev.row.id,
        uid: ev.row.uid.clone(),
        key: key.to_owned(),
        title: ov
            .and_then(|o| o.title.clone())
            .unwrap_or_else(|| ev.row.title.clone()),
        start: Moment::from_wall(t.timing, start_wall),
        end: Moment::from_wall(t.timing, end_wall),
        status,
        venue_name: ov
            .and_then(|o| o.venue_name.clone())
            .unwrap_or_else(|| ev.row.venue_name.clone()),
        online: !ov
            .and_then(|o| o.online_url.clone())
            .unwrap_or_else(|| ev.row.online_url.clone())
            .is_empty(),
        group: None,
        geo: match (
            ov.and_then(|o| o.venue_name.as_ref()),
            ev.row.latitude,
            ev.row.longitude,
        ) {
            (None, Some(lat), Some(lon)) => Some((lat, lon)),
            _ => None,
        },
        recurring: t.rrule.is_some() || !t.rdates.is_empty(),
        changed: ov.is_some(),
        imported: ev.row.source_id.is_some(),
        repeats: None,
    }
}

/// Events read at a time while a listing is expanded: with at most twice
/// [`MAX_LISTED`] occurrences kept between pages, what a listing holds in
/// memory does not grow with the calendar.
const LISTING_PAGE: usize = 500;

/// The occurrences of `cal` overlapping `[from, to)`, in order, with the
/// flag set if a bound cut the listing short (the earliest
/// [`MAX_LISTED`] are kept).
pub async fn occurrences_between(
    svc: &Services,
    cal: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    viewer: Tz,
) -> AppResult<(Vec<Occ>, bool)> {
    let part = events::FeedPart {
        scope: cal.scope(),
        window: Some((from, to)),
    };
    let skipped = {
        let mut conn = svc.db.conn().await?;
        let shared = events::shared_uids(conn.ex(), part).await?;
        super::events::listed_twice(
            shared
                .iter()
                .map(|(id, uid, rid)| (*id, uid.as_str(), rid.as_str())),
        )
    };
    let order = |a: &Occ, b: &Occ| {
        a.start
            .instant(viewer)
            .cmp(&b.start.instant(viewer))
            .then(a.event_id.cmp(&b.event_id))
    };
    let mut out: Vec<Occ> = Vec::new();
    let mut truncated = false;
    let mut labels: HashMap<i64, (String, String)> = HashMap::new();
    let ids = {
        let mut conn = svc.db.conn().await?;
        events::feed_ids(conn.ex(), part).await?
    };
    for page in ids.chunks(LISTING_PAGE) {
        let (rows, overrides) = {
            let mut conn = svc.db.conn().await?;
            let rows = events::by_ids(conn.ex(), page).await?;
            let ids: Vec<i64> = rows
                .iter()
                .map(|r| r.id)
                .filter(|id| !skipped.contains(id))
                .collect();
            let overrides = events::overrides_of(conn.ex(), &ids).await?;
            let mut unknown: Vec<i64> = rows
                .iter()
                .filter_map(|r| r.group_id)
                .filter(|g| !labels.contains_key(g))
                .collect();
            unknown.sort_unstable();
            unknown.dedup();
            for (id, slug, name) in events::group_labels(conn.ex(), &unknown).await? {
                labels.insert(id, (slug, name));
            }
            (rows, overrides)
        };
        for row in rows {
            if skipped.contains(&row.id) {
                continue;
            }
            let group = row.group_id.and_then(|g| labels.get(&g).cloned());
            let ev = match Event::from_row(row) {
                Ok(ev) => ev,
                Err(e) => {
                    tracing::warn!(error = %e, "a stored event cannot be read");
                    continue;
                }
            };
            let ovs: Vec<&OverrideRow> = overrides
                .iter()
                .filter(|o| o.event_id == ev.row.id)
                .collect();
            let (mut occs, cut) = expand_event(&ev, &ovs, from, to, viewer);
            truncated |= cut;
            for o in &mut occs {
                o.group.clone_from(&group);
            }
            out.extend(occs);
        }
        if out.len() > 2 * MAX_LISTED {
            out.sort_by(order);
            out.truncate(MAX_LISTED);
            truncated = true;
        }
    }
    out.sort_by(order);
    if out.len() > MAX_LISTED {
        out.truncate(MAX_LISTED);
        truncated = true;
    }
    Ok((out, truncated))
}

/// The next `limit` occurrences of `cal` that have not ended at `now`
/// (looking up to two years ahead).
pub async fn upcoming(
    svc: &Services,
    cal: &Calendar,
    now: DateTime<Utc>,
    limit: usize,
    viewer: Tz,
) -> AppResult<Vec<Occ>> {
    let mut days = 62;
    loop {
        let (mut occs, _) =
            occurrences_between(svc, cal, now, now + Duration::days(days), viewer).await?;
        if occs.len() >= limit || days >= 730 {
            occs.truncate(limit);
            return Ok(occs);
        }
        days *= 4;
    }
}

/// The rule with a UTC `UNTIL` read as the date it is in the series' own
/// zone, as people going by the local calendar count it.
fn local_until(rule: &str, timing: &convene_domain::events::EventTiming) -> String {
    use convene_recurrence::{Until, parse_rrule};
    match (parse_rrule(rule), timing.timing) {
        (Ok(parsed), Timing::Zoned(tz)) => match parsed.until() {
            Some(Until::Utc(at)) => parsed
                .with_until(Until::Date(at.with_timezone(&tz).date_naive()))
                .to_string(),
            _ => rule.to_owned(),
        },
        _ => rule.to_owned(),
    }
}

/// The next `limit` events of `cal` with each series once: a single event
/// as itself, a series as its next occurrence that has not ended at `now`
/// (the next one not called off, when there is one), its
/// [`Occ::repeats`] saying how it goes on. In order of those next dates,
/// looking up to two years ahead. This is what a list of "what is coming"
/// shows; a month grid shows every date instead
/// ([`occurrences_between`]).
pub async fn upcoming_series_once(
    svc: &Services,
    cal: &Calendar,
    now: DateTime<Utc>,
    limit: usize,
    viewer: Tz,
) -> AppResult<Vec<Occ>> {
    let mut days = 62;
    loop {
        let (occs, _) =
            occurrences_between(svc, cal, now, now + Duration::days(days), viewer).await?;
        let once = series_once(occs);
        if once.len() >= limit || days >= 730 {
            return Ok(once.into_iter().take(limit).collect());
        }
        days *= 4;
    }
}

/// Keeps the first occurrence of each event (its first not called off,
/// when it has one), in the order of the kept ones.
fn series_once(occs: Vec<Occ>) -> Vec<Occ> {
    let mut first: HashMap<i64, usize> = HashMap::new();
    let mut out: Vec<Occ> = Vec::new();
    for o in occs {
        match first.get(&o.event_id) {
            None => {
                first.insert(o.event_id, out.len());
                out.push(o);
            }
            Some(&i) if out[i].cancelled() && !o.cancelled() => out[i] = o,
            Some(_) => {}
        }
    }
    out.sort_by(|a, b| {
        a.start
            .instant(Tz::UTC)
            .cmp(&b.start.instant(Tz::UTC))
            .then(a.event_id.cmp(&b.event_id))
    });
    out
}

/// One page of the occurrences of `cal` that ended before `now`, newest
/// first, those whose title, place or group contain `query` (any case) when
/// it is not empty, looking back up to twenty years; with `true` when there
/// are more after this page.
pub async fn past_occurrences(
    svc: &Services,
    cal: &Calendar,
    now: DateTime<Utc>,
    query: &str,
    offset: usize,
    limit: usize,
) -> AppResult<(Vec<Occ>, bool)> {
    let needle = query.trim().to_lowercase();
    let wanted = offset + limit + 1;
    let mut found: Vec<Occ> = Vec::new();
    let mut to = now;
    let furthest = now - Duration::days(366 * 20);
    // A month at a time to begin with: halved while a window holds more
    // than a listing keeps (its latest would be cut off), doubled (up to a
    // year) while windows come back nearly empty.
    let mut span = Duration::days(31);
    while to > furthest && found.len() < wanted {
        let from = (to - span).max(furthest);
        let (mut occs, cut) = occurrences_between(svc, cal, from, to, Tz::UTC).await?;
        if cut && span > Duration::hours(1) {
            span = span / 2;
            continue;
        }
        occs.retain(|o| {
            let ends = o.end.instant(Tz::UTC);
            ends <= to
                && ends <= now
                && (needle.is_empty()
                    || o.title.to_lowercase().contains(&needle)
                    || o.venue_name.to_lowercase().contains(&needle)
                    || o.group
                        .as_ref()
                        .is_some_and(|(_, name)| name.to_lowercase().contains(&needle)))
        });
        // Each window holds those that end inside it, so none is listed twice.
        occs.retain(|o| o.end.instant(Tz::UTC) > from);
        if occs.len() < wanted - found.len() {
            span = (span * 2).min(Duration::days(366));
        }
        occs.reverse();
        found.extend(occs);
        to = from;
    }
    let more = found.len() > offset + limit;
    Ok((found.into_iter().skip(offset).take(limit).collect(), more))
}

/// A past meeting and the published posts that report on it.
#[derive(Debug, Clone)]
pub struct PastMeeting {
    /// The occurrence.
    pub occ: Occ,
    /// Posts linking to the event's page: slug and title.
    pub reports: Vec<(String, String)>,
}

/// The last `limit` meetings of `cal` that ended before `now`, newest
/// first, each with the published posts that link to its event.
pub async fn past_meetings(
    svc: &Services,
    cal: &Calendar,
    now: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<PastMeeting>> {
    let (occs, _) = past_occurrences(svc, cal, now, "", 0, limit).await?;
    let mut conn = svc.db.conn().await?;
    let mut reports: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let mut out = Vec::new();
    for occ in occs {
        if let std::collections::hash_map::Entry::Vacant(slot) = reports.entry(occ.event_id) {
            slot.insert(convene_store::posts::naming_event(conn.ex(), occ.event_id).await?);
        }
        out.push(PastMeeting {
            reports: reports.get(&occ.event_id).cloned().unwrap_or_default(),
            occ,
        });
    }
    Ok(out)
}

/// One event and its occurrences overlapping `[from, to)`, per-occurrence
/// overrides applied, in order of start (at most [`MAX_LISTED`]).
pub async fn event_occurrences(
    svc: &Services,
    id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<(Event, Vec<Occ>)> {
    let (ev, cal) = super::events::event(svc, id).await?;
    let mut conn = svc.db.conn().await?;
    let overrides = events::overrides_of(conn.ex(), &[id]).await?;
    drop(conn);
    let refs: Vec<&OverrideRow> = overrides.iter().collect();
    let (mut occs, _) = expand_event(&ev, &refs, from, to, Tz::UTC);
    let group = match cal {
        Calendar::Group(g) => Some((g.slug, g.name)),
        _ => None,
    };
    for o in &mut occs {
        o.group.clone_from(&group);
    }
    occs.sort_by(|a, b| {
        a.start
            .instant(Tz::UTC)
            .cmp(&b.start.instant(Tz::UTC))
            .then_with(|| a.key.cmp(&b.key))
    });
    occs.truncate(MAX_LISTED);
    Ok((ev, occs))
}
