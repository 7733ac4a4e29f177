//! The public API: viewports of the views, and the SVG they render.

use convene_worldmap::{CLUSTER_THRESHOLD, Pin, View, Viewport, render_svg, viewport};
use std::time::Instant;

// --- A small XML reader, strict enough to prove the SVG is well-formed. ---

/// One element: its name, attributes (unescaped) and direct text (unescaped).
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    parent: Option<usize>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

fn valid_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find(';')
            .ok_or_else(|| format!("unterminated entity in {raw:?}"))?;
        let entity = &rest[at + 1..at + end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .filter(|c| valid_xml_char(*c))
                    .ok_or_else(|| format!("bad entity &{entity};"))?
            }
        });
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a document that is one element (no prolog, comments or CDATA,
/// which the renderer never writes) and returns its elements in order.
fn parse_xml(xml: &str) -> Result<Vec<Element>, String> {
    if let Some(bad) = xml.chars().find(|c| !valid_xml_char(*c)) {
        return Err(format!("character {bad:?} is not allowed in XML"));
    }
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(after_lt) = rest.strip_prefix('<') else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if text.contains('>') && text.contains("]]>") {
                return Err("]]> in text".into());
            }
            let text = unescape(text)?;
            match open.last() {
                Some(&i) => elements[i].text.push_str(&text),
                None if text.trim().is_empty() => {}
                None => return Err(format!("text outside the root: {text:?}")),
            }
            rest = &rest[end..];
            continue;
        };
        if let Some(closing) = after_lt.strip_prefix('/') {
            let end = closing.find('>').ok_or("unterminated end tag")?;
            let name = closing[..end].trim_end();
            let i = open
                .pop()
                .ok_or_else(|| format!("</{name}> closes nothing"))?;
            if elements[i].name != name {
                return Err(format!("</{name}> closes <{}>", elements[i].name));
            }
            rest = &closing[end + 1..];
            continue;
        }
        let name_len = after_lt
            .char_indices()
            .find(|&(i, c)| {
                if i == 0 {
                    !is_name_start(c)
                } else {
                    !is_name_char(c)
                }
            })
            .map_or(after_lt.len(), |(i, _)| i);
        if name_len == 0 {
            return Err(format!("bad tag at {:?}", &rest[..rest.len().min(20)]));
        }
        let name = after_lt[..name_len].to_owned();
        let mut tail = &after_lt[name_len..];
        let mut attrs: Vec<(String, String)> = Vec::new();
        let self_closing;
        loop {
            let trimmed = tail.trim_start();
            let had_space = trimmed.len() < tail.len();
            tail = trimmed;
            if let Some(t) = tail.strip_prefix("/>") {
                self_closing = true;
                tail = t;
                break;
            }
            if let Some(t) = tail.strip_prefix('>') {
                self_closing = false;
                tail = t;
                break;
            }
            if !had_space {
                return Err(format!("<{name}>: attributes must be separated by space"));
            }
            let attr_len = tail
                .char_indices()
                .find(|&(i, c)| {
                    if i == 0 {
                        !is_name_start(c)
                    } else {
                        !is_name_char(c)
                    }
                })
                .map_or(tail.len(), |(i, _)| i);
            if attr_len == 0 {
                return Err(format!(
                    "<{name}>: bad attribute at {:?}",
                    &tail[..tail.len().min(20)]
                ));
            }
            let attr = tail[..attr_len].to_owned();
            let t = tail[attr_len..].trim_start();
            let t = t
                .strip_prefix('=')
                .ok_or(format!("<{name}> {attr}: no ="))?
                .trim_start();
            let quote = t.chars().next().filter(|q| *q == '"' || *q == '\'');
            let quote = quote.ok_or(format!("<{name}> {attr}: unquoted value"))?;
            let t = &t[1..];
            let end = t
                .find(quote)
                .ok_or(format!("<{name}> {attr}: unterminated value"))?;
            let raw = &t[..end];
            if raw.contains('<') {
                return Err(format!("<{name}> {attr}: < in value"));
            }
            if attrs.iter().any(|(n, _)| *n == attr) {
                return Err(format!("<{name}>: duplicate attribute {attr}"));
            }
            attrs.push((attr, unescape(raw)?));
            tail = &t[end + 1..];
        }
        if open.is_empty() {
            roots += 1;
        }
        elements.push(Element {
            name,
            attrs,
            text: String::new(),
            parent: open.last().copied(),
        });
        if !self_closing {
            open.push(elements.len() - 1);
        }
        rest = tail;
    }
    if let Some(&i) = open.last() {
        return Err(format!("<{}> is never closed", elements[i].name));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

#[test]
fn the_xml_reader_rejects_broken_documents() {
    assert!(parse_xml(r#"<a b="1"><c/></a>"#).is_ok());
    for bad in [
        "<a><b></a></b>",
        "<a>",
        r#"<a b="1" b="2"/>"#,
        "<a b=1/>",
        r#"<a b="<"/>"#,
        "<a>&nope;</a>",
        "<a>&amp</a>",
        "<a/><b/>",
        "<a>\u{1}</a>",
        r#"<a b="1"c="2"/>"#,
    ] {
        assert!(parse_xml(bad).is_err(), "{bad:?} was accepted");
    }
}

// --- Helpers. ---

fn pin(lat: f64, lon: f64, label: &str) -> Pin {
    Pin {
        lat,
        lon,
        label: label.to_owned(),
        href: format!("/groups/{}", label.to_lowercase().replace(' ', "-")),
        class: String::new(),
    }
}

fn country_codes(elements: &[Element]) -> Vec<&str> {
    elements
        .iter()
        .filter(|e| e.name == "path")
        .filter_map(|e| e.attr("data-cc"))
        .collect()
}

fn links(elements: &[Element]) -> Vec<&Element> {
    elements.iter().filter(|e| e.name == "a").collect()
}

/// The text of the `<title>` directly inside element `i`.
fn title_of(elements: &[Element], i: usize) -> &str {
    elements
        .iter()
        .find(|e| e.name == "title" && e.parent == Some(i))
        .map_or("", |e| e.text.as_str())
}

const BERLIN: (f64, f64) = (52.52, 13.40);
const MADRID: (f64, f64) = (40.42, -3.70);
const PARIS: (f64, f64) = (48.86, 2.35);
const NEW_YORK: (f64, f64) = (40.71, -74.01);

fn contains(vp: &Viewport, (lat, lon): (f64, f64)) -> bool {
    vp.contains(lat, lon)
}

// --- Views. ---

#[test]
fn the_world_map_is_well_formed_svg_with_the_main_countries() {
    let svg = render_svg(&View::World, &[], "Groups of the world");
    let elements = parse_xml(&svg).unwrap();
    let root = &elements[0];
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    // The pins are links, so the map is a named group (an image would hide
    // them from screen readers); the outlines are decoration.
    assert_eq!(root.attr("role"), Some("group"));
    let countries = elements
        .iter()
        .find(|e| e.name == "g" && e.attr("class") == Some("countries"))
        .unwrap();
    assert_eq!(countries.attr("aria-hidden"), Some("true"));
    let view_box = root.attr("viewBox").unwrap();
    assert!(view_box.starts_with("0 0 1000 "), "{view_box}");
    let title_id = root.attr("aria-labelledby").unwrap();
    let title = elements.iter().find(|e| e.name == "title").unwrap();
    assert_eq!(title.attr("id"), Some(title_id));
    assert_eq!(title.text, "Groups of the world");
    assert_eq!(title.parent, Some(0));

    let codes = country_codes(&elements);
    for code in [
        "DE", "FR", "US", "IN", "BR", "AU", "ZA", "RU", "CN", "NZ", "FJ",
    ] {
        assert_eq!(codes.iter().filter(|c| **c == code).count(), 1, "{code}");
    }
    assert!(
        !codes.contains(&"AQ"),
        "Antarctica is left out of the world view"
    );
    for path in elements.iter().filter(|e| e.name == "path") {
        assert_eq!(path.attr("class"), Some("country"));
        let d = path.attr("d").unwrap();
        assert!(d.starts_with('M') && d.ends_with('z'));
    }
    assert!(svg.len() < 150_000, "world map is {} bytes", svg.len());
}

#[test]
fn maps_use_no_styles_scripts_or_outside_references() {
    let pins = [pin(BERLIN.0, BERLIN.1, "Berlin")];
    for view in [
        View::World,
        View::Continent("EU"),
        View::Country("DE".into()),
    ] {
        let svg = render_svg(&view, &pins, "Map");
        let elements = parse_xml(&svg).unwrap();
        let allowed = ["svg", "title", "rect", "g", "path", "a", "circle"];
        for e in &elements {
            assert!(allowed.contains(&e.name.as_str()), "<{}>", e.name);
            for (name, value) in &e.attrs {
                assert_ne!(name, "style");
                assert!(!name.starts_with("on"), "{name}");
                assert!(!name.contains("xlink"), "{name}");
                if name != "xmlns" {
                    assert!(!value.contains("://"), "{name}={value}");
                }
            }
        }
    }
}

#[test]
fn germany_is_framed_around_berlin_and_not_madrid() {
    let vp = viewport(&View::Country("DE".into()));
    assert!(contains(&vp, BERLIN));
    assert!(contains(&vp, (48.14, 11.58)), "Munich");
    assert!(contains(&vp, (53.55, 9.99)), "Hamburg");
    assert!(!contains(&vp, MADRID));
    assert!(!contains(&vp, PARIS));
    assert_eq!(viewport(&View::Country("de".into())), vp);

    let svg = render_svg(&View::Country("de".into()), &[], "Germany");
    let elements = parse_xml(&svg).unwrap();
    let focus: Vec<_> = elements
        .iter()
        .filter(|e| e.attr("class") == Some("country focus"))
        .collect();
    assert_eq!(focus.len(), 1);
    assert_eq!(focus[0].attr("data-cc"), Some("DE"));
    let codes = country_codes(&elements);
    for neighbour in ["PL", "CZ", "AT", "CH", "FR", "LU", "BE", "NL", "DK"] {
        assert!(codes.contains(&neighbour), "{neighbour}");
    }
    assert!(!codes.contains(&"ES"));
    assert!(!codes.contains(&"US"));
}

#[test]
fn europe_holds_paris_and_not_new_york() {
    let vp = viewport(&View::Continent("EU"));
    assert!(contains(&vp, PARIS));
    assert!(contains(&vp, BERLIN));
    assert!(contains(&vp, (64.15, -21.94)), "Reykjavík");
    assert!(contains(&vp, (55.76, 37.62)), "Moscow");
    assert!(!contains(&vp, NEW_YORK));
    let elements = parse_xml(&render_svg(&View::Continent("EU"), &[], "Europe")).unwrap();
    let codes = country_codes(&elements);
    assert!(codes.contains(&"FR") && codes.contains(&"IS") && codes.contains(&"RU"));
    assert!(!codes.contains(&"US") && !codes.contains(&"AU"));
}

#[test]
fn every_continent_holds_its_cities() {
    let cases: [(&str, &[(f64, f64)]); 7] = [
        (
            "AF",
            &[
                (30.04, 31.24),
                (-33.92, 18.42),
                (14.93, -23.51),
                (-20.16, 57.5),
            ],
        ),
        ("AN", &[(-77.85, 166.67)]),
        (
            "AS",
            &[
                (35.68, 139.69),
                (28.61, 77.21),
                (41.01, 28.98),
                (1.35, 103.82),
            ],
        ),
        ("EU", &[(38.72, -9.14), (60.17, 24.94), (35.9, 14.51)]),
        (
            "NA",
            &[
                (40.71, -74.01),
                (61.22, -149.9),
                (19.43, -99.13),
                (9.0, -79.5),
            ],
        ),
        (
            "OC",
            &[
                (-33.87, 151.21),
                (-36.85, 174.76),
                (-31.95, 115.86),
                (-18.14, 178.44),
                (-13.83, -171.76),
            ],
        ),
        (
            "SA",
            &[
                (-34.6, -58.38),
                (10.48, -66.9),
                (-53.16, -70.91),
                (-0.9, -89.6),
            ],
        ),
    ];
    for (code, cities) in cases {
        let vp = viewport(&View::Continent(code));
        for &city in cities {
            assert!(contains(&vp, city), "{code} {city:?} {vp:?}");
        }
    }
}

#[test]
fn russia_is_framed_across_the_antimeridian() {
    let vp = viewport(&View::Country("RU".into()));
    let width = vp.max_lon - vp.min_lon;
    assert!(width < 210.0, "{vp:?}");
    assert!(vp.max_lon > 180.0, "{vp:?}");
    for (name, city) in [
        ("Moscow", (55.76, 37.62)),
        ("Kaliningrad", (54.71, 20.51)),
        ("Vladivostok", (43.12, 131.89)),
        ("Anadyr", (64.73, 177.51)),
        ("Uelen, west of the antimeridian", (66.16, -169.81)),
    ] {
        assert!(contains(&vp, city), "{name} {vp:?}");
    }
    // The far east is drawn at the right, next to the rest.
    let svg = render_svg(
        &View::Country("RU".into()),
        &[pin(66.16, -169.81, "Uelen")],
        "Russia",
    );
    let elements = parse_xml(&svg).unwrap();
    let circle = elements.iter().find(|e| e.name == "circle").unwrap();
    let cx: f64 = circle.attr("cx").unwrap().parse().unwrap();
    assert!(cx > 900.0 && cx < 1000.0, "{cx}");
}

#[test]
fn other_countries_across_the_antimeridian_or_far_apart_are_framed_sensibly() {
    let fiji = viewport(&View::Country("FJ".into()));
    assert!(fiji.max_lon - fiji.min_lon < 15.0, "{fiji:?}");
    assert!(contains(&fiji, (-18.14, 178.44)), "Suva");
    assert!(contains(&fiji, (-16.8, -179.9)), "east of 180");

    let nz = viewport(&View::Country("NZ".into()));
    assert!(nz.max_lon - nz.min_lon < 40.0, "{nz:?}");
    assert!(contains(&nz, (-36.85, 174.76)) && contains(&nz, (-43.53, 172.64)));

    let us = viewport(&View::Country("US".into()));
    assert!(us.max_lon - us.min_lon < 150.0, "{us:?}");
    for city in [
        NEW_YORK,
        (34.05, -118.24),
        (61.22, -149.9),
        (21.31, -157.86),
        (25.76, -80.19),
    ] {
        assert!(contains(&us, city), "{city:?} {us:?}");
    }

    let france = viewport(&View::Country("FR".into()));
    assert!(
        contains(&france, PARIS) && contains(&france, (41.93, 8.74)),
        "Paris, Ajaccio"
    );
    assert!(
        !contains(&france, (4.92, -52.31)),
        "Cayenne is not in the frame"
    );
    assert!(france.max_lon - france.min_lon < 30.0, "{france:?}");

    let norway = viewport(&View::Country("NO".into()));
    assert!(contains(&norway, (59.91, 10.75)) && contains(&norway, (69.65, 18.96)));
    assert!(
        !contains(&norway, (78.22, 15.65)),
        "Svalbard is not in the frame"
    );

    let australia = viewport(&View::Country("AU".into()));
    for city in [
        (-42.88, 147.33),
        (-31.95, 115.86),
        (-12.46, 130.84),
        (-33.87, 151.21),
    ] {
        assert!(contains(&australia, city), "{city:?}");
    }

    let chile = viewport(&View::Country("CL".into()));
    assert!(contains(&chile, (-33.45, -70.67)) && contains(&chile, (-53.16, -70.91)));

    let monaco = viewport(&View::Country("MC".into()));
    assert!(contains(&monaco, (43.74, 7.42)));
    assert!(monaco.max_lat - monaco.min_lat < 1.0, "{monaco:?}");
    let svg = render_svg(&View::Country("MC".into()), &[], "Monaco");
    let elements = parse_xml(&svg).unwrap();
    assert!(elements.iter().any(|e| e.attr("data-cc") == Some("MC")));
}

#[test]
fn unknown_codes_fall_back_to_the_world() {
    let world = viewport(&View::World);
    assert_eq!(viewport(&View::Country("ZZ".into())), world);
    assert_eq!(viewport(&View::Country(String::new())), world);
    assert_eq!(viewport(&View::Country("DEU".into())), world);
    assert_eq!(viewport(&View::Continent("XX")), world);
    assert_eq!(
        render_svg(&View::Country("ZZ".into()), &[], "Map"),
        render_svg(&View::World, &[], "Map")
    );
    assert!(!render_svg(&View::Country("ZZ".into()), &[], "Map").contains("focus"));
    assert!(convene_worldmap::has_country("de"));
    assert!(convene_worldmap::has_country("XK"));
    assert!(!convene_worldmap::has_country("ZZ"));
    assert_eq!(convene_worldmap::continent("eu"), Some("EU"));
    assert_eq!(convene_worldmap::continent("europe"), None);
}

// --- Pins. ---

#[test]
fn pins_outside_the_view_are_left_out() {
    let pins = [
        pin(BERLIN.0, BERLIN.1, "Berlin"),
        pin(MADRID.0, MADRID.1, "Madrid"),
        pin(NEW_YORK.0, NEW_YORK.1, "New York"),
        pin(f64::NAN, 10.0, "Nowhere"),
        pin(50.0, f64::INFINITY, "Nowhere either"),
    ];
    let svg = render_svg(&View::Country("DE".into()), &pins, "Germany");
    let elements = parse_xml(&svg).unwrap();
    let found = links(&elements);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].attr("href"), Some("/groups/berlin"));
    assert_eq!(found[0].attr("class"), Some("pin"));

    let svg = render_svg(&View::World, &pins, "World");
    assert_eq!(links(&parse_xml(&svg).unwrap()).len(), 3);
}

#[test]
fn pins_are_placed_where_they_belong() {
    let svg = render_svg(
        &View::World,
        &[pin(0.0, 11.5, "Middle"), pin(-13.83, -171.76, "Apia")],
        "World",
    );
    let elements = parse_xml(&svg).unwrap();
    let circles: Vec<(f64, f64, f64)> = elements
        .iter()
        .filter(|e| e.name == "circle")
        .map(|e| {
            let n = |a: &str| e.attr(a).unwrap().parse::<f64>().unwrap();
            (n("cx"), n("cy"), n("r"))
        })
        .collect();
    assert_eq!(circles.len(), 2);
    // The world runs from -168.5 to 191.5 east: 11.5 east is the middle.
    assert!((circles[0].0 - 500.0).abs() < 0.1, "{circles:?}");
    assert!(circles[0].2 > 0.0);
    // Samoa is west of -168.5, so it is drawn at the far right.
    assert!(circles[1].0 > 950.0, "{circles:?}");
}

#[test]
fn labels_links_and_classes_are_escaped() {
    let evil = Pin {
        lat: BERLIN.0,
        lon: BERLIN.1,
        label: r#"<script>alert("x")</script> & 'friends'"#.into(),
        href: r#"/g?a=1&b="2"><script>"#.into(),
        class: r#"stale" onclick="alert(1)"#.into(),
    };
    let title = r#"Groups <b>"near" & 'far'</b>"#;
    let svg = render_svg(
        &View::Country("DE".into()),
        std::slice::from_ref(&evil),
        title,
    );
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("<b>"));
    let elements = parse_xml(&svg).unwrap();
    let link_index = elements.iter().position(|e| e.name == "a").unwrap();
    let link = &elements[link_index];
    assert_eq!(link.attr("href"), Some(evil.href.as_str()));
    assert_eq!(link.attr("class"), Some(r#"pin stale" onclick="alert(1)"#));
    assert_eq!(link.attrs.len(), 2);
    assert_eq!(title_of(&elements, link_index), evil.label);
    assert_eq!(title_of(&elements, 0), title);

    let script_link = Pin {
        href: "javascript:alert(1)".into(),
        ..evil
    };
    let svg = render_svg(&View::World, &[script_link], "World");
    let elements = parse_xml(&svg).unwrap();
    assert_eq!(links(&elements)[0].attr("href"), Some("#"));
}

#[test]
fn crowded_maps_merge_nearby_pins() {
    // Many groups in one city, and a few elsewhere.
    let mut pins: Vec<Pin> = (0..CLUSTER_THRESHOLD)
        .map(|i| Pin {
            class: "stale".into(),
            ..pin(
                BERLIN.0 + (i % 10) as f64 * 0.001,
                BERLIN.1,
                &format!("Berlin {i}"),
            )
        })
        .collect();
    pins.push(pin(PARIS.0, PARIS.1, "Paris"));
    pins.push(pin(NEW_YORK.0, NEW_YORK.1, "New York"));
    let svg = render_svg(&View::World, &pins, "World");
    let elements = parse_xml(&svg).unwrap();
    let found = links(&elements);
    assert_eq!(found.len(), 3, "Berlin merged; Paris and New York alone");
    let berlin = elements
        .iter()
        .position(|e| e.attr("class") == Some("pin cluster stale"))
        .unwrap();
    assert_eq!(elements[berlin].attr("href"), Some("/groups/berlin-0"));
    assert_eq!(
        title_of(&elements, berlin),
        format!("{CLUSTER_THRESHOLD} groups: Berlin 0, Berlin 1, Berlin 2, …")
    );
    let paris = found
        .iter()
        .find(|e| e.attr("href") == Some("/groups/paris"))
        .unwrap();
    assert_eq!(paris.attr("class"), Some("pin"));

    // Under the threshold in view, nothing is merged: zoomed to Germany,
    // Paris and New York are out of view but Berlin's pins are all shown.
    pins.truncate(CLUSTER_THRESHOLD);
    let svg = render_svg(&View::Country("DE".into()), &pins, "Germany");
    assert_eq!(links(&parse_xml(&svg).unwrap()).len(), CLUSTER_THRESHOLD);
}

/// A deterministic spread of pins over the inhabited world.
fn many_pins(count: usize) -> Vec<Pin> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count)
        .map(|i| Pin {
            lat: -45.0 + next() * 110.0,
            lon: -180.0 + next() * 360.0,
            label: format!("Group {i}"),
            href: format!("/groups/{i}"),
            class: if i % 7 == 0 {
                "stale".into()
            } else {
                String::new()
            },
        })
        .collect()
}

#[test]
fn sizes_and_render_time() {
    let world = render_svg(&View::World, &[], "World");
    let europe = render_svg(&View::Continent("EU"), &[], "Europe");
    let germany = render_svg(&View::Country("DE".into()), &[], "Germany");
    println!(
        "SVG bytes without pins: world {}, EU {}, DE {}",
        world.len(),
        europe.len(),
        germany.len()
    );
    for code in convene_worldmap::CONTINENTS {
        let svg = render_svg(&View::Continent(code), &[], code);
        println!("SVG bytes without pins: {code} {}", svg.len());
    }
    for code in ["US", "RU", "FR", "NO", "ID", "CA"] {
        let svg = render_svg(&View::Country(code.into()), &[], code);
        println!("SVG bytes without pins: {code} {}", svg.len());
    }
    assert!(world.len() < 150_000);

    let pins = many_pins(20_000);
    for view in [
        View::World,
        View::Continent("EU"),
        View::Country("DE".into()),
    ] {
        let start = Instant::now();
        let svg = render_svg(&view, &pins, "Map");
        let elapsed = start.elapsed();
        let elements = parse_xml(&svg).unwrap();
        println!(
            "{view:?} with 20,000 pins: {:.2} ms, {} bytes, {} links",
            elapsed.as_secs_f64() * 1000.0,
            svg.len(),
            links(&elements).len()
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    let pins = many_pins(3000);
    for view in [
        View::World,
        View::Continent("OC"),
        View::Country("FJ".into()),
    ] {
        assert_eq!(render_svg(&view, &pins, "a"), render_svg(&view, &pins, "a"));
    }
}
