//! RFC 5545 recurrence expansion for convene, correct across time zones.
//!
//! The rule arithmetic (`FREQ`, `BYxxx`, `BYSETPOS`, `WKST`, `COUNT`) is done by
//! the `rrule` crate, but always in plain wall-clock time: the series' local
//! start is handed over as if it were UTC, so no instance is ever lost or
//! rejected because of a daylight-saving transition. This crate then:
//!
//! * places every wall-clock instance in the series' zone itself
//!   (RFC 5545 §3.3.5): a nonexistent local time (DST gap) is read with the
//!   offset in force before the gap, an ambiguous one (DST overlap) is the
//!   first occurrence;
//! * applies `UNTIL` (given in UTC for zoned starts) by instant;
//! * applies `RDATE` and `EXDATE` by instant, de-duplicated and sorted;
//! * keeps floating and all-day series naive;
//! * bounds every expansion (see [`Bounds`]).

#![forbid(unsafe_code)]

mod describe;
pub use describe::describe_rule;

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// How a series starts (its `DTSTART`), which also decides how its instances are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A local wall-clock time in a named time zone.
    Zoned {
        /// Local wall-clock time, as written.
        local: NaiveDateTime,
        /// The zone the wall-clock time belongs to.
        tz: Tz,
    },
    /// A floating time: the same wall-clock time in whatever zone it is viewed from.
    Floating(NaiveDateTime),
    /// An all-day (DATE) value.
    AllDay(NaiveDate),
}

/// A recurring (or single) event's timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The first instance (`DTSTART`); it always counts as the first occurrence.
    pub start: Start,
    /// The `RRULE` value, e.g. `"FREQ=MONTHLY;BYDAY=2TU"`, if the series recurs.
    pub rrule: Option<String>,
    /// Extra instances (`RDATE`), as local wall times in the series' zone
    /// (for all-day series only the date part is used).
    pub rdates: Vec<NaiveDateTime>,
    /// Excluded instances (`EXDATE`), as local wall times in the series' zone
    /// (for all-day series only the date part is used).
    pub exdates: Vec<NaiveDateTime>,
}

/// One instance of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    /// An instant, with the local wall-clock time the series' rule produced
    /// (which differs from the instant's local time only inside a DST gap).
    At(DateTime<Utc>, NaiveDateTime),
    /// A floating wall-clock time.
    Floating(NaiveDateTime),
    /// An all-day date.
    AllDay(NaiveDate),
}

/// The half-open window `[from, to)` to expand into.
///
/// Floating and all-day instances are tested against the window as seen from
/// `viewer`; an all-day instance is in the window if its day overlaps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub from: DateTime<Utc>,
    /// Exclusive end.
    pub to: DateTime<Utc>,
    /// Zone used to read floating and all-day values.
    pub viewer: Tz,
}

/// Limits on one expansion, so that no rule can run away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// At most this many occurrences are returned.
    pub max_instances: usize,
    /// A rule without `COUNT` generates instances for at most this many years
    /// of wall time after the scan begins, which is near the window however
    /// long ago the series started (a `COUNT` bounds itself).
    pub max_years: i32,
    /// At most this many rule instances are generated, inside or outside the window.
    pub max_scanned: usize,
}

impl Default for Bounds {
    /// At most 10,000 occurrences, 100 years of wall time and 1,000,000 generated rule instances.
    fn default() -> Self {
        Self {
            max_instances: 10_000,
            max_years: 100,
            max_scanned: 1_000_000,
        }
    }
}

/// The result of an expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// Occurrences in the window, sorted and de-duplicated.
    pub occurrences: Vec<Occurrence>,
    /// True if a [`Bounds`] limit stopped the expansion before the window was covered.
    pub truncated: bool,
}

/// Why a rule could not be read or expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// The rule is empty.
    #[error("recurrence rule is empty")]
    Empty,
    /// A rule part is not of the form `NAME=VALUE`.
    #[error("malformed recurrence rule part `{0}` (expected NAME=VALUE)")]
    MalformedPart(String),
    /// A rule part appears twice.
    #[error("recurrence rule part {0} appears more than once")]
    DuplicatePart(String),
    /// The rule has no `FREQ`.
    #[error("recurrence rule has no FREQ")]
    MissingFreq,
    /// `FREQ` is not one of the RFC 5545 frequencies.
    #[error(
        "unknown FREQ `{0}` (expected SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)"
    )]
    UnknownFreq(String),
    /// `COUNT` and `UNTIL` were both given.
    #[error("recurrence rule may not have both COUNT and UNTIL")]
    CountAndUntil,
    /// `BYSETPOS` was given without any other `BYxxx` part.
    #[error("BYSETPOS needs another BYxxx part (e.g. BYDAY) to select from")]
    BySetPosAlone,
    /// `UNTIL` is not a DATE or DATE-TIME value.
    #[error("invalid UNTIL `{0}` (expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ)")]
    InvalidUntil(String),
    /// The rule failed the detailed validation; the text says why, in
    /// convene's words.
    #[error("invalid recurrence rule: {0}")]
    Invalid(String),
    /// The rule uses a part convene does not implement: RFC 7529's
    /// `RSCALE` (other calendars) and `SKIP`, or a name RFC 5545 does not
    /// define.
    #[error("{0}")]
    Unsupported(String),
    /// The window ends before it starts.
    #[error("expansion window ends before it starts")]
    InvalidWindow,
}

/// The `UNTIL` of a rule, in the form it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// A UTC date-time (`...Z`), as RFC 5545 requires for zoned starts.
    Utc(DateTime<Utc>),
    /// A floating date-time.
    Floating(NaiveDateTime),
    /// A date.
    Date(NaiveDate),
}

/// A validated `RRULE` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule without its `UNTIL`, normalised to upper case.
    body: String,
    until: Option<Until>,
    count: Option<u32>,
}

impl Rule {
    /// The rule's `UNTIL`, if any.
    pub fn until(&self) -> Option<Until> {
        self.until
    }

    /// The rule's `COUNT`, if any.
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// The same rule with `until` as its `UNTIL` (a rule with `COUNT` keeps
    /// its `COUNT` and gains no `UNTIL`).
    pub fn with_until(&self, until: Until) -> Rule {
        Rule {
            until: if self.count.is_some() {
                self.until
            } else {
                Some(until)
            },
            ..self.clone()
        }
    }
}

impl fmt::Display for Rule {
    /// The rule as an `RRULE` value (with `UNTIL` re-appended in its original form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.body)?;
        match self.until {
            None => Ok(()),
            Some(Until::Utc(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%SZ")),
            Some(Until::Floating(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%S")),
            Some(Until::Date(d)) => write!(f, ";UNTIL={}", d.format("%Y%m%d")),
        }
    }
}

const FREQS: [&str; 7] = [
    "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
];

/// Parses and validates an `RRULE` value such as `"FREQ=WEEKLY;BYDAY=TU,TH"`.
pub fn parse_rrule(value: &str) -> Result<Rule, RecurrenceError> {
    let value = value.trim();
    let value = value
        .strip_prefix("RRULE:")
        .or_else(|| value.strip_prefix("rrule:"))
        .unwrap_or(value);
    if value.is_empty() {
        return Err(RecurrenceError::Empty);
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut body: Vec<String> = Vec::new();
    let mut freq = None;
    let mut until = None;
    let mut count = None;
    let mut has_by = false;
    let mut has_setpos = false;
    let value = without_gregorian_rscale(value);
    for part in value.split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((name, val)) = part.split_once('=') else {
            return Err(RecurrenceError::MalformedPart(part.to_owned()));
        };
        let name = name.trim().to_ascii_uppercase();
        let val = val.trim().to_ascii_uppercase();
        if name.is_empty() || val.is_empty() {
            return Err(RecurrenceError::MalformedPart(part.to_owned()));
        }
        if !seen.insert(name.clone()) {
            return Err(RecurrenceError::DuplicatePart(name));
        }
        match name.as_str() {
            "FREQ" => {
                if !FREQS.contains(&val.as_str()) {
                    return Err(RecurrenceError::UnknownFreq(val));
                }
                freq = Some(val.clone());
            }
            "UNTIL" => {
                until = Some(parse_until(&val)?);
                continue;
            }
            "COUNT" => {
                count = Some(val.parse::<u32>().map_err(|_| {
                    RecurrenceError::Invalid(format!("COUNT `{val}` is not a number"))
                })?);
            }
            "BYSETPOS" => has_setpos = true,
            "RSCALE" => {
                return Err(RecurrenceError::Unsupported(format!(
                    "the rule counts its dates in the {} calendar (RSCALE, RFC 7529); convene only repeats events by the Gregorian calendar",
                    val.to_lowercase()
                )));
            }
            "SKIP" => {
                return Err(RecurrenceError::Unsupported(format!(
                    "the rule moves dates that do not exist (SKIP={val}, RFC 7529); convene does not support that"
                )));
            }
            n if KNOWN_BY_PARTS.contains(&n) => has_by = true,
            "INTERVAL" => {
                if !val.parse::<u32>().is_ok_and(|n| n > 0) {
                    return Err(RecurrenceError::Invalid(format!(
                        "INTERVAL={val} is not a positive number"
                    )));
                }
            }
            "WKST" => {}
            other => {
                return Err(RecurrenceError::Unsupported(format!(
                    "the rule part {} is not one RFC 5545 defines (FREQ, UNTIL, COUNT, INTERVAL, WKST and the BYxxx parts)",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
        body.push(format!("{name}={val}"));
    }
    if freq.is_none() {
        return Err(RecurrenceError::MissingFreq);
    }
    if count.is_some() && until.is_some() {
        return Err(RecurrenceError::CountAndUntil);
    }
    if has_setpos && !has_by {
        return Err(RecurrenceError::BySetPosAlone);
    }
    let rule = Rule {
        body: body.join(";"),
        until,
        count,
    };
    // Let rrule check the rest (ranges, BYxxx combinations, unknown parts).
    let reference = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| RecurrenceError::Invalid("internal reference date".to_owned()))?;
    rrule_set(&rule, reference)?;
    Ok(rule)
}

const KNOWN_BY_PARTS: [&str; 8] = [
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
];

/// The rule without `RSCALE=GREGORIAN` (and a `SKIP=OMIT` beside it),
/// which mean exactly what a plain RFC 5545 rule means (RFC 7529 §4.1).
fn without_gregorian_rscale(value: &str) -> String {
    let parts: Vec<&str> = value.split(';').collect();
    let is = |part: &str, name: &str, val: &str| {
        part.split_once('=').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case(name) && v.trim().eq_ignore_ascii_case(val)
        })
    };
    if !parts.iter().any(|p| is(p, "RSCALE", "GREGORIAN")) {
        return value.to_owned();
    }
    parts
        .into_iter()
        .filter(|p| !is(p, "RSCALE", "GREGORIAN") && !is(p, "SKIP", "OMIT"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The `rrule` crate's objection in convene's words (its own text is
/// written for programmers and ends in a full stop).
fn own_words(error: &rrule::RRuleError) -> RecurrenceError {
    use rrule::{ParseError as P, RRuleError as E, ValidationError as V};
    let list = |part: &str, value: &str, range: &str| {
        format!("{part}={value} is not a list of numbers from {range}")
    };
    let text = match error {
        E::ParserError(P::InvalidWeekday(v)) => format!(
            "BYDAY={v} is not a list of weekdays (MO, TU, WE, TH, FR, SA, SU, optionally numbered as in 2TU or -1FR)"
        ),
        E::ParserError(P::InvalidWeekdayStart(v)) => {
            format!("WKST={v} is not a weekday (MO, TU, WE, TH, FR, SA or SU)")
        }
        E::ParserError(P::InvalidInterval(v)) => format!("INTERVAL={v} is not a positive number"),
        E::ParserError(P::InvalidCount(v)) => format!("COUNT={v} is not a number"),
        E::ParserError(P::InvalidByHour(v)) => list("BYHOUR", v, "0 to 23"),
        E::ParserError(P::InvalidByMinute(v)) => list("BYMINUTE", v, "0 to 59"),
        E::ParserError(P::InvalidBySecond(v)) => list("BYSECOND", v, "0 to 59"),
        E::ParserError(P::InvalidByWeekNo(v)) => list("BYWEEKNO", v, "-53 to 53"),
        E::ParserError(P::InvalidByYearDay(v)) => list("BYYEARDAY", v, "-366 to 366"),
        E::ParserError(P::InvalidByMonthDay(v)) => list("BYMONTHDAY", v, "-31 to 31"),
        E::ParserError(P::InvalidByMonth(v)) => list("BYMONTH", v, "1 to 12"),
        E::ParserError(P::InvalidBySetPos(v)) => list("BYSETPOS", v, "-366 to 366"),
        E::ValidationError(V::InvalidByRuleAndFrequency { by_rule, freq }) => {
            format!("{by_rule} cannot be used with FREQ={freq}")
        }
        E::ValidationError(
            V::InvalidFieldValueRange { field, value, .. }
            | V::InvalidFieldValueRangeWithFreq { field, value, .. }
            | V::InvalidFieldValue { field, value },
        ) => format!("{}={value} is out of range", field.to_ascii_uppercase()),
        E::ValidationError(V::TooBigInterval(n)) => format!("INTERVAL={n} is too large"),
        _ => "its parts do not fit together (see RFC 5545 §3.3.10)".to_owned(),
    };
    RecurrenceError::Invalid(text)
}

fn parse_until(val: &str) -> Result<Until, RecurrenceError> {
    let bad = || RecurrenceError::InvalidUntil(val.to_owned());
    if let Some(utc) = val.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        Ok(Until::Utc(t.and_utc()))
    } else if val.contains('T') {
        Ok(Until::Floating(
            NaiveDateTime::parse_from_str(val, "%Y%m%dT%H%M%S").map_err(|_| bad())?,
        ))
    } else if val.len() == 8 {
        Ok(Until::Date(
            NaiveDate::parse_from_str(val, "%Y%m%d").map_err(|_| bad())?,
        ))
    } else {
        Err(bad())
    }
}

/// True when `start` is itself one of the dates `rule` describes (as
/// opposed to a `DTSTART` that only counts as the first occurrence because
/// RFC 5545 says it always does).
pub fn rule_matches_start(rule: &Rule, start: NaiveDateTime) -> bool {
    let plain = Rule {
        body: rule
            .body
            .split(';')
            .filter(|part| !part.starts_with("COUNT="))
            .collect::<Vec<_>>()
            .join(";"),
        until: None,
        count: None,
    };
    rrule_set(&plain, start)
        .ok()
        .and_then(|set| set.into_iter().next())
        .is_some_and(|first| first.naive_utc() == start)
}

/// Builds the rrule set for `rule` starting at the wall-clock time `start`
/// (handed to rrule as if it were UTC, so no DST ever applies).
fn rrule_set(rule: &Rule, start: NaiveDateTime) -> Result<rrule::RRuleSet, RecurrenceError> {
    let parsed =
        rrule::RRule::<rrule::Unvalidated>::from_str(&rule.body).map_err(|e| own_words(&e))?;
    let dt_start = rrule::Tz::UTC.from_utc_datetime(&start);
    let validated = parsed.validate(dt_start).map_err(|e| own_words(&e))?;
    // `limit` caps rrule's inner search loop, so a rule that never matches ends promptly.
    Ok(rrule::RRuleSet::new(dt_start).rrule(validated).limit())
}

/// Places a local wall-clock time in `tz` (RFC 5545 §3.3.5): a time in a DST
/// gap is read with the offset before the gap, an ambiguous one is the first
/// (earlier) occurrence.
pub fn place(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // The offset in force a day earlier is the one before the gap.
            let before = tz
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix();
            (local - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
        }
    }
}

/// The rule and a later start that give exactly the same instances from
/// `near` on, or `None` when the start is already near (or the rule's
/// shape does not allow the move).
///
/// The start moves by whole multiples of `INTERVAL` periods, to the first
/// moment of its period (the day, or the first of the month or year; a
/// week keeps its weekday), and the parts RFC 5545 takes from `DTSTART`
/// when a rule leaves them out (`BYDAY` for WEEKLY, `BYMONTHDAY` for
/// MONTHLY, `BYMONTH` and `BYMONTHDAY` for YEARLY) are written into the
/// rule, so the moved start changes nothing but where the scan begins.
fn fast_forward(
    rule: &Rule,
    start: NaiveDateTime,
    near: NaiveDateTime,
) -> Option<(Rule, NaiveDateTime)> {
    use chrono::{Datelike, Months};
    if near <= start {
        return None;
    }
    let parts: Vec<(&str, &str)> = rule
        .body
        .split(';')
        .filter_map(|p| p.split_once('='))
        .collect();
    let has = |name: &str| parts.iter().any(|(n, _)| *n == name);
    let get = |name: &str| {
        parts
            .iter()
            .find(|(n, v)| *n == name && !v.is_empty())
            .map(|(_, v)| *v)
    };
    if has("BYEASTER") {
        return None;
    }
    let freq = get("FREQ")?;
    let interval: i64 = get("INTERVAL").map_or(Some(1), |v| v.parse().ok())?.max(1);
    let implicit_dates =
        !(has("BYWEEKNO") || has("BYYEARDAY") || has("BYMONTHDAY") || has("BYDAY"));
    let mut extra: Vec<String> = Vec::new();
    let time = start.time();
    let moved = match freq {
        "YEARLY" | "MONTHLY" => {
            let months_per = if freq == "YEARLY" { 12 } else { 1 };
            if implicit_dates {
                if freq == "YEARLY" && !has("BYMONTH") {
                    extra.push(format!("BYMONTH={}", start.month()));
                }
                extra.push(format!("BYMONTHDAY={}", start.day()));
            }
            let month_of = |t: NaiveDateTime| i64::from(t.year()) * 12 + i64::from(t.month0());
            let periods = (month_of(near) - month_of(start)) / (months_per * interval) - 1;
            if periods <= 0 {
                return None;
            }
            let first = start.date().with_day(1)?;
            let first = if freq == "YEARLY" {
                first.with_month(1)?
            } else {
                first
            };
            let months = u32::try_from(periods * interval * months_per).ok()?;
            first
                .checked_add_months(Months::new(months))?
                .and_time(time)
        }
        "WEEKLY" | "DAILY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
            if freq == "WEEKLY" && !has("BYDAY") {
                extra.push(format!("BYDAY={}", weekday_code(start.weekday())));
            }
            let period = match freq {
                "WEEKLY" => Duration::weeks(interval),
                "DAILY" => Duration::days(interval),
                "HOURLY" => Duration::hours(interval),
                "MINUTELY" => Duration::minutes(interval),
                _ => Duration::seconds(interval),
            };
            let span = (near - start).num_seconds() / period.num_seconds().max(1) - 1;
            if span <= 0 {
                return None;
            }
            let seconds = span.checked_mul(period.num_seconds())?;
            start.checked_add_signed(Duration::try_seconds(seconds)?)?
        }
        _ => return None,
    };
    if moved <= start {
        return None;
    }
    let mut body = rule.body.clone();
    for part in extra {
        body.push(';');
        body.push_str(&part);
    }
    Some((
        Rule {
            body,
            until: rule.until,
            count: None,
        },
        moved,
    ))
}

fn weekday_code(day: chrono::Weekday) -> &'static str {
    match day {
        chrono::Weekday::Mon => "MO",
        chrono::Weekday::Tue => "TU",
        chrono::Weekday::Wed => "WE",
        chrono::Weekday::Thu => "TH",
        chrono::Weekday::Fri => "FR",
        chrono::Weekday::Sat => "SA",
        chrono::Weekday::Sun => "SU",
    }
}

/// Expands `series` into its occurrences within `window`, within `bounds`.
pub fn expand(
    series: &Series,
    window: &Window,
    bounds: Bounds,
) -> Result<Expansion, RecurrenceError> {
    if window.to < window.from {
        return Err(RecurrenceError::InvalidWindow);
    }
    let rule = series.rrule.as_deref().map(parse_rrule).transpose()?;
    let start_wall = match series.start {
        Start::Zoned { local, .. } | Start::Floating(local) => local,
        Start::AllDay(d) => d.and_time(chrono::NaiveTime::MIN),
    };
    // A rule without COUNT is scanned from a start moved close to the
    // window (by whole periods of the rule, its implicit parts made
    // explicit), so a series that began centuries ago costs what a new one
    // does; a COUNT must be counted from the real start.
    let slack = Duration::days(2);
    let near = window
        .from
        .naive_utc()
        .checked_sub_signed(slack)
        .unwrap_or(NaiveDateTime::MIN);
    let scan = match &rule {
        Some(rule) if rule.count().is_none() => fast_forward(rule, start_wall, near),
        _ => None,
    };
    // Wall-clock bound for the rule scan: the window's end plus the largest
    // possible UTC offset, the rule's UNTIL likewise, and `max_years` from
    // where the scan begins.
    let scan_from = scan.as_ref().map_or(start_wall, |(_, from)| *from);
    let mut stop = window
        .to
        .naive_utc()
        .checked_add_signed(slack)
        .unwrap_or(NaiveDateTime::MAX);
    // A COUNT bounds the scan itself (with `max_scanned`), so a counted
    // series that began long ago is never cut short of the window.
    let counted = rule.as_ref().is_some_and(|r| r.count().is_some());
    let scan_end = if counted {
        NaiveDateTime::MAX
    } else {
        scan_from
            .checked_add_months(chrono::Months::new(
                u32::try_from(bounds.max_years.max(0))
                    .unwrap_or(0)
                    .saturating_mul(12),
            ))
            .unwrap_or(NaiveDateTime::MAX)
    };
    let scan_limited = scan_end < stop;
    stop = stop.min(scan_end);
    let until_ok: Box<dyn Fn(NaiveDateTime) -> bool> =
        match (rule.as_ref().and_then(Rule::until), series.start) {
            (None, _) => Box::new(|_| true),
            (Some(Until::Utc(u)), Start::Zoned { tz, .. }) => {
                stop = stop.min(
                    u.naive_utc()
                        .checked_add_signed(slack)
                        .unwrap_or(NaiveDateTime::MAX),
                );
                Box::new(move |w| place(w, tz) <= u)
            }
            (Some(Until::Utc(u)), _) => {
                stop = stop.min(u.naive_utc());
                Box::new(move |w| w <= u.naive_utc())
            }
            (Some(Until::Floating(u)), Start::AllDay(_)) => {
                stop = stop.min(u);
                Box::new(move |w| w.date() <= u.date())
            }
            (Some(Until::Floating(u)), _) => {
                stop = stop.min(u);
                Box::new(move |w| w <= u)
            }
            (Some(Until::Date(d)), _) => {
                let end = d.and_time(chrono::NaiveTime::MIN) + Duration::days(1);
                stop = stop.min(end);
                Box::new(move |w| w < end)
            }
        };

    // Rule instances, in wall-clock time. DTSTART always counts as the first
    // occurrence (RFC 5545 §3.8.5.3), even if the rule would not produce it.
    let mut walls = vec![start_wall];
    let mut truncated = false;
    if let Some(rule) = &rule {
        let set = match &scan {
            Some((moved, from)) => rrule_set(moved, *from)?,
            None => rrule_set(rule, start_wall)?,
        };
        let mut scanned = 0usize;
        for instance in &set {
            let wall = instance.naive_utc();
            if wall > stop {
                truncated = scan_limited && wall > scan_end;
                break;
            }
            scanned += 1;
            if scanned > bounds.max_scanned {
                truncated = true;
                break;
            }
            if wall == start_wall || !until_ok(wall) {
                continue;
            }
            walls.push(wall);
        }
        if let Some(count) = rule.count() {
            walls.truncate(usize::try_from(count).unwrap_or(usize::MAX));
        }
    }

    let mut occurrences: Vec<Occurrence> = match series.start {
        Start::Zoned { tz, .. } => {
            let excluded: HashSet<DateTime<Utc>> =
                series.exdates.iter().map(|&e| place(e, tz)).collect();
            let mut seen = HashSet::new();
            let mut out: Vec<(DateTime<Utc>, NaiveDateTime)> = walls
                .iter()
                .chain(&series.rdates)
                .map(|&w| (place(w, tz), w))
                .filter(|(t, _)| !excluded.contains(t) && *t >= window.from && *t < window.to)
                .filter(|(t, _)| seen.insert(*t))
                .collect();
            out.sort();
            out.into_iter().map(|(t, w)| Occurrence::At(t, w)).collect()
        }
        Start::Floating(_) => {
            let excluded: HashSet<NaiveDateTime> = series.exdates.iter().copied().collect();
            let mut out: Vec<NaiveDateTime> = walls
                .iter()
                .chain(&series.rdates)
                .copied()
                .filter(|w| !excluded.contains(w))
                .filter(|&w| {
                    let t = place(w, window.viewer);
                    t >= window.from && t < window.to
                })
                .collect();
            out.sort();
            out.dedup();
            out.into_iter().map(Occurrence::Floating).collect()
        }
        Start::AllDay(_) => {
            let excluded: HashSet<NaiveDate> = series.exdates.iter().map(|e| e.date()).collect();
            let mut out: Vec<NaiveDate> = walls
                .iter()
                .chain(&series.rdates)
                .map(|w| w.date())
                .filter(|d| !excluded.contains(d))
                .filter(|&d| {
                    let begin = place(d.and_time(chrono::NaiveTime::MIN), window.viewer);
                    let end = d
                        .succ_opt()
                        .map(|n| place(n.and_time(chrono::NaiveTime::MIN), window.viewer))
                        .unwrap_or(DateTime::<Utc>::MAX_UTC);
                    begin < window.to && end > window.from
                })
                .collect();
            out.sort();
            out.dedup();
            out.into_iter().map(Occurrence::AllDay).collect()
        }
    };
    if occurrences.len() > bounds.max_instances {
        occurrences.truncate(bounds.max_instances);
        truncated = true;
    }
    Ok(Expansion {
        occurrences,
        truncated,
    })
}

#[cfg(test)]
mod tests;
