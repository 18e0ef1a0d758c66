//! Money as an integer count of minor units, with checked arithmetic and decimal text.

use std::fmt;

use crate::Currency;

/// The largest amount a single request may carry, in minor units (10^15: ten trillion yuan).
/// Keeping inputs far below `i64::MAX` means sums of many movements stay representable, while
/// every addition is still checked.
pub const AMOUNT_INPUT_MAX: i64 = 1_000_000_000_000_000;

/// Why an amount was refused or an operation on amounts failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount must be greater than zero")]
    NotPositive,
    #[error("the amount is larger than {AMOUNT_INPUT_MAX} minor units")]
    TooLarge,
    #[error("the arithmetic overflowed")]
    Overflow,
    #[error("{0:?} is not a decimal amount in this currency")]
    NotDecimal(String),
}

/// A signed count of minor units. Positive amounts are what requests carry; postings use the sign
/// to say which way money moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// Any signed value; use [`Amount::positive`] for what a user asked to move.
    pub const fn from_minor(minor: i64) -> Amount {
        Amount(minor)
    }

    /// An amount a user may ask to move: greater than zero and at most [`AMOUNT_INPUT_MAX`].
    pub fn positive(minor: i64) -> Result<Amount, AmountError> {
        if minor <= 0 {
            Err(AmountError::NotPositive)
        } else if minor > AMOUNT_INPUT_MAX {
            Err(AmountError::TooLarge)
        } else {
            Ok(Amount(minor))
        }
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Amount) -> Result<Amount, AmountError> {
        self.0
            .checked_add(other.0)
            .map(Amount)
            .ok_or(AmountError::Overflow)
    }

    pub fn checked_sub(self, other: Amount) -> Result<Amount, AmountError> {
        self.0
            .checked_sub(other.0)
            .map(Amount)
            .ok_or(AmountError::Overflow)
    }

    pub fn checked_neg(self) -> Result<Amount, AmountError> {
        self.0
            .checked_neg()
            .map(Amount)
            .ok_or(AmountError::Overflow)
    }

    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Decimal text in the currency's unit: 1050 CNY → "10.50", 100 JPY → "100", -5 USD → "-0.05".
    pub fn to_decimal_string(self, currency: Currency) -> String {
        let places = u32::from(currency.minor_units());
        if places == 0 {
            return self.0.to_string();
        }
        let scale = 10_u64.pow(places);
        let magnitude = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = places as usize
        )
    }

    /// Parses decimal text in the currency's unit ("10.5" CNY → 1050). More decimal places than
    /// the currency has are refused rather than rounded, so no money appears or vanishes.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Amount, AmountError> {
        let not_decimal = || AmountError::NotDecimal(text.to_owned());
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let places = usize::from(currency.minor_units());
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_decimal());
        }
        if fraction.len() > places || (digits.contains('.') && fraction.is_empty()) {
            return Err(not_decimal());
        }
        let whole: i64 = whole.parse().map_err(|_| AmountError::Overflow)?;
        let padded = format!("{fraction:0<places$}");
        let fraction: i64 = if places == 0 {
            0
        } else {
            padded.parse().map_err(|_| not_decimal())?
        };
        let scale = 10_i64.pow(places as u32);
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction))
            .ok_or(AmountError::Overflow)?;
        Ok(Amount(if negative { -minor } else { minor }))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_amounts_refuse_zero_negative_and_too_large() {
        assert_eq!(Amount::positive(0), Err(AmountError::NotPositive));
        assert_eq!(Amount::positive(-1), Err(AmountError::NotPositive));
        assert_eq!(
            Amount::positive(AMOUNT_INPUT_MAX + 1),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            Amount::positive(AMOUNT_INPUT_MAX).map(Amount::minor),
            Ok(AMOUNT_INPUT_MAX)
        );
    }

    #[test]
    fn arithmetic_overflow_is_an_error_not_a_wrap() {
        let max = Amount::from_minor(i64::MAX);
        assert_eq!(
            max.checked_add(Amount::from_minor(1)),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            Amount::from_minor(i64::MIN).checked_neg(),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            Amount::from_minor(i64::MIN).checked_sub(Amount::from_minor(1)),
            Err(AmountError::Overflow)
        );
    }

    #[test]
    fn decimal_text_follows_the_currencys_minor_units() {
        let check = |minor: i64, currency: Currency, text: &str| {
            assert_eq!(Amount::from_minor(minor).to_decimal_string(currency), text);
            assert_eq!(
                Amount::parse_decimal(text, currency),
                Ok(Amount::from_minor(minor))
            );
        };
        check(1050, Currency::Cny, "10.50");
        check(5, Currency::Usd, "0.05");
        check(-5, Currency::Usd, "-0.05");
        check(100, Currency::Jpy, "100");
        check(0, Currency::Eur, "0.00");
    }

    #[test]
    fn decimal_text_with_too_many_places_or_junk_is_refused() {
        assert!(Amount::parse_decimal("10.505", Currency::Cny).is_err());
        assert!(Amount::parse_decimal("10.5", Currency::Jpy).is_err());
        assert!(Amount::parse_decimal("1e3", Currency::Cny).is_err());
        assert!(Amount::parse_decimal("", Currency::Cny).is_err());
        assert!(Amount::parse_decimal("10.", Currency::Cny).is_err());
        assert!(Amount::parse_decimal("99999999999999999999", Currency::Cny).is_err());
        assert_eq!(
            Amount::parse_decimal("10.5", Currency::Cny),
            Ok(Amount::from_minor(1050))
        );
    }
}
