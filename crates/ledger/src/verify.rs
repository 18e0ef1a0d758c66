//! The audit of a ledger: every entry balanced, every balance equal to its journal, every trial balance zero.

use std::collections::BTreeMap;
use std::fmt;

use crate::{AccountId, Amount, Balance, Book, Currency, EntryId, EntryStatus};

/// A stored balance that differs from the one recomputed from the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceMismatch {
    pub account: String,
    pub stored: Balance,
    pub recomputed: Balance,
}

/// What `okpay verify` found. Clean when every list of problems is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries_checked: u64,
    pub accounts_checked: u64,
    /// Posted balances summed per currency: every one must be zero.
    pub trial_balances: BTreeMap<String, i128>,
    /// Entries whose legs do not net to zero in some currency: (entry, currency, net).
    pub unbalanced_entries: Vec<(String, String, i128)>,
    pub balance_mismatches: Vec<BalanceMismatch>,
    /// User wallets whose available balance is below zero.
    pub overdrawn_wallets: Vec<(String, Balance)>,
    /// Anything else that makes the journal untrustworthy: unreadable or one-legged entries,
    /// legs on unopened accounts, idempotency keys that name no entry.
    pub integrity_problems: Vec<String>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.trial_balances.values().all(|net| *net == 0)
            && self.unbalanced_entries.is_empty()
            && self.balance_mismatches.is_empty()
            && self.overdrawn_wallets.is_empty()
            && self.integrity_problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "entries checked:  {}", self.entries_checked)?;
        writeln!(f, "accounts checked: {}", self.accounts_checked)?;
        for (currency, net) in &self.trial_balances {
            let verdict = if *net == 0 { "ok" } else { "NOT ZERO" };
            writeln!(f, "trial balance {currency}: {net} ({verdict})")?;
        }
        for (entry, currency, net) in &self.unbalanced_entries {
            writeln!(f, "UNBALANCED entry {entry}: {currency} nets to {net}")?;
        }
        for mismatch in &self.balance_mismatches {
            writeln!(
                f,
                "MISMATCH {}: stored {:?}, journal says {:?}",
                mismatch.account, mismatch.stored, mismatch.recomputed
            )?;
        }
        for (account, balance) in &self.overdrawn_wallets {
            writeln!(f, "OVERDRAWN wallet {account}: {balance:?}")?;
        }
        for posting in &self.integrity_problems {
            writeln!(f, "PROBLEM: {posting}")?;
        }
        write!(
            f,
            "{}",
            if self.is_clean() {
                "verify: clean"
            } else {
                "verify: PROBLEMS FOUND"
            }
        )
    }
}

/// Audits a book that holds a whole ledger (the in-memory ledger of the tests).
pub fn verify_book(book: &Book) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut recomputed: BTreeMap<&AccountId, Balance> = BTreeMap::new();
    let mut sorted_entries: Vec<(&EntryId, _)> = book.entries().collect();
    sorted_entries.sort_by(|a, b| a.0.cmp(b.0));
    for (entry_id, entry) in sorted_entries {
        report.entries_checked += 1;
        let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
        for posting in &entry.postings {
            *net.entry(posting.account.currency()).or_default() +=
                i128::from(posting.amount.minor());
            let balance = recomputed.entry(&posting.account).or_default();
            let amount = posting.amount.minor();
            match entry.status {
                EntryStatus::Posted => {
                    balance.posted =
                        Amount::from_minor(balance.posted.minor().saturating_add(amount))
                }
                EntryStatus::Pending if amount < 0 => {
                    balance.pending_debits =
                        Amount::from_minor(balance.pending_debits.minor().saturating_sub(amount))
                }
                EntryStatus::Pending => {
                    balance.pending_credits =
                        Amount::from_minor(balance.pending_credits.minor().saturating_add(amount))
                }
                EntryStatus::Voided => {}
            }
        }
        for (currency, sum) in net.into_iter().filter(|(_, sum)| *sum != 0) {
            report
                .unbalanced_entries
                .push((entry_id.to_string(), currency.to_string(), sum));
        }
    }
    let mut accounts: Vec<_> = book.accounts().collect();
    accounts.sort_by(|a, b| a.0.cmp(b.0));
    for (account, stored) in accounts {
        report.accounts_checked += 1;
        *report
            .trial_balances
            .entry(account.currency().to_string())
            .or_default() += i128::from(stored.posted.minor());
        let journal = recomputed.remove(account).unwrap_or_default();
        if journal != *stored {
            report.balance_mismatches.push(BalanceMismatch {
                account: account.to_string(),
                stored: *stored,
                recomputed: journal,
            });
        }
        if !account.kind().may_go_negative() && stored.available().is_negative() {
            report
                .overdrawn_wallets
                .push((account.to_string(), *stored));
        }
    }
    for account in recomputed.keys() {
        report
            .integrity_problems
            .push(format!("to unopened account {account}"));
    }
    report
}
