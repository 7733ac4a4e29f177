//! What other servers post to our inboxes (each actor's, and the site's
//! shared one).
//!
//! Every POST is checked before anything is stored: its HTTP Signature
//! (form, coverage, a `Date` within 12 hours, the body's digest), the
//! activity's shape (its id on its actor's host), and the key, which must
//! belong to the activity's actor. The actor's document is fetched (under
//! the private-address rule) the first time one of its keys is seen, and
//! kept. Whatever is refused is written to the log coordinators read.
//!
//! Understood:
//! - `Follow` of a local actor (accepted at once: groups and calendars are
//!   public) and its `Undo`;
//! - a reply (`Create` of a `Note` whose `inReplyTo` is one of our posts),
//!   which becomes a comment held for a moderator, and its `Update` and
//!   `Delete`;
//! - `Like` and `Announce` of our posts and events, counted, and their
//!   `Undo`;
//! - `Delete` of the remote actor itself: everything it did here goes;
//! - `Flag`: a report, kept for coordinators;
//! - from accounts our calendars follow: `Accept`/`Reject` of the follow,
//!   and their events (`Create`, `Update`, `Delete` of an `Event`).
//!
//! Nothing is taken from a blocked actor or domain, and nothing is
//! fetched from one.

use super::{actors, deliver, following, remote};
use crate::net::Fetcher;
use crate::{AppError, Services};
use convene_activitypub::incoming::{self, Activity, MAX_ACTIVITY_BYTES};
use convene_activitypub::signatures::{self, Received};
use convene_activitypub::vocab;
use convene_store::federation::{self, RemoteActorRow};
use serde_json::Value;

/// Why an inbox did not take a POST; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The signature is missing, malformed, stale, or does not verify
    /// (401).
    #[error("{0}")]
    Signature(String),
    /// The activity cannot be read, or is not one we can act on (400).
    #[error("{0}")]
    Activity(String),
    /// The activity names an actor we do not have (404).
    #[error("{0}")]
    NoSuchActor(String),
    /// Larger than [`MAX_ACTIVITY_BYTES`] (413).
    #[error("{0}")]
    TooLarge(String),
    /// From a blocked actor or domain (403).
    #[error("{0}")]
    Blocked(String),
    /// Our side failed (500).
    #[error("{0}")]
    Internal(String),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(m) => Refused::NoSuchActor(m.to_owned()),
            other => Refused::Internal(other.to_string()),
        }
    }
}

impl From<convene_store::StoreError> for Refused {
    fn from(e: convene_store::StoreError) -> Self {
        Refused::Internal(e.to_string())
    }
}

/// What was done with an accepted activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// A follow, recorded and accepted.
    Followed,
    /// A follow ended.
    Unfollowed,
    /// A reply kept for a moderator (or changed).
    Replied,
    /// A like or boost counted (or taken back).
    Reacted,
    /// Something the remote actor made here, or the actor, forgotten.
    Forgotten,
    /// A report kept for coordinators.
    Reported,
    /// An event from an account we follow, stored in this many calendars.
    EventStored(usize),
    /// An answer to one of our follows.
    Answered,
    /// Acknowledged, nothing to do.
    Ignored(String),
}

/// Receives one POST to an inbox (`target` is the local actor's path for
/// its own inbox, `None` for the shared one).
pub async fn receive(
    svc: &Services,
    fetcher: &Fetcher,
    target: Option<&str>,
    req: Received<'_>,
) -> Result<Taken, Refused> {
    let outcome = check_and_take(svc, fetcher, target, &req).await;
    if let Err(refused) = &outcome
        && !matches!(refused, Refused::Internal(_))
    {
        let remote = serde_json::from_slice::<Value>(req.body)
            .ok()
            .and_then(|v| v.get("actor").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "(unknown)".to_owned());
        let mut conn = svc.db.conn().await?;
        let mut reason = refused.to_string();
        reason.truncate(500);
        federation::log_refusal(conn.ex(), &remote, &reason, svc.clock.now()).await?;
        tracing::info!(remote, %reason, "inbox refused an activity");
    }
    outcome
}

async fn check_and_take(
    svc: &Services,
    fetcher: &Fetcher,
    target: Option<&str>,
    req: &Received<'_>,
) -> Result<Taken, Refused> {
    if req.body.len() > MAX_ACTIVITY_BYTES {
        return Err(Refused::TooLarge(
            incoming::IncomingError::TooLarge.to_string(),
        ));
    }
    let checked =
        signatures::check(req, svc.clock.now()).map_err(|e| Refused::Signature(e.to_string()))?;
    let activity =
        incoming::read_activity(req.body).map_err(|e| Refused::Activity(e.to_string()))?;
    for who in [checked.key_id.as_str(), activity.actor.as_str()] {
        let mut conn = svc.db.conn().await?;
        if federation::blocked(conn.ex(), who).await?.is_some() {
            return Err(Refused::Blocked(format!(
                "{} is blocked on this site",
                federation::host_of(who)
            )));
        }
    }
    let (actor, fetched) = signer(svc, fetcher, &checked.key_id).await?;
    if actor.id != activity.actor.as_str() {
        return Err(Refused::Signature(format!(
            "the key {} belongs to {}, not to the activity's actor {}",
            checked.key_id, actor.id, activity.actor
        )));
    }
    checked
        .verify(&actor.public_key_pem)
        .map_err(|e| Refused::Signature(e.to_string()))?;
    // An actor is kept only once a request signed by it checks out.
    if fetched {
        let mut conn = svc.db.conn().await?;
        federation::save_actor(conn.ex(), &actor).await?;
    }
    if let Some(path) = target {
        actors::at_path(svc, path).await?;
    }
    take(svc, &actor, &activity).await
}

/// The remote actor owning `key_id`: as stored (false), or fetched
/// (true; the caller keeps it once the signature verifies).
async fn signer(
    svc: &Services,
    fetcher: &Fetcher,
    key_id: &str,
) -> Result<(RemoteActorRow, bool), Refused> {
    {
        let mut conn = svc.db.conn().await?;
        if let Some(known) = federation::actor_by_key(conn.ex(), key_id).await? {
            return Ok((known, false));
        }
    }
    let doc_url = key_id.split('#').next().unwrap_or(key_id);
    let remote = remote::fetch(svc, fetcher, doc_url)
        .await
        .map_err(|e| Refused::Signature(format!("the key {key_id} could not be fetched: {e}")))?;
    if remote.key_id != key_id {
        return Err(Refused::Signature(format!(
            "the document at {doc_url} does not publish the key {key_id}"
        )));
    }
    Ok((remote, true))
}

/// The local path an address on this site names, if it is one.
fn local_path(svc: &Services, id: &str) -> Option<String> {
    let base = svc.site.link("");
    id.strip_prefix(base.trim_end_matches('/'))
        .filter(|p| p.starts_with('/'))
        .map(str::to_owned)
}

/// Acts on `a` in one transaction, so that what it changes is seen at
/// once by every page and feed that shows it.
async fn take(svc: &Services, from: &RemoteActorRow, a: &Activity) -> Result<Taken, Refused> {
    let mut tx = svc.db.begin().await?;
    let taken = take_in(&mut tx, svc, from, a).await?;
    tx.commit().await?;
    Ok(taken)
}

async fn take_in(
    tx: &mut convene_store::Tx,
    svc: &Services,
    from: &RemoteActorRow,
    a: &Activity,
) -> Result<Taken, Refused> {
    match a.kind.as_str() {
        "Follow" => {
            let object = a
                .object_id()
                .ok_or_else(|| Refused::Activity("the Follow names no object".to_owned()))?;
            let path = local_path(svc, object).ok_or_else(|| {
                Refused::NoSuchActor(format!("{object} is not an actor on this site"))
            })?;
            let local = actors::at_path(svc, &path).await?;
            let local_path = local.path();
            let actor_id = svc.site.link(&local_path);
            let accept = vocab::accept(
                &format!("{actor_id}#accepts/{}", svc.tokens.new_token().expose()),
                &actor_id,
                a.raw.clone(),
                &from.id,
            );
            federation::add_follower(
                tx.ex(),
                &local_path,
                &from.id,
                a.id.as_str(),
                svc.clock.now(),
            )
            .await?;
            deliver::queue(
                tx,
                svc,
                &local_path,
                std::slice::from_ref(&from.inbox),
                &accept,
            )
            .await?;
            Ok(Taken::Followed)
        }
        "Undo" if a.object_kind() == Some("Follow") => {
            let object = a
                .object
                .get("object")
                .and_then(|o| o.as_str().or_else(|| o.get("id").and_then(Value::as_str)))
                .ok_or_else(|| Refused::Activity("the undone Follow names no object".to_owned()))?;
            let Some(path) = local_path(svc, object) else {
                return Ok(Taken::Ignored(format!("{object} is not ours")));
            };
            federation::remove_follower(tx.ex(), &path, &from.id).await?;
            Ok(Taken::Unfollowed)
        }
        "Undo" if matches!(a.object_kind(), Some("Like" | "Announce")) || a.object.is_string() => {
            let Some(undone) = a.object_id() else {
                return Ok(Taken::Ignored("nothing to undo".to_owned()));
            };
            federation::remove_reaction(tx.ex(), &from.id, undone).await?;
            Ok(Taken::Reacted)
        }
        "Create" | "Update" if a.object_kind() == Some("Event") => {
            match following::event_arrived(tx, svc, from, &a.object).await? {
                Some(n) => Ok(Taken::EventStored(n)),
                None => Ok(Taken::Ignored(format!(
                    "no calendar here follows {}",
                    from.id
                ))),
            }
        }
        "Create" | "Update" => reply(tx, svc, from, a).await,
        "Accept" | "Reject" => {
            let Some(follow) = a.object_id() else {
                return Err(Refused::Activity(format!("the {} names no Follow", a.kind)));
            };
            if following::answered(tx, svc, from, follow, a.kind == "Accept").await? {
                Ok(Taken::Answered)
            } else {
                Ok(Taken::Ignored(format!("{follow} is not a follow of ours")))
            }
        }
        "Like" | "Announce" => {
            let Some(path) = a.object_id().and_then(|o| local_path(svc, o)) else {
                return Ok(Taken::Ignored("not about anything of ours".to_owned()));
            };
            if !(path.starts_with("/blog/") || path.starts_with("/events/")) {
                return Ok(Taken::Ignored(format!("{path} is not a post or an event")));
            }
            federation::add_reaction(
                tx.ex(),
                &path,
                &a.kind,
                &from.id,
                a.id.as_str(),
                svc.clock.now(),
            )
            .await?;
            Ok(Taken::Reacted)
        }
        "Delete" => {
            let Some(gone) = a.object_id() else {
                return Err(Refused::Activity("the Delete names no object".to_owned()));
            };
            if gone == from.id {
                federation::forget_actor(tx.ex(), &from.id).await?;
                return Ok(Taken::Forgotten);
            }
            convene_store::comments::delete_remote(tx.ex(), &from.id, gone).await?;
            following::event_deleted(tx, from, gone).await?;
            Ok(Taken::Forgotten)
        }
        "Flag" => {
            let objects: Vec<&str> = match &a.object {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|o| o.as_str().or_else(|| o.get("id").and_then(Value::as_str)))
                    .collect(),
                other => other
                    .as_str()
                    .or_else(|| other.get("id").and_then(Value::as_str))
                    .into_iter()
                    .collect(),
            };
            let content = a
                .raw
                .get("content")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut content = ammonia::Builder::empty().clean(content).to_string();
            content.truncate(2000);
            federation::add_flag(
                tx.ex(),
                &from.id,
                &objects.join("\n"),
                &content,
                svc.clock.now(),
            )
            .await?;
            Ok(Taken::Reported)
        }
        other => Ok(Taken::Ignored(format!("{other} is not acted on"))),
    }
}

/// The longest reply kept, in bytes of HTML.
const MAX_REPLY_HTML: usize = 20_000;

/// A `Create` or `Update` of a reply to one of our posts.
async fn reply(
    tx: &mut convene_store::Tx,
    svc: &Services,
    from: &RemoteActorRow,
    a: &Activity,
) -> Result<Taken, Refused> {
    let note = &a.object;
    if !matches!(
        note.get("type").and_then(Value::as_str),
        Some("Note" | "Article" | "Page")
    ) {
        return Ok(Taken::Ignored(format!(
            "{} of something other than a note",
            a.kind
        )));
    }
    let note_id = a
        .object_id()
        .ok_or_else(|| Refused::Activity("the note has no id".to_owned()))?;
    if federation::host_of(note_id) != federation::host_of(&from.id) {
        return Err(Refused::Activity(format!(
            "the note {note_id} is not on its writer's host"
        )));
    }
    let writer = note
        .get("attributedTo")
        .and_then(|w| w.as_str().or_else(|| w.get("id").and_then(Value::as_str)));
    if writer != Some(from.id.as_str()) {
        return Err(Refused::Activity(format!(
            "the note is not attributed to {}",
            from.id
        )));
    }
    let html = note
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if html.len() > MAX_REPLY_HTML {
        return Err(Refused::Activity(format!(
            "the note is longer than {MAX_REPLY_HTML} bytes"
        )));
    }
    let clean = ammonia::Builder::default()
        .url_schemes(std::collections::HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(html)
        .to_string();
    let text = ammonia::Builder::empty().clean(html).to_string();
    if a.kind == "Update" {
        convene_store::comments::update_remote(tx.ex(), &from.id, note_id, (&text, &clean)).await?;
        return Ok(Taken::Replied);
    }
    let in_reply_to = note
        .get("inReplyTo")
        .and_then(|r| r.as_str().or_else(|| r.get("id").and_then(Value::as_str)));
    let Some(path) = in_reply_to.and_then(|r| local_path(svc, r)) else {
        return Ok(Taken::Ignored("not a reply to anything of ours".to_owned()));
    };
    let Some(slug) = path.strip_prefix("/blog/") else {
        return Ok(Taken::Ignored(format!(
            "replies to {path} are not kept; reply to a post"
        )));
    };
    let post = convene_store::posts::by_slug(tx.ex(), slug)
        .await?
        .filter(|p| p.state == "published")
        .ok_or_else(|| Refused::NoSuchActor(format!("there is no published post at {path}")))?;
    convene_store::comments::insert_remote(
        tx.ex(),
        post.id,
        &from.id,
        note_id,
        (&text, &clean),
        svc.clock.now(),
    )
    .await?;
    Ok(Taken::Replied)
}
