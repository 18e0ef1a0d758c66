//! The ledger commands every wallet movement makes: one balanced entry each, every fee a leg to
//! `platform:fee_revenue:<CUR>`.
//!
//! | movement | legs |
//! |---|---|
//! | top-up | card clearing −(amount + fee), wallet +amount, fee revenue +fee |
//! | transfer | sender −(amount + fee), receiver +amount, fee revenue +fee |
//! | withdrawal (a hold) | wallet −amount, payout clearing +(amount − fee), fee revenue +fee; posted on payout, voided on rejection or failure |
//! | exchange | wallet A −amount, fee revenue A +fee, FX position A +(amount − fee), FX position B −converted, wallet B +converted |
//! | remittance | as an exchange, but wallet B is the recipient's |
//! | maintenance fee | wallet −fee, fee revenue +fee |
//! | refund of a top-up | wallet −amount, fee revenue −refunded fee, card clearing +(amount + refunded fee) |
//! | reversal | every leg of the original entry, negated |
//!
//! A fee of zero makes no leg. Amounts are checked here (positive, within `AMOUNT_INPUT_MAX`, a
//! deducted fee below the amount), so a valid input always makes a balanced entry.

use ledger::{
    AMOUNT_INPUT_MAX, AccountId, Amount, BalancedEntry, Currency, EntryError, EntryId,
    LedgerCommand, PlatformAccount, Posting,
};

/// Why a movement's entry cannot be built. Nothing moved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MovementError {
    #[error("{0:?} is not a user id")]
    UserIdInvalid(String),
    #[error("the amount must be greater than zero and at most {AMOUNT_INPUT_MAX} minor units")]
    AmountInvalid,
    #[error("a fee must be zero or more, and less than an amount it is taken from")]
    FeeInvalid,
    #[error("money cannot move from a wallet to itself")]
    SameWallet,
    #[error("an exchange needs two different currencies")]
    SameCurrency,
    #[error(transparent)]
    Entry(#[from] EntryError),
}

impl MovementError {
    pub const fn code(&self) -> &'static str {
        match self {
            MovementError::UserIdInvalid(_) => "user_not_found",
            MovementError::AmountInvalid => "amount_invalid",
            MovementError::FeeInvalid => "fee_invalid",
            MovementError::SameWallet => "same_wallet",
            MovementError::SameCurrency => "currency_pair_invalid",
            MovementError::Entry(_) => "entry_invalid",
        }
    }
}

fn wallet(user_id: &str, currency: Currency) -> Result<AccountId, MovementError> {
    // Parsing the key checks the user id without `AccountId::wallet`'s assertion.
    AccountId::parse(&format!("{user_id}:{}", currency.code()))
        .ok()
        .filter(|account| account.owner().is_some())
        .ok_or_else(|| MovementError::UserIdInvalid(user_id.to_owned()))
}

fn platform(account: PlatformAccount, currency: Currency) -> AccountId {
    AccountId::platform(account, currency)
}

fn positive(amount: Amount) -> Result<Amount, MovementError> {
    if amount.is_positive() && amount.minor() <= AMOUNT_INPUT_MAX {
        Ok(amount)
    } else {
        Err(MovementError::AmountInvalid)
    }
}

fn fee_on_top(fee: Amount) -> Result<Amount, MovementError> {
    if fee.is_negative() || fee.minor() > AMOUNT_INPUT_MAX {
        Err(MovementError::FeeInvalid)
    } else {
        Ok(fee)
    }
}

fn fee_deducted(amount: Amount, fee: Amount) -> Result<Amount, MovementError> {
    if fee.is_negative() || fee >= amount {
        Err(MovementError::FeeInvalid)
    } else {
        Ok(fee)
    }
}

fn neg(amount: Amount) -> Amount {
    amount.checked_neg().expect("checked amounts negate")
}

fn plus(a: Amount, b: Amount) -> Amount {
    a.checked_add(b)
        .expect("two checked amounts add up within i64")
}

fn minus(a: Amount, b: Amount) -> Amount {
    a.checked_sub(b)
        .expect("checked amounts subtract within i64")
}

/// Legs in order, leaving out those of zero (a fee of zero makes no leg).
fn entry(legs: Vec<(AccountId, Amount)>) -> Result<BalancedEntry, MovementError> {
    let postings = legs
        .into_iter()
        .filter(|(_, amount)| *amount != Amount::ZERO)
        .map(|(account, amount)| Posting { account, amount })
        .collect();
    Ok(BalancedEntry::new(postings)?)
}

/// Money in from a card: the card is charged `amount + fee`, the wallet receives `amount`.
pub fn top_up(
    entry_id: EntryId,
    user_id: &str,
    currency: Currency,
    amount: Amount,
    fee: Amount,
) -> Result<LedgerCommand, MovementError> {
    let amount = positive(amount)?;
    let fee = fee_on_top(fee)?;
    let legs = vec![
        (
            platform(PlatformAccount::CardClearing, currency),
            neg(plus(amount, fee)),
        ),
        (wallet(user_id, currency)?, amount),
        (platform(PlatformAccount::FeeRevenue, currency), fee),
    ];
    Ok(LedgerCommand::post(entry_id, entry(legs)?, "top-up"))
}

/// Money to another user: the sender pays `amount + fee`, the receiver gets `amount`.
pub fn transfer(
    entry_id: EntryId,
    sender_id: &str,
    receiver_id: &str,
    currency: Currency,
    amount: Amount,
    fee: Amount,
) -> Result<LedgerCommand, MovementError> {
    let amount = positive(amount)?;
    let fee = fee_on_top(fee)?;
    let sender = wallet(sender_id, currency)?;
    let receiver = wallet(receiver_id, currency)?;
    if sender == receiver {
        return Err(MovementError::SameWallet);
    }
    let legs = vec![
        (sender, neg(plus(amount, fee))),
        (receiver, amount),
        (platform(PlatformAccount::FeeRevenue, currency), fee),
    ];
    Ok(LedgerCommand::post(entry_id, entry(legs)?, "transfer"))
}

/// The hold a withdrawal makes when submitted: `amount` leaves the wallet's available balance at
/// once; `amount − fee` is bound for the bank and `fee` for fee revenue once it is posted.
pub fn withdrawal_hold(
    entry_id: EntryId,
    user_id: &str,
    currency: Currency,
    amount: Amount,
    fee: Amount,
) -> Result<LedgerCommand, MovementError> {
    let amount = positive(amount)?;
    let fee = fee_deducted(amount, fee)?;
    let legs = vec![
        (wallet(user_id, currency)?, neg(amount)),
        (
            platform(PlatformAccount::PayoutClearing, currency),
            minus(amount, fee),
        ),
        (platform(PlatformAccount::FeeRevenue, currency), fee),
    ];
    Ok(LedgerCommand::hold(entry_id, entry(legs)?, "withdrawal"))
}

/// The bank paid the withdrawal out: the hold is posted.
pub fn withdrawal_paid(hold_id: EntryId) -> LedgerCommand {
    LedgerCommand::post_hold(hold_id)
}

/// The withdrawal was rejected or its payout failed: the hold is voided and nothing moves.
pub fn withdrawal_released(hold_id: EntryId) -> LedgerCommand {
    LedgerCommand::void_hold(hold_id)
}

/// The two sides of a conversion: `amount` leaves in `from`, `fee` of it is kept, and `converted`
/// arrives in `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub from: Currency,
    pub amount: Amount,
    pub fee: Amount,
    pub to: Currency,
    pub converted: Amount,
}

fn conversion_legs(
    payer: AccountId,
    payee: AccountId,
    conversion: Conversion,
) -> Result<Vec<(AccountId, Amount)>, MovementError> {
    if conversion.from == conversion.to {
        return Err(MovementError::SameCurrency);
    }
    let amount = positive(conversion.amount)?;
    let fee = fee_deducted(amount, conversion.fee)?;
    let converted = positive(conversion.converted)?;
    Ok(vec![
        (payer, neg(amount)),
        (platform(PlatformAccount::FeeRevenue, conversion.from), fee),
        (
            platform(PlatformAccount::FxPosition, conversion.from),
            minus(amount, fee),
        ),
        (
            platform(PlatformAccount::FxPosition, conversion.to),
            neg(converted),
        ),
        (payee, converted),
    ])
}

/// One user's money from one currency to another, through OKPay's FX positions.
pub fn exchange(
    entry_id: EntryId,
    user_id: &str,
    conversion: Conversion,
) -> Result<LedgerCommand, MovementError> {
    let legs = conversion_legs(
        wallet(user_id, conversion.from)?,
        wallet(user_id, conversion.to)?,
        conversion,
    )?;
    let memo = format!("exchange {}→{}", conversion.from, conversion.to);
    Ok(LedgerCommand::post(entry_id, entry(legs)?, memo))
}

/// Money to another user, arriving in another currency, through OKPay's FX positions.
pub fn remittance(
    entry_id: EntryId,
    sender_id: &str,
    recipient_id: &str,
    conversion: Conversion,
) -> Result<LedgerCommand, MovementError> {
    if sender_id == recipient_id {
        return Err(MovementError::SameWallet);
    }
    let legs = conversion_legs(
        wallet(sender_id, conversion.from)?,
        wallet(recipient_id, conversion.to)?,
        conversion,
    )?;
    let memo = format!("remittance {}→{}", conversion.from, conversion.to);
    Ok(LedgerCommand::post(entry_id, entry(legs)?, memo))
}

/// The monthly maintenance fee of an inactive wallet.
pub fn maintenance_fee(
    entry_id: EntryId,
    user_id: &str,
    currency: Currency,
    fee: Amount,
) -> Result<LedgerCommand, MovementError> {
    let fee = positive(fee)?;
    let legs = vec![
        (wallet(user_id, currency)?, neg(fee)),
        (platform(PlatformAccount::FeeRevenue, currency), fee),
    ];
    Ok(LedgerCommand::post(
        entry_id,
        entry(legs)?,
        "maintenance fee",
    ))
}

/// A top-up given back to the card: `amount` leaves the wallet and `fee_refunded` (part or all
/// of the top-up's fee) leaves fee revenue; the card receives both.
pub fn refund_top_up(
    entry_id: EntryId,
    user_id: &str,
    currency: Currency,
    amount: Amount,
    fee_refunded: Amount,
) -> Result<LedgerCommand, MovementError> {
    let amount = positive(amount)?;
    let fee_refunded = fee_on_top(fee_refunded)?;
    let legs = vec![
        (wallet(user_id, currency)?, neg(amount)),
        (
            platform(PlatformAccount::FeeRevenue, currency),
            neg(fee_refunded),
        ),
        (
            platform(PlatformAccount::CardClearing, currency),
            plus(amount, fee_refunded),
        ),
    ];
    Ok(LedgerCommand::post(entry_id, entry(legs)?, "refund"))
}

/// Undoes a posted entry in full (a transfer refunded with its fee): every leg negated. The
/// ledger refuses it if a wallet no longer holds what must leave it.
pub fn reversal(
    entry_id: EntryId,
    original_id: &EntryId,
    original: &BalancedEntry,
) -> Result<LedgerCommand, MovementError> {
    let postings = original
        .postings()
        .iter()
        .map(|posting| Posting {
            account: posting.account.clone(),
            amount: neg(posting.amount),
        })
        .collect();
    let memo = format!("reversal of {original_id}");
    Ok(LedgerCommand::post(
        entry_id,
        BalancedEntry::new(postings)?,
        memo,
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ledger::{Action, Balance, Book, EntryStatus};
    use proptest::prelude::*;

    use super::*;

    fn id(text: &str) -> EntryId {
        EntryId::parse(text).expect("valid id")
    }

    fn minor(value: i64) -> Amount {
        Amount::from_minor(value)
    }

    /// The legs of a command as (account key, minor units).
    fn legs(command: &LedgerCommand) -> Vec<(String, i64)> {
        match &command.action {
            Action::Post(entry) | Action::Hold(entry) => entry
                .postings()
                .iter()
                .map(|p| (p.account.as_str().to_owned(), p.amount.minor()))
                .collect(),
            Action::PostHold(_) | Action::VoidHold(_) => Vec::new(),
        }
    }

    fn owned(legs: &[(&str, i64)]) -> Vec<(String, i64)> {
        legs.iter().map(|(a, m)| ((*a).to_owned(), *m)).collect()
    }

    #[test]
    fn each_movement_makes_the_documented_legs() {
        let command = top_up(
            id("txn_1"),
            "usr_a",
            Currency::Cny,
            minor(10_000),
            minor(60),
        )
        .expect("valid");
        assert_eq!(
            legs(&command),
            owned(&[
                ("platform:card_clearing:CNY", -10_060),
                ("usr_a:CNY", 10_000),
                ("platform:fee_revenue:CNY", 60),
            ])
        );
        let command = transfer(
            id("txn_2"),
            "usr_a",
            "usr_b",
            Currency::Cny,
            minor(10_000),
            minor(10),
        )
        .expect("valid");
        assert_eq!(
            legs(&command),
            owned(&[
                ("usr_a:CNY", -10_010),
                ("usr_b:CNY", 10_000),
                ("platform:fee_revenue:CNY", 10),
            ])
        );
        let command = withdrawal_hold(
            id("txn_3"),
            "usr_a",
            Currency::Cny,
            minor(10_000),
            minor(110),
        )
        .expect("valid");
        assert!(matches!(command.action, Action::Hold(_)));
        assert_eq!(
            legs(&command),
            owned(&[
                ("usr_a:CNY", -10_000),
                ("platform:payout_clearing:CNY", 9_890),
                ("platform:fee_revenue:CNY", 110),
            ])
        );
        let conversion = Conversion {
            from: Currency::Cny,
            amount: minor(100_000),
            fee: minor(500),
            to: Currency::Jpy,
            converted: minor(20_398),
        };
        let command = exchange(id("txn_4"), "usr_a", conversion).expect("valid");
        assert_eq!(
            legs(&command),
            owned(&[
                ("usr_a:CNY", -100_000),
                ("platform:fee_revenue:CNY", 500),
                ("platform:fx_position:CNY", 99_500),
                ("platform:fx_position:JPY", -20_398),
                ("usr_a:JPY", 20_398),
            ])
        );
        assert_eq!(command.memo, "exchange CNY→JPY");
        let command = remittance(id("txn_5"), "usr_a", "usr_b", conversion).expect("valid");
        assert_eq!(legs(&command)[4], ("usr_b:JPY".to_owned(), 20_398));
        let command =
            maintenance_fee(id("txn_6"), "usr_a", Currency::Jpy, minor(100)).expect("valid");
        assert_eq!(
            legs(&command),
            owned(&[("usr_a:JPY", -100), ("platform:fee_revenue:JPY", 100)])
        );
        let command = refund_top_up(
            id("txn_7"),
            "usr_a",
            Currency::Cny,
            minor(10_000),
            minor(60),
        )
        .expect("valid");
        assert_eq!(
            legs(&command),
            owned(&[
                ("usr_a:CNY", -10_000),
                ("platform:fee_revenue:CNY", -60),
                ("platform:card_clearing:CNY", 10_060),
            ])
        );
    }

    #[test]
    fn a_zero_fee_makes_no_leg() {
        let command = top_up(
            id("txn_1"),
            "usr_a",
            Currency::Cny,
            minor(10_000),
            Amount::ZERO,
        )
        .expect("valid");
        assert_eq!(legs(&command).len(), 2);
        let conversion = Conversion {
            from: Currency::Usd,
            amount: minor(100),
            fee: Amount::ZERO,
            to: Currency::Cny,
            converted: minor(712),
        };
        assert_eq!(
            legs(&exchange(id("txn_2"), "usr_a", conversion).expect("valid")).len(),
            4
        );
    }

    #[test]
    fn invalid_movements_are_refused_before_reaching_the_ledger() {
        let cny = Currency::Cny;
        assert_eq!(
            transfer(id("txn_1"), "usr_a", "usr_a", cny, minor(1), Amount::ZERO),
            Err(MovementError::SameWallet)
        );
        assert_eq!(
            transfer(id("txn_1"), "usr_a", "bob", cny, minor(1), Amount::ZERO),
            Err(MovementError::UserIdInvalid("bob".to_owned()))
        );
        assert_eq!(
            transfer(
                id("txn_1"),
                "usr_a:CNY",
                "usr_b",
                cny,
                minor(1),
                Amount::ZERO
            ),
            Err(MovementError::UserIdInvalid("usr_a:CNY".to_owned()))
        );
        assert_eq!(
            top_up(id("txn_1"), "usr_a", cny, Amount::ZERO, Amount::ZERO),
            Err(MovementError::AmountInvalid)
        );
        assert_eq!(
            top_up(id("txn_1"), "usr_a", cny, minor(1), minor(-1)),
            Err(MovementError::FeeInvalid)
        );
        assert_eq!(
            withdrawal_hold(id("txn_1"), "usr_a", cny, minor(100), minor(100)),
            Err(MovementError::FeeInvalid)
        );
        let same = Conversion {
            from: cny,
            amount: minor(100),
            fee: Amount::ZERO,
            to: cny,
            converted: minor(100),
        };
        assert_eq!(
            exchange(id("txn_1"), "usr_a", same),
            Err(MovementError::SameCurrency)
        );
        assert_eq!(
            remittance(
                id("txn_1"),
                "usr_a",
                "usr_a",
                Conversion {
                    to: Currency::Usd,
                    ..same
                }
            ),
            Err(MovementError::SameWallet)
        );
    }

    #[test]
    fn a_withdrawal_hold_is_posted_on_payout_or_voided_and_a_transfer_reverses() {
        let mut book = Book::whole_ledger();
        let wallet_a = AccountId::wallet("usr_a", Currency::Cny);
        let wallet_b = AccountId::wallet("usr_b", Currency::Cny);
        for account in [
            wallet_a.clone(),
            wallet_b.clone(),
            platform(PlatformAccount::CardClearing, Currency::Cny),
            platform(PlatformAccount::PayoutClearing, Currency::Cny),
            platform(PlatformAccount::FeeRevenue, Currency::Cny),
        ] {
            book.load_account(account, Balance::default());
        }
        let run = |book: &mut Book, command: LedgerCommand| {
            book.execute(&command).expect("applies").status
        };
        run(
            &mut book,
            top_up(
                id("t1"),
                "usr_a",
                Currency::Cny,
                minor(50_000),
                Amount::ZERO,
            )
            .expect("ok"),
        );
        let hold = withdrawal_hold(id("w1"), "usr_a", Currency::Cny, minor(20_000), minor(120))
            .expect("ok");
        assert_eq!(run(&mut book, hold), EntryStatus::Pending);
        assert_eq!(
            book.balance(&wallet_a).map(|b| b.available()),
            Some(minor(30_000))
        );
        assert_eq!(
            run(&mut book, withdrawal_released(id("w1"))),
            EntryStatus::Voided
        );
        assert_eq!(
            book.balance(&wallet_a).map(|b| b.available()),
            Some(minor(50_000))
        );
        let hold = withdrawal_hold(id("w2"), "usr_a", Currency::Cny, minor(20_000), minor(120))
            .expect("ok");
        run(&mut book, hold);
        assert_eq!(
            run(&mut book, withdrawal_paid(id("w2"))),
            EntryStatus::Posted
        );
        assert_eq!(
            book.balance(&wallet_a).map(|b| b.posted),
            Some(minor(30_000))
        );
        let sent = transfer(
            id("x1"),
            "usr_a",
            "usr_b",
            Currency::Cny,
            minor(1_000),
            minor(1),
        )
        .expect("ok");
        let Action::Post(sent_entry) = sent.action.clone() else {
            panic!("a transfer posts")
        };
        run(&mut book, sent);
        run(
            &mut book,
            reversal(id("x2"), &id("x1"), &sent_entry).expect("ok"),
        );
        assert_eq!(
            book.balance(&wallet_a).map(|b| b.posted),
            Some(minor(30_000))
        );
        assert_eq!(
            book.balance(&wallet_b).map(|b| b.posted),
            Some(Amount::ZERO)
        );
        let report = ledger::verify_book(&book);
        assert!(report.unbalanced_entries.is_empty() && report.balance_mismatches.is_empty());
        assert!(report.trial_balances.values().all(|total| *total == 0));
    }

    fn amount() -> impl Strategy<Value = i64> {
        prop_oneof![1..=AMOUNT_INPUT_MAX, 1..=10_000_i64, Just(AMOUNT_INPUT_MAX)]
    }

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::ALL)
    }

    fn on_top() -> impl Strategy<Value = (i64, i64, Currency)> {
        (amount(), 0..=AMOUNT_INPUT_MAX, currency())
    }

    /// An amount, a fee below it, and a currency.
    fn deducted() -> impl Strategy<Value = (i64, i64, Currency)> {
        (amount(), currency())
            .prop_flat_map(|(amount, currency)| (Just(amount), 0..amount, Just(currency)))
    }

    fn conversion() -> impl Strategy<Value = Conversion> {
        (deducted(), currency(), amount()).prop_filter_map(
            "two currencies",
            |((amount, fee, from), to, converted)| {
                (from != to).then_some(Conversion {
                    from,
                    amount: minor(amount),
                    fee: minor(fee),
                    to,
                    converted: minor(converted),
                })
            },
        )
    }

    /// Any valid input to any builder, as the command it makes.
    fn any_movement() -> impl Strategy<Value = LedgerCommand> {
        prop_oneof![
            on_top().prop_map(|(a, f, c)| top_up(id("m"), "usr_a", c, minor(a), minor(f))),
            on_top().prop_map(|(a, f, c)| transfer(
                id("m"),
                "usr_a",
                "usr_b",
                c,
                minor(a),
                minor(f)
            )),
            on_top().prop_map(|(a, f, c)| refund_top_up(id("m"), "usr_a", c, minor(a), minor(f))),
            deducted().prop_map(|(a, f, c)| withdrawal_hold(
                id("m"),
                "usr_a",
                c,
                minor(a),
                minor(f)
            )),
            deducted().prop_map(|(a, _, c)| maintenance_fee(id("m"), "usr_a", c, minor(a))),
            conversion().prop_map(|c| exchange(id("m"), "usr_a", c)),
            conversion().prop_map(|c| remittance(id("m"), "usr_a", "usr_b", c)),
        ]
        .prop_map(|built| built.expect("valid input always builds"))
    }

    proptest! {
        #[test]
        fn every_movement_of_valid_input_balances_in_each_currency(command in any_movement()) {
            let (Action::Post(entry) | Action::Hold(entry)) = &command.action else {
                panic!("builders make entries");
            };
            let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
            for posting in entry.postings() {
                prop_assert!(posting.amount != Amount::ZERO);
                *net.entry(posting.account.currency()).or_default() +=
                    i128::from(posting.amount.minor());
            }
            prop_assert!(net.values().all(|total| *total == 0));
            let fee_legs = entry
                .postings()
                .iter()
                .filter(|p| p.account.kind() == ledger::AccountKind::Platform(PlatformAccount::FeeRevenue))
                .count();
            prop_assert!(fee_legs <= 1);
        }

        #[test]
        fn a_reversal_of_any_movement_also_balances(command in any_movement()) {
            let (Action::Post(entry) | Action::Hold(entry)) = &command.action else {
                panic!("builders make entries");
            };
            prop_assert!(reversal(id("r"), &id("m"), entry).is_ok());
        }
    }
}
