//! The ledger's state machine: applies commands to balances in memory, all or nothing per command.
//!
//! The store loads the accounts, holds and idempotency keys a batch needs into a `Book`, runs every
//! command through it in order, and writes back what the book reports changed. Tests use a `Book`
//! holding everything as a complete in-memory ledger.

use std::collections::{HashMap, HashSet};

use crate::{
    AccountId, Action, Amount, Applied, Balance, BalancedEntry, EntryId, EntryStatus,
    IDEMPOTENCY_KEY_LENGTH_MAX, LedgerCommand, Posting, Rejection,
};

/// An entry the book knows: its legs and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownEntry {
    pub postings: Vec<Posting>,
    pub status: EntryStatus,
}

/// What an earlier command under an idempotency key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    pub fingerprint: String,
    pub entry_id: EntryId,
    pub status: EntryStatus,
}

/// A change the store must write, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    EntryCreated {
        entry_id: EntryId,
        status: EntryStatus,
        postings: Vec<Posting>,
        memo: String,
    },
    EntryResolved {
        entry_id: EntryId,
        status: EntryStatus,
    },
    KeyRecorded {
        key: String,
        record: KeyRecord,
    },
}

/// Balances, holds and keys, and the changes made to them since the book was loaded.
#[derive(Debug, Default)]
pub struct Book {
    balances: HashMap<AccountId, Balance>,
    entries: HashMap<EntryId, KnownEntry>,
    keys: HashMap<String, KeyRecord>,
    changes: Vec<Change>,
    touched: HashSet<AccountId>,
    /// Whether posted entries are remembered too. A batch needs only the pending ones (a hold made
    /// early in a batch may be resolved later in it); a whole in-memory ledger needs all of them.
    keeps_posted_entries: bool,
}

impl Book {
    /// A book for one batch: remembers pending entries, forgets posted ones once reported.
    pub fn new() -> Book {
        Book::default()
    }

    /// A book that is a whole ledger in memory, every entry kept, so `verify_book` can audit it.
    pub fn whole_ledger() -> Book {
        Book {
            keeps_posted_entries: true,
            ..Book::default()
        }
    }

    /// Makes an account known with its current balance (an open account).
    pub fn load_account(&mut self, account: AccountId, balance: Balance) {
        self.balances.insert(account, balance);
    }

    /// Makes a stored entry known, so that a hold can be posted or voided.
    pub fn load_entry(&mut self, entry_id: EntryId, entry: KnownEntry) {
        self.entries.insert(entry_id, entry);
    }

    /// Makes an idempotency key used earlier known.
    pub fn load_key(&mut self, key: String, record: KeyRecord) {
        self.keys.insert(key, record);
    }

    pub fn balance(&self, account: &AccountId) -> Option<Balance> {
        self.balances.get(account).copied()
    }

    pub fn entry(&self, entry_id: &EntryId) -> Option<&KnownEntry> {
        self.entries.get(entry_id)
    }

    pub fn accounts(&self) -> impl Iterator<Item = (&AccountId, &Balance)> {
        self.balances.iter()
    }

    pub fn entries(&self) -> impl Iterator<Item = (&EntryId, &KnownEntry)> {
        self.entries.iter()
    }

    /// The changes since the book was loaded (or since the last call), and the accounts whose
    /// balances changed.
    pub fn take_changes(&mut self) -> (Vec<Change>, Vec<AccountId>) {
        let mut touched: Vec<AccountId> = self.touched.drain().collect();
        touched.sort();
        (std::mem::take(&mut self.changes), touched)
    }

    /// Applies one command. On `Err` nothing changed.
    pub fn execute(&mut self, command: &LedgerCommand) -> Result<Applied, Rejection> {
        let fingerprint = match &command.idempotency_key {
            None => None,
            Some(key) if key.is_empty() || key.len() > IDEMPOTENCY_KEY_LENGTH_MAX => {
                return Err(Rejection::InvalidIdempotencyKey);
            }
            Some(key) => {
                let fingerprint = command.fingerprint();
                if let Some(earlier) = self.keys.get(key) {
                    return if earlier.fingerprint == fingerprint {
                        Ok(Applied {
                            entry_id: earlier.entry_id.clone(),
                            status: earlier.status,
                            replayed: true,
                        })
                    } else {
                        Err(Rejection::IdempotencyKeyReused { key: key.clone() })
                    };
                }
                Some(fingerprint)
            }
        };
        let applied = match &command.action {
            Action::Post(entry) => {
                self.create(&command.entry_id, entry, EntryStatus::Posted, &command.memo)?
            }
            Action::Hold(entry) => self.create(
                &command.entry_id,
                entry,
                EntryStatus::Pending,
                &command.memo,
            )?,
            Action::PostHold(hold_id) => self.resolve(hold_id, EntryStatus::Posted)?,
            Action::VoidHold(hold_id) => self.resolve(hold_id, EntryStatus::Voided)?,
        };
        if let (Some(key), Some(fingerprint)) = (&command.idempotency_key, fingerprint) {
            let record = KeyRecord {
                fingerprint,
                entry_id: applied.entry_id.clone(),
                status: applied.status,
            };
            self.keys.insert(key.clone(), record.clone());
            self.changes.push(Change::KeyRecorded {
                key: key.clone(),
                record,
            });
        }
        Ok(applied)
    }

    fn create(
        &mut self,
        entry_id: &EntryId,
        entry: &BalancedEntry,
        status: EntryStatus,
        memo: &str,
    ) -> Result<Applied, Rejection> {
        let mut updated = Vec::with_capacity(entry.postings().len());
        for posting in entry.postings() {
            let account = &posting.account;
            let before = self.open_balance(account)?;
            let overflow = || Rejection::Overflow {
                account: account.clone(),
            };
            let mut after = before;
            match (status, posting.amount.is_negative()) {
                (EntryStatus::Posted, _) => {
                    after.posted = before
                        .posted
                        .checked_add(posting.amount)
                        .map_err(|_| overflow())?
                }
                (_, true) => {
                    let reserved = posting.amount.checked_neg().map_err(|_| overflow())?;
                    after.pending_debits = before
                        .pending_debits
                        .checked_add(reserved)
                        .map_err(|_| overflow())?;
                }
                (_, false) => {
                    after.pending_credits = before
                        .pending_credits
                        .checked_add(posting.amount)
                        .map_err(|_| overflow())?
                }
            }
            let spendable = after
                .posted
                .checked_sub(after.pending_debits)
                .map_err(|_| overflow())?;
            if !account.kind().may_go_negative()
                && posting.amount.is_negative()
                && spendable.is_negative()
            {
                return Err(Rejection::InsufficientFunds {
                    account: account.clone(),
                    available: before.available(),
                    requested: Amount::from_minor(posting.amount.minor().saturating_neg()),
                });
            }
            updated.push((account.clone(), after));
        }
        self.commit_balances(updated);
        let postings = entry.postings().to_vec();
        if status == EntryStatus::Pending || self.keeps_posted_entries {
            self.entries.insert(
                entry_id.clone(),
                KnownEntry {
                    postings: postings.clone(),
                    status,
                },
            );
        }
        self.changes.push(Change::EntryCreated {
            entry_id: entry_id.clone(),
            status,
            postings,
            memo: memo.to_owned(),
        });
        Ok(Applied {
            entry_id: entry_id.clone(),
            status,
            replayed: false,
        })
    }

    fn resolve(&mut self, hold_id: &EntryId, outcome: EntryStatus) -> Result<Applied, Rejection> {
        let hold = self
            .entries
            .get(hold_id)
            .ok_or_else(|| Rejection::HoldNotFound {
                entry_id: hold_id.clone(),
            })?;
        if hold.status != EntryStatus::Pending {
            return Err(Rejection::HoldNotPending {
                entry_id: hold_id.clone(),
                status: hold.status,
            });
        }
        let mut updated = Vec::with_capacity(hold.postings.len());
        for posting in &hold.postings {
            let account = &posting.account;
            let before = self.open_balance(account)?;
            let overflow = || Rejection::Overflow {
                account: account.clone(),
            };
            let mut after = before;
            let magnitude = Amount::from_minor(posting.amount.minor().saturating_abs());
            if posting.amount.is_negative() {
                after.pending_debits = before
                    .pending_debits
                    .checked_sub(magnitude)
                    .map_err(|_| overflow())?;
            } else {
                after.pending_credits = before
                    .pending_credits
                    .checked_sub(magnitude)
                    .map_err(|_| overflow())?;
            }
            if outcome == EntryStatus::Posted {
                after.posted = before
                    .posted
                    .checked_add(posting.amount)
                    .map_err(|_| overflow())?;
            }
            // A hold reserved these funds when it was made, so posting it cannot overdraw.
            assert!(
                account.kind().may_go_negative() || !after.available().is_negative(),
                "resolving hold {hold_id} overdrew {account}"
            );
            updated.push((account.clone(), after));
        }
        self.commit_balances(updated);
        if let Some(hold) = self.entries.get_mut(hold_id) {
            hold.status = outcome;
        }
        self.changes.push(Change::EntryResolved {
            entry_id: hold_id.clone(),
            status: outcome,
        });
        Ok(Applied {
            entry_id: hold_id.clone(),
            status: outcome,
            replayed: false,
        })
    }

    fn open_balance(&self, account: &AccountId) -> Result<Balance, Rejection> {
        self.balances
            .get(account)
            .copied()
            .ok_or_else(|| Rejection::AccountNotFound {
                account: account.clone(),
            })
    }

    fn commit_balances(&mut self, updated: Vec<(AccountId, Balance)>) {
        for (account, balance) in updated {
            self.touched.insert(account.clone());
            self.balances.insert(account, balance);
        }
    }
}
