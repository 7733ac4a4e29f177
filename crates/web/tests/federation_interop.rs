//! convene's ActivityPub read and checked by implementations that are not
//! convene's own: `@fedify/fedify` (Node) signs requests that a served
//! convene must accept or refuse, and verifies the requests convene sends;
//! Python's `pyld` expands convene's documents with the ActivityStreams
//! and security contexts, from local copies of those contexts.
//!
//! The helpers live in `tests/interop/`. `CONVENE_NODE_MODULES` names the
//! `node_modules` folder where `@fedify/fedify` is installed (npm install
//! `@fedify/fedify@1.5.9`); python3 needs `pyld`, and `cryptography` for
//! the server that answers only signed GETs. Without them each test
//! is skipped with a notice, unless `CONVENE_REQUIRE_INTEROP=1`, which makes
//! that a failure. Nothing is downloaded here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use common::{TestApp, insert_group};
use convene_activitypub::vocab;
use serde_json::{Value, json};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt as _;

const AP: &str = "application/activity+json";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const SEC: &str = "https://w3id.org/security#";
const SCHEMA: &str = "http://schema.org#";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Skips (with a notice on stderr) or, under `CONVENE_REQUIRE_INTEROP=1`,
/// fails.
fn missing(what: &str) {
    let notice = format!("interop check skipped: {what}");
    if std::env::var("CONVENE_REQUIRE_INTEROP").as_deref() == Ok("1") {
        panic!("{notice}; CONVENE_REQUIRE_INTEROP=1 makes this a failure");
    }
    // Past the harness's capture, so the skip shows in a plain run too.
    let _ = writeln!(std::io::stderr(), "{notice}");
}

/// Runs `program args` with `input` on stdin; its stdout, or a panic that
/// shows its stderr.
async fn run(program: &str, args: &[&str], cwd: &Path, input: &[u8]) -> String {
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}): {stderr}",
        out.status
    );
    if !stderr.trim().is_empty() {
        // Captured by the harness: shown when the test fails.
        println!("{program} {args:?}: {stderr}");
    }
    String::from_utf8(out.stdout).unwrap()
}

// --- fedify ------------------------------------------------------------------

/// The fedify scripts, copied into a folder with a `node_modules` link to
/// the installed packages so that their imports resolve.
struct Fedify {
    dir: tempfile::TempDir,
}

/// A key pair fedify generated.
struct FedifyKey {
    public_pem: String,
    private_jwk: Value,
}

impl Fedify {
    fn find() -> Option<Self> {
        let Some(modules) = std::env::var_os("CONVENE_NODE_MODULES").filter(|v| !v.is_empty())
        else {
            missing(
                "set CONVENE_NODE_MODULES to the node_modules folder holding @fedify/fedify \
                 (npm install @fedify/fedify@1.5.9)",
            );
            return None;
        };
        let modules = PathBuf::from(modules);
        if !modules.join("@fedify/fedify/package.json").is_file() {
            missing(&format!("no @fedify/fedify in {}", modules.display()));
            return None;
        }
        if std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_err()
        {
            missing("node is not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        for script in ["fedify-sign.mjs", "fedify-verify.mjs"] {
            std::fs::copy(interop_dir().join(script), dir.path().join(script)).unwrap();
        }
        std::os::unix::fs::symlink(&modules, dir.path().join("node_modules")).unwrap();
        Some(Self { dir })
    }

    async fn node(&self, args: &[&str], input: &Value) -> Value {
        let out = run("node", args, self.dir.path(), input.to_string().as_bytes()).await;
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("node {args:?} printed {out:?}: {e}"))
    }

    /// Two key pairs, made by fedify's `generateCryptoKeyPair`.
    async fn two_keys(&self) -> (FedifyKey, FedifyKey) {
        let out = self
            .node(&["fedify-sign.mjs", "keypairs", "2"], &json!({}))
            .await;
        let key = |k: &Value| FedifyKey {
            public_pem: k["publicKeyPem"].as_str().unwrap().to_owned(),
            private_jwk: k["privateKeyJwk"].clone(),
        };
        (key(&out[0]), key(&out[1]))
    }

    /// Has fedify sign and send `job` (see `fedify-sign.mjs`): the answer's
    /// status and body.
    async fn send(&self, job: Value) -> (StatusCode, String) {
        let out = self.node(&["fedify-sign.mjs", "send"], &job).await;
        (
            StatusCode::from_u16(out["status"].as_u64().unwrap() as u16).unwrap(),
            out["body"].as_str().unwrap().to_owned(),
        )
    }
}

/// An HTTP date, as a `Date` header carries it.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A request as the loopback server received it.
#[derive(Clone, Debug)]
struct Captured {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// A fediverse server on loopback whose actors `ann` and `bob` hold keys
/// fedify made; it keeps every POST to an inbox.
struct Remote {
    addr: SocketAddr,
    ann: FedifyKey,
    bob: FedifyKey,
    received: Arc<Mutex<Vec<Captured>>>,
}

impl Remote {
    async fn start(fedify: &Fedify) -> Self {
        let (ann, bob) = fedify.two_keys().await;
        let received: Arc<Mutex<Vec<Captured>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let person = |name: &str, key: &FedifyKey| {
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": format!("{base}/users/{name}"),
                "type": "Person",
                "preferredUsername": name,
                "inbox": format!("{base}/users/{name}/inbox"),
                "outbox": format!("{base}/users/{name}/outbox"),
                "followers": format!("{base}/users/{name}/followers"),
                "following": format!("{base}/users/{name}/following"),
                "endpoints": {"sharedInbox": format!("{base}/inbox")},
                "publicKey": {
                    "id": format!("{base}/users/{name}#main-key"),
                    "owner": format!("{base}/users/{name}"),
                    "publicKeyPem": key.public_pem,
                },
            })
            .to_string()
        };
        let docs = [("ann", person("ann", &ann)), ("bob", person("bob", &bob))];
        let keep = received.clone();
        let inbox = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(Captured {
                    method,
                    uri,
                    headers,
                    body,
                });
                StatusCode::ACCEPTED
            }
        };
        let mut router = Router::new()
            .route("/inbox", post(inbox.clone()))
            .route("/users/{name}/inbox", post(inbox));
        for (name, doc) in docs {
            router = router.route(
                &format!("/users/{name}"),
                get(move || {
                    let doc = doc.clone();
                    async move { ([("content-type", AP)], doc) }
                }),
            );
        }
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

    fn key_id(&self, name: &str) -> String {
        format!("{}#main-key", self.actor(name))
    }

    /// A Follow of `object` by `name`, as Mastodon writes one.
    fn follow(&self, name: &str, object: &str) -> String {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#follows/1", self.actor(name)),
            "type": "Follow",
            "actor": self.actor(name),
            "object": object,
        })
        .to_string()
    }

    /// The first POST received, waiting up to 20 s for it.
    async fn first_delivery(&self) -> Captured {
        for _ in 0..400 {
            if let Some(first) = self.received.lock().unwrap().first() {
                return first.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("nothing was delivered to the remote server within 20 s");
    }
}

/// A served convene with the group `pug-berlin` and a remote server.
struct Setup {
    app: TestApp,
    addr: SocketAddr,
    remote: Remote,
    fedify: Fedify,
}

impl Setup {
    async fn new() -> Option<Self> {
        let fedify = Fedify::find()?;
        let (app, addr) = TestApp::served().await;
        insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
        let remote = Remote::start(&fedify).await;
        Some(Self {
            app,
            addr,
            remote,
            fedify,
        })
    }

    fn group(&self) -> String {
        format!("http://{}/groups/pug-berlin", self.addr)
    }

    fn inbox(&self) -> String {
        format!("{}/inbox", self.group())
    }

    /// ann's Follow of the group, signed by fedify with ann's key at the
    /// site's present time; `change` adjusts the job first.
    fn follow_job(&self, change: impl FnOnce(&mut Value)) -> Value {
        let mut job = json!({
            "url": self.inbox(),
            "body": self.remote.follow("ann", &self.group()),
            "keyId": self.remote.key_id("ann"),
            "privateKeyJwk": self.remote.ann.private_jwk,
            "date": http_date(self.app.now()),
        });
        change(&mut job);
        job
    }

    async fn followers(&self) -> u64 {
        let res = self
            .app
            .send(
                Request::get("/groups/pug-berlin/followers")
                    .header("accept", AP)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        res.assert_status(StatusCode::OK);
        res.json()["totalItems"].as_u64().unwrap()
    }

    async fn follower_rows(&self) -> Vec<String> {
        self.app
            .fingerprint()
            .await
            .into_iter()
            .filter(|r| r.contains("ap_followers"))
            .collect()
    }

    /// Sends `job` through fedify and checks it is refused with 401 and
    /// `says`, with no follower recorded.
    async fn refused(&self, job: Value, says: &str) {
        let before = self.follower_rows().await;
        let (status, body) = self.fedify.send(job).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body.contains(says), "expected {says:?} in {body:?}");
        assert_eq!(self.follower_rows().await, before);
        assert_eq!(self.followers().await, 0);
    }
}

#[tokio::test]
async fn a_follow_signed_by_fedify_is_accepted_and_fedify_verifies_the_accept() {
    let Some(s) = Setup::new().await else { return };

    let (status, body) = s.fedify.send(s.follow_job(|_| {})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(s.followers().await, 1);
    let rows = s.follower_rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains(&s.remote.actor("ann")), "{rows:?}");

    // The Accept convene delivers to ann's inbox, checked by fedify with
    // the key it fetches from the group's actor document on the served
    // site.
    let accept = s.remote.first_delivery().await;
    assert_eq!(accept.uri.path(), "/users/ann/inbox");
    let sent: Value = serde_json::from_slice(&accept.body).unwrap();
    assert_eq!(sent["type"], "Accept");
    let job = |body: &[u8], now: DateTime<Utc>| {
        json!({
            "method": accept.method.as_str(),
            "url": format!("http://{}{}", s.remote.addr, accept.uri),
            "headers": accept.headers.iter()
                .map(|(k, v)| [k.as_str(), v.to_str().unwrap()])
                .collect::<Vec<_>>(),
            "body": String::from_utf8(body.to_vec()).unwrap(),
            "now": now.to_rfc3339(),
            "origin": format!("http://{}", s.addr),
        })
    };
    let verified = s
        .fedify
        .node(&["fedify-verify.mjs"], &job(&accept.body, s.app.now()))
        .await;
    assert_eq!(verified["verified"], true, "{verified}");
    assert_eq!(verified["keyId"], format!("{}#main-key", s.group()));
    assert_eq!(verified["owner"], s.group());

    // The same check refuses the Accept once its body is changed, and once
    // its Date is two days old, so the pass above means something.
    let changed = String::from_utf8(accept.body.to_vec())
        .unwrap()
        .replace("Accept", "Reject");
    let verified = s
        .fedify
        .node(
            &["fedify-verify.mjs"],
            &job(changed.as_bytes(), s.app.now()),
        )
        .await;
    assert_eq!(verified["verified"], false, "{verified}");
    let later = s.app.now() + chrono::Duration::days(2);
    let verified = s
        .fedify
        .node(&["fedify-verify.mjs"], &job(&accept.body, later))
        .await;
    assert_eq!(verified["verified"], false, "{verified}");
}

#[tokio::test]
async fn a_fedify_signed_follow_whose_body_changed_after_signing_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let job = s.follow_job(|job| {
        job["sendBody"] = json!(job["body"].as_str().unwrap().replace("Follow", "Block"));
    });
    s.refused(job, "the body does not match its Digest header")
        .await;
}

#[tokio::test]
async fn a_fedify_signed_follow_with_another_actors_key_is_refused() {
    let Some(s) = Setup::new().await else { return };
    // bob signs ann's Follow with his own key, naming it.
    let job = s.follow_job(|job| {
        job["keyId"] = json!(s.remote.key_id("bob"));
        job["privateKeyJwk"] = s.remote.bob.private_jwk.clone();
    });
    let says = format!(
        "the key {} belongs to {}, not to the activity's actor {}",
        s.remote.key_id("bob"),
        s.remote.actor("bob"),
        s.remote.actor("ann")
    );
    s.refused(job, &says).await;
    // bob's key, but naming ann's.
    let job = s.follow_job(|job| {
        job["privateKeyJwk"] = s.remote.bob.private_jwk.clone();
    });
    let says = format!(
        "the signature does not match the key {}",
        s.remote.key_id("ann")
    );
    s.refused(job, &says).await;
}

#[tokio::test]
async fn a_fedify_signed_follow_dated_two_days_ago_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let stale = s.app.now() - chrono::Duration::days(2);
    let job = s.follow_job(|job| job["date"] = json!(http_date(stale)));
    s.refused(job, "is more than 12 hours from now").await;
}

#[tokio::test]
async fn a_signature_that_does_not_cover_digest_or_host_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let job = s.follow_job(|job| {
        job["cover"] = json!(["(request-target)", "host", "date", "content-type"]);
    });
    s.refused(job, "the signature must cover digest").await;
    let job = s.follow_job(|job| {
        job["cover"] = json!(["(request-target)", "date", "digest", "content-type"]);
    });
    s.refused(job, "the signature must cover host").await;
    // The same hand-made signature covering all of them is accepted, so
    // the refusals above are for what is left out.
    let job = s.follow_job(|job| {
        job["cover"] = json!(["(request-target)", "host", "date", "digest", "content-type"]);
    });
    let (status, body) = s.fedify.send(job).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(s.followers().await, 1);
}

#[tokio::test]
async fn a_follow_with_an_rfc_9421_signature_is_accepted() {
    let Some(s) = Setup::new().await else { return };
    let (status, body) = s
        .fedify
        .send(s.follow_job(|job| job["rfc9421"] = json!(true)))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(s.followers().await, 1);
    let rows = s.follower_rows().await;
    assert!(rows[0].contains(&s.remote.actor("ann")), "{rows:?}");
    // Covering @authority and @path instead of @target-uri does as well.
    let s = Setup::new().await.unwrap();
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["components"] = json!(["@method", "@authority", "@path", "content-digest"]);
    });
    let (status, body) = s.fedify.send(job).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(s.followers().await, 1);
}

#[tokio::test]
async fn an_rfc_9421_follow_whose_body_changed_after_signing_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["sendBody"] = json!(job["body"].as_str().unwrap().replace("Follow", "Block"));
    });
    s.refused(job, "the body does not match its Content-Digest header")
        .await;
}

#[tokio::test]
async fn an_rfc_9421_follow_signed_with_another_actors_key_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["keyId"] = json!(s.remote.key_id("bob"));
        job["privateKeyJwk"] = s.remote.bob.private_jwk.clone();
    });
    let says = format!(
        "the key {} belongs to {}, not to the activity's actor {}",
        s.remote.key_id("bob"),
        s.remote.actor("bob"),
        s.remote.actor("ann")
    );
    s.refused(job, &says).await;
    // bob's key, but naming ann's.
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["privateKeyJwk"] = s.remote.bob.private_jwk.clone();
    });
    let says = format!(
        "the signature does not match the key {}",
        s.remote.key_id("ann")
    );
    s.refused(job, &says).await;
}

#[tokio::test]
async fn an_rfc_9421_follow_created_two_days_ago_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let stale = s.app.now() - chrono::Duration::days(2);
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["created"] = json!(stale.timestamp());
    });
    s.refused(job, "more than 12 hours from now").await;
}

#[tokio::test]
async fn an_rfc_9421_follow_without_content_digest_is_refused() {
    let Some(s) = Setup::new().await else { return };
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["components"] = json!(["@method", "@target-uri"]);
    });
    s.refused(job, "the signature must cover content-digest")
        .await;
    // Covering the method and digest but not where it was sent.
    let job = s.follow_job(|job| {
        job["rfc9421"] = json!(true);
        job["components"] = json!(["@method", "content-digest"]);
    });
    s.refused(
        job,
        "the signature must cover @target-uri (or @authority and @path)",
    )
    .await;
}

// --- authorized fetch ----------------------------------------------------------

/// A server in "authorized fetch" mode (`tests/interop/authorized-fetch.py`,
/// Python's `cryptography`): the actor `ann` is served only to GETs whose
/// signature checks out against the signer's published key.
struct AuthorizedFetch {
    addr: SocketAddr,
    child: tokio::process::Child,
    log: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    _dir: tempfile::TempDir,
}

impl AuthorizedFetch {
    async fn start(ann_public_pem: &str) -> Option<Self> {
        let has_crypto = std::process::Command::new("python3")
            .args(["-c", "import cryptography"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_crypto {
            missing("python3 with cryptography is not installed (pip install cryptography)");
            return None;
        }
        use tokio::io::AsyncBufReadExt as _;
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("ann.pem");
        std::fs::write(&pem, ann_public_pem).unwrap();
        let mut child = tokio::process::Command::new("python3")
            .arg(interop_dir().join("authorized-fetch.py"))
            .arg(&pem)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut log = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = log.next_line().await.unwrap().unwrap();
        let port: u16 = ready.strip_prefix("ready ").unwrap().parse().unwrap();
        Some(Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            log,
            _dir: dir,
        })
    }

    /// The next GET the server judged.
    async fn next_get(&mut self) -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), self.log.next_line())
            .await
            .expect("a GET within 20 s")
            .unwrap()
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for AuthorizedFetch {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[tokio::test]
async fn actor_documents_are_fetched_with_a_signature_an_authorized_fetch_server_accepts() {
    use convene_activitypub::keys::{KeyPair, OsRng};
    use convene_activitypub::signatures;
    let ann = KeyPair::generate(&mut OsRng).unwrap();
    let Some(mut remote) = AuthorizedFetch::start(&ann.public_pem).await else {
        return;
    };
    let (app, addr) = TestApp::served().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let ann_id = format!("http://{}/users/ann", remote.addr);

    // The server refuses an unsigned GET, so what follows means something.
    let fetcher = convene_app::net::Fetcher::new(convene_app::net::FetchPolicy {
        allow_private: true,
        ..Default::default()
    });
    let unsigned = fetcher.get_as(&ann_id, &[], 65536, "test").await.unwrap();
    assert_eq!(unsigned.status, 401);
    let judged = remote.next_get().await;
    assert_eq!(judged["signed"], false, "{judged}");

    // ann's Follow reaches the group; to check its signature convene
    // fetches ann's document, signing the GET as the site actor.
    let group = format!("http://{addr}/groups/pug-berlin");
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{ann_id}#follows/1"),
        "type": "Follow",
        "actor": ann_id,
        "object": group,
    })
    .to_string();
    let url: url::Url = format!("{group}/inbox").parse().unwrap();
    let headers = signatures::sign(
        "POST",
        &url,
        Some(follow.as_bytes()),
        &format!("{ann_id}#main-key"),
        &ann,
        app.now(),
    )
    .unwrap();
    let mut req = Request::post("/groups/pug-berlin/inbox");
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let res = app.send(req.body(Body::from(follow)).unwrap()).await;
    res.assert_status(StatusCode::ACCEPTED);
    let judged = remote.next_get().await;
    assert_eq!(judged["path"], "/users/ann", "{judged}");
    assert_eq!(judged["verified"], true, "{judged}");
    assert_eq!(judged["keyId"], format!("http://{addr}/actor#main-key"));
    let rows: Vec<String> = app
        .fingerprint()
        .await
        .into_iter()
        .filter(|r| r.contains("ap_followers"))
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains(&ann_id), "{rows:?}");
}

// --- JSON-LD -----------------------------------------------------------------

/// `doc` expanded by pyld, or `None` (with a notice) when pyld is missing.
async fn pyld_expand(doc: &Value) -> Option<Value> {
    let has_pyld = std::process::Command::new("python3")
        .args(["-c", "import pyld"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pyld {
        missing("python3 with pyld is not installed (pip install pyld)");
        return None;
    }
    let dir = interop_dir();
    let contexts = dir.join("contexts");
    let out = run(
        "python3",
        &["jsonld-expand.py", contexts.to_str().unwrap()],
        &dir,
        doc.to_string().as_bytes(),
    )
    .await;
    Some(serde_json::from_str(&out).unwrap())
}

/// The one value (or node) of `property` in the expanded `node`.
fn one<'a>(node: &'a Value, property: &str) -> &'a Value {
    let values = node[property]
        .as_array()
        .unwrap_or_else(|| panic!("no {property} in {node:#}"));
    assert_eq!(values.len(), 1, "{property}: {values:?}");
    &values[0]
}

/// Every property in `v` that no context mapped: the ActivityStreams
/// context's `"@vocab": "_:"` turns unknown terms into `_:` names.
fn unmapped(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k.starts_with("_:") {
                    out.push(k.clone());
                }
                unmapped(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| unmapped(v, out)),
        _ => {}
    }
}

fn assert_all_mapped(expanded: &Value) {
    let mut out = Vec::new();
    unmapped(expanded, &mut out);
    assert!(out.is_empty(), "terms no context defines: {out:?}");
}

#[tokio::test]
async fn a_group_actor_reads_the_same_to_an_independent_json_ld_processor() {
    let (app, addr) = TestApp::served().await;
    insert_group(&app, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let res = app
        .send(
            Request::get("/groups/pug-berlin")
                .header("accept", AP)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_status(StatusCode::OK);
    let doc = res.json();
    let Some(expanded) = pyld_expand(&doc).await else {
        return;
    };
    let group = format!("http://{addr}/groups/pug-berlin");
    let actor = &expanded[0];
    assert_eq!(actor["@id"], group);
    assert_eq!(actor["@type"], json!([format!("{AS}Group")]));
    assert_eq!(
        one(actor, &format!("{AS}preferredUsername"))["@value"],
        "pug-berlin"
    );
    assert_eq!(
        one(actor, &format!("{AS}name"))["@value"],
        "Python Users Berlin"
    );
    assert_eq!(
        one(actor, "http://www.w3.org/ns/ldp#inbox")["@id"],
        format!("{group}/inbox")
    );
    assert_eq!(
        one(actor, &format!("{AS}followers"))["@id"],
        format!("{group}/followers")
    );
    let endpoints = one(actor, &format!("{AS}endpoints"));
    assert_eq!(
        one(endpoints, &format!("{AS}sharedInbox"))["@id"],
        format!("http://{addr}/inbox")
    );
    assert_eq!(
        one(actor, &format!("{AS}manuallyApprovesFollowers"))["@value"],
        false
    );
    assert_eq!(
        one(actor, "http://joinmastodon.org/ns#discoverable")["@value"],
        true
    );
    let key = one(actor, &format!("{SEC}publicKey"));
    assert_eq!(key["@id"], format!("{group}#main-key"));
    assert_eq!(one(key, &format!("{SEC}owner"))["@id"], group);
    assert_eq!(
        one(key, &format!("{SEC}publicKeyPem"))["@value"],
        doc["publicKey"]["publicKeyPem"]
    );
    let fields = actor[format!("{AS}attachment")].as_array().unwrap();
    let city = fields
        .iter()
        .find(|f| one(f, &format!("{AS}name"))["@value"] == "City")
        .unwrap_or_else(|| panic!("no City field in {fields:#?}"));
    assert_eq!(city["@type"], json!([format!("{SCHEMA}PropertyValue")]));
    assert_eq!(one(city, &format!("{SCHEMA}value"))["@value"], "Berlin, DE");
    assert_all_mapped(&expanded);
}

#[tokio::test]
async fn an_event_and_a_post_read_the_same_to_an_independent_json_ld_processor() {
    let group = "https://convene.test/groups/pug-berlin";
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    let event = vocab::Event {
        id: format!("{group}/events/42"),
        attributed_to: group.to_owned(),
        followers: format!("{group}/followers"),
        name: "Python & Pizza".to_owned(),
        content_html: "<p>Talks, then pizza.</p>".to_owned(),
        start: at("2026-12-10T19:00:00+01:00"),
        end: at("2026-12-10T21:30:00+01:00"),
        timezone: "Europe/Berlin".to_owned(),
        place: Some(vocab::Place {
            name: "c-base".to_owned(),
            street_address: "Rungestraße 20".to_owned(),
            locality: "Berlin".to_owned(),
            region: "Berlin".to_owned(),
            country: "DE".to_owned(),
            coordinates: Some((52.5130, 13.4200)),
        }),
        online_url: Some("https://meet.example/pug".to_owned()),
        cancelled: false,
        published: at("2026-11-01T10:00:00Z").with_timezone(&Utc),
        updated: at("2026-11-02T10:00:00Z").with_timezone(&Utc),
    };
    let create = vocab::activity(
        &format!("{group}/events/42#create"),
        "Create",
        group,
        event.object(),
        &format!("{group}/followers"),
    );
    let Some(expanded) = pyld_expand(&create).await else {
        return;
    };
    let activity = &expanded[0];
    assert_eq!(activity["@type"], json!([format!("{AS}Create")]));
    assert_eq!(one(activity, &format!("{AS}actor"))["@id"], group);
    let ev = one(activity, &format!("{AS}object"));
    assert_eq!(ev["@type"], json!([format!("{AS}Event")]));
    assert_eq!(
        one(ev, &format!("{AS}startTime")),
        &json!({"@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                "@value": "2026-12-10T19:00:00+01:00"})
    );
    assert_eq!(
        one(ev, &format!("{AS}endTime"))["@value"],
        "2026-12-10T21:30:00+01:00"
    );
    assert_eq!(
        one(ev, "https://joinmobilizon.org/ns#timezone"),
        &json!({"@type": format!("{SCHEMA}Text"), "@value": "Europe/Berlin"})
    );
    assert_eq!(
        one(ev, "http://www.w3.org/2002/12/cal/ical#status")["@value"],
        "CONFIRMED"
    );
    assert_eq!(
        one(ev, "https://joinmobilizon.org/ns#isOnline")["@value"],
        false
    );
    assert_eq!(one(ev, &format!("{SCHEMA}category"))["@value"], "MEETING");
    assert_eq!(
        one(ev, "https://joinpeertube.org/ns#commentsEnabled")["@value"],
        true
    );
    assert_eq!(
        one(
            ev,
            "https://joinmobilizon.org/ns#anonymousParticipationEnabled"
        )["@value"],
        false
    );
    assert_eq!(one(ev, &format!("{AS}to"))["@id"], format!("{AS}Public"));
    let place = one(ev, &format!("{AS}location"));
    assert_eq!(place["@type"], json!([format!("{AS}Place")]));
    assert_eq!(one(place, &format!("{AS}latitude"))["@value"], 52.513);
    let address = one(place, &format!("{SCHEMA}address"));
    assert_eq!(address["@type"], json!([format!("{SCHEMA}PostalAddress")]));
    assert_eq!(
        one(address, &format!("{SCHEMA}streetAddress"))["@value"],
        "Rungestraße 20"
    );
    assert_eq!(
        one(address, &format!("{SCHEMA}addressLocality"))["@value"],
        "Berlin"
    );
    let link = one(ev, &format!("{AS}attachment"));
    assert_eq!(link["@type"], json!([format!("{AS}Link")]));
    assert_eq!(
        one(link, &format!("{AS}href"))["@id"],
        "https://meet.example/pug"
    );
    assert_all_mapped(&expanded);

    let article = vocab::Article {
        id: format!("{group}/posts/hello"),
        attributed_to: group.to_owned(),
        followers: format!("{group}/followers"),
        name: "Hello".to_owned(),
        summary: "We meet again".to_owned(),
        content_html: "<p>We meet again.</p>".to_owned(),
        published: at("2026-11-01T10:00:00Z").with_timezone(&Utc),
        updated: at("2026-11-01T10:00:00Z").with_timezone(&Utc),
    };
    let create = vocab::activity(
        &format!("{group}/posts/hello#create"),
        "Create",
        group,
        article.object(),
        &format!("{group}/followers"),
    );
    let expanded = pyld_expand(&create).await.unwrap();
    let post = one(&expanded[0], &format!("{AS}object"));
    assert_eq!(post["@type"], json!([format!("{AS}Article")]));
    assert_eq!(one(post, &format!("{AS}name"))["@value"], "Hello");
    assert_eq!(
        one(post, &format!("{AS}summary"))["@value"],
        "We meet again"
    );
    assert_eq!(
        one(post, &format!("{AS}content"))["@value"],
        "<p>We meet again.</p>"
    );
    assert_eq!(
        one(post, &format!("{AS}published")),
        &json!({"@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                "@value": "2026-11-01T10:00:00Z"})
    );
    assert_eq!(one(post, &format!("{AS}attributedTo"))["@id"], group);
    assert_all_mapped(&expanded);
}
