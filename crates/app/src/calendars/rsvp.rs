//! RSVPs per occurrence: seats up to the event's capacity, then a waitlist
//! in order of answering, with the first in line promoted (and told by
//! email) when a seat frees up.
//!
//! The last seat cannot be given twice: the answer runs in one write
//! transaction that first locks the event (`FOR UPDATE` on PostgreSQL; on
//! SQLite the write transaction already holds the database lock), then
//! counts the seats taken.

use super::Calendar;
use super::events::{Event, calendar_of};
use super::ics;
use super::occurrences::expand_event;
use crate::mail::{queue_email_with_calendar, templates};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::events::{Answer, RsvpState, parse_occurrence_key};
use convene_domain::{Actor, InvalidInput};
use convene_store::events::{self, Attendee, RsvpRow};
use convene_store::{Tx, users};

/// What an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// Where the member now stands.
    pub state: RsvpState,
    /// The member promoted from the waitlist because of this answer, if any.
    pub promoted: Option<i64>,
}

/// The occurrence `key` of `ev` as one expanded occurrence (with overrides).
async fn the_occurrence(tx: &mut Tx, ev: &Event, key: &str) -> AppResult<super::occurrences::Occ> {
    let not_one = || {
        AppError::from(InvalidInput::new(
            "at",
            "This event has no occurrence at that time.",
        ))
    };
    if !ev.has_occurrence(key) {
        return Err(not_one());
    }
    let wall = parse_occurrence_key(key).ok_or_else(not_one)?;
    let overrides = events::overrides_of(tx.ex(), &[ev.row.id]).await?;
    let mine: Vec<_> = overrides
        .iter()
        .filter(|o| o.recurrence_id == key)
        .collect();
    let around = wall.and_utc();
    let (occs, _) = expand_event(
        ev,
        &mine,
        around - Duration::days(40),
        around + Duration::days(40),
        chrono_tz::Tz::UTC,
    );
    occs.into_iter().find(|o| o.key == key).ok_or_else(not_one)
}

/// A member answers for one occurrence (`key`) of event `id`.
pub async fn answer(
    svc: &Services,
    actor: &Actor,
    id: i64,
    key: &str,
    answer: Answer,
) -> AppResult<Answered> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let row = events::lock(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no event at this address."))?;
    let ev = Event::from_row(row)?;
    let occ = the_occurrence(&mut tx, &ev, key).await?;
    if occ.cancelled() {
        return Err(AppError::Conflict(
            "This occurrence is cancelled, so it takes no answers.".into(),
        ));
    }
    if occ.end.instant(chrono_tz::Tz::UTC) < now {
        return Err(AppError::Conflict(
            "This occurrence is over, so it takes no answers.".into(),
        ));
    }
    if let Some(opens) = ev.row.rsvp_opens_at.filter(|o| *o > now) {
        return Err(AppError::Conflict(format!(
            "Answers open on {} UTC.",
            opens.format("%-d %B %Y at %H:%M")
        )));
    }
    if ev.row.rsvp_closes_at.is_some_and(|c| c <= now) {
        return Err(AppError::Conflict(
            "Answers for this event are closed.".into(),
        ));
    }
    let before = events::rsvp(tx.ex(), id, key, actor.user_id).await?;
    let was = before.as_ref().and_then(|r| RsvpState::parse(&r.state));
    let state = match answer {
        Answer::No => RsvpState::NotGoing,
        Answer::Maybe => RsvpState::Maybe,
        Answer::Yes => match (was, ev.row.capacity) {
            (Some(RsvpState::Going), _) | (_, None) => RsvpState::Going,
            (Some(RsvpState::Waitlisted), Some(_)) => RsvpState::Waitlisted,
            (_, Some(cap)) => {
                if events::count_going(tx.ex(), id, key).await? < cap {
                    RsvpState::Going
                } else {
                    RsvpState::Waitlisted
                }
            }
        },
    };
    let queued_at: Option<DateTime<Utc>> = match state {
        RsvpState::Waitlisted => Some(before.as_ref().and_then(|r| r.queued_at).unwrap_or(now)),
        _ => None,
    };
    events::put_rsvp(
        tx.ex(),
        id,
        key,
        actor.user_id,
        answer.as_str(),
        state.as_str(),
        queued_at,
        now,
    )
    .await?;

    let site = &svc.site;
    let link = site.link(&occ.path());
    let when = ics::when_text(&occ);
    let attachment = ics::occurrence_ics(svc, &ev, &occ);
    if matches!(state, RsvpState::Going | RsvpState::Waitlisted) && was != Some(state) {
        notify(&mut tx, svc, actor.user_id, &attachment, |name| {
            templates::rsvp_answered(&site.name, name, &occ.title, &when, state.as_str(), &link)
        })
        .await?;
    }
    let mut promoted = None;
    if was == Some(RsvpState::Going)
        && state != RsvpState::Going
        && ev.row.capacity.is_some()
        && let Some(next) = events::first_waitlisted(tx.ex(), id, key).await?
    {
        let going = RsvpState::Going.as_str();
        events::put_rsvp(tx.ex(), id, key, next.user_id, "yes", going, None, now).await?;
        notify(&mut tx, svc, next.user_id, &attachment, |name| {
            templates::waitlist_promoted(&site.name, name, &occ.title, &when, &link)
        })
        .await?;
        promoted = Some(next.user_id);
    }
    tx.commit().await?;
    Ok(Answered { state, promoted })
}

/// Emails member `user_id` the message `render` writes for their name, with the event attached.
async fn notify(
    tx: &mut Tx,
    svc: &Services,
    user_id: i64,
    ics: &str,
    render: impl FnOnce(&str) -> templates::Rendered,
) -> AppResult<()> {
    if let Some(user) = users::by_id(tx.ex(), user_id).await? {
        let mail = render(&user.display_name);
        queue_email_with_calendar(
            tx,
            svc,
            &user.email,
            Some(&user.display_name),
            mail,
            ics.to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// A member's own answer for an occurrence.
pub async fn my_answer(
    svc: &Services,
    user_id: i64,
    id: i64,
    key: &str,
) -> AppResult<Option<RsvpRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(events::rsvp(conn.ex(), id, key, user_id).await?)
}

/// Everyone who answered for an occurrence, for the event's editors.
pub async fn attendees(
    svc: &Services,
    actor: &Actor,
    id: i64,
    key: &str,
) -> AppResult<Vec<Attendee>> {
    let mut conn = svc.db.conn().await?;
    let row = events::by_id(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no event at this address."))?;
    let mut ex = conn.ex();
    let cal: Calendar = calendar_of(&mut ex, &row).await?;
    super::may_edit(&cal, actor)?;
    Ok(events::attendees(conn.ex(), id, key).await?)
}

/// The attendee list as CSV (name, email, answer, state, answered at, waitlisted at).
pub fn attendees_csv(list: &[Attendee]) -> String {
    fn cell(s: &str) -> String {
        // Quote every cell; a leading formula character is neutralised for spreadsheets.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    let mut out = String::from("name,email,answer,state,answered_at,waitlisted_at\r\n");
    for a in list {
        let cells = [
            cell(&a.display_name),
            cell(&a.email),
            cell(&a.answer),
            cell(&a.state),
            cell(&a.created_at.to_rfc3339()),
            cell(&a.queued_at.map(|q| q.to_rfc3339()).unwrap_or_default()),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
