//! Foreign-exchange rates as exact decimals, and conversion between currencies of different
//! minor units with half-even rounding.
//!
//! A rate says how many units of the quote currency one unit of the base currency buys, as an
//! integer count of 10^-8 (`rate_e8`): USD→CNY 7.12345678 is `712_345_678`. Converting `amount`
//! minor units of the base currency is exact in `i128` —
//! `amount × rate_e8 × 10^(quote minor units) / (10^(base minor units) × 10^8)` — rounded once,
//! half to even, to the quote currency's minor unit: ¥100.00 (10 000 fen) at CNY→JPY 20.5 is
//! 2 050 yen; 1 yen at JPY→USD 0.00665 is 0.665 cents, rounded to 1 cent.
//!
//! Admins set rates per pair. A pair without its own rate uses the inverse of the reverse pair
//! (1 / rate, rounded half-even to 10^-8), else a cross through CNY (A→CNY × CNY→B, rounded once);
//! a derived rate is as old as the oldest rate it came from.

use std::fmt;

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};

use crate::identity::UnixSeconds;
use crate::rounding::div_round_half_even;

/// 10^8: a rate's unit is 10^-8 of the quote currency per unit of the base currency.
pub const RATE_SCALE: i64 = 100_000_000;
/// The largest rate accepted: one million per unit (far above USD→KRW or any pair OKPay holds).
pub const RATE_E8_MAX: i64 = 1_000_000 * RATE_SCALE;
/// The currency cross rates go through.
pub const PIVOT_CURRENCY: Currency = Currency::Cny;
/// The most rates a table may hold: every ordered pair of the currencies OKPay holds.
pub const RATES_MAX: usize = 100;

/// Why a rate or a conversion is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    #[error("a rate needs two different currencies")]
    SameCurrency,
    #[error("a rate must be greater than zero and at most 1000000")]
    RateOutOfRange,
    #[error("{0:?} is not a rate such as 7.12345678")]
    RateNotDecimal(String),
    #[error("there is no rate from {from} to {to}")]
    RateUnavailable { from: Currency, to: Currency },
    #[error("the rate from {from} to {to} is {age_s} s old, more than {age_max_s} s")]
    RateStale {
        from: Currency,
        to: Currency,
        age_s: i64,
        age_max_s: i64,
    },
    #[error("the amount converts to less than one minor unit of {to}")]
    ConvertsToNothing { to: Currency },
    #[error("the converted amount is larger than {AMOUNT_INPUT_MAX} minor units")]
    ConvertsTooLarge,
}

impl FxError {
    pub const fn code(&self) -> &'static str {
        match self {
            FxError::SameCurrency => "currency_pair_invalid",
            FxError::RateOutOfRange | FxError::RateNotDecimal(_) => "fx_rate_invalid",
            FxError::RateUnavailable { .. } => "fx_rate_unavailable",
            FxError::RateStale { .. } => "fx_rate_stale",
            FxError::ConvertsToNothing { .. } => "amount_below_minimum",
            FxError::ConvertsTooLarge => "amount_too_large",
        }
    }
}

/// Parses a decimal rate with at most 8 places ("7.12345678", "0.0067") into 10^-8 units.
pub fn parse_rate_e8(text: &str) -> Result<i64, FxError> {
    let not_decimal = || FxError::RateNotDecimal(text.to_owned());
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_decimal());
    }
    if fraction.len() > 8 || (text.contains('.') && fraction.is_empty()) {
        return Err(not_decimal());
    }
    let whole: i64 = whole.parse().map_err(|_| not_decimal())?;
    let fraction: i64 = format!("{fraction:0<8}")
        .parse()
        .map_err(|_| not_decimal())?;
    let rate_e8 = whole * RATE_SCALE + fraction;
    if rate_e8 <= 0 || rate_e8 > RATE_E8_MAX {
        return Err(FxError::RateOutOfRange);
    }
    Ok(rate_e8)
}

/// A rate as text without trailing zeros: `712_345_678` → "7.12345678", `700_000_000` → "7".
pub fn rate_text(rate_e8: i64) -> String {
    let whole = rate_e8 / RATE_SCALE;
    let fraction = rate_e8 % RATE_SCALE;
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:08}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// A rate an admin set: one unit of `base` buys `rate_e8` × 10^-8 units of `quote`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FxRate {
    base: Currency,
    quote: Currency,
    rate_e8: i64,
    set_at: UnixSeconds,
}

impl FxRate {
    pub fn new(
        base: Currency,
        quote: Currency,
        rate_e8: i64,
        set_at: UnixSeconds,
    ) -> Result<FxRate, FxError> {
        if base == quote {
            return Err(FxError::SameCurrency);
        }
        if rate_e8 <= 0 || rate_e8 > RATE_E8_MAX {
            return Err(FxError::RateOutOfRange);
        }
        Ok(FxRate {
            base,
            quote,
            rate_e8,
            set_at,
        })
    }

    pub fn base(&self) -> Currency {
        self.base
    }

    pub fn quote(&self) -> Currency {
        self.quote
    }

    pub fn rate_e8(&self) -> i64 {
        self.rate_e8
    }

    pub fn set_at(&self) -> UnixSeconds {
        self.set_at
    }

    /// How old the rate is at `now`, in seconds (never negative).
    pub fn age_s(&self, now: UnixSeconds) -> i64 {
        now.saturating_sub(self.set_at).max(0)
    }

    /// The reverse rate, 1 / rate rounded half-even to 10^-8 (at least 10^-8).
    pub fn inverse(&self) -> FxRate {
        let inverse = div_round_half_even(
            i128::from(RATE_SCALE) * i128::from(RATE_SCALE),
            i128::from(self.rate_e8),
        );
        let rate_e8 = i64::try_from(inverse)
            .unwrap_or(RATE_E8_MAX)
            .clamp(1, RATE_E8_MAX);
        FxRate {
            base: self.quote,
            quote: self.base,
            rate_e8,
            set_at: self.set_at,
        }
    }

    /// `amount` minor units of the base currency in minor units of the quote currency, rounded
    /// half-even. Refused when nothing would arrive or the result is larger than any input.
    pub fn convert(&self, amount: Amount) -> Result<Amount, FxError> {
        let base_scale = 10_i128.pow(u32::from(self.base.minor_units()));
        let quote_scale = 10_i128.pow(u32::from(self.quote.minor_units()));
        let exact = i128::from(amount.minor()) * i128::from(self.rate_e8) * quote_scale;
        let converted = div_round_half_even(exact, base_scale * i128::from(RATE_SCALE));
        if converted > i128::from(AMOUNT_INPUT_MAX) || converted < -i128::from(AMOUNT_INPUT_MAX) {
            return Err(FxError::ConvertsTooLarge);
        }
        if amount.is_positive() && converted == 0 {
            return Err(FxError::ConvertsToNothing { to: self.quote });
        }
        Ok(Amount::from_minor(
            i64::try_from(converted).expect("bounded above"),
        ))
    }

    /// `self` followed by `next` (A→B then B→C), rounded once to 10^-8.
    fn then(&self, next: &FxRate) -> FxRate {
        let product = div_round_half_even(
            i128::from(self.rate_e8) * i128::from(next.rate_e8),
            i128::from(RATE_SCALE),
        );
        FxRate {
            base: self.base,
            quote: next.quote,
            rate_e8: i64::try_from(product)
                .unwrap_or(RATE_E8_MAX)
                .clamp(1, RATE_E8_MAX),
            set_at: self.set_at.min(next.set_at),
        }
    }
}

impl fmt::Display for FxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "1 {} = {} {}",
            self.base,
            rate_text(self.rate_e8),
            self.quote
        )
    }
}

/// The rates in force: the latest an admin set for each pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateTable {
    rates: Vec<FxRate>,
}

impl RateTable {
    /// Keeps the latest rate of each pair; at most [`RATES_MAX`] pairs.
    pub fn new(rates: impl IntoIterator<Item = FxRate>) -> RateTable {
        let mut table = RateTable::default();
        for rate in rates {
            table.set(rate);
        }
        table
    }

    /// Records a rate, replacing an older one of the same pair; a table that is full drops the
    /// rate (there are fewer ordered pairs than [`RATES_MAX`], so that cannot happen in use).
    pub fn set(&mut self, rate: FxRate) {
        let same_pair = self
            .rates
            .iter()
            .position(|r| (r.base, r.quote) == (rate.base, rate.quote));
        match same_pair {
            Some(index) if self.rates[index].set_at <= rate.set_at => self.rates[index] = rate,
            Some(_) => {}
            None if self.rates.len() < RATES_MAX => self.rates.push(rate),
            None => {}
        }
    }

    pub fn rates(&self) -> &[FxRate] {
        &self.rates
    }

    fn direct(&self, from: Currency, to: Currency) -> Option<FxRate> {
        let set = |base, quote| {
            self.rates
                .iter()
                .find(|r| (r.base, r.quote) == (base, quote))
                .copied()
        };
        set(from, to).or_else(|| set(to, from).map(|rate| rate.inverse()))
    }

    /// The rate from `from` to `to`: set directly, the inverse of the reverse, or a cross
    /// through [`PIVOT_CURRENCY`].
    pub fn rate(&self, from: Currency, to: Currency) -> Result<FxRate, FxError> {
        if from == to {
            return Err(FxError::SameCurrency);
        }
        if let Some(rate) = self.direct(from, to) {
            return Ok(rate);
        }
        if from != PIVOT_CURRENCY
            && to != PIVOT_CURRENCY
            && let (Some(first), Some(second)) = (
                self.direct(from, PIVOT_CURRENCY),
                self.direct(PIVOT_CURRENCY, to),
            )
        {
            return Ok(first.then(&second));
        }
        Err(FxError::RateUnavailable { from, to })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rate(base: Currency, quote: Currency, text: &str, set_at: i64) -> FxRate {
        FxRate::new(base, quote, parse_rate_e8(text).expect("valid"), set_at).expect("valid")
    }

    #[test]
    fn rates_parse_as_exact_decimals_and_print_back() {
        let cases = [
            ("7.12345678", 712_345_678, "7.12345678"),
            ("7", 700_000_000, "7"),
            ("0.0067", 670_000, "0.0067"),
            ("0.00000001", 1, "0.00000001"),
            ("1000000", RATE_E8_MAX, "1000000"),
        ];
        for (text, rate_e8, printed) in cases {
            assert_eq!(parse_rate_e8(text), Ok(rate_e8), "{text}");
            assert_eq!(rate_text(rate_e8), printed);
        }
        assert_eq!(parse_rate_e8("0"), Err(FxError::RateOutOfRange));
        assert_eq!(parse_rate_e8("1000000.1"), Err(FxError::RateOutOfRange));
        for junk in ["", "1.", ".5", "-1", "1e3", "1.000000001", "7,1"] {
            assert!(
                matches!(parse_rate_e8(junk), Err(FxError::RateNotDecimal(_))),
                "{junk}"
            );
        }
        assert_eq!(
            rate(Currency::Usd, Currency::Cny, "7.1", 0).to_string(),
            "1 USD = 7.1 CNY"
        );
    }

    #[test]
    fn conversion_crosses_minor_units_and_rounds_half_even() {
        let cases = [
            // ¥100.00 at 20.5 yen per yuan: 2 050 yen.
            (Currency::Cny, Currency::Jpy, "20.5", 10_000, 2_050),
            // 2 050 yen at 0.04878049 yuan per yen: 100.0000045 yuan → 10 000 fen.
            (Currency::Jpy, Currency::Cny, "0.04878049", 2_050, 10_000),
            // 3 yen at 0.005 USD: 1.5 cents → 2.
            (Currency::Jpy, Currency::Usd, "0.005", 3, 2),
            // 5 yen: 2.5 cents → 2.
            (Currency::Jpy, Currency::Usd, "0.005", 5, 2),
            // US$1.00 at 7.12345678: 712.345678 fen → 712.
            (Currency::Usd, Currency::Cny, "7.12345678", 100, 712),
            // US$0.50 at 7.13: 356.5 fen → 356.
            (Currency::Usd, Currency::Cny, "7.13", 50, 356),
            // US$0.50 at 7.15: 357.5 fen → 358.
            (Currency::Usd, Currency::Cny, "7.15", 50, 358),
        ];
        for (from, to, text, amount, expected) in cases {
            assert_eq!(
                rate(from, to, text, 0).convert(Amount::from_minor(amount)),
                Ok(Amount::from_minor(expected)),
                "{amount} {from} at {text}"
            );
        }
        assert_eq!(
            rate(Currency::Jpy, Currency::Usd, "0.005", 0).convert(Amount::from_minor(1)),
            Err(FxError::ConvertsToNothing { to: Currency::Usd })
        );
        assert_eq!(
            rate(Currency::Usd, Currency::Krw, "1000000", 0)
                .convert(Amount::from_minor(AMOUNT_INPUT_MAX)),
            Err(FxError::ConvertsTooLarge)
        );
    }

    #[test]
    fn a_missing_pair_uses_the_inverse_or_a_cross_through_yuan() {
        let table = RateTable::new([
            rate(Currency::Usd, Currency::Cny, "7.2", 100),
            rate(Currency::Cny, Currency::Jpy, "20", 300),
            rate(Currency::Usd, Currency::Cny, "7.1", 50),
        ]);
        assert_eq!(table.rates().len(), 2, "the older USD→CNY rate is ignored");
        let direct = table.rate(Currency::Usd, Currency::Cny).expect("set");
        assert_eq!(direct.rate_e8(), 720_000_000);
        let inverse = table.rate(Currency::Cny, Currency::Usd).expect("inverse");
        // 1 / 7.2 = 0.138888…, rounded to 0.13888889.
        assert_eq!(inverse.rate_e8(), 13_888_889);
        let cross = table.rate(Currency::Usd, Currency::Jpy).expect("cross");
        assert_eq!(rate_text(cross.rate_e8()), "144");
        assert_eq!(cross.set_at(), 100, "as old as its oldest part");
        assert_eq!(cross.age_s(160), 60);
        assert_eq!(
            table.rate(Currency::Usd, Currency::Eur),
            Err(FxError::RateUnavailable {
                from: Currency::Usd,
                to: Currency::Eur
            })
        );
        assert_eq!(
            table.rate(Currency::Usd, Currency::Usd),
            Err(FxError::SameCurrency)
        );
        assert_eq!(
            FxRate::new(Currency::Usd, Currency::Usd, 1, 0),
            Err(FxError::SameCurrency)
        );
    }

    proptest! {
        #[test]
        fn conversion_is_within_half_a_minor_unit_of_the_exact_value_and_never_panics(
            from in prop::sample::select(Currency::ALL),
            to in prop::sample::select(Currency::ALL),
            rate_e8 in 1..=RATE_E8_MAX,
            amount in 1..=AMOUNT_INPUT_MAX,
        ) {
            prop_assume!(from != to);
            let fx = FxRate::new(from, to, rate_e8, 0).expect("valid");
            if let Ok(converted) = fx.convert(Amount::from_minor(amount)) {
                let numerator = i128::from(amount)
                    * i128::from(rate_e8)
                    * 10_i128.pow(u32::from(to.minor_units()));
                let denominator =
                    10_i128.pow(u32::from(from.minor_units())) * i128::from(RATE_SCALE);
                let error_doubled =
                    (i128::from(converted.minor()) * denominator - numerator).abs() * 2;
                prop_assert!(error_doubled <= denominator);
                prop_assert!(converted.is_positive());
            }
        }
    }
}
