//! The outbox in the database: messages queued for delivery, newest read first.

use domain::StoreError;
use domain::notify::{Channel, OutboundMessage, OutboxStore};
use sqlx::Row;

use crate::database::Store;
use crate::error::store_error;

impl OutboxStore for Store {
    async fn enqueue(&self, message: &OutboundMessage) -> Result<(), StoreError> {
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
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
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
        rows.iter()
            .map(|row| {
                let channel: String = row.try_get(1).map_err(store_error)?;
                Ok(OutboundMessage {
                    id: row.try_get(0).map_err(store_error)?,
                    channel: Channel::parse(&channel).ok_or_else(|| {
                        StoreError::Unavailable(format!("unknown channel {channel}"))
                    })?,
                    recipient: row.try_get(2).map_err(store_error)?,
                    locale: row.try_get(3).map_err(store_error)?,
                    subject: row.try_get(4).map_err(store_error)?,
                    body: row.try_get(5).map_err(store_error)?,
                    created_at: row.try_get(6).map_err(store_error)?,
                    sent_at: row.try_get(7).map_err(store_error)?,
                })
            })
            .collect()
    }
}
