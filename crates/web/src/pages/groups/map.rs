//! `/groups/map`: every group on a map drawn here, from bundled outlines.

use super::{continent_name, country_name};
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups;
use convene_store::groups::Located;
use convene_worldmap::{Pin, View};

#[derive(Template)]
#[template(path = "groups/map.html")]
struct MapPage {
    ctx: PageCtx,
    heading: String,
    svg: String,
    zoom: Vec<(String, String)>,
    count: usize,
    listing: Listing,
}

/// The text beside the map: what its pins point to, for people who cannot
/// see or click the map.
#[derive(Debug, Clone, Default)]
struct Listing {
    /// Groups in view when there are at most [`LIST_LIMIT`]; otherwise
    /// the countries in view, each with its number of groups.
    heading: String,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    href: String,
    note: String,
}

/// Up to this many groups in view are listed one by one beside the map;
/// more are summed up by country.
const LIST_LIMIT: usize = 300;

/// Which part of the world to show.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MapQuery {
    #[serde(default)]
    continent: String,
    #[serde(default)]
    country: String,
}

/// `GET /groups/map?continent=EU` or `?country=DE`.
pub async fn map(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let version = groups::roster_version(svc).await?;
    let key = format!("map:{}:{}", q.continent.trim(), q.country.trim());
    let built = state
        .roster_cache
        .get_or_build(&key, &version, || build(&state, &q))
        .await?;
    let (heading, svg, zoom, count, listing) = built.as_ref().clone();
    let ctx = PageCtx::new(&state, &visitor, heading.clone());
    Ok(render(
        StatusCode::OK,
        &MapPage {
            ctx,
            heading,
            svg,
            zoom,
            count,
            listing,
        },
    ))
}

type Built = (String, String, Vec<(String, String)>, usize, Listing);

async fn build(state: &AppState, q: &MapQuery) -> Result<Built, PageError> {
    let located = groups::located_groups(&state.svc).await?;
    let country = convene_places::country(q.country.trim());
    let continent = convene_places::Continent::from_code(q.continent.trim());
    let (view, heading) = match (country, continent) {
        (Some(c), _) => (
            View::Country(c.code.clone()),
            format!("Groups in {} on the map", c.name),
        ),
        (None, Some(c)) => (
            View::Continent(c.code()),
            format!("Groups in {} on the map", c.name()),
        ),
        _ => (View::World, "Groups on the map".to_owned()),
    };
    let pins: Vec<Pin> = located
        .iter()
        .map(|(g, stale)| Pin {
            lat: g.latitude,
            lon: g.longitude,
            label: format!(
                "{} ({})",
                g.name,
                [g.city.as_str(), &country_name(&g.country)]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            href: format!("/groups/{}", g.slug),
            class: if *stale {
                "stale".into()
            } else {
                String::new()
            },
        })
        .collect();
    let svg = convene_worldmap::render_svg(&view, &pins, &heading);
    let listing = listing(&view, &located);
    let zoom = match (&view, country) {
        (View::World, _) => convene_places::Continent::all()
            .iter()
            .filter(|c| c.code() != "AN")
            .map(|c| {
                (
                    c.name().to_owned(),
                    format!("/groups/map?continent={}", c.code()),
                )
            })
            .collect(),
        (View::Continent(code), _) => {
            let mut countries: Vec<(String, String)> = located
                .iter()
                .filter(|(g, _)| g.continent == *code)
                .map(|(g, _)| {
                    (
                        country_name(&g.country),
                        format!("/groups/map?country={}", g.country),
                    )
                })
                .collect();
            countries.sort();
            countries.dedup();
            countries.insert(0, ("The whole world".into(), "/groups/map".into()));
            countries
        }
        (View::Country(_), Some(c)) => vec![
            ("The whole world".into(), "/groups/map".into()),
            (
                continent_name(c.continent.code()).to_owned(),
                format!("/groups/map?continent={}", c.continent.code()),
            ),
        ],
        _ => vec![],
    };
    Ok((heading, svg, zoom, pins.len(), listing))
}

/// The groups in view (or, when there are many, the countries in view).
fn listing(view: &View, located: &[(Located, bool)]) -> Listing {
    let viewport = convene_worldmap::viewport(view);
    let in_view: Vec<&(Located, bool)> = located
        .iter()
        .filter(|(g, _)| viewport.contains(g.latitude, g.longitude))
        .collect();
    if in_view.len() <= LIST_LIMIT {
        let mut entries: Vec<Entry> = in_view
            .iter()
            .map(|(g, stale)| {
                let mut note = [g.city.clone(), country_name(&g.country)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                if *stale {
                    note.push_str(" · possibly inactive");
                }
                Entry {
                    name: g.name.clone(),
                    href: format!("/groups/{}", g.slug),
                    note,
                }
            })
            .collect();
        entries.sort_by_cached_key(|e| e.name.to_lowercase());
        return Listing {
            heading: "Groups on this map".into(),
            entries,
        };
    }
    let mut by_country: std::collections::BTreeMap<&str, usize> = Default::default();
    for (g, _) in &in_view {
        *by_country.entry(g.country.as_str()).or_default() += 1;
    }
    let mut entries: Vec<Entry> = by_country
        .into_iter()
        .map(|(code, n)| Entry {
            name: country_name(code),
            href: format!("/groups/map?country={code}"),
            note: if n == 1 {
                "1 group".into()
            } else {
                format!("{n} groups")
            },
        })
        .collect();
    entries.sort_by_cached_key(|e| e.name.to_lowercase());
    Listing {
        heading: "Countries on this map".into(),
        entries,
    }
}
