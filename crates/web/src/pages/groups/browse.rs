//! `/groups`: browse by continent → country → region, filter, search, near me.

use super::{continent_name, country_name};
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use convene_app::groups::{self, STALE_AFTER_DAYS, is_stale};
use convene_store::groups::{Filter, GroupRow};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the visitor asked for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BrowseQuery {
    q: String,
    near: String,
    continent: String,
    country: String,
    region: String,
    language: String,
    status: String,
    fresh: String,
    page: i64,
}

/// One line of the place list: a link to narrow down, and a count.
pub struct PlaceLink {
    name: String,
    href: String,
    count: i64,
}

/// One group in a list.
pub struct Item {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) place: String,
    pub(super) summary: String,
    pub(super) status: String,
    pub(super) stale: bool,
    pub(super) distance: Option<String>,
}

#[derive(Template)]
#[template(path = "groups/browse.html")]
struct BrowsePage {
    ctx: PageCtx,
    heading: String,
    crumbs: Vec<(String, String)>,
    places: Vec<PlaceLink>,
    items: Vec<Item>,
    total: i64,
    q: BrowseQuery,
    message: Option<String>,
    next_page: Option<String>,
    countries: Vec<(String, String)>,
    candidates: Vec<(String, String)>,
    unplaced: Option<(String, Vec<(String, String)>)>,
}

const PAGE: i64 = 50;

pub(super) fn item(g: &GroupRow, now: chrono::DateTime<chrono::Utc>) -> Item {
    Item {
        slug: g.slug.clone(),
        name: g.name.clone(),
        place: [
            g.city.as_str(),
            g.region.as_str(),
            &country_name(&g.country),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", "),
        summary: g.short_description.clone(),
        status: g.status.clone(),
        stale: is_stale(g.confirmed_at, g.created_at, now),
        distance: None,
    }
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn href(q: &BrowseQuery, continent: &str, country: &str, region: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![];
    for (k, v) in [
        ("continent", continent),
        ("country", country),
        ("region", region),
        ("language", q.language.as_str()),
        ("status", q.status.as_str()),
        ("fresh", q.fresh.as_str()),
    ] {
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() {
        "/groups".to_owned()
    } else {
        format!("/groups?{qs}")
    }
}

/// `GET /groups`.
pub async fn browse(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<BrowseQuery>,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let now = svc.clock.now();
    let countries: Vec<(String, String)> = convene_places::countries()
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    let mut remember = None;
    let mut page = BrowsePage {
        ctx: PageCtx::new(&state, &visitor, "Groups"),
        heading: "Groups around the world".into(),
        crumbs: vec![],
        places: vec![],
        items: vec![],
        total: 0,
        q: BrowseQuery::default(),
        message: None,
        next_page: None,
        countries,
        candidates: vec![],
        unplaced: None,
    };

    if let Some(query) = opt(&q.q) {
        let found = groups::search_groups(svc, &query, 100).await?;
        page.heading = format!("Groups matching “{query}”");
        page.items = found.iter().map(|(g, _)| item(g, now)).collect();
        page.total = page.items.len() as i64;
        if page.items.is_empty() {
            page.message = Some(
                "No group matches those words. Try fewer words, a city, or browse by place below."
                    .into(),
            );
        }
    } else if let Some(place) = opt(&q.near) {
        let answer = super::near::answer(svc, &place).await?;
        if let Some(heading) = answer.heading {
            page.heading = heading;
        }
        page.total = answer.items.len() as i64;
        page.items = answer.items;
        page.message = answer.message;
        page.candidates = answer.candidates;
        page.unplaced = answer.unplaced;
        remember = answer.remember;
    } else {
        let filter = Filter {
            continent: opt(&q.continent).map(|c| if c == "none" { String::new() } else { c }),
            country: opt(&q.country).map(|c| {
                if c == "none" {
                    String::new()
                } else {
                    c.to_ascii_uppercase()
                }
            }),
            region: opt(&q.region),
            language: opt(&q.language),
            status: opt(&q.status),
            confirmed_since: (!q.fresh.is_empty()).then(|| now - Duration::days(STALE_AFTER_DAYS)),
        };
        let version = groups::roster_version(svc).await?;
        let key = format!("counts:{filter:?}");
        let counts = state
            .roster_cache
            .get_or_build(&key, &version, || groups::browse_counts(svc, &filter))
            .await?;
        page.total = counts.iter().map(|c| c.count).sum();
        let mut grouped: BTreeMap<(String, String), i64> = BTreeMap::new();
        match (&filter.continent, &filter.country) {
            (None, None) => {
                for c in counts.iter() {
                    *grouped
                        .entry((continent_name(&c.continent).to_owned(), c.continent.clone()))
                        .or_default() += c.count;
                }
                page.places = grouped
                    .into_iter()
                    .map(|((name, code), count)| PlaceLink {
                        href: href(&q, if code.is_empty() { "none" } else { &code }, "", ""),
                        name,
                        count,
                    })
                    .collect();
            }
            (Some(continent), None) => {
                page.heading = format!("Groups in {}", continent_name(continent));
                page.crumbs
                    .push(("All continents".into(), href(&q, "", "", "")));
                for c in counts.iter() {
                    *grouped
                        .entry((country_name(&c.country), c.country.clone()))
                        .or_default() += c.count;
                }
                let param = if continent.is_empty() {
                    "none"
                } else {
                    continent.as_str()
                };
                page.places = grouped
                    .into_iter()
                    .map(|((name, code), count)| PlaceLink {
                        href: href(&q, param, if code.is_empty() { "none" } else { &code }, ""),
                        name,
                        count,
                    })
                    .collect();
            }
            (_, Some(country)) => {
                let continent = convene_places::country(country)
                    .map(|c| c.continent.code().to_owned())
                    .unwrap_or_default();
                page.heading = match &filter.region {
                    Some(r) => format!("Groups in {r}, {}", country_name(country)),
                    None => format!("Groups in {}", country_name(country)),
                };
                page.crumbs
                    .push(("All continents".into(), href(&q, "", "", "")));
                page.crumbs.push((
                    continent_name(&continent).to_owned(),
                    href(&q, &continent, "", ""),
                ));
                if filter.region.is_some() {
                    page.crumbs
                        .push((country_name(country), href(&q, &continent, country, "")));
                } else {
                    for c in counts.iter().filter(|c| !c.region.is_empty()) {
                        *grouped
                            .entry((c.region.clone(), c.region.clone()))
                            .or_default() += c.count;
                    }
                    page.places = grouped
                        .into_iter()
                        .map(|((name, region), count)| PlaceLink {
                            href: href(&q, &continent, country, &region),
                            name,
                            count,
                        })
                        .collect();
                }
                let offset = q.page.max(0) * PAGE;
                let rows = groups::list_groups(svc, &filter, PAGE + 1, offset).await?;
                if rows.len() as i64 > PAGE {
                    page.next_page = Some(format!(
                        "{}&page={}",
                        href(
                            &q,
                            &continent,
                            country,
                            filter.region.as_deref().unwrap_or("")
                        ),
                        q.page.max(0) + 1
                    ));
                }
                page.items = rows
                    .iter()
                    .take(PAGE as usize)
                    .map(|g| item(g, now))
                    .collect();
            }
        }
        if page.total == 0 {
            page.message = Some("No groups are listed here yet.".into());
        }
    }
    page.q = q;
    let mut response = render(StatusCode::OK, &page);
    if let Some(place) = remember {
        response.headers_mut().append(
            axum::http::header::SET_COOKIE,
            super::near::remember_cookie(&place, state.svc.site.is_https()),
        );
    }
    Ok(response)
}
