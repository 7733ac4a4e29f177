//! Which part of the globe each view shows.

use crate::data::{self, BBox, Country};
use crate::geo::covering_span;
use crate::{View, Viewport};

/// The world view: every continent but Antarctica. The left edge runs
/// through the Bering Strait (east of Chukotka's tip, west of Alaska's), so
/// Russia, Fiji and New Zealand's outlying islands stay whole on the right.
pub(crate) const WORLD: Viewport = Viewport {
    min_lon: -168.5,
    min_lat: -57.0,
    max_lon: 191.5,
    max_lat: 84.0,
};

/// Hand-chosen boxes per continent code. Longitudes past 180 keep the
/// Pacific together (Oceania runs from Western Australia to Samoa and the
/// Cook Islands).
const CONTINENT_BOXES: [(&str, Viewport); 7] = [
    (
        "AF",
        Viewport {
            min_lon: -26.0,
            min_lat: -36.0,
            max_lon: 64.0,
            max_lat: 38.5,
        },
    ),
    (
        "AN",
        Viewport {
            min_lon: -180.0,
            min_lat: -90.0,
            max_lon: 180.0,
            max_lat: -55.0,
        },
    ),
    (
        "AS",
        Viewport {
            min_lon: 25.0,
            min_lat: -12.0,
            max_lon: 165.0,
            max_lat: 78.0,
        },
    ),
    (
        "EU",
        Viewport {
            min_lon: -25.0,
            min_lat: 34.0,
            max_lon: 45.0,
            max_lat: 71.5,
        },
    ),
    (
        "NA",
        Viewport {
            min_lon: -170.0,
            min_lat: 5.0,
            max_lon: -20.0,
            max_lat: 80.0,
        },
    ),
    (
        "OC",
        Viewport {
            min_lon: 110.0,
            min_lat: -50.0,
            max_lon: 200.0,
            max_lat: 20.0,
        },
    ),
    (
        "SA",
        Viewport {
            min_lon: -93.0,
            min_lat: -56.5,
            max_lon: -32.0,
            max_lat: 14.0,
        },
    ),
];

/// Countries whose far-flung parts are as large as the parts people expect
/// to see: only polygons centred in the given box count when framing them.
/// France's largest overseas part (French Guiana) and Norway's Svalbard
/// would otherwise widen the view to a continent.
const MAIN_REGIONS: [(&str, BBox); 2] = [
    (
        "FR",
        BBox {
            min_lon: -10.0,
            min_lat: 40.0,
            max_lon: 15.0,
            max_lat: 52.0,
        },
    ),
    (
        "NO",
        BBox {
            min_lon: 0.0,
            min_lat: 55.0,
            max_lon: 35.0,
            max_lat: 72.0,
        },
    ),
];

/// A polygon frames the country when its area is at least this share of
/// the largest one's.
const MAIN_SHARE: f64 = 0.1;
/// Smaller polygons still count when they lie within this share of the main
/// box's size beyond it (Tasmania, Corsica, Crete, Kaliningrad, Hawaii).
const NEARBY_SHARE: f64 = 0.2;
/// Padding around a country, as a share of its size on each side.
const PADDING: f64 = 0.08;
/// The smallest span shown for a country, in degrees (Monaco, Vatican City).
const MIN_SPAN: f64 = 0.6;
/// Allowed width/height of a country view, in projected units: narrow
/// countries (Chile, Norway) get their neighbours beside them, wide ones
/// (Russia, Indonesia) some sea above and below.
const MIN_ASPECT: f64 = 1.0;
const MAX_ASPECT: f64 = 2.0;

/// The view after resolving codes: unknown ones become [`Resolved::World`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    World,
    Continent(&'static str),
    Country(String),
}

impl Resolved {
    pub fn of(view: &View) -> Resolved {
        match view {
            View::World => Resolved::World,
            View::Continent(code) => match crate::continent(code) {
                Some(code) => Resolved::Continent(code),
                None => Resolved::World,
            },
            View::Country(code) => {
                let code = code.trim().to_ascii_uppercase();
                if data::fine().get(&code).is_some() {
                    Resolved::Country(code)
                } else {
                    Resolved::World
                }
            }
        }
    }

    /// A short name for caches and element ids: `world`, `eu`, `country-de`.
    pub fn slug(&self) -> String {
        match self {
            Resolved::World => "world".to_owned(),
            Resolved::Continent(code) => code.to_ascii_lowercase(),
            Resolved::Country(code) => format!("country-{}", code.to_ascii_lowercase()),
        }
    }

    pub fn viewport(&self) -> Viewport {
        match self {
            Resolved::World => WORLD,
            Resolved::Continent(code) => CONTINENT_BOXES
                .iter()
                .find(|(c, _)| c == code)
                .map_or(WORLD, |(_, vp)| *vp),
            Resolved::Country(code) => data::fine()
                .get(code)
                .and_then(country_viewport)
                .unwrap_or(WORLD),
        }
    }
}

/// The cosine used to scale longitudes at a latitude, kept away from zero.
pub(crate) fn x_scale(mid_lat: f64) -> f64 {
    mid_lat.to_radians().cos().max(0.2)
}

fn country_viewport(country: &Country) -> Option<Viewport> {
    let region = MAIN_REGIONS
        .iter()
        .find(|(code, _)| *code == country.code)
        .map(|(_, region)| region);
    let candidates: Vec<_> = country
        .polygons
        .iter()
        .filter(|p| {
            region.is_none_or(|r| {
                let lon = (p.bbox.min_lon + p.bbox.max_lon) / 2.0;
                let lat = (p.bbox.min_lat + p.bbox.max_lat) / 2.0;
                r.min_lon <= lon && lon <= r.max_lon && r.min_lat <= lat && lat <= r.max_lat
            })
        })
        .collect();
    let largest = candidates.iter().map(|p| p.area).fold(0.0, f64::max);
    let (main, rest): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|p| p.area >= MAIN_SHARE * largest);

    let spans: Vec<(f64, f64)> = main
        .iter()
        .map(|p| (p.bbox.min_lon, p.bbox.max_lon))
        .collect();
    let (west, east) = covering_span(&spans)?;
    let mut core = BBox {
        min_lon: west,
        max_lon: east,
        min_lat: main.iter().map(|p| p.bbox.min_lat).fold(90.0, f64::min),
        max_lat: main.iter().map(|p| p.bbox.max_lat).fold(-90.0, f64::max),
    };

    let reach_lon = core.width() * NEARBY_SHARE;
    let reach_lat = core.height() * NEARBY_SHARE;
    let near = BBox {
        min_lon: core.min_lon - reach_lon,
        min_lat: core.min_lat - reach_lat,
        max_lon: core.max_lon + reach_lon,
        max_lat: core.max_lat + reach_lat,
    };
    for polygon in rest {
        for offset in [0.0, 360.0, -360.0] {
            let shifted = polygon.bbox.shifted(offset);
            if near.contains_box(&shifted) {
                core = core.union(shifted);
                break;
            }
        }
    }
    Some(frame(core))
}

/// Pads a country's box, widens it to a sensible shape and keeps it on the globe.
fn frame(core: BBox) -> Viewport {
    let mid_lon = (core.min_lon + core.max_lon) / 2.0;
    let mid_lat = (core.min_lat + core.max_lat) / 2.0;
    let k = x_scale(mid_lat);
    let mut lon_span = (core.width() * (1.0 + 2.0 * PADDING)).max(MIN_SPAN);
    let mut lat_span = (core.height() * (1.0 + 2.0 * PADDING)).max(MIN_SPAN);
    let aspect = lon_span * k / lat_span;
    if aspect < MIN_ASPECT {
        lon_span = lat_span * MIN_ASPECT / k;
    } else if aspect > MAX_ASPECT {
        lat_span = lon_span * k / MAX_ASPECT;
    }
    lon_span = lon_span.min(360.0);
    lat_span = lat_span.min(180.0);

    let mut min_lat = mid_lat - lat_span / 2.0;
    let mut max_lat = mid_lat + lat_span / 2.0;
    if min_lat < -90.0 {
        max_lat += -90.0 - min_lat;
        min_lat = -90.0;
    }
    if max_lat > 90.0 {
        min_lat = (min_lat - (max_lat - 90.0)).max(-90.0);
        max_lat = 90.0;
    }
    let (mut min_lon, mut max_lon) = if lon_span >= 360.0 {
        (-180.0, 180.0)
    } else {
        (mid_lon - lon_span / 2.0, mid_lon + lon_span / 2.0)
    };
    let shift = ((min_lon + 180.0) / 360.0).floor() * 360.0;
    min_lon -= shift;
    max_lon -= shift;
    Viewport {
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_gets_a_sane_frame() {
        for country in &data::fine().countries {
            let vp = Resolved::Country(country.code.clone()).viewport();
            let code = &country.code;
            assert_ne!(vp, WORLD, "{code}");
            assert!(vp.min_lon >= -180.0 && vp.min_lon < 180.0, "{code} {vp:?}");
            assert!(
                vp.max_lon > vp.min_lon && vp.max_lon - vp.min_lon <= 360.0,
                "{code} {vp:?}"
            );
            assert!(vp.min_lat >= -90.0 && vp.max_lat <= 90.0, "{code} {vp:?}");
            assert!(vp.max_lat - vp.min_lat >= MIN_SPAN - 1e-9, "{code} {vp:?}");
            // The largest polygon's middle is in view.
            let main = country
                .polygons
                .iter()
                .max_by(|a, b| a.area.total_cmp(&b.area))
                .unwrap();
            if !matches!(code.as_str(), "FR" | "NO") {
                let lat = (main.bbox.min_lat + main.bbox.max_lat) / 2.0;
                let lon = (main.bbox.min_lon + main.bbox.max_lon) / 2.0;
                assert!(vp.contains(lat, lon), "{code} {vp:?}");
            }
        }
    }

    #[test]
    fn continent_codes_resolve() {
        for code in crate::CONTINENTS {
            let resolved = Resolved::of(&View::Continent(code));
            assert_eq!(resolved, Resolved::Continent(code));
            assert_ne!(resolved.viewport(), WORLD);
        }
        assert_eq!(Resolved::of(&View::Continent("XX")), Resolved::World);
    }
}
