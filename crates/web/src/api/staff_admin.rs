//! The admins' staff API: FX rates with their history and age, fee schedule versions, help
//! articles (edit, preview, history) and the outbox. Admin role only; every change is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::StoreError;
use domain::help::{Article, EditError, Language};
use domain::staff::StaffPermission;
use domain::wallet::{Wallet, WalletError};
use ledger::Currency;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::auth::{store_error, unix_now};
use crate::api::staff::StaffUser;
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::help_markdown::markdown_to_html;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;
use crate::{AppState, FeeRulesJson};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff/outbox", get(outbox))
        .route("/api/v1/staff/fx-rates", get(fx_rates).post(set_fx_rate))
        .route(
            "/api/v1/staff/fx-rates/{base}/{quote}/history",
            get(fx_history),
        )
        .route(
            "/api/v1/staff/fee-schedules",
            get(fee_schedules).post(publish_fee_schedule),
        )
        .route("/api/v1/staff/help/articles", get(articles))
        .route(
            "/api/v1/staff/help/articles/{language}/{slug}",
            get(article).put(save_article),
        )
        .route("/api/v1/staff/help/preview", post(preview))
}

pub(crate) fn wallet_of(state: &AppState) -> Result<&Wallet, ApiError> {
    state
        .wallet
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

pub(crate) fn fee_json_of(state: &AppState) -> Result<FeeRulesJson, ApiError> {
    state
        .fee_rules_json
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// Writes a staff member's change to the audit log.
pub(crate) async fn audit(
    state: &AppState,
    staff_id: &str,
    action: &'static str,
    subject: &str,
    detail: String,
) -> Result<(), ApiError> {
    state
        .security
        .record_staff_action(staff_id, action, subject, &detail)
        .await
        .map_err(|error| store_error(&error))
}

// ---- outbox ----

#[derive(Serialize)]
pub struct OutboxItem {
    pub id: String,
    /// `email` or `sms`.
    pub channel: &'static str,
    pub recipient: String,
    pub locale: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    /// `sent`, `waiting`, `kept` (no sender configured) or `failed`.
    pub status: &'static str,
}

#[utoipa::path(get, path = "/api/v1/staff/outbox", tag = "staff", security(("bearer" = [])),
    responses((status = 200, description = "`{data:[{id, channel, recipient, locale, subject, body, created_at, status}]}`, newest first (admin role)")))]
pub(crate) async fn outbox(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::ReadOutbox)?;
    let entries = state
        .security
        .outbox(200)
        .await
        .map_err(|error| store_error(&error))?;
    let data: Vec<OutboxItem> = entries
        .into_iter()
        .map(|entry| OutboxItem {
            status: entry.delivery.name(),
            id: entry.message.id,
            channel: entry.message.channel.name(),
            recipient: entry.message.recipient,
            locale: entry.message.locale,
            subject: entry.message.subject,
            body: entry.message.body,
            created_at: rfc3339_utc(entry.message.created_at),
        })
        .collect();
    Ok(Json(serde_json::json!({ "data": data })))
}

// ---- FX rates ----

#[derive(Serialize)]
pub struct RateView {
    pub base: &'static str,
    pub quote: &'static str,
    /// Units of `quote` per unit of `base`, up to 8 decimals.
    pub rate: String,
    pub set_at: String,
    pub age_s: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
}

fn rate_view(rate: &domain::fx::FxRate, now: i64, set_by: Option<String>) -> RateView {
    RateView {
        base: rate.base().code(),
        quote: rate.quote().code(),
        rate: domain::fx::rate_text(rate.rate_e8()),
        set_at: rfc3339_utc(rate.set_at()),
        age_s: rate.age_s(now),
        set_by,
    }
}

#[utoipa::path(get, path = "/api/v1/staff/fx-rates", tag = "staff", security(("bearer" = [])),
    responses((status = 200, description = "`{data:[{base, quote, rate, set_at, age_s}]}` (admin role)")))]
pub(crate) async fn fx_rates(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditRatesAndFees)?;
    let wallet = wallet_of(&state)?;
    let now = wallet.now();
    let rates = wallet.rates().await.map_err(wallet_error)?;
    let data: Vec<RateView> = rates
        .iter()
        .map(|rate| rate_view(rate, now, None))
        .collect();
    Ok(Json(serde_json::json!({ "data": data })))
}

fn currency(param: &'static str, code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code.trim())
        .map_err(|_| ApiError::new(ErrorCode::UnknownCurrency).with_param(param))
}

#[utoipa::path(get, path = "/api/v1/staff/fx-rates/{base}/{quote}/history", tag = "staff", security(("bearer" = [])),
    params(("base" = String, Path, description = "ISO 4217"), ("quote" = String, Path, description = "ISO 4217")),
    responses((status = 200, description = "Every rate set for the pair, newest first, with `set_by`")))]
pub(crate) async fn fx_history(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((base, quote)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditRatesAndFees)?;
    let wallet = wallet_of(&state)?;
    let (base, quote) = (currency("base", &base)?, currency("quote", &quote)?);
    let now = wallet.now();
    let history = wallet
        .rate_history(base, quote)
        .await
        .map_err(wallet_error)?;
    let data: Vec<RateView> = history
        .iter()
        .map(|(rate, by)| rate_view(rate, now, Some(by.clone())))
        .collect();
    Ok(Json(serde_json::json!({ "data": data })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRate {
    pub base: String,
    pub quote: String,
    pub rate: String,
}

/// Sets a pair's rate (the one in force from now); the old one stays in the history.
pub(crate) async fn set_rate(
    state: &AppState,
    staff_id: &str,
    body: &SetRate,
) -> Result<RateView, ApiError> {
    let wallet = wallet_of(state)?;
    let (base, quote) = (
        currency("base", &body.base)?,
        currency("quote", &body.quote)?,
    );
    let rate = wallet
        .set_rate(staff_id, base, quote, body.rate.trim())
        .await
        .map_err(|error| wallet_error(error).with_param("rate"))?;
    let subject = format!("{}/{}", base.code(), quote.code());
    audit(
        state,
        staff_id,
        "fx.rate_set",
        &subject,
        format!("rate={}", domain::fx::rate_text(rate.rate_e8())),
    )
    .await?;
    Ok(rate_view(&rate, wallet.now(), Some(staff_id.to_owned())))
}

#[utoipa::path(post, path = "/api/v1/staff/fx-rates", tag = "staff", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "`{base, quote, rate}`, the rate as decimal text"),
    responses((status = 201, description = "In force from now; the old rate stays in the history"),
        (status = 400, description = "`fx_rate_invalid`, `unknown_currency`", body = ErrorBody)))]
pub(crate) async fn set_fx_rate(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<SetRate>,
) -> Result<(StatusCode, Json<RateView>), ApiError> {
    staff.require(StaffPermission::EditRatesAndFees)?;
    let view = set_rate(&state, &staff.staff_id, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

// ---- fee schedules ----

#[derive(Serialize)]
pub struct ScheduleView {
    pub id: String,
    pub effective_at: String,
    pub published_by: String,
    /// The one new transactions use now.
    pub in_force: bool,
    pub rules: Value,
}

pub(crate) async fn schedule_views(state: &AppState) -> Result<Vec<ScheduleView>, ApiError> {
    let wallet = wallet_of(state)?;
    let codec = fee_json_of(state)?;
    let now = wallet.now();
    let in_force = wallet.schedule_at(now).await.map_err(wallet_error)?;
    let versions = wallet.fee_schedules().await.map_err(wallet_error)?;
    versions
        .into_iter()
        .rev()
        .map(|(schedule, by)| {
            let rules = serde_json::from_str((codec.to_json)(schedule.rules()).as_str())
                .map_err(|error| ApiError::internal(&error))?;
            Ok(ScheduleView {
                in_force: schedule.id() == in_force.id(),
                id: schedule.id().to_owned(),
                effective_at: rfc3339_utc(schedule.effective_at()),
                published_by: by,
                rules,
            })
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/staff/fee-schedules", tag = "staff", security(("bearer" = [])),
    responses((status = 200, description = "`{data:[{id, effective_at, published_by, in_force, rules}]}`, newest first")))]
pub(crate) async fn fee_schedules(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditRatesAndFees)?;
    let data = schedule_views(&state).await?;
    Ok(Json(serde_json::json!({ "data": data })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishSchedule {
    /// A new version's id: letters, digits and underscores, e.g. `2026_12`.
    pub id: String,
    /// RFC 3339; now when absent.
    pub effective_at: Option<String>,
    /// The rules, as `GET` shows them.
    pub rules: Value,
}

/// Publishes a fee schedule version from its rules as JSON text.
pub(crate) async fn publish(
    state: &AppState,
    staff_id: &str,
    id: &str,
    effective_at: Option<&str>,
    rules_json: &str,
) -> Result<String, ApiError> {
    let wallet = wallet_of(state)?;
    let codec = fee_json_of(state)?;
    let id = id.trim();
    let rules = (codec.from_json)(rules_json).map_err(|field| {
        ApiError::new(ErrorCode::FeeRulesInvalid)
            .with_param("rules")
            .with_detail("problem", field)
    })?;
    let effective_at = match effective_at.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => domain::calendar::parse_rfc3339(text)
            .map_err(|_| ApiError::invalid_request("effective_at"))?,
        None => wallet.now(),
    };
    let schedule = wallet
        .publish_fee_schedule(staff_id, id, effective_at, rules)
        .await
        .map_err(|error| match error {
            WalletError::Store(StoreError::Conflict { .. }) => {
                ApiError::new(ErrorCode::FeeScheduleIdTaken).with_param("id")
            }
            WalletError::FeeRules(domain::fees::InvalidFeeRules::IdInvalid { field: "id" }) => {
                ApiError::invalid_request("id")
            }
            other => wallet_error(other).with_param("rules"),
        })?;
    audit(
        state,
        staff_id,
        "fees.schedule_published",
        schedule.id(),
        format!("effective_at={}", rfc3339_utc(schedule.effective_at())),
    )
    .await?;
    Ok(schedule.id().to_owned())
}

#[utoipa::path(post, path = "/api/v1/staff/fee-schedules", tag = "staff", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "`{id, effective_at?, rules}`"),
    responses((status = 201, description = "`{id}`"),
        (status = 400, description = "`fee_rules_invalid`", body = ErrorBody),
        (status = 409, description = "`fee_schedule_id_taken`", body = ErrorBody)))]
pub(crate) async fn publish_fee_schedule(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<PublishSchedule>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    staff.require(StaffPermission::EditRatesAndFees)?;
    let rules = body.rules.to_string();
    let id = publish(
        &state,
        &staff.staff_id,
        &body.id,
        body.effective_at.as_deref(),
        &rules,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

// ---- help articles ----

#[derive(Serialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub language: &'static str,
    pub category: String,
    pub title: String,
}

pub(crate) fn language(tag: &str) -> Result<Language, ApiError> {
    Language::from_tag(tag).ok_or_else(|| ApiError::invalid_request("language"))
}

#[utoipa::path(get, path = "/api/v1/staff/help/articles", tag = "staff", security(("bearer" = [])),
    responses((status = 200, description = "`{data:[{slug, language, category, title}]}`")))]
pub(crate) async fn articles(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditHelpArticles)?;
    let catalog = state.help.catalog();
    let data: Vec<ArticleSummary> = catalog
        .all()
        .iter()
        .map(|article| ArticleSummary {
            slug: article.slug.clone(),
            language: article.language.tag(),
            category: article.category.clone(),
            title: article.title.clone(),
        })
        .collect();
    Ok(Json(serde_json::json!({ "data": data })))
}

#[derive(Serialize)]
pub struct RevisionView {
    pub revision: i64,
    pub edited_at: String,
    pub edited_by: String,
}

#[derive(Serialize)]
pub struct ArticleView {
    pub slug: String,
    pub language: &'static str,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// Send back as `base_revision` when saving.
    pub revision: i64,
    pub history: Vec<RevisionView>,
}

/// The article's newest saved text and its history, newest first.
pub(crate) async fn article_with_history(
    state: &AppState,
    slug: &str,
    language: Language,
) -> Result<ArticleView, ApiError> {
    let history = state
        .help_desk
        .history(slug, language)
        .await
        .map_err(|error| store_error(&error))?;
    let newest = history
        .first()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let article = newest
        .article()
        .map_err(|error| ApiError::internal(&error))?;
    Ok(ArticleView {
        slug: article.slug,
        language: language.tag(),
        category: article.category,
        title: article.title,
        summary: article.summary,
        body: article.body,
        revision: newest.revision,
        history: history
            .iter()
            .map(|revision| RevisionView {
                revision: revision.revision,
                edited_at: rfc3339_utc(revision.edited_at),
                edited_by: revision.edited_by.clone(),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/staff/help/articles/{language}/{slug}", tag = "staff", security(("bearer" = [])),
    params(("language" = String, Path, description = "`zh-CN` or `en`"), ("slug" = String, Path, description = "The article")),
    responses((status = 200, description = "The newest text, its `revision` and the history")))]
pub(crate) async fn article(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((language_tag, slug)): Path<(String, String)>,
) -> Result<Json<ArticleView>, ApiError> {
    staff.require(StaffPermission::EditHelpArticles)?;
    let language = language(&language_tag)?;
    Ok(Json(article_with_history(&state, &slug, language).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleEdit {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub base_revision: i64,
}

pub(crate) fn help_edit_error(error: EditError) -> ApiError {
    match error {
        EditError::Invalid(invalid) => ApiError::new(ErrorCode::HelpArticleInvalid)
            .with_param(invalid.field)
            .with_detail("problem", invalid.problem.to_owned()),
        EditError::Stale { current } => ApiError::new(ErrorCode::HelpArticleVersionConflict)
            .with_detail("current_revision", current.to_string()),
        EditError::Store(error) => store_error(&error),
        EditError::Search(error) => ApiError::internal(&error),
    }
}

/// Saves an edit of an existing article's title, summary and body; the rest (category, error
/// codes, keywords, place among the popular) is kept.
pub(crate) async fn save_edit(
    state: &AppState,
    staff_id: &str,
    slug: &str,
    language: Language,
    edit: &ArticleEdit,
) -> Result<i64, ApiError> {
    let history = state
        .help_desk
        .history(slug, language)
        .await
        .map_err(|error| store_error(&error))?;
    let newest = history
        .first()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let current: Article = newest
        .article()
        .map_err(|error| ApiError::internal(&error))?;
    let article = Article {
        title: edit.title.trim().to_owned(),
        summary: edit.summary.trim().to_owned(),
        // Browsers send textarea lines ending in CRLF; the stored files use LF.
        body: edit.body.replace("\r\n", "\n").trim().to_owned(),
        ..current
    };
    let revision = state
        .help_desk
        .save(article, edit.base_revision, staff_id, unix_now())
        .await
        .map_err(help_edit_error)?;
    audit(
        state,
        staff_id,
        "help.article_saved",
        &format!("{}/{slug}", language.tag()),
        format!("revision={revision}"),
    )
    .await?;
    Ok(revision)
}

#[utoipa::path(put, path = "/api/v1/staff/help/articles/{language}/{slug}", tag = "staff", security(("bearer" = [])),
    params(("language" = String, Path, description = "`zh-CN` or `en`"), ("slug" = String, Path, description = "The article")),
    request_body(content_type = "application/json", description = "`{title, summary, body, base_revision}`"),
    responses((status = 200, description = "`{revision}`, published at once"),
        (status = 409, description = "`help_article_version_conflict`", body = ErrorBody)))]
pub(crate) async fn save_article(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((language_tag, slug)): Path<(String, String)>,
    ApiJson(edit): ApiJson<ArticleEdit>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditHelpArticles)?;
    let language = language(&language_tag)?;
    let revision = save_edit(&state, &staff.staff_id, &slug, language, &edit).await?;
    Ok(Json(serde_json::json!({ "revision": revision })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    pub body: String,
}

/// The article body's HTML as the help center will show it.
#[utoipa::path(post, path = "/api/v1/staff/help/preview", tag = "staff", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "`{body}` (Markdown)"),
    responses((status = 200, description = "`{html}` as the help center renders it")))]
pub(crate) async fn preview(
    staff: StaffUser,
    ApiJson(body): ApiJson<PreviewBody>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::EditHelpArticles)?;
    Ok(Json(
        serde_json::json!({ "html": markdown_to_html(&body.body) }),
    ))
}
