//! Two convene sites on loopback, each serving and running its job
//! worker: one site's regional calendar follows a group on the other by
//! its handle, the follow is accepted, the group's meeting arrives, its
//! change and cancellation follow, and a block on the group's side ends
//! the follow so nothing more goes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, insert_group};
use serde_json::json;
use std::time::Duration;

/// Waits (up to 60 s, for a busy machine) for `check` to hold, polling.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 60 s");
}

/// The events a site holds from outside sources: (uid, title, start, status).
async fn followed_events(app: &TestApp) -> Vec<(String, String, String, String)> {
    let mut conn = app.svc().db.conn().await.unwrap();
    convene_store::run!(conn.ex(), |c| convene_store::sqlx::query_as::<
        _,
        (String, String, String, String),
    >(
        "SELECT uid, title, start_local, status FROM events WHERE source_id IS NOT NULL ORDER BY uid"
    )
    .fetch_all(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn two_sites_follow_each_other_end_to_end() {
    // Berlin's site has the group; Europe's site has the regional calendar.
    let (berlin, berlin_addr) = TestApp::served().await;
    let (europe, _) = TestApp::served().await;
    common::coordinator(&berlin).await;
    insert_group(&berlin, "pug-berlin", "Python Users Berlin", "Berlin", "DE").await;
    let mut coord = common::coordinator(&europe).await;
    coord
        .submit("/calendars", &[("name", "Europe"), ("continent", "EU")])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Europe's editors follow the group by its handle.
    let r = coord
        .submit(
            "/calendars/europe/follows",
            &[("account", &format!("@pug-berlin@{berlin_addr}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The Follow reaches Berlin, which accepts; the Accept reaches Europe.
    eventually("Berlin records the follower", || async {
        convene_app::federation::actors::follower_count(berlin.svc(), "/groups/pug-berlin")
            .await
            .unwrap()
            == 1
    })
    .await;
    eventually("Europe's follow is accepted", || async {
        let mut conn = europe.svc().db.conn().await.unwrap();
        convene_store::run!(conn.ex(), |c| {
            convene_store::sqlx::query_scalar::<_, String>("SELECT state FROM ap_following")
                .fetch_one(c)
                .await
        })
        .unwrap()
            == "accepted"
    })
    .await;

    // Berlin's group plans a meeting: it shows on Europe's calendar.
    let token = common::bearer(&berlin, "coord@example.org").await;
    let created = berlin
        .send(common::call(
            "POST",
            "/api/v1/events",
            Some(&token),
            Some(&json!({
                "calendar": "pug-berlin", "title": "Winter project night",
                "start": "2026-12-15T19:00", "end": "2026-12-15T21:00", "tz": "Europe/Berlin",
                "venue_name": "c-base", "venue_address": "Rungestraße 20, Berlin", "status": "confirmed",
            })),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let uid = berlin.svc().site.link(&format!("/events/{id}"));
    eventually("the meeting reaches Europe", || async {
        followed_events(&europe).await.len() == 1
    })
    .await;
    assert_eq!(
        followed_events(&europe).await,
        vec![(
            uid.clone(),
            "Winter project night".to_owned(),
            "2026-12-15T19:00:00".to_owned(),
            "confirmed".to_owned()
        )]
    );
    europe
        .client()
        .get("/calendars/europe")
        .await
        .assert_contains("Winter project night");

    // Moved, then cancelled: both follow.
    let moved = berlin
        .send(common::call(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&token),
            Some(&json!({
                "title": "Winter project night", "start": "2026-12-15T19:30", "end": "2026-12-15T21:30",
                "tz": "Europe/Berlin", "venue_name": "c-base", "status": "confirmed",
            })),
        ))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    eventually("the new time reaches Europe", || async {
        followed_events(&europe).await[0].2 == "2026-12-15T19:30:00"
    })
    .await;
    berlin
        .send(common::call(
            "POST",
            &format!("/api/v1/events/{id}/cancel"),
            Some(&token),
            None,
        ))
        .await
        .assert_status(StatusCode::OK);
    eventually("the cancellation reaches Europe", || async {
        followed_events(&europe).await[0].3 == "cancelled"
    })
    .await;

    // Berlin blocks Europe's site: its follow ends, and nothing more goes.
    let europe_host = europe
        .svc()
        .site
        .base_url
        .host_str()
        .map(|h| format!("{h}:{}", europe.svc().site.base_url.port().unwrap()))
        .unwrap();
    convene_app::federation::moderation::block(
        berlin.svc(),
        &common::actor(&berlin, "coord@example.org").await,
        &europe_host,
        "testing blocks",
    )
    .await
    .unwrap();
    assert_eq!(
        convene_app::federation::actors::follower_count(berlin.svc(), "/groups/pug-berlin")
            .await
            .unwrap(),
        0
    );
    let second = berlin
        .send(common::call(
            "POST",
            "/api/v1/events",
            Some(&token),
            Some(&json!({
                "calendar": "pug-berlin", "title": "Not for Europe",
                "start": "2026-12-22T19:00", "end": "2026-12-22T21:00", "tz": "Europe/Berlin", "status": "confirmed",
            })),
        ))
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(followed_events(&europe).await.len(), 1);
}
