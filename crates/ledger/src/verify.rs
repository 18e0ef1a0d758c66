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

/// A balance recomputed from the journal, summed in 128 bits: entries are replayed in id order,
/// not the order they were applied, so a running sum in i64 could overflow where the ledger
/// itself never did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalBalance {
    pub posted: i128,
    pub pending_debits: i128,
    pub pending_credits: i128,
}

impl JournalBalance {
    /// Adds one leg of an entry in `status`.
    pub fn add(&mut self, status: EntryStatus, amount: i64) {
        let amount = i128::from(amount);
        match status {
            EntryStatus::Posted => self.posted += amount,
            EntryStatus::Pending if amount < 0 => self.pending_debits -= amount,
            EntryStatus::Pending => self.pending_credits += amount,
            EntryStatus::Voided => {}
        }
    }

    pub fn matches(&self, stored: &Balance) -> bool {
        self.posted == i128::from(stored.posted.minor())
            && self.pending_debits == i128::from(stored.pending_debits.minor())
            && self.pending_credits == i128::from(stored.pending_credits.minor())
    }

    /// For the report: sums beyond i64 show as its limits (and mismatch anyway).
    pub fn to_balance_clamped(&self) -> Balance {
        let clamp = |value: i128| {
            Amount::from_minor(value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
        };
        Balance {
            posted: clamp(self.posted),
            pending_debits: clamp(self.pending_debits),
            pending_credits: clamp(self.pending_credits),
        }
    }
}

/// Audits a book that holds a whole ledger (the in-memory ledger of the tests).
pub fn verify_book(book: &Book) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut recomputed: BTreeMap<&AccountId, JournalBalance> = BTreeMap::new();
    let mut sorted_entries: Vec<(&EntryId, _)> = book.entries().collect();
    sorted_entries.sort_by(|a, b| a.0.cmp(b.0));
    for (entry_id, entry) in sorted_entries {
        report.entries_checked += 1;
        let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
        for posting in &entry.postings {
            *net.entry(posting.account.currency()).or_default() +=
                i128::from(posting.amount.minor());
            recomputed
                .entry(&posting.account)
                .or_default()
                .add(entry.status, posting.amount.minor());
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
        if !journal.matches(stored) {
            report.balance_mismatches.push(BalanceMismatch {
                account: account.to_string(),
                stored: *stored,
                recomputed: journal.to_balance_clamped(),
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
            .push(format!("legs on the unopened account {account}"));
    }
    report
}
