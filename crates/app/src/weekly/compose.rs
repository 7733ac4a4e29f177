//! What one weekly digest holds: the meetings of the coming two weeks in
//! its calendar or area, with times in the subscriber's zone, and the
//! groups' posts published since the last email.

use super::area::Area;
use crate::calendars::{Calendar, Occ, calendar_groups, occurrences_between, when_text_in};
use crate::{AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use convene_store::Ex;
use convene_store::calendars;
use convene_store::weekly::{self, WeeklyRow};
use std::collections::HashSet;

/// How many days ahead a digest looks.
pub fn window_days() -> i64 {
    14
}

/// Most meetings one digest lists (the rest are a link away).
const MAX_EVENTS: usize = 100;

/// One meeting in a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestEvent {
    /// The occurrence's page path, stable for the occurrence.
    pub path: String,
    /// Title.
    pub title: String,
    /// When, in the subscriber's zone ("Tue 8 Dec 2026, 19:00–21:00 CET").
    pub when: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// The group holding it.
    pub group: Option<String>,
    /// The venue, or "Online".
    pub place: String,
    /// Absolute link to its page.
    pub link: String,
}

/// One new post in a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestPost {
    /// Title.
    pub title: String,
    /// The group it is about.
    pub group: String,
    /// Absolute link.
    pub link: String,
    /// Summary (or the start of the post).
    pub summary: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// A digest ready to mail or to serve as a feed.
#[derive(Debug, Clone)]
pub struct WeeklyDigest {
    /// What it covers.
    pub area: Area,
    /// The zone its times are in.
    pub time_zone: Tz,
    /// The start of the window (when it was made).
    pub from: DateTime<Utc>,
    /// The end of the window.
    pub to: DateTime<Utc>,
    /// The meetings, in order.
    pub events: Vec<DigestEvent>,
    /// The new posts, oldest first.
    pub posts: Vec<DigestPost>,
}

impl WeeklyDigest {
    /// True when there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.posts.is_empty()
    }

    /// "What's on near Berlin: 5 meetings in the next two weeks".
    pub fn subject(&self) -> String {
        let what = match (self.events.len(), self.posts.len()) {
            (0, 1) => "1 new post".to_owned(),
            (0, n) => format!("{n} new posts"),
            (1, _) => "1 meeting in the next two weeks".to_owned(),
            (n, _) => format!("{n} meetings in the next two weeks"),
        };
        format!("What's on {}: {what}", self.area.short())
    }
}

/// What a stored subscription covers; `None` if its calendar is gone.
pub(crate) async fn area_of(ex: Ex<'_>, row: &WeeklyRow) -> AppResult<Option<Area>> {
    if let Some(id) = row.calendar_id {
        return Ok(calendars::by_id(ex, id).await?.map(Area::Calendar));
    }
    Ok(match (row.latitude, row.longitude, row.radius_km) {
        (Some(lat), Some(lon), Some(radius_km)) => Some(Area::Near {
            place: row.place.clone(),
            lat,
            lon,
            radius_km,
        }),
        _ => None,
    })
}

/// The digest of a stored subscription at `now`, with posts since its last
/// email (or the last week, before the first one).
pub async fn compose(
    svc: &Services,
    row: &WeeklyRow,
    now: DateTime<Utc>,
) -> AppResult<Option<WeeklyDigest>> {
    let area = {
        let mut conn = svc.db.conn().await?;
        area_of(conn.ex(), row).await?
    };
    let Some(area) = area else {
        return Ok(None);
    };
    let tz: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
    let since = row.last_sent_at.unwrap_or(now - Duration::days(7));
    compose_for_area(svc, area, tz, now, since).await.map(Some)
}

/// The digest of `area` at `now` in zone `tz`, with posts published after
/// `posts_since`.
pub async fn compose_for_area(
    svc: &Services,
    area: Area,
    tz: Tz,
    now: DateTime<Utc>,
    posts_since: DateTime<Utc>,
) -> AppResult<WeeklyDigest> {
    let to = now + Duration::days(window_days());
    let (occs, group_ids): (Vec<Occ>, HashSet<i64>) = match &area {
        Area::Calendar(c) => {
            let (occs, _) =
                occurrences_between(svc, &Calendar::Region(c.clone()), now, to, tz).await?;
            let groups = calendar_groups(svc, c.id)
                .await?
                .into_iter()
                .filter(|g| g.why != "excluded")
                .map(|g| g.id)
                .collect();
            (occs, groups)
        }
        Area::Near {
            lat,
            lon,
            radius_km,
            ..
        } => {
            let near: Vec<_> = crate::groups::near(svc, *lat, *lon, 200)
                .await?
                .into_iter()
                .filter(|n| n.distance_km <= *radius_km)
                .collect();
            let slugs: HashSet<&str> = near.iter().map(|n| n.group.slug.as_str()).collect();
            let (occs, _) = occurrences_between(svc, &Calendar::Site, now, to, tz).await?;
            // A venue's own position decides; an event without one (online,
            // or not placed) counts where its group is.
            let occs = occs
                .into_iter()
                .filter(|o| match o.geo {
                    Some((a, b)) => convene_places::distance_km(*lat, *lon, a, b) <= *radius_km,
                    None => o
                        .group
                        .as_ref()
                        .is_some_and(|(slug, _)| slugs.contains(slug.as_str())),
                })
                .collect();
            let ids = near.iter().map(|n| n.group.id).collect();
            (occs, ids)
        }
    };
    let events = occs
        .iter()
        .filter(|o| !o.cancelled())
        .take(MAX_EVENTS)
        .map(|o| DigestEvent {
            path: o.path(),
            title: o.title.clone(),
            when: when_text_in(o, Some(tz)),
            start: o.start.instant(tz),
            group: o.group.as_ref().map(|(_, name)| name.clone()),
            place: if !o.venue_name.is_empty() {
                o.venue_name.clone()
            } else if o.online {
                "Online".to_owned()
            } else {
                String::new()
            },
            link: svc.site.link(&o.path()),
        })
        .collect();
    let posts = {
        let mut conn = svc.db.conn().await?;
        weekly::group_posts_between(conn.ex(), posts_since, now).await?
    };
    let posts = posts
        .into_iter()
        .filter(|p| group_ids.contains(&p.group_id))
        .map(|p| DigestPost {
            link: svc.site.link(&format!("/blog/{}", p.slug)),
            summary: if p.summary.trim().is_empty() {
                shorten(&p.body, 300)
            } else {
                p.summary
            },
            title: p.title,
            group: p.group_name,
            published_at: p.published_at,
        })
        .collect();
    Ok(WeeklyDigest {
        area,
        time_zone: tz,
        from: now,
        to,
        events,
        posts,
    })
}

/// The first `max` characters of `text` on one line, cut at a word.
fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}
