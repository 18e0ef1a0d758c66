//! The wallet writer's batch in one transaction: one statement per table, the rows as one JSON parameter.
//
// Why: the writer is one task serving every request, and a statement per row through sqlx's
// `Any` driver (a trip to the connection's worker thread, every value converted) cost more than
// SQLite or PostgreSQL spent on the rows. Three inserts and one read per batch, whatever its
// size, keep the writer from being what limits transfers over HTTP.

use std::collections::HashMap;

use domain::StoreError;
use domain::limits::LimitKind;
use domain::notify::OutboundMessage;
use domain::records::TransactionRecord;
use domain::wallet::{ResponseToKeep, StoredResponse};
use sqlx::{AssertSqlSafe, Row};

use crate::bulk::{Column, JsonRows};
use crate::database::Store;
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

impl Store {
    /// Writes a batch of records, messages and kept answers in one transaction and answers,
    /// for each answer to keep, the one kept under its key (the first one ever written).
    pub(crate) async fn write_wallet_batch(
        &self,
        records: &[(TransactionRecord, Option<LimitKind>)],
        messages: &[OutboundMessage],
        responses: &[ResponseToKeep],
    ) -> Result<Vec<StoredResponse>, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        if !records.is_empty() {
            let mut rows = JsonRows::with_capacity(records.len() * 4);
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
            // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
            let sql = format!(
                "INSERT INTO wallet_records ({columns}) SELECT {columns} FROM ({source}) AS r \
                 WHERE true ON CONFLICT (user_id, id) DO NOTHING",
                columns = names(RECORD_COLUMNS),
                source = self.dialect.json_rows(RECORD_COLUMNS),
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(rows.finish())
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        if !messages.is_empty() {
            let mut rows = JsonRows::with_capacity(messages.len() * 4);
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
            let sql = format!(
                "INSERT INTO outbox ({columns}) SELECT {columns} FROM ({source}) AS r",
                columns = names(MESSAGE_COLUMNS),
                source = self.dialect.json_rows(MESSAGE_COLUMNS),
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(rows.finish())
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        let mut kept = Vec::with_capacity(responses.len());
        if !responses.is_empty() {
            let mut rows = JsonRows::with_capacity(responses.len() * 4);
            for keep in responses {
                rows.row()
                    .text(&keep.user_id)
                    .text(&keep.key)
                    .text(&keep.response.request_hash)
                    .int(i64::from(keep.response.status))
                    .text(&keep.response.body)
                    .int(keep.at);
            }
            let rows = rows.finish();
            let sql = format!(
                "INSERT INTO http_idempotency ({columns}) SELECT {columns} FROM ({source}) AS r \
                 WHERE true ON CONFLICT (user_id, idem_key) DO NOTHING",
                columns = names(RESPONSE_COLUMNS),
                source = self.dialect.json_rows(RESPONSE_COLUMNS),
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(rows.clone())
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
            // What is kept under every key now: this batch's answer, or an earlier one.
            let sql = format!(
                "SELECT h.user_id, h.idem_key, h.request_hash, h.status, h.body \
                 FROM http_idempotency h JOIN ({source}) AS r \
                 ON h.user_id = r.user_id AND h.idem_key = r.idem_key",
                source = self.dialect.json_rows(&RESPONSE_COLUMNS[..2]),
            );
            let found = sqlx::query(AssertSqlSafe(sql))
                .bind(rows)
                .fetch_all(&mut *transaction)
                .await
                .map_err(store_error)?;
            let mut by_key: HashMap<(String, String), StoredResponse> =
                HashMap::with_capacity(found.len());
            for row in &found {
                let status: i64 = row.try_get(3).map_err(store_error)?;
                by_key.insert(
                    (
                        row.try_get(0).map_err(store_error)?,
                        row.try_get(1).map_err(store_error)?,
                    ),
                    StoredResponse {
                        request_hash: row.try_get(2).map_err(store_error)?,
                        status: u16::try_from(status).map_err(|_| corrupt("status"))?,
                        body: row.try_get(4).map_err(store_error)?,
                    },
                );
            }
            for keep in responses {
                let stored = by_key
                    .get(&(keep.user_id.clone(), keep.key.clone()))
                    .cloned()
                    .ok_or_else(|| corrupt("kept answer"))?;
                kept.push(stored);
            }
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(kept)
    }
}
