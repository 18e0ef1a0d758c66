//! The fee and discount breakdown of one movement: each fee line, each discount line, the net fee,
//! what the user pays and what arrives.
//!
//! The arithmetic, in full:
//! - Every amount is an integer of minor units of the movement's currency; every rate is parts per
//!   million (see [`crate::rounding`]). Each **fee line** is `fixed + rate × amount`, the
//!   proportion computed exactly in `i128` and rounded once, half to even, to the minor unit.
//! - The **gross fee** is the sum of the fee lines.
//! - **Discount lines** follow in a fixed order: the highest monthly-volume tier reached, the
//!   highest account-age tier reached (both a share of the gross fee), then every running
//!   promotion in the schedule's order (a share of, or a fixed amount off, the fee lines of the
//!   kinds it covers). Each share is rounded half to even on its own. Each line is then cut to
//!   what is left of the gross fee, so the discounts together never exceed it; a line cut to zero
//!   is left out.
//! - The **net fee** is the gross fee less the discounts, never negative.
//! - **Who bears the fee** depends on the kind: on a top-up and a transfer the fee comes on top
//!   (the user pays amount + net fee, the amount arrives); on a withdrawal, an exchange and a
//!   remittance it is taken from the amount (the user pays the amount, amount − net fee arrives,
//!   before any conversion). A deducted fee must leave something to arrive.

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};

use crate::fees::schedule::{FeeKind, FeeSchedule, PromotionBenefit};
use crate::identity::UnixSeconds;
use crate::rounding::proportion_of;
use crate::wallet::MovementKind;

const SECONDS_PER_DAY: i64 = 86_400;

/// Who bears a movement's fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeCharging {
    /// Added to what the user pays; the whole amount arrives.
    OnTop,
    /// Taken from the amount; less arrives.
    Deducted,
}

impl FeeCharging {
    pub const fn of(kind: MovementKind) -> FeeCharging {
        match kind {
            MovementKind::TopUp | MovementKind::Transfer => FeeCharging::OnTop,
            MovementKind::Withdrawal | MovementKind::Exchange | MovementKind::Remittance => {
                FeeCharging::Deducted
            }
        }
    }
}

/// A movement whose fees are wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRequest {
    pub kind: MovementKind,
    /// What the user asked to move, in `currency`; positive, at most `AMOUNT_INPUT_MAX`.
    pub amount: Amount,
    pub currency: Currency,
    /// What the user moved in `currency` so far this calendar month, before this movement.
    pub monthly_volume: Amount,
    pub account_opened_at: UnixSeconds,
    pub now: UnixSeconds,
}

/// One fee: its kind, how it was computed, and the amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeLine {
    pub kind: FeeKind,
    pub rate_ppm: u32,
    pub fixed: Amount,
    pub amount: Amount,
}

/// Where a discount comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscountSource {
    /// `tier` counts from 1, in the schedule's order.
    MonthlyVolume {
        tier: usize,
        discount_ppm: u32,
    },
    AccountAge {
        tier: usize,
        discount_ppm: u32,
    },
    Promotion {
        id: String,
    },
}

impl DiscountSource {
    pub const fn code(&self) -> &'static str {
        match self {
            DiscountSource::MonthlyVolume { .. } => "monthly_volume",
            DiscountSource::AccountAge { .. } => "account_age",
            DiscountSource::Promotion { .. } => "promotion",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountLine {
    pub source: DiscountSource,
    pub amount: Amount,
}

/// Everything a confirmation screen shows about a movement's fees, all in `currency`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeBreakdown {
    pub schedule_id: String,
    pub kind: MovementKind,
    pub currency: Currency,
    pub amount: Amount,
    pub charging: FeeCharging,
    pub fees: Vec<FeeLine>,
    pub discounts: Vec<DiscountLine>,
    pub gross_fee: Amount,
    pub discount_total: Amount,
    pub net_fee: Amount,
    pub user_pays: Amount,
    /// Before any currency conversion.
    pub arrives: Amount,
}

/// Why a movement cannot be charged under the schedule. Nothing moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("the amount must be greater than zero and at most {AMOUNT_INPUT_MAX} minor units")]
    AmountInvalid,
    #[error("the smallest amount allowed is {minimum} minor units of {currency}")]
    AmountBelowMinimum { minimum: Amount, currency: Currency },
    #[error("the fee of {fee} minor units of {currency} would take the whole amount")]
    AmountDoesNotCoverFee { fee: Amount, currency: Currency },
}

impl FeeError {
    pub const fn code(self) -> &'static str {
        match self {
            FeeError::AmountInvalid => "amount_invalid",
            FeeError::AmountBelowMinimum { .. } => "amount_below_minimum",
            FeeError::AmountDoesNotCoverFee { .. } => "amount_does_not_cover_fee",
        }
    }
}

fn sum(amounts: impl Iterator<Item = Amount>) -> Amount {
    amounts.fold(Amount::ZERO, |total, amount| {
        total
            .checked_add(amount)
            .expect("fees of valid inputs stay far below i64::MAX")
    })
}

/// The fee lines a movement of `kind` bears under `schedule`, before discounts.
fn fee_lines(schedule: &FeeSchedule, request: &FeeRequest) -> Vec<FeeLine> {
    let rules = schedule.rules();
    let percent = |kind: FeeKind, rate_ppm: u32| FeeLine {
        kind,
        rate_ppm,
        fixed: Amount::ZERO,
        amount: proportion_of(request.amount, rate_ppm),
    };
    let mut lines = Vec::with_capacity(2);
    if rules.transaction_kinds.contains(&request.kind) {
        lines.push(percent(FeeKind::Transaction, rules.transaction_rate_ppm));
    }
    if request.kind.converts_currency() {
        lines.push(percent(FeeKind::Exchange, rules.exchange_rate_ppm));
    }
    if request.kind == MovementKind::Withdrawal {
        let fixed = rules
            .withdrawal_fixed
            .get(request.currency)
            .unwrap_or(Amount::ZERO);
        let proportional = proportion_of(request.amount, rules.withdrawal_rate_ppm);
        lines.push(FeeLine {
            kind: FeeKind::Withdrawal,
            rate_ppm: rules.withdrawal_rate_ppm,
            fixed,
            amount: fixed
                .checked_add(proportional)
                .expect("both parts are at most AMOUNT_INPUT_MAX"),
        });
    }
    lines.retain(|line| line.amount.is_positive());
    lines
}

/// The discounts that apply, before they are cut to the gross fee.
fn discount_candidates(
    schedule: &FeeSchedule,
    request: &FeeRequest,
    fees: &[FeeLine],
    gross_fee: Amount,
) -> Vec<DiscountLine> {
    let rules = schedule.rules();
    let mut candidates = Vec::new();
    let volume_tier = rules.volume_tiers.iter().enumerate().rfind(|(_, tier)| {
        tier.monthly_volume_min
            .get(request.currency)
            .is_some_and(|minimum| request.monthly_volume >= minimum)
    });
    if let Some((index, tier)) = volume_tier {
        candidates.push(DiscountLine {
            source: DiscountSource::MonthlyVolume {
                tier: index + 1,
                discount_ppm: tier.discount_ppm,
            },
            amount: proportion_of(gross_fee, tier.discount_ppm),
        });
    }
    let age_days = request.now.saturating_sub(request.account_opened_at).max(0) / SECONDS_PER_DAY;
    let age_tier = rules
        .age_tiers
        .iter()
        .enumerate()
        .rfind(|(_, tier)| age_days >= i64::from(tier.account_age_min_days));
    if let Some((index, tier)) = age_tier {
        candidates.push(DiscountLine {
            source: DiscountSource::AccountAge {
                tier: index + 1,
                discount_ppm: tier.discount_ppm,
            },
            amount: proportion_of(gross_fee, tier.discount_ppm),
        });
    }
    for promotion in rules
        .promotions
        .iter()
        .filter(|p| p.is_running(request.now))
    {
        let covered = sum(fees
            .iter()
            .filter(|line| promotion.fee_kinds.contains(&line.kind))
            .map(|line| line.amount));
        let amount = match &promotion.benefit {
            PromotionBenefit::PercentOff { discount_ppm } => proportion_of(covered, *discount_ppm),
            PromotionBenefit::FixedOff(table) => table
                .get(request.currency)
                .unwrap_or(Amount::ZERO)
                .min(covered),
        };
        candidates.push(DiscountLine {
            source: DiscountSource::Promotion {
                id: promotion.id.clone(),
            },
            amount,
        });
    }
    candidates
}

/// The breakdown of `request` under `schedule`. See the module docs for the arithmetic.
pub fn fee_breakdown(
    schedule: &FeeSchedule,
    request: &FeeRequest,
) -> Result<FeeBreakdown, FeeError> {
    if !request.amount.is_positive() || request.amount.minor() > AMOUNT_INPUT_MAX {
        return Err(FeeError::AmountInvalid);
    }
    let charging = FeeCharging::of(request.kind);
    if request.kind == MovementKind::Withdrawal {
        let minimum = schedule.rules().withdrawal_minimum.get(request.currency);
        if let Some(minimum) = minimum.filter(|minimum| request.amount < *minimum) {
            return Err(FeeError::AmountBelowMinimum {
                minimum,
                currency: request.currency,
            });
        }
    }
    let fees = fee_lines(schedule, request);
    let gross_fee = sum(fees.iter().map(|line| line.amount));
    let mut left = gross_fee;
    let mut discounts = Vec::new();
    for mut candidate in discount_candidates(schedule, request, &fees, gross_fee) {
        candidate.amount = candidate.amount.min(left);
        if candidate.amount.is_positive() {
            left = left
                .checked_sub(candidate.amount)
                .expect("a discount is at most what is left");
            discounts.push(candidate);
        }
    }
    let net_fee = left;
    let discount_total = gross_fee
        .checked_sub(net_fee)
        .expect("the net fee is at most the gross fee");
    let (user_pays, arrives) = match charging {
        FeeCharging::OnTop => (
            request
                .amount
                .checked_add(net_fee)
                .expect("an input amount plus its fee fits an i64"),
            request.amount,
        ),
        FeeCharging::Deducted => {
            if net_fee >= request.amount {
                return Err(FeeError::AmountDoesNotCoverFee {
                    fee: net_fee,
                    currency: request.currency,
                });
            }
            (
                request.amount,
                request
                    .amount
                    .checked_sub(net_fee)
                    .expect("the fee is below the amount"),
            )
        }
    };
    Ok(FeeBreakdown {
        schedule_id: schedule.id().to_owned(),
        kind: request.kind,
        currency: request.currency,
        amount: request.amount,
        charging,
        fees,
        discounts,
        gross_fee,
        discount_total,
        net_fee,
        user_pays,
        arrives,
    })
}
