//! The roster for other programs: CSV, GeoJSON (RFC 7946) and an OPML list
//! of the groups' blog feeds, for feed readers and planets.

use crate::AppState;
use crate::error::PageError;
use crate::spill::Built;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use convene_app::AppError;
use convene_store::groups::{self, GroupRow, LinkRow};
use tokio::sync::mpsc;

/// Groups read at a time while an export is written.
const EXPORT_PAGE: usize = 500;

/// Calls `each` with every listed group and its links, in name order, a
/// page of groups at a time (so a large roster is never read whole), and
/// sends what `each` writes after each page to `out`.
async fn for_every_group(
    state: &AppState,
    out: &mpsc::Sender<String>,
    mut each: impl FnMut(&GroupRow, &[LinkRow], &mut String) -> Result<(), PageError>,
) -> Result<(), PageError> {
    let ids = {
        let mut conn = state.svc.db.conn().await.map_err(AppError::from)?;
        groups::approved_ids(conn.ex())
            .await
            .map_err(AppError::from)?
    };
    for page in ids.chunks(EXPORT_PAGE) {
        let rows = {
            let mut conn = state.svc.db.conn().await.map_err(AppError::from)?;
            groups::approved_by_ids(conn.ex(), page)
                .await
                .map_err(AppError::from)?
        };
        let mut part = String::new();
        for (g, links) in &rows {
            each(g, links, &mut part)?;
        }
        send(out, part).await?;
    }
    Ok(())
}

async fn send(out: &mpsc::Sender<String>, part: String) -> Result<(), PageError> {
    out.send(part)
        .await
        .map_err(|_| PageError(AppError::Internal("the export's writer stopped".into())))
}

/// Serves the cached body for `key`, building it with `build` when the
/// roster changed, in the compressed form the client prefers (made once
/// per roster version). A large export is written to disk as it is built
/// and sent from there.
async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    content_type: &'static str,
    disposition: &'static str,
    build: F,
) -> Result<Response, PageError>
where
    F: FnOnce(mpsc::Sender<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(), PageError>>,
{
    let version = convene_app::groups::roster_version(&state.svc).await?;
    let spill_dir = &state.config.spill_dir;
    let body = state
        .roster_cache
        .get_or_build_weighed(key, &version, || async move {
            Built::from_parts(spill_dir, build).await
        })
        .await?;
    let mut response = body.respond(headers, content_type).await;
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
        |out| build_csv(&state, out),
    )
    .await
}

async fn build_csv(state: &AppState, out: mpsc::Sender<String>) -> Result<(), PageError> {
    let mut header = convene_rosterfile::write_csv(&[]);
    send(&out, std::mem::take(&mut header)).await?;
    for_every_group(state, &out, |g, links, part| {
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
            .iter()
            .filter_map(|l| {
                convene_rosterfile::LinkKind::parse(&l.kind).map(|kind| convene_rosterfile::Link {
                    kind,
                    url: l.url.clone(),
                    label: l.label.clone(),
                })
            })
            .collect();
        // The writer starts with the header line; each row follows it.
        let written = convene_rosterfile::write_csv(std::slice::from_ref(&e));
        let header_len = written.find("\r\n").map_or(0, |i| i + 2);
        part.push_str(&written[header_len..]);
        Ok(())
    })
    .await
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
        |out| build_geojson(&state, out),
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

async fn build_geojson(state: &AppState, out: mpsc::Sender<String>) -> Result<(), PageError> {
    send(
        &out,
        "{\"type\":\"FeatureCollection\",\"features\":[".to_owned(),
    )
    .await?;
    let mut first = true;
    for_every_group(state, &out, |g, links, part| {
        let (Some(lat), Some(lon)) = (g.latitude, g.longitude) else {
            return Ok(());
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
                    .iter()
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
            part.push(',');
        }
        first = false;
        part.push_str(&json);
        Ok(())
    })
    .await?;
    send(&out, "]}".to_owned()).await
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
        |out| build_opml(&state, out),
    )
    .await
}

async fn build_opml(state: &AppState, out: mpsc::Sender<String>) -> Result<(), PageError> {
    send(
        &out,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head>\n<title>{} — group blogs</title>\n</head>\n<body>\n",
            xml_escape(&state.svc.site.name)
        ),
    )
    .await?;
    for_every_group(state, &out, |g, links, part| {
        for l in links.iter().filter(|l| l.kind == "blog_feed") {
            let site = links.iter().find(|l| l.kind == "website").map_or_else(
                || state.svc.site.link(&format!("/groups/{}", g.slug)),
                |w| w.url.clone(),
            );
            part.push_str(&format!(
                "<outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
                xml_escape(&g.name),
                xml_escape(&g.name),
                xml_escape(&l.url),
                xml_escape(&site)
            ));
        }
        Ok(())
    })
    .await?;
    send(&out, "</body>\n</opml>\n".to_owned()).await
}
