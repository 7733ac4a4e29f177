//! Migration 0026 makes one ledger of who got what (`deliveries`) out of
//! the list fan-out's and the digests' own: every row moves with its state,
//! attempts, error and times, and deleting a message, a digest or a member
//! still takes its rows with it. Runs on SQLite, and on PostgreSQL when
//! `CONVENE_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use convene_store::deliveries::{self, Batch, BatchKind, Counts};
use convene_store::list_messages::{self, NewListMessage};
use convene_store::testing::TestDb;
use convene_store::{Backend, Db, execute, list_digests, run, sqlx};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn member(db: &Db, email: &str, token: &str) -> i64 {
    let mut conn = db.conn().await.unwrap();
    run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO list_members (list_id, email, state, delivery, moderated, token, bounce_score, created_at, updated_at) \
         VALUES (1, $1, 'active', 'each', FALSE, $2, 0, $3, $3) RETURNING id"
    )
    .bind(email)
    .bind(token)
    .bind(at("2026-01-02T00:00:00Z"))
    .fetch_one(c)
    .await)
    .unwrap()
}

/// The ledger's rows, in key order, as text.
async fn ledger(db: &Db) -> Vec<String> {
    type Row = (
        String,
        i64,
        i64,
        String,
        i64,
        Option<String>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let mut conn = db.conn().await.unwrap();
    let rows: Vec<Row> = run!(conn.ex(), |c| sqlx::query_as::<_, Row>(
        "SELECT batch_kind, batch_id, recipient_id, state, attempts, last_error, sent_at, updated_at, since \
         FROM deliveries ORDER BY batch_kind, batch_id, recipient_id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter().map(|r| format!("{r:?}")).collect()
}

#[tokio::test]
async fn the_fan_outs_and_digests_rows_move_to_one_ledger_and_leave_with_what_they_belong_to() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let ana = member(db, "ana@example.org", "tok-ana").await;
    let ben = member(db, "ben@example.org", "tok-ben").await;
    let message = {
        let mut conn = db.conn().await.unwrap();
        list_messages::insert(
            conn.ex(),
            &NewListMessage {
                list_id: 1,
                message_id: "<one@example.org>",
                in_reply_to: None,
                refs: "",
                subject: "Hello",
                from_name: "Ana",
                from_email: "ana@example.org",
                sent_at: at("2026-02-01T10:00:00Z"),
                received_at: at("2026-02-01T10:00:00Z"),
                month: "2026-02",
                body_text: "Hello",
                raw: b"Subject: Hello\r\n\r\nHello\r\n",
                state: "accepted",
                hold_reason: None,
            },
        )
        .await
        .unwrap()
    };
    let digest = {
        let mut conn = db.conn().await.unwrap();
        list_digests::insert(conn.ex(), 1, "2026-02-02", 1, 1, at("2026-02-02T00:00:00Z"))
            .await
            .unwrap()
    };

    // The database as it stood before 0026, with the two old ledgers.
    let mut conn = db.conn().await.unwrap();
    let old_tables: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER tr_list_messages_deliveries",
            "DROP TRIGGER tr_list_digests_deliveries",
            "DROP TRIGGER tr_posts_deliveries",
            "DROP TRIGGER tr_list_members_deliveries",
            "DROP TRIGGER tr_users_deliveries",
            "DROP TRIGGER tr_weekly_subscriptions_deliveries",
            "DROP TABLE deliveries",
            "CREATE TABLE list_deliveries (message_id INTEGER NOT NULL REFERENCES list_messages (id) ON DELETE CASCADE, \
             member_id INTEGER NOT NULL REFERENCES list_members (id) ON DELETE CASCADE, \
             state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')), attempts INTEGER NOT NULL, last_error TEXT, sent_at TEXT, \
             PRIMARY KEY (message_id, member_id))",
            "CREATE TABLE list_digest_deliveries (digest_id INTEGER NOT NULL REFERENCES list_digests (id) ON DELETE CASCADE, \
             member_id INTEGER NOT NULL REFERENCES list_members (id) ON DELETE CASCADE, since TEXT NOT NULL, \
             state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'skipped')), attempts INTEGER NOT NULL, last_error TEXT, \
             sent_at TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (digest_id, member_id))",
            "CREATE INDEX ix_list_digest_deliveries_member ON list_digest_deliveries (member_id, state)",
        ],
        Backend::Postgres => &[
            "DROP FUNCTION deliveries_forget_batch CASCADE",
            "DROP FUNCTION deliveries_forget_recipient CASCADE",
            "DROP TABLE deliveries",
            "CREATE TABLE list_deliveries (message_id BIGINT NOT NULL REFERENCES list_messages (id) ON DELETE CASCADE, \
             member_id BIGINT NOT NULL REFERENCES list_members (id) ON DELETE CASCADE, \
             state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')), attempts BIGINT NOT NULL, last_error TEXT, sent_at TIMESTAMPTZ, \
             PRIMARY KEY (message_id, member_id))",
            "CREATE TABLE list_digest_deliveries (digest_id BIGINT NOT NULL REFERENCES list_digests (id) ON DELETE CASCADE, \
             member_id BIGINT NOT NULL REFERENCES list_members (id) ON DELETE CASCADE, since TIMESTAMPTZ NOT NULL, \
             state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'skipped')), attempts BIGINT NOT NULL, last_error TEXT, \
             sent_at TIMESTAMPTZ, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (digest_id, member_id))",
            "CREATE INDEX ix_list_digest_deliveries_member ON list_digest_deliveries (member_id, state)",
        ],
    };
    for sql in old_tables {
        execute!(conn.ex(), *sql).unwrap();
    }
    let sent = at("2026-02-01T10:00:05Z");
    execute!(
        conn.ex(),
        "INSERT INTO list_deliveries (message_id, member_id, state, attempts, last_error, sent_at) VALUES \
         ($1, $2, 'sent', 1, NULL, $4), ($1, $3, 'queued', 2, '451 4.3.0 later', NULL)",
        message,
        ana,
        ben,
        sent
    )
    .unwrap();
    let since = at("2026-01-15T00:00:00Z");
    let tried = at("2026-02-02T00:00:09Z");
    execute!(
        conn.ex(),
        "INSERT INTO list_digest_deliveries (digest_id, member_id, since, state, attempts, last_error, sent_at, updated_at) VALUES \
         ($1, $2, $4, 'failed', 1, '550 5.1.1 unknown', NULL, $5), ($1, $3, $4, 'skipped', 1, 'paused', NULL, $5)",
        digest,
        ana,
        ben,
        since,
        tried
    )
    .unwrap();
    execute!(
        conn.ex(),
        "DELETE FROM _sqlx_migrations WHERE version = $1",
        26_i64
    )
    .unwrap();
    drop(conn);
    db.migrate().await.unwrap();

    let t = |d: DateTime<Utc>| format!("Some({d:?})");
    assert_eq!(
        ledger(db).await,
        vec![
            format!(
                "(\"digest\", {digest}, {ana}, \"failed\", 1, Some(\"550 5.1.1 unknown\"), None, {}, {})",
                t(tried),
                t(since)
            ),
            format!(
                "(\"digest\", {digest}, {ben}, \"skipped\", 1, Some(\"paused\"), None, {}, {})",
                t(tried),
                t(since)
            ),
            format!(
                "(\"list\", {message}, {ana}, \"sent\", 1, None, {}, {}, None)",
                t(sent),
                t(sent)
            ),
            format!(
                "(\"list\", {message}, {ben}, \"queued\", 2, Some(\"451 4.3.0 later\"), None, None, None)"
            ),
        ]
    );
    let mut conn = db.conn().await.unwrap();
    assert_eq!(
        list_messages::count_deliveries(conn.ex(), message)
            .await
            .unwrap(),
        list_messages::DeliveryCounts {
            queued: 1,
            sent: 1,
            failed: 0
        }
    );
    assert_eq!(
        list_digests::count_deliveries(conn.ex(), digest)
            .await
            .unwrap(),
        [0, 0, 1, 1]
    );

    // A member who is deleted leaves the ledger; so does a message.
    execute!(conn.ex(), "DELETE FROM list_members WHERE id = $1", ben).unwrap();
    assert_eq!(
        deliveries::count(conn.ex(), Batch::new(BatchKind::Digest, digest))
            .await
            .unwrap(),
        Counts {
            failed: 1,
            ..Counts::default()
        }
    );
    execute!(
        conn.ex(),
        "DELETE FROM list_messages WHERE id = $1",
        message
    )
    .unwrap();
    drop(conn);
    assert_eq!(ledger(db).await.len(), 1, "{:?}", ledger(db).await);
}
