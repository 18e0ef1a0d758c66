//! The sign-in security pages: `/security` (two-factor set-up with a QR code and recovery codes
//! shown once, sessions and their revocation, login history, the emergency freeze), password
//! reset, the message center and the "this wasn't me" link. Forms over the same `SecurityApi`
//! as the JSON API.

use super::display::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use domain::identity::{
    FreezeSource, NotMeError, ResetError, SecondFactorError, SignInAttempt, SignInOutcome,
    TotpError,
};
use serde::Deserialize;

use super::csrf::{CsrfForm, CsrfToken};
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::session::{MaybePageSession, PageSession, clear_session_cookie, percent_encode};
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::api::messages::MessageView;
use crate::api::security::{qr_svg, totp_error};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    ErrorText, Locale, MessagesText, NotMeText, ResetText, SecurityText, StepUpText, error_text,
};
use crate::time::rfc3339_utc;

const MESSAGES_PER_PAGE: i64 = 20;

#[derive(Deserialize)]
pub(crate) struct NoFields {}

// ---- /security ----

struct TotpSetupView {
    secret: String,
    qr_svg: String,
}

struct SessionRow {
    id: String,
    user_agent: String,
    ip: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

struct HistoryRow {
    at: String,
    outcome: &'static str,
    outcome_code: &'static str,
    ip: String,
    user_agent: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    title: &'static str,
    text: &'static SecurityText,
    step_up: &'static StepUpText,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    totp_enabled: bool,
    recovery_left: i64,
    setup: Option<TotpSetupView>,
    recovery_codes: Vec<String>,
    sessions: Vec<SessionRow>,
    history: Vec<HistoryRow>,
}

#[derive(Default)]
struct SecurityView {
    notice: Option<&'static str>,
    error: Option<ApiError>,
    setup: Option<TotpSetupView>,
    recovery_codes: Vec<String>,
}

fn outcome_text(text: &'static SecurityText, outcome: SignInOutcome) -> &'static str {
    match outcome {
        SignInOutcome::SignedIn => text.outcome_signed_in,
        SignInOutcome::WrongPassword => text.outcome_wrong_password,
        SignInOutcome::SecondFactorRequired => text.outcome_totp_required,
        SignInOutcome::SecondFactorWrong => text.outcome_totp_invalid,
        SignInOutcome::Frozen => text.outcome_frozen,
        SignInOutcome::NotVerified => text.outcome_not_verified,
    }
}

async fn security_page(
    state: &AppState,
    locale: Locale,
    session: &PageSession,
    view: SecurityView,
) -> Response {
    let text = SecurityText::for_locale(locale);
    let user_id = &session.user.id;
    let now = unix_now();
    let security = &state.security;
    let loaded = async {
        let totp_enabled = security.totp_enabled(user_id).await?;
        let recovery_left = security.recovery_codes_left(user_id).await?;
        let sessions = security.sessions(user_id, now).await?;
        let history = security.login_history(user_id, 20).await?;
        Ok::<_, domain::StoreError>((totp_enabled, recovery_left, sessions, history))
    }
    .await;
    let (totp_enabled, recovery_left, sessions, history) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return store_error(&error).into_response(),
    };
    let status = view.error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &SecurityPage {
            layout: Layout::for_session(locale, Some(session)),
            title: text.title,
            text,
            step_up: StepUpText::for_locale(locale),
            csrf_token: session.csrf_token.clone(),
            notice: view.notice,
            error: view
                .error
                .as_ref()
                .map(|error| error_text(error.code(), locale)),
            totp_enabled,
            recovery_left,
            setup: view.setup,
            recovery_codes: view.recovery_codes,
            sessions: sessions
                .into_iter()
                .map(|record| SessionRow {
                    current: record.id == session.session_id,
                    id: record.id,
                    user_agent: record.user_agent,
                    ip: record.ip,
                    created_at: rfc3339_utc(record.created_at),
                    last_seen_at: rfc3339_utc(record.last_seen_at),
                })
                .collect(),
            history: history
                .into_iter()
                .map(|attempt: SignInAttempt| HistoryRow {
                    at: rfc3339_utc(attempt.at),
                    outcome: outcome_text(text, attempt.outcome),
                    outcome_code: attempt.outcome.name(),
                    ip: attempt.ip,
                    user_agent: attempt.user_agent,
                })
                .collect(),
        },
        status,
    )
}

pub(crate) async fn security(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
) -> Response {
    security_page(&state, locale, &session, SecurityView::default()).await
}

/// Starts two-factor set-up: the page shows the QR code, the key and a field for the first code.
pub(crate) async fn totp_setup(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Response {
    let label = session
        .user
        .email
        .clone()
        .or_else(|| session.user.phone.clone())
        .unwrap_or_else(|| session.user.id.clone());
    let view = match state
        .security
        .totp_setup(&session.user.id, &label, unix_now())
        .await
    {
        Ok(setup) => SecurityView {
            setup: Some(TotpSetupView {
                qr_svg: qr_svg(&setup.otpauth_uri),
                secret: setup.secret_base32,
            }),
            ..SecurityView::default()
        },
        Err(error) => SecurityView {
            error: Some(totp_error(error)),
            ..SecurityView::default()
        },
    };
    security_page(&state, locale, &session, view).await
}

#[derive(Deserialize)]
pub(crate) struct EnableForm {
    #[serde(default)]
    code: String,
    /// The key shown on the set-up page, sent back so a wrong code can show it again.
    #[serde(default)]
    secret: String,
}

/// Turns two-factor sign-in on with the first code and shows the recovery codes, this once.
pub(crate) async fn totp_enable(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<EnableForm>,
) -> Response {
    let text = SecurityText::for_locale(locale);
    let view = match state
        .security
        .totp_enable(
            &session.user.id,
            &session.session_id,
            form.code.trim(),
            unix_now(),
        )
        .await
    {
        Ok(recovery_codes) => SecurityView {
            notice: Some(text.totp_enabled_notice),
            recovery_codes,
            ..SecurityView::default()
        },
        Err(error) => {
            let show_again = matches!(error, TotpError::CodeWrong) && !form.secret.is_empty();
            let secret: String = form
                .secret
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(64)
                .collect();
            SecurityView {
                error: Some(totp_error(error)),
                setup: show_again.then(|| TotpSetupView {
                    qr_svg: qr_svg(&format!(
                        "otpauth://totp/OKPay?secret={secret}&issuer=OKPay"
                    )),
                    secret,
                }),
                ..SecurityView::default()
            }
        }
    };
    security_page(&state, locale, &session, view).await
}

/// Signs one of the person's other devices out.
pub(crate) async fn revoke_session(
    State(state): State<AppState>,
    session: PageSession,
    Path(session_id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    state
        .security
        .revoke_session(&session.user.id, &session_id, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(see_other("/security"))
}

#[derive(Template)]
#[template(path = "notice_page.html")]
struct NoticePage {
    layout: Layout,
    title: &'static str,
    heading: &'static str,
    body: &'static str,
    link: Option<(&'static str, &'static str)>,
}

fn frozen_page(locale: Locale) -> Response {
    let text = SecurityText::for_locale(locale);
    let mut response = render_page(
        &NoticePage {
            layout: Layout::new(locale),
            title: text.title,
            heading: text.frozen_heading,
            body: text.frozen_body,
            link: Some(("/contact", text.help_action)),
        },
        StatusCode::OK,
    );
    response
        .headers_mut()
        .append(SET_COOKIE, clear_session_cookie());
    response
}

#[derive(Deserialize)]
pub(crate) struct FreezeForm {
    confirm: Option<String>,
}

/// The emergency freeze, after the person ticked the confirmation.
pub(crate) async fn freeze(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<FreezeForm>,
) -> Response {
    if form.confirm.as_deref() != Some("yes") {
        let view = SecurityView {
            error: Some(ApiError::invalid_request("confirm")),
            ..SecurityView::default()
        };
        return security_page(&state, locale, &session, view).await;
    }
    match state
        .security
        .freeze(&session.user.id, FreezeSource::Owner, unix_now())
        .await
    {
        Ok(()) => frozen_page(locale),
        Err(error) => store_error(&error).into_response(),
    }
}

// ---- /password-reset ----

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    layout: Layout,
    title: &'static str,
    text: &'static ResetText,
    csrf_token: String,
    confirm: bool,
    login: String,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
}

struct ResetView {
    confirm: bool,
    login: String,
    notice: Option<&'static str>,
    error: Option<ApiError>,
}

fn reset_page(
    locale: Locale,
    session: &MaybePageSession,
    csrf_token: String,
    view: ResetView,
) -> Response {
    let text = ResetText::for_locale(locale);
    let status = view.error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &ResetPage {
            layout: Layout::for_session(locale, session.0.as_ref()),
            title: text.title,
            text,
            csrf_token,
            confirm: view.confirm,
            login: view.login,
            notice: view.notice,
            error: view
                .error
                .as_ref()
                .map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    login: Option<String>,
    sent: Option<String>,
}

pub(crate) async fn reset_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<LoginQuery>,
) -> Response {
    let view = ResetView {
        confirm: false,
        login: query.login.unwrap_or_default(),
        notice: None,
        error: None,
    };
    reset_page(locale, &session, csrf_token, view)
}

#[derive(Deserialize)]
pub(crate) struct ResetRequestForm {
    #[serde(default)]
    login: String,
}

/// Asks for a code; the answer is the same whether or not the address has an account, and the
/// work happens after it.
pub(crate) async fn reset_request(
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<ResetRequestForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    let security = state.security.clone();
    let now = unix_now();
    let requested = login.clone();
    tokio::spawn(async move {
        if let Err(error) = security.request_password_reset(&requested, now).await {
            tracing::info!(%error, "a password reset request did nothing");
        }
    });
    see_other(&format!(
        "/password-reset/confirm?sent=1&login={}",
        percent_encode(&login)
    ))
}

pub(crate) async fn reset_confirm_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<LoginQuery>,
) -> Response {
    let text = ResetText::for_locale(locale);
    let view = ResetView {
        confirm: true,
        login: query.login.unwrap_or_default(),
        notice: query.sent.map(|_| text.sent_notice),
        error: None,
    };
    reset_page(locale, &session, csrf_token, view)
}

#[derive(Deserialize)]
pub(crate) struct ResetConfirmForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    totp_code: Option<String>,
}

/// Sets the new password; on success every session ends and the person signs in again.
pub(crate) async fn reset_confirm(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<ResetConfirmForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    let totp = form
        .totp_code
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty());
    match state
        .security
        .confirm_password_reset(
            &login,
            form.code.trim(),
            &form.new_password,
            totp,
            unix_now(),
        )
        .await
    {
        Ok(()) => {
            let mut response =
                see_other(&format!("/login?reset=1&login={}", percent_encode(&login)));
            response
                .headers_mut()
                .append(SET_COOKIE, clear_session_cookie());
            response
        }
        Err(error) => {
            let error = match error {
                ResetError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
                ResetError::InvalidLogin(_) => ApiError::new(ErrorCode::InvalidLogin),
                ResetError::Code(refusal) => ApiError::new(match refusal {
                    domain::identity::CodeRefusal::Expired => ErrorCode::CodeExpired,
                    domain::identity::CodeRefusal::TooManyAttempts => {
                        ErrorCode::CodeAttemptsExhausted
                    }
                    domain::identity::CodeRefusal::Wrong { .. } => ErrorCode::CodeWrong,
                }),
                ResetError::WeakPassword(refusal) => crate::api::auth::weak_password(&refusal),
                ResetError::SecondFactor(SecondFactorError::Required) => {
                    ApiError::new(ErrorCode::TotpRequired)
                }
                ResetError::SecondFactor(SecondFactorError::Invalid) => {
                    ApiError::new(ErrorCode::TotpInvalid)
                }
                ResetError::SecondFactor(SecondFactorError::Store(error))
                | ResetError::Store(error) => store_error(&error),
                ResetError::Hashing => ApiError::internal(&"the password could not be hashed"),
            };
            let view = ResetView {
                confirm: true,
                login,
                notice: None,
                error: Some(error),
            };
            reset_page(locale, &session, csrf_token, view)
        }
    }
}

// ---- /messages ----

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    layout: Layout,
    title: &'static str,
    text: &'static MessagesText,
    csrf_token: String,
    messages: Vec<MessageView>,
    next_href: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct MessagesQuery {
    starting_after: Option<String>,
}

/// The message center, newest first. Opening it marks what it shows read, after showing which
/// were unread.
pub(crate) async fn messages(
    State(state): State<AppState>,
    locale: Locale,
    mut session: PageSession,
    Query(query): Query<MessagesQuery>,
) -> Result<Response, ApiError> {
    let text = MessagesText::for_locale(locale);
    let store = |error: domain::StoreError| store_error(&error);
    let mut notices = state
        .security
        .notices(
            &session.user.id,
            MESSAGES_PER_PAGE + 1,
            query.starting_after.as_deref(),
        )
        .await
        .map_err(store)?;
    let has_more = notices.len() as i64 > MESSAGES_PER_PAGE;
    notices.truncate(MESSAGES_PER_PAGE as usize);
    let now = unix_now();
    for notice in notices.iter().filter(|notice| notice.read_at.is_none()) {
        state
            .security
            .mark_notices_read(&session.user.id, Some(&notice.id), now)
            .await
            .map_err(store)?;
        session.unread_messages = (session.unread_messages - 1).max(0);
    }
    let next_href = has_more
        .then(|| notices.last())
        .flatten()
        .map(|last| format!("/messages?starting_after={}", percent_encode(&last.id)));
    Ok(render_page(
        &MessagesPage {
            layout: Layout::for_session(locale, Some(&session)),
            title: text.title,
            text,
            csrf_token: session.csrf_token.clone(),
            messages: notices
                .into_iter()
                .map(|notice| MessageView::new(notice, locale))
                .collect(),
            next_href,
        },
        StatusCode::OK,
    ))
}

pub(crate) async fn messages_read_all(
    State(state): State<AppState>,
    session: PageSession,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    state
        .security
        .mark_notices_read(&session.user.id, None, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(see_other("/messages"))
}

// ---- /not-me/<token> ----

#[derive(Template)]
#[template(path = "not_me.html")]
struct NotMePage {
    layout: Layout,
    title: &'static str,
    text: &'static NotMeText,
    csrf_token: String,
    token: String,
    sign_in: String,
}

fn link_invalid_page(locale: Locale) -> Response {
    let text = NotMeText::for_locale(locale);
    render_page(
        &NoticePage {
            layout: Layout::new(locale),
            title: text.title,
            heading: text.heading,
            body: text.invalid,
            link: Some(("/contact", SecurityText::for_locale(locale).help_action)),
        },
        StatusCode::NOT_FOUND,
    )
}

/// What the alert was about, and the button that freezes the account.
pub(crate) async fn not_me(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
) -> Response {
    let text = NotMeText::for_locale(locale);
    match state.security.not_me_preview(&token, unix_now()).await {
        Ok(preview) if preview.already_used => notice_of_freeze(locale),
        Ok(preview) => render_page(
            &NotMePage {
                layout: Layout::new(locale),
                title: text.title,
                text,
                csrf_token,
                token: token.chars().filter(char::is_ascii_hexdigit).collect(),
                sign_in: preview.sign_in,
            },
            StatusCode::OK,
        ),
        Err(NotMeError::Unknown) => link_invalid_page(locale),
        Err(NotMeError::Store(error)) => store_error(&error).into_response(),
    }
}

fn notice_of_freeze(locale: Locale) -> Response {
    let text = NotMeText::for_locale(locale);
    render_page(
        &NoticePage {
            layout: Layout::new(locale),
            title: text.title,
            heading: SecurityText::for_locale(locale).frozen_heading,
            body: text.done,
            link: Some(("/contact", SecurityText::for_locale(locale).help_action)),
        },
        StatusCode::OK,
    )
}

pub(crate) async fn not_me_freeze(
    State(state): State<AppState>,
    locale: Locale,
    Path(token): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Response {
    match state.security.not_me_confirm(&token, unix_now()).await {
        Ok(()) => notice_of_freeze(locale),
        Err(NotMeError::Unknown) => link_invalid_page(locale),
        Err(NotMeError::Store(error)) => store_error(&error).into_response(),
    }
}
