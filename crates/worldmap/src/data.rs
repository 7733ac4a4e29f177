//! The bundled country outlines (Natural Earth, public domain) and their parsing.
//!
//! Two sets are compiled in: the 1:110m outlines for the world view and the
//! 1:50m outlines for continents and countries. `data/README.md` describes
//! the format and how `data/generate.py` makes the files.

use std::sync::OnceLock;

static COARSE_TEXT: &str = include_str!("../data/countries-110m.txt");
static FINE_TEXT: &str = include_str!("../data/countries-50m.txt");

/// A box in degrees; `max_lon` may pass 180 for shapes that cross the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// The smallest box around `points`, or `None` when there are none.
    pub fn around(points: &[[f64; 2]]) -> Option<BBox> {
        let first = points.first()?;
        let mut bbox = BBox {
            min_lon: first[0],
            min_lat: first[1],
            max_lon: first[0],
            max_lat: first[1],
        };
        for p in points {
            bbox.min_lon = bbox.min_lon.min(p[0]);
            bbox.max_lon = bbox.max_lon.max(p[0]);
            bbox.min_lat = bbox.min_lat.min(p[1]);
            bbox.max_lat = bbox.max_lat.max(p[1]);
        }
        Some(bbox)
    }

    /// The same box moved `offset` degrees east.
    pub fn shifted(self, offset: f64) -> BBox {
        BBox {
            min_lon: self.min_lon + offset,
            max_lon: self.max_lon + offset,
            ..self
        }
    }

    /// The smallest box around both.
    pub fn union(self, other: BBox) -> BBox {
        BBox {
            min_lon: self.min_lon.min(other.min_lon),
            min_lat: self.min_lat.min(other.min_lat),
            max_lon: self.max_lon.max(other.max_lon),
            max_lat: self.max_lat.max(other.max_lat),
        }
    }

    /// Whether the boxes overlap (touching counts).
    pub fn intersects(&self, other: &BBox) -> bool {
        self.min_lon <= other.max_lon
            && other.min_lon <= self.max_lon
            && self.min_lat <= other.max_lat
            && other.min_lat <= self.max_lat
    }

    /// Whether `other` lies wholly inside this box.
    pub fn contains_box(&self, other: &BBox) -> bool {
        self.min_lon <= other.min_lon
            && other.max_lon <= self.max_lon
            && self.min_lat <= other.min_lat
            && other.max_lat <= self.max_lat
    }

    /// Longitude span in degrees.
    pub fn width(&self) -> f64 {
        self.max_lon - self.min_lon
    }

    /// Latitude span in degrees.
    pub fn height(&self) -> f64 {
        self.max_lat - self.min_lat
    }
}

/// One polygon: an outer ring, then any holes. Rings are open (the closing
/// point is not repeated) and hold `[lon, lat]` pairs.
#[derive(Debug)]
pub(crate) struct Polygon {
    pub rings: Vec<Vec<[f64; 2]>>,
    /// Box around the outer ring (holes lie inside it).
    pub bbox: BBox,
    /// Area of the outer ring in square degrees, scaled by the cosine of its
    /// middle latitude, so that it compares across latitudes.
    pub area: f64,
}

/// A country: its ISO 3166-1 alpha-2 code (XK for Kosovo) and polygons.
#[derive(Debug)]
pub(crate) struct Country {
    pub code: String,
    pub polygons: Vec<Polygon>,
}

/// A set of country outlines at one scale, sorted by code.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub countries: Vec<Country>,
}

impl Dataset {
    /// Parses the line format written by `data/generate.py`. Malformed points,
    /// rings and lines are skipped rather than failing: the text is compiled
    /// in, and the tests check that every country arrives.
    pub fn parse(text: &str) -> Dataset {
        let mut countries: Vec<Country> = text.lines().filter_map(parse_line).collect();
        countries.sort_by(|a, b| a.code.cmp(&b.code));
        Dataset { countries }
    }

    /// The country with this (upper-case) code.
    pub fn get(&self, code: &str) -> Option<&Country> {
        self.countries
            .binary_search_by(|c| c.code.as_str().cmp(code))
            .ok()
            .and_then(|i| self.countries.get(i))
    }
}

fn parse_line(line: &str) -> Option<Country> {
    if line.starts_with('#') {
        return None;
    }
    let (code, rest) = line.split_once(':')?;
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let polygons: Vec<Polygon> = rest.split(';').filter_map(parse_polygon).collect();
    if polygons.is_empty() {
        return None;
    }
    Some(Country {
        code: code.to_owned(),
        polygons,
    })
}

fn parse_polygon(text: &str) -> Option<Polygon> {
    let rings: Vec<Vec<[f64; 2]>> = text
        .split('|')
        .map(parse_ring)
        .filter(|ring| ring.len() >= 3)
        .collect();
    let outer = rings.first()?;
    let bbox = BBox::around(outer)?;
    let area = ring_area(outer) * ((bbox.min_lat + bbox.max_lat) / 2.0).to_radians().cos();
    Some(Polygon { rings, bbox, area })
}

fn parse_ring(text: &str) -> Vec<[f64; 2]> {
    text.split(' ')
        .filter_map(|pair| {
            let (lon, lat) = pair.split_once(',')?;
            let lon: f64 = lon.parse().ok()?;
            let lat: f64 = lat.parse().ok()?;
            (lon.is_finite() && lat.is_finite()).then_some([lon, lat])
        })
        .collect()
}

/// Unsigned planar area of a ring (shoelace formula), in square degrees.
fn ring_area(ring: &[[f64; 2]]) -> f64 {
    let mut twice = 0.0;
    for (i, a) in ring.iter().enumerate() {
        let b = ring[(i + 1) % ring.len()];
        twice += a[0] * b[1] - b[0] * a[1];
    }
    twice.abs() / 2.0
}

/// The 1:110m outlines, for the world view.
pub(crate) fn coarse() -> &'static Dataset {
    static SET: OnceLock<Dataset> = OnceLock::new();
    SET.get_or_init(|| Dataset::parse(COARSE_TEXT))
}

/// The 1:50m outlines, for continent and country views.
pub(crate) fn fine() -> &'static Dataset {
    static SET: OnceLock<Dataset> = OnceLock::new();
    SET.get_or_init(|| Dataset::parse(FINE_TEXT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_scales_load_every_country() {
        assert_eq!(coarse().countries.len(), 175);
        assert_eq!(fine().countries.len(), 238);
        for code in ["DE", "FR", "US", "IN", "BR", "AU", "ZA", "RU", "XK", "AQ"] {
            assert!(coarse().get(code).is_some(), "{code} missing at 1:110m");
            assert!(fine().get(code).is_some(), "{code} missing at 1:50m");
        }
        for code in ["MC", "VA", "SG", "MV", "CX", "CC"] {
            assert!(fine().get(code).is_some(), "{code} missing at 1:50m");
        }
    }

    #[test]
    fn russia_runs_continuously_past_the_antimeridian() {
        let ru = fine().get("RU").unwrap();
        let main = ru
            .polygons
            .iter()
            .max_by(|a, b| a.area.total_cmp(&b.area))
            .unwrap();
        assert!(main.bbox.min_lon > 25.0 && main.bbox.min_lon < 30.0);
        assert!(main.bbox.max_lon > 185.0 && main.bbox.max_lon < 192.0);
    }

    #[test]
    fn parsing_skips_malformed_input() {
        let set = Dataset::parse("# comment\nxx:1,1 2,2 3,1\nAB:1,1 2,x 2,2 3,1|9\nCD:1,1\n");
        assert_eq!(set.countries.len(), 1);
        let ab = set.get("AB").unwrap();
        assert_eq!(ab.polygons[0].rings.len(), 1);
        assert_eq!(ab.polygons[0].rings[0].len(), 3);
        assert!((ab.polygons[0].area - 1.5f64.to_radians().cos()).abs() < 1e-9);
    }
}
