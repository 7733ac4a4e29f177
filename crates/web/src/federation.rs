//! The fediverse's way in: WebFinger, NodeInfo and host-meta; actor
//! documents at the same addresses as the pages, chosen by `Accept`; each
//! actor's outbox and followers; and the inboxes.

use crate::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use convene_activitypub::discovery::{self, Resource, ResourceError};
use convene_activitypub::incoming::MAX_ACTIVITY_BYTES;
use convene_activitypub::signatures::Received;
use convene_activitypub::{vocab, wants_activity_json};
use convene_app::AppError;
use convene_app::federation::actors::{self, LocalActor, SITE_ACTOR};
use convene_app::federation::inbox::{self, Refused, Taken};
use convene_app::federation::publish;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The routes; [`negotiate`] serves actor documents at the pages' own
/// addresses.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/nodeinfo/2.1", get(nodeinfo))
        .route("/actor", get(site_actor))
        .route("/actor/inbox", post(site_inbox))
        .route("/actor/outbox", get(site_outbox))
        .route("/actor/followers", get(site_followers))
        .route("/inbox", post(shared_inbox))
        .route("/groups/{slug}/inbox", post(group_inbox))
        .route("/groups/{slug}/outbox", get(group_outbox))
        .route("/groups/{slug}/followers", get(group_followers))
        .route("/calendars/{slug}/inbox", post(calendar_inbox))
        .route("/calendars/{slug}/outbox", get(calendar_outbox))
        .route("/calendars/{slug}/followers", get(calendar_followers))
}

fn activity_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/activity+json; charset=utf-8"),
            ),
            (header::VARY, HeaderValue::from_static("Accept")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

fn error_json(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": message }).to_string(),
    )
        .into_response()
}

fn app_error(e: AppError) -> Response {
    match e {
        AppError::NotFound(m) => error_json(StatusCode::NOT_FOUND, m),
        other => {
            tracing::error!(error = %other, "federation request failed");
            error_json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
        }
    }
}

/// The actor document at `path`.
async fn actor_document(state: &AppState, path: &str) -> Response {
    let svc = &state.svc;
    let found = async {
        let actor = actors::at_path(svc, path).await?;
        actors::document(svc, &actor).await
    };
    match found.await {
        Ok(doc) => activity_json(StatusCode::OK, &doc.document()),
        Err(e) => app_error(e),
    }
}

/// What kind of ActivityPub document lives at a page's address.
enum Negotiable {
    /// A group or regional calendar: its actor.
    Actor,
    /// An event.
    Event(i64),
    /// A post.
    Post(String),
}

fn negotiable(path: &str) -> Option<Negotiable> {
    let parts: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    match parts.as_slice() {
        ["groups" | "calendars", slug] if !slug.is_empty() => Some(Negotiable::Actor),
        ["events", id] => id.parse().ok().map(Negotiable::Event),
        ["blog", slug] if !slug.is_empty() && *slug != "feed.atom" && *slug != "feed.rss" => {
            Some(Negotiable::Post((*slug).to_owned()))
        }
        _ => None,
    }
}

/// An event or post object, with the context at its top.
fn object_document(found: Result<Value, AppError>) -> Response {
    match found {
        Ok(mut object) => {
            if let Some(map) = object.as_object_mut() {
                map.insert("@context".to_owned(), vocab::context());
            }
            activity_json(StatusCode::OK, &object)
        }
        Err(e) => app_error(e),
    }
}

/// Middleware: a GET of a group's, a regional calendar's, an event's or a
/// post's page that asks for ActivityPub gets the document instead; every
/// answer at those addresses varies by `Accept`.
pub async fn negotiate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let kind = if req.method() == Method::GET || req.method() == Method::HEAD {
        negotiable(path)
    } else {
        None
    };
    let Some(kind) = kind else {
        return next.run(req).await;
    };
    let wants = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(wants_activity_json);
    if wants {
        let svc = &state.svc;
        return match kind {
            Negotiable::Actor => {
                let path = path.to_owned();
                actor_document(&state, &path).await
            }
            Negotiable::Event(id) => object_document(publish::event_object(svc, id).await),
            Negotiable::Post(slug) => {
                object_document(publish::post_object_by_slug(svc, &slug).await)
            }
        };
    }
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    response
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

/// `GET /.well-known/webfinger?resource=acct:{slug}@{host}`.
async fn webfinger(State(state): State<AppState>, Query(q): Query<WebfingerQuery>) -> Response {
    let svc = &state.svc;
    let host = actors::handle_host(svc);
    let Some(resource) = q.resource.filter(|r| !r.trim().is_empty()) else {
        return error_json(
            StatusCode::BAD_REQUEST,
            &format!("Add ?resource=acct:name@{host}"),
        );
    };
    let actor = match discovery::parse_resource(&resource, &host) {
        Ok(Resource::Name(name)) => actors::by_name(svc, &name).await,
        Ok(Resource::Path(path)) => actors::at_path(svc, &path).await,
        Err(e @ ResourceError::Unreadable(_)) => {
            return error_json(StatusCode::BAD_REQUEST, &e.to_string());
        }
        Err(e @ ResourceError::ElsewhereHosted(_)) => {
            return error_json(StatusCode::NOT_FOUND, &e.to_string());
        }
    };
    let actor = match actor {
        Ok(a) => a,
        Err(e) => return app_error(e),
    };
    let path = actor.path();
    let id = svc.site.link(&path);
    let page = match actor {
        LocalActor::Site => svc.site.link("/"),
        _ => id.clone(),
    };
    let doc = discovery::webfinger(&actor.name(svc), &host, &id, &page);
    (
        [
            (header::CONTENT_TYPE, discovery::JRD_JSON),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        doc.to_string(),
    )
        .into_response()
}

async fn nodeinfo_links(State(state): State<AppState>) -> Response {
    let base = state.svc.site.link("");
    (
        [(header::CONTENT_TYPE, "application/json")],
        discovery::nodeinfo_links(base.trim_end_matches('/')).to_string(),
    )
        .into_response()
}

async fn nodeinfo(State(state): State<AppState>) -> Response {
    match actors::site_facts(&state.svc).await {
        Ok(facts) => (
            [
                (header::CONTENT_TYPE, discovery::NODEINFO_JSON),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            discovery::nodeinfo(&facts).to_string(),
        )
            .into_response(),
        Err(e) => app_error(e),
    }
}

async fn host_meta(State(state): State<AppState>) -> Response {
    let base = state.svc.site.link("");
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        discovery::host_meta(base.trim_end_matches('/')),
    )
        .into_response()
}

/// `GET /actor`: the site's actor; a browser goes to the front page.
async fn site_actor(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let wants = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(wants_activity_json);
    if !wants {
        return Redirect::to("/").into_response();
    }
    actor_document(&state, SITE_ACTOR).await
}

/// An actor's outbox: its upcoming events and latest posts, each as the
/// `Create` that published it.
async fn outbox(state: &AppState, path: &str) -> Response {
    let svc = &state.svc;
    let items = async {
        let actor = actors::at_path(svc, path).await?;
        publish::outbox_items(svc, &actor).await
    };
    match items.await {
        Ok(items) => {
            let id = format!("{}/outbox", svc.site.link(path));
            activity_json(
                StatusCode::OK,
                &vocab::ordered_collection(&id, items.len(), items),
            )
        }
        Err(e) => app_error(e),
    }
}

/// An actor's followers: their number, not who they are.
async fn followers(state: &AppState, path: &str) -> Response {
    let svc = &state.svc;
    let count = async {
        actors::at_path(svc, path).await?;
        actors::follower_count(svc, path).await
    };
    match count.await {
        Ok(n) => {
            let id = format!("{}/followers", svc.site.link(path));
            activity_json(
                StatusCode::OK,
                &vocab::ordered_collection(&id, usize::try_from(n).unwrap_or(0), Vec::new()),
            )
        }
        Err(e) => app_error(e),
    }
}

async fn site_outbox(State(state): State<AppState>) -> Response {
    outbox(&state, SITE_ACTOR).await
}
async fn site_followers(State(state): State<AppState>) -> Response {
    followers(&state, SITE_ACTOR).await
}
async fn group_outbox(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    outbox(&state, &format!("/groups/{slug}")).await
}
async fn group_followers(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    followers(&state, &format!("/groups/{slug}")).await
}
async fn calendar_outbox(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    outbox(&state, &format!("/calendars/{slug}")).await
}
async fn calendar_followers(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    followers(&state, &format!("/calendars/{slug}")).await
}

/// Reads a POST to an inbox and hands it to the use-case: 202 when taken,
/// else the refusal's status with what to fix.
async fn receive(state: &AppState, target: Option<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(Body::new(body), MAX_ACTIVITY_BYTES).await else {
        return error_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The activity is larger than {} KiB.",
                MAX_ACTIVITY_BYTES / 1024
            ),
        );
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &parts.headers {
        let Ok(value) = value.to_str() else {
            continue;
        };
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let received = Received {
        scheme: state.svc.site.base_url.scheme(),
        method: parts.method.as_str(),
        path_and_query,
        headers,
        body: &body,
    };
    match inbox::receive(&state.svc, &state.fetcher, target.as_deref(), received).await {
        Ok(taken) => {
            let note = match taken {
                Taken::Followed => "Followed.".to_owned(),
                Taken::Unfollowed => "No longer following.".to_owned(),
                Taken::Replied => "The reply waits for a moderator.".to_owned(),
                Taken::Reacted => "Counted.".to_owned(),
                Taken::Forgotten => "Removed.".to_owned(),
                Taken::Reported => "The report reaches the coordinators.".to_owned(),
                Taken::EventStored(n) => format!("The event shows in {n} calendar(s)."),
                Taken::Answered => "Noted.".to_owned(),
                Taken::Ignored(why) => why,
            };
            (StatusCode::ACCEPTED, note).into_response()
        }
        Err(refused) => {
            let status = match &refused {
                Refused::Signature(_) => StatusCode::UNAUTHORIZED,
                Refused::Activity(_) => StatusCode::BAD_REQUEST,
                Refused::NoSuchActor(_) => StatusCode::NOT_FOUND,
                Refused::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                Refused::Blocked(_) => StatusCode::FORBIDDEN,
                Refused::Internal(e) => {
                    tracing::error!(error = %e, "inbox failed");
                    return error_json(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong on our side.",
                    );
                }
            };
            error_json(status, &refused.to_string())
        }
    }
}

async fn shared_inbox(State(state): State<AppState>, req: Request) -> Response {
    receive(&state, None, req).await
}
async fn site_inbox(State(state): State<AppState>, req: Request) -> Response {
    receive(&state, Some(SITE_ACTOR.to_owned()), req).await
}
async fn group_inbox(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    receive(&state, Some(format!("/groups/{slug}")), req).await
}
async fn calendar_inbox(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    receive(&state, Some(format!("/calendars/{slug}")), req).await
}
