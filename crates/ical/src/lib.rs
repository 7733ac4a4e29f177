//! iCalendar (RFC 5545, with the RFC 7986 `NAME` property) for convene.
//!
//! Writing ([`Writer`], [`write_vtimezone`]):
//!
//! * content lines end in CRLF and are folded so that no physical line is
//!   longer than 75 octets, never inside a UTF-8 character (§3.1);
//! * TEXT values are escaped (§3.3.11), other values lose their control
//!   characters, parameter values are quoted when they must be (§3.2);
//! * date-times are written zoned (`TZID=`), UTC (`Z`), floating or as dates;
//! * a `VTIMEZONE` is derived from the tz database for exactly the range a
//!   feed needs, one observance per transition.
//!
//! Parsing ([`parse`]) reads what other calendars publish (Google, Outlook,
//! Thunderbird exports and feeds) into [`ParsedEvent`]s:
//!
//! * CRLF or bare LF line ends, unfolding, quoted parameters, TEXT unescaping;
//! * `TZID`s that are IANA names, prefixed IANA names, Windows zone names
//!   and display names (the whole Unicode CLDR windowsZones table), or names
//!   the file defines in its own `VTIMEZONE`, read as the IANA zone whose
//!   offsets agree with the definition (or, failing that, converted to UTC
//!   with the definition's own rules);
//! * a zip of `.ics` files (Google Calendar's export) read as one calendar
//!   ([`parse_upload`]), and other kinds of file named for what they are;
//! * every event that cannot be used is reported in [`Parsed::skipped`] with
//!   a reason a person can act on, instead of failing the whole file;
//! * input size, event count, line length and component length are bounded
//!   ([`Limits`], [`MAX_LINE_BYTES`], [`MAX_COMPONENT_LINES`]), so a hostile
//!   feed cannot make the parser panic or allocate without bound.
//!
//! Recurrence rules are carried as text; expanding them is the job of
//! `convene-recurrence`.

#![forbid(unsafe_code)]

mod parse;
mod tzid;
mod upload;
mod vtimezone;
mod writer;
mod zonedef;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

pub use parse::{
    IcsError, Limits, MAX_COMPONENT_LINES, MAX_LINE_BYTES, Parsed, ParsedEvent, Skipped, parse,
};
pub use tzid::resolve_tzid;
pub use upload::{MAX_ZIP_ENTRIES, MAX_ZIP_UNPACKED_BYTES, parse_upload};
pub use vtimezone::write_vtimezone;
pub use writer::Writer;

/// How a `DTSTART`/`DTEND`/`RDATE`/`EXDATE`/`RECURRENCE-ID` value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A local wall-clock time in a named zone (`TZID=Zone:YYYYMMDDTHHMMSS`).
    Zoned {
        /// The wall-clock time as written.
        local: NaiveDateTime,
        /// The zone the wall-clock time is read in.
        tz: chrono_tz::Tz,
    },
    /// An instant in UTC (`YYYYMMDDTHHMMSSZ`).
    Utc(DateTime<Utc>),
    /// A wall-clock time with no zone, the same wherever it is read.
    Floating(NaiveDateTime),
    /// A whole day (`VALUE=DATE:YYYYMMDD`).
    Date(NaiveDate),
}

/// `YYYYMMDDTHHMMSSZ`; sub-second precision is dropped.
pub fn format_utc(at: DateTime<Utc>) -> String {
    let mut out = format_local(at.naive_utc());
    out.push('Z');
    out
}

/// `YYYYMMDDTHHMMSS`; sub-second precision is dropped.
pub fn format_local(at: NaiveDateTime) -> String {
    format!(
        "{}T{:02}{:02}{:02}",
        format_date(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `YYYYMMDD`.
pub fn format_date(day: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", day.year(), day.month(), day.day())
}
