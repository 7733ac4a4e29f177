//! What a subscription covers: a regional calendar, or the area within a
//! distance of a place, read from what a person typed.

use crate::{AppError, AppResult, Services};
use convene_domain::InvalidInput;
use convene_places::{Place, city_label, resolve_place};
use convene_store::calendars::{self, CalendarRow};

/// The farthest a subscription may reach, in kilometres.
pub const MAX_RADIUS_KM: f64 = 500.0;

/// The calendar or area a digest covers.
#[derive(Debug, Clone)]
pub enum Area {
    /// A regional calendar.
    Calendar(CalendarRow),
    /// Within `radius_km` of a place.
    Near {
        /// How the place is named ("Berlin, Germany").
        place: String,
        /// Latitude.
        lat: f64,
        /// Longitude.
        lon: f64,
        /// Distance in kilometres.
        radius_km: f64,
    },
}

impl Area {
    /// How a subject line says where: "near Berlin", "in Massachusetts".
    pub fn short(&self) -> String {
        match self {
            Area::Calendar(c) => format!("in {}", c.name),
            Area::Near { place, .. } => {
                format!("near {}", place.split(',').next().unwrap_or(place).trim())
            }
        }
    }

    /// How a page says where: "within 50 km of Berlin, Germany".
    pub fn long(&self) -> String {
        match self {
            Area::Calendar(c) => format!("the {} calendar", c.name),
            Area::Near {
                place, radius_km, ..
            } => format!("within {} km of {place}", show_km(*radius_km)),
        }
    }
}

/// A distance as people write it: "50", "12.5".
pub fn show_km(km: f64) -> String {
    if km.fract() == 0.0 {
        format!("{km:.0}")
    } else {
        format!("{km}")
    }
}

/// Reads the area a form names: a regional calendar's slug, or else a place
/// and a distance in kilometres.
pub async fn parse_area(svc: &Services, calendar: &str, place: &str, km: &str) -> AppResult<Area> {
    let calendar = calendar.trim();
    if !calendar.is_empty() {
        let mut conn = svc.db.conn().await?;
        return match calendars::by_slug(conn.ex(), calendar).await? {
            Some(c) => Ok(Area::Calendar(c)),
            None => Err(AppError::Invalid(InvalidInput::new(
                "calendar",
                "There is no regional calendar at that address. Choose one from the list.",
            ))),
        };
    }
    let radius_km = parse_radius(km)?;
    let place = place.trim();
    if place.is_empty() {
        return Err(InvalidInput::new(
            "place",
            "Name a city, like “Berlin” or “Pune, India”, or give coordinates like 52.52, 13.40.",
        )
        .into());
    }
    if let Some((lat, lon)) = convene_places::parse_coordinates(place) {
        return Ok(Area::Near {
            place: format!("{lat:.3}, {lon:.3}"),
            lat,
            lon,
            radius_km,
        });
    }
    match resolve_place(place) {
        Place::City(city) => Ok(Area::Near {
            place: city_label(city),
            lat: city.lat,
            lon: city.lon,
            radius_km,
        }),
        Place::Ambiguous(cities) => Err(InvalidInput::new(
            "place",
            format!(
                "Several places are called “{place}”: {}. Add the region or country.",
                cities
                    .iter()
                    .map(|c| city_label(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .into()),
        Place::Country(_) | Place::Region { .. } => Err(InvalidInput::new(
            "place",
            format!("“{place}” is a whole country or region: name a city in it, or choose a regional calendar."),
        )
        .into()),
        Place::Unknown => Err(InvalidInput::new(
            "place",
            format!("We do not know a place called “{place}”. Try the city's name with its country, like “Pune, India”, or coordinates like 52.52, 13.40."),
        )
        .into()),
    }
}

fn parse_radius(km: &str) -> Result<f64, InvalidInput> {
    let km = km.trim().trim_end_matches("km").trim();
    let value: f64 = km
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            InvalidInput::new(
                "km",
                "Give the distance as a number of kilometres, like 50.",
            )
        })?;
    if value <= 0.0 || value > MAX_RADIUS_KM {
        return Err(InvalidInput::new(
            "km",
            "Choose a distance of more than 0 and at most 500 km.",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_numbers_within_reach() {
        assert_eq!(parse_radius("50").unwrap(), 50.0);
        assert_eq!(parse_radius(" 12.5 km").unwrap(), 12.5);
        assert_eq!(parse_radius("500").unwrap(), 500.0);
        for bad in ["", "fifty", "NaN", "inf", "0", "-3", "500.1", "1e9"] {
            assert!(parse_radius(bad).is_err(), "{bad}");
        }
    }
}
