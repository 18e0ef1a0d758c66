//! Sign-in security after sign-up: the second factor, password reset, step-up, sessions, login
//! history and new-device alerts, the emergency freeze and the message center.

use crate::audit::{Actor, AuditEvent};
use crate::identity::accounts::{AccountsStore, new_session_token, token_digest};
use crate::identity::second_factor::{
    looks_like_recovery_code, new_recovery_codes, recovery_code_digest,
};
use crate::identity::{
    Accounts, ActionToken, Client, CodePurpose, CodeRefusal, InvalidLogin, Lock, Login, Notice,
    PasswordRefusal, SessionRecord, SignInAttempt, SignInOutcome, TokenPurpose, TotpRecord,
    TotpSecret, UnixSeconds, UserRecord, UserStatus,
};
use crate::ids::new_id;
use crate::notify::{self, Channel, MessageText, OutboundMessage};
use crate::store_port::StoreError;

/// A step-up token lives this long.
pub const STEP_UP_TTL_S: i64 = 5 * 60;
/// A "this wasn't me" link works this long.
const NOT_ME_TTL_S: i64 = 7 * 24 * 60 * 60;
/// The most sessions and history rows a listing shows.
const LISTING_MAX: i64 = 100;
/// The issuer authenticator apps show beside the code.
pub const TOTP_ISSUER: &str = "OKPay";
/// How far back sign-ins count as "seen before" for new-device alerts.
const DEVICE_HISTORY_ROWS: i64 = 200;

/// Why a second factor did not pass.
#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    #[error("a TOTP or recovery code is required")]
    Required,
    #[error("the code is wrong or was already used")]
    Invalid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A sensitive action that needs a fresh second factor (a step-up token) first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepUpAction {
    DisableTotp,
    ChangePassword,
    ChangeEmail,
    ChangePhone,
    /// Moving a large amount out of the wallet.
    MoveMoney,
}

impl StepUpAction {
    pub const ALL: [StepUpAction; 5] = [
        StepUpAction::DisableTotp,
        StepUpAction::ChangePassword,
        StepUpAction::ChangeEmail,
        StepUpAction::ChangePhone,
        StepUpAction::MoveMoney,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            StepUpAction::DisableTotp => "totp.disable",
            StepUpAction::ChangePassword => "password.change",
            StepUpAction::ChangeEmail => "email.change",
            StepUpAction::ChangePhone => "phone.change",
            StepUpAction::MoveMoney => "money.move",
        }
    }

    pub fn parse(name: &str) -> Option<StepUpAction> {
        StepUpAction::ALL
            .into_iter()
            .find(|action| action.name() == name)
    }
}

/// Why an action's step-up did not pass.
#[derive(Debug, thiserror::Error)]
pub enum StepUpError {
    #[error("{} needs a step-up token", .action.name())]
    Required { action: StepUpAction },
    #[error("the step-up token is not valid for {}", .action.name())]
    Invalid { action: StepUpAction },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What asking for a step-up token gave.
#[derive(Debug)]
pub enum StepUpStart {
    /// The second factor passed: send `token` as `X-Step-Up-Token` before `expires_at`.
    Granted {
        token: String,
        expires_at: UnixSeconds,
    },
    /// The account has no TOTP: a code went to its address; ask again with it.
    CodeSent { channel: Channel },
}

#[derive(Debug, thiserror::Error)]
pub enum StartStepUpError {
    #[error(transparent)]
    SecondFactor(#[from] SecondFactorError),
    #[error(transparent)]
    Code(#[from] CodeRefusal),
    #[error("no code is waiting")]
    NoLiveCode,
    #[error("the account does not exist")]
    NoAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What TOTP set-up hands the user: the secret to type or scan.
#[derive(Debug)]
pub struct TotpSetup {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("two-factor sign-in is already on")]
    AlreadyEnabled,
    #[error("two-factor sign-in is not on")]
    NotEnabled,
    #[error("set up two-factor sign-in first")]
    NotSetUp,
    #[error("the code is wrong")]
    CodeWrong,
    #[error(transparent)]
    StepUp(#[from] StepUpError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(transparent)]
    InvalidLogin(#[from] InvalidLogin),
    #[error("no code is waiting for this address")]
    NoLiveCode,
    #[error(transparent)]
    Code(#[from] CodeRefusal),
    #[error(transparent)]
    WeakPassword(#[from] PasswordRefusal),
    #[error(transparent)]
    SecondFactor(#[from] SecondFactorError),
    #[error("the password could not be hashed")]
    Hashing,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error(transparent)]
    StepUp(#[from] StepUpError),
    #[error(transparent)]
    WeakPassword(#[from] PasswordRefusal),
    #[error("the password could not be hashed")]
    Hashing,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an e-mail or phone change did not go through.
#[derive(Debug, thiserror::Error)]
pub enum AddressChangeError {
    #[error(transparent)]
    InvalidLogin(#[from] InvalidLogin),
    #[error("the address belongs to another account")]
    Taken,
    #[error(transparent)]
    StepUp(#[from] StepUpError),
    #[error("no code is waiting for this address")]
    NoLiveCode,
    #[error(transparent)]
    Code(#[from] CodeRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why money may not leave an account.
#[derive(Debug, thiserror::Error)]
pub enum MoneyOutRefusal {
    #[error("the account is frozen")]
    Frozen,
    #[error("the account does not exist or is not confirmed")]
    NotActive,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a "this wasn't me" link is about, shown before it is used.
#[derive(Debug)]
pub struct NotMePreview {
    pub user_id: String,
    /// The sign-in it reports: `ip=… at=…`.
    pub sign_in: String,
    pub already_used: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum NotMeError {
    #[error("the link is unknown or expired")]
    Unknown,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who froze an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FreezeSource {
    /// The owner, from the security page or the API.
    Owner,
    /// The owner, from the "this wasn't me" link of a new-device alert.
    NotMeLink,
    /// The owner, through the stolen-account fast lane (address + code, no sign-in).
    StolenReport,
}

/// What a code for changing to `login` is kept under: the account and the new address.
fn address_change_subject(user_id: &str, login: &Login) -> String {
    format!("change:{user_id}:{}", login.as_str())
}

/// The network part of an address: IPv4 /24, IPv6 /64 (the first four groups).
fn network_of(ip: &str) -> String {
    if ip.contains(':') {
        ip.split(':').take(4).collect::<Vec<_>>().join(":")
    } else {
        ip.rsplit_once('.')
            .map_or_else(|| ip.to_owned(), |(network, _)| network.to_owned())
    }
}

impl<S: AccountsStore> Accounts<S> {
    /// Appends one event to the audit log.
    pub(crate) async fn audit(
        &self,
        actor: Actor,
        action: &'static str,
        subject: &str,
        detail: String,
    ) -> Result<(), StoreError> {
        self.store()
            .append_audit(&[AuditEvent {
                actor,
                action,
                subject: subject.to_owned(),
                detail,
            }])
            .await
    }

    /// Tells a user something by message (e-mail or SMS to their address) and in the message
    /// center; `text` is asked for both languages, the message goes out in theirs.
    pub(crate) async fn notify_user(
        &self,
        user: &UserRecord,
        kind: &str,
        text: impl Fn(&str) -> MessageText,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        let chinese = text("zh-CN");
        let english = text("en");
        self.store()
            .insert_notice(&Notice {
                id: new_id("ntc"),
                user_id: user.id.clone(),
                kind: kind.to_owned(),
                title_zh: chinese.subject.clone(),
                body_zh: chinese.body.clone(),
                title_en: english.subject.clone(),
                body_en: english.body.clone(),
                created_at: now,
                read_at: None,
            })
            .await?;
        let (channel, recipient) = match (&user.email, &user.phone) {
            (Some(email), _) => (Channel::Email, email),
            (None, Some(phone)) => (Channel::Sms, phone),
            (None, None) => return Ok(()),
        };
        let words = if user.locale.starts_with("zh") {
            chinese
        } else {
            english
        };
        self.store()
            .enqueue(&OutboundMessage::new(
                channel,
                recipient,
                &user.locale,
                words,
                now,
            ))
            .await
    }

    async fn user(&self, user_id: &str) -> Result<UserRecord, StoreError> {
        self.store()
            .user_by_id(user_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The notice and message a new lock sends, and its audit row.
    pub(crate) async fn tell_of_lock(
        &self,
        user: &UserRecord,
        lock: &Lock,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        let until = crate::calendar::rfc3339_utc(lock.until);
        let crate::identity::LockReason::TooManyFailures { failures, .. } = lock.reason;
        self.notify_user(
            user,
            "account_locked",
            |locale| notify::account_locked(locale, &until, failures),
            now,
        )
        .await?;
        self.audit(
            Actor::System,
            "account.locked",
            &user.id,
            format!("until={until} failures={failures}"),
        )
        .await
    }

    /// Checks a TOTP code, or a recovery code in its place, for an owner with two-factor
    /// sign-in; an owner without it passes with no code. A TOTP code is accepted once: its
    /// step must be later than the last accepted one, checked and set in one update.
    pub async fn check_second_factor(
        &self,
        owner: &str,
        code: Option<&str>,
        now: UnixSeconds,
    ) -> Result<(), SecondFactorError> {
        let Some(record) = self.store().totp(owner).await? else {
            return Ok(());
        };
        if record.enabled_at.is_none() {
            return Ok(());
        }
        let code = code.map(str::trim).filter(|code| !code.is_empty());
        let Some(code) = code else {
            return Err(SecondFactorError::Required);
        };
        if looks_like_recovery_code(code) {
            let digest = recovery_code_digest(&self.rules().code_key, owner, code);
            return if self.store().use_recovery_code(owner, &digest, now).await? {
                self.audit(
                    actor_of(owner),
                    "second_factor.recovery_code_used",
                    owner,
                    String::new(),
                )
                .await?;
                Ok(())
            } else {
                Err(SecondFactorError::Invalid)
            };
        }
        let secret = self.open_secret(&record)?;
        let Some(step) = secret.matching_step(code, now) else {
            return Err(SecondFactorError::Invalid);
        };
        if self.store().accept_totp_step(owner, step).await? {
            Ok(())
        } else {
            Err(SecondFactorError::Invalid)
        }
    }

    fn open_secret(&self, record: &TotpRecord) -> Result<TotpSecret, StoreError> {
        self.rules()
            .totp_box
            .open(&record.owner, &record.secret_sealed)
            .map(TotpSecret::from_bytes)
            .ok_or_else(|| StoreError::Unavailable("a TOTP secret does not open".to_owned()))
    }

    /// Whether `owner` has two-factor sign-in on.
    pub async fn totp_enabled(&self, owner: &str) -> Result<bool, StoreError> {
        Ok(self
            .store()
            .totp(owner)
            .await?
            .is_some_and(|record| record.enabled_at.is_some()))
    }

    /// A fresh secret awaiting its first code; replaces an earlier unfinished set-up.
    pub async fn totp_setup(
        &self,
        owner: &str,
        account_label: &str,
        now: UnixSeconds,
    ) -> Result<TotpSetup, TotpError> {
        let secret = TotpSecret::generate();
        let record = TotpRecord {
            owner: owner.to_owned(),
            secret_sealed: self.rules().totp_box.seal(owner, secret.as_bytes()),
            created_at: now,
            enabled_at: None,
            last_step: None,
        };
        if !self.store().put_pending_totp(&record).await? {
            return Err(TotpError::AlreadyEnabled);
        }
        Ok(TotpSetup {
            secret_base32: secret.base32(),
            otpauth_uri: secret.otpauth_uri(TOTP_ISSUER, account_label),
        })
    }

    /// Turns two-factor sign-in on with the first code of the pending secret; hands out ten
    /// recovery codes (shown once, stored as digests) and ends every other session.
    pub async fn totp_enable(
        &self,
        user_id: &str,
        session_id: &str,
        code: &str,
        now: UnixSeconds,
    ) -> Result<Vec<String>, TotpError> {
        let codes = self.enable_second_factor(user_id, code, now).await?;
        self.store()
            .revoke_sessions(user_id, Some(session_id), now)
            .await?;
        let user = self.user(user_id).await?;
        self.notify_user(
            &user,
            "totp_enabled",
            |locale| notify::two_factor_changed(locale, true),
            now,
        )
        .await?;
        self.audit(
            Actor::User(user_id.to_owned()),
            "totp.enabled",
            user_id,
            String::new(),
        )
        .await?;
        Ok(codes)
    }

    /// Checks the first code against the pending secret, enables it and makes recovery codes.
    pub(crate) async fn enable_second_factor(
        &self,
        owner: &str,
        code: &str,
        now: UnixSeconds,
    ) -> Result<Vec<String>, TotpError> {
        let record = self.store().totp(owner).await?.ok_or(TotpError::NotSetUp)?;
        if record.enabled_at.is_some() {
            return Err(TotpError::AlreadyEnabled);
        }
        let secret = self.open_secret(&record)?;
        let step = secret
            .matching_step(code, now)
            .ok_or(TotpError::CodeWrong)?;
        if !self.store().enable_totp(owner, step, now).await? {
            return Err(TotpError::AlreadyEnabled);
        }
        let codes = new_recovery_codes();
        let digests: Vec<String> = codes
            .iter()
            .map(|code| recovery_code_digest(&self.rules().code_key, owner, code))
            .collect();
        self.store()
            .replace_recovery_codes(owner, &digests, now)
            .await?;
        Ok(codes)
    }

    /// Turns two-factor sign-in off; needs a step-up token for `totp.disable`.
    pub async fn totp_disable(
        &self,
        user_id: &str,
        session_id: &str,
        step_up_token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<(), TotpError> {
        if !self.totp_enabled(user_id).await? {
            return Err(TotpError::NotEnabled);
        }
        self.require_step_up(user_id, StepUpAction::DisableTotp, step_up_token, now)
            .await?;
        self.store().delete_totp(user_id).await?;
        self.store()
            .revoke_sessions(user_id, Some(session_id), now)
            .await?;
        let user = self.user(user_id).await?;
        self.notify_user(
            &user,
            "totp_disabled",
            |locale| notify::two_factor_changed(locale, false),
            now,
        )
        .await?;
        self.audit(
            Actor::User(user_id.to_owned()),
            "totp.disabled",
            user_id,
            String::new(),
        )
        .await?;
        Ok(())
    }

    /// How many recovery codes are left unused.
    pub async fn recovery_codes_left(&self, owner: &str) -> Result<i64, StoreError> {
        self.store().unused_recovery_codes(owner).await
    }

    /// Sends a password-reset code to `login` when it has an account. The caller answers the
    /// same whatever happens here, so nobody learns whether the address is registered.
    pub async fn request_password_reset(
        &self,
        login: &str,
        now: UnixSeconds,
    ) -> Result<(), ResetError> {
        let login = Login::parse(login)?;
        let Some(user) = self.store().user_by_login(login.as_str()).await? else {
            return Ok(());
        };
        let code = self
            .issue_code(CodePurpose::PasswordReset, login.as_str(), now)
            .await?;
        let minutes_valid = self.rules().codes.lifetime_s / 60;
        let text = notify::password_reset_code(&user.locale, code.as_str(), minutes_valid);
        let message = OutboundMessage::new(
            Channel::for_login(&login),
            login.as_str(),
            &user.locale,
            text,
            now,
        );
        self.store().enqueue(&message).await?;
        self.audit(
            Actor::User(user.id.clone()),
            "password.reset_requested",
            &user.id,
            String::new(),
        )
        .await?;
        Ok(())
    }

    /// The stolen-account fast lane, step one: sends a code to `login` if it is an account's
    /// address; answers the same either way, so nobody learns which addresses are ours.
    pub async fn request_stolen_code(
        &self,
        login: &str,
        now: UnixSeconds,
    ) -> Result<(), ResetError> {
        let login = Login::parse(login)?;
        let Some(user) = self.store().user_by_login(login.as_str()).await? else {
            return Ok(());
        };
        let code = self
            .issue_code(CodePurpose::AccountStolen, login.as_str(), now)
            .await?;
        let minutes_valid = self.rules().codes.lifetime_s / 60;
        let text = notify::verification_code(&user.locale, code.as_str(), minutes_valid);
        let message = OutboundMessage::new(
            Channel::for_login(&login),
            login.as_str(),
            &user.locale,
            text,
            now,
        );
        self.store()
            .enqueue(&message)
            .await
            .map_err(ResetError::Store)
    }

    /// The fast lane, step two: with the right code the account is frozen at once (sessions
    /// ended, no money out); answers the account's id so the caller opens the security ticket.
    pub async fn confirm_stolen(
        &self,
        login: &str,
        candidate: &str,
        now: UnixSeconds,
    ) -> Result<String, ResetError> {
        let login = Login::parse(login)?;
        let purpose = CodePurpose::AccountStolen;
        let stored = self
            .store()
            .code(purpose, login.as_str())
            .await?
            .ok_or(ResetError::NoLiveCode)?;
        let user = self
            .store()
            .user_by_login(login.as_str())
            .await?
            .ok_or(ResetError::NoLiveCode)?;
        let rules = self.rules();
        if let Err(refusal) = rules.codes.check(&rules.code_key, &stored, candidate, now) {
            if matches!(refusal, CodeRefusal::Wrong { .. }) {
                self.store()
                    .set_code_attempts(purpose, login.as_str(), stored.attempts.saturating_add(1))
                    .await?;
            }
            return Err(refusal.into());
        }
        self.store().delete_code(purpose, login.as_str()).await?;
        self.freeze(&user.id, FreezeSource::StolenReport, now)
            .await?;
        Ok(user.id)
    }

    /// Sets a new password with the code sent to `login`. An account with two-factor sign-in
    /// also needs its TOTP or a recovery code: a reset never gets around the second factor. A
    /// wrong second factor uses up one of the code's attempts. Clears the lock and ends every
    /// session.
    pub async fn confirm_password_reset(
        &self,
        login: &str,
        candidate: &str,
        new_password: &str,
        second_factor: Option<&str>,
        now: UnixSeconds,
    ) -> Result<(), ResetError> {
        let login = Login::parse(login)?;
        let purpose = CodePurpose::PasswordReset;
        let stored = self
            .store()
            .code(purpose, login.as_str())
            .await?
            .ok_or(ResetError::NoLiveCode)?;
        let user = self
            .store()
            .user_by_login(login.as_str())
            .await?
            .ok_or(ResetError::NoLiveCode)?;
        let rules = self.rules();
        let wrong_attempt = || {
            self.store().set_code_attempts(
                purpose,
                login.as_str(),
                stored.attempts.saturating_add(1),
            )
        };
        if let Err(refusal) = rules.codes.check(&rules.code_key, &stored, candidate, now) {
            if matches!(refusal, CodeRefusal::Wrong { .. }) {
                wrong_attempt().await?;
            }
            return Err(refusal.into());
        }
        rules
            .passwords
            .check(new_password, std::slice::from_ref(&login))?;
        match self.check_second_factor(&user.id, second_factor, now).await {
            Ok(()) => {}
            Err(SecondFactorError::Invalid) => {
                wrong_attempt().await?;
                return Err(SecondFactorError::Invalid.into());
            }
            Err(error) => return Err(error.into()),
        }
        let digest = self
            .hashing()
            .hash(new_password)
            .await
            .map_err(|_| ResetError::Hashing)?;
        self.store().delete_code(purpose, login.as_str()).await?;
        self.store()
            .set_password_hash(&user.id, digest.as_phc())
            .await?;
        self.store().end_locks(&user.id, now).await?;
        self.store().revoke_sessions(&user.id, None, now).await?;
        self.notify_user(&user, "password_changed", notify::password_changed, now)
            .await?;
        self.audit(
            Actor::User(user.id.clone()),
            "password.reset",
            &user.id,
            String::new(),
        )
        .await?;
        Ok(())
    }

    /// Changes the password of a signed-in user; needs a step-up token for `password.change`.
    /// Every other session ends.
    pub async fn change_password(
        &self,
        user_id: &str,
        session_id: &str,
        new_password: &str,
        step_up_token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<(), ChangePasswordError> {
        let user = self.user(user_id).await?;
        let personal: Vec<Login> = [&user.email, &user.phone]
            .into_iter()
            .flatten()
            .filter_map(|address| Login::parse(address).ok())
            .collect();
        self.rules().passwords.check(new_password, &personal)?;
        self.require_step_up(user_id, StepUpAction::ChangePassword, step_up_token, now)
            .await?;
        let digest = self
            .hashing()
            .hash(new_password)
            .await
            .map_err(|_| ChangePasswordError::Hashing)?;
        self.store()
            .set_password_hash(user_id, digest.as_phc())
            .await?;
        self.store()
            .revoke_sessions(user_id, Some(session_id), now)
            .await?;
        self.notify_user(&user, "password_changed", notify::password_changed, now)
            .await?;
        self.audit(
            Actor::User(user_id.to_owned()),
            "password.changed",
            user_id,
            String::new(),
        )
        .await?;
        Ok(())
    }

    /// Starts changing the account's e-mail address or phone number (whichever `new_address`
    /// is): needs a step-up token for `email.change` or `phone.change`, then sends a code to the
    /// new address, which [`Accounts::confirm_address_change`] takes.
    pub async fn request_address_change(
        &self,
        user_id: &str,
        new_address: &str,
        step_up_token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<Channel, AddressChangeError> {
        let login = Login::parse(new_address)?;
        let action = match login {
            Login::Email(_) => StepUpAction::ChangeEmail,
            Login::Phone(_) => StepUpAction::ChangePhone,
        };
        self.require_step_up(user_id, action, step_up_token, now)
            .await?;
        if self.store().user_by_login(login.as_str()).await?.is_some() {
            return Err(AddressChangeError::Taken);
        }
        let user = self.user(user_id).await?;
        let subject = address_change_subject(user_id, &login);
        let code = self
            .issue_code(CodePurpose::VerifyAddress, &subject, now)
            .await?;
        let minutes_valid = self.rules().codes.lifetime_s / 60;
        let text = notify::verification_code(&user.locale, code.as_str(), minutes_valid);
        let channel = Channel::for_login(&login);
        self.store()
            .enqueue(&OutboundMessage::new(
                channel,
                login.as_str(),
                &user.locale,
                text,
                now,
            ))
            .await?;
        Ok(channel)
    }

    /// Finishes the change with the code sent to the new address; the old address is told.
    pub async fn confirm_address_change(
        &self,
        user_id: &str,
        new_address: &str,
        candidate: &str,
        now: UnixSeconds,
    ) -> Result<(), AddressChangeError> {
        let login = Login::parse(new_address)?;
        let subject = address_change_subject(user_id, &login);
        let purpose = CodePurpose::VerifyAddress;
        let stored = self
            .store()
            .code(purpose, &subject)
            .await?
            .ok_or(AddressChangeError::NoLiveCode)?;
        let rules = self.rules();
        if let Err(refusal) = rules.codes.check(&rules.code_key, &stored, candidate, now) {
            if matches!(refusal, CodeRefusal::Wrong { .. }) {
                self.store()
                    .set_code_attempts(purpose, &subject, stored.attempts.saturating_add(1))
                    .await?;
            }
            return Err(refusal.into());
        }
        let user = self.user(user_id).await?;
        let (email, phone) = match &login {
            Login::Email(email) => (Some(email.as_str()), user.phone.as_deref()),
            Login::Phone(phone) => (user.email.as_deref(), Some(phone.as_str())),
        };
        match self.store().set_user_address(user_id, email, phone).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => return Err(AddressChangeError::Taken),
            Err(error) => return Err(error.into()),
        }
        self.store().delete_code(purpose, &subject).await?;
        let masked = login.masked();
        // `user` still holds the old address: that is where the notice goes.
        self.notify_user(
            &user,
            "address_changed",
            |locale| notify::address_changed(locale, &masked),
            now,
        )
        .await?;
        self.audit(
            Actor::User(user_id.to_owned()),
            "address.changed",
            user_id,
            masked.clone(),
        )
        .await?;
        Ok(())
    }

    /// Gives a step-up token for `action` after a fresh second factor: the TOTP (or a recovery
    /// code) when the account has one, else a code sent to its address — the first call sends
    /// it, the second passes it in `code`.
    pub async fn start_step_up(
        &self,
        user_id: &str,
        action: StepUpAction,
        code: Option<&str>,
        now: UnixSeconds,
    ) -> Result<StepUpStart, StartStepUpError> {
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or(StartStepUpError::NoAccount)?;
        let subject = format!("{}:{}", user.id, action.name());
        if self.totp_enabled(user_id).await? {
            self.check_second_factor(user_id, code, now).await?;
        } else {
            let Some(candidate) = code.map(str::trim).filter(|code| !code.is_empty()) else {
                let address = user.email.as_ref().or(user.phone.as_ref()).cloned();
                let Some(address) = address else {
                    return Err(StartStepUpError::NoAccount);
                };
                let login = Login::parse(&address).map_err(|_| StartStepUpError::NoAccount)?;
                let issued = self.issue_code(CodePurpose::StepUp, &subject, now).await?;
                let minutes_valid = self.rules().codes.lifetime_s / 60;
                let text = notify::step_up_code(&user.locale, issued.as_str(), minutes_valid);
                let channel = Channel::for_login(&login);
                self.store()
                    .enqueue(&OutboundMessage::new(
                        channel,
                        login.as_str(),
                        &user.locale,
                        text,
                        now,
                    ))
                    .await?;
                return Ok(StepUpStart::CodeSent { channel });
            };
            let stored = self
                .store()
                .code(CodePurpose::StepUp, &subject)
                .await?
                .ok_or(StartStepUpError::NoLiveCode)?;
            let rules = self.rules();
            match rules.codes.check(&rules.code_key, &stored, candidate, now) {
                Ok(()) => {
                    self.store()
                        .delete_code(CodePurpose::StepUp, &subject)
                        .await?;
                }
                Err(refusal) => {
                    if matches!(refusal, CodeRefusal::Wrong { .. }) {
                        self.store()
                            .set_code_attempts(
                                CodePurpose::StepUp,
                                &subject,
                                stored.attempts.saturating_add(1),
                            )
                            .await?;
                    }
                    return Err(refusal.into());
                }
            }
        }
        let token = new_session_token();
        let expires_at = now + STEP_UP_TTL_S;
        self.store()
            .insert_token(&ActionToken {
                digest: token_digest(&token),
                purpose: TokenPurpose::StepUp,
                owner: user_id.to_owned(),
                action: action.name().to_owned(),
                detail: String::new(),
                created_at: now,
                expires_at,
                used_at: None,
            })
            .await?;
        self.audit(
            Actor::User(user_id.to_owned()),
            "step_up.granted",
            user_id,
            action.name().to_owned(),
        )
        .await?;
        Ok(StepUpStart::Granted { token, expires_at })
    }

    /// Passes only with a live, unused step-up token given to `user_id` for `action`, and uses
    /// it up. The wallet calls this before large movements.
    pub async fn require_step_up(
        &self,
        user_id: &str,
        action: StepUpAction,
        token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<(), StepUpError> {
        let Some(token) = token.map(str::trim).filter(|token| !token.is_empty()) else {
            return Err(StepUpError::Required { action });
        };
        let digest = token_digest(token);
        let Some(stored) = self.store().token(&digest, TokenPurpose::StepUp).await? else {
            return Err(StepUpError::Invalid { action });
        };
        // A token for another user or action is refused without being used up.
        if stored.owner != user_id || stored.action != action.name() {
            return Err(StepUpError::Invalid { action });
        }
        if self
            .store()
            .use_token(&digest, TokenPurpose::StepUp, now)
            .await?
        {
            Ok(())
        } else {
            Err(StepUpError::Invalid { action })
        }
    }

    /// The live sessions of `user_id`, most recently used first.
    pub async fn sessions(
        &self,
        user_id: &str,
        now: UnixSeconds,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rules = self.rules();
        Ok(self
            .store()
            .live_sessions(user_id, LISTING_MAX)
            .await?
            .into_iter()
            .filter(|session| {
                now - session.last_seen_at < rules.session_idle_s
                    && now - session.created_at < rules.session_absolute_s
            })
            .collect())
    }

    /// Ends one of the user's own sessions; false when it is not theirs or already ended.
    pub async fn revoke_session(
        &self,
        user_id: &str,
        session_id: &str,
        now: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let revoked = self
            .store()
            .revoke_own_session(user_id, session_id, now)
            .await?;
        if revoked {
            self.audit(
                Actor::User(user_id.to_owned()),
                "session.revoked",
                user_id,
                session_id.to_owned(),
            )
            .await?;
        }
        Ok(revoked)
    }

    /// The newest sign-in attempts first.
    pub async fn login_history(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<SignInAttempt>, StoreError> {
        self.store()
            .sign_in_history(user_id, limit.clamp(1, LISTING_MAX))
            .await
    }

    /// After a sign-in: when earlier sign-ins exist and none came from this device (user agent)
    /// or none from this network, the owner gets an alert with a "this wasn't me" link.
    pub(crate) async fn alert_if_new_device(
        &self,
        user: &UserRecord,
        client: &Client,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        let history = self
            .store()
            .sign_in_history(&user.id, DEVICE_HISTORY_ROWS)
            .await?;
        // The newest successful sign-in is this one.
        let earlier: Vec<&SignInAttempt> = history
            .iter()
            .filter(|attempt| attempt.outcome == SignInOutcome::SignedIn)
            .skip(1)
            .collect();
        if earlier.is_empty() {
            return Ok(());
        }
        let network = network_of(&client.ip);
        let known_device = earlier
            .iter()
            .any(|attempt| attempt.user_agent == client.user_agent);
        let known_network = earlier
            .iter()
            .any(|attempt| network_of(&attempt.ip) == network);
        if known_device && known_network {
            return Ok(());
        }
        let token = new_session_token();
        let at = crate::calendar::rfc3339_utc(now);
        self.store()
            .insert_token(&ActionToken {
                digest: token_digest(&token),
                purpose: TokenPurpose::NotMe,
                owner: user.id.clone(),
                action: String::new(),
                detail: format!("{at} {} {}", client.ip, client.user_agent),
                created_at: now,
                expires_at: now + NOT_ME_TTL_S,
                used_at: None,
            })
            .await?;
        let url = format!("{}/not-me/{token}", self.rules().public_url);
        let device: String = client.user_agent.chars().take(120).collect();
        self.notify_user(
            user,
            "new_sign_in",
            |locale| notify::new_sign_in(locale, &at, &client.ip, &device, &url),
            now,
        )
        .await?;
        self.audit(
            Actor::System,
            "sign_in.new_device_alert",
            &user.id,
            format!("ip={}", client.ip),
        )
        .await
    }

    /// What a "this wasn't me" link is about, without using it.
    pub async fn not_me_preview(
        &self,
        token: &str,
        now: UnixSeconds,
    ) -> Result<NotMePreview, NotMeError> {
        let stored = self
            .store()
            .token(&token_digest(token), TokenPurpose::NotMe)
            .await?
            .filter(|stored| stored.expires_at > now)
            .ok_or(NotMeError::Unknown)?;
        Ok(NotMePreview {
            user_id: stored.owner,
            sign_in: stored.detail,
            already_used: stored.used_at.is_some(),
        })
    }

    /// Freezes the account a "this wasn't me" link belongs to, at once. Using the link again
    /// changes nothing.
    pub async fn not_me_confirm(&self, token: &str, now: UnixSeconds) -> Result<(), NotMeError> {
        let preview = self.not_me_preview(token, now).await?;
        if self
            .store()
            .use_token(&token_digest(token), TokenPurpose::NotMe, now)
            .await?
        {
            self.freeze(&preview.user_id, FreezeSource::NotMeLink, now)
                .await?;
        }
        Ok(())
    }

    /// Freezes an account at once: every session ends, sign-in is refused with
    /// `account_frozen`, and no money leaves until the security team unfreezes it.
    pub async fn freeze(
        &self,
        user_id: &str,
        source: FreezeSource,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        let user = self.user(user_id).await?;
        self.store()
            .set_user_status(user_id, UserStatus::Frozen, None)
            .await?;
        self.store().revoke_sessions(user_id, None, now).await?;
        if user.status != UserStatus::Frozen {
            self.notify_user(&user, "account_frozen", notify::account_frozen, now)
                .await?;
        }
        let via = match source {
            FreezeSource::Owner => "owner",
            FreezeSource::NotMeLink => "not_me_link",
            FreezeSource::StolenReport => "stolen_report",
        };
        self.audit(
            Actor::User(user_id.to_owned()),
            "account.frozen",
            user_id,
            format!("via={via}"),
        )
        .await
    }

    /// Whether money may leave `user_id`'s wallet: not when the account is frozen or not active.
    /// The wallet calls this before every outgoing movement.
    pub async fn ensure_may_move_money_out(&self, user_id: &str) -> Result<(), MoneyOutRefusal> {
        match self.store().user_by_id(user_id).await? {
            Some(user) if user.status == UserStatus::Active => Ok(()),
            Some(user) if user.status == UserStatus::Frozen => Err(MoneyOutRefusal::Frozen),
            _ => Err(MoneyOutRefusal::NotActive),
        }
    }

    /// The message center, newest first.
    pub async fn notices(
        &self,
        user_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<Notice>, StoreError> {
        self.store().notices(user_id, limit, starting_after).await
    }

    pub async fn unread_notices(&self, user_id: &str) -> Result<i64, StoreError> {
        self.store().unread_notices(user_id).await
    }

    /// Marks one notice (or every one) read; how many changed.
    pub async fn mark_notices_read(
        &self,
        user_id: &str,
        notice_id: Option<&str>,
        now: UnixSeconds,
    ) -> Result<u64, StoreError> {
        self.store()
            .mark_notices_read(user_id, notice_id, now)
            .await
    }
}

/// Who an owner id names in the audit log.
pub(crate) fn actor_of(owner: &str) -> Actor {
    if owner.starts_with("stf_") {
        Actor::Staff(owner.to_owned())
    } else {
        Actor::User(owner.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_the_first_three_ipv4_octets_or_four_ipv6_groups() {
        assert_eq!(network_of("203.0.113.7"), "203.0.113");
        assert_eq!(network_of("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2");
        assert_eq!(network_of(""), "");
    }

    #[test]
    fn every_step_up_action_reads_back_from_its_name() {
        for action in StepUpAction::ALL {
            assert_eq!(StepUpAction::parse(action.name()), Some(action));
        }
        assert_eq!(StepUpAction::parse("nonsense"), None);
    }
}
