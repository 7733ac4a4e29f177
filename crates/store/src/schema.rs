//! What the schema looks like, read back from the database itself, so a
//! test can prove both backends' migrations reach the same shape.

use crate::{Db, Result};
use std::collections::BTreeMap;

/// Tables with their column names (sorted), and the named indexes with their
/// table and columns. Constraint-backed indexes the databases create on
/// their own (primary keys) are left out, since their names differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaShape {
    /// Table name → sorted column names.
    pub tables: BTreeMap<String, Vec<String>>,
    /// Index name → (table, columns in index order, unique).
    pub indexes: BTreeMap<String, (String, Vec<String>, bool)>,
}

/// Full-text search is the one place the schemas differ on purpose: an FTS5
/// virtual table (and its shadow tables) on SQLite, a generated `tsvector`
/// column with a GIN index on PostgreSQL. These names are left out of the
/// comparison.
fn search_only(name: &str) -> bool {
    name.starts_with("groups_fts")
        || name.starts_with("list_messages_fts")
        || name == "search_vector"
        || name == "ix_groups_search"
        || name == "ix_groups_search_trigram"
        || name == "ix_list_messages_search"
}

/// Reads the shape of the current database (or PostgreSQL schema).
pub async fn shape(db: &Db) -> Result<SchemaShape> {
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut indexes = BTreeMap::new();
    match db.pool() {
        crate::Pool::Sqlite(pool) => {
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?;
            for (t, c) in cols {
                tables.entry(t).or_default().push(c);
            }
            let idx: Vec<(String, String, i64, String)> = sqlx::query_as(
                "SELECT m.name, m.tbl_name, il.\"unique\", ii.name FROM sqlite_master m \
                 JOIN pragma_index_list(m.tbl_name) il ON il.name = m.name \
                 JOIN pragma_index_info(m.name) ii \
                 WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.name, ii.seqno",
            )
            .fetch_all(pool)
            .await?;
            for (name, table, unique, col) in idx {
                let e = indexes
                    .entry(name)
                    .or_insert_with(|| (table, Vec::new(), unique != 0));
                e.1.push(col);
            }
        }
        crate::Pool::Postgres(pool) => {
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?;
            for (t, c) in cols {
                tables.entry(t).or_default().push(c);
            }
            let idx: Vec<(String, String, bool, String)> = sqlx::query_as(
                "SELECT i.relname::text, t.relname::text, ix.indisunique, a.attname::text \
                 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
                 JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) ON true \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE n.nspname = current_schema() AND NOT ix.indisprimary AND t.relname NOT LIKE '_sqlx%' \
                 ORDER BY i.relname, k.ord",
            )
            .fetch_all(pool)
            .await?;
            for (name, table, unique, col) in idx {
                let e = indexes
                    .entry(name)
                    .or_insert_with(|| (table, Vec::new(), unique));
                e.1.push(col);
            }
        }
    }
    tables.retain(|t, _| !search_only(t));
    indexes.retain(|i, (t, _, _)| !search_only(i) && !search_only(t));
    for cols in tables.values_mut() {
        cols.retain(|c| !search_only(c));
        cols.sort();
    }
    Ok(SchemaShape { tables, indexes })
}
