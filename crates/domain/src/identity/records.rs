//! What the identity use cases keep in storage: accounts, sessions, sign-in attempts, locks.

use crate::identity::UnixSeconds;

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    /// Registered; the address has not been confirmed with its code yet.
    PendingVerification,
    Active,
    /// Frozen by its owner or the security team: no sign-in, no money out.
    Frozen,
}

impl UserStatus {
    pub const fn name(self) -> &'static str {
        match self {
            UserStatus::PendingVerification => "pending_verification",
            UserStatus::Active => "active",
            UserStatus::Frozen => "frozen",
        }
    }

    pub fn parse(name: &str) -> Option<UserStatus> {
        [
            UserStatus::PendingVerification,
            UserStatus::Active,
            UserStatus::Frozen,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

/// An account as stored. The password is an argon2id PHC string, never the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    /// Normalised (lower-case) e-mail address.
    pub email: Option<String>,
    /// E.164 phone number.
    pub phone: Option<String>,
    pub password_hash: String,
    pub status: UserStatus,
    /// `zh-CN` or `en`: the language of everything sent to this person.
    pub locale: String,
    pub created_at: UnixSeconds,
    pub verified_at: Option<UnixSeconds>,
}

/// A signed-in session. Only the SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub created_at: UnixSeconds,
    pub last_seen_at: UnixSeconds,
    pub revoked_at: Option<UnixSeconds>,
    pub ip: String,
    pub user_agent: String,
}

/// One sign-in attempt on an existing account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInAttempt {
    pub user_id: String,
    pub at: UnixSeconds,
    pub succeeded: bool,
    pub ip: String,
    pub user_agent: String,
}
