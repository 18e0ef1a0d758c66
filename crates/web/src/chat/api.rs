//! The chat's JSON routes: start a chat (or fall back to a ticket), the user's current chat, a conversation's history, and the agents' availability and conversations.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use domain::chat::{ChatError, ChatStart, Conversation, Side};
use domain::support::ChannelKind;
use serde::Deserialize;
use serde_json::{Value, json};

use super::LiveChat;
use super::auth::{ChatAgent, ChatUser};
use super::hub::message_value;
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::api::tickets::ticket_error;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

pub(crate) fn chat_error(error: ChatError) -> ApiError {
    match error {
        ChatError::InvalidText(field) => ApiError::invalid_request(field),
        ChatError::Closed => ApiError::new(ErrorCode::ChatClosed),
        ChatError::NotFound => ApiError::new(ErrorCode::NotFound),
        ChatError::Ticket(error) => ticket_error(error),
        ChatError::Store(error) => store_error(&error),
    }
}

pub(crate) fn live_chat(state: &AppState) -> Result<&LiveChat, ApiError> {
    state
        .chat
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// Whether the live-chat contact channel is within its service hours now (no such channel, or
/// a hidden one, means no live chat).
pub(crate) async fn live_chat_open(state: &AppState) -> Result<bool, ApiError> {
    let channels = state
        .support
        .contact_channels(unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(channels
        .iter()
        .any(|listed| listed.channel.kind == ChannelKind::LiveChat && listed.openness.open_now))
}

pub(crate) fn conversation_view(conversation: &Conversation) -> Value {
    json!({
        "id": conversation.id,
        "status": conversation.status.name(),
        "last_seq": conversation.last_seq,
        "user_read_seq": conversation.user_read_seq,
        "agent_read_seq": conversation.agent_read_seq,
        "created_at": rfc3339_utc(conversation.created_at),
        "updated_at": rfc3339_utc(conversation.updated_at),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartRequest {
    /// The user's first message (it becomes the ticket's description on fall-back).
    pub message: String,
}

/// What starting a chat led to, as the API and the page both read it.
pub(crate) async fn start_for(
    state: &AppState,
    user_id: &str,
    message: &str,
    request_key: Option<&str>,
) -> Result<ChatStart, ApiError> {
    let live = live_chat(state)?;
    let open_now = live_chat_open(state).await?;
    live.chat
        .start(user_id, message, request_key, open_now, unix_now())
        .await
        .map_err(chat_error)
}

/// `POST /api/v1/chat`: 201 with the conversation, or 202 with the ticket it became. An
/// `Idempotency-Key` makes a retried request answer the ticket the first one opened (without
/// one, the same message does).
pub(crate) async fn start(
    State(state): State<AppState>,
    user: ChatUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<StartRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::invalid_request("idempotency_key"))?,
        ),
    };
    match start_for(&state, &user.user_id, &body.message, key).await? {
        ChatStart::Chat(conversation) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "status": "chat",
                "conversation": conversation_view(&conversation),
                "socket": "/api/v1/chat/ws",
            })),
        )),
        ChatStart::Ticket(ticket, reason) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({
                "status": "ticket",
                "reason": reason.name(),
                "ticket_id": ticket.id,
            })),
        )),
    }
}

/// `GET /api/v1/chat`: the user's active conversation, or 404.
pub(crate) async fn current(
    State(state): State<AppState>,
    user: ChatUser,
) -> Result<Json<Value>, ApiError> {
    let live = live_chat(&state)?;
    let conversation = live
        .chat
        .active_of_user(&user.user_id)
        .await
        .map_err(chat_error)?
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(conversation_view(&conversation)))
}

#[derive(Deserialize)]
pub(crate) struct AfterQuery {
    #[serde(default)]
    pub after: i64,
}

async fn history_for(
    state: &AppState,
    id: &str,
    side: Side,
    member_id: &str,
    after: i64,
) -> Result<Json<Value>, ApiError> {
    let live = live_chat(state)?;
    let conversation = live
        .chat
        .joined(id, side, member_id)
        .await
        .map_err(chat_error)?;
    let messages = live
        .chat
        .messages_after(&conversation.id, after)
        .await
        .map_err(chat_error)?;
    Ok(Json(json!({
        "conversation": conversation_view(&conversation),
        "messages": messages.iter().map(message_value).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/chat/{id}/messages?after=N`: the messages after seq N, in order.
pub(crate) async fn history(
    State(state): State<AppState>,
    user: ChatUser,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
) -> Result<Json<Value>, ApiError> {
    history_for(&state, &id, Side::User, &user.user_id, query.after).await
}

/// `GET /api/v1/staff/chat/{id}/messages?after=N`.
pub(crate) async fn staff_history(
    State(state): State<AppState>,
    agent: ChatAgent,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
) -> Result<Json<Value>, ApiError> {
    history_for(&state, &id, Side::Agent, &agent.staff_id, query.after).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AvailabilityRequest {
    pub available: bool,
}

/// `POST /api/v1/staff/chat/availability`: whether this agent takes new chats.
pub(crate) async fn staff_availability(
    State(state): State<AppState>,
    agent: ChatAgent,
    ApiJson(body): ApiJson<AvailabilityRequest>,
) -> Result<Json<Value>, ApiError> {
    let live = live_chat(&state)?;
    live.chat
        .set_available(&agent.staff_id, body.available, unix_now())
        .await
        .map_err(chat_error)?;
    Ok(Json(json!({"available": body.available})))
}

/// The agent's active conversations, with how many messages they have not read yet.
pub(crate) async fn staff_conversations(
    State(state): State<AppState>,
    agent: ChatAgent,
) -> Result<Json<Value>, ApiError> {
    let live = live_chat(&state)?;
    let conversations = live
        .chat
        .of_agent(&agent.staff_id)
        .await
        .map_err(chat_error)?;
    let available = live
        .chat
        .is_available(&agent.staff_id)
        .await
        .map_err(chat_error)?;
    Ok(Json(json!({
        "available": available,
        "conversations": conversations
            .iter()
            .map(|conversation| {
                let mut view = conversation_view(conversation);
                view["user_id"] = json!(conversation.user_id);
                view["unread"] = json!(conversation.last_seq - conversation.agent_read_seq);
                view
            })
            .collect::<Vec<_>>(),
    })))
}
