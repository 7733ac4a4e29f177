//! A program built with the same profile as `footprint` that links what
//! convene's binary already has anyway (chrono, chrono-tz, tracing), so that
//! the difference in size is what localisation adds.

use chrono::TimeZone;

fn main() {
    let zone_name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Europe/Berlin".into());
    let Ok(zone) = zone_name.parse::<chrono_tz::Tz>() else {
        tracing::error!(zone = %zone_name, "unknown zone");
        return;
    };
    let now = chrono::Utc::now();
    println!(
        "{}",
        zone.from_utc_datetime(&now.naive_utc())
            .format("%e %b %Y, %H:%M %Z")
    );
}
