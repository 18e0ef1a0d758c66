//! The monthly maintenance fee on wallets inactive for long: when the user must be told it is
//! coming, when it is due, and how much (never more than the balance).
//!
//! A wallet is inactive from `inactive_months` calendar months (UTC) after its last activity —
//! any movement the user made; a maintenance fee itself is not activity. The notice is due
//! `maintenance_notice_days` before that. Once inactive, the fee is due once per calendar month:
//! at the first run of the job, then a month after the last charge. It is capped at the available
//! balance, so it never takes a balance below zero, and a zero balance is not charged at all.
//! Discounts do not apply to it.

use ledger::{Amount, Currency};

use crate::calendar::months_after;
use crate::fees::schedule::FeeSchedule;
use crate::identity::UnixSeconds;

const DAY_S: i64 = 86_400;

/// Where a wallet stands on the way to the maintenance fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inactivity {
    Active,
    /// The user must be told (e-mail and message center) that the fee starts at `first_charge_at`.
    NoticeDue {
        first_charge_at: UnixSeconds,
    },
    /// Inactive since `since`; the fee may be charged.
    Inactive {
        since: UnixSeconds,
    },
}

pub fn inactivity(
    schedule: &FeeSchedule,
    last_activity_at: UnixSeconds,
    now: UnixSeconds,
) -> Inactivity {
    let rules = schedule.rules();
    let months = i32::try_from(rules.inactive_months).expect("checked to be at most 120");
    let first_charge_at = months_after(last_activity_at, months);
    let notice_from = first_charge_at - i64::from(rules.maintenance_notice_days) * DAY_S;
    if now >= first_charge_at {
        Inactivity::Inactive {
            since: first_charge_at,
        }
    } else if now >= notice_from {
        Inactivity::NoticeDue { first_charge_at }
    } else {
        Inactivity::Active
    }
}

/// A maintenance fee to charge now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceCharge {
    pub amount: Amount,
    pub currency: Currency,
    pub schedule_id: String,
}

/// The fee to charge a wallet in `currency` now, if any. `last_charged_at` is the last
/// maintenance fee charged to this wallet, if any.
pub fn maintenance_charge(
    schedule: &FeeSchedule,
    currency: Currency,
    available: Amount,
    last_activity_at: UnixSeconds,
    last_charged_at: Option<UnixSeconds>,
    now: UnixSeconds,
) -> Option<MaintenanceCharge> {
    if !matches!(
        inactivity(schedule, last_activity_at, now),
        Inactivity::Inactive { .. }
    ) {
        return None;
    }
    let charged_this_month =
        last_charged_at.is_some_and(|at| at >= last_activity_at && months_after(at, 1) > now);
    if charged_this_month {
        return None;
    }
    let fee = schedule.rules().maintenance_monthly.get(currency)?;
    let amount = fee.min(available.max(Amount::ZERO));
    amount.is_positive().then(|| MaintenanceCharge {
        amount,
        currency,
        schedule_id: schedule.id().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::calendar::parse_rfc3339;
    use crate::fees::schedule::FeeRules;

    fn at(text: &str) -> UnixSeconds {
        parse_rfc3339(text).expect("valid time")
    }

    fn schedule() -> FeeSchedule {
        FeeSchedule::new("fees_v1", 0, FeeRules::default()).expect("valid")
    }

    #[test]
    fn a_wallet_is_told_thirty_days_ahead_and_inactive_after_twelve_months() {
        let last = at("2026-03-15T09:00:00Z");
        let cases = [
            ("2027-02-12T09:00:00Z", Inactivity::Active),
            (
                "2027-02-13T09:00:00Z",
                Inactivity::NoticeDue {
                    first_charge_at: at("2027-03-15T09:00:00Z"),
                },
            ),
            (
                "2027-03-15T08:59:59Z",
                Inactivity::NoticeDue {
                    first_charge_at: at("2027-03-15T09:00:00Z"),
                },
            ),
            (
                "2027-03-15T09:00:00Z",
                Inactivity::Inactive {
                    since: at("2027-03-15T09:00:00Z"),
                },
            ),
        ];
        for (now, expected) in cases {
            assert_eq!(inactivity(&schedule(), last, at(now)), expected, "{now}");
        }
    }

    #[test]
    fn the_fee_is_charged_once_a_month_and_never_below_zero() {
        let last = at("2026-01-10T00:00:00Z");
        let now = at("2027-01-10T00:00:00Z");
        let charge = |available: i64, last_charged_at: Option<&str>, now: UnixSeconds| {
            maintenance_charge(
                &schedule(),
                Currency::Cny,
                Amount::from_minor(available),
                last,
                last_charged_at.map(at),
                now,
            )
            .map(|charge| charge.amount.minor())
        };
        assert_eq!(charge(10_000, None, now), Some(500));
        assert_eq!(charge(120, None, now), Some(120));
        assert_eq!(charge(0, None, now), None);
        assert_eq!(charge(-5, None, now), None);
        assert_eq!(charge(10_000, None, now - 1), None);
        let next_month = at("2027-02-10T00:00:00Z");
        assert_eq!(
            charge(10_000, Some("2027-01-10T00:00:00Z"), next_month - 1),
            None
        );
        assert_eq!(
            charge(10_000, Some("2027-01-10T00:00:00Z"), next_month),
            Some(500)
        );
        // A charge from before the last activity does not count for this period of inactivity.
        assert_eq!(charge(10_000, Some("2025-12-31T00:00:00Z"), now), Some(500));
        assert_eq!(
            maintenance_charge(
                &schedule(),
                Currency::Jpy,
                Amount::from_minor(1_000),
                last,
                None,
                now
            )
            .map(|charge| (charge.amount.minor(), charge.schedule_id)),
            Some((100, "fees_v1".to_owned()))
        );
    }

    proptest! {
        #[test]
        fn a_maintenance_fee_never_exceeds_the_available_balance(
            available in -1_000_000_i64..1_000_000,
            idle_s in 0_i64..1_000_000_000,
        ) {
            let charge = maintenance_charge(
                &schedule(),
                Currency::Cny,
                Amount::from_minor(available),
                0,
                None,
                idle_s,
            );
            if let Some(charge) = charge {
                prop_assert!(charge.amount.is_positive());
                prop_assert!(charge.amount.minor() <= available);
                prop_assert!(charge.amount.minor() <= 500);
            }
        }
    }
}
