//! Reading an iCalendar stream into events, skipping (and reporting) the
//! components that cannot be used rather than failing the whole file.
//!
//! The file is read in one pass: calendar-level properties, `VTIMEZONE`
//! names and the raw lines of each `VEVENT` are collected per `VCALENDAR`;
//! when the calendar ends, every event is interpreted with all of that
//! calendar's time zones known (a `VTIMEZONE` may follow the events that use
//! it).

mod event;
mod lines;
mod values;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::When;
use crate::zonedef::{Observance, ZoneDefinition, parse_utc_offset};
use lines::{ContentLine, Logical, Unfolder, split_content_line};
use values::unescape_text;

/// The longest content line accepted, in bytes after unfolding. A component
/// holding a longer line is skipped.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// The most content lines one component may hold; a longer one is skipped.
pub const MAX_COMPONENT_LINES: usize = 100_000;

/// Bounds on what [`parse`] accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest input, in bytes.
    pub max_bytes: usize,
    /// The most `VEVENT`s, counting those that end up skipped.
    pub max_events: usize,
}

impl Default for Limits {
    /// 2 MiB and 5,000 events: a year of a busy group's calendar fits many
    /// times over.
    fn default() -> Self {
        Self {
            max_bytes: 2 * 1024 * 1024,
            max_events: 5_000,
        }
    }
}

/// Why a whole file could not be read. Problems with single events are not
/// errors; they are reported in [`Parsed::skipped`].
#[derive(Debug, thiserror::Error)]
pub enum IcsError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("the calendar is {size} bytes, more than the {limit} bytes accepted")]
    TooLarge {
        /// The input's size in bytes.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// The input is not UTF-8 text.
    #[error("the calendar is not UTF-8 text (the first bad byte is on line {line})")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// The input has no `BEGIN:VCALENDAR` line.
    #[error("this is not an iCalendar file: it has no BEGIN:VCALENDAR line")]
    NotCalendar,
    /// A calendar was opened and never closed, which usually means the file
    /// was cut short; reading it as complete would lose events silently.
    #[error("the calendar looks cut short: {0} has no matching END:VCALENDAR")]
    Unterminated(String),
    /// The input holds more `VEVENT`s than [`Limits::max_events`].
    #[error("the calendar has more than {limit} events")]
    TooManyEvents {
        /// The limit exceeded.
        limit: usize,
    },
    /// The input is a known kind of file that is not iCalendar.
    #[error("this is {what}, not an iCalendar (.ics) file")]
    NotCalendarFile {
        /// What it is, such as "a PDF document".
        what: String,
    },
    /// A zip that holds no `.ics` file.
    #[error(
        "this is a zip file with no .ics inside (it holds {entries} other entries); a calendar export such as Google Calendar's holds one .ics file per calendar"
    )]
    ZipWithoutCalendar {
        /// How many entries it holds.
        entries: usize,
    },
    /// A zip with more entries than [`crate::MAX_ZIP_ENTRIES`].
    #[error("the zip file holds {entries} entries, more than the {limit} accepted")]
    ZipTooManyEntries {
        /// Its entries.
        entries: usize,
        /// The limit.
        limit: usize,
    },
    /// A zip whose calendars unpack to more than
    /// [`crate::MAX_ZIP_UNPACKED_BYTES`].
    #[error("the zip file's calendars unpack to more than the {limit} bytes accepted")]
    ZipTooLarge {
        /// The limit.
        limit: u64,
    },
    /// A zip whose directory cannot be read.
    #[error("this looks like a zip file, but it is damaged or cut short and cannot be opened")]
    BadZip,
    /// One `.ics` file in a zip cannot be used.
    #[error("{name} in the zip file cannot be read: {problem}")]
    ZipEntry {
        /// The file's name in the zip.
        name: String,
        /// Why.
        problem: String,
    },
}

/// What [`parse`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The calendar's name: RFC 7986 `NAME`, else `X-WR-CALNAME`.
    pub name: Option<String>,
    /// The calendar's zone from `X-WR-TIMEZONE`, when it names a known zone.
    pub default_tz: Option<chrono_tz::Tz>,
    /// The usable `VEVENT`s, in file order.
    pub events: Vec<ParsedEvent>,
    /// Every event (or unterminated component) that was skipped, and why,
    /// in file order.
    pub skipped: Vec<Skipped>,
}

/// A component that was left out, with enough to find it in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file it is in, when the calendar came as a zip of files.
    pub file: Option<String>,
    /// 1-based line of its `BEGIN`.
    pub line: usize,
    /// Its `UID`, if it had one.
    pub uid: Option<String>,
    /// Its `SUMMARY`, if it had one.
    pub summary: Option<String>,
    /// Why it was skipped, naming the property and value at fault.
    pub reason: String,
}

/// One usable `VEVENT`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEvent {
    /// The file it is in, when the calendar came as a zip of files.
    pub file: Option<String>,
    /// 1-based line of its `BEGIN:VEVENT`.
    pub line: usize,
    /// `UID`, never empty.
    pub uid: String,
    /// `RECURRENCE-ID`, set when this component overrides one instance of a
    /// series.
    pub recurrence_id: Option<When>,
    /// The `RECURRENCE-ID` has `RANGE=THISANDFUTURE`: the change applies to
    /// that occurrence and every later one (RFC 5545 §3.8.4.4).
    pub this_and_future: bool,
    /// `SUMMARY`, unescaped; empty if absent.
    pub summary: String,
    /// `DESCRIPTION`, unescaped; empty if absent.
    pub description: String,
    /// `LOCATION`, unescaped; empty if absent.
    pub location: String,
    /// `URL`.
    pub url: Option<String>,
    /// `GEO` as (latitude, longitude), within ±90 and ±180.
    pub geo: Option<(f64, f64)>,
    /// `DTSTART`.
    pub start: When,
    /// `DTEND`, or `DTSTART` plus `DURATION`; `None` if neither is given.
    pub end: Option<When>,
    /// The `RRULE` value as written; it is not validated here.
    pub rrule: Option<String>,
    /// Any further `RRULE`s, as written (RFC 2445 allowed several; RFC 5545
    /// deprecates it, but some producers still write them). The event's
    /// dates are the union of all its rules.
    pub extra_rrules: Vec<String>,
    /// Every `RDATE` value; a `PERIOD` contributes its start.
    pub rdates: Vec<When>,
    /// Every `EXDATE` value.
    pub exdates: Vec<When>,
    /// `STATUS`, upper-cased (`CONFIRMED`, `TENTATIVE`, `CANCELLED`).
    pub status: Option<String>,
    /// `SEQUENCE`, 0 if absent or not a number.
    pub sequence: i64,
    /// `LAST-MODIFIED`.
    pub last_modified: Option<DateTime<Utc>>,
    /// `ORGANIZER`, the address as written (usually `mailto:`).
    pub organizer: Option<String>,
    /// Every `CATEGORIES` item, unescaped, empty ones dropped.
    pub categories: Vec<String>,
    /// Remarks on how the event was read that its importer should pass on
    /// (such as times converted with a zone no IANA zone follows).
    pub notes: Vec<String>,
}

/// Reads an iCalendar file.
///
/// Fails only when the file as a whole cannot be trusted (see [`IcsError`]);
/// an event that cannot be used is put in [`Parsed::skipped`] with the
/// reason. All `VCALENDAR`s in the input are read; anything outside them is
/// ignored, as are components other than `VEVENT` (a `VTIMEZONE` only lends
/// its `X-LIC-LOCATION` to resolve its `TZID`).
pub fn parse(input: &[u8], limits: Limits) -> Result<Parsed, IcsError> {
    if input.len() > limits.max_bytes {
        return Err(IcsError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    let text = std::str::from_utf8(input).map_err(|err| IcsError::NotUtf8 {
        line: 1 + input[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut parsed = Parsed::default();
    let mut seen_calendar = false;
    let mut calendar: Option<Calendar> = None;
    let mut events_seen = 0;
    for logical in Unfolder::new(text) {
        match calendar.as_mut() {
            None => {
                if !logical.too_long
                    && let Some(line) = split_content_line(logical.line, &logical.text)
                    && line.name == "BEGIN"
                    && component_name(&line) == "VCALENDAR"
                {
                    calendar = Some(Calendar::new(logical.line));
                    seen_calendar = true;
                }
            }
            Some(open) => {
                if open.feed(logical, &mut events_seen, limits)? == Flow::Ended
                    && let Some(done) = calendar.take()
                {
                    done.finish(&mut parsed);
                }
            }
        }
    }
    if let Some(open) = calendar {
        return Err(IcsError::Unterminated(format!(
            "BEGIN:VCALENDAR at line {}",
            open.line
        )));
    }
    if !seen_calendar {
        return Err(IcsError::NotCalendar);
    }
    Ok(parsed)
}

fn component_name(line: &ContentLine) -> String {
    line.value.trim().to_ascii_uppercase()
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Ended,
}

/// The raw content of one `VEVENT`, interpreted once its calendar is read.
#[derive(Debug)]
struct EventBlock {
    line: usize,
    /// Its own properties, not those of a `VALARM` inside it.
    props: Vec<ContentLine>,
    /// Logical lines seen so far, sub-components included.
    lines: usize,
    /// Set when the block is already known to be unusable.
    problem: Option<String>,
}

impl EventBlock {
    fn new(line: usize) -> Self {
        Self {
            line,
            props: Vec::new(),
            lines: 1,
            problem: None,
        }
    }

    fn fail(&mut self, reason: String) {
        if self.problem.is_none() {
            self.problem = Some(reason);
            self.props
                .retain(|p| p.name == "UID" || p.name == "SUMMARY");
        }
    }

    /// Counts a line; the block fails once it holds too many.
    fn count_line(&mut self) {
        self.lines += 1;
        if self.lines > MAX_COMPONENT_LINES {
            self.fail(format!(
                "the event has more than {MAX_COMPONENT_LINES} lines"
            ));
        }
    }

    fn first(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }

    /// What is known of a skipped block for the report.
    fn skipped(&self, reason: String) -> Skipped {
        Skipped {
            file: None,
            line: self.line,
            uid: self
                .first("UID")
                .map(|p| p.value.trim().to_owned())
                .filter(|uid| !uid.is_empty()),
            summary: self.first("SUMMARY").map(|p| unescape_text(&p.value)),
            reason,
        }
    }
}

/// The component open at the calendar's top level.
#[derive(Debug)]
enum Open {
    /// A `VEVENT`; `nested` holds the sub-components (`VALARM`) open in it.
    Event {
        block: EventBlock,
        nested: Vec<String>,
    },
    /// A `VTIMEZONE`; `stack[0]` is `VTIMEZONE` itself. `zone.tzid` is
    /// empty until its `TZID` line is read.
    Timezone {
        line: usize,
        zone: ZoneDefinition,
        stack: Vec<String>,
    },
    /// Any other component, read only to find its end.
    Other { line: usize, stack: Vec<String> },
}

enum Item {
    Event(EventBlock),
    Skipped(Skipped),
}

/// One `VCALENDAR` being read.
struct Calendar {
    line: usize,
    name: Option<String>,
    wr_name: Option<String>,
    wr_timezone: Option<String>,
    /// This calendar's `VTIMEZONE`s by `TZID`.
    zones: HashMap<String, ZoneDefinition>,
    items: Vec<Item>,
    open: Option<Open>,
}

impl Calendar {
    fn new(line: usize) -> Self {
        Self {
            line,
            name: None,
            wr_name: None,
            wr_timezone: None,
            zones: HashMap::new(),
            items: Vec::new(),
            open: None,
        }
    }

    fn feed(
        &mut self,
        logical: Logical<'_>,
        events_seen: &mut usize,
        limits: Limits,
    ) -> Result<Flow, IcsError> {
        if logical.too_long {
            if let Some(Open::Event { block, .. }) = &mut self.open {
                block.count_line();
                block.fail(format!(
                    "line {} is longer than {MAX_LINE_BYTES} bytes",
                    logical.line
                ));
            }
            return Ok(Flow::Continue);
        }
        let Some(line) = split_content_line(logical.line, &logical.text) else {
            // Not a content line: nothing can be taken from it, and skipping
            // a whole event over stray text would lose more than it protects.
            if let Some(Open::Event { block, .. }) = &mut self.open {
                block.count_line();
            }
            return Ok(Flow::Continue);
        };
        match line.name.as_str() {
            "BEGIN" => self.begin(&line, events_seen, limits),
            "END" => Ok(self.end(&line)),
            _ => {
                self.property(line);
                Ok(Flow::Continue)
            }
        }
    }

    fn begin(
        &mut self,
        line: &ContentLine,
        events_seen: &mut usize,
        limits: Limits,
    ) -> Result<Flow, IcsError> {
        let component = component_name(line);
        match component.as_str() {
            "VCALENDAR" => Err(IcsError::Unterminated(format!(
                "BEGIN:VCALENDAR at line {} (another begins at line {})",
                self.line, line.line
            ))),
            "VEVENT" => {
                self.close_unterminated(&format!("BEGIN:VEVENT at line {}", line.line));
                *events_seen += 1;
                if *events_seen > limits.max_events {
                    return Err(IcsError::TooManyEvents {
                        limit: limits.max_events,
                    });
                }
                self.open = Some(Open::Event {
                    block: EventBlock::new(line.line),
                    nested: Vec::new(),
                });
                Ok(Flow::Continue)
            }
            _ => {
                match &mut self.open {
                    None if component == "VTIMEZONE" => {
                        self.open = Some(Open::Timezone {
                            line: line.line,
                            zone: ZoneDefinition::default(),
                            stack: vec![component],
                        });
                    }
                    None => {
                        self.open = Some(Open::Other {
                            line: line.line,
                            stack: vec![component],
                        });
                    }
                    Some(Open::Event { block, nested }) => {
                        block.count_line();
                        nested.push(component);
                    }
                    Some(Open::Timezone { stack, zone, .. }) => {
                        if stack.len() == 1 && matches!(component.as_str(), "STANDARD" | "DAYLIGHT")
                        {
                            zone.observances.push(Observance::default());
                        }
                        stack.push(component);
                    }
                    Some(Open::Other { stack, .. }) => {
                        stack.push(component);
                    }
                }
                Ok(Flow::Continue)
            }
        }
    }

    fn end(&mut self, line: &ContentLine) -> Flow {
        let component = component_name(line);
        if component == "VCALENDAR" {
            self.close_unterminated(&format!("END:VCALENDAR at line {}", line.line));
            return Flow::Ended;
        }
        let finished = match &mut self.open {
            None => false,
            Some(Open::Event { block, nested }) => {
                block.count_line();
                match nested.iter().rposition(|c| *c == component) {
                    Some(at) => {
                        nested.truncate(at);
                        false
                    }
                    // An unclosed VALARM inside the event does not spoil it.
                    None => component == "VEVENT",
                }
            }
            Some(Open::Timezone { stack, .. } | Open::Other { stack, .. }) => {
                if let Some(at) = stack.iter().rposition(|c| *c == component) {
                    stack.truncate(at);
                }
                stack.is_empty()
            }
        };
        if finished {
            match self.open.take() {
                Some(Open::Event { block, .. }) => self.items.push(Item::Event(block)),
                Some(Open::Timezone { zone, .. }) => self.keep_zone(zone),
                _ => {}
            }
        }
        Flow::Continue
    }

    fn property(&mut self, line: ContentLine) {
        match &mut self.open {
            None => {
                let slot = match line.name.as_str() {
                    "NAME" => &mut self.name,
                    "X-WR-CALNAME" => &mut self.wr_name,
                    "X-WR-TIMEZONE" => &mut self.wr_timezone,
                    _ => return,
                };
                if slot.is_none() {
                    *slot = Some(unescape_text(&line.value));
                }
            }
            Some(Open::Event { block, nested }) => {
                block.count_line();
                // Once the event is known to be unusable only what names it
                // in the report is kept.
                let keep = block.problem.is_none()
                    || (matches!(line.name.as_str(), "UID" | "SUMMARY")
                        && block.first(&line.name).is_none());
                if nested.is_empty() && keep {
                    block.props.push(line);
                }
            }
            Some(Open::Timezone { zone, stack, .. }) => read_zone_line(zone, stack, &line),
            Some(Open::Other { .. }) => {}
        }
    }

    /// Reports the component still open when `next` (a new `VEVENT` or the
    /// end of the calendar) arrives, and closes it.
    fn close_unterminated(&mut self, next: &str) {
        let (line, name) = match self.open.take() {
            None => return,
            Some(Open::Event { block, .. }) => {
                let reason = format!(
                    "BEGIN:VEVENT at line {} has no END:VEVENT before {next}",
                    block.line
                );
                self.items.push(Item::Skipped(block.skipped(reason)));
                return;
            }
            Some(Open::Timezone { line, zone, .. }) => {
                self.keep_zone(zone);
                (line, "VTIMEZONE".to_owned())
            }
            Some(Open::Other { line, mut stack }) => {
                let name = if stack.is_empty() {
                    String::new()
                } else {
                    stack.swap_remove(0)
                };
                (line, name)
            }
        };
        self.items.push(Item::Skipped(Skipped {
            file: None,
            line,
            uid: None,
            summary: None,
            reason: format!("BEGIN:{name} at line {line} has no END:{name} before {next}"),
        }));
    }

    /// Keeps a finished `VTIMEZONE` (the first of a `TZID` wins).
    fn keep_zone(&mut self, zone: ZoneDefinition) {
        if !zone.tzid.is_empty() {
            self.zones.entry(zone.tzid.clone()).or_insert(zone);
        }
    }

    /// Interprets the collected events now that every `VTIMEZONE` is known.
    fn finish(self, parsed: &mut Parsed) {
        let mut zones = event::Zones::new(self.zones);
        if parsed.name.is_none() {
            parsed.name = self.name.or(self.wr_name);
        }
        if parsed.default_tz.is_none() {
            parsed.default_tz = self.wr_timezone.and_then(|tzid| zones.named(&tzid));
        }
        for item in self.items {
            match item {
                Item::Skipped(skipped) => parsed.skipped.push(skipped),
                Item::Event(block) => match event::interpret(&block, &mut zones) {
                    Ok(event) => parsed.events.push(event),
                    Err(reason) => parsed.skipped.push(block.skipped(reason)),
                },
            }
        }
    }
}

/// Takes one line of an open `VTIMEZONE`: its `TZID` and `X-LIC-LOCATION`,
/// and the onsets and offsets of its `STANDARD` and `DAYLIGHT` parts.
fn read_zone_line(zone: &mut ZoneDefinition, stack: &[String], line: &ContentLine) {
    let value = line.value.trim();
    match stack.len() {
        1 => match line.name.as_str() {
            // TZID is TEXT: a producer that escapes the commas in
            // `Canberra\, Melbourne\, Sydney` means the same name.
            "TZID" => zone.tzid = unescape_text(value),
            "X-LIC-LOCATION" => zone.location = Some(value.to_owned()),
            _ => {}
        },
        2 if matches!(stack[1].as_str(), "STANDARD" | "DAYLIGHT") => {
            let Some(observance) = zone.observances.last_mut() else {
                return;
            };
            let wall = |v: &str| values::parse_date_time(v).map(|(at, _)| at);
            match line.name.as_str() {
                "DTSTART" => observance.start = wall(value),
                "TZOFFSETFROM" => observance.offset_from = parse_utc_offset(value),
                "TZOFFSETTO" => observance.offset_to = parse_utc_offset(value),
                "RRULE" => observance.rrule = Some(value.to_owned()),
                "RDATE" => observance.rdates.extend(
                    value
                        .split(',')
                        .filter_map(|v| wall(v.trim().split('/').next().unwrap_or_default())),
                ),
                _ => {}
            }
        }
        _ => {}
    }
}
