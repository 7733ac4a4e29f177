//! The link checker against a real HTTP server on a loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::any;
use chrono::Utc;
use convene_app::groups::check_group_links;
use convene_app::jobs::JobContext;
use convene_app::mail::OutboxMailer;
use convene_app::net::{FetchPolicy, Fetcher};
use convene_app::{Services, SiteInfo};
use convene_domain::{ManualClock, RandomTokens};
use convene_store::groups::{self, GroupFields, Origin};
use convene_store::testing::TestDb;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

async fn server(hits: Arc<AtomicUsize>) -> u16 {
    let app = Router::new()
        .route("/ok", any(|| async { "fine" }))
        .route("/gone", any(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/moved",
            any(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/ok")]) }),
        )
        .route(
            "/loop",
            any(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }),
        )
        .route(
            "/nohead",
            any(|m: Method| async move {
                if m == Method::HEAD {
                    StatusCode::METHOD_NOT_ALLOWED.into_response()
                } else {
                    "only GET".into_response()
                }
            }),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    next.run(req).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

async fn setup(allow_private: bool, port: u16) -> (TestDb, JobContext, i64) {
    let t = TestDb::new().await.unwrap();
    let svc = Services {
        db: t.db.clone(),
        clock: Arc::new(ManualClock::new(Utc::now())),
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: "Python Groups".into(),
            base_url: "http://convene.test/".parse().unwrap(),
            mail_from: "hub@convene.test".into(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    };
    let fetcher = Fetcher::new(FetchPolicy {
        allow_private,
        timeout: Duration::from_secs(3),
        per_host_interval: Duration::ZERO,
        max_redirects: 5,
    });
    let ctx = JobContext {
        services: svc.clone(),
        mailer: Arc::new(OutboxMailer::new(
            std::env::temp_dir().join("convene-unused-outbox"),
        )),
        fetcher: Arc::new(fetcher),
    };
    let fields = GroupFields {
        slug: "pug".into(),
        name: "PUG".into(),
        short_description: String::new(),
        description: String::new(),
        city: String::new(),
        region: String::new(),
        country: "DE".into(),
        continent: "EU".into(),
        latitude: None,
        longitude: None,
        languages: String::new(),
        meeting_pattern: String::new(),
        founded: String::new(),
        status: "active".into(),
    };
    let mut tx = svc.db.begin().await.unwrap();
    let id = groups::insert(
        tx.ex(),
        &fields,
        Origin {
            approval: "approved",
            proposed_by: None,
            source: "web",
            imported_at: None,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let links: Vec<(String, String, String)> = ["ok", "gone", "moved", "nohead", "loop"]
        .iter()
        .map(|p| {
            (
                "website".to_owned(),
                format!("http://127.0.0.1:{port}/{p}"),
                "Website".to_owned(),
            )
        })
        .chain([
            (
                "chat".to_owned(),
                "http://127.0.0.1:9/closed".to_owned(),
                "Chat".to_owned(),
            ),
            (
                "mailing_list".to_owned(),
                "mailto:pug@example.org".to_owned(),
                "List".to_owned(),
            ),
        ])
        .collect();
    groups::replace_links(tx.ex(), id, &links).await.unwrap();
    tx.commit().await.unwrap();
    (t, ctx, id)
}

async fn findings(ctx: &JobContext, id: i64) -> Vec<(String, String, String, Option<String>)> {
    let mut conn = ctx.services.db.conn().await.unwrap();
    groups::links(conn.ex(), id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.url.rsplit('/').next().unwrap_or_default().to_owned(),
                l.check_status.unwrap_or_default(),
                l.check_detail.unwrap_or_default(),
                l.final_url,
            )
        })
        .collect()
}

#[tokio::test]
async fn links_are_checked_and_what_was_found_is_recorded() {
    let hits = Arc::new(AtomicUsize::new(0));
    let port = server(hits.clone()).await;
    let (_t, ctx, id) = setup(true, port).await;
    let (checked, broken) = check_group_links(&ctx, id).await.unwrap();
    assert_eq!((checked, broken), (7, 3));
    let f = findings(&ctx, id).await;
    assert_eq!(f[0], ("ok".into(), "ok".into(), "HTTP 200".into(), None));
    assert_eq!((f[1].1.as_str(), f[1].2.as_str()), ("broken", "HTTP 404"));
    assert_eq!(
        (f[2].1.as_str(), f[2].3.as_deref()),
        (
            "redirect",
            Some(format!("http://127.0.0.1:{port}/ok").as_str())
        )
    );
    assert_eq!(
        (f[3].1.as_str(), f[3].2.as_str()),
        ("ok", "HTTP 200"),
        "GET after a refused HEAD"
    );
    assert_eq!(f[4].1, "broken");
    assert!(f[4].2.contains("redirects"));
    assert_eq!(f[5].1, "unreachable");
    assert_eq!(f[6].1, "ok");
}

#[tokio::test]
async fn private_and_loopback_addresses_are_refused_unless_allowed() {
    let hits = Arc::new(AtomicUsize::new(0));
    let port = server(hits.clone()).await;
    let (_t, ctx, id) = setup(false, port).await;
    check_group_links(&ctx, id).await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request reached the local server"
    );
    let f = findings(&ctx, id).await;
    assert!(f[..6].iter().all(|l| l.1 == "refused"), "{f:?}");
    // A name that resolves to loopback is refused as well.
    let check = ctx
        .fetcher
        .check(&format!("http://localhost:{port}/ok"))
        .await;
    assert_eq!(check.status, "refused", "{check:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

/// IPv6 addresses that wrap a loopback or private IPv4 address are refused
/// like the address they wrap, by the link checker, by a fetch and by the
/// screen a subscription goes through, without a request leaving.
#[tokio::test]
async fn ipv6_forms_wrapping_private_addresses_are_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let port = server(hits.clone()).await;
    let (_t, ctx, _) = setup(false, port).await;
    for host in [
        "[::127.0.0.1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:0:127.0.0.1]",
        "[64:ff9b::127.0.0.1]",
        "[64:ff9b::a9fe:a9fe]",
        "[2002:7f00:1::1]",
        "[2002:c0a8:101::1]",
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    ] {
        let url = format!("http://{host}:{port}/ok");
        let check = ctx.fetcher.check(&url).await;
        assert_eq!(check.status, "refused", "{url}: {check:?}");
        assert_eq!(check.detail, "refused: a private or local address");
        let fetched = ctx.fetcher.get(&url, &[], 1024).await;
        assert_eq!(
            fetched.unwrap_err(),
            "refused: a private or local address",
            "{url}"
        );
        assert_eq!(
            ctx.fetcher.screen(&url).await.unwrap_err(),
            "refused: a private or local address",
            "{url}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
