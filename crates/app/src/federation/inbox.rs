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
//! Understood so far: `Follow` of a local actor (accepted at once: groups
//! and calendars are public) and its `Undo`. Other activities are
//! acknowledged and left alone.

use super::{actors, deliver};
use crate::net::Fetcher;
use crate::{AppError, Services};
use convene_activitypub::incoming::{self, Activity, MAX_ACTIVITY_BYTES, RemoteActor};
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
    let actor = signer(svc, fetcher, &checked.key_id).await?;
    if actor.id != activity.actor.as_str() {
        return Err(Refused::Signature(format!(
            "the key {} belongs to {}, not to the activity's actor {}",
            checked.key_id, actor.id, activity.actor
        )));
    }
    checked
        .verify(&actor.public_key_pem)
        .map_err(|e| Refused::Signature(e.to_string()))?;
    if let Some(path) = target {
        actors::at_path(svc, path).await?;
    }
    take(svc, &actor, &activity).await
}

/// The remote actor owning `key_id`: as stored, or fetched and stored.
async fn signer(
    svc: &Services,
    fetcher: &Fetcher,
    key_id: &str,
) -> Result<RemoteActorRow, Refused> {
    {
        let mut conn = svc.db.conn().await?;
        if let Some(known) = federation::actor_by_key(conn.ex(), key_id).await? {
            return Ok(known);
        }
    }
    let doc_url = key_id.split('#').next().unwrap_or(key_id);
    let fetched = fetcher
        .get_as(
            doc_url,
            &[("accept", convene_activitypub::ACTIVITY_JSON.to_owned())],
            MAX_ACTIVITY_BYTES,
            deliver::AGENT,
        )
        .await
        .map_err(|e| Refused::Signature(format!("the key {key_id} could not be fetched: {e}")))?;
    if fetched.status != 200 {
        return Err(Refused::Signature(format!(
            "the key {key_id} could not be fetched: {} answered {}",
            doc_url, fetched.status
        )));
    }
    let doc: Value = serde_json::from_slice(&fetched.body).map_err(|e| {
        Refused::Signature(format!("the actor document at {doc_url} is not JSON: {e}"))
    })?;
    let remote = incoming::read_actor(&doc).map_err(|e| Refused::Signature(e.to_string()))?;
    if remote.key_id != key_id {
        return Err(Refused::Signature(format!(
            "the document at {doc_url} does not publish the key {key_id}"
        )));
    }
    let row = row_of(&remote, svc.clock.now());
    let mut conn = svc.db.conn().await?;
    federation::save_actor(conn.ex(), &row).await?;
    Ok(row)
}

fn row_of(a: &RemoteActor, now: chrono::DateTime<chrono::Utc>) -> RemoteActorRow {
    RemoteActorRow {
        id: a.id.to_string(),
        kind: a.kind.clone(),
        handle: a.handle(),
        name: a.name.clone(),
        inbox: a.inbox.to_string(),
        shared_inbox: a.shared_inbox.as_ref().map(ToString::to_string),
        key_id: a.key_id.clone(),
        public_key_pem: a.public_key_pem.clone(),
        fetched_at: now,
    }
}

/// The local path an address on this site names, if it is one.
fn local_path(svc: &Services, id: &str) -> Option<String> {
    let base = svc.site.link("");
    id.strip_prefix(base.trim_end_matches('/'))
        .filter(|p| p.starts_with('/'))
        .map(str::to_owned)
}

async fn take(svc: &Services, from: &RemoteActorRow, a: &Activity) -> Result<Taken, Refused> {
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
            let mut tx = svc.db.begin().await?;
            federation::add_follower(
                tx.ex(),
                &local_path,
                &from.id,
                a.id.as_str(),
                svc.clock.now(),
            )
            .await?;
            deliver::queue(
                &mut tx,
                svc,
                &local_path,
                std::slice::from_ref(&from.inbox),
                &accept,
            )
            .await?;
            tx.commit().await?;
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
            let mut conn = svc.db.conn().await?;
            federation::remove_follower(conn.ex(), &path, &from.id).await?;
            Ok(Taken::Unfollowed)
        }
        other => Ok(Taken::Ignored(format!("{other} is not acted on yet"))),
    }
}
