//! The wallet's pages: `/wallet` (balances, limits left, recent records), `/wallet/cards` (cards
//! and bank accounts: add, list, remove) and `/developers/test-cards` (the simulator's test cards,
//! test bank accounts and rail switch). Helpers the other wallet pages share live here too.

use super::display::{filters, money_text};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::records::TransactionRecord;
use domain::wallet::{
    CardInput, CardSaved, RailMode, RecordPage, TEST_BANK_ACCOUNTS, TEST_CARDS,
    TestBankAccountOutcome, Wallet,
};
use ledger::{Amount, Currency};
use serde::Deserialize;

use super::csrf::{CsrfForm, CsrfToken};
use super::layout::Layout;
use super::render_page;
use super::security::NoFields;
use super::see_other;
use super::session::{MaybePageSession, PageSession};
use crate::AppState;
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    Locale, WalletText, error_text, limit_kind_name, record_kind_name, record_status_name,
};
use crate::time::rfc3339_utc;

/// The wallet's, the records', the developer page's and finance's routes, merged by one line.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};

    use super::{records, staff_finance, wallet_moves};
    axum::Router::new()
        .route("/wallet", get(wallet_home))
        .route("/wallet/cards", get(cards).post(add_card))
        .route("/wallet/cards/{id}/remove", post(remove_card))
        .route("/wallet/bank-accounts", post(add_bank_account))
        .route(
            "/wallet/bank-accounts/{id}/remove",
            post(remove_bank_account),
        )
        .route(
            "/wallet/{movement}",
            get(wallet_moves::form).post(wallet_moves::commit),
        )
        .route("/wallet/{movement}/confirm", post(wallet_moves::confirm))
        .route("/records", get(records::records))
        .route("/records/export.csv", get(records::export_csv))
        .route("/records/statement", get(records::statement))
        .route("/records/spending", get(records::spending))
        .route("/records/{id}", get(records::record))
        .route("/developers/test-cards", get(test_cards))
        .route("/staff/withdrawals", get(staff_finance::queue))
        .route(
            "/staff/withdrawals/{id}/approve",
            post(staff_finance::approve),
        )
        .route(
            "/staff/withdrawals/{id}/reject",
            post(staff_finance::reject),
        )
        .route("/staff/simulator", post(staff_finance::switch_rail))
}

/// Records shown on `/wallet`.
const RECENT_RECORDS: u32 = 5;

/// The wallet, or `not_found` when this server runs without one.
pub(super) fn wallet_of(state: &AppState) -> Result<&Arc<Wallet>, ApiError> {
    state
        .wallet
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// A failure as a page shows it: the stable code, its localized explanation and next step, the
/// facts of a limit, and the failed movement's record when one was written.
pub(super) struct ErrorView {
    pub code: &'static str,
    pub message: &'static str,
    pub next_step: &'static str,
    /// "12.00 CNY of 500.00 CNY" for `limit_exceeded`.
    pub limit_left: Option<String>,
    pub limit_next_tier: Option<String>,
    pub record_id: Option<String>,
}

impl ErrorView {
    pub fn of(error: &ApiError, locale: Locale) -> ErrorView {
        let text = error_text(error.code(), locale);
        let detail = |key: &str| {
            error
                .details()
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value.as_str())
        };
        let currency = detail("currency").and_then(|code| Currency::parse(code).ok());
        let amount = |key: &str| {
            let minor = detail(key)?.parse::<i64>().ok()?;
            Some(money_text(Amount::from_minor(minor), currency?))
        };
        ErrorView {
            code: error.code().as_str(),
            message: text.message,
            next_step: text.next_step,
            limit_left: amount("left")
                .zip(amount("limit"))
                .map(|(left, limit)| format!("{left} / {limit}")),
            limit_next_tier: amount("next_tier_limit"),
            record_id: detail("transaction_id").map(str::to_owned),
        }
    }
}

// ---- /wallet ----

struct BalanceRow {
    currency: &'static str,
    available: String,
    held: Option<String>,
}

struct LimitRow {
    kind: &'static str,
    daily_left: String,
    daily_limit: String,
    monthly_left: String,
    monthly_limit: String,
}

/// One line of a record list, as `/wallet` and `/records` show it.
pub(super) struct RecordRow {
    pub id: String,
    pub at: String,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    /// Signed: `-12.00 CNY` for money out.
    pub amount: String,
    pub fee: Option<String>,
    pub counterparty: Option<String>,
}

impl RecordRow {
    pub fn of(record: &TransactionRecord, locale: Locale) -> RecordRow {
        let sign = match record.direction {
            domain::records::Direction::Out => "-",
            domain::records::Direction::In => "+",
            domain::records::Direction::Internal => "",
        };
        RecordRow {
            id: record.id.clone(),
            at: rfc3339_utc(record.created_at),
            kind: record_kind_name(record.kind, locale),
            kind_code: record.kind.code(),
            status: record_status_name(record.status(), locale),
            status_code: record.status().code(),
            amount: format!("{sign}{}", money_text(record.amount, record.currency)),
            fee: record
                .fee
                .is_positive()
                .then(|| money_text(record.fee, record.currency)),
            counterparty: record.counterparty.as_ref().map(|c| c.label.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage {
    layout: Layout,
    title: &'static str,
    text: &'static WalletText,
    balances: Vec<BalanceRow>,
    tier: &'static str,
    limits_currency: &'static str,
    currencies: Vec<&'static str>,
    limits: Vec<LimitRow>,
    recent: Vec<RecordRow>,
}

#[derive(Deserialize)]
pub(crate) struct WalletQuery {
    currency: Option<String>,
}

pub(crate) async fn wallet_home(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<WalletQuery>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let user_id = &session.user.id;
    let balances = wallet.balances(user_id).await.map_err(wallet_error)?;
    let limits_currency = query
        .currency
        .as_deref()
        .and_then(|code| Currency::parse(code).ok())
        .or_else(|| balances.first().map(|(currency, _)| *currency))
        .unwrap_or(Currency::Cny);
    let (tier, remaining) = wallet
        .limits(user_id, limits_currency)
        .await
        .map_err(wallet_error)?;
    let recent = wallet
        .records(
            user_id,
            &RecordPage {
                filter: Default::default(),
                after: None,
                limit: RECENT_RECORDS,
            },
        )
        .await
        .map_err(wallet_error)?;
    let text = WalletText::for_locale(locale);
    let page = WalletPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.title,
        text,
        balances: balances
            .iter()
            .map(|(currency, balance)| BalanceRow {
                currency: currency.code(),
                available: money_text(balance.available(), *currency),
                held: balance
                    .pending_debits
                    .is_positive()
                    .then(|| money_text(balance.pending_debits, *currency)),
            })
            .collect(),
        // The tier in the reader's words, as the verification page names it.
        tier: super::kyc::tier_name(crate::i18n::KycText::for_locale(locale), tier),
        limits_currency: limits_currency.code(),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        limits: remaining
            .iter()
            .map(|r| LimitRow {
                kind: limit_kind_name(r.kind, locale),
                daily_left: money_text(r.daily_left, limits_currency),
                daily_limit: money_text(r.daily_limit, limits_currency),
                monthly_left: money_text(r.monthly_left, limits_currency),
                monthly_limit: money_text(r.monthly_limit, limits_currency),
            })
            .collect(),
        recent: recent.iter().map(|r| RecordRow::of(r, locale)).collect(),
    };
    Ok(render_page(&page, StatusCode::OK))
}

// ---- /wallet/cards ----

struct CardRow {
    id: String,
    brand: &'static str,
    last4: String,
    expires: String,
    holder: String,
}

struct BankRow {
    id: String,
    bank_name: String,
    masked: String,
    currency: &'static str,
    holder: String,
}

/// What the card form keeps when shown again: never the number or the security code.
#[derive(Default)]
struct CardFormKept {
    exp_month: String,
    exp_year: String,
    holder_name: String,
}

#[derive(Default)]
struct BankFormKept {
    bank_name: String,
    holder_name: String,
    currency: String,
}

#[derive(Template)]
#[template(path = "wallet_cards.html")]
struct CardsPage {
    layout: Layout,
    title: &'static str,
    text: &'static WalletText,
    csrf_token: String,
    notice: Option<String>,
    card_error: Option<ErrorView>,
    bank_error: Option<ErrorView>,
    cards: Vec<CardRow>,
    bank_accounts: Vec<BankRow>,
    card_form: CardFormKept,
    bank_form: BankFormKept,
    currencies: Vec<&'static str>,
}

#[derive(Default)]
struct CardsView {
    notice: Option<String>,
    card_error: Option<ApiError>,
    bank_error: Option<ApiError>,
    card_form: CardFormKept,
    bank_form: BankFormKept,
}

async fn cards_page(
    state: &AppState,
    locale: Locale,
    session: &PageSession,
    view: CardsView,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(state)?;
    let user_id = &session.user.id;
    let cards = wallet.cards(user_id).await.map_err(wallet_error)?;
    let accounts = wallet.bank_accounts(user_id).await.map_err(wallet_error)?;
    let text = WalletText::for_locale(locale);
    let status = view
        .card_error
        .as_ref()
        .or(view.bank_error.as_ref())
        .map_or(StatusCode::OK, ApiError::status);
    let page = CardsPage {
        layout: Layout::for_session(locale, Some(session)),
        title: text.cards_title,
        text,
        csrf_token: session.csrf_token.clone(),
        notice: view.notice,
        card_error: view.card_error.as_ref().map(|e| ErrorView::of(e, locale)),
        bank_error: view.bank_error.as_ref().map(|e| ErrorView::of(e, locale)),
        cards: cards
            .iter()
            .map(|card| CardRow {
                id: card.id.clone(),
                brand: card.card.brand.display_name(),
                last4: card.card.last4.clone(),
                expires: format!(
                    "{:02}/{}",
                    card.card.expiry.month(),
                    card.card.expiry.year()
                ),
                holder: card.card.holder_name.as_str().to_owned(),
            })
            .collect(),
        bank_accounts: accounts
            .iter()
            .map(|account| BankRow {
                id: account.id.clone(),
                bank_name: account.account.bank_name.clone(),
                masked: account.account.number.masked(),
                currency: account.account.currency.code(),
                holder: account.account.holder_name.as_str().to_owned(),
            })
            .collect(),
        card_form: view.card_form,
        bank_form: view.bank_form,
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
    };
    Ok(render_page(&page, status))
}

#[derive(Deserialize)]
pub(crate) struct CardsQuery {
    done: Option<String>,
    card: Option<String>,
}

pub(crate) async fn cards(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<CardsQuery>,
) -> Result<Response, ApiError> {
    let text = WalletText::for_locale(locale);
    let notice = match query.done.as_deref() {
        Some(done @ ("card_added" | "card_already_saved" | "card_updated")) => {
            let lead = match done {
                "card_added" => text.card_added,
                "card_already_saved" => text.card_already_saved,
                _ => text.card_updated,
            };
            let wallet = wallet_of(&state)?;
            let cards = wallet.cards(&session.user.id).await.map_err(wallet_error)?;
            cards
                .iter()
                .find(|card| Some(&card.id) == query.card.as_ref())
                .map(|card| format!("{lead} {}", card.card.label()))
        }
        Some("card_removed") => Some(text.card_removed.to_owned()),
        Some("bank_added") => Some(text.bank_added.to_owned()),
        Some("bank_removed") => Some(text.bank_removed.to_owned()),
        _ => None,
    };
    cards_page(
        &state,
        locale,
        &session,
        CardsView {
            notice,
            ..CardsView::default()
        },
    )
    .await
}

/// The add-card form. The number and CVC are used once, to tokenize, and never shown again.
#[derive(Deserialize)]
pub(crate) struct CardForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    exp_month: String,
    #[serde(default)]
    exp_year: String,
    #[serde(default)]
    cvc: String,
    #[serde(default)]
    holder_name: String,
}

pub(crate) async fn add_card(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<CardForm>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let kept = CardFormKept {
        exp_month: form.exp_month.trim().to_owned(),
        exp_year: form.exp_year.trim().to_owned(),
        holder_name: form.holder_name.trim().to_owned(),
    };
    let refused = |error: ApiError, kept: CardFormKept| CardsView {
        card_error: Some(error),
        card_form: kept,
        ..CardsView::default()
    };
    // A month or year that is not a number is an invalid expiry, as the API would say.
    let expiry = |text: &str| text.parse::<u32>().ok();
    let (Some(exp_month), Some(exp_year)) = (expiry(&kept.exp_month), expiry(&kept.exp_year))
    else {
        let error = ApiError::new(ErrorCode::CardExpiryInvalid).with_param("exp_month");
        return cards_page(&state, locale, &session, refused(error, kept)).await;
    };
    let added = wallet
        .add_card(
            &session.user.id,
            CardInput {
                number: &form.number,
                exp_month,
                exp_year,
                cvc: &form.cvc,
                holder_name: &form.holder_name,
            },
        )
        .await;
    match added {
        Ok(added) => {
            let done = match added.saved {
                CardSaved::New => "card_added",
                CardSaved::AlreadySaved => "card_already_saved",
                CardSaved::Updated => "card_updated",
            };
            Ok(see_other(&format!(
                "/wallet/cards?done={done}&card={}",
                added.card.id
            )))
        }
        Err(error) => {
            cards_page(&state, locale, &session, refused(wallet_error(error), kept)).await
        }
    }
}

pub(crate) async fn remove_card(
    State(state): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    wallet_of(&state)?
        .remove_card(&session.user.id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(see_other("/wallet/cards?done=card_removed"))
}

#[derive(Deserialize)]
pub(crate) struct BankForm {
    #[serde(default)]
    bank_name: String,
    #[serde(default)]
    account_number: String,
    #[serde(default)]
    holder_name: String,
    #[serde(default)]
    currency: String,
}

pub(crate) async fn add_bank_account(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<BankForm>,
) -> Result<Response, ApiError> {
    let wallet = wallet_of(&state)?;
    let kept = BankFormKept {
        bank_name: form.bank_name.trim().to_owned(),
        holder_name: form.holder_name.trim().to_owned(),
        currency: form.currency.trim().to_owned(),
    };
    let added = match Currency::parse(form.currency.trim()) {
        Ok(currency) => wallet
            .add_bank_account(
                &session.user.id,
                &form.bank_name,
                &form.account_number,
                &form.holder_name,
                currency,
            )
            .await
            .map_err(wallet_error),
        Err(_) => Err(ApiError::new(ErrorCode::UnknownCurrency).with_param("currency")),
    };
    match added {
        Ok(_) => Ok(see_other("/wallet/cards?done=bank_added")),
        Err(error) => {
            let view = CardsView {
                bank_error: Some(error),
                bank_form: kept,
                ..CardsView::default()
            };
            cards_page(&state, locale, &session, view).await
        }
    }
}

pub(crate) async fn remove_bank_account(
    State(state): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    wallet_of(&state)?
        .remove_bank_account(&session.user.id, &id)
        .await
        .map_err(wallet_error)?;
    Ok(see_other("/wallet/cards?done=bank_removed"))
}

// ---- /developers/test-cards ----

struct TestCardRow {
    number: &'static str,
    brand: &'static str,
    outcome_code: &'static str,
    /// The explanation a user would read; `None` for a success card.
    outcome: Option<&'static str>,
}

struct TestAccountRow {
    number: &'static str,
    outcome_code: &'static str,
    outcome: &'static str,
}

#[derive(Template)]
#[template(path = "test_cards.html")]
struct TestCardsPage {
    layout: Layout,
    title: &'static str,
    text: &'static WalletText,
    csrf_token: String,
    switched: bool,
    cards: Vec<TestCardRow>,
    accounts: Vec<TestAccountRow>,
    /// `normal`, `slow` or `down`; `None` without a simulator.
    rail_mode: Option<&'static str>,
    rail_text: &'static str,
    rail_delay_ms: u64,
}

#[derive(Deserialize)]
pub(crate) struct TestCardsQuery {
    switched: Option<String>,
}

pub(crate) async fn test_cards(
    State(state): State<AppState>,
    locale: Locale,
    MaybePageSession(session): MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<TestCardsQuery>,
) -> Response {
    let text = WalletText::for_locale(locale);
    let mode = state.rail_switch.as_ref().map(|switch| switch.mode());
    let page = TestCardsPage {
        layout: Layout::for_session(locale, session.as_ref()),
        title: text.dev_title,
        text,
        csrf_token,
        switched: query.switched.is_some(),
        cards: TEST_CARDS
            .iter()
            .map(|card| TestCardRow {
                number: card.number,
                brand: card.brand.display_name(),
                outcome_code: card.outcome.code(),
                outcome: ErrorCode::from_code(card.outcome.code())
                    .map(|code| error_text(code, locale).message),
            })
            .collect(),
        accounts: TEST_BANK_ACCOUNTS
            .iter()
            .map(|account| TestAccountRow {
                number: account.number,
                outcome_code: account.outcome.code(),
                outcome: match account.outcome {
                    TestBankAccountOutcome::Success => text.dev_account_success,
                    TestBankAccountOutcome::FailsOnceThenSucceeds => text.dev_account_fails_once,
                    TestBankAccountOutcome::AccountClosed => text.dev_account_closed,
                },
            })
            .collect(),
        rail_mode: mode.map(RailMode::code),
        rail_text: match mode {
            None => text.dev_rail_missing,
            Some(RailMode::Normal) => text.dev_rail_normal,
            Some(RailMode::Slow { .. }) => text.dev_rail_slow,
            Some(RailMode::Down) => text.dev_rail_down,
        },
        rail_delay_ms: match mode {
            Some(RailMode::Slow { delay_ms }) => delay_ms,
            _ => 2_000,
        },
    };
    render_page(&page, StatusCode::OK)
}
