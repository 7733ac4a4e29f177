//! What other servers send and publish, read into typed values: an
//! activity posted to an inbox, and a remote actor's document.
//!
//! Documents are read as the compacted JSON every fediverse server writes:
//! a `@context` is never fetched (a remote context URL cannot make us
//! reach out, nor change what a term means to us).

use serde_json::Value;
use url::Url;

/// The largest activity an inbox reads.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;

/// Why an activity or actor was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncomingError {
    /// Larger than [`MAX_ACTIVITY_BYTES`].
    #[error("the activity is larger than {} KiB", MAX_ACTIVITY_BYTES / 1024)]
    TooLarge,
    /// Not a JSON object.
    #[error("the body is not a JSON object: {0}")]
    NotJson(String),
    /// A required property is missing or not an https address.
    #[error("{0} is missing or not an address")]
    Missing(&'static str),
    /// The activity's id is on another host than its actor.
    #[error("the activity's id ({id}) is not on its actor's host ({actor})")]
    ForeignId {
        /// The id's host.
        id: String,
        /// The actor's host.
        actor: String,
    },
    /// The actor's key is owned by someone else.
    #[error("the key {key} belongs to {owner}, not to {actor}")]
    KeyOwner {
        /// The key's id.
        key: String,
        /// Its stated owner.
        owner: String,
        /// The actor.
        actor: String,
    },
}

/// An activity as received.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Its id.
    pub id: Url,
    /// `Follow`, `Undo`, `Create`…
    pub kind: String,
    /// Who sent it.
    pub actor: Url,
    /// Its object: an address, or an embedded object.
    pub object: Value,
    /// The whole document.
    pub raw: Value,
}

impl Activity {
    /// The object's id: the object itself when it is an address, else its
    /// `id`.
    pub fn object_id(&self) -> Option<&str> {
        match &self.object {
            Value::String(s) => Some(s),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        }
    }

    /// The embedded object's `type`, if it is embedded.
    pub fn object_kind(&self) -> Option<&str> {
        self.object.get("type").and_then(Value::as_str)
    }
}

/// A property that is an address, or an object (or link) with an `id`
/// (`href`) that is one.
fn address(v: Option<&Value>) -> Option<Url> {
    let s = match v? {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("href"))
            .and_then(Value::as_str)?,
        _ => return None,
    };
    let url = Url::parse(s).ok()?;
    matches!(url.scheme(), "https" | "http").then_some(url)
}

fn host_of(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

/// Reads an activity posted to an inbox.
pub fn read_activity(body: &[u8]) -> Result<Activity, IncomingError> {
    if body.len() > MAX_ACTIVITY_BYTES {
        return Err(IncomingError::TooLarge);
    }
    let raw: Value =
        serde_json::from_slice(body).map_err(|e| IncomingError::NotJson(e.to_string()))?;
    if !raw.is_object() {
        return Err(IncomingError::NotJson("not an object".to_owned()));
    }
    let kind = raw
        .get("type")
        .and_then(Value::as_str)
        .ok_or(IncomingError::Missing("type"))?
        .to_owned();
    let id = address(raw.get("id")).ok_or(IncomingError::Missing("id"))?;
    let actor = address(raw.get("actor")).ok_or(IncomingError::Missing("actor"))?;
    if host_of(&id) != host_of(&actor) {
        return Err(IncomingError::ForeignId {
            id: host_of(&id),
            actor: host_of(&actor),
        });
    }
    let object = raw
        .get("object")
        .cloned()
        .ok_or(IncomingError::Missing("object"))?;
    Ok(Activity {
        id,
        kind,
        actor,
        object,
        raw,
    })
}

/// A remote actor, as its document describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteActor {
    /// Its id.
    pub id: Url,
    /// `Person`, `Group`, `Application`, `Service`, `Organization`.
    pub kind: String,
    /// Its handle's name.
    pub preferred_username: String,
    /// The name shown.
    pub name: String,
    /// Its inbox.
    pub inbox: Url,
    /// Its server's shared inbox.
    pub shared_inbox: Option<Url>,
    /// Its key's id.
    pub key_id: String,
    /// Its public key, PEM.
    pub public_key_pem: String,
    /// Its page.
    pub url: Option<Url>,
}

impl RemoteActor {
    /// Its handle, `name@host`.
    pub fn handle(&self) -> String {
        format!("{}@{}", self.preferred_username, host_of(&self.id))
    }

    /// Where deliveries for it go: its server's shared inbox if it has one.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }
}

/// Reads an actor's document; its key must be its own.
pub fn read_actor(doc: &Value) -> Result<RemoteActor, IncomingError> {
    let id = address(doc.get("id")).ok_or(IncomingError::Missing("id"))?;
    let kind = doc
        .get("type")
        .and_then(Value::as_str)
        .ok_or(IncomingError::Missing("type"))?
        .to_owned();
    let inbox = address(doc.get("inbox")).ok_or(IncomingError::Missing("inbox"))?;
    let shared_inbox = address(doc.get("endpoints").and_then(|e| e.get("sharedInbox")));
    // Some servers publish a list of keys; the first one is the actor's.
    let key = match doc.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    }
    .ok_or(IncomingError::Missing("publicKey"))?;
    let key_id = key
        .get("id")
        .and_then(Value::as_str)
        .ok_or(IncomingError::Missing("publicKey.id"))?
        .to_owned();
    let owner = key
        .get("owner")
        .and_then(Value::as_str)
        .ok_or(IncomingError::Missing("publicKey.owner"))?;
    if owner != id.as_str() {
        return Err(IncomingError::KeyOwner {
            key: key_id,
            owner: owner.to_owned(),
            actor: id.to_string(),
        });
    }
    let public_key_pem = key
        .get("publicKeyPem")
        .and_then(Value::as_str)
        .ok_or(IncomingError::Missing("publicKey.publicKeyPem"))?
        .to_owned();
    let text = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let preferred_username = text("preferredUsername");
    let name = Some(text("name"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| preferred_username.clone());
    Ok(RemoteActor {
        url: address(doc.get("url")),
        id,
        kind,
        preferred_username,
        name,
        inbox,
        shared_inbox,
        key_id,
        public_key_pem,
    })
}

/// An event another server published (Mobilizon, Gancio, another
/// convene), as read from its `Event` object.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEvent {
    /// Its id.
    pub id: String,
    /// Its title.
    pub name: String,
    /// Its description, as the HTML it came as.
    pub content_html: String,
    /// When it starts, with the offset it was given.
    pub start: chrono::DateTime<chrono::FixedOffset>,
    /// When it ends (an hour after the start when not given).
    pub end: chrono::DateTime<chrono::FixedOffset>,
    /// The IANA zone it is in, when the server says.
    pub timezone: Option<String>,
    /// The venue's name.
    pub venue_name: String,
    /// The venue's address, one line.
    pub venue_address: String,
    /// Coordinates.
    pub coordinates: Option<(f64, f64)>,
    /// The meeting link of an online event.
    pub online_url: Option<String>,
    /// Its page.
    pub url: Option<String>,
    /// True when called off.
    pub cancelled: bool,
    /// Who publishes it.
    pub attributed_to: Option<String>,
}

/// Why an event cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// No `startTime`.
    #[error("the event has no startTime")]
    NoStart,
    /// A time that is not RFC 3339.
    #[error("the event's {0} is not a date and time with an offset (RFC 3339)")]
    BadTime(&'static str),
    /// Ends before it starts.
    #[error("the event ends before it starts")]
    EndsBeforeStart,
    /// No id or name.
    #[error("the event has no {0}")]
    Missing(&'static str),
}

fn text_of(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn time_of(
    v: Option<&Value>,
    field: &'static str,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, EventError> {
    match v.and_then(Value::as_str) {
        None => Ok(None),
        Some(t) => chrono::DateTime::parse_from_rfc3339(t.trim())
            .map(Some)
            .map_err(|_| EventError::BadTime(field)),
    }
}

/// Reads an `Event` object in the shapes Mobilizon, Gancio and convene
/// write (`location` a `Place` with an `address` that is a
/// `PostalAddress` or a string; online links as `Link` attachments).
pub fn read_event(obj: &Value) -> Result<RemoteEvent, EventError> {
    let id = text_of(obj.get("id"));
    if id.is_empty() {
        return Err(EventError::Missing("id"));
    }
    let name = text_of(obj.get("name"));
    if name.is_empty() {
        return Err(EventError::Missing("name"));
    }
    let start = time_of(obj.get("startTime"), "startTime")?.ok_or(EventError::NoStart)?;
    let end = time_of(obj.get("endTime"), "endTime")?.unwrap_or(start + chrono::Duration::hours(1));
    if end < start {
        return Err(EventError::EndsBeforeStart);
    }
    let location = match obj.get("location") {
        Some(Value::Array(places)) => places.first(),
        other => other,
    };
    let (mut venue_name, mut venue_address, mut coordinates) = (String::new(), String::new(), None);
    if let Some(place) = location {
        venue_name = text_of(place.get("name"));
        venue_address = match place.get("address") {
            Some(Value::String(a)) => a.trim().to_owned(),
            Some(a @ Value::Object(_)) => [
                "streetAddress",
                "postalCode",
                "addressLocality",
                "addressRegion",
                "addressCountry",
            ]
            .iter()
            .map(|k| text_of(a.get(*k)))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
            _ => String::new(),
        };
        let number = |k: &str| {
            place.get(k).and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
        };
        coordinates = number("latitude")
            .zip(number("longitude"))
            .filter(|(lat, lon)| lat.abs() <= 90.0 && lon.abs() <= 180.0);
    }
    let online_url = obj
        .get("attachment")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|a| {
            a.get("type").and_then(Value::as_str) == Some("Link")
                && a.get("mediaType")
                    .and_then(Value::as_str)
                    .is_none_or(|m| m == "text/html")
        })
        .and_then(|a| a.get("href").and_then(Value::as_str))
        .filter(|h| h.starts_with("https://") || h.starts_with("http://"))
        .map(str::to_owned);
    let status = obj
        .get("ical:status")
        .or_else(|| obj.get("status"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let attributed_to = match obj.get("attributedTo") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(list)) => list.first().and_then(|a| {
            a.as_str()
                .map(str::to_owned)
                .or_else(|| a.get("id").and_then(Value::as_str).map(str::to_owned))
        }),
        Some(o @ Value::Object(_)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    Ok(RemoteEvent {
        content_html: text_of(obj.get("content")),
        timezone: Some(text_of(obj.get("timezone"))).filter(|z| !z.is_empty()),
        url: match obj.get("url") {
            Some(Value::String(u)) => Some(u.clone()),
            Some(Value::Array(list)) => list
                .iter()
                .find_map(|u| u.as_str().or_else(|| u.get("href").and_then(Value::as_str)))
                .map(str::to_owned),
            _ => None,
        },
        cancelled: status.eq_ignore_ascii_case("CANCELLED"),
        id,
        name,
        start,
        end,
        venue_name,
        venue_address,
        coordinates,
        online_url,
        attributed_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_whose_id_is_on_another_host_is_refused() {
        let body = br#"{"id":"https://evil.example/a/1","type":"Follow","actor":"https://mastodon.example/users/ann","object":"https://convene.example/groups/pug"}"#;
        assert!(matches!(
            read_activity(body),
            Err(IncomingError::ForeignId { .. })
        ));
    }

    #[test]
    fn an_oversized_activity_is_refused_before_it_is_read() {
        let body = vec![b' '; MAX_ACTIVITY_BYTES + 1];
        assert_eq!(read_activity(&body).unwrap_err(), IncomingError::TooLarge);
    }
}
