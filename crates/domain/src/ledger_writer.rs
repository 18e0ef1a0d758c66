//! The ledger's batched write path: one writer drains a bounded queue into one transaction per batch.
//!
//! TigerBeetle's lesson: a durable commit costs an fsync, so commit thousands of commands with one.
//! Callers wait on their own answer; the writer answers every caller only after the batch commits,
//! so an answer is never given for money that a crash could still lose.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use ledger::{Applied, LedgerCommand, Rejection};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::store_port::{BatchAnswers, LedgerStore, StoreError};
use crate::wallet::{StoredResponse, WriteJob};

/// Bounds of the write path.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    /// Commands waiting for the writer; submitters wait when it is full (back-pressure).
    pub queue_capacity: usize,
    /// The most commands committed in one transaction.
    pub batch_size_max: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            queue_capacity: 65_536,
            batch_size_max: 8_192,
        }
    }
}

/// Why a submitted command has no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The batch could not be committed; nothing in it moved, and a retry with the same
    /// idempotency key is safe.
    #[error(transparent)]
    Unavailable(#[from] StoreError),
    #[error("the ledger is shutting down")]
    ShuttingDown,
}

struct Submission {
    command: LedgerCommand,
    /// Rows written in the command's own transaction when it is applied afresh.
    attached: Option<WriteJob>,
    reply: oneshot::Sender<Result<Settled, LedgerError>>,
}

/// A command's answer once its batch is durable.
#[derive(Clone, Debug)]
pub struct Settled {
    pub applied: Applied,
    /// What is kept under the key of the answer the command's attached rows carried.
    pub kept: Option<StoredResponse>,
}

/// A handle to the write path; cheap to clone. The writer stops when every handle is dropped,
/// after committing what was queued.
#[derive(Clone)]
pub struct Ledger {
    sender: mpsc::Sender<Submission>,
}

impl Ledger {
    /// Starts the writer task over `store`.
    pub fn start<S: LedgerStore>(store: Arc<S>, config: WriterConfig) -> (Ledger, JoinHandle<()>) {
        assert!(
            config.queue_capacity > 0 && config.batch_size_max > 0,
            "the write path needs room"
        );
        let (sender, receiver) = mpsc::channel(config.queue_capacity);
        let writer = tokio::spawn(run_writer(store, receiver, config.batch_size_max));
        (Ledger { sender }, writer)
    }

    /// Submits one command and waits until its batch is durable.
    pub async fn submit(&self, command: LedgerCommand) -> Result<Applied, LedgerError> {
        Ok(self.settle(command, None).await?.applied)
    }

    /// Submits one command carrying rows of its own (the movement's records, notices and kept
    /// answer): written in the same transaction, and so made durable by the same commit, when
    /// the command is applied afresh; dropped when it is refused or replays its key.
    pub async fn submit_with(
        &self,
        command: LedgerCommand,
        attached: WriteJob,
    ) -> Result<Settled, LedgerError> {
        self.settle(command, Some(attached)).await
    }

    async fn settle(
        &self,
        command: LedgerCommand,
        attached: Option<WriteJob>,
    ) -> Result<Settled, LedgerError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Submission {
                command,
                attached,
                reply,
            })
            .await
            .map_err(|_| LedgerError::ShuttingDown)?;
        answer.await.map_err(|_| LedgerError::ShuttingDown)?
    }

    /// Commands waiting for the writer right now.
    pub fn queue_depth(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }
}

/// A batch handed to the store and not yet answered.
struct InFlight {
    outcome: Pin<Box<dyn Future<Output = BatchOutcome> + Send>>,
    replies: Vec<oneshot::Sender<Result<Settled, LedgerError>>>,
    started: Instant,
}

type BatchOutcome = Result<BatchAnswers, StoreError>;

async fn run_writer<S: LedgerStore>(
    store: Arc<S>,
    mut receiver: mpsc::Receiver<Submission>,
    batch_size_max: usize,
) {
    let in_flight_max = store.batches_in_flight_max().max(1);
    let mut in_flight: VecDeque<InFlight> = VecDeque::with_capacity(in_flight_max);
    let mut waiting = Vec::with_capacity(batch_size_max);
    let mut open = true;
    while open || !in_flight.is_empty() {
        if !open || in_flight.len() >= in_flight_max {
            let batch = in_flight.pop_front().expect("a batch is in flight");
            answer(batch.outcome.await, batch.replies, batch.started);
            continue;
        }
        // Take the next batch as soon as commands wait, or answer the oldest batch as soon as
        // it is durable, whichever comes first. recv_many takes whatever is queued, up to the
        // limit, and waits only when nothing is.
        tokio::select! {
            biased;
            outcome = async {
                let oldest = in_flight.front_mut().expect("guarded by the precondition");
                (&mut oldest.outcome).await
            }, if !in_flight.is_empty() => {
                let batch = in_flight.pop_front().expect("the batch just answered");
                answer(outcome, batch.replies, batch.started);
            }
            received = receiver.recv_many(&mut waiting, batch_size_max) => {
                if received == 0 {
                    open = false;
                    continue;
                }
                metrics::gauge!("okpay_ledger_queue_depth").set(receiver.len() as f64);
                let mut commands = Vec::with_capacity(waiting.len());
                let mut attached = Vec::with_capacity(waiting.len());
                let mut replies = Vec::with_capacity(waiting.len());
                for submission in waiting.drain(..) {
                    commands.push(submission.command);
                    attached.push(submission.attached);
                    replies.push(submission.reply);
                }
                metrics::histogram!("okpay_ledger_batch_size").record(commands.len() as f64);
                in_flight.push_back(InFlight {
                    outcome: Box::pin(store.start_batch(commands, attached)),
                    replies,
                    started: Instant::now(),
                });
            }
        }
    }
}

/// Answers every caller of one batch, now that it is durable (or failed as a whole).
fn answer(
    outcome: BatchOutcome,
    replies: Vec<oneshot::Sender<Result<Settled, LedgerError>>>,
    started: Instant,
) {
    metrics::histogram!("okpay_ledger_commit_seconds").record(started.elapsed().as_secs_f64());
    match outcome {
        Ok(results) => {
            assert_eq!(
                results.len(),
                replies.len(),
                "the store answers every command"
            );
            let batch_size = replies.len() as u64;
            let mut applied = 0_u64;
            for (reply, (result, kept)) in replies.into_iter().zip(results) {
                applied += u64::from(result.is_ok());
                // A caller that stopped waiting no longer needs its answer.
                let _ = reply.send(
                    result
                        .map(|applied| Settled { applied, kept })
                        .map_err(LedgerError::Rejected),
                );
            }
            metrics::counter!("okpay_ledger_commands_total", "outcome" => "applied")
                .increment(applied);
            metrics::counter!("okpay_ledger_commands_total", "outcome" => "rejected")
                .increment(batch_size - applied);
        }
        Err(error) => {
            tracing::error!(%error, batch_size = replies.len(), "ledger batch failed; nothing in it was written");
            metrics::counter!("okpay_ledger_commands_total", "outcome" => "failed")
                .increment(replies.len() as u64);
            for reply in replies {
                let _ = reply.send(Err(LedgerError::Unavailable(error.clone())));
            }
        }
    }
}
