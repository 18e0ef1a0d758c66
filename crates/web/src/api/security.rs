//! Sign-in security over JSON: password reset and change, two-factor sign-in, step-up, sessions,
//! login history, the emergency freeze and the "this wasn't me" link.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use domain::identity::{
    AddressChangeError, ChangePasswordError, CodeRefusal, FreezeSource, NotMeError, ResetError,
    SecondFactorError, SignInAttempt, StartStepUpError, StepUpAction, StepUpError, StepUpStart,
    TotpError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::auth::{
    CurrentUser, address_of, invalid_login, store_error, unix_now, weak_password,
};
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// The header that carries a step-up token.
pub const STEP_UP_HEADER: &str = "x-step-up-token";
const LIST_LIMIT_DEFAULT: i64 = 20;
const LIST_LIMIT_MAX: i64 = 100;

pub(crate) fn step_up_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(STEP_UP_HEADER)
        .and_then(|value| value.to_str().ok())
}

pub(crate) fn step_up_error(error: StepUpError) -> ApiError {
    match error {
        StepUpError::Required { action } => {
            ApiError::new(ErrorCode::StepUpRequired).with_detail("action", action.name().to_owned())
        }
        StepUpError::Invalid { action } => {
            ApiError::new(ErrorCode::StepUpInvalid).with_detail("action", action.name().to_owned())
        }
        StepUpError::Store(error) => store_error(&error),
    }
}

pub(crate) fn second_factor_error(error: SecondFactorError) -> ApiError {
    match error {
        SecondFactorError::Required => ApiError::new(ErrorCode::TotpRequired),
        SecondFactorError::Invalid => ApiError::new(ErrorCode::TotpInvalid).with_param("totp_code"),
        SecondFactorError::Store(error) => store_error(&error),
    }
}

pub(crate) fn code_refusal(refusal: CodeRefusal) -> ApiError {
    match refusal {
        CodeRefusal::Expired => ApiError::new(ErrorCode::CodeExpired),
        CodeRefusal::TooManyAttempts => ApiError::new(ErrorCode::CodeAttemptsExhausted),
        CodeRefusal::Wrong { attempts_left } => ApiError::new(ErrorCode::CodeWrong)
            .with_param("code")
            .with_detail("attempts_left", attempts_left.to_string()),
    }
}

pub(crate) fn totp_error(error: TotpError) -> ApiError {
    match error {
        TotpError::AlreadyEnabled => ApiError::new(ErrorCode::TotpAlreadyEnabled),
        TotpError::NotEnabled | TotpError::NotSetUp => ApiError::new(ErrorCode::TotpNotEnabled),
        TotpError::CodeWrong => ApiError::new(ErrorCode::CodeWrong).with_param("code"),
        TotpError::StepUp(error) => step_up_error(error),
        TotpError::Store(error) => store_error(&error),
    }
}

/// `POST /auth/password-reset/request`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The e-mail address or phone number of the account.
    #[schema(example = "li.lei@example.com")]
    pub login: String,
}

/// Always answered with 202 and nothing else, straight away: the work happens afterwards, so
/// neither the answer nor its timing says whether the address has an account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/request",
    tag = "accounts",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a 6-digit code is on its way"),
        (status = 400, description = "`invalid_request`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
pub(crate) async fn request_password_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> StatusCode {
    let security = state.security.clone();
    let now = unix_now();
    tokio::spawn(async move {
        if let Err(error) = security
            .request_password_reset(body.login.trim(), now)
            .await
        {
            tracing::info!(%error, "a password reset request did nothing");
        }
    });
    StatusCode::ACCEPTED
}

/// `POST /auth/password-reset/confirm`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    #[schema(example = "li.lei@example.com")]
    pub login: String,
    #[schema(example = "493817")]
    pub code: String,
    #[schema(format = Password, write_only)]
    pub new_password: String,
    /// Required when the account has two-factor sign-in: a reset never gets around it.
    pub totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusAnswer {
    #[schema(example = "password_changed")]
    pub status: &'static str,
}

/// Sets a new password with the code sent to the address; clears the lock and ends every session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/confirm",
    tag = "accounts",
    request_body = ResetConfirm,
    responses(
        (status = 200, description = "The password is changed; every session ended", body = StatusAnswer),
        (status = 400, description = "`code_wrong`, `code_expired`, `code_attempts_exhausted`, \
            `no_code_pending`, `invalid_login` or a password refusal", body = ErrorBody),
        (status = 401, description = "`totp_required` or `totp_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn confirm_password_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetConfirm>,
) -> Result<Json<StatusAnswer>, ApiError> {
    state
        .security
        .confirm_password_reset(
            body.login.trim(),
            body.code.trim(),
            &body.new_password,
            body.totp_code.as_deref(),
            unix_now(),
        )
        .await
        .map_err(|error| match error {
            ResetError::InvalidLogin(error) => invalid_login(&error, "login"),
            ResetError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
            ResetError::Code(refusal) => code_refusal(refusal),
            ResetError::WeakPassword(refusal) => weak_password(&refusal).with_param("new_password"),
            ResetError::SecondFactor(error) => second_factor_error(error),
            ResetError::Hashing => ApiError::internal(&"the password could not be hashed"),
            ResetError::Store(error) => store_error(&error),
        })?;
    Ok(Json(StatusAnswer {
        status: "password_changed",
    }))
}

/// `POST /me/address` and `POST /me/address/confirm`: exactly one of `email` and `phone`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressChange {
    #[schema(example = "new.address@example.com")]
    pub email: Option<String>,
    #[schema(example = "+8613800138000")]
    pub phone: Option<String>,
    /// The code sent to the new address (confirm only).
    pub code: Option<String>,
}

pub(crate) fn address_change_error(error: AddressChangeError, param: &'static str) -> ApiError {
    match error {
        AddressChangeError::InvalidLogin(error) => invalid_login(&error, param),
        AddressChangeError::Taken => ApiError::new(ErrorCode::AddressTaken).with_param(param),
        AddressChangeError::StepUp(error) => step_up_error(error),
        AddressChangeError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
        AddressChangeError::Code(refusal) => code_refusal(refusal),
        AddressChangeError::Store(error) => store_error(&error),
    }
}

/// Starts changing the sign-in e-mail address or phone number; needs `X-Step-Up-Token` for
/// `email.change` or `phone.change`. A code goes to the new address.
#[utoipa::path(
    post,
    path = "/api/v1/me/address",
    tag = "security",
    security(("bearer" = [])),
    request_body = AddressChange,
    responses(
        (status = 202, description = "A code was sent to the new address", body = StatusAnswer),
        (status = 403, description = "`step_up_required` or `step_up_invalid`, with `action`", body = ErrorBody),
        (status = 409, description = "`address_taken`", body = ErrorBody),
    )
)]
pub(crate) async fn request_address_change(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddressChange>,
) -> Result<(StatusCode, Json<StatusAnswer>), ApiError> {
    let (address, param) = address_of(body.email.as_deref(), body.phone.as_deref())?;
    state
        .security
        .request_address_change(&user.user_id, &address, step_up_token(&headers), unix_now())
        .await
        .map_err(|error| address_change_error(error, param))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(StatusAnswer {
            status: "code_sent",
        }),
    ))
}

/// Finishes the change with the code sent to the new address; the old one is told.
#[utoipa::path(
    post,
    path = "/api/v1/me/address/confirm",
    tag = "security",
    security(("bearer" = [])),
    request_body = AddressChange,
    responses(
        (status = 200, description = "Changed", body = StatusAnswer),
        (status = 400, description = "a code refusal", body = ErrorBody),
        (status = 409, description = "`address_taken`", body = ErrorBody),
    )
)]
pub(crate) async fn confirm_address_change(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<AddressChange>,
) -> Result<Json<StatusAnswer>, ApiError> {
    let (address, param) = address_of(body.email.as_deref(), body.phone.as_deref())?;
    let code = body
        .code
        .as_deref()
        .ok_or_else(|| ApiError::invalid_request("code"))?;
    state
        .security
        .confirm_address_change(&user.user_id, &address, code.trim(), unix_now())
        .await
        .map_err(|error| address_change_error(error, param))?;
    Ok(Json(StatusAnswer { status: "changed" }))
}

/// `POST /me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(format = Password, write_only)]
    pub new_password: String,
}

/// Changes the password; needs `X-Step-Up-Token` for `password.change`. Other sessions end.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "security",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "a password refusal", body = ErrorBody),
        (status = 403, description = "`step_up_required` or `step_up_invalid`, with `action`", body = ErrorBody),
    )
)]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    state
        .security
        .change_password(
            &user.user_id,
            &user.session_id,
            &body.new_password,
            step_up_token(&headers),
            unix_now(),
        )
        .await
        .map_err(|error| match error {
            ChangePasswordError::StepUp(error) => step_up_error(error),
            ChangePasswordError::WeakPassword(refusal) => {
                weak_password(&refusal).with_param("new_password")
            }
            ChangePasswordError::Hashing => ApiError::internal(&"the password could not be hashed"),
            ChangePasswordError::Store(error) => store_error(&error),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// What two-factor set-up hands out.
#[derive(Serialize, ToSchema)]
pub struct TotpSetupAnswer {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
    /// The `otpauth_uri` as a QR code, an SVG document.
    pub qr_svg: String,
}

/// Makes a new TOTP secret awaiting its first code (replacing an unfinished set-up).
#[utoipa::path(
    post,
    path = "/api/v1/me/totp/setup",
    tag = "security",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Scan or type the secret, then enable with a code", body = TotpSetupAnswer),
        (status = 409, description = "`totp_already_enabled`", body = ErrorBody),
    )
)]
pub(crate) async fn totp_setup(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<TotpSetupAnswer>, ApiError> {
    let label = account_label(&state, &user.user_id).await?;
    let setup = state
        .security
        .totp_setup(&user.user_id, &label, unix_now())
        .await
        .map_err(totp_error)?;
    Ok(Json(TotpSetupAnswer {
        qr_svg: qr_svg(&setup.otpauth_uri),
        secret: setup.secret_base32,
        otpauth_uri: setup.otpauth_uri,
    }))
}

/// The account's address as authenticator apps label it.
async fn account_label(state: &AppState, user_id: &str) -> Result<String, ApiError> {
    let user = state
        .accounts
        .profile(user_id)
        .await
        .map_err(|error| store_error(&error))?
        .ok_or(ErrorCode::NotSignedIn)?;
    Ok(user.email.or(user.phone).unwrap_or_else(|| user.id.clone()))
}

/// A QR code of `text` as an SVG document.
pub(crate) fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(error) => {
            tracing::warn!(%error, "a QR code could not be made");
            String::new()
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    #[schema(example = "492039")]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesAnswer {
    /// Ten single-use codes, shown this once: each replaces a TOTP code one time.
    pub recovery_codes: Vec<String>,
}

/// Turns two-factor sign-in on with the first code; ends every other session.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp/enable",
    tag = "security",
    security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 200, description = "On; keep the recovery codes", body = RecoveryCodesAnswer),
        (status = 400, description = "`code_wrong`", body = ErrorBody),
        (status = 409, description = "`totp_already_enabled` or `totp_not_enabled` (no set-up)", body = ErrorBody),
    )
)]
pub(crate) async fn totp_enable(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<RecoveryCodesAnswer>, ApiError> {
    let recovery_codes = state
        .security
        .totp_enable(
            &user.user_id,
            &user.session_id,
            body.code.trim(),
            unix_now(),
        )
        .await
        .map_err(totp_error)?;
    Ok(Json(RecoveryCodesAnswer { recovery_codes }))
}

/// Turns two-factor sign-in off; needs `X-Step-Up-Token` for `totp.disable`.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp/disable",
    tag = "security",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Off; other sessions ended"),
        (status = 403, description = "`step_up_required` or `step_up_invalid`", body = ErrorBody),
        (status = 409, description = "`totp_not_enabled`", body = ErrorBody),
    )
)]
pub(crate) async fn totp_disable(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    state
        .security
        .totp_disable(
            &user.user_id,
            &user.session_id,
            step_up_token(&headers),
            unix_now(),
        )
        .await
        .map_err(totp_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SecurityOverview {
    pub totp_enabled: bool,
    pub recovery_codes_left: i64,
    pub unread_messages: i64,
}

/// Two-factor state and unread messages, for the security page.
#[utoipa::path(
    get,
    path = "/api/v1/me/security",
    tag = "security",
    security(("bearer" = [])),
    responses((status = 200, description = "The account's security settings", body = SecurityOverview))
)]
pub(crate) async fn security_overview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<SecurityOverview>, ApiError> {
    let security = &state.security;
    let store = |error: domain::StoreError| store_error(&error);
    Ok(Json(SecurityOverview {
        totp_enabled: security.totp_enabled(&user.user_id).await.map_err(store)?,
        recovery_codes_left: security
            .recovery_codes_left(&user.user_id)
            .await
            .map_err(store)?,
        unread_messages: security
            .unread_notices(&user.user_id)
            .await
            .map_err(store)?,
    }))
}

/// `POST /me/step-up`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepUpRequest {
    /// `totp.disable`, `password.change`, `email.change`, `phone.change` or `money.move`.
    #[schema(example = "totp.disable")]
    pub action: String,
    /// The TOTP (or a recovery) code; for accounts without two-factor sign-in, the code sent
    /// by the first call without it.
    pub code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StepUpAnswer {
    /// `granted` (with the token) or `code_sent` (call again with the code).
    #[schema(example = "granted")]
    pub status: &'static str,
    pub action: String,
    /// Send as `X-Step-Up-Token`; single use, for this action only.
    pub step_up_token: Option<String>,
    pub expires_at: Option<String>,
    /// `email` or `sms`, where the code went.
    pub channel: Option<&'static str>,
}

/// Gets a step-up token for one sensitive action, after a fresh second factor.
#[utoipa::path(
    post,
    path = "/api/v1/me/step-up",
    tag = "security",
    security(("bearer" = [])),
    request_body = StepUpRequest,
    responses(
        (status = 200, description = "Granted", body = StepUpAnswer),
        (status = 202, description = "A code was sent; call again with it", body = StepUpAnswer),
        (status = 400, description = "`invalid_request` (unknown action) or a code refusal", body = ErrorBody),
        (status = 401, description = "`totp_required` or `totp_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn step_up(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<StepUpRequest>,
) -> Result<(StatusCode, Json<StepUpAnswer>), ApiError> {
    let action = StepUpAction::parse(body.action.trim())
        .ok_or_else(|| ApiError::invalid_request("action"))?;
    let started = state
        .security
        .start_step_up(&user.user_id, action, body.code.as_deref(), unix_now())
        .await
        .map_err(|error| match error {
            StartStepUpError::SecondFactor(error) => second_factor_error(error),
            StartStepUpError::Code(refusal) => code_refusal(refusal),
            StartStepUpError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
            StartStepUpError::NoAccount => ApiError::new(ErrorCode::NotSignedIn),
            StartStepUpError::Store(error) => store_error(&error),
        })?;
    let action = action.name().to_owned();
    Ok(match started {
        StepUpStart::Granted { token, expires_at } => (
            StatusCode::OK,
            Json(StepUpAnswer {
                status: "granted",
                action,
                step_up_token: Some(token),
                expires_at: Some(rfc3339_utc(expires_at)),
                channel: None,
            }),
        ),
        StepUpStart::CodeSent { channel } => (
            StatusCode::ACCEPTED,
            Json(StepUpAnswer {
                status: "code_sent",
                action,
                step_up_token: None,
                expires_at: None,
                channel: Some(channel.name()),
            }),
        ),
    })
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    #[schema(example = "ses_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: String,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub data: Vec<SessionView>,
    pub has_more: bool,
}

/// The account's live sessions, most recently used first.
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "security",
    security(("bearer" = [])),
    responses((status = 200, description = "Live sessions", body = SessionList))
)]
pub(crate) async fn sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<SessionList>, ApiError> {
    let sessions = state
        .security
        .sessions(&user.user_id, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(SessionList {
        data: sessions
            .into_iter()
            .map(|session| SessionView {
                current: session.id == user.session_id,
                id: session.id,
                created_at: rfc3339_utc(session.created_at),
                last_seen_at: rfc3339_utc(session.last_seen_at),
                ip: session.ip,
                user_agent: session.user_agent,
            })
            .collect(),
        has_more: false,
    }))
}

/// Ends one of the account's sessions (its token stops working at once).
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "security",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "`not_found`: not a live session of this account", body = ErrorBody),
    )
)]
pub(crate) async fn revoke_session(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(session_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let revoked = state
        .security
        .revoke_session(&user.user_id, &session_id, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(ErrorCode::NotFound))
    }
}

#[derive(Deserialize, IntoParams)]
pub struct LimitQuery {
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginView {
    pub at: String,
    pub ip: String,
    pub user_agent: String,
    /// `signed_in`, `wrong_password`, `totp_required`, `totp_invalid`, `account_frozen` or
    /// `address_not_verified`.
    #[schema(example = "signed_in")]
    pub outcome: &'static str,
}

impl From<SignInAttempt> for LoginView {
    fn from(attempt: SignInAttempt) -> Self {
        LoginView {
            at: rfc3339_utc(attempt.at),
            ip: attempt.ip,
            user_agent: attempt.user_agent,
            outcome: attempt.outcome.name(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginList {
    pub data: Vec<LoginView>,
    pub has_more: bool,
}

/// Sign-in attempts on the account, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/logins",
    tag = "security",
    security(("bearer" = [])),
    params(LimitQuery),
    responses((status = 200, description = "Login history", body = LoginList))
)]
pub(crate) async fn logins(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<LimitQuery>,
) -> Result<Json<LoginList>, ApiError> {
    let limit = list_limit(query.limit)?;
    let mut history = state
        .security
        .login_history(&user.user_id, limit + 1)
        .await
        .map_err(|error| store_error(&error))?;
    let has_more = history.len() as i64 > limit;
    history.truncate(limit as usize);
    Ok(Json(LoginList {
        data: history.into_iter().map(LoginView::from).collect(),
        has_more,
    }))
}

pub(crate) fn list_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(LIST_LIMIT_DEFAULT),
        Some(limit) if (1..=LIST_LIMIT_MAX).contains(&limit) => Ok(limit),
        Some(_) => Err(ApiError::invalid_request("limit")),
    }
}

/// Freezes the account at once: every session ends, sign-in is refused and no money leaves.
/// Only the security team unfreezes it, after confirming who the owner is.
#[utoipa::path(
    post,
    path = "/api/v1/me/freeze",
    tag = "security",
    security(("bearer" = [])),
    responses((status = 200, description = "Frozen", body = StatusAnswer))
)]
pub(crate) async fn freeze(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<StatusAnswer>, ApiError> {
    state
        .security
        .freeze(&user.user_id, FreezeSource::Owner, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(StatusAnswer { status: "frozen" }))
}

#[derive(Serialize, ToSchema)]
pub struct NotMeAnswer {
    /// `pending` (POST to freeze) or `frozen`.
    pub status: &'static str,
    /// The sign-in the alert was about: time, IP and device.
    pub sign_in: String,
}

fn not_me_error(error: NotMeError) -> ApiError {
    match error {
        NotMeError::Unknown => ApiError::new(ErrorCode::LinkInvalid),
        NotMeError::Store(error) => store_error(&error),
    }
}

/// What a "this wasn't me" link reports, without using it.
#[utoipa::path(
    get,
    path = "/api/v1/not-me/{token}",
    tag = "security",
    params(("token" = String, Path, description = "The token of the alert's link")),
    responses(
        (status = 200, description = "The sign-in in question", body = NotMeAnswer),
        (status = 404, description = "`link_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn not_me_preview(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<NotMeAnswer>, ApiError> {
    let preview = state
        .security
        .not_me_preview(&token, unix_now())
        .await
        .map_err(not_me_error)?;
    Ok(Json(NotMeAnswer {
        status: if preview.already_used {
            "frozen"
        } else {
            "pending"
        },
        sign_in: preview.sign_in,
    }))
}

/// "This wasn't me": freezes the account at once.
#[utoipa::path(
    post,
    path = "/api/v1/not-me/{token}",
    tag = "security",
    params(("token" = String, Path, description = "The token of the alert's link")),
    responses(
        (status = 200, description = "The account is frozen", body = NotMeAnswer),
        (status = 404, description = "`link_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn not_me_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<NotMeAnswer>, ApiError> {
    let now = unix_now();
    let preview = state
        .security
        .not_me_preview(&token, now)
        .await
        .map_err(not_me_error)?;
    state
        .security
        .not_me_confirm(&token, now)
        .await
        .map_err(not_me_error)?;
    Ok(Json(NotMeAnswer {
        status: "frozen",
        sign_in: preview.sign_in,
    }))
}
