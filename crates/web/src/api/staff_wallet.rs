//! The finance side of the wallet for staff: `/api/v1/staff/withdrawals` (the review queue,
//! approve, reject with a reason) and `/api/v1/staff/simulator` (the simulated rail's switch).

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::staff::StaffPermission;
use domain::wallet::{RailMode, Withdrawal};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::staff::StaffUser;
use crate::api::wallet::{wallet_error, withdrawal_json};
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::i18n::Locale;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// The routes of this module, merged into the API by one line.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/staff/withdrawals", get(queue))
        .route("/api/v1/staff/withdrawals/{id}/approve", post(approve))
        .route("/api/v1/staff/withdrawals/{id}/reject", post(reject))
        .route("/api/v1/staff/simulator", post(switch_rail))
}

const QUEUE_LIMIT_DEFAULT: u32 = 50;
const QUEUE_LIMIT_MAX: u32 = 200;

/// A withdrawal in the review queue, as finance sees it.
pub(crate) fn queued_json(withdrawal: &Withdrawal) -> Value {
    let currency = withdrawal.currency;
    json!({
        "id": withdrawal.id,
        "user_id": withdrawal.user_id,
        "bank_account_id": withdrawal.bank_account_id,
        "amount": {"amount": withdrawal.amount.minor(), "currency": currency.code()},
        "fee": {"amount": withdrawal.fee.minor(), "currency": currency.code()},
        "status": withdrawal.state.code(),
        "created_at": rfc3339_utc(withdrawal.created_at),
    })
}

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    limit: Option<u32>,
}

/// The withdrawals waiting for review, oldest first (finance).
#[utoipa::path(get, path = "/api/v1/staff/withdrawals", tag = "staff", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1 to 200, default 50")),
    responses((status = 200, description = "`{data: [{id, user_id, bank_account_id, amount, fee, status, created_at}]}`"),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody)))]
pub(crate) async fn queue(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::ReviewWithdrawals)?;
    let limit = query.limit.unwrap_or(QUEUE_LIMIT_DEFAULT);
    if !(1..=QUEUE_LIMIT_MAX).contains(&limit) {
        return Err(ApiError::invalid_request("limit"));
    }
    let wallet = state
        .wallet
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let queue = wallet
        .withdrawals_to_review(limit)
        .await
        .map_err(wallet_error)?;
    let data: Vec<Value> = queue.iter().map(queued_json).collect();
    Ok(Json(json!({"data": data})))
}

/// A review's written reason: optional to approve, required to reject.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub reason: Option<String>,
}

/// Approves a withdrawal (finance): its payout over the bank rail is due at once. Audited.
#[utoipa::path(post, path = "/api/v1/staff/withdrawals/{id}/approve", tag = "staff",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ReviewRequest,
    responses((status = 200, description = "The withdrawal, now `processing`, with its timeline"),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 404, description = "`withdrawal_not_found`", body = ErrorBody),
        (status = 409, description = "`withdrawal_not_reviewable`", body = ErrorBody)))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    staff: StaffUser,
    locale: Locale,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::ReviewWithdrawals)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    check_reason_length(reason)?;
    let view = review_wallet(&state)?
        .approve_withdrawal(&staff.staff_id, &id, reason)
        .await
        .map_err(wallet_error)?;
    Ok(Json(withdrawal_json(&view, locale)))
}

/// Rejects a withdrawal (finance) with a reason the user reads; the hold is released. Audited.
#[utoipa::path(post, path = "/api/v1/staff/withdrawals/{id}/reject", tag = "staff",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ReviewRequest,
    responses((status = 200, description = "The withdrawal, now `rejected`, with its timeline"),
        (status = 400, description = "`reason_required`", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 404, description = "`withdrawal_not_found`", body = ErrorBody),
        (status = 409, description = "`withdrawal_not_reviewable`", body = ErrorBody)))]
pub(crate) async fn reject(
    State(state): State<AppState>,
    staff: StaffUser,
    locale: Locale,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::ReviewWithdrawals)?;
    let reason = body.reason.as_deref().unwrap_or_default().trim();
    check_reason_length(Some(reason))?;
    let view = review_wallet(&state)?
        .reject_withdrawal(&staff.staff_id, &id, reason)
        .await
        .map_err(wallet_error)?;
    Ok(Json(withdrawal_json(&view, locale)))
}

fn review_wallet(state: &AppState) -> Result<&domain::wallet::Wallet, ApiError> {
    state
        .wallet
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// Reasons are read by the user and kept in the audit log; a page of text is the most either needs.
pub(crate) fn check_reason_length(reason: Option<&str>) -> Result<(), ApiError> {
    match reason {
        Some(reason) if reason.chars().count() > domain::staff::REASON_CHARS_MAX => {
            Err(ApiError::invalid_request("reason"))
        }
        _ => Ok(()),
    }
}

/// The simulated rail's mode as the API shows it.
pub(crate) fn rail_json(mode: RailMode) -> Value {
    match mode {
        RailMode::Slow { delay_ms } => json!({"mode": "slow", "delay_ms": delay_ms}),
        other => json!({"mode": other.code(), "delay_ms": 0}),
    }
}

/// `POST /staff/simulator`: `normal`, `slow` (with `delay_ms`) or `down`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RailRequest {
    pub mode: String,
    pub delay_ms: Option<u64>,
}

/// Parses a requested mode; `slow` waits `delay_ms` (default 2,000, at most a minute).
pub(crate) fn parse_rail_mode(mode: &str, delay_ms: Option<u64>) -> Result<RailMode, ApiError> {
    match mode {
        "normal" => Ok(RailMode::Normal),
        "down" => Ok(RailMode::Down),
        "slow" => Ok(RailMode::Slow {
            delay_ms: delay_ms
                .unwrap_or(2_000)
                .min(domain::wallet::RAIL_DELAY_MAX_MS),
        }),
        _ => Err(ApiError::invalid_request("mode")),
    }
}

/// Switches the simulated card processor and bank rail (admins). Audited in the server log only:
/// it changes no one's money, and the test-card page shows the mode to everyone.
#[utoipa::path(post, path = "/api/v1/staff/simulator", tag = "staff", security(("bearer" = [])),
    request_body = RailRequest,
    responses((status = 200, description = "`{mode, delay_ms}`"),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody)))]
pub(crate) async fn switch_rail(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<RailRequest>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::SwitchSimulatedRail)?;
    let switch = state
        .rail_switch
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let mode = parse_rail_mode(&body.mode, body.delay_ms)?;
    switch.set(mode);
    tracing::warn!(staff = %staff.staff_id, mode = mode.code(), "the simulated rail was switched");
    Ok(Json(rail_json(switch.mode())))
}
