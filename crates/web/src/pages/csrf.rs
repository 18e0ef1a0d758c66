//! Cross-site request forgery protection for every page form: tokens bound to the session.
//!
//! A form's hidden `csrf_token` is an HMAC, under a server key, of what identifies the browser:
//! the session cookie when there is one (so a token is good for one session only), otherwise a
//! random `okpay_csrf` cookie set on the first page visit (a signed double-submit cookie, for
//! the sign-in and sign-up forms). Nothing is stored; another site can read neither cookie nor
//! page, so it cannot produce the token.
//!
//! ```text
//! async fn submit(State(state): State<AppState>, session: PageSession,
//!                 CsrfForm(form): CsrfForm<MyForm>) -> Response { … }
//! ```
//! renders the token into its form with `<input type="hidden" name="csrf_token"
//! value="{{ layout.csrf_token }}">` and receives `MyForm` only when the token matches;
//! otherwise the visitor sees 403 `csrf_token_invalid` with what to do.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use super::session::{SESSION_COOKIE, cookie_value};
use crate::AppState;
use crate::error::{ApiError, ErrorCode};

type HmacSha256 = Hmac<Sha256>;

/// The cookie that identifies a browser before it signs in.
pub const ANONYMOUS_CSRF_COOKIE: &str = "okpay_csrf";

/// The server's key for CSRF tokens; every process sharing a database uses the same one.
#[derive(Clone)]
pub struct CsrfKey(Arc<[u8]>);

impl CsrfKey {
    pub fn new(key: &[u8]) -> CsrfKey {
        assert!(key.len() >= 16, "a CSRF key needs at least 128 bits");
        CsrfKey(key.into())
    }

    fn mac(&self, binding: &CsrfBinding) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(b"okpay-csrf-v1\0");
        mac.update(binding.0.as_bytes());
        mac
    }

    /// The token forms rendered for this browser carry.
    pub(crate) fn token_for(&self, binding: &CsrfBinding) -> String {
        hex(&self.mac(binding).finalize().into_bytes())
    }

    /// Whether `token` is the one for this browser, compared in constant time.
    pub(crate) fn accepts(&self, binding: &CsrfBinding, token: &str) -> bool {
        match unhex(token) {
            Some(bytes) => self.mac(binding).verify_slice(&bytes).is_ok(),
            None => false,
        }
    }
}

impl fmt::Debug for CsrfKey {
    /// Leaves the key out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(…)")
    }
}

/// What a browser's tokens are bound to: its session cookie, else its anonymous cookie. Put in
/// the request's extensions by [`ensure_csrf_cookie`].
#[derive(Clone, Debug)]
pub(crate) struct CsrfBinding(String);

impl CsrfBinding {
    fn of(headers: &HeaderMap) -> Option<CsrfBinding> {
        if let Some(session) = cookie_value(headers, SESSION_COOKIE) {
            return Some(CsrfBinding(format!("session:{session}")));
        }
        cookie_value(headers, ANONYMOUS_CSRF_COOKIE)
            .filter(|value| is_anonymous_value(value))
            .map(|value| CsrfBinding(format!("anonymous:{value}")))
    }
}

/// 256 random bits as hex: what we set, and so the only anonymous value we accept.
fn is_anonymous_value(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Set in a request's extensions when its browser has no cookie to bind tokens to yet; a page
/// that renders a form marks it used, and only then is the anonymous cookie set, so pages
/// without forms (the home page) set no cookie and stay cacheable.
#[derive(Clone, Debug)]
struct FreshAnonymousCookie {
    value: String,
    used: Arc<AtomicBool>,
}

/// Gives every page request a [`CsrfBinding`], setting the anonymous cookie on a browser's first
/// visit to a page with a form, so that form can be submitted.
pub(crate) async fn ensure_csrf_cookie(
    axum::extract::State(secure): axum::extract::State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let fresh = match CsrfBinding::of(request.headers()) {
        Some(binding) => {
            request.extensions_mut().insert(binding);
            None
        }
        None => {
            let bytes: [u8; 32] = rand::random();
            let value = hex(&bytes);
            let fresh = FreshAnonymousCookie {
                value: value.clone(),
                used: Arc::new(AtomicBool::new(false)),
            };
            request
                .extensions_mut()
                .insert(CsrfBinding(format!("anonymous:{value}")));
            request.extensions_mut().insert(fresh.clone());
            Some(fresh)
        }
    };
    let mut response = next.run(request).await;
    if let Some(fresh) = fresh
        && fresh.used.load(Ordering::Relaxed)
    {
        // Lives as long as the browser session: it guards only the forms shown meanwhile.
        let cookie = format!(
            "{ANONYMOUS_CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{}",
            fresh.value,
            if secure { "; Secure" } else { "" }
        );
        response.headers_mut().append(
            SET_COOKIE,
            HeaderValue::from_str(&cookie).expect("the cookie is hex and constants"),
        );
    }
    response
}

/// The CSRF token for the forms of the page being rendered.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let binding = parts.extensions.get::<CsrfBinding>().ok_or_else(|| {
            ApiError::internal(&"a page route is served without ensure_csrf_cookie")
        })?;
        if let Some(fresh) = parts.extensions.get::<FreshAnonymousCookie>() {
            fresh.used.store(true, Ordering::Relaxed);
        }
        Ok(CsrfToken(state.csrf_key.token_for(binding)))
    }
}

/// A URL-encoded form whose `csrf_token` field matched the browser's; `T` receives every field
/// (it may ignore `csrf_token`). A missing or wrong token answers 403 `csrf_token_invalid`; a
/// form `T` cannot read answers 400 `invalid_request`.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        let binding = request.extensions().get::<CsrfBinding>().cloned();
        if !is_form {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::BodyTooLarge))?;
        let token = serde_urlencoded::from_bytes::<CsrfField>(&body)
            .ok()
            .and_then(|field| field.csrf_token);
        let accepted = match (binding, token) {
            (Some(binding), Some(token)) => state.csrf_key.accepts(&binding, &token),
            _ => false,
        };
        if !accepted {
            return Err(ApiError::new(ErrorCode::CsrfTokenInvalid));
        }
        serde_urlencoded::from_bytes::<T>(&body)
            .map(CsrfForm)
            .map_err(|error| {
                tracing::debug!(%error, "a page form could not be read");
                ApiError::new(ErrorCode::InvalidRequest)
            })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CsrfKey {
        CsrfKey::new(&[7; 32])
    }

    #[test]
    fn a_token_is_accepted_for_its_own_binding_only() {
        let mine = CsrfBinding("session:abc".into());
        let theirs = CsrfBinding("session:abd".into());
        let token = key().token_for(&mine);
        assert!(key().accepts(&mine, &token));
        assert!(!key().accepts(&theirs, &token));
        assert!(!CsrfKey::new(&[8; 32]).accepts(&mine, &token));
    }

    #[test]
    fn malformed_tokens_are_refused_not_panicked_on() {
        let binding = CsrfBinding("anonymous:x".into());
        for token in ["", "0", "zz", "é1", &"0".repeat(64)] {
            assert!(!key().accepts(&binding, token), "{token}");
        }
    }

    #[test]
    fn the_session_cookie_wins_over_the_anonymous_one() {
        let mut headers = HeaderMap::new();
        let anonymous = "a".repeat(64);
        headers.insert(
            "cookie",
            format!("{ANONYMOUS_CSRF_COOKIE}={anonymous}")
                .parse()
                .unwrap(),
        );
        assert_eq!(
            CsrfBinding::of(&headers).map(|b| b.0),
            Some(format!("anonymous:{anonymous}"))
        );
        headers.append("cookie", format!("{SESSION_COOKIE}=tok").parse().unwrap());
        assert_eq!(
            CsrfBinding::of(&headers).map(|b| b.0),
            Some("session:tok".into())
        );
        let mut forged = HeaderMap::new();
        forged.insert(
            "cookie",
            format!("{ANONYMOUS_CSRF_COOKIE}=short").parse().unwrap(),
        );
        assert!(CsrfBinding::of(&forged).is_none());
    }
}
