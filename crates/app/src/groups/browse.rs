//! Finding groups: browsing by place, filtering, searching, near a place.

use super::is_stale;
use crate::{AppError, AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_store::groups::{self, Filter, GroupRow, LinkRow, Located};

/// How many approved entries one place holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceCount {
    /// Continent code.
    pub continent: String,
    /// Alpha-2 (empty when unknown).
    pub country: String,
    /// Region (empty when none).
    pub region: String,
    /// Entries.
    pub count: i64,
}

/// Counts per continent, country and region for the entries matching `filter`.
pub async fn browse_counts(svc: &Services, filter: &Filter) -> AppResult<Vec<PlaceCount>> {
    let mut conn = svc.db.conn().await?;
    Ok(groups::place_counts(conn.ex(), filter)
        .await?
        .into_iter()
        .map(|(continent, country, region, count)| PlaceCount {
            continent,
            country,
            region,
            count,
        })
        .collect())
}

/// One page of entries matching `filter`, and how many match in all.
pub async fn list_groups(
    svc: &Services,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<GroupRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(groups::list(conn.ex(), filter, limit.clamp(1, 500), offset.max(0)).await?)
}

/// Entries matching the words of `query`, best first.
pub async fn search_groups(
    svc: &Services,
    query: &str,
    limit: i64,
) -> AppResult<Vec<(GroupRow, f64)>> {
    let mut conn = svc.db.conn().await?;
    Ok(groups::search(conn.ex(), query, limit.clamp(1, 200)).await?)
}

/// Approved entries of `country` (alpha-2) that have no pin, by name.
pub async fn unplaced_in_country(
    svc: &Services,
    country: &str,
    limit: i64,
) -> AppResult<Vec<GroupRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(groups::unplaced_in_country(conn.ex(), country, limit.clamp(1, 500)).await?)
}

/// An entry and how far it is.
#[derive(Debug, Clone)]
pub struct Near {
    /// The entry.
    pub group: Located,
    /// Great-circle distance in kilometres.
    pub distance_km: f64,
    /// Not confirmed for a year.
    pub stale: bool,
}

/// The `limit` entries nearest to a point, nearest first.
///
/// The database looks in a band of latitudes around the point (2°, then 8°,
/// 30° and the whole globe), taking candidates by a flat approximation of
/// distance, four times as many as asked for; their great-circle distances
/// decide the order. A band is wide enough once the farthest entry kept is
/// nearer than the band's edge, so nothing outside could be nearer.
pub async fn near(svc: &Services, lat: f64, lon: f64, limit: usize) -> AppResult<Vec<Near>> {
    let limit = limit.clamp(1, 200);
    let mut conn = svc.db.conn().await?;
    let now = svc.clock.now();
    let x_scale = lat.to_radians().cos().max(0.05);
    let mut found = Vec::new();
    for band in [2.0_f64, 8.0, 30.0, 180.0] {
        found = groups::nearest(conn.ex(), lat, lon, x_scale, band, (limit * 4 + 20) as i64)
            .await?
            .into_iter()
            .map(|g| Near {
                distance_km: convene_places::distance_km(lat, lon, g.latitude, g.longitude),
                stale: is_stale(g.confirmed_at, g.created_at, now),
                group: g,
            })
            .collect::<Vec<_>>();
        found.sort_by(|a, b| a.distance_km.total_cmp(&b.distance_km));
        // One degree of latitude is at least 110.5 km.
        let enough = found.len() >= limit && found[limit - 1].distance_km <= band * 110.5;
        if enough {
            break;
        }
    }
    found.truncate(limit);
    Ok(found)
}

/// A text that changes whenever the roster does (for caching whole-roster pages).
pub async fn roster_version(svc: &Services) -> AppResult<String> {
    // Staleness moves with the calendar, so the day is part of the version.
    Ok(format!(
        "{}@{}",
        svc.db
            .counter(convene_store::counters::Counter::Groups)
            .await?,
        svc.clock.now().format("%Y-%m-%d")
    ))
}

/// Every entry with a pin, and whether it is stale (for the map and exports).
pub async fn located_groups(svc: &Services) -> AppResult<Vec<(Located, bool)>> {
    let mut conn = svc.db.conn().await?;
    let now = svc.clock.now();
    Ok(groups::located(conn.ex())
        .await?
        .into_iter()
        .map(|g| {
            let stale = is_stale(g.confirmed_at, g.created_at, now);
            (g, stale)
        })
        .collect())
}

/// Everything the group page shows.
#[derive(Debug, Clone)]
pub struct GroupPage {
    /// The entry.
    pub group: GroupRow,
    /// Its links with their check results.
    pub links: Vec<LinkRow>,
    /// Its organizers' names.
    pub organizers: Vec<String>,
    /// Not confirmed for a year: "possibly inactive".
    pub stale: bool,
    /// The viewer may edit it.
    pub can_edit: bool,
    /// The viewer may review it (a coordinator, for a pending proposal).
    pub can_review: bool,
    /// The name of whoever last confirmed the entry.
    pub confirmed_by: Option<String>,
}

/// The entry `slug` as `viewer` may see it. Pending and rejected proposals
/// are seen only by coordinators, the proposer and the entry's organizers.
pub async fn group_page(
    svc: &Services,
    viewer: Option<&Actor>,
    slug: &str,
) -> AppResult<GroupPage> {
    let mut conn = svc.db.conn().await?;
    let group = groups::by_slug(conn.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no group at this address."))?;
    let is_coordinator = viewer.is_some_and(Actor::is_coordinator);
    // Whoever may change the entry may see it: an answer never says "not
    // found" about an entry the same person can save.
    let can_edit = authorize(viewer, &Action::EditGroup { group: group.id }).is_ok();
    if group.approval != "approved"
        && !is_coordinator
        && !can_edit
        && viewer.map(|a| a.user_id) != group.proposed_by
    {
        return Err(AppError::NotFound("There is no group at this address."));
    }
    let links = groups::links(conn.ex(), group.id).await?;
    let organizers = groups::organizer_names(conn.ex(), group.id).await?;
    let confirmed_by = match group.confirmed_by {
        Some(id) => convene_store::users::by_id(conn.ex(), id)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let stale = is_stale(group.confirmed_at, group.created_at, svc.clock.now());
    Ok(GroupPage {
        confirmed_by,
        can_review: is_coordinator && group.approval == "pending",
        group,
        links,
        organizers,
        stale,
        can_edit,
    })
}
