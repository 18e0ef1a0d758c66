//! Amounts per currency, and round amounts of roughly equal worth in every currency for defaults.
//!
//! Defaults (a withdrawal fee, a daily limit) are written once in yuan and scaled to each currency
//! by a fixed table of round numbers, not by live FX rates: a limit of "about ¥2,000" is US$300,
//! not US$281.37, and does not move when rates do. Operators set exact per-currency values in the
//! fee schedule and limit tables when they want others.

use std::collections::BTreeMap;

use ledger::{Amount, Currency};

/// Roughly what ¥1,000 is worth in each currency, as a round number of its major units.
const fn per_thousand_yuan(currency: Currency) -> i64 {
    match currency {
        Currency::Cny | Currency::Hkd => 1_000,
        Currency::Usd => 150,
        Currency::Eur => 130,
        Currency::Gbp => 110,
        Currency::Jpy => 20_000,
        Currency::Sgd | Currency::Aud | Currency::Cad => 200,
        Currency::Krw => 200_000,
    }
}

/// About `yuan` yuan in `currency`, in minor units, rounded half-even to the minor unit.
pub fn about_yuan(currency: Currency, yuan: i64) -> Amount {
    let scale = 10_i128.pow(u32::from(currency.minor_units()));
    let minor = crate::rounding::div_round_half_even(
        i128::from(yuan) * i128::from(per_thousand_yuan(currency)) * scale,
        1_000,
    );
    Amount::from_minor(i64::try_from(minor).expect("defaults are small"))
}

/// One amount per currency (a fixed fee, a minimum, a threshold). A currency without an entry
/// has no such amount; what that means is said where the table is used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerCurrency(BTreeMap<Currency, Amount>);

impl PerCurrency {
    pub fn new() -> PerCurrency {
        PerCurrency::default()
    }

    /// About `yuan` yuan in every currency OKPay holds.
    pub fn about_yuan(yuan: i64) -> PerCurrency {
        PerCurrency(
            Currency::ALL
                .iter()
                .map(|currency| (*currency, about_yuan(*currency, yuan)))
                .collect(),
        )
    }

    pub fn with(mut self, currency: Currency, amount: Amount) -> PerCurrency {
        self.0.insert(currency, amount);
        self
    }

    pub fn set(&mut self, currency: Currency, amount: Amount) {
        self.0.insert(currency, amount);
    }

    pub fn get(&self, currency: Currency) -> Option<Amount> {
        self.0.get(&currency).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Currency, Amount)> + '_ {
        self.0.iter().map(|(currency, amount)| (*currency, *amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_scale_to_round_amounts_in_each_currency() {
        let cases = [
            (Currency::Cny, 2_000, 200_000),
            (Currency::Usd, 2_000, 30_000),
            (Currency::Jpy, 2_000, 40_000),
            (Currency::Krw, 1, 200),
            (Currency::Usd, 1, 15),
            (Currency::Gbp, 5, 55),
        ];
        for (currency, yuan, minor) in cases {
            assert_eq!(
                about_yuan(currency, yuan),
                Amount::from_minor(minor),
                "{currency} {yuan}"
            );
        }
        let table = PerCurrency::about_yuan(10);
        assert_eq!(table.get(Currency::Eur), Some(Amount::from_minor(130)));
        assert_eq!(PerCurrency::new().get(Currency::Eur), None);
    }
}
