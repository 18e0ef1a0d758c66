//! Unlock appeals: a locked or frozen user, proving their address with a code instead of signing in, files an appeal with identity documents; the security team approves it (lifting the lock or the freeze, with the written reason, audited) or rejects it with a reason the user reads.

use std::sync::Arc;

use crate::audit::{Actor, AuditEvent};
use crate::documents::{
    DocumentInfo, FileNames, StoredDocument, Upload, UploadRefusal, UploadRules,
};
use crate::identity::accounts::{AccountsStore, token_digest};
use crate::identity::{
    Accounts, BoxFuture, CodePurpose, CodeRefusal, Login, ResetError, UnixSeconds, UserRecord,
    UserStatus,
};
use crate::ids::new_id;
use crate::notify::{self, MessageText, OutboundMessage};
use crate::staff::{REASON_CHARS_MAX, StaffActionError};
use crate::store_port::StoreError;
use crate::tickets::{ATTACHMENT_BYTES_MAX, ATTACHMENTS_MAX};

/// The longest statement a user writes with an appeal.
pub const STATEMENT_CHARS_MAX: usize = 4_000;
/// The most appeals a staff listing returns.
pub const LIST_MAX: i64 = 200;
/// What an appeal carries: at least one identity document, as many and as large as a ticket's
/// attachments.
pub const DOCUMENT_RULES: UploadRules = UploadRules {
    count_max: ATTACHMENTS_MAX,
    bytes_max: ATTACHMENT_BYTES_MAX,
    required: true,
    names: FileNames::AsSent {
        fallback: "document",
    },
    id_prefix: "doc",
};

/// What the user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppealKind {
    /// Lift a running sign-in lock.
    Unlock,
    /// Lift a freeze (the user's own emergency freeze or the security team's).
    LiftRestriction,
}

impl AppealKind {
    pub const fn name(self) -> &'static str {
        match self {
            AppealKind::Unlock => "unlock",
            AppealKind::LiftRestriction => "lift_restriction",
        }
    }

    pub fn parse(name: &str) -> Option<AppealKind> {
        match name {
            "unlock" => Some(AppealKind::Unlock),
            "lift_restriction" => Some(AppealKind::LiftRestriction),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppealStatus {
    Pending,
    Approved,
    Rejected,
}

impl AppealStatus {
    pub const fn name(self) -> &'static str {
        match self {
            AppealStatus::Pending => "pending",
            AppealStatus::Approved => "approved",
            AppealStatus::Rejected => "rejected",
        }
    }

    pub fn parse(name: &str) -> Option<AppealStatus> {
        match name {
            "pending" => Some(AppealStatus::Pending),
            "approved" => Some(AppealStatus::Approved),
            "rejected" => Some(AppealStatus::Rejected),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appeal {
    /// `apl_…`.
    pub id: String,
    pub user_id: String,
    pub kind: AppealKind,
    pub statement: String,
    pub status: AppealStatus,
    /// The staff member's written reason, once decided; the user reads it.
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    /// SHA-256 of the token of the user's status link.
    pub status_token_hash: String,
    pub created_at: UnixSeconds,
    pub decided_at: Option<UnixSeconds>,
}

/// The appeals' storage. Object-safe so the web layer holds it behind `Arc<dyn …>`.
pub trait AppealStore: Send + Sync + 'static {
    fn insert_appeal<'a>(&'a self, appeal: &'a Appeal) -> BoxFuture<'a, Result<(), StoreError>>;
    fn insert_document<'a>(
        &'a self,
        info: &'a DocumentInfo,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn appeal<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Appeal>, StoreError>>;
    /// The user's pending appeal, if any.
    fn pending_appeal_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Appeal>, StoreError>>;
    /// Oldest first, at most `limit`.
    fn appeals<'a>(
        &'a self,
        status: Option<AppealStatus>,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Appeal>, StoreError>>;
    fn documents<'a>(
        &'a self,
        appeal_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>>;
    fn document_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>>;
    /// Records the decision if the appeal is still pending (one conditional update, so two
    /// staff deciding at once cannot both win); false when it was already decided.
    fn decide<'a>(
        &'a self,
        id: &'a str,
        status: AppealStatus,
        reason: &'a str,
        staff_id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    fn appeal_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// What appeals need of the accounts: the code that stands in for signing in, the account's
/// state, lifting a lock or a freeze, and telling the user. Object-safe.
pub trait AppealIdentity: Send + Sync + 'static {
    /// Sends a code to `login` if it is an account's; the same answer if not.
    fn request_appeal_code<'a>(
        &'a self,
        login: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), ResetError>>;
    /// Spends the code and answers the account it proves.
    fn confirm_appeal_code<'a>(
        &'a self,
        login: &'a str,
        code: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<UserRecord, ResetError>>;
    fn appeal_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>>;
    /// Whether a sign-in lock is running on `user_id` at `now`.
    fn appeal_locked<'a>(
        &'a self,
        user_id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    fn appeal_unlock<'a>(
        &'a self,
        staff_id: &'a str,
        user_id: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StaffActionError>>;
    fn appeal_unfreeze<'a>(
        &'a self,
        staff_id: &'a str,
        user_id: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StaffActionError>>;
    fn appeal_notify<'a>(
        &'a self,
        user: &'a UserRecord,
        rejected_reason: Option<&'a str>,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// How long a lock counts as running when looking back for one.
const LOCK_LOOKBACK_S: i64 = 30 * 24 * 60 * 60;

fn appeal_code_text(locale: &str, code: &str, minutes_valid: i64) -> MessageText {
    if locale.starts_with("zh") {
        MessageText {
            subject: "OKPay 申诉验证码".to_owned(),
            body: format!(
                "您正在为被锁定或冻结的账户提交解封申诉，验证码是 {code}，{minutes_valid} 分钟内有效。请勿告诉任何人，OKPay 客服绝不会索要验证码。"
            ),
        }
    } else {
        MessageText {
            subject: "Your OKPay appeal code".to_owned(),
            body: format!(
                "You are filing an appeal to unlock your OKPay account. Your code is {code}, valid for {minutes_valid} minutes. Never share it: OKPay staff never ask for codes."
            ),
        }
    }
}

fn appeal_rejected_text(locale: &str, reason: &str) -> MessageText {
    if locale.starts_with("zh") {
        MessageText {
            subject: "您的 OKPay 申诉未通过".to_owned(),
            body: format!(
                "安全团队审核了您的解封申诉，暂时无法通过。原因：{reason}。您可以补充材料后重新提交申诉，或联系客服。"
            ),
        }
    } else {
        MessageText {
            subject: "Your OKPay appeal was not approved".to_owned(),
            body: format!(
                "The security team reviewed your appeal and could not approve it. Reason: {reason}. You may file a new appeal with more documents, or contact support."
            ),
        }
    }
}

impl<S: AccountsStore> AppealIdentity for Accounts<S> {
    fn request_appeal_code<'a>(
        &'a self,
        login: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), ResetError>> {
        Box::pin(async move {
            let login = Login::parse(login)?;
            let Some(user) = self.store().user_by_login(login.as_str()).await? else {
                return Ok(());
            };
            let code = self
                .issue_code(CodePurpose::Appeal, login.as_str(), now)
                .await?;
            let minutes_valid = self.rules().codes.lifetime_s / 60;
            let message = OutboundMessage::new(
                notify::Channel::for_login(&login),
                login.as_str(),
                &user.locale,
                appeal_code_text(&user.locale, code.as_str(), minutes_valid),
                now,
            );
            self.store()
                .enqueue(&message)
                .await
                .map_err(ResetError::Store)
        })
    }

    fn confirm_appeal_code<'a>(
        &'a self,
        login: &'a str,
        candidate: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<UserRecord, ResetError>> {
        Box::pin(async move {
            let login = Login::parse(login)?;
            let purpose = CodePurpose::Appeal;
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
                        .set_code_attempts(
                            purpose,
                            login.as_str(),
                            stored.attempts.saturating_add(1),
                        )
                        .await?;
                }
                return Err(refusal.into());
            }
            self.store().delete_code(purpose, login.as_str()).await?;
            Ok(user)
        })
    }

    fn appeal_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>> {
        Box::pin(self.store().user_by_id(user_id))
    }

    fn appeal_locked<'a>(
        &'a self,
        user_id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let locks = self
                .store()
                .locks_since(user_id, now - LOCK_LOOKBACK_S)
                .await?;
            Ok(locks.iter().any(|lock| lock.until > now))
        })
    }

    fn appeal_unlock<'a>(
        &'a self,
        staff_id: &'a str,
        user_id: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StaffActionError>> {
        Box::pin(self.staff_unlock(staff_id, user_id, reason, now))
    }

    fn appeal_unfreeze<'a>(
        &'a self,
        staff_id: &'a str,
        user_id: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StaffActionError>> {
        Box::pin(self.staff_unfreeze(staff_id, user_id, reason, now))
    }

    fn appeal_notify<'a>(
        &'a self,
        user: &'a UserRecord,
        rejected_reason: Option<&'a str>,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match rejected_reason {
                Some(reason) => {
                    self.notify_user(
                        user,
                        "appeal_rejected",
                        |locale| appeal_rejected_text(locale, reason),
                        now,
                    )
                    .await
                }
                // Approval is told by the unlock or unfreeze itself.
                None => Ok(()),
            }
        })
    }
}

/// What filing an appeal needs besides the documents.
#[derive(Clone, Debug, Default)]
pub struct NewAppeal {
    pub login: String,
    pub code: String,
    pub kind: String,
    pub statement: String,
    pub documents: Vec<Upload>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppealError {
    #[error("unknown appeal kind")]
    InvalidKind,
    #[error("{0} is empty or too long")]
    InvalidText(&'static str),
    /// None attached, too many, one too large, or one that is not PNG, JPEG or PDF.
    #[error("documents refused: {0}")]
    Documents(#[from] UploadRefusal),
    #[error("the account is neither locked nor frozen")]
    NotNeeded,
    #[error("an appeal is already waiting")]
    AlreadyOpen,
    #[error("the appeal was already decided")]
    AlreadyDecided,
    #[error("a written reason is required")]
    ReasonRequired,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Code(#[from] ResetError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StaffActionError> for AppealError {
    fn from(error: StaffActionError) -> AppealError {
        match error {
            StaffActionError::NoSuchUser => AppealError::NotFound,
            StaffActionError::ReasonRequired => AppealError::ReasonRequired,
            // Unfrozen meanwhile (by another path): nothing left to lift.
            StaffActionError::NotFrozen => AppealError::NotNeeded,
            StaffActionError::Store(error) => AppealError::Store(error),
        }
    }
}

fn checked_reason(reason: &str) -> Result<String, AppealError> {
    let reason: String = reason.trim().chars().take(REASON_CHARS_MAX).collect();
    if reason.chars().count() < 5 {
        return Err(AppealError::ReasonRequired);
    }
    Ok(reason)
}

/// An appeal with its documents, as staff review it.
#[derive(Clone, Debug)]
pub struct AppealCase {
    pub appeal: Appeal,
    pub documents: Vec<DocumentInfo>,
    pub user: Option<UserRecord>,
}

/// The appeal use cases.
#[derive(Clone)]
pub struct Appeals {
    store: Arc<dyn AppealStore>,
    identity: Arc<dyn AppealIdentity>,
}

impl Appeals {
    pub fn new(store: Arc<dyn AppealStore>, identity: Arc<dyn AppealIdentity>) -> Appeals {
        Appeals { store, identity }
    }

    pub async fn request_code(&self, login: &str, now: UnixSeconds) -> Result<(), AppealError> {
        Ok(self.identity.request_appeal_code(login, now).await?)
    }

    /// Files an appeal; answers it and the token of its status link (shown once). Everything
    /// is checked before the code is spent, so a refused file does not cost the code.
    pub async fn file(
        &self,
        request: NewAppeal,
        now: UnixSeconds,
    ) -> Result<(Appeal, String), AppealError> {
        let kind = AppealKind::parse(request.kind.trim()).ok_or(AppealError::InvalidKind)?;
        let statement = request.statement.trim();
        if statement.is_empty() || statement.chars().count() > STATEMENT_CHARS_MAX {
            return Err(AppealError::InvalidText("statement"));
        }
        let kinds = DOCUMENT_RULES.check(&request.documents)?;
        let user = self
            .identity
            .confirm_appeal_code(request.login.trim(), request.code.trim(), now)
            .await?;
        let needed = match kind {
            AppealKind::Unlock => self.identity.appeal_locked(&user.id, now).await?,
            AppealKind::LiftRestriction => user.status == UserStatus::Frozen,
        };
        if !needed {
            return Err(AppealError::NotNeeded);
        }
        if self.store.pending_appeal_of(&user.id).await?.is_some() {
            return Err(AppealError::AlreadyOpen);
        }
        let token = new_id("aps");
        let appeal = Appeal {
            id: new_id("apl"),
            user_id: user.id.clone(),
            kind,
            statement: statement.to_owned(),
            status: AppealStatus::Pending,
            decision_reason: None,
            decided_by: None,
            status_token_hash: token_digest(&token),
            created_at: now,
            decided_at: None,
        };
        self.store.insert_appeal(&appeal).await?;
        for (info, bytes) in
            DOCUMENT_RULES.describe(&request.documents, &kinds, &appeal.id, None, now)
        {
            self.store.insert_document(&info, bytes).await?;
        }
        self.store
            .appeal_audit(&AuditEvent {
                actor: Actor::User(user.id.clone()),
                action: "appeal.filed",
                subject: appeal.id.clone(),
                detail: format!("user={} kind={}", user.id, kind.name()),
            })
            .await?;
        Ok((appeal, token))
    }

    /// The user's view through their status link; a wrong token answers like a missing appeal.
    pub async fn status(&self, id: &str, token: &str) -> Result<Appeal, AppealError> {
        let appeal = self.store.appeal(id).await?.ok_or(AppealError::NotFound)?;
        let expected = token_digest(token);
        // Both are hex digests of equal length; compare without an early exit.
        let same = expected.len() == appeal.status_token_hash.len()
            && expected
                .bytes()
                .zip(appeal.status_token_hash.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if !same {
            return Err(AppealError::NotFound);
        }
        Ok(appeal)
    }

    pub async fn list(&self, status: Option<AppealStatus>) -> Result<Vec<Appeal>, AppealError> {
        Ok(self.store.appeals(status, LIST_MAX).await?)
    }

    async fn audit(
        &self,
        staff_id: &str,
        action: &'static str,
        appeal: &Appeal,
        detail: String,
    ) -> Result<(), StoreError> {
        self.store
            .appeal_audit(&AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action,
                subject: appeal.id.clone(),
                detail: format!("user={} {detail}", appeal.user_id),
            })
            .await
    }

    /// A staff member opens an appeal; the view is audited.
    pub async fn review(&self, staff_id: &str, id: &str) -> Result<AppealCase, AppealError> {
        let appeal = self.store.appeal(id).await?.ok_or(AppealError::NotFound)?;
        self.audit(staff_id, "appeal.viewed", &appeal, String::new())
            .await?;
        let documents = self.store.documents(&appeal.id).await?;
        let user = self.identity.appeal_user(&appeal.user_id).await?;
        Ok(AppealCase {
            appeal,
            documents,
            user,
        })
    }

    /// A document's bytes for staff; audited.
    pub async fn document(
        &self,
        staff_id: &str,
        appeal_id: &str,
        document_id: &str,
    ) -> Result<StoredDocument, AppealError> {
        let (info, bytes) = self
            .store
            .document_bytes(document_id)
            .await?
            .filter(|(info, _)| info.owner_id == appeal_id)
            .ok_or(AppealError::NotFound)?;
        let appeal = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppealError::NotFound)?;
        self.audit(
            staff_id,
            "appeal.document_viewed",
            &appeal,
            format!("document={}", info.id),
        )
        .await?;
        Ok((info, bytes))
    }

    /// Approves: the lock or freeze is lifted with the reason (audited there too).
    pub async fn approve(
        &self,
        staff_id: &str,
        id: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<Appeal, AppealError> {
        let reason = checked_reason(reason)?;
        let appeal = self.pending(id).await?;
        match appeal.kind {
            AppealKind::Unlock => {
                self.identity
                    .appeal_unlock(staff_id, &appeal.user_id, &reason, now)
                    .await?
            }
            AppealKind::LiftRestriction => {
                self.identity
                    .appeal_unfreeze(staff_id, &appeal.user_id, &reason, now)
                    .await?
            }
        }
        self.decided(staff_id, appeal, AppealStatus::Approved, reason, now)
            .await
    }

    /// Rejects with a reason the user reads on the status page and in a message.
    pub async fn reject(
        &self,
        staff_id: &str,
        id: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<Appeal, AppealError> {
        let reason = checked_reason(reason)?;
        let appeal = self.pending(id).await?;
        let appeal = self
            .decided(
                staff_id,
                appeal,
                AppealStatus::Rejected,
                reason.clone(),
                now,
            )
            .await?;
        if let Some(user) = self.identity.appeal_user(&appeal.user_id).await? {
            self.identity
                .appeal_notify(&user, Some(&reason), now)
                .await?;
        }
        Ok(appeal)
    }

    async fn pending(&self, id: &str) -> Result<Appeal, AppealError> {
        let appeal = self.store.appeal(id).await?.ok_or(AppealError::NotFound)?;
        if appeal.status != AppealStatus::Pending {
            return Err(AppealError::AlreadyDecided);
        }
        Ok(appeal)
    }

    async fn decided(
        &self,
        staff_id: &str,
        mut appeal: Appeal,
        status: AppealStatus,
        reason: String,
        now: UnixSeconds,
    ) -> Result<Appeal, AppealError> {
        if !self
            .store
            .decide(&appeal.id, status, &reason, staff_id, now)
            .await?
        {
            return Err(AppealError::AlreadyDecided);
        }
        let action = match status {
            AppealStatus::Approved => "appeal.approved",
            _ => "appeal.rejected",
        };
        self.audit(staff_id, action, &appeal, format!("reason={reason}"))
            .await?;
        appeal.status = status;
        appeal.decision_reason = Some(reason);
        appeal.decided_by = Some(staff_id.to_owned());
        appeal.decided_at = Some(now);
        Ok(appeal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_read_back_as_written() {
        for kind in [AppealKind::Unlock, AppealKind::LiftRestriction] {
            assert_eq!(AppealKind::parse(kind.name()), Some(kind));
        }
        for status in [
            AppealStatus::Pending,
            AppealStatus::Approved,
            AppealStatus::Rejected,
        ] {
            assert_eq!(AppealStatus::parse(status.name()), Some(status));
        }
    }

    #[test]
    fn a_decision_needs_a_written_reason() {
        assert!(checked_reason(" ok ").is_err());
        assert_eq!(
            checked_reason(" Passport matches ").expect("fine"),
            "Passport matches"
        );
    }
}
