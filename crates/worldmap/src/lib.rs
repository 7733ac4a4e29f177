//! Server-rendered SVG maps of the world, a continent or a country, with pins.
//!
//! The outlines are Natural Earth's (public domain), compiled into the crate
//! (see `data/README.md`), so a map needs no tile server, CDN or script: the
//! result is plain SVG to put inside an HTML page, and each pin is a link.
//!
//! The SVG has no `style` attribute, `<style>` or `<script>` element and no
//! external reference, so it passes a strict Content Security Policy. It
//! carries default colours as presentation attributes (`fill`, `stroke`),
//! which any CSS rule overrides; [`CSS`] lists the classes to style.
//!
//! Projection: equirectangular, with longitudes scaled by the cosine of the
//! view's middle latitude so shapes are not stretched sideways. Every map is
//! 1000 units wide; its height follows from the view. Views may run past
//! 180° east (Russia, the Pacific), and shapes and pins west of -180° are
//! drawn there too.

mod data;
mod geo;
mod render;
mod view;

use view::Resolved;

/// A marker on the map, drawn as a circle that links to `href`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pin {
    /// Latitude in degrees, -90 to 90.
    pub lat: f64,
    /// Longitude in degrees; any value, taken modulo 360.
    pub lon: f64,
    /// Shown as the pin's tooltip and accessible name (`<title>`).
    pub label: String,
    /// Link target. `javascript:`, `vbscript:` and `data:` links become `#`.
    pub href: String,
    /// Extra CSS classes for the pin's `<a>` besides `pin`, e.g. `"stale"`;
    /// may be empty.
    pub class: String,
}

/// What part of the globe a map shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum View {
    /// Every continent but Antarctica.
    World,
    /// A continent by code: one of [`CONTINENTS`]. Any other code shows the world.
    Continent(&'static str),
    /// A country by ISO 3166-1 alpha-2 code (`XK` for Kosovo), in any case,
    /// framed around its main territory and highlighted. An unknown code
    /// shows the world.
    Country(String),
}

/// The continent codes that [`View::Continent`] takes: Africa, Antarctica,
/// Asia, Europe, North America (with Central America and the Caribbean),
/// Oceania and South America.
pub const CONTINENTS: [&str; 7] = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

/// When more pins than this fall within a view, pins in the same cell of a
/// grid 1% of the map's width apart are merged into one larger pin, titled
/// "N groups: first labels, …" and linking to the first of them (in the
/// order given). Its classes are `pin cluster`, plus the pins' extra class
/// when they all share it.
pub const CLUSTER_THRESHOLD: usize = 2000;

/// Suggested styles for the map's classes, to put in the site's stylesheet
/// (the SVG's built-in colours are the same, so this is optional).
pub const CSS: &str = "\
.worldmap { display: block; width: 100%; height: auto; }
.worldmap .sea { fill: #dbe7ef; }
.worldmap .country { fill: #f4f1ea; stroke: #a8a398; stroke-width: 0.5; }
.worldmap .country.focus { fill: #e9d9a6; }
.worldmap .pin circle { fill: #c0392b; stroke: #fff; stroke-width: 1; }
.worldmap .pin.cluster circle { fill: #922b21; }
.worldmap .pin.stale circle { fill: #95a5a6; }
.worldmap .pin:hover circle, .worldmap .pin:focus-visible circle { fill: #1f618d; }
.worldmap .pin:focus-visible circle { stroke: #000; stroke-width: 2; }
";

/// A box of longitudes and latitudes, in degrees.
///
/// `max_lon` may pass 180 for views that cross the antimeridian (Russia is
/// about 6..204); `min_lon` is always in -180..180.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Western edge, -180 to 180.
    pub min_lon: f64,
    /// Southern edge.
    pub min_lat: f64,
    /// Eastern edge, greater than `min_lon`, at most `min_lon + 360`.
    pub max_lon: f64,
    /// Northern edge.
    pub max_lat: f64,
}

impl Viewport {
    /// Whether the point is inside (edges included), allowing for longitudes
    /// given 360 degrees apart.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.locate(lat, lon).is_some()
    }

    /// The point's longitude as this viewport counts it (possibly moved by a
    /// multiple of 360 degrees), or `None` when the point is outside or not
    /// a finite number.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<f64> {
        if !lat.is_finite() || !lon.is_finite() || lat < self.min_lat || lat > self.max_lat {
            return None;
        }
        let lon = self.min_lon + (lon - self.min_lon).rem_euclid(360.0);
        (lon <= self.max_lon).then_some(lon)
    }
}

/// The continent code in [`CONTINENTS`] matching `code` (in any case).
pub fn continent(code: &str) -> Option<&'static str> {
    CONTINENTS
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(code.trim()))
}

/// Whether a country view exists for this ISO 3166-1 alpha-2 code (any case).
pub fn has_country(code: &str) -> bool {
    matches!(
        Resolved::of(&View::Country(code.to_owned())),
        Resolved::Country(_)
    )
}

/// The part of the globe that `view` shows.
///
/// The world leaves out Antarctica and cuts the globe at the Bering Strait;
/// continents use fixed boxes; a country is framed around its main
/// territory (overseas parts far away, such as French Guiana or the Canary
/// Islands, are left out; nearby islands are kept), padded, and widened to
/// between square and twice as wide as tall. Unknown codes give the world.
pub fn viewport(view: &View) -> Viewport {
    Resolved::of(view).viewport()
}

/// Draws `view` as a complete `<svg>` element with `title` as its accessible
/// name, one `<path class="country" data-cc="..">` per country in view (the
/// country of a country view has `class="country focus"`), and the pins
/// that fall in view (see [`Pin`] and [`CLUSTER_THRESHOLD`]).
///
/// The country outlines of each view are computed once and cached; the cost
/// of a call is then the pins (about 20,000 per few milliseconds).
pub fn render_svg(view: &View, pins: &[Pin], title: &str) -> String {
    render::render(&Resolved::of(view), pins, title)
}
