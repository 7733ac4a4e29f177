//! `/api/v1/groups`: the roster for programs.

use super::{ApiJson, ApiUser};
use super::{ApiPath, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use convene_app::groups::{self, GroupInput, STALE_AFTER_DAYS, is_stale};
use convene_store::groups::{Filter, GroupRow, LinkRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A link of a group.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkOut {
    /// website, meetup, mailing_list, chat, code, social, blog_feed or other.
    #[schema(schema_with = super::openapi::link_kind)]
    pub kind: String,
    /// The address.
    pub url: String,
    /// The link checker's verdict, when checked.
    #[serde(skip_deserializing)]
    pub check_status: Option<String>,
}

/// A group's entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    /// Stable address: /groups/{slug}.
    pub slug: String,
    /// Name.
    pub name: String,
    /// One or two sentences.
    pub short_description: String,
    /// Markdown.
    pub description: String,
    /// City.
    pub city: String,
    /// Region or state.
    pub region: String,
    /// ISO 3166-1 alpha-2, or empty.
    pub country: String,
    /// AF, AN, AS, EU, NA, OC or SA, or empty.
    #[schema(schema_with = super::openapi::continent)]
    pub continent: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// BCP 47 tags.
    pub languages: Vec<String>,
    /// When it meets, in words.
    pub meeting_pattern: String,
    /// Year, month or date.
    pub founded: String,
    /// active, dormant or closed.
    #[schema(schema_with = super::openapi::group_status)]
    pub status: String,
    /// When an organizer last confirmed the entry.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Not confirmed for a year.
    pub possibly_inactive: bool,
    /// Links (in the full entry; empty in lists).
    pub links: Vec<LinkOut>,
}

fn out(g: GroupRow, links: &[LinkRow], now: DateTime<Utc>) -> GroupOut {
    GroupOut {
        possibly_inactive: is_stale(g.confirmed_at, g.created_at, now),
        languages: g.languages.split_whitespace().map(str::to_owned).collect(),
        links: links
            .iter()
            .map(|l| LinkOut {
                kind: l.kind.clone(),
                url: l.url.clone(),
                check_status: l.check_status.clone(),
            })
            .collect(),
        slug: g.slug,
        name: g.name,
        short_description: g.short_description,
        description: g.description,
        city: g.city,
        region: g.region,
        country: g.country,
        continent: g.continent,
        latitude: g.latitude,
        longitude: g.longitude,
        meeting_pattern: g.meeting_pattern,
        founded: g.founded,
        status: g.status,
        confirmed_at: g.confirmed_at,
    }
}

/// Filters and paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Continent code; empty for all.
    #[param(schema_with = super::openapi::continent_filter)]
    pub continent: Option<String>,
    /// Alpha-2 country code.
    pub country: Option<String>,
    /// Region name.
    pub region: Option<String>,
    /// A BCP 47 tag the group speaks.
    pub language: Option<String>,
    /// active, dormant or closed; empty for all.
    #[param(schema_with = super::openapi::group_status_filter)]
    pub status: Option<String>,
    /// Only entries confirmed in the last 12 months.
    pub fresh: Option<bool>,
    /// Words to search for (ranked results; filters other than this are ignored).
    pub q: Option<String>,
    /// Page size, 1 to 500 (default 100; other numbers are read as the
    /// nearest of those).
    pub limit: Option<i64>,
    /// Entries to skip (a negative number is read as 0).
    pub offset: Option<i64>,
}

/// A filter from a closed set: empty or left out for none, anything else
/// outside the set refused.
fn one_of_or_empty(
    field: &'static str,
    value: Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
        Some(_) => Err(convene_domain::InvalidInput::new(
            field,
            format!("Use one of: {}.", allowed.join(", ")),
        )
        .into()),
    }
}

/// Groups in the roster, by name (or best match first with `q`).
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(ListQuery),
    responses((status = 200, body = Vec<GroupOut>), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<GroupOut>>, ApiError> {
    let svc = &state.svc;
    let now = svc.clock.now();
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    // Checked even when `q` makes them unused, so a wrong value is never
    // silently taken.
    let continent = one_of_or_empty(
        "continent",
        q.continent,
        &convene_places::Continent::all().map(|c| c.code()),
    )?;
    let status = one_of_or_empty("status", q.status, &["active", "dormant", "closed"])?;
    let rows: Vec<GroupRow> = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(words) => groups::search_groups(svc, words, limit)
            .await?
            .into_iter()
            .map(|(g, _)| g)
            .collect(),
        None => {
            let filter = Filter {
                continent,
                country: q.country.map(|c| c.to_ascii_uppercase()),
                region: q.region,
                language: q.language,
                status,
                confirmed_since: q
                    .fresh
                    .unwrap_or(false)
                    .then(|| now - Duration::days(STALE_AFTER_DAYS)),
            };
            groups::list_groups(svc, &filter, limit, q.offset.unwrap_or(0).max(0)).await?
        }
    };
    Ok(Json(rows.into_iter().map(|g| out(g, &[], now)).collect()))
}

/// One group, with its links.
#[utoipa::path(get, path = "/api/v1/groups/{slug}", tag = "groups", params(("slug" = String, Path, description = "The group's slug")),
    responses((status = 200, body = GroupOut), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<GroupOut>, ApiError> {
    let page = groups::group_page(&state.svc, None, &slug).await?;
    Ok(Json(out(page.group, &page.links, state.svc.clock.now())))
}

/// A group as a client sends it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GroupIn {
    /// Name (required).
    pub name: String,
    /// Slug; made from the name when empty.
    pub slug: String,
    /// One or two sentences.
    pub short_description: String,
    /// Markdown.
    pub description: String,
    /// City.
    pub city: String,
    /// Region or state.
    pub region: String,
    /// Alpha-2 code or English name.
    pub country: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// BCP 47 tags.
    pub languages: Vec<String>,
    /// When it meets.
    pub meeting_pattern: String,
    /// Year, month or date.
    pub founded: String,
    /// active, dormant or closed; empty for active.
    #[schema(schema_with = super::openapi::group_status_in)]
    pub status: String,
    /// Links.
    pub links: Vec<LinkOut>,
}

impl GroupIn {
    fn input(self) -> GroupInput {
        GroupInput {
            name: self.name,
            slug: self.slug,
            short_description: self.short_description,
            description: self.description,
            city: self.city,
            region: self.region,
            country: self.country,
            latitude: self.latitude.map(|v| v.to_string()).unwrap_or_default(),
            longitude: self.longitude.map(|v| v.to_string()).unwrap_or_default(),
            languages: self.languages.join(" "),
            meeting_pattern: self.meeting_pattern,
            founded: self.founded,
            status: self.status,
            links: self.links.into_iter().map(|l| (l.kind, l.url)).collect(),
        }
    }
}

/// Adds a group (coordinators; anyone else's goes to review as a proposal).
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = GroupIn,
    responses((status = 201, body = GroupOut), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<GroupIn>,
) -> Result<(StatusCode, Json<GroupOut>), ApiError> {
    let input = body.input();
    let slug = if me.actor.is_coordinator() {
        groups::create_group(&state.svc, &me.actor, &input).await?
    } else {
        groups::propose_group(&state.svc, &me.actor, &input).await?
    };
    let page = groups::group_page(&state.svc, Some(&me.actor), &slug).await?;
    Ok((
        StatusCode::CREATED,
        Json(out(page.group, &page.links, state.svc.clock.now())),
    ))
}

/// Replaces a group's entry (its organizers and coordinators).
#[utoipa::path(put, path = "/api/v1/groups/{slug}", tag = "groups", request_body = GroupIn, params(("slug" = String, Path, description = "The group's slug")),
    responses((status = 200, body = GroupOut), (status = 403, body = super::openapi::ErrorBody),
              (status = 409, description = "The new slug is taken.", body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<GroupIn>,
) -> Result<Json<GroupOut>, ApiError> {
    let slug = groups::update_group(&state.svc, &me.actor, &slug, &body.input()).await?;
    let page = groups::group_page(&state.svc, Some(&me.actor), &slug).await?;
    Ok(Json(out(page.group, &page.links, state.svc.clock.now())))
}
