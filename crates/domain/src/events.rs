//! Events: their timing (zone, recurrence, exceptions), status, RSVP answers,
//! and the rules an event's fields follow.
//!
//! Times are kept as the organizer wrote them: a local wall-clock time in an
//! IANA zone (or floating, or all-day), plus the recurrence rule. Instants are
//! derived from those by [`convene_recurrence`], never stored as the truth.

use crate::error::{InvalidInput, has_control_chars};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use convene_recurrence::{
    Bounds, Occurrence, RecurrenceError, Rule, Series, Start, Until, Window, expand, parse_rrule,
    place,
};
use serde::{Deserialize, Serialize};

/// Whether an event (or one occurrence) takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// It will happen.
    Confirmed,
    /// Planned but not yet certain.
    Tentative,
    /// Called off.
    Cancelled,
}

impl EventStatus {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "confirmed",
            EventStatus::Tentative => "tentative",
            EventStatus::Cancelled => "cancelled",
        }
    }

    /// The iCalendar `STATUS` value.
    pub fn ical(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }

    /// Parses a stored, typed or iCalendar name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "confirmed" | "" => Some(EventStatus::Confirmed),
            "tentative" => Some(EventStatus::Tentative),
            "cancelled" | "canceled" => Some(EventStatus::Cancelled),
            _ => None,
        }
    }
}

/// A member's answer to "are you coming?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Coming.
    Yes,
    /// Not coming.
    No,
    /// Perhaps.
    Maybe,
}

impl Answer {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Maybe => "maybe",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "maybe" => Some(Answer::Maybe),
            _ => None,
        }
    }
}

/// Where an answer left the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RsvpState {
    /// Has a seat.
    Going,
    /// Said yes, but every seat was taken; promoted in order when one frees.
    Waitlisted,
    /// Said maybe.
    Maybe,
    /// Said no.
    NotGoing,
}

impl RsvpState {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RsvpState::Going => "going",
            RsvpState::Waitlisted => "waitlisted",
            RsvpState::Maybe => "maybe",
            RsvpState::NotGoing => "not_going",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "going" => Some(RsvpState::Going),
            "waitlisted" => Some(RsvpState::Waitlisted),
            "maybe" => Some(RsvpState::Maybe),
            "not_going" => Some(RsvpState::NotGoing),
            _ => None,
        }
    }

    /// How the state reads to the member.
    pub fn label(self) -> &'static str {
        match self {
            RsvpState::Going => "You are going",
            RsvpState::Waitlisted => "You are on the waitlist",
            RsvpState::Maybe => "You might come",
            RsvpState::NotGoing => "You are not going",
        }
    }
}

/// The recurrence patterns the event form offers, besides a raw rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// A single event.
    Never,
    /// Every week on the start's weekday.
    Weekly,
    /// Every other week on the start's weekday.
    Fortnightly,
    /// Monthly on the start's weekday in the same week of the month ("second Tuesday").
    MonthlyNthWeekday,
    /// Monthly on the last such weekday ("every last Thursday").
    MonthlyLastWeekday,
    /// Monthly on the same day of the month.
    MonthlyDay,
    /// Every year on the same date.
    Yearly,
    /// The raw `RRULE` typed in the form.
    Custom,
}

impl Repeat {
    /// Parses the form's value.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "never" => Some(Repeat::Never),
            "weekly" => Some(Repeat::Weekly),
            "fortnightly" => Some(Repeat::Fortnightly),
            "monthly_nth" => Some(Repeat::MonthlyNthWeekday),
            "monthly_last" => Some(Repeat::MonthlyLastWeekday),
            "monthly_day" => Some(Repeat::MonthlyDay),
            "yearly" => Some(Repeat::Yearly),
            "custom" => Some(Repeat::Custom),
            _ => None,
        }
    }

    /// The rule this pattern means for a series starting on `start`.
    pub fn rule_for(self, start: NaiveDate) -> Option<String> {
        let day = weekday_code(start.weekday());
        match self {
            Repeat::Never | Repeat::Custom => None,
            Repeat::Weekly => Some(format!("FREQ=WEEKLY;BYDAY={day}")),
            Repeat::Fortnightly => Some(format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={day}")),
            Repeat::MonthlyNthWeekday => {
                let nth = (start.day() - 1) / 7 + 1;
                Some(format!("FREQ=MONTHLY;BYDAY={nth}{day}"))
            }
            Repeat::MonthlyLastWeekday => Some(format!("FREQ=MONTHLY;BYDAY=-1{day}")),
            Repeat::MonthlyDay => Some(format!("FREQ=MONTHLY;BYMONTHDAY={}", start.day())),
            Repeat::Yearly => Some("FREQ=YEARLY".to_owned()),
        }
    }

    /// What the pattern will do for a series starting on `start`, as the
    /// form's picker offers it ("Every third Saturday of the month").
    pub fn describe(self, start: NaiveDate) -> String {
        let words = match self.rule_for(start) {
            Some(rule) => convene_recurrence::describe_rule(&rule, start).unwrap_or(rule),
            None if self == Repeat::Never => "once (does not repeat)".to_owned(),
            None => "a custom rule (typed below)".to_owned(),
        };
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    /// Every pattern, in the order the picker offers them.
    pub const ALL: [Repeat; 8] = [
        Repeat::Never,
        Repeat::Weekly,
        Repeat::Fortnightly,
        Repeat::MonthlyNthWeekday,
        Repeat::MonthlyLastWeekday,
        Repeat::MonthlyDay,
        Repeat::Yearly,
        Repeat::Custom,
    ];

    /// The form's value for the pattern.
    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::Never => "never",
            Repeat::Weekly => "weekly",
            Repeat::Fortnightly => "fortnightly",
            Repeat::MonthlyNthWeekday => "monthly_nth",
            Repeat::MonthlyLastWeekday => "monthly_last",
            Repeat::MonthlyDay => "monthly_day",
            Repeat::Yearly => "yearly",
            Repeat::Custom => "custom",
        }
    }
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// How an event's times are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Local times in an IANA zone.
    Zoned(Tz),
    /// Local times in whatever zone they are viewed from (imported only).
    Floating,
    /// Whole days.
    AllDay,
}

impl Timing {
    /// Stored name of the kind (`zoned`, `floating`, `date`).
    pub fn kind(self) -> &'static str {
        match self {
            Timing::Zoned(_) => "zoned",
            Timing::Floating => "floating",
            Timing::AllDay => "date",
        }
    }

    /// Stored zone name (empty unless zoned).
    pub fn tz_name(self) -> &'static str {
        match self {
            Timing::Zoned(tz) => tz.name(),
            _ => "",
        }
    }

    /// Reads the stored pair back.
    pub fn from_stored(kind: &str, tz: &str) -> Option<Self> {
        match kind {
            "zoned" => tz.parse::<Tz>().ok().map(Timing::Zoned),
            "floating" => Some(Timing::Floating),
            "date" => Some(Timing::AllDay),
            _ => None,
        }
    }
}

/// An IANA zone name, checked.
pub fn parse_zone(field: &'static str, s: &str) -> Result<Tz, InvalidInput> {
    let s = s.trim();
    if s.is_empty() {
        return Err(InvalidInput::new(
            field,
            "Choose the time zone the event takes place in, e.g. America/New_York.",
        ));
    }
    s.parse::<Tz>().map_err(|_| {
        InvalidInput::new(
            field,
            format!(
                "\"{}\" is not a time zone we know. Use an IANA name such as America/New_York or Europe/Berlin.",
                s.chars().take(64).collect::<String>()
            ),
        )
    })
}

/// The compact local form used in occurrence keys and iCalendar values:
/// `20261208T190000`, or `20261208` for a date.
pub fn occurrence_key(wall: NaiveDateTime, all_day: bool) -> String {
    if all_day {
        wall.format("%Y%m%d").to_string()
    } else {
        wall.format("%Y%m%dT%H%M%S").to_string()
    }
}

/// Reads an occurrence key back into a wall-clock time.
pub fn parse_occurrence_key(key: &str) -> Option<NaiveDateTime> {
    if key.len() == 8 {
        NaiveDate::parse_from_str(key, "%Y%m%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    } else {
        NaiveDateTime::parse_from_str(key, "%Y%m%dT%H%M%S").ok()
    }
}

/// Stored form of a local wall-clock time (`2026-12-08T19:00:00`).
pub fn stored_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Reads a stored (or typed) local time: `2026-12-08T19:00:00`, `2026-12-08T19:00`,
/// `2026-12-08 19:00` or a bare date (midnight).
pub fn parse_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// A list of local times, comma separated, in stored form.
pub fn stored_list(list: &[NaiveDateTime]) -> String {
    list.iter()
        .map(|t| stored_local(*t))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a stored or typed list of local times (commas or line breaks between them).
pub fn parse_list(field: &'static str, s: &str) -> Result<Vec<NaiveDateTime>, InvalidInput> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            parse_local(p).ok_or_else(|| {
                InvalidInput::new(
                    field,
                    format!(
                        "\"{}\" is not a date and time; write them like 2026-12-08T19:00, separated by commas.",
                        p.chars().take(40).collect::<String>()
                    ),
                )
            })
        })
        .collect()
}

/// An event's validated timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTiming {
    /// How the times are read.
    pub timing: Timing,
    /// Local start of the first occurrence (midnight for all-day events).
    pub start: NaiveDateTime,
    /// Local end of the first occurrence (exclusive midnight for all-day events).
    pub end: NaiveDateTime,
    /// The normalised `RRULE`, if it recurs.
    pub rrule: Option<String>,
    /// Extra occurrences (local).
    pub rdates: Vec<NaiveDateTime>,
    /// Excluded occurrences (local).
    pub exdates: Vec<NaiveDateTime>,
}

/// Slack around floating and all-day times, which are read in the viewer's
/// zone: the widest UTC offsets are +14 and -12 hours.
const FLOATING_SLACK_HOURS: i64 = 14;

impl EventTiming {
    /// The series as the recurrence expander takes it.
    pub fn series(&self) -> Series {
        Series {
            start: self.start_value(),
            rrule: self.rrule.clone(),
            rdates: self.rdates.clone(),
            exdates: self.exdates.clone(),
        }
    }

    /// The first occurrence's start as a series start.
    pub fn start_value(&self) -> Start {
        match self.timing {
            Timing::Zoned(tz) => Start::Zoned {
                local: self.start,
                tz,
            },
            Timing::Floating => Start::Floating(self.start),
            Timing::AllDay => Start::AllDay(self.start.date()),
        }
    }

    /// How long each occurrence lasts (in wall-clock time). An all-day
    /// event lasts at least its day, as a DATE `DTSTART` without a later
    /// `DTEND` does (RFC 5545 §3.6.1).
    pub fn duration(&self) -> Duration {
        let written = self.end - self.start;
        if self.all_day() && written < Duration::days(1) {
            Duration::days(1)
        } else {
            written
        }
    }

    /// True for an all-day event.
    pub fn all_day(&self) -> bool {
        self.timing == Timing::AllDay
    }

    /// The earliest instant the first occurrence may start (floating and
    /// all-day times widened by the largest offsets), for indexing.
    pub fn first_start(&self) -> DateTime<Utc> {
        match self.timing {
            Timing::Zoned(tz) => place(self.start, tz),
            _ => self.start.and_utc() - Duration::hours(FLOATING_SLACK_HOURS),
        }
        .min(
            self.rdates
                .iter()
                .map(|r| self.instant(*r))
                .min()
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    }

    fn instant(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        match self.timing {
            Timing::Zoned(tz) => place(wall, tz),
            _ => wall.and_utc() - Duration::hours(FLOATING_SLACK_HOURS),
        }
    }

    /// The latest instant any occurrence may end, or `None` for a series without end.
    pub fn last_end(&self) -> Option<DateTime<Utc>> {
        let slack = match self.timing {
            Timing::Zoned(_) => Duration::zero(),
            _ => Duration::hours(2 * FLOATING_SLACK_HOURS),
        };
        let last_wall = match &self.rrule {
            None => self.start,
            Some(rule) => {
                let parsed = parse_rrule(rule).ok()?;
                if parsed.count().is_none() && parsed.until().is_none() {
                    return None;
                }
                let window = Window {
                    from: DateTime::<Utc>::MIN_UTC,
                    to: DateTime::<Utc>::MAX_UTC,
                    viewer: Tz::UTC,
                };
                let series = Series {
                    exdates: Vec::new(),
                    rdates: Vec::new(),
                    ..self.series()
                };
                let exp = expand(&series, &window, Bounds::default()).ok()?;
                if exp.truncated {
                    return None;
                }
                exp.occurrences.last().map(wall_of).unwrap_or(self.start)
            }
        };
        let last = self
            .rdates
            .iter()
            .copied()
            .fold(last_wall, NaiveDateTime::max);
        Some(self.instant(last + self.duration()) + slack)
    }
}

/// The wall-clock time of an occurrence as the rule produced it.
pub fn wall_of(o: &Occurrence) -> NaiveDateTime {
    match *o {
        Occurrence::At(_, w) | Occurrence::Floating(w) => w,
        Occurrence::AllDay(d) => d.and_time(NaiveTime::MIN),
    }
}

/// The most frequent repetition an event may have.
const FREQ_FLOOR: [&str; 2] = ["SECONDLY", "MINUTELY"];

/// The raw timing fields of an event form or API call.
#[derive(Debug, Clone, Default)]
pub struct TimingInput<'a> {
    /// Whole days rather than times.
    pub all_day: bool,
    /// Local start (`2026-12-08T19:00`, or a date for all-day events).
    pub start: &'a str,
    /// Local end, same form (for all-day events the last day, inclusive).
    pub end: &'a str,
    /// IANA zone name (ignored for all-day events).
    pub tz: &'a str,
    /// Chosen pattern.
    pub repeat: &'a str,
    /// Raw rule for the custom pattern.
    pub rrule: &'a str,
    /// Extra dates.
    pub rdates: &'a str,
    /// Excluded dates.
    pub exdates: &'a str,
}

/// Turns a recurrence error into advice on the `rrule` field.
pub fn rule_error(e: &RecurrenceError) -> InvalidInput {
    InvalidInput::new(
        "rrule",
        format!("{e}. See RFC 5545 §3.3.10, e.g. FREQ=MONTHLY;BYDAY=2TU."),
    )
}

/// Checks a rule for use on an event starting at `start`: parses it, refuses
/// repetitions more frequent than hourly, an `UNTIL` before the start, and
/// a rule that never produces an occurrence after the first.
pub fn check_rule(
    rule: &str,
    timing: Timing,
    start: NaiveDateTime,
) -> Result<String, InvalidInput> {
    let parsed = parse_rrule(rule).map_err(|e| rule_error(&e))?;
    let text = parsed.to_string();
    if FREQ_FLOOR
        .iter()
        .any(|f| text.contains(&format!("FREQ={f}")))
    {
        return Err(InvalidInput::new(
            "rrule",
            "Events may repeat at most hourly; FREQ=SECONDLY and FREQ=MINUTELY are not accepted.",
        ));
    }
    let until_before = match (parsed.until(), timing) {
        (None, _) => false,
        (Some(Until::Utc(u)), Timing::Zoned(tz)) => u < place(start, tz),
        (Some(Until::Utc(u)), _) => u.naive_utc() < start,
        (Some(Until::Floating(u)), _) => u < start,
        (Some(Until::Date(d)), _) => d < start.date(),
    };
    if until_before {
        return Err(InvalidInput::new(
            "rrule",
            "The rule's UNTIL is before the event's start, so it would never repeat. Choose a later UNTIL.",
        ));
    }
    if parsed.count() != Some(1) {
        let probe = EventTiming {
            timing,
            start,
            end: start,
            rrule: Some(text.clone()),
            rdates: Vec::new(),
            exdates: Vec::new(),
        };
        let window = Window {
            from: DateTime::<Utc>::MIN_UTC,
            to: DateTime::<Utc>::MAX_UTC,
            viewer: Tz::UTC,
        };
        let bounds = Bounds {
            max_instances: 2,
            ..Bounds::default()
        };
        let exp = expand(&probe.series(), &window, bounds).map_err(|e| rule_error(&e))?;
        if exp.occurrences.len() < 2 {
            return Err(InvalidInput::new(
                "rrule",
                "This rule never produces a date after the first one (check its BYxxx parts, e.g. BYMONTHDAY=30 in February).",
            ));
        }
    }
    Ok(until_as_rfc_requires(&parsed, timing))
}

/// The rule with its `UNTIL` in the form RFC 5545 §3.3.10 requires for a
/// series of this timing: UTC for zoned starts, a date for all-day ones,
/// floating for floating ones. A rule written another way (a floating or
/// date `UNTIL` on a zoned start, a date-time on an all-day one) keeps the
/// occurrences convene already gives it: a floating `UNTIL` is read in the
/// series' zone, a date `UNTIL` includes its whole day.
pub fn until_as_rfc_requires(rule: &Rule, timing: Timing) -> String {
    let Some(until) = rule.until() else {
        return rule.to_string();
    };
    let end_of_day =
        |d: NaiveDate| d.and_time(NaiveTime::MIN) + Duration::days(1) - Duration::seconds(1);
    let fixed = match (timing, until) {
        (Timing::Zoned(tz), Until::Floating(local)) => Until::Utc(place(local, tz)),
        (Timing::Zoned(tz), Until::Date(day)) => Until::Utc(place(end_of_day(day), tz)),
        (Timing::Zoned(_), utc @ Until::Utc(_)) => utc,
        (Timing::AllDay, Until::Utc(at)) => Until::Date(at.date_naive()),
        (Timing::AllDay, Until::Floating(local)) => Until::Date(local.date()),
        (Timing::AllDay, day @ Until::Date(_)) => day,
        (Timing::Floating, Until::Utc(at)) => Until::Floating(at.naive_utc()),
        (Timing::Floating, Until::Date(day)) => Until::Floating(end_of_day(day)),
        (Timing::Floating, local @ Until::Floating(_)) => local,
    };
    rule.with_until(fixed).to_string()
}

/// Validates an event's timing fields.
pub fn check_timing(input: &TimingInput<'_>) -> Result<EventTiming, InvalidInput> {
    let timing = if input.all_day {
        Timing::AllDay
    } else {
        Timing::Zoned(parse_zone("tz", input.tz)?)
    };
    let start = parse_local(input.start).ok_or_else(|| {
        InvalidInput::new(
            "start",
            "Give the start as a date and time, e.g. 2026-12-08T19:00.",
        )
    })?;
    let mut end = if input.end.trim().is_empty() && !input.all_day {
        return Err(InvalidInput::new(
            "end",
            "Give the end as a date and time, e.g. 2026-12-08T21:00.",
        ));
    } else if input.end.trim().is_empty() {
        start
    } else {
        parse_local(input.end).ok_or_else(|| {
            InvalidInput::new(
                "end",
                "Give the end as a date and time, e.g. 2026-12-08T21:00.",
            )
        })?
    };
    let start = if input.all_day {
        start.date().and_time(NaiveTime::MIN)
    } else {
        start
    };
    if input.all_day {
        // The form gives the last day; iCalendar's DTEND is the day after.
        end = end.date().and_time(NaiveTime::MIN) + Duration::days(1);
    }
    if end <= start {
        return Err(InvalidInput::new(
            "end",
            "The event must end after it starts.",
        ));
    }
    if end - start > Duration::days(31) {
        return Err(InvalidInput::new(
            "end",
            "An event may last at most 31 days; for a longer run, make it repeat.",
        ));
    }
    let repeat = Repeat::parse(input.repeat)
        .ok_or_else(|| InvalidInput::new("repeat", "Choose one of the offered patterns."))?;
    let rule = match repeat {
        Repeat::Custom => {
            if input.rrule.trim().is_empty() {
                return Err(InvalidInput::new(
                    "rrule",
                    "Type a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=2TU, or choose a pattern.",
                ));
            }
            Some(input.rrule.trim().to_owned())
        }
        other => other.rule_for(start.date()),
    };
    let rrule = rule.map(|r| check_rule(&r, timing, start)).transpose()?;
    let rdates = parse_list("rdates", input.rdates)?;
    let exdates = parse_list("exdates", input.exdates)?;
    if has_control_chars(input.tz) {
        return Err(InvalidInput::new(
            "tz",
            "The time zone may not hold control characters.",
        ));
    }
    Ok(EventTiming {
        timing,
        start,
        end,
        rrule,
        rdates,
        exdates,
    })
}

/// Checks a single-line text field of an event.
pub fn check_line(
    field: &'static str,
    s: &str,
    max: usize,
    required: bool,
) -> Result<String, InvalidInput> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(InvalidInput::new(field, "This field is required."));
    }
    if s.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!("Keep it under {max} characters."),
        ));
    }
    if has_control_chars(s) {
        return Err(InvalidInput::new(
            field,
            "Line breaks and control characters are not allowed here.",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests;
