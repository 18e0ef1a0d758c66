//! Ledger accounts: a wallet per user and currency, and the platform's own accounts.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::{Amount, Currency};

/// The platform's own accounts. They stand for the outside world and for OKPay itself, and may go
/// below zero (a card-clearing account is negative by what the card processor owes us).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlatformAccount {
    /// Money on its way in from the card processor.
    CardClearing,
    /// Money on its way out to banks for withdrawals.
    PayoutClearing,
    /// Fees OKPay has earned.
    FeeRevenue,
    /// OKPay's position in a currency, the other side of every exchange.
    FxPosition,
    /// Funds set aside while something is investigated (a dispute).
    HeldFunds,
}

impl PlatformAccount {
    pub const ALL: &'static [PlatformAccount] = &[
        PlatformAccount::CardClearing,
        PlatformAccount::PayoutClearing,
        PlatformAccount::FeeRevenue,
        PlatformAccount::FxPosition,
        PlatformAccount::HeldFunds,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            PlatformAccount::CardClearing => "card_clearing",
            PlatformAccount::PayoutClearing => "payout_clearing",
            PlatformAccount::FeeRevenue => "fee_revenue",
            PlatformAccount::FxPosition => "fx_position",
            PlatformAccount::HeldFunds => "held_funds",
        }
    }

    fn parse(name: &str) -> Option<PlatformAccount> {
        PlatformAccount::ALL
            .iter()
            .copied()
            .find(|account| account.name() == name)
    }
}

/// What kind of account an id names; decides whether it may go below zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountKind {
    UserWallet,
    Platform(PlatformAccount),
}

impl AccountKind {
    /// User wallets never go below zero; platform accounts may.
    pub const fn may_go_negative(self) -> bool {
        matches!(self, AccountKind::Platform(_))
    }

    /// The name stored beside the account, e.g. `user_wallet` or `fee_revenue`.
    pub const fn name(self) -> &'static str {
        match self {
            AccountKind::UserWallet => "user_wallet",
            AccountKind::Platform(platform) => platform.name(),
        }
    }
}

/// Why a text is not an account id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an account id")]
pub struct InvalidAccountId(pub String);

/// An account: who holds it and in which currency. Its text form is its key in storage and the
/// order in which a batch locks accounts: `usr_…:CNY` for a wallet, `platform:fee_revenue:CNY`.
#[derive(Clone, Debug)]
pub struct AccountId {
    key: Box<str>,
    kind: AccountKind,
    currency: Currency,
}

const PLATFORM_PREFIX: &str = "platform:";

impl AccountId {
    /// The wallet of `user_id` (a `usr_…` id) in `currency`.
    pub fn wallet(user_id: &str, currency: Currency) -> AccountId {
        assert!(
            is_valid_owner(user_id),
            "user ids are checked before they reach the ledger"
        );
        AccountId {
            key: format!("{user_id}:{}", currency.code()).into(),
            kind: AccountKind::UserWallet,
            currency,
        }
    }

    pub fn platform(account: PlatformAccount, currency: Currency) -> AccountId {
        AccountId {
            key: format!("{PLATFORM_PREFIX}{}:{}", account.name(), currency.code()).into(),
            kind: AccountKind::Platform(account),
            currency,
        }
    }

    /// Parses the text form written by [`AccountId::as_str`].
    pub fn parse(text: &str) -> Result<AccountId, InvalidAccountId> {
        let invalid = || InvalidAccountId(text.to_owned());
        let (holder, code) = text.rsplit_once(':').ok_or_else(invalid)?;
        let currency = Currency::parse(code).map_err(|_| invalid())?;
        match holder.strip_prefix(PLATFORM_PREFIX) {
            Some(name) => PlatformAccount::parse(name)
                .map(|platform| AccountId::platform(platform, currency))
                .ok_or_else(invalid),
            None if is_valid_owner(holder) => Ok(AccountId::wallet(holder, currency)),
            None => Err(invalid()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The user who holds this wallet, or `None` for a platform account.
    pub fn owner(&self) -> Option<&str> {
        match self.kind {
            AccountKind::UserWallet => self.key.rsplit_once(':').map(|(owner, _)| owner),
            AccountKind::Platform(_) => None,
        }
    }
}

/// Owner ids are `usr_` followed by letters, digits or underscores, so that a key never
/// contains a second `:` and never collides with a platform account.
fn is_valid_owner(owner: &str) -> bool {
    owner.strip_prefix("usr_").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 64
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

impl PartialEq for AccountId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for AccountId {}

impl Hash for AccountId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for AccountId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Accounts order by their key: the one order every batch takes row locks in.
impl Ord for AccountId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// An account's balance. `posted` counts settled entries; pending entries (holds) are counted
/// apart, by direction, until they are posted or voided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub posted: Amount,
    /// Money reserved to leave the account by pending entries (a positive number).
    pub pending_debits: Amount,
    /// Money on its way into the account by pending entries (a positive number).
    pub pending_credits: Amount,
}

impl Balance {
    /// What the holder can spend: posted balance less what pending entries have reserved.
    pub fn available(&self) -> Amount {
        Amount::from_minor(
            self.posted
                .minor()
                .saturating_sub(self.pending_debits.minor()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_and_platform_ids_round_trip_through_text() {
        let wallet = AccountId::wallet("usr_alice", Currency::Cny);
        assert_eq!(wallet.as_str(), "usr_alice:CNY");
        assert_eq!(AccountId::parse("usr_alice:CNY"), Ok(wallet.clone()));
        assert_eq!(wallet.owner(), Some("usr_alice"));
        let fees = AccountId::platform(PlatformAccount::FeeRevenue, Currency::Usd);
        assert_eq!(fees.as_str(), "platform:fee_revenue:USD");
        let parsed = AccountId::parse(fees.as_str()).expect("platform ids parse");
        assert_eq!(
            parsed.kind(),
            AccountKind::Platform(PlatformAccount::FeeRevenue)
        );
        assert_eq!(parsed.currency(), Currency::Usd);
        assert_eq!(parsed.owner(), None);
    }

    #[test]
    fn malformed_account_ids_are_refused() {
        for text in [
            "",
            "usr_alice",
            "usr_:CNY",
            "alice:CNY",
            "usr_a:b:CNY",
            "platform:nothing:CNY",
            "usr_alice:XYZ",
        ] {
            assert!(AccountId::parse(text).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn only_platform_accounts_may_go_negative() {
        assert!(!AccountKind::UserWallet.may_go_negative());
        assert!(AccountKind::Platform(PlatformAccount::CardClearing).may_go_negative());
    }

    #[test]
    fn available_is_posted_less_pending_debits() {
        let balance = Balance {
            posted: Amount::from_minor(1000),
            pending_debits: Amount::from_minor(300),
            pending_credits: Amount::from_minor(50),
        };
        assert_eq!(balance.available(), Amount::from_minor(700));
    }
}
