//! Remote actors as we read them: their document, fetched under the
//! private-address rule, turned into the row we keep.

use super::deliver;
use crate::net::Fetcher;
use chrono::{DateTime, Utc};
use convene_activitypub::ACTIVITY_JSON;
use convene_activitypub::incoming::{self, MAX_ACTIVITY_BYTES, RemoteActor};
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

/// Fetches and reads the actor document at `address`; the error says
/// what went wrong, naming the address.
pub async fn fetch(
    fetcher: &Fetcher,
    address: &str,
    now: DateTime<Utc>,
) -> Result<RemoteActorRow, String> {
    let fetched = fetcher
        .get_as(
            address,
            &[("accept", ACTIVITY_JSON.to_owned())],
            MAX_ACTIVITY_BYTES,
            deliver::AGENT,
        )
        .await
        .map_err(|e| format!("{address} could not be read: {e}"))?;
    if fetched.status != 200 {
        return Err(format!("{address} answered {}", fetched.status));
    }
    let doc: Value = serde_json::from_slice(&fetched.body)
        .map_err(|_| format!("{address} is not an ActivityPub account"))?;
    let remote = incoming::read_actor(&doc).map_err(|e| format!("{address}: {e}"))?;
    Ok(row_of(&remote, now))
}
