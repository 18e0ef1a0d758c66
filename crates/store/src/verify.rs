//! `okpay verify` against a database: every entry's legs re-read and every balance recomputed.

use std::collections::{BTreeMap, HashMap};

use ledger::{AccountKind, Balance, BalanceMismatch, EntryStatus, JournalBalance, VerifyReport};
use sqlx::Row;

use crate::database::{Dialect, Store};
use crate::error::store_error;
use crate::ledger_store::balance_from;
use crate::legs::decode_legs;
use domain::StoreError;

/// The most problems of each kind listed; a ledger with more is broken either way.
const PROBLEMS_LISTED_MAX: usize = 100;
/// Entries read per query: bounded memory whatever the journal's size.
const ENTRIES_PER_PAGE: i64 = 20_000;

pub(crate) async fn verify(store: &Store) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport::default();
    // One snapshot for every query, so balances and journal are read at the same instant.
    let mut transaction = store.pool.begin().await.map_err(store_error)?;
    if store.dialect == Dialect::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
    }
    let mut journal: HashMap<String, JournalBalance> = HashMap::new();
    let mut after = String::new();
    loop {
        let page = sqlx::query(
            "SELECT id, status, legs FROM ledger_entries WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.clone())
        .bind(ENTRIES_PER_PAGE)
        .fetch_all(&mut *transaction)
        .await
        .map_err(store_error)?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0).map_err(store_error)?;
        for row in page {
            report.entries_checked += 1;
            let id: String = row.try_get(0).map_err(store_error)?;
            let status: String = row.try_get(1).map_err(store_error)?;
            let legs: String = row.try_get(2).map_err(store_error)?;
            check_entry(&mut report, &mut journal, &id, &status, &legs);
        }
    }

    let orphan_keys: i64 = sqlx::query(
        "SELECT COUNT(*) FROM ledger_idempotency_keys k \
         WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id = k.entry_id)",
    )
    .fetch_one(&mut *transaction)
    .await
    .and_then(|row| row.try_get(0))
    .map_err(store_error)?;
    if orphan_keys > 0 {
        note(
            &mut report.integrity_problems,
            format!("{orphan_keys} idempotency keys name no entry"),
        );
    }

    if store.dialect == Dialect::Sqlite {
        check_key_hashes(&mut transaction, &mut report).await?;
    }

    let accounts = sqlx::query("SELECT posted, pending_debits, pending_credits, id, kind, currency FROM ledger_accounts ORDER BY id")
        .fetch_all(&mut *transaction)
        .await
        .map_err(store_error)?;
    for row in accounts {
        report.accounts_checked += 1;
        let stored = balance_from(&row, 0)?;
        let id: String = row.try_get(3).map_err(store_error)?;
        let kind: String = row.try_get(4).map_err(store_error)?;
        let currency: String = row.try_get(5).map_err(store_error)?;
        if !id.ends_with(&format!(":{currency}")) {
            note(
                &mut report.integrity_problems,
                format!("account {id} is recorded in {currency}"),
            );
        }
        *report.trial_balances.entry(currency).or_default() += i128::from(stored.posted.minor());
        let recomputed = journal.remove(&id).unwrap_or_default();
        if !recomputed.matches(&stored) && report.balance_mismatches.len() < PROBLEMS_LISTED_MAX {
            report.balance_mismatches.push(BalanceMismatch {
                account: id.clone(),
                stored,
                recomputed: recomputed.to_balance_clamped(),
            });
        }
        if kind == AccountKind::UserWallet.name() && is_overdrawn(&stored) {
            report.overdrawn_wallets.push((id, stored));
        }
    }
    for account in journal.keys() {
        note(
            &mut report.integrity_problems,
            format!("legs on the unopened account {account}"),
        );
    }
    transaction.rollback().await.map_err(store_error)?;
    Ok(report)
}

/// On SQLite keys are found by their hash (migration 0030): a key stored under a wrong hash
/// would never be found, and its retry would move money again.
async fn check_key_hashes(
    connection: &mut sqlx::AnyConnection,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let mut after = 0_i64;
    loop {
        let page = sqlx::query(
            "SELECT rowid, key, key_hash FROM ledger_idempotency_keys WHERE rowid > $1 ORDER BY rowid LIMIT $2",
        )
        .bind(after)
        .bind(ENTRIES_PER_PAGE)
        .fetch_all(&mut *connection)
        .await
        .map_err(store_error)?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0).map_err(store_error)?;
        for row in page {
            let key: String = row.try_get(1).map_err(store_error)?;
            let stored: Option<i64> = row.try_get(2).map_err(store_error)?;
            if stored != Some(crate::sqlite_ledger::key_hash(&key)) {
                note(
                    &mut report.integrity_problems,
                    format!("idempotency key {key:?} is stored under the wrong hash"),
                );
            }
        }
    }
    Ok(())
}

/// Checks one entry's legs and adds them to the journal's balances.
fn check_entry(
    report: &mut VerifyReport,
    journal: &mut HashMap<String, JournalBalance>,
    id: &str,
    status: &str,
    legs: &str,
) {
    let Some(status) = EntryStatus::parse(status) else {
        note(
            &mut report.integrity_problems,
            format!("entry {id} has the unknown status {status:?}"),
        );
        return;
    };
    let postings = match decode_legs(legs) {
        Ok(postings) if postings.len() >= 2 => postings,
        Ok(_) => {
            return note(
                &mut report.integrity_problems,
                format!("entry {id} has fewer than two legs"),
            );
        }
        Err(error) => {
            return note(
                &mut report.integrity_problems,
                format!("entry {id}: {error}"),
            );
        }
    };
    let mut net: BTreeMap<&'static str, i128> = BTreeMap::new();
    for posting in &postings {
        let amount = i128::from(posting.amount.minor());
        *net.entry(posting.account.currency().code()).or_default() += amount;
        journal
            .entry(posting.account.as_str().to_owned())
            .or_default()
            .add(status, posting.amount.minor());
    }
    for (currency, sum) in net.into_iter().filter(|(_, sum)| *sum != 0) {
        if report.unbalanced_entries.len() < PROBLEMS_LISTED_MAX {
            report
                .unbalanced_entries
                .push((id.to_owned(), currency.to_owned(), sum));
        }
    }
}

fn note(problems: &mut Vec<String>, problem: String) {
    if problems.len() < PROBLEMS_LISTED_MAX {
        problems.push(problem);
    }
}

fn is_overdrawn(balance: &Balance) -> bool {
    balance.posted.minor() < 0 || balance.posted.minor() - balance.pending_debits.minor() < 0
}
