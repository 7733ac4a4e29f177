//! The benchmark seeder's blog against a real database (SQLite, or
//! PostgreSQL when `CONVENE_TEST_DATABASE_URL` is set): the sizes it is
//! asked for, the known post's comments, and growing by the difference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use convene_app::blog::{BlogSeeded, BlogSize, KNOWN_POST, KNOWN_POST_COMMENTS, seed_blog};
use convene_app::{Services, SiteInfo};
use convene_domain::{ManualClock, RandomTokens};
use convene_store::testing::TestDb;
use convene_store::{comments, posts};
use std::sync::Arc;

fn services(t: &TestDb) -> Services {
    Services {
        db: t.db.clone(),
        clock: Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap(),
        )),
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: "Bench".into(),
            base_url: "http://convene.test/".parse().unwrap(),
            mail_from: "hub@convene.test".into(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    }
}

async fn counts(svc: &Services) -> (usize, i64, usize) {
    let mut conn = svc.db.conn().await.unwrap();
    let all = posts::with_slug_prefix(conn.ex(), "bench-post-")
        .await
        .unwrap();
    let total = comments::count_on_slug_prefix(conn.ex(), "bench-post-")
        .await
        .unwrap();
    let known = all.iter().find(|p| p.slug == KNOWN_POST).unwrap();
    let shown = comments::visible(conn.ex(), known.id).await.unwrap().len();
    (all.len(), total, shown)
}

#[tokio::test]
async fn the_blog_grows_to_the_sizes_asked_for() {
    let t = TestDb::new().await.unwrap();
    let svc = services(&t);
    convene_app::groups::seed_groups(&svc, 3).await.unwrap();
    let size = |posts, comments| BlogSize {
        posts,
        comments,
        groups: 3,
    };

    let first = seed_blog(&svc, &size(30, 150)).await.unwrap();
    assert_eq!((first.posts, first.comments), (30, 150));
    assert!(first.accounts > 0);
    assert_eq!(counts(&svc).await, (30, 150, KNOWN_POST_COMMENTS));
    let mut conn = svc.db.conn().await.unwrap();
    let known = posts::by_slug(conn.ex(), KNOWN_POST)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(known.state, "published");
    assert!(
        !posts::authors(conn.ex(), known.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!posts::tags(conn.ex(), known.id).await.unwrap().is_empty());
    drop(conn);

    // The same sizes again add nothing; larger ones add the difference,
    // and the known post keeps its hundred comments.
    let again = seed_blog(&svc, &size(30, 150)).await.unwrap();
    assert_eq!(again, BlogSeeded::default());
    let grown = seed_blog(&svc, &size(40, 170)).await.unwrap();
    assert_eq!((grown.posts, grown.comments, grown.accounts), (10, 20, 0));
    assert_eq!(counts(&svc).await, (40, 170, KNOWN_POST_COMMENTS));
}

#[tokio::test]
async fn posts_need_their_groups() {
    let t = TestDb::new().await.unwrap();
    let svc = services(&t);
    let err = seed_blog(
        &svc,
        &BlogSize {
            posts: 5,
            comments: 0,
            groups: 2,
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("bench-0"), "{err}");
}
