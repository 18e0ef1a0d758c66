//! Live chat on SQLite and PostgreSQL: conversations, messages numbered under the conversation's row lock, read marks and agents' availability.

use domain::StoreError;
use domain::chat::{
    Appended, ChatMessage, ChatStore, Conversation, ConversationPulse, ConversationStatus,
    NewChatMessage, Side,
};
use domain::identity::{BoxFuture, UnixSeconds};
use domain::tickets::{Ticket, TicketStatus};
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

/// PostgreSQL: the stored message with this client id, or the next seq and the insert, in one
/// statement (data-modifying CTEs; SQLite has none). A closed conversation answers `NotFound`.
async fn append_in_one_statement(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    message: &NewChatMessage,
) -> Result<Appended, StoreError> {
    let row = sqlx::query(
        "WITH existing AS ( \
             SELECT seq, body, created_at_ms FROM chat_messages \
             WHERE conversation_id = $1 AND sender = $3 AND client_id = $5 \
         ), next AS ( \
             UPDATE chat_conversations SET last_seq = last_seq + 1, updated_at = $2 \
             WHERE id = $1 AND status = 'active' AND NOT EXISTS (SELECT 1 FROM existing) \
             RETURNING last_seq \
         ), inserted AS ( \
             INSERT INTO chat_messages \
             (conversation_id, seq, sender, sender_id, client_id, body, created_at_ms) \
             SELECT $1, last_seq, $3, $4, $5, $6, $7 FROM next RETURNING seq \
         ) \
         SELECT (SELECT seq FROM inserted), (SELECT seq FROM existing), \
                (SELECT body FROM existing), (SELECT created_at_ms FROM existing)",
    )
    .bind(message.conversation_id.clone())
    .bind(message.created_at_ms / 1_000)
    .bind(message.sender.name())
    .bind(message.sender_id.clone())
    .bind(message.client_id.clone())
    .bind(message.body.clone())
    .bind(message.created_at_ms)
    // Planned at every execution: PostgreSQL only runs this, see `Store::chat_plans_kept`.
    .persistent(false)
    .fetch_one(&mut **transaction)
    .await
    .map_err(store_error)?;
    let inserted: Option<i64> = row.try_get(0).map_err(store_error)?;
    let existing: Option<i64> = row.try_get(1).map_err(store_error)?;
    let stored =
        |seq: i64, body: String, created_at_ms: i64| message.stored(seq, body, created_at_ms);
    Ok(match (inserted, existing) {
        (Some(seq), _) => Ok((
            stored(seq, message.body.clone(), message.created_at_ms),
            true,
        )),
        (None, Some(seq)) => Ok((
            stored(
                seq,
                row.try_get(2).map_err(store_error)?,
                row.try_get(3).map_err(store_error)?,
            ),
            false,
        )),
        (None, None) => Err(StoreError::NotFound),
    })
}

impl Store {
    /// Whether chat's reads may be kept prepared. Not on PostgreSQL: after five executions it
    /// may switch a prepared statement to a generic plan made from the tables' sizes at that
    /// moment and keep it until an ANALYZE invalidates it, so a plan made while the chat tables
    /// were nearly empty (a whole-table scan) would serve every later read (see
    /// `ledger_store::fetch_all`). Planning each execution costs well under a millisecond. SQLite
    /// plans against the data at every step anyway, so its statements stay cached.
    fn chat_plans_kept(&self) -> bool {
        self.dialect() != crate::Dialect::Postgres
    }

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
            .persistent(self.chat_plans_kept())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(message_from).transpose()
    }

    async fn append_chat_message(
        &self,
        message: &NewChatMessage,
    ) -> Result<(ChatMessage, bool), StoreError> {
        if self.dialect() == crate::Dialect::Postgres {
            // One round trip instead of three: on a busy server each costs more than the work
            // it carries.
            let mut transaction = self.begin().await?;
            return match append_in_one_statement(&mut transaction, message).await {
                Ok(answer) => {
                    transaction.commit().await.map_err(store_error)?;
                    answer
                }
                // The same client id committed by a concurrent request: answer that one.
                Err(StoreError::Conflict { .. }) => {
                    drop(transaction);
                    self.chat_message_by_client_id(message)
                        .await?
                        .map(|stored| (stored, false))
                        .ok_or(StoreError::NotFound)
                }
                Err(error) => Err(error),
            };
        }
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

    /// Every message in one transaction; conversations are taken in id order (each one's
    /// messages in the order given) so that two processes' batches lock rows in the same order.
    async fn append_chat_messages(
        &self,
        messages: &[NewChatMessage],
    ) -> Result<Vec<Appended>, StoreError> {
        if self.dialect() == crate::Dialect::Postgres {
            return self.append_chat_messages_at_once(messages).await;
        }
        let mut order: Vec<usize> = (0..messages.len()).collect();
        order.sort_by(|a, b| {
            messages[*a]
                .conversation_id
                .cmp(&messages[*b].conversation_id)
        });
        let mut answers: Vec<Option<Appended>> = vec![None; messages.len()];
        let mut transaction = self.begin().await?;
        let find_sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
             WHERE conversation_id = $1 AND sender = $2 AND client_id = $3"
        );
        let insert_sql = format!(
            "INSERT INTO chat_messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        );
        for index in order {
            let message = &messages[index];
            // Sent before, or twice in this batch: the stored one answers.
            let stored = sqlx::query(AssertSqlSafe(find_sql.clone()))
                .bind(message.conversation_id.clone())
                .bind(message.sender.name())
                .bind(message.client_id.clone())
                .fetch_optional(&mut *transaction)
                .await
                .map_err(store_error)?;
            if let Some(row) = stored {
                answers[index] = Some(Ok((message_from(&row)?, false)));
                continue;
            }
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
                answers[index] = Some(Err(StoreError::NotFound));
                continue;
            };
            let seq: i64 = row.try_get(0).map_err(store_error)?;
            sqlx::query(AssertSqlSafe(insert_sql.clone()))
                .bind(message.conversation_id.clone())
                .bind(seq)
                .bind(message.sender.name())
                .bind(message.sender_id.clone())
                .bind(message.client_id.clone())
                .bind(message.body.clone())
                .bind(message.created_at_ms)
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
            answers[index] = Some(Ok((
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
            )));
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(answers
            .into_iter()
            .map(|answer| answer.unwrap_or(Err(StoreError::NotFound)))
            .collect())
    }

    /// One round of [`ChatStore::open_fallback_ticket`]; `None` when another request replaced
    /// the key's solved ticket meanwhile.
    async fn try_open_fallback_ticket(
        &self,
        key: &str,
        ticket: &Ticket,
    ) -> Result<Option<String>, StoreError> {
        let mut transaction = self.begin().await?;
        // A concurrent request for the same key waits here for the first one's commit, then
        // inserts nothing and reads the ticket it stored.
        let claimed = sqlx::query(
            "INSERT INTO chat_fallbacks (user_id, request_key, ticket_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, request_key) DO NOTHING",
        )
        .bind(ticket.user_id.clone())
        .bind(key.to_owned())
        .bind(ticket.id.clone())
        .bind(ticket.created_at)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?
        .rows_affected();
        if claimed == 1 {
            crate::ticket_store::insert_ticket_in(&mut transaction, ticket).await?;
            transaction.commit().await.map_err(store_error)?;
            return Ok(Some(ticket.id.clone()));
        }
        let row = sqlx::query(
            "SELECT f.ticket_id, t.status FROM chat_fallbacks f \
             LEFT JOIN tickets t ON t.id = f.ticket_id \
             WHERE f.user_id = $1 AND f.request_key = $2",
        )
        .bind(ticket.user_id.clone())
        .bind(key.to_owned())
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?;
        let earlier: String = row.try_get(0).map_err(store_error)?;
        let status: Option<String> = row.try_get(1).map_err(store_error)?;
        if status
            .as_deref()
            .is_some_and(|status| TicketStatus::parse(status) != Some(TicketStatus::Solved))
        {
            return Ok(Some(earlier));
        }
        // The earlier ticket is solved: the same words now are a new matter.
        let replaced = sqlx::query(
            "UPDATE chat_fallbacks SET ticket_id = $3, created_at = $4 \
             WHERE user_id = $1 AND request_key = $2 AND ticket_id = $5",
        )
        .bind(ticket.user_id.clone())
        .bind(key.to_owned())
        .bind(ticket.id.clone())
        .bind(ticket.created_at)
        .bind(earlier)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?
        .rows_affected();
        if replaced == 0 {
            return Ok(None);
        }
        crate::ticket_store::insert_ticket_in(&mut transaction, ticket).await?;
        transaction.commit().await.map_err(store_error)?;
        Ok(Some(ticket.id.clone()))
    }

    /// PostgreSQL: the whole batch in one statement, one round trip. Each message not stored before (nor
    /// earlier in the batch) takes its conversation's next seq, in batch order; the
    /// conversations are locked in id order, so two processes' batches never deadlock. A
    /// message another process stored meanwhile fails the statement, and the writer then
    /// stores the batch one message at a time.
    async fn append_chat_messages_at_once(
        &self,
        messages: &[NewChatMessage],
    ) -> Result<Vec<Appended>, StoreError> {
        use crate::bulk::{Column, JsonRows};
        let mut rows = JsonRows::with_capacity(messages.len());
        for (ord, message) in messages.iter().enumerate() {
            rows.row()
                .int(ord as i64)
                .text(&message.conversation_id)
                .text(message.sender.name())
                .text(&message.sender_id)
                .text(&message.client_id)
                .text(&message.body)
                .int(message.created_at_ms);
        }
        let input = self.dialect().json_rows(&[
            Column::BigInt("ord"),
            Column::Text("conversation_id"),
            Column::Text("sender"),
            Column::Text("sender_id"),
            Column::Text("client_id"),
            Column::Text("body"),
            Column::BigInt("created_at_ms"),
        ]);
        let sql = format!(
            "WITH input AS ({input}), \
             firsts AS ( \
                 SELECT DISTINCT ON (conversation_id, sender, client_id) * FROM input \
                 ORDER BY conversation_id, sender, client_id, ord \
             ), fresh AS ( \
                 SELECT f.* FROM firsts f WHERE NOT EXISTS ( \
                     SELECT 1 FROM chat_messages m WHERE m.conversation_id = f.conversation_id \
                     AND m.sender = f.sender AND m.client_id = f.client_id) \
             ), counts AS ( \
                 SELECT conversation_id, COUNT(*) AS n, MAX(created_at_ms) AS at_ms \
                 FROM fresh GROUP BY conversation_id \
             ), locked AS ( \
                 SELECT c.id FROM chat_conversations c \
                 JOIN counts ON counts.conversation_id = c.id \
                 WHERE c.status = 'active' ORDER BY c.id FOR UPDATE OF c \
             ), bumped AS ( \
                 UPDATE chat_conversations c SET last_seq = c.last_seq + counts.n, \
                 updated_at = counts.at_ms / 1000 \
                 FROM counts, locked \
                 WHERE c.id = counts.conversation_id AND locked.id = c.id AND c.status = 'active' \
                 RETURNING c.id, c.last_seq - counts.n AS base \
             ), numbered AS ( \
                 SELECT f.ord, f.conversation_id, f.sender, f.sender_id, f.client_id, f.body, \
                 f.created_at_ms, \
                 b.base + ROW_NUMBER() OVER (PARTITION BY f.conversation_id ORDER BY f.ord) AS seq \
                 FROM fresh f JOIN bumped b ON b.id = f.conversation_id \
             ), inserted AS ( \
                 INSERT INTO chat_messages ({MESSAGE_COLUMNS}) \
                 SELECT conversation_id, seq, sender, sender_id, client_id, body, created_at_ms \
                 FROM numbered RETURNING seq \
             ) \
             SELECT i.ord, n.seq, n.ord, m.seq, m.body, m.created_at_ms, \
                    (SELECT COUNT(*) FROM inserted) \
             FROM input i \
             LEFT JOIN numbered n ON n.conversation_id = i.conversation_id \
                 AND n.sender = i.sender AND n.client_id = i.client_id \
             LEFT JOIN chat_messages m ON m.conversation_id = i.conversation_id \
                 AND m.sender = i.sender AND m.client_id = i.client_id \
             ORDER BY i.ord"
        );
        // One statement is its own transaction: no BEGIN and COMMIT round trips, each of which
        // waits for the server's process to be scheduled on a busy machine. It commits
        // durably like any other (`synchronous_commit = on`).
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(rows.finish())
            // PostgreSQL only; planned for the batch's rows, see `Store::chat_plans_kept`.
            .persistent(false)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        let mut answers: Vec<Appended> = Vec::with_capacity(messages.len());
        for (row, message) in found.iter().zip(messages) {
            let ord: i64 = row.try_get(0).map_err(store_error)?;
            let new_seq: Option<i64> = row.try_get(1).map_err(store_error)?;
            let first_ord: Option<i64> = row.try_get(2).map_err(store_error)?;
            let old_seq: Option<i64> = row.try_get(3).map_err(store_error)?;
            let stored = |seq: i64, body: String, created_at_ms: i64| {
                message.stored(seq, body, created_at_ms)
            };
            answers.push(match (new_seq, old_seq) {
                (Some(seq), _) => {
                    let fresh = first_ord == Some(ord);
                    // A repeat within the batch answers the first one's message.
                    let first = &messages[first_ord.unwrap_or(ord) as usize];
                    Ok((stored(seq, first.body.clone(), first.created_at_ms), fresh))
                }
                (None, Some(seq)) => Ok((
                    stored(
                        seq,
                        row.try_get(4).map_err(store_error)?,
                        row.try_get(5).map_err(store_error)?,
                    ),
                    false,
                )),
                (None, None) => Err(StoreError::NotFound),
            });
        }
        if answers.len() != messages.len() {
            return Err(StoreError::Unavailable(
                "a chat batch answered fewer rows than it had messages".to_owned(),
            ));
        }
        Ok(answers)
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
            .persistent(self.chat_plans_kept())
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

    fn append_messages<'a>(
        &'a self,
        messages: &'a [NewChatMessage],
    ) -> BoxFuture<'a, Result<Vec<Appended>, StoreError>> {
        Box::pin(self.append_chat_messages(messages))
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
                .persistent(self.chat_plans_kept())
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

    fn mark_typing<'a>(
        &'a self,
        conversation_id: &'a str,
        side: Side,
        at_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let column = match side {
                Side::User => "user_typing_ms",
                Side::Agent => "agent_typing_ms",
            };
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE chat_conversations SET {column} = $2 \
                 WHERE id = $1 AND status = 'active' AND {column} < $2"
            )))
            .bind(conversation_id.to_owned())
            .bind(at_ms)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
            Ok(())
        })
    }

    fn pulses<'a>(
        &'a self,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<ConversationPulse>, StoreError>> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // The ids travel as one JSON parameter: one statement however many sockets are open.
            let ids_json = crate::bulk::json_strings(ids.iter().map(String::as_str));
            let sql = format!(
                "SELECT id, status, last_seq, user_read_seq, agent_read_seq, user_typing_ms, \
                 agent_typing_ms FROM chat_conversations WHERE id IN ({})",
                self.dialect().json_texts()
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(ids_json)
                .persistent(self.chat_plans_kept())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter()
                .map(|row| {
                    let status: String = row.try_get(1).map_err(store_error)?;
                    Ok(ConversationPulse {
                        id: row.try_get(0).map_err(store_error)?,
                        status: ConversationStatus::parse(&status)
                            .ok_or_else(|| unreadable("conversation status", &status))?,
                        last_seq: row.try_get(2).map_err(store_error)?,
                        user_read_seq: row.try_get(3).map_err(store_error)?,
                        agent_read_seq: row.try_get(4).map_err(store_error)?,
                        user_typing_ms: row.try_get(5).map_err(store_error)?,
                        agent_typing_ms: row.try_get(6).map_err(store_error)?,
                    })
                })
                .collect()
        })
    }

    fn open_fallback_ticket<'a>(
        &'a self,
        key: &'a str,
        ticket: &'a Ticket,
    ) -> BoxFuture<'a, Result<String, StoreError>> {
        Box::pin(async move {
            // A claim that raced another one's replacement is tried again; three rounds are
            // more than two requests for the same key ever need.
            for _ in 0..3 {
                if let Some(id) = self.try_open_fallback_ticket(key, ticket).await? {
                    return Ok(id);
                }
            }
            Err(StoreError::Unavailable(
                "the chat fall-back ticket kept changing under us".to_owned(),
            ))
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
            .persistent(self.chat_plans_kept())
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    /// On one connection: every hot chat read and the batch append, more times than PostgreSQL
    /// needs to settle on a generic plan, then the statements that connection keeps prepared. A
    /// chat read kept there would be served by a plan made while the tables were nearly empty.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chat_reads_on_postgresql_are_planned_for_the_tables_as_they_are_not_from_a_cached_plan()
     {
        let Some(url) = crate::scratch::test_postgres_database().await else {
            return;
        };
        let store = Store::connect(&url, 1).await.expect("PostgreSQL connects");
        store.migrate().await.expect("migrations apply");
        store
            .insert_conversation(&Conversation {
                id: "cht_a".to_owned(),
                user_id: "usr_a".to_owned(),
                agent_id: "stf_agent".to_owned(),
                status: ConversationStatus::Active,
                last_seq: 0,
                user_read_seq: 0,
                agent_read_seq: 0,
                created_at: NOW,
                updated_at: NOW,
                closed_at: None,
            })
            .await
            .expect("stored");
        store
            .set_agent_available("stf_agent", true, NOW)
            .await
            .expect("available");
        for round in 0..8 {
            let message = |client_id: String| NewChatMessage {
                conversation_id: "cht_a".to_owned(),
                sender: Side::User,
                sender_id: "usr_a".to_owned(),
                client_id,
                body: format!("message {round}"),
                created_at_ms: NOW * 1_000 + round,
            };
            let (_, fresh) = store
                .append_message(&message(format!("one_{round}")))
                .await
                .expect("appended");
            assert!(fresh);
            let answers = store
                .append_messages(&[message(format!("batch_{round}"))])
                .await
                .expect("the batch");
            assert!(answers[0].is_ok(), "{answers:?}");
            // A repeat reads the stored message by its client id.
            let (_, fresh) = store
                .append_message(&message(format!("one_{round}")))
                .await
                .expect("answered");
            assert!(!fresh);
            store.messages_after("cht_a", 0, 50).await.expect("read");
            store.conversation("cht_a").await.expect("read");
            store.active_conversation_of("usr_a").await.expect("read");
            store.agent_conversations("stf_agent").await.expect("read");
            store.pulses(&["cht_a".to_owned()]).await.expect("read");
            store.free_agent(10).await.expect("read");
        }
        let kept: Vec<String> = sqlx::query_scalar(
            "SELECT statement FROM pg_prepared_statements \
             WHERE statement LIKE '%chat_%' AND generic_plans > 0",
        )
        .persistent(false)
        .fetch_all(&store.pool)
        .await
        .expect("the session's prepared statements");
        assert!(
            kept.is_empty(),
            "chat statements run from a cached generic plan: {kept:#?}"
        );
        let stored = store.messages_after("cht_a", 0, 50).await.expect("read");
        assert_eq!(stored.len(), 16);
        assert_eq!(stored.last().map(|m| m.seq), Some(16));
        store.close().await;
    }
}
