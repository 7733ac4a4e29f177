//! How other servers find a site's actors: WebFinger (RFC 7033) answers
//! for `acct:` handles, NodeInfo 2.1 describes the site, and host-meta
//! (RFC 6415) points older clients at WebFinger.

use serde_json::{Value, json};

/// The media type of WebFinger answers.
pub const JRD_JSON: &str = "application/jrd+json";

/// The media type of the NodeInfo 2.1 document.
pub const NODEINFO_JSON: &str =
    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";

/// What a WebFinger `resource` names on this site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `acct:{name}@{host}` (or `@name@host`, `name@host`): an actor's name.
    Name(String),
    /// An actor's own address on this site: its path.
    Path(String),
}

/// Why a `resource` is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Empty, or neither an `acct:` handle nor an address.
    #[error("resource must be acct:name@{0} or an address on {0}")]
    Unreadable(String),
    /// A handle or address on another host.
    #[error("resource names another server; this one is {0}")]
    ElsewhereHosted(String),
}

/// Reads a WebFinger `resource` for a site at `host` (with its port, if
/// not the default).
pub fn parse_resource(resource: &str, host: &str) -> Result<Resource, ResourceError> {
    let resource = resource.trim();
    let unreadable = || ResourceError::Unreadable(host.to_owned());
    if resource.starts_with("https://") || resource.starts_with("http://") {
        let url = url::Url::parse(resource).map_err(|_| unreadable())?;
        let theirs = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        if !theirs.eq_ignore_ascii_case(host) {
            return Err(ResourceError::ElsewhereHosted(host.to_owned()));
        }
        return Ok(Resource::Path(url.path().to_owned()));
    }
    let handle = resource
        .strip_prefix("acct:")
        .unwrap_or(resource)
        .trim_start_matches('@');
    let (name, at) = handle.rsplit_once('@').ok_or_else(unreadable)?;
    if name.is_empty() || name.len() > 200 {
        return Err(unreadable());
    }
    if !at.eq_ignore_ascii_case(host) {
        return Err(ResourceError::ElsewhereHosted(host.to_owned()));
    }
    Ok(Resource::Name(name.to_ascii_lowercase()))
}

/// The WebFinger answer for the actor `name` at `actor_id`, whose page is
/// `page`.
pub fn webfinger(name: &str, host: &str, actor_id: &str, page: &str) -> Value {
    let mut aliases = vec![actor_id];
    if page != actor_id {
        aliases.push(page);
    }
    json!({
        "subject": format!("acct:{name}@{host}"),
        "aliases": aliases,
        "links": [
            {"rel": "self", "type": crate::ACTIVITY_JSON, "href": actor_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page},
        ]
    })
}

/// `/.well-known/nodeinfo`: where the NodeInfo document is.
pub fn nodeinfo_links(base: &str) -> Value {
    json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": format!("{base}/nodeinfo/2.1"),
        }]
    })
}

/// What NodeInfo tells about a site.
#[derive(Debug, Clone)]
pub struct SiteFacts {
    /// The site's name.
    pub name: String,
    /// Its tagline.
    pub description: String,
    /// convene's version.
    pub version: String,
    /// Accounts.
    pub users: i64,
    /// Accounts active in the last month and half year.
    pub active_month: i64,
    /// Accounts active in the last half year.
    pub active_halfyear: i64,
    /// Published posts.
    pub posts: i64,
    /// Whether anyone may sign up.
    pub open_registrations: bool,
}

/// The NodeInfo 2.1 document.
pub fn nodeinfo(facts: &SiteFacts) -> Value {
    json!({
        "version": "2.1",
        "software": {
            "name": "convene",
            "version": facts.version,
            "repository": "https://example.org/convene",
            "homepage": "https://example.org/convene",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": facts.open_registrations,
        "usage": {
            "users": {
                "total": facts.users,
                "activeMonth": facts.active_month,
                "activeHalfyear": facts.active_halfyear,
            },
            "localPosts": facts.posts,
        },
        "metadata": {"nodeName": facts.name, "nodeDescription": facts.description},
    })
}

/// `/.well-known/host-meta`: the WebFinger template, in XRD.
pub fn host_meta(base: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n\
         </XRD>\n",
        base.replace('&', "&amp;").replace('"', "&quot;")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_addresses_are_read_as_mastodon_sends_them() {
        let host = "convene.example";
        assert_eq!(
            parse_resource("acct:PUG-Boston@convene.example", host),
            Ok(Resource::Name("pug-boston".to_owned()))
        );
        assert_eq!(
            parse_resource("@pug@convene.example", host),
            Ok(Resource::Name("pug".to_owned()))
        );
        assert_eq!(
            parse_resource("https://convene.example/groups/pug", host),
            Ok(Resource::Path("/groups/pug".to_owned()))
        );
        assert!(matches!(
            parse_resource("acct:pug@elsewhere.example", host),
            Err(ResourceError::ElsewhereHosted(_))
        ));
        assert!(matches!(
            parse_resource("", host),
            Err(ResourceError::Unreadable(_))
        ));
        assert!(matches!(
            parse_resource("acct:@convene.example", host),
            Err(ResourceError::Unreadable(_))
        ));
    }
}
