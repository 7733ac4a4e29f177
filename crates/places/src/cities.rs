//! The gazetteer of cities and the name search over it.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::countries::{countries_matching, country};
use crate::text::{country_key, normalise};

/// name, alternate names separated by "|", alpha-2, admin1 code, latitude,
/// longitude, population; largest first.
const CITIES_TSV: &str = include_str!("../data/cities.tsv");

/// alpha-2, admin1 code, name, alternative names separated by "|".
const REGIONS_TSV: &str = include_str!("../data/regions.tsv");

/// Shortest query (in characters) that also finds names starting with it;
/// shorter ones only find exact matches.
const MIN_PREFIX_CHARS: usize = 3;

/// A populated place from the gazetteer: GeoNames' places of 15,000 people or
/// more, and capitals.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    /// Name as GeoNames writes it, usually the English or local name
    /// ("Munich", "São Paulo", "Zürich").
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the country, such as "IN".
    pub country: String,
    /// First-level division (state, province, constituent country…), such as
    /// "Massachusetts" or "England"; empty when GeoNames has none.
    pub region: String,
    /// Latitude in degrees, to four decimals.
    pub lat: f64,
    /// Longitude in degrees, to four decimals.
    pub lon: f64,
    /// Population as GeoNames records it.
    pub population: u32,
}

/// How well a city's name matched; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Match {
    /// The query is the city's name.
    Name,
    /// The query is one of the city's alternate names.
    Alias,
    /// The city's name starts with the query.
    NamePrefix,
    /// One of the city's alternate names starts with the query.
    AliasPrefix,
}

/// The cities known by one name key.
struct Entry {
    key: Box<str>,
    /// City indices, each with whether the key is its main name.
    cities: Vec<(u32, bool)>,
}

struct Gazetteer {
    cities: Vec<City>,
    /// Index into `regions.tsv` order of each city's region.
    city_region: Vec<Option<u32>>,
    /// Name keys sorted, for prefix searches.
    entries: Vec<Entry>,
    /// Name key to its position in `entries`.
    exact: HashMap<Box<str>, usize>,
    /// Region name and alias keys, sorted, with region indices.
    region_keys: Vec<(String, u32)>,
    /// Each region's country (alpha-2) and name, by region index.
    regions: Vec<(String, String)>,
}

/// Every city in the gazetteer, in file order.
pub fn cities() -> &'static [City] {
    &gazetteer().cities
}

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(load)
}

fn load() -> Gazetteer {
    let mut region_index: HashMap<(&str, &str), u32> = HashMap::new();
    let mut region_names: Vec<&str> = Vec::new();
    let mut region_keys: Vec<(String, u32)> = Vec::new();
    let mut regions: Vec<(String, String)> = Vec::new();
    for line in REGIONS_TSV.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [country, code, name, aliases] = fields.as_slice() else {
            continue;
        };
        let Ok(index) = u32::try_from(region_names.len()) else {
            break;
        };
        region_index.insert((country, code), index);
        region_names.push(name);
        regions.push(((*country).to_owned(), (*name).to_owned()));
        for key in std::iter::once(*name).chain(aliases.split('|')) {
            let key = normalise(key);
            if !key.is_empty() {
                region_keys.push((key, index));
            }
        }
    }
    region_keys.sort();
    region_keys.dedup();

    let mut cities = Vec::new();
    let mut city_region = Vec::new();
    let mut keys: HashMap<String, Vec<(u32, bool)>> = HashMap::new();
    for line in CITIES_TSV.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, aliases, country, code, lat, lon, population] = fields.as_slice() else {
            continue;
        };
        let (Ok(lat), Ok(lon), Ok(population)) = (lat.parse(), lon.parse(), population.parse())
        else {
            continue;
        };
        let Ok(index) = u32::try_from(cities.len()) else {
            break;
        };
        let region = region_index.get(&(*country, *code)).copied();
        let names = std::iter::once((*name, true)).chain(
            aliases
                .split('|')
                .filter(|a| !a.is_empty())
                .map(|a| (a, false)),
        );
        for (text, main) in names {
            let key = normalise(text);
            if key.is_empty() {
                continue;
            }
            let list = keys.entry(key).or_default();
            match list.iter_mut().find(|(city, _)| *city == index) {
                Some(found) => found.1 |= main,
                None => list.push((index, main)),
            }
        }
        cities.push(City {
            name: (*name).to_owned(),
            country: (*country).to_owned(),
            region: region
                .and_then(|r| region_names.get(r as usize))
                .map_or_else(String::new, |n| (*n).to_owned()),
            lat,
            lon,
            population,
        });
        city_region.push(region);
    }

    let mut entries: Vec<Entry> = keys
        .into_iter()
        .map(|(key, cities)| Entry {
            key: key.into_boxed_str(),
            cities,
        })
        .collect();
    entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let exact = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| (entry.key.clone(), i))
        .collect();
    Gazetteer {
        cities,
        city_region,
        entries,
        exact,
        region_keys,
        regions,
    }
}

/// What one comma-separated part after the city name allows.
struct Qualifier {
    /// Region indices, sorted.
    regions: Vec<u32>,
    /// Alpha-2 codes.
    countries: Vec<&'static str>,
}

impl Qualifier {
    /// Regions and countries called `text`; when none is, those whose names
    /// start with it. `None` when nothing matches at all.
    fn resolve(gazetteer: &Gazetteer, text: &str) -> Option<Self> {
        let key = normalise(text);
        if key.is_empty() {
            return None;
        }
        let mut countries: Vec<&'static str> = countries_matching(&country_key(text), false)
            .into_iter()
            .map(|c| c.code.as_str())
            .collect();
        let code = text.trim();
        if code.len() == 2
            && let Some(found) = country(code)
            && !countries.contains(&found.code.as_str())
        {
            countries.push(found.code.as_str());
        }
        let mut qualifier = Qualifier {
            regions: regions_matching(gazetteer, &key, false),
            countries,
        };
        if qualifier.is_empty() && key.chars().count() >= MIN_PREFIX_CHARS {
            qualifier = Qualifier {
                regions: regions_matching(gazetteer, &key, true),
                countries: countries_matching(&country_key(text), true)
                    .into_iter()
                    .map(|c| c.code.as_str())
                    .collect(),
            };
        }
        (!qualifier.is_empty()).then_some(qualifier)
    }

    fn is_empty(&self) -> bool {
        self.regions.is_empty() && self.countries.is_empty()
    }

    fn allows(&self, gazetteer: &Gazetteer, city: u32) -> bool {
        let region = gazetteer.city_region.get(city as usize).copied().flatten();
        if region.is_some_and(|r| self.regions.binary_search(&r).is_ok()) {
            return true;
        }
        gazetteer
            .cities
            .get(city as usize)
            .is_some_and(|c| self.countries.contains(&c.country.as_str()))
    }
}

fn regions_matching(gazetteer: &Gazetteer, key: &str, prefix: bool) -> Vec<u32> {
    let keys = &gazetteer.region_keys;
    let start = keys.partition_point(|(k, _)| k.as_str() < key);
    let mut found: Vec<u32> = keys[start..]
        .iter()
        .take_while(|(k, _)| if prefix { k.starts_with(key) } else { k == key })
        .map(|&(_, region)| region)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Cities matching a place typed by a person: "Pune", "Cambridge, MA",
/// "Cambridge, Massachusetts", "cambridge, uk", "São Paulo", "Paris, France".
///
/// The part before the first comma is the city's name, matched against its
/// name and alternate names ignoring case, accents and punctuation ("sao
/// paulo", "Munchen", "Bombay"); from three characters on, names that start
/// with it match too. Each further comma-separated part must match the
/// city's region (name, or postal abbreviation for US states, Canadian
/// provinces and Australian states) or its country (name, alternative name
/// or alpha-2 code); a part that names nothing exactly may be the start of
/// a name ("Cambridge, Mass"), and a part that matches nothing at all
/// leaves no result. Without commas, "Portland Oregon" is also tried as
/// "Portland, Oregon" when nothing is called "Portland Oregon".
///
/// Exact names come first, then exact alternate names, then names and
/// alternate names that start with the query; within each, larger
/// populations first. At most `limit` cities; none for an empty query.
pub fn find_places(query: &str, limit: usize) -> Vec<&'static City> {
    find_ranked(query, limit)
        .into_iter()
        .map(|(_, city)| city)
        .collect()
}

/// [`find_places`], with how well each city matched.
pub(crate) fn find_ranked(query: &str, limit: usize) -> Vec<(Match, &'static City)> {
    if limit == 0 {
        return Vec::new();
    }
    let gazetteer = gazetteer();
    let mut parts = query.split(',');
    let name = normalise(parts.next().unwrap_or_default());
    if name.is_empty() {
        return Vec::new();
    }
    let mut qualifiers = Vec::new();
    for part in parts {
        if normalise(part).is_empty() {
            continue;
        }
        match Qualifier::resolve(gazetteer, part) {
            Some(qualifier) => qualifiers.push(qualifier),
            None => return Vec::new(),
        }
    }
    let found = search(gazetteer, &name, &qualifiers, limit);
    if !found.is_empty() {
        return found;
    }
    // "Portland Oregon": try the last words as one more qualifier.
    let words: Vec<&str> = name.split(' ').collect();
    for split in (1..words.len()).rev() {
        let (city, rest) = words.split_at(split);
        let Some(extra) = Qualifier::resolve(gazetteer, &rest.join(" ")) else {
            continue;
        };
        qualifiers.push(extra);
        let found = search(gazetteer, &city.join(" "), &qualifiers, limit);
        if !found.is_empty() {
            return found;
        }
        qualifiers.pop();
    }
    Vec::new()
}

fn search(
    gazetteer: &'static Gazetteer,
    key: &str,
    qualifiers: &[Qualifier],
    limit: usize,
) -> Vec<(Match, &'static City)> {
    let mut hits: Vec<(u32, Match)> = Vec::new();
    if let Some(entry) = gazetteer
        .exact
        .get(key)
        .and_then(|&i| gazetteer.entries.get(i))
    {
        hits.extend(
            entry
                .cities
                .iter()
                .map(|&(city, main)| (city, if main { Match::Name } else { Match::Alias })),
        );
    }
    if key.chars().count() >= MIN_PREFIX_CHARS {
        let start = gazetteer.entries.partition_point(|entry| &*entry.key < key);
        let longer = gazetteer.entries[start..]
            .iter()
            .take_while(|entry| entry.key.starts_with(key))
            .filter(|entry| &*entry.key != key);
        for entry in longer {
            hits.extend(entry.cities.iter().map(|&(city, main)| {
                (
                    city,
                    if main {
                        Match::NamePrefix
                    } else {
                        Match::AliasPrefix
                    },
                )
            }));
        }
    }
    hits.retain(|&(city, _)| qualifiers.iter().all(|q| q.allows(gazetteer, city)));
    // Keep each city once, with its best match.
    hits.sort_unstable();
    hits.dedup_by_key(|&mut (city, _)| city);
    let mut found: Vec<(Match, &'static City)> = hits
        .into_iter()
        .filter_map(|(city, quality)| Some((quality, gazetteer.cities.get(city as usize)?)))
        .collect();
    found.sort_by(|(qa, a), (qb, b)| {
        (qa, Reverse(a.population), &a.name, &a.country).cmp(&(
            qb,
            Reverse(b.population),
            &b.name,
            &b.country,
        ))
    });
    found.truncate(limit);
    found
}

/// Every city in the gazetteer, largest population first.
#[cfg(test)]
pub(crate) fn all_cities() -> &'static [City] {
    &gazetteer().cities
}

/// Regions called exactly `text` (name or abbreviation), as (alpha-2 code,
/// region name) pairs.
pub(crate) fn regions_named(text: &str) -> Vec<(&'static str, &'static str)> {
    let gazetteer = gazetteer();
    let key = normalise(text);
    if key.is_empty() {
        return Vec::new();
    }
    regions_matching(gazetteer, &key, false)
        .into_iter()
        .filter_map(|r| gazetteer.regions.get(r as usize))
        .map(|(country, name)| (country.as_str(), name.as_str()))
        .collect()
}
