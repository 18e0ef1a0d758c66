//! The stolen-account fast lane, reachable without signing in: an address gets a code, and the
//! code freezes the account and opens a top-priority security ticket in one step.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::identity::ResetError;
use domain::tickets::{NewTicket, Ticket};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::auth::{invalid_login, store_error, unix_now};
use crate::api::security::code_refusal;
use crate::api::tickets::{ticket_error, tickets_of};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Locale;
use crate::json::ApiJson;

pub(crate) fn stolen_error(error: ResetError) -> ApiError {
    match error {
        ResetError::InvalidLogin(error) => invalid_login(&error, "login"),
        ResetError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
        ResetError::Code(refusal) => code_refusal(refusal),
        ResetError::Store(error) => store_error(&error),
        other => ApiError::internal(&other),
    }
}

#[derive(Deserialize)]
pub struct StolenRequest {
    /// The account's e-mail address or phone number.
    pub login: String,
}

/// `POST /api/v1/stolen`: sends a code if the address is an account's; the same answer if not.
pub(crate) async fn request(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<StolenRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state
        .security
        .request_stolen_code(body.login.trim(), unix_now())
        .await
        .map_err(stolen_error)?;
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "code_sent"}))))
}

#[derive(Deserialize)]
pub struct StolenConfirm {
    pub login: String,
    pub code: String,
    /// What happened, in the owner's words; optional.
    #[serde(default)]
    pub description: String,
}

/// `POST /api/v1/stolen/confirm`: freezes the account and opens the security ticket.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    locale: Locale,
    ApiJson(body): ApiJson<StolenConfirm>,
) -> Result<Json<Value>, ApiError> {
    let ticket = freeze_and_open_ticket(
        &state,
        locale,
        body.login.trim(),
        body.code.trim(),
        &body.description,
    )
    .await?;
    Ok(Json(json!({
        "status": "frozen",
        "ticket_id": ticket.id,
        "priority": ticket.priority,
    })))
}

/// Checks the code, freezes the account and opens its security ticket: the API's and the
/// page's one step.
pub(crate) async fn freeze_and_open_ticket(
    state: &AppState,
    locale: Locale,
    login: &str,
    code: &str,
    description: &str,
) -> Result<Ticket, ApiError> {
    let now = unix_now();
    let tickets = tickets_of(state)?;
    let user_id = state
        .security
        .confirm_stolen(login, code, now)
        .await
        .map_err(stolen_error)?;
    let (subject, fallback) = match locale {
        Locale::ZhCn => (
            "账户被盗，已紧急冻结",
            "用户通过“账户被盗”通道报告账户被盗。",
        ),
        Locale::En => (
            "Account stolen: frozen at once",
            "The owner reported the account stolen through the fast lane.",
        ),
    };
    let description = if description.trim().is_empty() {
        fallback.to_owned()
    } else {
        description.to_owned()
    };
    tickets
        .open(
            &user_id,
            NewTicket {
                category: "security".to_owned(),
                subject: subject.to_owned(),
                description,
                transaction_id: None,
                context: json!({"source": "stolen_fast_lane", "frozen": true}).to_string(),
                attachments: Vec::new(),
            },
            now,
        )
        .await
        .map_err(ticket_error)
}
