//! Writing content lines: exact bytes, folding at 75 octets, escaping, and
//! round trips through the parser.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use convene_ical::{Limits, When, Writer, format_date, format_local, format_utc, parse};

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

/// Undoes folding the way RFC 5545 §3.1 describes.
fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

fn assert_folded(text: &str) {
    assert!(text.ends_with("\r\n"));
    for physical in text.split_terminator("\r\n") {
        assert!(
            physical.len() <= 75,
            "{} octets: {physical:?}",
            physical.len()
        );
        assert!(!physical.contains(['\r', '\n']));
    }
}

#[test]
fn writes_exact_lines_for_each_kind_of_date() {
    let mut w = Writer::new();
    assert!(w.is_empty());
    w.begin("vevent");
    w.when(
        "dtstart",
        When::Zoned {
            local: local("2026-03-08 02:30"),
            tz: chrono_tz::America::New_York,
        },
    );
    w.when(
        "DTEND",
        When::Utc(Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 5).unwrap()),
    );
    w.when("RECURRENCE-ID", When::Floating(local("2026-03-08 02:30")));
    w.when(
        "DTSTAMP",
        When::Date(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()),
    );
    w.end("VEVENT");
    assert_eq!(w.len(), w.clone().finish().len());
    assert_eq!(
        w.finish(),
        "BEGIN:VEVENT\r\n\
         DTSTART;TZID=America/New_York:20260308T023000\r\n\
         DTEND:20260308T080005Z\r\n\
         RECURRENCE-ID:20260308T023000\r\n\
         DTSTAMP;VALUE=DATE:20260308\r\n\
         END:VEVENT\r\n"
    );
}

#[test]
fn formats_dates_without_separators() {
    let at = Utc.with_ymd_and_hms(987, 1, 2, 3, 4, 5).unwrap();
    assert_eq!(format_utc(at), "09870102T030405Z");
    assert_eq!(format_local(local("2026-12-31 23:59")), "20261231T235900");
    assert_eq!(
        format_date(NaiveDate::from_ymd_opt(2026, 7, 4).unwrap()),
        "20260704"
    );
}

#[test]
fn groups_date_lists_by_kind_and_zone() {
    let berlin = chrono_tz::Europe::Berlin;
    let day = |d| When::Date(NaiveDate::from_ymd_opt(2026, 1, d).unwrap());
    let zoned = |text| When::Zoned {
        local: local(text),
        tz: berlin,
    };
    let mut w = Writer::new();
    w.when_list(
        "EXDATE",
        &[
            zoned("2026-01-05 10:00"),
            day(6),
            zoned("2026-01-12 10:00"),
            When::Zoned {
                local: local("2026-01-13 10:00"),
                tz: chrono_tz::Europe::Lisbon,
            },
            day(7),
            When::Utc(Utc.with_ymd_and_hms(2026, 1, 8, 9, 0, 0).unwrap()),
        ],
    );
    w.when_list("RDATE", &[]);
    assert_eq!(
        w.finish(),
        "EXDATE;TZID=Europe/Berlin:20260105T100000,20260112T100000\r\n\
         EXDATE;VALUE=DATE:20260106,20260107\r\n\
         EXDATE;TZID=Europe/Lisbon:20260113T100000\r\n\
         EXDATE:20260108T090000Z\r\n"
    );
}

#[test]
fn escapes_text_and_cleans_raw_values_and_parameters() {
    let mut w = Writer::new();
    w.text("summary", &[], "a, b; c\\ d\r\nnew line\u{7}\tend");
    w.raw("url", &[], "https://example.org/a\r\nBEGIN:VEVENT");
    w.raw(
        "ORGANIZER",
        &[
            ("cn", "Doe, \"JJ\" Jane"),
            ("x-plain", "plain"),
            ("x-colon", "a:b"),
        ],
        "mailto:jane@example.org",
    );
    w.raw("x-na me!", &[], "1");
    assert_eq!(
        w.finish(),
        "SUMMARY:a\\, b\\; c\\\\ d\\nnew line\tend\r\n\
         URL:https://example.org/aBEGIN:VEVENT\r\n\
         ORGANIZER;CN=\"Doe, 'JJ' Jane\";X-PLAIN=plain;X-COLON=\"a:b\":mailto:jane@examp\r\n \
         le.org\r\n\
         X-NAME:1\r\n"
    );
}

#[test]
fn folds_at_exactly_75_octets() {
    let mut w = Writer::new();
    // "SUMMARY:" is 8 octets, so 67 more fill the line exactly.
    w.text("SUMMARY", &[], &"a".repeat(67));
    w.text("SUMMARY", &[], &"a".repeat(68));
    let text = w.finish();
    assert_folded(&text);
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].len(), 75);
    assert_eq!(lines[1].len(), 75);
    assert_eq!(lines[2], " a");
}

#[test]
fn folding_never_splits_a_multibyte_character() {
    // Two-, three- and four-octet characters at every offset around the fold.
    for filler in 0..8 {
        for c in ['é', '€', '😀'] {
            let value: String = std::iter::repeat_n('a', 60 + filler)
                .chain(std::iter::repeat_n(c, 60))
                .collect();
            let mut w = Writer::new();
            w.text("DESCRIPTION", &[("LANGUAGE", "pt")], &value);
            let text = w.finish();
            assert_folded(&text);
            assert!(text.split_terminator("\r\n").count() > 1);
            assert_eq!(
                unfold(&text),
                format!("DESCRIPTION;LANGUAGE=pt:{value}\r\n")
            );
        }
    }
}

#[test]
fn escaped_and_folded_text_round_trips_through_the_parser() {
    let summary = "Rust, coffee; and \\ backslashes — café ☕ 😀";
    let description = format!(
        "Line one\nLine two, with commas; semicolons\n\n{}",
        "long text é€😀 ".repeat(30)
    );
    let location = "Rua do Exemplo 12, 1200-001 Lisboa";
    let start = When::Zoned {
        local: local("2026-05-21 18:30"),
        tz: chrono_tz::Europe::Lisbon,
    };
    let exdates = [
        When::Zoned {
            local: local("2026-06-18 18:30"),
            tz: chrono_tz::Europe::Lisbon,
        },
        When::Utc(Utc.with_ymd_and_hms(2026, 7, 16, 17, 30, 0).unwrap()),
    ];

    let mut w = Writer::new();
    w.begin("VCALENDAR");
    w.raw("VERSION", &[], "2.0");
    w.text("NAME", &[], "Rust, Lisbon");
    w.begin("VEVENT");
    w.raw("UID", &[], "rt-1@convene.example");
    w.text("SUMMARY", &[], summary);
    w.text("DESCRIPTION", &[], &description);
    w.text("LOCATION", &[], location);
    w.when("DTSTART", start);
    w.raw("DURATION", &[], "PT2H");
    w.raw("RRULE", &[], "FREQ=MONTHLY;BYDAY=3TH");
    w.when_list("EXDATE", &exdates);
    w.text("CATEGORIES", &[], "Rust, Lisbon");
    w.end("VEVENT");
    w.end("VCALENDAR");
    let text = w.finish();
    assert_folded(&text);

    let parsed = parse(text.as_bytes(), Limits::default()).unwrap();
    assert_eq!(parsed.name.as_deref(), Some("Rust, Lisbon"));
    assert_eq!(parsed.skipped, vec![]);
    let event = &parsed.events[0];
    assert_eq!(event.summary, summary);
    assert_eq!(event.description, description);
    assert_eq!(event.location, location);
    assert_eq!(event.start, start);
    assert_eq!(
        event.end,
        Some(When::Zoned {
            local: local("2026-05-21 20:30"),
            tz: chrono_tz::Europe::Lisbon,
        })
    );
    assert_eq!(event.rrule.as_deref(), Some("FREQ=MONTHLY;BYDAY=3TH"));
    assert_eq!(event.exdates, exdates);
    // Written as one TEXT value, the comma is escaped, so it stays one item.
    assert_eq!(event.categories, vec!["Rust, Lisbon"]);
}
