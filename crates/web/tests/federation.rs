//! Groups on the fediverse: found by WebFinger, read as ActivityPub actors,
//! followed from a Mastodon-shaped server whose signed requests are
//! checked, and every bad request refused with nothing stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::{get, post};
use common::{TestApp, insert_group};
use convene_activitypub::keys::{KeyPair, OsRng};
use convene_activitypub::signatures;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const AP: &str = "application/activity+json";

/// A server shaped like Mastodon: actors `ann` and `bob` with their keys,
/// and a shared inbox that keeps what is posted to it.
struct Mastodon {
    addr: SocketAddr,
    ann: KeyPair,
    bob: KeyPair,
    received: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
}

impl Mastodon {
    async fn start() -> Self {
        let ann = KeyPair::generate(&mut OsRng).unwrap();
        let bob = KeyPair::generate(&mut OsRng).unwrap();
        let received: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let person = |name: &str, key: &KeyPair| {
            // The shape of a Mastodon 4 actor document.
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
                    {"manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "toot": "http://joinmastodon.org/ns#",
                     "discoverable": "toot:discoverable", "indexable": "toot:indexable"}],
                "id": format!("{base}/users/{name}"),
                "type": "Person",
                "following": format!("{base}/users/{name}/following"),
                "followers": format!("{base}/users/{name}/followers"),
                "inbox": format!("{base}/users/{name}/inbox"),
                "outbox": format!("{base}/users/{name}/outbox"),
                "preferredUsername": name,
                "name": name.to_uppercase(),
                "summary": "<p>Pythonista</p>",
                "url": format!("{base}/@{name}"),
                "manuallyApprovesFollowers": false,
                "discoverable": true,
                "published": "2022-11-05T00:00:00Z",
                "publicKey": {
                    "id": format!("{base}/users/{name}#main-key"),
                    "owner": format!("{base}/users/{name}"),
                    "publicKeyPem": key.public_pem,
                },
                "endpoints": {"sharedInbox": format!("{base}/inbox")},
            })
        };
        let (ann_doc, bob_doc) = (person("ann", &ann), person("bob", &bob));
        let keep = received.clone();
        let inbox = move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock()
                    .unwrap()
                    .push((uri.path().to_owned(), headers, body));
                StatusCode::ACCEPTED
            }
        };
        let router = Router::new()
            .route(
                "/users/ann",
                get(move || {
                    let d = ann_doc.clone();
                    async move { ([("content-type", AP)], d.to_string()) }
                }),
            )
            .route(
                "/users/bob",
                get(move || {
                    let d = bob_doc.clone();
                    async move { ([("content-type", AP)], d.to_string()) }
                }),
            )
            .route("/inbox", post(inbox.clone()))
            .route("/users/{name}/inbox", post(inbox));
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            addr,
            ann,
            bob,
            received,
        }
    }

    fn actor(&self, name: &str) -> String {
        format!("http://{}/users/{name}", self.addr)
    }

    /// A Follow of `object` by `name`, as Mastodon writes one.
    fn follow(&self, name: &str, object: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#follows/1234", self.actor(name)),
            "type": "Follow",
            "actor": self.actor(name),
            "object": object,
        })
    }
}

/// A POST of `body` to `path` on `app`, signed as Mastodon signs it with
/// `key` (named `key_id`) at `at`.
fn signed(
    app: &TestApp,
    path: &str,
    body: &[u8],
    key_id: &str,
    key: &KeyPair,
    at: chrono::DateTime<chrono::Utc>,
) -> Request<Body> {
    let url = app.svc().site.link(path).parse::<url::Url>().unwrap();
    let headers = signatures::sign("POST", &url, Some(body), key_id, key, at).unwrap();
    let mut req = Request::post(path);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.body(Body::from(body.to_vec())).unwrap()
}

/// A GET of `path` asking for ActivityPub.
async fn get_ap(app: &TestApp, path: &str) -> common::Resp {
    app.send(
        Request::get(path)
            .header("accept", AP)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn followers(app: &TestApp, path: &str) -> u64 {
    let res = get_ap(app, &format!("{path}/followers")).await;
    res.assert_status(StatusCode::OK);
    res.json()["totalItems"].as_u64().unwrap()
}

#[tokio::test]
async fn a_group_is_found_by_webfinger_and_read_as_an_actor() {
    let app = TestApp::new().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;

    let res = app
        .client()
        .get("/.well-known/webfinger?resource=acct:pug-berlin@convene.test")
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.headers["content-type"], "application/jrd+json");
    let jrd = res.json();
    assert_eq!(jrd["subject"], "acct:pug-berlin@convene.test");
    let link = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(link["type"], AP);
    assert_eq!(link["href"], "http://convene.test/groups/pug-berlin");

    // The page's own address answers with the actor when asked for it,
    // as Mastodon and Mobilizon ask.
    for accept in [
        AP,
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    ] {
        let res = app
            .send(
                Request::get("/groups/pug-berlin")
                    .header("accept", accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        res.assert_status(StatusCode::OK);
        assert!(
            res.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with(AP)
        );
        let actor = res.json();
        assert_eq!(actor["type"], "Group");
        assert_eq!(actor["id"], "http://convene.test/groups/pug-berlin");
        assert_eq!(actor["preferredUsername"], "pug-berlin");
        assert_eq!(actor["name"], "Python Users Berlin");
        assert_eq!(
            actor["inbox"],
            "http://convene.test/groups/pug-berlin/inbox"
        );
        assert_eq!(
            actor["endpoints"]["sharedInbox"],
            "http://convene.test/inbox"
        );
        assert_eq!(actor["publicKey"]["owner"], actor["id"]);
        assert!(
            actor["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        let fields = actor["attachment"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["name"] == "City" && f["value"] == "Berlin, DE")
        );
    }
    // The key is made once and kept.
    let again = get_ap(&app, "/groups/pug-berlin").await.json();
    let first = get_ap(&app, "/groups/pug-berlin").await.json();
    assert_eq!(again["publicKey"], first["publicKey"]);

    // A browser still gets the page, which points at the actor.
    let page = app.client().get("/groups/pug-berlin").await;
    page.assert_status(StatusCode::OK);
    page.assert_contains(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"http://convene.test/groups/pug-berlin\">",
    );
    assert!(
        page.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Accept"))
    );

    // The site describes itself.
    let ni = app.client().get("/.well-known/nodeinfo").await.json();
    assert_eq!(ni["links"][0]["href"], "http://convene.test/nodeinfo/2.1");
    let ni = app.client().get("/nodeinfo/2.1").await.json();
    assert_eq!(ni["version"], "2.1");
    assert_eq!(ni["software"]["name"], "convene");
    assert_eq!(ni["protocols"][0], "activitypub");
    let hm = app.client().get("/.well-known/host-meta").await;
    hm.assert_contains("template=\"http://convene.test/.well-known/webfinger?resource={uri}\"");
    let site = get_ap(&app, "/actor").await.json();
    assert_eq!(site["type"], "Application");

    // Handles that are not ours.
    let res = app
        .client()
        .get("/.well-known/webfinger?resource=acct:nobody@convene.test")
        .await;
    res.assert_status(StatusCode::NOT_FOUND);
    let res = app
        .client()
        .get("/.well-known/webfinger?resource=acct:pug-berlin@elsewhere.example")
        .await;
    res.assert_status(StatusCode::NOT_FOUND);
    let res = app.client().get("/.well-known/webfinger").await;
    res.assert_status(StatusCode::BAD_REQUEST);
    res.assert_contains("acct:name@convene.test");
}

#[tokio::test]
async fn a_mastodon_user_follows_a_group_and_gets_a_signed_accept() {
    let app = TestApp::new().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let masto = Mastodon::start().await;
    let group = app.svc().site.link("/groups/pug-berlin");
    let follow = masto.follow("ann", &group);
    let body = follow.to_string();
    let key_id = format!("{}#main-key", masto.actor("ann"));

    let res = app
        .send(signed(
            &app,
            "/groups/pug-berlin/inbox",
            body.as_bytes(),
            &key_id,
            &masto.ann,
            app.now(),
        ))
        .await;
    res.assert_status(StatusCode::ACCEPTED);
    assert_eq!(followers(&app, "/groups/pug-berlin").await, 1);

    // The Accept reaches ann's own inbox, signed with the group's key.
    app.drain_jobs().await;
    let delivered = masto.received.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "one Accept");
    let (path, headers, body) = &delivered[0];
    assert_eq!(path, "/users/ann/inbox");
    let accept: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], group);
    assert_eq!(accept["object"]["id"], follow["id"]);
    let group_doc = get_ap(&app, "/groups/pug-berlin").await.json();
    let received = signatures::Received {
        scheme: "http",
        method: "POST",
        path_and_query: path,
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect(),
        body,
    };
    let checked = signatures::check(&received, app.now()).unwrap();
    assert_eq!(checked.key_id, format!("{group}#main-key"));
    checked
        .verify(group_doc["publicKey"]["publicKeyPem"].as_str().unwrap())
        .unwrap();

    // Undo ends the follow.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#follows/1234/undo", masto.actor("ann")),
        "type": "Undo",
        "actor": masto.actor("ann"),
        "object": follow,
    })
    .to_string();
    let res = app
        .send(signed(
            &app,
            "/inbox",
            undo.as_bytes(),
            &key_id,
            &masto.ann,
            app.now(),
        ))
        .await;
    res.assert_status(StatusCode::ACCEPTED);
    assert_eq!(followers(&app, "/groups/pug-berlin").await, 0);
}

#[tokio::test]
async fn every_bad_inbox_request_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let masto = Mastodon::start().await;
    let group = app.svc().site.link("/groups/pug-berlin");
    let ann_key = format!("{}#main-key", masto.actor("ann"));
    let bob_key = format!("{}#main-key", masto.actor("bob"));
    let follow = masto.follow("ann", &group).to_string();
    let inbox = "/groups/pug-berlin/inbox";
    let before = app.fingerprint().await;

    let mut cases: Vec<(&str, Request<Body>, StatusCode, &str)> = Vec::new();
    cases.push((
        "unsigned",
        Request::post(inbox)
            .header("content-type", AP)
            .body(Body::from(follow.clone()))
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "not signed",
    ));
    cases.push((
        "signed by another actor's key",
        signed(
            &app,
            inbox,
            follow.as_bytes(),
            &bob_key,
            &masto.bob,
            app.now(),
        ),
        StatusCode::UNAUTHORIZED,
        "not to the activity's actor",
    ));
    let mut changed = signed(
        &app,
        inbox,
        follow.as_bytes(),
        &ann_key,
        &masto.ann,
        app.now(),
    );
    *changed.body_mut() = Body::from(follow.replace("Follow", "Block"));
    cases.push((
        "body changed after signing",
        changed,
        StatusCode::UNAUTHORIZED,
        "does not match its Digest",
    ));
    cases.push((
        "Date two days old",
        signed(
            &app,
            inbox,
            follow.as_bytes(),
            &ann_key,
            &masto.ann,
            app.now() - chrono::Duration::days(2),
        ),
        StatusCode::UNAUTHORIZED,
        "more than 12 hours",
    ));
    let foreign = json!({
        "id": "https://elsewhere.example/activities/1",
        "type": "Follow",
        "actor": masto.actor("ann"),
        "object": group,
    })
    .to_string();
    cases.push((
        "id on another host than its actor",
        signed(
            &app,
            inbox,
            foreign.as_bytes(),
            &ann_key,
            &masto.ann,
            app.now(),
        ),
        StatusCode::BAD_REQUEST,
        "not on its actor's host",
    ));
    let huge = format!(
        "{{\"type\":\"Create\",\"padding\":\"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    cases.push((
        "a 10 MB activity",
        signed(
            &app,
            inbox,
            huge.as_bytes(),
            &ann_key,
            &masto.ann,
            app.now(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger than 256 KiB",
    ));
    let elsewhere = masto
        .follow("ann", "http://convene.test/groups/nobody")
        .to_string();
    cases.push((
        "a follow of an actor we do not have",
        signed(
            &app,
            inbox,
            elsewhere.as_bytes(),
            &ann_key,
            &masto.ann,
            app.now(),
        ),
        StatusCode::NOT_FOUND,
        "no actor",
    ));

    for (what, req, status, says) in cases {
        let res = app.send(req).await;
        assert_eq!(res.status, status, "{what}: {}", res.body);
        assert!(
            res.body.contains(says),
            "{what}: expected {says:?} in {}",
            res.body
        );
        // Nothing followed, and no actor kept: an actor is kept only once
        // a request signed by it checks out (the last case's did).
        if what != "a follow of an actor we do not have" {
            assert_eq!(app.fingerprint().await, before, "{what}");
        }
    }
    assert_eq!(followers(&app, "/groups/pug-berlin").await, 0);
    // Each refusal is in the log coordinators read, but for the oversized
    // body, which is turned away before it is read.
    let mut conn = app.svc().db.conn().await.unwrap();
    let log = convene_store::federation::refusals(conn.ex(), 50)
        .await
        .unwrap();
    assert_eq!(log.len(), 6, "{log:?}");
}

#[tokio::test]
async fn an_actor_on_a_private_address_is_not_fetched() {
    let app = TestApp::new().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let masto = Mastodon::start().await;
    // This site's fetches obey the private-address rule; the "remote"
    // server listens on loopback.
    let mut state = app.state.clone();
    state.fetcher = Arc::new(convene_app::net::Fetcher::new(
        convene_app::net::FetchPolicy::default(),
    ));
    let router = convene_web::router(state);
    let follow = masto
        .follow("ann", &app.svc().site.link("/groups/pug-berlin"))
        .to_string();
    let req = signed(
        &app,
        "/inbox",
        follow.as_bytes(),
        &format!("{}#main-key", masto.actor("ann")),
        &masto.ann,
        app.now(),
    );
    let before = app.fingerprint().await;
    let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("private or local address"), "{body}");
    assert_eq!(app.fingerprint().await, before);
}

/// Follows `group` (a path) as ann of `masto`, and clears the Accept.
async fn follow_as_ann(app: &TestApp, masto: &Mastodon, group: &str) {
    let follow = masto.follow("ann", &app.svc().site.link(group)).to_string();
    let res = app
        .send(signed(
            app,
            &format!("{group}/inbox"),
            follow.as_bytes(),
            &format!("{}#main-key", masto.actor("ann")),
            &masto.ann,
            app.now(),
        ))
        .await;
    res.assert_status(StatusCode::ACCEPTED);
    app.drain_jobs().await;
    masto.received.lock().unwrap().clear();
}

/// What reached the server's shared inbox since last asked.
fn shared_inbox(masto: &Mastodon) -> Vec<Value> {
    let mut got = masto.received.lock().unwrap();
    let out = got
        .iter()
        .filter(|(path, _, _)| path == "/inbox")
        .map(|(_, _, body)| serde_json::from_slice(body).unwrap())
        .collect();
    got.clear();
    out
}

#[tokio::test]
async fn a_groups_meetings_and_reports_reach_its_followers() {
    let app = TestApp::new().await;
    common::coordinator(&app).await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let masto = Mastodon::start().await;
    follow_as_ann(&app, &masto, "/groups/pug-berlin").await;
    let coord = common::bearer(&app, "coord@example.org").await;

    // A repeating meeting goes out as an Event, at its next date, with
    // the offset of its zone, where it is and its zone's name.
    let res = app
        .send(common::call(
            "POST",
            "/api/v1/events",
            Some(&coord),
            Some(&json!({
                "calendar": "pug-berlin",
                "title": "Project night",
                "description": "Bring a laptop and a **problem**.",
                "start": "2026-12-03T19:00",
                "end": "2026-12-03T21:30",
                "tz": "Europe/Berlin",
                "rrule": "FREQ=WEEKLY;BYDAY=TH",
                "venue_name": "c-base",
                "venue_address": "Rungestraße 20, Berlin",
                "latitude": 52.513,
                "longitude": 13.4199,
                "status": "confirmed",
            })),
        ))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let event_id = res.json()["id"].as_i64().unwrap();
    app.drain_jobs().await;
    let got = shared_inbox(&masto);
    assert_eq!(got.len(), 1, "{got:?}");
    let create = &got[0];
    assert_eq!(create["type"], "Create");
    assert_eq!(create["actor"], "http://convene.test/groups/pug-berlin");
    let event = &create["object"];
    assert_eq!(event["type"], "Event");
    assert_eq!(event["name"], "Project night");
    // Today is 2026-11-26, a Thursday in the past of the first meeting.
    assert_eq!(event["startTime"], "2026-12-03T19:00:00+01:00");
    assert_eq!(event["endTime"], "2026-12-03T21:30:00+01:00");
    assert_eq!(event["timezone"], "Europe/Berlin");
    assert_eq!(event["location"]["name"], "c-base");
    assert_eq!(
        event["location"]["address"]["streetAddress"],
        "Rungestraße 20, Berlin"
    );
    assert_eq!(event["location"]["latitude"], 52.513);
    assert!(
        event["content"]
            .as_str()
            .unwrap()
            .contains("<strong>problem</strong>")
    );
    assert_eq!(event["ical:status"], "CONFIRMED");
    assert_eq!(
        event["url"],
        format!("http://convene.test/events/{event_id}")
    );

    // Its page's address answers with the same object.
    let fetched = get_ap(&app, &format!("/events/{event_id}")).await;
    fetched.assert_status(StatusCode::OK);
    assert_eq!(fetched.json()["startTime"], event["startTime"]);

    // Once the first meeting has passed, the object shows the next one.
    app.advance(chrono::Duration::days(8));
    let later = get_ap(&app, &format!("/events/{event_id}")).await.json();
    assert_eq!(later["startTime"], "2026-12-10T19:00:00+01:00");
    // And the day after a meeting, followers get the series again with
    // its next date.
    let rolled = convene_app::federation::publish::roll_forward(app.svc(), "2026-12-04")
        .await
        .unwrap();
    assert_eq!(rolled, 1);
    app.drain_jobs().await;
    let got = shared_inbox(&masto);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["type"], "Update");
    assert_eq!(got[0]["object"]["startTime"], "2026-12-10T19:00:00+01:00");
    // A second run that day sends nothing more.
    convene_app::federation::publish::roll_forward(app.svc(), "2026-12-04")
        .await
        .unwrap();
    app.drain_jobs().await;
    assert!(shared_inbox(&masto).is_empty());

    // Cancelling goes out as an Update with the cancelled status.
    app.send(common::call(
        "POST",
        &format!("/api/v1/events/{event_id}/cancel"),
        Some(&coord),
        None,
    ))
    .await
    .assert_status(StatusCode::OK);
    app.drain_jobs().await;
    let got = shared_inbox(&masto);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["type"], "Update");
    assert_eq!(got[0]["object"]["ical:status"], "CANCELLED");

    // A report published by the group goes out as an Article.
    let res = app
        .send(common::call(
            "POST",
            "/api/v1/posts",
            Some(&coord),
            Some(&json!({
                "group": "pug-berlin",
                "title": "December project night",
                "summary": "Twelve people, three projects.",
                "kind": "typical_meeting",
                "body": "Twelve people came.\n\n## Talks\n\n* **Typing in practice**: Ana showed how mypy found two bugs in our bot.\n\nWe argued about pyproject layouts until closing time.",
            })),
        ))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let slug = res.json()["slug"].as_str().unwrap().to_owned();
    let res = app
        .send(common::call(
            "POST",
            &format!("/api/v1/posts/{slug}/publish"),
            Some(&coord),
            None,
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    app.drain_jobs().await;
    let got = shared_inbox(&masto);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["type"], "Create");
    let article = &got[0]["object"];
    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "December project night");
    assert_eq!(article["summary"], "Twelve people, three projects.");
    assert_eq!(article["url"], format!("http://convene.test/blog/{slug}"));
    assert!(article["content"].as_str().unwrap().contains("mypy"));

    // The outbox lists both.
    let outbox = get_ap(&app, "/groups/pug-berlin/outbox").await.json();
    assert_eq!(outbox["totalItems"], 2, "{outbox}");
    let kinds: Vec<&str> = outbox["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["object"]["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"Event") && kinds.contains(&"Article"));

    // Deleting the event sends a Delete with a Tombstone.
    convene_app::calendars::delete_event(
        app.svc(),
        &common::actor(&app, "coord@example.org").await,
        event_id,
    )
    .await
    .unwrap();
    app.drain_jobs().await;
    let got = shared_inbox(&masto);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["type"], "Delete");
    assert_eq!(got[0]["object"]["type"], "Tombstone");
    assert_eq!(
        got[0]["object"]["id"],
        format!("http://convene.test/events/{event_id}")
    );
}

/// `activity` from `name` of `masto`, signed by them, posted to `/inbox`.
async fn post_as(app: &TestApp, masto: &Mastodon, name: &str, activity: &Value) -> common::Resp {
    let key = if name == "ann" {
        &masto.ann
    } else {
        &masto.bob
    };
    app.send(signed(
        app,
        "/inbox",
        activity.to_string().as_bytes(),
        &format!("{}#main-key", masto.actor(name)),
        key,
        app.now(),
    ))
    .await
}

#[tokio::test]
async fn replies_likes_boosts_and_reports_from_the_fediverse() {
    let app = TestApp::new().await;
    let mut coord_web = common::coordinator(&app).await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let masto = Mastodon::start().await;
    let coord = common::bearer(&app, "coord@example.org").await;
    let res = app
        .send(common::call(
            "POST",
            "/api/v1/posts",
            Some(&coord),
            Some(&json!({
                "group": "pug-berlin",
                "title": "November meeting",
                "summary": "Thirty people, two talks.",
                "kind": "typical_meeting",
                "body": "Thirty people came.\n\n## Talks\n\n* **Async in anger**: Jo showed where asyncio surprised her team.\n\nWe stayed until the pizza ran out.",
            })),
        ))
        .await;
    let slug = res.json()["slug"].as_str().unwrap().to_owned();
    app.send(common::call(
        "POST",
        &format!("/api/v1/posts/{slug}/publish"),
        Some(&coord),
        None,
    ))
    .await
    .assert_status(StatusCode::OK);
    let post_url = app.svc().site.link(&format!("/blog/{slug}"));
    let ann = masto.actor("ann");

    // A Mastodon reply, with markup it must not keep.
    let note_id = format!("{ann}/statuses/109");
    let reply = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "sensitive": "as:sensitive"}],
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": ann,
        "published": "2026-11-26T11:59:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{ann}/followers")],
        "object": {
            "id": note_id,
            "type": "Note",
            "summary": null,
            "inReplyTo": post_url,
            "published": "2026-11-26T11:59:00Z",
            "url": format!("http://{}/@ann/109", masto.addr),
            "attributedTo": ann,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{ann}/followers")],
            "sensitive": false,
            "content": "<p>Great <strong>report</strong>!<script>alert(1)</script><img src=x onerror=alert(2)></p>",
            "contentMap": {"en": "<p>Great <strong>report</strong>!</p>"},
            "attachment": [],
            "tag": [],
        },
    });
    let res = post_as(&app, &masto, "ann", &reply).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    res.assert_contains("waits for a moderator");
    // Delivered twice, kept once.
    post_as(&app, &masto, "ann", &reply)
        .await
        .assert_status(StatusCode::ACCEPTED);

    // Held: not on the page yet, but in the moderation queue.
    let mut visitor = app.client();
    let page = visitor.get(&format!("/blog/{slug}")).await;
    assert!(!page.body.contains("Great <strong>report</strong>"));
    let queue = coord_web.get("/blog/moderation").await;
    queue.assert_contains("Great <strong>report</strong>!");
    queue.assert_contains(&format!("ANN (@ann@{})", masto.addr));
    assert!(!queue.body.contains("alert("), "{}", queue.body);
    let held = convene_app::blog::moderation_queue(
        app.svc(),
        &common::actor(&app, "coord@example.org").await,
    )
    .await
    .unwrap();
    assert_eq!(held.len(), 1);
    convene_app::blog::moderate(
        app.svc(),
        &common::actor(&app, "coord@example.org").await,
        held[0].id,
        convene_app::blog::Moderation::Approve,
    )
    .await
    .unwrap();
    let page = visitor.get(&format!("/blog/{slug}")).await;
    page.assert_contains("Great <strong>report</strong>!");
    assert!(!page.body.contains("alert("));

    // Likes and boosts are counted and shown; an Undo takes one back.
    let like = json!({"id": format!("{}#likes/1", masto.actor("bob")), "type": "Like",
        "actor": masto.actor("bob"), "object": post_url});
    post_as(&app, &masto, "bob", &like)
        .await
        .assert_status(StatusCode::ACCEPTED);
    let boost = json!({"id": format!("{ann}/statuses/110/activity"), "type": "Announce",
        "actor": ann, "object": post_url, "to": ["https://www.w3.org/ns/activitystreams#Public"]});
    post_as(&app, &masto, "ann", &boost)
        .await
        .assert_status(StatusCode::ACCEPTED);
    visitor
        .get(&format!("/blog/{slug}"))
        .await
        .assert_contains("On the fediverse: 1 like, 1 boost.");
    let undo = json!({"id": format!("{}#likes/1/undo", masto.actor("bob")), "type": "Undo",
        "actor": masto.actor("bob"), "object": like});
    post_as(&app, &masto, "bob", &undo)
        .await
        .assert_status(StatusCode::ACCEPTED);
    visitor
        .get(&format!("/blog/{slug}"))
        .await
        .assert_contains("On the fediverse: 0 likes, 1 boost.");

    // A report reaches the coordinators.
    let flag = json!({"id": format!("http://{}/reports/7", masto.addr), "type": "Flag",
        "actor": masto.actor("bob"), "object": [post_url], "content": "<p>Spam link in the second paragraph</p>"});
    post_as(&app, &masto, "bob", &flag)
        .await
        .assert_status(StatusCode::ACCEPTED);
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        let flags = convene_store::federation::flags(conn.ex(), 10)
            .await
            .unwrap();
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].objects, post_url);
        assert_eq!(flags[0].content, "Spam link in the second paragraph");
    }

    // A deleted account takes what it wrote and did here with it.
    let gone = json!({"id": format!("{ann}#delete"), "type": "Delete", "actor": ann, "object": ann,
        "to": ["https://www.w3.org/ns/activitystreams#Public"]});
    post_as(&app, &masto, "ann", &gone)
        .await
        .assert_status(StatusCode::ACCEPTED);
    let page = visitor.get(&format!("/blog/{slug}")).await;
    assert!(!page.body.contains("Great <strong>report</strong>"));
    assert!(!page.body.contains("On the fediverse"));

    // A blocked domain: nothing from it is taken, and nothing stored.
    {
        let mut conn = app.svc().db.conn().await.unwrap();
        convene_store::federation::block(
            conn.ex(),
            &masto.addr.to_string(),
            "domain",
            "spam",
            None,
            app.now(),
        )
        .await
        .unwrap();
    }
    let before = app.fingerprint().await;
    let follow = masto.follow("bob", &app.svc().site.link("/groups/pug-berlin"));
    let res = post_as(&app, &masto, "bob", &follow).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    res.assert_contains("is blocked on this site");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn coordinators_block_servers_and_read_what_was_refused() {
    let app = TestApp::new().await;
    let mut coord = common::coordinator(&app).await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    // Something refused, for the log.
    app.send(
        Request::post("/inbox")
            .header("content-type", AP)
            .body(Body::from(r#"{"type":"Follow"}"#))
            .unwrap(),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);

    let page = coord.get("/admin/federation").await;
    page.assert_status(StatusCode::OK);
    page.assert_contains("Nothing is blocked.");
    page.assert_contains("the request is not signed");

    let blocks = |app: &TestApp| {
        let db = app.svc().db.clone();
        async move {
            let mut conn = db.conn().await.unwrap();
            convene_store::federation::blocks(conn.ex())
                .await
                .unwrap()
                .into_iter()
                .map(|b| (b.target, b.kind))
                .collect::<Vec<_>>()
        }
    };
    for (target, reason, says) in [
        ("@spammer@spam.example", "spam", "Give the account"),
        ("not a domain", "spam", "Give a domain such as"),
        ("spam.example", "", "Say why"),
    ] {
        let res = coord
            .submit(
                "/admin/federation/block",
                &[("target", target), ("reason", reason)],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{target}: {}",
            res.body
        );
        res.assert_contains(says);
        assert!(blocks(&app).await.is_empty());
    }
    let res = coord
        .submit(
            "/admin/federation/block",
            &[
                ("target", "Spam.Example"),
                ("reason", "Floods of spam replies"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        blocks(&app).await,
        vec![("spam.example".to_owned(), "domain".to_owned())]
    );
    coord
        .get("/admin/federation")
        .await
        .assert_contains("Floods of spam replies");
    // Members cannot.
    let mut member = common::member(&app, "mo@example.org").await;
    let res = member
        .submit("/admin/federation/unblock", &[("target", "spam.example")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(blocks(&app).await.len(), 1);
    coord
        .submit("/admin/federation/unblock", &[("target", "spam.example")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(blocks(&app).await.is_empty());
}
