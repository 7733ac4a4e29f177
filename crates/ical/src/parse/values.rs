//! Property values: TEXT (RFC 5545 §3.3.11), DATE and DATE-TIME (§3.3.4,
//! §3.3.5) and DURATION (§3.3.6).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Undoes TEXT escaping: `\n`/`\N` become a newline, `\,` `\;` `\\` the
/// character itself. Other escapes, which some producers write (`\:`), lose
/// their backslash too; a lone trailing backslash is kept.
pub(super) fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a TEXT list (`CATEGORIES`) at commas that are not escaped, and
/// unescapes each item.
pub(super) fn split_text_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (at, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                items.push(unescape_text(&value[start..at]));
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(unescape_text(&value[start..]));
    items
}

/// `YYYYMMDD`.
pub(super) fn parse_date(value: &str) -> Option<NaiveDate> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        value[..4].parse().ok()?,
        value[4..6].parse().ok()?,
        value[6..].parse().ok()?,
    )
}

/// `YYYYMMDDTHHMMSS` with an optional trailing `Z`; the flag says whether it
/// was there. A leap second (`60`) is read as `59`.
pub(super) fn parse_date_time(value: &str) -> Option<(NaiveDateTime, bool)> {
    let (value, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (value, false),
    };
    let (date, time) = value.split_once(['T', 't'])?;
    if time.len() != 6 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let second: u32 = time[4..].parse().ok()?;
    let time = NaiveTime::from_hms_opt(
        time[..2].parse().ok()?,
        time[2..4].parse().ok()?,
        second.min(59),
    )?;
    Some((parse_date(date)?.and_time(time), utc))
}

/// A DURATION split into the nominal days (weeks count as 7) and the exact
/// seconds, both carrying the sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub days: i64,
    pub seconds: i64,
}

impl Span {
    pub fn is_negative(self) -> bool {
        self.days < 0 || self.seconds < 0
    }

    pub fn exact(self) -> Option<Duration> {
        Duration::try_days(self.days)?.checked_add(&Duration::try_seconds(self.seconds)?)
    }
}

/// `[+|-]P[nW][nD][T[nH][nM][nS]]`. Rejects an empty duration (`P`, `PT`) and
/// numbers too large to be a plausible event length.
pub(super) fn parse_duration(value: &str) -> Option<Span> {
    const MAX_NUMBER: i64 = 1_000_000_000;
    let value = value.trim();
    let (sign, rest) = match value.as_bytes().first()? {
        b'-' => (-1, &value[1..]),
        b'+' => (1, &value[1..]),
        _ => (1, value),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let (mut days, mut seconds) = (0i64, 0i64);
    let mut in_time = false;
    let mut number: Option<i64> = None;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            d @ '0'..='9' => {
                let digit = i64::from(d as u8 - b'0');
                let next = number.unwrap_or(0) * 10 + digit;
                if next > MAX_NUMBER {
                    return None;
                }
                number = Some(next);
            }
            'T' if !in_time && number.is_none() => in_time = true,
            unit => {
                let n = number.take()?;
                match (unit, in_time) {
                    ('W', false) => days += n * 7,
                    ('D', false) => days += n,
                    ('H', true) => seconds += n * 3600,
                    ('M', true) => seconds += n * 60,
                    ('S', true) => seconds += n,
                    _ => return None,
                }
                any = true;
            }
        }
    }
    if number.is_some() || !any {
        return None;
    }
    Some(Span {
        days: sign * days,
        seconds: sign * seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_text() {
        assert_eq!(unescape_text(r"a\,b\;c\\d\ne\Nf\:g\"), "a,b;c\\d\ne\nf:g\\");
    }

    #[test]
    fn splits_lists_at_unescaped_commas() {
        assert_eq!(
            split_text_list(r"Python,Meetup\, monthly,a\\,b"),
            vec!["Python", "Meetup, monthly", "a\\", "b"]
        );
    }

    #[test]
    fn parses_dates_and_date_times() {
        assert_eq!(parse_date("20260229"), None);
        assert_eq!(parse_date("2026031"), None);
        assert_eq!(parse_date("20260301"), NaiveDate::from_ymd_opt(2026, 3, 1));
        let (at, utc) = parse_date_time("20261231T235960Z").unwrap();
        assert!(utc);
        assert_eq!(at.to_string(), "2026-12-31 23:59:59");
        assert_eq!(parse_date_time("20261231T2359"), None);
        assert_eq!(parse_date_time("20261231"), None);
        assert_eq!(parse_date_time("20261231T246000"), None);
    }

    #[test]
    fn parses_durations() {
        let span = |days, seconds| Some(Span { days, seconds });
        assert_eq!(parse_duration("PT1H30M"), span(0, 5400));
        assert_eq!(parse_duration("P1D"), span(1, 0));
        assert_eq!(parse_duration("P2W"), span(14, 0));
        assert_eq!(parse_duration("-P1DT2S"), span(-1, -2));
        assert_eq!(parse_duration("+P0D"), span(0, 0));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("PT1D"), None);
        assert_eq!(parse_duration("P1"), None);
        assert_eq!(parse_duration("P99999999999D"), None);
        assert_eq!(parse_duration("1D"), None);
    }
}
