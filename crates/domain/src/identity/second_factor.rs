//! The second factor: TOTP secrets (RFC 6238), their encryption at rest, and recovery codes.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, Totp};

use crate::identity::UnixSeconds;
use crate::identity::code::{CodeDigest, CodePurpose};

/// 160 bits, the size RFC 4226 recommends.
const TOTP_SECRET_BYTES: usize = 20;
const TOTP_DIGITS: u8 = 6;
const TOTP_STEP_S: u64 = 30;
/// One step either side is accepted, for clocks a little off.
const TOTP_SKEW_STEPS: u16 = 1;
/// How many recovery codes enabling two-factor sign-in hands out.
pub const RECOVERY_CODES_COUNT: usize = 10;
/// Letters and digits that cannot be mistaken for one another when read off paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_CODE_CHARS: usize = 10;
const XNONCE_BYTES: usize = 24;

/// A TOTP secret in the clear: held only while setting up or checking a code.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(******)")
    }
}

impl TotpSecret {
    /// 160 bits from the OS-seeded CSPRNG.
    pub fn generate() -> TotpSecret {
        let bytes: [u8; TOTP_SECRET_BYTES] = rand::random();
        TotpSecret(bytes.to_vec())
    }

    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 without padding, as people type it into an authenticator app.
    pub fn base32(&self) -> String {
        Secret::from(self.0.as_slice())
            .to_base32()
            .trim_end_matches('=')
            .to_owned()
    }

    /// The `otpauth://` URI authenticator apps read from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{}:{}", percent_encode(issuer), percent_encode(account));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_S}",
            self.base32(),
            percent_encode(issuer)
        )
    }

    fn totp(&self) -> Totp {
        totp_rs::Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(TOTP_DIGITS)
            .with_skew(TOTP_SKEW_STEPS)
            .with_step_duration(TOTP_STEP_S)
            .with_secret(self.0.clone())
            .build_noncompliant()
    }

    /// The time step `code` belongs to, within one step of `now`, or `None` when it matches none.
    pub fn matching_step(&self, code: &str, now: UnixSeconds) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != usize::from(TOTP_DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = u64::try_from(now).ok()?;
        self.totp()
            .check(&code, now)
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The code for the step holding `now` (for tests and the browser journey).
    pub fn code_at(&self, now: UnixSeconds) -> String {
        self.totp()
            .generate(u64::try_from(now).unwrap_or(0))
            .to_string()
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Seals secrets for storage with XChaCha20-Poly1305 under a key derived from a server secret:
/// a copy of the database alone does not reveal anyone's second factor.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(******)")
    }
}

impl SecretBox {
    /// A box keyed by SHA-256 over a label and `server_secret`, so the key differs from every
    /// other use of the same server secret.
    pub fn new(server_secret: &[u8]) -> SecretBox {
        let mut hasher = Sha256::new();
        hasher.update(b"okpay totp secret box v1:");
        hasher.update(server_secret);
        let key: [u8; 32] = hasher.finalize().into();
        SecretBox {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// `hex(nonce || ciphertext)`, a fresh random nonce each time; `owner` is bound as associated
    /// data so a sealed secret copied to another account does not open.
    pub fn seal(&self, owner: &str, plain: &[u8]) -> String {
        let nonce_bytes: [u8; XNONCE_BYTES] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                chacha20poly1305::aead::Payload {
                    msg: plain,
                    aad: owner.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message of this size");
        let mut out = hex(&nonce_bytes);
        out.push_str(&hex(&sealed));
        out
    }

    /// The plain bytes, or `None` when the text was not sealed by this box for this owner.
    pub fn open(&self, owner: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = unhex(sealed)?;
        if bytes.len() <= XNONCE_BYTES {
            return None;
        }
        let (nonce, message) = bytes.split_at(XNONCE_BYTES);
        let nonce = XNonce::from(<[u8; XNONCE_BYTES]>::try_from(nonce).ok()?);
        self.cipher
            .decrypt(
                &nonce,
                chacha20poly1305::aead::Payload {
                    msg: message,
                    aad: owner.as_bytes(),
                },
            )
            .ok()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

/// Ten fresh recovery codes, `xxxxx-xxxxx`, about 49 bits each.
pub fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..RECOVERY_CODES_COUNT)
        .map(|_| {
            let chars: String = (0..RECOVERY_CODE_CHARS)
                .map(|_| {
                    char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
                })
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// Whether `candidate` has the shape of a recovery code rather than a six-digit TOTP code.
pub fn looks_like_recovery_code(candidate: &str) -> bool {
    normalize_recovery_code(candidate).len() == RECOVERY_CODE_CHARS
}

/// Lower case, without spaces or dashes: how people copy codes varies.
fn normalize_recovery_code(candidate: &str) -> String {
    candidate
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The stored form of a recovery code: a keyed digest bound to its owner.
pub fn recovery_code_digest(server_key: &[u8], owner: &str, code: &str) -> String {
    CodeDigest::of(
        server_key,
        CodePurpose::RecoveryCode,
        owner,
        &normalize_recovery_code(code),
    )
    .to_hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_own_step_and_one_either_side_but_not_two() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_000;
        let step = now / 30;
        assert_eq!(secret.matching_step(&secret.code_at(now), now), Some(step));
        assert_eq!(
            secret.matching_step(&secret.code_at(now - 30), now),
            Some(step - 1)
        );
        assert_eq!(
            secret.matching_step(&secret.code_at(now + 30), now),
            Some(step + 1)
        );
        let far = secret.code_at(now - 90);
        if far != secret.code_at(now)
            && far != secret.code_at(now - 30)
            && far != secret.code_at(now + 30)
        {
            assert_eq!(secret.matching_step(&far, now), None);
        }
        assert_eq!(secret.matching_step("12345", now), None);
        assert_eq!(secret.matching_step("abcdef", now), None);
    }

    #[test]
    fn the_otpauth_uri_names_the_issuer_account_and_secret() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let uri = secret.otpauth_uri("OKPay", "mei@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/OKPay:mei@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=OKPay&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_under_the_same_key() {
        let sealed_box = SecretBox::new(b"server secret");
        let sealed = sealed_box.seal("usr_1", b"plain");
        assert!(!sealed.contains(&hex(b"plain")));
        assert_eq!(
            sealed_box.open("usr_1", &sealed).as_deref(),
            Some(&b"plain"[..])
        );
        assert_eq!(sealed_box.open("usr_2", &sealed), None);
        assert_eq!(SecretBox::new(b"other").open("usr_1", &sealed), None);
        assert_ne!(
            sealed,
            sealed_box.seal("usr_1", b"plain"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        let code = &codes[0];
        assert!(looks_like_recovery_code(code) && !looks_like_recovery_code("123456"));
        assert_eq!(
            recovery_code_digest(b"k", "usr_1", code),
            recovery_code_digest(b"k", "usr_1", &code.to_uppercase().replace('-', " "))
        );
        assert_ne!(
            recovery_code_digest(b"k", "usr_1", code),
            recovery_code_digest(b"k", "usr_2", code)
        );
    }
}
