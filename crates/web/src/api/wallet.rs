//! The wallet's JSON API: balances, cards, bank accounts, quotes, top-ups, transfers,
//! withdrawals, exchanges, remittances, limits, records (list, detail, streamed CSV), the
//! monthly statement and spending analysis, over the domain's [`Wallet`].

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::calendar::UtcOffset;
use domain::records::{
    CSV_BOM, FilterInput, TransactionFilter, TransactionRecord, csv_header, push_csv_row,
    statement_range,
};
use domain::support::Service;
use domain::wallet::{
    CardInput, CardSaved, KeepAnswer, MovementKind, QuoteRequest, RecordPage, StoredBankAccount,
    StoredCard, StoredResponse, Wallet, WalletError, WithdrawalView,
};
use ledger::{Amount, Currency};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::CurrentUser;
use crate::api::security::step_up_token;
use crate::api::support::explained;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::i18n::{Locale, error_text};
use crate::json::{ApiJson, ApiJsonWithBytes};
use crate::money::MoneyInput;
use crate::time::rfc3339_utc;

/// The longest `Idempotency-Key` accepted; the ledger scopes it per user within 255 characters.
const IDEMPOTENCY_KEY_LENGTH_MAX: usize = 200;
/// Records read per query while streaming an export.
const EXPORT_PAGE: u32 = 1_000;
const LIST_LIMIT_DEFAULT: u32 = 20;
const LIST_LIMIT_MAX: u32 = 100;

fn wallet(state: &AppState) -> Result<&Arc<Wallet>, ApiError> {
    state
        .wallet
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// A domain failure as the API answers it: the code's entry in the table (unknown codes are
/// ours to fix, so internal), with the field at fault and the facts a client needs.
pub(crate) fn wallet_error(error: WalletError) -> ApiError {
    let code = error.code();
    let Some(known) = ErrorCode::from_code(code) else {
        return ApiError::internal(&error);
    };
    if matches!(
        known,
        ErrorCode::InternalError | ErrorCode::DatabaseUnavailable
    ) {
        return match known {
            ErrorCode::DatabaseUnavailable => ApiError::database_unavailable(&error),
            _ => ApiError::internal(&error),
        };
    }
    let mut api = ApiError::new(known);
    match &error {
        WalletError::Card(card) => api = api.with_param(card.param()),
        WalletError::BankAccount(account) => api = api.with_param(account.param()),
        WalletError::Filter(filter) => {
            api = api
                .with_param(filter.param)
                .with_detail("problem", filter.problem.to_owned());
        }
        WalletError::Quote(domain::wallet::QuoteError::QuoteMismatch { field }) => {
            api = api.with_param(*field);
        }
        WalletError::Limit(limit) => {
            api = api
                .with_detail("limit_kind", limit.kind.code().to_owned())
                .with_detail("period", limit.period.code().to_owned())
                .with_detail("currency", limit.currency.code().to_owned())
                .with_detail("tier", limit.tier.code().to_owned())
                .with_detail("limit", limit.limit.minor().to_string())
                .with_detail("used", limit.used.minor().to_string())
                .with_detail("left", limit.left.minor().to_string())
                .with_detail("requested", limit.requested.minor().to_string());
            if let (Some(tier), Some(raised)) = (limit.next_tier, limit.next_tier_limit) {
                api = api
                    .with_detail("next_tier", tier.code().to_owned())
                    .with_detail("next_tier_limit", raised.minor().to_string());
            }
        }
        WalletError::Fee(domain::fees::FeeError::AmountBelowMinimum { minimum, .. }) => {
            api = api
                .with_param("amount")
                .with_detail("minimum", minimum.minor().to_string());
        }
        _ => {}
    }
    if let Some(record) = error.record() {
        api = api.with_detail("transaction_id", record.id.clone());
    }
    api
}

/// The threshold at or above which money leaving in `currency` needs step-up, if any.
pub(crate) fn step_up_threshold(state: &AppState, currency: Currency) -> Option<Amount> {
    // Far above any limit; keeps the scaling within an amount.
    const YUAN_MAX: u64 = 1_000_000_000;
    (state.step_up_money_yuan > 0).then(|| {
        let yuan = state.step_up_money_yuan.min(YUAN_MAX) as i64;
        domain::nominal::about_yuan(currency, yuan)
    })
}

/// Refuses with `step_up_required` (or `step_up_invalid`) a movement out at or above the
/// step-up threshold unless `token` is a fresh step-up token for `money.move`, which it spends.
pub(crate) async fn require_money_step_up(
    state: &AppState,
    user_id: &str,
    amount: Amount,
    currency: Currency,
    token: Option<&str>,
) -> Result<(), ApiError> {
    match step_up_threshold(state, currency) {
        Some(threshold) if amount >= threshold => state
            .security
            .require_step_up(
                user_id,
                domain::identity::StepUpAction::MoveMoney,
                token,
                crate::api::auth::unix_now(),
            )
            .await
            .map_err(crate::api::security::step_up_error),
        _ => Ok(()),
    }
}

fn money(amount: Amount, currency: Currency) -> Value {
    json!({"amount": amount.minor(), "currency": currency.code()})
}

/// A record as the API shows it; a failure carries its reason code, explanation and next step.
pub(crate) fn record_json(record: &TransactionRecord, locale: Locale) -> Value {
    let reason = record.failure_reason.as_ref().map(|reason| {
        let text = ErrorCode::from_code(reason.as_str()).map(|code| error_text(code, locale));
        json!({
            "code": reason.as_str(),
            "message": text.map(|t| t.message),
            "next_step": text.map(|t| t.next_step),
        })
    });
    let timeline: Vec<Value> = record
        .timeline()
        .events()
        .iter()
        .map(|event| {
            json!({"status": event.status.code(), "at": rfc3339_utc(event.at), "note": event.note})
        })
        .collect();
    json!({
        "id": record.id,
        "type": record.kind.code(),
        "direction": record.direction.code(),
        "status": record.status().code(),
        "amount": money(record.amount, record.currency),
        "fee": money(record.fee, record.currency),
        "arrived": record.arrived.map(|(amount, currency)| money(amount, currency)),
        "counterparty": record.counterparty.as_ref().map(|c| json!({"id": c.id, "label": c.label})),
        "note": record.note,
        "category": record.category.code(),
        "fee_schedule": record.fee_schedule_id,
        "quote_id": record.quote_id,
        "reason_code": record.failure_reason.as_ref().map(|r| r.as_str()),
        "failure": reason,
        "created_at": rfc3339_utc(record.created_at),
        "timeline": timeline,
    })
}

pub(crate) fn withdrawal_json(view: &WithdrawalView, locale: Locale) -> Value {
    let mut value = record_json(&view.record, locale);
    value["bank_account_id"] = json!(view.withdrawal.bank_account_id);
    value["payout_attempts"] = json!(view.withdrawal.attempts);
    value["arrives"] = money(
        view.withdrawal
            .amount
            .checked_sub(view.withdrawal.fee)
            .unwrap_or(Amount::ZERO),
        view.withdrawal.currency,
    );
    value
}

fn card_json(card: &StoredCard) -> Value {
    json!({
        "id": card.id,
        "brand": card.card.brand.code(),
        "last4": card.card.last4,
        "exp_month": card.card.expiry.month(),
        "exp_year": card.card.expiry.year(),
        "holder_name": card.card.holder_name.as_str(),
        "label": card.card.label(),
        "created_at": rfc3339_utc(card.created_at),
    })
}

fn bank_account_json(account: &StoredBankAccount) -> Value {
    json!({
        "id": account.id,
        "bank_name": account.account.bank_name,
        "account_number": account.account.number.masked(),
        "last4": account.account.number.last4(),
        "holder_name": account.account.holder_name.as_str(),
        "currency": account.account.currency.code(),
        "created_at": rfc3339_utc(account.created_at),
    })
}

// --- idempotency ---

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let refused = || ApiError::new(ErrorCode::InvalidIdempotencyKey).with_param("Idempotency-Key");
    let key = value.to_str().map_err(|_| refused())?.trim();
    if key.is_empty()
        || key.len() > IDEMPOTENCY_KEY_LENGTH_MAX
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(refused());
    }
    Ok(Some(key.to_owned()))
}

pub(crate) fn request_hash(route: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn stored_answer(stored: StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        stored.body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Runs a money-moving request once per `Idempotency-Key`: a repeat with the same body gets the
/// first successful answer again (and moves nothing), another body under the key is refused.
/// Refusals are not kept: nothing moved, so a retry is evaluated afresh. Two copies racing each
/// other are kept to one movement by the same key in the ledger.
async fn idempotent<F>(
    wallet: &Wallet,
    user_id: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    run: impl FnOnce(Option<String>) -> F,
) -> Result<Response, ApiError>
where
    F: Future<Output = Result<(StatusCode, Value), ApiError>>,
{
    let key = idempotency_key(headers)?;
    let hash = request_hash(route, body);
    if let Some(replay) = replay(wallet, user_id, key.as_deref(), &hash).await? {
        return Ok(replay);
    }
    let (status, value) = match run(key.clone()).await {
        Ok(answer) => answer,
        Err(error) => return or_replay(wallet, user_id, key.as_deref(), &hash, error).await,
    };
    let Some(key) = key else {
        return Ok((status, Json(value)).into_response());
    };
    let answer = StoredResponse {
        request_hash: hash,
        status: status.as_u16(),
        body: value.to_string(),
    };
    let kept = wallet
        .keep_response(user_id, &key, answer.clone())
        .await
        .map_err(wallet_error)?;
    kept_answer(kept, &answer.request_hash)
}

/// A refused keyed request's answer: the one its key already keeps, when there is one, else the
/// refusal. A retry that raced its own original waits for the user's turn (limits are checked
/// one movement at a time per user) and is then checked against limits the original already
/// used; the client must still get the original's answer, not `limit_exceeded`.
async fn or_replay(
    wallet: &Wallet,
    user_id: &str,
    key: Option<&str>,
    hash: &str,
    error: ApiError,
) -> Result<Response, ApiError> {
    match replay(wallet, user_id, key, hash).await? {
        Some(replay) => Ok(replay),
        None => Err(error),
    }
}

/// The answer kept under a key, when `hash`'s request was the one that kept it.
fn kept_answer(kept: StoredResponse, hash: &str) -> Result<Response, ApiError> {
    if kept.request_hash != hash {
        return Err(ApiError::new(ErrorCode::IdempotencyKeyReused));
    }
    Ok(stored_answer(kept, false))
}

/// The first answer again when `key` was answered before (another body under it is refused).
async fn replay(
    wallet: &Wallet,
    user_id: &str,
    key: Option<&str>,
    hash: &str,
) -> Result<Option<Response>, ApiError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let stored = wallet
        .store()
        .stored_response(user_id, key)
        .await
        .map_err(|e| wallet_error(e.into()))?;
    match stored {
        Some(stored) if stored.request_hash != hash => {
            Err(ApiError::new(ErrorCode::IdempotencyKeyReused))
        }
        Some(stored) => Ok(Some(stored_answer(stored, true))),
        None => Ok(None),
    }
}

// --- balances, funding sources ---

#[utoipa::path(get, path = "/api/v1/balances", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, description = "`{data: [{currency, available, held, posted}]}`"),
        (status = 401, description = "`not_signed_in`", body = ErrorBody)))]
pub(crate) async fn balances(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Value>, ApiError> {
    let wallet = wallet(&state)?;
    let balances = wallet.balances(&user.user_id).await.map_err(wallet_error)?;
    let data: Vec<Value> = balances
        .iter()
        .map(|(currency, balance)| {
            json!({
                "currency": currency.code(),
                "available": balance.available().minor(),
                "held": balance.pending_debits.minor(),
                "posted": balance.posted.minor(),
            })
        })
        .collect();
    Ok(Json(json!({"data": data})))
}

/// `POST /cards`. The number and CVC are used once, to tokenize, and never kept or logged.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardRequest {
    #[schema(example = "4242 4242 4242 4242")]
    pub number: String,
    pub exp_month: u32,
    pub exp_year: u32,
    #[schema(write_only)]
    pub cvc: String,
    pub holder_name: String,
}

impl std::fmt::Debug for CardRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardRequest { .. }")
    }
}

#[utoipa::path(post, path = "/api/v1/cards", tag = "wallet", security(("bearer" = [])),
    request_body = CardRequest,
    responses((status = 201, description = "The saved card: `{id, brand, last4, exp_month, exp_year}`, `already_saved: false`"),
        (status = 200, description = "The user had already saved this card (same number): the same card, same `id`, with `already_saved: true` and its expiry and holder name updated to what was sent"),
        (status = 400, description = "`card_number_invalid`, `card_brand_unsupported`, `card_expiry_invalid`, `card_cvc_invalid`, `holder_name_invalid`", body = ErrorBody),
        (status = 402, description = "`card_expired`", body = ErrorBody)))]
pub(crate) async fn add_card(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<CardRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let wallet = wallet(&state)?;
    let added = wallet
        .add_card(
            &user.user_id,
            CardInput {
                number: &body.number,
                exp_month: body.exp_month,
                exp_year: body.exp_year,
                cvc: &body.cvc,
                holder_name: &body.holder_name,
            },
        )
        .await
        .map_err(wallet_error)?;
    let status = if added.saved.is_new() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut body = card_json(&added.card);
    body["already_saved"] = Value::Bool(!added.saved.is_new());
    body["updated"] = Value::Bool(added.saved == CardSaved::Updated);
    Ok((status, Json(body)))
}

#[utoipa::path(get, path = "/api/v1/cards", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, description = "`{data: [card]}`")))]
pub(crate) async fn cards(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Value>, ApiError> {
    let cards = wallet(&state)?
        .cards(&user.user_id)
        .await
        .map_err(wallet_error)?;
    let data: Vec<Value> = cards.iter().map(card_json).collect();
    Ok(Json(json!({"data": data, "has_more": false})))
}

#[utoipa::path(delete, path = "/api/v1/cards/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "`card_not_found`", body = ErrorBody)))]
pub(crate) async fn remove_card(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    wallet(&state)?
        .remove_card(&user.user_id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /bank-accounts`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountRequest {
    #[schema(example = "招商银行")]
    pub bank_name: String,
    #[schema(example = "6222 0000 0000 0001")]
    pub account_number: String,
    pub holder_name: String,
    #[schema(example = "CNY")]
    pub currency: String,
}

#[utoipa::path(post, path = "/api/v1/bank-accounts", tag = "wallet", security(("bearer" = [])),
    request_body = BankAccountRequest,
    responses((status = 201, description = "The account, its number masked"),
        (status = 400, description = "`bank_name_invalid`, `bank_account_number_invalid`, `holder_name_invalid`, `unknown_currency`", body = ErrorBody)))]
pub(crate) async fn add_bank_account(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<BankAccountRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let currency = parse_currency(&body.currency, "currency")?;
    let account = wallet(&state)?
        .add_bank_account(
            &user.user_id,
            &body.bank_name,
            &body.account_number,
            &body.holder_name,
            currency,
        )
        .await
        .map_err(wallet_error)?;
    Ok((StatusCode::CREATED, Json(bank_account_json(&account))))
}

#[utoipa::path(get, path = "/api/v1/bank-accounts", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, description = "`{data: [bank account]}`, numbers masked")))]
pub(crate) async fn bank_accounts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Value>, ApiError> {
    let accounts = wallet(&state)?
        .bank_accounts(&user.user_id)
        .await
        .map_err(wallet_error)?;
    let data: Vec<Value> = accounts.iter().map(bank_account_json).collect();
    Ok(Json(json!({"data": data, "has_more": false})))
}

#[utoipa::path(delete, path = "/api/v1/bank-accounts/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "`bank_account_not_found`", body = ErrorBody)))]
pub(crate) async fn remove_bank_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    wallet(&state)?
        .remove_bank_account(&user.user_id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_currency(code: &str, param: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(|_| ApiError::new(ErrorCode::UnknownCurrency).with_param(param))
}

// --- quotes ---

/// `POST /quotes`.
#[derive(Deserialize, ToSchema)]
pub struct QuoteRequestBody {
    /// `topup`, `transfer`, `withdrawal`, `exchange` or `remittance`.
    pub kind: String,
    #[serde(flatten)]
    pub money: MoneyInput,
    pub target_currency: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/quotes", tag = "wallet", security(("bearer" = [])),
    request_body = QuoteRequestBody,
    responses((status = 201, description = "`{quote_id, kind, amount, fees: [..], discounts: [..], fee, rate, rate_age_s, arrives, expires_at}`"),
        (status = 400, description = "`target_currency_required`, `amount_below_minimum`, …", body = ErrorBody)))]
pub(crate) async fn create_quote(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<QuoteRequestBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = MovementKind::parse(&body.kind).map_err(|_| ApiError::invalid_request("kind"))?;
    let target = body
        .target_currency
        .as_deref()
        .map(|code| parse_currency(code, "target_currency"))
        .transpose()?;
    let request = QuoteRequest::new(
        kind,
        Amount::from_minor(body.money.amount),
        body.money.currency,
        target,
    )
    .map_err(|e| wallet_error(e.into()))?;
    let wallet = wallet(&state)?;
    let answer = wallet
        .quote(&user.user_id, request)
        .await
        .map_err(wallet_error)?;
    let quote = &answer.quote;
    let currency = quote.request.currency;
    let fees: Vec<Value> = quote
        .fees
        .fees
        .iter()
        .map(|line| {
            json!({
                "kind": line.kind.code(),
                "rate_ppm": line.rate_ppm,
                "fixed": money(line.fixed, currency),
                "amount": money(line.amount, currency),
            })
        })
        .collect();
    let discounts: Vec<Value> = quote
        .fees
        .discounts
        .iter()
        .map(|line| json!({"source": line.source.code(), "amount": money(line.amount, currency)}))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "quote_id": quote.id,
            "kind": quote.request.kind.code(),
            "amount": money(quote.request.amount, currency),
            "target_currency": quote.request.target_currency.code(),
            "fees": fees,
            "discounts": discounts,
            "gross_fee": money(quote.fees.gross_fee, currency),
            "discount_total": money(quote.fees.discount_total, currency),
            "fee": money(quote.fees.net_fee, currency),
            "you_pay": money(quote.fees.user_pays, currency),
            "rate": quote.rate.map(|r| domain::fx::rate_text(r.rate.rate_e8())),
            "rate_set_at": quote.rate.map(|r| rfc3339_utc(r.rate.set_at())),
            "rate_age_s": quote.rate.map(|r| r.age_s),
            "arrives": money(quote.arrives, quote.request.target_currency),
            "fee_schedule": quote.fees.schedule_id,
            "created_at": rfc3339_utc(quote.created_at),
            "expires_at": rfc3339_utc(quote.expires_at),
            "expires_in_s": quote.expires_at - quote.created_at,
        })),
    ))
}

// --- movements ---

/// `POST /topups`.
#[derive(Deserialize, ToSchema)]
pub struct TopUpRequest {
    pub card_id: String,
    #[serde(flatten)]
    pub money: MoneyInput,
}

#[utoipa::path(post, path = "/api/v1/topups", tag = "wallet", security(("bearer" = [])),
    request_body = TopUpRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "The completed top-up (a transaction)"),
        (status = 402, description = "`card_declined`, `card_expired`, `card_limit_exceeded`, `insufficient_funds`; the failed top-up's `transaction_id` is in the error", body = ErrorBody),
        (status = 422, description = "`limit_exceeded`", body = ErrorBody),
        (status = 503, description = "`processor_unavailable`", body = ErrorBody)))]
pub(crate) async fn top_up(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    headers: HeaderMap,
    ApiJsonWithBytes(body, bytes): ApiJsonWithBytes<TopUpRequest>,
) -> Result<Response, ApiError> {
    let wallet = wallet(&state)?;
    let user_id = user.user_id.as_str();
    let state = &state;
    idempotent(
        wallet,
        user_id,
        &headers,
        "topups",
        &bytes,
        |key| async move {
            let record = match wallet
                .top_up(
                    user_id,
                    &body.card_id,
                    Amount::from_minor(body.money.amount),
                    body.money.currency,
                    key.as_deref(),
                )
                .await
            {
                Ok(record) => record,
                // A maintenance or incident notice on card top-ups explains the failure.
                Err(error) => {
                    return Err(explained(state, wallet_error(error), Service::CardTopup).await);
                }
            };
            Ok((StatusCode::CREATED, record_json(&record, locale)))
        },
    )
    .await
}

/// `POST /transfers`.
#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    /// The receiver's e-mail address, phone number or `usr_` id.
    pub to: String,
    #[serde(flatten)]
    pub money: MoneyInput,
    pub note: Option<String>,
    pub quote_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/transfers", tag = "wallet", security(("bearer" = [])),
    request_body = TransferRequest,
    params(("Idempotency-Key" = Option<String>, Header), ("X-Step-Up-Token" = Option<String>, Header)),
    responses((status = 201, description = "The completed transfer; the receiver is told"),
        (status = 403, description = "`step_up_required` or `step_up_invalid`: at or above the configured step-up amount, send `X-Step-Up-Token` for `money.move`", body = ErrorBody),
        (status = 404, description = "`recipient_not_found`", body = ErrorBody),
        (status = 422, description = "`insufficient_funds`, `limit_exceeded`", body = ErrorBody)))]
pub(crate) async fn transfer(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    headers: HeaderMap,
    ApiJsonWithBytes(body, bytes): ApiJsonWithBytes<TransferRequest>,
) -> Result<Response, ApiError> {
    let wallet = wallet(&state)?;
    let user_id = user.user_id.as_str();
    let key = idempotency_key(&headers)?;
    let hash = request_hash("transfers", &bytes);
    if let Some(replay) = replay(wallet, user_id, key.as_deref(), &hash).await? {
        return Ok(replay);
    }
    let amount = Amount::from_minor(body.money.amount);
    require_money_step_up(
        &state,
        user_id,
        amount,
        body.money.currency,
        step_up_token(&headers),
    )
    .await?;
    // The answer is kept with the transfer's records, in one write.
    let answer = key.clone().map(|key| {
        let hash = hash.clone();
        KeepAnswer {
            key,
            render: Box::new(move |record: &TransactionRecord| StoredResponse {
                request_hash: hash,
                status: StatusCode::CREATED.as_u16(),
                body: record_json(record, locale).to_string(),
            }),
        }
    });
    let transferred = wallet
        .transfer_keeping(
            user_id,
            &body.to,
            Amount::from_minor(body.money.amount),
            body.money.currency,
            body.note.as_deref(),
            body.quote_id.as_deref(),
            key.as_deref(),
            answer,
        )
        .await;
    let (record, kept) = match transferred {
        Ok(transferred) => transferred,
        Err(error) => {
            return or_replay(wallet, user_id, key.as_deref(), &hash, wallet_error(error)).await;
        }
    };
    match (key, kept) {
        (None, _) => Ok((StatusCode::CREATED, Json(record_json(&record, locale))).into_response()),
        (Some(_), Some(kept)) => kept_answer(kept, &hash),
        // A replay in the ledger (the same key racing itself): keep and answer as usual.
        (Some(key), None) => {
            let answer = StoredResponse {
                request_hash: hash.clone(),
                status: StatusCode::CREATED.as_u16(),
                body: record_json(&record, locale).to_string(),
            };
            let kept = wallet
                .keep_response(user_id, &key, answer)
                .await
                .map_err(wallet_error)?;
            kept_answer(kept, &hash)
        }
    }
}

/// `POST /withdrawals`.
#[derive(Deserialize, ToSchema)]
pub struct WithdrawalRequest {
    pub bank_account_id: String,
    #[serde(flatten)]
    pub money: MoneyInput,
}

#[utoipa::path(post, path = "/api/v1/withdrawals", tag = "wallet", security(("bearer" = [])),
    request_body = WithdrawalRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "The withdrawal, held and `reviewing`, with its `timeline`"),
        (status = 403, description = "`step_up_required` or `step_up_invalid`: at or above the configured step-up amount, send `X-Step-Up-Token` for `money.move`", body = ErrorBody),
        (status = 400, description = "`amount_below_minimum`, `bank_account_currency_mismatch`", body = ErrorBody),
        (status = 422, description = "`insufficient_funds`, `limit_exceeded`", body = ErrorBody)))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    headers: HeaderMap,
    ApiJsonWithBytes(body, bytes): ApiJsonWithBytes<WithdrawalRequest>,
) -> Result<Response, ApiError> {
    let wallet = wallet(&state)?;
    let user_id = user.user_id.as_str();
    let step_up = step_up_token(&headers).map(str::to_owned);
    let state = &state;
    idempotent(
        wallet,
        user_id,
        &headers,
        "withdrawals",
        &bytes,
        |key| async move {
            let amount = Amount::from_minor(body.money.amount);
            require_money_step_up(
                state,
                user_id,
                amount,
                body.money.currency,
                step_up.as_deref(),
            )
            .await?;
            let view = wallet
                .withdraw(
                    user_id,
                    &body.bank_account_id,
                    Amount::from_minor(body.money.amount),
                    body.money.currency,
                    key.as_deref(),
                )
                .await
                .map_err(wallet_error)?;
            Ok((StatusCode::CREATED, withdrawal_json(&view, locale)))
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/withdrawals/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "The withdrawal with its status timeline"),
        (status = 404, description = "`withdrawal_not_found`", body = ErrorBody)))]
pub(crate) async fn withdrawal(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = wallet(&state)?
        .withdrawal(&user.user_id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(Json(withdrawal_json(&view, locale)))
}

/// `POST /exchanges`.
#[derive(Deserialize, ToSchema)]
pub struct ExchangeRequest {
    pub quote_id: String,
    #[serde(flatten)]
    pub money: MoneyInput,
    pub target_currency: String,
}

#[utoipa::path(post, path = "/api/v1/exchanges", tag = "wallet", security(("bearer" = [])),
    request_body = ExchangeRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "The completed exchange"),
        (status = 409, description = "`quote_expired`, `quote_mismatch`", body = ErrorBody)))]
pub(crate) async fn exchange(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    headers: HeaderMap,
    ApiJsonWithBytes(body, bytes): ApiJsonWithBytes<ExchangeRequest>,
) -> Result<Response, ApiError> {
    let wallet = wallet(&state)?;
    let target = parse_currency(&body.target_currency, "target_currency")?;
    let user_id = user.user_id.as_str();
    idempotent(
        wallet,
        user_id,
        &headers,
        "exchanges",
        &bytes,
        |key| async move {
            let record = wallet
                .exchange(
                    user_id,
                    &body.quote_id,
                    Amount::from_minor(body.money.amount),
                    body.money.currency,
                    target,
                    key.as_deref(),
                )
                .await
                .map_err(wallet_error)?;
            Ok((StatusCode::CREATED, record_json(&record, locale)))
        },
    )
    .await
}

/// `POST /remittances`.
#[derive(Deserialize, ToSchema)]
pub struct RemittanceRequest {
    pub to: String,
    pub quote_id: String,
    #[serde(flatten)]
    pub money: MoneyInput,
    pub target_currency: String,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/remittances", tag = "wallet", security(("bearer" = [])),
    request_body = RemittanceRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "The completed remittance; the receiver is told"),
        (status = 403, description = "`step_up_required` or `step_up_invalid`: at or above the configured step-up amount, send `X-Step-Up-Token` for `money.move`", body = ErrorBody),
        (status = 409, description = "`quote_expired`, `quote_mismatch`", body = ErrorBody)))]
pub(crate) async fn remit(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    headers: HeaderMap,
    ApiJsonWithBytes(body, bytes): ApiJsonWithBytes<RemittanceRequest>,
) -> Result<Response, ApiError> {
    let wallet = wallet(&state)?;
    let target = parse_currency(&body.target_currency, "target_currency")?;
    let user_id = user.user_id.as_str();
    let step_up = step_up_token(&headers).map(str::to_owned);
    let state = &state;
    idempotent(
        wallet,
        user_id,
        &headers,
        "remittances",
        &bytes,
        |key| async move {
            let amount = Amount::from_minor(body.money.amount);
            require_money_step_up(
                state,
                user_id,
                amount,
                body.money.currency,
                step_up.as_deref(),
            )
            .await?;
            let record = wallet
                .remit(
                    user_id,
                    &body.to,
                    &body.quote_id,
                    Amount::from_minor(body.money.amount),
                    body.money.currency,
                    target,
                    body.note.as_deref(),
                    key.as_deref(),
                )
                .await
                .map_err(wallet_error)?;
            Ok((StatusCode::CREATED, record_json(&record, locale)))
        },
    )
    .await
}

// --- limits, rates ---

#[derive(Deserialize)]
pub(crate) struct CurrencyQuery {
    currency: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/limits", tag = "wallet", security(("bearer" = [])),
    params(("currency" = Option<String>, Query, description = "default CNY")),
    responses((status = 200, description = "`{tier, currency, data: [{kind, daily_limit, daily_left, monthly_limit, monthly_left}], next_tier}`")))]
pub(crate) async fn limits(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<CurrencyQuery>,
) -> Result<Json<Value>, ApiError> {
    let currency = match query.currency.as_deref() {
        Some(code) => parse_currency(code, "currency")?,
        None => Currency::Cny,
    };
    let (tier, remaining) = wallet(&state)?
        .limits(&user.user_id, currency)
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
            })
        })
        .collect();
    Ok(Json(json!({
        "tier": tier.code(),
        "next_tier": tier.next().map(|t| t.code()),
        "currency": currency.code(),
        "data": data,
    })))
}

#[utoipa::path(get, path = "/api/v1/fx-rates", tag = "wallet",
    responses((status = 200, description = "`{data: [{base, quote, rate, set_at, age_s}]}`")))]
pub(crate) async fn fx_rates(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let wallet = wallet(&state)?;
    let now = wallet.now();
    let rates = wallet.rates().await.map_err(wallet_error)?;
    let data: Vec<Value> = rates
        .iter()
        .map(|rate| {
            json!({
                "base": rate.base().code(),
                "quote": rate.quote().code(),
                "rate": domain::fx::rate_text(rate.rate_e8()),
                "set_at": rfc3339_utc(rate.set_at()),
                "age_s": rate.age_s(now),
            })
        })
        .collect();
    Ok(Json(json!({"data": data})))
}

// --- records ---

/// The records filters of API.md, plus paging.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordsQuery {
    from: Option<String>,
    to: Option<String>,
    preset: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    currency: Option<String>,
    counterparty: Option<String>,
    amount_min: Option<String>,
    amount_max: Option<String>,
    limit: Option<String>,
    starting_after: Option<String>,
}

fn filter_of(
    query: &RecordsQuery,
    now: i64,
    offset: UtcOffset,
) -> Result<TransactionFilter, ApiError> {
    TransactionFilter::parse(
        FilterInput {
            from: query.from.as_deref(),
            to: query.to.as_deref(),
            preset: query.preset.as_deref(),
            kind: query.kind.as_deref(),
            status: query.status.as_deref(),
            currency: query.currency.as_deref(),
            counterparty: query.counterparty.as_deref(),
            amount_min: query.amount_min.as_deref(),
            amount_max: query.amount_max.as_deref(),
        },
        now,
        offset,
    )
    .map_err(|e| wallet_error(e.into()))
}

#[utoipa::path(get, path = "/api/v1/transactions", tag = "wallet", security(("bearer" = [])),
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("preset" = Option<String>, Query, description = "yesterday, last_7_days or last_month"),
        ("type" = Option<String>, Query), ("status" = Option<String>, Query),
        ("currency" = Option<String>, Query), ("counterparty" = Option<String>, Query),
        ("amount_min" = Option<String>, Query), ("amount_max" = Option<String>, Query),
        ("limit" = Option<u32>, Query), ("starting_after" = Option<String>, Query)),
    responses((status = 200, description = "`{data: [transaction], has_more}`, newest first"),
        (status = 400, description = "`filter_invalid`", body = ErrorBody)))]
pub(crate) async fn transactions(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    Query(query): Query<RecordsQuery>,
) -> Result<Json<Value>, ApiError> {
    let wallet = wallet(&state)?;
    let limit = match query.limit.as_deref() {
        None => LIST_LIMIT_DEFAULT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=LIST_LIMIT_MAX).contains(limit))
            .ok_or_else(|| ApiError::invalid_request("limit"))?,
    };
    let filter = filter_of(&query, wallet.now(), wallet.rules().offset)?;
    let page = RecordPage {
        filter,
        after: query.starting_after.as_deref(),
        limit: limit + 1,
    };
    let mut records = wallet
        .records(&user.user_id, &page)
        .await
        .map_err(wallet_error)?;
    let has_more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let data: Vec<Value> = records.iter().map(|r| record_json(r, locale)).collect();
    Ok(Json(json!({"data": data, "has_more": has_more})))
}

#[utoipa::path(get, path = "/api/v1/transactions/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "The transaction with its timeline and, for a failure, `reason_code` with explanation and next step"),
        (status = 404, description = "`transaction_not_found`", body = ErrorBody)))]
pub(crate) async fn transaction(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = wallet(&state)?
        .record(&user.user_id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(Json(record_json(&record, locale)))
}

/// The CSV export's body: the header, then one buffer of rows per chunk of records the reading
/// task sends, then the reader's failure (which cuts the body short) if it had one.
struct CsvStream {
    head: Option<Bytes>,
    records: mpsc::Receiver<Vec<TransactionRecord>>,
    failure: Option<oneshot::Receiver<std::io::Error>>,
}

impl futures_core::Stream for CsvStream {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(head)));
        }
        match self.records.poll_recv(cx) {
            Poll::Ready(Some(records)) => {
                let mut rows = String::with_capacity(records.len() * 160);
                for record in &records {
                    push_csv_row(&mut rows, record);
                }
                Poll::Ready(Some(Ok(Bytes::from(rows))))
            }
            Poll::Ready(None) => {
                // The reader is done; it reports a failure before it drops its sender.
                let failure = self
                    .failure
                    .take()
                    .and_then(|mut failure| failure.try_recv().ok());
                Poll::Ready(failure.map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/transactions/export.csv", tag = "wallet", security(("bearer" = [])),
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("preset" = Option<String>, Query), ("type" = Option<String>, Query),
        ("status" = Option<String>, Query), ("currency" = Option<String>, Query),
        ("counterparty" = Option<String>, Query)),
    responses((status = 200, description = "RFC 4180 CSV, UTF-8 with a byte-order mark, streamed", content_type = "text/csv"),
        (status = 400, description = "`filter_invalid`", body = ErrorBody)))]
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RecordsQuery>,
) -> Result<Response, ApiError> {
    let wallet = Arc::clone(wallet(&state)?);
    let filter = filter_of(&query, wallet.now(), wallet.rules().offset)?;
    Ok(csv_export(wallet, user.user_id, filter))
}

/// The streamed CSV of `user_id`'s records that `filter` keeps, for the API and the pages.
pub(crate) fn csv_export(
    wallet: Arc<Wallet>,
    user_id: String,
    filter: TransactionFilter,
) -> Response {
    // A small channel: the reader of the database never runs far ahead of the client, so the
    // memory an export takes does not grow with its size. The reader sends records in chunks;
    // the body turns each chunk into one buffer of CSV rows as the client asks for it.
    let (sender, receiver) = mpsc::channel::<Vec<TransactionRecord>>(4);
    let (failed, failure) = oneshot::channel::<std::io::Error>();
    tokio::spawn(async move {
        // Held until a failure is reported, so the body sees the failure before the end.
        let open = sender.clone();
        if let Err(error) = wallet.export_records(&user_id, &filter, sender).await {
            tracing::error!(%error, "the CSV export stopped");
            let _ = failed.send(std::io::Error::other(error.to_string()));
        }
        drop(open);
    });
    let body = CsvStream {
        head: Some(Bytes::from(format!("{CSV_BOM}{}", csv_header()))),
        records: receiver,
        failure: Some(failure),
    };
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"okpay-transactions.csv\""),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// `GET /statements/{month}` (`2026-11`): the month's records and totals per currency.
#[utoipa::path(get, path = "/api/v1/statements/{month}", tag = "wallet", security(("bearer" = [])),
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "`{month, from, to, totals: [{currency, money_in, money_out, fees, count}], data: [transaction]}`"),
        (status = 400, description = "`filter_invalid`", body = ErrorBody)))]
pub(crate) async fn statement(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    Path(month): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let wallet = wallet(&state)?;
    let refused = || {
        ApiError::new(ErrorCode::FilterInvalid)
            .with_param("month")
            .with_detail("problem", "expected YYYY-MM".to_owned())
    };
    let (year, month_number) = month.split_once('-').ok_or_else(refused)?;
    let year: i32 = year.parse().map_err(|_| refused())?;
    let month_number: u32 = month_number.parse().map_err(|_| refused())?;
    let Statement {
        from,
        to,
        records,
        totals,
    } = statement_of(wallet, &user.user_id, year, month_number)
        .await?
        .ok_or_else(refused)?;
    let totals: Vec<Value> = totals
        .iter()
        .map(|(currency, (money_in, money_out, fees, count))| {
            json!({
                "currency": currency.code(),
                "money_in": i64::try_from(*money_in).unwrap_or(i64::MAX),
                "money_out": i64::try_from(*money_out).unwrap_or(i64::MAX),
                "fees": i64::try_from(*fees).unwrap_or(i64::MAX),
                "count": count,
            })
        })
        .collect();
    let data: Vec<Value> = records.iter().map(|r| record_json(r, locale)).collect();
    Ok(Json(json!({
        "month": format!("{year:04}-{month_number:02}"),
        "from": rfc3339_utc(from),
        "to": rfc3339_utc(to),
        "totals": totals,
        "data": data,
    })))
}

/// Totals of one currency in a statement: money in, money out, fees, count.
pub(crate) type StatementTotals = BTreeMap<Currency, (i128, i128, i128, u64)>;

/// A month's records (at most 10,000, newest first) and its totals per currency.
pub(crate) struct Statement {
    pub from: i64,
    pub to: i64,
    pub records: Vec<TransactionRecord>,
    pub totals: StatementTotals,
}

/// The statement of `year`-`month` in the wallet's offset; `None` for a month that does not exist.
pub(crate) async fn statement_of(
    wallet: &Wallet,
    user_id: &str,
    year: i32,
    month_number: u32,
) -> Result<Option<Statement>, ApiError> {
    let Some((from, to)) = statement_range(year, month_number, wallet.rules().offset) else {
        return Ok(None);
    };
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = RecordPage {
            filter: TransactionFilter {
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
            after: after.as_deref(),
            limit: EXPORT_PAGE,
        };
        let chunk = wallet.records(user_id, &page).await.map_err(wallet_error)?;
        let full = chunk.len() == EXPORT_PAGE as usize;
        after = chunk.last().map(|r| r.id.clone());
        records.extend(chunk);
        if !full || records.len() >= 10_000 {
            break;
        }
    }
    let mut totals = StatementTotals::new();
    for record in &records {
        if record.status() != domain::records::TransactionStatus::Completed {
            continue;
        }
        let entry = totals.entry(record.currency).or_default();
        match record.direction {
            domain::records::Direction::In => entry.0 += i128::from(record.amount.minor()),
            domain::records::Direction::Out => entry.1 += i128::from(record.debited().minor()),
            domain::records::Direction::Internal => entry.1 += i128::from(record.amount.minor()),
        }
        entry.2 += i128::from(record.fee.minor());
        entry.3 += 1;
        if let (domain::records::Direction::Internal, Some((arrived, currency))) =
            (record.direction, record.arrived)
        {
            totals.entry(currency).or_default().0 += i128::from(arrived.minor());
        }
    }
    Ok(Some(Statement {
        from,
        to,
        records,
        totals,
    }))
}

#[derive(Deserialize)]
pub(crate) struct SpendingQuery {
    months: Option<u32>,
}

/// `GET /spending?months=6`: what left the wallets, by local month, currency and category.
#[utoipa::path(get, path = "/api/v1/spending", tag = "wallet", security(("bearer" = [])),
    params(("months" = Option<u32>, Query, description = "1 to 24, default 6")),
    responses((status = 200, description = "`{from, to, data: [{month, currency, category, amount}]}`")))]
pub(crate) async fn spending(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SpendingQuery>,
) -> Result<Json<Value>, ApiError> {
    let wallet = wallet(&state)?;
    let months = query.months.unwrap_or(6);
    if !(1..=24).contains(&months) {
        return Err(ApiError::invalid_request("months"));
    }
    let offset = wallet.rules().offset;
    let now = wallet.now();
    let this_month = offset.date_at(now).first_of_month();
    let from = offset.start_of(this_month.add_months(1 - months as i32));
    let to = offset.start_of(this_month.add_months(1));
    let totals = wallet
        .spending(&user.user_id, from, to)
        .await
        .map_err(wallet_error)?;
    let data: Vec<Value> = totals
        .totals()
        .map(|((month, currency, category), amount)| {
            json!({
                "month": format!("{:04}-{:02}", month.year, month.month),
                "currency": currency.code(),
                "category": category.code(),
                "amount": amount.minor(),
            })
        })
        .collect();
    Ok(Json(json!({
        "from": rfc3339_utc(from),
        "to": rfc3339_utc(to),
        "data": data,
    })))
}
