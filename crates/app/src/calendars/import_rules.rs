//! The recurrence rules of an imported event: which one convene keeps, and
//! what becomes of the others.
//!
//! An event keeps one `RRULE`. Rules that do not fit are not a reason to
//! lose the event: a rule that produces no date after `DTSTART`, or one
//! convene does not understand (RFC 7529's `RSCALE`, a part RFC 5545 does
//! not define), leaves the event with its `DTSTART` occurrence; a second
//! `RRULE` (RFC 2445 allowed several) is kept as its dates (`RDATE`s). Each
//! such decision is reported with the rule it is about.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use convene_domain::events::{EventTiming, Timing, check_rule, wall_of};
use convene_recurrence::{
    Bounds, RecurrenceError, Window, expand, parse_rrule, rule_matches_start,
};

/// Dates kept from one extra rule at most.
const MAX_DATES_PER_EXTRA_RULE: usize = 500;

/// An open-ended extra rule is kept up to this many years after the import
/// (a subscribed feed moves this forward at every sync).
const EXTRA_RULE_YEARS: i64 = 3;

/// What an imported event's rules come to.
#[derive(Debug, Default)]
pub(super) struct ImportedRules {
    /// The rule the event keeps.
    pub rrule: Option<String>,
    /// Dates of further rules, to add to the event's `RDATE`s.
    pub extra_dates: Vec<NaiveDateTime>,
    /// What was done with rules that could not be kept as written.
    pub notes: Vec<String>,
}

/// How one rule reads on this event.
enum Reading {
    /// Usable as the event's rule (normalised).
    Usable(String),
    /// Produces no date after `DTSTART`.
    Empty(String),
    /// Not understood.
    NotUnderstood(String),
}

/// Decides the rules of an event starting at `start` (wall time in
/// `timing`). Fails, with the reason, only for a rule convene refuses on
/// every event (more often than hourly).
pub(super) fn import_rules(
    rules: &[&str],
    timing: Timing,
    start: NaiveDateTime,
    now: DateTime<Utc>,
) -> Result<ImportedRules, String> {
    let mut out = ImportedRules::default();
    let mut usable: Vec<(String, String)> = Vec::new();
    for written in rules {
        let shown = shown_rule(written);
        match read(written, timing, start)? {
            Reading::Usable(rule) => usable.push((shown, rule)),
            Reading::Empty(why) => out.notes.push(format!(
                "RRULE {shown} produces no date after the event's start ({why}); the event is kept with its first date"
            )),
            Reading::NotUnderstood(why) => out.notes.push(format!(
                "RRULE {shown} is not understood: {why}; the event is kept with its first date"
            )),
        }
    }
    if usable.is_empty() {
        return Ok(out);
    }
    // Keep an open-ended rule as the rule, so that no date is ever cut off
    // by turning it into a list.
    let main = usable
        .iter()
        .position(|(_, rule)| open_ended(rule))
        .unwrap_or(0);
    let (_, main_rule) = usable.remove(main);
    out.rrule = Some(main_rule);
    let total = usable.len() + 1;
    for (shown, rule) in usable {
        let (dates, cut_at) = dates_of(&rule, timing, start, now);
        let count = dates.len();
        out.extra_dates.extend(dates);
        out.notes.push(match cut_at {
            None => format!(
                "the event has {total} RRULEs; convene keeps one rule per event, so the {count} dates of RRULE {shown} are kept as extra dates (RDATE)"
            ),
            Some(last) => format!(
                "the event has {total} RRULEs; convene keeps one rule per event, so RRULE {shown} is kept as its {count} dates up to {last} (RDATE); its later dates are not kept"
            ),
        });
    }
    Ok(out)
}

/// The rule as shown in a message: its first 120 characters.
fn shown_rule(rule: &str) -> String {
    let rule = rule.trim();
    let mut shown: String = rule.chars().take(120).collect();
    if shown.len() < rule.len() {
        shown.push('…');
    }
    shown
}

fn read(rule: &str, timing: Timing, start: NaiveDateTime) -> Result<Reading, String> {
    let parsed = match parse_rrule(rule) {
        Ok(parsed) => parsed,
        Err(RecurrenceError::Unsupported(why)) => return Ok(Reading::NotUnderstood(why)),
        Err(e) => return Ok(Reading::NotUnderstood(without_prefix(&e.to_string()))),
    };
    let text = parsed.to_string();
    if text.contains("FREQ=SECONDLY") || text.contains("FREQ=MINUTELY") {
        return Err(format!(
            "RRULE {}: events may repeat at most hourly",
            shown_rule(rule)
        ));
    }
    if parsed.count() != Some(1) {
        // Is there a second date? (A COUNT=1 rule says plainly there is not.)
        let probe = EventTiming {
            timing,
            start,
            end: start,
            rrule: Some(text.clone()),
            rdates: Vec::new(),
            exdates: Vec::new(),
        };
        let everything = Window {
            from: DateTime::<Utc>::MIN_UTC,
            to: DateTime::<Utc>::MAX_UTC,
            viewer: Tz::UTC,
        };
        let two = Bounds {
            max_instances: 2,
            ..Bounds::default()
        };
        match expand(&probe.series(), &everything, two) {
            Err(e) => return Ok(Reading::NotUnderstood(without_prefix(&e.to_string()))),
            Ok(found) if found.occurrences.len() < 2 => {
                let why =
                    if parsed.until().is_some() && ends_before_second_date(&text, timing, start) {
                        "its UNTIL comes before its second date"
                    } else {
                        "its BYxxx parts never match another date"
                    };
                return Ok(Reading::Empty(why.into()));
            }
            Ok(_) => {}
        }
    }
    match check_rule(&text, timing, start) {
        Ok(rule) => Ok(Reading::Usable(rule)),
        Err(e) => Ok(Reading::NotUnderstood(e.message)),
    }
}

/// "invalid recurrence rule: X" is said as "X" after "is not understood".
fn without_prefix(message: &str) -> String {
    message
        .strip_prefix("invalid recurrence rule: ")
        .unwrap_or(message)
        .to_owned()
}

/// True when the rule without its `UNTIL` would produce a second date.
fn ends_before_second_date(rule: &str, timing: Timing, start: NaiveDateTime) -> bool {
    let unbounded: Vec<&str> = rule
        .split(';')
        .filter(|part| !part.starts_with("UNTIL="))
        .collect();
    check_rule(&unbounded.join(";"), timing, start).is_ok()
}

fn open_ended(rule: &str) -> bool {
    parse_rrule(rule).is_ok_and(|r| r.count().is_none() && r.until().is_none())
}

/// The dates `rule` gives after `start` (wall times in `timing`), at most
/// [`MAX_DATES_PER_EXTRA_RULE`] and, for an open-ended rule, up to
/// [`EXTRA_RULE_YEARS`] after `now`; with the last date kept when the rule
/// goes on beyond them.
fn dates_of(
    rule: &str,
    timing: Timing,
    start: NaiveDateTime,
    now: DateTime<Utc>,
) -> (Vec<NaiveDateTime>, Option<String>) {
    // RFC 5545 counts DTSTART as a rule's first date even when the rule
    // would not produce it. For a second rule that would take one of its
    // own dates away (DTSTART belongs to the first rule), so its COUNT
    // counts only its own dates, as libical and dateutil read it.
    let rule = match parse_rrule(rule) {
        Ok(parsed) if parsed.count().is_some() && !rule_matches_start(&parsed, start) => rule
            .split(';')
            .map(|part| match part.strip_prefix("COUNT=") {
                Some(n) => format!("COUNT={}", n.parse::<u32>().unwrap_or(0).saturating_add(1)),
                None => part.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(";"),
        _ => rule.to_owned(),
    };
    let rule = rule.as_str();
    let probe = EventTiming {
        timing,
        start,
        end: start,
        rrule: Some(rule.to_owned()),
        rdates: Vec::new(),
        exdates: Vec::new(),
    };
    let horizon = now.max(probe.first_start()) + Duration::days(365 * EXTRA_RULE_YEARS);
    let window = Window {
        from: DateTime::<Utc>::MIN_UTC,
        to: if open_ended(rule) {
            horizon
        } else {
            DateTime::<Utc>::MAX_UTC
        },
        viewer: Tz::UTC,
    };
    let bounds = Bounds {
        max_instances: MAX_DATES_PER_EXTRA_RULE + 1,
        ..Bounds::default()
    };
    let Ok(expansion) = expand(&probe.series(), &window, bounds) else {
        return (Vec::new(), None);
    };
    let mut dates: Vec<NaiveDateTime> = expansion
        .occurrences
        .iter()
        .map(wall_of)
        .filter(|wall| *wall != start)
        .collect();
    let cut = open_ended(rule) || expansion.truncated || dates.len() > MAX_DATES_PER_EXTRA_RULE;
    dates.truncate(MAX_DATES_PER_EXTRA_RULE);
    let last = dates
        .last()
        .filter(|_| cut)
        .map(|d| d.format("%Y-%m-%d").to_string());
    (dates, last)
}
