//! The back-office API for staff: set-up by one-time link, sign-in with TOTP, and the security
//! team's view of a user (status, locks, login history) with unlock and unfreeze.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::identity::UserRecord;
use domain::staff::{
    StaffActionError, StaffPermission, StaffRole, StaffSetupError, StaffSignInError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::auth::{
    AccountStatus, RequestClient, bearer_token, store_error, unix_now, weak_password,
};
use crate::api::security::{LoginView, RecoveryCodesAnswer, qr_svg, totp_error};
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// A signed-in staff member, from `Authorization: Bearer <staff session token>`. A user's token
/// is not a staff session: 401 `not_signed_in`.
#[derive(Debug)]
pub struct StaffUser {
    pub staff_id: String,
    pub role: StaffRole,
    pub session_id: String,
}

impl StaffUser {
    /// Refuses with 403 `staff_role_forbidden` unless the member's role allows `permission`.
    pub fn require(&self, permission: StaffPermission) -> Result<(), ApiError> {
        if self.role.may(permission) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::StaffRoleForbidden))
        }
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ErrorCode::NotSignedIn)?;
        let staff = state
            .security
            .authenticate_staff(token, unix_now())
            .await
            .map_err(|error| store_error(&error))?
            .ok_or(ErrorCode::NotSignedIn)?;
        Ok(StaffUser {
            staff_id: staff.staff_id,
            role: staff.role,
            session_id: staff.session_id,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffSetupView {
    pub email: String,
    pub role: &'static str,
    /// The TOTP secret to enrol (Base32), its URI and QR code.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
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

/// Opens a set-up link: who it is for and a fresh TOTP secret to enrol.
#[utoipa::path(
    get,
    path = "/api/v1/staff/setup/{token}",
    tag = "staff",
    params(("token" = String, Path, description = "The token of the set-up link")),
    responses(
        (status = 200, description = "Enrol the secret, then POST the password and a code", body = StaffSetupView),
        (status = 404, description = "`link_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn setup_start(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<StaffSetupView>, ApiError> {
    let start = state
        .security
        .staff_setup_start(&token, unix_now())
        .await
        .map_err(setup_error)?;
    Ok(Json(StaffSetupView {
        email: start.email,
        role: start.role.name(),
        qr_svg: qr_svg(&start.totp.otpauth_uri),
        secret: start.totp.secret_base32,
        otpauth_uri: start.totp.otpauth_uri,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffSetupFinish {
    #[schema(format = Password, write_only)]
    pub password: String,
    pub totp_code: String,
}

/// Finishes set-up with a password and the first TOTP code; the link is used up.
#[utoipa::path(
    post,
    path = "/api/v1/staff/setup/{token}",
    tag = "staff",
    params(("token" = String, Path, description = "The token of the set-up link")),
    request_body = StaffSetupFinish,
    responses(
        (status = 200, description = "Set up; keep the recovery codes", body = RecoveryCodesAnswer),
        (status = 400, description = "`code_wrong` or a password refusal", body = ErrorBody),
        (status = 404, description = "`link_invalid`", body = ErrorBody),
    )
)]
pub(crate) async fn setup_finish(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<StaffSetupFinish>,
) -> Result<Json<RecoveryCodesAnswer>, ApiError> {
    let recovery_codes = state
        .security
        .staff_setup_finish(&token, &body.password, body.totp_code.trim(), unix_now())
        .await
        .map_err(setup_error)?;
    Ok(Json(RecoveryCodesAnswer { recovery_codes }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLogin {
    pub email: String,
    #[schema(format = Password, write_only)]
    pub password: String,
    /// Always required for staff.
    pub totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StaffView {
    pub id: String,
    pub email: String,
    pub role: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct StaffLoginAnswer {
    pub token: String,
    pub staff: StaffView,
}

/// Staff sign-in: e-mail, password and TOTP code, always.
#[utoipa::path(
    post,
    path = "/api/v1/staff/login",
    tag = "staff",
    request_body = StaffLogin,
    responses(
        (status = 200, description = "Signed in", body = StaffLoginAnswer),
        (status = 401, description = "`invalid_credentials` or `totp_required`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    RequestClient(client): RequestClient,
    ApiJson(body): ApiJson<StaffLogin>,
) -> Result<Json<StaffLoginAnswer>, ApiError> {
    let signed_in = state
        .security
        .staff_sign_in(
            body.email.trim(),
            &body.password,
            body.totp_code.as_deref(),
            &client,
            unix_now(),
        )
        .await
        .map_err(|error| match error {
            StaffSignInError::InvalidCredentials => ApiError::new(ErrorCode::InvalidCredentials),
            StaffSignInError::SecondFactorRequired => ApiError::new(ErrorCode::TotpRequired),
            StaffSignInError::Store(error) => store_error(&error),
        })?;
    Ok(Json(StaffLoginAnswer {
        token: signed_in.token,
        staff: StaffView {
            id: signed_in.staff.id,
            email: signed_in.staff.email,
            role: signed_in.staff.role.name(),
        },
    }))
}

/// Ends the staff session.
#[utoipa::path(
    post,
    path = "/api/v1/staff/logout",
    tag = "staff",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"))
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<StatusCode, ApiError> {
    state
        .security
        .staff_sign_out(&staff.session_id, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct FindQuery {
    /// A user id (`usr_…`), e-mail address or phone number.
    pub query: String,
}

#[derive(Serialize, ToSchema)]
pub struct StaffUserSummary {
    pub id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: AccountStatus,
    pub locale: String,
    pub created_at: String,
}

impl From<UserRecord> for StaffUserSummary {
    fn from(user: UserRecord) -> Self {
        StaffUserSummary {
            id: user.id,
            email: user.email,
            phone: user.phone,
            status: user.status.into(),
            locale: user.locale,
            created_at: rfc3339_utc(user.created_at),
        }
    }
}

/// Finds a user by id, e-mail address or phone number.
#[utoipa::path(
    get,
    path = "/api/v1/staff/users",
    tag = "staff",
    security(("bearer" = [])),
    params(FindQuery),
    responses(
        (status = 200, description = "The user", body = StaffUserSummary),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub(crate) async fn find_user(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<FindQuery>,
) -> Result<Json<StaffUserSummary>, ApiError> {
    staff.require(StaffPermission::ViewUserSecurity)?;
    let user = state
        .security
        .find_user(&query.query)
        .await
        .map_err(|error| store_error(&error))?
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(user.into()))
}

#[derive(Serialize, ToSchema)]
pub struct LockView {
    pub locked_at: String,
    pub until: String,
    pub reason: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct UserSecurityView {
    pub user: StaffUserSummary,
    pub totp_enabled: bool,
    pub frozen: bool,
    /// The lock in force now, if any.
    pub active_lock: Option<LockView>,
    /// Locks of the last 30 days, oldest first.
    pub locks: Vec<LockView>,
    pub logins: Vec<LoginView>,
}

fn staff_action_error(error: StaffActionError) -> ApiError {
    match error {
        StaffActionError::NoSuchUser => ApiError::new(ErrorCode::NotFound),
        StaffActionError::ReasonRequired => {
            ApiError::new(ErrorCode::ReasonRequired).with_param("reason")
        }
        StaffActionError::NotFrozen => ApiError::new(ErrorCode::AccountNotFrozen),
        StaffActionError::Store(error) => store_error(&error),
    }
}

/// A user's status, locks and login history.
#[utoipa::path(
    get,
    path = "/api/v1/staff/users/{id}",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user's security status", body = UserSecurityView),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub(crate) async fn user_status(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(user_id): Path<String>,
) -> Result<Json<UserSecurityView>, ApiError> {
    staff.require(StaffPermission::ViewUserSecurity)?;
    let status = state
        .security
        .user_security_status(&staff.staff_id, &user_id, unix_now())
        .await
        .map_err(staff_action_error)?;
    let lock_view = |lock: &domain::identity::Lock| LockView {
        locked_at: rfc3339_utc(lock.locked_at),
        until: rfc3339_utc(lock.until),
        reason: lock.reason.code(),
    };
    Ok(Json(UserSecurityView {
        frozen: status.user.status == domain::identity::UserStatus::Frozen,
        active_lock: status.active_lock.as_ref().map(lock_view),
        locks: status.locks.iter().map(lock_view).collect(),
        logins: status.history.into_iter().map(LoginView::from).collect(),
        totp_enabled: status.totp_enabled,
        user: status.user.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// How the owner's identity was confirmed and why; kept in the audit log.
    pub reason: String,
}

/// Lifts the user's sign-in lock (security role), with a written reason.
#[utoipa::path(
    post,
    path = "/api/v1/staff/users/{id}/unlock",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    request_body = ReasonBody,
    responses(
        (status = 204, description = "Unlocked"),
        (status = 400, description = "`reason_required`", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
    )
)]
pub(crate) async fn unlock(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    state
        .security
        .staff_unlock(&staff.staff_id, &user_id, &body.reason, unix_now())
        .await
        .map_err(staff_action_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unfreezes the user's account (security role), with a written reason.
#[utoipa::path(
    post,
    path = "/api/v1/staff/users/{id}/unfreeze",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    request_body = ReasonBody,
    responses(
        (status = 204, description = "Unfrozen"),
        (status = 400, description = "`reason_required`", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 409, description = "`account_not_frozen`", body = ErrorBody),
    )
)]
pub(crate) async fn unfreeze(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    state
        .security
        .staff_unfreeze(&staff.staff_id, &user_id, &body.reason, unix_now())
        .await
        .map_err(staff_action_error)?;
    Ok(StatusCode::NO_CONTENT)
}
