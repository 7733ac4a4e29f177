//! The ISO 3166-1 country table, with continents and the names people use.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::country_key;

/// alpha-2, alpha-3, numeric, name, continent code, latitude, longitude,
/// alternative names separated by "|".
const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

/// One of the seven continents, as GeoNames assigns countries to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Continent {
    /// Africa (`AF`).
    Africa,
    /// Antarctica (`AN`).
    Antarctica,
    /// Asia (`AS`).
    Asia,
    /// Europe (`EU`).
    Europe,
    /// North America, with Central America and the Caribbean (`NA`).
    NorthAmerica,
    /// Oceania (`OC`).
    Oceania,
    /// South America (`SA`).
    SouthAmerica,
}

impl Continent {
    /// Every continent, in alphabetical order of name.
    pub fn all() -> [Continent; 7] {
        [
            Continent::Africa,
            Continent::Antarctica,
            Continent::Asia,
            Continent::Europe,
            Continent::NorthAmerica,
            Continent::Oceania,
            Continent::SouthAmerica,
        ]
    }

    /// The two-letter GeoNames code: "AF", "AN", "AS", "EU", "NA", "OC" or "SA".
    pub fn code(self) -> &'static str {
        match self {
            Continent::Africa => "AF",
            Continent::Antarctica => "AN",
            Continent::Asia => "AS",
            Continent::Europe => "EU",
            Continent::NorthAmerica => "NA",
            Continent::Oceania => "OC",
            Continent::SouthAmerica => "SA",
        }
    }

    /// The English name, such as "North America".
    pub fn name(self) -> &'static str {
        match self {
            Continent::Africa => "Africa",
            Continent::Antarctica => "Antarctica",
            Continent::Asia => "Asia",
            Continent::Europe => "Europe",
            Continent::NorthAmerica => "North America",
            Continent::Oceania => "Oceania",
            Continent::SouthAmerica => "South America",
        }
    }

    /// The name for URLs, such as "north-america".
    pub fn slug(self) -> &'static str {
        match self {
            Continent::Africa => "africa",
            Continent::Antarctica => "antarctica",
            Continent::Asia => "asia",
            Continent::Europe => "europe",
            Continent::NorthAmerica => "north-america",
            Continent::Oceania => "oceania",
            Continent::SouthAmerica => "south-america",
        }
    }

    /// The continent with this two-letter code, in any case.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::all()
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The continent with this slug, as returned by [`Continent::slug`].
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::all().into_iter().find(|c| c.slug() == slug)
    }
}

/// A country or territory with an ISO 3166-1 alpha-2 code (and Kosovo, `XK`).
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code in capitals, such as "US".
    pub code: String,
    /// Short English name, such as "United States".
    pub name: String,
    /// The continent GeoNames places the country on.
    pub continent: Continent,
    /// Latitude of a representative point in degrees: the capital, or the
    /// largest settlement, or for uninhabited territories a point on them.
    pub lat: f64,
    /// Longitude of the same point in degrees.
    pub lon: f64,
}

struct Countries {
    /// Sorted by name, ignoring case and accents.
    list: Vec<Country>,
    by_code: HashMap<String, usize>,
    /// Names and alternative names, as [`country_key`]s.
    by_name: HashMap<String, usize>,
    /// The keys of `by_name`, sorted, for prefix searches.
    names: Vec<(String, usize)>,
}

fn table() -> &'static Countries {
    static TABLE: OnceLock<Countries> = OnceLock::new();
    TABLE.get_or_init(load)
}

fn load() -> Countries {
    let mut rows: Vec<(Country, Vec<&str>)> = COUNTRIES_TSV.lines().filter_map(parse_row).collect();
    rows.sort_by_cached_key(|(country, _)| (country_key(&country.name), country.name.clone()));
    let mut by_code = HashMap::new();
    let mut by_name = HashMap::new();
    for (index, (country, aliases)) in rows.iter().enumerate() {
        by_code.insert(country.code.clone(), index);
        for name in std::iter::once(country.name.as_str()).chain(aliases.iter().copied()) {
            by_name.entry(country_key(name)).or_insert(index);
        }
    }
    let mut names: Vec<(String, usize)> = by_name.iter().map(|(k, &v)| (k.clone(), v)).collect();
    names.sort();
    Countries {
        list: rows.into_iter().map(|(country, _)| country).collect(),
        by_code,
        by_name,
        names,
    }
}

fn parse_row(line: &str) -> Option<(Country, Vec<&str>)> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [code, _alpha3, _numeric, name, continent, lat, lon, aliases] = fields.as_slice() else {
        return None;
    };
    let country = Country {
        code: (*code).to_owned(),
        name: (*name).to_owned(),
        continent: Continent::from_code(continent)?,
        lat: lat.parse().ok()?,
        lon: lon.parse().ok()?,
    };
    let aliases = aliases.split('|').filter(|a| !a.is_empty()).collect();
    Some((country, aliases))
}

/// The country with this ISO 3166-1 alpha-2 code, in any case ("us", "GB").
pub fn country(code: &str) -> Option<&'static Country> {
    let table = table();
    let code = code.trim();
    if code.len() != 2 {
        return None;
    }
    let index = table.by_code.get(&code.to_ascii_uppercase())?;
    table.list.get(*index)
}

/// The country called this, by its English name or a common alternative
/// ("USA", "UK", "England", "Holland", "Czech Republic", "Türkiye", "Burma",
/// "Deutschland" …). Ignores case, accents, punctuation and a leading "the".
pub fn country_by_name(name: &str) -> Option<&'static Country> {
    let table = table();
    let index = table.by_name.get(&country_key(name))?;
    table.list.get(*index)
}

/// Every country, sorted by name (ignoring case and accents).
pub fn countries() -> &'static [Country] {
    &table().list
}

/// Countries whose name or an alternative name is `key` (a [`country_key`]),
/// or, when `prefix` is set, starts with it.
pub(crate) fn countries_matching(key: &str, prefix: bool) -> Vec<&'static Country> {
    let table = table();
    let mut found: Vec<usize> = if prefix {
        let start = table.names.partition_point(|(name, _)| name.as_str() < key);
        table.names[start..]
            .iter()
            .take_while(|(name, _)| name.starts_with(key))
            .map(|&(_, index)| index)
            .collect()
    } else {
        table.by_name.get(key).copied().into_iter().collect()
    };
    found.sort_unstable();
    found.dedup();
    found
        .into_iter()
        .filter_map(|i| table.list.get(i))
        .collect()
}
