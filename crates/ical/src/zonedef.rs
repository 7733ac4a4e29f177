//! Time zones a file defines itself (RFC 5545 §3.6.5): the offsets a
//! `VTIMEZONE`'s `STANDARD` and `DAYLIGHT` observances put in force, and the
//! IANA zone that follows the same offsets.
//!
//! convene keeps every event's wall-clock times in an IANA zone, so that a
//! weekly 19:00 stays 19:00 across daylight-saving changes and the event can
//! be edited and exported like any other. A zone the file defines under a
//! name convene does not know (Outlook's `Canberra, Melbourne, Sydney`, a
//! made-up `TZID`) is therefore read as the IANA zone whose offsets agree
//! with the definition at every instant from two years before to six years
//! after the time being read. Only when no IANA zone agrees are the times
//! converted to UTC instants with the file's own rules, which keeps every
//! instant the file states right.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};
use convene_recurrence::{Bounds, Occurrence, Series, Start, Window, expand};
use strum::IntoEnumIterator;
use windows_timezones::WindowsTimezone;

/// One `STANDARD` or `DAYLIGHT` part of a `VTIMEZONE`, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observance {
    /// `DTSTART`: the first onset, as a wall-clock time read with
    /// `TZOFFSETFROM`.
    pub start: Option<NaiveDateTime>,
    /// `TZOFFSETFROM` in seconds east of UTC.
    pub offset_from: Option<i32>,
    /// `TZOFFSETTO` in seconds east of UTC.
    pub offset_to: Option<i32>,
    /// `RRULE`, as written.
    pub rrule: Option<String>,
    /// Every `RDATE`, as wall-clock times read with `TZOFFSETFROM`.
    pub rdates: Vec<NaiveDateTime>,
}

/// A `VTIMEZONE` as the file wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneDefinition {
    /// `TZID`.
    pub tzid: String,
    /// `X-LIC-LOCATION`, which some producers add with the IANA name.
    pub location: Option<String>,
    /// Its `STANDARD` and `DAYLIGHT` parts, in file order.
    pub observances: Vec<Observance>,
}

/// What a definition says about a range of time.
#[derive(Debug, Clone, PartialEq)]
pub enum DefinedZone {
    /// The IANA zone whose offsets agree with the definition over the range.
    Iana(Tz),
    /// No IANA zone agrees; these are the definition's own offset changes.
    Own(OffsetRules),
}

/// Why a definition cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneDefinitionError {
    /// No `STANDARD` or `DAYLIGHT` part with a `DTSTART` and a `TZOFFSETTO`.
    #[error(
        "its VTIMEZONE has no STANDARD or DAYLIGHT part with a DTSTART and a TZOFFSETTO, so it says nothing about the zone's offset from UTC"
    )]
    NoObservances,
}

/// The offset changes of a definition over a range, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetRules {
    /// The earliest onset the definition gives.
    first_onset: DateTime<Utc>,
    /// The offset in force before the first change.
    initial: i32,
    /// Each change: the instant and the offset from then on.
    changes: Vec<(DateTime<Utc>, i32)>,
}

impl OffsetRules {
    /// The offset (seconds east of UTC) in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> i32 {
        match self.changes.partition_point(|(when, _)| *when <= at) {
            0 => self.initial,
            n => self.changes[n - 1].1,
        }
    }

    /// The instant a wall-clock time stands for (RFC 5545 §3.3.5): a time
    /// that occurs twice is the first, one skipped by a change is read with
    /// the offset before it.
    pub fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let mut offsets = vec![self.initial];
        offsets.extend(self.changes.iter().map(|(_, to)| *to));
        offsets.sort_unstable();
        offsets.dedup();
        let candidates = offsets
            .iter()
            .filter_map(|offset| {
                let at = local
                    .checked_sub_signed(Duration::seconds(i64::from(*offset)))?
                    .and_utc();
                (self.offset_at(at) == *offset).then_some(at)
            })
            .min();
        candidates.or_else(|| {
            // In a gap: the offset in force a day before.
            let before = local.checked_sub_signed(Duration::days(1))?.and_utc();
            let offset = self.offset_at(before);
            Some(
                local
                    .checked_sub_signed(Duration::seconds(i64::from(offset)))?
                    .and_utc(),
            )
        })
    }

    fn has_changes_in(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.changes
            .iter()
            .any(|(when, offset)| *when > from && *when < to && *offset != self.offset_at(from))
    }
}

/// Years before and after the time being read over which an IANA zone must
/// agree with the definition.
const YEARS_BEFORE: i32 = 2;
const YEARS_AFTER: i32 = 6;

impl ZoneDefinition {
    /// The zone this definition stands for around `near` (a wall-clock
    /// time in it).
    pub fn resolve(&self, near: NaiveDateTime) -> Result<DefinedZone, ZoneDefinitionError> {
        let year = near.date().year_ce_or(2000);
        let from = year_start(year - YEARS_BEFORE);
        let to = year_start(year + YEARS_AFTER);
        let rules = self.rules(from, to)?;
        // Before its first onset a definition says nothing to compare.
        let from = from.max(rules.first_onset);
        if let Some(tz) = self.matching_iana(&rules, from, to) {
            return Ok(DefinedZone::Iana(tz));
        }
        Ok(DefinedZone::Own(rules))
    }

    /// The definition's offset changes up to `to`, with the offset in force
    /// before `from`.
    fn rules(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<OffsetRules, ZoneDefinitionError> {
        let mut onsets: Vec<(DateTime<Utc>, i32, i32)> = Vec::new();
        for observance in &self.observances {
            let (Some(start), Some(offset_to)) = (observance.start, observance.offset_to) else {
                continue;
            };
            let offset_from = observance.offset_from.unwrap_or(offset_to);
            for wall in onsets_of(observance, start, offset_from, to) {
                let Some(at) = wall.checked_sub_signed(Duration::seconds(i64::from(offset_from)))
                else {
                    continue;
                };
                onsets.push((at.and_utc(), offset_from, offset_to));
            }
        }
        if onsets.is_empty() {
            return Err(ZoneDefinitionError::NoObservances);
        }
        onsets.sort_by_key(|(at, _, _)| *at);
        onsets.dedup_by_key(|(at, _, _)| *at);
        let (first_onset, initial) = (onsets[0].0, onsets[0].1);
        // Only the last onset before `from` matters for what came earlier.
        let first_kept = onsets.partition_point(|(at, _, _)| *at <= from);
        let (initial, kept) = match first_kept {
            0 => (initial, &onsets[..]),
            n => (onsets[n - 1].2, &onsets[n..]),
        };
        Ok(OffsetRules {
            first_onset,
            initial,
            changes: kept.iter().map(|(at, _, to)| (*at, *to)).collect(),
        })
    }

    /// The first IANA zone, most likely first, whose offset agrees with
    /// `rules` everywhere in `[from, to)`.
    fn matching_iana(
        &self,
        rules: &OffsetRules,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<Tz> {
        // A fixed whole-hour offset is the `Etc/GMT` zone of that offset: no
        // place's later changes should move the file's times.
        if !rules.has_changes_in(from, to) {
            let offset = rules.offset_at(from);
            if offset % 3600 == 0 {
                let hours = -offset / 3600;
                let name = match hours {
                    0 => "Etc/UTC".to_owned(),
                    h => format!("Etc/GMT{h:+}"),
                };
                if let Ok(tz) = name.parse::<Tz>() {
                    return Some(tz);
                }
            }
        }
        let mut probes: Vec<DateTime<Utc>> = Vec::new();
        for (at, _) in &rules.changes {
            if *at >= from && *at < to {
                probes.push(*at);
                probes.push(*at - Duration::seconds(1));
            }
        }
        probes.push(from);
        let mut day = from;
        let mut daily = Vec::new();
        while day < to {
            daily.push(day);
            day += Duration::hours(24);
        }
        let agrees = |tz: Tz, at: &[DateTime<Utc>]| {
            at.iter().all(|instant| {
                tz.offset_from_utc_datetime(&instant.naive_utc())
                    .fix()
                    .local_minus_utc()
                    == rules.offset_at(*instant)
            })
        };
        self.candidates()
            .into_iter()
            .find(|tz| agrees(*tz, &probes) && agrees(*tz, &daily))
    }

    /// IANA zones in the order they are tried: the `X-LIC-LOCATION`, zones
    /// whose city the `TZID` names (`Canberra, Melbourne, Sydney`), the
    /// zones CLDR gives for Windows zone names, then every other zone.
    fn candidates(&self) -> Vec<Tz> {
        let mut out: Vec<Tz> = Vec::new();
        if let Some(tz) = self.location.as_deref().and_then(crate::resolve_tzid) {
            out.push(tz);
        }
        let words: Vec<String> = self
            .tzid
            .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect();
        let text = words.join(" ");
        for tz in TZ_VARIANTS {
            let city = tz
                .name()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace('_', " ")
                .to_lowercase();
            if is_current_name(tz.name()) && !city.is_empty() && contains_words(&text, &city) {
                out.push(tz);
            }
        }
        out.extend(WindowsTimezone::iter().map(Tz::from));
        out.extend(TZ_VARIANTS.iter().filter(|tz| is_current_name(tz.name())));
        let mut seen = std::collections::HashSet::new();
        out.retain(|tz| seen.insert(*tz));
        out
    }
}

/// A zone name of the `Area/City` form, not one of the old country-named
/// links (`US/Eastern`, `Canada/Pacific`) or an `Etc/` offset.
fn is_current_name(name: &str) -> bool {
    const AREAS: [&str; 10] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Arctic/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    AREAS.iter().any(|area| name.starts_with(area))
}

/// True if `phrase` occurs in `text` as whole words.
fn contains_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        before.is_none_or(|c| c == ' ') && after.is_none_or(|c| c == ' ')
    })
}

/// Every onset of an observance up to `to`: its `DTSTART`, its `RRULE`'s
/// dates and its `RDATE`s, as wall-clock times.
fn onsets_of(
    observance: &Observance,
    start: NaiveDateTime,
    offset_from: i32,
    to: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    let mut walls = vec![start];
    walls.extend(observance.rdates.iter().copied());
    if let Some(rule) = &observance.rrule {
        let series = Series {
            start: Start::Floating(start),
            rrule: Some(floating_until(rule, offset_from)),
            rdates: Vec::new(),
            exdates: Vec::new(),
        };
        let window = Window {
            from: DateTime::<Utc>::MIN_UTC,
            to: to + Duration::days(2),
            viewer: Tz::UTC,
        };
        // Outlook starts its observances in 1601; a yearly rule then needs
        // about 430 years to reach today.
        let bounds = Bounds {
            max_instances: 5_000,
            max_years: 1_000,
            max_scanned: 100_000,
        };
        // A rule convene cannot read leaves the observance its DTSTART and
        // RDATEs, as a reader that ignores the rule would.
        if let Ok(expansion) = expand(&series, &window, bounds) {
            walls.extend(expansion.occurrences.iter().filter_map(|o| match o {
                Occurrence::Floating(wall) => Some(*wall),
                _ => None,
            }));
        }
    }
    walls.sort_unstable();
    walls.dedup();
    walls
}

/// The rule with a UTC `UNTIL` turned into the wall-clock time of the
/// observance's onsets (read with `TZOFFSETFROM`), so that the last onset
/// is kept whatever side of UTC the zone is on.
fn floating_until(rule: &str, offset_from: i32) -> String {
    rule.split(';')
        .map(|part| {
            let Some((name, value)) = part.split_once('=') else {
                return part.to_owned();
            };
            if !name.trim().eq_ignore_ascii_case("UNTIL") {
                return part.to_owned();
            }
            let value = value.trim();
            let Some(utc) = value.strip_suffix(['Z', 'z']) else {
                return part.to_owned();
            };
            match NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S") {
                Ok(at) => {
                    let wall = at + Duration::seconds(i64::from(offset_from));
                    format!("UNTIL={}", wall.format("%Y%m%dT%H%M%S"))
                }
                Err(_) => part.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn year_start(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year.clamp(1, 9000), 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

trait YearCe {
    fn year_ce_or(&self, fallback: i32) -> i32;
}

impl YearCe for NaiveDate {
    fn year_ce_or(&self, fallback: i32) -> i32 {
        let year = chrono::Datelike::year(self);
        if (1..=9000).contains(&year) {
            year
        } else {
            fallback
        }
    }
}

/// `+HHMM`, `-HHMM` or `+HHMMSS` (RFC 5545 §3.3.14) in seconds east of UTC.
pub fn parse_utc_offset(value: &str) -> Option<i32> {
    let value = value.trim();
    let (sign, digits) = match value.as_bytes().first()? {
        b'+' => (1, &value[1..]),
        b'-' => (-1, &value[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..4].parse().ok()?;
    let seconds: i32 = if digits.len() == 6 {
        digits[4..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    fn observance(start: &str, from: &str, to: &str, rule: &str) -> Observance {
        Observance {
            start: Some(wall(start)),
            offset_from: parse_utc_offset(from),
            offset_to: parse_utc_offset(to),
            rrule: Some(rule.to_owned()),
            rdates: Vec::new(),
        }
    }

    #[test]
    fn reads_utc_offsets() {
        assert_eq!(parse_utc_offset("+1000"), Some(36_000));
        assert_eq!(parse_utc_offset("-0500"), Some(-18_000));
        assert_eq!(parse_utc_offset("+054500"), Some(20_700));
        assert_eq!(parse_utc_offset("0500"), None);
        assert_eq!(parse_utc_offset("+2500"), None);
        assert_eq!(parse_utc_offset("+05:00"), None);
    }

    #[test]
    fn outlooks_sydney_definition_is_australia_sydney() {
        let def = ZoneDefinition {
            tzid: "Canberra, Melbourne, Sydney".into(),
            location: None,
            observances: vec![
                observance(
                    "16010401T030000",
                    "+1100",
                    "+1000",
                    "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
                ),
                observance(
                    "16011007T020000",
                    "+1000",
                    "+1100",
                    "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10",
                ),
            ],
        };
        let zone = def.resolve(wall("20261203T180000")).unwrap();
        let DefinedZone::Iana(tz) = zone else {
            panic!("{zone:?}")
        };
        assert!(
            [
                "Australia/Sydney",
                "Australia/Melbourne",
                "Australia/Canberra"
            ]
            .contains(&tz.name()),
            "{}",
            tz.name()
        );
    }

    #[test]
    fn a_made_up_zone_without_daylight_saving_is_its_etc_zone() {
        let def = ZoneDefinition {
            tzid: "Our office".into(),
            location: None,
            observances: vec![observance("19700101T000000", "+0300", "+0300", "")],
        };
        assert_eq!(
            def.resolve(wall("20260101T090000")).unwrap(),
            DefinedZone::Iana(Tz::Etc__GMTMinus3)
        );
    }

    #[test]
    fn rules_no_iana_zone_follows_are_kept_as_offsets() {
        // Daylight saving from the second Sunday of February to the first of
        // November at +02:30: no zone does that.
        let def = ZoneDefinition {
            tzid: "Custom".into(),
            location: None,
            observances: vec![
                observance(
                    "20000213T020000",
                    "+0130",
                    "+0230",
                    "FREQ=YEARLY;BYMONTH=2;BYDAY=2SU",
                ),
                observance(
                    "20001105T030000",
                    "+0230",
                    "+0130",
                    "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
                ),
            ],
        };
        let DefinedZone::Own(rules) = def.resolve(wall("20260601T120000")).unwrap() else {
            panic!("matched a zone")
        };
        assert_eq!(
            rules.to_utc(wall("20260601T120000")).unwrap().to_rfc3339(),
            "2026-06-01T09:30:00+00:00"
        );
        assert_eq!(
            rules.to_utc(wall("20261201T120000")).unwrap().to_rfc3339(),
            "2026-12-01T10:30:00+00:00"
        );
    }

    #[test]
    fn a_definition_without_observances_cannot_be_used() {
        let def = ZoneDefinition {
            tzid: "Empty".into(),
            location: None,
            observances: vec![Observance::default()],
        };
        assert_eq!(
            def.resolve(wall("20260101T090000")),
            Err(ZoneDefinitionError::NoObservances)
        );
    }

    #[test]
    fn utc_until_is_read_in_the_onsets_wall_time() {
        assert_eq!(
            floating_until("FREQ=YEARLY;UNTIL=20061029T010000Z;BYDAY=-1SU", 7200),
            "FREQ=YEARLY;UNTIL=20061029T030000;BYDAY=-1SU"
        );
    }
}
