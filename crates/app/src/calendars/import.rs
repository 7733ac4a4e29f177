//! iCalendar import: a one-off upload of an .ics file, and the events of
//! outside feeds (Google Calendar, Meetup...) that [`super::sources`]
//! syncs every hour.
//!
//! Events are matched by UID. A synced feed's events are marked with their
//! source, read-only here, and removed when they leave the feed; an
//! uploaded file's events become ordinary events of the calendar. Series
//! keep their RRULE, RDATE and EXDATE; RECURRENCE-ID components become
//! per-occurrence overrides. Every component that cannot be used is
//! reported with the reason.

use super::event_input::fields_of;
use super::events::Event;
use super::import_rules::import_rules;
use super::{Calendar, may_edit, this_and_future, touched};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use convene_domain::events::{
    EventStatus, EventTiming, Timing, occurrence_key, parse_occurrence_key, stored_local,
};
use convene_domain::groups::check_url;
use convene_domain::{Actor, InvalidInput};
use convene_ical::{IcsError, Limits, ParsedEvent, When};
use convene_recurrence::place;
use convene_store::Tx;

use convene_store::events::{self, EventFields, EventOwner, EventRow, OverrideRow};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Largest .ics file or feed accepted.
pub const MAX_ICS_BYTES: usize = 2 * 1024 * 1024;

/// Feeds are fetched again after this long.
pub const SYNC_EVERY_MINUTES: i64 = 60;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Titles of the events created.
    pub created: Vec<String>,
    /// Titles of the events changed.
    pub updated: Vec<String>,
    /// Events already up to date.
    pub unchanged: usize,
    /// Titles of the events removed because they left the feed.
    pub removed: Vec<String>,
    /// Each component not used: what it was and why.
    pub skipped: Vec<(String, String)>,
    /// Events imported with a remark (a rule kept only in part, times
    /// converted with the file's own zone): which event and what was done.
    pub notes: Vec<(String, String)>,
    /// Changed occurrences whose series is not in the file (as Google
    /// exports an invitation to one instance), each imported as a one-off
    /// event that keeps its UID and RECURRENCE-ID; and those that became
    /// changes of their series when it arrived.
    pub standalone: Vec<String>,
    /// Series split by a RANGE=THISANDFUTURE change.
    pub split: Vec<String>,
}

impl ImportReport {
    /// Human summary: "3 created, 1 updated, 0 unchanged, 2 skipped".
    pub fn summary(&self) -> String {
        let mut summary = format!(
            "{} created, {} updated, {} unchanged, {} removed, {} skipped",
            self.created.len(),
            self.updated.len(),
            self.unchanged,
            self.removed.len(),
            self.skipped.len()
        );
        if !self.notes.is_empty() {
            summary.push_str(&format!(", {} with a remark", self.notes.len()));
        }
        summary
    }
}

fn ics_error(e: &IcsError) -> InvalidInput {
    InvalidInput::new("file", e.to_string())
}

/// One parsed event turned into what we store, or the reason it cannot be.
pub(super) struct Converted {
    pub fields: EventFields,
    pub timing: EventTiming,
    pub status: EventStatus,
    pub sequence: i64,
    /// Remarks for the report.
    pub notes: Vec<String>,
}

/// Reads `w` as a wall time in `timing`'s zone.
pub(super) fn wall_in(timing: Timing, w: When) -> NaiveDateTime {
    match (w, timing) {
        (When::Zoned { local, tz }, Timing::Zoned(target)) if tz != target => {
            place(local, tz).with_timezone(&target).naive_local()
        }
        (When::Zoned { local, .. }, _) | (When::Floating(local), _) => local,
        (When::Utc(t), Timing::Zoned(tz)) => t.with_timezone(&tz).naive_local(),
        (When::Utc(t), _) => t.naive_utc(),
        (When::Date(d), _) => d.and_time(NaiveTime::MIN),
    }
}

pub(super) fn clean_line(s: &str, max: usize) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

pub(super) fn clean_text(s: &str, max: usize) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(max)
        .collect()
}

fn convert(p: &ParsedEvent, now: DateTime<Utc>) -> Result<Converted, String> {
    let timing = match p.start {
        When::Zoned { tz, .. } => Timing::Zoned(tz),
        When::Utc(_) => Timing::Zoned(Tz::UTC),
        When::Floating(_) => Timing::Floating,
        When::Date(_) => Timing::AllDay,
    };
    let start = wall_in(timing, p.start);
    let end = match p.end {
        Some(e) => wall_in(timing, e),
        None if timing == Timing::AllDay => start + Duration::days(1),
        None => start,
    };
    if end < start {
        return Err("DTEND is before DTSTART".into());
    }
    // An all-day event lasts at least its day (RFC 5545 §3.6.1), also when
    // a producer writes its DTEND equal to its DTSTART.
    let end = if timing == Timing::AllDay && end == start {
        start + Duration::days(1)
    } else {
        end
    };
    if end - start > Duration::days(366) {
        return Err("the event lasts more than a year".into());
    }
    let written: Vec<&str> = p
        .rrule
        .iter()
        .chain(&p.extra_rrules)
        .map(String::as_str)
        .collect();
    let rules = import_rules(&written, timing, start, now)?;
    let mut rdates: Vec<NaiveDateTime> = p.rdates.iter().map(|w| wall_in(timing, *w)).collect();
    rdates.extend(rules.extra_dates);
    rdates.sort_unstable();
    rdates.dedup();
    let timing = EventTiming {
        timing,
        start,
        end,
        rrule: rules.rrule,
        rdates,
        exdates: p.exdates.iter().map(|w| wall_in(timing, *w)).collect(),
    };
    let status = p
        .status
        .as_deref()
        .and_then(EventStatus::parse)
        .unwrap_or(EventStatus::Confirmed);
    let mut description = clean_text(&p.description, 20_000);
    if let Some(url) = p.url.as_deref().and_then(|u| check_url("url", u).ok())
        && !description.contains(&url)
    {
        description = format!("{}\n\n{url}", description.trim()).trim().to_owned();
    }
    let title = match clean_line(&p.summary, 200) {
        t if t.is_empty() => "(untitled)".to_owned(),
        t => t,
    };
    let mut fields = fields_of(&timing, title, description);
    fields.venue_name = clean_line(&p.location, 200);
    fields.latitude = p.geo.map(|g| g.0);
    fields.longitude = p.geo.map(|g| g.1);
    fields.status = status.as_str().to_owned();
    Ok(Converted {
        fields,
        timing,
        status,
        sequence: p.sequence.max(0),
        notes: p.notes.iter().cloned().chain(rules.notes).collect(),
    })
}

fn same(row: &EventRow, f: &EventFields) -> bool {
    row.title == f.title
        && row.description == f.description
        && row.timing == f.timing
        && row.tz == f.tz
        && row.start_local == f.start_local
        && row.end_local == f.end_local
        && row.rrule == f.rrule
        && row.rdates == f.rdates
        && row.exdates == f.exdates
        && row.venue_name == f.venue_name
        && row.status == f.status
        && row.latitude == f.latitude
        && row.longitude == f.longitude
}

fn label(p: &ParsedEvent) -> String {
    let title = if p.summary.trim().is_empty() {
        "(untitled)".to_owned()
    } else {
        clean_line(&p.summary, 80)
    };
    format!(
        "line {}{}: {title} (UID {})",
        p.line,
        in_file(p.file.as_deref()),
        clean_line(&p.uid, 80)
    )
}

/// " of NAME.ics" for a component of a zip's calendar file.
fn in_file(file: Option<&str>) -> String {
    file.map(|f| format!(" of {}", clean_line(f, 120)))
        .unwrap_or_default()
}

/// `w` as a value of `timing` (the inverse of [`wall_in`]).
fn when_in(timing: Timing, wall: NaiveDateTime) -> When {
    match timing {
        Timing::Zoned(tz) => When::Zoned { local: wall, tz },
        Timing::Floating => When::Floating(wall),
        Timing::AllDay => When::Date(wall.date()),
    }
}

/// Stores one event (a series, a piece of a split series, or a lone changed
/// occurrence when `c.fields.recurrence_id` is set), matched by UID and
/// RECURRENCE-ID among the feed's events or the calendar's own.
#[allow(clippy::too_many_arguments)]
async fn store(
    tx: &mut Tx,
    owner: EventOwner,
    existing: &HashMap<(String, String), EventRow>,
    uid: &str,
    c: &Converted,
    by: Option<i64>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> AppResult<(i64, Event)> {
    let rid = c.fields.recurrence_id.clone();
    let current = match owner.source_id {
        Some(_) => existing.get(&(uid.to_owned(), rid.clone())).cloned(),
        None => events::local_by_uid(tx.ex(), owner, uid, &rid).await?,
    };
    let id = match current {
        Some(row) => {
            if same(&row, &c.fields) {
                report.unchanged += 1;
            } else {
                let sequence = c.sequence.max(row.sequence + 1);
                events::update(tx.ex(), row.id, &c.fields, sequence, now).await?;
                report.updated.push(c.fields.title.clone());
            }
            row.id
        }
        None => {
            let id = events::insert(tx.ex(), uid, owner, &c.fields, c.sequence, by, now).await?;
            report.created.push(c.fields.title.clone());
            id
        }
    };
    let row = events::by_id(tx.ex(), id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("event {id} vanished while importing")))?;
    Ok((
        id,
        Event {
            row,
            timing: c.timing.clone(),
            status: c.status,
        },
    ))
}

/// The override of occurrence `key` of `ev` that the changed occurrence
/// `p` of the file describes.
fn change_of(ev: &Event, key: String, p: &ParsedEvent, now: DateTime<Utc>) -> OverrideRow {
    let t = &ev.timing;
    let start = wall_in(t.timing, p.start);
    let end = p
        .end
        .map(|e| wall_in(t.timing, e))
        .unwrap_or(start + t.duration());
    let title = clean_line(&p.summary, 200);
    OverrideRow {
        event_id: ev.row.id,
        recurrence_id: key,
        cancelled: p.status.as_deref() == Some("CANCELLED"),
        title: (!title.is_empty() && title != ev.row.title).then_some(title),
        description: Some(clean_text(&p.description, 20_000))
            .filter(|d| !d.is_empty() && *d != ev.row.description),
        start_local: Some(stored_local(start)),
        end_local: Some(stored_local(end)),
        start_at: Some(instant_of(t.timing, start)),
        venue_name: Some(clean_line(&p.location, 200)).filter(|v| !v.is_empty()),
        venue_address: None,
        online_url: None,
        status: p
            .status
            .as_deref()
            .and_then(EventStatus::parse)
            .map(|s| s.as_str().to_owned()),
        sequence: p.sequence.max(ev.row.sequence),
        updated_at: now,
    }
}

fn instant_of(timing: Timing, wall: NaiveDateTime) -> DateTime<Utc> {
    match timing {
        Timing::Zoned(tz) => place(wall, tz),
        _ => wall.and_utc(),
    }
}

/// The occurrence key, in `timing`, of a RECURRENCE-ID (a DATE stays a date key).
fn key_in(timing: Timing, rid: When) -> String {
    occurrence_key(wall_in(timing, rid), matches!(rid, When::Date(_)))
}

/// The series `ev` (UID `uid`) has arrived: lone changed occurrences of it
/// stored before (from an earlier sync or upload) become its overrides,
/// unless the file now describes them itself, and their answers move along.
#[allow(clippy::too_many_arguments)]
async fn absorb_lone(
    tx: &mut Tx,
    owner: EventOwner,
    existing: &mut HashMap<(String, String), EventRow>,
    uid: &str,
    in_file: &[String],
    ev: &Event,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> AppResult<()> {
    let lone: Vec<EventRow> = match owner.source_id {
        Some(_) => existing
            .values()
            .filter(|r| r.uid == uid && !r.recurrence_id.is_empty())
            .cloned()
            .collect(),
        None => events::local_instances(tx.ex(), owner, uid).await?,
    };
    let t = &ev.timing;
    for row in lone {
        existing.remove(&(row.uid.clone(), row.recurrence_id.clone()));
        let Ok(single) = Event::from_row(row.clone()) else {
            continue;
        };
        let Some(original) = parse_occurrence_key(&row.recurrence_id) else {
            continue;
        };
        let rid = if row.recurrence_id.len() == 8 {
            When::Date(original.date())
        } else {
            when_in(single.timing.timing, original)
        };
        let key = key_in(t.timing, rid);
        if !in_file.contains(&key) {
            let start = wall_in(t.timing, when_in(single.timing.timing, single.timing.start));
            let end = wall_in(t.timing, when_in(single.timing.timing, single.timing.end));
            let end = if end > start {
                end
            } else {
                start + t.duration()
            };
            events::put_override(
                tx.ex(),
                &OverrideRow {
                    event_id: ev.row.id,
                    recurrence_id: key.clone(),
                    cancelled: single.status == EventStatus::Cancelled,
                    title: Some(row.title.clone()).filter(|x| *x != ev.row.title),
                    description: Some(row.description.clone())
                        .filter(|d| !d.is_empty() && *d != ev.row.description),
                    start_local: Some(stored_local(start)),
                    end_local: Some(stored_local(end)),
                    start_at: Some(instant_of(t.timing, start)),
                    venue_name: Some(row.venue_name.clone()).filter(|v| !v.is_empty()),
                    venue_address: None,
                    online_url: None,
                    status: Some(single.status.as_str().to_owned()),
                    sequence: row.sequence.max(ev.row.sequence),
                    updated_at: now,
                },
            )
            .await?;
        }
        events::move_rsvps(tx.ex(), row.id, ev.row.id, &key).await?;
        events::delete(tx.ex(), row.id).await?;
        report.standalone.push(format!(
            "{} (UID {}, RECURRENCE-ID {key}): now a changed occurrence of its series, which has arrived",
            row.title,
            clean_line(uid, 80)
        ));
    }
    Ok(())
}

/// Applies parsed events to the calendar `owner` inside `tx`.
/// With a `source`, events of that source missing from `parsed` are removed.
pub(super) async fn apply(
    tx: &mut Tx,
    svc: &Services,
    owner: EventOwner,
    parsed: convene_ical::Parsed,
    by: Option<i64>,
) -> AppResult<ImportReport> {
    let now = svc.clock.now();
    let mut report = ImportReport::default();
    for s in &parsed.skipped {
        let what = format!(
            "line {}{}: {}{}",
            s.line,
            in_file(s.file.as_deref()),
            s.summary
                .as_deref()
                .map(|t| clean_line(t, 80))
                .unwrap_or_else(|| "a component".into()),
            s.uid
                .as_deref()
                .map(|u| format!(" (UID {})", clean_line(u, 80)))
                .unwrap_or_default()
        );
        report.skipped.push((what, s.reason.clone()));
    }
    let mut existing: HashMap<(String, String), EventRow> = match owner.source_id {
        Some(src) => events::of_source(tx.ex(), src)
            .await?
            .into_iter()
            .map(|r| ((r.uid.clone(), r.recurrence_id.clone()), r))
            .collect(),
        None => HashMap::new(),
    };
    let (masters, changes): (Vec<&ParsedEvent>, Vec<&ParsedEvent>) = parsed
        .events
        .iter()
        .partition(|p| p.recurrence_id.is_none());
    let mut changes_of: HashMap<String, Vec<&ParsedEvent>> = HashMap::new();
    for p in changes {
        changes_of
            .entry(clean_line(&p.uid, 255))
            .or_default()
            .push(p);
    }
    let mut kept: HashSet<(String, String)> = HashSet::new();
    for p in masters {
        let uid = clean_line(&p.uid, 255);
        if kept.contains(&(uid.clone(), String::new())) {
            report
                .skipped
                .push((label(p), "a second event with the same UID".into()));
            continue;
        }
        let c = match convert(p, now) {
            Ok(c) => c,
            Err(why) => {
                report.skipped.push((label(p), why));
                continue;
            }
        };
        let mine = changes_of.remove(&uid).unwrap_or_default();
        let mut ranges: Vec<&ParsedEvent> =
            mine.iter().copied().filter(|c| c.this_and_future).collect();
        let pieces_prefix = format!("{uid}_R");
        let stored_already = match owner.source_id {
            Some(_) => existing
                .keys()
                .any(|key| key.0 == uid || key.0.starts_with(&pieces_prefix)),
            None => events::local_by_uid(tx.ex(), owner, &uid, "")
                .await?
                .is_some(),
        };
        if !stored_already {
            let (good, left_out) = this_and_future::without_changes_before_start(&c, ranges);
            ranges = good;
            report
                .skipped
                .extend(left_out.into_iter().map(|why| (label(p), why)));
        }
        let timing = c.timing.timing;
        let segments = match this_and_future::split(&uid, c, &ranges) {
            Ok(segments) => segments,
            Err(why) => {
                report.skipped.push((label(p), why));
                // What is stored of the series stays as it was.
                for key in existing.keys() {
                    if key.0 == uid || key.0.starts_with(&pieces_prefix) {
                        kept.insert(key.clone());
                    }
                }
                continue;
            }
        };
        for segment in &segments {
            report.notes.extend(
                segment
                    .converted
                    .notes
                    .iter()
                    .map(|note| (label(p), note.clone())),
            );
        }
        let mut pieces: Vec<Event> = Vec::new();
        for segment in &segments {
            let (id, ev) = store(
                tx,
                owner,
                &existing,
                &segment.uid,
                &segment.converted,
                by,
                now,
                &mut report,
            )
            .await?;
            events::clear_overrides(tx.ex(), id).await?;
            kept.insert((segment.uid.clone(), String::new()));
            pieces.push(ev);
        }
        if segments.len() > 1 {
            let from: Vec<String> = segments.iter().skip(1).map(|s| s.uid.clone()).collect();
            report.split.push(format!(
                "{}: RANGE=THISANDFUTURE applied; later occurrences continue as {}",
                label(p),
                from.join(", ")
            ));
        }
        let in_file: Vec<String> = mine
            .iter()
            .filter_map(|c| c.recurrence_id)
            .map(|rid| key_in(timing, rid))
            .collect();
        if let Some(first) = pieces.first() {
            absorb_lone(
                tx,
                owner,
                &mut existing,
                &uid,
                &in_file,
                first,
                now,
                &mut report,
            )
            .await?;
        }
        for change in mine.iter().filter(|c| !c.this_and_future) {
            let Some(rid) = change.recurrence_id else {
                continue;
            };
            let wall = wall_in(timing, rid);
            let at = segments
                .iter()
                .rposition(|s| s.from.is_none_or(|from| wall >= from))
                .unwrap_or(0);
            let (Some(segment), Some(ev)) = (segments.get(at), pieces.get(at)) else {
                continue;
            };
            let key = segment.key_of(wall);
            events::put_override(tx.ex(), &change_of(ev, key, change, now)).await?;
        }
    }
    // Changed occurrences whose series is not in the file.
    let mut lone: Vec<&ParsedEvent> = changes_of.into_values().flatten().collect();
    lone.sort_by_key(|p| p.line);
    for p in lone {
        let uid = clean_line(&p.uid, 255);
        let Some(rid) = p.recurrence_id else {
            continue;
        };
        if owner.source_id.is_none()
            && let Some(row) = events::local_by_uid(tx.ex(), owner, &uid, "").await?
        {
            // The series is already on this calendar (uploaded before).
            let ev = Event::from_row(row)?;
            let key = key_in(ev.timing.timing, rid);
            events::put_override(tx.ex(), &change_of(&ev, key.clone(), p, now)).await?;
            report.standalone.push(format!(
                "{}: a change of occurrence {key} of the series already on this calendar, applied to it",
                label(p)
            ));
            continue;
        }
        let mut c = match convert(p, now) {
            Ok(c) => c,
            Err(why) => {
                report.skipped.push((label(p), why));
                continue;
            }
        };
        let key = key_in(c.timing.timing, rid);
        if !kept.insert((uid.clone(), key.clone())) {
            report.skipped.push((
                label(p),
                format!("a second change of occurrence {key} with the same UID"),
            ));
            continue;
        }
        c.fields.recurrence_id.clone_from(&key);
        store(tx, owner, &existing, &uid, &c, by, now, &mut report).await?;
        report
            .notes
            .extend(c.notes.iter().map(|note| (label(p), note.clone())));
        report.standalone.push(format!(
            "{}: a changed occurrence (RECURRENCE-ID {key}) whose series is not in the file, imported as a one-off event; it becomes a change of its series if the series is imported later",
            label(p)
        ));
    }
    report.skipped.sort_by_key(|(what, _)| {
        what.strip_prefix("line ")
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    });
    if owner.source_id.is_some() {
        for (key, row) in &existing {
            if !kept.contains(key) {
                events::delete(tx.ex(), row.id).await?;
                report.removed.push(row.title.clone());
            }
        }
    }
    touched(tx).await?;
    Ok(report)
}

/// An editor uploads an .ics file into `cal` once (with `actor` `None`, the
/// command line, which is trusted): its events become ordinary events of the
/// calendar (matched by UID on a second upload).
pub async fn import_ics(
    svc: &Services,
    actor: Option<&Actor>,
    cal: &Calendar,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    if let Some(actor) = actor {
        may_edit(cal, actor)?;
    }
    let parsed = convene_ical::parse_upload(
        bytes,
        Limits {
            max_bytes: MAX_ICS_BYTES,
            ..Limits::default()
        },
    )
    .map_err(|e| ics_error(&e))?;
    let (group_id, calendar_id) = cal.owner();
    let mut tx = svc.db.begin().await?;
    let report = apply(
        &mut tx,
        svc,
        EventOwner {
            group_id,
            calendar_id,
            source_id: None,
        },
        parsed,
        actor.map(|a| a.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
