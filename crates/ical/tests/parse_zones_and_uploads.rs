//! Zones the file names or defines itself, durations in seconds on dates,
//! several RRULEs, and zips of calendars, in the shapes real producers write.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};

use chrono::{NaiveDate, TimeZone, Utc};
use convene_ical::{IcsError, Limits, MAX_ZIP_UNPACKED_BYTES, Parsed, When, parse, parse_upload};

const OUTLOOK: &[u8] = include_bytes!("fixtures/outlook16_zones.ics");
const LOTUS: &[u8] = include_bytes!("fixtures/lotus_notes_zones.ics");
const THUNDERBIRD: &[u8] = include_bytes!("fixtures/thunderbird_custom_zones.ics");
const NO_TRANSITIONS: &[u8] =
    include_bytes!("fixtures/outlook16_vtimezone_without_transitions.ics");
const UNKNOWN: &[u8] = include_bytes!("fixtures/nextcloud_unknown_tzid.ics");
const DAVX5: &[u8] = include_bytes!("fixtures/davx5_all_day_durations.ics");
const EVOLUTION: &[u8] = include_bytes!("fixtures/evolution_two_rrules.ics");
const GOOGLE: &[u8] = include_bytes!("fixtures/google_style.ics");

fn parse_ok(input: &[u8]) -> Parsed {
    parse(input, Limits::default()).unwrap()
}

fn zone_of(parsed: &Parsed, summary: &str) -> String {
    let event = parsed
        .events
        .iter()
        .find(|e| e.summary == summary)
        .unwrap_or_else(|| panic!("{summary} not read: {:?}", parsed.skipped));
    match event.start {
        When::Zoned { tz, .. } => tz.name().to_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn outlook_windows_names_display_names_and_customized_zones_are_iana_zones() {
    let parsed = parse_ok(OUTLOOK);
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(zone_of(&parsed, "Vereinstreffen"), "Europe/Berlin");
    assert_eq!(
        zone_of(&parsed, "Call with the Boston chapter"),
        "America/New_York"
    );
    assert_eq!(
        zone_of(&parsed, "Sydney organisers sync"),
        "Australia/Sydney"
    );
    let auckland = zone_of(&parsed, "Auckland planning");
    assert!(
        [
            "Pacific/Auckland",
            "Antarctica/McMurdo",
            "Antarctica/South_Pole",
            "NZ"
        ]
        .contains(&auckland.as_str()),
        "{auckland}"
    );
    assert!(parsed.events.iter().all(|e| e.notes.is_empty()));
}

#[test]
fn lotus_notes_zones_with_byhour_in_their_rules_are_matched() {
    let parsed = parse_ok(LOTUS);
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(
        zone_of(&parsed, "Arbeitskreis Dokumentation"),
        "Europe/Berlin"
    );
    // Not the old link names US/Eastern or Canada/Eastern, though they
    // match the word: the zone CLDR gives for Windows' Eastern time.
    assert_eq!(
        zone_of(&parsed, "Stand-up across the clock change"),
        "America/New_York"
    );
}

#[test]
fn a_zone_defined_by_rdates_or_by_rules_no_iana_zone_follows() {
    let parsed = parse_ok(THUNDERBIRD);
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(
        zone_of(&parsed, "Island rowing club"),
        "Australia/Lord_Howe"
    );
    let club = parsed
        .events
        .iter()
        .find(|e| e.summary == "Club evening")
        .unwrap();
    // 19:00 at +02:30 (the file's summer offset) is 16:30 UTC.
    assert_eq!(
        club.start,
        When::Utc(Utc.with_ymd_and_hms(2026, 6, 10, 16, 30, 0).unwrap())
    );
    assert_eq!(
        club.end,
        Some(When::Utc(
            Utc.with_ymd_and_hms(2026, 6, 10, 18, 30, 0).unwrap()
        ))
    );
    assert_eq!(club.notes.len(), 1, "{:?}", club.notes);
    assert!(
        club.notes[0]
            .starts_with("the time zone \"Club time\" that the file defines follows no IANA zone")
    );
}

#[test]
fn a_vtimezone_without_transitions_and_an_unknown_tzid_skip_their_event_with_the_reason() {
    let parsed = parse_ok(NO_TRANSITIONS);
    assert!(parsed.events.is_empty());
    assert_eq!(parsed.skipped.len(), 1);
    assert_eq!(
        parsed.skipped[0].reason,
        "DTSTART: the time zone \"Customized Time Zone\" cannot be read: its VTIMEZONE has no STANDARD or DAYLIGHT part with a DTSTART and a TZOFFSETTO, so it says nothing about the zone's offset from UTC"
    );
    let parsed = parse_ok(UNKNOWN);
    assert!(parsed.events.is_empty());
    assert_eq!(
        parsed.skipped[0].reason,
        "DTSTART: unknown time zone \"Mars Coordinated Time\": it is neither an IANA nor a Windows zone name, and the file has no VTIMEZONE that defines it"
    );
}

#[test]
fn durations_in_hours_or_seconds_that_are_whole_days_end_a_date() {
    let parsed = parse_ok(DAVX5);
    assert_eq!(parsed.skipped, vec![]);
    let date = |y, m, d| When::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let ends: Vec<(When, Option<When>)> = parsed.events.iter().map(|e| (e.start, e.end)).collect();
    assert_eq!(
        ends,
        vec![
            (date(2026, 3, 7), Some(date(2026, 3, 8))),
            (date(2026, 3, 22), Some(date(2026, 3, 23))),
            (date(2026, 5, 16), Some(date(2026, 5, 18))),
        ]
    );
    // Anything else still cannot end a date.
    let odd = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20260101\r\nDURATION:PT36H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let parsed = parse_ok(odd.as_bytes());
    assert_eq!(
        parsed.skipped[0].reason,
        "DURATION PT36H is not whole days but DTSTART is a date"
    );
}

#[test]
fn every_rrule_of_an_event_is_read() {
    let parsed = parse_ok(EVOLUTION);
    let hack = &parsed.events[0];
    assert_eq!(
        hack.rrule.as_deref(),
        Some("FREQ=MONTHLY;COUNT=6;BYDAY=1MO")
    );
    assert_eq!(hack.extra_rrules, vec!["FREQ=MONTHLY;COUNT=6;BYDAY=3MO"]);
    // The zone is named by the vendor prefix and X-LIC-LOCATION.
    assert!(matches!(hack.start, When::Zoned { tz, .. } if tz == chrono_tz::America::New_York));
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_zip_of_calendars_reads_as_one_and_names_each_file() {
    let zip = zip_of(&[
        ("Rust Lisbon_abc@group.calendar.google.com.ics", GOOGLE),
        ("__MACOSX/._Rust Lisbon.ics", b"\0\x05\x16\x07"),
        ("Work_def@group.calendar.google.com.ics", OUTLOOK),
    ]);
    let parsed = parse_upload(&zip, Limits::default()).unwrap();
    assert_eq!(parsed.name.as_deref(), Some("Rust Lisbon"));
    assert_eq!(parsed.events.len(), 4 + 4);
    assert_eq!(
        parsed.events[0].file.as_deref(),
        Some("Rust Lisbon_abc@group.calendar.google.com.ics")
    );
    assert_eq!(
        parsed.events[7].file.as_deref(),
        Some("Work_def@group.calendar.google.com.ics")
    );
    // A plain file reads as before.
    assert_eq!(
        parse_upload(GOOGLE, Limits::default()).unwrap(),
        parse_ok(GOOGLE)
    );
}

#[test]
fn a_zip_is_bounded_in_what_it_unpacks_to() {
    // Each entry just under the per-file limit; together over the total.
    let big = {
        let mut text = b"BEGIN:VCALENDAR\r\n".to_vec();
        while text.len() < 2 * 1024 * 1024 - 100 {
            text.extend_from_slice(b"X-FILLER:");
            text.extend_from_slice(&[b'a'; 60]);
            text.extend_from_slice(b"\r\n");
        }
        text.extend_from_slice(b"END:VCALENDAR\r\n");
        text
    };
    let names: Vec<String> = (0..10).map(|i| format!("c{i}.ics")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &big[..])).collect();
    let zip = zip_of(&files);
    assert!(zip.len() < 2 * 1024 * 1024, "{} bytes", zip.len());
    let error = parse_upload(&zip, Limits::default()).unwrap_err();
    assert!(
        matches!(error, IcsError::ZipTooLarge { limit } if limit == MAX_ZIP_UNPACKED_BYTES),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "the zip file's calendars unpack to more than the 16777216 bytes accepted"
    );
    // More events in all files together than one calendar may have.
    let event = "BEGIN:VEVENT\r\nUID:{n}\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n";
    let many = |from: usize| {
        let mut text = "BEGIN:VCALENDAR\r\n".to_owned();
        for n in from..from + 3 {
            text.push_str(&event.replace("{n}", &n.to_string()));
        }
        text.push_str("END:VCALENDAR\r\n");
        text.into_bytes()
    };
    let (a, b) = (many(0), many(3));
    let zip = zip_of(&[("a.ics", &a), ("b.ics", &b)]);
    let limits = Limits {
        max_events: 5,
        ..Limits::default()
    };
    assert!(matches!(
        parse_upload(&zip, limits),
        Err(IcsError::TooManyEvents { limit: 5 })
    ));
    // A damaged zip.
    let mut cut = zip_of(&[("a.ics", &a)]);
    cut.truncate(cut.len() / 2);
    assert_eq!(
        parse_upload(&cut, Limits::default())
            .unwrap_err()
            .to_string(),
        "this looks like a zip file, but it is damaged or cut short and cannot be opened"
    );
}

#[test]
fn a_file_cannot_make_convene_read_thousands_of_its_own_zones() {
    let mut text = String::from("BEGIN:VCALENDAR\r\n");
    for n in 0..300 {
        text.push_str(&format!(
            "BEGIN:VTIMEZONE\r\nTZID:Zone {n}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        ));
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:e{n}\r\nDTSTART;TZID=Zone {n}:20260101T100000\r\nEND:VEVENT\r\n"
        ));
    }
    text.push_str("END:VCALENDAR\r\n");
    let started = std::time::Instant::now();
    let parsed = parse_ok(text.as_bytes());
    assert_eq!(parsed.events.len(), 200);
    assert_eq!(parsed.skipped.len(), 100);
    assert!(
        parsed.skipped[0]
            .reason
            .contains("the file defines zones for more than 200 zone-and-year pairs"),
        "{}",
        parsed.skipped[0].reason
    );
    eprintln!(
        "300 zones defined by the file read in {:?}",
        started.elapsed()
    );
}
