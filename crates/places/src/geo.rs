//! Distances on the Earth's surface and coordinates typed by hand.

/// Mean Earth radius in kilometres (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in kilometres between two points given in degrees,
/// by the haversine formula on a sphere of the mean Earth radius
/// (6371.0088 km). Good to about 0.5% anywhere on Earth.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Reads "latitude, longitude" in decimal degrees, as in "42.37, -71.11",
/// "42.37,-71.11" or "42.37 -71.11" (surrounding brackets are allowed).
/// `None` for anything else, and when the latitude is outside −90..=90 or the
/// longitude outside −180..=180.
pub fn parse_coordinates(input: &str) -> Option<(f64, f64)> {
    let trimmed = input.trim();
    let inner = trimmed
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .or_else(|| {
            trimmed
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
        })
        .unwrap_or(trimmed);
    let parts: Vec<&str> = if inner.contains(',') {
        inner.split(',').map(str::trim).collect()
    } else {
        inner.split_whitespace().collect()
    };
    let [lat, lon] = parts.as_slice() else {
        return None;
    };
    let lat = parse_degrees(lat)?;
    let lon = parse_degrees(lon)?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// A plain decimal number: digits, at most one point, an optional sign.
/// Rejects what `f64::from_str` also takes ("inf", "NaN", "1e3").
fn parse_degrees(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1;
    if !plain {
        return None;
    }
    text.parse().ok()
}
