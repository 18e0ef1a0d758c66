//! The server-rendered pages: the home page, the error page, and the stylesheet they share.

mod assets;
mod error_page;
mod home;
mod layout;

use axum::Router;
use axum::routing::get;

pub(crate) use error_page::render_error_page;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
}
