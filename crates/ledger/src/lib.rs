//! The pure double-entry core of OKPay: currencies, amounts, accounts, balanced entries, holds.
//!
//! No I/O, no async, no serde: everything here can be checked by reading it and by property tests.

mod account;
mod amount;
mod book;
mod command;
mod currency;
mod entry;
mod verify;

pub use account::{AccountId, AccountKind, Balance, InvalidAccountId, PlatformAccount};
pub use amount::{AMOUNT_INPUT_MAX, Amount, AmountError};
pub use book::{Book, Change, KeyRecord, KnownEntry};
pub use command::{Action, Applied, IDEMPOTENCY_KEY_LENGTH_MAX, LedgerCommand, Rejection};
pub use currency::{Currency, UnknownCurrency};
pub use entry::{
    BalancedEntry, ENTRY_LEGS_MAX, EntryError, EntryId, EntryStatus, InvalidEntryId, Posting,
};
pub use verify::{BalanceMismatch, JournalBalance, VerifyReport, verify_book};
