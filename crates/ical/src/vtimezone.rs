//! `VTIMEZONE` components derived from the tz database for the range a feed
//! actually covers (RFC 5545 §3.6.5).
//!
//! chrono-tz exposes offsets, not a transition list, so transitions are found
//! by sampling the offset once a day and bisecting to the exact second
//! wherever it changed: a few hundred offset look-ups per year of range.
//! Sampling daily could only miss two transitions less than a day apart that
//! cancel each other out.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::{Writer, format_local};

/// How far back from the start of the range to look for the transition that
/// put the first offset in force, so the first observance has a real
/// `TZOFFSETFROM`.
const LOOKBACK_DAYS: i64 = 2 * 366;

/// Writes a `VTIMEZONE` for `tz` whose observances cover every instant from
/// `from` to `to`: one `STANDARD` or `DAYLIGHT` observance for the offset in
/// force at `from` (starting at the transition that brought it in, when that
/// is within two years; otherwise at 1970-01-01), then one per transition in
/// the range. A zone without transitions gets a single `STANDARD`.
///
/// Each observance's `DTSTART` is the wall-clock time just before its
/// transition (read with the old offset), as RFC 5545 requires; it is
/// `DAYLIGHT` when the new offset includes daylight saving time (for the few
/// zones the tz database gives a negative winter saving, the summer offset).
pub fn write_vtimezone(w: &mut Writer, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
    let to = to.max(from);
    w.begin("VTIMEZONE");
    w.raw("TZID", &[], tz.name());
    w.raw("X-LIC-LOCATION", &[], tz.name());

    let first = previous_transition(tz, from).unwrap_or_else(|| {
        let current = state_at(tz, from);
        Transition {
            at_local: epoch_or(from, total_seconds(&current)),
            before: current,
            after: current,
        }
    });
    let mut all = vec![first];
    all.extend(transitions(tz, from, to));
    let winter_offset = all
        .iter()
        .filter(|t| t.after.dst_offset().num_seconds() < 0)
        .map(|t| total_seconds(&t.after))
        .min();
    for transition in &all {
        write_observance(w, transition, winter_offset);
    }
    w.end("VTIMEZONE");
}

/// The offset in force at an instant. Two offsets are equal when their total,
/// daylight part and abbreviation all agree; a change in any of them is a
/// transition.
type OffsetState = <Tz as TimeZone>::Offset;

fn state_at(tz: Tz, at: DateTime<Utc>) -> OffsetState {
    tz.offset_from_utc_datetime(&at.naive_utc())
}

fn total_seconds(state: &OffsetState) -> i32 {
    state.fix().local_minus_utc()
}

/// One offset change: when it happens (as the wall-clock time given by the
/// old offset) and the offsets on either side.
#[derive(Debug)]
struct Transition {
    at_local: NaiveDateTime,
    before: OffsetState,
    after: OffsetState,
}

fn transition_at(tz: Tz, at: DateTime<Utc>, before: OffsetState) -> Transition {
    Transition {
        at_local: at.naive_utc() + Duration::seconds(i64::from(total_seconds(&before))),
        before,
        after: state_at(tz, at),
    }
}

/// Every transition in `(from, to]`, in order.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut found = Vec::new();
    let mut prev = from;
    let mut prev_state = state_at(tz, from);
    while prev < to {
        let next = match prev.checked_add_signed(Duration::days(1)) {
            Some(next) => next.min(to),
            None => to,
        };
        let next_state = state_at(tz, next);
        if next_state == prev_state {
            prev = next;
            continue;
        }
        let at = first_change(tz, prev, next, prev_state);
        let transition = transition_at(tz, at, prev_state);
        prev = at;
        prev_state = transition.after;
        found.push(transition);
    }
    found
}

/// The latest transition at or before `from`, if one lies within
/// [`LOOKBACK_DAYS`].
fn previous_transition(tz: Tz, from: DateTime<Utc>) -> Option<Transition> {
    let current = state_at(tz, from);
    let mut later = from;
    for _ in 0..LOOKBACK_DAYS {
        let earlier = later.checked_sub_signed(Duration::days(1))?;
        let earlier_state = state_at(tz, earlier);
        if earlier_state != current {
            let at = first_change(tz, earlier, later, earlier_state);
            return Some(transition_at(tz, at, earlier_state));
        }
        later = earlier;
    }
    None
}

/// The first second in `(lo, hi]` whose offset differs from `lo_state`,
/// given that `hi`'s does.
fn first_change(
    tz: Tz,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    lo_state: OffsetState,
) -> DateTime<Utc> {
    let (mut lo_secs, mut hi_secs) = (lo.timestamp(), hi.timestamp());
    while hi_secs - lo_secs > 1 {
        let mid = lo_secs + (hi_secs - lo_secs) / 2;
        match DateTime::from_timestamp(mid, 0) {
            Some(at) if state_at(tz, at) == lo_state => lo_secs = mid,
            _ => hi_secs = mid,
        }
    }
    DateTime::from_timestamp(hi_secs, 0).unwrap_or(hi)
}

/// Where the single observance of a zone with no recent transition starts:
/// 1970-01-01 local time, the customary origin, unless the range itself
/// starts earlier.
fn epoch_or(from: DateTime<Utc>, total: i32) -> NaiveDateTime {
    let local_from = from.naive_utc() + Duration::seconds(i64::from(total));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(local_from);
    epoch.min(local_from)
}

/// Writes one observance. It is `DAYLIGHT` when its offset includes daylight
/// saving time. The tz database describes a few zones (Europe/Dublin,
/// Africa/Casablanca) with a *negative* saving in winter; calendar programs
/// expect the opposite reading, so there the winter offset (`winter_offset`)
/// is `STANDARD` and any larger offset is `DAYLIGHT`.
fn write_observance(w: &mut Writer, transition: &Transition, winter_offset: Option<i32>) {
    let dst = transition.after.dst_offset().num_seconds();
    let daylight = dst > 0
        || (dst == 0
            && winter_offset.is_some_and(|winter| total_seconds(&transition.after) > winter));
    let kind = if daylight { "DAYLIGHT" } else { "STANDARD" };
    w.begin(kind);
    w.raw("DTSTART", &[], &format_local(transition.at_local));
    w.raw(
        "TZOFFSETFROM",
        &[],
        &format_offset(total_seconds(&transition.before)),
    );
    w.raw(
        "TZOFFSETTO",
        &[],
        &format_offset(total_seconds(&transition.after)),
    );
    // Zones whose abbreviation is only numeric (`+03`) have none in chrono-tz;
    // TZNAME is optional, so such observances go without.
    if let Some(name) = transition.after.abbreviation() {
        w.text("TZNAME", &[], name);
    }
    w.end(kind);
}

/// `+HHMM`, or `+HHMMSS` for the odd historical offset with seconds; zero is
/// `+0000` because RFC 5545 forbids `-0000`.
fn format_offset(total: i32) -> String {
    let sign = if total < 0 { '-' } else { '+' };
    let abs = total.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}
