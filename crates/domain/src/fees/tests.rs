//! Tests of the fee breakdown: worked examples, the half-even cases, and properties for any input.

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};
use proptest::prelude::*;

use super::*;
use crate::nominal::PerCurrency;
use crate::rounding::{PPM_ONE, PPM_PER_PERCENT};
use crate::wallet::MovementKind;

const NOW: i64 = 1_800_000_000;
const DAY_S: i64 = 86_400;

fn minor(value: i64) -> Amount {
    Amount::from_minor(value)
}

fn schedule(rules: FeeRules) -> FeeSchedule {
    FeeSchedule::new("fees_test", 0, rules).expect("valid rules")
}

fn request(kind: MovementKind, amount: i64, currency: Currency) -> FeeRequest {
    FeeRequest {
        kind,
        amount: minor(amount),
        currency,
        monthly_volume: Amount::ZERO,
        account_opened_at: NOW - DAY_S,
        now: NOW,
    }
}

/// (gross, discounts, net, pays, arrives) of a breakdown, for compact expectations.
fn summary(breakdown: &FeeBreakdown) -> (i64, i64, i64, i64, i64) {
    (
        breakdown.gross_fee.minor(),
        breakdown.discount_total.minor(),
        breakdown.net_fee.minor(),
        breakdown.user_pays.minor(),
        breakdown.arrives.minor(),
    )
}

#[test]
fn default_fees_of_each_kind_follow_the_schedule() {
    let fees = schedule(FeeRules::default());
    let cases = [
        // Top-ups are free by default.
        (
            MovementKind::TopUp,
            10_000,
            Currency::Cny,
            (0, 0, 0, 10_000, 10_000),
        ),
        // 0.1% on top of a transfer.
        (
            MovementKind::Transfer,
            10_000,
            Currency::Cny,
            (10, 0, 10, 10_010, 10_000),
        ),
        // ¥1.00 + 0.1% taken from a withdrawal.
        (
            MovementKind::Withdrawal,
            10_000,
            Currency::Cny,
            (110, 0, 110, 10_000, 9_890),
        ),
        // US$0.15 + 0.1% from a US$100.00 withdrawal.
        (
            MovementKind::Withdrawal,
            10_000,
            Currency::Usd,
            (25, 0, 25, 10_000, 9_975),
        ),
        // 20 yen + 0.1% from a 10 000 yen withdrawal.
        (
            MovementKind::Withdrawal,
            10_000,
            Currency::Jpy,
            (30, 0, 30, 10_000, 9_970),
        ),
        // 0.5% from an exchange.
        (
            MovementKind::Exchange,
            100_000,
            Currency::Cny,
            (500, 0, 500, 100_000, 99_500),
        ),
        // 0.1% transaction + 0.5% exchange from a remittance.
        (
            MovementKind::Remittance,
            100_000,
            Currency::Cny,
            (600, 0, 600, 100_000, 99_400),
        ),
    ];
    for (kind, amount, currency, expected) in cases {
        let breakdown = fee_breakdown(&fees, &request(kind, amount, currency)).expect("charged");
        assert_eq!(summary(&breakdown), expected, "{kind} {amount} {currency}");
        assert_eq!(breakdown.schedule_id, "fees_test");
    }
}

#[test]
fn fee_lines_round_half_to_even_in_the_currencys_minor_unit() {
    let fees = schedule(FeeRules::default());
    let cases = [
        // 0.1% of ¥25.00 is 2.5 fen: to 2.
        (2_500, Currency::Cny, 2),
        // 0.1% of ¥35.00 is 3.5 fen: to 4.
        (3_500, Currency::Cny, 4),
        // 0.1% of ¥123.45 is 12.345 fen: to 12.
        (12_345, Currency::Cny, 12),
        // 0.1% of ¥123.55 is 12.355 fen: to 12.
        (12_355, Currency::Cny, 12),
        // 0.1% of 1 500 yen is 1.5 yen: to 2 (JPY has no minor unit).
        (1_500, Currency::Jpy, 2),
        // 0.1% of 2 500 yen is 2.5 yen: to 2.
        (2_500, Currency::Jpy, 2),
        // 0.1% of 500 yen is 0.5 yen: to 0, and no fee line at all.
        (500, Currency::Jpy, 0),
    ];
    for (amount, currency, fee) in cases {
        let breakdown = fee_breakdown(&fees, &request(MovementKind::Transfer, amount, currency))
            .expect("charged");
        assert_eq!(breakdown.net_fee, minor(fee), "{amount} {currency}");
        assert_eq!(breakdown.fees.len(), usize::from(fee > 0));
    }
}

#[test]
fn discount_shares_round_half_to_even_on_their_own() {
    // A 10% volume discount of a 25-fen fee is 2.5 fen: to 2; of a 35-fen fee, 3.5: to 4.
    let fees = schedule(FeeRules::default());
    for (amount, discount) in [(25_000, 2), (35_000, 4)] {
        let breakdown = fee_breakdown(
            &fees,
            &FeeRequest {
                monthly_volume: minor(1_000_000),
                ..request(MovementKind::Transfer, amount, Currency::Cny)
            },
        )
        .expect("charged");
        assert_eq!(breakdown.discount_total, minor(discount), "{amount}");
    }
}

#[test]
fn volume_and_age_tiers_take_the_highest_tier_reached() {
    let fees = schedule(FeeRules::default());
    let exchange = |volume: i64, age_days: i64| {
        let breakdown = fee_breakdown(
            &fees,
            &FeeRequest {
                monthly_volume: minor(volume),
                account_opened_at: NOW - age_days * DAY_S,
                ..request(MovementKind::Exchange, 100_000, Currency::Cny)
            },
        )
        .expect("charged");
        breakdown
            .discounts
            .iter()
            .map(|line| (line.source.clone(), line.amount.minor()))
            .collect::<Vec<_>>()
    };
    let volume = |tier, percent: u32| DiscountSource::MonthlyVolume {
        tier,
        discount_ppm: percent * PPM_PER_PERCENT,
    };
    let age = |tier, percent: u32| DiscountSource::AccountAge {
        tier,
        discount_ppm: percent * PPM_PER_PERCENT,
    };
    // The exchange fee is ¥5.00 (500 fen) throughout.
    assert_eq!(exchange(999_999, 364), vec![]);
    assert_eq!(exchange(1_000_000, 0), vec![(volume(1, 10), 50)]);
    assert_eq!(exchange(10_000_000, 0), vec![(volume(2, 25), 125)]);
    assert_eq!(exchange(0, 365), vec![(age(1, 5), 25)]);
    assert_eq!(
        exchange(10_000_000, 3 * 365),
        vec![(volume(2, 25), 125), (age(2, 10), 50)]
    );
}

fn with_promotion(id: &str, fee_kinds: Vec<FeeKind>, benefit: PromotionBenefit) -> FeeRules {
    FeeRules {
        promotions: vec![Promotion {
            id: id.to_owned(),
            starts_at: NOW - DAY_S,
            ends_at: NOW + DAY_S,
            fee_kinds,
            benefit,
        }],
        ..FeeRules::default()
    }
}

#[test]
fn a_promotion_covers_only_its_fee_kinds_while_it_runs() {
    let half_off_exchange = schedule(with_promotion(
        "fx_half",
        vec![FeeKind::Exchange],
        PromotionBenefit::PercentOff {
            discount_ppm: PPM_ONE / 2,
        },
    ));
    // A remittance of ¥1000: transaction ¥1.00 + exchange ¥5.00; half the exchange fee is off.
    let remittance = request(MovementKind::Remittance, 100_000, Currency::Cny);
    let breakdown = fee_breakdown(&half_off_exchange, &remittance).expect("charged");
    assert_eq!(summary(&breakdown), (600, 250, 350, 100_000, 99_650));
    assert_eq!(
        breakdown.discounts[0].source,
        DiscountSource::Promotion {
            id: "fx_half".to_owned()
        }
    );
    // A transfer bears no exchange fee, so the promotion gives nothing and shows no line.
    let transfer = request(MovementKind::Transfer, 100_000, Currency::Cny);
    assert!(
        fee_breakdown(&half_off_exchange, &transfer)
            .expect("charged")
            .discounts
            .is_empty()
    );
    // Before it starts and from its end on, it does not apply.
    for now in [NOW - DAY_S - 1, NOW + DAY_S] {
        let breakdown =
            fee_breakdown(&half_off_exchange, &FeeRequest { now, ..remittance }).expect("charged");
        assert!(breakdown.discounts.is_empty(), "{now}");
    }
}

#[test]
fn a_fixed_promotion_takes_at_most_the_fee_it_covers() {
    let five_yuan_off = schedule(with_promotion(
        "free_withdrawal",
        vec![FeeKind::Withdrawal],
        PromotionBenefit::FixedOff(PerCurrency::new().with(Currency::Cny, minor(500))),
    ));
    // ¥100 withdrawal: fee ¥1.10, all of it off.
    let breakdown = fee_breakdown(
        &five_yuan_off,
        &request(MovementKind::Withdrawal, 10_000, Currency::Cny),
    )
    .expect("charged");
    assert_eq!(summary(&breakdown), (110, 110, 0, 10_000, 10_000));
    // ¥10 000 withdrawal: fee ¥11.00, ¥5.00 off.
    let breakdown = fee_breakdown(
        &five_yuan_off,
        &request(MovementKind::Withdrawal, 1_000_000, Currency::Cny),
    )
    .expect("charged");
    assert_eq!(summary(&breakdown), (1_100, 500, 600, 1_000_000, 999_400));
    // No fixed amount in USD: nothing off.
    let breakdown = fee_breakdown(
        &five_yuan_off,
        &request(MovementKind::Withdrawal, 10_000, Currency::Usd),
    )
    .expect("charged");
    assert_eq!(breakdown.discount_total, Amount::ZERO);
}

#[test]
fn stacked_discounts_are_cut_so_that_they_never_exceed_the_fee() {
    let free_exchange = schedule(with_promotion(
        "fx_free",
        vec![FeeKind::Exchange],
        PromotionBenefit::PercentOff {
            discount_ppm: PPM_ONE,
        },
    ));
    let breakdown = fee_breakdown(
        &free_exchange,
        &FeeRequest {
            monthly_volume: minor(10_000_000),
            account_opened_at: NOW - 400 * DAY_S,
            ..request(MovementKind::Exchange, 100_000, Currency::Cny)
        },
    )
    .expect("charged");
    let lines: Vec<i64> = breakdown
        .discounts
        .iter()
        .map(|d| d.amount.minor())
        .collect();
    // 25% volume (125) + 5% age (25) + what is left of the promotion's 500 (350).
    assert_eq!(lines, vec![125, 25, 350]);
    assert_eq!(summary(&breakdown), (500, 500, 0, 100_000, 100_000));
}

#[test]
fn too_small_withdrawals_and_fees_that_eat_the_amount_are_refused() {
    let fees = schedule(FeeRules::default());
    assert_eq!(
        fee_breakdown(
            &fees,
            &request(MovementKind::Withdrawal, 999, Currency::Cny)
        ),
        Err(FeeError::AmountBelowMinimum {
            minimum: minor(1_000),
            currency: Currency::Cny
        })
    );
    assert!(
        fee_breakdown(
            &fees,
            &request(MovementKind::Withdrawal, 1_000, Currency::Cny)
        )
        .is_ok()
    );
    let no_minimum = schedule(FeeRules {
        withdrawal_minimum: PerCurrency::new(),
        ..FeeRules::default()
    });
    assert_eq!(
        fee_breakdown(
            &no_minimum,
            &request(MovementKind::Withdrawal, 100, Currency::Cny)
        ),
        Err(FeeError::AmountDoesNotCoverFee {
            fee: minor(100),
            currency: Currency::Cny
        })
    );
    for amount in [0, -5, AMOUNT_INPUT_MAX + 1] {
        assert_eq!(
            fee_breakdown(
                &fees,
                &request(MovementKind::Transfer, amount, Currency::Cny)
            ),
            Err(FeeError::AmountInvalid)
        );
    }
    assert_eq!(
        FeeError::AmountBelowMinimum {
            minimum: minor(1),
            currency: Currency::Cny
        }
        .code(),
        "amount_below_minimum"
    );
}

#[test]
fn a_schedule_may_charge_top_ups_too() {
    let fees = schedule(FeeRules {
        transaction_kinds: vec![MovementKind::TopUp],
        transaction_rate_ppm: 6 * PPM_PER_PERCENT / 10,
        ..FeeRules::default()
    });
    let breakdown =
        fee_breakdown(&fees, &request(MovementKind::TopUp, 10_000, Currency::Cny)).expect("ok");
    assert_eq!(summary(&breakdown), (60, 0, 60, 10_060, 10_000));
    let transfer = fee_breakdown(
        &fees,
        &request(MovementKind::Transfer, 10_000, Currency::Cny),
    )
    .expect("ok");
    assert_eq!(transfer.net_fee, Amount::ZERO);
}

fn rate() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0), Just(PPM_ONE), 0..=PPM_ONE, 0..=20_000_u32]
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        1..=AMOUNT_INPUT_MAX,
        1..=100_000_i64,
        Just(AMOUNT_INPUT_MAX),
        Just(1)
    ]
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL)
}

fn kind() -> impl Strategy<Value = MovementKind> {
    prop::sample::select(MovementKind::ALL)
}

fn table() -> impl Strategy<Value = PerCurrency> {
    prop::collection::vec((currency(), 0..=AMOUNT_INPUT_MAX), 0..4).prop_map(|entries| {
        entries
            .into_iter()
            .fold(PerCurrency::new(), |table, (currency, value)| {
                table.with(currency, minor(value))
            })
    })
}

prop_compose! {
    fn any_rules()(
        transaction_rate_ppm in rate(),
        transaction_kinds in prop::sample::subsequence(MovementKind::ALL, 0..=5),
        exchange_rate_ppm in rate(),
        withdrawal_fixed in table(),
        withdrawal_rate_ppm in rate(),
        volume_discount in rate(),
        age_discount in rate(),
        promotion_kinds in prop::sample::subsequence(FeeKind::ALL, 1..=4),
        promotion_percent in rate(),
        promotion_fixed in table(),
    ) -> FeeRules {
        FeeRules {
            transaction_rate_ppm,
            transaction_kinds,
            exchange_rate_ppm,
            withdrawal_fixed,
            withdrawal_rate_ppm,
            withdrawal_minimum: PerCurrency::new(),
            volume_tiers: vec![VolumeTier {
                monthly_volume_min: PerCurrency::about_yuan(0),
                discount_ppm: volume_discount,
            }],
            age_tiers: vec![AgeTier { account_age_min_days: 0, discount_ppm: age_discount }],
            promotions: vec![
                Promotion {
                    id: "percent".to_owned(),
                    starts_at: 0,
                    ends_at: i64::MAX,
                    fee_kinds: promotion_kinds.clone(),
                    benefit: PromotionBenefit::PercentOff { discount_ppm: promotion_percent },
                },
                Promotion {
                    id: "fixed".to_owned(),
                    starts_at: 0,
                    ends_at: i64::MAX,
                    fee_kinds: promotion_kinds,
                    benefit: PromotionBenefit::FixedOff(promotion_fixed),
                },
            ],
            ..FeeRules::default()
        }
    }
}

proptest! {
    #[test]
    fn any_breakdown_adds_up_and_no_input_panics(
        rules in any_rules(),
        kind in kind(),
        amount in amount(),
        currency in currency(),
        monthly_volume in 0..=AMOUNT_INPUT_MAX,
        age_s in 0..=(100 * 365 * DAY_S),
    ) {
        let fees = schedule(rules);
        let request = FeeRequest {
            kind,
            amount: minor(amount),
            currency,
            monthly_volume: minor(monthly_volume),
            account_opened_at: NOW - age_s,
            now: NOW,
        };
        match fee_breakdown(&fees, &request) {
            Ok(breakdown) => {
                let gross: i64 = breakdown.fees.iter().map(|line| line.amount.minor()).sum();
                let discounts: i64 =
                    breakdown.discounts.iter().map(|line| line.amount.minor()).sum();
                prop_assert!(breakdown.fees.iter().all(|line| line.amount.is_positive()));
                prop_assert!(breakdown.discounts.iter().all(|line| line.amount.is_positive()));
                prop_assert_eq!(breakdown.gross_fee.minor(), gross);
                prop_assert_eq!(breakdown.discount_total.minor(), discounts);
                prop_assert!(discounts <= gross);
                prop_assert!(breakdown.net_fee.minor() >= 0);
                prop_assert_eq!(breakdown.net_fee.minor(), gross - discounts);
                match breakdown.charging {
                    FeeCharging::OnTop => {
                        prop_assert_eq!(breakdown.user_pays.minor(), amount + breakdown.net_fee.minor());
                        prop_assert_eq!(breakdown.arrives.minor(), amount);
                    }
                    FeeCharging::Deducted => {
                        prop_assert_eq!(breakdown.user_pays.minor(), amount);
                        prop_assert_eq!(breakdown.arrives.minor(), amount - breakdown.net_fee.minor());
                        prop_assert!(breakdown.arrives.is_positive());
                    }
                }
            }
            Err(FeeError::AmountDoesNotCoverFee { fee, .. }) => {
                prop_assert_eq!(FeeCharging::of(kind), FeeCharging::Deducted);
                prop_assert!(fee.minor() >= amount);
            }
            Err(other) => prop_assert!(false, "unexpected refusal {other:?}"),
        }
    }
}
