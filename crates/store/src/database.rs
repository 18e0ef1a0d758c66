//! Connecting to SQLite or PostgreSQL, durability settings, migrations, readiness and backup.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::error::store_error;
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
    url: String,
    connections_max: u32,
}

/// How often the background checkpointer copies the WAL back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Copies committed WAL frames into the database file from a connection of its own, on the other
/// core, while the ledger's writer goes on committing. A PASSIVE checkpoint never blocks writers;
/// the task ends when the pool is closed.
fn checkpoint_in_background(pool: AnyPool) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(%error, "WAL checkpoint failed; the next one retries");
            }
        }
    });
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
                             PRAGMA temp_store = MEMORY;"
                        }
                        Dialect::Postgres => "SET synchronous_commit = on; SET lock_timeout = '30s';",
                    };
                    connection.execute(sqlx::raw_sql(settings)).await.map(|_| ())
                })
            })
            .connect(url)
            .await
            .map_err(store_error)?;
        if dialect == Dialect::Sqlite {
            checkpoint_in_background(pool.clone());
        }
        Ok(Store {
            pool,
            dialect,
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

    /// Applies the migrations this build carries; several processes may call it at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|error| StoreError::Unavailable(error.to_string()))
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
