//! Page sessions: the API's opaque session token, carried by browsers in an HttpOnly cookie.
//!
//! A page that needs a signed-in person takes [`PageSession`]; without a live session the
//! browser is sent to `/login?next=<this page>` and comes back after signing in. A page that
//! only shows more to signed-in people takes [`MaybePageSession`]. Both go through
//! `AccountsApi::authenticate`, so the idle (30 min) and absolute (12 h) timeouts and revocation
//! are exactly the API's.
//!
//! ```text
//! async fn account(session: PageSession, locale: Locale) -> Result<Html<String>, ApiError> {
//!     let layout = Layout::signed_in(locale, &session); // header with the sign-out button
//!     …
//! }
//! ```

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::identity::{AuthError, UserRecord};

use super::csrf::CsrfToken;
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::error::ApiError;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "okpay_session";

/// A signed-in person on a page: their session, their account, and the CSRF token for the
/// page's forms.
pub struct PageSession {
    pub session_id: String,
    pub user: UserRecord,
    pub csrf_token: String,
    /// Unread messages, for the header's badge.
    pub unread_messages: i64,
}

impl std::fmt::Debug for PageSession {
    /// Leaves the CSRF token out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageSession")
            .field("user_id", &self.user.id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// Why there is no [`PageSession`]: no live session (the browser goes to the sign-in page), or
/// a failure on our side.
pub enum NoPageSession {
    SignInFirst { next: String, clear_cookie: bool },
    Failed(ApiError),
}

impl IntoResponse for NoPageSession {
    fn into_response(self) -> Response {
        match self {
            NoPageSession::SignInFirst { next, clear_cookie } => {
                let location = format!("/login?next={}", percent_encode(&next));
                let mut response = StatusCode::SEE_OTHER.into_response();
                let headers = response.headers_mut();
                headers.insert(
                    LOCATION,
                    HeaderValue::from_str(&location).expect("percent-encoded ASCII"),
                );
                if clear_cookie {
                    headers.append(SET_COOKIE, clear_session_cookie());
                }
                response
            }
            NoPageSession::Failed(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = NoPageSession;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .to_owned();
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(NoPageSession::SignInFirst {
                next,
                clear_cookie: false,
            });
        };
        let sign_in_first = NoPageSession::SignInFirst {
            next,
            clear_cookie: true,
        };
        let session = match state.accounts.authenticate(token, unix_now()).await {
            Ok(session) => session,
            Err(AuthError::NotSignedIn) => return Err(sign_in_first),
            Err(AuthError::Store(error)) => return Err(NoPageSession::Failed(store_error(&error))),
        };
        let user = match state.accounts.profile(&session.user_id).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(sign_in_first),
            Err(error) => return Err(NoPageSession::Failed(store_error(&error))),
        };
        let CsrfToken(csrf_token) = CsrfToken::from_request_parts(parts, state)
            .await
            .map_err(NoPageSession::Failed)?;
        // The badge is a courtesy: a failure to count leaves it out rather than failing the page.
        let unread_messages = state
            .security
            .unread_notices(&user.id)
            .await
            .unwrap_or_default();
        Ok(PageSession {
            session_id: session.session_id,
            user,
            csrf_token,
            unread_messages,
        })
    }
}

/// `Option<PageSession>` as an extractor: `None` when no live session, never a redirect.
impl OptionalFromRequestParts<AppState> for PageSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <PageSession as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(session) => Ok(Some(session)),
            Err(NoPageSession::SignInFirst { .. }) => Ok(None),
            Err(NoPageSession::Failed(error)) => Err(error),
        }
    }
}

/// The signed-in person if there is one; pages that anyone may see take it to show the header's
/// signed-in state.
pub struct MaybePageSession(pub Option<PageSession>);

impl FromRequestParts<AppState> for MaybePageSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        <PageSession as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(MaybePageSession)
    }
}

/// Sets the session cookie: HttpOnly so no script can read the token; SameSite=Lax so other
/// sites' forms and scripts do not carry it (links from them still do, and land signed in);
/// Secure unless served over plain HTTP on this machine. No Max-Age: it ends with the browser,
/// and the server ends the session itself after the idle or absolute timeout.
pub(crate) fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&cookie).expect("tokens are hex")
}

/// Tells the browser to forget the session cookie.
pub(crate) fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("okpay_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// The value of cookie `name`, from any of the request's `Cookie` headers.
pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"'))
}

/// Where to go after signing in: only a path on this site, so a crafted link cannot send a
/// person who just signed in to another site.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

/// Percent-encodes everything but unreserved characters, for a value inside a query string.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/account?tab=1")), "/account?tab=1");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "account",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/account", "{hostile}");
        }
        assert_eq!(safe_next(None), "/account");
    }

    #[test]
    fn a_cookie_is_found_among_others_and_empty_ones_are_absent() {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; okpay_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), Some("abc"));
        let mut empty = HeaderMap::new();
        empty.insert("cookie", "okpay_session=".parse().unwrap());
        assert_eq!(cookie_value(&empty, SESSION_COOKIE), None);
    }

    #[test]
    fn the_next_page_survives_the_trip_through_the_query_string() {
        assert_eq!(
            percent_encode("/account?x=1&y=é"),
            "/account%3Fx%3D1%26y%3D%C3%A9"
        );
    }
}
