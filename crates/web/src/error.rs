//! The one error type of the HTTP face: a stable machine code, an HTTP status and the field at fault.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error_body::ErrorBody;
use crate::i18n::Locale;

/// Declares every error code once: its variant, the string clients match on, and its HTTP status.
/// Adding a line here is the whole of adding a code, apart from its text in `i18n::errors`, which
/// the compiler then asks for.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:ident;)*) => {
        /// A stable, documented reason a request failed. Clients match on [`ErrorCode::as_str`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order they are declared; the OpenAPI document and tests walk it.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The machine code, e.g. `insufficient_funds`. Never changes once published.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status every response with this code carries.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }

            /// The code whose machine string is `code`, if there is one.
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// No route or resource answers to this path.
    NotFound => "not_found", NOT_FOUND;
    /// The path exists but not with this HTTP method.
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED;
    /// The body is not syntactically valid JSON.
    MalformedJson => "malformed_json", BAD_REQUEST;
    /// A field is missing or has the wrong type or value; `param` names it.
    InvalidRequest => "invalid_request", BAD_REQUEST;
    /// The body is not declared as `application/json`.
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE;
    /// The body is larger than the server accepts.
    BodyTooLarge => "body_too_large", PAYLOAD_TOO_LARGE;
    /// An amount is not a positive whole number of minor units within the allowed range.
    InvalidAmount => "invalid_amount", BAD_REQUEST;
    /// A currency code OKPay does not hold.
    UnknownCurrency => "unknown_currency", BAD_REQUEST;
    /// The database does not answer; the request may succeed later.
    DatabaseUnavailable => "database_unavailable", SERVICE_UNAVAILABLE;
    /// Something failed on our side; the cause is in the server log under the request id.
    InternalError => "internal_error", INTERNAL_SERVER_ERROR;
    /// Too many requests; `Retry-After` says when to try again.
    RateLimited => "rate_limited", TOO_MANY_REQUESTS;
    /// The `Idempotency-Key` was already used with a different request body.
    IdempotencyKeyReused => "idempotency_key_reused", UNPROCESSABLE_ENTITY;
    /// The wallet's available balance does not cover the amount.
    InsufficientFunds => "insufficient_funds", UNPROCESSABLE_ENTITY;
    /// The e-mail address or phone number is not one we can use; `param` names the field.
    InvalidLogin => "invalid_login", BAD_REQUEST;
    /// The new password is shorter than the policy's minimum.
    PasswordTooShort => "password_too_short", BAD_REQUEST;
    /// The new password is longer than the policy's maximum.
    PasswordTooLong => "password_too_long", BAD_REQUEST;
    /// The new password is common or easy to guess.
    PasswordTooCommon => "password_too_common", BAD_REQUEST;
    /// The new password contains the account's e-mail address or phone number.
    PasswordContainsPersonalInfo => "password_contains_personal_info", BAD_REQUEST;
    /// The one-time code is wrong; more attempts remain.
    CodeWrong => "code_wrong", BAD_REQUEST;
    /// The one-time code has expired.
    CodeExpired => "code_expired", BAD_REQUEST;
    /// Too many wrong codes were tried; the code no longer works.
    CodeAttemptsExhausted => "code_attempts_exhausted", BAD_REQUEST;
    /// No one-time code is waiting for this address.
    NoCodePending => "no_code_pending", BAD_REQUEST;
    /// The sign-in address or password is wrong (which one is never said).
    InvalidCredentials => "invalid_credentials", UNAUTHORIZED;
    /// Sign-in is locked for a while; the error carries `locked_until` and `reason`.
    AccountLocked => "account_locked", LOCKED;
    /// The account is frozen: no sign-in and no money out.
    AccountFrozen => "account_frozen", FORBIDDEN;
    /// The address has not been confirmed with its code yet.
    AddressNotVerified => "address_not_verified", FORBIDDEN;
    /// No valid session token: `Authorization: Bearer <token>` is missing, unknown or expired.
    NotSignedIn => "not_signed_in", UNAUTHORIZED;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed request, as handlers and extractors return it.
///
/// It carries no text: the response is rendered in the client's language by the error-rendering
/// middleware, which also adds the request id, so handlers never need to know the locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    param: Option<String>,
    retry_after_s: Option<u64>,
    /// Extra machine-readable fields of the error object, e.g. `locked_until`; in insertion order.
    details: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            param: None,
            retry_after_s: None,
            details: Vec::new(),
        }
    }

    /// Adds a field to the rendered `error` object beside `code` and `message`, e.g.
    /// `locked_until`. A second value for the same key replaces the first. The key must not be
    /// one of the fixed fields (`code`, `message`, `next_step`, `param`, `request_id`).
    pub fn with_detail(mut self, key: &'static str, value: String) -> Self {
        debug_assert!(
            !["code", "message", "next_step", "param", "request_id"].contains(&key),
            "{key} is a fixed field of the error object"
        );
        match self.details.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.details.push((key, value)),
        }
        self
    }

    /// Names the request field at fault, e.g. `amount` or `items[0].currency`.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// A field is missing or wrong.
    pub fn invalid_request(param: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidRequest).with_param(param)
    }

    /// Too many requests; the response tells the client how long to wait.
    pub fn rate_limited(retry_after_s: u64) -> Self {
        ApiError {
            retry_after_s: Some(retry_after_s),
            ..ApiError::new(ErrorCode::RateLimited)
        }
    }

    /// A failure on our side. The cause goes to the log (inside the request's span, so it carries
    /// the request id); the client only learns that something went wrong.
    pub fn internal(cause: &dyn fmt::Display) -> Self {
        tracing::error!(%cause, "request failed with an internal error");
        ApiError::new(ErrorCode::InternalError)
    }

    /// The database does not answer. Logged like [`ApiError::internal`].
    pub fn database_unavailable(cause: &dyn fmt::Display) -> Self {
        tracing::error!(%cause, "database unavailable");
        ApiError::new(ErrorCode::DatabaseUnavailable)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// The extra fields added with [`ApiError::with_detail`], in the order they were added.
    pub fn details(&self) -> &[(&'static str, String)] {
        &self.details
    }

    /// The error a bare error status stands for, for responses that did not come from an
    /// `ApiError` (a layer's own 413, axum's own rejections), so that every error has our shape.
    pub(crate) fn for_bare_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
            status if status.is_client_error() => ErrorCode::InvalidRequest,
            _ => ErrorCode::InternalError,
        };
        ApiError::new(code)
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.param {
            Some(param) => write!(f, "{} (param {param})", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    /// Renders an English body without a request id, which the error-rendering middleware
    /// replaces; the body only shows when a route is served without the app's layers.
    fn into_response(self) -> Response {
        let body = ErrorBody::new(&self, Locale::En, None);
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(retry_after_s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
        }
        if self.code == ErrorCode::NotSignedIn {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_string() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn every_code_is_snake_case_and_an_error_status() {
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{text}"
            );
            assert!(
                code.status().is_client_error() || code.status().is_server_error(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_detail_added_twice_keeps_the_last_value() {
        let error = ApiError::new(ErrorCode::AccountLocked)
            .with_detail("reason", "a".to_owned())
            .with_detail("locked_until", "b".to_owned())
            .with_detail("reason", "c".to_owned());
        assert_eq!(
            error.details(),
            &[("reason", "c".to_owned()), ("locked_until", "b".to_owned())]
        );
    }

    #[test]
    fn a_rate_limited_error_says_when_to_retry() {
        let response = ApiError::rate_limited(30).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
    }
}
