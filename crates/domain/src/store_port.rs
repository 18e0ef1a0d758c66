//! The storage port: what the use cases need from a database, implemented by the `store` crate.

use std::future::Future;
use std::sync::Arc;

use ledger::{AccountId, Applied, Balance, LedgerCommand, Rejection, VerifyReport};

use crate::audit::{AuditEvent, AuditReport};
use crate::identity::{
    ActionToken, CodePurpose, Lock, Notice, SessionRecord, SignInAttempt, StoredCode, TokenPurpose,
    TotpRecord, UnixSeconds, UserRecord, UserStatus,
};
use crate::staff::StaffRecord;
use crate::wallet::{StoredResponse, WriteJob};

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

/// What a batch answers, per command: the ledger's result and, when the rows attached to it kept
/// an answer under a request's key, the answer kept there (the first one ever kept).
pub type BatchAnswers = Vec<(Result<Applied, Rejection>, Option<StoredResponse>)>;

/// The ledger's storage. Implementations keep every balance equal to its journal.
pub trait LedgerStore: Send + Sync + 'static {
    /// Applies `commands` in order inside one durable transaction and answers each one: a refused
    /// command moves nothing and does not stop the others. When the answer is `Err`, nothing in
    /// the batch was written.
    fn apply_batch(
        &self,
        commands: &[LedgerCommand],
    ) -> impl Future<Output = Result<Vec<Result<Applied, Rejection>>, StoreError>> + Send;

    /// Starts applying `commands` after every batch started before it, as `apply_batch` does,
    /// and answers once they are durable. A store that answers more than one for
    /// `batches_in_flight_max` must fix the batch's place in the order when this is called, not
    /// when the future is first polled.
    ///
    /// `attached[i]` (as long as `commands`) holds the rows command `i` carries: written in the
    /// same transaction when, and only when, that command is applied afresh (not refused, not a
    /// replay of its key). One commit then makes a movement and its records durable together.
    /// The answer holds, per command, what is kept under the key of its attached answer.
    fn start_batch(
        self: &Arc<Self>,
        commands: Vec<LedgerCommand>,
        attached: Vec<Option<WriteJob>>,
    ) -> impl Future<Output = Result<BatchAnswers, StoreError>> + Send + 'static;

    /// How many batches the writer may have started and not yet seen answered. More than one
    /// lets a store work on the next batch while the one before commits; every caller is still
    /// answered only after its own batch is durable.
    fn batches_in_flight_max(&self) -> usize {
        1
    }

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

/// Sign-in security beyond the password: second factors, single-use tokens, sessions and
/// history as their owner sees them, the message center, staff accounts.
pub trait SecurityStore: Send + Sync + 'static {
    fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Sets both sign-in addresses; `Conflict` when one belongs to another account.
    fn set_user_address(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Ends every lock of `user_id` still running at `now`, and forgives the failures before it
    /// (they stay in the history but no longer count towards a lock).
    fn end_locks(
        &self,
        user_id: &str,
        now: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Live (not revoked) sessions of `user_id`, most recently used first, at most `limit`.
    fn live_sessions(
        &self,
        user_id: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<SessionRecord>, StoreError>> + Send;
    /// Revokes `session_id` if it belongs to `user_id` and is live; false otherwise.
    fn revoke_own_session(
        &self,
        user_id: &str,
        session_id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The newest sign-in attempts first, at most `limit`.
    fn sign_in_history(
        &self,
        user_id: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<SignInAttempt>, StoreError>> + Send;

    fn totp(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<Option<TotpRecord>, StoreError>> + Send;
    /// Stores a secret awaiting its first code, replacing any earlier pending one; an enabled
    /// secret is left alone (false).
    fn put_pending_totp(
        &self,
        record: &TotpRecord,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Enables the pending secret with the step its first code matched; false when it was not
    /// pending any more.
    fn enable_totp(
        &self,
        owner: &str,
        step: i64,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Accepts `step` for `owner` only if it is later than the last accepted one, in one
    /// conditional update: true for exactly one of any number of concurrent callers.
    fn accept_totp_step(
        &self,
        owner: &str,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Removes the secret and every recovery code.
    fn delete_totp(&self, owner: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces every recovery code of `owner` with `digests`.
    fn replace_recovery_codes(
        &self,
        owner: &str,
        digests: &[String],
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks an unused recovery code used; true for exactly one caller.
    fn use_recovery_code(
        &self,
        owner: &str,
        digest: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn unused_recovery_codes(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    fn insert_token(
        &self,
        token: &ActionToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn token(
        &self,
        digest: &str,
        purpose: TokenPurpose,
    ) -> impl Future<Output = Result<Option<ActionToken>, StoreError>> + Send;
    /// Marks a live token used; true for exactly one caller, false when used or expired.
    fn use_token(
        &self,
        digest: &str,
        purpose: TokenPurpose,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn insert_notice(&self, notice: &Notice)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Newest first, at most `limit`, only those older than `starting_after` when given.
    fn notices(
        &self,
        user_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Notice>, StoreError>> + Send;
    fn unread_notices(&self, user_id: &str)
    -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Marks one notice (or, with `None`, every notice) of `user_id` read; how many changed.
    fn mark_notices_read(
        &self,
        user_id: &str,
        notice_id: Option<&str>,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Adds a staff member; `Conflict` when the e-mail is taken.
    fn insert_staff(
        &self,
        staff: &StaffRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn staff_by_id(
        &self,
        staff_id: &str,
    ) -> impl Future<Output = Result<Option<StaffRecord>, StoreError>> + Send;
    fn staff_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<StaffRecord>, StoreError>> + Send;
    /// Staff members ordered by e-mail, at most `limit`: who an agent may hand a ticket to, and
    /// how pages name the ids they store.
    fn staff_members(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<StaffRecord>, StoreError>> + Send;
    /// Sets (or, with `None`, clears) a member's name; false when there is no such member.
    fn set_staff_name(
        &self,
        staff_id: &str,
        name: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Sets the password and makes the member active.
    fn activate_staff(
        &self,
        staff_id: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn insert_staff_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn staff_session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreError>> + Send;
    fn touch_staff_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn revoke_staff_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
