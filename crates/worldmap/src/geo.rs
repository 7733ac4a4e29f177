//! Plane geometry on longitude/latitude pairs: the shortest span of longitudes
//! around the globe, and clipping rings to a box.

use crate::data::BBox;

/// The shortest span of longitudes `(west, east)` that covers every interval
/// `(west, east)`, going round the globe if that is shorter: intervals at
/// 175..180 and -180..-170 give 175..190. `west` is in -180..180 and `east`
/// may pass 180. Intervals may themselves pass 180. Returns `None` for no
/// intervals; an interval 360 degrees wide gives -180..180.
pub(crate) fn covering_span(intervals: &[(f64, f64)]) -> Option<(f64, f64)> {
    if intervals.is_empty() {
        return None;
    }
    if intervals.iter().any(|(w, e)| e - w >= 360.0) {
        return Some((-180.0, 180.0));
    }
    // The span ends at the east end of some interval: try each as the east
    // edge `cut`, put every interval's east end in (cut - 360, cut], and keep
    // the narrowest result.
    let mut best: Option<(f64, f64)> = None;
    for &(_, cut) in intervals {
        let mut west = f64::INFINITY;
        for &(w, e) in intervals {
            let shift = ((cut - e) / 360.0).floor() * 360.0;
            west = west.min(w + shift);
        }
        if best.is_none_or(|(bw, be)| cut - west < be - bw) {
            best = Some((west, cut));
        }
    }
    best.map(|(west, east)| {
        let shift = ((west + 180.0) / 360.0).floor() * 360.0;
        (west - shift, east - shift)
    })
}

/// Clips a ring to `rect` (Sutherland–Hodgman). The result can run along the
/// box's edges where the ring left it, so callers clip to a box slightly
/// larger than what is shown. Returns an empty ring when nothing is inside.
pub(crate) fn clip_ring(ring: &[[f64; 2]], rect: &BBox) -> Vec<[f64; 2]> {
    let mut out = ring.to_vec();
    for edge in [Edge::West, Edge::East, Edge::South, Edge::North] {
        if out.is_empty() {
            break;
        }
        out = clip_edge(&out, edge, rect);
    }
    out
}

#[derive(Clone, Copy)]
enum Edge {
    West,
    East,
    South,
    North,
}

fn inside(p: [f64; 2], edge: Edge, rect: &BBox) -> bool {
    match edge {
        Edge::West => p[0] >= rect.min_lon,
        Edge::East => p[0] <= rect.max_lon,
        Edge::South => p[1] >= rect.min_lat,
        Edge::North => p[1] <= rect.max_lat,
    }
}

/// Where segment `a`–`b` crosses the edge (only called when it does, so the
/// divisor is not zero).
fn crossing(a: [f64; 2], b: [f64; 2], edge: Edge, rect: &BBox) -> [f64; 2] {
    match edge {
        Edge::West | Edge::East => {
            let x = if matches!(edge, Edge::West) {
                rect.min_lon
            } else {
                rect.max_lon
            };
            let t = (x - a[0]) / (b[0] - a[0]);
            [x, a[1] + t * (b[1] - a[1])]
        }
        Edge::South | Edge::North => {
            let y = if matches!(edge, Edge::South) {
                rect.min_lat
            } else {
                rect.max_lat
            };
            let t = (y - a[1]) / (b[1] - a[1]);
            [a[0] + t * (b[0] - a[0]), y]
        }
    }
}

fn clip_edge(input: &[[f64; 2]], edge: Edge, rect: &BBox) -> Vec<[f64; 2]> {
    let mut out = Vec::with_capacity(input.len() + 4);
    let Some(&last) = input.last() else {
        return out;
    };
    let mut prev = last;
    let mut prev_in = inside(prev, edge, rect);
    for &cur in input {
        let cur_in = inside(cur, edge, rect);
        if cur_in != prev_in {
            out.push(crossing(prev, cur, edge, rect));
        }
        if cur_in {
            out.push(cur);
        }
        prev = cur;
        prev_in = cur_in;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn span_without_the_antimeridian() {
        let span = covering_span(&[(5.0, 10.0), (-3.0, 1.0), (20.0, 22.0)]).unwrap();
        assert!(close(span, (-3.0, 22.0)), "{span:?}");
    }

    #[test]
    fn span_across_the_antimeridian() {
        // Fiji-like: both sides of 180.
        let span = covering_span(&[(177.0, 180.0), (-180.0, -178.5)]).unwrap();
        assert!(close(span, (177.0, 181.5)), "{span:?}");
        // Kiribati-like: islands far apart, the short way is across 180.
        let span = covering_span(&[(173.0, 175.0), (-158.0, -157.0), (-151.0, -150.0)]).unwrap();
        assert!(close(span, (173.0, 210.0)), "{span:?}");
        // An interval already past 180 (Russia).
        let span = covering_span(&[(27.0, 190.0), (20.0, 23.0)]).unwrap();
        assert!(close(span, (20.0, 190.0)), "{span:?}");
        // Shapes stored west of -180 come back in range.
        let span = covering_span(&[(-190.0, -185.0)]).unwrap();
        assert!(close(span, (170.0, 175.0)), "{span:?}");
    }

    #[test]
    fn span_edge_cases() {
        assert!(covering_span(&[]).is_none());
        let span = covering_span(&[(-180.0, 180.0)]).unwrap();
        assert!(close(span, (-180.0, 180.0)));
    }

    #[test]
    fn clipping_keeps_the_inside() {
        let rect = BBox {
            min_lon: 0.0,
            min_lat: 0.0,
            max_lon: 10.0,
            max_lat: 10.0,
        };
        let square = [[-5.0, -5.0], [5.0, -5.0], [5.0, 5.0], [-5.0, 5.0]];
        let clipped = clip_ring(&square, &rect);
        let bbox = BBox::around(&clipped).unwrap();
        assert_eq!(
            bbox,
            BBox {
                min_lon: 0.0,
                min_lat: 0.0,
                max_lon: 5.0,
                max_lat: 5.0
            }
        );
        let outside = [[20.0, 20.0], [30.0, 20.0], [30.0, 30.0]];
        assert!(clip_ring(&outside, &rect).is_empty());
        let within = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0]];
        assert_eq!(clip_ring(&within, &rect), within.to_vec());
    }
}
