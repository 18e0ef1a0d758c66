//! The staff pages: set-up by one-time link, sign-in with TOTP, and the security team's view of a
//! user with unlock and unfreeze. Staff sessions travel in their own cookie, apart from users'.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::identity::UserStatus;
use domain::staff::{
    StaffActionError, StaffPermission, StaffRole, StaffSetupError, StaffSignInError,
};
use serde::Deserialize;

use super::csrf::{CsrfForm, CsrfToken};
use super::display::{filters, readable_instant};
use super::layout::Layout;
use super::render_page;
use super::security::NoFields;
use super::see_other;
use super::session::{cookie_value, percent_encode};
use crate::AppState;
use crate::api::auth::{RequestClient, store_error, unix_now, weak_password};
use crate::api::security::{qr_svg, totp_error};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{ErrorText, Locale, StaffAdminText, StaffText, error_text};
use crate::time::rfc3339_utc;

/// The cookie that carries a staff session token.
pub const STAFF_SESSION_COOKIE: &str = "okpay_staff_session";

/// Strict: no link from another site arrives signed in to the back office.
fn staff_cookie(token: &str, secure: bool) -> HeaderValue {
    let cookie = format!(
        "{STAFF_SESSION_COOKIE}={token}; Path=/staff; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&cookie).expect("tokens are hex")
}

fn clear_staff_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "okpay_staff_session=; Path=/staff; Max-Age=0; HttpOnly; SameSite=Strict",
    )
}

/// A signed-in staff member on a page; without one the browser goes to `/staff`.
pub(crate) struct StaffPage {
    pub(crate) staff_id: String,
    /// How the header names them ([`domain::staff::StaffRecord::display_name`]).
    pub(crate) display_name: String,
    pub(crate) role: StaffRole,
    pub(crate) session_id: String,
    pub(crate) csrf_token: String,
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie_value(&parts.headers, STAFF_SESSION_COOKIE) else {
            return Err(see_other("/staff"));
        };
        let staff = state
            .security
            .authenticate_staff(token, unix_now())
            .await
            .map_err(|error| store_error(&error).into_response())?
            .ok_or_else(|| see_other("/staff"))?;
        let CsrfToken(csrf_token) = CsrfToken::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(StaffPage {
            display_name: staff.display_name,
            staff_id: staff.staff_id,
            role: staff.role,
            session_id: staff.session_id,
            csrf_token,
        })
    }
}

// ---- sign-in ----

#[derive(Template)]
#[template(path = "staff_login.html")]
struct LoginPage {
    layout: Layout,
    title: &'static str,
    text: &'static StaffText,
    csrf_token: String,
    email: String,
    error: Option<ErrorText>,
}

fn login_page(
    locale: Locale,
    csrf_token: String,
    email: String,
    error: Option<&ApiError>,
) -> Response {
    let text = StaffText::for_locale(locale);
    render_page(
        &LoginPage {
            layout: Layout::staff_area(locale),
            title: text.title,
            text,
            csrf_token,
            email,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        error.map_or(StatusCode::OK, ApiError::status),
    )
}

pub(crate) async fn login_form(locale: Locale, CsrfToken(csrf_token): CsrfToken) -> Response {
    login_page(locale, csrf_token, String::new(), None)
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    totp_code: Option<String>,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    RequestClient(client): RequestClient,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let email = form.email.trim().to_owned();
    let code = form
        .totp_code
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty());
    match state
        .security
        .staff_sign_in(&email, &form.password, code, &client, unix_now())
        .await
    {
        Ok(signed_in) => {
            // Admins have no use for the user search (their first page is the outbox), and
            // finance's work is the withdrawal queue; everyone else starts at finding a user.
            let home = match signed_in.staff.role {
                StaffRole::Admin => "/staff/outbox",
                StaffRole::Finance => "/staff/withdrawals",
                _ => "/staff/users",
            };
            let mut response = see_other(home);
            response.headers_mut().append(
                SET_COOKIE,
                staff_cookie(&signed_in.token, state.secure_cookies),
            );
            response
        }
        Err(error) => {
            let error = match error {
                StaffSignInError::InvalidCredentials => {
                    ApiError::new(ErrorCode::InvalidCredentials)
                }
                StaffSignInError::SecondFactorRequired => ApiError::new(ErrorCode::TotpRequired),
                StaffSignInError::Store(error) => store_error(&error),
            };
            login_page(locale, csrf_token, email, Some(&error))
        }
    }
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    staff: StaffPage,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    state
        .security
        .staff_sign_out(&staff.session_id, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    let mut response = see_other("/staff");
    response
        .headers_mut()
        .append(SET_COOKIE, clear_staff_cookie());
    Ok(response)
}

// ---- set-up ----

struct SetupView {
    email: String,
    role: &'static str,
    secret: String,
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "staff_setup.html")]
struct SetupPage {
    layout: Layout,
    title: &'static str,
    text: &'static StaffText,
    csrf_token: String,
    token: String,
    setup: Option<SetupView>,
    recovery_codes: Vec<String>,
    error: Option<ErrorText>,
}

fn setup_error(error: StaffSetupError) -> ApiError {
    match error {
        StaffSetupError::UnknownLink => ApiError::new(ErrorCode::LinkInvalid),
        StaffSetupError::WeakPassword(refusal) => weak_password(&refusal),
        StaffSetupError::Totp(error) => totp_error(error),
        StaffSetupError::Hashing => ApiError::internal(&"the password could not be hashed"),
        StaffSetupError::Store(error) => store_error(&error),
    }
}

async fn setup_page(
    state: &AppState,
    locale: Locale,
    csrf_token: String,
    token: &str,
    error: Option<ApiError>,
) -> Response {
    let text = StaffText::for_locale(locale);
    let token: String = token.chars().filter(char::is_ascii_hexdigit).collect();
    let (setup, error) = match state.security.staff_setup_start(&token, unix_now()).await {
        Ok(start) => (
            Some(SetupView {
                email: start.email,
                role: crate::i18n::staff_role_name(start.role, locale),
                qr_svg: qr_svg(&start.totp.otpauth_uri),
                secret: start.totp.secret_base32,
            }),
            error,
        ),
        Err(failure) => (None, Some(error.unwrap_or_else(|| setup_error(failure)))),
    };
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &SetupPage {
            layout: Layout::staff_area(locale),
            title: text.title,
            text,
            csrf_token,
            token,
            setup,
            recovery_codes: Vec::new(),
            error: error.as_ref().map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

/// Opening the link shows a fresh secret each time; the last one shown is the one enabled.
pub(crate) async fn setup_form(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
) -> Response {
    setup_page(&state, locale, csrf_token, &token, None).await
}

#[derive(Deserialize)]
pub(crate) struct SetupForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp_code: String,
}

pub(crate) async fn setup(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Response {
    match state
        .security
        .staff_setup_finish(&token, &form.password, form.totp_code.trim(), unix_now())
        .await
    {
        Ok(recovery_codes) => {
            let text = StaffText::for_locale(locale);
            render_page(
                &SetupPage {
                    layout: Layout::staff_area(locale),
                    title: text.title,
                    text,
                    csrf_token,
                    token: String::new(),
                    setup: None,
                    recovery_codes,
                    error: None,
                },
                StatusCode::OK,
            )
        }
        Err(error) => {
            setup_page(&state, locale, csrf_token, &token, Some(setup_error(error))).await
        }
    }
}

// ---- users ----

struct UserView {
    id: String,
    address: String,
    frozen: bool,
    totp_enabled: bool,
    locked_until: Option<String>,
    locks: Vec<String>,
    logins: Vec<(String, &'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "staff_users.html")]
struct UsersPage {
    layout: Layout,
    title: &'static str,
    text: &'static StaffText,
    /// The navigation between staff pages (`staff_nav.html`).
    admin: &'static StaffAdminText,
    sign_out: &'static str,
    links: Vec<(&'static str, &'static str)>,
    csrf_token: String,
    query: String,
    not_found: bool,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    user: Option<UserView>,
    may_act: bool,
}

#[derive(Deserialize)]
pub(crate) struct UsersQuery {
    query: Option<String>,
    done: Option<String>,
}

fn staff_action_error(error: StaffActionError) -> ApiError {
    match error {
        StaffActionError::NoSuchUser => ApiError::new(ErrorCode::NotFound),
        StaffActionError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired),
        StaffActionError::NotFrozen => ApiError::new(ErrorCode::AccountNotFrozen),
        StaffActionError::Store(error) => store_error(&error),
    }
}

/// Finds a user and shows their security status (agent, security and risk roles).
pub(crate) async fn users(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<UsersQuery>,
) -> Response {
    let text = StaffText::for_locale(locale);
    let search = query.query.unwrap_or_default().trim().to_owned();
    let mut error = None;
    let mut user = None;
    let mut not_found = false;
    if !staff.role.may(StaffPermission::ViewUserSecurity) {
        error = Some(ApiError::new(ErrorCode::StaffRoleForbidden));
    } else if !search.is_empty() {
        match state.security.find_user(&search).await {
            Ok(Some(found)) => {
                match state
                    .security
                    .user_security_status(&staff.staff_id, &found.id, unix_now())
                    .await
                {
                    Ok(status) => {
                        user = Some(UserView {
                            id: status.user.id.clone(),
                            address: status
                                .user
                                .email
                                .clone()
                                .or(status.user.phone.clone())
                                .unwrap_or_default(),
                            frozen: status.user.status == UserStatus::Frozen,
                            totp_enabled: status.totp_enabled,
                            locked_until: status.active_lock.map(|lock| rfc3339_utc(lock.until)),
                            locks: status
                                .locks
                                .iter()
                                .map(|lock| {
                                    format!(
                                        "{} → {} ({})",
                                        readable_instant(lock.locked_at),
                                        readable_instant(lock.until),
                                        lock.reason.code()
                                    )
                                })
                                .collect(),
                            logins: status
                                .history
                                .into_iter()
                                .map(|attempt| {
                                    (
                                        rfc3339_utc(attempt.at),
                                        attempt.outcome.name(),
                                        attempt.ip,
                                        attempt.user_agent,
                                    )
                                })
                                .collect(),
                        });
                    }
                    Err(failure) => error = Some(staff_action_error(failure)),
                }
            }
            Ok(None) => not_found = true,
            Err(failure) => error = Some(store_error(&failure)),
        }
    }
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &UsersPage {
            layout: Layout::for_staff(locale, &staff),
            title: text.title,
            text,
            admin: StaffAdminText::for_locale(locale),
            sign_out: text.sign_out_action,
            links: super::staff_admin::staff_links(staff.role, StaffAdminText::for_locale(locale)),
            csrf_token: staff.csrf_token,
            query: search,
            not_found,
            notice: query.done.map(|_| text.done),
            error: error.as_ref().map(|error| error_text(error.code(), locale)),
            user,
            may_act: staff.role.may(StaffPermission::UnlockAndUnfreeze),
        },
        status,
    )
}

#[derive(Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn act(
    state: &AppState,
    staff: &StaffPage,
    user_id: &str,
    reason: &str,
    unfreeze: bool,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::UnlockAndUnfreeze) {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    let now = unix_now();
    let done = if unfreeze {
        state
            .security
            .staff_unfreeze(&staff.staff_id, user_id, reason, now)
            .await
    } else {
        state
            .security
            .staff_unlock(&staff.staff_id, user_id, reason, now)
            .await
    };
    done.map_err(staff_action_error)?;
    Ok(see_other(&format!(
        "/staff/users?done=1&query={}",
        percent_encode(user_id)
    )))
}

pub(crate) async fn unlock(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(user_id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Result<Response, ApiError> {
    act(&state, &staff, &user_id, &form.reason, false).await
}

pub(crate) async fn unfreeze(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(user_id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Result<Response, ApiError> {
    act(&state, &staff, &user_id, &form.reason, true).await
}
