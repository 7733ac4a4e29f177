//! Reading a list's archive: months, threads, single messages, search.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// An archived message, without its raw bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchivedRow {
    /// Id (the permanent URL's number).
    pub id: i64,
    /// The list.
    pub list_id: i64,
    /// Its Message-ID, with its angle brackets (`<id@host>`).
    pub message_id: String,
    /// The message it answers (`<id@host>`).
    pub in_reply_to: Option<String>,
    /// Its References, space-separated, oldest first.
    pub refs: String,
    /// The first message of its thread.
    pub thread_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// Writer's name.
    pub from_name: String,
    /// Writer's address.
    pub from_email: String,
    /// When it was written.
    pub sent_at: DateTime<Utc>,
    /// `YYYY-MM` of `sent_at`.
    pub month: String,
    /// The text shown in the archive.
    pub body_text: String,
}

const COLUMNS: &str = "id, list_id, message_id, in_reply_to, refs, thread_id, subject, from_name, from_email, sent_at, month, body_text";

fn select(filter: &str) -> String {
    format!("SELECT {COLUMNS} FROM list_messages WHERE state = 'accepted' AND {filter}")
}

/// The months with messages, newest first, with how many each has.
pub async fn months(ex: Ex<'_>, list_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (String, i64)>(
        "SELECT month, COUNT(*) FROM list_messages WHERE list_id = $1 AND state = 'accepted' GROUP BY month ORDER BY month DESC"
    )
    .bind(list_id)
    .fetch_all(c)
    .await
    })?)
}

/// A month's messages, oldest first.
pub async fn in_month(ex: Ex<'_>, list_id: i64, month: &str) -> Result<Vec<ArchivedRow>> {
    let sql = select("list_id = $1 AND month = $2 ORDER BY sent_at, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, ArchivedRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(month)
    .fetch_all(c)
    .await)?)
}

/// One message of a list.
pub async fn message(ex: Ex<'_>, list_id: i64, id: i64) -> Result<Option<ArchivedRow>> {
    let sql = select("list_id = $1 AND id = $2");
    Ok(run!(ex, |c| sqlx::query_as::<_, ArchivedRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Every message of a thread, oldest first.
pub async fn thread(ex: Ex<'_>, list_id: i64, thread_id: i64) -> Result<Vec<ArchivedRow>> {
    let sql = select("list_id = $1 AND thread_id = $2 ORDER BY sent_at, id");
    Ok(run!(ex, |c| sqlx::query_as::<_, ArchivedRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(thread_id)
    .fetch_all(c)
    .await)?)
}

/// The newest messages, newest first.
pub async fn recent(ex: Ex<'_>, list_id: i64, limit: i64) -> Result<Vec<ArchivedRow>> {
    let sql = select("list_id = $1 ORDER BY sent_at DESC, id DESC LIMIT $2");
    Ok(run!(ex, |c| sqlx::query_as::<_, ArchivedRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(list_id)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Accepted messages of the list that hold every one of `phrases` (each
/// a run of words, lowercase letters and digits only) in their subject,
/// writer or text, most relevant first (ties newest first), skipping
/// `offset` and returning at most `limit`.
///
/// SQLite ranks with FTS5's bm25 (subject ten times a word of the text,
/// writer twice) and the Porter stemmer; PostgreSQL with `ts_rank` over a
/// tsvector weighting subject, writer and text A, B and C, 'english'
/// configuration. Only words
/// reach either query language, each phrase quoted, so nothing a visitor
/// types is read as an operator.
pub async fn search(
    ex: Ex<'_>,
    list_id: i64,
    phrases: &[Vec<String>],
    limit: i64,
    offset: i64,
) -> Result<Vec<ArchivedRow>> {
    let phrases: Vec<String> = phrases
        .iter()
        .filter(|p| {
            !p.is_empty()
                && p.iter()
                    .all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
        })
        .map(|p| format!("\"{}\"", p.join(" ")))
        .collect();
    if phrases.is_empty() {
        return Ok(Vec::new());
    }
    let query = phrases.join(" ");
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(match ex {
        Ex::Sqlite(c) => {
            // CROSS JOIN keeps the FTS table outermost whatever the
            // planner's statistics say: the other way round SQLite walks
            // the list's messages and runs the MATCH once for each, which
            // takes seconds on a large archive.
            // The page's messages are chosen from their ids, scores and
            // dates alone (read from an index), and only then read whole.
            let sql = format!(
                "WITH top AS (SELECT m.id AS id, bm25(list_messages_fts, 10.0, 2.0, 2.0, 1.0) AS score, m.sent_at AS sent_at \
                 FROM list_messages_fts f CROSS JOIN list_messages m ON m.id = f.rowid \
                 WHERE list_messages_fts MATCH $1 AND m.list_id = $2 AND m.state = 'accepted' \
                 ORDER BY score, sent_at DESC, id DESC LIMIT $3 OFFSET $4) \
                 SELECT {columns} FROM top CROSS JOIN list_messages m ON m.id = top.id \
                 ORDER BY top.score, top.sent_at DESC, top.id DESC"
            );
            sqlx::query_as::<_, ArchivedRow>(sqlx::AssertSqlSafe(sql))
                .bind(query)
                .bind(list_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(c)
                .await?
        }
        Ex::Postgres(c) => {
            let sql = format!(
                "WITH top AS (SELECT m.id AS id, ts_rank(m.search_vector, q) AS score, m.sent_at AS sent_at \
                 FROM list_messages m, websearch_to_tsquery('english', $1) q \
                 WHERE m.search_vector @@ q AND m.list_id = $2 AND m.state = 'accepted' \
                 ORDER BY score DESC, sent_at DESC, id DESC LIMIT $3 OFFSET $4) \
                 SELECT {columns} FROM top JOIN list_messages m ON m.id = top.id \
                 ORDER BY top.score DESC, top.sent_at DESC, top.id DESC"
            );
            sqlx::query_as::<_, ArchivedRow>(sqlx::AssertSqlSafe(sql))
                .bind(query)
                .bind(list_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(c)
                .await?
        }
    })
}

/// The thread of the nearest of `message_ids` found in the list (they are
/// tried in order), if any.
pub async fn thread_of_any(
    ex: Ex<'_>,
    list_id: i64,
    message_ids: &[String],
) -> Result<Option<i64>> {
    if message_ids.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (0..message_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT message_id, COALESCE(thread_id, id) FROM list_messages WHERE list_id = $1 AND message_id IN ({})",
        marks.join(", ")
    );
    let found: Vec<(String, i64)> = run!(ex, |c| {
        let mut q =
            sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql.clone())).bind(list_id);
        for m in message_ids {
            q = q.bind(m);
        }
        q.fetch_all(c).await
    })?;
    Ok(message_ids
        .iter()
        .find_map(|m| found.iter().find(|(id, _)| id == m).map(|(_, t)| *t)))
}

/// The threads and subjects of the list's messages since `since`, newest
/// first (at most 500), for threading a reply by its subject.
pub async fn recent_subjects(
    ex: Ex<'_>,
    list_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, String)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (i64, String)>(
        "SELECT COALESCE(thread_id, id), subject FROM list_messages WHERE list_id = $1 AND sent_at >= $2 AND state = 'accepted' ORDER BY sent_at DESC LIMIT 500"
    )
    .bind(list_id)
    .bind(since)
    .fetch_all(c)
    .await
    })?)
}

/// Puts a message in a thread.
pub async fn set_thread(ex: Ex<'_>, id: i64, thread_id: i64) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE list_messages SET thread_id = $2 WHERE id = $1",
        id,
        thread_id
    )?)
}

/// A month's messages as received, oldest first, for an mbox file.
pub async fn raw_in_month(
    ex: Ex<'_>,
    list_id: i64,
    month: &str,
) -> Result<Vec<(String, DateTime<Utc>, Vec<u8>)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (String, DateTime<Utc>, Vec<u8>)>(
        "SELECT from_email, sent_at, raw FROM list_messages WHERE list_id = $1 AND month = $2 AND state = 'accepted' ORDER BY sent_at, id"
    )
    .bind(list_id)
    .bind(month)
    .fetch_all(c)
    .await
    })?)
}

/// The stored bytes of an accepted message.
pub async fn raw_message(ex: Ex<'_>, list_id: i64, id: i64) -> Result<Option<Vec<u8>>> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT raw FROM list_messages WHERE list_id = $1 AND id = $2 AND state = 'accepted'",
        )
        .bind(list_id)
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}
