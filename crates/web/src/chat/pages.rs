//! `/chat` for the signed-in user and `/staff/chat` for agents, each with the small script that talks over the socket, reconnects and resumes from the last seq it saw.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::chat::{ChatStart, Conversation};
use serde::Deserialize;

use super::api::{chat_error, live_chat, live_chat_open, start_for};
use super::auth::ChatAgentPage;
use super::text::ChatText;
use crate::AppState;
use crate::api::auth::unix_now;
use crate::error::ApiError;
use crate::i18n::{ErrorText, Locale, StaffAdminText};
use crate::pages::csrf::CsrfForm;
use crate::pages::layout::Layout;
use crate::pages::render_page;
use crate::pages::session::{PageSession, percent_encode};
use crate::pages::staff_admin::StaffFrame;

pub(crate) const CHAT_SCRIPT_PATH: &str = "/assets/chat.js";
const CHAT_SCRIPT: &str = include_str!("../../assets/chat.js");

/// `/assets/chat.js`; short-lived cache, since the pages link it without a version.
pub(crate) async fn chat_script() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        CHAT_SCRIPT,
    )
}

/// The socket and conversation the script opens, and the words it shows.
pub(crate) struct ChatPanel {
    pub conversation_id: String,
    pub socket: &'static str,
    pub side: &'static str,
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    layout: Layout,
    title: &'static str,
    text: &'static ChatText,
    csrf_token: String,
    request_key: String,
    open_now: bool,
    channel_note: String,
    panel: Option<ChatPanel>,
    ticket: Option<(String, bool)>,
}

#[derive(Deserialize)]
pub(crate) struct ChatQuery {
    ticket: Option<String>,
    reason: Option<String>,
}

/// `GET /chat`: the user's chat if one is going on, else the form that starts one.
pub(crate) async fn chat_page(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<ChatQuery>,
) -> Result<Response, ApiError> {
    let live = live_chat(&state)?;
    let text = ChatText::for_locale(locale);
    let conversation = live
        .chat
        .active_of_user(&session.user.id)
        .await
        .map_err(chat_error)?;
    let channels = state
        .support
        .contact_channels(unix_now())
        .await
        .map_err(|error| crate::api::auth::store_error(&error))?;
    let channel_note = channels
        .iter()
        .find(|listed| listed.channel.kind == domain::support::ChannelKind::LiveChat)
        .map(|listed| {
            locale
                .pick(&listed.channel.note_zh_cn, &listed.channel.note_en)
                .clone()
        })
        .unwrap_or_default();
    let open_now = live_chat_open(&state).await?;
    Ok(render_page(
        &ChatPage {
            layout: Layout::for_session(locale, Some(&session)),
            title: text.title,
            text,
            csrf_token: session.csrf_token.clone(),
            request_key: uuid::Uuid::new_v4().simple().to_string(),
            open_now,
            channel_note,
            panel: conversation.map(|conversation: Conversation| ChatPanel {
                conversation_id: conversation.id,
                socket: "/chat/ws",
                side: "user",
            }),
            ticket: query
                .ticket
                .filter(|id| id.starts_with("tkt_") && id.len() < 100)
                .map(|id| (id, query.reason.as_deref() == Some("outside_hours"))),
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    message: String,
    /// Made when the form was shown: the same form sent twice opens one ticket.
    #[serde(default)]
    request_key: String,
}

/// `POST /chat`: starts the chat, or files the message as a ticket and says so.
pub(crate) async fn start_chat(
    State(state): State<AppState>,
    session: PageSession,
    CsrfForm(form): CsrfForm<StartForm>,
) -> Result<Response, ApiError> {
    Ok(
        match start_for(
            &state,
            &session.user.id,
            &form.message,
            Some(form.request_key.as_str()),
        )
        .await?
        {
            ChatStart::Chat(_) => Redirect::to("/chat").into_response(),
            ChatStart::Ticket(ticket, reason) => Redirect::to(&format!(
                "/chat?ticket={}&reason={}",
                percent_encode(&ticket.id),
                reason.name()
            ))
            .into_response(),
        },
    )
}

struct ConversationLink {
    id: String,
    unread: i64,
    current: bool,
}

#[derive(Template)]
#[template(path = "staff_chat.html")]
struct StaffChatPage {
    layout: Layout,
    title: &'static str,
    text: &'static ChatText,
    admin: &'static StaffAdminText,
    sign_out: &'static str,
    links: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    csrf_token: String,
    available: bool,
    conversations: Vec<ConversationLink>,
    panel: Option<ChatPanel>,
}

#[derive(Deserialize)]
pub(crate) struct StaffChatQuery {
    c: Option<String>,
}

/// `GET /staff/chat?c=<conversation>`: the agent's availability, conversations and the chosen one.
pub(crate) async fn staff_chat_page(
    State(state): State<AppState>,
    locale: Locale,
    ChatAgentPage { staff }: ChatAgentPage,
    Query(query): Query<StaffChatQuery>,
) -> Result<Response, ApiError> {
    let live = live_chat(&state)?;
    let frame = StaffFrame::checked(locale, &staff);
    let text = ChatText::for_locale(locale);
    let conversations = live
        .chat
        .of_agent(&staff.staff_id)
        .await
        .map_err(chat_error)?;
    let available = live
        .chat
        .is_available(&staff.staff_id)
        .await
        .map_err(chat_error)?;
    let chosen = query
        .c
        .filter(|id| conversations.iter().any(|c| &c.id == id))
        .or_else(|| conversations.first().map(|c| c.id.clone()));
    Ok(render_page(
        &StaffChatPage {
            layout: Layout::for_staff(locale, &staff),
            title: text.staff_title,
            text,
            admin: frame.admin,
            sign_out: frame.sign_out,
            links: frame.links,
            notice: frame.notice,
            error: frame.error,
            csrf_token: frame.csrf_token,
            available,
            conversations: conversations
                .iter()
                .map(|conversation| ConversationLink {
                    id: conversation.id.clone(),
                    unread: conversation.last_seq - conversation.agent_read_seq,
                    current: chosen.as_ref() == Some(&conversation.id),
                })
                .collect(),
            panel: chosen.map(|conversation_id| ChatPanel {
                conversation_id,
                socket: "/staff/chat/ws",
                side: "agent",
            }),
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub(crate) struct AvailabilityForm {
    available: String,
}

/// `POST /staff/chat/availability`: the agent starts or pauses taking chats.
pub(crate) async fn staff_availability(
    State(state): State<AppState>,
    agent: ChatAgentPage,
    CsrfForm(form): CsrfForm<AvailabilityForm>,
) -> Result<Response, ApiError> {
    let live = live_chat(&state)?;
    live.chat
        .set_available(&agent.staff.staff_id, form.available == "1", unix_now())
        .await
        .map_err(chat_error)?;
    Ok(Redirect::to("/staff/chat").into_response())
}
