//! Exact money arithmetic: proportions in parts per million and half-even rounding to minor units.
//!
//! Every fee, discount and conversion in OKPay is an integer of minor units. A proportion (a fee
//! rate, a discount) is a whole number of parts per million (`ppm`): 1% is 10 000 ppm, one basis
//! point is 100 ppm, so admins can write rates as fine as 0.0001%. A proportion of an amount is
//! computed exactly in `i128` and only then rounded once, **half to even** ("banker's rounding"),
//! to the currency's minor unit. The amounts are already counted in minor units (fen, cents, or
//! whole yen, since JPY has no minor unit), so rounding to the minor unit is rounding to an
//! integer: 0.5 fen rounds to 0, 1.5 fen to 2, 2.5 fen to 2, and -2.5 fen to -2. Half-even does not
//! drift upward over many movements the way half-up does.

use ledger::Amount;

/// One whole in parts per million: 100%.
pub const PPM_ONE: u32 = 1_000_000;
/// Parts per million in one percent.
pub const PPM_PER_PERCENT: u32 = 10_000;

/// `numerator / denominator`, rounded half to even. `denominator` must be positive.
pub fn div_round_half_even(numerator: i128, denominator: i128) -> i128 {
    assert!(denominator > 0, "denominators are positive constants");
    let quotient = numerator.div_euclid(denominator);
    let remainder = numerator.rem_euclid(denominator); // 0 <= remainder < denominator
    let twice = remainder * 2;
    if twice > denominator || (twice == denominator && quotient % 2 != 0) {
        quotient + 1
    } else {
        quotient
    }
}

/// `ppm` parts per million of `amount`, rounded half to even to the minor unit. The product is
/// taken in `i128`, so no amount and rate of the sizes OKPay accepts can overflow; the result is
/// at most `amount` in size when `ppm <= PPM_ONE`.
pub fn proportion_of(amount: Amount, ppm: u32) -> Amount {
    let exact = i128::from(amount.minor()) * i128::from(ppm);
    let rounded = div_round_half_even(exact, i128::from(PPM_ONE));
    Amount::from_minor(
        i64::try_from(rounded).expect("a proportion of an i64 fits an i64 at most 100%"),
    )
}

/// Why a percentage written by a person is not one OKPay accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPercent {
    #[error("{0:?} is not a percentage such as 0.35")]
    NotDecimal(String),
    #[error("a percentage may have at most four decimal places")]
    TooPrecise,
    #[error("a percentage may be at most 100")]
    AboveHundred,
}

/// Parses a percentage as admins write it ("0.35", "2", "0.0125", with or without a trailing
/// `%`) into parts per million. At most four decimal places (1 ppm), at most 100%.
pub fn parse_percent(text: &str) -> Result<u32, InvalidPercent> {
    let trimmed = text.trim();
    let digits = trimmed.strip_suffix('%').unwrap_or(trimmed).trim_end();
    let not_decimal = || InvalidPercent::NotDecimal(text.to_owned());
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 3 || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_decimal());
    }
    if digits.contains('.') && fraction.is_empty() {
        return Err(not_decimal());
    }
    if fraction.len() > 4 {
        return Err(InvalidPercent::TooPrecise);
    }
    let whole: u32 = whole.parse().map_err(|_| not_decimal())?;
    let fraction: u32 = format!("{fraction:0<4}")
        .parse()
        .map_err(|_| not_decimal())?;
    let ppm = whole * PPM_PER_PERCENT + fraction;
    if ppm > PPM_ONE {
        return Err(InvalidPercent::AboveHundred);
    }
    Ok(ppm)
}

/// Parts per million as a percentage without trailing zeros: 3500 → "0.35", 10 000 → "1".
pub fn percent_text(ppm: u32) -> String {
    let whole = ppm / PPM_PER_PERCENT;
    let fraction = ppm % PPM_PER_PERCENT;
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:04}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_halves_round_to_the_even_neighbour() {
        let cases = [
            (5, 10, 0),
            (15, 10, 2),
            (25, 10, 2),
            (35, 10, 4),
            (-5, 10, 0),
            (-15, 10, -2),
            (-25, 10, -2),
            (14, 10, 1),
            (16, 10, 2),
            (-14, 10, -1),
            (-16, 10, -2),
            (0, 7, 0),
            (7, 7, 1),
        ];
        for (numerator, denominator, expected) in cases {
            assert_eq!(
                div_round_half_even(numerator, denominator),
                expected,
                "{numerator}/{denominator}"
            );
        }
    }

    #[test]
    fn a_proportion_rounds_half_even_to_the_minor_unit() {
        let cases = [
            // 0.35% of ¥10.00 is 3.5 fen: to 4 (3 is odd, 4 is even).
            (1_000, 3_500, 4),
            // 0.25% of ¥10.00 is 2.5 fen: to 2.
            (1_000, 2_500, 2),
            // 0.5% of 100 yen is 0.5 yen: to 0.
            (100, 5_000, 0),
            // 0.5% of 300 yen is 1.5 yen: to 2.
            (300, 5_000, 2),
            (1_000, PPM_ONE, 1_000),
            (1_000, 0, 0),
            (ledger::AMOUNT_INPUT_MAX, PPM_ONE, ledger::AMOUNT_INPUT_MAX),
        ];
        for (minor, ppm, expected) in cases {
            assert_eq!(
                proportion_of(Amount::from_minor(minor), ppm),
                Amount::from_minor(expected),
                "{ppm} ppm of {minor}"
            );
        }
    }

    #[test]
    fn percentages_parse_to_parts_per_million_and_print_back() {
        let cases = [
            ("0.35", 3_500, "0.35"),
            ("0.35%", 3_500, "0.35"),
            ("2", 20_000, "2"),
            ("0.0125", 125, "0.0125"),
            ("100", PPM_ONE, "100"),
            ("0", 0, "0"),
        ];
        for (text, ppm, printed) in cases {
            assert_eq!(parse_percent(text), Ok(ppm), "{text}");
            assert_eq!(percent_text(ppm), printed);
        }
        assert_eq!(parse_percent("100.0001"), Err(InvalidPercent::AboveHundred));
        assert_eq!(parse_percent("0.00001"), Err(InvalidPercent::TooPrecise));
        for junk in ["", "-1", "1.", ".5", "1e2", "abc", "1,5", "1000"] {
            assert!(
                matches!(parse_percent(junk), Err(InvalidPercent::NotDecimal(_))),
                "{junk}"
            );
        }
    }

    proptest! {
        #[test]
        fn rounding_is_within_half_a_unit_of_the_exact_quotient(
            numerator in -1_000_000_000_000_i128..1_000_000_000_000,
            denominator in 1_i128..1_000_000,
        ) {
            let rounded = div_round_half_even(numerator, denominator);
            let error_doubled = (rounded * denominator - numerator).abs() * 2;
            prop_assert!(error_doubled <= denominator);
        }

        #[test]
        fn a_proportion_never_exceeds_the_amount_nor_goes_negative(
            minor in 0..=ledger::AMOUNT_INPUT_MAX,
            ppm in 0..=PPM_ONE,
        ) {
            let part = proportion_of(Amount::from_minor(minor), ppm);
            prop_assert!(part.minor() >= 0);
            prop_assert!(part.minor() <= minor);
        }
    }
}
