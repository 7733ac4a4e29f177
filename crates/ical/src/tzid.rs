//! Turning the `TZID`s other calendar programs write into IANA zones.

use std::str::FromStr;

use chrono_tz::{TZ_VARIANTS, Tz};

/// Windows zone names (as Outlook and Exchange write them) and the IANA zone
/// each stands for, following the Unicode CLDR mapping for the zone's main
/// territory. (`UTC` needs no entry: it is an IANA name too.)
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Canada Central Standard Time", "America/Regina"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("Coordinated Universal Time", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// The IANA zone a `TZID` names, if it can be told without the file's own
/// `VTIMEZONE`s:
///
/// * an IANA name, matched exactly and then ignoring case;
/// * an IANA name behind a vendor prefix, such as
///   `/mozilla.org/20050126_1/America/New_York` (the longest trailing path
///   that is an IANA name wins);
/// * a common Windows zone name, such as `W. Europe Standard Time`.
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
    WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(tzid))
        .and_then(|(_, iana_name)| Tz::from_str(iana_name).ok())
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
    fn every_windows_zone_maps_to_a_known_iana_zone() {
        for (windows, iana_name) in WINDOWS_ZONES {
            assert!(Tz::from_str(iana_name).is_ok(), "{windows} -> {iana_name}");
            assert_eq!(resolve_tzid(windows).map(|tz| tz.name()), Some(*iana_name));
        }
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
