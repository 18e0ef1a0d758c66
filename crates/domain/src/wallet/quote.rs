//! Quotes: the rate, fees, discounts and what arrives for a movement, held for a stated time, and
//! their check when the movement is made.

use ledger::{Amount, Currency};

use crate::fees::{FeeBreakdown, FeeError, FeeRequest, FeeSchedule, fee_breakdown};
use crate::fx::{FxError, FxRate, RateTable};
use crate::identity::UnixSeconds;
use crate::ids::new_id;
use crate::wallet::MovementKind;

/// How long a quote holds unless configured otherwise.
pub const QUOTE_LIFETIME_DEFAULT_S: i64 = 60;
/// A quote may hold at most this long: rates move.
pub const QUOTE_LIFETIME_MAX_S: i64 = 3_600;

/// How long quotes hold and how old a rate may be to be quoted at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotePolicy {
    pub lifetime_s: i64,
    /// An admin-set rate older than this is refused (`fx_rate_stale`) rather than quoted.
    pub rate_age_max_s: i64,
}

impl Default for QuotePolicy {
    fn default() -> Self {
        QuotePolicy {
            lifetime_s: QUOTE_LIFETIME_DEFAULT_S,
            rate_age_max_s: 7 * 86_400,
        }
    }
}

/// What a quote is for, as `POST /quotes` asks, and as the movement that uses it must repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteRequest {
    pub kind: MovementKind,
    pub amount: Amount,
    pub currency: Currency,
    /// The currency that arrives: another for an exchange or remittance, the same otherwise.
    pub target_currency: Currency,
}

impl QuoteRequest {
    /// Checks the currencies fit the kind: an exchange or remittance needs a different target
    /// currency; the other kinds arrive in the currency they leave in.
    pub fn new(
        kind: MovementKind,
        amount: Amount,
        currency: Currency,
        target_currency: Option<Currency>,
    ) -> Result<QuoteRequest, QuoteError> {
        let target_currency = match (kind.converts_currency(), target_currency) {
            (true, None) => return Err(QuoteError::TargetCurrencyRequired),
            (true, Some(target)) if target == currency => {
                return Err(QuoteError::TargetCurrencyRequired);
            }
            (true, Some(target)) => target,
            (false, None) => currency,
            (false, Some(target)) if target == currency => currency,
            (false, Some(_)) => return Err(QuoteError::TargetCurrencyNotAllowed),
        };
        Ok(QuoteRequest {
            kind,
            amount,
            currency,
            target_currency,
        })
    }
}

/// What the fee rules need to know about the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeContext {
    /// Moved so far this calendar month in the quote's currency.
    pub monthly_volume: Amount,
    pub account_opened_at: UnixSeconds,
}

/// The rate a quote converts at, and how old it was when quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotedRate {
    pub rate: FxRate,
    pub age_s: i64,
}

/// A priced movement the user can accept until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    /// `quo_…`.
    pub id: String,
    pub user_id: String,
    pub request: QuoteRequest,
    /// For an exchange or remittance only.
    pub rate: Option<QuotedRate>,
    /// Fees and discounts, in the currency the money leaves in.
    pub fees: FeeBreakdown,
    /// What arrives, in `request.target_currency`, after fees and conversion.
    pub arrives: Amount,
    pub created_at: UnixSeconds,
    pub expires_at: UnixSeconds,
}

/// Why a quote cannot be made or used. Nothing moved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("an exchange or remittance needs a target currency other than the one sent")]
    TargetCurrencyRequired,
    #[error("only an exchange or remittance arrives in another currency")]
    TargetCurrencyNotAllowed,
    #[error(transparent)]
    Fee(#[from] FeeError),
    #[error(transparent)]
    Fx(#[from] FxError),
    #[error("the quote expired at {expired_at}; ask for a new one")]
    QuoteExpired { expired_at: UnixSeconds },
    /// The request differs from what was quoted; `field` names the first difference.
    #[error("the request's {field} differs from the quote's")]
    QuoteMismatch { field: &'static str },
    /// No quote with that id belongs to this user (the same answer whether it exists or not).
    #[error("no such quote")]
    QuoteNotFound,
}

impl QuoteError {
    pub fn code(&self) -> &'static str {
        match self {
            QuoteError::TargetCurrencyRequired => "target_currency_required",
            QuoteError::TargetCurrencyNotAllowed => "target_currency_not_allowed",
            QuoteError::Fee(error) => error.code(),
            QuoteError::Fx(error) => error.code(),
            QuoteError::QuoteExpired { .. } => "quote_expired",
            QuoteError::QuoteMismatch { .. } => "quote_mismatch",
            QuoteError::QuoteNotFound => "quote_not_found",
        }
    }
}

/// What prices a quote: the fee schedule in force, the current rates, and the quote policy.
#[derive(Clone, Copy, Debug)]
pub struct Pricing<'a> {
    pub schedule: &'a FeeSchedule,
    pub rates: &'a RateTable,
    pub policy: QuotePolicy,
}

/// A fresh quote id.
pub fn new_quote_id() -> String {
    new_id("quo")
}

impl Quote {
    /// Prices `request` for `user_id` at `now`: fees under the schedule in the currency sent,
    /// then (for an exchange or remittance) what is left converted at the table's rate.
    pub fn build(
        id: String,
        user_id: &str,
        request: QuoteRequest,
        context: FeeContext,
        pricing: Pricing<'_>,
        now: UnixSeconds,
    ) -> Result<Quote, QuoteError> {
        let Pricing {
            schedule,
            rates,
            policy,
        } = pricing;
        let fees = fee_breakdown(
            schedule,
            &FeeRequest {
                kind: request.kind,
                amount: request.amount,
                currency: request.currency,
                monthly_volume: context.monthly_volume,
                account_opened_at: context.account_opened_at,
                now,
            },
        )?;
        let (rate, arrives) = if request.kind.converts_currency() {
            let rate = rates.rate(request.currency, request.target_currency)?;
            let age_s = rate.age_s(now);
            if age_s > policy.rate_age_max_s {
                return Err(FxError::RateStale {
                    from: request.currency,
                    to: request.target_currency,
                    age_s,
                    age_max_s: policy.rate_age_max_s,
                }
                .into());
            }
            let arrives = rate.convert(fees.arrives)?;
            (Some(QuotedRate { rate, age_s }), arrives)
        } else {
            (None, fees.arrives)
        };
        let lifetime_s = policy.lifetime_s.clamp(1, QUOTE_LIFETIME_MAX_S);
        Ok(Quote {
            id,
            user_id: user_id.to_owned(),
            request,
            rate,
            fees,
            arrives,
            created_at: now,
            expires_at: now.saturating_add(lifetime_s),
        })
    }

    /// Whether `user_id` may use this quote for `request` at `now`. A quote is good up to, not
    /// including, `expires_at`.
    pub fn check_use(
        &self,
        user_id: &str,
        request: &QuoteRequest,
        now: UnixSeconds,
    ) -> Result<(), QuoteError> {
        if self.user_id != user_id {
            return Err(QuoteError::QuoteNotFound);
        }
        if now >= self.expires_at {
            return Err(QuoteError::QuoteExpired {
                expired_at: self.expires_at,
            });
        }
        let differences = [
            (self.request.kind != request.kind, "kind"),
            (self.request.amount != request.amount, "amount"),
            (self.request.currency != request.currency, "currency"),
            (
                self.request.target_currency != request.target_currency,
                "target_currency",
            ),
        ];
        match differences.iter().find(|(differs, _)| *differs) {
            Some((_, field)) => Err(QuoteError::QuoteMismatch { field }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::FeeRules;
    use crate::fx::parse_rate_e8;

    const NOW: i64 = 1_800_000_000;

    fn schedule() -> FeeSchedule {
        FeeSchedule::new("fees_v1", 0, FeeRules::default()).expect("valid")
    }

    fn rates() -> RateTable {
        RateTable::new([FxRate::new(
            Currency::Cny,
            Currency::Jpy,
            parse_rate_e8("20.5").expect("valid"),
            NOW - 600,
        )
        .expect("valid")])
    }

    fn context() -> FeeContext {
        FeeContext {
            monthly_volume: Amount::ZERO,
            account_opened_at: NOW - 86_400,
        }
    }

    fn exchange(amount: i64) -> QuoteRequest {
        QuoteRequest::new(
            MovementKind::Exchange,
            Amount::from_minor(amount),
            Currency::Cny,
            Some(Currency::Jpy),
        )
        .expect("valid request")
    }

    fn quote(request: QuoteRequest) -> Result<Quote, QuoteError> {
        Quote::build(
            "quo_1".to_owned(),
            "usr_a",
            request,
            context(),
            Pricing {
                schedule: &schedule(),
                rates: &rates(),
                policy: QuotePolicy::default(),
            },
            NOW,
        )
    }

    #[test]
    fn an_exchange_quote_converts_what_is_left_after_the_fee() {
        // ¥1000.00 less 0.5% (¥5.00) is ¥995.00, at 20.5 yen: 20 397.5 → 20 398 yen (half-even).
        let quote = quote(exchange(100_000)).expect("quoted");
        assert_eq!(quote.fees.net_fee, Amount::from_minor(500));
        assert_eq!(quote.arrives, Amount::from_minor(20_398));
        assert_eq!(quote.rate.map(|r| r.age_s), Some(600));
        assert_eq!(
            quote.expires_at - quote.created_at,
            QUOTE_LIFETIME_DEFAULT_S
        );
    }

    #[test]
    fn a_transfer_quote_has_no_rate_and_the_fee_on_top() {
        let request = QuoteRequest::new(
            MovementKind::Transfer,
            Amount::from_minor(10_000),
            Currency::Cny,
            None,
        )
        .expect("valid");
        let quote = quote(request).expect("quoted");
        assert_eq!(quote.rate, None);
        assert_eq!(quote.arrives, Amount::from_minor(10_000));
        assert_eq!(quote.fees.user_pays, Amount::from_minor(10_010));
    }

    #[test]
    fn currencies_must_fit_the_kind() {
        let amount = Amount::from_minor(100);
        let cases = [
            (
                MovementKind::Exchange,
                None,
                Err(QuoteError::TargetCurrencyRequired),
            ),
            (
                MovementKind::Remittance,
                Some(Currency::Cny),
                Err(QuoteError::TargetCurrencyRequired),
            ),
            (
                MovementKind::Transfer,
                Some(Currency::Usd),
                Err(QuoteError::TargetCurrencyNotAllowed),
            ),
            (
                MovementKind::Transfer,
                Some(Currency::Cny),
                Ok(Currency::Cny),
            ),
            (MovementKind::Withdrawal, None, Ok(Currency::Cny)),
        ];
        for (kind, target, expected) in cases {
            assert_eq!(
                QuoteRequest::new(kind, amount, Currency::Cny, target).map(|r| r.target_currency),
                expected,
                "{kind} {target:?}"
            );
        }
    }

    #[test]
    fn stale_and_missing_rates_are_refused() {
        let stale = QuotePolicy {
            rate_age_max_s: 599,
            ..QuotePolicy::default()
        };
        let refused = Quote::build(
            "quo_1".to_owned(),
            "usr_a",
            exchange(100_000),
            context(),
            Pricing {
                schedule: &schedule(),
                rates: &rates(),
                policy: stale,
            },
            NOW,
        );
        assert_eq!(refused.map_err(|e| e.code()), Err("fx_rate_stale"));
        let to_usd = QuoteRequest::new(
            MovementKind::Exchange,
            Amount::from_minor(100_000),
            Currency::Cny,
            Some(Currency::Usd),
        )
        .expect("valid");
        assert_eq!(
            quote(to_usd).map_err(|e| e.code()),
            Err("fx_rate_unavailable")
        );
    }

    #[test]
    fn a_quote_is_used_only_by_its_owner_before_expiry_for_the_same_request() {
        let quote = quote(exchange(100_000)).expect("quoted");
        let same = exchange(100_000);
        assert_eq!(quote.check_use("usr_a", &same, NOW), Ok(()));
        assert_eq!(quote.check_use("usr_a", &same, NOW + 59), Ok(()));
        assert_eq!(
            quote.check_use("usr_a", &same, NOW + 60),
            Err(QuoteError::QuoteExpired {
                expired_at: NOW + 60
            })
        );
        assert_eq!(
            quote.check_use("usr_b", &same, NOW),
            Err(QuoteError::QuoteNotFound)
        );
        assert_eq!(
            quote.check_use("usr_a", &exchange(100_001), NOW),
            Err(QuoteError::QuoteMismatch { field: "amount" })
        );
        let to_eur = QuoteRequest {
            target_currency: Currency::Eur,
            ..same
        };
        assert_eq!(
            quote.check_use("usr_a", &to_eur, NOW),
            Err(QuoteError::QuoteMismatch {
                field: "target_currency"
            })
        );
        assert_eq!(
            QuoteError::QuoteExpired { expired_at: 0 }.code(),
            "quote_expired"
        );
    }
}
