//! Six-digit one-time codes sent by e-mail or SMS, kept only as keyed digests and checked with limits.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::identity::UnixSeconds;

type HmacSha256 = Hmac<Sha256>;

const CODE_DIGITS: usize = 6;
const CODE_SPACE: u32 = 1_000_000;
const DIGEST_BYTES: usize = 32;

/// What a code was sent for; a code sent for one purpose never passes for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    VerifyAddress,
    PasswordReset,
    StepUp,
    StaffSetup,
    /// "My account was stolen": proves the reporter holds the address before the freeze.
    AccountStolen,
    /// A two-factor recovery code (kept as a digest like the others, but never sent).
    RecoveryCode,
    /// An unlock appeal from someone who cannot sign in: proves they hold the address.
    Appeal,
}

impl CodePurpose {
    /// A stable name, also mixed into the digest.
    pub fn code(&self) -> &'static str {
        match self {
            Self::VerifyAddress => "verify_address",
            Self::PasswordReset => "password_reset",
            Self::StepUp => "step_up",
            Self::StaffSetup => "staff_setup",
            Self::AccountStolen => "account_stolen",
            Self::RecoveryCode => "recovery_code",
            Self::Appeal => "appeal",
        }
    }
}

/// A freshly drawn code, to be sent once and then forgotten.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// Six decimal digits from the thread's CSPRNG, zero-padded so every code is equally likely.
    pub fn generate() -> Self {
        let number = rand::rng().random_range(0..CODE_SPACE);
        Self(format!("{number:0width$}", width = CODE_DIGITS))
    }

    /// The digits, for the message that carries them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form to store: nothing in the database lets anyone recover the code.
    pub fn digest(&self, server_key: &[u8], purpose: CodePurpose, subject: &str) -> CodeDigest {
        CodeDigest(
            mac(server_key, purpose, subject, &self.0)
                .finalize()
                .into_bytes()
                .into(),
        )
    }
}

/// Codes stay out of logs even when a struct holding one is debug-printed.
impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(******)")
    }
}

/// HMAC-SHA256 over `purpose:subject:code` under a server key. Binding the purpose and subject
/// means a stored row copied to another account or flow never matches. The split is unambiguous
/// because purposes hold no `:` and the code is the last six characters.
fn mac(server_key: &[u8], purpose: CodePurpose, subject: &str, code: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(server_key).expect("HMAC accepts keys of any length");
    mac.update(purpose.code().as_bytes());
    mac.update(b":");
    mac.update(subject.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    mac
}

/// The keyed digest of a code, stored instead of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDigest([u8; DIGEST_BYTES]);

/// Stored text that is not a code digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a code digest is 64 hexadecimal characters")]
pub struct MalformedCodeDigest;

impl MalformedCodeDigest {
    /// A stable reason code.
    pub fn code(&self) -> &'static str {
        "code_digest_malformed"
    }
}

impl CodeDigest {
    /// The digest of any secret text bound to a purpose and subject, e.g. a recovery code.
    pub fn of(server_key: &[u8], purpose: CodePurpose, subject: &str, text: &str) -> Self {
        Self(
            mac(server_key, purpose, subject, text)
                .finalize()
                .into_bytes()
                .into(),
        )
    }

    /// Reads the lower-case hex form written by [`CodeDigest::to_hex`].
    pub fn from_hex(hex: &str) -> Result<Self, MalformedCodeDigest> {
        let hex = hex.as_bytes();
        if hex.len() != DIGEST_BYTES * 2 {
            return Err(MalformedCodeDigest);
        }
        let mut bytes = [0_u8; DIGEST_BYTES];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or(MalformedCodeDigest)?;
            let low = hex_value(pair[1]).ok_or(MalformedCodeDigest)?;
            *byte = (high << 4) | low;
        }
        Ok(Self(bytes))
    }

    /// The lower-case hex form, for storage.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Whether `candidate` is the code this digest was made from, compared in constant time so
    /// response timing tells a guesser nothing about how close a guess was.
    pub fn matches(
        &self,
        server_key: &[u8],
        purpose: CodePurpose,
        subject: &str,
        candidate: &str,
    ) -> bool {
        let candidate = normalize_candidate(candidate);
        mac(server_key, purpose, subject, &candidate)
            .verify_slice(&self.0)
            .is_ok()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// People paste codes with spaces around them, and Chinese input methods type full-width digits.
fn normalize_candidate(candidate: &str) -> String {
    candidate
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            other => other,
        })
        .collect()
}

/// A code as the caller stores it between sending and checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub digest: CodeDigest,
    pub purpose: CodePurpose,
    /// Who the code was sent to or for: a normalized address or a user id.
    pub subject: String,
    pub issued_at: UnixSeconds,
    /// Wrong candidates so far.
    pub attempts: u32,
}

/// How long a code lives and how many guesses it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    pub lifetime_s: i64,
    /// With a million codes, five guesses give an attacker a 1-in-200,000 chance per code.
    pub attempts_max: u32,
}

impl Default for CodePolicy {
    fn default() -> Self {
        Self {
            lifetime_s: 600,
            attempts_max: 5,
        }
    }
}

/// Why a candidate code does not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    #[error("the code has expired; ask for a new one")]
    Expired,
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    #[error("the code is wrong; {attempts_left} attempts left")]
    Wrong { attempts_left: u32 },
}

impl CodeRefusal {
    /// A stable reason code the web layer localizes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired => "code_expired",
            Self::TooManyAttempts => "code_too_many_attempts",
            Self::Wrong { .. } => "code_wrong",
        }
    }
}

impl CodePolicy {
    /// Draws a code for `subject` and the row to store; the code goes to the person, the row to
    /// the database.
    pub fn issue(
        &self,
        server_key: &[u8],
        purpose: CodePurpose,
        subject: &str,
        now: UnixSeconds,
    ) -> (OneTimeCode, StoredCode) {
        let code = OneTimeCode::generate();
        let stored = StoredCode {
            digest: code.digest(server_key, purpose, subject),
            purpose,
            subject: subject.to_owned(),
            issued_at: now,
            attempts: 0,
        };
        (code, stored)
    }

    /// Checks a candidate against a stored code. Expiry and the attempt limit are decided before
    /// the comparison, so a spent code answers the same whatever is guessed. On `Wrong` the
    /// caller stores `attempts + 1`.
    pub fn check(
        &self,
        server_key: &[u8],
        stored: &StoredCode,
        candidate: &str,
        now: UnixSeconds,
    ) -> Result<(), CodeRefusal> {
        if now >= stored.issued_at.saturating_add(self.lifetime_s) {
            return Err(CodeRefusal::Expired);
        }
        if stored.attempts >= self.attempts_max {
            return Err(CodeRefusal::TooManyAttempts);
        }
        if stored
            .digest
            .matches(server_key, stored.purpose, &stored.subject, candidate)
        {
            return Ok(());
        }
        Err(CodeRefusal::Wrong {
            attempts_left: self.attempts_max - stored.attempts - 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test server key, 32 bytes long!!";
    const NOW: UnixSeconds = 1_800_000_000;
    const SUBJECT: &str = "+8613800138000";

    fn stored_code(code: &str, attempts: u32) -> StoredCode {
        StoredCode {
            digest: OneTimeCode(code.to_owned()).digest(KEY, CodePurpose::PasswordReset, SUBJECT),
            purpose: CodePurpose::PasswordReset,
            subject: SUBJECT.to_owned(),
            issued_at: NOW,
            attempts,
        }
    }

    #[test]
    fn generated_codes_are_six_digits_and_vary() {
        let codes: Vec<OneTimeCode> = (0..200).map(|_| OneTimeCode::generate()).collect();
        for code in &codes {
            assert_eq!(code.as_str().len(), 6);
            assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
        let distinct: std::collections::HashSet<&str> =
            codes.iter().map(OneTimeCode::as_str).collect();
        assert!(distinct.len() > 190, "{} distinct of 200", distinct.len());
    }

    #[test]
    fn a_code_never_shows_in_debug_output() {
        let code = OneTimeCode("042042".to_owned());
        assert!(!format!("{code:?}").contains("042042"));
    }

    #[test]
    fn the_digest_is_hmac_sha256_of_purpose_subject_and_code() {
        let digest = OneTimeCode("000123".to_owned()).digest(KEY, CodePurpose::StepUp, "usr_1");
        // HMAC-SHA256(KEY, "step_up:usr_1:000123"), computed independently with openssl.
        assert_eq!(
            digest.to_hex(),
            "8b4f303eac4684e2c118a2ab6398a6deac42587dfbd639e7c282d32edb16d1ff"
        );
        assert_eq!(CodeDigest::from_hex(&digest.to_hex()), Ok(digest));
    }

    #[test]
    fn a_digest_matches_only_its_own_code_purpose_and_subject() {
        let digest =
            OneTimeCode("123456".to_owned()).digest(KEY, CodePurpose::VerifyAddress, "a@b.co");
        let cases = [
            (KEY, CodePurpose::VerifyAddress, "a@b.co", "123456", true),
            (KEY, CodePurpose::VerifyAddress, "a@b.co", " 123456 ", true),
            (
                KEY,
                CodePurpose::VerifyAddress,
                "a@b.co",
                "１２３４５６",
                true,
            ),
            (KEY, CodePurpose::VerifyAddress, "a@b.co", "123457", false),
            (KEY, CodePurpose::VerifyAddress, "a@b.co", "", false),
            (KEY, CodePurpose::PasswordReset, "a@b.co", "123456", false),
            (KEY, CodePurpose::VerifyAddress, "c@d.co", "123456", false),
            (
                b"another key".as_slice(),
                CodePurpose::VerifyAddress,
                "a@b.co",
                "123456",
                false,
            ),
        ];
        for (key, purpose, subject, candidate, expected) in cases {
            assert_eq!(
                digest.matches(key, purpose, subject, candidate),
                expected,
                "{purpose:?} {subject} {candidate}"
            );
        }
    }

    #[test]
    fn malformed_stored_digests_are_refused() {
        for text in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65)] {
            assert_eq!(
                CodeDigest::from_hex(text),
                Err(MalformedCodeDigest),
                "{text}"
            );
        }
    }

    #[test]
    fn check_refuses_expired_spent_and_wrong_codes() {
        let policy = CodePolicy::default();
        let cases = [
            (stored_code("654321", 0), "654321", NOW, Ok(())),
            (stored_code("654321", 4), "654321", NOW + 599, Ok(())),
            (
                stored_code("654321", 0),
                "654321",
                NOW + 600,
                Err(CodeRefusal::Expired),
            ),
            (
                stored_code("654321", 0),
                "000000",
                NOW + 600,
                Err(CodeRefusal::Expired),
            ),
            (
                stored_code("654321", 5),
                "654321",
                NOW,
                Err(CodeRefusal::TooManyAttempts),
            ),
            (
                stored_code("654321", 0),
                "654320",
                NOW,
                Err(CodeRefusal::Wrong { attempts_left: 4 }),
            ),
            (
                stored_code("654321", 4),
                "654320",
                NOW,
                Err(CodeRefusal::Wrong { attempts_left: 0 }),
            ),
        ];
        for (stored, candidate, now, expected) in cases {
            assert_eq!(
                policy.check(KEY, &stored, candidate, now),
                expected,
                "attempts {} candidate {candidate} at +{}",
                stored.attempts,
                now - NOW
            );
        }
        assert_eq!(CodeRefusal::Wrong { attempts_left: 1 }.code(), "code_wrong");
    }

    #[test]
    fn an_issued_code_checks_against_its_stored_row() {
        let policy = CodePolicy::default();
        let (code, stored) = policy.issue(KEY, CodePurpose::StaffSetup, "usr_7", NOW);
        assert_eq!(stored.attempts, 0);
        assert_eq!(policy.check(KEY, &stored, code.as_str(), NOW + 1), Ok(()));
    }
}
