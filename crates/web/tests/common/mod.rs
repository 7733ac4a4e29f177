//! The test kit: a convene site on a fresh database (SQLite, or a fresh
//! PostgreSQL schema when `CONVENE_TEST_DATABASE_URL` is set), driven
//! in-process through the real router, or served on a real port.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use convene_app::jobs::{JobContext, Outcome, Registry, Worker, WorkerConfig};
use convene_app::mail::{Mailer, OutboxMailer, OutgoingEmail};
use convene_app::{Services, SiteInfo};
use convene_domain::{Clock, ManualClock, RandomTokens};
use convene_store::testing::{TestDb, tempfile_dir::Dir};
use convene_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

mod smtp_sink;
#[allow(unused_imports)]
pub use smtp_sink::*;

/// A site under test.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: ManualClock,
    pub outbox: OutboxMailer,
    pub worker: Worker,
    pub db: TestDb,
    _files: Dir,
}

impl TestApp {
    /// A site at `http://convene.test/` whose clock stands still until moved.
    pub async fn new() -> Self {
        Self::with_base_url("http://convene.test/").await
    }

    /// A site whose links start with `base_url`.
    pub async fn with_base_url(base_url: &str) -> Self {
        let db = TestDb::new().await.expect("test database");
        let files = Dir::new("files").unwrap();
        let clock = ManualClock::new(
            DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        let svc = Services {
            db: db.db.clone(),
            clock: Arc::new(clock.clone()),
            tokens: Arc::new(RandomTokens),
            site: Arc::new(SiteInfo {
                name: "Python Groups".into(),
                base_url: base_url.parse().unwrap(),
                mail_from: "hub@convene.test".into(),
            }),
            media: Arc::new(convene_app::media::FsMediaStore::new(
                files.path().join("media"),
            )),
        };
        let outbox = OutboxMailer::new(files.path().join("outbox"));
        let mailer: Arc<dyn Mailer> = Arc::new(outbox.clone());
        let worker = Worker::new(
            JobContext {
                services: svc.clone(),
                mailer,
                fetcher: Arc::new(convene_app::net::Fetcher::new(
                    convene_app::net::FetchPolicy {
                        allow_private: true,
                        ..Default::default()
                    },
                )),
            },
            Registry::standard(),
            WorkerConfig {
                name: "test".into(),
                ..WorkerConfig::default()
            },
        );
        let state = AppState::new(
            svc,
            Some(outbox.clone()),
            WebConfig {
                trust_proxy: true,
                fetch_allow_private: true,
                spill_dir: files.path().join("spill"),
                ..WebConfig::default()
            },
        );
        let router = convene_web::router(state.clone());
        Self {
            state,
            router,
            clock,
            outbox,
            worker,
            db,
            _files: files,
        }
    }

    pub fn svc(&self) -> &Services {
        &self.state.svc
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Runs every due job (sends queued mail into the outbox).
    pub async fn drain_jobs(&self) -> Vec<(i64, Outcome)> {
        self.worker.drain().await.unwrap()
    }

    /// Every message in the outbox, oldest first.
    pub fn mail(&self) -> Vec<OutgoingEmail> {
        let mut list = self.outbox.list().unwrap();
        list.reverse();
        list.iter()
            .map(|e| self.outbox.read(&e.file).unwrap().unwrap().0)
            .collect()
    }

    /// The newest message to `to`. On a served site a background worker
    /// may still be writing it, so this waits up to five seconds.
    pub fn last_mail_to(&self, to: &str) -> OutgoingEmail {
        for _ in 0..50 {
            if let Some(m) = self.mail().into_iter().rev().find(|m| m.to == to) {
                return m;
            }
            pause(std::time::Duration::from_millis(100));
        }
        panic!("no mail to {to}")
    }

    /// The first link in the newest message to `to` whose path starts with `prefix`,
    /// returned as a path (`/invitations/...`).
    pub fn link_in_mail(&self, to: &str, prefix: &str) -> String {
        let mail = self.last_mail_to(to);
        let base = self
            .svc()
            .site
            .base_url
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        mail.text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix(&base))
            .find(|p| p.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} link in {:?}", mail.text))
            .to_owned()
    }

    /// A browser-like client with its own cookies.
    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: BTreeMap::new(),
            ip: "198.51.100.7".into(),
        }
    }

    /// Sends a raw request through the router.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        Resp::read(res).await
    }

    /// What stored state looks like, for "nothing changed" checks. Rate-limit
    /// counters are left out: counting attempts is their job.
    pub async fn fingerprint(&self) -> Vec<String> {
        use convene_store::{Db, run, sqlx};
        let db: &Db = &self.svc().db;
        let mut conn = db.conn().await.unwrap();
        let mut out = Vec::new();
        macro_rules! rows {
            ($sql:literal, $t:ty) => {{
                let rows: Vec<$t> = run!(conn.ex(), |c| sqlx::query_as::<_, $t>($sql)
                    .fetch_all(c)
                    .await)
                .unwrap();
                for r in rows {
                    out.push(format!("{}: {:?}", $sql, r));
                }
            }};
        }
        rows!(
            "SELECT id, email, display_name, password_hash, email_verified_at FROM users ORDER BY id",
            (i64, String, String, Option<String>, Option<DateTime<Utc>>)
        );
        rows!(
            "SELECT user_id, role, scope FROM role_grants ORDER BY id",
            (i64, String, String)
        );
        rows!(
            "SELECT id, key_id, inbox FROM ap_remote_actors ORDER BY id",
            (String, String, String)
        );
        rows!(
            "SELECT actor, follower, follow_id FROM ap_followers ORDER BY actor, follower",
            (String, String, String)
        );
        rows!(
            "SELECT id, slug, name, approval, confirmed_at, updated_at FROM groups ORDER BY id",
            (
                i64,
                String,
                String,
                String,
                Option<DateTime<Utc>>,
                DateTime<Utc>
            )
        );
        rows!(
            "SELECT id, group_id, summary FROM group_revisions ORDER BY id",
            (i64, i64, String)
        );
        rows!(
            "SELECT id, slug, name, updated_at FROM calendars ORDER BY id",
            (i64, String, String, DateTime<Utc>)
        );
        rows!(
            "SELECT id_hash, user_id FROM sessions ORDER BY id_hash",
            (String, i64)
        );
        rows!(
            "SELECT id, purpose, used_at FROM auth_tokens ORDER BY id",
            (i64, String, Option<DateTime<Utc>>)
        );
        rows!(
            "SELECT id, email, token_hash, accepted_at, revoked_at, sent_count FROM invitations ORDER BY id",
            (
                i64,
                String,
                String,
                Option<DateTime<Utc>>,
                Option<DateTime<Utc>>,
                i64
            )
        );
        rows!(
            "SELECT id, user_id, revoked_at FROM api_tokens ORDER BY id",
            (i64, i64, Option<DateTime<Utc>>)
        );
        rows!(
            "SELECT id, kind, state FROM jobs ORDER BY id",
            (i64, String, String)
        );
        rows!(
            "SELECT key, value FROM settings ORDER BY key",
            (String, String)
        );
        rows!(
            "SELECT id, slug, title, body, state, updated_at FROM posts ORDER BY id",
            (i64, String, String, String, String, DateTime<Utc>)
        );
        rows!(
            "SELECT id, post_id, body, state, reports FROM comments ORDER BY id",
            (i64, i64, String, String, i64)
        );
        rows!(
            "SELECT id, owner_kind, owner_id, alt_text, caption, storage_key FROM photos ORDER BY id",
            (i64, String, i64, String, String, String)
        );
        rows!(
            "SELECT id, list_id, email, state, delivery, confirm_hash FROM list_members ORDER BY id",
            (i64, i64, String, String, String, Option<String>)
        );
        rows!(
            "SELECT id, name, group_id, display_name, description, policy, posters, archive, subject_prefix, footer, reply_to, max_bytes FROM lists ORDER BY id",
            (
                i64,
                String,
                Option<i64>,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                i64
            )
        );
        rows!(
            "SELECT id, list_id, message_id, state, subject FROM list_messages ORDER BY id",
            (i64, i64, String, String, String)
        );
        rows!(
            "SELECT id, uid, recurrence_id, group_id, calendar_id, source_id, title, status, sequence FROM events ORDER BY id",
            (
                i64,
                String,
                String,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                String,
                String,
                i64
            )
        );
        rows!(
            "SELECT id, timing, tz, start_local, end_local, rrule, rdates, exdates, venue_name FROM events ORDER BY id",
            (
                i64,
                String,
                String,
                String,
                String,
                Option<String>,
                String,
                String,
                String
            )
        );
        rows!(
            "SELECT event_id, recurrence_id, cancelled, title, start_local, end_local, status FROM event_overrides ORDER BY event_id, recurrence_id",
            (
                i64,
                String,
                bool,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>
            )
        );
        rows!(
            "SELECT url, state, title FROM embeds ORDER BY url",
            (String, String, Option<String>)
        );
        out.extend(self.media_files().into_iter().map(|f| format!("file: {f}")));
        out
    }

    /// The files in the media folder, as sorted paths under it.
    pub fn media_files(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.display().to_string());
                }
            }
        }
        let root = self._files.path().join("media");
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out.sort();
        out
    }

    /// Serves the site on a free loopback port with a job worker running,
    /// as `convene serve` does. The base URL must match for links to work,
    /// so build the app with [`TestApp::served`] instead when that matters.
    pub async fn serve(router: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        addr
    }

    /// A site served on a real port, its base URL pointing there, with a
    /// background job worker on the real clock... kept still: the clock is
    /// manual, so links never expire during a test.
    pub async fn served() -> (Self, SocketAddr) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let app = Self::with_base_url(&format!("http://{addr}/")).await;
        let router = app.router.clone();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let worker = Worker::new(
            JobContext {
                services: app.svc().clone(),
                mailer: Arc::new(app.outbox.clone()),
                fetcher: std::sync::Arc::new(convene_app::net::Fetcher::new(
                    convene_app::net::FetchPolicy {
                        allow_private: true,
                        ..Default::default()
                    },
                )),
            },
            Registry::standard(),
            WorkerConfig {
                name: "served".into(),
                idle_wait: std::time::Duration::from_millis(50),
                ..WorkerConfig::default()
            },
        );
        let (_stop, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _keep = _stop;
            worker.run(rx).await;
        });
        (app, addr)
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    async fn read(res: axum::response::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Self {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// The slug of the post a redirect to `/blog/{slug}?...` points at.
    pub fn post_slug(&self) -> String {
        self.location()
            .trim_start_matches("/blog/")
            .split('?')
            .next()
            .unwrap()
            .to_owned()
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in: {}",
            self.body
        );
        self
    }
}

/// A browser: keeps cookies, fills in the CSRF token, comes from one IP.
pub struct Client<'a> {
    app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    pub ip: String,
}

impl Client<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, r: &Resp) {
        for v in r.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .header("x-forwarded-for", &self.ip)
            .body(Body::empty())
            .unwrap();
        let r = self.app.send(req).await;
        self.keep_cookies(&r);
        r
    }

    /// The CSRF token this browser would find in forms.
    pub async fn csrf(&mut self) -> String {
        if !self.cookies.contains_key("convene_csrf") {
            self.get("/").await;
        }
        self.cookies["convene_csrf"].clone()
    }

    /// Posts a form the way the site's own page would (with the CSRF token).
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let csrf = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    /// Posts any bytes.
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type)
            .header("x-forwarded-for", &self.ip)
            .body(Body::from(body))
            .unwrap();
        let r = self.app.send(req).await;
        self.keep_cookies(&r);
        r
    }

    pub fn signed_in(&self) -> bool {
        self.cookies.contains_key("convene_session")
    }
}

/// Makes a coordinator through the set-up link and returns a client signed in as them.
pub async fn coordinator(app: &TestApp) -> Client<'_> {
    let link = convene_app::accounts::first_coordinator_link(app.svc())
        .await
        .unwrap();
    let path = link.trim_start_matches("http://convene.test").to_owned();
    let path = path
        .split_once("/setup/")
        .map(|(_, t)| format!("/setup/{t}"))
        .unwrap();
    let mut c = app.client();
    c.get(&path).await.assert_status(StatusCode::OK);
    let r = c
        .submit(
            &path,
            &[
                ("email", "coord@example.org"),
                ("display_name", "Cora Coordinator"),
                ("password", "violet kettle harbour"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(c.signed_in());
    c
}

/// Invites `email` as organizer of `group` (as `inviter`), has them accept
/// with a new password, and returns a client signed in as them.
pub async fn organizer<'a>(
    app: &'a TestApp,
    inviter: &mut Client<'_>,
    email: &str,
    group: &str,
) -> Client<'a> {
    ensure_group(app, group).await;
    inviter
        .submit(
            "/invite",
            &[("email", email), ("role", "organizer"), ("scope", group)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    let link = app.link_in_mail(email, "/invitations/");
    let mut c = app.client();
    c.ip = format!("203.0.113.{}", email.len());
    c.get(&link).await.assert_status(StatusCode::OK);
    c.submit(
        &link,
        &[
            ("display_name", "Olu Organizer"),
            ("password", "orange lantern meadow"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    c
}

/// Lists the group `slug` (named after it, in Germany) unless it exists:
/// roles are given over a group that is there.
pub async fn ensure_group(app: &TestApp, slug: &str) {
    let mut conn = app.svc().db.conn().await.unwrap();
    if convene_store::groups::by_slug(conn.ex(), slug)
        .await
        .unwrap()
        .is_some()
    {
        return;
    }
    drop(conn);
    insert_group(app, slug, slug, "", "DE").await;
}

/// Stores an approved group directly, as an import would.
pub async fn insert_group(app: &TestApp, slug: &str, name: &str, city: &str, country: &str) {
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::groups::insert(
        conn.ex(),
        &convene_store::groups::GroupFields {
            slug: slug.into(),
            name: name.into(),
            short_description: String::new(),
            description: String::new(),
            city: city.into(),
            region: String::new(),
            country: country.into(),
            continent: "EU".into(),
            latitude: None,
            longitude: None,
            languages: String::new(),
            meeting_pattern: String::new(),
            founded: String::new(),
            status: "active".into(),
        },
        convene_store::groups::Origin {
            approval: "approved",
            proposed_by: None,
            source: "web",
            imported_at: None,
        },
        app.now(),
    )
    .await
    .unwrap();
}

/// Makes a plain member account (signed up, confirmed) and returns its client.
pub async fn member<'a>(app: &'a TestApp, email: &str) -> Client<'a> {
    let mut c = app.client();
    c.ip = format!("192.0.2.{}", email.len());
    c.submit(
        "/signup",
        &[
            ("display_name", "Mo Member"),
            ("email", email),
            ("password", "purple window garden"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    app.drain_jobs().await;
    let link = app.link_in_mail(email, "/verify/");
    c.submit(&link, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    c
}

/// The account `email` as the use-cases see it: its id and the roles it holds.
pub async fn actor(app: &TestApp, email: &str) -> convene_domain::Actor {
    let mut conn = app.svc().db.conn().await.unwrap();
    let u = convene_store::users::by_email(conn.ex(), email)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {email}"));
    let grants = convene_store::grants::for_user(conn.ex(), u.id)
        .await
        .unwrap();
    convene_domain::Actor {
        user_id: u.id,
        grants,
    }
}

/// An `Authorization` header value with a new API token of `email`.
pub async fn bearer(app: &TestApp, email: &str) -> String {
    let token = convene_app::accounts::create_api_token(app.svc(), email, "script")
        .await
        .unwrap();
    format!("Bearer {}", token.expose())
}

/// An API request, with a JSON body if given.
pub fn call(
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("x-forwarded-for", "198.51.100.20");
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// The independent expansion (Python's `icalendar` with
/// `recurring-ical-events`, `tests/oracle/expand.py`) of `ics` in
/// `[from, to)`: one "UID start end status" line per occurrence, sorted.
/// Callers check first that python3 has those packages.
pub fn python_expands(ics: &[u8], from: &str, to: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    let script = dir.path().join("expand.py");
    std::fs::write(&path, ics).unwrap();
    std::fs::write(&script, include_str!("../oracle/expand.py")).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the independent parser refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {} {}",
                v["uid"].as_str().unwrap(),
                v["start"].as_str().unwrap(),
                v["end"].as_str().unwrap(),
                v["status"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Sleeps without holding up the runtime: on a multi-threaded runtime the
/// thread hands its queued tasks (the served site's job worker among them)
/// to another thread first, so they run while the test waits.
fn pause(d: std::time::Duration) {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| std::thread::sleep(d))
        }
        _ => std::thread::sleep(d),
    }
}
