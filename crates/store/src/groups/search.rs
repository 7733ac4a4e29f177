//! Searching the roster: whole words first, then text inside words.

use super::GroupRow;
use crate::{Backend, Ex, Result};

#[derive(sqlx::FromRow)]
struct Ranked {
    #[sqlx(flatten)]
    group: GroupRow,
    rank: f64,
}

/// Shortest word (in characters) searched for inside longer words; SQLite's
/// trigram index cannot look for less.
const MIN_INSIDE_CHARS: usize = 3;

/// Approved entries matching the words of `query` in name, city, region or
/// description, best first. Entries where every word matches as a word
/// prefix come first, ranked by relevance; then entries where every word
/// (of three characters or more) appears inside a longer word ("Pune" in
/// "PythonPune"), by name.
pub async fn search(ex: Ex<'_>, query: &str, limit: i64) -> Result<Vec<(GroupRow, f64)>> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let inside = words.iter().all(|w| w.chars().count() >= MIN_INSIDE_CHARS);
    // Both query languages get only alphanumeric words, so no operator a
    // visitor types can reach them.
    let (rows, more) = match ex {
        Ex::Sqlite(c) => {
            // The FTS table is searched first and only its best rows are
            // joined; the other way round SQLite would test every group.
            const SQL: &str = "SELECT g.id, g.slug, g.name, g.short_description, g.description, g.city, g.region, g.country, g.continent, g.latitude, g.longitude, g.languages, g.meeting_pattern, g.founded, g.status, g.approval, g.proposed_by, g.rejection_reason, g.confirmed_at, g.confirmed_by, g.source, g.imported_at, g.created_at, g.updated_at, f.rank \
                FROM (SELECT rowid AS id, -bm25(groups_fts, 10.0, 4.0, 2.0, 1.0) AS rank FROM groups_fts WHERE groups_fts MATCH $1 ORDER BY rank DESC LIMIT $3) f \
                JOIN groups g ON g.id = f.id WHERE g.approval = 'approved' ORDER BY f.rank DESC, g.name LIMIT $2";
            const INSIDE: &str = "SELECT g.id, g.slug, g.name, g.short_description, g.description, g.city, g.region, g.country, g.continent, g.latitude, g.longitude, g.languages, g.meeting_pattern, g.founded, g.status, g.approval, g.proposed_by, g.rejection_reason, g.confirmed_at, g.confirmed_by, g.source, g.imported_at, g.created_at, g.updated_at, 0.0 AS rank \
                FROM (SELECT rowid AS id FROM groups_fts_trigram WHERE groups_fts_trigram MATCH $1 LIMIT $3) f \
                JOIN groups g ON g.id = f.id WHERE g.approval = 'approved' ORDER BY g.name, g.id LIMIT $2";
            let fts: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
            let rows = sqlx::query_as::<_, Ranked>(SQL)
                .bind(fts.join(" "))
                .bind(limit)
                .bind(limit * 2 + 50)
                .fetch_all(&mut *c)
                .await?;
            let more = if inside && (rows.len() as i64) < limit {
                let trigrams: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                sqlx::query_as::<_, Ranked>(INSIDE)
                    .bind(trigrams.join(" AND "))
                    .bind(limit + rows.len() as i64)
                    .bind(limit * 4 + 200)
                    .fetch_all(&mut *c)
                    .await?
            } else {
                Vec::new()
            };
            (rows, more)
        }
        Ex::Postgres(c) => {
            const SQL: &str = "SELECT id, slug, name, short_description, description, city, region, country, continent, latitude, longitude, languages, meeting_pattern, founded, status, approval, proposed_by, rejection_reason, confirmed_at, confirmed_by, source, imported_at, created_at, updated_at, \
                ts_rank(search_vector, q)::float8 AS rank FROM groups, to_tsquery('simple', $1) q \
                WHERE search_vector @@ q AND approval = 'approved' ORDER BY rank DESC, name LIMIT $2";
            // The expression is the trigram index's (migration 0017); every
            // pattern is a plain word, so LIKE's wildcards cannot come in.
            const INSIDE: &str = "SELECT id, slug, name, short_description, description, city, region, country, continent, latitude, longitude, languages, meeting_pattern, founded, status, approval, proposed_by, rejection_reason, confirmed_at, confirmed_by, source, imported_at, created_at, updated_at, \
                0.0::float8 AS rank FROM groups \
                WHERE lower(name || ' ' || city || ' ' || region || ' ' || short_description || ' ' || description) LIKE ALL ($1) \
                AND approval = 'approved' ORDER BY name, id LIMIT $2";
            let tsq: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
            let rows = sqlx::query_as::<_, Ranked>(SQL)
                .bind(tsq.join(" & "))
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
            let more = if inside && (rows.len() as i64) < limit {
                let patterns: Vec<String> = words.iter().map(|w| format!("%{w}%")).collect();
                sqlx::query_as::<_, Ranked>(INSIDE)
                    .bind(patterns)
                    .bind(limit + rows.len() as i64)
                    .fetch_all(&mut *c)
                    .await?
            } else {
                Vec::new()
            };
            (rows, more)
        }
    };
    let mut found: Vec<(GroupRow, f64)> = rows.into_iter().map(|r| (r.group, r.rank)).collect();
    for r in more {
        if found.len() as i64 >= limit {
            break;
        }
        if !found.iter().any(|(g, _)| g.id == r.group.id) {
            found.push((r.group, 0.0));
        }
    }
    Ok(found)
}

/// Which backend's search syntax is in use (for documentation pages).
pub fn search_engine(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SQLite FTS5 (bm25 ranking), then the trigram index for text inside words"
        }
        Backend::Postgres => {
            "PostgreSQL full-text search (ts_rank), then pg_trgm for text inside words"
        }
    }
}
