//! The audit log in the database: appends under a lock on the chain's head, and the chain re-read.

use domain::audit::{AuditEvent, AuditRecord, AuditReport, BrokenLink, check_chain};
use domain::{AuditStore, StoreError};
use sqlx::{AssertSqlSafe, Row};

use crate::bulk::{Column, JsonRows};
use crate::database::{Dialect, Store};
use crate::error::store_error;
use crate::ledger_store::now_ms;

/// Rows read per query when checking the chain: bounded memory whatever the log's length.
const AUDIT_ROWS_PER_PAGE: i64 = 10_000;

impl AuditStore for Store {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        // The head row serialises appends: every process chains onto the row it locked.
        let lock = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        };
        let head = sqlx::query(AssertSqlSafe(format!(
            "SELECT seq, hash FROM audit_head WHERE id = 1{lock}"
        )))
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?;
        let head_seq: i64 = head.try_get(0).map_err(store_error)?;
        let head_hash: String = head.try_get(1).map_err(store_error)?;
        let now = now_ms();
        let mut records: Vec<AuditRecord> = Vec::with_capacity(events.len());
        for event in events {
            let previous = match records.last() {
                Some(last) => Some((last.seq, last.hash.as_str())),
                None if head_seq == 0 => None,
                None => Some((head_seq, head_hash.as_str())),
            };
            let record = AuditRecord::next(previous, event, now);
            records.push(record);
        }
        let mut rows = JsonRows::with_capacity(records.len());
        for record in &records {
            rows.row()
                .int(record.seq)
                .int(record.at_ms)
                .text(&record.actor)
                .text(&record.action)
                .text(&record.subject)
                .text(&record.detail)
                .text(&record.prev_hash)
                .text(&record.hash);
        }
        let source = self.dialect.json_rows(&[
            Column::BigInt("seq"),
            Column::BigInt("at_ms"),
            Column::Text("actor"),
            Column::Text("action"),
            Column::Text("subject"),
            Column::Text("detail"),
            Column::Text("prev_hash"),
            Column::Text("hash"),
        ]);
        let columns = "seq, at_ms, actor, action, subject, detail, prev_hash, hash";
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO audit_log ({columns}) SELECT {columns} FROM ({source}) AS r"
        )))
        .bind(rows.finish())
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        let last = records.last().expect("at least one event");
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last.seq)
            .bind(last.hash.clone())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let mut report = AuditReport::default();
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        let mut previous: Option<(i64, String)> = None;
        let mut after = 0_i64;
        loop {
            let page = sqlx::query(
                "SELECT seq, at_ms, actor, action, subject, detail, prev_hash, hash FROM audit_log \
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(AUDIT_ROWS_PER_PAGE)
            .fetch_all(&mut *transaction)
            .await
            .map_err(store_error)?;
            if page.is_empty() {
                break;
            }
            let mut records = Vec::with_capacity(page.len());
            for row in page {
                records.push(AuditRecord {
                    seq: row.try_get(0).map_err(store_error)?,
                    at_ms: row.try_get(1).map_err(store_error)?,
                    actor: row.try_get(2).map_err(store_error)?,
                    action: row.try_get(3).map_err(store_error)?,
                    subject: row.try_get(4).map_err(store_error)?,
                    detail: row.try_get(5).map_err(store_error)?,
                    prev_hash: row.try_get(6).map_err(store_error)?,
                    hash: row.try_get(7).map_err(store_error)?,
                });
            }
            report.rows_checked += records.len() as u64;
            after = records.last().map_or(after, |last| last.seq);
            match check_chain(previous.take(), &records) {
                Ok(head) => previous = head,
                Err(broken) => {
                    report.broken = Some(broken);
                    return Ok(report);
                }
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *transaction)
            .await
            .map_err(store_error)?;
        let head_seq: i64 = head.try_get(0).map_err(store_error)?;
        let head_hash: String = head.try_get(1).map_err(store_error)?;
        let (last_seq, last_hash) = previous.unwrap_or((0, domain::audit::GENESIS_HASH.to_owned()));
        if head_seq != last_seq || head_hash != last_hash {
            report.broken = Some(BrokenLink {
                seq: last_seq + 1,
                reason: "rows at the end of the log are missing",
            });
        }
        transaction.rollback().await.map_err(store_error)?;
        Ok(report)
    }
}
