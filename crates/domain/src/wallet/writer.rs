//! The wallet's batched writer: transaction records, notices and idempotent answers of many
//! requests written in one transaction, as the ledger's writer does for entries. One commit
//! (one fsync) then serves a whole batch of requests instead of each paying for its own.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::identity::UnixSeconds;
use crate::limits::LimitKind;
use crate::notify::OutboundMessage;
use crate::records::TransactionRecord;
use crate::store_port::StoreError;
use crate::wallet::port::{StoredResponse, WalletStore};

/// Writes waiting for the writer; submitters wait when it is full.
const QUEUE_CAPACITY: usize = 8_192;
/// The most jobs in one transaction.
const BATCH_JOBS_MAX: usize = 1_024;

/// An answer to keep under (user, key).
#[derive(Clone, Debug)]
pub struct ResponseToKeep {
    pub user_id: String,
    pub key: String,
    pub response: StoredResponse,
    pub at: UnixSeconds,
}

/// What one request asks to have written.
#[derive(Debug, Default)]
pub struct WriteJob {
    pub records: Vec<(TransactionRecord, Option<LimitKind>)>,
    pub messages: Vec<OutboundMessage>,
    pub response: Option<ResponseToKeep>,
}

struct Queued {
    job: WriteJob,
    reply: oneshot::Sender<Result<Option<StoredResponse>, StoreError>>,
}

/// A handle to the writer task; the task ends when every handle is gone.
#[derive(Clone)]
pub struct WalletWriter {
    sender: mpsc::Sender<Queued>,
}

impl WalletWriter {
    pub fn start(store: Arc<dyn WalletStore>) -> WalletWriter {
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(store, receiver));
        WalletWriter { sender }
    }

    /// Writes `job` durably; answers the response kept under its key (the first one written),
    /// when the job carried one.
    pub async fn write(&self, job: WriteJob) -> Result<Option<StoredResponse>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Queued { job, reply })
            .await
            .map_err(|_| StoreError::Unavailable("the wallet writer stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the wallet writer stopped".into()))?
    }
}

async fn run(store: Arc<dyn WalletStore>, mut receiver: mpsc::Receiver<Queued>) {
    let mut waiting = Vec::with_capacity(BATCH_JOBS_MAX);
    while receiver.recv_many(&mut waiting, BATCH_JOBS_MAX).await > 0 {
        let mut records = Vec::new();
        let mut messages = Vec::new();
        let mut responses = Vec::new();
        let mut replies = Vec::with_capacity(waiting.len());
        for queued in waiting.drain(..) {
            records.extend(queued.job.records);
            messages.extend(queued.job.messages);
            let index = queued.job.response.map(|response| {
                responses.push(response);
                responses.len() - 1
            });
            replies.push((queued.reply, index));
        }
        match store.write_batch(&records, &messages, &responses).await {
            Ok(kept) => {
                for (reply, index) in replies {
                    let _ = reply.send(Ok(index.and_then(|i| kept.get(i).cloned())));
                }
            }
            Err(error) => {
                tracing::error!(%error, "a wallet write batch failed; nothing in it was written");
                for (reply, _) in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}
