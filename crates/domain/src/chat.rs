//! Live chat between a signed-in user and an agent: conversations, messages numbered per conversation, read marks, agent availability, and the fall-back to a ticket outside service hours or when no agent is free.

use std::sync::Arc;

use crate::identity::{BoxFuture, UnixSeconds};
use crate::ids::new_id;
use crate::store_port::StoreError;
use crate::tickets::{NewTicket, Ticket, TicketError, Tickets};

/// The longest chat message, in characters.
pub const MESSAGE_CHARS_MAX: usize = 4_000;
/// The longest client-chosen message id (what makes a resent message count once).
pub const CLIENT_ID_CHARS_MAX: usize = 64;
/// Conversations one agent takes at once; more users wait as tickets.
pub const AGENT_CONVERSATIONS_MAX: i64 = 5;
/// Messages one read of the history returns at most; a client asks again from the last seq.
pub const HISTORY_PAGE_MAX: i64 = 500;

/// Who wrote a message, or read up to a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    User,
    Agent,
}

impl Side {
    pub const fn name(self) -> &'static str {
        match self {
            Side::User => "user",
            Side::Agent => "agent",
        }
    }

    pub fn parse(name: &str) -> Option<Side> {
        match name {
            "user" => Some(Side::User),
            "agent" => Some(Side::Agent),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationStatus {
    Active,
    Closed,
}

impl ConversationStatus {
    pub const fn name(self) -> &'static str {
        match self {
            ConversationStatus::Active => "active",
            ConversationStatus::Closed => "closed",
        }
    }

    pub fn parse(name: &str) -> Option<ConversationStatus> {
        match name {
            "active" => Some(ConversationStatus::Active),
            "closed" => Some(ConversationStatus::Closed),
            _ => None,
        }
    }
}

/// One chat between a user and the agent it was given to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    /// `cht_…`.
    pub id: String,
    pub user_id: String,
    /// The agent (`stf_…`).
    pub agent_id: String,
    pub status: ConversationStatus,
    /// The sequence number of the newest message; 0 before the first.
    pub last_seq: i64,
    /// The highest seq each side has read.
    pub user_read_seq: i64,
    pub agent_read_seq: i64,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    pub closed_at: Option<UnixSeconds>,
}

impl Conversation {
    /// The id of whoever is on `side`.
    pub fn member(&self, side: Side) -> &str {
        match side {
            Side::User => &self.user_id,
            Side::Agent => &self.agent_id,
        }
    }
}

/// A stored chat message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    pub conversation_id: String,
    /// 1, 2, 3… within the conversation, in the order the messages were stored.
    pub seq: i64,
    pub sender: Side,
    pub sender_id: String,
    /// The id the sending client chose: the same message sent again is stored once.
    pub client_id: String,
    pub body: String,
    /// Unix milliseconds.
    pub created_at_ms: i64,
}

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewChatMessage {
    pub conversation_id: String,
    pub sender: Side,
    pub sender_id: String,
    pub client_id: String,
    pub body: String,
    pub created_at_ms: i64,
}

/// The chat's storage. Object-safe so the web layer holds `Arc<dyn ChatStore>`.
pub trait ChatStore: Send + Sync + 'static {
    fn insert_conversation<'a>(
        &'a self,
        conversation: &'a Conversation,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn conversation<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Conversation>, StoreError>>;
    /// The user's active conversation, if any.
    fn active_conversation_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Conversation>, StoreError>>;
    /// The agent's active conversations, oldest first.
    fn agent_conversations<'a>(
        &'a self,
        agent_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Conversation>, StoreError>>;
    /// Stores the message with the conversation's next seq, in one transaction with the
    /// conversation's counter. A message whose `(conversation, sender, client_id)` is already
    /// stored is not stored again: the stored one is answered with `false`. `NotFound` when
    /// the conversation is missing or closed.
    fn append_message<'a>(
        &'a self,
        message: &'a NewChatMessage,
    ) -> BoxFuture<'a, Result<(ChatMessage, bool), StoreError>>;
    /// Messages with `seq > after`, in seq order, at most `limit`.
    fn messages_after<'a>(
        &'a self,
        conversation_id: &'a str,
        after: i64,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<ChatMessage>, StoreError>>;
    /// Raises `side`'s read mark to `seq` (never lowers it, never past the last message);
    /// answers the mark now stored.
    fn mark_read<'a>(
        &'a self,
        conversation_id: &'a str,
        side: Side,
        seq: i64,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;
    fn close_conversation<'a>(
        &'a self,
        id: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn set_agent_available<'a>(
        &'a self,
        staff_id: &'a str,
        available: bool,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn agent_available<'a>(&'a self, staff_id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// The available agent with the fewest active conversations, if they have fewer than `max`.
    fn free_agent<'a>(&'a self, max: i64) -> BoxFuture<'a, Result<Option<String>, StoreError>>;
}

/// Why a chat became a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackReason {
    OutsideHours,
    NoAgentFree,
}

impl FallbackReason {
    pub const fn name(self) -> &'static str {
        match self {
            FallbackReason::OutsideHours => "outside_hours",
            FallbackReason::NoAgentFree => "no_agent_free",
        }
    }
}

/// What asking for a chat led to.
#[derive(Clone, Debug)]
pub enum ChatStart {
    /// A conversation with an agent (a new one, or the one the user already had).
    Chat(Conversation),
    /// The message went into a ticket instead.
    Ticket(Ticket, FallbackReason),
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// `field` is empty or too long.
    #[error("{0} is empty or too long")]
    InvalidText(&'static str),
    #[error("the conversation is closed")]
    Closed,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Ticket(#[from] TicketError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn checked(text: &str, field: &'static str, max: usize) -> Result<String, ChatError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max || text.chars().any(|c| c == '\0') {
        return Err(ChatError::InvalidText(field));
    }
    Ok(text.to_owned())
}

/// The chat use cases.
#[derive(Clone)]
pub struct Chat {
    store: Arc<dyn ChatStore>,
    tickets: Tickets,
}

impl Chat {
    pub fn new(store: Arc<dyn ChatStore>, tickets: Tickets) -> Chat {
        Chat { store, tickets }
    }

    /// A user asks for a chat with `first_message`. `open_now` says whether the live-chat
    /// channel is within its service hours. The user's active conversation is reused, so asking
    /// twice never makes two chats.
    pub async fn start(
        &self,
        user_id: &str,
        first_message: &str,
        open_now: bool,
        now: UnixSeconds,
    ) -> Result<ChatStart, ChatError> {
        let body = checked(first_message, "message", MESSAGE_CHARS_MAX)?;
        if let Some(existing) = self.store.active_conversation_of(user_id).await? {
            return Ok(ChatStart::Chat(existing));
        }
        let agent = if open_now {
            self.store.free_agent(AGENT_CONVERSATIONS_MAX).await?
        } else {
            None
        };
        let Some(agent_id) = agent else {
            let reason = if open_now {
                FallbackReason::NoAgentFree
            } else {
                FallbackReason::OutsideHours
            };
            let ticket = self
                .tickets
                .open(
                    user_id,
                    NewTicket {
                        category: "other".to_owned(),
                        subject: "在线客服留言 · Live chat message".to_owned(),
                        description: body,
                        transaction_id: None,
                        context: format!(
                            r#"{{"source":"live_chat","reason":"{}"}}"#,
                            reason.name()
                        ),
                        attachments: Vec::new(),
                    },
                    now,
                )
                .await?;
            return Ok(ChatStart::Ticket(ticket, reason));
        };
        let conversation = Conversation {
            id: new_id("cht"),
            user_id: user_id.to_owned(),
            agent_id,
            status: ConversationStatus::Active,
            last_seq: 0,
            user_read_seq: 0,
            agent_read_seq: 0,
            created_at: now,
            updated_at: now,
            closed_at: None,
        };
        self.store.insert_conversation(&conversation).await?;
        self.store
            .append_message(&NewChatMessage {
                conversation_id: conversation.id.clone(),
                sender: Side::User,
                sender_id: user_id.to_owned(),
                client_id: format!("start-{}", conversation.id),
                body,
                created_at_ms: now.saturating_mul(1_000),
            })
            .await?;
        Ok(ChatStart::Chat(
            self.store
                .conversation(&conversation.id)
                .await?
                .ok_or(ChatError::NotFound)?,
        ))
    }

    /// The conversation `id` if `member_id` is on `side` of it; anyone else's answers as
    /// missing.
    pub async fn joined(
        &self,
        id: &str,
        side: Side,
        member_id: &str,
    ) -> Result<Conversation, ChatError> {
        self.store
            .conversation(id)
            .await?
            .filter(|conversation| conversation.member(side) == member_id)
            .ok_or(ChatError::NotFound)
    }

    pub async fn active_of_user(&self, user_id: &str) -> Result<Option<Conversation>, ChatError> {
        Ok(self.store.active_conversation_of(user_id).await?)
    }

    pub async fn of_agent(&self, agent_id: &str) -> Result<Vec<Conversation>, ChatError> {
        Ok(self.store.agent_conversations(agent_id).await?)
    }

    /// Stores a message; `false` when the client had sent it already (same `client_id`).
    pub async fn send(
        &self,
        conversation: &Conversation,
        side: Side,
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), ChatError> {
        let body = checked(body, "body", MESSAGE_CHARS_MAX)?;
        let client_id = checked(client_id, "client_id", CLIENT_ID_CHARS_MAX)?;
        match self
            .store
            .append_message(&NewChatMessage {
                conversation_id: conversation.id.clone(),
                sender: side,
                sender_id: conversation.member(side).to_owned(),
                client_id,
                body,
                created_at_ms: now_ms,
            })
            .await
        {
            Err(StoreError::NotFound) => Err(ChatError::Closed),
            other => Ok(other?),
        }
    }

    pub async fn messages_after(
        &self,
        conversation_id: &str,
        after: i64,
    ) -> Result<Vec<ChatMessage>, ChatError> {
        Ok(self
            .store
            .messages_after(conversation_id, after.max(0), HISTORY_PAGE_MAX)
            .await?)
    }

    pub async fn mark_read(
        &self,
        conversation_id: &str,
        side: Side,
        seq: i64,
    ) -> Result<i64, ChatError> {
        Ok(self.store.mark_read(conversation_id, side, seq).await?)
    }

    pub async fn close(&self, conversation_id: &str, now: UnixSeconds) -> Result<(), ChatError> {
        Ok(self.store.close_conversation(conversation_id, now).await?)
    }

    pub async fn set_available(
        &self,
        staff_id: &str,
        available: bool,
        now: UnixSeconds,
    ) -> Result<(), ChatError> {
        Ok(self
            .store
            .set_agent_available(staff_id, available, now)
            .await?)
    }

    pub async fn is_available(&self, staff_id: &str) -> Result<bool, ChatError> {
        Ok(self.store.agent_available(staff_id).await?)
    }

    /// A conversation as stored now (its seq and read marks move).
    pub async fn conversation(&self, id: &str) -> Result<Conversation, ChatError> {
        self.store
            .conversation(id)
            .await?
            .ok_or(ChatError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_and_statuses_read_back_as_written() {
        for side in [Side::User, Side::Agent] {
            assert_eq!(Side::parse(side.name()), Some(side));
        }
        for status in [ConversationStatus::Active, ConversationStatus::Closed] {
            assert_eq!(ConversationStatus::parse(status.name()), Some(status));
        }
    }

    #[test]
    fn empty_long_and_nul_texts_are_refused() {
        assert!(checked("  ", "body", 10).is_err());
        assert!(checked("12345678901", "body", 10).is_err());
        assert!(checked("a\0b", "body", 10).is_err());
        assert_eq!(checked(" hi ", "body", 10).expect("fine"), "hi");
    }
}
