//! What a place typed by a person means: a country, a region, one city, or
//! several cities of about the same size that share the name.
//!
//! A country's name always means the country ("India" is never the town of
//! Inđija, "Georgia" is the country); a city named with its country or region
//! ("Bengaluru, India", "Cambridge, MA") is looked up inside it; and a name
//! that several sizeable cities share ("Cambridge") is reported as such so
//! that the visitor can choose, instead of being guessed.

use crate::cities::{City, Match, find_ranked, regions_named};
use crate::countries::{Country, country_by_name};

/// A city is a serious candidate for a shared name when it has at least
/// this share of the largest namesake's population.
const NAMESAKE_SHARE: f64 = 0.25;

/// Words GeoNames adds to some regions' names, which people leave out.
const REGION_WORDS: &[&str] = &[
    "Province",
    "Region",
    "County",
    "State",
    "Department",
    "Division",
    "Oblast",
    "Governorate",
    "Prefecture",
    "District",
    "Voivodeship",
];

/// How many candidates an ambiguous name offers at most.
const MAX_CANDIDATES: usize = 5;

/// What a place typed by a person names.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// One city.
    City(&'static City),
    /// Several cities of about the same size share the name; largest first.
    Ambiguous(Vec<&'static City>),
    /// A whole country ("India", "Georgia", "USA").
    Country(&'static Country),
    /// A first-level division of a country ("Georgia, USA", "Kerala").
    Region {
        /// The country.
        country: &'static Country,
        /// The region's name as the gazetteer writes it ("Massachusetts").
        name: &'static str,
    },
    /// Nothing we know is called that.
    Unknown,
}

/// Reads a place typed by a person, in this order:
///
/// 1. a country's name or common alternative ("India", "Georgia", "UK");
/// 2. a city whose name or alternate name is exactly the part before the
///    first comma, inside whatever the further parts name ("Pune",
///    "Bengaluru, India", "Cambridge, MA");
/// 3. a region named exactly ("Kerala", "Georgia, USA");
/// 4. a city whose name starts with the text ("Bangal" finds Bengaluru's
///    alternate name Bangalore).
///
/// Among cities matching equally well, those with at least a quarter of the
/// largest one's population are namesakes: more than one makes the answer
/// [`Place::Ambiguous`].
pub fn resolve_place(query: &str) -> Place {
    let query = query.trim();
    if query.is_empty() {
        return Place::Unknown;
    }
    if let Some(country) = country_by_name(query) {
        return Place::Country(country);
    }
    let ranked = find_ranked(query, 50);
    let exact: Vec<(Match, &'static City)> = ranked
        .iter()
        .copied()
        .filter(|(m, _)| matches!(m, Match::Name | Match::Alias))
        .collect();
    if !exact.is_empty() {
        return choose(exact);
    }
    if let Some(region) = region(query) {
        return region;
    }
    let Some(&(best, _)) = ranked.first() else {
        return Place::Unknown;
    };
    choose(ranked.into_iter().filter(|(m, _)| *m == best).collect())
}

/// How much an alternate name counts against a main name: a city known by
/// another name wins only when it is this many times larger ("Baroda" is
/// Vadodara, 1.8 million people, not the town of Baroda, 18,000; "York" is
/// York, not a town that GeoNames also calls York).
const ALIAS_DISCOUNT: f64 = 10.0;

/// A city's weight when names compete: its population, discounted when only
/// an alternate name matched.
fn weight(quality: Match, city: &City) -> f64 {
    let people = f64::from(city.population);
    match quality {
        Match::Name | Match::NamePrefix => people,
        Match::Alias | Match::AliasPrefix => people / ALIAS_DISCOUNT,
    }
}

/// The one city of `cities`, or its namesakes: those weighing at least a
/// quarter of the heaviest.
fn choose(mut cities: Vec<(Match, &'static City)>) -> Place {
    cities.sort_by(|a, b| weight(b.0, b.1).total_cmp(&weight(a.0, a.1)));
    let Some(&(quality, largest)) = cities.first() else {
        return Place::Unknown;
    };
    let floor = weight(quality, largest) * NAMESAKE_SHARE;
    let mut namesakes: Vec<&'static City> = Vec::new();
    for (quality, city) in cities {
        let same = namesakes
            .iter()
            .any(|n| n.country == city.country && n.region == city.region);
        if weight(quality, city) >= floor && !same {
            namesakes.push(city);
        }
    }
    namesakes.truncate(MAX_CANDIDATES);
    if namesakes.len() > 1 {
        Place::Ambiguous(namesakes)
    } else {
        Place::City(largest)
    }
}

/// A region named exactly by the first part of `query`, in the country the
/// other parts name (if any); `None` unless exactly one region fits.
fn region(query: &str) -> Option<Place> {
    let mut parts = query.split(',').map(str::trim).filter(|p| !p.is_empty());
    let name = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let within = match rest.as_slice() {
        [] => None,
        [country] => Some(country_by_name(country).or_else(|| crate::country(country))?),
        _ => return None,
    };
    let found: Vec<(&'static str, &'static str)> = regions_named(name)
        .into_iter()
        .filter(|(code, _)| within.is_none_or(|c| c.code == *code))
        .collect();
    match found.as_slice() {
        [(code, name)] => Some(Place::Region {
            country: crate::country(code)?,
            name,
        }),
        _ => None,
    }
}

/// The city an address names ("12 MG Road, Bengaluru, India",
/// "1 Main St, Cambridge, MA 02139"): each comma-separated part is tried,
/// the most specific first, with the parts after it as its region or
/// country, and the first that names exactly one city (by its name or an
/// alternate name, not a prefix) is it. A country's name is never read as
/// a city, and an ambiguous name gives no city rather than a guess.
pub fn city_in_address(address: &str) -> Option<&'static City> {
    let parts: Vec<String> = address
        .split(',')
        .map(|p| {
            // "MA 02139" and "411001": postcodes say nothing we can look up.
            p.split_whitespace()
                .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect();
    for start in 0..parts.len() {
        let Some(first) = parts.get(start) else {
            continue;
        };
        if country_by_name(first).is_some() {
            continue;
        }
        let query = parts[start..].join(", ");
        let exact: Vec<(Match, &'static City)> = find_ranked(&query, 50)
            .into_iter()
            .filter(|(m, _)| matches!(m, Match::Name | Match::Alias))
            .collect();
        match choose(exact) {
            Place::City(city) => return Some(city),
            Place::Ambiguous(_) => return None,
            _ => {}
        }
    }
    None
}

/// How a city is written for a person to tell it from its namesakes:
/// "Cambridge, England", "Cambridge, Massachusetts", or "Pune, India" when
/// the country has no regions in the gazetteer.
pub fn city_label(city: &City) -> String {
    let country = crate::country(&city.country).map_or(city.country.as_str(), |c| &c.name);
    if city.region.is_empty() {
        format!("{}, {country}", city.name)
    } else {
        format!("{}, {}", city.name, city.region)
    }
}

/// A query that finds exactly `city` again: "Cambridge, England, GB".
pub fn city_query(city: &City) -> String {
    if city.region.is_empty() {
        format!("{}, {}", city.name, city.country)
    } else {
        format!("{}, {}, {}", city.name, city.region, city.country)
    }
}

/// The one city in `country` (alpha-2) called exactly `name` (by its name or
/// an alternate name, not a prefix), inside `region` when that names one of
/// the country's regions; `None` when none is, or when namesakes of about
/// the same size share the name there. A country's name is never a city
/// ("Singapore" aside: a city-state's city is its country's).
pub fn city_named_in(name: &str, country: &str, region: Option<&str>) -> Option<&'static City> {
    let name = name.trim();
    if name.is_empty() || name.contains(',') {
        return None;
    }
    if country_by_name(name).is_some_and(|c| c.code != country) {
        return None;
    }
    let in_country: Vec<(Match, &'static City)> = find_ranked(&format!("{name}, {country}"), 50)
        .into_iter()
        .filter(|(m, c)| matches!(m, Match::Name | Match::Alias) && c.country == country)
        .collect();
    let known_region = region.filter(|r| regions_named(r).iter().any(|(code, _)| *code == country));
    let in_region: Vec<(Match, &'static City)> = match known_region {
        Some(r) => {
            let key = crate::text::normalise(r);
            in_country
                .iter()
                .copied()
                .filter(|(_, c)| crate::text::normalise(&c.region) == key)
                .collect()
        }
        None => Vec::new(),
    };
    let pool = if known_region.is_some() {
        in_region
    } else {
        in_country
    };
    match choose(pool) {
        Place::City(city) => Some(city),
        _ => None,
    }
}

/// The first-level division of `country` (alpha-2) called exactly `name`
/// ("Gujarat", "Iowa", "Catalonia"), with its largest city; `None` when no
/// single region is called that there.
pub fn region_named_in(name: &str, country: &str) -> Option<(&'static str, &'static City)> {
    let named = |text: &str| -> Vec<&'static str> {
        regions_named(text)
            .into_iter()
            .filter(|(code, _)| *code == country)
            .map(|(_, region)| region)
            .collect()
    };
    // "Gilan" is GeoNames' "Gilan Province".
    let found = std::iter::once(String::new())
        .chain(REGION_WORDS.iter().map(|w| format!(" {w}")))
        .map(|suffix| named(&format!("{name}{suffix}")))
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    let [region] = found.as_slice() else {
        return None;
    };
    // The gazetteer lists cities largest first.
    let largest = crate::cities()
        .iter()
        .find(|c| c.country == country && c.region == *region)?;
    Some((region, largest))
}
