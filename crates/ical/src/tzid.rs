//! Turning the `TZID`s other calendar programs write into IANA zones.

use std::str::FromStr;

use chrono_tz::{TZ_VARIANTS, Tz};
use strum::IntoEnumIterator;
use windows_timezones::WindowsTimezone;

/// The IANA zone a `TZID` names, if it can be told without the file's own
/// `VTIMEZONE`s:
///
/// * an IANA name, matched exactly and then ignoring case;
/// * an IANA name behind a vendor prefix, such as
///   `/mozilla.org/20050126_1/America/New_York` (the longest trailing path
///   that is an IANA name wins);
/// * a Windows zone name, such as `W. Europe Standard Time`, through the
///   Unicode CLDR windowsZones table (every zone it lists, each read as the
///   IANA zone CLDR gives for its main territory);
/// * the display name Windows shows for such a zone, with or without its
///   `(UTC+10:00)` prefix, such as `Canberra, Melbourne, Sydney`, which some
///   Outlook versions write as the `TZID`.
pub fn resolve_tzid(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"').trim();
    if tzid.is_empty() {
        return None;
    }
    if let Some(tz) = iana(tzid) {
        return Some(tz);
    }
    if let Some(tz) = trailing_iana(tzid) {
        return Some(tz);
    }
    windows_zone(tzid).map(Tz::from)
}

/// The CLDR Windows zone `tzid` names, by its identifier or display name,
/// ignoring case and spacing.
fn windows_zone(tzid: &str) -> Option<WindowsTimezone> {
    let wanted = squeeze(tzid);
    let wanted_place = squeeze(without_offset_prefix(tzid));
    WindowsTimezone::iter()
        .find(|zone| squeeze(zone.name()) == wanted)
        .or_else(|| {
            WindowsTimezone::iter().find(|zone| {
                let shown = zone.description();
                squeeze(shown) == wanted || squeeze(without_offset_prefix(shown)) == wanted_place
            })
        })
}

/// `Canberra, Melbourne, Sydney` from `(UTC+10:00) Canberra, Melbourne, Sydney`.
fn without_offset_prefix(name: &str) -> &str {
    let name = name.trim();
    match name.strip_prefix('(').and_then(|rest| rest.split_once(')')) {
        Some((offset, place)) if offset.starts_with("UTC") || offset.starts_with("GMT") => {
            place.trim()
        }
        _ => name,
    }
}

/// Lower case with runs of spaces made one, for comparing names as typed.
fn squeeze(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn iana(name: &str) -> Option<Tz> {
    Tz::from_str(name).ok().or_else(|| {
        TZ_VARIANTS
            .iter()
            .copied()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
    })
}

/// The longest `/`-separated tail of `tzid` that is an IANA name.
fn trailing_iana(tzid: &str) -> Option<Tz> {
    tzid.match_indices('/')
        .map(|(at, _)| &tzid[at + 1..])
        .filter(|tail| !tail.is_empty())
        .find_map(iana)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cldr_windows_zone_maps_to_a_known_iana_zone() {
        let mut count = 0;
        for zone in WindowsTimezone::iter() {
            count += 1;
            assert!(
                Tz::from_str(zone.tzdb_id()).is_ok(),
                "{} -> {}",
                zone.name(),
                zone.tzdb_id()
            );
            // `UTC` is an IANA name as well, and read as such.
            if Tz::from_str(zone.name()).is_err() {
                assert_eq!(
                    resolve_tzid(zone.name()).map(|tz| tz.name()),
                    Some(zone.tzdb_id()),
                    "{}",
                    zone.name()
                );
            }
            // Windows' display name, as some Outlook versions write it.
            assert_eq!(
                resolve_tzid(zone.description()).map(|tz| tz.name()),
                Some(zone.tzdb_id()),
                "{}",
                zone.description()
            );
        }
        // CLDR lists about 140 Windows zones; the old table had 50.
        assert!(count > 130, "{count} Windows zones");
    }

    #[test]
    fn resolves_names_in_the_forms_calendars_write() {
        let cases = [
            ("America/New_York", Some("America/New_York")),
            ("  europe/berlin ", Some("Europe/Berlin")),
            ("\"Europe/Paris\"", Some("Europe/Paris")),
            (
                "/mozilla.org/20050126_1/America/New_York",
                Some("America/New_York"),
            ),
            (
                "/citadel.org/20190914_1/Europe/Berlin",
                Some("Europe/Berlin"),
            ),
            (
                "/softwarestudio.org/Olson_20011030_5/America/Argentina/Buenos_Aires",
                Some("America/Argentina/Buenos_Aires"),
            ),
            ("Eastern Standard Time", Some("America/New_York")),
            ("w. europe standard time", Some("Europe/Berlin")),
            ("Canberra, Melbourne, Sydney", Some("Australia/Sydney")),
            (
                "(UTC+10:00) Canberra, Melbourne, Sydney",
                Some("Australia/Sydney"),
            ),
            ("Aleutian Standard Time", Some("America/Adak")),
            ("Yukon Standard Time", Some("America/Whitehorse")),
            ("Nepal Standard Time", Some("Asia/Katmandu")),
            ("Coordinated Universal Time", Some("Etc/UTC")),
            ("UTC", Some("UTC")),
            ("Foo/Bar", None),
            ("", None),
            ("/", None),
        ];
        for (tzid, expected) in cases {
            assert_eq!(resolve_tzid(tzid).map(|tz| tz.name()), expected, "{tzid}");
        }
    }
}
