//! Tickets, their threads and attachments (bytes kept in the database) on SQLite and PostgreSQL.

use domain::audit::AuditEvent;
use domain::documents::{DocumentInfo, StoredDocument};
use domain::identity::{BoxFuture, Lock, Notice, UnixSeconds, UserRecord};
use domain::notify::{OutboundMessage, OutboxStore};
use domain::tickets::{
    ACCOUNT_EVENT_ACTIONS, AccountEvent, AuthorKind, Category, QueueFilter, Ticket, TicketMessage,
    TicketStatus, TicketStore,
};
use domain::{AuditStore, IdentityStore, SecurityStore, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::document_store::TICKET_ATTACHMENTS;
use crate::error::store_error;

const TICKET_COLUMNS: &str = "id, user_id, category, subject, description, transaction_id, \
     status, priority, assignee, context, rating, rating_comment, created_at, updated_at, solved_at";
const MESSAGE_COLUMNS: &str = "id, ticket_id, author_kind, author_id, body, internal, created_at";

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} {value:?} in the database"))
}

fn ticket_from(row: &AnyRow) -> Result<Ticket, StoreError> {
    let category: String = row.try_get(2).map_err(store_error)?;
    let status: String = row.try_get(6).map_err(store_error)?;
    Ok(Ticket {
        id: row.try_get(0).map_err(store_error)?,
        user_id: row.try_get(1).map_err(store_error)?,
        category: Category::parse(&category)
            .ok_or_else(|| unreadable("ticket category", &category))?,
        subject: row.try_get(3).map_err(store_error)?,
        description: row.try_get(4).map_err(store_error)?,
        transaction_id: row.try_get(5).map_err(store_error)?,
        status: TicketStatus::parse(&status).ok_or_else(|| unreadable("ticket status", &status))?,
        priority: row.try_get(7).map_err(store_error)?,
        assignee: row.try_get(8).map_err(store_error)?,
        context: row.try_get(9).map_err(store_error)?,
        rating: row.try_get(10).map_err(store_error)?,
        rating_comment: row.try_get(11).map_err(store_error)?,
        created_at: row.try_get(12).map_err(store_error)?,
        updated_at: row.try_get(13).map_err(store_error)?,
        solved_at: row.try_get(14).map_err(store_error)?,
    })
}

fn message_from(row: &AnyRow) -> Result<TicketMessage, StoreError> {
    let kind: String = row.try_get(2).map_err(store_error)?;
    let internal: i64 = row.try_get(5).map_err(store_error)?;
    Ok(TicketMessage {
        id: row.try_get(0).map_err(store_error)?,
        ticket_id: row.try_get(1).map_err(store_error)?,
        author_kind: AuthorKind::parse(&kind).ok_or_else(|| unreadable("author kind", &kind))?,
        author_id: row.try_get(3).map_err(store_error)?,
        body: row.try_get(4).map_err(store_error)?,
        internal: internal != 0,
        created_at: row.try_get(6).map_err(store_error)?,
    })
}

impl Store {
    async fn put_ticket(&self, ticket: &Ticket, insert: bool) -> Result<(), StoreError> {
        let sql = if insert {
            format!(
                "INSERT INTO tickets ({TICKET_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            )
        } else {
            "UPDATE tickets SET user_id = $2, category = $3, subject = $4, description = $5, \
             transaction_id = $6, status = $7, priority = $8, assignee = $9, context = $10, \
             rating = $11, rating_comment = $12, created_at = $13, updated_at = $14, \
             solved_at = $15 WHERE id = $1"
                .to_owned()
        };
        let done = ticket_bound(sql, ticket)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn select_tickets(
        &self,
        filter: &QueueFilter,
        user_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Ticket>, StoreError> {
        // Each optional condition is `($n IS NULL OR column = $n)`, so one statement serves all
        // combinations on both databases.
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets \
             WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR category = $2) \
             AND ($3 IS NULL OR assignee = $3) AND ($4 IS NULL OR user_id = $4) \
             ORDER BY {} LIMIT $5",
            if user_id.is_some() {
                "created_at DESC, id DESC"
            } else {
                "priority ASC, created_at ASC, id ASC"
            }
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(filter.status.map(TicketStatus::name))
            .bind(filter.category.map(Category::name))
            .bind(filter.assignee.clone())
            .bind(user_id.map(str::to_owned))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(ticket_from).collect()
    }
}

/// The statement `sql` with a ticket's fifteen columns bound in `TICKET_COLUMNS` order.
fn ticket_bound(
    sql: String,
    ticket: &Ticket,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(AssertSqlSafe(sql))
        .bind(ticket.id.clone())
        .bind(ticket.user_id.clone())
        .bind(ticket.category.name())
        .bind(ticket.subject.clone())
        .bind(ticket.description.clone())
        .bind(ticket.transaction_id.clone())
        .bind(ticket.status.name())
        .bind(ticket.priority)
        .bind(ticket.assignee.clone())
        .bind(ticket.context.clone())
        .bind(ticket.rating)
        .bind(ticket.rating_comment.clone())
        .bind(ticket.created_at)
        .bind(ticket.updated_at)
        .bind(ticket.solved_at)
}

/// Inserts a new ticket inside the caller's transaction (live chat's fall-back).
pub(crate) async fn insert_ticket_in(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    ticket: &Ticket,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO tickets ({TICKET_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    ticket_bound(sql, ticket)
        .execute(&mut **transaction)
        .await
        .map_err(store_error)?;
    Ok(())
}

impl TicketStore for Store {
    fn insert_ticket<'a>(&'a self, ticket: &'a Ticket) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.put_ticket(ticket, true))
    }

    fn update_ticket<'a>(&'a self, ticket: &'a Ticket) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.put_ticket(ticket, false))
    }

    fn ticket<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Ticket>, StoreError>> {
        Box::pin(async move {
            let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1");
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
            row.as_ref().map(ticket_from).transpose()
        })
    }

    fn tickets_of<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Ticket>, StoreError>> {
        Box::pin(async move {
            self.select_tickets(&QueueFilter::default(), Some(user_id), limit)
                .await
        })
    }

    fn queue<'a>(
        &'a self,
        filter: &'a QueueFilter,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Ticket>, StoreError>> {
        Box::pin(self.select_tickets(filter, None, limit))
    }

    fn insert_message<'a>(
        &'a self,
        message: &'a TicketMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO ticket_messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(message.id.clone())
                .bind(message.ticket_id.clone())
                .bind(message.author_kind.name())
                .bind(message.author_id.clone())
                .bind(message.body.clone())
                .bind(i64::from(message.internal))
                .bind(message.created_at)
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
            Ok(())
        })
    }

    fn messages<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TicketMessage>, StoreError>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM ticket_messages WHERE ticket_id = $1 \
                 ORDER BY created_at, id"
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(ticket_id.to_owned())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
            rows.iter().map(message_from).collect()
        })
    }

    fn insert_attachment<'a>(
        &'a self,
        info: &'a DocumentInfo,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(TICKET_ATTACHMENTS.insert(&self.pool, info, bytes))
    }

    fn attachments<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>> {
        Box::pin(TICKET_ATTACHMENTS.list(&self.pool, ticket_id))
    }

    fn attachment_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>> {
        Box::pin(TICKET_ATTACHMENTS.with_bytes(&self.pool, id))
    }

    fn ticket_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>> {
        Box::pin(self.user_by_id(user_id))
    }

    fn ticket_notice<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.insert_notice(notice))
    }

    fn ticket_outbox<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.enqueue(message))
    }

    fn ticket_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.append_audit(std::slice::from_ref(event)))
    }

    fn ticket_locks<'a>(
        &'a self,
        user_id: &'a str,
        since: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<Lock>, StoreError>> {
        Box::pin(self.locks_since(user_id, since))
    }

    fn ticket_account_events<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<AccountEvent>, StoreError>> {
        Box::pin(async move {
            let [frozen, unfrozen, locked, unlocked] = ACCOUNT_EVENT_ACTIONS;
            let rows = sqlx::query(
                "SELECT at_ms, actor, action, detail FROM audit_log WHERE subject = $1 \
                 AND action IN ($2, $3, $4, $5) ORDER BY seq DESC LIMIT $6",
            )
            .bind(user_id.to_owned())
            .bind(frozen)
            .bind(unfrozen)
            .bind(locked)
            .bind(unlocked)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            rows.iter()
                .map(|row| {
                    let at_ms: i64 = row.try_get(0).map_err(store_error)?;
                    Ok(AccountEvent {
                        at: at_ms / 1_000,
                        actor: row.try_get(1).map_err(store_error)?,
                        action: row.try_get(2).map_err(store_error)?,
                        detail: row.try_get(3).map_err(store_error)?,
                    })
                })
                .collect()
        })
    }

    fn ticket_status_changes<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(UnixSeconds, TicketStatus)>, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT at_ms, detail FROM audit_log WHERE subject = $1 \
                 AND action = 'ticket.status_set' ORDER BY seq",
            )
            .bind(ticket_id.to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            let mut changes = Vec::with_capacity(rows.len());
            for row in &rows {
                let at_ms: i64 = row.try_get(0).map_err(store_error)?;
                let detail: String = row.try_get(1).map_err(store_error)?;
                // Written as `user=… status=<name>` by `Tickets::set_status`.
                let status = detail
                    .split_whitespace()
                    .find_map(|part| part.strip_prefix("status="))
                    .and_then(TicketStatus::parse)
                    .ok_or_else(|| unreadable("ticket status change", &detail))?;
                changes.push((at_ms / 1_000, status));
            }
            Ok(changes)
        })
    }
}

impl Store {
    /// The audit log's `(actor, action)` about one subject (a ticket id), oldest first: what
    /// staff did with a customer's ticket.
    pub async fn audit_actions_about(
        &self,
        subject: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT actor, action FROM audit_log WHERE subject = $1 ORDER BY seq")
                .bind(subject.to_owned())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get(0).map_err(store_error)?,
                    row.try_get(1).map_err(store_error)?,
                ))
            })
            .collect()
    }
}
