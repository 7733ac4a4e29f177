//! The documents convene publishes: actors (groups and regional calendars
//! as `Group`, the site as `Application`), events shaped as Mobilizon and
//! Gancio write them, posts as `Article`, collections and the activities
//! that carry them.

use crate::{AS_CONTEXT, PUBLIC, SECURITY_CONTEXT};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};

/// The terms convene's documents use beyond ActivityStreams: Mastodon's
/// (profile fields, discoverability), Mobilizon's (event time zone,
/// online flag, whether comments and anonymous participation are open,
/// the first from PeerTube's namespace as Mobilizon has it) and
/// iCalendar's status, each named as those servers name them so they read
/// our documents as their own.
pub fn context() -> Value {
    json!([
        AS_CONTEXT,
        SECURITY_CONTEXT,
        {
            "toot": "http://joinmastodon.org/ns#",
            "schema": "http://schema.org#",
            "mz": "https://joinmobilizon.org/ns#",
            "pt": "https://joinpeertube.org/ns#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "discoverable": "toot:discoverable",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "PostalAddress": "schema:PostalAddress",
            "address": {"@id": "schema:address", "@type": "@id"},
            "streetAddress": "schema:streetAddress",
            "addressLocality": "schema:addressLocality",
            "addressRegion": "schema:addressRegion",
            "addressCountry": "schema:addressCountry",
            "timezone": {"@id": "mz:timezone", "@type": "schema:Text"},
            "isOnline": {"@id": "mz:isOnline", "@type": "schema:Boolean"},
            "category": "schema:category",
            "commentsEnabled": {"@id": "pt:commentsEnabled", "@type": "schema:Boolean"},
            "anonymousParticipationEnabled": {
                "@id": "mz:anonymousParticipationEnabled",
                "@type": "schema:Boolean"
            },
        }
    ])
}

/// What kind of actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A user group or a regional calendar.
    Group,
    /// The site itself.
    Application,
}

/// A local actor, as its document shows it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Its id: the address of its page, which answers with this document
    /// when asked for ActivityPub.
    pub id: String,
    /// Group or Application.
    pub kind: ActorKind,
    /// The name in its handle (`{name}@{host}`).
    pub preferred_username: String,
    /// The name shown.
    pub name: String,
    /// A short description, as HTML.
    pub summary_html: String,
    /// The page people open.
    pub url: String,
    /// The site's shared inbox.
    pub shared_inbox: String,
    /// Its public key, PEM.
    pub public_key_pem: String,
    /// Profile fields (name, value as HTML): website, meetup, city.
    pub fields: Vec<(String, String)>,
    /// An image (address, media type).
    pub icon: Option<(String, String)>,
    /// When it was made.
    pub published: Option<DateTime<Utc>>,
}

impl Actor {
    /// Its inbox.
    pub fn inbox(&self) -> String {
        format!("{}/inbox", self.id)
    }
    /// Its outbox.
    pub fn outbox(&self) -> String {
        format!("{}/outbox", self.id)
    }
    /// Its followers collection.
    pub fn followers(&self) -> String {
        format!("{}/followers", self.id)
    }
    /// The id of its key.
    pub fn key_id(&self) -> String {
        format!("{}#main-key", self.id)
    }

    /// The actor's document.
    pub fn document(&self) -> Value {
        let kind = match self.kind {
            ActorKind::Group => "Group",
            ActorKind::Application => "Application",
        };
        let mut doc = json!({
            "@context": context(),
            "id": self.id,
            "type": kind,
            "preferredUsername": self.preferred_username,
            "name": self.name,
            "summary": self.summary_html,
            "url": self.url,
            "inbox": self.inbox(),
            "outbox": self.outbox(),
            "followers": self.followers(),
            "endpoints": {"sharedInbox": self.shared_inbox},
            "manuallyApprovesFollowers": false,
            "discoverable": true,
            "publicKey": {
                "id": self.key_id(),
                "owner": self.id,
                "publicKeyPem": self.public_key_pem,
            },
            "attachment": self.fields.iter().map(|(name, value)| json!({
                "type": "PropertyValue", "name": name, "value": value,
            })).collect::<Vec<_>>(),
        });
        if let Some((url, media_type)) = &self.icon {
            doc["icon"] = json!({"type": "Image", "mediaType": media_type, "url": url});
        }
        if let Some(p) = self.published {
            doc["published"] = json!(p.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        doc
    }
}

/// A place, as Mobilizon writes an event's `location`.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The venue's name.
    pub name: String,
    /// Its street address, one line.
    pub street_address: String,
    /// Its city.
    pub locality: String,
    /// Its region.
    pub region: String,
    /// Its country.
    pub country: String,
    /// Coordinates.
    pub coordinates: Option<(f64, f64)>,
}

/// An event, as Mobilizon and Gancio publish them.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its id (the address of its page).
    pub id: String,
    /// Who publishes it (a group's actor id).
    pub attributed_to: String,
    /// Its followers collection, addressed in `cc`.
    pub followers: String,
    /// Title.
    pub name: String,
    /// Description, as sanitised HTML.
    pub content_html: String,
    /// Start, with the offset of its zone at that instant.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// The IANA zone.
    pub timezone: String,
    /// Where, unless only online.
    pub place: Option<Place>,
    /// The meeting link, when it is also (or only) online.
    pub online_url: Option<String>,
    /// True when cancelled.
    pub cancelled: bool,
    /// When it was first published.
    pub published: DateTime<Utc>,
    /// When it last changed.
    pub updated: DateTime<Utc>,
}

fn instant(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl Event {
    /// The event's object.
    pub fn object(&self) -> Value {
        let mut obj = json!({
            "id": self.id,
            "type": "Event",
            "name": self.name,
            "content": self.content_html,
            "mediaType": "text/html",
            "startTime": instant(&self.start),
            "endTime": instant(&self.end),
            "timezone": self.timezone,
            "url": self.id,
            "attributedTo": self.attributed_to,
            "to": [PUBLIC],
            "cc": [self.followers],
            "published": self.published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "updated": self.updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "ical:status": if self.cancelled { "CANCELLED" } else { "CONFIRMED" },
            "isOnline": self.place.is_none() && self.online_url.is_some(),
            "category": "MEETING",
            "commentsEnabled": true,
            "anonymousParticipationEnabled": false,
        });
        if let Some(place) = &self.place {
            let mut loc = json!({
                "type": "Place",
                "name": place.name,
                "address": {
                    "type": "PostalAddress",
                    "streetAddress": place.street_address,
                    "addressLocality": place.locality,
                    "addressRegion": place.region,
                    "addressCountry": place.country,
                },
            });
            if let Some((lat, lon)) = place.coordinates {
                loc["latitude"] = json!(lat);
                loc["longitude"] = json!(lon);
            }
            obj["location"] = loc;
        }
        if let Some(link) = &self.online_url {
            obj["attachment"] = json!([{
                "type": "Link",
                "name": "Online meeting",
                "mediaType": "text/html",
                "href": link,
            }]);
        }
        obj
    }
}

/// A post, as an `Article`.
#[derive(Debug, Clone)]
pub struct Article {
    /// Its id (the address of its page).
    pub id: String,
    /// Who publishes it.
    pub attributed_to: String,
    /// Its publisher's followers collection.
    pub followers: String,
    /// Title.
    pub name: String,
    /// Summary, plain text.
    pub summary: String,
    /// Body, as sanitised HTML.
    pub content_html: String,
    /// When it was published.
    pub published: DateTime<Utc>,
    /// When it last changed.
    pub updated: DateTime<Utc>,
}

impl Article {
    /// The article's object.
    pub fn object(&self) -> Value {
        json!({
            "id": self.id,
            "type": "Article",
            "name": self.name,
            "summary": self.summary,
            "content": self.content_html,
            "mediaType": "text/html",
            "url": self.id,
            "attributedTo": self.attributed_to,
            "to": [PUBLIC],
            "cc": [self.followers],
            "published": self.published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "updated": self.updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

/// An activity by `actor` of `kind` (`Create`, `Update`, `Delete`,
/// `Accept`…) on `object`, addressed like the object (public, and the
/// actor's followers), with the context at its top.
pub fn activity(id: &str, kind: &str, actor: &str, object: Value, followers: &str) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "object": object,
        "to": [PUBLIC],
        "cc": [followers],
    })
}

/// An `Accept` of a `Follow`, addressed to whoever sent it.
pub fn accept(id: &str, actor: &str, follow: Value, follower: &str) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": "Accept",
        "actor": actor,
        "object": follow,
        "to": [follower],
    })
}

/// An `OrderedCollection` of `total` items with `items` on its one page
/// (followers show only their count: pass no items).
pub fn ordered_collection(id: &str, total: usize, items: Vec<Value>) -> Value {
    let mut doc = json!({
        "@context": context(),
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    });
    if !items.is_empty() {
        doc["orderedItems"] = Value::Array(items);
    }
    doc
}
