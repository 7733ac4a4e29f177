//! The events that happen in a window, as the API lists them: in the order
//! of their first occurrence in the window, each once. They are loaded in
//! four queries whatever their number, and a series is expanded only as far
//! as its first date in the window, and only while it may still be among
//! those returned.

use super::Calendar;
use super::events::{Event, listed_once};
use super::occurrences::expand_event;
use crate::{AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use convene_store::calendars;
use convene_store::events::{self, OverrideRow};
use std::collections::{BinaryHeap, HashMap};

/// An event of a listing, with the calendar it belongs to.
#[derive(Debug)]
pub struct ListedEvent {
    /// The event.
    pub event: Event,
    /// The slug of its calendar: its group's, or its regional calendar's.
    pub calendar: Option<String>,
    /// Its group's slug.
    pub group: Option<String>,
}

/// The first window looked at for a series' first date: a week covers
/// every weekly meeting and most others.
const FIRST_LOOK: i64 = 8;

/// The events of `cal` with an occurrence overlapping `[from, to)`, at
/// most `limit`, in the order of that first occurrence (then by id).
pub async fn events_between(
    svc: &Services,
    cal: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<ListedEvent>> {
    let limit = limit.max(1);
    let mut conn = svc.db.conn().await?;
    let rows = listed_once(events::in_window(conn.ex(), cal.scope(), from, to).await?);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let overrides = events::overrides_of(conn.ex(), &ids).await?;
    let mut group_ids: Vec<i64> = rows.iter().filter_map(|r| r.group_id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    let group_slugs: HashMap<i64, String> = events::group_labels(conn.ex(), &group_ids)
        .await?
        .into_iter()
        .map(|(id, slug, _)| (id, slug))
        .collect();
    let calendar_slugs: HashMap<i64, String> = if rows.iter().any(|r| r.calendar_id.is_some()) {
        calendars::all(conn.ex())
            .await?
            .into_iter()
            .map(|c| (c.id, c.slug))
            .collect()
    } else {
        HashMap::new()
    };
    drop(conn);

    let mut by_event: HashMap<i64, Vec<&OverrideRow>> = HashMap::new();
    for o in &overrides {
        by_event.entry(o.event_id).or_default().push(o);
    }
    // Each candidate with the earliest its first occurrence in the window
    // can start: an occurrence overlapping `from` began at most one
    // duration before it, and a changed one may have been moved in.
    let mut candidates: Vec<(DateTime<Utc>, Event)> = Vec::with_capacity(rows.len());
    for row in rows {
        let moved_in = by_event
            .get(&row.id)
            .into_iter()
            .flatten()
            .filter_map(|o| o.start_at)
            .filter(|at| *at >= from && *at < to)
            .min();
        let ev = match Event::from_row(row) {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!(error = %e, "a stored event cannot be read");
                continue;
            }
        };
        let earliest = ev.row.first_start.max(from - ev.timing.duration()) - Duration::days(1);
        let bound = moved_in.map_or(earliest, |m| m.min(earliest));
        candidates.push((bound, ev));
    }
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.row.id.cmp(&b.1.row.id)));

    // The `limit` earliest found so far, latest on top.
    let mut kept: BinaryHeap<(DateTime<Utc>, i64)> = BinaryHeap::new();
    let mut found: Vec<(DateTime<Utc>, Event)> = Vec::new();
    for (bound, ev) in candidates {
        if kept.len() == limit && kept.peek().is_some_and(|(latest, _)| bound > *latest) {
            break;
        }
        let ovs = by_event.get(&ev.row.id).map_or(&[][..], Vec::as_slice);
        let Some(first) = first_in(&ev, ovs, bound, from, to) else {
            continue;
        };
        kept.push((first, ev.row.id));
        if kept.len() > limit {
            kept.pop();
        }
        found.push((first, ev));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.row.id.cmp(&b.1.row.id)));
    found.truncate(limit);
    Ok(found
        .into_iter()
        .map(|(_, event)| {
            let group = event
                .row
                .group_id
                .and_then(|g| group_slugs.get(&g).cloned());
            let calendar = group.clone().or_else(|| {
                event
                    .row
                    .calendar_id
                    .and_then(|c| calendar_slugs.get(&c).cloned())
            });
            ListedEvent {
                event,
                calendar,
                group,
            }
        })
        .collect())
}

/// The start of `ev`'s first occurrence overlapping `[from, to)`, looking a
/// week past `bound` first and four times as far each time after.
fn first_in(
    ev: &Event,
    ovs: &[&OverrideRow],
    bound: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut reach = Duration::days(FIRST_LOOK);
    loop {
        let until = (bound.max(from) + reach).min(to);
        let (occs, _) = expand_event(ev, ovs, from, until, Tz::UTC);
        if let Some(first) = occs.iter().map(|o| o.start.instant(Tz::UTC)).min() {
            return Some(first);
        }
        if until >= to {
            return None;
        }
        reach = reach * 4;
    }
}
