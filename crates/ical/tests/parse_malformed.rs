//! Parsing broken and hostile input: each bad event is skipped with a reason
//! a person can act on, and the file as a whole fails only when it cannot be
//! trusted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use convene_ical::{IcsError, Limits, MAX_COMPONENT_LINES, MAX_LINE_BYTES, Parsed, Skipped, parse};

/// A calendar around the given components, with CRLF line ends.
fn calendar(components: &[&str]) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//convene tests//EN\n");
    for component in components {
        text.push_str(component);
    }
    text.push_str("END:VCALENDAR\n");
    text.replace('\n', "\r\n")
}

const GOOD: &str = "BEGIN:VEVENT\nUID:good\nSUMMARY:Good\nDTSTART:20260101T100000Z\nEND:VEVENT\n";

fn parse_ok(text: &str) -> Parsed {
    parse(text.as_bytes(), Limits::default()).unwrap()
}

/// Parses one bad event followed by a good one; the good one must survive.
fn skip_reason(event: &str) -> Skipped {
    let parsed = parse_ok(&calendar(&[event, GOOD]));
    assert_eq!(parsed.events.len(), 1, "{parsed:?}");
    assert_eq!(parsed.events[0].uid, "good");
    assert_eq!(parsed.skipped.len(), 1, "{parsed:?}");
    parsed.skipped[0].clone()
}

#[test]
fn missing_uid_is_skipped_and_named_by_its_summary() {
    let skipped =
        skip_reason("BEGIN:VEVENT\nSUMMARY:No id\nDTSTART:20260101T100000Z\nEND:VEVENT\n");
    assert_eq!(
        skipped,
        Skipped {
            file: None,
            line: 4,
            uid: None,
            summary: Some("No id".to_owned()),
            reason: "no UID".to_owned(),
        }
    );
}

#[test]
fn missing_dtstart_is_skipped() {
    let skipped = skip_reason("BEGIN:VEVENT\nUID:a\nSUMMARY:Sometime\nEND:VEVENT\n");
    assert_eq!(skipped.uid.as_deref(), Some("a"));
    assert_eq!(skipped.reason, "no DTSTART");
}

#[test]
fn unparseable_dtstart_names_the_value() {
    let skipped = skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART:2026-01-15T18:30\nEND:VEVENT\n");
    assert_eq!(
        skipped.reason,
        "DTSTART: \"2026-01-15T18:30\" is not a date-time (YYYYMMDDTHHMMSS, optionally ending in Z)"
    );
    let skipped = skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT\n");
    assert_eq!(
        skipped.reason,
        "DTSTART: \"20260230\" is not a date (YYYYMMDD)"
    );
}

#[test]
fn unparseable_dtend_names_the_value() {
    let skipped =
        skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nDTEND:tomorrow\nEND:VEVENT\n");
    assert!(
        skipped.reason.starts_with("DTEND: \"tomorrow\""),
        "{}",
        skipped.reason
    );
}

#[test]
fn unknown_time_zone_is_named() {
    let skipped =
        skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Foo/Bar:20260101T100000\nEND:VEVENT\n");
    assert_eq!(
        skipped.reason,
        "DTSTART: unknown time zone \"Foo/Bar\": it is neither an IANA nor a Windows zone name, and the file has no VTIMEZONE that defines it"
    );
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nEXDATE;TZID=Mars/Olympus:20260108T100000\nEND:VEVENT\n",
    );
    assert!(
        skipped
            .reason
            .starts_with("EXDATE: unknown time zone \"Mars/Olympus\": "),
        "{}",
        skipped.reason
    );
}

#[test]
fn dtend_before_dtstart_is_skipped() {
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin:20260101T100000\n\
         DTEND;TZID=Europe/Berlin:20260101T090000\nEND:VEVENT\n",
    );
    assert_eq!(
        skipped.reason,
        "DTEND 20260101T090000 Europe/Berlin is before DTSTART 20260101T100000 Europe/Berlin"
    );
    // Compared as instants: 10:30 in Berlin is 09:30 UTC, after 09:00 UTC.
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T090000Z\n\
         DTEND;TZID=Europe/Berlin:20260101T093000\nEND:VEVENT\n",
    );
    assert!(
        skipped.reason.contains("is before DTSTART"),
        "{}",
        skipped.reason
    );
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260102\nDTEND;VALUE=DATE:20260101\nEND:VEVENT\n",
    );
    assert_eq!(skipped.reason, "DTEND 20260101 is before DTSTART 20260102");
}

#[test]
fn dtend_of_another_kind_than_dtstart_is_skipped() {
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260101\nDTEND:20260101T120000Z\nEND:VEVENT\n",
    );
    assert_eq!(
        skipped.reason,
        "DTEND 20260101T120000Z is a date-time but DTSTART 20260101 is a date"
    );
}

#[test]
fn bad_durations_are_skipped() {
    let skipped =
        skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nDURATION:1 hour\nEND:VEVENT\n");
    assert_eq!(
        skipped.reason,
        "DURATION: \"1 hour\" is not a duration (such as PT1H30M)"
    );
    let skipped =
        skip_reason("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nDURATION:-PT1H\nEND:VEVENT\n");
    assert_eq!(skipped.reason, "DURATION -PT1H is negative");
    let skipped = skip_reason(
        "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260101\nDURATION:PT1H\nEND:VEVENT\n",
    );
    assert_eq!(
        skipped.reason,
        "DURATION PT1H is not whole days but DTSTART is a date"
    );
}

#[test]
fn malformed_geo_is_skipped() {
    let event = |geo: &str| {
        format!("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nGEO:{geo}\nEND:VEVENT\n")
    };
    assert_eq!(
        skip_reason(&event("38.7,-9.1")).reason,
        "GEO: \"38.7,-9.1\" is not \"latitude;longitude\""
    );
    assert_eq!(
        skip_reason(&event("91;0")).reason,
        "GEO: latitude 91 is outside -90..90"
    );
    assert_eq!(
        skip_reason(&event("0;-180.5")).reason,
        "GEO: longitude -180.5 is outside -180..180"
    );
}

#[test]
fn nested_vevent_skips_the_outer_one() {
    let parsed = parse_ok(&calendar(&[
        "BEGIN:VEVENT\nUID:outer\nSUMMARY:Outer\nDTSTART:20260101T100000Z\n",
        GOOD,
    ]));
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.events[0].uid, "good");
    assert_eq!(
        parsed.skipped,
        vec![Skipped {
            file: None,
            line: 4,
            uid: Some("outer".to_owned()),
            summary: Some("Outer".to_owned()),
            reason: "BEGIN:VEVENT at line 4 has no END:VEVENT before BEGIN:VEVENT at line 8"
                .to_owned(),
        }]
    );
}

#[test]
fn unterminated_vevent_is_skipped() {
    let parsed = parse_ok(&calendar(&[
        GOOD,
        "BEGIN:VEVENT\nUID:cut\nDTSTART:20260101T100000Z\n",
    ]));
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(
        parsed.skipped[0].reason,
        "BEGIN:VEVENT at line 9 has no END:VEVENT before END:VCALENDAR at line 12"
    );
    assert_eq!(parsed.skipped[0].uid.as_deref(), Some("cut"));
}

#[test]
fn other_components_are_skipped_silently_unless_unterminated() {
    let parsed = parse_ok(&calendar(&[
        "BEGIN:VTODO\nUID:t\nEND:VTODO\nBEGIN:VJOURNAL\nUID:j\nEND:VJOURNAL\n",
        "BEGIN:VTODO\nUID:open\n",
        GOOD,
    ]));
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.skipped.len(), 1);
    assert_eq!(
        parsed.skipped[0].reason,
        "BEGIN:VTODO at line 10 has no END:VTODO before BEGIN:VEVENT at line 12"
    );
}

#[test]
fn an_unclosed_alarm_does_not_spoil_its_event() {
    let parsed = parse_ok(&calendar(&[
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\nBEGIN:VALARM\nDESCRIPTION:x\nEND:VEVENT\n",
    ]));
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(parsed.events[0].description, "");
}

#[test]
fn unterminated_calendar_is_an_error() {
    let text =
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n";
    let err = parse(text.as_bytes(), Limits::default()).unwrap_err();
    assert!(matches!(&err, IcsError::Unterminated(what) if what == "BEGIN:VCALENDAR at line 1"));
    assert_eq!(
        err.to_string(),
        "the calendar looks cut short: BEGIN:VCALENDAR at line 1 has no matching END:VCALENDAR"
    );
}

#[test]
fn not_a_calendar_is_an_error() {
    for text in [
        "",
        "<!doctype html><html><body>Not found</body></html>",
        "BEGIN:VCARD\r\nEND:VCARD\r\n",
    ] {
        let err = parse(text.as_bytes(), Limits::default()).unwrap_err();
        assert!(matches!(err, IcsError::NotCalendar), "{text}: {err:?}");
    }
}

#[test]
fn oversized_input_is_an_error() {
    let text = calendar(&[GOOD]);
    let limits = Limits {
        max_bytes: text.len() - 1,
        ..Limits::default()
    };
    let err = parse(text.as_bytes(), limits).unwrap_err();
    assert!(
        matches!(err, IcsError::TooLarge { size, limit } if size == text.len() && limit == text.len() - 1)
    );
    assert!(err.to_string().contains("more than"));
    let limits = Limits {
        max_bytes: text.len(),
        ..Limits::default()
    };
    assert!(parse(text.as_bytes(), limits).is_ok());
}

#[test]
fn too_many_events_is_an_error() {
    let text = calendar(&[GOOD, GOOD, GOOD]);
    let limits = Limits {
        max_events: 2,
        ..Limits::default()
    };
    let err = parse(text.as_bytes(), limits).unwrap_err();
    assert!(matches!(err, IcsError::TooManyEvents { limit: 2 }));
    assert_eq!(err.to_string(), "the calendar has more than 2 events");
}

#[test]
fn invalid_utf8_is_an_error_naming_the_line() {
    let mut bytes = calendar(&[GOOD]).into_bytes();
    let at = bytes.len() - "END:VCALENDAR\r\n".len() - 3;
    bytes[at] = 0xff;
    let err = parse(&bytes, Limits::default()).unwrap_err();
    assert!(matches!(err, IcsError::NotUtf8 { line: 8 }), "{err:?}");
}

#[test]
fn an_overlong_line_skips_its_event_only() {
    let long = format!(
        "BEGIN:VEVENT\nUID:long\nDTSTART:20260101T100000Z\nDESCRIPTION:{}\n{}END:VEVENT\n",
        "x".repeat(70),
        " yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n"
            .repeat(MAX_LINE_BYTES / 60),
    );
    let skipped = skip_reason(&long);
    assert_eq!(skipped.uid.as_deref(), Some("long"));
    assert_eq!(skipped.reason, "line 7 is longer than 8192 bytes");
}

#[test]
fn a_component_with_too_many_lines_is_skipped() {
    let filler = "X-FILLER:1\n".repeat(MAX_COMPONENT_LINES);
    let event = format!("BEGIN:VEVENT\nUID:huge\nDTSTART:20260101T100000Z\n{filler}END:VEVENT\n");
    let skipped = skip_reason(&event);
    assert_eq!(skipped.uid.as_deref(), Some("huge"));
    assert_eq!(skipped.reason, "the event has more than 100000 lines");
}

#[test]
fn stray_text_and_stray_ends_are_ignored() {
    let parsed = parse_ok(&calendar(&[
        "this line is not a content line\nEND:VEVENT\nEND:VTODO\n",
        "BEGIN:VEVENT\nUID:a\n: no name\nDTSTART:20260101T100000Z\nEND:VEVENT\n",
    ]));
    assert_eq!(parsed.skipped, vec![]);
    assert_eq!(parsed.events.len(), 1);
}

/// Cutting a file anywhere, or swapping any byte, must give an answer
/// (events or an error), never a panic.
#[test]
fn any_truncation_or_corruption_is_answered_without_panicking() {
    let text = calendar(&[
        "BEGIN:VEVENT\nUID:a\nSUMMARY:Caf\u{e9} \\, b\\;c\nDTSTART;TZID=\"Europe/Berlin\":20260101T100000\n\
         DURATION:P1DT2H\nRDATE;VALUE=PERIOD:20260401T120000Z/PT1H\nGEO:1;2\nBEGIN:VALARM\n\
         TRIGGER:-PT5M\nEND:VALARM\nEND:VEVENT\n",
        GOOD,
    ]);
    let bytes = text.as_bytes();
    for cut in 0..bytes.len() {
        let _ = parse(&bytes[..cut], Limits::default());
    }
    for at in 0..bytes.len() {
        for replacement in [b'\n', b':', b';', b'"', b' ', b'\\', 0xc3] {
            let mut corrupted = bytes.to_vec();
            corrupted[at] = replacement;
            let _ = parse(&corrupted, Limits::default());
        }
    }
}
