//! Endpoints for whoever runs OKPay: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::error_body::ErrorBody;

/// A database that has not answered by then counts as down: a probe that hangs tells the
/// orchestrator nothing, and readiness probes usually give up after a few seconds themselves.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// The version of the Prometheus text exposition format that `render` writes.
const PROMETHEUS_TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// `{"status": "…"}`, the answer of the health endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    status: &'static str,
}

/// Answers as long as the process serves requests; it touches nothing else.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process is alive", body = HealthStatus))
)]
pub(crate) async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

/// Answers `ready` when the database does, so a load balancer sends traffic only to instances
/// that can serve it.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = HealthStatus,
            example = json!({"status": "ready"})),
        (status = 503, description = "`database_unavailable`: the database does not answer",
            body = ErrorBody),
    )
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<HealthStatus>, ApiError> {
    match tokio::time::timeout(READINESS_TIMEOUT, (state.readiness)()).await {
        Ok(true) => Ok(Json(HealthStatus { status: "ready" })),
        Ok(false) => Err(ApiError::database_unavailable(
            &"the readiness check failed",
        )),
        Err(_elapsed) => Err(ApiError::database_unavailable(
            &"the readiness check did not finish in time",
        )),
    }
}

/// Counters and histograms in the Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format",
        content_type = "text/plain; version=0.0.4", body = String))
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static(PROMETHEUS_TEXT_CONTENT_TYPE),
        )],
        state.metrics.render(),
    )
}
