//! Parsing well-formed calendars in the shapes other programs export.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use convene_ical::{Limits, Parsed, When, parse};

const GOOGLE_STYLE: &[u8] = include_bytes!("fixtures/google_style.ics");

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn zoned(text: &str, tz: Tz) -> When {
    When::Zoned {
        local: local(text),
        tz,
    }
}

fn date(y: i32, m: u32, d: u32) -> When {
    When::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> When {
    When::Utc(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap())
}

fn parse_ok(input: &[u8]) -> Parsed {
    parse(input, Limits::default()).unwrap()
}

#[test]
fn google_style_export_reads_calendar_properties() {
    let parsed = parse_ok(GOOGLE_STYLE);
    assert_eq!(parsed.name.as_deref(), Some("Rust Lisbon"));
    assert_eq!(parsed.default_tz, Some(chrono_tz::Europe::Lisbon));
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(parsed.events.len(), 4);
}

#[test]
fn google_style_export_reads_a_recurring_series() {
    let lisbon = chrono_tz::Europe::Lisbon;
    let parsed = parse_ok(GOOGLE_STYLE);
    let series = &parsed.events[0];
    assert_eq!(series.line, 28);
    assert_eq!(series.uid, "6b1g3m0q2ad1s9hqf4v7c0e8kt@google.com");
    assert_eq!(series.recurrence_id, None);
    assert_eq!(series.summary, "Rust Lisbon monthly meetup");
    assert_eq!(
        series.description,
        "Talks, pizza and a short round of introductions. Doors open at 18:15; \
         talks start at 18:45.\nBring a laptop if you want to join the hack corner, \
         and say olá to the café owner."
    );
    assert_eq!(
        series.location,
        "Rua do Exemplo 12, 1200-001 Lisboa, Portugal"
    );
    assert_eq!(series.start, zoned("2026-01-15 18:30", lisbon));
    assert_eq!(series.end, Some(zoned("2026-01-15 21:00", lisbon)));
    assert_eq!(series.rrule.as_deref(), Some("FREQ=MONTHLY;BYDAY=3TH"));
    assert_eq!(
        series.exdates,
        vec![
            zoned("2026-08-20 18:30", lisbon),
            zoned("2026-11-19 18:30", lisbon),
            zoned("2026-12-17 18:30", lisbon),
        ]
    );
    assert_eq!(series.rdates, vec![]);
    assert_eq!(series.status.as_deref(), Some("CONFIRMED"));
    assert_eq!(series.sequence, 3);
    assert_eq!(
        series.last_modified,
        Some(Utc.with_ymd_and_hms(2026, 1, 2, 10, 15, 0).unwrap())
    );
    assert_eq!(
        series.organizer.as_deref(),
        Some("mailto:hello@rust-lisbon.example")
    );
    assert_eq!(series.url, None);
    assert_eq!(series.geo, None);
}

#[test]
fn google_style_export_reads_an_override_an_all_day_and_a_utc_event() {
    let lisbon = chrono_tz::Europe::Lisbon;
    let parsed = parse_ok(GOOGLE_STYLE);

    let moved = &parsed.events[1];
    assert_eq!(moved.uid, parsed.events[0].uid);
    assert_eq!(moved.recurrence_id, Some(zoned("2026-03-19 18:30", lisbon)));
    assert_eq!(moved.start, zoned("2026-03-19 19:00", lisbon));
    assert_eq!(moved.sequence, 4);

    let all_day = &parsed.events[2];
    assert_eq!(all_day.summary, "Hack weekend");
    assert_eq!(all_day.start, date(2026, 6, 12));
    assert_eq!(all_day.end, Some(date(2026, 6, 14)));
    assert_eq!(all_day.categories, vec!["Hackathon", "Weekend, outdoors"]);
    assert_eq!(all_day.geo, Some((38.7223, -9.1393)));
    assert_eq!(all_day.status.as_deref(), Some("TENTATIVE"));
    assert_eq!(all_day.description, "");
    assert_eq!(all_day.location, "");

    let online = &parsed.events[3];
    assert_eq!(online.start, utc(2026, 9, 10, 17, 0));
    assert_eq!(online.end, Some(utc(2026, 9, 10, 18, 30)));
    assert_eq!(
        online.url.as_deref(),
        Some("https://meet.example.org/async-rust")
    );
    assert_eq!(online.status.as_deref(), Some("CONFIRMED"));
}

#[test]
fn lf_only_line_ends_read_the_same_as_crlf() {
    let text = std::str::from_utf8(GOOGLE_STYLE).unwrap();
    assert!(text.contains("\r\n"));
    let lf_only = text.replace("\r\n", "\n");
    assert_eq!(parse_ok(lf_only.as_bytes()), parse_ok(GOOGLE_STYLE));
}

/// The kind of file Outlook, Thunderbird and hand-rolled feeds produce:
/// Windows zone names, vendor-prefixed zone names, a custom zone mapped by
/// its VTIMEZONE, DURATION instead of DTEND, RDATE lists.
const VARIOUS_ZONES: &str = "\
BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example Org//Team Calendar//EN\r
NAME:Team \\, friends\r
X-WR-CALNAME:Ignored because NAME wins\r
BEGIN:VEVENT\r
UID:outlook-1\r
SUMMARY:Standup\r
DTSTART;TZID=W. Europe Standard Time:20260302T093000\r
DTEND;TZID=W. Europe Standard Time:20260302T094500\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:thunderbird-1\r
SUMMARY:Planning\r
DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20260303T140000\r
DURATION:PT1H30M\r
RDATE;TZID=/mozilla.org/20050126_1/America/New_York:20260310T140000,20260317T140000\r
RDATE;VALUE=PERIOD:20260401T120000Z/PT1H,20260402T120000Z/20260402T130000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:custom-zone-1\r
SUMMARY:Pairing\r
DTSTART;TZID=\"Office time, Brazil\":20261105T090000\r
DURATION:P1DT2H\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:all-day-duration\r
SUMMARY:Offsite\r
DTSTART;VALUE=DATE:20261231\r
DURATION:P1D\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:zoned-and-z\r
SUMMARY:Written with both a TZID and a Z\r
DTSTART;TZID=Europe/Berlin:20260601T080000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating\r
SUMMARY:Floating\r
DTSTART:20260601T080000\r
EXDATE:20260608T080000\r
END:VEVENT\r
BEGIN:VTODO\r
UID:todo-1\r
SUMMARY:A to-do is not an event\r
DTSTART:not a date\r
END:VTODO\r
BEGIN:VTIMEZONE\r
TZID:Office time, Brazil\r
X-LIC-LOCATION:America/Sao_Paulo\r
BEGIN:STANDARD\r
DTSTART:19700101T000000\r
TZOFFSETFROM:-0300\r
TZOFFSETTO:-0300\r
END:STANDARD\r
END:VTIMEZONE\r
END:VCALENDAR\r
This text after the calendar is ignored.\r
BEGIN:VCALENDAR\r
VERSION:2.0\r
X-WR-CALNAME:Second calendar\r
BEGIN:VEVENT\r
UID:second-calendar-1\r
DTSTART;VALUE=DATE:20270101\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn resolves_windows_prefixed_and_file_declared_zones() {
    let parsed = parse_ok(VARIOUS_ZONES.as_bytes());
    assert_eq!(parsed.skipped, vec![]);
    let by_uid = |uid: &str| parsed.events.iter().find(|e| e.uid == uid).unwrap();
    let berlin = chrono_tz::Europe::Berlin;
    let new_york = chrono_tz::America::New_York;
    let sao_paulo = chrono_tz::America::Sao_Paulo;

    let standup = by_uid("outlook-1");
    assert_eq!(standup.start, zoned("2026-03-02 09:30", berlin));
    assert_eq!(standup.end, Some(zoned("2026-03-02 09:45", berlin)));

    let planning = by_uid("thunderbird-1");
    assert_eq!(planning.start, zoned("2026-03-03 14:00", new_york));
    assert_eq!(planning.end, Some(zoned("2026-03-03 15:30", new_york)));
    assert_eq!(
        planning.rdates,
        vec![
            zoned("2026-03-10 14:00", new_york),
            zoned("2026-03-17 14:00", new_york),
            utc(2026, 4, 1, 12, 0),
            utc(2026, 4, 2, 12, 0),
        ]
    );

    // Declared after the event that uses it, as RFC 5545 allows.
    let pairing = by_uid("custom-zone-1");
    assert_eq!(pairing.start, zoned("2026-11-05 09:00", sao_paulo));
    assert_eq!(pairing.end, Some(zoned("2026-11-06 11:00", sao_paulo)));

    let offsite = by_uid("all-day-duration");
    assert_eq!(offsite.end, Some(date(2027, 1, 1)));

    assert_eq!(by_uid("zoned-and-z").start, utc(2026, 6, 1, 8, 0));
    assert_eq!(by_uid("zoned-and-z").end, None);

    let floating = by_uid("floating");
    assert_eq!(floating.start, When::Floating(local("2026-06-01 08:00")));
    assert_eq!(
        floating.exdates,
        vec![When::Floating(local("2026-06-08 08:00"))]
    );
}

#[test]
fn reads_every_calendar_in_the_file_and_prefers_name_over_x_wr_calname() {
    let parsed = parse_ok(VARIOUS_ZONES.as_bytes());
    assert_eq!(parsed.name.as_deref(), Some("Team , friends"));
    assert_eq!(parsed.default_tz, None);
    let uids: Vec<&str> = parsed.events.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(
        uids,
        vec![
            "outlook-1",
            "thunderbird-1",
            "custom-zone-1",
            "all-day-duration",
            "zoned-and-z",
            "floating",
            "second-calendar-1",
        ]
    );
}

#[test]
fn a_duration_across_a_dst_change_keeps_exact_hours() {
    // 2026-03-29 01:00 UTC Lisbon moves from WET to WEST: three exact hours
    // from 00:30 end at 04:30 wall-clock time.
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:dst\n\
                DTSTART;TZID=Europe/Lisbon:20260329T003000\nDURATION:PT3H\n\
                END:VEVENT\nEND:VCALENDAR\n";
    let parsed = parse_ok(text.as_bytes());
    assert_eq!(
        parsed.events[0].end,
        Some(zoned("2026-03-29 04:30", chrono_tz::Europe::Lisbon))
    );
}
