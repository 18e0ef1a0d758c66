//! E-mail addresses and mobile numbers people sign in with, parsed into one normal form each.

use std::fmt;

/// The longest address SMTP can carry (RFC 5321 path limit less the angle brackets).
const EMAIL_LENGTH_MAX: usize = 254;
/// The longest local part RFC 5321 allows.
const EMAIL_LOCAL_PART_LENGTH_MAX: usize = 64;
/// The longest DNS label.
const DOMAIN_LABEL_LENGTH_MAX: usize = 63;
/// E.164 allows at most 15 digits; fewer than 8 is no real subscriber number anywhere we serve.
const PHONE_DIGITS_MIN: usize = 8;
const PHONE_DIGITS_MAX: usize = 15;
const CHINA_COUNTRY_CODE: &str = "86";

/// An e-mail address, trimmed and lower-cased so one mailbox has exactly one spelling for lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// Why text is not an e-mail address we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("the e-mail address is empty")]
    Empty,
    #[error("the e-mail address is longer than {length_max} characters")]
    TooLong { length_max: usize },
    #[error("the e-mail address contains spaces or control characters")]
    ContainsSpace,
    #[error("the e-mail address needs exactly one @")]
    NotOneAtSign,
    #[error("the part before the @ is empty")]
    LocalPartEmpty,
    #[error("the part before the @ is longer than {length_max} characters")]
    LocalPartTooLong { length_max: usize },
    #[error("the part after the @ is not a domain name")]
    DomainInvalid,
}

impl InvalidEmail {
    /// A stable reason code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "email_empty",
            Self::TooLong { .. } => "email_too_long",
            Self::ContainsSpace => "email_contains_space",
            Self::NotOneAtSign => "email_not_one_at_sign",
            Self::LocalPartEmpty => "email_local_part_empty",
            Self::LocalPartTooLong { .. } => "email_local_part_too_long",
            Self::DomainInvalid => "email_domain_invalid",
        }
    }
}

impl EmailAddress {
    /// Accepts what a person means as an address and refuses what no mail server would deliver.
    /// Deliberately not the full RFC 5322 grammar: the one-time code sent to the address is the
    /// real proof that it works.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidEmail::Empty);
        }
        if trimmed.chars().count() > EMAIL_LENGTH_MAX {
            return Err(InvalidEmail::TooLong {
                length_max: EMAIL_LENGTH_MAX,
            });
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail::ContainsSpace);
        }
        let mut parts = trimmed.split('@');
        let (Some(local_part), Some(domain), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidEmail::NotOneAtSign);
        };
        if local_part.is_empty() {
            return Err(InvalidEmail::LocalPartEmpty);
        }
        if local_part.chars().count() > EMAIL_LOCAL_PART_LENGTH_MAX {
            return Err(InvalidEmail::LocalPartTooLong {
                length_max: EMAIL_LOCAL_PART_LENGTH_MAX,
            });
        }
        if !is_domain_name(domain) {
            return Err(InvalidEmail::DomainInvalid);
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The normal, lower-case form: the key for lookups and uniqueness.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    /// The address as shown to someone who may not own it: the first character, then a fixed
    /// `***` so the length of the local part is not given away either.
    pub fn masked(&self) -> String {
        let first = self.local_part().chars().next().unwrap_or('*');
        format!("{first}***@{}", self.domain())
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Internationalized domains must arrive in their ASCII (punycode) form, which is what browsers
/// submit from an `type="email"` field.
fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_valid = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= DOMAIN_LABEL_LENGTH_MAX
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    // An all-digit last label is an IP address, not a mail domain.
    let top_level_named = labels
        .last()
        .is_some_and(|top| !top.chars().all(|c| c.is_ascii_digit()));
    labels_valid && top_level_named
}

/// A phone number in E.164 form (`+8613800138000`): one spelling however it was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// Why text is not a phone number we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPhone {
    #[error("the phone number is empty")]
    Empty,
    #[error("the phone number contains something other than digits")]
    UnexpectedCharacter,
    #[error("the phone number needs a country code such as +86")]
    MissingCountryCode,
    #[error("a country code never starts with 0")]
    CountryCodeInvalid,
    #[error("a +86 number must be an 11-digit mainland mobile number")]
    NotChinaMobile,
    #[error("a phone number has {digits_min} to {digits_max} digits")]
    WrongLength {
        digits_min: usize,
        digits_max: usize,
    },
}

impl InvalidPhone {
    /// A stable reason code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "phone_empty",
            Self::UnexpectedCharacter => "phone_unexpected_character",
            Self::MissingCountryCode => "phone_missing_country_code",
            Self::CountryCodeInvalid => "phone_country_code_invalid",
            Self::NotChinaMobile => "phone_not_china_mobile",
            Self::WrongLength { .. } => "phone_wrong_length",
        }
    }
}

impl PhoneNumber {
    /// Accepts the ways people write numbers (`+86 138-0013-8000`, `0086…`, `(+86) …`, a bare
    /// mainland mobile) and returns E.164. Mainland numbers must be mobiles, because the codes we
    /// send travel by SMS.
    pub fn parse(input: &str) -> Result<Self, InvalidPhone> {
        let compact: String = input
            .chars()
            .filter_map(fold_full_width)
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')))
            .collect();
        if compact.is_empty() {
            return Err(InvalidPhone::Empty);
        }
        let international = match compact.strip_prefix("00") {
            Some(rest) => Some(rest),
            None => compact.strip_prefix('+'),
        };
        let digits = international.unwrap_or(&compact);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidPhone::UnexpectedCharacter);
        }
        let Some(digits) = international else {
            return if is_china_mobile(digits) {
                Ok(Self(format!("+{CHINA_COUNTRY_CODE}{digits}")))
            } else {
                Err(InvalidPhone::MissingCountryCode)
            };
        };
        if digits.starts_with('0') {
            return Err(InvalidPhone::CountryCodeInvalid);
        }
        if let Some(national) = digits.strip_prefix(CHINA_COUNTRY_CODE) {
            if !is_china_mobile(national) {
                return Err(InvalidPhone::NotChinaMobile);
            }
        } else if !(PHONE_DIGITS_MIN..=PHONE_DIGITS_MAX).contains(&digits.len()) {
            return Err(InvalidPhone::WrongLength {
                digits_min: PHONE_DIGITS_MIN,
                digits_max: PHONE_DIGITS_MAX,
            });
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The E.164 form, `+` and digits: the key for lookups and uniqueness.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The number as shown to someone who may not own it. Mainland mobiles keep the familiar
    /// `138****8000` shape; other numbers show the first two and last four digits, since we do not
    /// know where their country code ends.
    pub fn masked(&self) -> String {
        let digits = self.digits();
        if let Some(national) = digits.strip_prefix(CHINA_COUNTRY_CODE) {
            return format!(
                "+{CHINA_COUNTRY_CODE} {}****{}",
                &national[..3],
                &national[7..]
            );
        }
        let hidden = digits.len() - 6;
        format!(
            "+{}{}{}",
            &digits[..2],
            "*".repeat(hidden),
            &digits[digits.len() - 4..]
        )
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Chinese input methods often type full-width digits and signs; read them as their ASCII twins.
fn fold_full_width(c: char) -> Option<char> {
    Some(match c {
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0'))?,
        '＋' => '+',
        '（' => '(',
        '）' => ')',
        '－' => '-',
        other => other,
    })
}

/// Mainland mobile numbers are 11 digits starting 13 to 19.
fn is_china_mobile(national: &str) -> bool {
    let bytes = national.as_bytes();
    bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
}

/// What a person types in the sign-in box: an e-mail address or a phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Login {
    Email(EmailAddress),
    Phone(PhoneNumber),
}

/// Why the sign-in box holds neither an e-mail address nor a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLogin {
    #[error(transparent)]
    Email(#[from] InvalidEmail),
    #[error(transparent)]
    Phone(#[from] InvalidPhone),
}

impl InvalidLogin {
    /// The stable reason code of the underlying refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Email(refusal) => refusal.code(),
            Self::Phone(refusal) => refusal.code(),
        }
    }
}

impl Login {
    /// Anything with an `@` is meant as an e-mail address; everything else as a phone number.
    pub fn parse(input: &str) -> Result<Self, InvalidLogin> {
        if input.contains('@') {
            Ok(Self::Email(EmailAddress::parse(input)?))
        } else {
            Ok(Self::Phone(PhoneNumber::parse(input)?))
        }
    }

    /// The normal form used for lookups.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Phone(phone) => phone.as_str(),
        }
    }

    /// The form shown to someone who may not own the address.
    pub fn masked(&self) -> String {
        match self {
            Self::Email(email) => email.masked(),
            Self::Phone(phone) => phone.masked(),
        }
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_trimmed_and_lower_cased() {
        let cases = [
            ("  Li.Wei@Example.COM ", "li.wei@example.com"),
            ("a@b.co", "a@b.co"),
            ("user+pay@mail.example.cn", "user+pay@mail.example.cn"),
            ("x@xn--fiqs8s.xn--fiqz9s", "x@xn--fiqs8s.xn--fiqz9s"),
        ];
        for (input, expected) in cases {
            let parsed = EmailAddress::parse(input).unwrap();
            assert_eq!(parsed.as_str(), expected, "{input}");
        }
    }

    #[test]
    fn malformed_email_addresses_are_refused_with_their_reason() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_address = format!("a@{}.com", "b".repeat(250));
        let cases: [(&str, InvalidEmail); 14] = [
            ("", InvalidEmail::Empty),
            ("   ", InvalidEmail::Empty),
            ("no-at-sign.example.com", InvalidEmail::NotOneAtSign),
            ("a@b@example.com", InvalidEmail::NotOneAtSign),
            ("@example.com", InvalidEmail::LocalPartEmpty),
            (
                &long_local,
                InvalidEmail::LocalPartTooLong { length_max: 64 },
            ),
            (&long_address, InvalidEmail::TooLong { length_max: 254 }),
            ("li wei@example.com", InvalidEmail::ContainsSpace),
            ("a@localhost", InvalidEmail::DomainInvalid),
            ("a@example..com", InvalidEmail::DomainInvalid),
            ("a@-example.com", InvalidEmail::DomainInvalid),
            ("a@example-.com", InvalidEmail::DomainInvalid),
            ("a@exa_mple.com", InvalidEmail::DomainInvalid),
            ("a@127.0.0.1", InvalidEmail::DomainInvalid),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "{input}");
        }
        assert_eq!(InvalidEmail::NotOneAtSign.code(), "email_not_one_at_sign");
    }

    #[test]
    fn the_ways_people_write_a_mainland_mobile_all_become_one_e164_number() {
        let cases = [
            "+86 138-0013-8000",
            "13800138000",
            "0086 13800138000",
            "(+86) 138 0013 8000",
            "138.0013.8000",
            "＋８６ １３８００１３８０００",
        ];
        for input in cases {
            let parsed = PhoneNumber::parse(input).unwrap();
            assert_eq!(parsed.as_str(), "+8613800138000", "{input}");
        }
    }

    #[test]
    fn numbers_from_other_countries_keep_their_country_code() {
        let cases = [
            ("+1 415 555 0100", "+14155550100"),
            ("0044 20 7946 0018", "+442079460018"),
            ("+852 9123 4567", "+85291234567"),
        ];
        for (input, expected) in cases {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn junk_phone_numbers_are_refused_with_their_reason() {
        let cases = [
            ("", InvalidPhone::Empty),
            (" - ", InvalidPhone::Empty),
            ("+", InvalidPhone::UnexpectedCharacter),
            ("call me", InvalidPhone::UnexpectedCharacter),
            ("+86 138 0013 800x", InvalidPhone::UnexpectedCharacter),
            ("1380013800", InvalidPhone::MissingCountryCode),
            ("12800138000", InvalidPhone::MissingCountryCode),
            ("4155550100", InvalidPhone::MissingCountryCode),
            ("+86 010 1234 5678", InvalidPhone::NotChinaMobile),
            ("+86 1380013800", InvalidPhone::NotChinaMobile),
            ("+86 12800138000", InvalidPhone::NotChinaMobile),
            ("+0 123 4567 89", InvalidPhone::CountryCodeInvalid),
            (
                "+1 555 01",
                InvalidPhone::WrongLength {
                    digits_min: 8,
                    digits_max: 15,
                },
            ),
            (
                "+1 234 567 890 123 456",
                InvalidPhone::WrongLength {
                    digits_min: 8,
                    digits_max: 15,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(PhoneNumber::parse(input), Err(expected), "{input}");
        }
        assert_eq!(
            InvalidPhone::NotChinaMobile.code(),
            "phone_not_china_mobile"
        );
    }

    #[test]
    fn a_login_with_an_at_sign_is_an_email_and_anything_else_a_phone() {
        assert!(matches!(
            Login::parse("Li@Example.com"),
            Ok(Login::Email(email)) if email.as_str() == "li@example.com"
        ));
        assert!(matches!(
            Login::parse("138 0013 8000"),
            Ok(Login::Phone(phone)) if phone.as_str() == "+8613800138000"
        ));
        let refusal = Login::parse("li@").unwrap_err();
        assert_eq!(refusal.code(), "email_domain_invalid");
        let refusal = Login::parse("li").unwrap_err();
        assert_eq!(refusal.code(), "phone_unexpected_character");
    }

    #[test]
    fn masked_addresses_hide_all_but_a_recognizable_hint() {
        let cases = [
            ("alice@example.com", "a***@example.com"),
            ("b@example.com", "b***@example.com"),
            ("+86 138 0013 8000", "+86 138****8000"),
            ("+1 415 555 0100", "+14*****0100"),
        ];
        for (input, expected) in cases {
            assert_eq!(Login::parse(input).unwrap().masked(), expected, "{input}");
        }
    }
}
