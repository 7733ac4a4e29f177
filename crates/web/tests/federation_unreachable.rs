//! A fediverse server that keeps failing is marked unreachable: its
//! deliveries are parked until a daily retry instead of being tried every
//! few minutes, coordinators see it on `/admin/federation`, and the first
//! delivery that gets through clears the mark. Driven by the manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Duration;
use common::{TestApp, coordinator};
use convene_app::federation::deliver::{self, UNREACHABLE_AFTER_FAILURES};
use convene_store::jobs::{self, JobRow};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};

/// An inbox that answers `status` and counts what reaches it.
struct Inbox {
    addr: SocketAddr,
    status: Arc<AtomicU16>,
    hits: Arc<AtomicUsize>,
}

impl Inbox {
    async fn start(status: u16) -> Self {
        let status = Arc::new(AtomicU16::new(status));
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (status.clone(), hits.clone());
        let router = Router::new().route(
            "/inbox",
            post(move || {
                let (s, h) = (s.clone(), h.clone());
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { addr, status, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn queued(app: &TestApp) -> Vec<JobRow> {
    let mut conn = app.svc().db.conn().await.unwrap();
    jobs::in_state(conn.ex(), "queued", 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "ap_deliver")
        .collect()
}

#[tokio::test]
async fn a_server_failing_for_a_day_is_parked_retried_daily_and_cleared_by_a_success() {
    let app = TestApp::new().await;
    let inbox = Inbox::start(503).await;
    let host = inbox.addr.to_string();
    let address = format!("http://{host}/inbox");
    let count = UNREACHABLE_AFTER_FAILURES as usize + 2;
    let mut tx = app.svc().db.begin().await.unwrap();
    for n in 0..count {
        let activity = json!({
            "id": format!("http://convene.test/actor#notes/{n}"),
            "type": "Create",
            "actor": "http://convene.test/actor",
        });
        deliver::queue(
            &mut tx,
            app.svc(),
            "/actor",
            std::slice::from_ref(&address),
            &activity,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    // Every delivery fails once; many failures in one hour are not yet a
    // day of them, so nothing is marked.
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count);
    let mut admin = coordinator(&app).await;
    admin
        .get("/admin/federation")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Every server was reached.");

    // A day later the first retry fails too: the server is unreachable, and
    // the other deliveries are parked without being sent.
    app.advance(Duration::hours(25));
    let marked_at = app.now();
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count + 1);
    let page = admin.get("/admin/federation").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Unreachable servers")
        .assert_contains(&format!("<bdi>{host}</bdi>"))
        .assert_contains(&format!("{} since", count + 1))
        .assert_contains("503");
    let next_try = marked_at + Duration::days(1);
    let waiting = queued(&app).await;
    assert_eq!(waiting.len(), count);
    let parked: Vec<&JobRow> = waiting.iter().filter(|j| j.run_at == next_try).collect();
    assert_eq!(parked.len(), count - 1, "{waiting:?}");
    for job in &parked {
        // Parking does not use up an attempt.
        assert_eq!(job.attempts, 1, "{job:?}");
        assert!(
            job.last_error
                .as_deref()
                .unwrap()
                .contains("is unreachable"),
            "{job:?}"
        );
    }

    // Hours later nothing has been sent: the one retry due meanwhile is
    // parked as well.
    app.advance(Duration::hours(12));
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count + 1);
    assert!(queued(&app).await.iter().all(|j| j.run_at == next_try));

    // The server is back; at the daily try every delivery gets through and
    // the mark is gone.
    inbox.status.store(202, Ordering::SeqCst);
    app.advance(Duration::hours(12));
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count + 1 + count);
    assert!(queued(&app).await.is_empty());
    admin
        .get("/admin/federation")
        .await
        .assert_contains("Every server was reached.");
}

#[tokio::test]
async fn a_server_still_down_at_its_daily_try_stays_parked_another_day() {
    let app = TestApp::new().await;
    let inbox = Inbox::start(500).await;
    let address = format!("http://{}/inbox", inbox.addr);
    let count = UNREACHABLE_AFTER_FAILURES as usize + 1;
    let mut tx = app.svc().db.begin().await.unwrap();
    for n in 0..count {
        let activity =
            json!({"id": format!("http://convene.test/actor#notes/{n}"), "type": "Create"});
        deliver::queue(
            &mut tx,
            app.svc(),
            "/actor",
            std::slice::from_ref(&address),
            &activity,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    app.drain_jobs().await;
    app.advance(Duration::hours(25));
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count + 1);

    // The daily try: one delivery is sent, fails, and the rest wait
    // another day.
    app.advance(Duration::hours(24));
    let tried_at = app.now();
    app.drain_jobs().await;
    assert_eq!(inbox.hits(), count + 2);
    let waiting = queued(&app).await;
    assert_eq!(waiting.len(), count);
    assert!(
        waiting
            .iter()
            .filter(|j| j.run_at == tried_at + Duration::days(1))
            .count()
            >= count - 2,
        "{waiting:?}"
    );
}
