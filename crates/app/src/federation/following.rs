//! A calendar follows accounts elsewhere on the fediverse (a Mobilizon
//! group or instance, a Gancio instance, another convene's group): each
//! follow is one of the calendar's outside sources, and the events those
//! accounts publish arrive by `Create`, `Update` and `Delete`, read-only
//! here, with their own zone and place. Unfollowing (removing the source)
//! sends `Undo` and takes their events away.

use super::{actors, deliver, inbox::Refused, remote};
use crate::calendars::{Calendar, may_edit, touched};
use crate::net::Fetcher;
use crate::{AppError, AppResult, Services};
use chrono::Utc;
use chrono_tz::Tz;
use convene_activitypub::incoming::{self, RemoteEvent};
use convene_activitypub::{ACTIVITY_JSON, vocab};
use convene_domain::events::stored_local;
use convene_domain::{Actor, InvalidInput};
use convene_store::events::{self as events_store, EventFields, EventOwner};
use convene_store::federation::{self, FollowingRow, RemoteActorRow};
use convene_store::{Tx, calendars};
use serde_json::{Value, json};

/// What an editor typed, as the address of the actor to read: a handle
/// (`@name@host`, `name@host`) is looked up by WebFinger.
async fn actor_address(fetcher: &Fetcher, input: &str) -> AppResult<String> {
    let input = input.trim();
    if input.starts_with("https://") || input.starts_with("http://") {
        return Ok(input.to_owned());
    }
    let handle = input.trim_start_matches('@');
    let Some((name, host)) = handle.split_once('@') else {
        return Err(InvalidInput::new(
            "account",
            "Give the account's handle (@name@server) or its address (https://…).",
        )
        .into());
    };
    if name.is_empty() || host.is_empty() || host.contains(['/', '@', ' ']) {
        return Err(InvalidInput::new("account", "That handle cannot be read.").into());
    }
    let query = format!("resource=acct:{name}@{host}");
    // A site on an intranet (or under test) may answer only on http.
    let mut schemes = vec!["https"];
    if fetcher.allows_private() {
        schemes.push("http");
    }
    let mut last = String::new();
    for scheme in schemes {
        let url = format!("{scheme}://{host}/.well-known/webfinger?{query}");
        match fetcher
            .get_as(
                &url,
                &[("accept", "application/jrd+json".to_owned())],
                64 * 1024,
                deliver::AGENT,
            )
            .await
        {
            Ok(f) if f.status == 200 => {
                let jrd: Value = serde_json::from_slice(&f.body).map_err(|_| {
                    InvalidInput::new(
                        "account",
                        format!("{host} answered WebFinger with something that is not JSON."),
                    )
                })?;
                let link = jrd
                    .get("links")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|l| {
                        l.get("rel").and_then(Value::as_str) == Some("self")
                            && l.get("type").and_then(Value::as_str).is_some_and(|t| {
                                t.starts_with(ACTIVITY_JSON) || t.starts_with("application/ld+json")
                            })
                    })
                    .and_then(|l| l.get("href").and_then(Value::as_str));
                return link.map(str::to_owned).ok_or_else(|| {
                    InvalidInput::new(
                        "account",
                        format!("{host} names no ActivityPub account for {handle}."),
                    )
                    .into()
                });
            }
            Ok(f) => last = format!("{host} answered {} for {handle}", f.status),
            Err(e) => last = e,
        }
    }
    Err(InvalidInput::new("account", format!("{handle} could not be found: {last}.")).into())
}

/// The local actor that follows for `cal`.
fn follower_path(cal: &Calendar) -> AppResult<String> {
    match cal {
        Calendar::Region(c) => Ok(format!("/calendars/{}", c.slug)),
        Calendar::Group(g) => Ok(format!("/groups/{}", g.slug)),
        Calendar::Site => Err(InvalidInput::new(
            "account",
            "Follow from a regional calendar or a group's calendar, not the site-wide one.",
        )
        .into()),
    }
}

/// An editor has `cal` follow the account `input` (a handle or an
/// address); its events show once the account accepts. Returns the new
/// source's id.
pub async fn follow(
    svc: &Services,
    fetcher: &Fetcher,
    actor: &Actor,
    cal: &Calendar,
    input: &str,
) -> AppResult<i64> {
    may_edit(cal, actor)?;
    let local = follower_path(cal)?;
    // The follower must be an actor others can answer (a listed group).
    actors::at_path(svc, &local).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::from(InvalidInput::new(
            "account",
            "This calendar cannot follow until its group is listed.",
        )),
        other => other,
    })?;
    let address = actor_address(fetcher, input).await?;
    let remote = remote::fetch(svc, fetcher, &address)
        .await
        .map_err(|e| InvalidInput::new("account", format!("{e}.")))?;
    let mut tx = svc.db.begin().await?;
    if federation::blocked(tx.ex(), &remote.id).await?.is_some() {
        return Err(
            InvalidInput::new("account", "That account or its server is blocked here.").into(),
        );
    }
    let (group_id, calendar_id) = cal.owner();
    let source_id = calendars::insert_source(
        tx.ex(),
        group_id,
        calendar_id,
        &remote.id,
        actor.user_id,
        svc.clock.now(),
    )
    .await?;
    let local_id = svc.site.link(&local);
    let follow_id = format!("{local_id}#follows/{source_id}");
    federation::save_actor(tx.ex(), &remote).await?;
    federation::start_following(tx.ex(), source_id, &remote.id, &follow_id, svc.clock.now())
        .await?;
    let activity = json!({
        "@context": vocab::context(),
        "id": follow_id,
        "type": "Follow",
        "actor": local_id,
        "object": remote.id,
    });
    deliver::queue(
        &mut tx,
        svc,
        &local,
        std::slice::from_ref(&remote.inbox),
        &activity,
    )
    .await?;
    touched(&mut tx).await?;
    tx.commit().await?;
    Ok(source_id)
}

/// Inside the removal of calendar source `source_id`: when it is a follow,
/// queues its `Undo`.
pub(crate) async fn undo_in(tx: &mut Tx, svc: &Services, source_id: i64) -> AppResult<()> {
    let Some(f) = federation::following_of_source(tx.ex(), source_id).await? else {
        return Ok(());
    };
    let Some(remote) = federation::actor(tx.ex(), &f.remote_actor).await? else {
        return Ok(());
    };
    let local_id = f.follow_id.split('#').next().unwrap_or_default().to_owned();
    let Some(local) = local_id
        .strip_prefix(svc.site.link("").trim_end_matches('/'))
        .map(str::to_owned)
    else {
        return Ok(());
    };
    let activity = json!({
        "@context": vocab::context(),
        "id": format!("{}/undo", f.follow_id),
        "type": "Undo",
        "actor": local_id,
        "object": {"id": f.follow_id, "type": "Follow", "actor": local_id, "object": f.remote_actor},
    });
    deliver::queue(
        tx,
        svc,
        &local,
        std::slice::from_ref(&remote.inbox),
        &activity,
    )
    .await
}

/// An `Accept` or `Reject` of one of our follows.
pub(crate) async fn answered(
    tx: &mut Tx,
    svc: &Services,
    from: &RemoteActorRow,
    follow_id: &str,
    accepted: bool,
) -> Result<bool, Refused> {
    let Some(f) = federation::following_by_follow(tx.ex(), follow_id).await? else {
        return Ok(false);
    };
    if f.remote_actor != from.id {
        return Err(Refused::Activity(format!(
            "{follow_id} was sent to {}, not to {}",
            f.remote_actor, from.id
        )));
    }
    let state = if accepted { "accepted" } else { "rejected" };
    federation::set_following_state(tx.ex(), follow_id, state, svc.clock.now()).await?;
    Ok(true)
}

/// Our accepted follows an event by `from` (or attributed to an actor on
/// its server) reaches.
async fn followings(
    tx: &mut Tx,
    from: &RemoteActorRow,
    attributed_to: Option<&str>,
) -> AppResult<Vec<FollowingRow>> {
    let mut found = federation::following_of(tx.ex(), &from.id).await?;
    if let Some(owner) = attributed_to
        && owner != from.id
        && federation::host_of(owner) == federation::host_of(&from.id)
    {
        found.extend(federation::following_of(tx.ex(), owner).await?);
    }
    Ok(found)
}

/// The fields stored for a remote event.
fn fields_of(ev: &RemoteEvent) -> Result<EventFields, Refused> {
    let zone = match &ev.timezone {
        Some(name) => Some(name.parse::<Tz>().map_err(|_| {
            Refused::Activity(format!(
                "the event's timezone {name:?} is not a known IANA zone"
            ))
        })?),
        None => None,
    };
    let (timing, tz, start, end) = match zone {
        Some(z) => (
            "zoned",
            z.name().to_owned(),
            ev.start.with_timezone(&z).naive_local(),
            ev.end.with_timezone(&z).naive_local(),
        ),
        None => (
            "zoned",
            "UTC".to_owned(),
            ev.start.naive_utc(),
            ev.end.naive_utc(),
        ),
    };
    let text = ammonia::Builder::empty()
        .clean(&ev.content_html)
        .to_string();
    let mut description = text.trim().to_owned();
    if let Some(url) = &ev.url {
        description = format!("{description}\n\n{url}").trim().to_owned();
    }
    Ok(EventFields {
        title: ev.name.chars().take(200).collect(),
        description: description.chars().take(10_000).collect(),
        timing: timing.to_owned(),
        tz,
        start_local: stored_local(start),
        end_local: stored_local(end),
        rrule: None,
        rdates: String::new(),
        exdates: String::new(),
        first_start: ev.start.with_timezone(&Utc),
        last_end: Some(ev.end.with_timezone(&Utc)),
        venue_name: ev.venue_name.chars().take(200).collect(),
        venue_address: ev.venue_address.chars().take(500).collect(),
        latitude: ev.coordinates.map(|c| c.0),
        longitude: ev.coordinates.map(|c| c.1),
        online_url: ev.online_url.clone().unwrap_or_default(),
        capacity: None,
        rsvp_opens_at: None,
        rsvp_closes_at: None,
        status: if ev.cancelled {
            "cancelled"
        } else {
            "confirmed"
        }
        .to_owned(),
        recurrence_id: String::new(),
    })
}

/// A `Create` or `Update` of an `Event` by an account we follow: stored
/// (or changed) in every calendar that follows it. `None` when no
/// calendar follows its sender.
pub(crate) async fn event_arrived(
    tx: &mut Tx,
    svc: &Services,
    from: &RemoteActorRow,
    object: &Value,
) -> Result<Option<usize>, Refused> {
    let ev = incoming::read_event(object).map_err(|e| Refused::Activity(e.to_string()))?;
    if federation::host_of(&ev.id) != federation::host_of(&from.id) {
        return Err(Refused::Activity(format!(
            "the event {} is not on its sender's host",
            ev.id
        )));
    }
    let follows = followings(tx, from, ev.attributed_to.as_deref()).await?;
    if follows.is_empty() {
        return Ok(None);
    }
    let fields = fields_of(&ev)?;
    let now = svc.clock.now();
    for f in &follows {
        let Some(src) = calendars::source(tx.ex(), f.source_id).await? else {
            continue;
        };
        let existing = events_store::of_source(tx.ex(), src.id)
            .await?
            .into_iter()
            .find(|e| e.uid == ev.id);
        match existing {
            Some(row) => {
                events_store::update(tx.ex(), row.id, &fields, row.sequence + 1, now).await?;
            }
            None => {
                events_store::insert(
                    tx.ex(),
                    &ev.id,
                    EventOwner {
                        group_id: src.group_id,
                        calendar_id: src.calendar_id,
                        source_id: Some(src.id),
                    },
                    &fields,
                    0,
                    None,
                    now,
                )
                .await?;
            }
        }
    }
    touched(tx)
        .await
        .map_err(|e| Refused::Internal(e.to_string()))?;
    Ok(Some(follows.len()))
}

/// A `Delete` of an object by an account we follow: its event goes from
/// every calendar that follows it. True when one went.
pub(crate) async fn event_deleted(
    tx: &mut Tx,
    from: &RemoteActorRow,
    object_id: &str,
) -> Result<bool, Refused> {
    let mut gone = false;
    let mut sources: Vec<i64> = federation::following_of(tx.ex(), &from.id)
        .await?
        .into_iter()
        .map(|f| f.source_id)
        .collect();
    sources.sort_unstable();
    sources.dedup();
    for source_id in sources {
        for row in events_store::of_source(tx.ex(), source_id).await? {
            if row.uid == object_id {
                events_store::delete(tx.ex(), row.id).await?;
                gone = true;
            }
        }
    }
    if gone {
        touched(tx)
            .await
            .map_err(|e| Refused::Internal(e.to_string()))?;
    }
    Ok(gone)
}
