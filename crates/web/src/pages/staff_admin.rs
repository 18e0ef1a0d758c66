//! The admins' back-office pages: the outbox, FX rates, fee schedules, help articles, and the
//! navigation every staff page shares. Each page checks its staff permission.

use super::display::filters;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use domain::notify::{Channel, DeliveryState};
use domain::staff::{StaffPermission, StaffRole};
use ledger::Currency;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::staff::StaffPage;
use super::staff_page::staff_page;
use crate::AppState;
use crate::api::auth::store_error;
use crate::api::staff_admin::{
    ArticleEdit, ArticleView, SetRate, article_with_history, language, publish, save_edit,
    schedule_views, set_rate, wallet_of,
};
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::help_markdown::markdown_to_html;
use crate::i18n::{ErrorText, Locale, StaffAdminText, StaffText, error_text};
use crate::time::rfc3339_utc;

staff_page!(OutboxPage, FxPage, FeesPage, ArticlesPage, ArticleEditPage);

/// How many messages the outbox page shows, newest first.
const OUTBOX_ROWS: i64 = 200;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/outbox", get(outbox))
        .route("/staff/fx-rates", get(fx_rates).post(fx_rate_save))
        .route("/staff/fees", get(fees).post(fees_publish))
        .route("/staff/articles", get(articles))
        .route(
            "/staff/articles/{language}/{slug}",
            get(article_form).post(article_submit),
        )
}

/// Staff forms that only report success: a redirect to the page with `?saved=1`.
#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

/// A rate's age in words: the largest two units.
fn age_text(seconds: i64, locale: Locale) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match locale {
        Locale::ZhCn if days > 0 => format!("{days} 天 {hours} 小时"),
        Locale::ZhCn if hours > 0 => format!("{hours} 小时 {minutes} 分钟"),
        Locale::ZhCn => format!("{minutes} 分钟"),
        Locale::En if days > 0 => format!("{days} d {hours} h"),
        Locale::En if hours > 0 => format!("{hours} h {minutes} min"),
        Locale::En => format!("{minutes} min"),
    }
}

/// A rate older than this is marked on the page: someone should look at it.
const RATE_STALE_S: i64 = 24 * 60 * 60;

/// What every staff page's frame (`staff_nav.html`) reads.
pub(crate) struct StaffFrame {
    pub admin: &'static StaffAdminText,
    pub sign_out: &'static str,
    /// The staff pages this member's role may open: (path, name).
    pub links: Vec<(&'static str, &'static str)>,
    pub csrf_token: String,
    pub notice: Option<&'static str>,
    pub error: Option<ErrorText>,
    /// False when the member's role may not use the page: the frame shows why, nothing else.
    pub allowed: bool,
}

impl StaffFrame {
    pub(crate) fn new(
        locale: Locale,
        staff: &StaffPage,
        permission: StaffPermission,
        notice: Option<&'static str>,
        error: Option<&ApiError>,
    ) -> StaffFrame {
        let allowed = staff.role.may(permission);
        let forbidden = ApiError::new(ErrorCode::StaffRoleForbidden);
        let error = if allowed { error } else { Some(&forbidden) };
        let admin = StaffAdminText::for_locale(locale);
        StaffFrame {
            admin,
            sign_out: StaffText::for_locale(locale).sign_out_action,
            links: staff_links(staff.role, admin),
            csrf_token: staff.csrf_token.clone(),
            notice,
            error: error.map(|error| error_text(error.code(), locale)),
            allowed,
        }
    }

    /// The frame of a page whose extractor already checked the member's role (live chat,
    /// appeals): the navigation and sign-out, no notice or error.
    pub(crate) fn checked(locale: Locale, staff: &StaffPage) -> StaffFrame {
        let admin = StaffAdminText::for_locale(locale);
        StaffFrame {
            admin,
            sign_out: StaffText::for_locale(locale).sign_out_action,
            links: staff_links(staff.role, admin),
            csrf_token: staff.csrf_token.clone(),
            notice: None,
            error: None,
            allowed: true,
        }
    }

    /// 403 for a role without the permission, else the error's status, else 200.
    pub(crate) fn status(&self, error: Option<&ApiError>) -> StatusCode {
        if !self.allowed {
            StatusCode::FORBIDDEN
        } else {
            error.map_or(StatusCode::OK, ApiError::status)
        }
    }
}

/// The staff pages `role` may open, for the navigation: a link to a page the role is refused
/// would only lead to a 403.
pub(crate) fn staff_links(
    role: StaffRole,
    admin: &'static StaffAdminText,
) -> Vec<(&'static str, &'static str)> {
    // Each link is shown by the same check its page's handler makes, so a link never leads
    // to a refusal.
    [
        (
            "/staff/users",
            admin.nav_users,
            role.may(StaffPermission::ViewUserSecurity),
        ),
        (
            "/staff/tickets",
            admin.nav_tickets,
            role.may(StaffPermission::HandleTickets),
        ),
        // Live chat checks the role itself (crates/web/src/chat/auth.rs): agents only.
        ("/staff/chat", admin.nav_chat, role == StaffRole::Agent),
        (
            "/staff/community",
            admin.nav_community,
            role.may(StaffPermission::ModerateCommunity),
        ),
        (
            "/staff/appeals",
            admin.nav_appeals,
            role.may(StaffPermission::UnlockAndUnfreeze),
        ),
        (
            "/staff/withdrawals",
            admin.nav_withdrawals,
            role.may(StaffPermission::ReviewWithdrawals),
        ),
        (
            "/staff/outbox",
            admin.nav_outbox,
            role.may(StaffPermission::ReadOutbox),
        ),
        (
            "/staff/kyc",
            admin.nav_kyc,
            role.may(StaffPermission::ReviewKyc),
        ),
        (
            "/staff/fx-rates",
            admin.nav_fx,
            role.may(StaffPermission::EditRatesAndFees),
        ),
        (
            "/staff/fees",
            admin.nav_fees,
            role.may(StaffPermission::EditRatesAndFees),
        ),
        (
            "/staff/articles",
            admin.nav_articles,
            role.may(StaffPermission::EditHelpArticles),
        ),
        (
            "/staff/announcements",
            admin.nav_announcements,
            role.may(StaffPermission::EditAnnouncements),
        ),
        (
            "/staff/channels",
            admin.nav_channels,
            role.may(StaffPermission::EditContactChannels),
        ),
        (
            "/staff/members",
            admin.nav_members,
            role.may(StaffPermission::ManageStaff),
        ),
    ]
    .into_iter()
    .filter(|(_, _, allowed)| *allowed)
    .map(|(path, name, _)| (path, name))
    .collect()
}

// ---- /staff/outbox ----

struct OutboxRow {
    at: String,
    channel: &'static str,
    channel_code: &'static str,
    recipient: String,
    locale: String,
    subject: String,
    body: String,
    status: &'static str,
    status_code: &'static str,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_outbox.html")]
struct OutboxPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    rows: Vec<OutboxRow>,
}

/// Every e-mail and SMS with its language and delivery (admin role).
async fn outbox(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
) -> Result<Response, ApiError> {
    let frame = StaffFrame::new(locale, &staff, StaffPermission::ReadOutbox, None, None);
    let admin = frame.admin;
    let entries = frame
        .load(async {
            (state.security.outbox(OUTBOX_ROWS).await).map_err(|error| store_error(&error))
        })
        .await?;
    let rows = entries
        .into_iter()
        .map(|entry| {
            let (status, detail) = match &entry.delivery {
                DeliveryState::Sent => (admin.status_sent, None),
                DeliveryState::Waiting { attempts } => (
                    admin.status_waiting,
                    (*attempts > 0).then(|| format!("{} {attempts}", admin.attempts_label)),
                ),
                DeliveryState::Kept => (admin.status_kept, None),
                DeliveryState::Failed { last_error } => {
                    (admin.status_failed, Some(last_error.clone()))
                }
            };
            let message = entry.message;
            OutboxRow {
                at: rfc3339_utc(message.created_at),
                channel: match message.channel {
                    Channel::Email => admin.channel_email,
                    Channel::Sms => admin.channel_sms,
                },
                channel_code: message.channel.name(),
                recipient: message.recipient,
                locale: message.locale,
                subject: message.subject,
                body: message.body,
                status,
                status_code: entry.delivery.name(),
                detail,
            }
        })
        .collect();
    let status = frame.status(None);
    Ok(render_page(
        &OutboxPage {
            layout: Layout::for_staff(locale, &staff),
            title: admin.title,
            frame,
            rows,
        },
        status,
    ))
}

// ---- /staff/fx-rates ----

struct RateRow {
    pair: String,
    base: &'static str,
    quote: &'static str,
    rate: String,
    set_at: String,
    age: String,
    stale: bool,
    history: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "staff_fx.html")]
struct FxPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    rows: Vec<RateRow>,
    /// (code, chosen) for each select.
    base_options: Vec<(&'static str, bool)>,
    quote_options: Vec<(&'static str, bool)>,
    form_rate: String,
}

/// How many earlier rates of each pair the page lists.
const RATE_HISTORY_ROWS: usize = 10;

async fn fx_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    saved: bool,
    form: Option<SetRate>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::EditRatesAndFees,
        saved.then_some(admin.saved),
        error.as_ref(),
    );
    let rows = frame
        .load(async {
            let wallet = wallet_of(state)?;
            let now = wallet.now();
            let rates = wallet.rates().await.map_err(wallet_error)?;
            let mut rows = Vec::new();
            for rate in rates {
                let history = wallet
                    .rate_history(rate.base(), rate.quote())
                    .await
                    .map_err(wallet_error)?;
                rows.push(RateRow {
                    pair: format!("{}/{}", rate.base().code(), rate.quote().code()),
                    base: rate.base().code(),
                    quote: rate.quote().code(),
                    rate: domain::fx::rate_text(rate.rate_e8()),
                    set_at: rfc3339_utc(rate.set_at()),
                    age: age_text(rate.age_s(now), locale),
                    stale: rate.age_s(now) > RATE_STALE_S,
                    history: history
                        .iter()
                        .take(RATE_HISTORY_ROWS)
                        .map(|(old, by)| {
                            (
                                rfc3339_utc(old.set_at()),
                                domain::fx::rate_text(old.rate_e8()),
                                by.clone(),
                            )
                        })
                        .collect(),
                });
            }
            Ok(rows)
        })
        .await?;
    let status = frame.status(error.as_ref());
    let form = form.unwrap_or(SetRate {
        base: "USD".into(),
        quote: "CNY".into(),
        rate: String::new(),
    });
    Ok(render_page(
        &FxPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            rows,
            base_options: Currency::ALL
                .iter()
                .map(|currency| (currency.code(), currency.code() == form.base))
                .collect(),
            quote_options: Currency::ALL
                .iter()
                .map(|currency| (currency.code(), currency.code() == form.quote))
                .collect(),
            form_rate: form.rate,
        },
        status,
    ))
}

async fn fx_rates(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    fx_page(&state, locale, &staff, query.saved.is_some(), None, None).await
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    base: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    rate: String,
}

async fn fx_rate_save(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<RateForm>,
) -> Result<Response, ApiError> {
    let body = SetRate {
        base: form.base,
        quote: form.quote,
        rate: form.rate,
    };
    if !staff.role.may(StaffPermission::EditRatesAndFees) {
        return fx_page(&state, locale, &staff, false, None, None).await;
    }
    match set_rate(&state, &staff.staff_id, &body).await {
        Ok(_) => Ok(see_other("/staff/fx-rates?saved=1")),
        Err(error) => fx_page(&state, locale, &staff, false, Some(body), Some(error)).await,
    }
}

// ---- /staff/fees ----

struct ScheduleRow {
    id: String,
    effective_at: String,
    published_by: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "staff_fees.html")]
struct FeesPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    current_id: String,
    current_since: String,
    rows: Vec<ScheduleRow>,
    form_id: String,
    form_effective_at: String,
    form_rules: String,
}

#[derive(Default, Deserialize)]
struct FeesForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    effective_at: String,
    #[serde(default)]
    rules: String,
}

async fn fees_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    saved: bool,
    form: Option<FeesForm>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::EditRatesAndFees,
        saved.then_some(admin.saved),
        error.as_ref(),
    );
    let (views, current_id, current_since, current_rules) = frame
        .load(async {
            let wallet = wallet_of(state)?;
            let codec = crate::api::staff_admin::fee_json_of(state)?;
            let in_force = wallet
                .schedule_at(wallet.now())
                .await
                .map_err(wallet_error)?;
            let rules: serde_json::Value = serde_json::from_str(&(codec.to_json)(in_force.rules()))
                .map_err(|error| ApiError::internal(&error))?;
            let pretty =
                serde_json::to_string_pretty(&rules).map_err(|error| ApiError::internal(&error))?;
            Ok((
                schedule_views(state).await?,
                in_force.id().to_owned(),
                rfc3339_utc(in_force.effective_at()),
                pretty,
            ))
        })
        .await?;
    let rows = views
        .into_iter()
        .map(|view| ScheduleRow {
            id: view.id,
            effective_at: view.effective_at,
            published_by: view.published_by,
            in_force: view.in_force,
        })
        .collect();
    let status = frame.status(error.as_ref());
    let form = form.unwrap_or_default();
    Ok(render_page(
        &FeesPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            current_id,
            current_since,
            rows,
            form_id: form.id,
            form_effective_at: form.effective_at,
            form_rules: if form.rules.is_empty() {
                current_rules
            } else {
                form.rules
            },
        },
        status,
    ))
}

async fn fees(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    fees_page(&state, locale, &staff, query.saved.is_some(), None, None).await
}

async fn fees_publish(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<FeesForm>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::EditRatesAndFees) {
        return fees_page(&state, locale, &staff, false, None, None).await;
    }
    let published = publish(
        &state,
        &staff.staff_id,
        &form.id,
        Some(form.effective_at.as_str()),
        &form.rules,
    )
    .await;
    match published {
        Ok(_) => Ok(see_other("/staff/fees?saved=1")),
        Err(error) => fees_page(&state, locale, &staff, false, Some(form), Some(error)).await,
    }
}

// ---- /staff/articles ----

struct ArticleRow {
    slug: String,
    language: &'static str,
    category: String,
    title: String,
}

#[derive(Template)]
#[template(path = "staff_articles.html")]
struct ArticlesPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    rows: Vec<ArticleRow>,
}

async fn articles(locale: Locale, State(state): State<AppState>, staff: StaffPage) -> Response {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        &staff,
        StaffPermission::EditHelpArticles,
        None,
        None,
    );
    let rows = if frame.allowed {
        let catalog = state.help.catalog();
        let mut rows: Vec<ArticleRow> = catalog
            .all()
            .iter()
            .map(|article| ArticleRow {
                slug: article.slug.clone(),
                language: article.language.tag(),
                category: article.category.clone(),
                title: article.title.clone(),
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.category, &a.slug, a.language).cmp(&(&b.category, &b.slug, b.language))
        });
        rows
    } else {
        Vec::new()
    };
    let status = frame.status(None);
    render_page(
        &ArticlesPage {
            layout: Layout::for_staff(locale, &staff),
            title: admin.title,
            frame,
            rows,
        },
        status,
    )
}

struct RevisionRow {
    revision: i64,
    edited_at: String,
    edited_by: String,
}

#[derive(Template)]
#[template(path = "staff_article_edit.html")]
struct ArticleEditPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    slug: String,
    language: &'static str,
    article_title: String,
    summary: String,
    body: String,
    base_revision: i64,
    preview_html: Option<String>,
    history: Vec<RevisionRow>,
}

#[derive(Deserialize)]
struct ArticleForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    base_revision: i64,
    /// `preview` or `save`: which button was pressed.
    #[serde(default)]
    intent: String,
}

async fn article_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    (language_tag, slug): (&str, &str),
    saved: bool,
    form: Option<ArticleForm>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::EditHelpArticles,
        saved.then_some(admin.saved),
        error.as_ref(),
    );
    let view = frame
        .load(async {
            let language = language(language_tag)?;
            article_with_history(state, slug, language).await.map(Some)
        })
        .await?
        .unwrap_or_else(|| ArticleView {
            slug: slug.to_owned(),
            language: "en",
            category: String::new(),
            title: String::new(),
            summary: String::new(),
            body: String::new(),
            revision: 0,
            history: Vec::new(),
        });
    let status = frame.status(error.as_ref());
    let preview_html = form
        .as_ref()
        .filter(|form| form.intent == "preview")
        .map(|form| markdown_to_html(&form.body));
    let (article_title, summary, body, base_revision) = match form {
        Some(form) => (form.title, form.summary, form.body, form.base_revision),
        None => (view.title, view.summary, view.body, view.revision),
    };
    Ok(render_page(
        &ArticleEditPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            slug: view.slug,
            language: view.language,
            article_title,
            summary,
            body,
            base_revision,
            preview_html,
            history: view
                .history
                .into_iter()
                .map(|revision| RevisionRow {
                    revision: revision.revision,
                    edited_at: revision.edited_at,
                    edited_by: revision.edited_by,
                })
                .collect(),
        },
        status,
    ))
}

async fn article_form(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path((language_tag, slug)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    article_page(
        &state,
        locale,
        &staff,
        (&language_tag, &slug),
        query.saved.is_some(),
        None,
        None,
    )
    .await
}

/// "Preview" shows the text as the help center will, unsaved; "Save" publishes it.
async fn article_submit(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path((language_tag, slug)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ArticleForm>,
) -> Result<Response, ApiError> {
    if form.intent == "preview" || !staff.role.may(StaffPermission::EditHelpArticles) {
        return article_page(
            &state,
            locale,
            &staff,
            (&language_tag, &slug),
            false,
            Some(form),
            None,
        )
        .await;
    }
    let saved = async {
        let language = language(&language_tag)?;
        let edit = ArticleEdit {
            title: form.title.clone(),
            summary: form.summary.clone(),
            body: form.body.clone(),
            base_revision: form.base_revision,
        };
        save_edit(&state, &staff.staff_id, &slug, language, &edit).await?;
        Ok::<_, ApiError>(language)
    }
    .await;
    match saved {
        Ok(language) => Ok(see_other(&format!(
            "/staff/articles/{}/{slug}?saved=1",
            language.tag()
        ))),
        Err(error) => {
            article_page(
                &state,
                locale,
                &staff,
                (&language_tag, &slug),
                false,
                Some(form),
                Some(error),
            )
            .await
        }
    }
}
