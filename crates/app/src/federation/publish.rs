//! What goes out to followers: a group's (or regional calendar's) events
//! as `Event`s, and published posts as `Article`s.
//!
//! The write that changes an event or publishes a post queues one
//! [`Federate`] job in its own transaction; the job builds the object as
//! it stands when it runs and queues one delivery per follower inbox
//! (shared inboxes once). A repeating meeting goes out with its next
//! date, so a follower's timeline shows when the group meets next.

use super::{actors, deliver};
use crate::calendars::{self, Moment};
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use convene_activitypub::vocab::{self, Article, Event, Place};
use convene_store::{Ex, Tx, federation, groups, posts};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What happened to the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Newly published.
    Create,
    /// Changed (cancelled included).
    Update,
    /// Removed.
    Delete,
}

impl Change {
    fn activity(self) -> &'static str {
        match self {
            Change::Create => "Create",
            Change::Update => "Update",
            Change::Delete => "Delete",
        }
    }
}

/// What the object is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Object {
    /// An event, by id.
    Event(i64),
    /// A post, by id.
    Post(i64),
}

/// Sends a change to the followers of the actor at `actor` (its path).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Federate {
    /// The local actor that publishes it.
    pub actor: String,
    /// The object.
    pub object: Object,
    /// What happened.
    pub change: Change,
    /// Which change of the object this is (its sequence, or when it
    /// happened), so that each change goes out once.
    pub version: String,
}

impl BackgroundJob for Federate {
    const KIND: &'static str = "ap_federate";

    fn idempotency_key(&self) -> Option<String> {
        let object = match self.object {
            Object::Event(id) => format!("event:{id}"),
            Object::Post(id) => format!("post:{id}"),
        };
        Some(format!(
            "federate:{}:{object}:{:?}:{}",
            self.actor, self.change, self.version
        ))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        send(&ctx.services, &self)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// The actor that publishes an event: its group's, or its regional
/// calendar's. Imported events and events of unlisted groups are not
/// published.
async fn event_actor(
    ex: Ex<'_>,
    row: &convene_store::events::EventRow,
) -> AppResult<Option<String>> {
    if row.source_id.is_some() {
        return Ok(None);
    }
    if let Some(g) = row.group_id {
        return Ok(groups::by_id(ex, g)
            .await?
            .filter(|g| g.approval == "approved")
            .map(|g| format!("/groups/{}", g.slug)));
    }
    if let Some(c) = row.calendar_id {
        return Ok(convene_store::calendars::by_id(ex, c)
            .await?
            .map(|c| format!("/calendars/{}", c.slug)));
    }
    Ok(None)
}

/// Queues the federation of a change to event `id` inside the caller's
/// transaction. A deletion must be queued before the row goes.
pub async fn queue_event(tx: &mut Tx, svc: &Services, id: i64, change: Change) -> AppResult<()> {
    let Some(row) = convene_store::events::by_id(tx.ex(), id).await? else {
        return Ok(());
    };
    let Some(actor) = event_actor(tx.ex(), &row).await? else {
        return Ok(());
    };
    // One change of one object goes out once; an edit of one occurrence
    // leaves the sequence alone, so the time of the write tells changes
    // apart.
    let version = match change {
        Change::Delete => "gone".to_owned(),
        _ => format!("{}.{}", row.sequence, svc.clock.now().timestamp_micros()),
    };
    // Nobody follows: nothing to queue (a later follower reads the outbox).
    if federation::follower_count(tx.ex(), &actor).await? == 0 {
        return Ok(());
    }
    enqueue(
        tx,
        svc,
        &Federate {
            actor,
            object: Object::Event(id),
            change,
            version,
        },
    )
    .await?;
    Ok(())
}

/// Queues the federation of a newly published post inside the caller's
/// transaction: by its group, or by the site when it has none.
pub async fn queue_post(tx: &mut Tx, svc: &Services, post_id: i64) -> AppResult<()> {
    let Some(post) = posts::by_id(tx.ex(), post_id).await? else {
        return Ok(());
    };
    let actor = match post.group_id {
        Some(g) => match groups::by_id(tx.ex(), g).await? {
            Some(g) if g.approval == "approved" => format!("/groups/{}", g.slug),
            _ => return Ok(()),
        },
        None => actors::SITE_ACTOR.to_owned(),
    };
    if federation::follower_count(tx.ex(), &actor).await? == 0 {
        return Ok(());
    }
    enqueue(
        tx,
        svc,
        &Federate {
            actor,
            object: Object::Post(post_id),
            change: Change::Create,
            version: post.updated_at.timestamp().to_string(),
        },
    )
    .await?;
    Ok(())
}

/// A time as the object carries it: with the offset of the event's zone.
fn with_offset(m: &Moment, zone: Tz) -> DateTime<FixedOffset> {
    match *m {
        Moment::At { utc, tz } => utc.with_timezone(&tz).fixed_offset(),
        other => other.instant(zone).with_timezone(&zone).fixed_offset(),
    }
}

/// Event `id` as an ActivityPub object, its next occurrence (or its
/// last, once all have passed) as its time.
pub async fn event_object(svc: &Services, id: i64) -> AppResult<Value> {
    let now = svc.clock.now();
    let (ev, occs) =
        calendars::event_occurrences(svc, id, now, now + chrono::Duration::days(400)).await?;
    let (start, end) = match occs.first() {
        Some(o) => (o.start, o.end),
        None => {
            let (_, past) = calendars::event_occurrences(
                svc,
                id,
                ev.row.first_start - chrono::Duration::days(1),
                now,
            )
            .await?;
            let last = past
                .last()
                .ok_or(AppError::NotFound("There is no event at this address."))?;
            (last.start, last.end)
        }
    };
    let zone: Tz = ev.row.tz.parse().unwrap_or(Tz::UTC);
    let actor = {
        let mut conn = svc.db.conn().await?;
        event_actor(conn.ex(), &ev.row)
            .await?
            .ok_or(AppError::NotFound("There is no event at this address."))?
    };
    let actor_id = svc.site.link(&actor);
    let row = &ev.row;
    let place = (!row.venue_name.is_empty() || !row.venue_address.is_empty()).then(|| Place {
        name: row.venue_name.clone(),
        street_address: row.venue_address.clone(),
        coordinates: row.latitude.zip(row.longitude),
        ..Place::default()
    });
    let event = Event {
        id: svc.site.link(&format!("/events/{id}")),
        attributed_to: actor_id.clone(),
        followers: format!("{actor_id}/followers"),
        name: row.title.clone(),
        content_html: crate::markdown::render(&row.description),
        start: with_offset(&start, zone),
        end: with_offset(&end, zone),
        timezone: zone.name().to_owned(),
        place,
        online_url: Some(row.online_url.clone()).filter(|u| !u.is_empty()),
        cancelled: row.status == "cancelled",
        published: row.created_at,
        updated: row.updated_at,
    };
    Ok(event.object())
}

/// Published post `id` as an ActivityPub object.
pub async fn post_object(svc: &Services, post_id: i64) -> AppResult<Value> {
    let mut conn = svc.db.conn().await?;
    let post = posts::by_id(conn.ex(), post_id)
        .await?
        .filter(|p| p.state == "published")
        .ok_or(AppError::NotFound(
            "There is no published post at this address.",
        ))?;
    let actor = match post.group_id {
        Some(g) => groups::by_id(conn.ex(), g)
            .await?
            .map(|g| format!("/groups/{}", g.slug))
            .unwrap_or_else(|| actors::SITE_ACTOR.to_owned()),
        None => actors::SITE_ACTOR.to_owned(),
    };
    let actor_id = svc.site.link(&actor);
    let content_html = post
        .body_html
        .as_deref()
        .map(crate::markdown::without_embeds)
        .unwrap_or_else(|| crate::markdown::render(&post.body));
    Ok(Article {
        id: svc.site.link(&format!("/blog/{}", post.slug)),
        attributed_to: actor_id.clone(),
        followers: format!("{actor_id}/followers"),
        name: post.title.clone(),
        summary: crate::markdown::summary(&post.summary, &post.body),
        content_html,
        published: post.published_at.unwrap_or(post.created_at),
        updated: post.updated_at,
    }
    .object())
}

/// Builds the activity for `job` and queues it to every follower inbox.
async fn send(svc: &Services, job: &Federate) -> AppResult<()> {
    let actor_id = svc.site.link(&job.actor);
    let followers = format!("{actor_id}/followers");
    let object = match (&job.object, job.change) {
        (Object::Event(id), Change::Delete) => json!({
            "id": svc.site.link(&format!("/events/{id}")),
            "type": "Tombstone",
        }),
        (Object::Event(id), _) => match event_object(svc, *id).await {
            Ok(o) => o,
            // Gone since: its deletion goes out on its own.
            Err(AppError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        },
        (Object::Post(id), _) => match post_object(svc, *id).await {
            Ok(o) => o,
            Err(AppError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        },
    };
    let object_id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let activity = vocab::activity(
        &format!(
            "{object_id}#{}-{}",
            job.change.activity().to_ascii_lowercase(),
            job.version
        ),
        job.change.activity(),
        &actor_id,
        object,
        &followers,
    );
    let mut tx = svc.db.begin().await?;
    let inboxes = federation::follower_inboxes(tx.ex(), &job.actor).await?;
    deliver::queue(&mut tx, svc, &job.actor, &inboxes, &activity).await?;
    tx.commit().await?;
    Ok(())
}

/// The published post at `/blog/{slug}` as an ActivityPub object.
pub async fn post_object_by_slug(svc: &Services, slug: &str) -> AppResult<Value> {
    let id = {
        let mut conn = svc.db.conn().await?;
        posts::by_slug(conn.ex(), slug)
            .await?
            .ok_or(AppError::NotFound(
                "There is no published post at this address.",
            ))?
            .id
    };
    post_object(svc, id).await
}

/// The actor's outbox: its upcoming events and latest posts as `Create`
/// activities, newest first (at most 20 of each).
pub async fn outbox_items(svc: &Services, actor: &actors::LocalActor) -> AppResult<Vec<Value>> {
    let path = actor.path();
    let actor_id = svc.site.link(&path);
    let followers = format!("{actor_id}/followers");
    let now = svc.clock.now();
    let mut objects = Vec::new();
    let (event_ids, post_ids) = {
        let mut conn = svc.db.conn().await?;
        federation::outbox_of(conn.ex(), &path, now, 20).await?
    };
    for id in event_ids {
        match event_object(svc, id).await {
            Ok(o) => objects.push(o),
            Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for id in post_ids {
        match post_object(svc, id).await {
            Ok(o) => objects.push(o),
            Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    objects.sort_by(|a, b| {
        let at = |v: &Value| v["published"].as_str().unwrap_or_default().to_owned();
        at(b).cmp(&at(a))
    });
    Ok(objects
        .into_iter()
        .map(|object| {
            let id = format!("{}#create", object["id"].as_str().unwrap_or_default());
            let mut activity = vocab::activity(&id, "Create", &actor_id, object, &followers);
            if let Some(map) = activity.as_object_mut() {
                map.remove("@context");
            }
            activity
        })
        .collect())
}

/// Once a day: every repeating meeting of a followed group or calendar
/// whose occurrence ended in the last day goes out again as an `Update`
/// carrying its next date, so followers' timelines stay true.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollSeriesForward {
    /// The day (`YYYY-MM-DD`, UTC), its idempotency key.
    pub day: String,
}

impl BackgroundJob for RollSeriesForward {
    const KIND: &'static str = "ap_roll_series";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("ap-roll-series:{}", self.day))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        roll_forward(&ctx.services, &self.day)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Queues today's [`RollSeriesForward`], once however many nodes ask.
pub async fn schedule_roll_forward(svc: &Services) -> AppResult<()> {
    let day = svc.clock.now().format("%Y-%m-%d").to_string();
    let mut tx = svc.db.begin().await?;
    enqueue(&mut tx, svc, &RollSeriesForward { day }).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues an `Update` of each followed repeating meeting whose occurrence
/// ended in the day before now; returns how many.
pub async fn roll_forward(svc: &Services, day: &str) -> AppResult<usize> {
    let now = svc.clock.now();
    let since = now - chrono::Duration::days(1);
    let actors = {
        let mut conn = svc.db.conn().await?;
        federation::followed_actors(conn.ex()).await?
    };
    let mut queued = 0;
    for actor in actors {
        let event_ids = {
            let mut conn = svc.db.conn().await?;
            federation::outbox_of(conn.ex(), &actor, now, 500).await?.0
        };
        for id in event_ids {
            let (ev, past) = match calendars::event_occurrences(svc, id, since, now).await {
                Ok(found) => found,
                Err(AppError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            if ev.row.rrule.is_none() && ev.row.rdates.is_empty() {
                continue;
            }
            let ended = past.iter().any(|o| {
                let end = o.end.instant(Tz::UTC);
                end > since && end <= now
            });
            if !ended {
                continue;
            }
            let mut tx = svc.db.begin().await?;
            enqueue(
                &mut tx,
                svc,
                &Federate {
                    actor: actor.clone(),
                    object: Object::Event(id),
                    change: Change::Update,
                    version: format!("{}.rolled-{day}", ev.row.sequence),
                },
            )
            .await?;
            tx.commit().await?;
            queued += 1;
        }
    }
    Ok(queued)
}
