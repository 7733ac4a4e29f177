//! ActivityPub as convene speaks it: the documents other servers read
//! (actors, events, articles, collections, WebFinger, NodeInfo), the
//! activities they send us read into typed values, and HTTP Signatures on
//! the requests between servers.
//!
//! Nothing here touches a database or a socket: the use-cases decide who
//! follows whom and what goes out, the web adapter serves and receives.
//! Shapes follow what Mastodon, Mobilizon and Gancio write and read, so a
//! group followed from any of them shows as they expect.

pub mod discovery;
pub mod incoming;
pub mod keys;
mod memo;
pub mod signatures;
pub mod vocab;

/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// The JSON-LD media type with the ActivityStreams profile, which some
/// servers ask for instead of [`ACTIVITY_JSON`].
pub const LD_JSON: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The ActivityStreams context.
pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The security context (public keys).
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

/// The public audience.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// True when an `Accept` header asks for an ActivityPub document rather
/// than a page: `application/activity+json`, or `application/ld+json` with
/// or without the ActivityStreams profile, ahead of (or without) HTML.
pub fn wants_activity_json(accept: &str) -> bool {
    let mut best_ap: Option<f32> = None;
    let mut best_html: Option<f32> = None;
    for item in accept.split(',').take(64) {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let slot = match media.as_str() {
            "application/activity+json" | "application/ld+json" => &mut best_ap,
            "text/html" | "application/xhtml+xml" => &mut best_html,
            _ => continue,
        };
        *slot = Some(slot.map_or(q, |s: f32| s.max(q)));
    }
    match (best_ap, best_html) {
        (Some(ap), Some(html)) => ap > 0.0 && ap > html,
        (Some(ap), None) => ap > 0.0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::wants_activity_json;

    #[test]
    fn negotiates_as_mastodon_and_browsers_ask() {
        assert!(wants_activity_json("application/activity+json"));
        assert!(wants_activity_json(
            "application/activity+json, application/ld+json"
        ));
        assert!(wants_activity_json(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!wants_activity_json(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!wants_activity_json("*/*"));
        assert!(!wants_activity_json("application/activity+json;q=0"));
        assert!(!wants_activity_json(
            "text/html, application/activity+json;q=0.5"
        ));
    }
}
