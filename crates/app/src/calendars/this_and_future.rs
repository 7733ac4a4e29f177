//! `RECURRENCE-ID;RANGE=THISANDFUTURE` (RFC 5545 §3.8.4.4): a change to one
//! occurrence that also applies to every later one, its time shift and its
//! properties alike.
//!
//! An imported series with such changes is stored as a split series, as
//! Google Calendar and Apple Calendar store "this and following": the series
//! ends just before the changed occurrence, and a series under the UID
//! `{UID}_R{RECURRENCE-ID}` takes over from there with the change applied
//! (the rule's remaining `COUNT`, its `UNTIL`, `RDATE`s and `EXDATE`s moved
//! by the same shift). Both are written back to feeds as they are stored,
//! which every client reads the same way.

use super::event_input::fields_of;
use super::events::rule_ending_before;
use super::import::{Converted, clean_line, clean_text, wall_in};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use convene_domain::events::{EventStatus, EventTiming, Timing, check_rule, occurrence_key};
use convene_ical::ParsedEvent;
use convene_recurrence::{Bounds, Series, Window, expand, parse_rrule, place};

/// One stored piece of a split series.
pub(super) struct Segment {
    /// Its UID: the series' own for the first piece.
    pub uid: String,
    /// What is stored.
    pub converted: Converted,
    /// The original (unshifted) wall time it takes over from; `None` for
    /// the first piece.
    pub from: Option<NaiveDateTime>,
    /// How far its occurrences lie from where the original rule put them.
    pub shift: Duration,
}

impl Segment {
    /// The occurrence key, in this piece, of the original occurrence `wall`.
    pub fn key_of(&self, wall: NaiveDateTime) -> String {
        occurrence_key(wall + self.shift, self.converted.timing.all_day())
    }
}

/// The pieces `master` (converted as `converted`) is stored as once the
/// `ranges` (its `THISANDFUTURE` changes) are applied, or why they cannot be.
pub(super) fn split(
    uid: &str,
    converted: Converted,
    ranges: &[&ParsedEvent],
) -> Result<Vec<Segment>, String> {
    let original = converted.timing.clone();
    let mut ranges: Vec<(NaiveDateTime, &ParsedEvent)> = ranges
        .iter()
        .filter_map(|r| {
            r.recurrence_id
                .map(|rid| (wall_in(original.timing, rid), *r))
        })
        .collect();
    ranges.sort_by_key(|(wall, _)| *wall);
    let mut segments = vec![Segment {
        uid: uid.to_owned(),
        converted,
        from: None,
        shift: Duration::zero(),
    }];
    for (rid, change) in ranges {
        if rid < original.start {
            return Err(format!(
                "{}; the series was left as it was",
                before_start_reason(&original, rid, change)
            ));
        }
        let Some(last) = segments.last_mut() else {
            break;
        };
        let cut = rid + last.shift;
        let new_start = wall_in(original.timing, change.start);
        let shift = new_start - rid;
        if cut <= last.converted.timing.start {
            // The change takes effect from this piece's first occurrence.
            let tail = changed(
                &last.converted,
                change,
                shift - last.shift,
                None,
                uid,
                rid,
                cut,
            )?;
            last.converted = tail;
            last.shift = shift;
            continue;
        }
        let remaining = remaining_count(&original, rid)?;
        let tail = changed(
            &last.converted,
            change,
            shift - last.shift,
            remaining,
            uid,
            rid,
            cut,
        )?;
        end_before(&mut last.converted, cut);
        segments.push(Segment {
            uid: format!("{uid}_R{}", occurrence_key(rid, original.all_day())),
            converted: tail,
            from: Some(rid),
            shift,
        });
    }
    Ok(segments)
}

/// Leaves out the `ranges` that point before the series' first
/// occurrence (they change nothing), with the reason for each.
///
/// A series seen for the first time is imported without them, rather than
/// lost for one malformed change; a series already stored is left as it
/// was instead (see [`split`]).
pub(super) fn without_changes_before_start<'a>(
    converted: &Converted,
    ranges: Vec<&'a ParsedEvent>,
) -> (Vec<&'a ParsedEvent>, Vec<String>) {
    let original = &converted.timing;
    let mut reasons = Vec::new();
    let kept = ranges
        .into_iter()
        .filter(|change| match change.recurrence_id {
            Some(rid) if wall_in(original.timing, rid) < original.start => {
                reasons.push(format!(
                    "{}; the series was imported without that change",
                    before_start_reason(original, wall_in(original.timing, rid), change)
                ));
                false
            }
            _ => true,
        })
        .collect();
    (kept, reasons)
}

fn before_start_reason(original: &EventTiming, rid: NaiveDateTime, change: &ParsedEvent) -> String {
    format!(
        "RECURRENCE-ID {} with RANGE=THISANDFUTURE (line {}) is before the series' DTSTART {}, so it changes no occurrence",
        show(rid, original.all_day()),
        change.line,
        show(original.start, original.all_day()),
    )
}

fn show(wall: NaiveDateTime, all_day: bool) -> String {
    occurrence_key(wall, all_day)
}

/// How many instances of the original rule remain from `rid` on, when the
/// rule has a `COUNT` (which counts instances, excluded ones too).
fn remaining_count(original: &EventTiming, rid: NaiveDateTime) -> Result<Option<u32>, String> {
    let Some(rule) = &original.rrule else {
        return Ok(None);
    };
    let Some(count) = parse_rrule(rule).ok().and_then(|r| r.count()) else {
        return Ok(None);
    };
    let series = Series {
        rdates: Vec::new(),
        exdates: Vec::new(),
        ..original.series()
    };
    let window = Window {
        from: DateTime::<Utc>::MIN_UTC,
        to: instant(original.timing, rid),
        viewer: Tz::UTC,
    };
    let before = expand(&series, &window, Bounds::default())
        .map_err(|e| format!("RRULE {rule}: {e}"))?
        .occurrences
        .len();
    let before = u32::try_from(before).unwrap_or(u32::MAX);
    if before >= count {
        return Err(format!(
            "RECURRENCE-ID {} with RANGE=THISANDFUTURE is after the last of the series' {count} occurrences",
            show(rid, original.all_day())
        ));
    }
    Ok(Some(count - before))
}

fn instant(timing: Timing, wall: NaiveDateTime) -> DateTime<Utc> {
    match timing {
        Timing::Zoned(tz) => place(wall, tz),
        _ => wall.and_utc() - Duration::hours(14),
    }
}

/// The piece ends just before `cut`: its rule stops there and its extra
/// and excluded dates from `cut` on go to the next piece.
fn end_before(piece: &mut Converted, cut: NaiveDateTime) {
    let t = &mut piece.timing;
    if let Some(rule) = &t.rrule {
        t.rrule = Some(rule_ending_before(rule, t.timing, cut));
    }
    t.rdates.retain(|d| *d < cut);
    t.exdates.retain(|d| *d < cut);
    refresh(piece);
}

/// The piece `from` with `change` applied from its occurrence at `rid`
/// on (`cut` in the piece's own times): times moved by `shift`, the
/// change's own properties taking over.
fn changed(
    from: &Converted,
    change: &ParsedEvent,
    shift: Duration,
    remaining: Option<u32>,
    uid: &str,
    rid: NaiveDateTime,
    cut: NaiveDateTime,
) -> Result<Converted, String> {
    let t = &from.timing;
    let new_start = wall_in(t.timing, change.start);
    let new_end = change
        .end
        .map(|e| wall_in(t.timing, e))
        .filter(|e| *e >= new_start)
        .unwrap_or(new_start + (t.end - t.start));
    let rrule = match &t.rrule {
        None => None,
        Some(rule) => {
            let moved = moved_rule(rule, shift, remaining)?;
            Some(check_rule(&moved, t.timing, new_start).map_err(|e| {
                format!(
                    "the rule after RECURRENCE-ID {} (UID {uid}) cannot be used: {}",
                    show(rid, t.all_day()),
                    e.message
                )
            })?)
        }
    };
    let moved = |list: &[NaiveDateTime]| -> Vec<NaiveDateTime> {
        list.iter()
            .filter(|d| **d > cut)
            .map(|d| *d + shift)
            .collect()
    };
    let timing = EventTiming {
        timing: t.timing,
        start: new_start,
        end: new_end,
        rrule,
        rdates: moved(&t.rdates),
        exdates: moved(&t.exdates),
    };
    let mut out = Converted {
        fields: from.fields.clone(),
        timing,
        status: change
            .status
            .as_deref()
            .and_then(EventStatus::parse)
            .unwrap_or(from.status),
        sequence: change.sequence.max(from.sequence),
        // The series' remarks are reported once, with its first piece.
        notes: Vec::new(),
    };
    let title = clean_line(&change.summary, 200);
    if !title.is_empty() {
        out.fields.title = title;
    }
    let description = clean_text(&change.description, 20_000);
    if !description.is_empty() {
        out.fields.description = description;
    }
    let venue = clean_line(&change.location, 200);
    if !venue.is_empty() {
        out.fields.venue_name = venue;
    }
    if change.geo.is_some() {
        out.fields.latitude = change.geo.map(|g| g.0);
        out.fields.longitude = change.geo.map(|g| g.1);
    }
    out.fields.status = out.status.as_str().to_owned();
    refresh(&mut out);
    Ok(out)
}

/// Recomputes the stored timing columns after the timing changed.
fn refresh(piece: &mut Converted) {
    let mut fields = fields_of(
        &piece.timing,
        piece.fields.title.clone(),
        piece.fields.description.clone(),
    );
    fields.venue_name.clone_from(&piece.fields.venue_name);
    fields.latitude = piece.fields.latitude;
    fields.longitude = piece.fields.longitude;
    fields.status.clone_from(&piece.fields.status);
    piece.fields = fields;
}

/// The rule for the piece after a change that moves occurrences by `shift`:
/// the remaining `COUNT`, `UNTIL` moved along, and the weekdays of a rule
/// that names them moved by the whole days of the shift.
fn moved_rule(rule: &str, shift: Duration, remaining: Option<u32>) -> Result<String, String> {
    let parsed = parse_rrule(rule).map_err(|e| format!("RRULE {rule}: {e}"))?;
    let days = shift.num_days();
    let whole_days = shift == Duration::days(days);
    let mut parts = Vec::new();
    for part in parsed.to_string().split(';') {
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        let moved = match name {
            "COUNT" => remaining.map_or_else(|| value.to_owned(), |n| n.to_string()),
            "UNTIL" => move_until(value, shift).unwrap_or_else(|| value.to_owned()),
            "BYDAY" if days != 0 => move_weekdays(value, days).ok_or_else(|| {
                format!("a THISANDFUTURE change that moves BYDAY={value} by {days} days is not supported")
            })?,
            "BYMONTHDAY" | "BYYEARDAY" | "BYWEEKNO" | "BYMONTH" | "BYSETPOS" if days != 0 => {
                return Err(format!(
                    "a THISANDFUTURE change that moves {name}={value} by {days} days is not supported"
                ));
            }
            "BYHOUR" | "BYMINUTE" | "BYSECOND" if !whole_days => {
                return Err(format!(
                    "a THISANDFUTURE change that moves the time of {name}={value} is not supported"
                ));
            }
            _ => value.to_owned(),
        };
        parts.push(format!("{name}={moved}"));
    }
    Ok(parts.join(";"))
}

fn move_until(value: &str, shift: Duration) -> Option<String> {
    if let Some(utc) = value.strip_suffix('Z') {
        let at = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some((at + shift).format("%Y%m%dT%H%M%SZ").to_string());
    }
    if value.len() == 8 {
        let day = chrono::NaiveDate::parse_from_str(value, "%Y%m%d").ok()?;
        return Some(
            (day + Duration::days(shift.num_days()))
                .format("%Y%m%d")
                .to_string(),
        );
    }
    let at = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
    Some((at + shift).format("%Y%m%dT%H%M%S").to_string())
}

/// `TU,TH` moved by `days` (weekdays without an ordinal only).
fn move_weekdays(value: &str, days: i64) -> Option<String> {
    const WEEK: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    value
        .split(',')
        .map(|d| {
            let at = WEEK.iter().position(|w| *w == d.trim())?;
            let moved = (i64::try_from(at).ok()? + days).rem_euclid(7);
            WEEK.get(usize::try_from(moved).ok()?)
                .map(|w| (*w).to_owned())
        })
        .collect::<Option<Vec<_>>>()
        .map(|v| v.join(","))
}
