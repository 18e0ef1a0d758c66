//! "What happened?": the signed-in user's diagnosis from live data — a lock or freeze, recent
//! failed transactions with the notice that explains them, withdrawals in flight, limits — and
//! a ticket opened with that diagnosis attached.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::identity::{LockReason, UnixSeconds, UserStatus};
use domain::records::{RecordKind, TransactionFilter, TransactionRecord, TransactionStatus};
use domain::support::Service;
use domain::tickets::NewTicket;
use domain::wallet::RecordPage;
use ledger::Currency;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::auth::{CurrentUser, store_error, unix_now};
use crate::api::support::AnnouncementView;
use crate::api::tickets::{ThreadView, ticket_error, tickets_of};
use crate::api::wallet::{record_json, wallet_error};
use crate::error::ApiError;
use crate::i18n::Locale;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// How many recent failures and withdrawals the diagnosis shows.
const RECENT_MAX: u32 = 10;

/// The service whose notice may explain a failed record of this kind.
fn service_of(kind: RecordKind) -> Option<Service> {
    match kind {
        RecordKind::TopUp => Some(Service::CardTopup),
        RecordKind::Transfer => Some(Service::Transfer),
        RecordKind::Withdrawal => Some(Service::BankPayout),
        RecordKind::Exchange => Some(Service::Exchange),
        RecordKind::Remittance => Some(Service::Remittance),
        RecordKind::MaintenanceFee | RecordKind::Refund => None,
    }
}

/// What a withdrawal in flight waits for next, in the reader's language.
fn next_step(status: TransactionStatus, locale: Locale) -> &'static str {
    match (status, locale) {
        (TransactionStatus::Submitted, Locale::ZhCn) => "等待风控审核，通常在 1 个工作日内完成。",
        (TransactionStatus::Submitted, Locale::En) => {
            "Waiting for review, usually within one business day."
        }
        (TransactionStatus::Reviewing, Locale::ZhCn) => {
            "正在审核中，审核通过后将转账到您的银行卡。"
        }
        (TransactionStatus::Reviewing, Locale::En) => {
            "Under review; once approved it is paid out to your bank account."
        }
        (_, Locale::ZhCn) => "已提交银行处理，到账时间以银行为准。",
        (_, Locale::En) => "Sent to your bank; it arrives when the bank credits it.",
    }
}

async fn records(
    state: &AppState,
    user_id: &str,
    kind: Option<RecordKind>,
    status: Option<TransactionStatus>,
) -> Result<Vec<TransactionRecord>, ApiError> {
    let Some(wallet) = state.wallet.as_ref() else {
        return Ok(Vec::new());
    };
    let page = RecordPage {
        filter: TransactionFilter {
            kind,
            status,
            ..TransactionFilter::default()
        },
        after: None,
        limit: RECENT_MAX * 5,
    };
    wallet.records(user_id, &page).await.map_err(wallet_error)
}

/// The whole diagnosis as JSON; also the context a ticket opened from it carries.
pub(crate) async fn diagnosis(
    state: &AppState,
    user_id: &str,
    locale: Locale,
    now: UnixSeconds,
) -> Result<Value, ApiError> {
    let account = tickets_of(state)?
        .account_state(user_id, now)
        .await
        .map_err(ticket_error)?;
    let lock_json = |lock: &domain::identity::Lock| {
        let LockReason::TooManyFailures { failures, window_s } = lock.reason;
        json!({
            "reason": lock.reason.code(),
            "locked_at": rfc3339_utc(lock.locked_at),
            "until": rfc3339_utc(lock.until),
            "failures": failures,
            "window_s": window_s,
        })
    };
    let mut failed = Vec::new();
    for record in records(state, user_id, None, Some(TransactionStatus::Failed))
        .await?
        .into_iter()
        .chain(records(state, user_id, None, Some(TransactionStatus::Rejected)).await?)
    {
        let mut value = record_json(&record, locale);
        let notice = match service_of(record.kind) {
            Some(service) => state
                .support
                .announcement_explaining(service, record.created_at)
                .await
                .map_err(|error| store_error(&error))?,
            None => None,
        };
        value["announcement"] = json!(notice.map(|n| AnnouncementView::of(&n, locale, now)));
        failed.push((record.created_at, value));
    }
    failed.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    failed.truncate(RECENT_MAX as usize);
    let in_flight: Vec<Value> = records(state, user_id, Some(RecordKind::Withdrawal), None)
        .await?
        .into_iter()
        .filter(|record| {
            matches!(
                record.status(),
                TransactionStatus::Submitted
                    | TransactionStatus::Reviewing
                    | TransactionStatus::Processing
            )
        })
        .take(RECENT_MAX as usize)
        .map(|record| {
            let mut value = record_json(&record, locale);
            value["next_step"] = json!(next_step(record.status(), locale));
            value
        })
        .collect();
    let limits = match state.wallet.as_ref() {
        Some(wallet) => {
            let (tier, remaining) = wallet
                .limits(user_id, Currency::Cny)
                .await
                .map_err(wallet_error)?;
            let data: Vec<Value> = remaining
                .iter()
                .map(|r| {
                    json!({
                        "kind": r.kind.code(),
                        "daily_limit": r.daily_limit.minor(),
                        "daily_left": r.daily_left.minor(),
                        "monthly_limit": r.monthly_limit.minor(),
                        "monthly_left": r.monthly_left.minor(),
                        "reached": r.daily_left.minor() == 0 || r.monthly_left.minor() == 0,
                    })
                })
                .collect();
            json!({"tier": tier.code(), "next_tier": tier.next().map(|t| t.code()), "currency": "CNY", "data": data})
        }
        None => Value::Null,
    };
    Ok(json!({
        "account": {
            "status": account.status.name(),
            "frozen": account.status == UserStatus::Frozen,
            "locked": account.active_lock.is_some(),
            "lock": account.active_lock.as_ref().map(lock_json),
            "recent_locks": account.recent_locks.iter().map(lock_json).collect::<Vec<_>>(),
        },
        "failed_transactions": failed.into_iter().map(|(_, value)| value).collect::<Vec<_>>(),
        "withdrawals_in_flight": in_flight,
        "limits": limits,
        "generated_at": rfc3339_utc(now),
    }))
}

/// `GET /api/v1/diagnose`.
pub(crate) async fn diagnose(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        diagnosis(&state, &user.user_id, locale, unix_now()).await?,
    ))
}

#[derive(Deserialize)]
pub struct DiagnosisTicketBody {
    /// Default `other`; `top_up`, `withdrawal`, `account`… as for any ticket.
    pub category: Option<String>,
    pub subject: Option<String>,
    pub description: String,
    pub transaction_id: Option<String>,
}

/// `POST /api/v1/diagnose/ticket`: opens a ticket with the current diagnosis attached.
pub(crate) async fn open_ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    ApiJson(body): ApiJson<DiagnosisTicketBody>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let now = unix_now();
    let context = diagnosis(&state, &user.user_id, locale, now).await?;
    let tickets = tickets_of(&state)?;
    let subject = body.subject.unwrap_or_else(|| match locale {
        Locale::ZhCn => "自助诊断后提交的问题".to_owned(),
        Locale::En => "Question after the self-diagnosis".to_owned(),
    });
    let ticket = tickets
        .open(
            &user.user_id,
            NewTicket {
                category: body.category.unwrap_or_else(|| "other".to_owned()),
                subject,
                description: body.description,
                transaction_id: body.transaction_id,
                context: context.to_string(),
                attachments: Vec::new(),
            },
            now,
        )
        .await
        .map_err(ticket_error)?;
    let thread = tickets
        .user_thread(&user.user_id, &ticket.id)
        .await
        .map_err(ticket_error)?;
    Ok((StatusCode::CREATED, Json(thread.into())))
}
