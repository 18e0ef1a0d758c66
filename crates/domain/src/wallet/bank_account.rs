//! Bank accounts users withdraw to: the number checked just enough to catch typing mistakes, and
//! shown masked (`•••• 6789`) everywhere except to the bank rail.
//!
//! Two forms are accepted, deliberately simple:
//! - **IBAN** (Europe and many other countries): two letters, two check digits and 11–30 letters or
//!   digits (15–34 in all), spaces allowed between groups, passing the ISO 13616 mod-97 check. The
//!   per-country length table is not applied: the bank rail refuses an IBAN its country does not
//!   issue.
//! - **Chinese domestic accounts** (银行卡号/账号): 16 to 19 digits, spaces or dashes allowed between
//!   groups. No check digit is required, because not every Chinese account number carries one.
//!
//! Anything else (US routing + account, SWIFT-only accounts) is refused for now.

use std::fmt;

use ledger::Currency;

use crate::wallet::card::HolderName;

const IBAN_LENGTH_MIN: usize = 15;
const IBAN_LENGTH_MAX: usize = 34;
const CHINA_DIGITS_MIN: usize = 16;
const CHINA_DIGITS_MAX: usize = 19;
const ACCOUNT_INPUT_LENGTH_MAX: usize = 64;
const BANK_NAME_LENGTH_MAX: usize = 64;

/// Which numbering a bank account uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BankAccountScheme {
    Iban,
    ChinaDomestic,
}

impl BankAccountScheme {
    pub const fn code(self) -> &'static str {
        match self {
            BankAccountScheme::Iban => "iban",
            BankAccountScheme::ChinaDomestic => "cn_domestic",
        }
    }
}

/// Why a bank account number is refused. No variant carries the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountNumberError {
    #[error("the account number is empty")]
    Empty,
    #[error("an account number is an IBAN or 16 to 19 digits")]
    Unrecognized,
    #[error("the IBAN's check digits are wrong; it was probably mistyped")]
    IbanChecksumFailed,
}

impl BankAccountNumberError {
    pub const fn code(self) -> &'static str {
        "bank_account_number_invalid"
    }
}

/// A bank account number in its normal form: no spaces or dashes, IBAN letters upper case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BankAccountNumber {
    normal: String,
    scheme: BankAccountScheme,
}

impl BankAccountNumber {
    pub fn parse(input: &str) -> Result<BankAccountNumber, BankAccountNumberError> {
        if input.trim().is_empty() {
            return Err(BankAccountNumberError::Empty);
        }
        if input.len() > ACCOUNT_INPUT_LENGTH_MAX || !input.is_ascii() {
            return Err(BankAccountNumberError::Unrecognized);
        }
        let normal: String = input
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = normal.as_bytes();
        let is_iban_shaped = bytes.len() >= 4
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes.iter().all(u8::is_ascii_alphanumeric);
        if is_iban_shaped {
            if !(IBAN_LENGTH_MIN..=IBAN_LENGTH_MAX).contains(&bytes.len()) {
                return Err(BankAccountNumberError::Unrecognized);
            }
            if iban_remainder(bytes) != 1 {
                return Err(BankAccountNumberError::IbanChecksumFailed);
            }
            return Ok(BankAccountNumber {
                normal,
                scheme: BankAccountScheme::Iban,
            });
        }
        let china_shaped = (CHINA_DIGITS_MIN..=CHINA_DIGITS_MAX).contains(&bytes.len())
            && bytes.iter().all(u8::is_ascii_digit);
        if china_shaped {
            return Ok(BankAccountNumber {
                normal,
                scheme: BankAccountScheme::ChinaDomestic,
            });
        }
        Err(BankAccountNumberError::Unrecognized)
    }

    pub fn scheme(&self) -> BankAccountScheme {
        self.scheme
    }

    /// The normal form, for storage and for the bank rail; never for display.
    pub fn as_str(&self) -> &str {
        &self.normal
    }

    pub fn last4(&self) -> &str {
        &self.normal[self.normal.len() - 4..]
    }

    /// The number as pages and e-mails show it: `•••• 6789`.
    pub fn masked(&self) -> String {
        format!("•••• {}", self.last4())
    }
}

/// ISO 13616: move the first four characters to the end, read letters as 10–35, take mod 97.
fn iban_remainder(bytes: &[u8]) -> u32 {
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    rearranged.fold(0_u32, |remainder, byte| {
        let value = if byte.is_ascii_digit() {
            u32::from(byte - b'0')
        } else {
            u32::from(byte - b'A') + 10
        };
        if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        }
    })
}

impl fmt::Debug for BankAccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BankAccountNumber({} {})",
            self.scheme.code(),
            self.masked()
        )
    }
}

impl fmt::Display for BankAccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Why a bank account a user typed is refused; `param` names the field of `POST /bank-accounts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    #[error("the bank's name is empty or longer than {BANK_NAME_LENGTH_MAX} characters")]
    BankNameInvalid,
    #[error(transparent)]
    Number(#[from] BankAccountNumberError),
    #[error(transparent)]
    HolderName(#[from] crate::wallet::card::HolderNameError),
}

impl BankAccountError {
    pub const fn code(self) -> &'static str {
        match self {
            BankAccountError::BankNameInvalid => "bank_name_invalid",
            BankAccountError::Number(error) => error.code(),
            BankAccountError::HolderName(error) => error.code(),
        }
    }

    pub const fn param(self) -> &'static str {
        match self {
            BankAccountError::BankNameInvalid => "bank_name",
            BankAccountError::Number(_) => "account_number",
            BankAccountError::HolderName(_) => "holder_name",
        }
    }
}

/// A bank account a user may withdraw to, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    pub bank_name: String,
    pub number: BankAccountNumber,
    pub holder_name: HolderName,
    pub currency: Currency,
}

impl BankAccount {
    pub fn parse(
        bank_name: &str,
        account_number: &str,
        holder_name: &str,
        currency: Currency,
    ) -> Result<BankAccount, BankAccountError> {
        let bank_name = bank_name.split_whitespace().collect::<Vec<_>>().join(" ");
        if bank_name.is_empty()
            || bank_name.chars().count() > BANK_NAME_LENGTH_MAX
            || bank_name.chars().any(char::is_control)
        {
            return Err(BankAccountError::BankNameInvalid);
        }
        Ok(BankAccount {
            bank_name,
            number: BankAccountNumber::parse(account_number)?,
            holder_name: HolderName::parse(holder_name)?,
            currency,
        })
    }

    /// The account as a list shows it: `招商银行 •••• 6789`.
    pub fn label(&self) -> String {
        format!("{} {}", self.bank_name, self.number.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_and_chinese_account_numbers_parse_to_one_normal_form() {
        let cases = [
            (
                "GB82 WEST 1234 5698 7654 32",
                "GB82WEST12345698765432",
                BankAccountScheme::Iban,
            ),
            (
                "gb82west12345698765432",
                "GB82WEST12345698765432",
                BankAccountScheme::Iban,
            ),
            (
                "DE89 3704 0044 0532 0130 00",
                "DE89370400440532013000",
                BankAccountScheme::Iban,
            ),
            (
                "NO93 8601 1117 947",
                "NO9386011117947",
                BankAccountScheme::Iban,
            ),
            (
                "6222 0212 3456 7890",
                "6222021234567890",
                BankAccountScheme::ChinaDomestic,
            ),
            (
                "6217-0000-1000-0123-456",
                "6217000010000123456",
                BankAccountScheme::ChinaDomestic,
            ),
        ];
        for (text, normal, scheme) in cases {
            let number = BankAccountNumber::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(number.as_str(), normal);
            assert_eq!(number.scheme(), scheme);
        }
    }

    #[test]
    fn mistyped_and_unknown_account_numbers_are_refused() {
        let cases = [
            ("", BankAccountNumberError::Empty),
            (
                "GB82 WEST 1234 5698 7654 33",
                BankAccountNumberError::IbanChecksumFailed,
            ),
            ("GB82 WEST", BankAccountNumberError::Unrecognized),
            ("622202123456789", BankAccountNumberError::Unrecognized),
            ("62220212345678901234", BankAccountNumberError::Unrecognized),
            ("6222 0212 3456 789x", BankAccountNumberError::Unrecognized),
            (
                "６２２２０２１２３４５６７８９０",
                BankAccountNumberError::Unrecognized,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                BankAccountNumber::parse(text).map(|_| ()),
                Err(expected),
                "{text:?}"
            );
        }
    }

    #[test]
    fn an_account_number_is_shown_masked_in_debug_and_display() {
        let number = BankAccountNumber::parse("6222 0212 3456 6789").expect("valid");
        assert_eq!(number.masked(), "•••• 6789");
        assert_eq!(number.to_string(), "•••• 6789");
        assert!(!format!("{number:?}").contains("62220212"));
        let account = BankAccount::parse(" 招商银行 ", "6222021234566789", "张三", Currency::Cny)
            .expect("valid");
        assert_eq!(account.label(), "招商银行 •••• 6789");
        assert!(!format!("{account:?}").contains("62220212"));
    }

    #[test]
    fn each_bad_bank_account_field_names_its_param() {
        let error = BankAccount::parse("", "6222021234566789", "张三", Currency::Cny)
            .expect_err("no bank name");
        assert_eq!(
            (error.param(), error.code()),
            ("bank_name", "bank_name_invalid")
        );
        let error = BankAccount::parse("ICBC", "123", "张三", Currency::Cny).expect_err("short");
        assert_eq!(
            (error.param(), error.code()),
            ("account_number", "bank_account_number_invalid")
        );
        let error = BankAccount::parse("ICBC", "6222021234566789", "", Currency::Cny)
            .expect_err("no holder");
        assert_eq!(error.param(), "holder_name");
    }
}
