//! How calendar occurrences are shown on pages: the occurrence view, the
//! visitor's zone, cached expansions and the month grid, shared by the
//! calendar, event, group, blog and embed pages.

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use convene_app::calendars::{self, Calendar, Moment, Occ};
use std::sync::Arc;

/// Name of the cookie remembering a visitor's chosen time zone.
pub const TZ_COOKIE: &str = "convene_tz";

/// One occurrence as pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OccView {
    /// Title.
    pub title: String,
    /// Absolute or site path of its page.
    pub url: String,
    /// "Tue 8 Dec 2026, 19:00–21:00 EST".
    pub when: String,
    /// Start, RFC 3339 (a date for all-day events).
    pub start: String,
    /// End, likewise (exclusive for all-day events).
    pub end: String,
    /// All-day.
    pub all_day: bool,
    /// The event's zone, if zoned.
    pub tz: Option<String>,
    /// Local date of the start (in the zone shown).
    pub date: String,
    /// Local start time ("19:00"), empty for all-day.
    pub time: String,
    /// Called off.
    pub cancelled: bool,
    /// The group, if the event is a group's.
    pub group: Option<GroupLabel>,
    /// Venue name.
    pub place: String,
    /// Has an online link.
    pub online: bool,
    /// Changed from its series.
    #[serde(skip)]
    pub changed: bool,
    /// Imported from an outside feed.
    #[serde(skip)]
    pub imported: bool,
    /// How its series repeats, in plain words ("every third Saturday of
    /// the month"); empty for a single event.
    pub series: String,
    /// The rule itself when the words could not say it.
    pub series_rule: String,
    /// The last local day it covers (`YYYY-MM-DD`; the start's day for most).
    #[serde(skip)]
    pub last_date: String,
    /// Shown on a later day of a multi-day event (the month grid).
    #[serde(skip)]
    pub continued: bool,
}

/// A group named beside an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupLabel {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
}

/// Converts an occurrence for display, in `viewer`'s zone when given.
pub fn occ_view(o: &Occ, viewer: Option<Tz>, base: &str) -> OccView {
    let local = match viewer {
        Some(v) => o.start.local_in(v),
        None => o.start.local(),
    };
    let all_day = matches!(o.start, Moment::Date(_));
    OccView {
        title: o.title.clone(),
        url: format!("{base}{}", o.path()),
        when: calendars::when_text_in(o, viewer),
        start: match viewer {
            Some(v) => o.start.rfc3339_in(v),
            None => o.start.rfc3339(),
        },
        end: match viewer {
            Some(v) => o.end.rfc3339_in(v),
            None => o.end.rfc3339(),
        },
        all_day,
        tz: o.start.tz().map(|t| t.name().to_owned()),
        date: local.format("%Y-%m-%d").to_string(),
        time: if all_day {
            String::new()
        } else {
            local.format("%H:%M").to_string()
        },
        cancelled: o.cancelled(),
        group: o.group.as_ref().map(|(slug, name)| GroupLabel {
            slug: slug.clone(),
            name: name.clone(),
        }),
        place: o.venue_name.clone(),
        online: o.online,
        changed: o.changed,
        imported: o.imported,
        series: o
            .repeats
            .as_ref()
            .map(|r| r.words.clone())
            .unwrap_or_default(),
        series_rule: o
            .repeats
            .as_ref()
            .and_then(|r| r.custom_rule.clone())
            .unwrap_or_default(),
        last_date: last_day(o, viewer, local.date()),
        continued: false,
    }
}

/// The last local day an occurrence covers: an end at midnight (or an
/// all-day end, which is exclusive) belongs to the day before.
fn last_day(o: &Occ, viewer: Option<Tz>, first: chrono::NaiveDate) -> String {
    let end = match viewer {
        Some(v) => o.end.local_in(v),
        None => o.end.local(),
    };
    let day = if end.time() == chrono::NaiveTime::MIN {
        end.date() - Duration::days(1)
    } else {
        end.date()
    };
    day.max(first).format("%Y-%m-%d").to_string()
}

/// The zone the visitor chose (query, then cookie, then their account's
/// setting), if any and valid.
pub fn viewer_zone(query: Option<&str>, headers: &HeaderMap, visitor: &Visitor) -> Option<Tz> {
    if let Some(q) = query {
        return q.parse::<Tz>().ok();
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == TZ_COOKIE)
        .and_then(|(_, v)| v.replace("%2F", "/").parse::<Tz>().ok());
    cookie.or_else(|| {
        visitor
            .signed_in
            .as_ref()
            .and_then(|s| s.user.time_zone.parse::<Tz>().ok())
    })
}

/// The next `limit` occurrences of `cal`, kept in memory for the minute and
/// until any calendar changes (many visitors, one expansion).
pub async fn cached_upcoming(
    state: &AppState,
    cal: &Calendar,
    limit: usize,
    viewer: Tz,
) -> Result<Arc<Vec<Occ>>, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let now = state.svc.clock.now();
    let key = format!(
        "upcoming:{}:{limit}:{}:{}",
        cal.feed_path(),
        viewer.name(),
        now.format("%Y%m%d%H%M")
    );
    let (svc, cal) = (state.svc.clone(), cal.clone());
    state
        .calendar_cache
        .get_or_build(&key, &version.to_string(), || async move {
            Ok::<_, PageError>(calendars::upcoming(&svc, &cal, now, limit, viewer).await?)
        })
        .await
}

/// The next `limit` events of `cal`, each series once with its next date,
/// kept in memory like [`cached_upcoming`].
pub async fn cached_series_once(
    state: &AppState,
    cal: &Calendar,
    limit: usize,
    viewer: Tz,
) -> Result<Arc<Vec<Occ>>, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let now = state.svc.clock.now();
    let key = format!(
        "series-once:{}:{limit}:{}:{}",
        cal.feed_path(),
        viewer.name(),
        now.format("%Y%m%d%H%M")
    );
    let (svc, cal) = (state.svc.clone(), cal.clone());
    state
        .calendar_cache
        .get_or_build_weighed(&key, &version.to_string(), || async move {
            Ok::<_, PageError>(
                calendars::upcoming_series_once(&svc, &cal, now, limit, viewer).await?,
            )
        })
        .await
}

/// The occurrences of `cal` overlapping `[from, to)`, kept in memory until any calendar changes.
pub async fn cached_between(
    state: &AppState,
    cal: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    viewer: Tz,
) -> Result<Arc<Vec<Occ>>, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let key = format!(
        "between:{}:{}:{}:{}",
        cal.feed_path(),
        from.timestamp(),
        to.timestamp(),
        viewer.name()
    );
    let (svc, cal) = (state.svc.clone(), cal.clone());
    state
        .calendar_cache
        .get_or_build_weighed(&key, &version.to_string(), || async move {
            Ok::<_, PageError>(
                calendars::occurrences_between(&svc, &cal, from, to, viewer)
                    .await?
                    .0,
            )
        })
        .await
}

/// A day of the month grid.
pub struct DayCell {
    /// Day of the month.
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Belongs to the month shown (not padding).
    pub in_month: bool,
    /// Today.
    pub today: bool,
    /// Its occurrences.
    pub occs: Vec<OccView>,
}

/// Zones offered by the picker (any IANA name is accepted in the URL).
pub fn zone_choices() -> Vec<&'static str> {
    let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    zones.insert(0, "UTC");
    zones
}

/// Builds the month grid (weeks from Monday) for `first..next`.
pub fn month_grid(
    first: NaiveDate,
    next: NaiveDate,
    today: NaiveDate,
    occs: &[OccView],
) -> Vec<Vec<DayCell>> {
    let mut start = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let mut weeks = Vec::new();
    while start < next {
        let mut week = Vec::new();
        for _ in 0..7 {
            let date = start.format("%Y-%m-%d").to_string();
            week.push(DayCell {
                day: start.day(),
                in_month: start >= first && start < next,
                today: start == today,
                occs: occs
                    .iter()
                    .filter(|o| o.date <= date && date <= o.last_date)
                    .map(|o| {
                        let mut o = o.clone();
                        if o.date != date {
                            o.continued = true;
                            o.time.clear();
                        }
                        o
                    })
                    .collect(),
                date,
            });
            start += Duration::days(1);
        }
        weeks.push(week);
    }
    weeks
}
