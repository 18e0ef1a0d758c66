//! The JSON API: operations endpoints, the public `/api/v1` routes and the OpenAPI document.

pub(crate) mod auth;
pub(crate) mod currencies;
pub(crate) mod ops;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/currencies", get(currencies::list_currencies))
        .route("/api/v1/auth/register", post(auth::register))
        .route("/api/v1/auth/verify", post(auth::verify))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
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
