//! Ledger commands, what they answer, and why one may be refused.

use crate::{AccountId, Amount, BalancedEntry, EntryId, EntryStatus};

/// The most characters an idempotency key may have (Stripe allows 255).
pub const IDEMPOTENCY_KEY_LENGTH_MAX: usize = 255;

/// What a command asks the ledger to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Post an entry now.
    Post(BalancedEntry),
    /// Reserve an entry's debits at once and post or void it later (a withdrawal under review).
    Hold(BalancedEntry),
    /// Turn a pending hold into a posted entry.
    PostHold(EntryId),
    /// Release a pending hold; nothing moves.
    VoidHold(EntryId),
}

/// One command for the ledger's write path. Each succeeds or fails on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerCommand {
    /// The id of the entry a `Post` or `Hold` creates; for `PostHold`/`VoidHold` it is the hold's id.
    pub entry_id: EntryId,
    pub action: Action,
    /// A short text kept with the entry ("top-up", "transfer to usr_…").
    pub memo: String,
    /// When set, a repeat of the same command with the same key answers the first result and moves
    /// nothing; the same key with a different command is refused. Callers scope keys per user.
    pub idempotency_key: Option<String>,
}

impl LedgerCommand {
    pub fn post(entry_id: EntryId, entry: BalancedEntry, memo: impl Into<String>) -> LedgerCommand {
        LedgerCommand {
            entry_id,
            action: Action::Post(entry),
            memo: memo.into(),
            idempotency_key: None,
        }
    }

    pub fn hold(entry_id: EntryId, entry: BalancedEntry, memo: impl Into<String>) -> LedgerCommand {
        LedgerCommand {
            entry_id,
            action: Action::Hold(entry),
            memo: memo.into(),
            idempotency_key: None,
        }
    }

    pub fn post_hold(hold_id: EntryId) -> LedgerCommand {
        LedgerCommand {
            entry_id: hold_id.clone(),
            action: Action::PostHold(hold_id),
            memo: String::new(),
            idempotency_key: None,
        }
    }

    pub fn void_hold(hold_id: EntryId) -> LedgerCommand {
        LedgerCommand {
            entry_id: hold_id.clone(),
            action: Action::VoidHold(hold_id),
            memo: String::new(),
            idempotency_key: None,
        }
    }

    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> LedgerCommand {
        self.idempotency_key = Some(key.into());
        self
    }

    /// The accounts this command's own entry touches (none for `PostHold`/`VoidHold`, whose
    /// accounts are those of the stored hold).
    pub fn accounts(&self) -> impl Iterator<Item = &AccountId> {
        let postings = match &self.action {
            Action::Post(entry) | Action::Hold(entry) => entry.postings(),
            Action::PostHold(_) | Action::VoidHold(_) => &[],
        };
        postings.iter().map(|posting| &posting.account)
    }

    /// A digest of what the command asks, leaving out the entry id (a retry may bring a fresh
    /// one). Two commands with the same key and fingerprint are the same request.
    pub fn fingerprint(&self) -> String {
        let mut hash = Fnv1a::new();
        let (kind, postings, target) = match &self.action {
            Action::Post(entry) => ("post", entry.postings(), None),
            Action::Hold(entry) => ("hold", entry.postings(), None),
            Action::PostHold(id) => ("post_hold", &[][..], Some(id)),
            Action::VoidHold(id) => ("void_hold", &[][..], Some(id)),
        };
        hash.write(kind.as_bytes());
        for posting in postings {
            hash.write(posting.account.as_str().as_bytes());
            hash.write(&posting.amount.minor().to_le_bytes());
        }
        if let Some(id) = target {
            hash.write(id.as_str().as_bytes());
        }
        hash.write(self.memo.as_bytes());
        format!("{:016x}", hash.finish())
    }
}

/// 64-bit FNV-1a: tiny, stable across releases and platforms, enough to tell two requests apart
/// under one key (it guards against mistakes, not attackers, who cannot choose another's key).
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator so that ("ab", "c") and ("a", "bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What a successful command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub entry_id: EntryId,
    /// The entry's status after the command.
    pub status: EntryStatus,
    /// True when an idempotency key matched an earlier command and nothing moved this time.
    pub replayed: bool,
}

/// Why the ledger refused a command. Nothing moved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("account {account} has {available} available, {requested} requested")]
    InsufficientFunds {
        account: AccountId,
        available: Amount,
        requested: Amount,
    },
    #[error("account {account} is not open")]
    AccountNotFound { account: AccountId },
    #[error("the balance of {account} would overflow")]
    Overflow { account: AccountId },
    #[error("no hold {entry_id}")]
    HoldNotFound { entry_id: EntryId },
    #[error("hold {entry_id} is already {}", status.name())]
    HoldNotPending {
        entry_id: EntryId,
        status: EntryStatus,
    },
    #[error("idempotency key {key:?} was used for a different request")]
    IdempotencyKeyReused { key: String },
    #[error("an idempotency key must have 1 to {IDEMPOTENCY_KEY_LENGTH_MAX} characters")]
    InvalidIdempotencyKey,
}

impl Rejection {
    /// The stable machine code callers show users and look up explanations by.
    pub const fn code(&self) -> &'static str {
        match self {
            Rejection::InsufficientFunds { .. } => "insufficient_funds",
            Rejection::AccountNotFound { .. } => "account_not_found",
            Rejection::Overflow { .. } => "amount_overflow",
            Rejection::HoldNotFound { .. } => "hold_not_found",
            Rejection::HoldNotPending { .. } => "hold_not_pending",
            Rejection::IdempotencyKeyReused { .. } => "idempotency_key_reused",
            Rejection::InvalidIdempotencyKey => "invalid_idempotency_key",
        }
    }
}
