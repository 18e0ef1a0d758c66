//! The storage port: what the use cases need from a database, implemented by the `store` crate.

use std::future::Future;

use ledger::{AccountId, Applied, Balance, LedgerCommand, Rejection, VerifyReport};

use crate::audit::{AuditEvent, AuditReport};

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
