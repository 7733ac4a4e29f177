//! The benchmark seeder's list against a real database (SQLite, or
//! PostgreSQL when `CONVENE_TEST_DATABASE_URL` is set): the sizes it is
//! asked for, threads across its batches, growing by the difference, and
//! messages the archive's search finds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use convene_app::lists::{BENCH_LIST, COMMON_WORD, ListSeeded, ListSize, archive, list, seed_list};
use convene_app::{Services, SiteInfo};
use convene_domain::{ManualClock, RandomTokens};
use convene_store::testing::TestDb;
use convene_store::{list_messages, lists, run, sqlx};
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
            mail_from: "hub@lists.convene.test".into(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    }
}

#[tokio::test]
async fn the_list_grows_to_the_sizes_asked_for_with_whole_threads() {
    let t = TestDb::new().await.unwrap();
    let svc = services(&t);
    let first = seed_list(
        &svc,
        &ListSize {
            messages: 700,
            members: 12,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        first,
        ListSeeded {
            messages: 700,
            members: 12
        }
    );
    // Again with more: only the difference; the same: nothing.
    let more = seed_list(
        &svc,
        &ListSize {
            messages: 1200,
            members: 15,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        more,
        ListSeeded {
            messages: 500,
            members: 3
        }
    );
    let none = seed_list(
        &svc,
        &ListSize {
            messages: 1200,
            members: 15,
        },
    )
    .await
    .unwrap();
    assert_eq!(none, ListSeeded::default());

    let mut conn = svc.db.conn().await.unwrap();
    let row = lists::by_name(conn.ex(), BENCH_LIST)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.archive, "public");
    assert_eq!(lists::count_active(conn.ex(), row.id).await.unwrap(), 15);
    assert_eq!(
        list_messages::count_for_list(conn.ex(), row.id)
            .await
            .unwrap(),
        1200
    );
    // Every reply sits in the thread of the message it answers, also
    // across the seeder's batches of 500 and its two runs.
    let orphans: i64 = run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM list_messages m JOIN list_messages p \
         ON p.list_id = m.list_id AND p.message_id = m.in_reply_to \
         WHERE m.list_id = $1 AND (m.thread_id IS NULL OR m.thread_id <> p.thread_id)"
    )
    .bind(row.id)
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(orphans, 0);
    let (replies, threads): (i64, i64) = run!(conn.ex(), |c| {
        sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(in_reply_to), COUNT(DISTINCT thread_id) FROM list_messages WHERE list_id = $1"
    )
    .bind(row.id)
    .fetch_one(c)
    .await
    })
    .unwrap();
    assert_eq!(replies + threads, 1200, "each message starts or answers");
    drop(conn);

    // The archive's search finds the common word, a page at a time.
    let view = list(&svc, BENCH_LIST).await.unwrap();
    let found = archive::search(&svc, &view, COMMON_WORD, 1).await.unwrap();
    assert_eq!(found.messages.len(), 50);
    assert!(found.more);
}
