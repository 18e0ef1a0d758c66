//! Unlock appeals and their identity documents on SQLite and PostgreSQL.

use domain::appeals::{Appeal, AppealKind, AppealStatus, AppealStore};
use domain::audit::AuditEvent;
use domain::documents::{DocumentInfo, StoredDocument};
use domain::identity::{BoxFuture, UnixSeconds};
use domain::{AuditStore, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::document_store::APPEAL_DOCUMENTS;
use crate::error::store_error;

const APPEAL_COLUMNS: &str = "id, user_id, kind, statement, status, decision_reason, \
     decided_by, status_token_hash, created_at, decided_at";

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} {value:?} in the database"))
}

fn appeal_from(row: &AnyRow) -> Result<Appeal, StoreError> {
    let kind: String = row.try_get(2).map_err(store_error)?;
    let status: String = row.try_get(4).map_err(store_error)?;
    Ok(Appeal {
        id: row.try_get(0).map_err(store_error)?,
        user_id: row.try_get(1).map_err(store_error)?,
        kind: AppealKind::parse(&kind).ok_or_else(|| unreadable("appeal kind", &kind))?,
        statement: row.try_get(3).map_err(store_error)?,
        status: AppealStatus::parse(&status).ok_or_else(|| unreadable("appeal status", &status))?,
        decision_reason: row.try_get(5).map_err(store_error)?,
        decided_by: row.try_get(6).map_err(store_error)?,
        status_token_hash: row.try_get(7).map_err(store_error)?,
        created_at: row.try_get(8).map_err(store_error)?,
        decided_at: row.try_get(9).map_err(store_error)?,
    })
}

impl Store {
    async fn select_appeals(
        &self,
        condition: &str,
        value: Option<String>,
        limit: i64,
    ) -> Result<Vec<Appeal>, StoreError> {
        let sql = format!(
            "SELECT {APPEAL_COLUMNS} FROM appeals WHERE {condition} \
             ORDER BY created_at, id LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(value)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(appeal_from).collect()
    }
}

impl AppealStore for Store {
    fn insert_appeal<'a>(&'a self, appeal: &'a Appeal) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO appeals ({APPEAL_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(appeal.id.clone())
                .bind(appeal.user_id.clone())
                .bind(appeal.kind.name())
                .bind(appeal.statement.clone())
                .bind(appeal.status.name())
                .bind(appeal.decision_reason.clone())
                .bind(appeal.decided_by.clone())
                .bind(appeal.status_token_hash.clone())
                .bind(appeal.created_at)
                .bind(appeal.decided_at)
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
            Ok(())
        })
    }

    fn insert_document<'a>(
        &'a self,
        info: &'a DocumentInfo,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(APPEAL_DOCUMENTS.insert(&self.pool, info, bytes))
    }

    fn appeal<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Appeal>, StoreError>> {
        Box::pin(async move {
            Ok(self
                .select_appeals("id = $1", Some(id.to_owned()), 1)
                .await?
                .into_iter()
                .next())
        })
    }

    fn pending_appeal_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Appeal>, StoreError>> {
        Box::pin(async move {
            Ok(self
                .select_appeals(
                    "user_id = $1 AND status = 'pending'",
                    Some(user_id.to_owned()),
                    1,
                )
                .await?
                .into_iter()
                .next())
        })
    }

    fn appeals<'a>(
        &'a self,
        status: Option<AppealStatus>,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Appeal>, StoreError>> {
        Box::pin(self.select_appeals(
            "($1 IS NULL OR status = $1)",
            status.map(|status| status.name().to_owned()),
            limit,
        ))
    }

    fn documents<'a>(
        &'a self,
        appeal_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>> {
        Box::pin(APPEAL_DOCUMENTS.list(&self.pool, appeal_id))
    }

    fn document_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>> {
        Box::pin(APPEAL_DOCUMENTS.with_bytes(&self.pool, id))
    }

    fn decide<'a>(
        &'a self,
        id: &'a str,
        status: AppealStatus,
        reason: &'a str,
        staff_id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE appeals SET status = $2, decision_reason = $3, decided_by = $4, \
                 decided_at = $5 WHERE id = $1 AND status = 'pending'",
            )
            .bind(id.to_owned())
            .bind(status.name())
            .bind(reason.to_owned())
            .bind(staff_id.to_owned())
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(done.rows_affected() == 1)
        })
    }

    fn appeal_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.append_audit(std::slice::from_ref(event)))
    }
}
