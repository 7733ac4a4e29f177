//! Places without a network: a bundled gazetteer and the ISO 3166-1 country
//! table, so that "Cambridge, Massachusetts" or "Pune" gives coordinates and
//! a country offline.
//!
//! The data (in `data/`, built by `data/generate.py`) comes from GeoNames
//! (<https://www.geonames.org/>, CC BY 4.0): every city with a population of
//! 15,000 or more, the names of their first-level divisions, and the
//! countries with their continents. It is compiled in and parsed on first
//! use; after that a lookup goes through hash maps and sorted keys, never
//! through every city.

#![warn(missing_docs)]

mod cities;
mod countries;
mod geo;
mod resolve;
mod text;

pub use cities::{City, cities, find_places};
pub use countries::{Continent, Country, countries, country, country_by_name};
pub use geo::{distance_km, parse_coordinates};
pub use resolve::{
    Place, city_in_address, city_label, city_named_in, city_query, region_named_in, resolve_place,
};

#[cfg(test)]
mod tests;
