//! A regional calendar follows a Mobilizon group (by handle) and a Gancio
//! instance (by address): the follow goes out signed, their events arrive
//! as they send them and show in the calendar with their own local times
//! and places, bad events are refused with nothing stored, and
//! unfollowing takes the events away.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{Request, StatusCode, Uri};
use axum::routing::get;
use common::TestApp;
use convene_activitypub::keys::{KeyPair, OsRng};
use convene_activitypub::signatures;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const AP: &str = "application/activity+json";

/// Another fediverse server on loopback: its accounts' documents (each
/// with its own key), WebFinger for them, and inboxes that keep what
/// arrives.
struct Server {
    addr: SocketAddr,
    keys: HashMap<String, KeyPair>,
    received: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Server {
    /// `accounts`: (handle name, path of the actor, its document without
    /// id, inbox or key, which are filled in).
    async fn start(accounts: Vec<(&str, &str, Value)>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let mut keys = HashMap::new();
        let mut docs: HashMap<String, Value> = HashMap::new();
        let mut handles: HashMap<String, String> = HashMap::new();
        for (name, path, mut doc) in accounts {
            let key = KeyPair::generate(&mut OsRng).unwrap();
            let id = format!("{base}{path}");
            doc["id"] = json!(id);
            doc["inbox"] = json!(format!("{id}/inbox"));
            doc["publicKey"] = json!({"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_pem});
            docs.insert(path.to_owned(), doc);
            handles.insert(format!("acct:{name}@{addr}"), id);
            keys.insert(path.to_owned(), key);
        }
        let received: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let keep = received.clone();
        let docs = Arc::new(docs);
        let handles = Arc::new(handles);
        let router = Router::new()
            .route(
                "/.well-known/webfinger",
                get(move |Query(q): Query<HashMap<String, String>>| {
                    let handles = handles.clone();
                    async move {
                        let resource = q.get("resource").cloned().unwrap_or_default();
                        match handles.get(&resource) {
                            Some(id) => (
                                StatusCode::OK,
                                [("content-type", "application/jrd+json")],
                                json!({"subject": resource, "links": [
                                    {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": id},
                                    {"rel": "self", "type": AP, "href": id},
                                ]})
                                .to_string(),
                            ),
                            None => (
                                StatusCode::NOT_FOUND,
                                [("content-type", "application/jrd+json")],
                                "{}".to_owned(),
                            ),
                        }
                    }
                }),
            )
            .fallback(move |uri: Uri, body: Bytes| {
                let (docs, keep) = (docs.clone(), keep.clone());
                async move {
                    let path = uri.path().to_owned();
                    if let Some(doc) = docs.get(&path) {
                        return (StatusCode::OK, [("content-type", AP)], doc.to_string());
                    }
                    if path.ends_with("/inbox") && !body.is_empty() {
                        keep.lock()
                            .unwrap()
                            .push((path, serde_json::from_slice(&body).unwrap()));
                        return (StatusCode::ACCEPTED, [("content-type", AP)], String::new());
                    }
                    (StatusCode::NOT_FOUND, [("content-type", AP)], String::new())
                }
            });
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            addr,
            keys,
            received,
        }
    }

    fn id(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts `activity` to convene's shared inbox, signed by the account
    /// at `path`.
    async fn send(&self, app: &TestApp, path: &str, activity: &Value) -> common::Resp {
        let body = activity.to_string();
        let url = app.svc().site.link("/inbox").parse::<url::Url>().unwrap();
        let headers = signatures::sign(
            "POST",
            &url,
            Some(body.as_bytes()),
            &format!("{}#main-key", self.id(path)),
            &self.keys[path],
            app.now(),
        )
        .unwrap();
        let mut req = Request::post("/inbox");
        for (name, value) in headers {
            req = req.header(name, value);
        }
        app.send(req.body(Body::from(body)).unwrap()).await
    }

    /// What reached inboxes since last asked.
    fn take(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

/// A Mobilizon 4 instance with a group and one of its members.
async fn mobilizon() -> Server {
    Server::start(vec![
        (
            "pythonistas",
            "/@pythonistas",
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld",
                    {"mz": "https://joinmobilizon.org/ns#", "openness": {"@id": "mz:openness", "@type": "rdf:langString"}}],
                "type": "Group",
                "preferredUsername": "pythonistas",
                "name": "Pythonistas Lyon",
                "summary": "<p>Python à Lyon</p>",
                "openness": "open",
                "manuallyApprovesFollowers": false,
            }),
        ),
        (
            "alice",
            "/@alice",
            json!({"@context": ["https://www.w3.org/ns/activitystreams"], "type": "Person",
                   "preferredUsername": "alice", "name": "Alice"}),
        ),
    ])
    .await
}

/// A Gancio 1.x instance's actor.
async fn gancio() -> Server {
    Server::start(vec![(
        "events",
        "/federation/u/events",
        json!({"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
               "type": "Application", "preferredUsername": "events", "name": "Gancio Torino"}),
    )])
    .await
}

async fn region(app: &TestApp) -> common::Client<'_> {
    let mut coord = common::coordinator(app).await;
    let r = coord
        .submit("/calendars", &[("name", "Europe"), ("continent", "EU")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    coord
}

async fn events_of_source(app: &TestApp) -> Vec<(String, String, String, String)> {
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::run!(conn.ex(), |c| convene_store::sqlx::query_as::<
        _,
        (String, String, String, String),
    >(
        "SELECT uid, title, start_local, tz FROM events WHERE source_id IS NOT NULL ORDER BY title"
    )
    .fetch_all(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_regional_calendar_follows_mobilizon_and_gancio_and_shows_their_events() {
    let app = TestApp::new().await;
    let mut coord = region(&app).await;
    let mz = mobilizon().await;
    let gc = gancio().await;

    // Mobilizon's group by its handle, Gancio's instance by its address.
    let r = coord
        .submit(
            "/calendars/europe/follows",
            &[("account", &format!("@pythonistas@{}", mz.addr))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = coord
        .submit(
            "/calendars/europe/follows",
            &[("account", &gc.id("/federation/u/events"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.drain_jobs().await;
    let follows = mz.take();
    assert_eq!(follows.len(), 1);
    let (inbox, follow) = &follows[0];
    assert_eq!(inbox, "/@pythonistas/inbox");
    assert_eq!(follow["type"], "Follow");
    assert_eq!(follow["actor"], "http://convene.test/calendars/europe");
    assert_eq!(follow["object"], mz.id("/@pythonistas"));
    let gancio_follow = gc.take().remove(0).1;

    // Before they accept, their events do not show.
    let early = json!({"id": mz.id("/events/early"), "type": "Create", "actor": mz.id("/@pythonistas"),
        "object": {"id": mz.id("/events/early"), "type": "Event", "name": "Too early",
                   "startTime": "2026-12-01T19:00:00+01:00", "attributedTo": mz.id("/@pythonistas")}});
    let r = mz.send(&app, "/@pythonistas", &early).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert!(events_of_source(&app).await.is_empty());

    // They accept.
    for (server, path, follow) in [
        (&mz, "/@pythonistas", follow.clone()),
        (&gc, "/federation/u/events", gancio_follow.clone()),
    ] {
        let accept = json!({"id": format!("{}#accepts/1", server.id(path)), "type": "Accept",
            "actor": server.id(path), "object": follow});
        let r = server.send(&app, path, &accept).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    }

    // Mobilizon: a member publishes the group's event (attributed to the
    // group), in Paris time.
    let event_id = mz.id("/events/5b8e4e57-3a4f-4e0b-9a53-8a2e8a1f0c11");
    let create = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld"],
        "id": format!("{event_id}/activity"),
        "type": "Create",
        "actor": mz.id("/@alice"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": event_id, "type": "Event", "uuid": "5b8e4e57-3a4f-4e0b-9a53-8a2e8a1f0c11",
            "name": "Apéro Python", "content": "<p>On parle <b>typage</b> et café.</p>", "mediaType": "text/html",
            "startTime": "2026-12-10T19:00:00+01:00", "endTime": "2026-12-10T22:00:00+01:00",
            "timezone": "Europe/Paris", "url": event_id,
            "attributedTo": mz.id("/@pythonistas"),
            "location": {"type": "Place", "name": "Le Bistrot",
                "address": {"type": "PostalAddress", "streetAddress": "10 Rue de la République",
                    "addressLocality": "Lyon", "postalCode": "69002", "addressRegion": "Auvergne-Rhône-Alpes",
                    "addressCountry": "France"},
                "latitude": 45.7640, "longitude": 4.8357},
            "ical:status": "CONFIRMED", "category": "MEETING", "joinMode": "free", "draft": false,
            "anonymousParticipationEnabled": false, "commentsEnabled": true, "isOnline": false,
        },
    });
    let r = mz.send(&app, "/@alice", &create).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    r.assert_contains("shows in 1 calendar");

    // Gancio: times in UTC, place with a plain address.
    let gancio_event = gc.id("/federation/m/42");
    let create = json!({
        "id": format!("{gancio_event}#create"), "type": "Create", "actor": gc.id("/federation/u/events"),
        "object": {"id": gancio_event, "type": "Event", "name": "Python meetup Torino",
            "url": gc.id("/event/python-meetup-torino"), "content": "<p>Talks and pizza</p>",
            "startTime": "2026-12-12T17:30:00.000Z", "endTime": "2026-12-12T20:00:00.000Z",
            "location": {"name": "Hacklab", "address": "Via Roma 1, Torino"},
            "attachment": [{"type": "Document", "mediaType": "image/jpeg", "url": gc.id("/media/1.jpg"), "name": null}],
            "attributedTo": gc.id("/federation/u/events"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"]},
    });
    let r = gc.send(&app, "/federation/u/events", &create).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);

    let stored = events_of_source(&app).await;
    assert_eq!(
        stored,
        vec![
            (
                event_id.clone(),
                "Apéro Python".to_owned(),
                "2026-12-10T19:00:00".to_owned(),
                "Europe/Paris".to_owned()
            ),
            (
                gancio_event.clone(),
                "Python meetup Torino".to_owned(),
                "2026-12-12T17:30:00".to_owned(),
                "UTC".to_owned()
            ),
        ]
    );
    // The calendar's page lists both, at their local times, with their places.
    let page = app.client().get("/calendars/europe").await;
    page.assert_contains("Apéro Python");
    page.assert_contains("Python meetup Torino");
    page.assert_contains("19:00");
    page.assert_contains("Le Bistrot");
    // So does its feed, read by an independent parser.
    let feed = app.client().get("/calendars/europe.ics").await;
    assert!(feed.body.contains("SUMMARY:Apéro Python"), "{}", feed.body);
    assert!(
        feed.body
            .contains("DTSTART;TZID=Europe/Paris:20261210T190000"),
        "{}",
        feed.body
    );

    // An update moves it; a Delete removes it.
    let mut update = create_of(&mz, &event_id);
    update["type"] = json!("Update");
    update["object"]["startTime"] = json!("2026-12-10T19:30:00+01:00");
    mz.send(&app, "/@pythonistas", &update)
        .await
        .assert_status(StatusCode::ACCEPTED);
    assert_eq!(events_of_source(&app).await[0].2, "2026-12-10T19:30:00");

    // Bad events: refused, nothing stored changes.
    let before = app.fingerprint().await;
    let before_events = events_of_source(&app).await;
    for (what, object, says) in [
        (
            "no start",
            json!({"id": mz.id("/events/x1"), "type": "Event", "name": "No start", "attributedTo": mz.id("/@pythonistas")}),
            "no startTime",
        ),
        (
            "start after end",
            json!({"id": mz.id("/events/x2"), "type": "Event", "name": "Backwards",
            "startTime": "2026-12-10T22:00:00+01:00", "endTime": "2026-12-10T19:00:00+01:00", "attributedTo": mz.id("/@pythonistas")}),
            "ends before it starts",
        ),
        (
            "unknown zone",
            json!({"id": mz.id("/events/x3"), "type": "Event", "name": "Nowhere",
            "startTime": "2026-12-10T19:00:00+01:00", "timezone": "Europe/Atlantis", "attributedTo": mz.id("/@pythonistas")}),
            "not a known IANA zone",
        ),
    ] {
        let activity = json!({"id": format!("{}#create", object["id"].as_str().unwrap()), "type": "Create",
            "actor": mz.id("/@pythonistas"), "object": object});
        let r = mz.send(&app, "/@pythonistas", &activity).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
        r.assert_contains(says);
        assert_eq!(events_of_source(&app).await, before_events, "{what}");
    }
    assert_eq!(app.fingerprint().await, before);

    let delete = json!({"id": format!("{event_id}#delete"), "type": "Delete", "actor": mz.id("/@pythonistas"),
        "object": {"id": event_id, "type": "Tombstone"}});
    mz.send(&app, "/@pythonistas", &delete)
        .await
        .assert_status(StatusCode::ACCEPTED);
    assert_eq!(events_of_source(&app).await.len(), 1);

    // Unfollowing Gancio sends Undo and takes its events away.
    let source_id: i64 = {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::run!(conn.ex(), |c| convene_store::sqlx::query_scalar::<_, i64>(
            "SELECT id FROM calendar_sources WHERE kind = 'activitypub' AND url LIKE '%federation%'"
        )
        .fetch_one(c)
        .await)
        .unwrap()
    };
    coord
        .submit(
            &format!("/calendars/europe/sources/{source_id}/delete"),
            &[],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let undo = gc.take();
    assert_eq!(undo.len(), 1);
    assert_eq!(undo[0].1["type"], "Undo");
    assert_eq!(undo[0].1["object"]["id"], gancio_follow["id"]);
    assert!(events_of_source(&app).await.is_empty());
}

fn create_of(mz: &Server, event_id: &str) -> Value {
    json!({"id": format!("{event_id}/activity-2"), "type": "Create", "actor": mz.id("/@pythonistas"),
        "object": {"id": event_id, "type": "Event", "name": "Apéro Python",
            "startTime": "2026-12-10T19:00:00+01:00", "endTime": "2026-12-10T22:00:00+01:00",
            "timezone": "Europe/Paris", "attributedTo": mz.id("/@pythonistas"),
            "location": {"type": "Place", "name": "Le Bistrot", "address": "10 Rue de la République, Lyon"}}})
}

#[tokio::test]
async fn following_refuses_what_cannot_be_followed_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut coord = region(&app).await;
    let before = app.fingerprint().await;
    for (account, says) in [
        ("not a handle", "handle (@name@server)"),
        ("@nobody@127.0.0.1:9", "could not be found"),
    ] {
        let r = coord
            .submit("/calendars/europe/follows", &[("account", account)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{account}: {}",
            r.body
        );
        r.assert_contains(says);
        assert_eq!(app.fingerprint().await, before, "{account}");
    }
}
