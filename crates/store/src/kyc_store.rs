//! Identity verification requests and their documents (bytes kept in the database).

use domain::audit::AuditEvent;
use domain::documents::{DocumentInfo, StoredDocument};
use domain::identity::{BoxFuture, Notice};
use domain::kyc::{DocumentKind, KycRequest, KycStatus, KycStore};
use domain::limits::KycTier;
use domain::{AuditStore, SecurityStore, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::document_store::KYC_DOCUMENTS;
use crate::error::store_error;

const REQUEST_COLUMNS: &str =
    "id, user_id, tier, document_kind, status, reason, reviewer, created_at, reviewed_at";

fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Unavailable(format!("unknown {what} {value}"))
}

fn request_from(row: &AnyRow) -> Result<KycRequest, StoreError> {
    let tier: String = row.try_get(2).map_err(store_error)?;
    let kind: String = row.try_get(3).map_err(store_error)?;
    let status: String = row.try_get(4).map_err(store_error)?;
    Ok(KycRequest {
        id: row.try_get(0).map_err(store_error)?,
        user_id: row.try_get(1).map_err(store_error)?,
        tier: KycTier::parse(&tier).ok_or_else(|| unknown("tier", &tier))?,
        document_kind: DocumentKind::parse(&kind).ok_or_else(|| unknown("document", &kind))?,
        status: KycStatus::parse(&status).ok_or_else(|| unknown("status", &status))?,
        reason: row.try_get(5).map_err(store_error)?,
        reviewer: row.try_get(6).map_err(store_error)?,
        created_at: row.try_get(7).map_err(store_error)?,
        reviewed_at: row.try_get(8).map_err(store_error)?,
    })
}

impl Store {
    async fn requests_where(
        &self,
        condition: &str,
        key: &str,
        order: &str,
        limit: i64,
    ) -> Result<Vec<KycRequest>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM kyc_requests WHERE {condition} = $1 \
             ORDER BY created_at {order}, id {order} LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(key.to_owned())
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(request_from).collect()
    }
}

impl KycStore for Store {
    fn insert_kyc_request<'a>(
        &'a self,
        request: &'a KycRequest,
        documents: &'a [(DocumentInfo, &'a [u8])],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut transaction = self.begin().await?;
            let sql = format!(
                "INSERT INTO kyc_requests ({REQUEST_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(request.id.clone())
                .bind(request.user_id.clone())
                .bind(request.tier.code())
                .bind(request.document_kind.name())
                .bind(request.status.name())
                .bind(request.reason.clone())
                .bind(request.reviewer.clone())
                .bind(request.created_at)
                .bind(request.reviewed_at)
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
            for (document, bytes) in documents {
                KYC_DOCUMENTS
                    .insert(&mut *transaction, document, bytes)
                    .await?;
            }
            transaction.commit().await.map_err(store_error)?;
            Ok(())
        })
    }

    fn kyc_requests_of<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<KycRequest>, StoreError>> {
        Box::pin(self.requests_where("user_id", user_id, "DESC", limit))
    }

    fn pending_kyc_requests<'a>(
        &'a self,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<KycRequest>, StoreError>> {
        Box::pin(self.requests_where("status", KycStatus::Pending.name(), "ASC", limit))
    }

    fn kyc_request<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<KycRequest>, StoreError>> {
        Box::pin(async move {
            Ok(self
                .requests_where("id", id, "ASC", 1)
                .await?
                .into_iter()
                .next())
        })
    }

    fn kyc_documents<'a>(
        &'a self,
        request_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>> {
        Box::pin(KYC_DOCUMENTS.list(&self.pool, request_id))
    }

    fn kyc_document_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>> {
        Box::pin(KYC_DOCUMENTS.with_bytes(&self.pool, id))
    }

    fn decide_kyc_request<'a>(
        &'a self,
        request: &'a KycRequest,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            // The decision and the tier it grants commit together: an approval is never recorded
            // without the higher limits, nor the limits raised for a request still pending.
            let mut transaction = self
                .pool
                .begin_with(self.dialect.begin_write())
                .await
                .map_err(store_error)?;
            let decided = sqlx::query(
                "UPDATE kyc_requests SET status = $1, reason = $2, reviewer = $3, \
                 reviewed_at = $4 WHERE id = $5 AND status = 'pending'",
            )
            .bind(request.status.name())
            .bind(request.reason.clone())
            .bind(request.reviewer.clone())
            .bind(request.reviewed_at)
            .bind(request.id.clone())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
            if decided.rows_affected() != 1 {
                return Ok(false);
            }
            if request.status == KycStatus::Approved {
                // Never lowers: an approval of a lower tier than one granted since leaves it. The
                // comparison is in the upsert itself, so a concurrent raise cannot be undone.
                let sql = format!(
                    "INSERT INTO kyc_tiers (user_id, tier, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET tier = excluded.tier, \
                     updated_at = excluded.updated_at WHERE {} < {}",
                    tier_rank("kyc_tiers.tier"),
                    tier_rank("excluded.tier"),
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(request.user_id.clone())
                    .bind(request.tier.code())
                    .bind(request.reviewed_at.unwrap_or(request.created_at))
                    .execute(&mut *transaction)
                    .await
                    .map_err(store_error)?;
            }
            transaction.commit().await.map_err(store_error)?;
            Ok(true)
        })
    }

    fn kyc_notice<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.insert_notice(notice))
    }

    fn kyc_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.append_audit(std::slice::from_ref(event)))
    }
}

/// SQL for a tier column's rank, lowest first, as `KycTier`'s order has them.
fn tier_rank(column: &str) -> String {
    let cases: String = KycTier::ALL
        .iter()
        .enumerate()
        .map(|(rank, tier)| format!(" WHEN '{}' THEN {rank}", tier.code()))
        .collect();
    format!("(CASE {column}{cases} ELSE 0 END)")
}
