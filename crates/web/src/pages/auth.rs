//! The sign-up, confirmation, sign-in and sign-out pages: forms over the same `AccountsApi` as
//! the JSON API, answering in words on the page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use domain::identity::{LockReason, SignInError, UnixSeconds};
use serde::Deserialize;

use super::csrf::{CsrfForm, CsrfToken};
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::session::{
    MaybePageSession, SESSION_COOKIE, clear_session_cookie, cookie_value, percent_encode,
    safe_next, session_cookie,
};
use crate::AppState;
use crate::api::auth::{
    RequestClient, register_error, sign_in_error, store_error, unix_now, verify_error,
};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{AuthText, ErrorText, Locale, error_text};

// ---- Register ----

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    title: &'static str,
    text: &'static AuthText,
    csrf_token: String,
    login: String,
    error: Option<ErrorText>,
}

#[derive(Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

fn register_page(
    locale: Locale,
    session: MaybePageSession,
    csrf_token: String,
    login: String,
    error: Option<&ApiError>,
) -> Response {
    let text = AuthText::for_locale(locale);
    let status = error.map_or(StatusCode::OK, ApiError::status);
    render_page(
        &RegisterPage {
            layout: Layout::for_session(locale, session.0.as_ref()),
            title: text.register_title,
            text,
            csrf_token,
            login,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

pub(crate) async fn register_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
) -> Response {
    register_page(locale, session, csrf_token, String::new(), None)
}

/// Registers and goes on to the confirmation page, whether or not the address already had an
/// account (its owner is told instead), so the page reveals no more than the API does.
pub(crate) async fn register(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Response {
    let login = form.login.trim();
    match state
        .accounts
        .register(login, &form.password, locale.tag(), unix_now())
        .await
    {
        Ok(registration) => see_other(&format!(
            "/verify?login={}",
            percent_encode(registration.login.as_str())
        )),
        Err(error) => {
            let error = register_error(error, "login");
            register_page(locale, session, csrf_token, login.to_owned(), Some(&error))
        }
    }
}

// ---- Verify ----

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    title: &'static str,
    text: &'static AuthText,
    csrf_token: String,
    login: String,
    resent: bool,
    error: Option<ErrorText>,
}

#[derive(Deserialize)]
pub(crate) struct VerifyQuery {
    login: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct VerifyForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub(crate) struct ResendForm {
    #[serde(default)]
    login: String,
}

struct VerifyView {
    login: String,
    resent: bool,
    error: Option<ApiError>,
}

fn verify_page(
    locale: Locale,
    session: MaybePageSession,
    csrf_token: String,
    view: VerifyView,
) -> Response {
    let text = AuthText::for_locale(locale);
    let status = view.error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &VerifyPage {
            layout: Layout::for_session(locale, session.0.as_ref()),
            title: text.verify_title,
            text,
            csrf_token,
            login: view.login,
            resent: view.resent,
            error: view
                .error
                .as_ref()
                .map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

pub(crate) async fn verify_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<VerifyQuery>,
) -> Response {
    let view = VerifyView {
        login: query.login.unwrap_or_default(),
        resent: false,
        error: None,
    };
    verify_page(locale, session, csrf_token, view)
}

/// Confirms the address, then asks the person to sign in with their new password.
pub(crate) async fn verify(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<VerifyForm>,
) -> Response {
    let login = form.login.trim();
    match state
        .accounts
        .verify(login, form.code.trim(), unix_now())
        .await
    {
        Ok(()) => see_other(&format!(
            "/login?verified=1&login={}",
            percent_encode(login)
        )),
        Err(error) => {
            let view = VerifyView {
                login: login.to_owned(),
                resent: false,
                error: Some(verify_error(error, "login")),
            };
            verify_page(locale, session, csrf_token, view)
        }
    }
}

/// Sends a new code if the address is waiting for one; the page says the same either way.
pub(crate) async fn resend(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<ResendForm>,
) -> Response {
    let login = form.login.trim();
    let outcome = state.accounts.resend_verification(login, unix_now()).await;
    let view = VerifyView {
        login: login.to_owned(),
        resent: outcome.is_ok(),
        error: outcome.err().map(|error| verify_error(error, "login")),
    };
    verify_page(locale, session, csrf_token, view)
}

// ---- Sign in ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    title: &'static str,
    text: &'static AuthText,
    csrf_token: String,
    login: String,
    next: String,
    notice: Option<&'static str>,
    lock: Option<LockView>,
    error: Option<ErrorText>,
    /// Where to confirm the address, when sign-in was refused for want of it.
    verify_href: Option<String>,
    /// The account asked for its second factor: show the code field.
    show_totp: bool,
}

/// Why and until when sign-in is locked, in plain words.
struct LockView {
    reason: String,
    until: String,
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    login: Option<String>,
    verified: Option<String>,
    signed_out: Option<String>,
    reset: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    totp_code: Option<String>,
}

#[derive(Default)]
struct LoginView {
    login: String,
    next: String,
    notice: Option<&'static str>,
    lock: Option<LockView>,
    error: Option<ApiError>,
}

fn login_page(
    locale: Locale,
    session: MaybePageSession,
    csrf_token: String,
    view: LoginView,
) -> Response {
    let text = AuthText::for_locale(locale);
    let status = view.error.as_ref().map_or(StatusCode::OK, ApiError::status);
    let verify_href = view
        .error
        .as_ref()
        .filter(|error| error.code() == ErrorCode::AddressNotVerified)
        .map(|_| format!("/verify?login={}", percent_encode(&view.login)));
    let show_totp = view.error.as_ref().is_some_and(|error| {
        matches!(
            error.code(),
            ErrorCode::TotpRequired | ErrorCode::TotpInvalid
        )
    });
    render_page(
        &LoginPage {
            layout: Layout::for_session(locale, session.0.as_ref()),
            title: text.login_title,
            text,
            csrf_token,
            login: view.login,
            next: view.next,
            notice: view.notice,
            // The lock says it all; the generic text of `account_locked` would repeat it.
            error: view
                .error
                .as_ref()
                .filter(|_| view.lock.is_none())
                .map(|error| error_text(error.code(), locale)),
            lock: view.lock,
            verify_href,
            show_totp,
        },
        status,
    )
}

pub(crate) async fn login_form(
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(query): Query<LoginQuery>,
) -> Response {
    let text = AuthText::for_locale(locale);
    let notice = if query.verified.is_some() {
        Some(text.verified_notice)
    } else if query.reset.is_some() {
        Some(crate::i18n::ResetText::for_locale(locale).done_notice)
    } else if query.signed_out.is_some() {
        Some(text.signed_out_notice)
    } else if query.next.is_some() {
        Some(text.sign_in_to_continue)
    } else {
        None
    };
    let view = LoginView {
        login: query.login.unwrap_or_default(),
        next: query.next.unwrap_or_default(),
        notice,
        ..LoginView::default()
    };
    login_page(locale, session, csrf_token, view)
}

/// Signs in and goes on to the page the person was sent here from. A refusal is shown on the
/// form; a lock says why and until when.
pub(crate) async fn login(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    RequestClient(client): RequestClient,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    let now = unix_now();
    let totp_code = form
        .totp_code
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty());
    let signed_in = match totp_code {
        None => {
            state
                .accounts
                .sign_in(&login, &form.password, &client, now)
                .await
        }
        Some(code) => {
            state
                .security
                .sign_in_with_code(&login, &form.password, Some(code), &client, now)
                .await
        }
    };
    match signed_in {
        Ok(signed_in) => {
            let mut response = see_other(&safe_next(form.next.as_deref()));
            response.headers_mut().append(
                SET_COOKIE,
                session_cookie(&signed_in.token, state.secure_cookies),
            );
            response
        }
        Err(error) => {
            let lock = match &error {
                SignInError::Locked { until, reason } => {
                    Some(lock_view(locale, *until, reason, now))
                }
                _ => None,
            };
            let view = LoginView {
                login,
                next: form.next.unwrap_or_default(),
                notice: None,
                lock,
                error: Some(sign_in_error(error)),
            };
            login_page(locale, session, csrf_token, view)
        }
    }
}

fn lock_view(
    locale: Locale,
    until: UnixSeconds,
    reason: &LockReason,
    now: UnixSeconds,
) -> LockView {
    let text = AuthText::for_locale(locale);
    let LockReason::TooManyFailures { failures, window_s } = reason;
    let minutes_left = ((until - now).max(0) + 59) / 60;
    LockView {
        reason: text
            .lock_reason
            .replace("{failures}", &failures.to_string())
            .replace("{window}", &(window_s / 60).to_string()),
        until: text
            .lock_until
            .replace("{until}", &super::display::readable_instant(until))
            .replace("{minutes}", &minutes_left.max(1).to_string()),
    }
}

// ---- Sign out ----

#[derive(Deserialize)]
pub(crate) struct NoFields {}

/// Ends the browser's session and forgets its cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        state
            .accounts
            .sign_out(token, unix_now())
            .await
            .map_err(|error| store_error(&error))?;
    }
    let mut response = see_other("/login?signed_out=1");
    response
        .headers_mut()
        .append(SET_COOKIE, clear_session_cookie());
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_says_why_and_until_when_in_both_languages() {
        let reason = LockReason::TooManyFailures {
            failures: 5,
            window_s: 900,
        };
        // 2026-11-23T16:05:00Z, 15 minutes ahead.
        let until = 1_795_449_900;
        let en = lock_view(Locale::En, until, &reason, until - 900);
        assert!(
            en.reason.contains("5 times within 15 minutes"),
            "{}",
            en.reason
        );
        assert!(en.until.contains("(UTC), about 15 minutes"), "{}", en.until);
        let zh = lock_view(Locale::ZhCn, until, &reason, until - 61);
        assert!(
            zh.reason.contains("15 分钟内连续输错密码 5 次"),
            "{}",
            zh.reason
        );
        assert!(zh.until.contains("大约 2 分钟后"), "{}", zh.until);
    }
}
