//! The hot reads of a request on SQLite (session, users, tier, limits used, kept answers) through a small pool of rusqlite connections, on the caller's thread.
//
// Through sqlx every statement crosses to its connection's worker thread and back, and the
// `Any` driver converts each row twice: a transfer's seven reads cost more in thread switches
// than in SQLite. A read here takes an idle connection, runs a cached prepared statement where
// the request already runs, and gives the connection back. In WAL mode a read never waits for
// the writer, so holding a runtime thread for it costs what the statement costs (microseconds);
// no statement is left open, so no read pins the WAL against the checkpointer.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use domain::StoreError;
use rusqlite::{Connection, OptionalExtension, Params, Row};

use crate::sqlite_ledger::sqlite_error;

/// Idle connections kept; more readers at once open more and close them after.
const IDLE_CONNECTIONS_MAX: usize = 8;
/// Each connection's page cache. A commit by any other connection empties it (WAL), so it
/// only needs the pages of one read.
///
/// The file is not mapped into memory: a read that begins after another connection's commit
/// unmaps the whole map (SQLite does, in case the file was truncated meanwhile), and the next
/// page maps it again and faults its pages in. With the ledger committing hundreds of times a
/// second that was about 1,400 munmap/mmap pairs a second; reading pages with `pread` instead
/// gave 5-13% more HTTP transfers a second (README, Figures).
const CACHE_KIB: u32 = 4_096;

/// Read-only connections to the embedded database, lent one read at a time.
#[derive(Debug)]
pub(crate) struct SqliteReads {
    path: PathBuf,
    /// `None` once the store is closed: a read then fails as a closed sqlx pool does.
    idle: Mutex<Option<Vec<Connection>>>,
}

impl SqliteReads {
    pub(crate) fn new(path: &Path) -> SqliteReads {
        SqliteReads {
            path: path.to_owned(),
            idle: Mutex::new(Some(Vec::new())),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let connection = Connection::open(&self.path).map_err(sqlite_error)?;
        connection
            .execute_batch(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA query_only = 1; \
                 PRAGMA cache_size = -{CACHE_KIB};"
            ))
            .map_err(sqlite_error)?;
        connection.set_prepared_statement_cache_capacity(32);
        Ok(connection)
    }

    /// Runs `read` on an idle connection (or a new one).
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let lent = match self.idle.lock().expect("never poisoned").as_mut() {
            Some(idle) => idle.pop(),
            None => return Err(closed()),
        };
        let connection = match lent {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection).map_err(sqlite_error);
        if let Some(idle) = self.idle.lock().expect("never poisoned").as_mut()
            && idle.len() < IDLE_CONNECTIONS_MAX
        {
            idle.push(connection);
        }
        result
    }

    /// The one row `sql` finds with `params`, if any, through a cached statement.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_row(params, map)
                .optional()
        })
    }

    /// Closes every idle connection; later reads fail.
    pub(crate) fn close(&self) {
        self.idle.lock().expect("never poisoned").take();
    }
}

fn closed() -> StoreError {
    StoreError::Unavailable("the store is closed".into())
}
