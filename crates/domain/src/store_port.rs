//! The storage port: what the use cases need from a database, implemented by the `store` crate.

use std::future::Future;

use ledger::{AccountId, Applied, Balance, LedgerCommand, Rejection, VerifyReport};

use crate::audit::{AuditEvent, AuditReport};
use crate::identity::{
    CodePurpose, Lock, SessionRecord, SignInAttempt, StoredCode, UnixSeconds, UserRecord,
    UserStatus,
};

/// A storage failure, in terms a use case can act on. Database details stay in the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// The ledger's storage. Implementations keep every balance equal to its journal.
pub trait LedgerStore: Send + Sync + 'static {
    /// Applies `commands` in order inside one durable transaction and answers each one: a refused
    /// command moves nothing and does not stop the others. When the answer is `Err`, nothing in
    /// the batch was written.
    fn apply_batch(
        &self,
        commands: &[LedgerCommand],
    ) -> impl Future<Output = Result<Vec<Result<Applied, Rejection>>, StoreError>> + Send;

    /// Opens accounts at a zero balance; accounts already open are left as they are.
    fn open_accounts(
        &self,
        accounts: &[AccountId],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The balance of an open account.
    fn balance(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<Balance>, StoreError>> + Send;

    /// Recomputes every balance from the journal and checks every entry and trial balance.
    fn verify(&self) -> impl Future<Output = Result<VerifyReport, StoreError>> + Send;
}

/// The audit log's storage: appends chained in order, and the check of the whole chain.
pub trait AuditStore: Send + Sync + 'static {
    /// Appends `events` in order, each chained to the one before, in one transaction.
    fn append_audit(
        &self,
        events: &[AuditEvent],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Re-reads the whole log and checks every link.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditReport, StoreError>> + Send;
}

/// Accounts, one-time codes, sessions, sign-in attempts and locks.
pub trait IdentityStore: Send + Sync + 'static {
    /// Adds an account; `Conflict` when its e-mail or phone is taken.
    fn insert_user(&self, user: &UserRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The account whose e-mail or phone is `login` (already normalised).
    fn user_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn user_by_id(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn set_user_status(
        &self,
        user_id: &str,
        status: UserStatus,
        verified_at: Option<UnixSeconds>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a code, replacing (and so cancelling) any live code of the same purpose and subject.
    fn put_code(&self, code: &StoredCode) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn code(
        &self,
        purpose: CodePurpose,
        subject: &str,
    ) -> impl Future<Output = Result<Option<StoredCode>, StoreError>> + Send;
    fn set_code_attempts(
        &self,
        purpose: CodePurpose,
        subject: &str,
        attempts: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn delete_code(
        &self,
        purpose: CodePurpose,
        subject: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn insert_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreError>> + Send;
    fn touch_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Ends every live session of `user_id` except `keep` (the one making the change, if any).
    fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn revoke_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn record_attempt(
        &self,
        attempt: &SignInAttempt,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Attempts on `user_id` at or after `since`, oldest first (at most the last 200).
    fn attempts_since(
        &self,
        user_id: &str,
        since: UnixSeconds,
    ) -> impl Future<Output = Result<Vec<SignInAttempt>, StoreError>> + Send;
    fn insert_lock(
        &self,
        user_id: &str,
        lock: &Lock,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Locks on `user_id` made at or after `since`, oldest first.
    fn locks_since(
        &self,
        user_id: &str,
        since: UnixSeconds,
    ) -> impl Future<Output = Result<Vec<Lock>, StoreError>> + Send;
}
