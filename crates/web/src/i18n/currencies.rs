//! The names of the currencies OKPay holds, in zh-CN and en.

use ledger::Currency;

use super::Locale;

/// The currency's everyday name. No catch-all: a currency added to the ledger does not compile
/// here until it has a name in both languages.
pub fn currency_name(currency: Currency, locale: Locale) -> &'static str {
    let (zh_cn, en) = match currency {
        Currency::Cny => ("人民币", "Chinese Yuan"),
        Currency::Usd => ("美元", "US Dollar"),
        Currency::Eur => ("欧元", "Euro"),
        Currency::Hkd => ("港币", "Hong Kong Dollar"),
        Currency::Gbp => ("英镑", "British Pound"),
        Currency::Jpy => ("日元", "Japanese Yen"),
        Currency::Sgd => ("新加坡元", "Singapore Dollar"),
        Currency::Aud => ("澳大利亚元", "Australian Dollar"),
        Currency::Cad => ("加拿大元", "Canadian Dollar"),
        Currency::Krw => ("韩元", "South Korean Won"),
    };
    locale.pick(zh_cn, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_currency_has_a_name_in_both_languages() {
        for currency in Currency::ALL {
            for locale in Locale::ALL {
                assert!(!currency_name(*currency, *locale).is_empty(), "{currency}");
            }
        }
    }
}
