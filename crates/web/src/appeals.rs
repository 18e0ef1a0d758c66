//! Unlock appeals over HTTP: the JSON routes and pages where a locked or frozen user (by address and code, not signed in) files one with identity documents and reads its status, and where the security team approves or rejects it.

mod api;
mod pages;
mod text;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::AppState;
use crate::middleware::body_limit::UPLOAD_BODY_MAX_BYTES;
use crate::rate_limit::{IpLimiter, limit_by_ip, limit_posts_by_ip};

/// The appeals' JSON routes; those that check a code share the per-IP limit.
pub(crate) fn routes(limiter: IpLimiter) -> Router<AppState> {
    let limited = Router::new()
        .route("/api/v1/appeals/code", post(api::request_code))
        .route("/api/v1/appeals", post(api::file))
        .route_layer(DefaultBodyLimit::max(UPLOAD_BODY_MAX_BYTES))
        .route_layer(from_fn_with_state(limiter, limit_by_ip));
    Router::new()
        .merge(limited)
        .route("/api/v1/appeals/{id}", get(api::status))
        .route("/api/v1/staff/appeals", get(api::staff_list))
        .route("/api/v1/staff/appeals/{id}", get(api::staff_show))
        .route(
            "/api/v1/staff/appeals/{id}/documents/{document}",
            get(api::staff_document),
        )
        .route(
            "/api/v1/staff/appeals/{id}/approve",
            post(api::staff_approve),
        )
        .route("/api/v1/staff/appeals/{id}/reject", post(api::staff_reject))
}

/// The appeals' pages, merged into the page routes (CSRF cookie, banner).
pub(crate) fn page_routes(limiter: IpLimiter) -> Router<AppState> {
    let limited = Router::new()
        .route("/appeal", get(pages::start_page).post(pages::file))
        .route("/appeal/code", post(pages::request_code))
        .route_layer(DefaultBodyLimit::max(UPLOAD_BODY_MAX_BYTES))
        .route_layer(from_fn_with_state(limiter, limit_posts_by_ip));
    Router::new()
        .merge(limited)
        .route("/appeal/status", get(pages::status_page))
        .route("/staff/appeals", get(pages::staff_list))
        .route("/staff/appeals/{id}", get(pages::staff_show))
        .route(
            "/staff/appeals/{id}/documents/{document}",
            get(pages::staff_document),
        )
        .route("/staff/appeals/{id}/approve", post(pages::staff_approve))
        .route("/staff/appeals/{id}/reject", post(pages::staff_reject))
}
