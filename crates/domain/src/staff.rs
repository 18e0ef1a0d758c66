//! Staff accounts: roles with least privilege, set-up by one-time link, sign-in with password and
//! TOTP always, and the security team's actions on user accounts (unlock, unfreeze), each with a
//! written reason in the audit log.

use crate::audit::Actor;
use crate::identity::accounts::{AccountsStore, new_session_token, token_digest};
use crate::identity::security::{SecondFactorError, TotpError, TotpSetup};
use crate::identity::{
    Accounts, ActionToken, Client, EmailAddress, Lock, Login, PasswordDigest, PasswordRefusal,
    SessionRecord, SignInAttempt, TokenPurpose, UnixSeconds, UserRecord, UserStatus,
};
use crate::ids::new_id;
use crate::notify;
use crate::store_port::StoreError;

/// A set-up link works this long.
pub const STAFF_SETUP_TTL_S: i64 = 72 * 60 * 60;
/// How far back a user's status shows locks.
const LOCK_HISTORY_S: i64 = 30 * 24 * 60 * 60;
/// The longest reason a staff member may write.
pub const REASON_CHARS_MAX: usize = 2_000;

/// What a staff member does; each role sees and does only what its work needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffRole {
    Admin,
    Agent,
    Security,
    Risk,
    Finance,
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] = [
        StaffRole::Admin,
        StaffRole::Agent,
        StaffRole::Security,
        StaffRole::Risk,
        StaffRole::Finance,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Agent => "agent",
            StaffRole::Security => "security",
            StaffRole::Risk => "risk",
            StaffRole::Finance => "finance",
        }
    }

    pub fn parse(name: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|role| role.name() == name)
    }

    /// Whether this role may do `permission`.
    pub const fn may(self, permission: StaffPermission) -> bool {
        match permission {
            // Support, security and risk answer questions about a user's sign-in; finance and
            // admins have no need to read it.
            StaffPermission::ViewUserSecurity => matches!(
                self,
                StaffRole::Agent | StaffRole::Security | StaffRole::Risk
            ),
            StaffPermission::UnlockAndUnfreeze => matches!(self, StaffRole::Security),
            // What users are told about OKPay itself: announcements and contact channels.
            StaffPermission::EditAnnouncements | StaffPermission::EditContactChannels => {
                matches!(self, StaffRole::Admin)
            }
            StaffPermission::ReviewScamReports => {
                matches!(self, StaffRole::Security | StaffRole::Admin)
            }
            StaffPermission::ModerateCommunity => {
                matches!(self, StaffRole::Agent | StaffRole::Admin)
            }
            // Agents answer tickets; security staff take the stolen-account ones.
            StaffPermission::HandleTickets => {
                matches!(self, StaffRole::Agent | StaffRole::Security)
            }
            // Money leaves OKPay only when finance has looked at it.
            StaffPermission::ReviewWithdrawals => matches!(self, StaffRole::Finance),
            // Slowing or downing the simulated processor and rail affects every user's payments.
            StaffPermission::SwitchSimulatedRail => matches!(self, StaffRole::Admin),
            // What the platform tells people and charges them: admins only.
            StaffPermission::ReadOutbox
            | StaffPermission::EditRatesAndFees
            | StaffPermission::EditHelpArticles => matches!(self, StaffRole::Admin),
            // Identity documents are read by the risk team alone.
            StaffPermission::ReviewKyc => matches!(self, StaffRole::Risk),
            // Whoever answers a user about their money reads their transactions; admins, who
            // set rates and fees, have no need to.
            // Who the staff are (their names) is kept by admins.
            StaffPermission::ManageStaff => matches!(self, StaffRole::Admin),
            StaffPermission::ViewUserTransactions => matches!(
                self,
                StaffRole::Agent | StaffRole::Security | StaffRole::Risk | StaffRole::Finance
            ),
        }
    }
}

/// Something a staff route lets its caller do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffPermission {
    /// Find a user and see their status, locks and login history.
    ViewUserSecurity,
    /// Lift a sign-in lock or an emergency freeze.
    UnlockAndUnfreeze,
    /// Publish and edit maintenance and incident notices.
    EditAnnouncements,
    /// Change the hotlines, addresses, sites and accounts users are told are ours.
    EditContactChannels,
    /// Confirm or reject users' scam reports.
    ReviewScamReports,
    /// Hide, show and lock community posts; give badges.
    ModerateCommunity,
    /// Work the ticket queue: read customers' tickets, reply, write internal notes, set status.
    HandleTickets,
    /// Approve or reject withdrawals waiting in the review queue.
    ReviewWithdrawals,
    /// Make the simulated card processor and bank rail slow or down, and normal again.
    SwitchSimulatedRail,
    /// Read the outbox: every e-mail and SMS, its language and delivery.
    ReadOutbox,
    /// Edit FX rates and publish fee schedules.
    EditRatesAndFees,
    /// Edit and publish help-center articles.
    EditHelpArticles,
    /// Read users' identity documents and approve or reject them.
    ReviewKyc,
    /// Read one of a user's transactions: amount, status, timeline, failure, counterparties.
    ViewUserTransactions,
    /// List the staff and change their display names.
    ManageStaff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffStatus {
    /// Made at the command line; the set-up link has not been used yet.
    PendingSetup,
    Active,
    Disabled,
}

impl StaffStatus {
    pub const fn name(self) -> &'static str {
        match self {
            StaffStatus::PendingSetup => "pending_setup",
            StaffStatus::Active => "active",
            StaffStatus::Disabled => "disabled",
        }
    }

    pub fn parse(name: &str) -> Option<StaffStatus> {
        [
            StaffStatus::PendingSetup,
            StaffStatus::Active,
            StaffStatus::Disabled,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

/// The most staff members one listing reads: a back office, not a directory.
pub const STAFF_MEMBERS_MAX: i64 = 1_000;
/// The longest name a staff member may be given, in characters.
pub const STAFF_NAME_CHARS_MAX: usize = 64;

/// A staff member's name as colleagues know them (`王芳`, `Wang Fang`): trimmed, 1 to
/// [`STAFF_NAME_CHARS_MAX`] characters, no control characters. `None` for a blank one.
pub fn staff_name(name: &str) -> Result<Option<String>, StaffCreateError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > STAFF_NAME_CHARS_MAX || name.chars().any(char::is_control) {
        return Err(StaffCreateError::InvalidName(name.to_owned()));
    }
    Ok(Some(name.to_owned()))
}

/// A staff member as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRecord {
    /// `stf_…`.
    pub id: String,
    pub email: String,
    /// Their name (`王芳`, `Wang Fang`); `None` for a member added without one, who is named by
    /// e-mail address instead.
    pub name: Option<String>,
    pub role: StaffRole,
    /// Argon2id PHC string; `None` until set-up.
    pub password_hash: Option<String>,
    pub status: StaffStatus,
    pub locale: String,
    pub created_at: UnixSeconds,
}

impl StaffRecord {
    /// How pages name the member to colleagues: their name, else their e-mail address, which
    /// people recognise too, where the `stf_…` id means nothing.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|name| !name.is_empty())
            .unwrap_or(&self.email)
    }
}

/// A new staff member and the one-time link that finishes their set-up.
#[derive(Debug)]
pub struct StaffCreated {
    pub staff: StaffRecord,
    pub setup_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffCreateError {
    #[error("{0} is not an e-mail address")]
    InvalidEmail(String),
    #[error("{0:?} is not a name: 1 to 64 characters, no control characters")]
    InvalidName(String),
    #[error("a staff member with this e-mail already exists")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a staff member's name was not changed.
#[derive(Debug, thiserror::Error)]
pub enum StaffRenameError {
    #[error("{0:?} is not a name: 1 to 64 characters, no control characters")]
    InvalidName(String),
    #[error("no such staff member")]
    NoSuchMember,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a set-up link shows: who it is for and the TOTP secret to enrol.
#[derive(Debug)]
pub struct StaffSetupStart {
    pub email: String,
    pub role: StaffRole,
    pub totp: TotpSetup,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffSetupError {
    #[error("the set-up link is unknown, used or expired")]
    UnknownLink,
    #[error(transparent)]
    WeakPassword(#[from] PasswordRefusal),
    #[error(transparent)]
    Totp(#[from] TotpError),
    #[error("the password could not be hashed")]
    Hashing,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum StaffSignInError {
    #[error("the e-mail, password or code is wrong")]
    InvalidCredentials,
    #[error("the staff member's TOTP code is required")]
    SecondFactorRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A staff session, authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffAuthenticated {
    pub staff_id: String,
    /// [`StaffRecord::display_name`], for the back-office header.
    pub display_name: String,
    pub role: StaffRole,
    pub session_id: String,
}

/// A fresh staff session token, shown once.
#[derive(Debug)]
pub struct StaffSignedIn {
    pub token: String,
    pub staff: StaffRecord,
}

/// What the security team sees of a user.
#[derive(Debug)]
pub struct UserSecurityStatus {
    pub user: UserRecord,
    pub totp_enabled: bool,
    /// Locks of the last 30 days, oldest first.
    pub locks: Vec<Lock>,
    /// The lock in force now, if any.
    pub active_lock: Option<Lock>,
    pub history: Vec<SignInAttempt>,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffActionError {
    #[error("no such user")]
    NoSuchUser,
    #[error("a written reason is required")]
    ReasonRequired,
    #[error("the account is not frozen")]
    NotFrozen,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<S: AccountsStore> Accounts<S> {
    /// Adds a staff member (at the command line), named `name` when given (else by e-mail
    /// address), and makes their one-time set-up link token.
    pub async fn create_staff(
        &self,
        email: &str,
        name: Option<&str>,
        role: StaffRole,
        locale: &str,
        now: UnixSeconds,
    ) -> Result<StaffCreated, StaffCreateError> {
        let email = EmailAddress::parse(email)
            .map_err(|_| StaffCreateError::InvalidEmail(email.to_owned()))?;
        let name = match name {
            Some(name) => staff_name(name)?,
            None => None,
        };
        let staff = StaffRecord {
            id: new_id("stf"),
            email: email.as_str().to_owned(),
            name,
            role,
            password_hash: None,
            status: StaffStatus::PendingSetup,
            locale: locale.to_owned(),
            created_at: now,
        };
        match self.store().insert_staff(&staff).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => return Err(StaffCreateError::Taken),
            Err(error) => return Err(error.into()),
        }
        let token = new_session_token();
        self.store()
            .insert_token(&ActionToken {
                digest: token_digest(&token),
                purpose: TokenPurpose::StaffSetup,
                owner: staff.id.clone(),
                action: String::new(),
                detail: String::new(),
                created_at: now,
                expires_at: now + STAFF_SETUP_TTL_S,
                used_at: None,
            })
            .await?;
        let url = format!("{}/staff/setup/{token}", self.rules().public_url);
        let text = notify::staff_setup(locale, &url);
        self.store()
            .enqueue(&notify::OutboundMessage::new(
                notify::Channel::Email,
                &staff.email,
                locale,
                text,
                now,
            ))
            .await?;
        self.audit(
            Actor::System,
            "staff.created",
            &staff.id,
            match &staff.name {
                Some(name) => format!("email={} role={} name={name}", staff.email, role.name()),
                None => format!("email={} role={}", staff.email, role.name()),
            },
        )
        .await?;
        Ok(StaffCreated {
            staff,
            setup_token: token,
        })
    }

    async fn staff_of_setup_link(
        &self,
        token: &str,
        now: UnixSeconds,
    ) -> Result<StaffRecord, StaffSetupError> {
        let stored = self
            .store()
            .token(&token_digest(token), TokenPurpose::StaffSetup)
            .await?
            .filter(|stored| stored.used_at.is_none() && stored.expires_at > now)
            .ok_or(StaffSetupError::UnknownLink)?;
        self.store()
            .staff_by_id(&stored.owner)
            .await?
            .filter(|staff| staff.status == StaffStatus::PendingSetup)
            .ok_or(StaffSetupError::UnknownLink)
    }

    /// Opens a set-up link: a fresh TOTP secret to enrol (each visit replaces the last).
    pub async fn staff_setup_start(
        &self,
        token: &str,
        now: UnixSeconds,
    ) -> Result<StaffSetupStart, StaffSetupError> {
        let staff = self.staff_of_setup_link(token, now).await?;
        let totp = self.totp_setup(&staff.id, &staff.email, now).await?;
        Ok(StaffSetupStart {
            email: staff.email,
            role: staff.role,
            totp,
        })
    }

    /// Finishes set-up: the password and the first TOTP code; the link is then used up.
    /// Returns the recovery codes.
    pub async fn staff_setup_finish(
        &self,
        token: &str,
        password: &str,
        totp_code: &str,
        now: UnixSeconds,
    ) -> Result<Vec<String>, StaffSetupError> {
        let staff = self.staff_of_setup_link(token, now).await?;
        let login = Login::parse(&staff.email).map_err(|_| StaffSetupError::UnknownLink)?;
        self.rules()
            .passwords
            .check(password, std::slice::from_ref(&login))?;
        let codes = self.enable_second_factor(&staff.id, totp_code, now).await?;
        if !self
            .store()
            .use_token(&token_digest(token), TokenPurpose::StaffSetup, now)
            .await?
        {
            return Err(StaffSetupError::UnknownLink);
        }
        let digest = self
            .hashing()
            .hash(password)
            .await
            .map_err(|_| StaffSetupError::Hashing)?;
        self.store()
            .activate_staff(&staff.id, digest.as_phc())
            .await?;
        self.audit(
            Actor::Staff(staff.id.clone()),
            "staff.set_up",
            &staff.id,
            String::new(),
        )
        .await?;
        Ok(codes)
    }

    /// Staff sign in with e-mail, password and TOTP code, always. Unknown e-mails cost a dummy
    /// password check.
    pub async fn staff_sign_in(
        &self,
        email: &str,
        password: &str,
        totp_code: Option<&str>,
        client: &Client,
        now: UnixSeconds,
    ) -> Result<StaffSignedIn, StaffSignInError> {
        let staff = match EmailAddress::parse(email) {
            Ok(email) => self.store().staff_by_email(email.as_str()).await?,
            Err(_) => None,
        }
        .filter(|staff| staff.status == StaffStatus::Active);
        let digest = staff
            .as_ref()
            .and_then(|staff| staff.password_hash.clone())
            .and_then(|phc| PasswordDigest::from_phc(phc).ok());
        let matched = self.hashing().verify(password, digest.as_ref()).await;
        let (Some(staff), true) = (staff, matched) else {
            return Err(StaffSignInError::InvalidCredentials);
        };
        // A staff account always has TOTP; one somehow without it is refused, never let in.
        if !self.totp_enabled(&staff.id).await? {
            return Err(StaffSignInError::InvalidCredentials);
        }
        match self.check_second_factor(&staff.id, totp_code, now).await {
            Ok(()) => {}
            Err(SecondFactorError::Required) => return Err(StaffSignInError::SecondFactorRequired),
            Err(SecondFactorError::Invalid) => {
                self.audit(
                    Actor::Staff(staff.id.clone()),
                    "staff.sign_in.failed",
                    &staff.id,
                    format!("totp_invalid ip={}", client.ip),
                )
                .await?;
                return Err(StaffSignInError::InvalidCredentials);
            }
            Err(SecondFactorError::Store(error)) => return Err(error.into()),
        }
        let token = new_session_token();
        self.store()
            .insert_staff_session(&SessionRecord {
                id: new_id("sss"),
                token_hash: token_digest(&token),
                user_id: staff.id.clone(),
                created_at: now,
                last_seen_at: now,
                revoked_at: None,
                ip: client.ip.clone(),
                user_agent: client.user_agent.clone(),
            })
            .await?;
        self.audit(
            Actor::Staff(staff.id.clone()),
            "staff.sign_in",
            &staff.id,
            format!("ip={}", client.ip),
        )
        .await?;
        Ok(StaffSignedIn { token, staff })
    }

    /// The live staff session a token belongs to, with the member's current role.
    pub async fn authenticate_staff(
        &self,
        token: &str,
        now: UnixSeconds,
    ) -> Result<Option<StaffAuthenticated>, StoreError> {
        let Some(session) = self
            .store()
            .staff_session_by_token_hash(&token_digest(token))
            .await?
        else {
            return Ok(None);
        };
        let rules = self.rules();
        if session.revoked_at.is_some()
            || now - session.last_seen_at >= rules.session_idle_s
            || now - session.created_at >= rules.session_absolute_s
        {
            return Ok(None);
        }
        let Some(staff) = self
            .store()
            .staff_by_id(&session.user_id)
            .await?
            .filter(|staff| staff.status == StaffStatus::Active)
        else {
            return Ok(None);
        };
        if now - session.last_seen_at >= 60 {
            self.store().touch_staff_session(&session.id, now).await?;
        }
        Ok(Some(StaffAuthenticated {
            display_name: staff.display_name().to_owned(),
            staff_id: staff.id,
            role: staff.role,
            session_id: session.id,
        }))
    }

    pub async fn staff_sign_out(
        &self,
        session_id: &str,
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        self.store().revoke_staff_session(session_id, now).await
    }

    /// A user by id (`usr_…`), e-mail address or phone number.
    /// Writes a staff member's change (an FX rate, a fee schedule, an article) to the audit log.
    pub async fn record_staff_action(
        &self,
        staff_id: &str,
        action: &'static str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.store()
            .append_audit(&[crate::audit::AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action,
                subject: subject.to_owned(),
                detail: detail.to_owned(),
            }])
            .await
    }

    /// An admin gives a staff member the name colleagues know them by, or, with a blank one,
    /// takes it away (they are named by e-mail address again). Checked as `okpay staff create
    /// --name` checks it, and written to the audit log.
    pub async fn rename_staff(
        &self,
        admin_id: &str,
        staff_id: &str,
        name: &str,
    ) -> Result<StaffRecord, StaffRenameError> {
        let name = staff_name(name).map_err(|error| match error {
            StaffCreateError::InvalidName(name) => StaffRenameError::InvalidName(name),
            StaffCreateError::Store(error) => StaffRenameError::Store(error),
            StaffCreateError::InvalidEmail(_) | StaffCreateError::Taken => {
                unreachable!("a name check refuses only the name")
            }
        })?;
        if !self
            .store()
            .set_staff_name(staff_id, name.as_deref())
            .await?
        {
            return Err(StaffRenameError::NoSuchMember);
        }
        self.record_staff_action(
            admin_id,
            "staff.renamed",
            staff_id,
            name.as_deref().unwrap_or(""),
        )
        .await?;
        self.store()
            .staff_by_id(staff_id)
            .await?
            .ok_or(StaffRenameError::NoSuchMember)
    }

    /// The newest outbox messages with their delivery, for the admins' outbox page.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<notify::OutboxEntry>, StoreError> {
        self.store().outbox_entries(limit.clamp(1, 500)).await
    }

    /// Every staff member (up to [`STAFF_MEMBERS_MAX`]), ordered by e-mail.
    pub async fn staff_members(&self) -> Result<Vec<StaffRecord>, StoreError> {
        self.store().staff_members(STAFF_MEMBERS_MAX).await
    }

    pub async fn find_user(&self, query: &str) -> Result<Option<UserRecord>, StoreError> {
        let query = query.trim();
        if query.starts_with("usr_") {
            return self.store().user_by_id(query).await;
        }
        match Login::parse(query) {
            Ok(login) => self.store().user_by_login(login.as_str()).await,
            Err(_) => Ok(None),
        }
    }

    /// A user's status, locks and login history, for the security team; the viewing is audited.
    pub async fn user_security_status(
        &self,
        staff_id: &str,
        user_id: &str,
        now: UnixSeconds,
    ) -> Result<UserSecurityStatus, StaffActionError> {
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or(StaffActionError::NoSuchUser)?;
        let locks = self
            .store()
            .locks_since(user_id, now - LOCK_HISTORY_S)
            .await?;
        let active_lock = locks.iter().rev().find(|lock| lock.until > now).copied();
        let history = self.login_history(user_id, 50).await?;
        let totp_enabled = self.totp_enabled(user_id).await?;
        self.audit(
            Actor::Staff(staff_id.to_owned()),
            "staff.viewed_user",
            user_id,
            String::new(),
        )
        .await?;
        Ok(UserSecurityStatus {
            user,
            totp_enabled,
            locks,
            active_lock,
            history,
        })
    }

    fn checked_reason(reason: &str) -> Result<String, StaffActionError> {
        let reason: String = reason.trim().chars().take(REASON_CHARS_MAX).collect();
        if reason.chars().count() < 5 {
            return Err(StaffActionError::ReasonRequired);
        }
        Ok(reason)
    }

    /// Lifts every running sign-in lock of a user, with a written reason.
    pub async fn staff_unlock(
        &self,
        staff_id: &str,
        user_id: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<(), StaffActionError> {
        let reason = Self::checked_reason(reason)?;
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or(StaffActionError::NoSuchUser)?;
        self.store().end_locks(user_id, now).await?;
        self.notify_user(
            &user,
            "account_unlocked",
            |locale| notify::account_restored(locale, false),
            now,
        )
        .await?;
        self.audit(
            Actor::Staff(staff_id.to_owned()),
            "account.unlocked",
            user_id,
            reason,
        )
        .await?;
        Ok(())
    }

    /// Unfreezes a frozen account after the security team confirmed who its owner is.
    pub async fn staff_unfreeze(
        &self,
        staff_id: &str,
        user_id: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<(), StaffActionError> {
        let reason = Self::checked_reason(reason)?;
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or(StaffActionError::NoSuchUser)?;
        if user.status != UserStatus::Frozen {
            return Err(StaffActionError::NotFrozen);
        }
        self.store()
            .set_user_status(user_id, UserStatus::Active, None)
            .await?;
        self.notify_user(
            &user,
            "account_unfrozen",
            |locale| notify::account_restored(locale, true),
            now,
        )
        .await?;
        self.audit(
            Actor::Staff(staff_id.to_owned()),
            "account.unfrozen",
            user_id,
            reason,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_security_role_unlocks_and_unfreezes() {
        for role in StaffRole::ALL {
            assert_eq!(
                role.may(StaffPermission::UnlockAndUnfreeze),
                role == StaffRole::Security,
                "{role:?}"
            );
            assert_eq!(StaffRole::parse(role.name()), Some(role));
        }
        assert!(!StaffRole::Finance.may(StaffPermission::ViewUserSecurity));
        assert!(StaffRole::Agent.may(StaffPermission::ViewUserSecurity));
    }

    #[test]
    fn only_admins_manage_the_staff() {
        for role in StaffRole::ALL {
            assert_eq!(
                role.may(StaffPermission::ManageStaff),
                role == StaffRole::Admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn every_role_but_admin_reads_a_user_s_transactions() {
        for role in StaffRole::ALL {
            assert_eq!(
                role.may(StaffPermission::ViewUserTransactions),
                role != StaffRole::Admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_staff_member_is_named_by_their_name_else_by_their_e_mail_address() {
        let mut staff = StaffRecord {
            id: "stf_1".into(),
            email: "wang.fang@okpay.example".into(),
            name: Some("王芳".into()),
            role: StaffRole::Agent,
            password_hash: None,
            status: StaffStatus::Active,
            locale: "zh-CN".into(),
            created_at: 0,
        };
        assert_eq!(staff.display_name(), "王芳");
        staff.name = None;
        assert_eq!(staff.display_name(), "wang.fang@okpay.example");
        staff.name = Some(String::new());
        assert_eq!(staff.display_name(), "wang.fang@okpay.example");
    }

    #[test]
    fn a_staff_name_is_trimmed_and_a_blank_or_unreadable_one_is_refused_or_dropped() {
        assert_eq!(
            staff_name("  Wang Fang ").ok(),
            Some(Some("Wang Fang".into()))
        );
        assert_eq!(staff_name("王芳").ok(), Some(Some("王芳".into())));
        assert_eq!(staff_name("   ").ok(), Some(None));
        assert!(staff_name("Wang\nFang").is_err());
        assert!(staff_name(&"名".repeat(STAFF_NAME_CHARS_MAX + 1)).is_err());
        assert!(staff_name(&"名".repeat(STAFF_NAME_CHARS_MAX)).is_ok());
    }

    #[test]
    fn only_finance_reviews_withdrawals_and_only_admins_switch_the_simulated_rail() {
        for role in StaffRole::ALL {
            assert_eq!(
                role.may(StaffPermission::ReviewWithdrawals),
                role == StaffRole::Finance,
                "{role:?}"
            );
            assert_eq!(
                role.may(StaffPermission::SwitchSimulatedRail),
                role == StaffRole::Admin,
                "{role:?}"
            );
        }
    }
}
