//! The built-in simulated card processor and bank rail: documented test cards and bank accounts
//! that produce every outcome, and a switch that makes the rail slow or down.
//!
//! Only the token is stored, so the simulator writes each test card's behaviour into the token it
//! hands out (`tok_sim_<behaviour>_<random>`) and reads it back at charge time, so several `okpay`
//! processes agree on every card. Any other valid card number behaves like a success card. Like a
//! real processor it remembers every charge it answered, by reference, in the database
//! ([`SimulatedChargeStore`]): a reference is charged once, and `charge_status` tells truthfully
//! what became of a charge after the process that made it stopped. Payouts are stateless too: the account that fails once fails on attempt 1 and
//! succeeds from attempt 2 on, whichever process makes the attempt.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use crate::identity::BoxFuture;
use crate::ids::new_id;
use crate::wallet::card::{CardBrand, CardDetails, CardToken};
use crate::wallet::processor::{
    BankRail, CardProcessor, ChargeReceipt, ChargeRequest, ChargeStatus, PayoutError,
    PayoutReceipt, PayoutRequest, ProcessorError,
};
use crate::wallet::simulated_charges::{SimulatedCharge, SimulatedChargeStore};

/// The longest delay the slow switch may add to a call: a minute, far past any client timeout.
pub const RAIL_DELAY_MAX_MS: u64 = 60_000;

/// What a test card does when charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestCardOutcome {
    Success,
    InsufficientFunds,
    CardExpired,
    CardLimitExceeded,
    CardDeclined,
    ProcessorUnavailable,
}

impl TestCardOutcome {
    const ALL: &'static [TestCardOutcome] = &[
        TestCardOutcome::Success,
        TestCardOutcome::InsufficientFunds,
        TestCardOutcome::CardExpired,
        TestCardOutcome::CardLimitExceeded,
        TestCardOutcome::CardDeclined,
        TestCardOutcome::ProcessorUnavailable,
    ];

    /// `success`, or the error code the charge fails with; pages localize by this code.
    pub const fn code(self) -> &'static str {
        match self.refusal() {
            None => "success",
            Some(error) => error.code(),
        }
    }

    /// The refusal a charge meets, or `None` for a success card.
    pub const fn refusal(self) -> Option<ProcessorError> {
        match self {
            TestCardOutcome::Success => None,
            TestCardOutcome::InsufficientFunds => Some(ProcessorError::InsufficientFunds),
            TestCardOutcome::CardExpired => Some(ProcessorError::CardExpired),
            TestCardOutcome::CardLimitExceeded => Some(ProcessorError::CardLimitExceeded),
            TestCardOutcome::CardDeclined => Some(ProcessorError::CardDeclined),
            TestCardOutcome::ProcessorUnavailable => Some(ProcessorError::ProcessorUnavailable),
        }
    }

    /// The short tag written into a token.
    const fn tag(self) -> &'static str {
        match self {
            TestCardOutcome::Success => "ok",
            TestCardOutcome::InsufficientFunds => "nsf",
            TestCardOutcome::CardExpired => "expired",
            TestCardOutcome::CardLimitExceeded => "limit",
            TestCardOutcome::CardDeclined => "declined",
            TestCardOutcome::ProcessorUnavailable => "unavailable",
        }
    }
}

/// A documented test card. Any expiry in the future and any CVC of the right length work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestCard {
    /// As printed, in groups; parse it like any typed number.
    pub number: &'static str,
    pub brand: CardBrand,
    pub outcome: TestCardOutcome,
}

/// Every test card the simulator knows, in the order the README and the developer page list them.
/// The numbers follow Stripe's test cards, so developers may already know them.
#[rustfmt::skip]
pub const TEST_CARDS: &[TestCard] = &[
    TestCard { number: "4242 4242 4242 4242", brand: CardBrand::Visa, outcome: TestCardOutcome::Success },
    TestCard { number: "5555 5555 5555 4444", brand: CardBrand::Mastercard, outcome: TestCardOutcome::Success },
    TestCard { number: "6200 0000 0000 0005", brand: CardBrand::UnionPay, outcome: TestCardOutcome::Success },
    TestCard { number: "3782 822463 10005", brand: CardBrand::AmericanExpress, outcome: TestCardOutcome::Success },
    TestCard { number: "3566 0020 2036 0505", brand: CardBrand::Jcb, outcome: TestCardOutcome::Success },
    TestCard { number: "6011 1111 1111 1117", brand: CardBrand::Discover, outcome: TestCardOutcome::Success },
    TestCard { number: "4000 0000 0000 9995", brand: CardBrand::Visa, outcome: TestCardOutcome::InsufficientFunds },
    TestCard { number: "4000 0000 0000 0069", brand: CardBrand::Visa, outcome: TestCardOutcome::CardExpired },
    TestCard { number: "4000 0000 0000 6975", brand: CardBrand::Visa, outcome: TestCardOutcome::CardLimitExceeded },
    TestCard { number: "4000 0000 0000 0002", brand: CardBrand::Visa, outcome: TestCardOutcome::CardDeclined },
    TestCard { number: "4000 0000 0000 0119", brand: CardBrand::Visa, outcome: TestCardOutcome::ProcessorUnavailable },
];

/// What a test bank account does when paid out to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestBankAccountOutcome {
    Success,
    /// The first attempt times out (`bank_timeout`); every later attempt succeeds.
    FailsOnceThenSucceeds,
    /// Every attempt is refused with `bank_account_closed`; the withdrawal fails.
    AccountClosed,
}

impl TestBankAccountOutcome {
    pub const fn code(self) -> &'static str {
        match self {
            TestBankAccountOutcome::Success => "success",
            TestBankAccountOutcome::FailsOnceThenSucceeds => "fails_once",
            TestBankAccountOutcome::AccountClosed => "bank_account_closed",
        }
    }
}

/// A documented test bank account. Any other valid account number is paid at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestBankAccount {
    pub number: &'static str,
    pub outcome: TestBankAccountOutcome,
}

#[rustfmt::skip]
pub const TEST_BANK_ACCOUNTS: &[TestBankAccount] = &[
    TestBankAccount { number: "6222 0000 0000 0001", outcome: TestBankAccountOutcome::Success },
    TestBankAccount { number: "GB82 WEST 1234 5698 7654 32", outcome: TestBankAccountOutcome::Success },
    TestBankAccount { number: "6222 0000 0000 0019", outcome: TestBankAccountOutcome::FailsOnceThenSucceeds },
    TestBankAccount { number: "6222 0000 0000 0027", outcome: TestBankAccountOutcome::AccountClosed },
];

fn digits_only(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// How the simulated rail behaves right now; flipped at run time from the developer page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RailMode {
    Normal,
    /// Every call waits this long first (capped at [`RAIL_DELAY_MAX_MS`]).
    Slow {
        delay_ms: u64,
    },
    /// Every call fails with `processor_unavailable`.
    Down,
}

impl RailMode {
    pub const fn code(self) -> &'static str {
        match self {
            RailMode::Normal => "normal",
            RailMode::Slow { .. } => "slow",
            RailMode::Down => "down",
        }
    }
}

/// The switch the simulated processor and rail read before every call. Shared by `Arc`.
#[derive(Debug, Default)]
pub struct RailSwitch {
    mode: AtomicU8,
    delay_ms: AtomicU64,
}

const MODE_NORMAL: u8 = 0;
const MODE_SLOW: u8 = 1;
const MODE_DOWN: u8 = 2;

impl RailSwitch {
    pub fn new() -> Arc<RailSwitch> {
        Arc::new(RailSwitch::default())
    }

    pub fn set(&self, mode: RailMode) {
        let code = match mode {
            RailMode::Normal => MODE_NORMAL,
            RailMode::Slow { delay_ms } => {
                self.delay_ms
                    .store(delay_ms.min(RAIL_DELAY_MAX_MS), Ordering::Release);
                MODE_SLOW
            }
            RailMode::Down => MODE_DOWN,
        };
        self.mode.store(code, Ordering::Release);
    }

    pub fn mode(&self) -> RailMode {
        match self.mode.load(Ordering::Acquire) {
            MODE_SLOW => RailMode::Slow {
                delay_ms: self.delay_ms.load(Ordering::Acquire),
            },
            MODE_DOWN => RailMode::Down,
            _ => RailMode::Normal,
        }
    }

    /// Waits as the mode says, then tells whether the rail is up.
    async fn pass(&self) -> bool {
        match self.mode() {
            RailMode::Normal => true,
            RailMode::Slow { delay_ms } => {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                // The switch may have been turned off while we waited.
                self.mode() != RailMode::Down
            }
            RailMode::Down => false,
        }
    }
}

/// The simulated card processor and bank rail in one, both behind the same switch.
#[derive(Clone)]
pub struct SimulatedRail {
    switch: Arc<RailSwitch>,
    charges: Arc<dyn SimulatedChargeStore>,
}

impl std::fmt::Debug for SimulatedRail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedRail")
            .field("switch", &self.switch)
            .finish_non_exhaustive()
    }
}

const TOKEN_PREFIX: &str = "tok_sim_";

/// The simulated processor's clock: its records are its own, not the wallet's.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

impl SimulatedRail {
    /// The simulator over `switch`, keeping its charges in `charges`.
    pub fn new(switch: Arc<RailSwitch>, charges: Arc<dyn SimulatedChargeStore>) -> SimulatedRail {
        SimulatedRail { switch, charges }
    }

    pub fn switch(&self) -> &Arc<RailSwitch> {
        &self.switch
    }

    /// The behaviour of a card number: its test card's, or success for any other number.
    fn outcome_of_number(digits: &str) -> TestCardOutcome {
        TEST_CARDS
            .iter()
            .find(|card| digits_only(card.number) == digits)
            .map_or(TestCardOutcome::Success, |card| card.outcome)
    }

    /// The behaviour written into a token by `tokenize`.
    fn outcome_of_token(token: &CardToken) -> Option<TestCardOutcome> {
        let rest = token.as_str().strip_prefix(TOKEN_PREFIX)?;
        let (tag, _random) = rest.split_once('_')?;
        TestCardOutcome::ALL
            .iter()
            .copied()
            .find(|outcome| outcome.tag() == tag)
    }

    fn outcome_of_account(normal_number: &str) -> TestBankAccountOutcome {
        TEST_BANK_ACCOUNTS
            .iter()
            .find(|account| digits_only(account.number) == normal_number)
            .map_or(TestBankAccountOutcome::Success, |account| account.outcome)
    }
}

impl CardProcessor for SimulatedRail {
    fn tokenize<'a>(
        &'a self,
        card: &'a CardDetails,
    ) -> BoxFuture<'a, Result<CardToken, ProcessorError>> {
        Box::pin(async move {
            if !self.switch.pass().await {
                return Err(ProcessorError::ProcessorUnavailable);
            }
            let outcome = Self::outcome_of_number(card.number.reveal_for_tokenization());
            let token = format!("{TOKEN_PREFIX}{}_{}", outcome.tag(), new_id("card"));
            Ok(CardToken::parse(&token).expect("simulator tokens are safe text"))
        })
    }

    fn charge<'a>(
        &'a self,
        charge: &'a ChargeRequest,
    ) -> BoxFuture<'a, Result<ChargeReceipt, ProcessorError>> {
        Box::pin(async move {
            if !self.switch.pass().await {
                return Err(ProcessorError::ProcessorUnavailable);
            }
            // A reference already answered is answered the same way, and charged once.
            let earlier = self
                .charges
                .simulated_charge(&charge.reference)
                .await
                .map_err(|_| ProcessorError::ProcessorUnavailable)?;
            if let Some(earlier) = earlier {
                return earlier.outcome;
            }
            let outcome =
                Self::outcome_of_token(&charge.token).ok_or(ProcessorError::TokenUnknown)?;
            let answer = match outcome.refusal() {
                // The unavailable test card behaves as a processor that never saw the charge.
                Some(ProcessorError::ProcessorUnavailable) => {
                    return Err(ProcessorError::ProcessorUnavailable);
                }
                Some(refusal) => Err(refusal),
                None => Ok(ChargeReceipt {
                    processor_reference: format!("ch_sim_{}", charge.reference),
                }),
            };
            let kept = self
                .charges
                .keep_simulated_charge(&SimulatedCharge {
                    reference: charge.reference.clone(),
                    amount: charge.amount,
                    currency: charge.currency,
                    outcome: answer,
                    created_at: unix_now(),
                })
                .await
                // Not written down, not charged: the caller's record fails and nothing moved.
                .map_err(|_| ProcessorError::ProcessorUnavailable)?;
            kept.outcome
        })
    }

    fn charge_status<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ChargeStatus, ProcessorError>> {
        Box::pin(async move {
            if !self.switch.pass().await {
                return Err(ProcessorError::ProcessorUnavailable);
            }
            let kept = self
                .charges
                .simulated_charge(reference)
                .await
                .map_err(|_| ProcessorError::ProcessorUnavailable)?;
            Ok(match kept.map(|charge| charge.outcome) {
                Some(Ok(receipt)) => ChargeStatus::Charged(receipt),
                Some(Err(refusal)) => ChargeStatus::Refused(refusal),
                None => ChargeStatus::NotFound,
            })
        })
    }
}

impl BankRail for SimulatedRail {
    fn pay_out<'a>(
        &'a self,
        payout: &'a PayoutRequest,
    ) -> BoxFuture<'a, Result<PayoutReceipt, PayoutError>> {
        Box::pin(async move {
            if !self.switch.pass().await {
                return Err(PayoutError::RailUnavailable);
            }
            match Self::outcome_of_account(payout.account.as_str()) {
                TestBankAccountOutcome::FailsOnceThenSucceeds if payout.attempt <= 1 => {
                    Err(PayoutError::BankTimeout)
                }
                TestBankAccountOutcome::AccountClosed => Err(PayoutError::AccountClosed),
                _ => Ok(PayoutReceipt {
                    rail_reference: format!("po_sim_{}", payout.reference),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use ledger::{Amount, Currency};

    use super::*;
    use crate::calendar::CivilDate;
    use crate::wallet::bank_account::BankAccountNumber;
    use crate::wallet::card::{CardInput, CardNumber, HolderName};
    use crate::wallet::processor::save_card;

    /// The simulator's charges in memory, for these tests only; OKPay keeps them in the database.
    #[derive(Default)]
    struct ChargesInMemory(std::sync::Mutex<std::collections::HashMap<String, SimulatedCharge>>);

    impl SimulatedChargeStore for ChargesInMemory {
        fn keep_simulated_charge<'a>(
            &'a self,
            charge: &'a SimulatedCharge,
        ) -> BoxFuture<'a, Result<SimulatedCharge, crate::StoreError>> {
            Box::pin(async move {
                let mut kept = self.0.lock().expect("not poisoned");
                Ok(kept
                    .entry(charge.reference.clone())
                    .or_insert_with(|| charge.clone())
                    .clone())
            })
        }

        fn simulated_charge<'a>(
            &'a self,
            reference: &'a str,
        ) -> BoxFuture<'a, Result<Option<SimulatedCharge>, crate::StoreError>> {
            Box::pin(
                async move { Ok(self.0.lock().expect("not poisoned").get(reference).cloned()) },
            )
        }
    }

    fn rail_over(switch: Arc<RailSwitch>) -> SimulatedRail {
        SimulatedRail::new(switch, Arc::new(ChargesInMemory::default()))
    }

    fn card(number: &str) -> CardDetails {
        let brand = CardNumber::parse(number).expect("valid").brand();
        let cvc = if brand == CardBrand::AmericanExpress {
            "1234"
        } else {
            "123"
        };
        CardDetails::parse(
            CardInput {
                number,
                exp_month: 12,
                exp_year: 2030,
                cvc,
                holder_name: "Test Holder",
            },
            CivilDate::new(2027, 1, 15).expect("real"),
        )
        .expect("test cards are valid")
    }

    /// A charge of ¥100 under a reference of its own.
    fn charge_of(token: CardToken) -> ChargeRequest {
        ChargeRequest {
            reference: new_id("txn"),
            token,
            amount: Amount::from_minor(10_000),
            currency: Currency::Cny,
        }
    }

    fn payout_to(number: &str, attempt: u32) -> PayoutRequest {
        PayoutRequest {
            reference: "wdr_1".to_owned(),
            attempt,
            account: BankAccountNumber::parse(number).expect("valid"),
            holder_name: HolderName::parse("Test Holder").expect("valid"),
            amount: Amount::from_minor(10_000),
            currency: Currency::Cny,
        }
    }

    #[test]
    fn every_test_card_is_a_valid_number_of_its_brand_and_every_outcome_has_one() {
        for test_card in TEST_CARDS {
            let number = CardNumber::parse(test_card.number)
                .unwrap_or_else(|e| panic!("{}: {e}", test_card.number));
            assert_eq!(number.brand(), test_card.brand, "{}", test_card.number);
        }
        for outcome in TestCardOutcome::ALL {
            assert!(
                TEST_CARDS.iter().any(|card| card.outcome == *outcome),
                "{outcome:?}"
            );
        }
        for account in TEST_BANK_ACCOUNTS {
            assert!(
                BankAccountNumber::parse(account.number).is_ok(),
                "{}",
                account.number
            );
        }
    }

    #[test]
    fn the_readme_lists_every_test_card_and_bank_account_with_its_outcome() {
        let readme = include_str!("../../../../README.md");
        for card in TEST_CARDS {
            let row = readme
                .lines()
                .find(|line| line.starts_with(&format!("| {} |", card.number)))
                .unwrap_or_else(|| panic!("README lists {}", card.number));
            assert!(row.contains(card.brand.display_name()), "{row}");
            assert!(row.contains(card.outcome.code()), "{row}");
        }
        for account in TEST_BANK_ACCOUNTS {
            let row = readme
                .lines()
                .find(|line| line.starts_with(&format!("| {} |", account.number)))
                .unwrap_or_else(|| panic!("README lists {}", account.number));
            if account.outcome == TestBankAccountOutcome::AccountClosed {
                assert!(row.contains(account.outcome.code()), "{row}");
            }
        }
    }

    #[tokio::test]
    async fn each_test_card_charges_with_its_documented_outcome() {
        let rail = rail_over(RailSwitch::new());
        for test_card in TEST_CARDS {
            let saved = save_card(&rail, card(test_card.number))
                .await
                .expect("tokenizing works while the rail is up");
            assert_eq!(saved.brand, test_card.brand);
            assert!(
                !saved
                    .token
                    .as_str()
                    .contains(&digits_only(test_card.number))
            );
            let request = charge_of(saved.token);
            let charged = rail.charge(&request).await;
            let expected = match test_card.outcome.refusal() {
                None => Ok(format!("ch_sim_{}", request.reference)),
                Some(refusal) => Err(refusal),
            };
            assert_eq!(
                charged.map(|receipt| receipt.processor_reference),
                expected,
                "{}",
                test_card.number
            );
        }
    }

    #[tokio::test]
    async fn a_reference_is_charged_once_and_its_status_is_told_truthfully_afterwards() {
        let switch = RailSwitch::new();
        let charges: Arc<ChargesInMemory> = Arc::new(ChargesInMemory::default());
        let rail = SimulatedRail::new(switch.clone(), charges.clone());
        let good = save_card(&rail, card("4242 4242 4242 4242"))
            .await
            .expect("up");
        let declined = save_card(&rail, card("4000 0000 0000 0002"))
            .await
            .expect("up");
        let unavailable = save_card(&rail, card("4000 0000 0000 0119"))
            .await
            .expect("up");

        let paid = charge_of(good.token.clone());
        assert_eq!(
            rail.charge_status(&paid.reference).await,
            Ok(ChargeStatus::NotFound)
        );
        let receipt = rail.charge(&paid).await.expect("charged");
        // Asked again with the same reference (a retry), the processor answers the first charge.
        assert_eq!(rail.charge(&paid).await, Ok(receipt.clone()));
        assert_eq!(charges.0.lock().expect("not poisoned").len(), 1);
        // Another rail over the same records (another process, or after a restart) knows it.
        let restarted = SimulatedRail::new(switch.clone(), charges.clone());
        assert_eq!(
            restarted.charge_status(&paid.reference).await,
            Ok(ChargeStatus::Charged(receipt))
        );

        let refused = charge_of(declined.token);
        assert_eq!(
            rail.charge(&refused).await,
            Err(ProcessorError::CardDeclined)
        );
        assert_eq!(
            restarted.charge_status(&refused.reference).await,
            Ok(ChargeStatus::Refused(ProcessorError::CardDeclined))
        );
        // A processor that was unavailable never saw the charge.
        let lost = charge_of(unavailable.token);
        assert_eq!(
            rail.charge(&lost).await,
            Err(ProcessorError::ProcessorUnavailable)
        );
        assert_eq!(
            restarted.charge_status(&lost.reference).await,
            Ok(ChargeStatus::NotFound)
        );

        switch.set(RailMode::Down);
        assert_eq!(
            restarted.charge_status(&paid.reference).await,
            Err(ProcessorError::ProcessorUnavailable)
        );
    }

    #[tokio::test]
    async fn any_other_valid_card_succeeds_and_a_foreign_token_is_unknown() {
        let rail = rail_over(RailSwitch::new());
        let saved = save_card(&rail, card("4012 8888 8888 1881"))
            .await
            .expect("up");
        assert!(rail.charge(&charge_of(saved.token)).await.is_ok());
        let foreign = CardToken::parse("tok_realprovider_abc").expect("valid text");
        assert_eq!(
            rail.charge(&charge_of(foreign)).await,
            Err(ProcessorError::TokenUnknown)
        );
        let unknown_tag = CardToken::parse("tok_sim_weird_abc").expect("valid text");
        assert_eq!(
            rail.charge(&charge_of(unknown_tag)).await,
            Err(ProcessorError::TokenUnknown)
        );
    }

    #[tokio::test]
    async fn a_rail_switched_down_refuses_everything_until_it_is_switched_back() {
        let switch = RailSwitch::new();
        let rail = rail_over(switch.clone());
        let saved = save_card(&rail, card("4242 4242 4242 4242"))
            .await
            .expect("up");
        switch.set(RailMode::Down);
        assert_eq!(switch.mode(), RailMode::Down);
        assert_eq!(
            rail.tokenize(&card("4242 4242 4242 4242")).await,
            Err(ProcessorError::ProcessorUnavailable)
        );
        assert_eq!(
            rail.charge(&charge_of(saved.token.clone())).await,
            Err(ProcessorError::ProcessorUnavailable)
        );
        assert_eq!(
            rail.pay_out(&payout_to("6222 0000 0000 0001", 1)).await,
            Err(PayoutError::RailUnavailable)
        );
        switch.set(RailMode::Slow { delay_ms: 1 });
        assert_eq!(switch.mode(), RailMode::Slow { delay_ms: 1 });
        assert!(rail.charge(&charge_of(saved.token)).await.is_ok());
        switch.set(RailMode::Slow { delay_ms: u64::MAX });
        assert_eq!(
            switch.mode(),
            RailMode::Slow {
                delay_ms: RAIL_DELAY_MAX_MS
            }
        );
        switch.set(RailMode::Normal);
        assert_eq!(switch.mode(), RailMode::Normal);
    }

    #[tokio::test]
    async fn test_bank_accounts_pay_fail_once_or_refuse_as_documented() {
        let rail = rail_over(RailSwitch::new());
        let paid = |number: &'static str, attempt: u32| {
            let rail = rail.clone();
            async move {
                rail.pay_out(&payout_to(number, attempt))
                    .await
                    .map(|r| r.rail_reference)
            }
        };
        assert_eq!(
            paid("6222 0000 0000 0001", 1).await,
            Ok("po_sim_wdr_1".to_owned())
        );
        assert_eq!(
            paid("GB82 WEST 1234 5698 7654 32", 1).await,
            Ok("po_sim_wdr_1".to_owned())
        );
        assert_eq!(
            paid("6222 0212 3456 6789", 1).await,
            Ok("po_sim_wdr_1".to_owned())
        );
        assert_eq!(
            paid("6222 0000 0000 0019", 1).await,
            Err(PayoutError::BankTimeout)
        );
        assert_eq!(
            paid("6222 0000 0000 0019", 2).await,
            Ok("po_sim_wdr_1".to_owned())
        );
        assert_eq!(
            paid("6222 0000 0000 0027", 1).await,
            Err(PayoutError::AccountClosed)
        );
        assert_eq!(
            paid("6222 0000 0000 0027", 2).await,
            Err(PayoutError::AccountClosed)
        );
    }
}
