//! convene's storage: one store API over SQLite (the embedded default) and
//! PostgreSQL (for several nodes sharing the load).
//!
//! A [`Db`] wraps the native pool of either backend. Queries are written once
//! as constant SQL with `$n` placeholders and run on whichever backend is in
//! use through the [`run!`] macro; only where the SQL must differ (the job
//! claim, schema introspection) is there one string per backend. Use-cases
//! own transaction boundaries: they call [`Db::begin`], hand `tx.ex()` to the
//! query functions in this crate's modules, and commit.
//!
//! Each table has its own module whose functions take an [`Ex`].

use counters::{Counter, Counters};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use sqlx;

pub mod api_tokens;
pub mod auth_tokens;
pub mod calendars;
pub mod comments;
pub mod counters;
pub mod dashboard;
pub mod deliveries;
pub mod events;
pub mod federation;
pub mod grants;
pub mod groups;
pub mod invitations;
pub mod jobs;
pub mod list_archive;
pub mod list_digests;
pub mod list_messages;
pub mod lists;
pub mod media;
pub mod posts;
pub mod rate_limits;
pub mod roster_reviews;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod testing;
pub mod users;
pub mod weekly;

/// Runs the same query expression against whichever backend `$ex` holds.
///
/// `run!(ex, |c| sqlx::query("...").bind(x).execute(c).await)` expands to a
/// `match` whose arms each type-check the body for their own backend.
#[macro_export]
macro_rules! run {
    ($ex:expr, |$c:ident| $body:expr) => {
        match $ex {
            $crate::Ex::Sqlite($c) => $body,
            $crate::Ex::Postgres($c) => $body,
        }
    };
}

/// Runs a statement with the given binds on whichever backend `$ex` holds
/// and returns the number of rows it changed.
#[macro_export]
macro_rules! execute {
    ($ex:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $ex {
            $crate::Ex::Sqlite(c) => $crate::sqlx::query($sql)$(.bind($arg))*.execute(c).await.map(|r| r.rows_affected()),
            $crate::Ex::Postgres(c) => $crate::sqlx::query($sql)$(.bind($arg))*.execute(c).await.map(|r| r.rows_affected()),
        }
    };
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A pool of connections to the configured database, with its change
/// counters kept in memory (see [`counters`]).
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    counters: Arc<Counters>,
    /// A second small pool onto the same database whose commits do not
    /// wait for the disk, for [`Db::begin_ledger`].
    ledger: Option<Pool>,
}

/// The native pool of either backend.
#[derive(Debug, Clone)]
pub enum Pool {
    /// SQLite in WAL mode with foreign keys on.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A borrowed connection (inside a transaction or not) to run one query on.
pub enum Ex<'c> {
    /// A SQLite connection.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL connection.
    Postgres(&'c mut PgConnection),
}

/// An open write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    inner: TxInner,
    /// `None` for ledger transactions, which change no counter.
    counters: Option<Arc<Counters>>,
}

enum TxInner {
    /// On SQLite, begun with `BEGIN IMMEDIATE` so writers queue on the lock
    /// instead of failing with "database is locked" half-way.
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL, an ordinary read-committed transaction.
    Postgres(Transaction<'static, Postgres>),
}

/// A connection taken from the pool for reads outside a transaction.
pub enum Conn {
    /// SQLite.
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write (an address or key already taken).
    #[error("already exists")]
    Duplicate,
    /// A stored value could not be read back into its domain type.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database or the connection failed.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Database(e),
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// For PostgreSQL: the schema to use (`search_path`); tests use a fresh one each.
    pub pg_schema: Option<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            pg_schema: None,
        }
    }
}

impl Db {
    fn new(pool: Pool, ledger: Option<Pool>) -> Self {
        Self {
            pool,
            counters: Arc::new(Counters::default()),
            ledger,
        }
    }

    /// The native pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Opens the SQLite database file at `path`, creating it if missing.
    pub async fn open_sqlite(path: &Path, opts: &DbOptions) -> Result<Self> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a write that was acknowledged survives power loss, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections)
            .connect_with(connect.clone())
            .await?;
        // NORMAL in WAL mode: a commit is safe from a crash of convene, and
        // the database stays whole at a power loss, but the last commits
        // before it may be undone. Only ledger writes use this pool.
        let ledger = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(connect.synchronous(SqliteSynchronous::Normal))
            .await?;
        Ok(Db::new(Pool::Sqlite(pool), Some(Pool::Sqlite(ledger))))
    }

    /// Connects to PostgreSQL at `url`.
    pub async fn open_postgres(url: &str, opts: &DbOptions) -> Result<Self> {
        let mut connect = PgConnectOptions::from_str(url)?;
        if let Some(schema) = &opts.pg_schema {
            connect = connect.options([("search_path", schema.as_str())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect.clone())
            .await?;
        // The server confirms a ledger commit before writing it out: a
        // crash of convene loses nothing, a crash of the server itself the
        // last fraction of a second. Only ledger writes use this pool.
        let ledger = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(connect.options([("synchronous_commit", "off")]));
        Ok(Db::new(Pool::Postgres(pool), Some(Pool::Postgres(ledger))))
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every embedded migration not yet applied, in order.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx {
                inner: TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
                counters: Some(self.counters.clone()),
            },
            Pool::Postgres(pool) => Tx {
                inner: TxInner::Postgres(pool.begin().await?),
                counters: Some(self.counters.clone()),
            },
        })
    }

    /// Begins a write transaction for a delivery ledger: records of what a
    /// relay has taken, written many times a second while mail goes out,
    /// where a lost record means a member gets a copy twice, never that one
    /// is lost. Its commit survives a crash of convene like any other, but
    /// does not wait for the disk: on SQLite it is not flushed
    /// (`synchronous = NORMAL`), on PostgreSQL the server confirms it before
    /// writing it out (`synchronous_commit = off`), so a power loss or a
    /// crash of the database server may undo the last fraction of a second
    /// of records. It must not change the change counters, which it leaves
    /// unread.
    pub async fn begin_ledger(&self) -> Result<Tx> {
        let inner = match self.ledger.as_ref().unwrap_or(&self.pool) {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            counters: None,
        })
    }

    /// Takes a connection for reads.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        match conn.ex() {
            Ex::Sqlite(c) => c.ping().await?,
            Ex::Postgres(c) => c.ping().await?,
        }
        Ok(())
    }

    /// Writes a consistent snapshot of a SQLite database to `dest` while
    /// the site keeps running (`VACUUM INTO`). Refused on PostgreSQL, whose
    /// own `pg_dump` does this job.
    pub async fn backup_sqlite(&self, dest: &Path) -> Result<(), BackupError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(BackupError::UsePgDump);
        };
        if dest.exists() {
            return Err(BackupError::Exists(dest.display().to_string()));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| BackupError::Exists("path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(pool)
            .await
            .map_err(|e| BackupError::Store(e.into()))?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (SQLite's `PRAGMA optimize`,
    /// PostgreSQL's `ANALYZE`) after large changes such as an import.
    pub async fn optimize(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
            }
            Pool::Postgres(pool) => {
                // convene's own tables only: a bare ANALYZE visits every
                // table of the database, warning about each system catalog
                // it may not read.
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()",
                )
                .fetch_all(pool)
                .await?;
                if !tables.is_empty() {
                    let sql = format!("ANALYZE {}", tables.join(", "));
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// Completes the next time any change counter grows in memory: after
    /// a commit in this process, or when another process's change is seen
    /// (at once on PostgreSQL, within a second on SQLite). Create it before
    /// looking at what it guards, so a change in between is not missed.
    pub fn next_counter_raise(&self) -> tokio::sync::futures::Notified<'_> {
        self.counters.next_raise()
    }

    /// The value of a change counter, from memory once it has been read.
    pub async fn counter(&self, c: Counter) -> Result<i64> {
        if let Some(v) = self.counters.get(c) {
            return Ok(v);
        }
        self.refresh_counters().await?;
        Ok(self.counters.get(c).unwrap_or_default())
    }

    /// Reads the change counters from the database into memory.
    pub async fn refresh_counters(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        let seen = counters::read_all(conn.ex()).await?;
        self.counters.raise_all(&seen);
        Ok(())
    }

    /// Keeps the change counters in memory true to changes made elsewhere:
    /// reads them every second and, on PostgreSQL, listens for the
    /// announcements of other instances' commits. Runs until the task is
    /// aborted.
    pub async fn watch_counters(&self) {
        let poll = async {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.refresh_counters().await {
                    tracing::warn!(error = %e, "the change counters could not be read");
                }
            }
        };
        match &self.pool {
            Pool::Postgres(pool) => {
                tokio::join!(poll, listen_for_counters(pool, &self.counters));
            }
            Pool::Sqlite(_) => poll.await,
        }
    }

    /// Closes every pooled connection, waiting for those in use.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
        match &self.ledger {
            Some(Pool::Sqlite(p)) => p.close().await,
            Some(Pool::Postgres(p)) => p.close().await,
            None => {}
        }
    }
}

/// Why a backup was not written.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL.
    #[error(
        "this site stores its data in PostgreSQL; back it up with pg_dump (for example: pg_dump --format=custom --file=convene.dump \"$CONVENE_DATABASE_URL\")"
    )]
    UsePgDump,
    /// The destination already exists and is never overwritten.
    #[error("{0} already exists; choose a new file name")]
    Exists(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Tx {
    /// The connection to run queries in this transaction on.
    pub fn ex(&mut self) -> Ex<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t) => Ex::Sqlite(t),
            TxInner::Postgres(t) => Ex::Postgres(t),
        }
    }

    /// Makes every write in the transaction durable, then raises the change
    /// counters in memory to what the transaction saw, so its own changes
    /// show at once.
    pub async fn commit(mut self) -> Result<()> {
        let seen = match &self.counters {
            Some(_) => Some(counters::read_all(self.ex()).await?),
            None => None,
        };
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        if let (Some(counters), Some(seen)) = (&self.counters, seen) {
            counters.raise_all(&seen);
        }
        Ok(())
    }
}

/// Listens on `convene_counters` for the counters other instances raise,
/// reconnecting after a failure; a second's poll covers what is missed
/// while it reconnects.
async fn listen_for_counters(pool: &PgPool, counters: &Counters) {
    loop {
        if let Err(e) = listen_once(pool, counters).await {
            tracing::warn!(error = %e, "listening for change counters failed; trying again");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Listens until the connection fails.
async fn listen_once(pool: &PgPool, counters: &Counters) -> Result<(), sqlx::Error> {
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(pool)
        .await?;
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen("convene_counters").await?;
    loop {
        let n = listener.recv().await?;
        counters.announced(&schema, n.payload());
    }
}

impl Ex<'_> {
    /// The same connection again, for one more query.
    pub fn reborrow(&mut self) -> Ex<'_> {
        match self {
            Ex::Sqlite(c) => Ex::Sqlite(c),
            Ex::Postgres(c) => Ex::Postgres(c),
        }
    }
}

impl Conn {
    /// The connection to run queries on.
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Conn::Sqlite(c) => Ex::Sqlite(c),
            Conn::Postgres(c) => Ex::Postgres(c),
        }
    }
}
