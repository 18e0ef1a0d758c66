//! The sign-up and sign-in use cases: register, confirm the address, sign in with lockout,
//! authenticate a session token, sign out.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::identity::security::SecondFactorError;
use crate::identity::{
    CodePolicy, CodePurpose, CodeRefusal, InvalidLogin, Lock, LockReason, LockoutPolicy, Login,
    LoginGate, OneTimeCode, PasswordDigest, PasswordHashing, PasswordPolicy, PasswordRefusal,
    SecretBox, SessionRecord, SignInAttempt, SignInOutcome, Strength, UnixSeconds, UserRecord,
    UserStatus, strength,
};
use crate::ids::new_id;
use crate::notify::{self, Channel, OutboundMessage, OutboxStore};
use crate::store_port::{AuditStore, IdentityStore, SecurityStore, StoreError};

/// Every storage port the accounts use cases need; the `store` crate's `Store` is all of them.
pub trait AccountsStore: IdentityStore + OutboxStore + SecurityStore + AuditStore {}
impl<S: IdentityStore + OutboxStore + SecurityStore + AuditStore> AccountsStore for S {}

/// Sign-in sessions end after this long without use…
pub const SESSION_IDLE_S_DEFAULT: i64 = 30 * 60;
/// …and after this long in any case.
pub const SESSION_ABSOLUTE_S_DEFAULT: i64 = 12 * 60 * 60;
/// A session's last use is written at most this often, not on every request.
const SESSION_TOUCH_INTERVAL_S: i64 = 60;
/// How far back earlier locks lengthen the next one.
const LOCK_MEMORY_S: i64 = 24 * 60 * 60;
/// A new confirmation code is sent at most this often per address.
pub const RESEND_INTERVAL_S: i64 = 60;

/// The rules in force; every number can be configured.
#[derive(Clone, Debug)]
pub struct AccountRules {
    /// The server's secret for one-time-code digests.
    pub code_key: Vec<u8>,
    pub passwords: PasswordPolicy,
    pub codes: CodePolicy,
    pub lockout: LockoutPolicy,
    pub session_idle_s: i64,
    pub session_absolute_s: i64,
    /// Seals TOTP secrets at rest.
    pub totp_box: SecretBox,
    /// Where links in messages point, e.g. `https://pay.example.com` (no trailing slash).
    pub public_url: String,
}

impl AccountRules {
    pub fn with_code_key(code_key: Vec<u8>) -> AccountRules {
        AccountRules {
            passwords: PasswordPolicy::default(),
            codes: CodePolicy::default(),
            lockout: LockoutPolicy::default(),
            session_idle_s: SESSION_IDLE_S_DEFAULT,
            session_absolute_s: SESSION_ABSOLUTE_S_DEFAULT,
            // A key derived from the code key under its own label; `okpay serve` gives the box
            // a server secret of its own.
            totp_box: SecretBox::new(&code_key),
            public_url: String::new(),
            code_key,
        }
    }
}

/// Where a request came from, kept with sign-ins and sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// What registering answers. The same shape whether or not the address was already taken, so
/// the answer says nothing about who has an account.
#[derive(Debug)]
pub struct Registration {
    pub user_id: String,
    pub login: Login,
    /// The code to send to the address; `None` when the address already had an account (the
    /// owner is told someone tried, instead).
    pub code: Option<OneTimeCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    InvalidLogin(#[from] InvalidLogin),
    #[error(transparent)]
    WeakPassword(#[from] PasswordRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the password could not be hashed")]
    Hashing,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    InvalidLogin(#[from] InvalidLogin),
    #[error("no code is waiting for this address")]
    NoLiveCode,
    #[error(transparent)]
    Refused(#[from] CodeRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong address or password; which one is never said.
    #[error("the address or password is wrong")]
    InvalidCredentials,
    #[error("sign-in is locked until {until}")]
    Locked {
        until: UnixSeconds,
        reason: LockReason,
    },
    #[error("the account is frozen")]
    Frozen,
    #[error("the address has not been confirmed")]
    NotVerified,
    /// The password was right; the account needs its TOTP code (or a recovery code) too.
    #[error("the account's second factor is required")]
    SecondFactorRequired,
    #[error("the second factor is wrong or was already used")]
    SecondFactorInvalid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh session: the token is shown to the client once and kept only as a digest.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub session_id: String,
    pub user_id: String,
}

/// A session a token belongs to, still valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub session_id: String,
    pub user_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the session token is unknown, revoked or expired")]
    NotSignedIn,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The use cases over any identity store.
pub struct Accounts<S> {
    store: Arc<S>,
    hashing: PasswordHashing,
    rules: AccountRules,
}

impl<S: AccountsStore> Accounts<S> {
    pub fn new(store: Arc<S>, rules: AccountRules) -> Accounts<S> {
        Accounts {
            store,
            hashing: PasswordHashing::default(),
            rules,
        }
    }

    pub fn rules(&self) -> &AccountRules {
        &self.rules
    }

    pub(crate) fn store(&self) -> &S {
        &self.store
    }

    pub(crate) fn hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    /// Registers `login` with `password`. The password is hashed whether or not the address is
    /// taken, so both answers take the same time.
    pub async fn register(
        &self,
        login: &str,
        password: &str,
        locale: &str,
        now: UnixSeconds,
    ) -> Result<Registration, RegisterError> {
        let login = Login::parse(login)?;
        self.rules
            .passwords
            .check(password, std::slice::from_ref(&login))?;
        let digest = self
            .hashing
            .hash(password)
            .await
            .map_err(|_| RegisterError::Hashing)?;
        let user_id = new_id("usr");
        if let Some(owner) = self.store.user_by_login(login.as_str()).await? {
            self.tell_owner_of_attempt(&login, &owner.locale, now)
                .await?;
            return Ok(Registration {
                user_id,
                login,
                code: None,
            });
        }
        let (email, phone) = match &login {
            Login::Email(email) => (Some(email.as_str().to_owned()), None),
            Login::Phone(phone) => (None, Some(phone.as_str().to_owned())),
        };
        let user = UserRecord {
            id: user_id.clone(),
            email,
            phone,
            password_hash: digest.as_phc().to_owned(),
            status: UserStatus::PendingVerification,
            locale: locale.to_owned(),
            created_at: now,
            verified_at: None,
        };
        match self.store.insert_user(&user).await {
            Ok(()) => {}
            // Another request registered the same address a moment ago: answer as for a taken one.
            Err(StoreError::Conflict { .. }) => {
                return Ok(Registration {
                    user_id,
                    login,
                    code: None,
                });
            }
            Err(error) => return Err(error.into()),
        }
        let code = self
            .issue_code(CodePurpose::VerifyAddress, login.as_str(), now)
            .await?;
        let minutes_valid = self.rules.codes.lifetime_s / 60;
        let text = notify::verification_code(locale, code.as_str(), minutes_valid);
        let channel = Channel::for_login(&login);
        let message = OutboundMessage::new(channel, login.as_str(), locale, text, now);
        self.store.enqueue(&message).await?;
        Ok(Registration {
            user_id,
            login,
            code: Some(code),
        })
    }

    /// Sends a fresh confirmation code to `login` if it is an account still waiting for one.
    /// Says nothing either way, so it cannot tell anyone which addresses have accounts; a code
    /// issued less than [`RESEND_INTERVAL_S`] ago is kept, so the button cannot flood a mailbox.
    pub async fn resend_verification(
        &self,
        login: &str,
        now: UnixSeconds,
    ) -> Result<(), VerifyError> {
        let login = Login::parse(login)?;
        let Some(user) = self.store.user_by_login(login.as_str()).await? else {
            return Ok(());
        };
        if user.status != UserStatus::PendingVerification {
            return Ok(());
        }
        if let Some(stored) = self
            .store
            .code(CodePurpose::VerifyAddress, login.as_str())
            .await?
            && now - stored.issued_at < RESEND_INTERVAL_S
        {
            return Ok(());
        }
        let code = self
            .issue_code(CodePurpose::VerifyAddress, login.as_str(), now)
            .await?;
        let minutes_valid = self.rules.codes.lifetime_s / 60;
        let text = notify::verification_code(&user.locale, code.as_str(), minutes_valid);
        let message = OutboundMessage::new(
            Channel::for_login(&login),
            login.as_str(),
            &user.locale,
            text,
            now,
        );
        self.store.enqueue(&message).await?;
        Ok(())
    }

    /// Whether `password` may be set for a person known by `personal`, and how strong it is,
    /// for the sign-up page's hint. Addresses that do not parse are simply not used as hints.
    pub fn password_strength(
        &self,
        password: &str,
        personal: &[&str],
    ) -> (Strength, Result<(), PasswordRefusal>) {
        let personal: Vec<Login> = personal
            .iter()
            .filter_map(|login| Login::parse(login).ok())
            .collect();
        let length_max = self.rules.passwords.length_max;
        if password.chars().count() > length_max {
            // zxcvbn's cost grows with the length; an oversized password is refused unread.
            let strength = Strength {
                score: 0,
                warning: None,
                suggestions: Vec::new(),
            };
            return (strength, Err(PasswordRefusal::TooLong { length_max }));
        }
        (
            strength(password, &personal),
            self.rules.passwords.check(password, &personal),
        )
    }

    /// Someone tried to register an address that has an account: its owner hears of it.
    async fn tell_owner_of_attempt(
        &self,
        login: &Login,
        locale: &str,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        let text = notify::registration_attempt_on_taken_address(locale);
        let message =
            OutboundMessage::new(Channel::for_login(login), login.as_str(), locale, text, now);
        self.store.enqueue(&message).await
    }

    /// The account `user_id` names, for its owner's profile.
    pub async fn profile(&self, user_id: &str) -> Result<Option<UserRecord>, StoreError> {
        self.store.user_by_id(user_id).await
    }

    /// Issues a fresh code, replacing any earlier one for the same purpose and subject.
    pub async fn issue_code(
        &self,
        purpose: CodePurpose,
        subject: &str,
        now: UnixSeconds,
    ) -> Result<OneTimeCode, StoreError> {
        let (code, stored) = self
            .rules
            .codes
            .issue(&self.rules.code_key, purpose, subject, now);
        self.store.put_code(&stored).await?;
        Ok(code)
    }

    /// Confirms the address with the code sent to it; the account becomes active.
    pub async fn verify(
        &self,
        login: &str,
        candidate: &str,
        now: UnixSeconds,
    ) -> Result<(), VerifyError> {
        let login = Login::parse(login)?;
        let purpose = CodePurpose::VerifyAddress;
        let stored = self
            .store
            .code(purpose, login.as_str())
            .await?
            .ok_or(VerifyError::NoLiveCode)?;
        match self
            .rules
            .codes
            .check(&self.rules.code_key, &stored, candidate, now)
        {
            Ok(()) => {
                self.store.delete_code(purpose, login.as_str()).await?;
                if let Some(user) = self.store.user_by_login(login.as_str()).await?
                    && user.status == UserStatus::PendingVerification
                {
                    self.store
                        .set_user_status(&user.id, UserStatus::Active, Some(now))
                        .await?;
                }
                Ok(())
            }
            Err(refusal @ CodeRefusal::Wrong { .. }) => {
                self.store
                    .set_code_attempts(purpose, login.as_str(), stored.attempts.saturating_add(1))
                    .await?;
                Err(refusal.into())
            }
            Err(refusal) => Err(refusal.into()),
        }
    }

    /// Signs in without a second factor; accounts with one answer `SecondFactorRequired`.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client: &Client,
        now: UnixSeconds,
    ) -> Result<SignedIn, SignInError> {
        self.sign_in_with_code(login, password, None, client, now)
            .await
    }

    /// Signs in. Unknown addresses cost a dummy password check, so they take as long as known
    /// ones. A locked account is refused before its password is checked, even a correct one.
    /// An account with two-factor sign-in needs `second_factor` (a TOTP or recovery code); a
    /// wrong one counts as a failure towards the lock, like a wrong password.
    pub async fn sign_in_with_code(
        &self,
        login: &str,
        password: &str,
        second_factor: Option<&str>,
        client: &Client,
        now: UnixSeconds,
    ) -> Result<SignedIn, SignInError> {
        let user = match Login::parse(login) {
            Ok(login) => self.store.user_by_login(login.as_str()).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            self.hashing.verify(password, None).await;
            return Err(SignInError::InvalidCredentials);
        };
        let lockout = &self.rules.lockout;
        let locks = self
            .store
            .locks_since(&user.id, now - LOCK_MEMORY_S)
            .await?;
        let active_lock = locks.iter().rev().find(|lock| lock.until > now).copied();
        if let LoginGate::Locked { until, reason } = lockout.gate(active_lock, now) {
            return Err(SignInError::Locked { until, reason });
        }
        let attempts = self.store.attempts_since(&user.id, now - 3_600).await?;
        if lockout.hourly_cap_reached(attempts.len() as u32) {
            let lock = Lock {
                locked_at: now,
                until: attempts.first().map_or(now, |oldest| oldest.at) + 3_600,
                reason: LockReason::TooManyFailures {
                    failures: attempts.len() as u32,
                    window_s: 3_600,
                },
            };
            return Err(SignInError::Locked {
                until: lock.until,
                reason: lock.reason,
            });
        }
        let digest = PasswordDigest::from_phc(user.password_hash.clone()).ok();
        let matched = self.hashing.verify(password, digest.as_ref()).await;
        let outcome = if !matched {
            SignInOutcome::WrongPassword
        } else {
            match user.status {
                UserStatus::Frozen => SignInOutcome::Frozen,
                UserStatus::PendingVerification => SignInOutcome::NotVerified,
                UserStatus::Active => {
                    match self.check_second_factor(&user.id, second_factor, now).await {
                        Ok(()) => SignInOutcome::SignedIn,
                        Err(SecondFactorError::Required) => SignInOutcome::SecondFactorRequired,
                        Err(SecondFactorError::Invalid) => SignInOutcome::SecondFactorWrong,
                        Err(SecondFactorError::Store(error)) => return Err(error.into()),
                    }
                }
            }
        };
        let failed = matches!(
            outcome,
            SignInOutcome::WrongPassword | SignInOutcome::SecondFactorWrong
        );
        let attempt = SignInAttempt {
            user_id: user.id.clone(),
            at: now,
            succeeded: !failed,
            outcome,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        };
        self.store.record_attempt(&attempt).await?;
        if failed {
            self.audit(
                Actor::User(user.id.clone()),
                "sign_in.failed",
                &user.id,
                format!("{} ip={}", outcome.name(), client.ip),
            )
            .await?;
            let failure_times: Vec<UnixSeconds> = attempts
                .iter()
                .filter(|earlier| !earlier.succeeded)
                .map(|earlier| earlier.at)
                .chain([now])
                .collect();
            let last_lock_until = locks.last().map(|lock| lock.until);
            let failures = lockout.failures_in_window(&failure_times, last_lock_until, now);
            let lock_times: Vec<UnixSeconds> = locks.iter().map(|lock| lock.locked_at).collect();
            let earlier_locks = lockout.earlier_locks(&lock_times, now);
            if let Some(lock) = lockout.after_failure(failures, earlier_locks, now) {
                self.store.insert_lock(&user.id, &lock).await?;
                self.tell_of_lock(&user, &lock, now).await?;
                return Err(SignInError::Locked {
                    until: lock.until,
                    reason: lock.reason,
                });
            }
            return Err(if outcome == SignInOutcome::SecondFactorWrong {
                SignInError::SecondFactorInvalid
            } else {
                SignInError::InvalidCredentials
            });
        }
        match outcome {
            SignInOutcome::Frozen => return Err(SignInError::Frozen),
            SignInOutcome::NotVerified => return Err(SignInError::NotVerified),
            SignInOutcome::SecondFactorRequired => return Err(SignInError::SecondFactorRequired),
            _ => {}
        }
        let token = new_session_token();
        let session = SessionRecord {
            id: new_id("ses"),
            token_hash: token_digest(&token),
            user_id: user.id.clone(),
            created_at: now,
            last_seen_at: now,
            revoked_at: None,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        };
        self.store.insert_session(&session).await?;
        self.audit(
            Actor::User(user.id.clone()),
            "sign_in.succeeded",
            &user.id,
            format!("ip={} session={}", client.ip, session.id),
        )
        .await?;
        self.alert_if_new_device(&user, client, now).await?;
        Ok(SignedIn {
            token,
            session_id: session.id,
            user_id: user.id,
        })
    }

    /// The live session a token belongs to; idle and absolute timeouts end sessions by themselves.
    pub async fn authenticate(
        &self,
        token: &str,
        now: UnixSeconds,
    ) -> Result<Authenticated, AuthError> {
        let session = self
            .store
            .session_by_token_hash(&token_digest(token))
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        let idle = now - session.last_seen_at;
        let age = now - session.created_at;
        if session.revoked_at.is_some()
            || idle >= self.rules.session_idle_s
            || age >= self.rules.session_absolute_s
        {
            return Err(AuthError::NotSignedIn);
        }
        if idle >= SESSION_TOUCH_INTERVAL_S {
            self.store.touch_session(&session.id, now).await?;
        }
        Ok(Authenticated {
            session_id: session.id,
            user_id: session.user_id,
        })
    }

    /// Ends the session a token belongs to; an unknown token is already signed out.
    pub async fn sign_out(&self, token: &str, now: UnixSeconds) -> Result<(), StoreError> {
        if let Some(session) = self
            .store
            .session_by_token_hash(&token_digest(token))
            .await?
        {
            self.store.revoke_session(&session.id, now).await?;
        }
        Ok(())
    }
}

/// 256 random bits from the OS-seeded CSPRNG, as 64 hex characters.
pub(crate) fn new_session_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Tokens are stored as their SHA-256: a stolen database holds no usable session.
pub(crate) fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
