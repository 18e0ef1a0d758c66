//! The streamed CSV export's reads: a user's records in keyset chunks, on SQLite through a rusqlite connection of its own.
//
// Why not the sqlx pool: through sqlx's `Any` driver every row is converted into owned values
// and crosses a worker thread, which cost more per row than SQLite reading it. The export opens
// a short-lived rusqlite connection with a small page cache (so a million-row export does not
// grow the process by a full 64 MiB cache), reads at most `STATEMENT_ROWS` rows per statement
// and finishes each statement before sending its rows (so no read transaction is long, or
// waits on the client, while the WAL checkpoint's restart waits for readers) and carries
// on after the last (created_at, id) it sent. PostgreSQL reads the same chunks through sqlx.

use std::path::PathBuf;

use domain::StoreError;
use domain::records::{
    Counterparty, Direction, NewRecord, ReasonCode, RecordKind, TimelineEvent, TransactionFilter,
    TransactionRecord, TransactionStatus,
};
use ledger::{Amount, Currency};
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tokio::sync::mpsc;

use crate::database::Store;
use crate::error::store_error;

/// Records sent to the receiver at a time.
pub(crate) const CHUNK_RECORDS: usize = 1_000;
/// Rows one statement reads before the next continues after its last row.
const STATEMENT_ROWS: i64 = 10_000;
/// The export connection's page cache (KiB): enough for the index's path, not the table.
const EXPORT_CACHE_KIB: i64 = 2_048;

fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} in the wallet tables"))
}

fn currency(text: &str) -> Result<Currency, StoreError> {
    Currency::parse(text).map_err(|_| corrupt("currency"))
}

/// A bound parameter of a record query.
#[derive(Clone, Debug)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// `%` and `_` taken literally inside a LIKE pattern.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The WHERE clauses of `filter` for one user's records: `$1` is the user, the filter's
/// parameters follow from `$2`, and the next free number is returned last.
pub(crate) fn filter_clauses(filter: &TransactionFilter) -> (Vec<String>, Vec<Param>, usize) {
    let mut clauses = vec!["user_id = $1".to_owned()];
    let mut params = Vec::new();
    let mut push = |clause: &str, values: Vec<Param>| {
        let mut text = String::new();
        let mut parts = clause.split("{}");
        text.push_str(parts.next().unwrap_or_default());
        for (part, value) in parts.zip(values) {
            params.push(value);
            text.push_str(&format!("${}", params.len() + 1));
            text.push_str(part);
        }
        clauses.push(text);
    };
    if let Some(kind) = filter.kind {
        push("kind = {}", vec![Param::Text(kind.code().to_owned())]);
    }
    if let Some(status) = filter.status {
        push("status = {}", vec![Param::Text(status.code().to_owned())]);
    }
    if let Some(code) = filter.currency {
        push("currency = {}", vec![Param::Text(code.code().to_owned())]);
    }
    if let Some(query) = &filter.counterparty {
        push(
            "(LOWER(counterparty_id) = {} OR LOWER(counterparty_label) LIKE {} ESCAPE '\\')",
            vec![
                Param::Text(query.clone()),
                Param::Text(format!("%{}%", like_escape(query))),
            ],
        );
    }
    if let Some(from) = filter.from {
        push("created_at >= {}", vec![Param::Int(from)]);
    }
    if let Some(to) = filter.to {
        push("created_at < {}", vec![Param::Int(to)]);
    }
    if let Some(min) = filter.amount_min {
        push("amount >= {}", vec![Param::Int(min.minor())]);
    }
    if let Some(max) = filter.amount_max {
        push("amount <= {}", vec![Param::Int(max.minor())]);
    }
    let next = params.len() + 2;
    (clauses, params, next)
}

/// One timeline event as stored (`[{"status":…,"at":…,"note":…}]`), read without building a
/// `serde_json::Value` tree.
#[derive(Deserialize)]
struct StoredEvent {
    status: String,
    at: i64,
    note: Option<String>,
}

pub(crate) fn timeline_from(text: &str) -> Result<Vec<TimelineEvent>, StoreError> {
    let events: Vec<StoredEvent> = serde_json::from_str(text).map_err(|_| corrupt("timeline"))?;
    events
        .into_iter()
        .map(|event| {
            Ok(TimelineEvent {
                status: TransactionStatus::parse(&event.status)
                    .ok_or_else(|| corrupt("timeline status"))?,
                at: event.at,
                note: event.note,
            })
        })
        .collect()
}

/// A record's columns as read, in `RECORD_COLUMNS` order, before they are checked.
pub(crate) struct RawRecord {
    pub user_id: String,
    pub id: String,
    pub kind: String,
    pub direction: String,
    pub amount: i64,
    pub currency: String,
    pub fee: i64,
    pub arrived_amount: Option<i64>,
    pub arrived_currency: Option<String>,
    pub counterparty_id: Option<String>,
    pub counterparty_label: Option<String>,
    pub note: Option<String>,
    pub fee_schedule_id: Option<String>,
    pub quote_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
    pub timeline: String,
}

impl RawRecord {
    pub(crate) fn from_any(row: &AnyRow) -> Result<RawRecord, StoreError> {
        fn get<'r, T>(row: &'r AnyRow, index: usize) -> Result<T, StoreError>
        where
            T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
        {
            row.try_get(index).map_err(store_error)
        }
        Ok(RawRecord {
            user_id: get(row, 0)?,
            id: get(row, 1)?,
            kind: get(row, 2)?,
            direction: get(row, 3)?,
            amount: get(row, 4)?,
            currency: get(row, 5)?,
            fee: get(row, 6)?,
            arrived_amount: get(row, 7)?,
            arrived_currency: get(row, 8)?,
            counterparty_id: get(row, 9)?,
            counterparty_label: get(row, 10)?,
            note: get(row, 11)?,
            fee_schedule_id: get(row, 12)?,
            quote_id: get(row, 13)?,
            failure_reason: get(row, 14)?,
            created_at: get(row, 15)?,
            timeline: get(row, 16)?,
        })
    }

    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
        Ok(RawRecord {
            user_id: row.get(0)?,
            id: row.get(1)?,
            kind: row.get(2)?,
            direction: row.get(3)?,
            amount: row.get(4)?,
            currency: row.get(5)?,
            fee: row.get(6)?,
            arrived_amount: row.get(7)?,
            arrived_currency: row.get(8)?,
            counterparty_id: row.get(9)?,
            counterparty_label: row.get(10)?,
            note: row.get(11)?,
            fee_schedule_id: row.get(12)?,
            quote_id: row.get(13)?,
            failure_reason: row.get(14)?,
            created_at: row.get(15)?,
            timeline: row.get(16)?,
        })
    }

    pub(crate) fn into_record(self) -> Result<TransactionRecord, StoreError> {
        let events = timeline_from(&self.timeline)?;
        let arrived = match (self.arrived_amount, self.arrived_currency) {
            (Some(amount), Some(code)) => Some((Amount::from_minor(amount), currency(&code)?)),
            _ => None,
        };
        let new = NewRecord {
            user_id: self.user_id,
            id: self.id,
            kind: RecordKind::parse(&self.kind).ok_or_else(|| corrupt("record kind"))?,
            direction: Direction::parse(&self.direction).ok_or_else(|| corrupt("direction"))?,
            status: events
                .first()
                .map_or(TransactionStatus::Completed, |e| e.status),
            amount: Amount::from_minor(self.amount),
            currency: currency(&self.currency)?,
            fee: Amount::from_minor(self.fee),
            arrived,
            counterparty: match (self.counterparty_id, self.counterparty_label) {
                (Some(id), Some(label)) => Some(Counterparty { id, label }),
                _ => None,
            },
            note: self.note,
            fee_schedule_id: self.fee_schedule_id,
            quote_id: self.quote_id,
            failure_reason: self
                .failure_reason
                .map(|reason| ReasonCode::parse(&reason).map_err(|_| corrupt("reason code")))
                .transpose()?,
            created_at: self.created_at,
        };
        TransactionRecord::from_stored(new, events).map_err(|_| corrupt("record"))
    }
}

/// The query of one chunk: the filter, then (after the first chunk) the keyset cursor, newest
/// first, at most `STATEMENT_ROWS` rows.
fn chunk_sql(filter: &TransactionFilter, after: bool) -> (String, Vec<Param>, usize, usize) {
    let (mut clauses, params, next) = filter_clauses(filter);
    let cursor_at = next;
    if after {
        clauses.push(format!(
            "(created_at < ${cursor_at} OR (created_at = ${cursor_at} AND id < ${}))",
            cursor_at + 1
        ));
    }
    let limit_at = if after { next + 2 } else { next };
    let sql = format!(
        "SELECT {} FROM wallet_records WHERE {} ORDER BY created_at DESC, id DESC LIMIT ${limit_at}",
        crate::wallet_store::RECORD_COLUMNS,
        clauses.join(" AND ")
    );
    (sql, params, cursor_at, limit_at)
}

impl Store {
    /// Every record of `user_id` that `filter` keeps, newest first, sent to `sink` in chunks of
    /// `CHUNK_RECORDS` while the receiver keeps up. Ends early, without error, when the
    /// receiver is gone.
    pub(crate) async fn export_records_to(
        &self,
        user_id: &str,
        filter: &TransactionFilter,
        sink: mpsc::Sender<Vec<TransactionRecord>>,
    ) -> Result<(), StoreError> {
        match self.sqlite_path() {
            Some(path) => {
                let (user_id, filter) = (user_id.to_owned(), filter.clone());
                tokio::task::spawn_blocking(move || export_sqlite(path, &user_id, &filter, &sink))
                    .await
                    .map_err(|error| StoreError::Unavailable(error.to_string()))?
            }
            None => self.export_pooled(user_id, filter, &sink).await,
        }
    }

    async fn export_pooled(
        &self,
        user_id: &str,
        filter: &TransactionFilter,
        sink: &mpsc::Sender<Vec<TransactionRecord>>,
    ) -> Result<(), StoreError> {
        let mut cursor: Option<(i64, String)> = None;
        loop {
            let (sql, params, _, _) = chunk_sql(filter, cursor.is_some());
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user_id.to_owned());
            for param in params {
                query = match param {
                    Param::Text(text) => query.bind(text),
                    Param::Int(int) => query.bind(int),
                };
            }
            if let Some((at, id)) = cursor.take() {
                query = query.bind(at).bind(id);
            }
            let rows = query
                .bind(STATEMENT_ROWS)
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            let full = rows.len() as i64 == STATEMENT_ROWS;
            let records = rows
                .iter()
                .map(|row| RawRecord::from_any(row)?.into_record())
                .collect::<Result<Vec<_>, StoreError>>()?;
            drop(rows);
            cursor = records
                .last()
                .map(|last| (last.created_at, last.id.clone()));
            let mut records = records.into_iter();
            loop {
                let chunk: Vec<TransactionRecord> = records.by_ref().take(CHUNK_RECORDS).collect();
                if chunk.is_empty() {
                    break;
                }
                if sink.send(chunk).await.is_err() {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// The SQLite side of [`Store::export_records_to`], on a blocking thread.
fn export_sqlite(
    path: PathBuf,
    user_id: &str,
    filter: &TransactionFilter,
    sink: &mpsc::Sender<Vec<TransactionRecord>>,
) -> Result<(), StoreError> {
    use crate::sqlite_ledger::sqlite_error;
    use rusqlite::types::Value;

    let connection = rusqlite::Connection::open(&path).map_err(sqlite_error)?;
    connection
        .execute_batch(&format!(
            "PRAGMA busy_timeout = 10000; PRAGMA query_only = 1; PRAGMA cache_size = -{EXPORT_CACHE_KIB};"
        ))
        .map_err(sqlite_error)?;
    let mut cursor: Option<(i64, String)> = None;
    loop {
        let (sql, params, cursor_at, limit_at) = chunk_sql(filter, cursor.is_some());
        let mut statement = connection.prepare(&sql).map_err(sqlite_error)?;
        let mut bind = |number: usize, value: Value| {
            statement
                .raw_bind_parameter(format!("${number}").as_str(), value)
                .map_err(sqlite_error)
        };
        bind(1, Value::Text(user_id.to_owned()))?;
        for (index, param) in params.into_iter().enumerate() {
            let value = match param {
                Param::Text(text) => Value::Text(text),
                Param::Int(int) => Value::Integer(int),
            };
            bind(index + 2, value)?;
        }
        if let Some((at, id)) = cursor.take() {
            bind(cursor_at, Value::Integer(at))?;
            bind(cursor_at + 1, Value::Text(id))?;
        }
        bind(limit_at, Value::Integer(STATEMENT_ROWS))?;
        // The statement's rows are read to the end before any is sent: its read transaction
        // never waits on a slow client.
        let mut records = Vec::with_capacity(STATEMENT_ROWS as usize);
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next().map_err(sqlite_error)? {
            records.push(
                RawRecord::from_sqlite(row)
                    .map_err(sqlite_error)?
                    .into_record()?,
            );
        }
        drop(rows);
        let read = records.len() as i64;
        cursor = records
            .last()
            .map(|last| (last.created_at, last.id.clone()));
        let mut records = records.into_iter();
        loop {
            let chunk: Vec<TransactionRecord> = records.by_ref().take(CHUNK_RECORDS).collect();
            if chunk.is_empty() {
                break;
            }
            if sink.blocking_send(chunk).is_err() {
                return Ok(());
            }
        }
        if read < STATEMENT_ROWS {
            return Ok(());
        }
    }
}
