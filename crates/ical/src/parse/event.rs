//! Turning one `VEVENT`'s properties into a [`ParsedEvent`], or the reason it
//! cannot be used.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::lines::ContentLine;
use super::values::{
    Span, parse_date, parse_date_time, parse_duration, split_text_list, unescape_text,
};
use super::{EventBlock, ParsedEvent};
use crate::zonedef::{DefinedZone, ZoneDefinition};
use crate::{When, format_date, format_local, format_utc, resolve_tzid};

/// How many (zone, year) pairs of a calendar's own `VTIMEZONE`s are read:
/// each is compared with every IANA zone, so a hostile file must not ask
/// for thousands.
const MAX_DEFINED_ZONE_READINGS: usize = 200;

/// Resolves the `TZID`s of one calendar, remembering each answer.
pub(super) struct Zones {
    /// The calendar's `VTIMEZONE`s by `TZID`.
    declared: HashMap<String, ZoneDefinition>,
    named: HashMap<String, Option<Tz>>,
    /// What a definition stands for, by `TZID` and year.
    defined: HashMap<(String, i32), Result<DefinedZone, String>>,
    /// Remarks on the event being read, for [`ParsedEvent::notes`].
    notes: Vec<String>,
}

impl Zones {
    pub fn new(declared: HashMap<String, ZoneDefinition>) -> Self {
        Self {
            declared,
            named: HashMap::new(),
            defined: HashMap::new(),
            notes: Vec::new(),
        }
    }

    /// The IANA zone a `TZID` names without reading its definition: an exact
    /// IANA name first, then the `X-LIC-LOCATION` of the file's own
    /// `VTIMEZONE`, then the usual vendor spellings and Windows names.
    pub fn named(&mut self, tzid: &str) -> Option<Tz> {
        if let Some(known) = self.named.get(tzid) {
            return *known;
        }
        let tz = Tz::from_str(tzid.trim())
            .ok()
            .or_else(|| {
                self.declared
                    .get(tzid.trim())
                    .and_then(|zone| zone.location.as_deref())
                    .and_then(resolve_tzid)
            })
            .or_else(|| resolve_tzid(tzid));
        self.named.insert(tzid.to_owned(), tz);
        tz
    }

    /// Reads the wall-clock time `local` in the zone `tzid`: in the IANA
    /// zone it names, else in the zone the file's `VTIMEZONE` defines.
    fn read(&mut self, name: &str, tzid: &str, local: NaiveDateTime) -> Result<When, String> {
        if let Some(tz) = self.named(tzid) {
            return Ok(When::Zoned { local, tz });
        }
        let shown = shown_tzid(tzid);
        let Some(definition) = self.declared.get(tzid.trim()) else {
            return Err(format!(
                "{name}: unknown time zone \"{shown}\": it is neither an IANA nor a Windows zone name, and the file has no VTIMEZONE that defines it"
            ));
        };
        let key = (tzid.trim().to_owned(), local.year());
        if !self.defined.contains_key(&key) && self.defined.len() >= MAX_DEFINED_ZONE_READINGS {
            return Err(format!(
                "{name}: the time zone \"{shown}\" is not read: the file defines zones for more than {MAX_DEFINED_ZONE_READINGS} zone-and-year pairs, more than convene reads in one calendar"
            ));
        }
        let resolved = self
            .defined
            .entry(key)
            .or_insert_with(|| {
                definition
                    .resolve(local)
                    .map_err(|e| format!("{name}: the time zone \"{shown}\" cannot be read: {e}"))
            })
            .clone()?;
        match resolved {
            DefinedZone::Iana(tz) => Ok(When::Zoned { local, tz }),
            DefinedZone::Own(rules) => {
                let note = format!(
                    "the time zone \"{shown}\" that the file defines follows no IANA zone, so its times are kept as UTC instants computed with the file's own VTIMEZONE (a repeating event's later dates may move by an hour across daylight-saving changes)"
                );
                if !self.notes.contains(&note) {
                    self.notes.push(note);
                }
                rules
                    .to_utc(local)
                    .map(When::Utc)
                    .ok_or_else(|| format!("{name}: \"{}\" is out of range", format_local(local)))
            }
        }
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}

/// A `TZID` as shown in a message: its first 80 characters.
fn shown_tzid(tzid: &str) -> String {
    tzid.trim().chars().take(80).collect()
}

/// The event, or why it was skipped.
pub(super) fn interpret(block: &EventBlock, zones: &mut Zones) -> Result<ParsedEvent, String> {
    if let Some(problem) = &block.problem {
        return Err(problem.clone());
    }
    zones.take_notes();
    let uid = block
        .first("UID")
        .map(|p| p.value.trim().to_owned())
        .filter(|uid| !uid.is_empty())
        .ok_or("no UID")?;
    let start_prop = block.first("DTSTART").ok_or("no DTSTART")?;
    let start = when_of(start_prop, start_prop.value.trim(), zones)?;

    let end = match (block.first("DTEND"), block.first("DURATION")) {
        (Some(end_prop), _) => {
            let end = when_of(end_prop, end_prop.value.trim(), zones)?;
            check_end(start, end)?;
            Some(end)
        }
        (None, Some(duration)) => Some(end_from_duration(start, duration.value.trim())?),
        (None, None) => None,
    };

    let recurrence_id = block
        .first("RECURRENCE-ID")
        .map(|p| when_of(p, p.value.trim(), zones))
        .transpose()?;
    let this_and_future = block.first("RECURRENCE-ID").is_some_and(|p| {
        p.param("RANGE")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("THISANDFUTURE"))
    });

    let mut rdates = Vec::new();
    let mut exdates = Vec::new();
    let mut categories = Vec::new();
    for prop in &block.props {
        match prop.name.as_str() {
            "RDATE" => {
                let period = prop
                    .param("VALUE")
                    .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
                for value in list_items(&prop.value) {
                    // A period is `start/end` or `start/duration`; its start
                    // is the instance.
                    let value = if period {
                        value.split('/').next().unwrap_or(value)
                    } else {
                        value
                    };
                    rdates.push(when_of(prop, value, zones)?);
                }
            }
            "EXDATE" => {
                for value in list_items(&prop.value) {
                    exdates.push(when_of(prop, value, zones)?);
                }
            }
            "CATEGORIES" => categories.extend(
                split_text_list(&prop.value)
                    .into_iter()
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty()),
            ),
            _ => {}
        }
    }

    let text = |name: &str| {
        block
            .first(name)
            .map(|p| unescape_text(&p.value))
            .unwrap_or_default()
    };
    let raw = |name: &str| {
        block
            .first(name)
            .map(|p| p.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    };

    Ok(ParsedEvent {
        file: None,
        line: block.line,
        uid,
        recurrence_id,
        this_and_future,
        summary: text("SUMMARY"),
        description: text("DESCRIPTION"),
        location: text("LOCATION"),
        url: raw("URL"),
        geo: block
            .first("GEO")
            .map(|p| parse_geo(&p.value))
            .transpose()?,
        start,
        end,
        rrule: raw("RRULE"),
        extra_rrules: block
            .props
            .iter()
            .filter(|p| p.name == "RRULE")
            .skip(1)
            .map(|p| p.value.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect(),
        rdates,
        exdates,
        status: raw("STATUS").map(|s| s.to_ascii_uppercase()),
        sequence: raw("SEQUENCE").and_then(|s| s.parse().ok()).unwrap_or(0),
        // A malformed LAST-MODIFIED only loses change detection, not the event.
        last_modified: block
            .first("LAST-MODIFIED")
            .and_then(|p| when_of(p, p.value.trim(), zones).ok())
            .and_then(instant),
        organizer: raw("ORGANIZER"),
        categories,
        notes: zones.take_notes(),
    })
}

/// The comma-separated values of a date list, empty items dropped.
fn list_items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty())
}

/// Reads one date or date-time value of `prop`, honouring its `VALUE` and
/// `TZID` parameters. A `TZID` on a value ending in `Z` is ignored: the value
/// is UTC.
fn when_of(prop: &ContentLine, value: &str, zones: &mut Zones) -> Result<When, String> {
    let name = &prop.name;
    let is_date = prop
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && !value.contains(['T', 't']));
    if is_date {
        return parse_date(value)
            .map(When::Date)
            .ok_or_else(|| format!("{name}: \"{value}\" is not a date (YYYYMMDD)"));
    }
    let (local, utc) = parse_date_time(value).ok_or_else(|| {
        format!("{name}: \"{value}\" is not a date-time (YYYYMMDDTHHMMSS, optionally ending in Z)")
    })?;
    if utc {
        return Ok(When::Utc(local.and_utc()));
    }
    match prop.param("TZID") {
        None => Ok(When::Floating(local)),
        Some(tzid) => zones.read(name, tzid, local),
    }
}

/// A zoned wall-clock time as UTC: an ambiguous time is its first
/// occurrence, a time in a gap is read with the offset before the gap.
fn zoned_to_utc(local: NaiveDateTime, tz: Tz) -> Option<NaiveDateTime> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.naive_utc()),
        LocalResult::None => {
            let before = local.checked_sub_signed(Duration::days(1))?;
            let offset = tz.offset_from_utc_datetime(&before).fix();
            local.checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))
        }
    }
}

fn instant(value: When) -> Option<DateTime<Utc>> {
    match value {
        When::Utc(at) => Some(at),
        When::Zoned { local, tz } => zoned_to_utc(local, tz).map(|at| at.and_utc()),
        When::Floating(_) | When::Date(_) => None,
    }
}

fn describe(value: When) -> String {
    match value {
        When::Zoned { local, tz } => format!("{} {}", format_local(local), tz.name()),
        When::Utc(at) => format_utc(at),
        When::Floating(local) => format_local(local),
        When::Date(day) => format_date(day),
    }
}

/// DTEND must be of the same kind as DTSTART (both dates or both
/// date-times) and not before it.
fn check_end(start: When, end: When) -> Result<(), String> {
    let before = match (start, end) {
        (When::Date(s), When::Date(e)) => e < s,
        (When::Date(_), _) => {
            return Err(format!(
                "DTEND {} is a date-time but DTSTART {} is a date",
                describe(end),
                describe(start)
            ));
        }
        (_, When::Date(_)) => {
            return Err(format!(
                "DTEND {} is a date but DTSTART {} is a date-time",
                describe(end),
                describe(start)
            ));
        }
        _ => match (instant(start), instant(end)) {
            (Some(s), Some(e)) => e < s,
            _ => wall_clock(end) < wall_clock(start),
        },
    };
    if before {
        return Err(format!(
            "DTEND {} is before DTSTART {}",
            describe(end),
            describe(start)
        ));
    }
    Ok(())
}

fn wall_clock(value: When) -> NaiveDateTime {
    match value {
        When::Zoned { local, .. } | When::Floating(local) => local,
        When::Utc(at) => at.naive_utc(),
        When::Date(day) => day.and_time(chrono::NaiveTime::MIN),
    }
}

/// DTSTART plus DURATION (RFC 5545 §3.3.6): days are nominal (the same wall
/// clock time on a later day), hours, minutes and seconds exact.
fn end_from_duration(start: When, value: &str) -> Result<When, String> {
    let span = parse_duration(value)
        .ok_or_else(|| format!("DURATION: \"{value}\" is not a duration (such as PT1H30M)"))?;
    if span.is_negative() {
        return Err(format!("DURATION {value} is negative"));
    }
    let out_of_range = || format!("DURATION {value} is out of range");
    let Span { days, seconds } = span;
    let exact = Duration::try_seconds(seconds).ok_or_else(out_of_range)?;
    let nominal = Duration::try_days(days).ok_or_else(out_of_range)?;
    match start {
        When::Date(day) => {
            // PT86400S and PT24H, as some producers write a day, are whole
            // days; anything else cannot end a date.
            if seconds % SECONDS_PER_DAY != 0 {
                return Err(format!(
                    "DURATION {value} is not whole days but DTSTART is a date"
                ));
            }
            Duration::try_days(days + seconds / SECONDS_PER_DAY)
                .and_then(|span| day.checked_add_signed(span))
                .map(When::Date)
                .ok_or_else(out_of_range)
        }
        When::Utc(at) => span
            .exact()
            .and_then(|total| at.checked_add_signed(total))
            .map(When::Utc)
            .ok_or_else(out_of_range),
        When::Floating(local) => local
            .checked_add_signed(nominal)
            .and_then(|l| l.checked_add_signed(exact))
            .map(When::Floating)
            .ok_or_else(out_of_range),
        When::Zoned { local, tz } => {
            let local = local.checked_add_signed(nominal).ok_or_else(out_of_range)?;
            if seconds == 0 {
                return Ok(When::Zoned { local, tz });
            }
            let end = zoned_to_utc(local, tz)
                .and_then(|at| at.checked_add_signed(exact))
                .ok_or_else(out_of_range)?;
            Ok(When::Zoned {
                local: tz.from_utc_datetime(&end).naive_local(),
                tz,
            })
        }
    }
}

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// `GEO:latitude;longitude` within ±90 and ±180.
fn parse_geo(value: &str) -> Result<(f64, f64), String> {
    let malformed = || format!("GEO: \"{value}\" is not \"latitude;longitude\"");
    let (lat, lon) = value.split_once(';').ok_or_else(malformed)?;
    let lat: f64 = lat.trim().parse().map_err(|_| malformed())?;
    let lon: f64 = lon.trim().parse().map_err(|_| malformed())?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("GEO: latitude {lat} is outside -90..90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("GEO: longitude {lon} is outside -180..180"));
    }
    Ok((lat, lon))
}
