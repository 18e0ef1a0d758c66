//! The support pages a person uses: `/diagnose` ("What happened?"), their tickets (list, new with attachments, thread, reply, rating) and `/stolen`, the fast lane that works without signing in.

use super::display::{readable_instant, readable_time};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use domain::tickets::{Category, NewTicket, Ticket, TicketStatus, TicketThread};
use ledger::{Amount, Currency};
use serde::Deserialize;
use serde_json::{Value, json};

// Re-exported for the pages that took it from here.
use super::csrf::{CsrfBinding, CsrfForm, CsrfToken};
use super::layout::Layout;
use super::render_page;
pub(crate) use super::see_other;
use super::session::{MaybePageSession, PageSession};
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::api::diagnose::diagnosis;
use crate::api::documents::document_response;
use crate::api::stolen::stolen_error;
use crate::api::tickets::{UPLOAD_BODY_MAX_BYTES, read_form, ticket_error, tickets_of};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    DiagnoseText, ErrorText, Locale, StolenText, TicketsText, error_text, ticket_category_name,
    ticket_status_name, wallet_code_name,
};
use crate::rate_limit::{IpLimiter, limit_posts_by_ip};

pub(crate) fn routes(limiter: IpLimiter) -> Router<AppState> {
    // The fast lane checks a code, so it shares the per-IP limit of every code-checking form.
    let stolen = Router::new()
        .route("/stolen", get(stolen_form).post(stolen_request))
        .route("/stolen/confirm", post(stolen_confirm))
        .route_layer(from_fn_with_state(limiter, limit_posts_by_ip));
    let uploads = Router::new()
        .route("/tickets/new", get(new_form).post(create))
        .route_layer(DefaultBodyLimit::max(UPLOAD_BODY_MAX_BYTES));
    Router::new()
        .merge(stolen)
        .merge(uploads)
        .route("/diagnose", get(diagnose_page))
        .route("/tickets", get(list))
        .route("/tickets/{id}", get(thread))
        .route("/tickets/{id}/reply", post(reply))
        .route("/tickets/{id}/rate", post(rate))
        .route("/tickets/{id}/attachments/{attachment}", get(attachment))
}

/// `{"amount": minor, "currency": "CNY"}` as `100.00 CNY`.
pub(crate) fn show_money(value: &Value) -> String {
    let minor = value["amount"].as_i64().unwrap_or_default();
    let code = value["currency"].as_str().unwrap_or_default();
    match Currency::parse(code) {
        Ok(currency) => super::display::money_text(Amount::from_minor(minor), currency),
        Err(_) => format!("{minor} {code}"),
    }
}

fn text_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// A category for a `<select>`: its name, its label, whether it is chosen.
pub(crate) struct CategoryOption {
    pub name: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub(crate) fn category_options(locale: Locale, chosen: &str) -> Vec<CategoryOption> {
    Category::ALL
        .into_iter()
        .map(|category| CategoryOption {
            name: category.name(),
            label: ticket_category_name(category, locale),
            selected: category.name() == chosen,
        })
        .collect()
}

// ---- /diagnose ----

struct LockView {
    locked_at: String,
    until: String,
    failures: i64,
}

struct FailedView {
    id: String,
    kind: String,
    amount: String,
    created_at: String,
    reason_code: String,
    message: String,
    next_step: String,
    /// Title and body of the notice that explains it.
    announcement: Option<(String, String)>,
}

struct WithdrawalView {
    id: String,
    amount: String,
    status: String,
    timeline: Vec<(String, String)>,
    next_step: String,
}

struct LimitView {
    kind: String,
    daily_left: String,
    monthly_left: String,
    reached: bool,
}

#[derive(Template)]
#[template(path = "diagnose.html")]
struct DiagnosePage {
    layout: Layout,
    title: &'static str,
    text: &'static DiagnoseText,
    csrf_token: String,
    frozen: bool,
    lock: Option<LockView>,
    recent_locks: Vec<LockView>,
    failed: Vec<FailedView>,
    withdrawals: Vec<WithdrawalView>,
    tier: String,
    limits: Vec<LimitView>,
    categories: Vec<CategoryOption>,
    transactions: Vec<String>,
}

fn lock_view(value: &Value) -> LockView {
    LockView {
        locked_at: readable_time(value["locked_at"].as_str().unwrap_or_default()),
        until: readable_time(value["until"].as_str().unwrap_or_default()),
        failures: value["failures"].as_i64().unwrap_or_default(),
    }
}

fn limit_money(minor: &Value, currency: &Value) -> String {
    show_money(&json!({"amount": minor, "currency": currency}))
}

async fn diagnose_page(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
) -> Result<Response, ApiError> {
    let text = DiagnoseText::for_locale(locale);
    let found = diagnosis(&state, &session.user.id, locale, unix_now()).await?;
    let account = &found["account"];
    let failed: Vec<FailedView> = found["failed_transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|record| FailedView {
            id: text_of(&record["id"]),
            kind: wallet_code_name(record["type"].as_str().unwrap_or_default(), locale),
            amount: show_money(&record["amount"]),
            created_at: readable_time(record["created_at"].as_str().unwrap_or_default()),
            reason_code: text_of(&record["reason_code"]),
            message: text_of(&record["failure"]["message"]),
            next_step: text_of(&record["failure"]["next_step"]),
            announcement: record["announcement"]["title"]
                .as_str()
                .map(|title| (title.to_owned(), text_of(&record["announcement"]["body"]))),
        })
        .collect();
    let withdrawals = found["withdrawals_in_flight"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|record| WithdrawalView {
            id: text_of(&record["id"]),
            amount: show_money(&record["amount"]),
            status: wallet_code_name(record["status"].as_str().unwrap_or_default(), locale),
            timeline: record["timeline"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|event| {
                    (
                        readable_time(event["at"].as_str().unwrap_or_default()),
                        wallet_code_name(event["status"].as_str().unwrap_or_default(), locale),
                    )
                })
                .collect(),
            next_step: text_of(&record["next_step"]),
        })
        .collect();
    let limits = &found["limits"];
    let currency = &limits["currency"];
    let limit_rows = limits["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| LimitView {
            kind: wallet_code_name(row["kind"].as_str().unwrap_or_default(), locale),
            daily_left: format!(
                "{} / {}",
                limit_money(&row["daily_left"], currency),
                limit_money(&row["daily_limit"], currency)
            ),
            monthly_left: format!(
                "{} / {}",
                limit_money(&row["monthly_left"], currency),
                limit_money(&row["monthly_limit"], currency)
            ),
            reached: row["reached"].as_bool().unwrap_or_default(),
        })
        .collect();
    let transactions = failed.iter().map(|f| f.id.clone()).collect();
    let chosen = if failed.is_empty() { "other" } else { "top_up" };
    let page = DiagnosePage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.title,
        text,
        csrf_token: session.csrf_token.clone(),
        frozen: account["frozen"].as_bool().unwrap_or_default(),
        lock: account["lock"]
            .is_object()
            .then(|| lock_view(&account["lock"])),
        recent_locks: account["recent_locks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(lock_view)
            .collect(),
        failed,
        withdrawals,
        // Named as the verification page names it; the code only for a tier this build does
        // not know.
        tier: {
            let code = limits["tier"].as_str().unwrap_or_default();
            domain::limits::KycTier::parse(code).map_or_else(
                || code.to_owned(),
                |tier| {
                    super::kyc::tier_name(crate::i18n::KycText::for_locale(locale), tier).to_owned()
                },
            )
        },
        limits: limit_rows,
        categories: category_options(locale, chosen),
        transactions,
    };
    Ok(render_page(&page, StatusCode::OK))
}

// ---- /tickets ----

struct TicketRow {
    id: String,
    subject: String,
    category: &'static str,
    status: &'static str,
    status_name: &'static str,
    updated_at: String,
}

fn ticket_row(ticket: &Ticket, locale: Locale) -> TicketRow {
    TicketRow {
        id: ticket.id.clone(),
        subject: ticket.subject.clone(),
        category: ticket_category_name(ticket.category, locale),
        status: ticket.status.name(),
        status_name: ticket_status_name(ticket.status, locale),
        updated_at: readable_instant(ticket.updated_at),
    }
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    layout: Layout,
    title: &'static str,
    text: &'static TicketsText,
    tickets: Vec<TicketRow>,
}

async fn list(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
) -> Result<Response, ApiError> {
    let text = TicketsText::for_locale(locale);
    let tickets = tickets_of(&state)?
        .list_for_user(&session.user.id)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(render_page(
        &ListPage {
            layout: Layout::for_session(locale, Some(&session)),
            title: text.list_title,
            text,
            tickets: tickets.iter().map(|t| ticket_row(t, locale)).collect(),
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
struct NewPage {
    layout: Layout,
    title: &'static str,
    text: &'static TicketsText,
    csrf_token: String,
    categories: Vec<CategoryOption>,
    subject: String,
    description: String,
    transaction_id: String,
    error: Option<ErrorText>,
}

#[derive(Deserialize)]
struct NewQuery {
    category: Option<String>,
    transaction_id: Option<String>,
}

fn new_page(
    locale: Locale,
    session: &PageSession,
    fields: (&str, String, String, String),
    error: Option<&ApiError>,
) -> Response {
    let text = TicketsText::for_locale(locale);
    let (category, subject, description, transaction_id) = fields;
    render_page(
        &NewPage {
            layout: Layout::for_session(locale, Some(session)),
            title: text.new_title,
            text,
            csrf_token: session.csrf_token.clone(),
            categories: category_options(locale, category),
            subject,
            description,
            transaction_id,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        error.map_or(StatusCode::OK, ApiError::status),
    )
}

async fn new_form(locale: Locale, session: PageSession, Query(query): Query<NewQuery>) -> Response {
    let category = query.category.unwrap_or_default();
    new_page(
        locale,
        &session,
        (
            &category,
            String::new(),
            String::new(),
            query.transaction_id.unwrap_or_default(),
        ),
        None,
    )
}

/// A multipart form carries its CSRF token as a field; `CsrfForm` reads only url-encoded ones.
fn check_csrf(
    state: &AppState,
    binding: &CsrfBinding,
    token: Option<&str>,
) -> Result<(), ApiError> {
    match token {
        Some(token) if state.csrf_key.accepts(binding, token) => Ok(()),
        _ => Err(ApiError::new(ErrorCode::CsrfTokenInvalid)),
    }
}

async fn create(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Extension(binding): Extension<CsrfBinding>,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let tickets = tickets_of(&state)?;
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(error) => {
            return Ok(new_page(
                locale,
                &session,
                ("", String::new(), String::new(), String::new()),
                Some(&error),
            ));
        }
    };
    check_csrf(&state, &binding, form.field("csrf_token"))?;
    let now = unix_now();
    let category = form.text("category");
    let mut subject = form.text("subject");
    let description = form.text("description");
    let transaction_id = form.text("transaction_id");
    // The form on /diagnose posts here too, so its ticket can carry screenshots; the diagnosis
    // is read afresh when the ticket is opened, not taken from the browser.
    let context = if form.field("with_diagnosis").is_some() {
        if subject.trim().is_empty() {
            subject = match locale {
                Locale::ZhCn => "自助诊断后提交的问题".to_owned(),
                Locale::En => "Question after the self-diagnosis".to_owned(),
            };
        }
        diagnosis(&state, &session.user.id, locale, now)
            .await?
            .to_string()
    } else {
        String::new()
    };
    let opened = tickets
        .open(
            &session.user.id,
            NewTicket {
                category: category.clone(),
                subject: subject.clone(),
                description: description.clone(),
                transaction_id: Some(transaction_id.clone()),
                context,
                attachments: form.uploads,
            },
            now,
        )
        .await;
    match opened {
        Ok(ticket) => Ok(see_other(&format!("/tickets/{}?done=created", ticket.id))),
        Err(error) => Ok(new_page(
            locale,
            &session,
            (&category, subject, description, transaction_id),
            Some(&ticket_error(error)),
        )),
    }
}

pub(crate) struct MessageRow {
    pub author: &'static str,
    pub staff: bool,
    pub internal: bool,
    pub body: String,
    pub at: String,
}

pub(crate) struct AttachmentRow {
    pub href: String,
    pub file_name: String,
    pub size_kb: i64,
}

/// The diagnosis a ticket carries, pretty-printed; empty when it has none.
pub(crate) fn context_text(context: &str) -> String {
    serde_json::from_str::<Value>(context)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| context.to_owned())
}

pub(crate) fn attachment_rows(thread: &TicketThread, base: &str) -> Vec<AttachmentRow> {
    thread
        .attachments
        .iter()
        .map(|info| AttachmentRow {
            href: format!("{base}/attachments/{}", info.id),
            file_name: info.file_name.clone(),
            size_kb: (info.size_bytes + 1023) / 1024,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct ThreadPage {
    layout: Layout,
    title: &'static str,
    text: &'static TicketsText,
    csrf_token: String,
    notice: Option<&'static str>,
    id: String,
    subject: String,
    category: &'static str,
    status: &'static str,
    status_name: &'static str,
    created_at: String,
    transaction_id: Option<String>,
    description: String,
    context: String,
    messages: Vec<MessageRow>,
    attachments: Vec<AttachmentRow>,
    may_rate: bool,
    rating: Option<i64>,
    rating_comment: String,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn thread(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    let text = TicketsText::for_locale(locale);
    let thread = tickets_of(&state)?
        .user_thread(&session.user.id, &id)
        .await
        .map_err(ticket_error)?;
    let ticket = &thread.ticket;
    let notice = match query.done.as_deref() {
        Some("created") => Some(text.done_created),
        Some("replied") => Some(text.done_replied),
        Some("rated") => Some(text.done_rated),
        _ => None,
    };
    let page = ThreadPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.thread_title,
        text,
        csrf_token: session.csrf_token.clone(),
        notice,
        id: ticket.id.clone(),
        subject: ticket.subject.clone(),
        category: ticket_category_name(ticket.category, locale),
        status: ticket.status.name(),
        status_name: ticket_status_name(ticket.status, locale),
        created_at: readable_instant(ticket.created_at),
        transaction_id: ticket.transaction_id.clone(),
        description: ticket.description.clone(),
        context: context_text(&ticket.context),
        messages: thread
            .messages
            .iter()
            // The domain already leaves internal notes out of the user's thread.
            .map(|message| {
                let staff = message.author_kind == domain::tickets::AuthorKind::Staff;
                MessageRow {
                    author: if staff { text.agent } else { text.you },
                    staff,
                    internal: false,
                    body: message.body.clone(),
                    at: readable_instant(message.created_at),
                }
            })
            .collect(),
        attachments: attachment_rows(&thread, &format!("/tickets/{}", ticket.id)),
        may_rate: ticket.status == TicketStatus::Solved && ticket.rating.is_none(),
        rating: ticket.rating,
        rating_comment: ticket.rating_comment.clone().unwrap_or_default(),
    };
    Ok(render_page(&page, StatusCode::OK))
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(state): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, ApiError> {
    let message = tickets_of(&state)?
        .user_reply(&session.user.id, &id, &form.body, Vec::new(), unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(see_other(&format!(
        "/tickets/{}?done=replied",
        message.ticket_id
    )))
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(state): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RateForm>,
) -> Result<Response, ApiError> {
    let stars: i64 = form
        .rating
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_request("rating"))?;
    let ticket = tickets_of(&state)?
        .rate(&session.user.id, &id, stars, &form.comment, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(see_other(&format!("/tickets/{}?done=rated", ticket.id)))
}

async fn attachment(
    State(state): State<AppState>,
    session: PageSession,
    Path((_ticket, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (info, bytes) = tickets_of(&state)?
        .user_attachment(&session.user.id, &attachment)
        .await
        .map_err(ticket_error)?;
    Ok(document_response(&info, bytes))
}

// ---- /stolen ----

#[derive(Template)]
#[template(path = "stolen.html")]
struct StolenPage {
    layout: Layout,
    title: &'static str,
    text: &'static StolenText,
    csrf_token: String,
    login: String,
    code_sent: bool,
    ticket_id: Option<String>,
    error: Option<ErrorText>,
}

struct StolenView {
    login: String,
    code_sent: bool,
    ticket_id: Option<String>,
}

fn stolen_page(
    locale: Locale,
    session: Option<&PageSession>,
    csrf_token: String,
    view: StolenView,
    error: Option<&ApiError>,
) -> Response {
    let text = StolenText::for_locale(locale);
    render_page(
        &StolenPage {
            layout: Layout::for_session(locale, session),
            title: text.title,
            text,
            csrf_token,
            login: view.login,
            code_sent: view.code_sent,
            ticket_id: view.ticket_id,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        error.map_or(StatusCode::OK, ApiError::status),
    )
}

async fn stolen_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
) -> Response {
    let login = session
        .0
        .as_ref()
        .and_then(|s| s.user.email.clone().or(s.user.phone.clone()))
        .unwrap_or_default();
    stolen_page(
        locale,
        session.0.as_ref(),
        csrf_token,
        StolenView {
            login,
            code_sent: false,
            ticket_id: None,
        },
        None,
    )
}

#[derive(Deserialize)]
struct StolenRequestForm {
    #[serde(default)]
    login: String,
}

async fn stolen_request(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<StolenRequestForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    let sent = state
        .security
        .request_stolen_code(&login, unix_now())
        .await
        .map_err(stolen_error);
    let error = sent.err();
    stolen_page(
        locale,
        session.0.as_ref(),
        csrf_token,
        StolenView {
            code_sent: error.is_none(),
            login,
            ticket_id: None,
        },
        error.as_ref(),
    )
}

#[derive(Deserialize)]
struct StolenConfirmForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    description: String,
}

async fn stolen_confirm(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<StolenConfirmForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    let done = crate::api::stolen::freeze_and_open_ticket(
        &state,
        locale,
        &login,
        form.code.trim(),
        &form.description,
    )
    .await;
    // The session (if any) is over once the account is frozen: the page is shown signed out.
    match done {
        Ok(ticket) => stolen_page(
            locale,
            None,
            csrf_token,
            StolenView {
                login,
                code_sent: false,
                ticket_id: Some(ticket.id),
            },
            None,
        ),
        Err(error) => stolen_page(
            locale,
            None,
            csrf_token,
            StolenView {
                login,
                code_sent: true,
                ticket_id: None,
            },
            Some(&error),
        ),
    }
}
