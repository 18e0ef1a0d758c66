//! Live chat between a signed-in user and an agent: conversations, messages numbered per conversation, read marks, agent availability, and the fall-back to a ticket outside service hours or when no agent is free.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

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
/// The longest idempotency key a client may give the start of a chat.
pub const REQUEST_KEY_CHARS_MAX: usize = 100;

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

/// What a conversation's row says now: each process's poller compares it with what its
/// sockets were last told, so that what another process stored (messages, read marks, typing,
/// the close) reaches them too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationPulse {
    pub id: String,
    pub status: ConversationStatus,
    pub last_seq: i64,
    pub user_read_seq: i64,
    pub agent_read_seq: i64,
    /// When each side last said it was typing (Unix ms; 0: never).
    pub user_typing_ms: i64,
    pub agent_typing_ms: i64,
}

impl ConversationPulse {
    pub fn read_seq(&self, side: Side) -> i64 {
        match side {
            Side::User => self.user_read_seq,
            Side::Agent => self.agent_read_seq,
        }
    }

    pub fn typing_ms(&self, side: Side) -> i64 {
        match side {
            Side::User => self.user_typing_ms,
            Side::Agent => self.agent_typing_ms,
        }
    }
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

impl NewChatMessage {
    /// This message as stored under `seq`; a repeat answers with the body and time stored first.
    pub fn stored(&self, seq: i64, body: String, created_at_ms: i64) -> ChatMessage {
        ChatMessage {
            conversation_id: self.conversation_id.clone(),
            seq,
            sender: self.sender,
            sender_id: self.sender_id.clone(),
            client_id: self.client_id.clone(),
            body,
            created_at_ms,
        }
    }
}

/// What storing one message answers: the stored message, and false when it was stored before.
pub type Appended = Result<(ChatMessage, bool), StoreError>;

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
    /// Stores each message as [`ChatStore::append_message`] does, all in one transaction: one
    /// durable commit for many senders. A message whose conversation is missing or closed is
    /// answered `NotFound` without stopping the others; `Err` means nothing was stored.
    fn append_messages<'a>(
        &'a self,
        messages: &'a [NewChatMessage],
    ) -> BoxFuture<'a, Result<Vec<Appended>, StoreError>>;
    /// How many message writers may run at once. One on both databases: a batch is one
    /// statement on PostgreSQL, and one writer's bigger batches cost fewer commits and round
    /// trips than several writers' small ones (`okpay bench chat`: p99 ~38 ms with one, ~110 ms
    /// with four, on the loaded 2-core machine).
    fn chat_writers(&self) -> usize {
        1
    }
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
    /// Records that `side` was typing at `at_ms` (never moves the time back).
    fn mark_typing<'a>(
        &'a self,
        conversation_id: &'a str,
        side: Side,
        at_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The rows of the conversations `ids` (at most a few thousand), in one read.
    fn pulses<'a>(
        &'a self,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<ConversationPulse>, StoreError>>;
    /// Stores `ticket` as the fall-back of the user's chat request `key`, unless that key
    /// already led to a ticket that is not solved: then nothing is stored and that ticket's id
    /// is answered. One transaction, so retries racing each other open one ticket.
    fn open_fallback_ticket<'a>(
        &'a self,
        key: &'a str,
        ticket: &'a Ticket,
    ) -> BoxFuture<'a, Result<String, StoreError>>;
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

/// What makes two requests for a chat the same one: the client's key, or else the message.
fn fallback_key(request_key: Option<&str>, body: &str) -> Result<String, ChatError> {
    use sha2::{Digest, Sha256};
    match request_key.map(str::trim).filter(|key| !key.is_empty()) {
        Some(key) => {
            if key.chars().count() > REQUEST_KEY_CHARS_MAX || key.chars().any(char::is_control) {
                return Err(ChatError::InvalidText("idempotency_key"));
            }
            Ok(format!("key:{key}"))
        }
        None => {
            let digest = Sha256::digest(body.as_bytes());
            let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
            Ok(format!("body:{hex}"))
        }
    }
}

/// Messages the writer takes into one transaction at most.
const WRITE_BATCH_MAX: usize = 256;

/// A message waiting for the writer, and where its answer goes.
struct PendingMessage {
    message: NewChatMessage,
    answer: oneshot::Sender<Appended>,
}

/// Stores what the sockets send, many messages per transaction: a durable commit costs the same
/// for one message as for hundreds, so a burst of senders waits for a few commits, not for one
/// commit each. Ends when every `Chat` handle is gone.
async fn write_messages(store: Arc<dyn ChatStore>, mut queue: mpsc::Receiver<PendingMessage>) {
    let mut batch = Vec::with_capacity(WRITE_BATCH_MAX);
    while queue.recv_many(&mut batch, WRITE_BATCH_MAX).await > 0 {
        let messages: Vec<NewChatMessage> = batch
            .iter()
            .map(|pending| pending.message.clone())
            .collect();
        match store.append_messages(&messages).await {
            Ok(answers) => {
                for (pending, answer) in batch.drain(..).zip(answers) {
                    let _ = pending.answer.send(answer);
                }
            }
            // The batch failed as a whole (a conflict with another process, a deadlock broken
            // by PostgreSQL): each message on its own, so one cannot fail the others.
            Err(error) => {
                tracing::warn!(%error, messages = batch.len(), "a chat batch failed; storing its messages one by one");
                for pending in batch.drain(..) {
                    let answer = store.append_message(&pending.message).await;
                    let _ = pending.answer.send(answer);
                }
            }
        }
    }
}

/// The chat use cases.
#[derive(Clone)]
pub struct Chat {
    store: Arc<dyn ChatStore>,
    tickets: Tickets,
    /// A conversation's messages always go to the same writer, so they keep their order.
    writers: Arc<[mpsc::Sender<PendingMessage>]>,
}

impl Chat {
    /// Starts the message writer on the current tokio runtime.
    pub fn new(store: Arc<dyn ChatStore>, tickets: Tickets) -> Chat {
        let writers = (0..store.chat_writers().max(1))
            .map(|_| {
                let (writer, queue) = mpsc::channel(WRITE_BATCH_MAX * 8);
                tokio::spawn(write_messages(Arc::clone(&store), queue));
                writer
            })
            .collect();
        Chat {
            store,
            tickets,
            writers,
        }
    }

    /// Stores one message through the writer.
    async fn append(&self, message: NewChatMessage) -> Appended {
        let (answer, answered) = oneshot::channel();
        let unavailable = || StoreError::Unavailable("the chat writer has stopped".to_owned());
        // FNV-1a of the conversation id picks its writer.
        let hash = message
            .conversation_id
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        let writer = &self.writers[(hash % self.writers.len() as u64) as usize];
        writer
            .send(PendingMessage { message, answer })
            .await
            .map_err(|_| unavailable())?;
        answered.await.map_err(|_| unavailable())?
    }

    /// A user asks for a chat with `first_message`. `open_now` says whether the live-chat
    /// channel is within its service hours. The user's active conversation is reused, so asking
    /// twice never makes two chats; and a request that falls back to a ticket, asked again
    /// (the same `request_key`, or without one the same message) while that ticket is not
    /// solved, answers that ticket instead of opening another.
    pub async fn start(
        &self,
        user_id: &str,
        first_message: &str,
        request_key: Option<&str>,
        open_now: bool,
        now: UnixSeconds,
    ) -> Result<ChatStart, ChatError> {
        let body = checked(first_message, "message", MESSAGE_CHARS_MAX)?;
        let key = fallback_key(request_key, &body)?;
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
            let ticket = Tickets::prepare(
                user_id,
                NewTicket {
                    category: "other".to_owned(),
                    subject: "在线客服留言 · Live chat message".to_owned(),
                    description: body,
                    transaction_id: None,
                    context: format!(r#"{{"source":"live_chat","reason":"{}"}}"#, reason.name()),
                    attachments: Vec::new(),
                },
                now,
            )?;
            let stored = self.store.open_fallback_ticket(&key, &ticket).await?;
            let ticket = if stored == ticket.id {
                ticket
            } else {
                self.tickets.of_user(user_id, &stored).await?
            };
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
            .append(NewChatMessage {
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

    /// Records that `side` is typing, for sockets on other processes.
    pub async fn typing(
        &self,
        conversation_id: &str,
        side: Side,
        at_ms: i64,
    ) -> Result<(), ChatError> {
        Ok(self.store.mark_typing(conversation_id, side, at_ms).await?)
    }

    /// The rows of conversations `ids`, as stored now.
    pub async fn pulses(&self, ids: &[String]) -> Result<Vec<ConversationPulse>, ChatError> {
        Ok(self.store.pulses(ids).await?)
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
    fn a_request_key_wins_over_the_message_and_a_bad_one_is_refused() {
        let by_key = fallback_key(Some(" k-1 "), "hello").expect("fine");
        assert_eq!(by_key, "key:k-1");
        let by_body = fallback_key(None, "hello").expect("fine");
        assert!(by_body.starts_with("body:") && by_body.len() == 5 + 64);
        assert_eq!(fallback_key(Some(""), "hello").expect("fine"), by_body);
        assert_ne!(fallback_key(None, "hello!").expect("fine"), by_body);
        assert!(fallback_key(Some(&"k".repeat(101)), "hello").is_err());
        assert!(fallback_key(Some("a\nb"), "hello").is_err());
    }

    #[test]
    fn empty_long_and_nul_texts_are_refused() {
        assert!(checked("  ", "body", 10).is_err());
        assert!(checked("12345678901", "body", 10).is_err());
        assert!(checked("a\0b", "body", 10).is_err());
        assert_eq!(checked(" hi ", "body", 10).expect("fine"), "hi");
    }
}
