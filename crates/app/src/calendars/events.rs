//! Making and changing events: whole series, single occurrences, and
//! "this and following" splits.

use super::event_input::{EventInput, fields_of, truthy, validate};
use super::{Calendar, may_edit, touched};
use crate::federation::publish::{self, Change};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use convene_domain::events::{
    EventStatus, EventTiming, Timing, check_line, occurrence_key, parse_list, parse_local,
    parse_occurrence_key, stored_local,
};
use convene_domain::{Actor, InvalidInput};
use convene_recurrence::{Bounds, Window, expand, place};
use convene_store::events::{self, EventFields, EventOwner, EventRow, OverrideRow};
use convene_store::{Ex, calendars, groups};

/// A stored event with its timing read back.
#[derive(Debug, Clone)]
pub struct Event {
    /// The stored row.
    pub row: EventRow,
    /// Its timing.
    pub timing: EventTiming,
    /// Its status.
    pub status: EventStatus,
}

impl Event {
    /// Reads a stored row.
    pub fn from_row(row: EventRow) -> AppResult<Self> {
        let bad = |what: &str| AppError::Internal(format!("event {} has a bad {what}", row.id));
        let timing = Timing::from_stored(&row.timing, &row.tz).ok_or_else(|| bad("timing"))?;
        let start = parse_local(&row.start_local).ok_or_else(|| bad("start"))?;
        let end = parse_local(&row.end_local).ok_or_else(|| bad("end"))?;
        let rdates = parse_list("rdates", &row.rdates).map_err(|_| bad("RDATE"))?;
        let exdates = parse_list("exdates", &row.exdates).map_err(|_| bad("EXDATE"))?;
        let status = EventStatus::parse(&row.status).ok_or_else(|| bad("status"))?;
        Ok(Event {
            timing: EventTiming {
                timing,
                start,
                end,
                rrule: row.rrule.clone(),
                rdates,
                exdates,
            },
            status,
            row,
        })
    }

    /// True for an event imported from an outside feed (read-only here).
    pub fn imported(&self) -> bool {
        self.row.source_id.is_some()
    }

    /// True if the series has more than one occurrence.
    pub fn recurring(&self) -> bool {
        self.timing.rrule.is_some() || !self.timing.rdates.is_empty()
    }

    /// The key of the first occurrence.
    pub fn first_key(&self) -> String {
        occurrence_key(self.timing.start, self.timing.all_day())
    }

    /// True if `key` names an occurrence of this event (before overrides).
    pub fn has_occurrence(&self, key: &str) -> bool {
        let Some(wall) = parse_occurrence_key(key) else {
            return false;
        };
        let instant = match self.timing.timing {
            Timing::Zoned(tz) => place(wall, tz),
            _ => wall.and_utc(),
        };
        let window = Window {
            from: instant - Duration::days(2),
            to: instant + Duration::days(2),
            viewer: chrono_tz::Tz::UTC,
        };
        expand(&self.timing.series(), &window, Bounds::default()).is_ok_and(|exp| {
            exp.occurrences.iter().any(|o| {
                occurrence_key(convene_domain::events::wall_of(o), self.timing.all_day()) == key
            })
        })
    }
}

/// The rows of a listing with each UID once: the same event imported into
/// two calendars (a UID is unique per calendar, not per site) is listed as
/// the first one stored. A series is preferred to lone changed occurrences
/// of it, which are then its overrides elsewhere.
pub(super) fn listed_once(rows: Vec<EventRow>) -> Vec<EventRow> {
    let dropped = listed_twice(
        rows.iter()
            .map(|r| (r.id, r.uid.as_str(), r.recurrence_id.as_str())),
    );
    rows.into_iter()
        .filter(|r| !dropped.contains(&r.id))
        .collect()
}

/// Of events given as `(id, uid, recurrence_id)`, the ids [`listed_once`]
/// leaves out: a second copy of the same event or occurrence (the lowest
/// id stays), and a separately stored occurrence of a series that is there
/// itself (the series carries it).
pub(super) fn listed_twice<'a>(
    rows: impl Iterator<Item = (i64, &'a str, &'a str)> + Clone,
) -> std::collections::HashSet<i64> {
    use std::collections::{HashMap, HashSet};
    let mut first: HashMap<(&str, &str), i64> = HashMap::new();
    let mut series: HashSet<&str> = HashSet::new();
    for (id, uid, rid) in rows.clone() {
        let lowest = first.entry((uid, rid)).or_insert(id);
        *lowest = (*lowest).min(id);
        if rid.is_empty() {
            series.insert(uid);
        }
    }
    rows.filter(|(id, uid, rid)| {
        first.get(&(*uid, *rid)) != Some(id) || (!rid.is_empty() && series.contains(uid))
    })
    .map(|(id, _, _)| id)
    .collect()
}

/// A fresh iCalendar UID for an event made here.
pub(super) fn new_uid(svc: &Services) -> String {
    let host = svc.site.base_url.host_str().unwrap_or("localhost");
    format!("{}@{host}", svc.tokens.new_token().expose())
}

/// An editor adds an event to `cal`.
pub async fn create_event(
    svc: &Services,
    actor: &Actor,
    cal: &Calendar,
    input: &EventInput,
) -> AppResult<i64> {
    may_edit(cal, actor)?;
    let (fields, _) = validate(input)?;
    let (group_id, calendar_id) = cal.owner();
    let mut tx = svc.db.begin().await?;
    let id = events::insert(
        tx.ex(),
        &new_uid(svc),
        EventOwner {
            group_id,
            calendar_id,
            source_id: None,
        },
        &fields,
        0,
        Some(actor.user_id),
        svc.clock.now(),
    )
    .await?;
    touched(&mut tx).await?;
    publish::queue_event(&mut tx, svc, id, Change::Create).await?;
    tx.commit().await?;
    Ok(id)
}

/// The calendar an event belongs to.
pub(super) async fn calendar_of(ex: &mut Ex<'_>, row: &EventRow) -> AppResult<Calendar> {
    if let Some(g) = row.group_id
        && let Some(g) = groups::by_id(ex.reborrow(), g).await?
    {
        return Ok(Calendar::Group(Box::new(g)));
    }
    if let Some(c) = row.calendar_id
        && let Some(c) = calendars::by_id(ex.reborrow(), c).await?
    {
        return Ok(Calendar::Region(c));
    }
    Ok(Calendar::Site)
}

/// One event with the calendar it belongs to.
pub async fn event(svc: &Services, id: i64) -> AppResult<(Event, Calendar)> {
    let mut conn = svc.db.conn().await?;
    let row = events::by_id(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no event at this address."))?;
    let mut ex = conn.ex();
    let cal = calendar_of(&mut ex, &row).await?;
    if let Calendar::Group(g) = &cal
        && g.approval != "approved"
    {
        return Err(AppError::NotFound("There is no event at this address."));
    }
    Ok((Event::from_row(row)?, cal))
}

/// Loads an event for a change by `actor`, refusing imported ones.
async fn editable(tx: &mut convene_store::Tx, actor: &Actor, id: i64) -> AppResult<Event> {
    let row = events::by_id(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no event at this address."))?;
    let mut ex = tx.ex();
    let cal = calendar_of(&mut ex, &row).await?;
    may_edit(&cal, actor)?;
    if row.source_id.is_some() {
        return Err(AppError::Conflict(
            "This event is imported from an outside calendar and is read-only here; change it at its source.".to_owned(),
        ));
    }
    Event::from_row(row)
}

/// An editor changes a whole event (every occurrence).
pub async fn update_event(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &EventInput,
) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let ev = editable(&mut tx, actor, id).await?;
    let (fields, _) = validate(input)?;
    events::update(tx.ex(), id, &fields, ev.row.sequence + 1, svc.clock.now()).await?;
    touched(&mut tx).await?;
    publish::queue_event(&mut tx, svc, id, Change::Update).await?;
    tx.commit().await?;
    Ok(())
}

/// An editor calls off a whole event; it stays listed, struck through.
pub async fn cancel_event(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let ev = editable(&mut tx, actor, id).await?;
    let mut fields = fields_of(&ev.timing, ev.row.title.clone(), ev.row.description.clone());
    keep_details(&mut fields, &ev.row);
    fields.status = EventStatus::Cancelled.as_str().to_owned();
    events::update(tx.ex(), id, &fields, ev.row.sequence + 1, svc.clock.now()).await?;
    touched(&mut tx).await?;
    publish::queue_event(&mut tx, svc, id, Change::Update).await?;
    tx.commit().await?;
    Ok(())
}

/// An editor removes an event altogether.
pub async fn delete_event(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    editable(&mut tx, actor, id).await?;
    publish::queue_event(&mut tx, svc, id, Change::Delete).await?;
    events::delete(tx.ex(), id).await?;
    touched(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A change to one occurrence of a series.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OccurrenceEdit {
    /// "on" to call this occurrence off.
    pub cancelled: String,
    /// New title, or empty to keep the series'.
    pub title: String,
    /// New local start, or empty.
    pub start: String,
    /// New local end, or empty.
    pub end: String,
    /// New venue name, or empty.
    pub venue_name: String,
}

/// An editor moves, changes or cancels one occurrence (`key`) of a series.
pub async fn edit_occurrence(
    svc: &Services,
    actor: &Actor,
    id: i64,
    key: &str,
    edit: &OccurrenceEdit,
) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let ev = editable(&mut tx, actor, id).await?;
    if !ev.has_occurrence(key) {
        return Err(InvalidInput::new("at", "This event has no occurrence at that time.").into());
    }
    let title = match edit.title.trim() {
        "" => None,
        t => Some(check_line("title", t, 200, true)?),
    };
    let venue_name = match edit.venue_name.trim() {
        "" => None,
        v => Some(check_line("venue_name", v, 200, false)?),
    };
    let start = match edit.start.trim() {
        "" => None,
        s => Some(parse_local(s).ok_or_else(|| {
            InvalidInput::new(
                "start",
                "Give the new start as a date and time, e.g. 2026-12-09T19:00.",
            )
        })?),
    };
    let end = match edit.end.trim() {
        "" => None,
        s => Some(parse_local(s).ok_or_else(|| {
            InvalidInput::new(
                "end",
                "Give the new end as a date and time, e.g. 2026-12-09T21:00.",
            )
        })?),
    };
    let original = parse_occurrence_key(key).unwrap_or(ev.timing.start);
    let new_start = start.unwrap_or(original);
    let new_end = end.unwrap_or(new_start + ev.timing.duration());
    if new_end <= new_start {
        return Err(InvalidInput::new("end", "The occurrence must end after it starts.").into());
    }
    let start_at = match ev.timing.timing {
        Timing::Zoned(tz) => place(new_start, tz),
        _ => new_start.and_utc(),
    };
    let sequence = ev.row.sequence + 1;
    events::put_override(
        tx.ex(),
        &OverrideRow {
            event_id: id,
            recurrence_id: key.to_owned(),
            cancelled: truthy(&edit.cancelled),
            title,
            description: None,
            start_local: start.map(stored_local),
            end_local: end.or(start.map(|_| new_end)).map(stored_local),
            start_at: Some(start_at),
            venue_name,
            venue_address: None,
            online_url: None,
            status: None,
            sequence,
            updated_at: svc.clock.now(),
        },
    )
    .await?;
    let mut fields = fields_of(&ev.timing, ev.row.title.clone(), ev.row.description.clone());
    keep_details(&mut fields, &ev.row);
    events::update(tx.ex(), id, &fields, sequence, svc.clock.now()).await?;
    touched(&mut tx).await?;
    publish::queue_event(&mut tx, svc, id, Change::Update).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies the non-timing details of a stored event into `fields`.
fn keep_details(fields: &mut EventFields, row: &EventRow) {
    fields.venue_name.clone_from(&row.venue_name);
    fields.venue_address.clone_from(&row.venue_address);
    fields.latitude = row.latitude;
    fields.longitude = row.longitude;
    fields.online_url.clone_from(&row.online_url);
    fields.capacity = row.capacity;
    fields.rsvp_opens_at = row.rsvp_opens_at;
    fields.rsvp_closes_at = row.rsvp_closes_at;
    fields.status.clone_from(&row.status);
}

/// The rule `rule` ended just before the occurrence at `wall` (UNTIL in
/// UTC for zoned series, as RFC 5545 requires).
pub(super) fn rule_ending_before(rule: &str, timing: Timing, wall: NaiveDateTime) -> String {
    let mut parts: Vec<&str> = rule
        .split(';')
        .filter(|p| {
            let name = p
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_uppercase();
            name != "COUNT" && name != "UNTIL"
        })
        .collect();
    let until = match timing {
        Timing::Zoned(tz) => (place(wall, tz) - Duration::seconds(1))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
        Timing::Floating => (wall - Duration::seconds(1))
            .format("%Y%m%dT%H%M%S")
            .to_string(),
        Timing::AllDay => (wall.date() - Duration::days(1))
            .format("%Y%m%d")
            .to_string(),
    };
    let until = format!("UNTIL={until}");
    parts.push(&until);
    parts.join(";")
}

/// "This and following": the series `id` ends before occurrence `key`, and a
/// new series made from `input` takes over from there. Returns the new event's id.
pub async fn split_series(
    svc: &Services,
    actor: &Actor,
    id: i64,
    key: &str,
    input: &EventInput,
) -> AppResult<i64> {
    let (new_fields, _) = validate(input)?;
    let mut tx = svc.db.begin().await?;
    let ev = editable(&mut tx, actor, id).await?;
    if !ev.has_occurrence(key) {
        return Err(InvalidInput::new("at", "This event has no occurrence at that time.").into());
    }
    let now = svc.clock.now();
    if key == ev.first_key() {
        events::update(tx.ex(), id, &new_fields, ev.row.sequence + 1, now).await?;
        touched(&mut tx).await?;
        publish::queue_event(&mut tx, svc, id, Change::Update).await?;
        tx.commit().await?;
        return Ok(id);
    }
    let wall = parse_occurrence_key(key).unwrap_or(ev.timing.start);
    let mut timing = ev.timing.clone();
    if let Some(rule) = &timing.rrule {
        timing.rrule = Some(rule_ending_before(rule, timing.timing, wall));
    }
    timing.rdates.retain(|r| *r < wall);
    timing.exdates.retain(|r| *r < wall);
    let mut fields = fields_of(&timing, ev.row.title.clone(), ev.row.description.clone());
    keep_details(&mut fields, &ev.row);
    events::update(tx.ex(), id, &fields, ev.row.sequence + 1, now).await?;
    events::drop_overrides_from(tx.ex(), id, key).await?;
    let (group_id, calendar_id) = (ev.row.group_id, ev.row.calendar_id);
    let new_id = events::insert(
        tx.ex(),
        &new_uid(svc),
        EventOwner {
            group_id,
            calendar_id,
            source_id: None,
        },
        &new_fields,
        0,
        Some(actor.user_id),
        now,
    )
    .await?;
    touched(&mut tx).await?;
    publish::queue_event(&mut tx, svc, id, Change::Update).await?;
    publish::queue_event(&mut tx, svc, new_id, Change::Create).await?;
    tx.commit().await?;
    Ok(new_id)
}

/// The occurrence `at` of `ev` (or, without `at`, the next one still to end,
/// else the first), and the next few occurrences after now.
pub async fn event_occurrence(
    svc: &Services,
    ev: &Event,
    at: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<(super::Occ, Vec<super::Occ>)> {
    use super::occurrences::expand_event;
    let mut conn = svc.db.conn().await?;
    let overrides = events::overrides_of(conn.ex(), &[ev.row.id]).await?;
    drop(conn);
    let refs: Vec<&OverrideRow> = overrides.iter().collect();
    let utc = chrono_tz::Tz::UTC;
    let (upcoming, _) = expand_event(ev, &refs, now, now + Duration::days(3 * 365), utc);
    let not_one = || {
        AppError::from(InvalidInput::new(
            "at",
            "This event has no occurrence at that time.",
        ))
    };
    let chosen = match at {
        Some(key) => {
            let wall = parse_occurrence_key(key).ok_or_else(not_one)?;
            let around = wall.and_utc();
            let (occs, _) = expand_event(
                ev,
                &refs,
                around - Duration::days(40),
                around + Duration::days(40),
                utc,
            );
            occs.into_iter()
                .find(|o| o.key == key)
                .ok_or_else(not_one)?
        }
        None => match upcoming.first() {
            Some(o) => o.clone(),
            None => {
                let start = match ev.timing.timing {
                    Timing::Zoned(tz) => place(ev.timing.start, tz),
                    _ => ev.timing.start.and_utc(),
                };
                let (occs, _) = expand_event(
                    ev,
                    &refs,
                    start - Duration::days(2),
                    start + Duration::days(40),
                    utc,
                );
                occs.into_iter().next().ok_or_else(not_one)?
            }
        },
    };
    let next = upcoming
        .into_iter()
        .filter(|o| o.key != chosen.key)
        .take(6)
        .collect();
    Ok((chosen, next))
}

/// The whole series as an .ics file.
pub async fn event_file(svc: &Services, ev: &Event) -> AppResult<String> {
    let mut conn = svc.db.conn().await?;
    let overrides = events::overrides_of(conn.ex(), &[ev.row.id]).await?;
    Ok(super::ics::event_ics(svc, ev, &overrides))
}

/// Seats taken and places on the waitlist for one occurrence.
pub async fn seat_counts(svc: &Services, id: i64, key: &str) -> AppResult<(usize, usize)> {
    let mut conn = svc.db.conn().await?;
    let list = events::attendees(conn.ex(), id, key).await?;
    Ok((
        list.iter().filter(|a| a.state == "going").count(),
        list.iter().filter(|a| a.state == "waitlisted").count(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_ends_the_old_rule_one_second_before_in_utc() {
        let wall =
            NaiveDateTime::parse_from_str("2026-03-10T19:00:00", "%Y-%m-%dT%H:%M:%S").unwrap();
        let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            rule_ending_before("FREQ=MONTHLY;BYDAY=2TU;COUNT=10", Timing::Zoned(tz), wall),
            "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260310T225959Z"
        );
    }
}
