//! Dates as each format wants them.

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC to the second, as Atom and JSON Feed use:
/// `2026-12-08T19:00:00Z`.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// RFC 822 with a four-digit year, as RSS 2.0 uses:
/// `Tue, 08 Dec 2026 19:00:00 +0000`.
///
/// Written by hand rather than with chrono's RFC 2822 writer, which leaves
/// the day unpadded; a two-digit day is what RSS readers know best.
pub(crate) fn rfc822(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_both_styles() {
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 19, 0, 0).unwrap();
        assert_eq!(rfc3339(at), "2026-12-08T19:00:00Z");
        assert_eq!(rfc822(at), "Tue, 08 Dec 2026 19:00:00 +0000");
    }

    #[test]
    fn drops_fractions_of_a_second() {
        let at = Utc.timestamp_opt(1_800_000_000, 999_999_999).unwrap();
        assert_eq!(rfc3339(at), "2027-01-15T08:00:00Z");
        assert_eq!(rfc822(at), "Fri, 15 Jan 2027 08:00:00 +0000");
    }
}
