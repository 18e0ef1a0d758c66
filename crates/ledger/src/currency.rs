//! ISO 4217 currencies OKPay holds, with the number of minor units each one has.

use std::fmt;

/// A currency OKPay can hold. Each has a fixed number of minor units (fen, cents; JPY has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    Cny,
    Usd,
    Eur,
    Hkd,
    Gbp,
    Jpy,
    Sgd,
    Aud,
    Cad,
    Krw,
}

/// A currency code OKPay does not hold, kept so the caller can name it in an error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency code {0:?}")]
pub struct UnknownCurrency(pub String);

impl Currency {
    pub const ALL: &'static [Currency] = &[
        Currency::Cny,
        Currency::Usd,
        Currency::Eur,
        Currency::Hkd,
        Currency::Gbp,
        Currency::Jpy,
        Currency::Sgd,
        Currency::Aud,
        Currency::Cad,
        Currency::Krw,
    ];

    /// The three-letter ISO 4217 code, upper case.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Hkd => "HKD",
            Currency::Gbp => "GBP",
            Currency::Jpy => "JPY",
            Currency::Sgd => "SGD",
            Currency::Aud => "AUD",
            Currency::Cad => "CAD",
            Currency::Krw => "KRW",
        }
    }

    /// How many decimal places the currency's minor unit has (ISO 4217 "minor unit").
    pub const fn minor_units(self) -> u8 {
        match self {
            Currency::Jpy | Currency::Krw => 0,
            _ => 2,
        }
    }

    /// Parses an upper-case ISO 4217 code. Lower case is refused so that one spelling is stored.
    pub fn parse(code: &str) -> Result<Currency, UnknownCurrency> {
        Currency::ALL
            .iter()
            .copied()
            .find(|currency| currency.code() == code)
            .ok_or_else(|| UnknownCurrency(code.to_owned()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_currency() {
        for currency in Currency::ALL {
            assert_eq!(Currency::parse(currency.code()), Ok(*currency));
        }
    }

    #[test]
    fn yen_and_won_have_no_minor_unit_and_yuan_has_two() {
        assert_eq!(Currency::Jpy.minor_units(), 0);
        assert_eq!(Currency::Krw.minor_units(), 0);
        assert_eq!(Currency::Cny.minor_units(), 2);
    }

    #[test]
    fn unknown_and_lower_case_codes_are_refused() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("cny").is_err());
        assert!(Currency::parse("").is_err());
    }
}
