//! The outbox in the database: messages queued for delivery, newest read first.

use domain::StoreError;
use domain::delivery::{OUTBOX_DELIVERY_JOB, OutboxDeliveryStore};
use domain::identity::UnixSeconds;
use domain::jobs::{NewJob, RetryPolicy};
use domain::notify::{Channel, DeliveryState, OutboundMessage, OutboxEntry, OutboxStore};
use sqlx::Row;

use crate::database::Store;
use crate::error::store_error;
use crate::job_store::enqueue_job_in;

impl OutboxStore for Store {
    /// Puts the message in the outbox together with the job that delivers it, in one
    /// transaction: no message without its delivery, no delivery of a message never written.
    async fn enqueue(&self, message: &OutboundMessage) -> Result<(), StoreError> {
        let mut transaction = self.begin().await?;
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, locale, subject, body, created_at, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(message.id.clone())
        .bind(message.channel.name())
        .bind(message.recipient.clone())
        .bind(message.locale.clone())
        .bind(message.subject.clone())
        .bind(message.body.clone())
        .bind(message.created_at)
        .bind(message.sent_at)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        if message.sent_at.is_none() {
            let now_ms = message.created_at.saturating_mul(1_000);
            let delivery = NewJob::new(
                OUTBOX_DELIVERY_JOB,
                message.id.clone(),
                &RetryPolicy::default(),
                now_ms,
            );
            enqueue_job_in(&mut transaction, &delivery).await?;
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn recent_messages(&self, limit: i64) -> Result<Vec<OutboundMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, channel, recipient, locale, subject, body, created_at, sent_at FROM outbox \
             ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(message_of).collect()
    }

    async fn outbox_entries(&self, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        // Each message has at most one delivery job (written with it); migration 0120 indexes
        // jobs by kind and payload so this join reads one job per message.
        let rows = sqlx::query(
            "SELECT o.id, o.channel, o.recipient, o.locale, o.subject, o.body, o.created_at, \
             o.sent_at, j.state, j.attempts, j.last_error FROM outbox o \
             LEFT JOIN jobs j ON j.kind = $1 AND j.payload = o.id \
             ORDER BY o.created_at DESC, o.id DESC LIMIT $2",
        )
        .bind(OUTBOX_DELIVERY_JOB)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let message = message_of(row)?;
                let job_state: Option<String> = row.try_get(8).map_err(store_error)?;
                let attempts: Option<i64> = row.try_get(9).map_err(store_error)?;
                let last_error: Option<String> = row.try_get(10).map_err(store_error)?;
                let delivery = DeliveryState::of(
                    message.sent_at,
                    job_state.as_deref(),
                    attempts.unwrap_or(0),
                    last_error,
                );
                Ok(OutboxEntry { message, delivery })
            })
            .collect()
    }
}

fn message_of(row: &sqlx::any::AnyRow) -> Result<OutboundMessage, StoreError> {
    let channel: String = row.try_get(1).map_err(store_error)?;
    Ok(OutboundMessage {
        id: row.try_get(0).map_err(store_error)?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| StoreError::Unavailable(format!("unknown channel {channel}")))?,
        recipient: row.try_get(2).map_err(store_error)?,
        locale: row.try_get(3).map_err(store_error)?,
        subject: row.try_get(4).map_err(store_error)?,
        body: row.try_get(5).map_err(store_error)?,
        created_at: row.try_get(6).map_err(store_error)?,
        sent_at: row.try_get(7).map_err(store_error)?,
    })
}

impl OutboxDeliveryStore for Store {
    async fn outbox_message(&self, id: &str) -> Result<Option<OutboundMessage>, StoreError> {
        let row = sqlx::query(
            "SELECT id, channel, recipient, locale, subject, body, created_at, sent_at FROM outbox \
             WHERE id = $1",
        )
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        row.as_ref().map(message_of).transpose()
    }

    async fn mark_message_sent(&self, id: &str, at: UnixSeconds) -> Result<bool, StoreError> {
        let marked =
            sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
                .bind(at)
                .bind(id.to_owned())
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
        Ok(marked.rows_affected() == 1)
    }
}
