//! Property tests: no sequence of commands can unbalance the ledger or overdraw a wallet.

use ledger::{
    AccountId, Amount, Balance, BalancedEntry, Book, Currency, EntryId, LedgerCommand,
    PlatformAccount, Posting, Rejection, verify_book,
};
use proptest::prelude::*;

const USERS: usize = 5;

/// A command in terms a strategy can generate: indexes into the users and earlier entries.
#[derive(Clone, Debug)]
enum Step {
    TopUp {
        user: usize,
        currency: usize,
        minor: i64,
    },
    Transfer {
        from: usize,
        to: usize,
        currency: usize,
        minor: i64,
        fee: i64,
    },
    Hold {
        user: usize,
        currency: usize,
        minor: i64,
    },
    PostHold {
        nth: usize,
    },
    VoidHold {
        nth: usize,
    },
    Exchange {
        user: usize,
        sell: i64,
        buy: i64,
    },
    Replay {
        nth: usize,
    },
}

const CURRENCIES: [Currency; 2] = [Currency::Cny, Currency::Jpy];

fn step() -> impl Strategy<Value = Step> {
    let minor = prop_oneof![1..1_000_i64, 1..10_000_000_i64, Just(i64::MAX / 2)];
    prop_oneof![
        (0..USERS, 0..2_usize, minor.clone()).prop_map(|(user, currency, minor)| Step::TopUp {
            user,
            currency,
            minor
        }),
        (0..USERS, 0..USERS, 0..2_usize, minor.clone(), 0..50_i64).prop_map(
            |(from, to, currency, minor, fee)| Step::Transfer {
                from,
                to,
                currency,
                minor,
                fee
            }
        ),
        (0..USERS, 0..2_usize, minor.clone()).prop_map(|(user, currency, minor)| Step::Hold {
            user,
            currency,
            minor
        }),
        (0..20_usize).prop_map(|nth| Step::PostHold { nth }),
        (0..20_usize).prop_map(|nth| Step::VoidHold { nth }),
        (0..USERS, 1..10_000_i64, 1..10_000_i64).prop_map(|(user, sell, buy)| Step::Exchange {
            user,
            sell,
            buy
        }),
        (0..40_usize).prop_map(|nth| Step::Replay { nth }),
    ]
}

fn user(index: usize, currency: Currency) -> AccountId {
    AccountId::wallet(&format!("usr_{index}"), currency)
}

fn leg(account: AccountId, minor: i64) -> Posting {
    Posting {
        account,
        amount: Amount::from_minor(minor),
    }
}

fn open_book() -> Book {
    let mut book = Book::whole_ledger();
    for currency in CURRENCIES {
        for index in 0..USERS {
            book.load_account(user(index, currency), Balance::default());
        }
        for platform in PlatformAccount::ALL {
            book.load_account(AccountId::platform(*platform, currency), Balance::default());
        }
    }
    book
}

fn to_command(
    step: &Step,
    sequence: usize,
    holds: &[EntryId],
    issued: &[LedgerCommand],
) -> Option<LedgerCommand> {
    let id = EntryId::parse(&format!("txn_{sequence}")).expect("valid id");
    let key = format!("key_{sequence}");
    let command = match *step {
        Step::TopUp {
            user: index,
            currency,
            minor,
        } => {
            let currency = CURRENCIES[currency];
            let entry = BalancedEntry::transfer(
                AccountId::platform(PlatformAccount::CardClearing, currency),
                user(index, currency),
                Amount::from_minor(minor),
            )
            .ok()?;
            LedgerCommand::post(id, entry, "top-up")
        }
        Step::Transfer {
            from,
            to,
            currency,
            minor,
            fee,
        } => {
            let currency = CURRENCIES[currency];
            let mut legs = vec![
                leg(user(from, currency), -(minor + fee)),
                leg(user(to, currency), minor),
            ];
            if fee > 0 {
                legs.push(leg(
                    AccountId::platform(PlatformAccount::FeeRevenue, currency),
                    fee,
                ));
            }
            LedgerCommand::post(id, BalancedEntry::new(legs).ok()?, "transfer")
        }
        Step::Hold {
            user: index,
            currency,
            minor,
        } => {
            let currency = CURRENCIES[currency];
            let entry = BalancedEntry::transfer(
                user(index, currency),
                AccountId::platform(PlatformAccount::PayoutClearing, currency),
                Amount::from_minor(minor),
            )
            .ok()?;
            LedgerCommand::hold(id, entry, "withdrawal")
        }
        Step::PostHold { nth } => LedgerCommand::post_hold(holds.get(nth)?.clone()),
        Step::VoidHold { nth } => LedgerCommand::void_hold(holds.get(nth)?.clone()),
        Step::Exchange {
            user: index,
            sell,
            buy,
        } => {
            let entry = BalancedEntry::new(vec![
                leg(user(index, Currency::Cny), -sell),
                leg(
                    AccountId::platform(PlatformAccount::FxPosition, Currency::Cny),
                    sell,
                ),
                leg(
                    AccountId::platform(PlatformAccount::FxPosition, Currency::Jpy),
                    -buy,
                ),
                leg(user(index, Currency::Jpy), buy),
            ])
            .ok()?;
            LedgerCommand::post(id, entry, "exchange")
        }
        Step::Replay { nth } => return issued.get(nth).cloned(),
    };
    Some(command.with_idempotency_key(key))
}

fn balances(book: &Book) -> Vec<(String, Balance)> {
    let mut all: Vec<_> = book
        .accounts()
        .map(|(id, balance)| (id.to_string(), *balance))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_sequence_of_commands_keeps_the_ledger_balanced_and_wallets_at_or_above_zero(
        steps in prop::collection::vec(step(), 1..80)
    ) {
        let mut book = open_book();
        let mut holds = Vec::new();
        let mut issued = Vec::new();
        for (sequence, step) in steps.iter().enumerate() {
            let Some(command) = to_command(step, sequence, &holds, &issued) else { continue };
            let before = balances(&book);
            match book.execute(&command) {
                Ok(applied) => {
                    if matches!(step, Step::Hold { .. }) && !applied.replayed {
                        holds.push(applied.entry_id.clone());
                    }
                    if applied.replayed {
                        prop_assert_eq!(balances(&book), before, "a replay moved money");
                    }
                }
                Err(rejection) => {
                    prop_assert_eq!(balances(&book), before, "a refused command moved money: {}", rejection);
                    let expected = matches!(
                        rejection,
                        Rejection::InsufficientFunds { .. } | Rejection::HoldNotPending { .. } | Rejection::Overflow { .. }
                    );
                    prop_assert!(expected, "unexpected rejection {:?}", rejection);
                }
            }
            issued.push(command);
            let report = verify_book(&book);
            prop_assert!(report.is_clean(), "{}", report);
        }
    }
}

#[test]
fn a_replayed_command_answers_the_first_result_and_a_changed_one_is_refused() {
    let mut book = open_book();
    let top_up = |id: &str, minor: i64| {
        LedgerCommand::post(
            EntryId::parse(id).expect("valid id"),
            BalancedEntry::transfer(
                AccountId::platform(PlatformAccount::CardClearing, Currency::Cny),
                user(0, Currency::Cny),
                Amount::from_minor(minor),
            )
            .expect("balanced"),
            "top-up",
        )
        .with_idempotency_key("same-key")
    };
    let first = book.execute(&top_up("txn_a", 500)).expect("first top-up");
    let again = book.execute(&top_up("txn_b", 500)).expect("replay");
    assert!(again.replayed);
    assert_eq!(again.entry_id, first.entry_id);
    assert_eq!(
        book.balance(&user(0, Currency::Cny))
            .map(|b| b.posted.minor()),
        Some(500)
    );
    assert!(matches!(
        book.execute(&top_up("txn_c", 600)),
        Err(Rejection::IdempotencyKeyReused { .. })
    ));
}

#[test]
fn a_hold_reserves_funds_at_once_and_posting_or_voiding_it_settles_them() {
    let mut book = open_book();
    let wallet = user(1, Currency::Cny);
    let fund = BalancedEntry::transfer(
        AccountId::platform(PlatformAccount::CardClearing, Currency::Cny),
        wallet.clone(),
        Amount::from_minor(1_000),
    )
    .expect("balanced");
    book.execute(&LedgerCommand::post(
        EntryId::parse("txn_fund").expect("id"),
        fund,
        "",
    ))
    .expect("funded");
    let payout = |minor| {
        BalancedEntry::transfer(
            wallet.clone(),
            AccountId::platform(PlatformAccount::PayoutClearing, Currency::Cny),
            Amount::from_minor(minor),
        )
        .expect("balanced")
    };
    let hold_id = EntryId::parse("wdr_1").expect("id");
    book.execute(&LedgerCommand::hold(hold_id.clone(), payout(700), ""))
        .expect("held");
    let held = book.balance(&wallet).expect("open");
    assert_eq!(
        (held.posted.minor(), held.available().minor()),
        (1_000, 300)
    );
    let second = book.execute(&LedgerCommand::hold(
        EntryId::parse("wdr_2").expect("id"),
        payout(400),
        "",
    ));
    assert!(
        matches!(second, Err(Rejection::InsufficientFunds { .. })),
        "only 300 is available"
    );
    book.execute(&LedgerCommand::void_hold(hold_id.clone()))
        .expect("voided");
    assert_eq!(
        book.balance(&wallet).map(|b| b.available().minor()),
        Some(1_000)
    );
    assert!(matches!(
        book.execute(&LedgerCommand::post_hold(hold_id)),
        Err(Rejection::HoldNotPending { .. })
    ));
    assert!(verify_book(&book).is_clean());
}
