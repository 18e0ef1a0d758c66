//! The pure rules of sign-up and sign-in security: addresses, passwords, lockout and one-time codes.

pub mod accounts;
pub mod address;
pub mod api;
pub mod code;
pub mod lockout;
mod money_guard;
pub mod password;
pub mod password_hash;
pub mod records;
pub mod second_factor;
pub mod security;

pub use accounts::{
    AccountRules, Accounts, AccountsStore, AuthError, Authenticated, Client, RegisterError,
    Registration, SignInError, SignedIn, VerifyError,
};
pub use address::{EmailAddress, InvalidEmail, InvalidLogin, InvalidPhone, Login, PhoneNumber};
pub use api::{AccountsApi, BoxFuture, SecurityApi};
pub use code::{
    CodeDigest, CodePolicy, CodePurpose, CodeRefusal, MalformedCodeDigest, OneTimeCode, StoredCode,
};
pub use lockout::{Lock, LockReason, LockoutPolicy, LoginGate};
pub use password::{
    PasswordPolicy, PasswordRefusal, Strength, StrengthSuggestion, StrengthWarning, strength,
};
pub use password_hash::{CONCURRENT_HASHES_MAX, HashingFailed, PasswordDigest, PasswordHashing};
pub use records::{
    ActionToken, Notice, SessionRecord, SignInAttempt, SignInOutcome, TokenPurpose, TotpRecord,
    UserRecord, UserStatus,
};
pub use second_factor::{SecretBox, TotpSecret};
pub use security::{
    AddressChangeError, ChangePasswordError, FreezeSource, MoneyOutRefusal, NotMeError,
    NotMePreview, ResetError, SecondFactorError, StartStepUpError, StepUpAction, StepUpError,
    StepUpStart, TotpError, TotpSetup,
};

/// A point in time as seconds since the Unix epoch; the callers own the clock so these rules
/// stay pure and testable.
pub type UnixSeconds = i64;
