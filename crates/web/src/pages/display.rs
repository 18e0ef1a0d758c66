//! How pages show money and times to people: grouped digits, and instants read at a glance.

use ledger::{Amount, Currency};

/// `12,345.50 CNY`: the decimal in the currency's unit with its thousands grouped, then the code.
pub(crate) fn money_text(amount: Amount, currency: Currency) -> String {
    format!(
        "{} {}",
        group_thousands(&amount.to_decimal_string(currency)),
        currency.code()
    )
}

/// `-1234567.50` as `-1,234,567.50`: commas between each three digits of the whole part.
pub(crate) fn group_thousands(decimal: &str) -> String {
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal),
    };
    let (whole, fraction) = match digits.find('.') {
        Some(dot) => digits.split_at(dot),
        None => (digits, ""),
    };
    let mut grouped = String::with_capacity(decimal.len() + whole.len() / 3);
    grouped.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped.push_str(fraction);
    grouped
}

/// An RFC 3339 instant in UTC (`2026-11-23T16:05:09Z`) as a person reads it: `2026-11-23 16:05 UTC`.
/// Anything else is shown as it came.
pub(crate) fn readable_time(rfc3339: &str) -> String {
    let text = rfc3339.replacen('T', " ", 1);
    match text.strip_suffix('Z') {
        Some(rest) => format!("{} UTC", &rest[..rest.len().min(16)]),
        None => text,
    }
}

/// Unix seconds as a person reads them: `2026-11-23 16:05 UTC`.
pub(crate) fn readable_instant(at: i64) -> String {
    readable_time(&crate::time::rfc3339_utc(at))
}

/// Template filters: `{{ at|readable }}` beside a `<time datetime="{{ at }}">` that keeps the
/// machine-readable instant.
pub(crate) mod filters {
    #[askama::filter_fn]
    pub fn readable(
        value: impl std::fmt::Display,
        _: &dyn askama::Values,
    ) -> askama::Result<String> {
        Ok(super::readable_time(&value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_parts_are_grouped_by_thousands_and_fractions_are_left_alone() {
        assert_eq!(group_thousands("0.50"), "0.50");
        assert_eq!(group_thousands("999.99"), "999.99");
        assert_eq!(group_thousands("1000.00"), "1,000.00");
        assert_eq!(group_thousands("11404.10"), "11,404.10");
        assert_eq!(group_thousands("-1234567.5"), "-1,234,567.5");
        assert_eq!(group_thousands("123456"), "123,456");
        assert_eq!(group_thousands("-100"), "-100");
    }

    #[test]
    fn money_reads_with_grouping_and_the_currency_code() {
        assert_eq!(
            money_text(Amount::from_minor(1_140_410), Currency::Cny),
            "11,404.10 CNY"
        );
        assert_eq!(
            money_text(Amount::from_minor(1_500_000), Currency::Jpy),
            "1,500,000 JPY"
        );
    }

    #[test]
    fn utc_instants_read_to_the_minute_and_other_text_is_kept() {
        assert_eq!(
            readable_time("2026-11-23T16:05:09Z"),
            "2026-11-23 16:05 UTC"
        );
        assert_eq!(readable_time("2026-11-23"), "2026-11-23");
    }
}
