//! The change counters behind caches and ETags are known without a query:
//! a writer sees its own change at once, a rolled-back change is not
//! counted, the roster's counter follows every write to groups, and a change
//! committed by another process or node arrives through the watcher (the
//! second's poll, and on PostgreSQL the announcement at commit).
//! Runs on SQLite, and on PostgreSQL when `CONVENE_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use convene_store::counters::Counter;
use convene_store::groups::{self, GroupFields, Origin};
use convene_store::testing::TestDb;
use convene_store::{Db, DbOptions, Pool, calendars, posts, sqlx};
use std::time::Duration;

fn group(slug: &str) -> GroupFields {
    GroupFields {
        slug: slug.into(),
        name: slug.into(),
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
    }
}

/// A second pool onto the same database, as another process or node has.
async fn elsewhere(t: &TestDb) -> Db {
    match (&t.dir, &t.postgres) {
        (_, Some((url, schema))) => TestDb::open_schema(url, schema).await.unwrap(),
        (Some(dir), None) => Db::open_sqlite(&dir.path().join("convene.db"), &DbOptions::default())
            .await
            .unwrap(),
        (None, None) => unreachable!("a test database is a file or a schema"),
    }
}

#[tokio::test]
async fn a_writer_sees_its_own_change_at_once_and_a_rollback_counts_nothing() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let cal = db.counter(Counter::Calendars).await.unwrap();
    let blog = db.counter(Counter::Posts).await.unwrap();

    let mut tx = db.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.counter(Counter::Calendars).await.unwrap(), cal + 1);

    let mut tx = db.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    posts::bump(tx.ex()).await.unwrap();
    drop(tx);
    db.refresh_counters().await.unwrap();
    assert_eq!(db.counter(Counter::Calendars).await.unwrap(), cal + 1);
    assert_eq!(db.counter(Counter::Posts).await.unwrap(), blog);

    // Every write to groups raises the roster's counter, however it is made.
    let roster = db.counter(Counter::Groups).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let origin = Origin {
        approval: "approved",
        proposed_by: None,
        source: "web",
        imported_at: None,
    };
    let id = groups::insert(tx.ex(), &group("pug-a"), origin, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after_insert = db.counter(Counter::Groups).await.unwrap();
    assert!(after_insert > roster);
    let mut tx = db.begin().await.unwrap();
    groups::set_approval(tx.ex(), id, "rejected", Some("a test"), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(db.counter(Counter::Groups).await.unwrap() > after_insert);
}

#[tokio::test]
async fn a_change_committed_elsewhere_arrives_through_the_watcher() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let other = elsewhere(&t).await;
    let cal = db.counter(Counter::Calendars).await.unwrap();

    // Another process raises the counter; the poll brings it in.
    let mut tx = other.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    db.refresh_counters().await.unwrap();
    assert_eq!(db.counter(Counter::Calendars).await.unwrap(), cal + 1);

    // The watcher does the same by itself.
    let watcher = {
        let db = db.clone();
        tokio::spawn(async move { db.watch_counters().await })
    };
    let mut tx = other.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    let mut seen = 0;
    for _ in 0..100 {
        seen = db.counter(Counter::Calendars).await.unwrap();
        if seen == cal + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watcher.abort();
    assert_eq!(
        seen,
        cal + 2,
        "the watcher never saw the other process's change"
    );
}

#[tokio::test]
async fn on_postgresql_a_commit_announces_each_raised_counter_with_its_schema() {
    let t = TestDb::new().await.unwrap();
    let Some((_, schema)) = &t.postgres else {
        eprintln!("skipped: announcements are PostgreSQL's (set CONVENE_TEST_DATABASE_URL)");
        return;
    };
    let Pool::Postgres(pool) = t.db.pool() else {
        unreachable!()
    };
    let mut listener = sqlx::postgres::PgListener::connect_with(pool)
        .await
        .unwrap();
    listener.listen("convene_counters").await.unwrap();
    let cal = t.db.counter(Counter::Calendars).await.unwrap();

    // Nothing is announced for a transaction that rolls back.
    let mut tx = t.db.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    drop(tx);
    let mut tx = t.db.begin().await.unwrap();
    calendars::bump(tx.ex()).await.unwrap();
    tx.commit().await.unwrap();
    // Other tests' schemas announce on the same channel at the same time:
    // the first announcement of this schema is the one to check.
    let ours = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let n = listener.recv().await.unwrap();
            if n.payload().starts_with(&format!("{schema} ")) {
                return n.payload().to_owned();
            }
        }
    })
    .await
    .expect("no announcement within 5 s");
    assert_eq!(ours, format!("{schema} calendars {}", cal + 1));
}
