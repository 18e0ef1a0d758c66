//! What settling stuck top-ups reads and writes: the simulated processor's charges by reference,
//! the ledger key each keyed top-up credits with, and the top-ups still `processing`.

use domain::StoreError;
use domain::identity::{BoxFuture, UnixSeconds};
use domain::records::TransactionRecord;
use domain::wallet::{ChargeReceipt, ProcessorError, SimulatedCharge, SimulatedChargeStore};
use ledger::{Amount, Currency};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::store_error;
use crate::record_export::RawRecord;
use crate::wallet_store::RECORD_COLUMNS;

const CHARGE_COLUMNS: &str =
    "reference, amount, currency, outcome, processor_reference, created_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} in simulated_card_charges"))
}

fn charge_from(row: &AnyRow) -> Result<SimulatedCharge, StoreError> {
    let currency: String = row.try_get(2).map_err(store_error)?;
    let outcome: String = row.try_get(3).map_err(store_error)?;
    let processor_reference: Option<String> = row.try_get(4).map_err(store_error)?;
    let outcome = match (outcome.as_str(), processor_reference) {
        ("charged", Some(processor_reference)) => Ok(ChargeReceipt {
            processor_reference,
        }),
        (code, _) => Err(ProcessorError::parse(code).ok_or_else(|| corrupt("outcome"))?),
    };
    Ok(SimulatedCharge {
        reference: row.try_get(0).map_err(store_error)?,
        amount: Amount::from_minor(row.try_get(1).map_err(store_error)?),
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency"))?,
        outcome,
        created_at: row.try_get(5).map_err(store_error)?,
    })
}

impl Store {
    async fn simulated_charge_now(
        &self,
        reference: &str,
    ) -> Result<Option<SimulatedCharge>, StoreError> {
        let sql =
            format!("SELECT {CHARGE_COLUMNS} FROM simulated_card_charges WHERE reference = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reference.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(charge_from).transpose()
    }

    pub(crate) async fn keep_top_up_key_now(
        &self,
        record_id: &str,
        user_id: &str,
        ledger_key: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO wallet_topup_keys (record_id, user_id, ledger_key, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (record_id) DO NOTHING",
        )
        .bind(record_id.to_owned())
        .bind(user_id.to_owned())
        .bind(ledger_key.to_owned())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    pub(crate) async fn top_up_key_now(
        &self,
        record_id: &str,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT ledger_key FROM wallet_topup_keys WHERE record_id = $1")
            .bind(record_id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }

    pub(crate) async fn processing_top_ups_now(
        &self,
        before: UnixSeconds,
        limit: u32,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM wallet_records \
             WHERE kind = 'topup' AND status = 'processing' AND created_at < $1 \
             ORDER BY created_at, id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| RawRecord::from_any(row)?.into_record())
            .collect()
    }

    pub(crate) async fn ledger_entry_exists_now(&self, id: &str) -> Result<bool, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM ledger_entries WHERE id = $1")
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
        Ok(found.is_some())
    }
}

impl SimulatedChargeStore for Store {
    fn keep_simulated_charge<'a>(
        &'a self,
        charge: &'a SimulatedCharge,
    ) -> BoxFuture<'a, Result<SimulatedCharge, StoreError>> {
        Box::pin(async move {
            let processor_reference = charge
                .outcome
                .as_ref()
                .ok()
                .map(|receipt| receipt.processor_reference.clone());
            sqlx::query(
                "INSERT INTO simulated_card_charges \
                 (reference, amount, currency, outcome, processor_reference, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING",
            )
            .bind(charge.reference.clone())
            .bind(charge.amount.minor())
            .bind(charge.currency.code())
            .bind(charge.outcome_code())
            .bind(processor_reference)
            .bind(charge.created_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            // Whichever charge of this reference was kept first is the processor's answer.
            self.simulated_charge_now(&charge.reference)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    fn simulated_charge<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Option<SimulatedCharge>, StoreError>> {
        Box::pin(self.simulated_charge_now(reference))
    }
}
