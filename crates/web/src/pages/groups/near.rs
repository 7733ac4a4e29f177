//! `/groups?near=…`: the groups nearest a place, or, when the place is a
//! country or region, the groups in it; when the name is shared by several
//! cities, the choice of them.

use super::browse::{Item, item};
use super::country_name;
use crate::error::PageError;
use convene_app::Services;
use convene_app::front_page::Whereabouts;
use convene_app::groups;
use convene_places::{Place, city_label, city_query, resolve_place};
use convene_store::groups::Filter;

/// How many groups a country or region answer lists.
const IN_AREA: i64 = 200;

/// What a "near" search found.
#[derive(Default)]
pub struct NearAnswer {
    /// The page's heading.
    pub heading: Option<String>,
    /// The groups, nearest first (or by name for an area).
    pub items: Vec<Item>,
    /// A sentence for the visitor (nothing found, a country was read…).
    pub message: Option<String>,
    /// For a shared name: each candidate's label and its link.
    pub candidates: Vec<(String, String)>,
    /// The country of the place, and its groups with no pin.
    pub unplaced: Option<(String, Vec<(String, String)>)>,
    /// The place to remember for the front page (a city or coordinates).
    pub remember: Option<String>,
}

/// The cookie that remembers the last place a visitor searched near, so the
/// front page can show the meetings near it.
pub const NEAR_COOKIE: &str = "convene_near";

/// How long the place is remembered: a year.
const REMEMBER_SECS: i64 = 365 * 24 * 3600;

/// The `Set-Cookie` value remembering `place`.
pub fn remember_cookie(place: &str, https: bool) -> axum::http::HeaderValue {
    let value: String = url::form_urlencoded::byte_serialize(place.as_bytes()).collect();
    crate::middleware::set_cookie(NEAR_COOKIE, &value, REMEMBER_SECS, https)
}

/// The `Set-Cookie` value forgetting the place.
pub fn forget_cookie(https: bool) -> axum::http::HeaderValue {
    crate::middleware::set_cookie(NEAR_COOKIE, "", 0, https)
}

/// The place remembered by the cookie, if it still names one city or a
/// point.
pub fn remembered(headers: &axum::http::HeaderMap) -> Option<Whereabouts> {
    let raw = crate::middleware::cookie_value(headers, NEAR_COOKIE)?;
    if raw.is_empty() || raw.len() > 300 {
        return None;
    }
    let place: String = url::form_urlencoded::parse(format!("p={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    if let Some((lat, lon)) = convene_places::parse_coordinates(&place) {
        return Some(Whereabouts::Place {
            label: format!("{lat:.3}, {lon:.3}"),
            lat,
            lon,
        });
    }
    match resolve_place(&place) {
        Place::City(city) => Some(Whereabouts::Place {
            label: city_label(city),
            lat: city.lat,
            lon: city.lon,
        }),
        _ => None,
    }
}

fn near_href(query: &str) -> String {
    let qs = serde_urlencoded::to_string([("near", query)]).unwrap_or_default();
    format!("/groups?{qs}")
}

/// Answers `near=place`.
pub async fn answer(svc: &Services, place: &str) -> Result<NearAnswer, PageError> {
    let now = svc.clock.now();
    let mut answer = NearAnswer::default();
    if let Some((lat, lon)) = convene_places::parse_coordinates(place) {
        answer.heading = Some(format!("Groups near {lat:.3}, {lon:.3}"));
        answer.items = nearest(svc, lat, lon).await?;
        answer.remember = Some(format!("{lat}, {lon}"));
        return Ok(answer);
    }
    match resolve_place(place) {
        Place::Unknown => {
            answer.message = Some(format!(
                "We do not know a place called “{place}”. Try the city's name with its country, like “Pune, India”, or coordinates like 42.37, -71.11."
            ));
        }
        Place::Ambiguous(cities) => {
            answer.heading = Some(format!("Which {place}?"));
            answer.message = Some(format!("Several places are called “{place}”. Choose one:"));
            answer.candidates = cities
                .iter()
                .map(|c| (city_label(c), near_href(&city_query(c))))
                .collect();
        }
        Place::Country(country) => {
            answer.heading = Some(format!("Groups in {}", country.name));
            let filter = Filter {
                country: Some(country.code.clone()),
                ..Filter::default()
            };
            let rows = groups::list_groups(svc, &filter, IN_AREA, 0).await?;
            answer.items = rows.iter().map(|g| item(g, now)).collect();
            if answer.items.is_empty() {
                answer.message = Some(format!(
                    "No groups are listed in {} yet. Name a city to see the nearest groups elsewhere.",
                    country.name
                ));
            }
        }
        Place::Region { country, name } => {
            answer.heading = Some(format!("Groups in {name}, {}", country.name));
            let filter = Filter {
                country: Some(country.code.clone()),
                region: Some(name.to_owned()),
                ..Filter::default()
            };
            let rows = groups::list_groups(svc, &filter, IN_AREA, 0).await?;
            answer.items = rows.iter().map(|g| item(g, now)).collect();
            if answer.items.is_empty() {
                answer.message = Some(format!(
                    "No groups are listed in {name} yet. Name a city to see the nearest groups."
                ));
            }
        }
        Place::City(city) => {
            let full = [
                city.name.as_str(),
                city.region.as_str(),
                &country_name(&city.country),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
            answer.heading = Some(format!("Groups near {full}"));
            answer.items = nearest(svc, city.lat, city.lon).await?;
            answer.remember = Some(city_query(city));
            let unplaced = groups::unplaced_in_country(svc, &city.country, IN_AREA).await?;
            if !unplaced.is_empty() {
                answer.unplaced = Some((
                    country_name(&city.country),
                    unplaced.into_iter().map(|g| (g.slug, g.name)).collect(),
                ));
            }
        }
    }
    Ok(answer)
}

async fn nearest(svc: &Services, lat: f64, lon: f64) -> Result<Vec<Item>, PageError> {
    Ok(groups::near(svc, lat, lon, 50)
        .await?
        .into_iter()
        .map(|n| Item {
            slug: n.group.slug.clone(),
            name: n.group.name.clone(),
            place: [n.group.city.as_str(), &country_name(&n.group.country)]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            summary: String::new(),
            status: n.group.status.clone(),
            stale: n.stale,
            distance: Some(if n.distance_km < 10.0 {
                format!("{:.1} km", n.distance_km)
            } else {
                format!("{:.0} km", n.distance_km)
            }),
        })
        .collect())
}

/// `POST /near/forget`: the front page stops showing meetings near the
/// place last searched for.
pub async fn forget(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    crate::extract::CsrfForm(_): crate::extract::CsrfForm<crate::extract::NoFields>,
) -> axum::response::Response {
    let mut response = crate::headers::see_other("/");
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        forget_cookie(state.svc.site.is_https()),
    );
    response
}
