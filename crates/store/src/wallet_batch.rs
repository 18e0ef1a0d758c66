//! The wallet writer's batch in one transaction: on PostgreSQL one statement per table with the rows as one JSON parameter, on SQLite prepared statements bound row by row.
//
// Why: the writer is one task serving every request, and a statement per row through sqlx's
// `Any` driver (a trip to the connection's worker thread, every value converted) cost more than
// PostgreSQL spent on the rows: three inserts and one read per batch, whatever its size. On
// SQLite the batch runs on the ledger's committing connection (rusqlite, inside or between
// ledger batches): a commit from any other connection would make the ledger's next batch start
// again from the database. There a cached prepared statement per row costs less than SQLite's
// unpacking of a JSON parameter (json_each was a quarter of the committer's time).

use std::collections::HashMap;

use domain::StoreError;
use domain::limits::LimitKind;
use domain::notify::OutboundMessage;
use domain::records::TransactionRecord;
use domain::wallet::{ResponseToKeep, StoredResponse, WriteJob};
use ledger::{Applied, Rejection};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::bulk::{BoundRows, Column, JsonRows, placeholders};
use crate::database::{Dialect, Store};
use crate::error::store_error;

fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} in the wallet tables"))
}

const RECORD_COLUMNS: &[Column] = &[
    Column::Text("user_id"),
    Column::Text("id"),
    Column::Text("kind"),
    Column::Text("direction"),
    Column::Text("status"),
    Column::BigInt("amount"),
    Column::Text("currency"),
    Column::BigInt("fee"),
    Column::BigInt("arrived_amount"),
    Column::Text("arrived_currency"),
    Column::Text("counterparty_id"),
    Column::Text("counterparty_label"),
    Column::Text("note"),
    Column::Text("category"),
    Column::Text("fee_schedule_id"),
    Column::Text("quote_id"),
    Column::Text("failure_reason"),
    Column::Text("limit_kind"),
    Column::BigInt("created_at"),
    Column::BigInt("updated_at"),
    Column::Text("timeline"),
];

const MESSAGE_COLUMNS: &[Column] = &[
    Column::Text("id"),
    Column::Text("channel"),
    Column::Text("recipient"),
    Column::Text("locale"),
    Column::Text("subject"),
    Column::Text("body"),
    Column::BigInt("created_at"),
    Column::BigInt("sent_at"),
];

const RESPONSE_COLUMNS: &[Column] = &[
    Column::Text("user_id"),
    Column::Text("idem_key"),
    Column::Text("request_hash"),
    Column::BigInt("status"),
    Column::Text("body"),
    Column::BigInt("created_at"),
];

/// `name, name, …` of `columns`.
fn names(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|column| match column {
            Column::Text(name) | Column::BigInt(name) => *name,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A batch's statements and their rows.
struct BatchSql<R> {
    /// `(sql, rows)` of each insert that has rows.
    inserts: Vec<(String, R)>,
    /// What is kept under every key of the batch now, when it keeps answers: `(sql, keys)`.
    kept: Option<(String, R)>,
}

/// How a batch's rows reach the database: [`JsonRows`], one parameter for a whole table
/// (PostgreSQL, through sqlx), or [`BoundRows`], a statement execution per row (SQLite).
trait BatchRows: Clone {
    fn with_capacity(rows: usize) -> Self;
    fn row(&mut self) -> &mut Self;
    fn text(&mut self, value: &str) -> &mut Self;
    fn int(&mut self, value: i64) -> &mut Self;
    fn opt_text(&mut self, value: Option<&str>) -> &mut Self;
    fn opt_int(&mut self, value: Option<i64>) -> &mut Self;
    /// `INSERT INTO table (columns) … tail`, taking its values from these rows.
    fn insert_sql(dialect: Dialect, table: &str, columns: &[Column], tail: &str) -> String;
    /// What is kept under the `(user_id, idem_key)` these rows begin with.
    fn kept_sql(dialect: Dialect) -> String;
}

const KEPT_COLUMNS: &str = "h.user_id, h.idem_key, h.request_hash, h.status, h.body";

impl BatchRows for JsonRows {
    fn with_capacity(rows: usize) -> Self {
        JsonRows::with_capacity(rows)
    }
    fn row(&mut self) -> &mut Self {
        JsonRows::row(self)
    }
    fn text(&mut self, value: &str) -> &mut Self {
        JsonRows::text(self, value)
    }
    fn int(&mut self, value: i64) -> &mut Self {
        JsonRows::int(self, value)
    }
    fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        JsonRows::opt_text(self, value)
    }
    fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        JsonRows::opt_int(self, value)
    }
    fn insert_sql(dialect: Dialect, table: &str, columns: &[Column], tail: &str) -> String {
        // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        format!(
            "INSERT INTO {table} ({names}) SELECT {names} FROM ({source}) AS r WHERE true {tail}",
            names = names(columns),
            source = dialect.json_rows(columns),
        )
    }
    fn kept_sql(dialect: Dialect) -> String {
        format!(
            "SELECT {KEPT_COLUMNS} FROM http_idempotency h JOIN ({source}) AS r \
                 ON h.user_id = r.user_id AND h.idem_key = r.idem_key",
            source = dialect.json_rows(&RESPONSE_COLUMNS[..2]),
        )
    }
}

impl BatchRows for BoundRows {
    fn with_capacity(rows: usize) -> Self {
        BoundRows::with_capacity(rows)
    }
    fn row(&mut self) -> &mut Self {
        BoundRows::row(self)
    }
    fn text(&mut self, value: &str) -> &mut Self {
        BoundRows::text(self, value)
    }
    fn int(&mut self, value: i64) -> &mut Self {
        BoundRows::int(self, value)
    }
    fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        BoundRows::opt_text(self, value)
    }
    fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        BoundRows::opt_int(self, value)
    }
    fn insert_sql(_: Dialect, table: &str, columns: &[Column], tail: &str) -> String {
        format!(
            "INSERT INTO {table} ({names}) VALUES ({values}) {tail}",
            names = names(columns),
            values = placeholders(columns.len()),
        )
    }
    fn kept_sql(_: Dialect) -> String {
        format!(
            "SELECT {KEPT_COLUMNS} FROM http_idempotency h WHERE h.user_id = ?1 AND h.idem_key = ?2"
        )
    }
}

impl Store {
    /// Writes a batch of records, messages and kept answers in one transaction and answers,
    /// for each answer to keep, the one kept under its key (the first one ever written).
    pub(crate) async fn write_wallet_batch(
        &self,
        records: &[(TransactionRecord, Option<LimitKind>)],
        messages: &[OutboundMessage],
        responses: &[ResponseToKeep],
    ) -> Result<Vec<StoredResponse>, StoreError> {
        let keys: Vec<(String, String)> = responses
            .iter()
            .map(|keep| (keep.user_id.clone(), keep.key.clone()))
            .collect();
        let found = match &self.sqlite_ledger {
            // On the ledger's committing connection: no trip through sqlx per statement, no
            // second writer waiting for SQLite's lock, and the ledger's memory stays valid.
            Some(ledger) => {
                let batch = batch_sql::<BoundRows>(self.dialect, records, messages, responses);
                ledger
                    .write_beside(move |connection| write_sqlite(connection, batch))
                    .await?
            }
            None => {
                let batch = batch_sql::<JsonRows>(self.dialect, records, messages, responses);
                self.write_sqlx(batch).await?
            }
        };
        // A key may come twice in one batch (a request racing its own retry): both get the one kept.
        let by_key: HashMap<(String, String), StoredResponse> = found.into_iter().collect();
        keys.iter()
            .map(|key| {
                by_key
                    .get(key)
                    .cloned()
                    .ok_or_else(|| corrupt("kept answer"))
            })
            .collect()
    }
}

/// The statements that write `records`, `messages` and `responses`, in `dialect`.
fn batch_sql<R: BatchRows>(
    dialect: Dialect,
    records: &[(TransactionRecord, Option<LimitKind>)],
    messages: &[OutboundMessage],
    responses: &[ResponseToKeep],
) -> BatchSql<R> {
    let mut batch = BatchSql {
        inserts: Vec::with_capacity(3),
        kept: None,
    };
    if !records.is_empty() {
        let mut rows = R::with_capacity(records.len());
        for (record, limit_kind) in records {
            let (arrived_amount, arrived_currency) = match record.arrived {
                Some((amount, code)) => (Some(amount.minor()), Some(code.code())),
                None => (None, None),
            };
            rows.row()
                .text(&record.user_id)
                .text(&record.id)
                .text(record.kind.code())
                .text(record.direction.code())
                .text(record.status().code())
                .int(record.amount.minor())
                .text(record.currency.code())
                .int(record.fee.minor())
                .opt_int(arrived_amount)
                .opt_text(arrived_currency)
                .opt_text(record.counterparty.as_ref().map(|c| c.id.as_str()))
                .opt_text(record.counterparty.as_ref().map(|c| c.label.as_str()))
                .opt_text(record.note.as_deref())
                .text(record.category.code())
                .opt_text(record.fee_schedule_id.as_deref())
                .opt_text(record.quote_id.as_deref())
                .opt_text(record.failure_reason.as_ref().map(|r| r.as_str()))
                .opt_text(limit_kind.map(LimitKind::code))
                .int(record.created_at)
                .int(
                    record
                        .timeline()
                        .events()
                        .last()
                        .map_or(record.created_at, |e| e.at),
                )
                .text(&crate::wallet_store::timeline_json(record));
        }
        let sql = R::insert_sql(
            dialect,
            "wallet_records",
            RECORD_COLUMNS,
            "ON CONFLICT (user_id, id) DO NOTHING",
        );
        batch.inserts.push((sql, rows));
    }
    if !messages.is_empty() {
        let mut rows = R::with_capacity(messages.len());
        for message in messages {
            rows.row()
                .text(&message.id)
                .text(message.channel.name())
                .text(&message.recipient)
                .text(&message.locale)
                .text(&message.subject)
                .text(&message.body)
                .int(message.created_at)
                .opt_int(message.sent_at);
        }
        let sql = R::insert_sql(dialect, "outbox", MESSAGE_COLUMNS, "");
        batch.inserts.push((sql, rows));
    }
    if !responses.is_empty() {
        let mut rows = R::with_capacity(responses.len());
        for keep in responses {
            rows.row()
                .text(&keep.user_id)
                .text(&keep.key)
                .text(&keep.response.request_hash)
                .int(i64::from(keep.response.status))
                .text(&keep.response.body)
                .int(keep.at);
        }
        let sql = R::insert_sql(
            dialect,
            "http_idempotency",
            RESPONSE_COLUMNS,
            "ON CONFLICT (user_id, idem_key) DO NOTHING",
        );
        batch.inserts.push((sql, rows.clone()));
        // What is kept under every key now: this batch's answer, or an earlier one.
        batch.kept = Some((R::kept_sql(dialect), rows));
    }
    batch
}

impl Store {
    /// The batch in one sqlx transaction (PostgreSQL); answers what is kept under its keys.
    async fn write_sqlx(&self, batch: BatchSql<JsonRows>) -> Result<Vec<KeptAnswer>, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let kept = write_sqlx_in(&mut transaction, batch).await?;
        transaction.commit().await.map_err(store_error)?;
        Ok(kept)
    }
}

/// The batch's statements inside the caller's transaction on `connection`; answers what is kept
/// under its keys.
async fn write_sqlx_in(
    connection: &mut AnyConnection,
    batch: BatchSql<JsonRows>,
) -> Result<Vec<KeptAnswer>, StoreError> {
    // Planned at every execution, not kept prepared: a plan PostgreSQL caches while the
    // tables are empty scans them whole for every later batch (see `ledger_store::fetch_all`).
    for (sql, rows) in batch.inserts {
        sqlx::query(AssertSqlSafe(sql))
            .bind(rows.finish())
            .persistent(false)
            .execute(&mut *connection)
            .await
            .map_err(store_error)?;
    }
    let mut kept = Vec::new();
    if let Some((sql, rows)) = batch.kept {
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(rows.finish())
            .persistent(false)
            .fetch_all(&mut *connection)
            .await
            .map_err(store_error)?;
        kept.reserve(found.len());
        for row in &found {
            let status: i64 = row.try_get(3).map_err(store_error)?;
            kept.push((
                (
                    row.try_get(0).map_err(store_error)?,
                    row.try_get(1).map_err(store_error)?,
                ),
                StoredResponse {
                    request_hash: row.try_get(2).map_err(store_error)?,
                    status: u16::try_from(status).map_err(|_| corrupt("status"))?,
                    body: row.try_get(4).map_err(store_error)?,
                },
            ));
        }
    }
    Ok(kept)
}

/// An answer kept under `(user_id, key)`.
type KeptAnswer = ((String, String), StoredResponse);

/// The batch in one rusqlite transaction on `connection` (the SQLite ledger's committing one);
/// answers what is kept under its keys. Dropping the transaction on an error rolls it back.
fn write_sqlite(
    connection: &mut rusqlite::Connection,
    batch: BatchSql<BoundRows>,
) -> Result<Vec<KeptAnswer>, StoreError> {
    use crate::sqlite_ledger::sqlite_error;

    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sqlite_error)?;
    let kept = write_sqlite_in(&transaction, &batch)?;
    transaction.commit().map_err(sqlite_error)?;
    Ok(kept)
}

/// The batch's statements inside the caller's rusqlite transaction; answers what is kept under
/// its keys.
fn write_sqlite_in(
    transaction: &rusqlite::Transaction<'_>,
    batch: &BatchSql<BoundRows>,
) -> Result<Vec<KeptAnswer>, StoreError> {
    use crate::sqlite_ledger::sqlite_error;
    use rusqlite::params_from_iter;

    for (sql, rows) in &batch.inserts {
        let mut insert = transaction.prepare_cached(sql).map_err(sqlite_error)?;
        for row in rows.rows() {
            insert
                .execute(params_from_iter(row))
                .map_err(sqlite_error)?;
        }
    }
    let mut kept = Vec::new();
    if let Some((sql, rows)) = &batch.kept {
        let mut select = transaction.prepare_cached(sql).map_err(sqlite_error)?;
        for keys in rows.rows() {
            let mut found = select
                .query(params_from_iter(&keys[..2]))
                .map_err(sqlite_error)?;
            while let Some(row) = found.next().map_err(sqlite_error)? {
                let status: i64 = row.get(3).map_err(sqlite_error)?;
                kept.push((
                    (
                        row.get(0).map_err(sqlite_error)?,
                        row.get(1).map_err(sqlite_error)?,
                    ),
                    StoredResponse {
                        request_hash: row.get(2).map_err(sqlite_error)?,
                        status: u16::try_from(status).map_err(|_| corrupt("status"))?,
                        body: row.get(4).map_err(sqlite_error)?,
                    },
                ));
            }
        }
    }
    Ok(kept)
}

/// The wallet rows a ledger batch's commands carry (`LedgerStore::start_batch`'s `attached`):
/// written in the batch's own transaction for the commands applied afresh, dropped for the
/// ones refused or replaying their key.
pub(crate) struct AttachedRows {
    dialect: Dialect,
    jobs: Vec<Option<WriteJob>>,
}

impl AttachedRows {
    /// `None` when no command carries rows, so a batch without any pays nothing.
    pub(crate) fn new(dialect: Dialect, jobs: Vec<Option<WriteJob>>) -> Option<AttachedRows> {
        jobs.iter()
            .any(Option::is_some)
            .then_some(AttachedRows { dialect, jobs })
    }

    /// The statements for the commands `results` applied afresh, and per command the key of
    /// the answer it keeps.
    fn chosen<R: BatchRows>(
        &self,
        results: &[Result<Applied, Rejection>],
    ) -> (BatchSql<R>, Vec<Option<(String, String)>>) {
        let mut records = Vec::new();
        let mut messages = Vec::new();
        let mut responses = Vec::new();
        let mut keys = Vec::with_capacity(self.jobs.len());
        for (job, result) in self.jobs.iter().zip(results) {
            let fresh = matches!(result, Ok(applied) if !applied.replayed);
            match job {
                Some(job) if fresh => {
                    records.extend(job.records.iter().cloned());
                    messages.extend(job.messages.iter().cloned());
                    keys.push(job.response.as_ref().map(|keep| {
                        responses.push(keep.clone());
                        (keep.user_id.clone(), keep.key.clone())
                    }));
                }
                _ => keys.push(None),
            }
        }
        (
            batch_sql(self.dialect, &records, &messages, &responses),
            keys,
        )
    }

    /// Writes the chosen rows inside the SQLite ledger's transaction.
    pub(crate) fn write_sqlite(
        &self,
        transaction: &rusqlite::Transaction<'_>,
        results: &[Result<Applied, Rejection>],
    ) -> Result<Vec<Option<StoredResponse>>, StoreError> {
        let (batch, keys) = self.chosen::<BoundRows>(results);
        let kept = write_sqlite_in(transaction, &batch)?;
        Ok(per_command(kept, keys))
    }

    /// Writes the chosen rows inside the PostgreSQL ledger's transaction.
    pub(crate) async fn write_sqlx(
        &self,
        connection: &mut AnyConnection,
        results: &[Result<Applied, Rejection>],
    ) -> Result<Vec<Option<StoredResponse>>, StoreError> {
        let (batch, keys) = self.chosen::<JsonRows>(results);
        let kept = write_sqlx_in(connection, batch).await?;
        Ok(per_command(kept, keys))
    }
}

/// What is kept under each command's key, in the commands' order.
fn per_command(
    kept: Vec<KeptAnswer>,
    keys: Vec<Option<(String, String)>>,
) -> Vec<Option<StoredResponse>> {
    let by_key: HashMap<(String, String), StoredResponse> = kept.into_iter().collect();
    keys.into_iter()
        .map(|key| key.and_then(|key| by_key.get(&key).cloned()))
        .collect()
}
