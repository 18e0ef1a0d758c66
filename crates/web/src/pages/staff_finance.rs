//! Finance's pages in the back office: the withdrawal review queue `/staff/withdrawals` with
//! approve and reject (a reason required), and the simulated rail's switch for admins.

use super::display::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::display::money_text;
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::staff::StaffPage;
use super::wallet::wallet_of;
use crate::AppState;
use crate::api::staff_wallet::{check_reason_length, parse_rail_mode};
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{ErrorText, FinanceText, Locale, error_text};
use crate::time::rfc3339_utc;

const QUEUE_SHOWN: u32 = 100;

struct QueueRow {
    id: String,
    user_id: String,
    amount: String,
    fee: String,
    bank_account_id: String,
    submitted: String,
}

#[derive(Template)]
#[template(path = "staff_withdrawals.html")]
struct QueuePage {
    layout: Layout,
    title: &'static str,
    text: &'static FinanceText,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    rows: Vec<QueueRow>,
}

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    done: Option<String>,
}

async fn queue_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    notice: Option<&'static str>,
    error: Option<&ApiError>,
) -> Result<Response, ApiError> {
    let text = FinanceText::for_locale(locale);
    let rows = wallet_of(state)?
        .withdrawals_to_review(QUEUE_SHOWN)
        .await
        .map_err(wallet_error)?
        .iter()
        .map(|w| QueueRow {
            id: w.id.clone(),
            user_id: w.user_id.clone(),
            amount: money_text(w.amount, w.currency),
            fee: money_text(w.fee, w.currency),
            bank_account_id: w.bank_account_id.clone(),
            submitted: rfc3339_utc(w.created_at),
        })
        .collect();
    Ok(render_page(
        &QueuePage {
            layout: Layout::for_staff(locale, staff),
            title: text.title,
            text,
            csrf_token: staff.csrf_token.clone(),
            notice,
            error: error.map(|e| error_text(e.code(), locale)),
            rows,
        },
        error.map_or(StatusCode::OK, ApiError::status),
    ))
}

/// `GET /staff/withdrawals` (finance).
pub(crate) async fn queue(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<QueueQuery>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::ReviewWithdrawals) {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    let text = FinanceText::for_locale(locale);
    let notice = match query.done.as_deref() {
        Some("approved") => Some(text.approved_notice),
        Some("rejected") => Some(text.rejected_notice),
        _ => None,
    };
    queue_page(&state, locale, &staff, notice, None).await
}

#[derive(Deserialize)]
pub(crate) struct ReviewForm {
    #[serde(default)]
    reason: String,
}

/// `POST /staff/withdrawals/{id}/approve`.
pub(crate) async fn approve(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, ApiError> {
    review(&state, locale, &staff, &id, &form.reason, true).await
}

/// `POST /staff/withdrawals/{id}/reject`: a reason is required; the user reads it.
pub(crate) async fn reject(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, ApiError> {
    review(&state, locale, &staff, &id, &form.reason, false).await
}

async fn review(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    id: &str,
    reason: &str,
    approve: bool,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::ReviewWithdrawals) {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    let wallet = wallet_of(state)?;
    let reason = reason.trim();
    let done = async {
        check_reason_length(Some(reason))?;
        let reviewed = if approve {
            let reason = Some(reason).filter(|r| !r.is_empty());
            wallet.approve_withdrawal(&staff.staff_id, id, reason).await
        } else {
            wallet.reject_withdrawal(&staff.staff_id, id, reason).await
        };
        reviewed.map_err(wallet_error)
    }
    .await;
    match done {
        Ok(_) if approve => Ok(see_other("/staff/withdrawals?done=approved")),
        Ok(_) => Ok(see_other("/staff/withdrawals?done=rejected")),
        Err(error) => queue_page(state, locale, staff, None, Some(&error)).await,
    }
}

#[derive(Deserialize)]
pub(crate) struct RailForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    delay_ms: String,
}

/// `POST /staff/simulator` from the developer page (admins): switches the simulated rail.
pub(crate) async fn switch_rail(
    State(state): State<AppState>,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<RailForm>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::SwitchSimulatedRail) {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    let switch = state
        .rail_switch
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let delay = match form.delay_ms.trim() {
        "" => None,
        text => Some(
            text.parse::<u64>()
                .map_err(|_| ApiError::invalid_request("delay_ms"))?,
        ),
    };
    let mode = parse_rail_mode(form.mode.trim(), delay)?;
    switch.set(mode);
    tracing::warn!(staff = %staff.staff_id, mode = mode.code(), "the simulated rail was switched");
    Ok(see_other("/developers/test-cards?switched=1"))
}
