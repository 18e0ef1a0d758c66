//! `okpay verify` against a database: the journal recomputed in SQL and compared with the balances.

use ledger::{AccountKind, Balance, BalanceMismatch, VerifyReport};
use sqlx::Row;

use crate::database::Store;
use crate::error::store_error;
use crate::ledger_store::balance_from;
use domain::StoreError;

/// The most problems of each kind listed; the counts above them say whether there were more.
const PROBLEMS_LISTED_MAX: i64 = 100;

pub(crate) async fn verify(store: &Store) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport::default();
    // One snapshot for every query, so balances and journal are read at the same instant.
    let mut transaction = store.pool.begin().await.map_err(store_error)?;
    if store.dialect == crate::Dialect::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
    }
    let entries: i64 = sqlx::query("SELECT COUNT(*) FROM ledger_entries")
        .fetch_one(&mut *transaction)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(store_error)?;
    report.entries_checked = entries as u64;

    let unbalanced = sqlx::query(
        "SELECT p.entry_id, a.currency, CAST(SUM(p.amount) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_accounts a ON a.id = p.account_id \
         GROUP BY p.entry_id, a.currency HAVING SUM(p.amount) <> 0 ORDER BY p.entry_id LIMIT $1",
    )
    .bind(PROBLEMS_LISTED_MAX)
    .fetch_all(&mut *transaction)
    .await
    .map_err(store_error)?;
    for row in unbalanced {
        let net: i64 = row.try_get(2).map_err(store_error)?;
        report.unbalanced_entries.push((
            row.try_get(0).map_err(store_error)?,
            row.try_get(1).map_err(store_error)?,
            i128::from(net),
        ));
    }

    let single_legged: i64 = sqlx::query(
        "SELECT COUNT(*) FROM ledger_entries e WHERE (SELECT COUNT(*) FROM ledger_postings p WHERE p.entry_id = e.id) < 2",
    )
    .fetch_one(&mut *transaction)
    .await
    .and_then(|row| row.try_get(0))
    .map_err(store_error)?;
    if single_legged > 0 {
        report
            .misfiled_postings
            .push(format!("{single_legged} entries have fewer than two legs"));
    }

    // Every account with what its journal says: posted legs of posted entries, and the debits
    // and credits of pending ones.
    let accounts = sqlx::query(
        "SELECT a.posted, a.pending_debits, a.pending_credits, \
           CAST(COALESCE(j.posted, 0) AS BIGINT), CAST(COALESCE(j.pending_debits, 0) AS BIGINT), \
           CAST(COALESCE(j.pending_credits, 0) AS BIGINT), a.id, a.kind, a.currency \
         FROM ledger_accounts a LEFT JOIN ( \
           SELECT p.account_id, \
             SUM(CASE WHEN e.status = 'posted' THEN p.amount ELSE 0 END) AS posted, \
             SUM(CASE WHEN e.status = 'pending' AND p.amount < 0 THEN -p.amount ELSE 0 END) AS pending_debits, \
             SUM(CASE WHEN e.status = 'pending' AND p.amount > 0 THEN p.amount ELSE 0 END) AS pending_credits \
           FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id GROUP BY p.account_id \
         ) j ON j.account_id = a.id ORDER BY a.id",
    )
    .fetch_all(&mut *transaction)
    .await
    .map_err(store_error)?;
    for row in accounts {
        report.accounts_checked += 1;
        let stored = balance_from(&row, 0)?;
        let journal = balance_from(&row, 3)?;
        let id: String = row.try_get(6).map_err(store_error)?;
        let kind: String = row.try_get(7).map_err(store_error)?;
        let currency: String = row.try_get(8).map_err(store_error)?;
        *report.trial_balances.entry(currency).or_default() += i128::from(stored.posted.minor());
        if stored != journal && report.balance_mismatches.len() < PROBLEMS_LISTED_MAX as usize {
            report.balance_mismatches.push(BalanceMismatch {
                account: id.clone(),
                stored,
                recomputed: journal,
            });
        }
        if kind == AccountKind::UserWallet.name() && is_overdrawn(&stored) {
            report.overdrawn_wallets.push((id, stored));
        }
    }
    transaction.rollback().await.map_err(store_error)?;
    Ok(report)
}

fn is_overdrawn(balance: &Balance) -> bool {
    balance.posted.minor() < 0 || balance.posted.minor() - balance.pending_debits.minor() < 0
}
