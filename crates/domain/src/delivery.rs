//! Delivering the outbox: the job that sends one message, and what it needs from storage.
//!
//! Every message put in the outbox comes with a job of kind [`OUTBOX_DELIVERY_JOB`] whose payload
//! is the message id, written in the same transaction. The job sends the message over its
//! channel's sender when one is configured (SMTP for e-mail, an SMS provider) and marks it sent;
//! without a sender the message simply stays in the outbox, where `okpay outbox` shows it.

use std::future::Future;

use crate::identity::UnixSeconds;
use crate::notify::OutboundMessage;
use crate::store_port::StoreError;

/// The job kind that delivers one outbox message; the payload is the message id.
pub const OUTBOX_DELIVERY_JOB: &str = "outbox.deliver";

/// What delivery reads and writes.
pub trait OutboxDeliveryStore: Send + Sync + 'static {
    fn outbox_message(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<OutboundMessage>, StoreError>> + Send;

    /// Records that the message left; `false` when it had already been marked.
    fn mark_message_sent(
        &self,
        id: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
