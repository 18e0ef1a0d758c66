//! The fee schedule as data: fee rates, fixed fees, minimums, discount tiers and promotions, in
//! versions that each take effect at a stated time.

use std::fmt;

use ledger::{AMOUNT_INPUT_MAX, Currency};

use crate::identity::UnixSeconds;
use crate::nominal::PerCurrency;
use crate::rounding::{PPM_ONE, PPM_PER_PERCENT};
use crate::wallet::MovementKind;

/// The most discount tiers of one sort a schedule may have.
pub const TIERS_MAX: usize = 10;
/// The most promotions one schedule may carry (running or planned).
pub const PROMOTIONS_MAX: usize = 20;
const ID_LENGTH_MAX: usize = 64;
/// Months of inactivity before a maintenance fee may be charged: at most ten years.
const INACTIVE_MONTHS_MAX: u32 = 120;
const NOTICE_DAYS_MAX: u32 = 90;

/// The sorts of fee OKPay charges; each fee line of a breakdown is one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeeKind {
    /// A percentage of a transfer, remittance or (when the schedule says so) top-up.
    Transaction,
    /// A percentage of the amount exchanged, on exchanges and remittances.
    Exchange,
    /// A fixed amount plus a percentage of a withdrawal.
    Withdrawal,
    /// A monthly fee on accounts inactive for a long time.
    Maintenance,
}

impl FeeKind {
    pub const ALL: &'static [FeeKind] = &[
        FeeKind::Transaction,
        FeeKind::Exchange,
        FeeKind::Withdrawal,
        FeeKind::Maintenance,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            FeeKind::Transaction => "transaction",
            FeeKind::Exchange => "exchange",
            FeeKind::Withdrawal => "withdrawal",
            FeeKind::Maintenance => "maintenance",
        }
    }

    pub fn parse(code: &str) -> Option<FeeKind> {
        FeeKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.code() == code)
    }
}

impl fmt::Display for FeeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A discount for users who moved at least this much in the current calendar month, counted in
/// the movement's own currency (volumes are not converted between currencies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeTier {
    /// The month's volume from which the tier applies, per currency; a currency without an entry
    /// has no such tier.
    pub monthly_volume_min: PerCurrency,
    /// The share of the fee taken off, in parts per million.
    pub discount_ppm: u32,
}

/// A discount for accounts at least this old.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeTier {
    pub account_age_min_days: u32,
    pub discount_ppm: u32,
}

/// What a promotion takes off the fees it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromotionBenefit {
    /// A share of the covered fees.
    PercentOff { discount_ppm: u32 },
    /// A fixed amount per movement, never more than the covered fees; none in a currency without
    /// an entry.
    FixedOff(PerCurrency),
}

/// A time-limited discount on some kinds of fee, running from `starts_at` (inclusive) to
/// `ends_at` (exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// A short id admins choose (`spring_2027`); pages show their own title for it.
    pub id: String,
    pub starts_at: UnixSeconds,
    pub ends_at: UnixSeconds,
    pub fee_kinds: Vec<FeeKind>,
    pub benefit: PromotionBenefit,
}

impl Promotion {
    pub fn is_running(&self, now: UnixSeconds) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// Every rule of one schedule version: what admins edit on the fee page. Rates are parts per
/// million of the amount (1% = 10 000); amounts are minor units per currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeRules {
    pub transaction_rate_ppm: u32,
    /// The movements the transaction fee applies to.
    pub transaction_kinds: Vec<MovementKind>,
    /// Applies to exchanges and remittances.
    pub exchange_rate_ppm: u32,
    /// The fixed part of the withdrawal fee; none in a currency without an entry.
    pub withdrawal_fixed: PerCurrency,
    pub withdrawal_rate_ppm: u32,
    /// The smallest withdrawal allowed; no minimum in a currency without an entry.
    pub withdrawal_minimum: PerCurrency,
    /// Charged once a month per wallet after `inactive_months` without activity; none in a
    /// currency without an entry.
    pub maintenance_monthly: PerCurrency,
    pub inactive_months: u32,
    /// How long before the first maintenance fee the user is told it is coming.
    pub maintenance_notice_days: u32,
    /// Ascending by threshold; the highest tier reached applies.
    pub volume_tiers: Vec<VolumeTier>,
    /// Ascending by age; the highest tier reached applies.
    pub age_tiers: Vec<AgeTier>,
    pub promotions: Vec<Promotion>,
}

impl Default for FeeRules {
    /// The product's defaults, as the README states them.
    fn default() -> Self {
        FeeRules {
            transaction_rate_ppm: PPM_PER_PERCENT / 10,
            transaction_kinds: vec![MovementKind::Transfer, MovementKind::Remittance],
            exchange_rate_ppm: PPM_PER_PERCENT / 2,
            withdrawal_fixed: PerCurrency::about_yuan(1),
            withdrawal_rate_ppm: PPM_PER_PERCENT / 10,
            withdrawal_minimum: PerCurrency::about_yuan(10),
            maintenance_monthly: PerCurrency::about_yuan(5),
            inactive_months: 12,
            maintenance_notice_days: 30,
            volume_tiers: vec![
                VolumeTier {
                    monthly_volume_min: PerCurrency::about_yuan(10_000),
                    discount_ppm: 10 * PPM_PER_PERCENT,
                },
                VolumeTier {
                    monthly_volume_min: PerCurrency::about_yuan(100_000),
                    discount_ppm: 25 * PPM_PER_PERCENT,
                },
            ],
            age_tiers: vec![
                AgeTier {
                    account_age_min_days: 365,
                    discount_ppm: 5 * PPM_PER_PERCENT,
                },
                AgeTier {
                    account_age_min_days: 3 * 365,
                    discount_ppm: 10 * PPM_PER_PERCENT,
                },
            ],
            promotions: Vec::new(),
        }
    }
}

/// Why a set of fee rules cannot be a schedule. `field` names the rule at fault for the admin page.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFeeRules {
    #[error("a schedule or promotion id has 1 to {ID_LENGTH_MAX} letters, digits or underscores")]
    IdInvalid { field: &'static str },
    #[error("{field} may be at most 100%")]
    RateAboveHundredPercent { field: &'static str },
    #[error("{field} in {currency} must be between zero and {AMOUNT_INPUT_MAX} minor units")]
    AmountOutOfRange {
        field: &'static str,
        currency: Currency,
    },
    #[error("{field} must rise from one tier to the next")]
    TiersNotAscending { field: &'static str },
    #[error("{field} may have at most {max} entries")]
    TooMany { field: &'static str, max: usize },
    #[error("promotion {id} must end after it starts and cover at least one kind of fee")]
    PromotionInvalid { id: String },
    #[error("{field} is out of range")]
    OutOfRange { field: &'static str },
}

impl InvalidFeeRules {
    pub const fn code(&self) -> &'static str {
        "fee_rules_invalid"
    }
}

/// One version of the fee schedule, valid by construction. Every transaction records the id of
/// the version it was charged under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    id: String,
    effective_at: UnixSeconds,
    rules: FeeRules,
}

impl FeeSchedule {
    pub fn new(
        id: &str,
        effective_at: UnixSeconds,
        rules: FeeRules,
    ) -> Result<FeeSchedule, InvalidFeeRules> {
        if !is_valid_id(id) {
            return Err(InvalidFeeRules::IdInvalid { field: "id" });
        }
        check_rules(&rules)?;
        Ok(FeeSchedule {
            id: id.to_owned(),
            effective_at,
            rules,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn effective_at(&self) -> UnixSeconds {
        self.effective_at
    }

    pub fn rules(&self) -> &FeeRules {
        &self.rules
    }

    /// The version in force at `now`: the latest that took effect at or before it. Versions are
    /// never edited in place; a change is a new version, so history stays readable.
    pub fn in_force(versions: &[FeeSchedule], now: UnixSeconds) -> Option<&FeeSchedule> {
        versions
            .iter()
            .filter(|version| version.effective_at <= now)
            .max_by_key(|version| version.effective_at)
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_LENGTH_MAX
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_rate(rate_ppm: u32, field: &'static str) -> Result<(), InvalidFeeRules> {
    if rate_ppm > PPM_ONE {
        Err(InvalidFeeRules::RateAboveHundredPercent { field })
    } else {
        Ok(())
    }
}

fn check_amounts(table: &PerCurrency, field: &'static str) -> Result<(), InvalidFeeRules> {
    match table
        .iter()
        .find(|(_, amount)| amount.is_negative() || amount.minor() > AMOUNT_INPUT_MAX)
    {
        Some((currency, _)) => Err(InvalidFeeRules::AmountOutOfRange { field, currency }),
        None => Ok(()),
    }
}

fn check_rules(rules: &FeeRules) -> Result<(), InvalidFeeRules> {
    check_rate(rules.transaction_rate_ppm, "transaction_rate")?;
    check_rate(rules.exchange_rate_ppm, "exchange_rate")?;
    check_rate(rules.withdrawal_rate_ppm, "withdrawal_rate")?;
    check_amounts(&rules.withdrawal_fixed, "withdrawal_fixed")?;
    check_amounts(&rules.withdrawal_minimum, "withdrawal_minimum")?;
    check_amounts(&rules.maintenance_monthly, "maintenance_monthly")?;
    if rules.transaction_kinds.len() > MovementKind::ALL.len() {
        return Err(InvalidFeeRules::TooMany {
            field: "transaction_kinds",
            max: MovementKind::ALL.len(),
        });
    }
    if !(1..=INACTIVE_MONTHS_MAX).contains(&rules.inactive_months) {
        return Err(InvalidFeeRules::OutOfRange {
            field: "inactive_months",
        });
    }
    if rules.maintenance_notice_days > NOTICE_DAYS_MAX {
        return Err(InvalidFeeRules::OutOfRange {
            field: "maintenance_notice_days",
        });
    }
    check_volume_tiers(&rules.volume_tiers)?;
    check_age_tiers(&rules.age_tiers)?;
    check_promotions(&rules.promotions)
}

fn check_volume_tiers(tiers: &[VolumeTier]) -> Result<(), InvalidFeeRules> {
    let field = "volume_tiers";
    if tiers.len() > TIERS_MAX {
        return Err(InvalidFeeRules::TooMany {
            field,
            max: TIERS_MAX,
        });
    }
    for tier in tiers {
        check_rate(tier.discount_ppm, field)?;
        check_amounts(&tier.monthly_volume_min, field)?;
    }
    // Each currency's thresholds must rise with the tiers, as must the discounts, so that
    // "the highest tier reached" is also the best one.
    for pair in tiers.windows(2) {
        let thresholds_rise = pair[1].monthly_volume_min.iter().all(|(currency, amount)| {
            pair[0]
                .monthly_volume_min
                .get(currency)
                .is_none_or(|lower| lower < amount)
        });
        if !thresholds_rise || pair[0].discount_ppm > pair[1].discount_ppm {
            return Err(InvalidFeeRules::TiersNotAscending { field });
        }
    }
    Ok(())
}

fn check_age_tiers(tiers: &[AgeTier]) -> Result<(), InvalidFeeRules> {
    let field = "age_tiers";
    if tiers.len() > TIERS_MAX {
        return Err(InvalidFeeRules::TooMany {
            field,
            max: TIERS_MAX,
        });
    }
    for tier in tiers {
        check_rate(tier.discount_ppm, field)?;
    }
    for pair in tiers.windows(2) {
        if pair[0].account_age_min_days >= pair[1].account_age_min_days
            || pair[0].discount_ppm > pair[1].discount_ppm
        {
            return Err(InvalidFeeRules::TiersNotAscending { field });
        }
    }
    Ok(())
}

fn check_promotions(promotions: &[Promotion]) -> Result<(), InvalidFeeRules> {
    if promotions.len() > PROMOTIONS_MAX {
        return Err(InvalidFeeRules::TooMany {
            field: "promotions",
            max: PROMOTIONS_MAX,
        });
    }
    for (index, promotion) in promotions.iter().enumerate() {
        if !is_valid_id(&promotion.id) || promotions[..index].iter().any(|p| p.id == promotion.id) {
            return Err(InvalidFeeRules::IdInvalid {
                field: "promotions",
            });
        }
        if promotion.ends_at <= promotion.starts_at
            || promotion.fee_kinds.is_empty()
            || promotion.fee_kinds.len() > FeeKind::ALL.len()
        {
            return Err(InvalidFeeRules::PromotionInvalid {
                id: promotion.id.clone(),
            });
        }
        match &promotion.benefit {
            PromotionBenefit::PercentOff { discount_ppm } => {
                check_rate(*discount_ppm, "promotions")?;
            }
            PromotionBenefit::FixedOff(table) => check_amounts(table, "promotions")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ledger::Amount;

    use super::*;

    fn minor(value: i64) -> Amount {
        Amount::from_minor(value)
    }

    #[test]
    fn the_default_rules_make_a_valid_schedule() {
        let schedule = FeeSchedule::new("fees_v1", 0, FeeRules::default()).expect("valid");
        assert_eq!(schedule.id(), "fees_v1");
        assert_eq!(
            schedule.rules().withdrawal_minimum.get(Currency::Cny),
            Some(minor(1_000))
        );
        assert_eq!(
            schedule.rules().withdrawal_minimum.get(Currency::Jpy),
            Some(minor(200))
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_that_took_effect() {
        let version = |id: &str, at| FeeSchedule::new(id, at, FeeRules::default()).expect("valid");
        let versions = [version("v1", 100), version("v3", 300), version("v2", 200)];
        let in_force = |now| FeeSchedule::in_force(&versions, now).map(FeeSchedule::id);
        assert_eq!(in_force(99), None);
        assert_eq!(in_force(100), Some("v1"));
        assert_eq!(in_force(299), Some("v2"));
        assert_eq!(in_force(1_000), Some("v3"));
    }

    #[test]
    fn broken_rules_are_refused_with_the_field_at_fault() {
        let base = FeeRules::default();
        let cases: Vec<(FeeRules, InvalidFeeRules)> = vec![
            (
                FeeRules {
                    exchange_rate_ppm: PPM_ONE + 1,
                    ..base.clone()
                },
                InvalidFeeRules::RateAboveHundredPercent {
                    field: "exchange_rate",
                },
            ),
            (
                FeeRules {
                    withdrawal_fixed: PerCurrency::new().with(Currency::Usd, minor(-1)),
                    ..base.clone()
                },
                InvalidFeeRules::AmountOutOfRange {
                    field: "withdrawal_fixed",
                    currency: Currency::Usd,
                },
            ),
            (
                FeeRules {
                    age_tiers: vec![
                        AgeTier {
                            account_age_min_days: 400,
                            discount_ppm: 1,
                        },
                        AgeTier {
                            account_age_min_days: 300,
                            discount_ppm: 2,
                        },
                    ],
                    ..base.clone()
                },
                InvalidFeeRules::TiersNotAscending { field: "age_tiers" },
            ),
            (
                FeeRules {
                    volume_tiers: base.volume_tiers.iter().rev().cloned().collect(),
                    ..base.clone()
                },
                InvalidFeeRules::TiersNotAscending {
                    field: "volume_tiers",
                },
            ),
            (
                FeeRules {
                    promotions: vec![Promotion {
                        id: "spring".to_owned(),
                        starts_at: 200,
                        ends_at: 200,
                        fee_kinds: vec![FeeKind::Exchange],
                        benefit: PromotionBenefit::PercentOff { discount_ppm: 1 },
                    }],
                    ..base.clone()
                },
                InvalidFeeRules::PromotionInvalid {
                    id: "spring".to_owned(),
                },
            ),
            (
                FeeRules {
                    inactive_months: 0,
                    ..base.clone()
                },
                InvalidFeeRules::OutOfRange {
                    field: "inactive_months",
                },
            ),
        ];
        for (rules, expected) in cases {
            assert_eq!(
                FeeSchedule::new("v1", 0, rules),
                Err(expected.clone()),
                "{expected}"
            );
        }
        assert_eq!(
            FeeSchedule::new("v 1", 0, base),
            Err(InvalidFeeRules::IdInvalid { field: "id" })
        );
    }

    #[test]
    fn fee_kinds_parse_back_from_their_codes() {
        for kind in FeeKind::ALL {
            assert_eq!(FeeKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(FeeKind::parse("late"), None);
    }
}
