//! Limits and identity-verification tiers (SPEC section 5): daily and monthly limits per tier,
//! kind of movement and currency; the check that refuses a movement over a limit, and what is
//! left today and this month.
//!
//! Limits are **per currency**, not normalised: each currency has its own table, so a check
//! needs no FX rate and a user's CNY limit does not move with the dollar. The defaults are round
//! amounts of about the same worth in each currency (see [`crate::nominal`]).
//!
//! What counts as used: the amounts the user asked to move (fees excluded) of movements of that
//! kind that completed or are still pending (a withdrawal under review counts), since the start
//! of the user's local day or calendar month (`LimitPeriod::start`). Failed and rejected
//! movements do not count. The caller sums them; this module decides.

use std::collections::BTreeMap;
use std::fmt;

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};

use crate::calendar::UtcOffset;
use crate::identity::UnixSeconds;
use crate::nominal::about_yuan;
use crate::wallet::MovementKind;

/// How well OKPay knows who a user is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KycTier {
    /// Signed up and confirmed an address; nothing more.
    Unverified,
    /// An identity document uploaded and approved by staff.
    Verified,
    /// A further review (proof of address, source of funds) approved by staff.
    Enhanced,
}

impl KycTier {
    pub const ALL: &'static [KycTier] =
        &[KycTier::Unverified, KycTier::Verified, KycTier::Enhanced];

    pub const fn code(self) -> &'static str {
        match self {
            KycTier::Unverified => "unverified",
            KycTier::Verified => "verified",
            KycTier::Enhanced => "enhanced",
        }
    }

    pub fn parse(code: &str) -> Option<KycTier> {
        KycTier::ALL
            .iter()
            .copied()
            .find(|tier| tier.code() == code)
    }

    /// The tier a user can move up to, and so how to raise a limit.
    pub const fn next(self) -> Option<KycTier> {
        match self {
            KycTier::Unverified => Some(KycTier::Verified),
            KycTier::Verified => Some(KycTier::Enhanced),
            KycTier::Enhanced => None,
        }
    }
}

impl fmt::Display for KycTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The kinds of movement limits are kept for. Exchanges and remittances share one limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitKind {
    TopUp,
    TransferOut,
    Withdrawal,
    ExchangeRemittance,
}

impl LimitKind {
    pub const ALL: &'static [LimitKind] = &[
        LimitKind::TopUp,
        LimitKind::TransferOut,
        LimitKind::Withdrawal,
        LimitKind::ExchangeRemittance,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            LimitKind::TopUp => "topup",
            LimitKind::TransferOut => "transfer_out",
            LimitKind::Withdrawal => "withdrawal",
            LimitKind::ExchangeRemittance => "exchange_remittance",
        }
    }

    pub fn parse(code: &str) -> Option<LimitKind> {
        LimitKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.code() == code)
    }

    /// The limit a movement counts against.
    pub const fn of(kind: MovementKind) -> LimitKind {
        match kind {
            MovementKind::TopUp => LimitKind::TopUp,
            MovementKind::Transfer => LimitKind::TransferOut,
            MovementKind::Withdrawal => LimitKind::Withdrawal,
            MovementKind::Exchange | MovementKind::Remittance => LimitKind::ExchangeRemittance,
        }
    }

    /// The movements that count against this limit (for the caller's sums).
    pub fn movements(self) -> &'static [MovementKind] {
        match self {
            LimitKind::TopUp => &[MovementKind::TopUp],
            LimitKind::TransferOut => &[MovementKind::Transfer],
            LimitKind::Withdrawal => &[MovementKind::Withdrawal],
            LimitKind::ExchangeRemittance => &[MovementKind::Exchange, MovementKind::Remittance],
        }
    }
}

/// The period a limit covers: the user's local day, or calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitPeriod {
    Day,
    Month,
}

impl LimitPeriod {
    pub const fn code(self) -> &'static str {
        match self {
            LimitPeriod::Day => "daily",
            LimitPeriod::Month => "monthly",
        }
    }

    /// When the period containing `now` began, in the user's local time.
    pub fn start(self, now: UnixSeconds, offset: UtcOffset) -> UnixSeconds {
        match self {
            LimitPeriod::Day => offset.start_of_day(now),
            LimitPeriod::Month => offset.start_of_month(now),
        }
    }
}

/// A daily and a monthly limit, in minor units of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodLimits {
    pub daily: Amount,
    pub monthly: Amount,
}

impl PeriodLimits {
    fn of(self, period: LimitPeriod) -> Amount {
        match period {
            LimitPeriod::Day => self.daily,
            LimitPeriod::Month => self.monthly,
        }
    }
}

/// What a user has moved so far in the current day and month, of one kind and currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub today: Amount,
    pub this_month: Amount,
}

impl Usage {
    fn of(self, period: LimitPeriod) -> Amount {
        match period {
            LimitPeriod::Day => self.today,
            LimitPeriod::Month => self.this_month,
        }
    }
}

/// A movement over a limit, with everything the message needs: which limit, how much is used
/// and left, and what the next tier would allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {} {} limit for {tier} users is {} {currency}; {} used, {} left, {} requested",
    period.code(), kind.code(), limit.minor(), used.minor(), left.minor(), requested.minor()
)]
pub struct LimitExceeded {
    pub kind: LimitKind,
    pub period: LimitPeriod,
    pub currency: Currency,
    pub tier: KycTier,
    pub limit: Amount,
    pub used: Amount,
    /// Never negative.
    pub left: Amount,
    pub requested: Amount,
    /// Verifying to this tier raises the limit to `next_tier_limit`; `None` at the top tier.
    pub next_tier: Option<KycTier>,
    pub next_tier_limit: Option<Amount>,
}

impl LimitExceeded {
    pub const fn code(&self) -> &'static str {
        "limit_exceeded"
    }
}

/// What is left of one kind's limits, for the wallet page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remaining {
    pub kind: LimitKind,
    pub daily_limit: Amount,
    pub daily_left: Amount,
    pub monthly_limit: Amount,
    pub monthly_left: Amount,
}

/// Why a limit an admin set is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLimits {
    #[error("a limit must be between zero and {AMOUNT_INPUT_MAX} minor units")]
    OutOfRange,
    #[error("a daily limit may not be larger than the monthly one")]
    DailyAboveMonthly,
}

impl InvalidLimits {
    pub const fn code(self) -> &'static str {
        "limits_invalid"
    }
}

/// Every limit, by tier, kind and currency. A currency without an entry may not be moved at
/// that tier (its limit is zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitTable {
    limits: BTreeMap<(KycTier, LimitKind, Currency), PeriodLimits>,
}

/// The default limits in yuan (daily, monthly), scaled to each currency.
const fn default_yuan(tier: KycTier, kind: LimitKind) -> (i64, i64) {
    match (tier, kind) {
        (KycTier::Unverified, LimitKind::ExchangeRemittance) => (1_000, 5_000),
        (KycTier::Unverified, _) => (2_000, 10_000),
        (KycTier::Verified, _) => (50_000, 200_000),
        (KycTier::Enhanced, _) => (500_000, 2_000_000),
    }
}

impl Default for LimitTable {
    fn default() -> Self {
        let mut limits = BTreeMap::new();
        for tier in KycTier::ALL {
            for kind in LimitKind::ALL {
                let (daily, monthly) = default_yuan(*tier, *kind);
                for currency in Currency::ALL {
                    limits.insert(
                        (*tier, *kind, *currency),
                        PeriodLimits {
                            daily: about_yuan(*currency, daily),
                            monthly: about_yuan(*currency, monthly),
                        },
                    );
                }
            }
        }
        LimitTable { limits }
    }
}

impl LimitTable {
    /// A table with no limits at all: nothing may move until limits are set.
    pub fn empty() -> LimitTable {
        LimitTable {
            limits: BTreeMap::new(),
        }
    }

    pub fn set(
        &mut self,
        tier: KycTier,
        kind: LimitKind,
        currency: Currency,
        limits: PeriodLimits,
    ) -> Result<(), InvalidLimits> {
        let in_range = |amount: Amount| !amount.is_negative() && amount.minor() <= AMOUNT_INPUT_MAX;
        if !in_range(limits.daily) || !in_range(limits.monthly) {
            return Err(InvalidLimits::OutOfRange);
        }
        if limits.daily > limits.monthly {
            return Err(InvalidLimits::DailyAboveMonthly);
        }
        self.limits.insert((tier, kind, currency), limits);
        Ok(())
    }

    pub fn get(&self, tier: KycTier, kind: LimitKind, currency: Currency) -> PeriodLimits {
        self.limits
            .get(&(tier, kind, currency))
            .copied()
            .unwrap_or(PeriodLimits {
                daily: Amount::ZERO,
                monthly: Amount::ZERO,
            })
    }

    /// Whether `amount` more of `kind` in `currency` fits both the daily and the monthly limit.
    /// When both are exceeded, the one with less left is reported.
    pub fn check(
        &self,
        tier: KycTier,
        kind: LimitKind,
        currency: Currency,
        amount: Amount,
        usage: Usage,
    ) -> Result<(), LimitExceeded> {
        let limits = self.get(tier, kind, currency);
        let exceeded = [LimitPeriod::Day, LimitPeriod::Month]
            .into_iter()
            .filter_map(|period| {
                let limit = limits.of(period);
                let used = usage.of(period).max(Amount::ZERO);
                let left = left_of(limit, used);
                (amount > left).then(|| {
                    let next_tier = tier.next();
                    LimitExceeded {
                        kind,
                        period,
                        currency,
                        tier,
                        limit,
                        used,
                        left,
                        requested: amount,
                        next_tier,
                        next_tier_limit: next_tier
                            .map(|next| self.get(next, kind, currency).of(period)),
                    }
                })
            })
            .min_by_key(|exceeded| exceeded.left);
        match exceeded {
            Some(exceeded) => Err(exceeded),
            None => Ok(()),
        }
    }

    /// What is left of every kind's limits in `currency`, given each kind's usage.
    pub fn remaining(
        &self,
        tier: KycTier,
        currency: Currency,
        usage_of: impl Fn(LimitKind) -> Usage,
    ) -> Vec<Remaining> {
        LimitKind::ALL
            .iter()
            .map(|kind| {
                let limits = self.get(tier, *kind, currency);
                let usage = usage_of(*kind);
                let monthly_left = left_of(limits.monthly, usage.this_month.max(Amount::ZERO));
                Remaining {
                    kind: *kind,
                    daily_limit: limits.daily,
                    // What is left today can never exceed what is left this month.
                    daily_left: left_of(limits.daily, usage.today.max(Amount::ZERO))
                        .min(monthly_left),
                    monthly_limit: limits.monthly,
                    monthly_left,
                }
            })
            .collect()
    }
}

fn left_of(limit: Amount, used: Amount) -> Amount {
    Amount::from_minor(limit.minor().saturating_sub(used.minor()).max(0))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::calendar::{parse_rfc3339, rfc3339_utc};

    fn yuan(value: i64) -> Amount {
        Amount::from_minor(value * 100)
    }

    #[test]
    fn default_limits_rise_with_the_tier_in_every_currency() {
        let table = LimitTable::default();
        for currency in Currency::ALL {
            for kind in LimitKind::ALL {
                let limits: Vec<PeriodLimits> = KycTier::ALL
                    .iter()
                    .map(|tier| table.get(*tier, *kind, *currency))
                    .collect();
                for pair in limits.windows(2) {
                    assert!(pair[0].daily < pair[1].daily && pair[0].monthly < pair[1].monthly);
                }
                assert!(
                    limits
                        .iter()
                        .all(|l| l.daily.is_positive() && l.daily <= l.monthly)
                );
            }
        }
        let unverified = table.get(KycTier::Unverified, LimitKind::TransferOut, Currency::Cny);
        assert_eq!(
            (unverified.daily, unverified.monthly),
            (yuan(2_000), yuan(10_000))
        );
        let usd = table.get(KycTier::Unverified, LimitKind::TransferOut, Currency::Usd);
        assert_eq!(usd.daily, Amount::from_minor(30_000));
    }

    #[test]
    fn a_movement_over_the_daily_limit_says_which_limit_what_is_left_and_how_to_raise_it() {
        let table = LimitTable::default();
        let usage = Usage {
            today: yuan(1_500),
            this_month: yuan(3_000),
        };
        let check = |amount| {
            table.check(
                KycTier::Unverified,
                LimitKind::TransferOut,
                Currency::Cny,
                amount,
                usage,
            )
        };
        assert_eq!(check(yuan(500)), Ok(()));
        assert_eq!(
            check(yuan(501)),
            Err(LimitExceeded {
                kind: LimitKind::TransferOut,
                period: LimitPeriod::Day,
                currency: Currency::Cny,
                tier: KycTier::Unverified,
                limit: yuan(2_000),
                used: yuan(1_500),
                left: yuan(500),
                requested: yuan(501),
                next_tier: Some(KycTier::Verified),
                next_tier_limit: Some(yuan(50_000)),
            })
        );
        assert_eq!(
            check(yuan(501)).map_err(|e| e.code()),
            Err("limit_exceeded")
        );
    }

    #[test]
    fn when_both_limits_are_exceeded_the_tighter_one_is_reported() {
        let table = LimitTable::default();
        let usage = Usage {
            today: Amount::ZERO,
            this_month: yuan(9_900),
        };
        let exceeded = table
            .check(
                KycTier::Unverified,
                LimitKind::TopUp,
                Currency::Cny,
                yuan(2_500),
                usage,
            )
            .expect_err("over both");
        assert_eq!(
            (exceeded.period, exceeded.left),
            (LimitPeriod::Month, yuan(100))
        );
        let at_top = table
            .check(
                KycTier::Enhanced,
                LimitKind::TopUp,
                Currency::Cny,
                yuan(500_001),
                Usage::default(),
            )
            .expect_err("over the daily limit");
        assert_eq!((at_top.next_tier, at_top.next_tier_limit), (None, None));
    }

    #[test]
    fn exchanges_and_remittances_share_a_limit_and_an_unset_currency_allows_nothing() {
        assert_eq!(
            LimitKind::of(MovementKind::Exchange),
            LimitKind::ExchangeRemittance
        );
        assert_eq!(
            LimitKind::of(MovementKind::Remittance),
            LimitKind::ExchangeRemittance
        );
        assert_eq!(
            LimitKind::of(MovementKind::Transfer),
            LimitKind::TransferOut
        );
        for kind in LimitKind::ALL {
            assert_eq!(LimitKind::parse(kind.code()), Some(*kind));
            assert!(kind.movements().iter().all(|m| LimitKind::of(*m) == *kind));
        }
        let table = LimitTable::empty();
        let refused = table
            .check(
                KycTier::Verified,
                LimitKind::TopUp,
                Currency::Eur,
                Amount::from_minor(1),
                Usage::default(),
            )
            .expect_err("no limit set");
        assert_eq!(refused.limit, Amount::ZERO);
    }

    #[test]
    fn what_is_left_today_never_exceeds_what_is_left_this_month() {
        let table = LimitTable::default();
        let remaining = table.remaining(KycTier::Unverified, Currency::Cny, |kind| match kind {
            LimitKind::TopUp => Usage {
                today: yuan(500),
                this_month: yuan(9_000),
            },
            LimitKind::TransferOut => Usage {
                today: yuan(2_500),
                this_month: yuan(2_500),
            },
            _ => Usage::default(),
        });
        let top_up = remaining[0];
        assert_eq!(
            (top_up.daily_left, top_up.monthly_left),
            (yuan(1_000), yuan(1_000))
        );
        let transfer = remaining[1];
        assert_eq!(
            (transfer.daily_left, transfer.monthly_left),
            (Amount::ZERO, yuan(7_500))
        );
        let withdrawal = remaining[2];
        assert_eq!(
            (withdrawal.daily_left, withdrawal.daily_limit),
            (yuan(2_000), yuan(2_000))
        );
    }

    #[test]
    fn periods_start_at_local_midnight_and_on_the_first_of_the_month() {
        let now = parse_rfc3339("2027-03-01T01:00:00Z").expect("valid");
        // 09:00 on 1 March in Beijing.
        assert_eq!(
            rfc3339_utc(LimitPeriod::Day.start(now, UtcOffset::CHINA)),
            "2027-02-28T16:00:00Z"
        );
        assert_eq!(
            rfc3339_utc(LimitPeriod::Month.start(now, UtcOffset::CHINA)),
            "2027-02-28T16:00:00Z"
        );
        // Still 28 February in UTC.
        assert_eq!(
            rfc3339_utc(LimitPeriod::Month.start(now - 2 * 3_600, UtcOffset::UTC)),
            "2027-02-01T00:00:00Z"
        );
    }

    #[test]
    fn admins_cannot_set_a_daily_limit_above_the_monthly_one() {
        let mut table = LimitTable::empty();
        let set = |table: &mut LimitTable, daily, monthly| {
            table.set(
                KycTier::Verified,
                LimitKind::TopUp,
                Currency::Cny,
                PeriodLimits {
                    daily: yuan(daily),
                    monthly: yuan(monthly),
                },
            )
        };
        assert_eq!(set(&mut table, 2, 1), Err(InvalidLimits::DailyAboveMonthly));
        assert_eq!(set(&mut table, -1, 1), Err(InvalidLimits::OutOfRange));
        assert_eq!(set(&mut table, 1, 2), Ok(()));
        assert_eq!(
            table
                .get(KycTier::Verified, LimitKind::TopUp, Currency::Cny)
                .daily,
            yuan(1)
        );
    }

    proptest! {
        #[test]
        fn a_movement_passes_exactly_when_it_fits_what_is_left_of_both_limits(
            today in 0_i64..3_000_000,
            month_extra in 0_i64..3_000_000,
            amount in 1_i64..3_000_000,
            tier in prop::sample::select(KycTier::ALL),
        ) {
            let table = LimitTable::default();
            let usage = Usage {
                today: Amount::from_minor(today),
                this_month: Amount::from_minor(today + month_extra),
            };
            let remaining = table.remaining(tier, Currency::Cny, |_| usage)[0];
            let checked = table.check(
                tier,
                LimitKind::TopUp,
                Currency::Cny,
                Amount::from_minor(amount),
                usage,
            );
            prop_assert_eq!(checked.is_ok(), amount <= remaining.daily_left.minor());
            if let Err(exceeded) = checked {
                prop_assert!(!exceeded.left.is_negative());
                prop_assert!(exceeded.left < exceeded.requested);
            }
        }
    }
}
