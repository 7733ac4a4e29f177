//! Dates, times, numbers, lists and distances for a locale, with ICU4X and
//! its compiled CLDR data. The one place convene formats these for people.
//!
//! Dates are Gregorian in every locale (events are planned in it; a locale
//! asking for another calendar through `-u-ca` is not honoured here). Times
//! follow the locale's clock: `en-US` 12-hour, `en-GB` and most others
//! 24-hour. ICU4X 2.x has no stable interval formatter yet, so a range is
//! built from a date-time and a time (`8 Dec 2026, 19:00–21:00 GMT`).

use crate::negotiate::Negotiated;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, Timelike, Utc};
use chrono_tz::Tz;
use fixed_decimal::Decimal;
use icu_calendar::types::RataDie;
use icu_calendar::week::WeekInformation;
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::{self, zone};
use icu_datetime::input::Time;
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_experimental::relativetime::{
    RelativeTimeFormatter, RelativeTimeFormatterOptions, options::Numeric,
};
use icu_list::ListFormatter;
use icu_list::options::{ListFormatterOptions, ListLength};
use icu_locale_core::Locale as IcuLocale;
use icu_time::zone::UtcOffset;
use icu_time::{TimeZone as IcuTimeZone, TimeZoneInfo};
use std::sync::OnceLock;

/// ICU4X could not build a formatter for the locale (its compiled data
/// covers every shipped locale, so this is a build defect).
#[derive(Debug, thiserror::Error)]
#[error("no formatting data for {locale}: {detail}")]
pub struct FormatError {
    locale: String,
    detail: String,
}

fn load_error(locale: &IcuLocale, error: impl std::fmt::Display) -> FormatError {
    FormatError {
        locale: locale.to_string(),
        detail: error.to_string(),
    }
}

/// How long a date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLength {
    /// `8 Dec 2026`, `08.12.2026`.
    Medium,
    /// `8 December 2026`, `8. Dezember 2026`.
    Long,
}

/// Kilometres or miles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceUnit {
    /// Kilometres, almost everywhere.
    Kilometre,
    /// Miles: the United States, the United Kingdom, Liberia and Myanmar.
    Mile,
}

impl DistanceUnit {
    /// The unit people in `region` (an ISO 3166 code) measure road
    /// distances in; without a region, the unit of the language's most
    /// likely region (English: the United States).
    pub fn for_region(language: &str, region: Option<&str>) -> DistanceUnit {
        let region = region.unwrap_or(if language == "en" { "US" } else { "" });
        match region {
            "US" | "GB" | "LR" | "MM" => DistanceUnit::Mile,
            _ => DistanceUnit::Kilometre,
        }
    }
}

/// A weekday's names, for the head of a month grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekdayName {
    /// The weekday.
    pub weekday: chrono::Weekday,
    /// `Monday`, `lundi`, `月曜日`.
    pub long: String,
    /// `Mon`, `lun.`, `月`.
    pub short: String,
}

type DateFormatter = FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>;
type DateTimeFormatter = FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMDT>;
type ZoneFormatter = NoCalendarFormatter<zone::SpecificShort>;

/// Relative time units, smallest first.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// Formats for one locale (with its region). Build one per locale and
/// region once and share it; building loads ICU4X data.
pub struct Formatter {
    locale: IcuLocale,
    date_medium: DateFormatter,
    date_long: DateFormatter,
    time: NoCalendarFormatter<fieldsets::T>,
    date_time: DateTimeFormatter,
    zone: ZoneFormatter,
    weekday_long: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::E>,
    weekday_short: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::E>,
    numbers: DecimalFormatter,
    list: ListFormatter,
    week: WeekInformation,
    distance_unit: DistanceUnit,
    relative: [OnceLock<Option<RelativeTimeFormatter>>; 7],
}

impl std::fmt::Debug for Formatter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Formatter")
            .field("locale", &self.locale.to_string())
            .finish_non_exhaustive()
    }
}

impl Formatter {
    /// The formatter for a negotiated language and region.
    pub fn for_negotiated(negotiated: &Negotiated) -> Result<Formatter, FormatError> {
        Formatter::new(&negotiated.formatting_locale())
    }

    /// The formatter for an ICU locale such as `en-GB` or `pt-BR`.
    pub fn new(locale: &IcuLocale) -> Result<Formatter, FormatError> {
        let date_medium = DateFormatter::try_new(locale.into(), fieldsets::YMD::medium())
            .map_err(|e| load_error(locale, e))?;
        let date_long = DateFormatter::try_new(locale.into(), fieldsets::YMD::long())
            .map_err(|e| load_error(locale, e))?;
        let time = NoCalendarFormatter::try_new(locale.into(), fieldsets::T::hm())
            .map_err(|e| load_error(locale, e))?;
        let date_time =
            DateTimeFormatter::try_new(locale.into(), fieldsets::YMD::medium().with_time_hm())
                .map_err(|e| load_error(locale, e))?;
        let zone = ZoneFormatter::try_new(locale.into(), zone::SpecificShort)
            .map_err(|e| load_error(locale, e))?;
        let weekday_long =
            FixedCalendarDateTimeFormatter::try_new(locale.into(), fieldsets::E::long())
                .map_err(|e| load_error(locale, e))?;
        let weekday_short =
            FixedCalendarDateTimeFormatter::try_new(locale.into(), fieldsets::E::medium())
                .map_err(|e| load_error(locale, e))?;
        let numbers = DecimalFormatter::try_new(locale.into(), Default::default())
            .map_err(|e| load_error(locale, e))?;
        let list = ListFormatter::try_new_and(
            locale.into(),
            ListFormatterOptions::default().with_length(ListLength::Wide),
        )
        .map_err(|e| load_error(locale, e))?;
        let week = WeekInformation::try_new(locale.into()).map_err(|e| load_error(locale, e))?;
        let distance_unit = DistanceUnit::for_region(
            locale.id.language.as_str(),
            locale.id.region.as_ref().map(|r| r.as_str()),
        );
        Ok(Formatter {
            locale: locale.clone(),
            date_medium,
            date_long,
            time,
            date_time,
            zone,
            weekday_long,
            weekday_short,
            numbers,
            list,
            week,
            distance_unit,
            relative: Default::default(),
        })
    }

    /// The ICU locale this formatter writes for.
    pub fn locale(&self) -> &IcuLocale {
        &self.locale
    }

    /// A calendar date: `Dec 8, 2026` (en), `08.12.2026` (de), `2026/12/08` (ja).
    pub fn date(&self, date: NaiveDate, length: DateLength) -> String {
        let date = gregorian(date);
        match length {
            DateLength::Medium => self.date_medium.format(&date).to_string(),
            DateLength::Long => self.date_long.format(&date).to_string(),
        }
    }

    /// A wall-clock time in hours and minutes, on the locale's clock:
    /// `7:30 PM` (en-US), `19:30` (en-GB).
    pub fn time(&self, time: chrono::NaiveTime) -> String {
        self.time.format(&icu_time_of(time)).to_string()
    }

    /// A date and time without a zone: `Dec 8, 2026, 7:30 PM`.
    pub fn date_time(&self, at: NaiveDateTime) -> String {
        self.date_time.format(&icu_date_time(at)).to_string()
    }

    /// An event's span shown in `zone`, saying which zone it is:
    /// `Dec 8, 2026, 7:00 PM – 9:00 PM EST` when both ends fall on one day,
    /// both dates in full otherwise. The zone is named as at the end.
    pub fn date_time_range(&self, start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
        let start_local = start.with_timezone(&zone).naive_local();
        let end_at = end.with_timezone(&zone);
        let end_local = end_at.naive_local();
        let zone_name = self.zone.format(&zone_info(
            end_local,
            &zone,
            end_at.offset().fix().local_minus_utc(),
        ));
        let start_text = self.date_time.format(&icu_date_time(start_local));
        if start_local.date() == end_local.date() {
            let end_text = self.time.format(&icu_time_of(end_local.time()));
            format!("{start_text}\u{2009}–\u{2009}{end_text} {zone_name}")
        } else {
            let end_text = self.date_time.format(&icu_date_time(end_local));
            format!("{start_text}\u{2009}–\u{2009}{end_text} {zone_name}")
        }
    }

    /// The weekday a month grid starts on in this locale and region
    /// (Monday in Germany, Sunday in the United States, Saturday in Egypt).
    pub fn first_day_of_week(&self) -> chrono::Weekday {
        use icu_calendar::types::Weekday as W;
        match self.week.first_weekday {
            W::Monday => chrono::Weekday::Mon,
            W::Tuesday => chrono::Weekday::Tue,
            W::Wednesday => chrono::Weekday::Wed,
            W::Thursday => chrono::Weekday::Thu,
            W::Friday => chrono::Weekday::Fri,
            W::Saturday => chrono::Weekday::Sat,
            W::Sunday => chrono::Weekday::Sun,
        }
    }

    /// The seven weekday names in the order of a month grid's columns,
    /// starting at [`Formatter::first_day_of_week`].
    pub fn month_grid_weekdays(&self) -> Vec<WeekdayName> {
        // 2024-01-01 was a Monday.
        let mut weekday = self.first_day_of_week();
        let mut names = Vec::with_capacity(7);
        for _ in 0..7 {
            let day = 1 + weekday.num_days_from_monday();
            let date = gregorian(NaiveDate::from_ymd_opt(2024, 1, day).unwrap_or_default());
            names.push(WeekdayName {
                weekday,
                long: self.weekday_long.format(&date).to_string(),
                short: self.weekday_short.format(&date).to_string(),
            });
            weekday = weekday.succ();
        }
        names
    }

    /// How far `then` is from `now`, in the largest unit that fits:
    /// `in 3 days`, `2 hours ago`, `tomorrow`, `last month`.
    pub fn relative(&self, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let seconds = (then - now).num_seconds();
        let magnitude = seconds.unsigned_abs();
        let (unit, count) = match magnitude {
            0..60 => (Unit::Second, magnitude),
            60..3_600 => (Unit::Minute, magnitude / 60),
            3_600..86_400 => (Unit::Hour, magnitude / 3_600),
            86_400..604_800 => (Unit::Day, magnitude / 86_400),
            604_800..2_592_000 => (Unit::Week, magnitude / 604_800),
            2_592_000..31_536_000 => (Unit::Month, magnitude / 2_592_000),
            _ => (Unit::Year, magnitude / 31_536_000),
        };
        let signed = if seconds < 0 {
            -(count as i64)
        } else {
            count as i64
        };
        self.relative_in(unit, signed)
    }

    /// `in 3 days` (positive) or `3 days ago` (negative); `tomorrow`,
    /// `today` and `yesterday` where the locale has a word for them.
    pub fn relative_days(&self, days: i64) -> String {
        self.relative_in(Unit::Day, days)
    }

    fn relative_in(&self, unit: Unit, count: i64) -> String {
        let formatter = self.relative[unit as usize].get_or_init(|| {
            let prefs = (&self.locale).into();
            let options = RelativeTimeFormatterOptions::default().with_numeric(Numeric::Auto);
            let built = match unit {
                Unit::Second => RelativeTimeFormatter::try_new_long_second(prefs, options),
                Unit::Minute => RelativeTimeFormatter::try_new_long_minute(prefs, options),
                Unit::Hour => RelativeTimeFormatter::try_new_long_hour(prefs, options),
                Unit::Day => RelativeTimeFormatter::try_new_long_day(prefs, options),
                Unit::Week => RelativeTimeFormatter::try_new_long_week(prefs, options),
                Unit::Month => RelativeTimeFormatter::try_new_long_month(prefs, options),
                Unit::Year => RelativeTimeFormatter::try_new_long_year(prefs, options),
            };
            match built {
                Ok(formatter) => Some(formatter),
                Err(error) => {
                    tracing::error!(locale = %self.locale, %error, "no relative time data");
                    None
                }
            }
        });
        match formatter {
            Some(formatter) => formatter.format(Decimal::from(count)).to_string(),
            None => self.number(count),
        }
    }

    /// A whole number with the locale's digits and grouping: `1,234,567`
    /// (en), `1.234.567` (de), `12,34,567` (hi), `١٬٢٣٤٬٥٦٧` (ar).
    pub fn number(&self, value: i64) -> String {
        self.numbers.format(&Decimal::from(value)).to_string()
    }

    /// A number with at most `fraction_digits` decimals (trailing zeros
    /// dropped): `2.5`, `2,5`.
    pub fn decimal(&self, value: f64, fraction_digits: u8) -> String {
        self.numbers
            .format(&rounded(value, fraction_digits))
            .to_string()
    }

    /// A list joined the locale's way: `a, b, and c` (en-US),
    /// `a, b et c` (fr), `a、b、c` (ja).
    pub fn list<S: AsRef<str>>(&self, items: &[S]) -> String {
        self.list
            .format(items.iter().map(|item| item.as_ref()))
            .to_string()
    }

    /// Whether distances are shown in kilometres or miles here.
    pub fn distance_unit(&self) -> DistanceUnit {
        self.distance_unit
    }

    /// A distance in the region's unit, one decimal under ten:
    /// `2.5 mi` (en-US, en-GB), `4 km` (de), `٤ كم` (ar-EG).
    pub fn distance(&self, meters: f64) -> String {
        let amount = match self.distance_unit {
            DistanceUnit::Kilometre => meters / 1_000.0,
            DistanceUnit::Mile => meters / 1_609.344,
        };
        let digits = if amount < 10.0 { 1 } else { 0 };
        let number = self.decimal(amount, digits);
        let (before, after) = unit_pattern(self.locale.id.language.as_str(), self.distance_unit);
        format!("{before}{number}{after}")
    }
}

/// CLDR's short unit patterns for kilometres and miles in the shipped
/// languages, with a no-break space so the number never wraps away from
/// its unit. (ICU4X 2.x's unit formatter is experimental and cannot yet be
/// built for kilometres or miles.)
fn unit_pattern(language: &str, unit: DistanceUnit) -> (&'static str, &'static str) {
    match (language, unit) {
        ("ja", DistanceUnit::Kilometre) => ("", "\u{a0}km"),
        ("ja", DistanceUnit::Mile) => ("", "\u{a0}マイル"),
        ("zh", DistanceUnit::Kilometre) => ("", "公里"),
        ("zh", DistanceUnit::Mile) => ("", "英里"),
        ("hi", DistanceUnit::Kilometre) => ("", "\u{a0}कि॰मी॰"),
        ("hi", DistanceUnit::Mile) => ("", "\u{a0}मील"),
        ("ar", DistanceUnit::Kilometre) => ("", "\u{a0}كم"),
        ("ar", DistanceUnit::Mile) => ("", "\u{a0}ميل"),
        (_, DistanceUnit::Kilometre) => ("", "\u{a0}km"),
        (_, DistanceUnit::Mile) => ("", "\u{a0}mi"),
    }
}

fn rounded(value: f64, fraction_digits: u8) -> Decimal {
    let digits = i32::from(fraction_digits.min(6));
    let scaled = (value * 10f64.powi(digits)).round();
    // Beyond i64 a number is not something a person reads; clamp.
    let scaled = if scaled.is_finite() {
        scaled.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    };
    let mut decimal = Decimal::from(scaled);
    decimal.multiply_pow10(-(digits as i16));
    decimal.absolute.trim_end();
    decimal
}

fn gregorian(date: NaiveDate) -> Date<Gregorian> {
    // Every chrono date is a valid Gregorian date; the fallback (1970-01-01)
    // only keeps this total.
    Date::try_new_gregorian(date.year(), date.month() as u8, date.day() as u8)
        .unwrap_or_else(|_| Date::from_rata_die(RataDie::new(719_163), Gregorian))
}

fn icu_time_of(time: chrono::NaiveTime) -> Time {
    Time::try_new(time.hour() as u8, time.minute() as u8, 0, 0).unwrap_or(Time::start_of_day())
}

fn icu_date_time(at: NaiveDateTime) -> icu_time::DateTime<Gregorian> {
    icu_time::DateTime {
        date: gregorian(at.date()),
        time: icu_time_of(at.time()),
    }
}

fn zone_info(
    local: NaiveDateTime,
    zone: &Tz,
    offset_seconds: i32,
) -> TimeZoneInfo<icu_time::zone::models::AtTime> {
    let offset = UtcOffset::try_from_seconds(offset_seconds).ok();
    IcuTimeZone::from_iana_id(zone.name())
        .with_offset(offset)
        .at_date_time(icu_date_time(local))
}
