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
    /// False for the failures lockout counts (wrong password, wrong second factor).
    pub succeeded: bool,
    pub outcome: SignInOutcome,
    pub ip: String,
    pub user_agent: String,
}

/// What a sign-in attempt came to, as the login history shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInOutcome {
    SignedIn,
    WrongPassword,
    /// The password was right; the account asks for its second factor.
    SecondFactorRequired,
    SecondFactorWrong,
    Frozen,
    NotVerified,
}

impl SignInOutcome {
    pub const ALL: [SignInOutcome; 6] = [
        SignInOutcome::SignedIn,
        SignInOutcome::WrongPassword,
        SignInOutcome::SecondFactorRequired,
        SignInOutcome::SecondFactorWrong,
        SignInOutcome::Frozen,
        SignInOutcome::NotVerified,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            SignInOutcome::SignedIn => "signed_in",
            SignInOutcome::WrongPassword => "wrong_password",
            SignInOutcome::SecondFactorRequired => "totp_required",
            SignInOutcome::SecondFactorWrong => "totp_invalid",
            SignInOutcome::Frozen => "account_frozen",
            SignInOutcome::NotVerified => "address_not_verified",
        }
    }

    /// Rows written before outcomes were kept read as what `succeeded` says.
    pub fn parse(name: &str, succeeded: bool) -> SignInOutcome {
        SignInOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.name() == name)
            .unwrap_or(if succeeded {
                SignInOutcome::SignedIn
            } else {
                SignInOutcome::WrongPassword
            })
    }
}

/// A TOTP secret as stored, sealed; `enabled_at` is `None` while set-up awaits its first code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpRecord {
    pub owner: String,
    pub secret_sealed: String,
    pub created_at: UnixSeconds,
    pub enabled_at: Option<UnixSeconds>,
    pub last_step: Option<i64>,
}

/// What a single-use token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    StepUp,
    NotMe,
    StaffSetup,
}

impl TokenPurpose {
    pub const fn name(self) -> &'static str {
        match self {
            TokenPurpose::StepUp => "step_up",
            TokenPurpose::NotMe => "not_me",
            TokenPurpose::StaffSetup => "staff_setup",
        }
    }
}

/// A single-use bearer token as stored: only its SHA-256 digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionToken {
    pub digest: String,
    pub purpose: TokenPurpose,
    /// The user or staff member it belongs to.
    pub owner: String,
    /// What it may be used for (a step-up action), or empty.
    pub action: String,
    /// Context shown when it is used, e.g. the sign-in a "this wasn't me" link is about.
    pub detail: String,
    pub created_at: UnixSeconds,
    pub expires_at: UnixSeconds,
    pub used_at: Option<UnixSeconds>,
}

/// A notice in a user's message center, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub user_id: String,
    /// A stable code, e.g. `account_locked`, `new_sign_in`.
    pub kind: String,
    pub title_zh: String,
    pub body_zh: String,
    pub title_en: String,
    pub body_en: String,
    pub created_at: UnixSeconds,
    pub read_at: Option<UnixSeconds>,
}
