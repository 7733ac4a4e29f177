//! Remote actors as we read them: their document, fetched under the
//! private-address rule with a GET signed by the site actor (servers in
//! "authorized fetch" mode answer nothing else), turned into the row we
//! keep.

use super::{actors, deliver};
use crate::Services;
use crate::net::{Fetched, Fetcher};
use chrono::{DateTime, Utc};
use convene_activitypub::incoming::{self, MAX_ACTIVITY_BYTES, RemoteActor};
use convene_activitypub::{ACTIVITY_JSON, signatures};
use convene_store::federation::RemoteActorRow;
use serde_json::Value;

/// The row kept for `a`, read at `now`.
pub fn row_of(a: &RemoteActor, now: DateTime<Utc>) -> RemoteActorRow {
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

/// GETs the ActivityPub document at `address` (at most `max_bytes`),
/// signed as the site actor (`/actor#main-key`) over `(request-target)`,
/// `host` and `date`, as Mastodon signs its fetches.
pub async fn signed_get(
    svc: &Services,
    fetcher: &Fetcher,
    address: &str,
    max_bytes: usize,
) -> Result<Fetched, String> {
    let key = actors::key(svc, actors::SITE_ACTOR)
        .await
        .map_err(|e| format!("the site's key could not be read: {e}"))?;
    let key_id = format!("{}#main-key", svc.site.link(actors::SITE_ACTOR));
    let now = svc.clock.now();
    let sign = move |address: &str| {
        let url = url::Url::parse(address).map_err(|e| format!("{address}: {e}"))?;
        signatures::sign("GET", &url, None, &key_id, &key, now).map_err(|e| e.to_string())
    };
    fetcher
        .get_signed(
            address,
            &[("accept", ACTIVITY_JSON.to_owned())],
            max_bytes,
            deliver::AGENT,
            &sign,
        )
        .await
}

/// Fetches (with a signed GET) and reads the actor document at `address`;
/// the error says what went wrong, naming the address.
pub async fn fetch(
    svc: &Services,
    fetcher: &Fetcher,
    address: &str,
) -> Result<RemoteActorRow, String> {
    let fetched = signed_get(svc, fetcher, address, MAX_ACTIVITY_BYTES)
        .await
        .map_err(|e| format!("{address} could not be read: {e}"))?;
    if fetched.status != 200 {
        return Err(format!("{address} answered {}", fetched.status));
    }
    let doc: Value = serde_json::from_slice(&fetched.body)
        .map_err(|_| format!("{address} is not an ActivityPub account"))?;
    let remote = incoming::read_actor(&doc).map_err(|e| format!("{address}: {e}"))?;
    Ok(row_of(&remote, svc.clock.now()))
}
