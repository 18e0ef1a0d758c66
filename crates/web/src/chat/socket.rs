//! One chat socket: a hello, what the client missed since the seq it names, then every message in seq order exactly once, typing and read marks, and the client's sends, reads and close.
//!
//! A socket subscribes to the hub before it reads the backlog, so a message published between
//! the two arrives as an event whose seq it has already delivered and skips. An event whose seq
//! is past the next one expected (events published out of order, or a socket that fell behind)
//! sends it back to the database for the gap. What another process's sockets did (messages,
//! read marks, typing, the close) reaches this one's through the hub's poller, which reads the
//! conversations' rows; typing is stored for it, at most once a second per socket.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use domain::chat::{ChatError, Conversation, ConversationStatus, Side};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::LiveChat;
use super::api::{chat_error, live_chat};
use super::auth::{ChatAgent, ChatUser};
use super::hub::{Event, EventKind, message_frame, unix_now_ms};
use crate::AppState;
use crate::api::auth::unix_now;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{Locale, error_text};

/// A socket stores its side's typing at most this often (the page sends it every 2 s).
const TYPING_STORE_INTERVAL_MS: i64 = 1_000;
/// The largest frame a client may send.
const FRAME_BYTES_MAX: usize = 64 * 1024;

#[derive(Deserialize)]
pub(crate) struct SocketQuery {
    /// The conversation; for a user, their active one when left out.
    pub conversation: Option<String>,
    /// The last seq the client saw; it receives everything after.
    #[serde(default)]
    pub after: i64,
}

/// `GET /chat/ws` (and `/api/v1/chat/ws`): the user's socket.
pub(crate) async fn user_socket(
    State(state): State<AppState>,
    user: ChatUser,
    locale: Locale,
    Query(query): Query<SocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let live = live_chat(&state)?.clone();
    let conversation = match &query.conversation {
        Some(id) => live.chat.joined(id, Side::User, &user.user_id).await,
        None => live
            .chat
            .active_of_user(&user.user_id)
            .await
            .and_then(|found| found.ok_or(ChatError::NotFound)),
    }
    .map_err(chat_error)?;
    Ok(open(
        upgrade,
        live,
        conversation,
        Side::User,
        query.after,
        locale,
    ))
}

/// `GET /staff/chat/ws` (and `/api/v1/staff/chat/ws`): an agent's socket to one conversation.
pub(crate) async fn staff_socket(
    State(state): State<AppState>,
    agent: ChatAgent,
    locale: Locale,
    Query(query): Query<SocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let live = live_chat(&state)?.clone();
    let id = query
        .conversation
        .as_deref()
        .ok_or_else(|| ApiError::invalid_request("conversation"))?;
    let conversation = live
        .chat
        .joined(id, Side::Agent, &agent.staff_id)
        .await
        .map_err(chat_error)?;
    Ok(open(
        upgrade,
        live,
        conversation,
        Side::Agent,
        query.after,
        locale,
    ))
}

fn open(
    upgrade: WebSocketUpgrade,
    live: LiveChat,
    conversation: Conversation,
    side: Side,
    after: i64,
    locale: Locale,
) -> Response {
    upgrade
        .max_message_size(FRAME_BYTES_MAX)
        .on_upgrade(move |socket| async move {
            let events = live.hub.subscribe(
                &conversation.id,
                conversation.last_seq,
                [conversation.user_read_seq, conversation.agent_read_seq],
            );
            let mut session = Session {
                socket,
                live,
                conversation_id: conversation.id.clone(),
                conversation,
                side,
                last: after.max(0),
                locale,
                typing_stored_ms: 0,
            };
            if let Err(error) = session.run(events).await {
                tracing::debug!(?error, "chat socket ended");
            }
            session.live.hub.leave(&session.conversation_id);
        })
}

/// What a client sends.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Send { client_id: String, body: String },
    Typing,
    Read { seq: i64 },
    Close,
    Ping,
}

/// Why a socket stopped; only logged.
#[derive(Debug)]
enum Ended {
    /// The connection failed.
    #[allow(dead_code)] // read by Debug, in the log
    Socket(axum::Error),
    /// The database failed.
    #[allow(dead_code)]
    Store(String),
}

impl From<axum::Error> for Ended {
    fn from(error: axum::Error) -> Ended {
        Ended::Socket(error)
    }
}

struct Session {
    socket: WebSocket,
    live: LiveChat,
    conversation_id: String,
    conversation: Conversation,
    side: Side,
    /// The seq of the last message this socket delivered (or the client had seen).
    last: i64,
    locale: Locale,
    /// When this socket last stored its side's typing (Unix ms).
    typing_stored_ms: i64,
}

impl Session {
    async fn send_text(&mut self, text: impl Into<String>) -> Result<(), Ended> {
        let text: String = text.into();
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    async fn send_error(&mut self, code: ErrorCode, param: Option<&str>) -> Result<(), Ended> {
        let text = error_text(code, self.locale);
        let frame = json!({
            "type": "error",
            "code": code.as_str(),
            "message": text.message,
            "next_step": text.next_step,
            "param": param,
        });
        self.send_text(frame.to_string()).await
    }

    /// Delivers every stored message after `last`, in order.
    async fn catch_up(&mut self) -> Result<(), Ended> {
        loop {
            let messages = self
                .live
                .chat
                .messages_after(&self.conversation_id, self.last)
                .await
                .map_err(|error| Ended::Store(error.to_string()))?;
            if messages.is_empty() {
                return Ok(());
            }
            for message in &messages {
                self.send_text(message_frame(message)).await?;
                self.last = message.seq;
            }
        }
    }

    async fn run(
        &mut self,
        mut events: tokio::sync::broadcast::Receiver<Event>,
    ) -> Result<(), Ended> {
        let conversation = &self.conversation;
        let hello = json!({
            "type": "hello",
            "conversation_id": conversation.id,
            "you": self.side.name(),
            "status": conversation.status.name(),
            "last_seq": conversation.last_seq,
            "user_read_seq": conversation.user_read_seq,
            "agent_read_seq": conversation.agent_read_seq,
        });
        self.send_text(hello.to_string()).await?;
        self.catch_up().await?;
        if self.conversation.status == ConversationStatus::Closed {
            self.send_text(Event::closed(self.side).frame.to_string())
                .await?;
            self.socket.send(Message::Close(None)).await?;
            return Ok(());
        }
        loop {
            tokio::select! {
                incoming = self.socket.recv() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                    Some(Ok(Message::Text(text))) => {
                        if self.handle(text.as_str()).await? {
                            return Ok(());
                        }
                    }
                    // Pings are answered by the WebSocket layer; binary frames mean nothing here.
                    Some(Ok(_)) => {}
                },
                event = events.recv() => match event {
                    Ok(event) => {
                        if self.deliver(event).await? {
                            return Ok(());
                        }
                    }
                    Err(RecvError::Lagged(_)) => self.catch_up().await?,
                    Err(RecvError::Closed) => return Ok(()),
                },
            }
        }
    }

    /// Sends `event` on if this socket should see it; true when the conversation closed.
    async fn deliver(&mut self, event: Event) -> Result<bool, Ended> {
        match event.kind {
            EventKind::Message(seq) if seq <= self.last => {}
            EventKind::Message(seq) if seq == self.last + 1 => {
                self.send_text(event.frame.to_string()).await?;
                self.last = seq;
            }
            EventKind::Message(_) => self.catch_up().await?,
            // Stored by another process: read from the database what this socket has not sent.
            EventKind::Stored(seq) if seq > self.last => self.catch_up().await?,
            EventKind::Stored(_) => {}
            // Typing and read marks are about the other side; a socket's own are not news.
            EventKind::Typing(_) | EventKind::Read(_) if event.from == self.side => {}
            EventKind::Typing(_) | EventKind::Read(_) => {
                self.send_text(event.frame.to_string()).await?;
            }
            EventKind::Closed => {
                self.catch_up().await?;
                self.send_text(event.frame.to_string()).await?;
                self.socket.send(Message::Close(None)).await?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Handles one frame from the client; true when it closed the conversation.
    async fn handle(&mut self, text: &str) -> Result<bool, Ended> {
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
            self.send_error(ErrorCode::InvalidRequest, Some("type"))
                .await?;
            return Ok(false);
        };
        let chat = self.live.chat.clone();
        match frame {
            ClientFrame::Send { client_id, body } => {
                let now_ms = unix_now_ms();
                match chat
                    .send(&self.conversation, self.side, &client_id, &body, now_ms)
                    .await
                {
                    Ok((message, fresh)) => {
                        if fresh {
                            self.live
                                .hub
                                .publish(&self.conversation_id, Event::message(&message));
                        }
                        let ack = json!({
                            "type": "ack",
                            "client_id": message.client_id,
                            "seq": message.seq,
                        });
                        self.send_text(ack.to_string()).await?;
                    }
                    Err(ChatError::InvalidText(field)) => {
                        self.send_error(ErrorCode::InvalidRequest, Some(field))
                            .await?;
                    }
                    Err(ChatError::Closed) => {
                        self.send_error(ErrorCode::ChatClosed, None).await?;
                    }
                    Err(error) => return Err(Ended::Store(error.to_string())),
                }
            }
            ClientFrame::Typing => {
                let now_ms = unix_now_ms();
                self.live
                    .hub
                    .publish(&self.conversation_id, Event::typing(self.side, now_ms));
                // Stored for sockets on other processes; a client sending typing marks faster
                // than the page does costs no more writes.
                if now_ms - self.typing_stored_ms >= TYPING_STORE_INTERVAL_MS {
                    self.typing_stored_ms = now_ms;
                    if let Err(error) = chat.typing(&self.conversation_id, self.side, now_ms).await
                    {
                        tracing::warn!(%error, "storing a typing mark failed");
                    }
                }
            }
            ClientFrame::Read { seq } => {
                let stored = chat
                    .mark_read(&self.conversation_id, self.side, seq)
                    .await
                    .map_err(|error| Ended::Store(error.to_string()))?;
                self.live
                    .hub
                    .publish(&self.conversation_id, Event::read(self.side, stored));
            }
            ClientFrame::Close => {
                chat.close(&self.conversation_id, unix_now())
                    .await
                    .map_err(|error| Ended::Store(error.to_string()))?;
                self.live
                    .hub
                    .publish(&self.conversation_id, Event::closed(self.side));
            }
            ClientFrame::Ping => self.send_text(r#"{"type":"pong"}"#).await?,
        }
        Ok(false)
    }
}
