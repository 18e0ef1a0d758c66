//! Live chat on SQLite and PostgreSQL: conversations, messages numbered under the conversation's row lock, read marks and agents' availability.

use domain::StoreError;
use domain::chat::{
    ChatMessage, ChatStore, Conversation, ConversationStatus, NewChatMessage, Side,
};
use domain::identity::{BoxFuture, UnixSeconds};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::error::store_error;

const CONVERSATION_COLUMNS: &str = "id, user_id, agent_id, status, last_seq, user_read_seq, \
     agent_read_seq, created_at, updated_at, closed_at";
const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, sender, sender_id, client_id, body, created_at_ms";

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} {value:?} in the database"))
}

fn conversation_from(row: &AnyRow) -> Result<Conversation, StoreError> {
    let status: String = row.try_get(3).map_err(store_error)?;
    Ok(Conversation {
        id: row.try_get(0).map_err(store_error)?,
        user_id: row.try_get(1).map_err(store_error)?,
        agent_id: row.try_get(2).map_err(store_error)?,
        status: ConversationStatus::parse(&status)
            .ok_or_else(|| unreadable("conversation status", &status))?,
        last_seq: row.try_get(4).map_err(store_error)?,
        user_read_seq: row.try_get(5).map_err(store_error)?,
        agent_read_seq: row.try_get(6).map_err(store_error)?,
        created_at: row.try_get(7).map_err(store_error)?,
        updated_at: row.try_get(8).map_err(store_error)?,
        closed_at: row.try_get(9).map_err(store_error)?,
    })
}

fn message_from(row: &AnyRow) -> Result<ChatMessage, StoreError> {
    let sender: String = row.try_get(2).map_err(store_error)?;
    Ok(ChatMessage {
        conversation_id: row.try_get(0).map_err(store_error)?,
        seq: row.try_get(1).map_err(store_error)?,
        sender: Side::parse(&sender).ok_or_else(|| unreadable("chat sender", &sender))?,
        sender_id: row.try_get(3).map_err(store_error)?,
        client_id: row.try_get(4).map_err(store_error)?,
        body: row.try_get(5).map_err(store_error)?,
        created_at_ms: row.try_get(6).map_err(store_error)?,
    })
}

impl Store {
    async fn chat_message_by_client_id(
        &self,
        message: &NewChatMessage,
    ) -> Result<Option<ChatMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
             WHERE conversation_id = $1 AND sender = $2 AND client_id = $3"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(message.conversation_id.clone())
            .bind(message.sender.name())
            .bind(message.client_id.clone())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(message_from).transpose()
    }

    async fn append_chat_message(
        &self,
        message: &NewChatMessage,
    ) -> Result<(ChatMessage, bool), StoreError> {
        if let Some(stored) = self.chat_message_by_client_id(message).await? {
            return Ok((stored, false));
        }
        // The counter's UPDATE takes the conversation's row lock (SQLite: the write lock), so
        // concurrent senders get consecutive numbers and commit in that order.
        let mut transaction = self.begin().await?;
        let row = sqlx::query(
            "UPDATE chat_conversations SET last_seq = last_seq + 1, updated_at = $2 \
             WHERE id = $1 AND status = 'active' RETURNING last_seq",
        )
        .bind(message.conversation_id.clone())
        .bind(message.created_at_ms / 1_000)
        .fetch_optional(&mut *transaction)
        .await
        .map_err(store_error)?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let seq: i64 = row.try_get(0).map_err(store_error)?;
        let sql = format!(
            "INSERT INTO chat_messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        );
        let inserted = sqlx::query(AssertSqlSafe(sql))
            .bind(message.conversation_id.clone())
            .bind(seq)
            .bind(message.sender.name())
            .bind(message.sender_id.clone())
            .bind(message.client_id.clone())
            .bind(message.body.clone())
            .bind(message.created_at_ms)
            .execute(&mut *transaction)
            .await
            .map_err(store_error);
        match inserted {
            Ok(_) => {}
            // The same client id committed by a concurrent request: answer that one.
            Err(StoreError::Conflict { .. }) => {
                drop(transaction);
                return self
                    .chat_message_by_client_id(message)
                    .await?
                    .map(|stored| (stored, false))
                    .ok_or(StoreError::NotFound);
            }
            Err(error) => return Err(error),
        }
        transaction.commit().await.map_err(store_error)?;
        Ok((
            ChatMessage {
                conversation_id: message.conversation_id.clone(),
                seq,
                sender: message.sender,
                sender_id: message.sender_id.clone(),
                client_id: message.client_id.clone(),
                body: message.body.clone(),
                created_at_ms: message.created_at_ms,
            },
            true,
        ))
    }

    async fn select_conversations(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Vec<Conversation>, StoreError> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM chat_conversations WHERE {condition} \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(value.to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(conversation_from).collect()
    }
}

impl ChatStore for Store {
    fn insert_conversation<'a>(
        &'a self,
        conversation: &'a Conversation,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO chat_conversations ({CONVERSATION_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(conversation.id.clone())
                .bind(conversation.user_id.clone())
                .bind(conversation.agent_id.clone())
                .bind(conversation.status.name())
                .bind(conversation.last_seq)
                .bind(conversation.user_read_seq)
                .bind(conversation.agent_read_seq)
                .bind(conversation.created_at)
                .bind(conversation.updated_at)
                .bind(conversation.closed_at)
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
            Ok(())
        })
    }

    fn conversation<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Conversation>, StoreError>> {
        Box::pin(async move {
            Ok(self
                .select_conversations("id = $1", id)
                .await?
                .into_iter()
                .next())
        })
    }

    fn active_conversation_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Conversation>, StoreError>> {
        Box::pin(async move {
            Ok(self
                .select_conversations("user_id = $1 AND status = 'active'", user_id)
                .await?
                .into_iter()
                .last())
        })
    }

    fn agent_conversations<'a>(
        &'a self,
        agent_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Conversation>, StoreError>> {
        Box::pin(self.select_conversations("agent_id = $1 AND status = 'active'", agent_id))
    }

    fn append_message<'a>(
        &'a self,
        message: &'a NewChatMessage,
    ) -> BoxFuture<'a, Result<(ChatMessage, bool), StoreError>> {
        Box::pin(self.append_chat_message(message))
    }

    fn messages_after<'a>(
        &'a self,
        conversation_id: &'a str,
        after: i64,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<ChatMessage>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
                 WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(conversation_id.to_owned())
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter().map(message_from).collect()
        })
    }

    fn mark_read<'a>(
        &'a self,
        conversation_id: &'a str,
        side: Side,
        seq: i64,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move {
            let column = match side {
                Side::User => "user_read_seq",
                Side::Agent => "agent_read_seq",
            };
            // Never lowers the mark, never past the newest message.
            let sql = format!(
                "UPDATE chat_conversations SET {column} = CASE \
                 WHEN $2 > last_seq THEN last_seq WHEN $2 > {column} THEN $2 ELSE {column} END \
                 WHERE id = $1 RETURNING {column}"
            );
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(conversation_id.to_owned())
                .bind(seq)
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?
                .ok_or(StoreError::NotFound)?;
            row.try_get(0).map_err(store_error)
        })
    }

    fn close_conversation<'a>(
        &'a self,
        id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "UPDATE chat_conversations SET status = 'closed', closed_at = $2, updated_at = $2 \
                 WHERE id = $1 AND status = 'active'",
            )
            .bind(id.to_owned())
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn set_agent_available<'a>(
        &'a self,
        staff_id: &'a str,
        available: bool,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO chat_agents (staff_id, available, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (staff_id) DO UPDATE SET available = $2, updated_at = $3",
            )
            .bind(staff_id.to_owned())
            .bind(i64::from(available))
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn agent_available<'a>(&'a self, staff_id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT available FROM chat_agents WHERE staff_id = $1")
                .bind(staff_id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            match row {
                None => Ok(false),
                Some(row) => Ok(row.try_get::<i64, _>(0).map_err(store_error)? == 1),
            }
        })
    }

    fn free_agent<'a>(&'a self, max: i64) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT a.staff_id, (SELECT COUNT(*) FROM chat_conversations c \
                 WHERE c.agent_id = a.staff_id AND c.status = 'active') AS load \
                 FROM chat_agents a WHERE a.available = 1 ORDER BY load, a.updated_at, a.staff_id \
                 LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let load: i64 = row.try_get(1).map_err(store_error)?;
            if load >= max {
                return Ok(None);
            }
            Ok(Some(row.try_get(0).map_err(store_error)?))
        })
    }
}
