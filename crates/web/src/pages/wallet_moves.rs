//! The money-moving pages: `/wallet/{topup,transfer,withdraw,exchange,remit}`. Each is a form,
//! then a confirmation screen priced by a quote (fee, discount, what arrives, the quote's expiry),
//! then a commit that lands on the record's page. The confirmation form carries an idempotency key
//! made when it was rendered, so a double submit moves money once and shows the same record.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::identity::{StartStepUpError, StepUpAction, StepUpStart};
use domain::support::Service;
use domain::wallet::{MovementKind, QuoteRequest, Wallet};
use ledger::{Amount, Currency};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::display::money_text;
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::session::PageSession;
use super::wallet::{ErrorView, wallet_of};
use crate::AppState;
use crate::api::auth::unix_now;
use crate::api::security::{code_refusal, second_factor_error};
use crate::api::support::explained;
use crate::api::wallet::{request_hash, require_money_step_up, step_up_threshold, wallet_error};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{Locale, WalletText};
use crate::time::rfc3339_utc;

/// The movements that have pages, by the path segment that names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    TopUp,
    Transfer,
    Withdraw,
    Exchange,
    Remit,
}

impl Move {
    fn parse(segment: &str) -> Option<Move> {
        match segment {
            "topup" => Some(Move::TopUp),
            "transfer" => Some(Move::Transfer),
            "withdraw" => Some(Move::Withdraw),
            "exchange" => Some(Move::Exchange),
            "remit" => Some(Move::Remit),
            _ => None,
        }
    }

    const fn segment(self) -> &'static str {
        match self {
            Move::TopUp => "topup",
            Move::Transfer => "transfer",
            Move::Withdraw => "withdraw",
            Move::Exchange => "exchange",
            Move::Remit => "remit",
        }
    }

    const fn kind(self) -> MovementKind {
        match self {
            Move::TopUp => MovementKind::TopUp,
            Move::Transfer => MovementKind::Transfer,
            Move::Withdraw => MovementKind::Withdrawal,
            Move::Exchange => MovementKind::Exchange,
            Move::Remit => MovementKind::Remittance,
        }
    }

    fn title(self, text: &'static WalletText) -> &'static str {
        match self {
            Move::TopUp => text.topup_title,
            Move::Transfer => text.transfer_title,
            Move::Withdraw => text.withdraw_title,
            Move::Exchange => text.exchange_title,
            Move::Remit => text.remit_title,
        }
    }

    fn heading(self, text: &'static WalletText) -> &'static str {
        match self {
            Move::TopUp => text.action_topup,
            Move::Transfer => text.action_transfer,
            Move::Withdraw => text.action_withdraw,
            Move::Exchange => text.action_exchange,
            Move::Remit => text.action_remit,
        }
    }

    fn lead(self, text: &'static WalletText) -> &'static str {
        match self {
            Move::TopUp => text.topup_lead,
            Move::Transfer => text.transfer_lead,
            Move::Withdraw => text.withdraw_lead,
            Move::Exchange => text.exchange_lead,
            Move::Remit => text.remit_lead,
        }
    }

    const fn has_recipient(self) -> bool {
        matches!(self, Move::Transfer | Move::Remit)
    }

    const fn converts(self) -> bool {
        matches!(self, Move::Exchange | Move::Remit)
    }

    /// Whether money leaves the user's wallets, so a large amount needs step-up.
    const fn moves_out(self) -> bool {
        matches!(self, Move::Transfer | Move::Withdraw | Move::Remit)
    }

    /// Whether the commit names the quote, so the price confirmed is the price paid.
    const fn commits_quote(self) -> bool {
        matches!(self, Move::Transfer | Move::Exchange | Move::Remit)
    }
}

/// Every field any movement form posts; each movement reads the ones it has.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct MoveForm {
    #[serde(default)]
    card_id: String,
    #[serde(default)]
    bank_account_id: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    target_currency: String,
    #[serde(default)]
    quote_id: String,
    #[serde(default)]
    idempotency_key: String,
    /// The authenticator code, or the code sent for this step-up, when the amount needs one.
    #[serde(default)]
    step_up_code: String,
}

impl MoveForm {
    /// The fields that say what moves, in a fixed order, for the idempotency check.
    fn canonical(&self, movement: Move) -> String {
        [
            movement.segment(),
            self.card_id.trim(),
            self.bank_account_id.trim(),
            self.to.trim(),
            self.note.trim(),
            self.amount.trim(),
            self.currency.trim(),
            self.target_currency.trim(),
            self.quote_id.trim(),
        ]
        .join("\u{1f}")
    }
}

struct Choice {
    id: String,
    label: String,
}

/// What the confirmation screen shows, and the quote it commits with.
struct Confirmation {
    amount: String,
    gross_fee: String,
    discount: Option<String>,
    net_fee: String,
    you_pay: String,
    arrives: String,
    rate: Option<String>,
    rate_age_s: Option<i64>,
    expires_at: String,
    fee_schedule: String,
    from_label: Option<String>,
    quote_id: String,
    idempotency_key: String,
    /// The amount needs a fresh second factor: `Some(true)` asks for the authenticator's code,
    /// `Some(false)` for the code just sent by e-mail or SMS.
    step_up_totp: Option<bool>,
}

#[derive(Template)]
#[template(path = "wallet_move.html")]
struct MovePage {
    layout: Layout,
    title: &'static str,
    text: &'static WalletText,
    heading: &'static str,
    lead: &'static str,
    segment: &'static str,
    csrf_token: String,
    form: MoveForm,
    cards: Vec<Choice>,
    bank_accounts: Vec<Choice>,
    currencies: Vec<&'static str>,
    has_card: bool,
    has_bank_account: bool,
    has_recipient: bool,
    converts: bool,
    picks_currency: bool,
    error: Option<ErrorView>,
    confirm: Option<Confirmation>,
}

async fn move_page(
    state: &AppState,
    locale: Locale,
    session: &PageSession,
    movement: Move,
    form: MoveForm,
    error: Option<&ApiError>,
    confirm: Option<Confirmation>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(state)?;
    let text = WalletText::for_locale(locale);
    let cards = if movement == Move::TopUp {
        wallet
            .cards(&session.user.id)
            .await
            .map_err(wallet_error)?
            .iter()
            .map(|card| Choice {
                id: card.id.clone(),
                label: card.card.label(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let bank_accounts = if movement == Move::Withdraw {
        wallet
            .bank_accounts(&session.user.id)
            .await
            .map_err(wallet_error)?
            .iter()
            .map(|account| Choice {
                id: account.id.clone(),
                label: format!(
                    "{} {} ({})",
                    account.account.bank_name,
                    account.account.number.masked(),
                    account.account.currency.code()
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = MovePage {
        layout: Layout::for_session(locale, Some(session)),
        title: movement.title(text),
        text,
        heading: movement.heading(text),
        lead: movement.lead(text),
        segment: movement.segment(),
        csrf_token: session.csrf_token.clone(),
        form,
        cards,
        bank_accounts,
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        has_card: movement == Move::TopUp,
        has_bank_account: movement == Move::Withdraw,
        has_recipient: movement.has_recipient(),
        converts: movement.converts(),
        // A withdrawal leaves in its bank account's currency.
        picks_currency: movement != Move::Withdraw,
        error: error.map(|error| ErrorView::of(error, locale)),
        confirm,
    };
    Ok(render_page(
        &page,
        error.map_or(StatusCode::OK, ApiError::status),
    ))
}

fn movement_of(segment: &str) -> Result<Move, ApiError> {
    Move::parse(segment).ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// `GET /wallet/{movement}`: the empty form.
pub(crate) async fn form(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(segment): Path<String>,
) -> Result<Response, ApiError> {
    let movement = movement_of(&segment)?;
    let form = MoveForm {
        currency: "CNY".into(),
        target_currency: if movement.converts() {
            "USD".into()
        } else {
            String::new()
        },
        ..MoveForm::default()
    };
    move_page(&state, locale, &session, movement, form, None, None).await
}

/// What the form asks to move, parsed.
struct Parsed {
    amount: Amount,
    currency: Currency,
    target: Option<Currency>,
}

async fn parse(
    wallet: &Wallet,
    user_id: &str,
    movement: Move,
    form: &MoveForm,
) -> Result<Parsed, ApiError> {
    let currency = if movement == Move::Withdraw {
        let accounts = wallet.bank_accounts(user_id).await.map_err(wallet_error)?;
        accounts
            .iter()
            .find(|account| account.id == form.bank_account_id.trim())
            .map(|account| account.account.currency)
            .ok_or_else(|| {
                ApiError::new(ErrorCode::BankAccountNotFound).with_param("bank_account_id")
            })?
    } else {
        Currency::parse(form.currency.trim())
            .map_err(|_| ApiError::new(ErrorCode::UnknownCurrency).with_param("currency"))?
    };
    let amount = Amount::parse_decimal(form.amount.trim(), currency)
        .ok()
        .filter(|amount| amount.is_positive())
        .ok_or_else(|| ApiError::new(ErrorCode::AmountInvalid).with_param("amount"))?;
    let target =
        if movement.converts() {
            Some(Currency::parse(form.target_currency.trim()).map_err(|_| {
                ApiError::new(ErrorCode::UnknownCurrency).with_param("target_currency")
            })?)
        } else {
            None
        };
    Ok(Parsed {
        amount,
        currency,
        target,
    })
}

/// `POST /wallet/{movement}/confirm`: prices the movement and shows what it will cost.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(segment): Path<String>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, ApiError> {
    let movement = movement_of(&segment)?;
    let wallet = wallet_of(&state)?;
    let user_id = session.user.id.as_str();
    let priced = async {
        if movement == Move::TopUp && form.card_id.trim().is_empty() {
            return Err(ApiError::new(ErrorCode::CardNotFound).with_param("card_id"));
        }
        if movement.has_recipient() && form.to.trim().is_empty() {
            return Err(ApiError::new(ErrorCode::RecipientNotFound).with_param("to"));
        }
        let parsed = parse(wallet, user_id, movement, &form).await?;
        let request = QuoteRequest::new(
            movement.kind(),
            parsed.amount,
            parsed.currency,
            parsed.target,
        )
        .map_err(|e| wallet_error(e.into()))?;
        wallet.quote(user_id, request).await.map_err(wallet_error)
    }
    .await;
    let answer = match priced {
        Ok(answer) => answer,
        Err(error) => {
            return move_page(&state, locale, &session, movement, form, Some(&error), None).await;
        }
    };
    let quote = &answer.quote;
    let currency = quote.request.currency;
    let from_label = match movement {
        Move::TopUp => wallet
            .cards(user_id)
            .await
            .map_err(wallet_error)?
            .iter()
            .find(|card| card.id == form.card_id.trim())
            .map(|card| card.card.label()),
        Move::Withdraw => wallet
            .bank_accounts(user_id)
            .await
            .map_err(wallet_error)?
            .iter()
            .find(|account| account.id == form.bank_account_id.trim())
            .map(|account| {
                format!(
                    "{} {}",
                    account.account.bank_name,
                    account.account.number.masked()
                )
            }),
        _ => None,
    };
    let step_up_totp = match step_up_prompt(&state, user_id, movement, quote).await {
        Ok(prompt) => prompt,
        Err(error) => {
            return move_page(&state, locale, &session, movement, form, Some(&error), None).await;
        }
    };
    let key_bytes: [u8; 16] = rand::random();
    let confirmation = Confirmation {
        amount: money_text(quote.request.amount, currency),
        gross_fee: money_text(quote.fees.gross_fee, currency),
        discount: quote
            .fees
            .discount_total
            .is_positive()
            .then(|| money_text(quote.fees.discount_total, currency)),
        net_fee: money_text(quote.fees.net_fee, currency),
        you_pay: money_text(quote.fees.user_pays, currency),
        arrives: money_text(quote.arrives, quote.request.target_currency),
        rate: quote.rate.map(|r| domain::fx::rate_text(r.rate.rate_e8())),
        rate_age_s: quote.rate.map(|r| r.age_s),
        expires_at: rfc3339_utc(quote.expires_at),
        fee_schedule: quote.fees.schedule_id.clone(),
        from_label,
        quote_id: quote.id.clone(),
        idempotency_key: key_bytes.iter().map(|b| format!("{b:02x}")).collect(),
        step_up_totp,
    };
    let form = MoveForm {
        // What was parsed, so the commit carries exactly what was priced.
        amount: quote.request.amount.to_decimal_string(currency),
        currency: currency.code().to_owned(),
        ..form
    };
    move_page(
        &state,
        locale,
        &session,
        movement,
        form,
        None,
        Some(confirmation),
    )
    .await
}

/// `POST /wallet/{movement}`: moves the money once per idempotency key and shows the record.
pub(crate) async fn commit(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(segment): Path<String>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, ApiError> {
    let movement = movement_of(&segment)?;
    let wallet = wallet_of(&state)?;
    let user_id = session.user.id.as_str();
    let key = form.idempotency_key.trim();
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        let error = ApiError::new(ErrorCode::InvalidIdempotencyKey).with_param("idempotency_key");
        return move_page(&state, locale, &session, movement, form, Some(&error), None).await;
    }
    // Page keys live beside the API's under their own prefix, so neither can replay the other.
    let key = format!("page-{key}");
    let hash = request_hash("page", form.canonical(movement).as_bytes());
    let stored = wallet
        .store()
        .stored_response(user_id, &key)
        .await
        .map_err(|e| wallet_error(e.into()))?;
    if let Some(stored) = stored {
        if stored.request_hash != hash {
            let error = ApiError::new(ErrorCode::IdempotencyKeyReused);
            return move_page(&state, locale, &session, movement, form, Some(&error), None).await;
        }
        return Ok(done_redirect(&stored.body));
    }
    let moved = run(&state, wallet, user_id, movement, &form, &key).await;
    let record_id = match moved {
        Ok(record_id) => record_id,
        Err(error) => {
            let form = MoveForm {
                quote_id: String::new(),
                idempotency_key: String::new(),
                ..form
            };
            return move_page(&state, locale, &session, movement, form, Some(&error), None).await;
        }
    };
    let kept = wallet
        .keep_response(
            user_id,
            &key,
            domain::wallet::StoredResponse {
                request_hash: hash,
                status: 201,
                body: json!({"id": record_id}).to_string(),
            },
        )
        .await
        .map_err(wallet_error)?;
    Ok(done_redirect(&kept.body))
}

/// To the record's page, from a kept answer `{"id": …}`.
fn done_redirect(body: &str) -> Response {
    let id = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value["id"].as_str().map(str::to_owned))
        .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or_default();
    if id.is_empty() {
        return see_other("/records");
    }
    see_other(&format!("/records/{id}?done=1"))
}

async fn run(
    state: &AppState,
    wallet: &Wallet,
    user_id: &str,
    movement: Move,
    form: &MoveForm,
    key: &str,
) -> Result<String, ApiError> {
    let parsed = parse(wallet, user_id, movement, form).await?;
    if movement.moves_out() {
        step_up(
            state,
            user_id,
            parsed.amount,
            parsed.currency,
            &form.step_up_code,
        )
        .await?;
    }
    let quote_id = form.quote_id.trim();
    if movement.commits_quote() && quote_id.is_empty() {
        return Err(ApiError::new(ErrorCode::QuoteNotFound).with_param("quote_id"));
    }
    let note = Some(form.note.trim()).filter(|note| !note.is_empty());
    let key = Some(key);
    let (amount, currency) = (parsed.amount, parsed.currency);
    let target = parsed.target.unwrap_or(currency);
    let record = match movement {
        Move::TopUp => match wallet
            .top_up(user_id, form.card_id.trim(), amount, currency, key)
            .await
        {
            Ok(record) => record,
            // A maintenance or incident notice on card top-ups explains the failure.
            Err(error) => {
                return Err(explained(state, wallet_error(error), Service::CardTopup).await);
            }
        },
        Move::Transfer => wallet
            .transfer(
                user_id,
                form.to.trim(),
                amount,
                currency,
                note,
                Some(quote_id),
                key,
            )
            .await
            .map_err(wallet_error)?,
        Move::Withdraw => {
            wallet
                .withdraw(user_id, form.bank_account_id.trim(), amount, currency, key)
                .await
                .map_err(wallet_error)?
                .record
        }
        Move::Exchange => wallet
            .exchange(user_id, quote_id, amount, currency, target, key)
            .await
            .map_err(wallet_error)?,
        Move::Remit => wallet
            .remit(
                user_id,
                form.to.trim(),
                quote_id,
                amount,
                currency,
                target,
                note,
                key,
            )
            .await
            .map_err(wallet_error)?,
    };
    Ok(record.id)
}

/// Whether the confirmation must ask for a step-up code, and which: for an account without an
/// authenticator the code is sent now, so it is waiting when the screen shows.
async fn step_up_prompt(
    state: &AppState,
    user_id: &str,
    movement: Move,
    quote: &domain::wallet::Quote,
) -> Result<Option<bool>, ApiError> {
    let needed = movement.moves_out()
        && step_up_threshold(state, quote.request.currency)
            .is_some_and(|threshold| quote.request.amount >= threshold);
    if !needed {
        return Ok(None);
    }
    let totp = state
        .security
        .totp_enabled(user_id)
        .await
        .map_err(|error| crate::api::auth::store_error(&error))?;
    if !totp {
        state
            .security
            .start_step_up(user_id, StepUpAction::MoveMoney, None, unix_now())
            .await
            .map_err(start_step_up_error)?;
    }
    Ok(Some(totp))
}

/// Checks a movement out against the step-up threshold, turning the form's code into a
/// single-use `money.move` token and spending it at once.
async fn step_up(
    state: &AppState,
    user_id: &str,
    amount: Amount,
    currency: Currency,
    code: &str,
) -> Result<(), ApiError> {
    if step_up_threshold(state, currency).is_none_or(|threshold| amount < threshold) {
        return Ok(());
    }
    let code = code.trim();
    if code.is_empty() {
        return Err(ApiError::new(ErrorCode::StepUpRequired));
    }
    let started = state
        .security
        .start_step_up(user_id, StepUpAction::MoveMoney, Some(code), unix_now())
        .await
        .map_err(start_step_up_error)?;
    let StepUpStart::Granted { token, .. } = started else {
        return Err(ApiError::new(ErrorCode::StepUpRequired));
    };
    require_money_step_up(state, user_id, amount, currency, Some(&token)).await
}

fn start_step_up_error(error: StartStepUpError) -> ApiError {
    match error {
        StartStepUpError::SecondFactor(error) => second_factor_error(error),
        StartStepUpError::Code(refusal) => code_refusal(refusal),
        StartStepUpError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
        StartStepUpError::NoAccount => ApiError::new(ErrorCode::NotSignedIn),
        StartStepUpError::Store(error) => crate::api::auth::store_error(&error),
    }
}
