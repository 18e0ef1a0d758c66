//! Password storage: argon2id PHC strings, with a bound on how many hashes run at once.
//!
//! Each hash takes 19 MiB and tens of milliseconds of a core, so a flood of sign-in attempts
//! could exhaust memory and starve everything else; at most `CONCURRENT_HASHES_MAX` run at once
//! and the rest wait their turn. Unknown accounts verify against a dummy hash so that their
//! answers take as long as known ones' (no account enumeration by timing).

use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// How many argon2 computations may run at once in one process.
pub const CONCURRENT_HASHES_MAX: usize = 2;

/// A stored password: an argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordDigest(String);

impl PasswordDigest {
    /// Accepts a PHC string read back from storage.
    pub fn from_phc(phc: String) -> Result<PasswordDigest, HashingFailed> {
        argon2::password_hash::phc::PasswordHash::new(&phc).map_err(|_| HashingFailed)?;
        Ok(PasswordDigest(phc))
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

/// The digest never appears in logs or debug output.
impl std::fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordDigest(…)")
    }
}

/// Hashing could not run (a broken stored digest, or the blocking pool is gone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the password could not be hashed or checked")]
pub struct HashingFailed;

/// Hashes and verifies passwords off the async threads, a bounded number at a time.
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        PasswordHashing {
            permits: Arc::new(Semaphore::new(CONCURRENT_HASHES_MAX)),
        }
    }
}

impl PasswordHashing {
    /// argon2id with OWASP's minimum: m = 19,456 KiB, t = 2, p = 1 (argon2's defaults).
    fn argon2() -> Argon2<'static> {
        Argon2::default()
    }

    /// Hashes a new password with a fresh random salt.
    pub async fn hash(&self, password: &str) -> Result<PasswordDigest, HashingFailed> {
        let password = password.as_bytes().to_vec();
        let phc = self
            .run(move || {
                Self::argon2()
                    .hash_password(&password)
                    .map(|hash| hash.to_string())
                    .map_err(|_| HashingFailed)
            })
            .await?;
        Ok(PasswordDigest(phc))
    }

    /// True when `password` matches `stored`. With `None` (no such account) a dummy digest is
    /// checked instead, so the answer costs the same time and is always false.
    pub async fn verify(&self, password: &str, stored: Option<&PasswordDigest>) -> bool {
        let known = stored.is_some();
        let phc = stored.map_or_else(|| dummy_digest().to_owned(), |digest| digest.0.clone());
        let password = password.as_bytes().to_vec();
        let matched = self
            .run(move || {
                Ok(Self::argon2()
                    .verify_password(&password, phc.as_str())
                    .is_ok())
            })
            .await
            .unwrap_or(false);
        known && matched
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashingFailed> + Send + 'static,
    ) -> Result<T, HashingFailed> {
        let _permit = self.permits.acquire().await.map_err(|_| HashingFailed)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| HashingFailed)?
    }
}

/// A digest of a random password nobody knows, made once per process, for unknown accounts.
fn dummy_digest() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let unguessable: [u8; 32] = rand::random();
        PasswordHashing::argon2()
            .hash_password(&unguessable)
            .map(|hash| hash.to_string())
            .expect("argon2 hashes 32 random bytes with its default parameters")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_owasp_minimum_and_verifies_only_its_password() {
        let hashing = PasswordHashing::default();
        let digest = hashing.hash("plum-orbit-canyon-17").await.expect("hashed");
        assert!(
            digest
                .as_phc()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            digest.as_phc()
        );
        assert!(hashing.verify("plum-orbit-canyon-17", Some(&digest)).await);
        assert!(!hashing.verify("plum-orbit-canyon-18", Some(&digest)).await);
        let again = hashing.hash("plum-orbit-canyon-17").await.expect("hashed");
        assert_ne!(digest, again, "every hash has its own salt");
    }

    #[tokio::test]
    async fn an_unknown_account_is_checked_against_a_dummy_and_never_matches() {
        let hashing = PasswordHashing::default();
        assert!(!hashing.verify("anything at all", None).await);
        assert!(!hashing.verify("", None).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_two_hashes_run_at_once() {
        let hashing = PasswordHashing::default();
        let mut tasks = Vec::new();
        for index in 0..6 {
            let hashing = hashing.clone();
            tasks.push(tokio::spawn(async move {
                hashing.hash(&format!("password number {index}")).await
            }));
        }
        let mut least_free = CONCURRENT_HASHES_MAX;
        while tasks.iter().any(|task| !task.is_finished()) {
            least_free = least_free.min(hashing.permits.available_permits());
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.expect("joined").expect("hashed");
        }
        assert_eq!(hashing.permits.available_permits(), CONCURRENT_HASHES_MAX);
        assert_eq!(
            least_free, 0,
            "the hashes did run side by side, up to the bound"
        );
    }

    #[test]
    fn a_stored_digest_that_is_not_a_phc_string_is_refused() {
        assert_eq!(
            PasswordDigest::from_phc("not a hash".into()),
            Err(HashingFailed)
        );
        assert!(format!("{:?}", PasswordDigest(String::from("$argon2id$secret"))).contains('…'));
    }
}
