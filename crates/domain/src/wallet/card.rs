//! Bank cards as a user types them, parsed so that only brand, last 4, expiry and holder remain.
//!
//! `CardDetails` holds the full number and the CVC for exactly one purpose: the processor's
//! tokenize call. It is not `Clone`, its `Debug` shows only brand and last 4, no error message
//! ever contains a digit of the number, and the digits are overwritten when it is dropped. What
//! OKPay keeps is a `SavedCard`: brand, last 4, expiry, holder name and the processor's token.

use std::fmt;

use crate::calendar::CivilDate;

const CARD_DIGITS_MIN: usize = 12;
const CARD_DIGITS_MAX: usize = 19;
/// How many characters a typed number may have, counting the spaces and dashes people type.
const CARD_INPUT_LENGTH_MAX: usize = 40;
/// Cards are issued for at most this many years; a later expiry is a typing mistake.
const EXPIRY_YEARS_AHEAD_MAX: i32 = 20;
const HOLDER_NAME_LENGTH_MAX: usize = 64;
const TOKEN_LENGTH_MAX: usize = 128;

/// The card networks OKPay accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Visa,
    Mastercard,
    UnionPay,
    AmericanExpress,
    Jcb,
    Discover,
}

impl CardBrand {
    pub const ALL: &'static [CardBrand] = &[
        CardBrand::Visa,
        CardBrand::Mastercard,
        CardBrand::UnionPay,
        CardBrand::AmericanExpress,
        CardBrand::Jcb,
        CardBrand::Discover,
    ];

    /// The stored and API name.
    pub const fn code(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::UnionPay => "unionpay",
            CardBrand::AmericanExpress => "amex",
            CardBrand::Jcb => "jcb",
            CardBrand::Discover => "discover",
        }
    }

    /// The network's own name, the same in every language.
    pub const fn display_name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::UnionPay => "UnionPay",
            CardBrand::AmericanExpress => "American Express",
            CardBrand::Jcb => "JCB",
            CardBrand::Discover => "Discover",
        }
    }

    pub fn parse(code: &str) -> Option<CardBrand> {
        CardBrand::ALL
            .iter()
            .copied()
            .find(|brand| brand.code() == code)
    }

    /// American Express prints a 4-digit code on the front; the others a 3-digit one on the back.
    pub const fn cvc_digits(self) -> usize {
        match self {
            CardBrand::AmericanExpress => 4,
            _ => 3,
        }
    }

    /// The number lengths the network issues.
    fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            CardBrand::Mastercard => &[16],
            CardBrand::AmericanExpress => &[15],
            CardBrand::UnionPay | CardBrand::Jcb | CardBrand::Discover => &[16, 17, 18, 19],
        }
    }

    /// The brand from the leading digits (the IIN ranges the networks publish). Discover's range
    /// inside 622126–622925 is issued by UnionPay and is taken as UnionPay.
    fn detect(digits: &[u8]) -> Option<CardBrand> {
        let prefix = |length: usize| -> u32 {
            digits[..length]
                .iter()
                .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
        };
        let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
        match () {
            () if p2 == 34 || p2 == 37 => Some(CardBrand::AmericanExpress),
            () if (3528..=3589).contains(&p4) => Some(CardBrand::Jcb),
            () if p1 == 4 => Some(CardBrand::Visa),
            () if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => {
                Some(CardBrand::Mastercard)
            }
            () if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 => Some(CardBrand::Discover),
            () if p2 == 62 || p2 == 81 => Some(CardBrand::UnionPay),
            () => None,
        }
    }
}

impl fmt::Display for CardBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Why a typed card number is refused. No variant carries the number or any of its digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardNumberError {
    #[error("the card number is empty")]
    Empty,
    #[error("a card number has only digits, spaces and dashes")]
    InvalidCharacter,
    #[error(
        "a card number has {CARD_DIGITS_MIN} to {CARD_DIGITS_MAX} digits, as the card's network issues them"
    )]
    WrongLength,
    #[error("the card number's check digit is wrong; it was probably mistyped")]
    ChecksumFailed,
    #[error("cards of this network are not accepted")]
    BrandUnsupported,
}

impl CardNumberError {
    pub const fn code(self) -> &'static str {
        match self {
            CardNumberError::BrandUnsupported => "card_brand_unsupported",
            _ => "card_number_invalid",
        }
    }
}

/// A card number that passed the Luhn check and belongs to a network OKPay accepts.
pub struct CardNumber {
    digits: Vec<u8>,
    brand: CardBrand,
}

impl CardNumber {
    /// Accepts the digits with the spaces and dashes people type between groups.
    pub fn parse(input: &str) -> Result<CardNumber, CardNumberError> {
        if input.trim().is_empty() {
            return Err(CardNumberError::Empty);
        }
        if !input.is_ascii() {
            return Err(CardNumberError::InvalidCharacter);
        }
        if input.len() > CARD_INPUT_LENGTH_MAX {
            return Err(CardNumberError::WrongLength);
        }
        let mut digits = Vec::with_capacity(CARD_INPUT_LENGTH_MAX);
        for byte in input.trim().bytes() {
            match byte {
                b'0'..=b'9' => digits.push(byte),
                b' ' | b'-' => {}
                _ => {
                    overwrite(&mut digits);
                    return Err(CardNumberError::InvalidCharacter);
                }
            }
        }
        // Built at once so that its `Drop` overwrites the digits on every refusal below too.
        let mut number = CardNumber {
            digits,
            brand: CardBrand::Visa,
        };
        if !(CARD_DIGITS_MIN..=CARD_DIGITS_MAX).contains(&number.digits.len()) {
            return Err(CardNumberError::WrongLength);
        }
        let brand = CardBrand::detect(&number.digits).ok_or(CardNumberError::BrandUnsupported)?;
        if !brand.lengths().contains(&number.digits.len()) {
            return Err(CardNumberError::WrongLength);
        }
        if !luhn_valid(&number.digits) {
            return Err(CardNumberError::ChecksumFailed);
        }
        number.brand = brand;
        Ok(number)
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    /// The last four digits, which cards print and receipts show.
    pub fn last4(&self) -> String {
        let start = self.digits.len() - 4;
        String::from_utf8_lossy(&self.digits[start..]).into_owned()
    }

    /// The full number, digits only. Only a card processor's tokenize call may read it; nothing
    /// else needs it, and nothing may store or log it.
    pub fn reveal_for_tokenization(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("only ASCII digits are kept")
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} •••• {})", self.brand.code(), self.last4())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} •••• {}", self.brand.display_name(), self.last4())
    }
}

impl Drop for CardNumber {
    fn drop(&mut self) {
        overwrite(&mut self.digits);
    }
}

/// Zeroes secret bytes before their memory is freed, so a later bug that reads freed memory
/// (or a core dump) cannot show them. `black_box` keeps the compiler from dropping the writes.
fn overwrite(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(bytes);
}

/// The Luhn (mod 10) check every card number carries in its last digit.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Why an expiry month and year are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardExpiryError {
    #[error("the expiry month must be 1 to 12 and the year two or four digits")]
    Invalid,
    #[error("the card expired at the end of {month:02}/{year}")]
    Expired { month: u32, year: i32 },
    #[error("the expiry date is more than {EXPIRY_YEARS_AHEAD_MAX} years ahead")]
    TooFarAhead,
}

impl CardExpiryError {
    pub const fn code(self) -> &'static str {
        match self {
            CardExpiryError::Expired { .. } => "card_expired",
            _ => "card_expiry_invalid",
        }
    }
}

/// The month a card is valid through: until the last day of that month, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CardExpiry {
    month: u32,
    year: i32,
}

impl CardExpiry {
    /// `year` may be two digits (`27` is 2027) or four. Refused when the card has already expired
    /// on `today` (the user's local date) or the date is implausibly far ahead.
    pub fn parse(month: u32, year: u32, today: CivilDate) -> Result<CardExpiry, CardExpiryError> {
        let year = match year {
            0..=99 => 2000 + year as i32,
            2000..=2999 => year as i32,
            _ => return Err(CardExpiryError::Invalid),
        };
        if !(1..=12).contains(&month) {
            return Err(CardExpiryError::Invalid);
        }
        let expiry = CardExpiry { month, year };
        if expiry.is_expired_on(today) {
            return Err(CardExpiryError::Expired { month, year });
        }
        if year > today.year + EXPIRY_YEARS_AHEAD_MAX {
            return Err(CardExpiryError::TooFarAhead);
        }
        Ok(expiry)
    }

    /// A stored expiry read back without the date checks (it was checked when it was saved).
    pub fn from_stored(month: u32, year: i32) -> Option<CardExpiry> {
        ((1..=12).contains(&month) && (2000..=2999).contains(&year))
            .then_some(CardExpiry { month, year })
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// A card expires after the last day of its expiry month.
    pub fn is_expired_on(self, today: CivilDate) -> bool {
        (today.year, today.month) > (self.year, self.month)
    }
}

impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year % 100)
    }
}

/// Why a card security code is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the security code of this card is {digits} digits")]
pub struct CvcError {
    pub digits: usize,
}

impl CvcError {
    pub const fn code(self) -> &'static str {
        "card_cvc_invalid"
    }
}

/// The card security code (CVC/CVV). Never stored; readable only by the tokenize call.
pub struct Cvc(Vec<u8>);

impl Cvc {
    pub fn parse(input: &str, brand: CardBrand) -> Result<Cvc, CvcError> {
        let digits = brand.cvc_digits();
        let trimmed = input.trim();
        if trimmed.len() != digits || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CvcError { digits });
        }
        Ok(Cvc(trimmed.as_bytes().to_vec()))
    }

    /// The code, for a card processor's tokenize call only.
    pub fn reveal_for_tokenization(&self) -> &str {
        std::str::from_utf8(&self.0).expect("only ASCII digits are kept")
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(***)")
    }
}

impl Drop for Cvc {
    fn drop(&mut self) {
        overwrite(&mut self.0);
    }
}

/// Why a card holder's or account holder's name is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HolderNameError {
    #[error("the holder's name is empty")]
    Empty,
    #[error("the holder's name may have at most {HOLDER_NAME_LENGTH_MAX} characters")]
    TooLong,
    /// Digits are refused so that a card number pasted into the wrong field is never stored.
    #[error("the holder's name may not contain digits or control characters")]
    InvalidCharacter,
}

impl HolderNameError {
    pub const fn code(self) -> &'static str {
        "holder_name_invalid"
    }
}

/// The name on a card or bank account, in any script (张三, ZHANG SAN), spaces collapsed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HolderName(String);

impl HolderName {
    pub fn parse(input: &str) -> Result<HolderName, HolderNameError> {
        let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(HolderNameError::Empty);
        }
        if collapsed.chars().count() > HOLDER_NAME_LENGTH_MAX {
            return Err(HolderNameError::TooLong);
        }
        if collapsed.chars().any(|c| c.is_control() || c.is_numeric()) {
            return Err(HolderNameError::InvalidCharacter);
        }
        Ok(HolderName(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The processor's stand-in for a card: what OKPay stores and charges instead of the number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CardToken(String);

/// Text that cannot be a card token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a card token has 1 to {TOKEN_LENGTH_MAX} letters, digits, underscores or dashes")]
pub struct InvalidCardToken;

impl CardToken {
    pub fn parse(text: &str) -> Result<CardToken, InvalidCardToken> {
        let valid = !text.is_empty()
            && text.len() <= TOKEN_LENGTH_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        // A token that is all digits could be a card number handed back by a careless provider.
        let looks_like_a_number = text.bytes().all(|b| b.is_ascii_digit());
        if valid && !looks_like_a_number {
            Ok(CardToken(text.to_owned()))
        } else {
            Err(InvalidCardToken)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a card a user typed is refused; `param` names the field for the API's error shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error(transparent)]
    Number(#[from] CardNumberError),
    #[error(transparent)]
    Expiry(#[from] CardExpiryError),
    #[error(transparent)]
    Cvc(#[from] CvcError),
    #[error(transparent)]
    HolderName(#[from] HolderNameError),
}

impl CardError {
    pub const fn code(self) -> &'static str {
        match self {
            CardError::Number(error) => error.code(),
            CardError::Expiry(error) => error.code(),
            CardError::Cvc(error) => error.code(),
            CardError::HolderName(error) => error.code(),
        }
    }

    /// The request field at fault, named as in `POST /cards`.
    pub const fn param(self) -> &'static str {
        match self {
            CardError::Number(_) => "number",
            CardError::Expiry(CardExpiryError::Invalid) => "exp_month",
            CardError::Expiry(_) => "exp_year",
            CardError::Cvc(_) => "cvc",
            CardError::HolderName(_) => "holder_name",
        }
    }
}

/// A card as typed into `POST /cards`, before parsing.
#[derive(Clone, Copy)]
pub struct CardInput<'a> {
    pub number: &'a str,
    pub exp_month: u32,
    pub exp_year: u32,
    pub cvc: &'a str,
    pub holder_name: &'a str,
}

impl fmt::Debug for CardInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInput")
            .field("number", &"<redacted>")
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"<redacted>")
            .field("holder_name", &self.holder_name)
            .finish()
    }
}

/// A card ready for the processor's tokenize call: everything checked that can be checked
/// without asking the card's bank.
#[derive(Debug)]
pub struct CardDetails {
    pub number: CardNumber,
    pub expiry: CardExpiry,
    pub cvc: Cvc,
    pub holder_name: HolderName,
}

impl CardDetails {
    /// Checks every field; `today` is the user's local date, for the expiry.
    pub fn parse(input: CardInput<'_>, today: CivilDate) -> Result<CardDetails, CardError> {
        let number = CardNumber::parse(input.number)?;
        let expiry = CardExpiry::parse(input.exp_month, input.exp_year, today)?;
        let cvc = Cvc::parse(input.cvc, number.brand())?;
        let holder_name = HolderName::parse(input.holder_name)?;
        Ok(CardDetails {
            number,
            expiry,
            cvc,
            holder_name,
        })
    }

    /// What is kept once the processor has tokenized the card; the number and CVC are dropped.
    pub fn into_saved(self, token: CardToken) -> SavedCard {
        SavedCard {
            token,
            brand: self.number.brand(),
            last4: self.number.last4(),
            expiry: self.expiry,
            holder_name: self.holder_name.clone(),
        }
    }
}

/// A card as OKPay stores and shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedCard {
    pub token: CardToken,
    pub brand: CardBrand,
    pub last4: String,
    pub expiry: CardExpiry,
    pub holder_name: HolderName,
}

impl SavedCard {
    /// The card as a list shows it: `Visa •••• 4242`.
    pub fn label(&self) -> String {
        format!("{} •••• {}", self.brand.display_name(), self.last4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CivilDate {
        CivilDate::new(2027, 1, 15).expect("a real date")
    }

    #[test]
    fn numbers_of_every_network_parse_with_their_brand() {
        let cases = [
            ("4242 4242 4242 4242", CardBrand::Visa, "4242"),
            ("4222222222222", CardBrand::Visa, "2222"),
            ("5555-5555-5555-4444", CardBrand::Mastercard, "4444"),
            ("2223003122003222", CardBrand::Mastercard, "3222"),
            ("6200 0000 0000 0005", CardBrand::UnionPay, "0005"),
            ("6205500000000000004", CardBrand::UnionPay, "0004"),
            ("3782 822463 10005", CardBrand::AmericanExpress, "0005"),
            ("3714 496353 98431", CardBrand::AmericanExpress, "8431"),
            ("3566 0020 2036 0505", CardBrand::Jcb, "0505"),
            ("6011 1111 1111 1117", CardBrand::Discover, "1117"),
            ("6445644564456445", CardBrand::Discover, "6445"),
        ];
        for (text, brand, last4) in cases {
            let number = CardNumber::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(number.brand(), brand, "{text}");
            assert_eq!(number.last4(), last4);
            assert_eq!(
                number.reveal_for_tokenization(),
                text.replace([' ', '-'], "")
            );
        }
    }

    #[test]
    fn malformed_and_unsupported_numbers_are_refused_with_their_reason() {
        let cases = [
            ("", CardNumberError::Empty),
            ("   ", CardNumberError::Empty),
            ("4242 4242 4242 424x", CardNumberError::InvalidCharacter),
            ("4242.4242.4242.4242", CardNumberError::InvalidCharacter),
            (
                "４２４２４２４２４２４２４２４２",
                CardNumberError::InvalidCharacter,
            ),
            ("42424242424", CardNumberError::WrongLength),
            ("42424242424242424242", CardNumberError::WrongLength),
            ("424242424242424", CardNumberError::WrongLength),
            ("4242 4242 4242 4241", CardNumberError::ChecksumFailed),
            ("3000 0000 0000 04", CardNumberError::BrandUnsupported),
            ("9999 9999 9999 9995", CardNumberError::BrandUnsupported),
            (
                "4242 4242 4242 4242 4242 4242 4242 4242 4242",
                CardNumberError::WrongLength,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                CardNumber::parse(text).map(|_| ()),
                Err(expected),
                "{text:?}"
            );
        }
        assert_eq!(
            CardNumberError::ChecksumFailed.code(),
            "card_number_invalid"
        );
        assert_eq!(
            CardNumberError::BrandUnsupported.code(),
            "card_brand_unsupported"
        );
    }

    #[test]
    fn a_card_number_never_shows_itself_in_debug_display_or_errors() {
        let number = CardNumber::parse("4242424242424242").expect("valid");
        for shown in [format!("{number:?}"), number.to_string()] {
            assert!(!shown.contains("424242424242"), "{shown}");
            assert!(shown.contains("4242"));
        }
        let details = CardDetails::parse(
            CardInput {
                number: "4242424242424242",
                exp_month: 12,
                exp_year: 2030,
                cvc: "123",
                holder_name: "Zhang San",
            },
            today(),
        )
        .expect("valid");
        let shown = format!("{details:?}");
        assert!(
            !shown.contains("42424242") && !shown.contains("123"),
            "{shown}"
        );
        let input = CardInput {
            number: "4242424242424241",
            exp_month: 12,
            exp_year: 2030,
            cvc: "987",
            holder_name: "Zhang San",
        };
        assert!(!format!("{input:?}").contains("42424242"));
        let error = CardDetails::parse(input, today()).expect_err("bad checksum");
        assert!(!format!("{error} {error:?}").contains("4242"));
    }

    #[test]
    fn the_luhn_check_matches_known_numbers() {
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"79927398710"));
        assert!(!luhn_valid(b""));
        assert!(luhn_valid(b"0"));
    }

    #[test]
    fn expiry_is_valid_through_the_end_of_its_month() {
        let january_31 = CivilDate::new(2027, 1, 31).expect("real");
        let cases = [
            (1, 2027, today(), Ok(())),
            (1, 27, january_31, Ok(())),
            (
                12,
                2026,
                today(),
                Err(CardExpiryError::Expired {
                    month: 12,
                    year: 2026,
                }),
            ),
            (
                12,
                26,
                today(),
                Err(CardExpiryError::Expired {
                    month: 12,
                    year: 2026,
                }),
            ),
            (0, 2028, today(), Err(CardExpiryError::Invalid)),
            (13, 2028, today(), Err(CardExpiryError::Invalid)),
            (1, 202, today(), Err(CardExpiryError::Invalid)),
            (1, 2047, today(), Ok(())),
            (1, 2048, today(), Err(CardExpiryError::TooFarAhead)),
        ];
        for (month, year, on, expected) in cases {
            assert_eq!(
                CardExpiry::parse(month, year, on).map(|_| ()),
                expected,
                "{month}/{year} on {on}"
            );
        }
        let expiry = CardExpiry::parse(1, 2027, today()).expect("valid");
        assert!(!expiry.is_expired_on(january_31));
        assert!(expiry.is_expired_on(CivilDate::new(2027, 2, 1).expect("real")));
        assert_eq!(expiry.to_string(), "01/27");
        assert_eq!(
            CardExpiryError::Expired {
                month: 1,
                year: 2020
            }
            .code(),
            "card_expired"
        );
    }

    #[test]
    fn the_security_code_length_depends_on_the_brand() {
        assert!(Cvc::parse("123", CardBrand::Visa).is_ok());
        assert!(Cvc::parse(" 123 ", CardBrand::UnionPay).is_ok());
        assert_eq!(
            Cvc::parse("1234", CardBrand::Visa).map(|_| ()),
            Err(CvcError { digits: 3 })
        );
        assert!(Cvc::parse("1234", CardBrand::AmericanExpress).is_ok());
        assert_eq!(
            Cvc::parse("123", CardBrand::AmericanExpress).map(|_| ()),
            Err(CvcError { digits: 4 })
        );
        assert!(Cvc::parse("12a", CardBrand::Visa).is_err());
        assert_eq!(
            format!("{:?}", Cvc::parse("123", CardBrand::Visa).expect("ok")),
            "Cvc(***)"
        );
    }

    #[test]
    fn holder_names_keep_any_script_and_refuse_digits() {
        assert_eq!(
            HolderName::parse("  张三 ").map(|n| n.0),
            Ok("张三".to_owned())
        );
        assert_eq!(
            HolderName::parse("ZHANG   San").map(|n| n.0),
            Ok("ZHANG San".to_owned())
        );
        assert_eq!(HolderName::parse(""), Err(HolderNameError::Empty));
        assert_eq!(
            HolderName::parse("4242 4242 4242 4242"),
            Err(HolderNameError::InvalidCharacter)
        );
        assert_eq!(
            HolderName::parse("Zhang\u{7}"),
            Err(HolderNameError::InvalidCharacter)
        );
        assert_eq!(
            HolderName::parse(&"名".repeat(65)),
            Err(HolderNameError::TooLong)
        );
    }

    #[test]
    fn a_parsed_card_keeps_only_brand_last4_expiry_holder_and_token() {
        let details = CardDetails::parse(
            CardInput {
                number: "3782 822463 10005",
                exp_month: 3,
                exp_year: 29,
                cvc: "1234",
                holder_name: "Li Si",
            },
            today(),
        )
        .expect("valid");
        let token = CardToken::parse("tok_sim_success_1").expect("valid token");
        let saved = details.into_saved(token.clone());
        assert_eq!(saved.brand, CardBrand::AmericanExpress);
        assert_eq!(saved.last4, "0005");
        assert_eq!(saved.expiry.to_string(), "03/29");
        assert_eq!(saved.holder_name.as_str(), "Li Si");
        assert_eq!(saved.token, token);
        assert_eq!(saved.label(), "American Express •••• 0005");
    }

    #[test]
    fn each_bad_field_names_its_param_and_code() {
        let good = CardInput {
            number: "4242424242424242",
            exp_month: 12,
            exp_year: 2030,
            cvc: "123",
            holder_name: "Zhang San",
        };
        let cases = [
            (
                CardInput {
                    number: "1234",
                    ..good
                },
                "number",
                "card_number_invalid",
            ),
            (
                CardInput {
                    exp_month: 13,
                    ..good
                },
                "exp_month",
                "card_expiry_invalid",
            ),
            (
                CardInput {
                    exp_year: 2020,
                    ..good
                },
                "exp_year",
                "card_expired",
            ),
            (CardInput { cvc: "12", ..good }, "cvc", "card_cvc_invalid"),
            (
                CardInput {
                    holder_name: " ",
                    ..good
                },
                "holder_name",
                "holder_name_invalid",
            ),
        ];
        for (input, param, code) in cases {
            let error = CardDetails::parse(input, today()).expect_err("refused");
            assert_eq!((error.param(), error.code()), (param, code), "{error}");
        }
    }

    #[test]
    fn tokens_are_short_safe_text_and_never_a_bare_number() {
        assert!(CardToken::parse("tok_sim_success_0192ab").is_ok());
        assert!(CardToken::parse("").is_err());
        assert!(CardToken::parse("4242424242424242").is_err());
        assert!(CardToken::parse("tok with space").is_err());
        assert!(CardToken::parse(&"t".repeat(129)).is_err());
    }
}
