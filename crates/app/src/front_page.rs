//! What the front page tells a visitor at a glance, beyond the calendar and
//! the blog: how large the community is.

use crate::calendars::{Moment, Occ};
use crate::{AppResult, Services};
use convene_store::groups::{Filter, place_counts};

/// The roster's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RosterCounts {
    /// Listed groups.
    pub groups: i64,
    /// Countries with at least one listed group.
    pub countries: i64,
}

/// Counts the listed groups and their countries in one grouped query.
pub async fn roster_counts(svc: &Services) -> AppResult<RosterCounts> {
    let mut conn = svc.db.conn().await?;
    let rows = place_counts(conn.ex(), &Filter::default()).await?;
    let mut countries: Vec<&str> = rows
        .iter()
        .map(|(_, country, _, _)| country.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    Ok(RosterCounts {
        groups: rows.iter().map(|(_, _, _, n)| n).sum(),
        countries: countries.len() as i64,
    })
}

/// How far away a meeting may be and still count as near, in kilometres: a
/// few hours by train or car, the distance people travel for an evening.
pub const NEAR_KM: f64 = 250.0;

/// What the site knows of where a visitor is.
#[derive(Debug, Clone, PartialEq)]
pub enum Whereabouts {
    /// A place they searched for: its name and coordinates.
    Place {
        /// How to name it ("Pune, Maharashtra, India").
        label: String,
        /// Latitude.
        lat: f64,
        /// Longitude.
        lon: f64,
    },
    /// The time zone a member chose for their account.
    Zone(chrono_tz::Tz),
}

impl Whereabouts {
    /// How the front page says where: "near Pune, Maharashtra", "in your
    /// time zone (Asia/Kolkata)".
    pub fn phrase(&self) -> String {
        match self {
            Whereabouts::Place { label, .. } => format!("near {label}"),
            Whereabouts::Zone(tz) => format!("in your time zone ({})", tz.name().replace('_', " ")),
        }
    }
}

/// The addresses of the groups within [`NEAR_KM`] of a point.
pub async fn groups_near(svc: &Services, lat: f64, lon: f64) -> AppResult<Vec<String>> {
    Ok(crate::groups::near(svc, lat, lon, 50)
        .await?
        .into_iter()
        .filter(|n| n.distance_km <= NEAR_KM)
        .map(|n| n.group.slug)
        .collect())
}

/// True when `occ` happens near the visitor: at a venue within
/// [`NEAR_KM`], or held by a group in `near_groups` (for a place), or in
/// their own time zone (for a zone).
pub fn is_near(occ: &Occ, here: &Whereabouts, near_groups: &[String]) -> bool {
    match here {
        Whereabouts::Place { lat, lon, .. } => {
            occ.geo
                .is_some_and(|(a, b)| convene_places::distance_km(*lat, *lon, a, b) <= NEAR_KM)
                || occ
                    .group
                    .as_ref()
                    .is_some_and(|(slug, _)| near_groups.iter().any(|g| g == slug))
        }
        Whereabouts::Zone(tz) => matches!(occ.start, Moment::At { tz: t, .. } if t == *tz),
    }
}
