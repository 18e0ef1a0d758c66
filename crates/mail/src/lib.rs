//! Sending what the outbox holds: e-mail over SMTP, SMS through a provider, each by the
//! `outbox.deliver` job with the worker's retries. Without a sender for a channel, messages stay
//! in the outbox, where `okpay outbox` (and, later, the admin page) shows them.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::delivery::OutboxDeliveryStore;
use domain::jobs::{ClaimedJob, RetryPolicy};
use domain::notify::{Channel, OutboundMessage};
use jobs::{BoxFuture, JobFailure, JobHandler};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Why a message could not be sent, and whether trying again later may work.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    pub retryable: bool,
}

/// Why the mail settings are unusable; `okpay serve` refuses to start with them.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("the SMTP URL is not usable (expected smtp://HOST:PORT or smtps://HOST:PORT): {0}")]
    SmtpUrl(String),
    #[error("mail_from is not an address: {0}")]
    From(String),
}

/// E-mail over SMTP.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// SMTP servers that take longer than this to answer a step are treated as down (and retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpSender {
    /// `smtp://HOST:PORT` (plain, or STARTTLS with `?tls=required`), `smtps://HOST:PORT`
    /// (implicit TLS), with optional `user:password@`; `from` like `OKPay <no-reply@example.com>`.
    pub fn new(smtp_url: &str, from: &str) -> Result<SmtpSender, MailConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|error| MailConfigError::SmtpUrl(error.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|error| MailConfigError::From(error.to_string()))?;
        Ok(SmtpSender { transport, from })
    }

    pub async fn send(&self, message: &OutboundMessage) -> Result<(), SendError> {
        let to = message
            .recipient
            .parse::<Mailbox>()
            .map_err(|error| SendError {
                message: format!("the recipient is not an e-mail address: {error}"),
                retryable: false,
            })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|error| SendError {
                message: format!("the message could not be built: {error}"),
                retryable: false,
            })?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(error) => Err(SendError {
                // A permanent (5xx) refusal will not change; anything else — a 4xx, a refused
                // connection, a timeout — may pass later.
                retryable: !error.is_permanent(),
                message: error.to_string(),
            }),
        }
    }
}

/// An SMS gateway. OKPay ships none; a deployment plugs its provider in here.
pub trait SmsProvider: Send + Sync + 'static {
    fn send<'a>(&'a self, message: &'a OutboundMessage) -> BoxFuture<'a, Result<(), SendError>>;
}

/// The senders a process has; `None` keeps that channel's messages in the outbox.
#[derive(Clone, Default)]
pub struct Senders {
    pub email: Option<SmtpSender>,
    pub sms: Option<Arc<dyn SmsProvider>>,
}

/// The `outbox.deliver` job: sends one message and marks it sent.
pub struct DeliverOutboxMessage<S> {
    store: Arc<S>,
    senders: Senders,
}

impl<S: OutboxDeliveryStore> DeliverOutboxMessage<S> {
    pub fn new(store: Arc<S>, senders: Senders) -> DeliverOutboxMessage<S> {
        DeliverOutboxMessage { store, senders }
    }

    async fn deliver(&self, id: &str) -> Result<(), JobFailure> {
        let message = self
            .store
            .outbox_message(id)
            .await
            .map_err(|error| JobFailure::retry(error.to_string()))?
            .ok_or_else(|| JobFailure::permanent(format!("no outbox message {id}")))?;
        // A repeated run (the worker died after sending) must not send twice what was recorded.
        if message.sent_at.is_some() {
            return Ok(());
        }
        let sent = match message.channel {
            Channel::Email => match &self.senders.email {
                Some(smtp) => smtp.send(&message).await,
                None => return Ok(()),
            },
            Channel::Sms => match &self.senders.sms {
                Some(provider) => provider.send(&message).await,
                None => return Ok(()),
            },
        };
        sent.map_err(|error| JobFailure {
            message: error.message,
            retryable: error.retryable,
        })?;
        self.store
            .mark_message_sent(id, unix_seconds())
            .await
            .map_err(|error| JobFailure::retry(error.to_string()))?;
        tracing::info!(message = %id, channel = message.channel.name(), "a message was sent");
        Ok(())
    }
}

impl<S: OutboxDeliveryStore> JobHandler for DeliverOutboxMessage<S> {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobFailure>> {
        Box::pin(self.deliver(&job.payload))
    }

    /// Mail servers are often briefly unavailable: ten tries over about half an hour.
    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            attempts_max: 10,
            backoff_base_ms: 2_000,
            backoff_max_ms: 10 * 60 * 1_000,
        }
    }
}

fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}
