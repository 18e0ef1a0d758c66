//! Sign-up and sign-in: `/api/v1/auth/*` and `/api/v1/me`, over the domain's [`AccountsApi`].

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use domain::StoreError;
use domain::identity::{
    AuthError, Client, CodeRefusal, EmailAddress, InvalidLogin, PasswordRefusal, PhoneNumber,
    RegisterError, SignInError, UnixSeconds, UserRecord, UserStatus, VerifyError,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::i18n::Locale;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// The longest user agent kept with a session; longer ones are cut.
const USER_AGENT_CHARS_MAX: usize = 512;

/// `POST /auth/register`: exactly one of `email` and `phone`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "li.lei@example.com")]
    pub email: Option<String>,
    /// E.164, with the country code.
    #[schema(example = "+8613800138000")]
    pub phone: Option<String>,
    #[schema(format = Password, write_only)]
    pub password: String,
    /// The language of everything sent to this person; the request's language when absent.
    pub locale: Option<LocaleTag>,
}

/// A language an account can choose.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema)]
pub enum LocaleTag {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl LocaleTag {
    fn tag(self) -> &'static str {
        match self {
            LocaleTag::ZhCn => Locale::ZhCn.tag(),
            LocaleTag::En => Locale::En.tag(),
        }
    }
}

/// The same answer whether or not the address already had an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    #[schema(example = "usr_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub user_id: String,
    /// Always `pending_verification`: a code is on its way to the address.
    pub status: AccountStatus,
}

/// `POST /auth/verify`: exactly one of `email` and `phone`, and the code sent to it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    #[schema(example = "li.lei@example.com")]
    pub email: Option<String>,
    #[schema(example = "+8613800138000")]
    pub phone: Option<String>,
    #[schema(example = "493817")]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResponse {
    /// Always `active`.
    pub status: AccountStatus,
}

/// `POST /auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The e-mail address or phone number the account was registered with.
    #[schema(example = "li.lei@example.com")]
    pub login: String,
    #[schema(format = Password, write_only)]
    pub password: String,
    /// The code of an authenticator app (or a recovery code), for accounts with two-factor
    /// sign-in.
    #[schema(example = "492039")]
    pub totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send it as `Authorization: Bearer <token>`. Shown once; OKPay keeps only its digest.
    pub token: String,
    pub user: UserView,
}

/// An account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserView {
    #[schema(example = "usr_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    #[schema(required = true, example = "li.lei@example.com")]
    pub email: Option<String>,
    #[schema(required = true, example = "+8613800138000")]
    pub phone: Option<String>,
    pub status: AccountStatus,
    #[schema(example = "zh-CN")]
    pub locale: String,
    /// RFC 3339, UTC.
    #[schema(example = "2026-11-23T11:09:10Z")]
    pub created_at: String,
}

impl From<UserRecord> for UserView {
    fn from(user: UserRecord) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            phone: user.phone,
            status: user.status.into(),
            locale: user.locale,
            created_at: rfc3339_utc(user.created_at),
        }
    }
}

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Registered; the address has not been confirmed with its code yet.
    PendingVerification,
    Active,
    /// No sign-in and no money out until the help center unfreezes it.
    Frozen,
}

impl From<UserStatus> for AccountStatus {
    fn from(status: UserStatus) -> Self {
        match status {
            UserStatus::PendingVerification => AccountStatus::PendingVerification,
            UserStatus::Active => AccountStatus::Active,
            UserStatus::Frozen => AccountStatus::Frozen,
        }
    }
}

/// The signed-in session of a request, from `Authorization: Bearer <token>`. Refuses with 401
/// `not_signed_in` when the header is missing or malformed or the token is unknown, revoked or
/// expired.
pub struct CurrentUser {
    pub user_id: String,
    pub session_id: String,
    token: String,
}

impl std::fmt::Debug for CurrentUser {
    /// Leaves the token out: it must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ErrorCode::NotSignedIn)?;
        let session = state
            .accounts
            .authenticate(token, unix_now())
            .await
            .map_err(|error| match error {
                AuthError::NotSignedIn => ApiError::new(ErrorCode::NotSignedIn),
                AuthError::Store(error) => store_error(&error),
            })?;
        Ok(CurrentUser {
            user_id: session.user_id,
            session_id: session.session_id,
            token: token.to_owned(),
        })
    }
}

/// The token of `Authorization: Bearer <token>`; the scheme's case does not matter.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Where the request came from: the peer's IP when the server records it, and the user agent.
fn client_of(parts_connect_info: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> Client {
    let user_agent = headers
        .get(USER_AGENT)
        .map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .chars()
                .take(USER_AGENT_CHARS_MAX)
                .collect()
        })
        .unwrap_or_default();
    Client {
        ip: parts_connect_info
            .map_or_else(String::new, |ConnectInfo(address)| address.ip().to_string()),
        user_agent,
    }
}

/// The request's [`Client`], as an extractor.
pub struct RequestClient(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for RequestClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let connect_info = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(RequestClient(client_of(connect_info, &parts.headers)))
    }
}

pub(crate) fn unix_now() -> UnixSeconds {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as UnixSeconds)
}

/// A store failure: unavailability is worth retrying, anything else is our fault.
pub(crate) fn store_error(error: &StoreError) -> ApiError {
    match error {
        StoreError::Unavailable(_) => ApiError::database_unavailable(error),
        _ => ApiError::internal(error),
    }
}

/// Which of `email` and `phone` a body gave, checked and in normal form, or the refusal naming
/// the field at fault.
pub(crate) fn address_of(
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(String, &'static str), ApiError> {
    match (email, phone) {
        (Some(email), None) => EmailAddress::parse(email)
            .map(|email| (email.as_str().to_owned(), "email"))
            .map_err(|_| ApiError::new(ErrorCode::InvalidLogin).with_param("email")),
        (None, Some(phone)) => PhoneNumber::parse(phone)
            .map(|phone| (phone.as_str().to_owned(), "phone"))
            .map_err(|_| ApiError::new(ErrorCode::InvalidLogin).with_param("phone")),
        (None, None) => Err(ApiError::invalid_request("email")),
        (Some(_), Some(_)) => Err(ApiError::invalid_request("phone")),
    }
}

pub(crate) fn invalid_login(error: &InvalidLogin, param: &'static str) -> ApiError {
    tracing::debug!(reason = error.code(), param, "the address was refused");
    ApiError::new(ErrorCode::InvalidLogin).with_param(param)
}

pub(crate) fn weak_password(refusal: &PasswordRefusal) -> ApiError {
    let error = match refusal {
        PasswordRefusal::TooShort { length_min } => ApiError::new(ErrorCode::PasswordTooShort)
            .with_detail("length_min", length_min.to_string()),
        PasswordRefusal::TooLong { length_max } => ApiError::new(ErrorCode::PasswordTooLong)
            .with_detail("length_max", length_max.to_string()),
        PasswordRefusal::TooCommon => ApiError::new(ErrorCode::PasswordTooCommon),
        PasswordRefusal::ContainsPersonalInfo => {
            ApiError::new(ErrorCode::PasswordContainsPersonalInfo)
        }
    };
    error.with_param("password")
}

pub(crate) fn register_error(error: RegisterError, param: &'static str) -> ApiError {
    match error {
        RegisterError::InvalidLogin(error) => invalid_login(&error, param),
        RegisterError::WeakPassword(refusal) => weak_password(&refusal),
        RegisterError::Store(error) => store_error(&error),
        RegisterError::Hashing => ApiError::internal(&"the password could not be hashed"),
    }
}

pub(crate) fn verify_error(error: VerifyError, param: &'static str) -> ApiError {
    match error {
        VerifyError::InvalidLogin(error) => invalid_login(&error, param),
        VerifyError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
        VerifyError::Refused(CodeRefusal::Expired) => ApiError::new(ErrorCode::CodeExpired),
        VerifyError::Refused(CodeRefusal::TooManyAttempts) => {
            ApiError::new(ErrorCode::CodeAttemptsExhausted)
        }
        VerifyError::Refused(CodeRefusal::Wrong { .. }) => {
            ApiError::new(ErrorCode::CodeWrong).with_param("code")
        }
        VerifyError::Store(error) => store_error(&error),
    }
}

pub(crate) fn sign_in_error(error: SignInError) -> ApiError {
    match error {
        SignInError::InvalidCredentials => ApiError::new(ErrorCode::InvalidCredentials),
        SignInError::Locked { until, reason } => ApiError::new(ErrorCode::AccountLocked)
            .with_detail("locked_until", rfc3339_utc(until))
            .with_detail("reason", reason.code().to_owned()),
        SignInError::Frozen => ApiError::new(ErrorCode::AccountFrozen),
        SignInError::NotVerified => ApiError::new(ErrorCode::AddressNotVerified),
        SignInError::SecondFactorRequired => ApiError::new(ErrorCode::TotpRequired),
        SignInError::SecondFactorInvalid => {
            ApiError::new(ErrorCode::TotpInvalid).with_param("totp_code")
        }
        SignInError::Store(error) => store_error(&error),
    }
}

/// Creates an account and sends a code to its address. The answer is the same whether or not
/// the address already had an account; its owner is told someone tried instead.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered; a code is on its way to the address", body = RegisterResponse),
        (status = 400, description = "`invalid_login`, `invalid_request`, `password_too_short`, \
            `password_too_long`, `password_too_common` or `password_contains_personal_info`", body = ErrorBody),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    locale: Locale,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ApiError> {
    let (login, param) = address_of(body.email.as_deref(), body.phone.as_deref())?;
    let locale = body.locale.map_or(locale.tag(), LocaleTag::tag);
    let registration = state
        .accounts
        .register(&login, &body.password, locale, unix_now())
        .await
        .map_err(|error| register_error(error, param))?;
    // `registration.code` went to the address through the outbox; it never goes back to the
    // client, who may not own the address.
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            user_id: registration.user_id,
            status: AccountStatus::PendingVerification,
        }),
    ))
}

/// Confirms the address with the code sent to it; the account becomes active.
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify",
    tag = "accounts",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The address is confirmed", body = VerifyResponse),
        (status = 400, description = "`invalid_login`, `invalid_request`, `code_wrong`, \
            `code_expired`, `code_attempts_exhausted` or `no_code_pending`", body = ErrorBody),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn verify(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyResponse>, ApiError> {
    let (login, param) = address_of(body.email.as_deref(), body.phone.as_deref())?;
    state
        .accounts
        .verify(&login, body.code.trim(), unix_now())
        .await
        .map_err(|error| verify_error(error, param))?;
    Ok(Json(VerifyResponse {
        status: AccountStatus::Active,
    }))
}

/// Signs in with an e-mail address or phone number and a password, and opens a session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 400, description = "`invalid_request`", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`, `totp_required` or `totp_invalid`", body = ErrorBody),
        (status = 403, description = "`account_frozen` or `address_not_verified`", body = ErrorBody),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 423, description = "`account_locked`, with `locked_until` and `reason`", body = ErrorBody),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    RequestClient(client): RequestClient,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let now = unix_now();
    let totp_code = body
        .totp_code
        .as_deref()
        .filter(|code| !code.trim().is_empty());
    let signed_in = match totp_code {
        None => {
            state
                .accounts
                .sign_in(body.login.trim(), &body.password, &client, now)
                .await
        }
        Some(code) => {
            state
                .security
                .sign_in_with_code(body.login.trim(), &body.password, Some(code), &client, now)
                .await
        }
    }
    .map_err(sign_in_error)?;
    let user = profile(&state, &signed_in.user_id).await?;
    Ok(Json(LoginResponse {
        token: signed_in.token,
        user,
    }))
}

/// Ends the session of the token the request carries.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`not_signed_in`", body = ErrorBody),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    state
        .accounts
        .sign_out(&user.token, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = UserView),
        (status = 401, description = "`not_signed_in`", body = ErrorBody),
        (status = 503, description = "`database_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<UserView>, ApiError> {
    profile(&state, &user.user_id).await.map(Json)
}

/// The account of a live session; one that no longer exists ends the session's meaning.
async fn profile(state: &AppState, user_id: &str) -> Result<UserView, ApiError> {
    match state.accounts.profile(user_id).await {
        Ok(Some(user)) => Ok(user.into()),
        Ok(None) => Err(ApiError::new(ErrorCode::NotSignedIn)),
        Err(error) => Err(store_error(&error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().expect("test header"));
        }
        headers
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_scheme_case() {
        assert_eq!(
            bearer_token(&headers(&[("authorization", "Bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            bearer_token(&headers(&[("authorization", "bearer  abc ")])),
            Some("abc")
        );
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_no_token() {
        for value in ["Basic abc", "Bearer", "Bearer   ", "abc"] {
            assert_eq!(
                bearer_token(&headers(&[("authorization", value)])),
                None,
                "{value}"
            );
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn a_long_user_agent_is_cut_and_a_missing_peer_is_an_empty_ip() {
        let long = "a".repeat(2_000);
        let client = client_of(None, &headers(&[("user-agent", &long)]));
        assert_eq!(client.user_agent.chars().count(), USER_AGENT_CHARS_MAX);
        assert_eq!(client.ip, "");
        let peer = ConnectInfo(SocketAddr::from(([203, 0, 113, 7], 443)));
        assert_eq!(client_of(Some(&peer), &HeaderMap::new()).ip, "203.0.113.7");
    }

    #[test]
    fn exactly_one_of_email_and_phone_is_accepted() {
        assert_eq!(
            address_of(None, None).expect_err("neither").param(),
            Some("email")
        );
        assert_eq!(
            address_of(Some("a@example.com"), Some("+8613800138000"))
                .expect_err("both")
                .code(),
            ErrorCode::InvalidRequest
        );
        let error = address_of(Some("13800138000"), None).expect_err("not an e-mail");
        assert_eq!(
            (error.code(), error.param()),
            (ErrorCode::InvalidLogin, Some("email"))
        );
        assert_eq!(
            address_of(Some("A@Example.com"), None)
                .expect("an e-mail")
                .1,
            "email"
        );
    }
}
