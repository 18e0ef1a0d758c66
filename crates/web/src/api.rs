//! The JSON API: operations endpoints, the public `/api/v1` routes and the OpenAPI document.

pub(crate) mod auth;
pub(crate) mod community;
pub(crate) mod currencies;
pub(crate) mod diagnose;
pub(crate) mod documents;
pub(crate) mod help;
pub(crate) mod kyc;
pub(crate) mod messages;
pub(crate) mod ops;
pub(crate) mod password_strength;
pub(crate) mod security;
pub(crate) mod staff;
pub(crate) mod staff_admin;
pub(crate) mod staff_community;
pub(crate) mod staff_wallet;
pub(crate) mod stolen;
pub(crate) mod support;
pub(crate) mod support_staff;
pub(crate) mod tickets;
pub(crate) mod wallet;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};

use crate::AppState;
use crate::rate_limit::{IpLimiter, limit_by_ip};

pub(crate) fn routes(limiter: IpLimiter) -> Router<AppState> {
    // Every route that checks a password or a code, limited per client IP.
    let limited = Router::new()
        .route("/api/v1/auth/register", post(auth::register))
        .route("/api/v1/auth/verify", post(auth::verify))
        .route("/api/v1/auth/login", post(auth::login))
        .route(
            "/api/v1/auth/password-reset/request",
            post(security::request_password_reset),
        )
        .route(
            "/api/v1/auth/password-reset/confirm",
            post(security::confirm_password_reset),
        )
        .route("/api/v1/me/step-up", post(security::step_up))
        .route(
            "/api/v1/not-me/{token}",
            get(security::not_me_preview).post(security::not_me_confirm),
        )
        .route(
            "/api/v1/staff/setup/{token}",
            get(staff::setup_start).post(staff::setup_finish),
        )
        .route("/api/v1/staff/login", post(staff::login))
        .route("/api/v1/stolen", post(stolen::request))
        .route("/api/v1/stolen/confirm", post(stolen::confirm))
        .route_layer(from_fn_with_state(limiter, limit_by_ip));
    // The routes that take attachments, allowed a larger body than JSON requests.
    let uploads = Router::new()
        .route("/api/v1/tickets", post(tickets::create))
        .route_layer(DefaultBodyLimit::max(tickets::UPLOAD_BODY_MAX_BYTES));
    Router::new()
        .merge(limited)
        .merge(uploads)
        .merge(kyc::routes())
        .merge(staff_admin::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/currencies", get(currencies::list_currencies))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route(
            "/api/v1/auth/password-strength",
            post(password_strength::password_strength),
        )
        .route("/api/v1/me/security", get(security::security_overview))
        .route("/api/v1/me/password", post(security::change_password))
        .route("/api/v1/me/address", post(security::request_address_change))
        .route(
            "/api/v1/me/address/confirm",
            post(security::confirm_address_change),
        )
        .route("/api/v1/me/totp/setup", post(security::totp_setup))
        .route("/api/v1/me/totp/enable", post(security::totp_enable))
        .route("/api/v1/me/totp/disable", post(security::totp_disable))
        .route("/api/v1/me/sessions", get(security::sessions))
        .route("/api/v1/me/sessions/{id}", delete(security::revoke_session))
        .route("/api/v1/me/logins", get(security::logins))
        .route("/api/v1/me/freeze", post(security::freeze))
        .route("/api/v1/messages", get(messages::list))
        .route("/api/v1/messages/unread-count", get(messages::unread_count))
        .route("/api/v1/messages/read-all", post(messages::mark_all_read))
        .route("/api/v1/messages/{id}/read", post(messages::mark_read))
        .route("/api/v1/diagnose", get(diagnose::diagnose))
        .route("/api/v1/diagnose/ticket", post(diagnose::open_ticket))
        .route("/api/v1/tickets", get(tickets::list))
        .route("/api/v1/tickets/{id}", get(tickets::show))
        .route("/api/v1/tickets/{id}/messages", post(tickets::reply))
        .route("/api/v1/tickets/{id}/rating", post(tickets::rate))
        .route(
            "/api/v1/tickets/{id}/attachments/{attachment}",
            get(tickets::attachment),
        )
        .route("/api/v1/staff/tickets", get(tickets::staff_queue))
        .route("/api/v1/staff/tickets/{id}", get(tickets::staff_show))
        .route(
            "/api/v1/staff/tickets/{id}/claim",
            post(tickets::staff_claim),
        )
        .route(
            "/api/v1/staff/tickets/{id}/assign",
            post(tickets::staff_assign),
        )
        .route(
            "/api/v1/staff/tickets/{id}/messages",
            post(tickets::staff_reply),
        )
        .route(
            "/api/v1/staff/tickets/{id}/status",
            post(tickets::staff_status),
        )
        .route("/api/v1/staff/logout", post(staff::logout))
        .route("/api/v1/staff/users", get(staff::find_user))
        .route("/api/v1/staff/users/{id}", get(staff::user_status))
        .route("/api/v1/staff/users/{id}/unlock", post(staff::unlock))
        .route("/api/v1/staff/users/{id}/unfreeze", post(staff::unfreeze))
        .route("/api/v1/contact-channels", get(support::contact_channels))
        .route("/api/v1/official-check", get(support::official_check))
        .route("/api/v1/official-check/reports", post(support::report_scam))
        .route("/api/v1/announcements", get(support::announcements))
        .route("/api/v1/status", get(support::status))
        .route(
            "/api/v1/community/questions",
            get(community::list_questions).post(community::ask),
        )
        .route("/api/v1/community/questions/{id}", get(community::thread))
        .route(
            "/api/v1/community/questions/{id}/answers",
            post(community::answer),
        )
        .route(
            "/api/v1/community/questions/{id}/accept",
            post(community::accept),
        )
        .route("/api/v1/community/votes", post(community::vote))
        .route("/api/v1/community/reports", post(community::report))
        .route(
            "/api/v1/staff/announcements",
            get(support_staff::list_announcements).post(support_staff::create_announcement),
        )
        .route(
            "/api/v1/staff/announcements/{id}",
            put(support_staff::update_announcement),
        )
        .route(
            "/api/v1/staff/announcements/{id}/history",
            get(support_staff::announcement_history),
        )
        .route(
            "/api/v1/staff/contact-channels",
            get(support_staff::list_channels),
        )
        .route(
            "/api/v1/staff/contact-channels/{id}",
            put(support_staff::put_channel).delete(support_staff::delete_channel),
        )
        .route(
            "/api/v1/staff/scam-reports",
            get(support_staff::list_reports),
        )
        .route(
            "/api/v1/staff/scam-reports/{id}/review",
            post(support_staff::review_report),
        )
        .route(
            "/api/v1/staff/community/badges",
            post(support_staff::set_badge),
        )
        .route(
            "/api/v1/staff/community/{id}/hide",
            post(support_staff::hide_post),
        )
        .route(
            "/api/v1/staff/community/{id}/lock",
            post(support_staff::lock_question),
        )
        .route(
            "/api/v1/staff/community/reports",
            get(staff_community::list_reported_posts),
        )
        .route(
            "/api/v1/staff/community/reports/{id}/resolve",
            post(staff_community::resolve_reports),
        )
        .route("/api/v1/balances", get(wallet::balances))
        .route("/api/v1/cards", get(wallet::cards).post(wallet::add_card))
        .route("/api/v1/cards/{id}", delete(wallet::remove_card))
        .route(
            "/api/v1/bank-accounts",
            get(wallet::bank_accounts).post(wallet::add_bank_account),
        )
        .route(
            "/api/v1/bank-accounts/{id}",
            delete(wallet::remove_bank_account),
        )
        .route("/api/v1/quotes", post(wallet::create_quote))
        .route("/api/v1/topups", post(wallet::top_up))
        .route("/api/v1/transfers", post(wallet::transfer))
        .route("/api/v1/withdrawals", post(wallet::withdraw))
        .route("/api/v1/withdrawals/{id}", get(wallet::withdrawal))
        .route("/api/v1/exchanges", post(wallet::exchange))
        .route("/api/v1/remittances", post(wallet::remit))
        .route("/api/v1/limits", get(wallet::limits))
        .route("/api/v1/fx-rates", get(wallet::fx_rates))
        .route("/api/v1/transactions", get(wallet::transactions))
        .route("/api/v1/transactions/export.csv", get(wallet::export_csv))
        .route("/api/v1/transactions/{id}", get(wallet::transaction))
        .route("/api/v1/statements/{month}", get(wallet::statement))
        .route("/api/v1/spending", get(wallet::spending))
        .merge(staff_wallet::routes())
        .route("/api/v1/help/categories", get(help::list_categories))
        .route("/api/v1/help/articles", get(help::list_articles))
        .route("/api/v1/help/articles/{slug}", get(help::get_article))
        .route("/api/v1/help/search", get(help::search_articles))
        .route("/api/openapi.json", get(openapi_document))
}

/// The OpenAPI 3 document of the whole public API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "This document", content_type = "application/json"))
)]
pub(crate) async fn openapi_document() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        crate::openapi::OPENAPI_JSON.as_str(),
    )
}
