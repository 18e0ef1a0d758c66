//! Journal entries: postings that net to zero per currency, posted at once or pending as a hold.

use std::collections::BTreeMap;
use std::fmt;

use crate::{AccountId, Amount, AmountError, Currency};

/// The most legs one entry may have: a transfer with a fee and a discount needs four or five.
pub const ENTRY_LEGS_MAX: usize = 16;

/// The id of a journal entry, chosen by the caller (the id of the transaction it records) so that a
/// caller knows it before the entry is written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(Box<str>);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an entry id")]
pub struct InvalidEntryId(pub String);

impl EntryId {
    /// 1–64 characters of ASCII letters, digits and underscores, such as `txn_0192…`.
    pub fn parse(text: &str) -> Result<EntryId, InvalidEntryId> {
        let valid = !text.is_empty()
            && text.len() <= 64
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(EntryId(text.into()))
        } else {
            Err(InvalidEntryId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an entry stands. A hold is an entry that is `Pending`, later `Posted` or `Voided`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    Pending,
    Posted,
    Voided,
}

impl EntryStatus {
    pub const fn name(self) -> &'static str {
        match self {
            EntryStatus::Pending => "pending",
            EntryStatus::Posted => "posted",
            EntryStatus::Voided => "voided",
        }
    }

    pub fn parse(name: &str) -> Option<EntryStatus> {
        [
            EntryStatus::Pending,
            EntryStatus::Posted,
            EntryStatus::Voided,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

/// One leg of an entry: a signed amount on one account. Positive adds to the account's balance,
/// negative takes from it. The currency is the account's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    pub account: AccountId,
    pub amount: Amount,
}

/// Why a set of postings cannot form an entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("an entry needs at least two legs")]
    TooFewLegs,
    #[error("an entry may have at most {ENTRY_LEGS_MAX} legs")]
    TooManyLegs,
    #[error("a leg of zero moves nothing")]
    ZeroLeg,
    #[error("account {0} appears in two legs")]
    DuplicateAccount(AccountId),
    #[error("the legs in {0} do not net to zero")]
    Unbalanced(Currency),
    #[error(transparent)]
    Amount(#[from] AmountError),
}

/// Postings that net to zero in every currency. The only way money moves in OKPay: it cannot be
/// built unbalanced, so no code path can create or destroy money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalancedEntry {
    postings: Vec<Posting>,
}

impl BalancedEntry {
    pub fn new(postings: Vec<Posting>) -> Result<BalancedEntry, EntryError> {
        if postings.len() < 2 {
            return Err(EntryError::TooFewLegs);
        }
        if postings.len() > ENTRY_LEGS_MAX {
            return Err(EntryError::TooManyLegs);
        }
        let mut net_by_currency: BTreeMap<Currency, Amount> = BTreeMap::new();
        for (index, posting) in postings.iter().enumerate() {
            if posting.amount == Amount::ZERO {
                return Err(EntryError::ZeroLeg);
            }
            if postings[..index]
                .iter()
                .any(|earlier| earlier.account == posting.account)
            {
                return Err(EntryError::DuplicateAccount(posting.account.clone()));
            }
            let net = net_by_currency
                .entry(posting.account.currency())
                .or_default();
            *net = net.checked_add(posting.amount)?;
        }
        match net_by_currency
            .into_iter()
            .find(|(_, net)| *net != Amount::ZERO)
        {
            Some((currency, _)) => Err(EntryError::Unbalanced(currency)),
            None => Ok(BalancedEntry { postings }),
        }
    }

    /// Moves `amount` (positive) from one account to another of the same currency.
    pub fn transfer(
        from: AccountId,
        to: AccountId,
        amount: Amount,
    ) -> Result<BalancedEntry, EntryError> {
        BalancedEntry::new(vec![
            Posting {
                account: from,
                amount: amount.checked_neg()?,
            },
            Posting {
                account: to,
                amount,
            },
        ])
    }

    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlatformAccount;

    fn wallet(name: &str) -> AccountId {
        AccountId::wallet(name, Currency::Cny)
    }

    #[test]
    fn a_transfer_nets_to_zero_and_is_accepted() {
        let entry =
            BalancedEntry::transfer(wallet("usr_a"), wallet("usr_b"), Amount::from_minor(500))
                .expect("balanced");
        assert_eq!(entry.postings().len(), 2);
    }

    #[test]
    fn unbalanced_zero_duplicate_and_single_legs_are_refused() {
        let leg = |account: AccountId, minor: i64| Posting {
            account,
            amount: Amount::from_minor(minor),
        };
        assert_eq!(
            BalancedEntry::new(vec![leg(wallet("usr_a"), 5)]),
            Err(EntryError::TooFewLegs)
        );
        assert_eq!(
            BalancedEntry::new(vec![leg(wallet("usr_a"), -5), leg(wallet("usr_b"), 4)]),
            Err(EntryError::Unbalanced(Currency::Cny))
        );
        assert_eq!(
            BalancedEntry::new(vec![leg(wallet("usr_a"), 0), leg(wallet("usr_b"), 0)]),
            Err(EntryError::ZeroLeg)
        );
        assert!(matches!(
            BalancedEntry::new(vec![leg(wallet("usr_a"), -5), leg(wallet("usr_a"), 5)]),
            Err(EntryError::DuplicateAccount(_))
        ));
    }

    #[test]
    fn an_exchange_balances_in_each_currency_through_the_fx_positions() {
        let leg = |account: AccountId, minor: i64| Posting {
            account,
            amount: Amount::from_minor(minor),
        };
        let entry = BalancedEntry::new(vec![
            leg(AccountId::wallet("usr_a", Currency::Cny), -710),
            leg(
                AccountId::platform(PlatformAccount::FxPosition, Currency::Cny),
                710,
            ),
            leg(
                AccountId::platform(PlatformAccount::FxPosition, Currency::Usd),
                -100,
            ),
            leg(AccountId::wallet("usr_a", Currency::Usd), 100),
        ]);
        assert!(entry.is_ok());
        let crossed = BalancedEntry::new(vec![
            leg(AccountId::wallet("usr_a", Currency::Cny), -100),
            leg(AccountId::wallet("usr_a", Currency::Usd), 100),
        ]);
        assert_eq!(crossed, Err(EntryError::Unbalanced(Currency::Cny)));
    }

    #[test]
    fn entry_ids_allow_only_safe_characters() {
        assert!(EntryId::parse("txn_0192abc").is_ok());
        assert!(EntryId::parse("").is_err());
        assert!(EntryId::parse("txn-1").is_err());
        assert!(EntryId::parse(&"x".repeat(65)).is_err());
    }
}
