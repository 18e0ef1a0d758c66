//! The server-rendered pages: home, sign-up, sign-in, account, the support pages, the wallet
//! and its records, the error page, and the assets they share. Page sessions live in `session`, form protection in `csrf`.

mod account;
mod agent_console;
mod assets;
mod auth;
mod banner;
mod community;
pub(crate) mod csrf;
pub(crate) mod display;
mod error_page;
mod help;
mod home;
mod kyc;
pub(crate) mod layout;
mod records;
mod security;
pub(crate) mod session;
pub(crate) mod staff;
pub(crate) mod staff_admin;
mod staff_finance;
mod staff_members;
mod staff_page;
mod staff_records;
mod staff_support;
mod step_up;
mod support;
mod tickets;
mod wallet;
mod wallet_moves;

use askama::Template;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub(crate) use banner::with_notices;
pub(crate) use display::with_page_clock;
pub(crate) use error_page::render_error_page;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::RenderedPage;
use crate::rate_limit::{IpLimiter, limit_posts_by_ip};

pub(crate) fn routes(secure_cookies: bool, limiter: IpLimiter) -> Router<AppState> {
    // The forms that check a password or a code share the API's per-IP limit.
    let limited = Router::new()
        .route("/register", get(auth::register_form).post(auth::register))
        .route("/verify", get(auth::verify_form).post(auth::verify))
        .route("/verify/resend", post(auth::resend))
        .route("/login", get(auth::login_form).post(auth::login))
        .route(
            "/password-reset",
            get(security::reset_form).post(security::reset_request),
        )
        .route(
            "/password-reset/confirm",
            get(security::reset_confirm_form).post(security::reset_confirm),
        )
        .route(
            "/not-me/{token}",
            get(security::not_me).post(security::not_me_freeze),
        )
        .route("/staff/login", post(staff::login))
        .route(
            "/staff/setup/{token}",
            get(staff::setup_form).post(staff::setup),
        )
        .route_layer(from_fn_with_state(limiter.clone(), limit_posts_by_ip));
    Router::new()
        .merge(limited)
        .merge(tickets::routes(limiter.clone()))
        .merge(agent_console::routes())
        .merge(staff_records::routes())
        .merge(staff_members::routes())
        .merge(step_up::routes())
        .merge(staff_admin::routes())
        .merge(kyc::routes())
        .merge(staff_support::routes())
        .merge(community::routes())
        .route("/", get(home::home))
        .route("/logout", post(auth::logout))
        .route("/account", get(account::account))
        .route("/security", get(security::security))
        .route("/security/totp/setup", post(security::totp_setup))
        .route("/security/totp/enable", post(security::totp_enable))
        .route(
            "/security/sessions/{id}/revoke",
            post(security::revoke_session),
        )
        .route("/security/freeze", post(security::freeze))
        .route("/messages", get(security::messages))
        .route("/messages/read-all", post(security::messages_read_all))
        .route("/staff", get(staff::login_form))
        .route("/staff/logout", post(staff::logout))
        .route("/staff/users", get(staff::users))
        .route("/staff/users/{id}/unlock", post(staff::unlock))
        .route("/staff/users/{id}/unfreeze", post(staff::unfreeze))
        .route("/contact", get(support::contact))
        .route("/official-check", get(support::official_check))
        .route("/official-check/report", post(support::report_scam))
        .route("/status", get(support::status))
        .route("/help", get(help::help_home))
        .route("/help/search", get(help::help_search))
        .route("/help/c/{category}", get(help::help_category))
        .route("/help/{slug}", get(help::help_article))
        .route("/help/{slug}/feedback", post(help::help_feedback))
        .merge(wallet::routes())
        .merge(crate::chat::page_routes())
        .merge(crate::appeals::page_routes(limiter))
        .layer(from_fn_with_state(secure_cookies, csrf::ensure_csrf_cookie))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
        .route(
            assets::PASSWORD_STRENGTH_SCRIPT_PATH,
            get(assets::password_strength_script),
        )
}

/// A redirect after a form: 303, so the browser follows with a GET and a reload does not post
/// the form again. Locations are built from ids and percent-encoded values; one that is no
/// valid header value (never expected) leaves the 303 without a `Location` rather than
/// panicking.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A rendered page with `status`. Pages carry CSRF tokens and personal data, so no cache keeps
/// them; a page with an error status (a form shown again with what was wrong) is marked so the
/// error renderer leaves it as it is.
pub(crate) fn render_page(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if status != StatusCode::OK {
                response.extensions_mut().insert(RenderedPage);
            }
            response
        }
        Err(cause) => ApiError::internal(&cause).into_response(),
    }
}
