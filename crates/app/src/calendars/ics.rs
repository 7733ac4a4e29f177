//! iCalendar (RFC 5545, with RFC 7986 names) for feeds, downloads and iMIP.
//!
//! Series are kept as series: `RRULE`, `RDATE` and `EXDATE` as stored, each
//! override as a `RECURRENCE-ID` component, a cancelled occurrence as an
//! override with `STATUS:CANCELLED`. Every zone used gets a `VTIMEZONE`
//! covering the instants the feed can reach.

use super::Calendar;
use super::events::Event;
use super::occurrences::{Moment, Occ};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use convene_domain::events::{
    Timing, occurrence_key, parse_local, parse_occurrence_key, until_as_rfc_requires,
};
use convene_ical::{When, Writer, write_vtimezone};
use convene_recurrence::parse_rrule;
use convene_store::calendars;
use convene_store::counters::Counter;
use convene_store::events::{self, FeedPart, OverrideRow};
use std::collections::BTreeSet;

/// How often clients should fetch a feed again (RFC 7986 `REFRESH-INTERVAL`).
const REFRESH: &str = "PT1H";

/// The value that changes whenever any calendar or event changes; feeds use it as their validator.
pub async fn feed_version(svc: &Services) -> AppResult<i64> {
    Ok(svc.db.counter(Counter::Calendars).await?)
}

/// Which feed is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// A public calendar feed.
    Public,
    /// A member's private feed of their answers.
    Member,
}

fn when_of(timing: Timing, wall: NaiveDateTime) -> When {
    match timing {
        Timing::Zoned(Tz::UTC) => When::Utc(wall.and_utc()),
        Timing::Zoned(tz) => When::Zoned { local: wall, tz },
        Timing::Floating => When::Floating(wall),
        Timing::AllDay => When::Date(wall.date()),
    }
}

/// A `RECURRENCE-ID` from its stored key: a date key is a DATE whatever
/// the series' timing.
fn key_when(timing: Timing, key: &str, wall: NaiveDateTime) -> When {
    if key.len() == 8 {
        When::Date(wall.date())
    } else {
        when_of(timing, wall)
    }
}

/// `DTEND`, only when it is after `DTSTART` (RFC 5545 §3.8.2.2): an event
/// without one is an instant, or its one day when it is all-day (§3.6.1).
fn write_end(w: &mut Writer, timing: Timing, start: NaiveDateTime, end: NaiveDateTime) {
    if end > start {
        w.when("DTEND", when_of(timing, end));
    }
}

fn header(w: &mut Writer, name: &str, description: &str, url: &str, kind: FeedKind) {
    w.begin("VCALENDAR");
    w.raw("PRODID", &[], "-//convene//convene calendars//EN");
    w.raw("VERSION", &[], "2.0");
    w.raw("CALSCALE", &[], "GREGORIAN");
    w.raw("METHOD", &[], "PUBLISH");
    w.text("NAME", &[], name);
    w.text("X-WR-CALNAME", &[], name);
    if !description.is_empty() {
        w.text("DESCRIPTION", &[], description);
        w.text("X-WR-CALDESC", &[], description);
    }
    if kind == FeedKind::Public {
        w.raw("URL", &[("VALUE", "URI")], url);
    }
    w.raw("REFRESH-INTERVAL", &[("VALUE", "DURATION")], REFRESH);
    w.raw("X-PUBLISHED-TTL", &[], REFRESH);
}

/// Writes a `VTIMEZONE` for each zone the events use, covering their span.
fn timezones(w: &mut Writer, evs: &[Event], now: DateTime<Utc>) {
    zone_definitions(
        w,
        evs.iter().filter_map(|ev| match ev.timing.timing {
            Timing::Zoned(tz) => Some((tz.name(), ev.row.first_start, ev.row.last_end)),
            _ => None,
        }),
        now,
    );
}

/// Writes a `VTIMEZONE` for each zone named in `spans` (zone, earliest
/// start, latest end if known), covering from the earliest start (or now)
/// to the latest end (or three years ahead, whichever is later).
fn zone_definitions<'a>(
    w: &mut Writer,
    spans: impl Iterator<Item = (&'a str, DateTime<Utc>, Option<DateTime<Utc>>)>,
    now: DateTime<Utc>,
) {
    let mut zones: BTreeSet<&'static str> = BTreeSet::new();
    let mut from = now;
    let mut to = now + Duration::days(365 * 3);
    for (name, first, last) in spans {
        let Ok(tz) = name.parse::<Tz>() else { continue };
        if tz == Tz::UTC {
            continue;
        }
        zones.insert(tz.name());
        from = from.min(first);
        to = to.max(last.unwrap_or(to));
    }
    for tz in zones.into_iter().filter_map(|name| name.parse::<Tz>().ok()) {
        write_vtimezone(w, tz, from - Duration::days(1), to + Duration::days(1));
    }
}

/// One `VEVENT` for a series (or single event) and one per override.
fn write_event(w: &mut Writer, svc: &Services, ev: &Event, overrides: &[&OverrideRow]) {
    let r = &ev.row;
    let t = &ev.timing;
    let url = svc.site.link(&format!("/events/{}", r.id));
    let location = [r.venue_name.as_str(), r.venue_address.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let describe = |text: &str| -> String {
        let mut d = text.trim().to_owned();
        if !r.online_url.is_empty() {
            d.push_str(&format!("\n\nJoin online: {}", r.online_url));
        }
        d.push_str(&format!("\n\n{url}"));
        d.trim().to_owned()
    };
    let common = |w: &mut Writer, sequence: i64, stamp: DateTime<Utc>| {
        w.raw("UID", &[], &r.uid);
        w.raw("DTSTAMP", &[], &convene_ical::format_utc(stamp));
        w.raw("CREATED", &[], &convene_ical::format_utc(r.created_at));
        w.raw("LAST-MODIFIED", &[], &convene_ical::format_utc(stamp));
        w.raw("SEQUENCE", &[], &sequence.to_string());
    };
    w.begin("VEVENT");
    common(w, r.sequence, r.updated_at);
    if let Some(original) = parse_occurrence_key(&r.recurrence_id) {
        // One changed occurrence of a series this calendar does not hold.
        w.when(
            "RECURRENCE-ID",
            key_when(t.timing, &r.recurrence_id, original),
        );
    }
    w.when("DTSTART", when_of(t.timing, t.start));
    write_end(w, t.timing, t.start, t.end);
    if let Some(rule) = &t.rrule {
        let rule = parse_rrule(rule)
            .map(|parsed| until_as_rfc_requires(&parsed, t.timing))
            .unwrap_or_else(|_| rule.clone());
        w.raw("RRULE", &[], &rule);
    }
    if !t.rdates.is_empty() {
        let list: Vec<When> = t.rdates.iter().map(|d| when_of(t.timing, *d)).collect();
        w.when_list("RDATE", &list);
    }
    // A date both excluded and changed is listed as the change says: kept
    // out of EXDATE unless the change calls it off, so every client reads
    // the feed as convene lists it.
    let exdates: Vec<When> = t
        .exdates
        .iter()
        .filter(|d| {
            let key = occurrence_key(**d, t.all_day());
            !overrides
                .iter()
                .any(|o| o.recurrence_id == key && !o.cancelled)
        })
        .map(|d| when_of(t.timing, *d))
        .collect();
    if !exdates.is_empty() {
        w.when_list("EXDATE", &exdates);
    }
    w.text("SUMMARY", &[], &r.title);
    w.text("DESCRIPTION", &[], &describe(&r.description));
    if !location.is_empty() {
        w.text("LOCATION", &[], &location);
    }
    if let (Some(lat), Some(lon)) = (r.latitude, r.longitude) {
        w.raw("GEO", &[], &format!("{lat:.6};{lon:.6}"));
    }
    w.raw("URL", &[("VALUE", "URI")], &url);
    w.raw("STATUS", &[], ev.status.ical());
    w.raw("TRANSP", &[], "OPAQUE");
    w.end("VEVENT");

    for o in overrides {
        let Some(original) = parse_occurrence_key(&o.recurrence_id) else {
            continue;
        };
        let start = o
            .start_local
            .as_deref()
            .and_then(parse_local)
            .unwrap_or(original);
        let end = o
            .end_local
            .as_deref()
            .and_then(parse_local)
            .filter(|e| *e > start)
            .unwrap_or(start + t.duration());
        w.begin("VEVENT");
        common(w, o.sequence, o.updated_at);
        w.when(
            "RECURRENCE-ID",
            key_when(t.timing, &o.recurrence_id, original),
        );
        w.when("DTSTART", when_of(t.timing, start));
        write_end(w, t.timing, start, end);
        w.text("SUMMARY", &[], o.title.as_deref().unwrap_or(&r.title));
        w.text(
            "DESCRIPTION",
            &[],
            &describe(o.description.as_deref().unwrap_or(&r.description)),
        );
        let venue = o.venue_name.as_deref().unwrap_or(&location);
        if !venue.is_empty() {
            w.text("LOCATION", &[], venue);
        }
        w.raw(
            "URL",
            &[("VALUE", "URI")],
            &format!("{url}?at={}", o.recurrence_id),
        );
        let status = if o.cancelled {
            "CANCELLED"
        } else {
            o.status
                .as_deref()
                .and_then(convene_domain::events::EventStatus::parse)
                .unwrap_or(ev.status)
                .ical()
        };
        w.raw("STATUS", &[], status);
        w.end("VEVENT");
    }
}

fn write_events(w: &mut Writer, svc: &Services, evs: &[Event], overrides: &[OverrideRow]) {
    timezones(w, evs, svc.clock.now());
    for ev in evs {
        let mine: Vec<&OverrideRow> = overrides
            .iter()
            .filter(|o| o.event_id == ev.row.id)
            .collect();
        write_event(w, svc, ev, &mine);
    }
}

/// Where a feed's text goes as it is written, a part at a time.
pub trait FeedOut: Send {
    /// Takes the next part.
    fn put(&mut self, part: String) -> impl Future<Output = AppResult<()>> + Send;
}

impl FeedOut for String {
    async fn put(&mut self, part: String) -> AppResult<()> {
        self.push_str(&part);
        Ok(())
    }
}

impl FeedOut for tokio::sync::mpsc::Sender<String> {
    async fn put(&mut self, part: String) -> AppResult<()> {
        self.send(part)
            .await
            .map_err(|_| AppError::Internal("the feed's reader stopped reading".into()))
    }
}

/// Events read from the database at a time while a feed is written: what
/// the feed holds in memory at once, whatever its length.
const FEED_PAGE: usize = 500;

/// The iCalendar feed of a calendar: every event, series kept whole.
pub async fn calendar_feed(svc: &Services, cal: &Calendar) -> AppResult<String> {
    let mut out = String::new();
    write_calendar_feed(svc, cal, &mut out).await?;
    Ok(out)
}

/// Writes the iCalendar feed of a calendar into `out` a page of events at
/// a time, so that a feed of any length is never held whole. The whole
/// site's feed keeps to the weeks around today; each group's and
/// calendar's own feed keeps its full history.
pub async fn write_calendar_feed(
    svc: &Services,
    cal: &Calendar,
    out: &mut impl FeedOut,
) -> AppResult<()> {
    let now = svc.clock.now();
    let part = FeedPart {
        scope: cal.scope(),
        window: matches!(cal, Calendar::Site)
            .then(|| (now - SITE_FEED_PAST, now + SITE_FEED_AHEAD)),
    };
    let name = match cal {
        Calendar::Site => format!("{} — all events", svc.site.name),
        other => format!("{} ({})", other.name(&svc.site.name), svc.site.name),
    };
    let description = match cal {
        Calendar::Region(c) => c.description.clone(),
        Calendar::Group(g) => g.short_description.clone(),
        Calendar::Site => format!(
            "Every group's events from {} days ago to {} days ahead; each group's own calendar has its full history.",
            SITE_FEED_PAST.num_days(),
            SITE_FEED_AHEAD.num_days()
        ),
    };
    let mut w = Writer::new();
    header(
        &mut w,
        &name,
        &description,
        &svc.site.link(&cal.path()),
        FeedKind::Public,
    );
    let (spans, shared) = {
        let mut conn = svc.db.conn().await?;
        let spans = events::zone_spans(conn.ex(), part).await?;
        let shared = events::shared_uids(conn.ex(), part).await?;
        (spans, shared)
    };
    zone_definitions(
        &mut w,
        spans
            .iter()
            .map(|(tz, first, last)| (tz.as_str(), *first, *last)),
        now,
    );
    let skipped = super::events::listed_twice(
        shared
            .iter()
            .map(|(id, uid, rid)| (*id, uid.as_str(), rid.as_str())),
    );
    drop(shared);
    let ids = {
        let mut conn = svc.db.conn().await?;
        events::feed_ids(conn.ex(), part).await?
    };
    for page in ids.chunks(FEED_PAGE) {
        let (rows, overrides) = {
            let mut conn = svc.db.conn().await?;
            let rows = events::by_ids(conn.ex(), page).await?;
            let ids: Vec<i64> = rows
                .iter()
                .map(|r| r.id)
                .filter(|id| !skipped.contains(id))
                .collect();
            let overrides = events::overrides_of(conn.ex(), &ids).await?;
            (rows, overrides)
        };
        for row in rows {
            if skipped.contains(&row.id) {
                continue;
            }
            let Ok(ev) = Event::from_row(row) else {
                continue;
            };
            let mine: Vec<&OverrideRow> = overrides
                .iter()
                .filter(|o| o.event_id == ev.row.id)
                .collect();
            write_event(&mut w, svc, &ev, &mine);
        }
        out.put(w.take()).await?;
    }
    w.end("VCALENDAR");
    out.put(w.finish()).await
}

/// How far back the whole site's feed reaches (a series that still has
/// dates in the window goes in whole).
pub const SITE_FEED_PAST: Duration = Duration::days(30);
/// How far ahead the whole site's feed reaches.
pub const SITE_FEED_AHEAD: Duration = Duration::days(365);

/// One event (the whole series) as a file to add to one's calendar.
pub fn event_ics(svc: &Services, ev: &Event, overrides: &[OverrideRow]) -> String {
    let mut w = Writer::new();
    header(
        &mut w,
        &ev.row.title,
        "",
        &svc.site.link(&format!("/events/{}", ev.row.id)),
        FeedKind::Public,
    );
    write_events(&mut w, svc, std::slice::from_ref(ev), overrides);
    w.end("VCALENDAR");
    w.finish()
}

/// One occurrence as a stand-alone event, for iMIP attachments (`METHOD:PUBLISH`).
pub fn occurrence_ics(svc: &Services, ev: &Event, occ: &Occ) -> String {
    let single = Event {
        row: convene_store::events::EventRow {
            uid: if ev.recurring() {
                format!("{}-{}", occ.key, ev.row.uid)
            } else {
                ev.row.uid.clone()
            },
            title: occ.title.clone(),
            venue_name: occ.venue_name.clone(),
            rrule: None,
            rdates: String::new(),
            exdates: String::new(),
            ..ev.row.clone()
        },
        timing: convene_domain::events::EventTiming {
            start: occ.start.local(),
            end: occ.end.local(),
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            ..ev.timing.clone()
        },
        status: occ.status,
    };
    event_ics(svc, &single, &[])
}

/// "Tue 8 Dec 2026, 19:00–21:00 EST", in the event's own zone.
pub fn when_text(occ: &Occ) -> String {
    when_text_in(occ, None)
}

/// Like [`when_text`], as seen from `viewer` when given.
pub fn when_text_in(occ: &Occ, viewer: Option<Tz>) -> String {
    let local = |m: &Moment| match viewer {
        Some(v) => m.local_in(v),
        None => m.local(),
    };
    match (occ.start, occ.end) {
        (Moment::Date(s), Moment::Date(e)) => {
            let last = e - Duration::days(1);
            if last <= s {
                s.format("%a %-d %b %Y (all day)").to_string()
            } else {
                format!(
                    "{} – {}",
                    s.format("%a %-d %b"),
                    last.format("%a %-d %b %Y")
                )
            }
        }
        (s, e) => {
            let (ls, le) = (local(&s), local(&e));
            let zone = s.abbreviation(viewer);
            let zone = if zone.is_empty() {
                String::new()
            } else {
                format!(" {zone}")
            };
            if ls.date() == le.date() {
                format!(
                    "{}, {}–{}{zone}",
                    ls.format("%a %-d %b %Y"),
                    ls.format("%H:%M"),
                    le.format("%H:%M")
                )
            } else {
                format!(
                    "{} – {}{zone}",
                    ls.format("%a %-d %b %Y, %H:%M"),
                    le.format("%a %-d %b %Y, %H:%M")
                )
            }
        }
    }
}

/// A member's private feed token: a new secret each call (the old URL stops working).
pub async fn member_feed_token(svc: &Services, user_id: i64) -> AppResult<String> {
    let token = svc.tokens.new_token();
    let mut tx = svc.db.begin().await?;
    calendars::set_feed_token(tx.ex(), user_id, token.hash().as_str(), svc.clock.now()).await?;
    tx.commit().await?;
    Ok(token.expose().to_owned())
}

/// The private feed behind `token`: the events the member answered yes or maybe to,
/// and its validator.
pub async fn member_feed(svc: &Services, token: &str) -> AppResult<(String, String)> {
    let hash = convene_domain::SecretToken::from_client(token).hash();
    let mut conn = svc.db.conn().await?;
    let user = calendars::feed_token_user(conn.ex(), hash.as_str())
        .await?
        .ok_or(AppError::NotFound(
            "This feed address is not valid (it may have been replaced).",
        ))?;
    let (count, latest) = events::rsvps_version(conn.ex(), user).await?;
    let version = format!(
        "{}-{count}-{}",
        svc.db.counter(Counter::Calendars).await?,
        latest.map(|l| l.timestamp_micros()).unwrap_or(0)
    );
    let answers = events::rsvps_of(conn.ex(), user).await?;
    let mut ids: Vec<i64> = answers.iter().map(|a| a.event_id).collect();
    ids.dedup();
    let mut evs = Vec::new();
    for id in &ids {
        if let Some(row) = events::by_id(conn.ex(), *id).await? {
            evs.push(Event::from_row(row)?);
        }
    }
    drop(conn);
    let mut w = Writer::new();
    header(
        &mut w,
        &format!("My events ({})", svc.site.name),
        "",
        "",
        FeedKind::Member,
    );
    timezones(&mut w, &evs, svc.clock.now());
    for a in &answers {
        let Some(ev) = evs.iter().find(|e| e.row.id == a.event_id) else {
            continue;
        };
        let Some(wall) = parse_occurrence_key(&a.occurrence) else {
            continue;
        };
        let mut single = ev.clone();
        single.row.uid = format!("{}-{}", a.occurrence, ev.row.uid);
        single.row.recurrence_id.clear();
        single.timing.start = wall;
        single.timing.end = wall + ev.timing.duration();
        single.timing.rrule = None;
        single.timing.rdates.clear();
        single.timing.exdates.clear();
        if a.state == "waitlisted" {
            single.row.title = format!("{} (waitlist)", ev.row.title);
        }
        write_event(&mut w, svc, &single, &[]);
    }
    w.end("VCALENDAR");
    Ok((w.finish(), version))
}
