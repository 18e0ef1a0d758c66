//! Live chat over WebSocket: the JSON routes, the sockets of users and agents, the `/chat` and `/staff/chat` pages, and the in-process hub that fans each conversation's events out to its open sockets.

mod api;
mod auth;
mod hub;
mod pages;
mod socket;
mod text;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use domain::chat::Chat;

use crate::AppState;

pub(crate) use hub::Hub;

/// The chat use cases and the hub of this process's open sockets, shared by every handler.
#[derive(Clone)]
pub struct LiveChat {
    pub(crate) chat: Arc<Chat>,
    pub(crate) hub: Arc<Hub>,
}

impl LiveChat {
    /// Also starts the hub's poller on the current tokio runtime; it ends with the hub.
    pub fn new(chat: Chat) -> LiveChat {
        let live = LiveChat {
            chat: Arc::new(chat),
            hub: Arc::new(Hub::default()),
        };
        tokio::spawn(hub::poll(Arc::downgrade(&live.hub), Arc::clone(&live.chat)));
        live
    }
}

/// The chat's JSON routes and sockets (bearer tokens, or the page cookies for the sockets).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/chat", get(api::current).post(api::start))
        .route("/api/v1/chat/{id}/messages", get(api::history))
        .route("/api/v1/chat/ws", get(socket::user_socket))
        .route("/chat/ws", get(socket::user_socket))
        .route(
            "/api/v1/staff/chat/availability",
            post(api::staff_availability),
        )
        .route(
            "/api/v1/staff/chat/conversations",
            get(api::staff_conversations),
        )
        .route("/api/v1/staff/chat/{id}/messages", get(api::staff_history))
        .route("/api/v1/staff/chat/ws", get(socket::staff_socket))
        // Under /staff so that the staff cookie (Path=/staff) reaches them from the page.
        .route("/staff/chat/ws", get(socket::staff_socket))
        .route("/staff/chat/conversations", get(api::staff_conversations))
}

/// The chat's pages, merged into the page routes (CSRF cookie, banner).
pub(crate) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/chat", get(pages::chat_page).post(pages::start_chat))
        .route("/staff/chat", get(pages::staff_chat_page))
        .route("/staff/chat/availability", post(pages::staff_availability))
        .route(pages::CHAT_SCRIPT_PATH, get(pages::chat_script))
}
