//! Connecting to SQLite or PostgreSQL, durability settings, migrations, readiness and backup.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::error::store_error;
use crate::sqlite_ledger::SqliteLedger;
use crate::sqlite_reads::SqliteReads;
use domain::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The SQL dialect behind a connection URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// Opens a transaction that will write. SQLite must take its write lock up front: a deferred
    /// transaction that reads and then writes fails with SQLITE_BUSY when another connection
    /// wrote in between, instead of waiting.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Row locks for reads that precede writes, taken in id order so that processes locking
    /// overlapping rows never deadlock. SQLite's write lock already covers the whole database.
    pub(crate) fn lock_rows_in_id_order(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " ORDER BY id FOR UPDATE",
        }
    }
}

/// A pool of connections to OKPay's database, migrated and configured for durable commits.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// On SQLite, the ledger's own writing connection and thread (see `sqlite_ledger`).
    pub(crate) sqlite_ledger: Option<Arc<SqliteLedger>>,
    /// On SQLite, the connections a request's hot reads run on (see `sqlite_reads`).
    pub(crate) sqlite_reads: Option<Arc<SqliteReads>>,
    url: String,
    connections_max: u32,
}

/// How often the background checkpointer copies the WAL back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);
/// Past this size the checkpointer RESTARTs the WAL instead: a writer that never pauses keeps a
/// PASSIVE checkpoint from ever letting the WAL start again from its beginning, so it would grow
/// without bound. (`journal_size_limit` then truncates the file back to this size.)
const WAL_RESTART_BYTES: u64 = 64 * 1024 * 1024;

/// Copies committed WAL frames into the database file from a connection of its own, on the other
/// core, while the ledger's writer goes on committing. A PASSIVE checkpoint never blocks writers;
/// a RESTART, once the WAL is long, holds them back until it has copied every frame and readers
/// have left the log, so that the next commit writes from its beginning. The task ends when the
/// pool is closed.
fn checkpoint_in_background(pool: AnyPool, wal: PathBuf) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if pool.is_closed() {
                break;
            }
            let long = tokio::fs::metadata(&wal)
                .await
                .is_ok_and(|wal| wal.len() > WAL_RESTART_BYTES);
            let checkpoint = if long {
                "PRAGMA wal_checkpoint(RESTART)"
            } else {
                "PRAGMA wal_checkpoint(PASSIVE)"
            };
            match sqlx::query_scalar::<_, i64>(checkpoint)
                .fetch_one(&pool)
                .await
            {
                Ok(0) => {}
                // SQLITE_BUSY: the checkpoint could not finish; the next tick tries again.
                Ok(_) if long => tracing::debug!("the WAL restart was busy; the next one retries"),
                Ok(_) => {}
                Err(error) => {
                    if pool.is_closed() {
                        break;
                    }
                    tracing::warn!(%error, "WAL checkpoint failed; the next one retries");
                }
            }
        }
    });
}

/// The database file a `sqlite:` URL names; the ledger's own connection opens it too.
fn sqlite_file(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Err(StoreError::Unavailable(format!(
            "{url:?} names no database file: OKPay keeps SQLite data in a file"
        )));
    }
    Ok(PathBuf::from(path))
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) with at most `connections_max`
    /// connections. Every connection commits durably: SQLite runs in WAL mode with
    /// `synchronous=FULL`, PostgreSQL with `synchronous_commit=on`.
    pub async fn connect(url: &str, connections_max: u32) -> Result<Store, StoreError> {
        install_default_drivers();
        let dialect = Dialect::of_url(url).ok_or_else(|| {
            StoreError::Unavailable(format!(
                "unsupported database URL {url:?}: use sqlite:// or postgres://"
            ))
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(connections_max)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    let settings = match dialect {
                        // busy_timeout first, so that switching to WAL waits for other processes.
                        // Checkpoints run on their own connection (see `checkpoint_in_background`),
                        // not inside the commit of whichever batch crosses the WAL's threshold.
                        Dialect::Sqlite => {
                            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA wal_autocheckpoint = 0; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; \
                             PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;"
                        }
                        Dialect::Postgres => "SET synchronous_commit = on; SET lock_timeout = '30s';",
                    };
                    connection.execute(sqlx::raw_sql(settings)).await.map(|_| ())
                })
            })
            .connect(url)
            .await
            .map_err(store_error)?;
        let (sqlite_ledger, sqlite_reads) = match dialect {
            Dialect::Sqlite => {
                let path = sqlite_file(url)?;
                checkpoint_in_background(pool.clone(), crate::sqlite_ledger::wal_path(&path));
                (
                    Some(Arc::new(SqliteLedger::start(&path)?)),
                    Some(Arc::new(SqliteReads::new(&path))),
                )
            }
            Dialect::Postgres => (None, None),
        };
        Ok(Store {
            pool,
            dialect,
            sqlite_ledger,
            sqlite_reads,
            url: url.to_owned(),
            connections_max,
        })
    }

    /// A second, independent pool to the same database, as another okpay process would have.
    pub async fn connect_again(&self) -> Result<Store, StoreError> {
        Store::connect(&self.url, self.connections_max).await
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The embedded database's file, for readers that open connections of their own.
    pub(crate) fn sqlite_path(&self) -> Option<PathBuf> {
        match self.dialect {
            Dialect::Sqlite => sqlite_file(&self.url).ok(),
            Dialect::Postgres => None,
        }
    }

    /// Applies the migrations this build carries; several processes may call it at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        match &self.sqlite_ledger {
            Some(ledger) => ledger.backfill_key_hashes().await,
            None => Ok(()),
        }
    }

    /// True when the database answers a query.
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Writes a consistent copy of the embedded database to `path` while it stays in use
    /// (SQLite's `VACUUM INTO` reads one snapshot). PostgreSQL has its own tools (pg_dump).
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        if self.dialect != Dialect::Sqlite {
            return Err(StoreError::Unavailable(
                "backup copies the embedded SQLite database; use pg_dump for PostgreSQL".into(),
            ));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Unavailable("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        if let Some(ledger) = &self.sqlite_ledger {
            ledger.close().await;
        }
        if let Some(reads) = &self.sqlite_reads {
            reads.close();
        }
        self.pool.close().await;
    }
}

impl Store {
    /// Where an entry stands, or `None` when no such entry was ever written.
    pub async fn entry_status(
        &self,
        entry_id: &ledger::EntryId,
    ) -> Result<Option<ledger::EntryStatus>, StoreError> {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM ledger_entries WHERE id = $1")
                .bind(entry_id.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
        Ok(status.as_deref().and_then(ledger::EntryStatus::parse))
    }

    /// The ids of entries whose id starts with `prefix`, for audits (and the crash test) that ask
    /// "which of these were written?".
    pub async fn entry_ids_starting_with(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sqlx::query_scalar("SELECT id FROM ledger_entries WHERE id LIKE $1 ESCAPE '\\' ORDER BY id")
            .bind(format!("{escaped}%"))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)
    }
}

impl Store {
    /// The server secret called `name`, made (256 random bits, hex) the first time it is asked
    /// for. Every process sharing the database gets the same value.
    pub async fn server_secret(&self, name: &str, fresh_value: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name.to_owned())
            .bind(fresh_value.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name.to_owned())
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
    }
}
