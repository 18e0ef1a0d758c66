//! Identity verification (KYC): documents a user uploads (type sniffed from the bytes, size
//! limited), the risk team's review queue, and the tier an approval grants the wallet's limits.

use std::sync::Arc;

use crate::audit::{Actor, AuditEvent};
use crate::documents::{
    DocumentInfo, FileNames, StoredDocument, Upload, UploadRefusal, UploadRules,
};
use crate::identity::BoxFuture;
use crate::identity::{Notice, UnixSeconds};
use crate::ids::new_id;
use crate::limits::KycTier;
use crate::staff::REASON_CHARS_MAX;
use crate::store_port::StoreError;

/// The largest document accepted.
pub const DOCUMENT_BYTES_MAX: usize = 5 * 1024 * 1024;
/// At most this many files per request (front, back, a proof of address).
pub const DOCUMENTS_MAX: usize = 3;
/// What a verification request carries: one to three scans, named by a safe stem.
pub const DOCUMENT_RULES: UploadRules = UploadRules {
    count_max: DOCUMENTS_MAX,
    bytes_max: DOCUMENT_BYTES_MAX,
    required: true,
    names: FileNames::SafeStem {
        fallback: "document",
    },
    id_prefix: "doc",
};
/// How many requests the review queue and a user's history show.
const LIST_MAX: i64 = 100;

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    IdCard,
    Passport,
    ProofOfAddress,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::IdCard,
        DocumentKind::Passport,
        DocumentKind::ProofOfAddress,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            DocumentKind::IdCard => "id_card",
            DocumentKind::Passport => "passport",
            DocumentKind::ProofOfAddress => "proof_of_address",
        }
    }

    pub fn parse(name: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KycStatus {
    Pending,
    Approved,
    Rejected,
}

impl KycStatus {
    pub const fn name(self) -> &'static str {
        match self {
            KycStatus::Pending => "pending",
            KycStatus::Approved => "approved",
            KycStatus::Rejected => "rejected",
        }
    }

    pub fn parse(name: &str) -> Option<KycStatus> {
        [KycStatus::Pending, KycStatus::Approved, KycStatus::Rejected]
            .into_iter()
            .find(|status| status.name() == name)
    }
}

/// A user's request to be verified at `tier`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycRequest {
    pub id: String,
    pub user_id: String,
    pub tier: KycTier,
    pub document_kind: DocumentKind,
    pub status: KycStatus,
    /// Why it was rejected, in the reviewer's words; the user reads it.
    pub reason: Option<String>,
    pub reviewer: Option<String>,
    pub created_at: UnixSeconds,
    pub reviewed_at: Option<UnixSeconds>,
}

/// Why a request or a decision was refused.
#[derive(Debug, thiserror::Error)]
pub enum KycError {
    /// None attached, too many, one too large, or one that is not JPEG, PNG or PDF.
    #[error("documents refused: {0}")]
    Documents(#[from] UploadRefusal),
    #[error("the tier asked for is not above the current one")]
    TierNotHigher,
    #[error("a request is already under review")]
    AlreadyPending,
    #[error("no such request")]
    NotFound,
    #[error("the request was already decided")]
    AlreadyDecided,
    #[error("a rejection needs a reason")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What identity verification reads and writes; object-safe so the web holds it behind `Arc`.
pub trait KycStore: Send + Sync + 'static {
    /// Writes the request and its documents in one transaction.
    fn insert_kyc_request<'a>(
        &'a self,
        request: &'a KycRequest,
        documents: &'a [(DocumentInfo, &'a [u8])],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The user's requests, newest first.
    fn kyc_requests_of<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<KycRequest>, StoreError>>;
    /// Requests still pending, oldest first.
    fn pending_kyc_requests<'a>(
        &'a self,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<KycRequest>, StoreError>>;
    fn kyc_request<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<KycRequest>, StoreError>>;
    fn kyc_documents<'a>(
        &'a self,
        request_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>>;
    fn kyc_document_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>>;
    /// Decides a pending request and, for an approval, raises the user's tier to the one asked
    /// (never lowering it), in one transaction; false when it was no longer pending (decided by
    /// someone else meanwhile): a conditional UPDATE, so two reviewers never both decide.
    fn decide_kyc_request<'a>(
        &'a self,
        request: &'a KycRequest,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    fn kyc_notice<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Result<(), StoreError>>;
    fn kyc_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The tier the wallet's limits use for a user. Raising it is part of the decision itself
/// (`KycStore::decide_kyc_request`), so the two never disagree.
pub trait TierSetter: Send + Sync + 'static {
    fn tier<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<KycTier, StoreError>>;
}

impl TierSetter for crate::wallet::Wallet {
    fn tier<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, Result<KycTier, StoreError>> {
        Box::pin(async move {
            // The tier alone; the limits in yuan that come with it are not needed here.
            self.limits(user_id, ledger::Currency::Cny)
                .await
                .map(|(tier, _)| tier)
                .map_err(|error| StoreError::Unavailable(error.to_string()))
        })
    }
}

/// The use cases of identity verification.
pub struct Kyc {
    store: Arc<dyn KycStore>,
    tiers: Arc<dyn TierSetter>,
}

impl Kyc {
    pub fn new(store: Arc<dyn KycStore>, tiers: Arc<dyn TierSetter>) -> Kyc {
        Kyc { store, tiers }
    }

    /// The user's tier now and their requests, newest first.
    pub async fn status(&self, user_id: &str) -> Result<(KycTier, Vec<KycRequest>), StoreError> {
        let tier = self.tiers.tier(user_id).await?;
        let requests = self.store.kyc_requests_of(user_id, LIST_MAX).await?;
        Ok((tier, requests))
    }

    /// A user asks to be verified at `tier` with documents; one request may wait at a time.
    pub async fn submit(
        &self,
        user_id: &str,
        tier: KycTier,
        document_kind: DocumentKind,
        uploads: &[Upload],
        now: UnixSeconds,
    ) -> Result<KycRequest, KycError> {
        let kinds = DOCUMENT_RULES.check(uploads)?;
        let (current, requests) = self.status(user_id).await?;
        if tier <= current {
            return Err(KycError::TierNotHigher);
        }
        if requests
            .iter()
            .any(|request| request.status == KycStatus::Pending)
        {
            return Err(KycError::AlreadyPending);
        }
        let request = KycRequest {
            id: new_id("kyc"),
            user_id: user_id.to_owned(),
            tier,
            document_kind,
            status: KycStatus::Pending,
            reason: None,
            reviewer: None,
            created_at: now,
            reviewed_at: None,
        };
        let documents = DOCUMENT_RULES.describe(uploads, &kinds, &request.id, None, now);
        self.store.insert_kyc_request(&request, &documents).await?;
        Ok(request)
    }

    /// The pending requests, oldest first, each with its documents.
    pub async fn queue(&self) -> Result<Vec<(KycRequest, Vec<DocumentInfo>)>, StoreError> {
        let requests = self.store.pending_kyc_requests(LIST_MAX).await?;
        let mut queue = Vec::with_capacity(requests.len());
        for request in requests {
            let documents = self.store.kyc_documents(&request.id).await?;
            queue.push((request, documents));
        }
        Ok(queue)
    }

    /// A document's bytes for a reviewer; the viewing is audited.
    pub async fn document_for_reviewer(
        &self,
        staff_id: &str,
        document_id: &str,
    ) -> Result<StoredDocument, KycError> {
        let (document, bytes) = self
            .store
            .kyc_document_bytes(document_id)
            .await?
            .ok_or(KycError::NotFound)?;
        self.store
            .kyc_audit(&AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action: "kyc.document_viewed",
                subject: document.owner_id.clone(),
                detail: format!("document={}", document.id),
            })
            .await?;
        Ok((document, bytes))
    }

    /// Approves: the user's tier rises to the one asked for, and they are told.
    pub async fn approve(
        &self,
        staff_id: &str,
        request_id: &str,
        now: UnixSeconds,
    ) -> Result<KycRequest, KycError> {
        self.decide(staff_id, request_id, KycStatus::Approved, None, now)
            .await
    }

    /// Rejects with a reason the user reads.
    pub async fn reject(
        &self,
        staff_id: &str,
        request_id: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<KycRequest, KycError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(KycError::ReasonRequired);
        }
        let reason: String = reason.chars().take(REASON_CHARS_MAX).collect();
        self.decide(staff_id, request_id, KycStatus::Rejected, Some(reason), now)
            .await
    }

    async fn decide(
        &self,
        staff_id: &str,
        request_id: &str,
        status: KycStatus,
        reason: Option<String>,
        now: UnixSeconds,
    ) -> Result<KycRequest, KycError> {
        let mut request = self
            .store
            .kyc_request(request_id)
            .await?
            .ok_or(KycError::NotFound)?;
        if request.status != KycStatus::Pending {
            return Err(KycError::AlreadyDecided);
        }
        request.status = status;
        request.reason = reason;
        request.reviewer = Some(staff_id.to_owned());
        request.reviewed_at = Some(now);
        if !self.store.decide_kyc_request(&request).await? {
            return Err(KycError::AlreadyDecided);
        }
        self.store
            .kyc_audit(&AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action: match status {
                    KycStatus::Approved => "kyc.approved",
                    _ => "kyc.rejected",
                },
                subject: request.id.clone(),
                detail: format!(
                    "user={} tier={} reason={}",
                    request.user_id,
                    request.tier.code(),
                    request.reason.as_deref().unwrap_or_default()
                ),
            })
            .await?;
        self.store
            .kyc_notice(&decision_notice(&request, now))
            .await?;
        Ok(request)
    }
}

/// What the user is told of a decision, in both languages (the message center shows theirs).
fn decision_notice(request: &KycRequest, now: UnixSeconds) -> Notice {
    let (title_zh, body_zh, title_en, body_en) = match request.status {
        KycStatus::Approved => (
            "身份认证已通过".to_owned(),
            "您的身份认证已通过，新的限额已生效。".to_owned(),
            "Your identity is verified".to_owned(),
            "Your identity verification was approved; your new limits apply now.".to_owned(),
        ),
        _ => {
            let reason = request.reason.as_deref().unwrap_or_default();
            (
                "身份认证未通过".to_owned(),
                format!("您的身份认证未通过。原因：{reason}。您可以在“身份认证”页面重新提交。"),
                "Your identity verification was not approved".to_owned(),
                format!(
                    "Your identity verification was not approved. Why: {reason}. You can send new documents on the identity verification page."
                ),
            )
        }
    };
    Notice {
        id: new_id("ntc"),
        user_id: request.user_id.clone(),
        kind: format!("kyc_{}", request.status.name()),
        title_zh,
        body_zh,
        title_en,
        body_en,
        created_at: now,
        read_at: None,
    }
}
