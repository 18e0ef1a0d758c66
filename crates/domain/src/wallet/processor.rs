//! The interfaces a real card processor and bank rail implement: tokenize a card, charge a token,
//! pay out to a bank account; and how often a failed payout is tried again.

use ledger::{Amount, Currency};

use crate::identity::{BoxFuture, UnixSeconds};
use crate::wallet::bank_account::BankAccountNumber;
use crate::wallet::card::{CardDetails, CardToken, HolderName, SavedCard};

/// Why a card processor refused or could not do what was asked. Nothing was charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcessorError {
    #[error("the card's bank says the card has too little money")]
    InsufficientFunds,
    #[error("the card's bank says the card has expired")]
    CardExpired,
    #[error("the amount is over the card's limit")]
    CardLimitExceeded,
    #[error("the card's bank declined without giving a reason")]
    CardDeclined,
    #[error("the card processor cannot be reached now")]
    ProcessorUnavailable,
    #[error("the card processor does not know this card; add it again")]
    TokenUnknown,
}

impl ProcessorError {
    pub const fn code(self) -> &'static str {
        match self {
            ProcessorError::InsufficientFunds => "insufficient_funds",
            ProcessorError::CardExpired => "card_expired",
            ProcessorError::CardLimitExceeded => "card_limit_exceeded",
            ProcessorError::CardDeclined => "card_declined",
            ProcessorError::ProcessorUnavailable => "processor_unavailable",
            ProcessorError::TokenUnknown => "card_token_unknown",
        }
    }

    /// The error whose [`ProcessorError::code`] is `code`.
    pub fn parse(code: &str) -> Option<ProcessorError> {
        [
            ProcessorError::InsufficientFunds,
            ProcessorError::CardExpired,
            ProcessorError::CardLimitExceeded,
            ProcessorError::CardDeclined,
            ProcessorError::ProcessorUnavailable,
            ProcessorError::TokenUnknown,
        ]
        .into_iter()
        .find(|error| error.code() == code)
    }

    /// Whether the same request may succeed later without anything changing on the user's side.
    pub const fn is_retryable(self) -> bool {
        matches!(self, ProcessorError::ProcessorUnavailable)
    }
}

/// A charge of a saved card. `reference` is OKPay's transaction id: a processor that sees the
/// same reference twice charges once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeRequest {
    pub reference: String,
    pub token: CardToken,
    pub amount: Amount,
    pub currency: Currency,
}

/// A successful charge: the processor's own reference, kept with the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeReceipt {
    pub processor_reference: String,
}

/// What a processor knows of the charge with a reference: how a charge whose answer was lost
/// (the process stopped, the connection dropped) is settled afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeStatus {
    /// The card was charged: the money is OKPay's to credit.
    Charged(ChargeReceipt),
    /// The processor saw the charge and refused it: nothing was taken.
    Refused(ProcessorError),
    /// The processor never saw a charge with this reference: nothing was taken.
    NotFound,
}

/// A card processor. The full card number and CVC reach only `tokenize`.
pub trait CardProcessor: Send + Sync + 'static {
    fn tokenize<'a>(
        &'a self,
        card: &'a CardDetails,
    ) -> BoxFuture<'a, Result<CardToken, ProcessorError>>;

    fn charge<'a>(
        &'a self,
        charge: &'a ChargeRequest,
    ) -> BoxFuture<'a, Result<ChargeReceipt, ProcessorError>>;

    /// What happened to the charge whose `reference` is OKPay's transaction id. Answers from the
    /// processor's own records, never from this process's memory; `ProcessorUnavailable` when
    /// it cannot be asked now.
    fn charge_status<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ChargeStatus, ProcessorError>>;
}

/// Tokenizes a parsed card and keeps what may be kept; the number and CVC are dropped here.
pub async fn save_card(
    processor: &dyn CardProcessor,
    card: CardDetails,
) -> Result<SavedCard, ProcessorError> {
    let token = processor.tokenize(&card).await?;
    Ok(card.into_saved(token))
}

/// Why a payout did not arrive. Nothing left OKPay's payout clearing account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayoutError {
    #[error("the bank rail cannot be reached now")]
    RailUnavailable,
    #[error("the bank did not answer in time")]
    BankTimeout,
    #[error("the receiving bank says the account is closed")]
    AccountClosed,
    #[error("the receiving bank does not know the account or its holder")]
    AccountInvalid,
}

impl PayoutError {
    pub const fn code(self) -> &'static str {
        match self {
            PayoutError::RailUnavailable => "processor_unavailable",
            PayoutError::BankTimeout => "bank_timeout",
            PayoutError::AccountClosed => "bank_account_closed",
            PayoutError::AccountInvalid => "bank_account_invalid",
        }
    }

    /// Whether trying again later may succeed; otherwise the withdrawal fails and its hold is voided.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            PayoutError::RailUnavailable | PayoutError::BankTimeout
        )
    }
}

/// A payout to a bank account. `reference` is the withdrawal's id, the same on every attempt so
/// the rail pays once; `attempt` counts from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRequest {
    pub reference: String,
    pub attempt: u32,
    pub account: BankAccountNumber,
    pub holder_name: HolderName,
    pub amount: Amount,
    pub currency: Currency,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutReceipt {
    pub rail_reference: String,
}

/// A bank rail that sends money from OKPay to users' bank accounts.
pub trait BankRail: Send + Sync + 'static {
    fn pay_out<'a>(
        &'a self,
        payout: &'a PayoutRequest,
    ) -> BoxFuture<'a, Result<PayoutReceipt, PayoutError>>;
}

/// When a payout that failed in a retryable way is tried again: after `backoff_first_s`, doubling
/// each time up to `backoff_max_s`, at most `attempts_max` attempts in all. Then it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayoutRetryPolicy {
    pub attempts_max: u32,
    pub backoff_first_s: i64,
    pub backoff_max_s: i64,
}

impl Default for PayoutRetryPolicy {
    fn default() -> Self {
        PayoutRetryPolicy {
            attempts_max: 6,
            backoff_first_s: 30,
            backoff_max_s: 3_600,
        }
    }
}

/// What to do after a payout attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayoutNext {
    RetryAt(UnixSeconds),
    GiveUp,
}

impl PayoutRetryPolicy {
    /// After attempt number `attempt` (from 1) failed with `error` at `now`.
    pub fn after_failure(&self, attempt: u32, error: PayoutError, now: UnixSeconds) -> PayoutNext {
        if !error.is_retryable() || attempt >= self.attempts_max {
            return PayoutNext::GiveUp;
        }
        let doublings = attempt.saturating_sub(1).min(30);
        let backoff_s = self
            .backoff_first_s
            .saturating_mul(1_i64 << doublings)
            .min(self.backoff_max_s);
        PayoutNext::RetryAt(now.saturating_add(backoff_s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_payout_failures_back_off_and_then_give_up() {
        let policy = PayoutRetryPolicy::default();
        let cases = [
            (1, PayoutError::BankTimeout, PayoutNext::RetryAt(1_030)),
            (2, PayoutError::RailUnavailable, PayoutNext::RetryAt(1_060)),
            (5, PayoutError::BankTimeout, PayoutNext::RetryAt(1_480)),
            (6, PayoutError::BankTimeout, PayoutNext::GiveUp),
            (1, PayoutError::AccountClosed, PayoutNext::GiveUp),
            (1, PayoutError::AccountInvalid, PayoutNext::GiveUp),
        ];
        for (attempt, error, expected) in cases {
            assert_eq!(
                policy.after_failure(attempt, error, 1_000),
                expected,
                "{attempt} {error:?}"
            );
        }
        let capped = PayoutRetryPolicy {
            attempts_max: 100,
            ..policy
        };
        assert_eq!(
            capped.after_failure(60, PayoutError::BankTimeout, 0),
            PayoutNext::RetryAt(3_600)
        );
    }

    #[test]
    fn only_an_unavailable_processor_may_be_retried_as_is() {
        assert!(ProcessorError::ProcessorUnavailable.is_retryable());
        assert!(!ProcessorError::CardDeclined.is_retryable());
        assert_eq!(
            ProcessorError::CardLimitExceeded.code(),
            "card_limit_exceeded"
        );
        assert_eq!(PayoutError::RailUnavailable.code(), "processor_unavailable");
        for error in [
            ProcessorError::InsufficientFunds,
            ProcessorError::CardExpired,
            ProcessorError::CardLimitExceeded,
            ProcessorError::CardDeclined,
            ProcessorError::ProcessorUnavailable,
            ProcessorError::TokenUnknown,
        ] {
            assert_eq!(ProcessorError::parse(error.code()), Some(error));
        }
        assert_eq!(ProcessorError::parse("charged"), None);
    }
}
