//! Local actors: the site (`/actor`, an `Application`), each listed group
//! (`/groups/{slug}`) and each regional calendar (`/calendars/{slug}`),
//! both `Group`s. An actor's id is the address of its page; WebFinger
//! finds it by its slug, a group's before a calendar's of the same name.

use crate::{AppError, AppResult, Services};
use convene_activitypub::keys::KeyPair;
use convene_activitypub::vocab::{Actor, ActorKind};
use convene_store::calendars::{self, CalendarRow};
use convene_store::federation;
use convene_store::groups::{self, GroupRow};

/// A local actor.
#[derive(Debug, Clone)]
pub enum LocalActor {
    /// The site.
    Site,
    /// A listed group.
    Group(Box<GroupRow>),
    /// A regional calendar.
    Calendar(CalendarRow),
}

/// The site actor's path.
pub const SITE_ACTOR: &str = "/actor";

impl LocalActor {
    /// Its path on the site, which names it in storage.
    pub fn path(&self) -> String {
        match self {
            LocalActor::Site => SITE_ACTOR.to_owned(),
            LocalActor::Group(g) => format!("/groups/{}", g.slug),
            LocalActor::Calendar(c) => format!("/calendars/{}", c.slug),
        }
    }

    /// The name in its handle.
    pub fn name(&self, svc: &Services) -> String {
        match self {
            LocalActor::Site => site_name(svc),
            LocalActor::Group(g) => g.slug.clone(),
            LocalActor::Calendar(c) => c.slug.clone(),
        }
    }
}

/// The site actor's handle name: the site's host.
fn site_name(svc: &Services) -> String {
    svc.site
        .base_url
        .host_str()
        .unwrap_or("localhost")
        .to_owned()
}

/// The site's host as handles carry it (with a port that is not the
/// default).
pub fn handle_host(svc: &Services) -> String {
    let url = &svc.site.base_url;
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("localhost")),
        None => url.host_str().unwrap_or("localhost").to_owned(),
    }
}

const NO_ACTOR: &str = "There is no actor at this address.";

/// The local actor at `path`. Groups that are not listed (pending,
/// rejected) are not actors.
pub async fn at_path(svc: &Services, path: &str) -> AppResult<LocalActor> {
    if path == SITE_ACTOR {
        return Ok(LocalActor::Site);
    }
    let mut conn = svc.db.conn().await?;
    if let Some(slug) = path.strip_prefix("/groups/") {
        return groups::by_slug(conn.ex(), slug)
            .await?
            .filter(|g| g.approval == "approved")
            .map(|g| LocalActor::Group(Box::new(g)))
            .ok_or(AppError::NotFound(NO_ACTOR));
    }
    if let Some(slug) = path.strip_prefix("/calendars/") {
        return calendars::by_slug(conn.ex(), slug)
            .await?
            .map(LocalActor::Calendar)
            .ok_or(AppError::NotFound(NO_ACTOR));
    }
    Err(AppError::NotFound(NO_ACTOR))
}

/// The local actor whose handle name is `name`.
pub async fn by_name(svc: &Services, name: &str) -> AppResult<LocalActor> {
    if name.eq_ignore_ascii_case(&site_name(svc)) {
        return Ok(LocalActor::Site);
    }
    match at_path(svc, &format!("/groups/{name}")).await {
        Err(AppError::NotFound(_)) => at_path(svc, &format!("/calendars/{name}")).await,
        found => found,
    }
}

/// The key pair of the actor at `path`, made (and stored) the first time
/// it is needed.
pub async fn key(svc: &Services, path: &str) -> AppResult<KeyPair> {
    let stored = {
        let mut conn = svc.db.conn().await?;
        federation::key(conn.ex(), path).await?
    };
    let row = match stored {
        Some(row) => row,
        None => {
            let made = tokio::task::spawn_blocking(|| {
                KeyPair::generate(&mut convene_activitypub::keys::OsRng)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
            let private = made
                .private_pem()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let mut conn = svc.db.conn().await?;
            federation::key_or_insert(conn.ex(), path, &private, &made.public_pem, svc.clock.now())
                .await?
        }
    };
    KeyPair::from_private_pem(&row.private_pem).map_err(|e| AppError::Internal(e.to_string()))
}

/// The actor's document.
pub async fn document(svc: &Services, actor: &LocalActor) -> AppResult<Actor> {
    let path = actor.path();
    let key = key(svc, &path).await?;
    let id = svc.site.link(&path);
    let common = Actor {
        id: id.clone(),
        kind: ActorKind::Group,
        preferred_username: actor.name(svc),
        name: String::new(),
        summary_html: String::new(),
        url: id,
        shared_inbox: svc.site.link("/inbox"),
        public_key_pem: key.public_pem,
        fields: Vec::new(),
        icon: None,
        published: None,
    };
    Ok(match actor {
        LocalActor::Site => Actor {
            kind: ActorKind::Application,
            name: svc.site.name.clone(),
            summary_html: format!(
                "<p>{} brings its user groups together: their meetings, reports and lists.</p>",
                escape(&svc.site.name)
            ),
            url: svc.site.link("/"),
            ..common
        },
        LocalActor::Group(g) => {
            let links = {
                let mut conn = svc.db.conn().await?;
                groups::links(conn.ex(), g.id).await?
            };
            let mut fields: Vec<(String, String)> = links
                .iter()
                .filter(|l| matches!(l.kind.as_str(), "website" | "meetup"))
                .map(|l| {
                    let name = if l.kind == "meetup" {
                        "Meetup"
                    } else {
                        "Website"
                    };
                    (name.to_owned(), link_html(&l.url))
                })
                .collect();
            let place = [g.city.as_str(), g.region.as_str(), g.country.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if !place.is_empty() {
                fields.push(("City".to_owned(), escape(&place)));
            }
            let about = if g.description.trim().is_empty() {
                format!("<p>{}</p>", escape(&g.short_description))
            } else {
                crate::markdown::render(&g.description)
            };
            Actor {
                name: g.name.clone(),
                summary_html: about,
                fields,
                published: Some(g.created_at),
                ..common
            }
        }
        LocalActor::Calendar(c) => Actor {
            name: c.name.clone(),
            summary_html: crate::markdown::render(&c.description),
            published: Some(c.created_at),
            ..common
        },
    })
}

/// How many follow the actor at `path`.
pub async fn follower_count(svc: &Services, path: &str) -> AppResult<i64> {
    let mut conn = svc.db.conn().await?;
    Ok(federation::follower_count(conn.ex(), path).await?)
}

fn link_html(url: &str) -> String {
    let shown = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    format!(
        "<a href=\"{}\" rel=\"me nofollow noopener\" target=\"_blank\">{}</a>",
        escape(url),
        escape(shown)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What NodeInfo tells about the site.
pub async fn site_facts(svc: &Services) -> AppResult<convene_activitypub::discovery::SiteFacts> {
    let now = svc.clock.now();
    let (users, active_month, active_halfyear, posts) = {
        let mut conn = svc.db.conn().await?;
        federation::site_usage(
            conn.ex(),
            now - chrono::Duration::days(30),
            now - chrono::Duration::days(180),
        )
        .await?
    };
    Ok(convene_activitypub::discovery::SiteFacts {
        name: svc.site.name.clone(),
        description: format!("{}: user groups, their meetings and reports", svc.site.name),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        users,
        active_month,
        active_halfyear,
        posts,
        open_registrations: crate::accounts::signup_open(svc).await?,
    })
}
