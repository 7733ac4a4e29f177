//! Fresh databases for tests: a temporary SQLite file by default, or a new
//! PostgreSQL schema when `CONVENE_TEST_DATABASE_URL` is set, so the same
//! suite runs on both backends with no shared state between tests.

use crate::{Db, DbOptions, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// The variable naming a PostgreSQL database to run the suite against.
pub const TEST_DATABASE_URL: &str = "CONVENE_TEST_DATABASE_URL";

/// A migrated database that lives as long as this value.
pub struct TestDb {
    /// The database.
    pub db: Db,
    /// The SQLite file's folder, removed on drop.
    pub dir: Option<tempfile_dir::Dir>,
    /// The PostgreSQL URL and schema, for tests that open a second pool.
    pub postgres: Option<(String, String)>,
}

/// A folder removed when dropped (kept tiny to avoid a dependency).
pub mod tempfile_dir {
    use std::path::{Path, PathBuf};

    /// A temporary folder.
    #[derive(Debug)]
    pub struct Dir(PathBuf);

    impl Dir {
        /// Makes a new, empty folder under the system's temporary folder.
        pub fn new(tag: &str) -> std::io::Result<Self> {
            let path = std::env::temp_dir().join(format!(
                "convene-test-{}-{}-{}",
                std::process::id(),
                tag,
                super::next_id()
            ));
            std::fs::create_dir_all(&path)?;
            Ok(Self(path))
        }

        /// Its path.
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    NEXT.fetch_add(1, Ordering::Relaxed) * 1_000_000_000 + nanos
}

impl TestDb {
    /// A fresh, migrated database on the backend the environment selects.
    pub async fn new() -> Result<Self> {
        match std::env::var(TEST_DATABASE_URL) {
            Ok(url) if !url.is_empty() => Self::postgres(&url).await,
            _ => Self::sqlite().await,
        }
    }

    /// A fresh, migrated SQLite file.
    pub async fn sqlite() -> Result<Self> {
        let dir =
            tempfile_dir::Dir::new("db").map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let db = Db::open_sqlite(&dir.path().join("convene.db"), &DbOptions::default()).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            dir: Some(dir),
            postgres: None,
        })
    }

    /// A fresh, migrated schema in the PostgreSQL database at `url`.
    pub async fn postgres(url: &str) -> Result<Self> {
        let schema = format!("t{}_{}", std::process::id(), next_id());
        let admin = Db::open_postgres(
            url,
            &DbOptions {
                max_connections: 1,
                pg_schema: None,
            },
        )
        .await?;
        if let crate::Pool::Postgres(pool) = admin.pool() {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(pool)
                .await?;
        }
        admin.close().await;
        let db = Self::open_schema(url, &schema).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            dir: None,
            postgres: Some((url.to_owned(), schema)),
        })
    }

    /// Another pool onto the same PostgreSQL schema (as a second node would have).
    pub async fn open_schema(url: &str, schema: &str) -> Result<Db> {
        Db::open_postgres(
            url,
            &DbOptions {
                max_connections: 8,
                pg_schema: Some(schema.to_owned()),
            },
        )
        .await
    }
}
