//! The roster for other programs: CSV, GeoJSON (RFC 7946) and an OPML list
//! of the groups' blog feeds, for feed readers and planets.

use crate::AppState;
use crate::error::PageError;
use crate::packed::Packed;
use crate::pages::http_cache::packed_response;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use convene_app::AppError;
use convene_store::groups::{self, GroupRow, LinkRow};
use std::collections::HashMap;

async fn everything(
    state: &AppState,
) -> Result<(Vec<GroupRow>, HashMap<i64, Vec<LinkRow>>), PageError> {
    let mut conn = state.svc.db.conn().await.map_err(AppError::from)?;
    let rows = groups::all_approved(conn.ex())
        .await
        .map_err(AppError::from)?;
    let mut links: HashMap<i64, Vec<LinkRow>> = HashMap::new();
    for l in groups::all_links(conn.ex()).await.map_err(AppError::from)? {
        links.entry(l.group_id).or_default().push(l);
    }
    Ok((rows, links))
}

/// Serves the cached body for `key`, building it with `build` when the
/// roster changed, in the compressed form the client prefers (made once
/// per roster version).
async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    content_type: &'static str,
    disposition: &'static str,
    build: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String, PageError>>,
{
    let version = convene_app::groups::roster_version(&state.svc).await?;
    let body = state
        .roster_cache
        .get_or_build_weighed(key, &version, || async { build().await.map(Packed::new) })
        .await?;
    let mut response = packed_response(headers, content_type, &body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// `GET /groups.csv`: the import format's header, one row per group.
pub async fn csv(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    cached(
        &state,
        &headers,
        "export.csv",
        "text/csv; charset=utf-8",
        "attachment; filename=\"groups.csv\"",
        || build_csv(&state),
    )
    .await
}

async fn build_csv(state: &AppState) -> Result<String, PageError> {
    let (rows, links) = everything(state).await?;
    let entries: Vec<convene_rosterfile::Entry> = rows
        .iter()
        .map(|g| {
            let mut e = convene_rosterfile::Entry {
                name: g.name.clone(),
                ..Default::default()
            };
            e.slug = Some(g.slug.clone());
            e.status = Some(g.status.clone());
            e.city = (!g.city.is_empty()).then(|| g.city.clone());
            e.region = (!g.region.is_empty()).then(|| g.region.clone());
            e.country = (!g.country.is_empty()).then(|| g.country.clone());
            e.latitude = g.latitude;
            e.longitude = g.longitude;
            e.languages = g.languages.split_whitespace().map(str::to_owned).collect();
            e.meeting_pattern = (!g.meeting_pattern.is_empty()).then(|| g.meeting_pattern.clone());
            e.founded = (!g.founded.is_empty()).then(|| g.founded.clone());
            e.description = (!g.short_description.is_empty()).then(|| g.short_description.clone());
            e.links = links
                .get(&g.id)
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    convene_rosterfile::LinkKind::parse(&l.kind).map(|kind| {
                        convene_rosterfile::Link {
                            kind,
                            url: l.url.clone(),
                            label: l.label.clone(),
                        }
                    })
                })
                .collect();
            e
        })
        .collect();
    Ok(convene_rosterfile::write_csv(&entries))
}

/// `GET /groups.geojson`: a FeatureCollection of the groups that have a pin.
pub async fn geojson(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    cached(
        &state,
        &headers,
        "export.geojson",
        "application/geo+json",
        "inline; filename=\"groups.geojson\"",
        || build_geojson(&state),
    )
    .await
}

/// One group as a GeoJSON feature, serialised as it is read: building a
/// tree of JSON values first held several times the body's size while
/// the export of a large roster was made.
#[derive(serde::Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    geometry: Point,
    properties: Properties<'a>,
}

#[derive(serde::Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    /// RFC 7946: longitude first.
    coordinates: [f64; 2],
}

#[derive(serde::Serialize)]
struct Properties<'a> {
    name: &'a str,
    url: String,
    city: &'a str,
    region: &'a str,
    country: &'a str,
    status: &'a str,
    languages: Vec<&'a str>,
    meeting_pattern: &'a str,
    confirmed_at: Option<String>,
    links: Vec<FeatureLink<'a>>,
}

#[derive(serde::Serialize)]
struct FeatureLink<'a> {
    kind: &'a str,
    url: &'a str,
}

async fn build_geojson(state: &AppState) -> Result<String, PageError> {
    let (rows, links) = everything(state).await?;
    let mut body = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    let mut first = true;
    for g in &rows {
        let (Some(lat), Some(lon)) = (g.latitude, g.longitude) else {
            continue;
        };
        let feature = Feature {
            kind: "Feature",
            id: &g.slug,
            geometry: Point {
                kind: "Point",
                coordinates: [lon, lat],
            },
            properties: Properties {
                name: &g.name,
                url: state.svc.site.link(&format!("/groups/{}", g.slug)),
                city: &g.city,
                region: &g.region,
                country: &g.country,
                status: &g.status,
                languages: g.languages.split_whitespace().collect(),
                meeting_pattern: &g.meeting_pattern,
                confirmed_at: g.confirmed_at.map(|t| t.to_rfc3339()),
                links: links
                    .get(&g.id)
                    .into_iter()
                    .flatten()
                    .map(|l| FeatureLink {
                        kind: &l.kind,
                        url: &l.url,
                    })
                    .collect(),
            },
        };
        let json = serde_json::to_string(&feature)
            .map_err(|e| PageError(AppError::Internal(e.to_string())))?;
        if !first {
            body.push(',');
        }
        first = false;
        body.push_str(&json);
    }
    body.push_str("]}");
    Ok(body)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `GET /groups.opml`: every group's blog feed, as an OPML 2.0 subscription list.
pub async fn opml(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    cached(
        &state,
        &headers,
        "export.opml",
        "text/x-opml; charset=utf-8",
        "inline; filename=\"groups.opml\"",
        || build_opml(&state),
    )
    .await
}

async fn build_opml(state: &AppState) -> Result<String, PageError> {
    let (rows, links) = everything(state).await?;
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head>\n<title>{} — group blogs</title>\n</head>\n<body>\n",
        xml_escape(&state.svc.site.name)
    );
    for g in &rows {
        for l in links
            .get(&g.id)
            .into_iter()
            .flatten()
            .filter(|l| l.kind == "blog_feed")
        {
            let site = links
                .get(&g.id)
                .into_iter()
                .flatten()
                .find(|l| l.kind == "website")
                .map_or_else(
                    || state.svc.site.link(&format!("/groups/{}", g.slug)),
                    |w| w.url.clone(),
                );
            body.push_str(&format!(
                "<outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
                xml_escape(&g.name),
                xml_escape(&g.name),
                xml_escape(&l.url),
                xml_escape(&site)
            ));
        }
    }
    body.push_str("</body>\n</opml>\n");
    Ok(body)
}
