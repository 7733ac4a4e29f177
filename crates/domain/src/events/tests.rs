//! Timing input, repeat patterns and occurrence keys.

use super::*;

fn input<'a>(start: &'a str, end: &'a str, repeat: &'a str, rrule: &'a str) -> TimingInput<'a> {
    TimingInput {
        start,
        end,
        tz: "America/New_York",
        repeat,
        rrule,
        ..TimingInput::default()
    }
}

#[test]
fn presets_make_the_rules_people_mean() {
    // 2026-12-08 is the second Tuesday of December.
    let d = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
    assert_eq!(
        Repeat::MonthlyNthWeekday.rule_for(d).unwrap(),
        "FREQ=MONTHLY;BYDAY=2TU"
    );
    assert_eq!(
        Repeat::MonthlyLastWeekday.rule_for(d).unwrap(),
        "FREQ=MONTHLY;BYDAY=-1TU"
    );
    assert_eq!(
        Repeat::Fortnightly.rule_for(d).unwrap(),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    );
    let picker: Vec<String> = Repeat::ALL.iter().map(|r| r.describe(d)).collect();
    assert_eq!(
        picker,
        [
            "Once (does not repeat)",
            "Every Tuesday",
            "Every other week on Tuesday",
            "Every second Tuesday of the month",
            "Every last Tuesday of the month",
            "Monthly on the 8th",
            "Every year on 8 December",
            "A custom rule (typed below)",
        ]
    );
    for r in Repeat::ALL {
        assert_eq!(Repeat::parse(r.as_str()), Some(r));
    }
}

#[test]
fn bad_timings_are_refused_with_advice() {
    let cases = [
        (
            input("2026-12-08T19:00", "2026-12-08T21:00", "custom", "BYDAY=TU"),
            "rrule",
            "no FREQ",
        ),
        (
            input(
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "custom",
                "FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z",
            ),
            "rrule",
            "both COUNT and UNTIL",
        ),
        (
            input(
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "custom",
                "FREQ=WEEKLY;UNTIL=20261101T000000Z",
            ),
            "rrule",
            "before the event's start",
        ),
        (
            input(
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "custom",
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            ),
            "rrule",
            "never produces",
        ),
        (
            input(
                "2026-12-08T19:00",
                "2026-12-08T21:00",
                "custom",
                "FREQ=SECONDLY",
            ),
            "rrule",
            "at most hourly",
        ),
        (
            input("2026-12-08T19:00", "2026-12-08T18:00", "", ""),
            "end",
            "end after it starts",
        ),
    ];
    for (i, field, needle) in cases {
        let e = check_timing(&i).unwrap_err();
        assert_eq!(e.field, field, "{e}");
        assert!(e.message.contains(needle), "{e}");
    }
    let bad_zone = TimingInput {
        tz: "Mars/Olympus_Mons",
        ..input("2026-12-08T19:00", "2026-12-08T21:00", "", "")
    };
    let e = check_timing(&bad_zone).unwrap_err();
    assert_eq!(e.field, "tz");
    assert!(e.message.contains("Mars/Olympus_Mons"));
}

#[test]
fn series_span_is_known_for_bounded_rules_only() {
    let t = check_timing(&input(
        "2026-01-13T19:00",
        "2026-01-13T21:00",
        "custom",
        "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
    ))
    .unwrap();
    // Third occurrence: 10 March 2026, 19:00 EDT = 23:00 UTC, ends 01:00 UTC.
    assert_eq!(
        t.last_end().unwrap().to_rfc3339(),
        "2026-03-11T01:00:00+00:00"
    );
    let open = check_timing(&input(
        "2026-01-13T19:00",
        "2026-01-13T21:00",
        "monthly_nth",
        "",
    ))
    .unwrap();
    assert_eq!(open.last_end(), None);
    assert_eq!(open.rrule.as_deref(), Some("FREQ=MONTHLY;BYDAY=2TU"));
}

#[test]
fn until_is_rewritten_in_the_form_its_start_requires() {
    let ny: Tz = "America/New_York".parse().unwrap();
    let start = parse_local("2026-09-10T09:00").unwrap();
    let midnight = parse_local("2026-09-10").unwrap();
    let cases = [
        // A floating UNTIL on a zoned start is read in the start's zone.
        (
            "FREQ=WEEKLY;UNTIL=20261210T090000",
            Timing::Zoned(ny),
            start,
            "FREQ=WEEKLY;UNTIL=20261210T140000Z",
        ),
        // A date UNTIL on a zoned start includes its whole day.
        (
            "FREQ=WEEKLY;UNTIL=20261215",
            Timing::Zoned(ny),
            start,
            "FREQ=WEEKLY;UNTIL=20261216T045959Z",
        ),
        (
            "FREQ=DAILY;UNTIL=20261231T120000Z",
            Timing::Zoned(ny),
            start,
            "FREQ=DAILY;UNTIL=20261231T120000Z",
        ),
        (
            "FREQ=MONTHLY;UNTIL=20261231T000000Z",
            Timing::AllDay,
            midnight,
            "FREQ=MONTHLY;UNTIL=20261231",
        ),
        (
            "FREQ=DAILY;UNTIL=20261231T120000Z",
            Timing::Floating,
            start,
            "FREQ=DAILY;UNTIL=20261231T120000",
        ),
        (
            "FREQ=DAILY;UNTIL=20261231",
            Timing::Floating,
            start,
            "FREQ=DAILY;UNTIL=20261231T235959",
        ),
    ];
    for (rule, timing, at, want) in cases {
        assert_eq!(check_rule(rule, timing, at).unwrap(), want, "{rule}");
    }
}

#[test]
fn an_all_day_event_lasts_at_least_its_day() {
    let day = parse_local("2026-09-21").unwrap();
    let t = EventTiming {
        timing: Timing::AllDay,
        start: day,
        end: day,
        rrule: None,
        rdates: Vec::new(),
        exdates: Vec::new(),
    };
    assert_eq!(t.duration(), Duration::days(1));
}

#[test]
fn all_day_end_is_the_day_after_the_last_day() {
    let t = check_timing(&TimingInput {
        all_day: true,
        start: "2026-07-04",
        end: "2026-07-05",
        ..TimingInput::default()
    })
    .unwrap();
    assert_eq!(t.end.date(), NaiveDate::from_ymd_opt(2026, 7, 6).unwrap());
    assert!(t.all_day());
}
