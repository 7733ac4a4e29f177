//! Locale-aware formatting with exact expected strings, as a reader sees them.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use convene_i18n::{DateLength, Direction, DistanceUnit, Formatter, Locale, negotiate};

fn formatter(tag: &str) -> Formatter {
    let locale: icu_locale_core::Locale = match tag.parse() {
        Ok(locale) => locale,
        Err(error) => panic!("{tag}: {error}"),
    };
    match Formatter::new(&locale) {
        Ok(formatter) => formatter,
        Err(error) => panic!("{tag}: {error}"),
    }
}

fn december_8() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default()
}

#[test]
fn german_dates() {
    let de = formatter("de");
    assert_eq!(de.date(december_8(), DateLength::Medium), "08.12.2026");
    assert_eq!(de.date(december_8(), DateLength::Long), "8. Dezember 2026");
}

#[test]
fn japanese_dates() {
    let ja = formatter("ja");
    assert_eq!(ja.date(december_8(), DateLength::Medium), "2026/12/08");
    assert_eq!(ja.date(december_8(), DateLength::Long), "2026年12月8日");
}

#[test]
fn brazilian_dates_for_a_browser_that_prefers_portuguese() {
    let chosen = negotiate(None, None, Some("pt;q=0.9, en;q=0.5"), Locale::En);
    assert_eq!(chosen.locale, Locale::PtBr);
    let pt = match Formatter::for_negotiated(&chosen) {
        Ok(formatter) => formatter,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(
        pt.date(december_8(), DateLength::Medium),
        "8 de dez. de 2026"
    );
    assert_eq!(
        pt.date(december_8(), DateLength::Long),
        "8 de dezembro de 2026"
    );
    assert_eq!(
        pt.time(NaiveTime::from_hms_opt(19, 30, 0).unwrap_or_default()),
        "19:30"
    );
}

#[test]
fn american_english_has_a_12_hour_clock_and_british_a_24_hour_one() {
    let half_past_seven = NaiveTime::from_hms_opt(19, 30, 0).unwrap_or_default();
    assert_eq!(formatter("en-US").time(half_past_seven), "7:30\u{202f}PM");
    assert_eq!(formatter("en-GB").time(half_past_seven), "19:30");
    // English with no region is American, as in CLDR.
    assert_eq!(formatter("en").time(half_past_seven), "7:30\u{202f}PM");
}

#[test]
fn arabic_runs_right_to_left_and_uses_the_region_s_digits() {
    assert_eq!(Locale::Ar.direction(), Direction::Rtl);
    // Egypt writes Arabic-Indic digits with Arabic separators...
    let egypt = formatter("ar-EG");
    assert_eq!(egypt.number(1_234_567), "١٬٢٣٤٬٥٦٧");
    assert_eq!(egypt.date(december_8(), DateLength::Long), "٨ ديسمبر ٢٠٢٦");
    assert_eq!(
        egypt.date(december_8(), DateLength::Medium),
        "٠٨\u{200f}/١٢\u{200f}/٢٠٢٦"
    );
    // ...while CLDR's Arabic without a region, like the Maghreb, uses 0-9.
    let arabic = formatter("ar");
    assert_eq!(arabic.number(1_234_567), "1,234,567");
    assert_eq!(arabic.date(december_8(), DateLength::Long), "8 ديسمبر 2026");
    // The week starts on Saturday.
    assert_eq!(arabic.first_day_of_week(), chrono::Weekday::Sat);
}

#[test]
fn hindi_groups_digits_in_lakhs() {
    let hi = formatter("hi");
    assert_eq!(hi.number(100_000), "1,00,000");
    assert_eq!(hi.number(12_345_678), "1,23,45,678");
}

#[test]
fn numbers_with_decimals() {
    assert_eq!(formatter("en").decimal(2.5, 2), "2.5");
    assert_eq!(formatter("de").decimal(2.5, 2), "2,5");
    assert_eq!(formatter("fr").decimal(1234.456, 1), "1\u{202f}234,5");
    assert_eq!(formatter("en").decimal(3.0, 1), "3");
}

#[test]
fn lists_join_the_locale_s_way() {
    let items = ["Berlin", "Lyon", "Osaka"];
    assert_eq!(formatter("en-US").list(&items), "Berlin, Lyon, and Osaka");
    assert_eq!(formatter("en-GB").list(&items), "Berlin, Lyon and Osaka");
    assert_eq!(formatter("fr").list(&items), "Berlin, Lyon et Osaka");
    assert_eq!(formatter("ja").list(&items), "Berlin、Lyon、Osaka");
    assert_eq!(formatter("de").list(&["Köln"]), "Köln");
}

#[test]
fn relative_times() {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 8, 18, 0, 0)
        .single()
        .unwrap_or_default();
    let in_three_days = now + chrono::Duration::days(3);
    let two_hours_ago = now - chrono::Duration::hours(2);
    assert_eq!(formatter("en").relative(in_three_days, now), "in 3 days");
    assert_eq!(formatter("de").relative(in_three_days, now), "in 3 Tagen");
    assert_eq!(formatter("es").relative(two_hours_ago, now), "hace 2 horas");
    assert_eq!(formatter("ja").relative(two_hours_ago, now), "2 時間前");
    assert_eq!(formatter("en").relative_days(1), "tomorrow");
    assert_eq!(formatter("fr").relative_days(-1), "hier");
}

#[test]
fn month_grids_start_on_the_locale_s_first_weekday() {
    let de = formatter("de").month_grid_weekdays();
    assert_eq!(de[0].weekday, chrono::Weekday::Mon);
    assert_eq!(
        (de[0].long.as_str(), de[0].short.as_str()),
        ("Montag", "Mo")
    );
    assert_eq!(de[6].long, "Sonntag");
    let us = formatter("en-US").month_grid_weekdays();
    assert_eq!(us[0].weekday, chrono::Weekday::Sun);
    assert_eq!(
        us.iter().map(|d| d.short.as_str()).collect::<Vec<_>>(),
        ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    );
    let ar = formatter("ar").month_grid_weekdays();
    assert_eq!(ar[0].long, "السبت");
}

#[test]
fn distances_in_miles_or_kilometres_by_region() {
    assert_eq!(formatter("en-US").distance_unit(), DistanceUnit::Mile);
    assert_eq!(formatter("en-US").distance(4_023.0), "2.5\u{a0}mi");
    assert_eq!(formatter("en-IN").distance(4_023.0), "4\u{a0}km");
    assert_eq!(formatter("de").distance(12_400.0), "12\u{a0}km");
    assert_eq!(formatter("ar-EG").distance(4_023.0), "٤\u{a0}كم");
    assert_eq!(formatter("zh-Hans").distance(1_500.0), "1.5公里");
}

#[test]
fn event_spans_in_the_reader_s_zone() {
    let start = Utc
        .with_ymd_and_hms(2026, 12, 8, 18, 0, 0)
        .single()
        .unwrap_or_default();
    let end = Utc
        .with_ymd_and_hms(2026, 12, 8, 20, 30, 0)
        .single()
        .unwrap_or_default();
    assert_eq!(
        formatter("en-GB").date_time_range(start, end, chrono_tz::Europe::Berlin),
        "8 Dec 2026, 19:00\u{2009}–\u{2009}21:30 CET"
    );
    assert_eq!(
        formatter("de").date_time_range(start, end, chrono_tz::Europe::Berlin),
        "08.12.2026, 19:00\u{2009}–\u{2009}21:30 MEZ"
    );
    // Across midnight both dates are written.
    let late_end = Utc
        .with_ymd_and_hms(2026, 12, 9, 6, 0, 0)
        .single()
        .unwrap_or_default();
    assert_eq!(
        formatter("en-US").date_time_range(start, late_end, chrono_tz::America::New_York),
        "Dec 8, 2026, 1:00\u{202f}PM\u{2009}–\u{2009}Dec 9, 2026, 1:00\u{202f}AM EST"
    );
}
