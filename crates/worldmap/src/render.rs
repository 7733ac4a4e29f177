//! Drawing a view as SVG: country paths (cached per view) and pins.

use crate::data::{self, BBox, Country, Dataset};
use crate::geo::clip_ring;
use crate::view::{Resolved, x_scale};
use crate::{CLUSTER_THRESHOLD, Pin, Viewport};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

/// Width of every map in SVG units; the height follows from the view.
const WIDTH: f64 = 1000.0;
/// Radius of a single pin, in SVG units.
const PIN_RADIUS: f64 = 4.0;
/// Largest radius of a merged pin.
const MAX_CLUSTER_RADIUS: f64 = 7.0;
/// Side of the square cells that pins are merged in, in SVG units (1% of the width).
const CELL: f64 = WIDTH / 100.0;
/// Outlines are clipped to the view enlarged by this share of its size on
/// each side, so the cut edges fall outside what is shown.
const CLIP_MARGIN: f64 = 0.01;
/// A point closer than this to the previous one kept is dropped, in tenths
/// of an SVG unit.
const SIMPLIFY_TENTHS: i64 = 8;
/// Rings smaller than this both ways are left out (except the focused
/// country's), in tenths of an SVG unit.
const SPECK_TENTHS: i64 = 8;

/// How an SVG unit maps to degrees for one view.
#[derive(Debug, Clone, Copy)]
struct Frame {
    vp: Viewport,
    /// Longitudes shrink by the cosine of the middle latitude.
    k: f64,
    /// SVG units per degree of latitude.
    scale: f64,
    height: f64,
}

impl Frame {
    fn new(vp: Viewport) -> Frame {
        let k = x_scale((vp.min_lat + vp.max_lat) / 2.0);
        let scale = WIDTH / ((vp.max_lon - vp.min_lon) * k);
        Frame {
            vp,
            k,
            scale,
            height: (vp.max_lat - vp.min_lat) * scale,
        }
    }

    fn x(&self, lon: f64) -> f64 {
        (lon - self.vp.min_lon) * self.k * self.scale
    }

    fn y(&self, lat: f64) -> f64 {
        (self.vp.max_lat - lat) * self.scale
    }
}

/// Everything about a view that does not depend on the pins or the title.
#[derive(Debug)]
struct Base {
    frame: Frame,
    slug: String,
    countries: String,
}

fn base(resolved: &Resolved) -> Arc<Base> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Base>>>> = OnceLock::new();
    let slug = resolved.slug();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&slug)
    {
        return Arc::clone(found);
    }
    // Built outside the lock; two threads may both build the same view once.
    let frame = Frame::new(resolved.viewport());
    let (dataset, focus) = match resolved {
        Resolved::World => (data::coarse(), None),
        Resolved::Continent(_) => (data::fine(), None),
        Resolved::Country(code) => (data::fine(), Some(code.as_str())),
    };
    let built = Arc::new(Base {
        frame,
        countries: countries_markup(dataset, &frame, focus),
        slug: slug.clone(),
    });
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(slug, Arc::clone(&built));
    built
}

/// Renders a resolved view; see [`crate::render_svg`].
pub(crate) fn render(resolved: &Resolved, pins: &[Pin], title: &str) -> String {
    let base = base(resolved);
    let frame = &base.frame;
    let mut out = String::with_capacity(base.countries.len() + 512 + pins.len().min(4000) * 120);
    let id = format!("worldmap-{}-title", base.slug);
    let height = tenths(frame.height);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    push_tenths(&mut out, tenths(WIDTH));
    out.push(' ');
    push_tenths(&mut out, height);
    out.push_str(r#"" class="worldmap" data-view=""#);
    escape_into(&mut out, &base.slug);
    // A group, not an image: an image's children are hidden from assistive
    // technology, and the pins inside are links that must stay reachable.
    out.push_str(r#"" role="group" aria-labelledby=""#);
    escape_into(&mut out, &id);
    out.push_str(r#""><title id=""#);
    escape_into(&mut out, &id);
    out.push_str(r#"">"#);
    escape_into(&mut out, title);
    out.push_str(r##"</title><rect class="sea" aria-hidden="true" fill="#dbe7ef" width=""##);
    push_tenths(&mut out, tenths(WIDTH));
    out.push_str(r#"" height=""#);
    push_tenths(&mut out, height);
    out.push_str(r#""/>"#);
    out.push_str(&base.countries);
    pins_markup(&mut out, frame, pins);
    out.push_str("</svg>");
    out
}

fn countries_markup(dataset: &Dataset, frame: &Frame, focus: Option<&str>) -> String {
    let vp = frame.vp;
    let margin_lon = (vp.max_lon - vp.min_lon) * CLIP_MARGIN;
    let margin_lat = (vp.max_lat - vp.min_lat) * CLIP_MARGIN;
    let clip = BBox {
        min_lon: vp.min_lon - margin_lon,
        min_lat: vp.min_lat - margin_lat,
        max_lon: vp.max_lon + margin_lon,
        max_lat: vp.max_lat + margin_lat,
    };
    let mut out = String::from(
        r##"<g class="countries" aria-hidden="true" fill="#f4f1ea" stroke="#a8a398" stroke-width="0.5" stroke-linejoin="round" fill-rule="evenodd">"##,
    );
    // The focused country goes last so that its outline is drawn on top.
    let mut last = String::new();
    for country in &dataset.countries {
        let is_focus = focus == Some(country.code.as_str());
        let d = country_path(country, frame, &clip, is_focus);
        if d.is_empty() {
            continue;
        }
        let target = if is_focus { &mut last } else { &mut out };
        target.push_str(r#"<path class="country"#);
        if is_focus {
            target.push_str(r##" focus" fill="#e9d9a6"##);
        }
        target.push_str(r#"" data-cc=""#);
        escape_into(target, &country.code);
        target.push_str(r#"" d=""#);
        target.push_str(&d);
        target.push_str(r#""/>"#);
    }
    out.push_str(&last);
    out.push_str("</g>");
    out
}

/// The `d` attribute for one country (empty when nothing of it is in view).
/// Each polygon is drawn once for every copy of it, 360 degrees apart, that
/// reaches the view, so views across the antimeridian work.
fn country_path(country: &Country, frame: &Frame, clip: &BBox, keep_specks: bool) -> String {
    let mut d = String::new();
    let mut points: Vec<(i64, i64)> = Vec::new();
    for polygon in &country.polygons {
        for offset in [-360.0, 0.0, 360.0] {
            let bbox = polygon.bbox.shifted(offset);
            if !bbox.intersects(clip) {
                continue;
            }
            let whole = clip.contains_box(&bbox);
            for ring in &polygon.rings {
                let shifted: Vec<[f64; 2]> = ring.iter().map(|p| [p[0] + offset, p[1]]).collect();
                let ring = if whole {
                    shifted
                } else {
                    clip_ring(&shifted, clip)
                };
                project_ring(&ring, frame, &mut points);
                if points.len() < 3 || (!keep_specks && is_speck(&points)) {
                    continue;
                }
                push_ring(&mut d, &points);
            }
        }
    }
    d
}

/// Projects a ring to tenths of SVG units, dropping points too close to the
/// previous one kept.
fn project_ring(ring: &[[f64; 2]], frame: &Frame, out: &mut Vec<(i64, i64)>) {
    out.clear();
    let limit = SIMPLIFY_TENTHS * SIMPLIFY_TENTHS;
    for p in ring {
        let point = (tenths(frame.x(p[0])), tenths(frame.y(p[1])));
        if let Some(&(x, y)) = out.last() {
            let (dx, dy) = (point.0 - x, point.1 - y);
            if dx * dx + dy * dy < limit {
                continue;
            }
        }
        out.push(point);
    }
    while out.len() > 1
        && let (Some(&first), Some(&(x, y))) = (out.first(), out.last())
        && (first.0 - x).pow(2) + (first.1 - y).pow(2) < limit
    {
        out.pop();
    }
}

fn is_speck(points: &[(i64, i64)]) -> bool {
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for &(x, y) in points {
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    max_x - min_x < SPECK_TENTHS && max_y - min_y < SPECK_TENTHS
}

/// Appends `M x y l dx dy ... z`, relative steps keeping the text short;
/// the steps are differences of rounded points, so no error accumulates.
fn push_ring(d: &mut String, points: &[(i64, i64)]) {
    let Some(&(x0, y0)) = points.first() else {
        return;
    };
    d.push('M');
    push_tenths(d, x0);
    push_number_after(d, y0);
    d.push('l');
    let (mut px, mut py) = (x0, y0);
    for (i, &(x, y)) in points.iter().enumerate().skip(1) {
        if i == 1 {
            push_tenths(d, x - px);
        } else {
            push_number_after(d, x - px);
        }
        push_number_after(d, y - py);
        (px, py) = (x, y);
    }
    d.push('z');
}

/// Appends a number that follows another: a minus sign separates them by
/// itself, otherwise a space does.
fn push_number_after(out: &mut String, value: i64) {
    if value >= 0 {
        out.push(' ');
    }
    push_tenths(out, value);
}

/// A length in tenths of an SVG unit, rounded.
fn tenths(value: f64) -> i64 {
    (value * 10.0).round() as i64
}

/// Writes tenths as a decimal with at most one decimal place: 123 → `12.3`, 120 → `12`.
fn push_tenths(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let abs = value.unsigned_abs();
    let _ = write!(out, "{}", abs / 10);
    if !abs.is_multiple_of(10) {
        let _ = write!(out, ".{}", abs % 10);
    }
}

/// Pins, or merged pins when more than [`CLUSTER_THRESHOLD`] are in view.
fn pins_markup(out: &mut String, frame: &Frame, pins: &[Pin]) {
    let located: Vec<(&Pin, f64, f64)> = pins
        .iter()
        .filter_map(|pin| {
            let lon = frame.vp.locate(pin.lat, pin.lon)?;
            Some((pin, frame.x(lon), frame.y(pin.lat)))
        })
        .collect();
    out.push_str(r##"<g class="pins" fill="#c0392b" stroke="#fff" stroke-width="1">"##);
    if located.len() <= CLUSTER_THRESHOLD {
        for &(pin, x, y) in &located {
            Marker::single(pin, x, y).push(out);
        }
    } else {
        for cluster in clusters(&located) {
            let first = cluster.first;
            if cluster.count == 1 {
                Marker::single(first, cluster.x(), cluster.y()).push(out);
                continue;
            }
            let mut label = format!("{} groups: ", cluster.count);
            label.push_str(&cluster.sample.join(", "));
            if cluster.count > cluster.sample.len() {
                label.push_str(", …");
            }
            Marker {
                href: &first.href,
                extra: "cluster",
                class: if cluster.same_class { &first.class } else { "" },
                x: cluster.x(),
                y: cluster.y(),
                r: (PIN_RADIUS + 1.5 * (cluster.count as f64).ln()).min(MAX_CLUSTER_RADIUS),
                label: &label,
            }
            .push(out);
        }
    }
    out.push_str("</g>");
}

/// One drawn pin: `<a href class><title/><circle/></a>`. The title comes
/// first, as SVG 2 asks, so it names the link.
struct Marker<'a> {
    href: &'a str,
    /// A class of our own (`cluster`), before the caller's.
    extra: &'a str,
    class: &'a str,
    x: f64,
    y: f64,
    r: f64,
    label: &'a str,
}

impl<'a> Marker<'a> {
    fn single(pin: &'a Pin, x: f64, y: f64) -> Marker<'a> {
        Marker {
            href: &pin.href,
            extra: "",
            class: &pin.class,
            x,
            y,
            r: PIN_RADIUS,
            label: &pin.label,
        }
    }

    fn push(&self, out: &mut String) {
        out.push_str(r#"<a href=""#);
        escape_into(out, safe_href(self.href));
        out.push_str(r#"" class="pin"#);
        for part in [self.extra, self.class] {
            if !part.trim().is_empty() {
                out.push(' ');
                escape_into(out, part.trim());
            }
        }
        out.push_str(r#""><title>"#);
        escape_into(out, self.label);
        out.push_str(r#"</title><circle cx=""#);
        push_tenths(out, tenths(self.x));
        out.push_str(r#"" cy=""#);
        push_tenths(out, tenths(self.y));
        out.push_str(r#"" r=""#);
        push_tenths(out, tenths(self.r));
        out.push_str(r#""/></a>"#);
    }
}

/// Pins merged into one cell of the grid.
struct Cluster<'a> {
    first: &'a Pin,
    count: usize,
    sum_x: f64,
    sum_y: f64,
    /// The first few labels, for the merged pin's title.
    sample: Vec<&'a str>,
    /// Whether every pin has the first one's extra class.
    same_class: bool,
}

impl Cluster<'_> {
    fn x(&self) -> f64 {
        self.sum_x / self.count as f64
    }

    fn y(&self) -> f64 {
        self.sum_y / self.count as f64
    }
}

/// Groups pins by grid cell, in the order each cell's first pin came.
fn clusters<'a>(located: &[(&'a Pin, f64, f64)]) -> Vec<Cluster<'a>> {
    const SAMPLE: usize = 3;
    let mut index: HashMap<(i64, i64), usize> = HashMap::new();
    let mut clusters: Vec<Cluster<'a>> = Vec::new();
    for &(pin, x, y) in located {
        let cell = ((x / CELL).floor() as i64, (y / CELL).floor() as i64);
        let slot = *index.entry(cell).or_insert_with(|| {
            clusters.push(Cluster {
                first: pin,
                count: 0,
                sum_x: 0.0,
                sum_y: 0.0,
                sample: Vec::new(),
                same_class: true,
            });
            clusters.len() - 1
        });
        if let Some(cluster) = clusters.get_mut(slot) {
            cluster.count += 1;
            cluster.sum_x += x;
            cluster.sum_y += y;
            if cluster.sample.len() < SAMPLE {
                cluster.sample.push(&pin.label);
            }
            cluster.same_class &= pin.class == cluster.first.class;
        }
    }
    clusters
}

/// The link target, or `#` for schemes that run code or embed content
/// (`javascript:`, `vbscript:`, `data:`). Browsers ignore tabs, newlines and
/// leading control characters in URLs, so those are ignored here too.
fn safe_href(href: &str) -> &str {
    let scheme: String = href
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let rest = href
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .nth(scheme.chars().count());
    if rest == Some(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
        "#"
    } else {
        href
    }
}

/// Escapes text for element content and double- or single-quoted attribute
/// values, and drops characters that XML 1.0 does not allow at all.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, text);
        out
    }

    #[test]
    fn escaping_covers_markup_quotes_and_invalid_characters() {
        assert_eq!(
            escaped(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escaped("a\u{0}b\u{1b}c\u{FFFF}d\te"), "abcd\te");
        assert_eq!(escaped("Zürich 東京"), "Zürich 東京");
    }

    #[test]
    fn numbers_are_written_short() {
        let mut out = String::new();
        for value in [123, 120, 0, -5, -120, 7] {
            push_tenths(&mut out, value);
            out.push('|');
        }
        assert_eq!(out, "12.3|12|0|-0.5|-12|0.7|");
        let mut d = String::new();
        push_ring(&mut d, &[(10, 20), (15, 20), (15, 5), (10, 5)]);
        assert_eq!(d, "M1 2l0.5 0 0-1.5-0.5 0z");
    }

    #[test]
    fn dangerous_link_schemes_are_replaced() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}vbscript:x",
            "data:text/html,<b>",
        ] {
            assert_eq!(safe_href(bad), "#", "{bad:?}");
        }
        for good in [
            "/groups/rust-berlin",
            "https://example.org/x?a=1&b=2",
            "#top",
            "mailto:a@b.c",
            "javascript",
        ] {
            assert_eq!(safe_href(good), good);
        }
    }

    #[test]
    fn simplification_drops_close_points_and_the_closing_repeat() {
        let frame = Frame::new(Viewport {
            min_lon: 0.0,
            min_lat: -50.0,
            max_lon: 100.0,
            max_lat: 50.0,
        });
        let mut points = Vec::new();
        // 10 units per degree: 0.01 degree apart is 0.1 unit, below the limit.
        project_ring(
            &[
                [10.0, 0.0],
                [10.01, 0.0],
                [20.0, 0.0],
                [20.0, 10.0],
                [10.0, 0.01],
            ],
            &frame,
            &mut points,
        );
        assert_eq!(points, vec![(1000, 5000), (2000, 5000), (2000, 4000)]);
    }
}
