//! VTIMEZONE generation: the transitions a reader needs, and nothing wrong
//! for any instant in the requested range.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use convene_ical::{Writer, write_vtimezone};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut w = Writer::new();
    write_vtimezone(&mut w, tz, from, to);
    w.finish()
}

#[test]
fn new_york_2026_2027() {
    // US rules: second Sunday in March 02:00 EST -> EDT, first Sunday in
    // November 02:00 EDT -> EST. The first observance is the change of
    // 2025-11-02 that put EST in force on 2026-01-01.
    assert_eq!(
        vtimezone(
            chrono_tz::America::New_York,
            at(2026, 1, 1),
            at(2027, 12, 31)
        ),
        "BEGIN:VTIMEZONE\r\n\
         TZID:America/New_York\r\n\
         X-LIC-LOCATION:America/New_York\r\n\
         BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nDTSTART:20271107T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n"
    );
}

#[test]
fn berlin_2026_2027() {
    // EU rules: last Sunday in March 01:00 UTC (02:00 CET) -> CEST, last
    // Sunday in October 01:00 UTC (03:00 CEST) -> CET.
    assert_eq!(
        vtimezone(chrono_tz::Europe::Berlin, at(2026, 1, 1), at(2027, 12, 31)),
        "BEGIN:VTIMEZONE\r\n\
         TZID:Europe/Berlin\r\n\
         X-LIC-LOCATION:Europe/Berlin\r\n\
         BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n"
    );
}

#[test]
fn a_range_starting_in_summer_opens_with_daylight() {
    let text = vtimezone(chrono_tz::Europe::Berlin, at(2026, 7, 1), at(2026, 8, 1));
    assert_eq!(
        text,
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n\
         END:VTIMEZONE\r\n"
    );
}

#[test]
fn kolkata_has_a_single_standard_observance() {
    assert_eq!(
        vtimezone(chrono_tz::Asia::Kolkata, at(2026, 1, 1), at(2027, 12, 31)),
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\nX-LIC-LOCATION:Asia/Kolkata\r\n\
         BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n"
    );
}

#[test]
fn utc_has_a_single_standard_observance() {
    assert_eq!(
        vtimezone(chrono_tz::UTC, at(2026, 1, 1), at(2026, 1, 1)),
        "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nX-LIC-LOCATION:UTC\r\n\
         BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n"
    );
}

/// One observance as a reader sees it: from its onset (UTC) on, the offset
/// is `to` seconds.
struct Observance {
    onset: NaiveDateTime,
    to: i32,
}

fn parse_offset(text: &str) -> i32 {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits = &text[1..];
    let h: i32 = digits[..2].parse().unwrap();
    let m: i32 = digits[2..4].parse().unwrap();
    let s: i32 = digits.get(4..6).map_or(0, |s| s.parse().unwrap());
    sign * (h * 3600 + m * 60 + s)
}

fn observances(text: &str) -> Vec<Observance> {
    let mut found = Vec::new();
    let (mut start, mut from, mut to) = (None, 0, 0);
    for line in text.split_terminator("\r\n") {
        let (name, value) = line.split_once(':').unwrap();
        match name {
            "DTSTART" => {
                start = Some(NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").unwrap());
            }
            "TZOFFSETFROM" => from = parse_offset(value),
            "TZOFFSETTO" => to = parse_offset(value),
            "END" if value == "STANDARD" || value == "DAYLIGHT" => {
                let onset = start.take().unwrap() - Duration::seconds(i64::from(from));
                found.push(Observance { onset, to });
            }
            _ => {}
        }
    }
    found
}

/// For zones with unusual rules, every instant of a ten-year range gets
/// the offset chrono-tz gives it from the latest observance begun by then.
#[test]
fn observances_agree_with_the_tz_database_across_the_range() {
    let zones = [
        chrono_tz::America::New_York,
        chrono_tz::America::Santiago,
        chrono_tz::America::Sao_Paulo,
        chrono_tz::Europe::London,
        chrono_tz::Europe::Dublin,
        chrono_tz::Africa::Casablanca,
        chrono_tz::Asia::Tehran,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Pacific::Chatham,
        chrono_tz::Pacific::Apia,
    ];
    let (from, to) = (at(2015, 1, 1), at(2025, 1, 1));
    for tz in zones {
        let found = observances(&vtimezone(tz, from, to));
        assert!(found[0].onset <= from.naive_utc(), "{tz}");
        assert!(found.windows(2).all(|w| w[0].onset < w[1].onset), "{tz}");
        let mut t = from;
        while t <= to {
            let offset = tz.offset_from_utc_datetime(&t.naive_utc());
            let current = found
                .iter()
                .rev()
                .find(|o| o.onset <= t.naive_utc())
                .unwrap();
            assert_eq!(current.to, offset.fix().local_minus_utc(), "{tz} at {t}");
            t += Duration::minutes(137);
        }
        // Every transition in the range is there: one per offset change.
        assert!(found.len() > 1, "{tz}");
    }
}

#[test]
fn a_reversed_range_still_covers_its_start() {
    let text = vtimezone(chrono_tz::Europe::Berlin, at(2026, 7, 1), at(2026, 1, 1));
    assert_eq!(observances(&text).len(), 1);
}

#[test]
fn dublin_winter_is_standard_and_summer_daylight() {
    // The tz database gives Irish winter time a negative saving; readers
    // expect GMT as STANDARD and IST as DAYLIGHT, with the same offsets.
    assert_eq!(
        vtimezone(chrono_tz::Europe::Dublin, at(2026, 1, 1), at(2026, 12, 31)),
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Dublin\r\nX-LIC-LOCATION:Europe/Dublin\r\n\
         BEGIN:STANDARD\r\nDTSTART:20251026T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:20260329T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:IST\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n"
    );
}
