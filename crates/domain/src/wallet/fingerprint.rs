//! Card fingerprints: a keyed hash of a card's number that tells the same card saved twice
//! without keeping the number.
//!
//! A plain hash of a card number is as good as the number: there are few enough numbers with a
//! known prefix, a known last 4 and a valid check digit to try them all in minutes. The
//! fingerprint is HMAC-SHA256 under a key each installation makes on its first start and keeps
//! in its database (`server_secrets`), so a copy of the cards table alone reveals nothing, and
//! fingerprints from two installations never match.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::wallet::card::CardNumber;

type HmacSha256 = Hmac<Sha256>;

/// Bound into every fingerprint, so that the key could serve another purpose without its
/// digests ever matching these, and a new scheme can start again under `v2`.
const PURPOSE: &[u8] = b"okpay:card_fingerprint:v1:";
const FINGERPRINT_HEX_LENGTH: usize = 64;

/// The installation's secret key for card fingerprints. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct CardFingerprintKey(Vec<u8>);

impl CardFingerprintKey {
    pub fn new(key: &[u8]) -> CardFingerprintKey {
        assert!(!key.is_empty(), "a fingerprint key has at least one byte");
        CardFingerprintKey(key.to_vec())
    }

    /// A key of 256 random bits, for a wallet that was given none (tests, tools): its
    /// fingerprints match only within the process.
    pub fn random() -> CardFingerprintKey {
        let bytes: [u8; 32] = rand::random();
        CardFingerprintKey(bytes.to_vec())
    }

    /// The fingerprint of `number`: the same for every copy of one card, whatever the spaces,
    /// dashes, expiry, holder name or security code typed with it.
    pub fn fingerprint(&self, number: &CardNumber) -> CardFingerprint {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(PURPOSE);
        mac.update(number.reveal_for_tokenization().as_bytes());
        let digest = mac.finalize().into_bytes();
        CardFingerprint(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

impl fmt::Debug for CardFingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardFingerprintKey(***)")
    }
}

/// A card's fingerprint as stored with it: 64 lowercase hexadecimal characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CardFingerprint(String);

/// Stored text that is not a fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a card fingerprint is {FINGERPRINT_HEX_LENGTH} lowercase hexadecimal characters")]
pub struct MalformedCardFingerprint;

impl CardFingerprint {
    pub fn parse(text: &str) -> Result<CardFingerprint, MalformedCardFingerprint> {
        let valid = text.len() == FINGERPRINT_HEX_LENGTH
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(CardFingerprint(text.to_owned()))
        } else {
            Err(MalformedCardFingerprint)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> CardNumber {
        CardNumber::parse(text).expect("a valid test number")
    }

    #[test]
    fn one_card_typed_two_ways_has_one_fingerprint_and_another_card_another() {
        let key = CardFingerprintKey::new(b"installation key");
        let spaced = key.fingerprint(&number("4242 4242 4242 4242"));
        let dashed = key.fingerprint(&number("4242-4242-4242-4242"));
        assert_eq!(spaced, dashed);
        assert_ne!(spaced, key.fingerprint(&number("4000 0000 0000 0002")));
        assert_eq!(CardFingerprint::parse(spaced.as_str()), Ok(spaced));
    }

    #[test]
    fn a_fingerprint_depends_on_the_key_and_shows_none_of_the_number() {
        let card = number("4242 4242 4242 4242");
        let ours = CardFingerprintKey::new(b"ours").fingerprint(&card);
        let theirs = CardFingerprintKey::new(b"theirs").fingerprint(&card);
        assert_ne!(ours, theirs);
        assert!(!ours.as_str().contains("4242424242424242"));
        // Not the plain SHA-256 of the number, which anyone could compute from a guess.
        use sha2::Digest;
        let plain: String = Sha256::digest(b"4242424242424242")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_ne!(ours.as_str(), plain);
        assert_eq!(
            format!("{:?}", CardFingerprintKey::new(b"ours")),
            "CardFingerprintKey(***)"
        );
    }

    #[test]
    fn stored_text_that_is_not_a_fingerprint_is_refused() {
        for text in ["", "abc", &"G".repeat(64), &"A".repeat(64), &"a".repeat(65)] {
            assert_eq!(CardFingerprint::parse(text), Err(MalformedCardFingerprint));
        }
        assert!(CardFingerprint::parse(&"0f".repeat(32)).is_ok());
    }
}
