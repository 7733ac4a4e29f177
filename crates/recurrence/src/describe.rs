//! Repeat rules in plain words ("every third Saturday of the month"), for
//! the rules people meet: those the event form makes and the common shapes
//! imported feeds carry. A rule this module cannot say honestly gets no
//! words at all, so a page can say "repeats on a custom schedule" instead
//! of something half true.

use chrono::{Datelike, NaiveDate, Weekday};

const ORDINALS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];

/// The rule `rule` (an `RRULE` value) of a series starting on `start`, in
/// plain words, or `None` when it holds parts that would not read honestly
/// in a short phrase (`BYSETPOS`, `BYWEEKNO`, `BYHOUR`, ordinals beyond the
/// fifth, several months…).
///
/// ```
/// use chrono::NaiveDate;
/// let start = NaiveDate::from_ymd_opt(2026, 12, 19).unwrap();
/// assert_eq!(
///     convene_recurrence::describe_rule("FREQ=MONTHLY;BYDAY=3SA", start).as_deref(),
///     Some("every third Saturday of the month"),
/// );
/// ```
pub fn describe_rule(rule: &str, start: NaiveDate) -> Option<String> {
    let rule = rule.trim();
    let rule = rule
        .strip_prefix("RRULE:")
        .or_else(|| rule.strip_prefix("rrule:"))
        .unwrap_or(rule);
    let mut freq = None;
    let mut interval = 1_u32;
    let mut by_day: Vec<(Option<i32>, Weekday)> = Vec::new();
    let mut by_month_day: Vec<i32> = Vec::new();
    let mut by_month: Vec<u32> = Vec::new();
    let mut count = None;
    let mut until = None;
    for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
        let (key, value) = part.split_once('=')?;
        let value = value.trim().to_ascii_uppercase();
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value),
            "INTERVAL" => interval = value.parse().ok().filter(|n| *n >= 1)?,
            "BYDAY" => {
                for d in value.split(',') {
                    by_day.push(weekday_with_ordinal(d)?);
                }
            }
            "BYMONTHDAY" => {
                for d in value.split(',') {
                    by_month_day.push(d.parse().ok().filter(|n: &i32| *n != 0 && n.abs() <= 31)?);
                }
            }
            "BYMONTH" => {
                for m in value.split(',') {
                    by_month.push(m.parse().ok().filter(|n| (1..=12).contains(n))?);
                }
            }
            "COUNT" => count = Some(value.parse::<u32>().ok()?),
            "UNTIL" => until = Some(until_date(&value)?),
            // The week start changes nothing a phrase below says.
            "WKST" => {}
            _ => return None,
        }
    }
    let body = match freq?.as_str() {
        "HOURLY" if by_day.is_empty() && by_month_day.is_empty() && by_month.is_empty() => {
            every(interval, "hour", "hours")
        }
        "DAILY" if by_day.is_empty() && by_month_day.is_empty() && by_month.is_empty() => {
            every(interval, "day", "days")
        }
        "WEEKLY" => weekly(interval, &by_day, &by_month_day, &by_month, start)?,
        "MONTHLY" => monthly(interval, &by_day, &by_month_day, &by_month, start)?,
        "YEARLY" => yearly(interval, &by_day, &by_month_day, &by_month, start)?,
        _ => return None,
    };
    let mut text = body;
    match (count, until) {
        (Some(1), _) => return Some("once".to_owned()),
        (Some(n), _) => text.push_str(&format!(", {n} times")),
        (None, Some(d)) => text.push_str(&format!(", until {}", d.format("%-d %B %Y"))),
        (None, None) => {}
    }
    Some(text)
}

fn every(interval: u32, one: &str, many: &str) -> String {
    match interval {
        1 => format!("every {one}"),
        2 => format!("every other {one}"),
        n => format!("every {n} {many}"),
    }
}

fn weekly(
    interval: u32,
    by_day: &[(Option<i32>, Weekday)],
    by_month_day: &[i32],
    by_month: &[u32],
    start: NaiveDate,
) -> Option<String> {
    if !by_month_day.is_empty() || !by_month.is_empty() || by_day.iter().any(|d| d.0.is_some()) {
        return None;
    }
    let days: Vec<Weekday> = if by_day.is_empty() {
        vec![start.weekday()]
    } else {
        by_day.iter().map(|d| d.1).collect()
    };
    let names = join(
        &days
            .iter()
            .map(|d| day_name(*d).to_owned())
            .collect::<Vec<_>>(),
    );
    Some(match interval {
        1 if days.len() == 7 => "every day".to_owned(),
        1 => format!("every {names}"),
        2 => format!("every other week on {names}"),
        n => format!("every {n} weeks on {names}"),
    })
}

fn month_span(interval: u32) -> String {
    match interval {
        1 => "of the month".to_owned(),
        2 => "of every other month".to_owned(),
        n => format!("of every {n} months"),
    }
}

fn monthly(
    interval: u32,
    by_day: &[(Option<i32>, Weekday)],
    by_month_day: &[i32],
    by_month: &[u32],
    start: NaiveDate,
) -> Option<String> {
    if !by_month.is_empty() || (!by_day.is_empty() && !by_month_day.is_empty()) {
        return None;
    }
    if !by_day.is_empty() {
        if by_day.iter().all(|d| d.0.is_none()) {
            // Every such weekday of the month is every such weekday.
            if interval != 1 {
                return None;
            }
            return weekly(1, by_day, &[], &[], start);
        }
        if by_day.iter().any(|d| d.0.is_none()) {
            return None;
        }
        let same_day = by_day.iter().all(|d| d.1 == by_day[0].1);
        let phrase = if same_day {
            let ords: Vec<String> = by_day
                .iter()
                .map(|d| ordinal(d.0.unwrap_or(1)).map(str::to_owned))
                .collect::<Option<_>>()?;
            format!("{} {}", join(&ords), day_name(by_day[0].1))
        } else {
            let each: Vec<String> = by_day
                .iter()
                .map(|d| ordinal(d.0.unwrap_or(1)).map(|o| format!("{o} {}", day_name(d.1))))
                .collect::<Option<_>>()?;
            join(&each)
        };
        return Some(format!("every {phrase} {}", month_span(interval)));
    }
    let days: Vec<i32> = if by_month_day.is_empty() {
        vec![i32::try_from(start.day()).ok()?]
    } else {
        by_month_day.to_vec()
    };
    let names: Vec<String> = days.iter().map(|d| month_day(*d)).collect::<Option<_>>()?;
    let names = join(&names);
    Some(match interval {
        1 => format!("monthly on the {names}"),
        2 => format!("every other month on the {names}"),
        n => format!("every {n} months on the {names}"),
    })
}

fn yearly(
    interval: u32,
    by_day: &[(Option<i32>, Weekday)],
    by_month_day: &[i32],
    by_month: &[u32],
    start: NaiveDate,
) -> Option<String> {
    let month = match by_month {
        [] => start.month(),
        [m] => *m,
        _ => return None,
    };
    let month_name = NaiveDate::from_ymd_opt(2000, month, 1)?
        .format("%B")
        .to_string();
    let when = match (by_day, by_month_day) {
        ([], []) if by_month.is_empty() || month == start.month() => {
            format!("on {} {month_name}", start.day())
        }
        ([], [d]) if *d > 0 => format!("on {d} {month_name}"),
        ([], [-1]) => format!("on the last day of {month_name}"),
        ([(Some(n), day)], []) => {
            format!("on the {} {} of {month_name}", ordinal(*n)?, day_name(*day))
        }
        _ => return None,
    };
    Some(match interval {
        1 => format!("every year {when}"),
        2 => format!("every other year {when}"),
        n => format!("every {n} years {when}"),
    })
}

fn weekday_with_ordinal(s: &str) -> Option<(Option<i32>, Weekday)> {
    let s = s.trim();
    if s.len() < 2 {
        return None;
    }
    let (num, code) = s.split_at(s.len() - 2);
    let day = match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    };
    let n = match num.trim_start_matches('+') {
        "" => None,
        n => Some(n.parse::<i32>().ok().filter(|n| *n != 0)?),
    };
    Some((n, day))
}

fn ordinal(n: i32) -> Option<&'static str> {
    match n {
        1..=5 => usize::try_from(n - 1).ok().map(|i| ORDINALS[i]),
        -1 => Some("last"),
        -2 => Some("second-to-last"),
        _ => None,
    }
}

fn month_day(d: i32) -> Option<String> {
    match d {
        -1 => Some("last day".to_owned()),
        -2 => Some("second-to-last day".to_owned()),
        1..=31 => {
            let suffix = match (d % 10, d % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            Some(format!("{d}{suffix}"))
        }
        _ => None,
    }
}

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn until_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
}

#[cfg(test)]
mod tests {
    use super::describe_rule;
    use chrono::NaiveDate;

    fn says(rule: &str, start: (i32, u32, u32)) -> Option<String> {
        let start = NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap();
        describe_rule(rule, start)
    }

    const SAT: (i32, u32, u32) = (2026, 12, 19);

    #[test]
    fn every_shape_the_event_form_makes() {
        let cases = [
            ("FREQ=WEEKLY;BYDAY=SA", "every Saturday"),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
                "every other week on Saturday",
            ),
            (
                "FREQ=MONTHLY;BYDAY=3SA",
                "every third Saturday of the month",
            ),
            (
                "FREQ=MONTHLY;BYDAY=-1SA",
                "every last Saturday of the month",
            ),
            ("FREQ=MONTHLY;BYMONTHDAY=19", "monthly on the 19th"),
            ("FREQ=YEARLY", "every year on 19 December"),
            (
                "FREQ=MONTHLY;BYDAY=3SA;COUNT=10",
                "every third Saturday of the month, 10 times",
            ),
            (
                "FREQ=MONTHLY;BYDAY=3SA;UNTIL=20271231T235959Z",
                "every third Saturday of the month, until 31 December 2027",
            ),
            (
                "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270630",
                "every Saturday, until 30 June 2027",
            ),
        ];
        for (rule, words) in cases {
            assert_eq!(says(rule, SAT).as_deref(), Some(words), "{rule}");
        }
    }

    #[test]
    fn common_imported_shapes() {
        let cases = [
            ("FREQ=DAILY", "every day"),
            ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
            ("FREQ=HOURLY;INTERVAL=2", "every other hour"),
            ("FREQ=WEEKLY", "every Saturday"),
            ("FREQ=WEEKLY;BYDAY=TU,TH", "every Tuesday and Thursday"),
            (
                "FREQ=WEEKLY;BYDAY=MO,WE,FR;WKST=MO",
                "every Monday, Wednesday and Friday",
            ),
            (
                "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH",
                "every 3 weeks on Thursday",
            ),
            (
                "FREQ=MONTHLY;BYDAY=1TU,3TU",
                "every first and third Tuesday of the month",
            ),
            (
                "FREQ=MONTHLY;BYDAY=1MO,3WE",
                "every first Monday and third Wednesday of the month",
            ),
            (
                "FREQ=MONTHLY;BYDAY=-2FR",
                "every second-to-last Friday of the month",
            ),
            (
                "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
                "every second Tuesday of every other month",
            ),
            ("FREQ=MONTHLY", "monthly on the 19th"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=1,15",
                "monthly on the 1st and 15th",
            ),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "monthly on the last day"),
            (
                "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=2",
                "every 3 months on the 2nd",
            ),
            ("FREQ=MONTHLY;BYDAY=SA", "every Saturday"),
            (
                "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
                "every year on the last Monday of May",
            ),
            ("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4", "every year on 4 July"),
            ("FREQ=YEARLY;INTERVAL=2", "every other year on 19 December"),
            ("RRULE:FREQ=WEEKLY;BYDAY=SA", "every Saturday"),
            ("FREQ=WEEKLY;COUNT=1", "once"),
            ("FREQ=MONTHLY;BYMONTHDAY=11", "monthly on the 11th"),
            ("FREQ=MONTHLY;BYMONTHDAY=22", "monthly on the 22nd"),
        ];
        for (rule, words) in cases {
            assert_eq!(says(rule, SAT).as_deref(), Some(words), "{rule}");
        }
    }

    #[test]
    fn rules_it_cannot_say_honestly_get_no_words() {
        for rule in [
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=YEARLY;BYWEEKNO=20",
            "FREQ=DAILY;BYHOUR=9,17",
            "FREQ=MONTHLY;BYDAY=6SA",
            "FREQ=YEARLY;BYMONTH=1,7",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=SA",
            "FREQ=WEEKLY;BYDAY=2SA",
            "FREQ=SOMETIMES",
            "BYDAY=SA",
            "FREQ=WEEKLY;BYDAY=XX",
            "",
        ] {
            assert_eq!(says(rule, SAT), None, "{rule}");
        }
    }
}
