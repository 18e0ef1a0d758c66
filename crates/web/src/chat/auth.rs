//! Who is on a chat route: a user or an agent, by bearer token or by the page cookie; a cookie only from our own origin, since browsers send cookies with other sites' WebSockets too.

use axum::extract::FromRequestParts;
use axum::http::header::{HOST, ORIGIN, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use domain::identity::AuthError;
use domain::staff::StaffRole;

use crate::AppState;
use crate::api::auth::{bearer_token, store_error, unix_now};
use crate::error::{ApiError, ErrorCode};
use crate::pages::session::{SESSION_COOKIE, cookie_value};
use crate::pages::staff::StaffPage;

/// The cookie the staff pages keep their session in (`pages::staff`).
const STAFF_SESSION_COOKIE: &str = "okpay_staff_session";

/// Whether a cookie-authenticated request comes from a page of this site. A browser always
/// sends `Origin` with a WebSocket handshake and a `fetch`; another site's page cannot forge it.
fn same_origin(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (headers.get(ORIGIN), headers.get(HOST)) else {
        return false;
    };
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

/// The token of the request: `Authorization: Bearer`, else the cookie `name`. With the cookie,
/// a WebSocket or a write must come from our own origin; a plain `GET` needs not (browsers send
/// no `Origin` with their own same-origin `GET`s, and another site cannot read the answer).
fn token<'a>(parts: &'a Parts, cookie: &str) -> Result<&'a str, ApiError> {
    if let Some(token) = bearer_token(&parts.headers) {
        return Ok(token);
    }
    let token = cookie_value(&parts.headers, cookie).ok_or(ErrorCode::NotSignedIn)?;
    let needs_origin = parts.method != Method::GET || parts.headers.contains_key(UPGRADE);
    if needs_origin && !same_origin(&parts.headers) {
        return Err(ApiError::new(ErrorCode::NotSignedIn));
    }
    Ok(token)
}

/// A signed-in user on a chat route.
pub(crate) struct ChatUser {
    pub user_id: String,
}

impl FromRequestParts<AppState> for ChatUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token(parts, SESSION_COOKIE)?;
        let session = state
            .accounts
            .authenticate(token, unix_now())
            .await
            .map_err(|error| match error {
                AuthError::NotSignedIn => ApiError::new(ErrorCode::NotSignedIn),
                AuthError::Store(error) => store_error(&error),
            })?;
        Ok(ChatUser {
            user_id: session.user_id,
        })
    }
}

/// A signed-in agent on a chat route: another role is refused with 403 `staff_role_forbidden`.
pub(crate) struct ChatAgent {
    pub staff_id: String,
}

async fn agent_of(parts: &Parts, state: &AppState) -> Result<ChatAgent, ApiError> {
    let token = token(parts, STAFF_SESSION_COOKIE)?;
    let staff = state
        .security
        .authenticate_staff(token, unix_now())
        .await
        .map_err(|error| store_error(&error))?
        .ok_or(ErrorCode::NotSignedIn)?;
    // Live chat is the agents' work; other roles have their own queues.
    if staff.role != StaffRole::Agent {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    Ok(ChatAgent {
        staff_id: staff.staff_id,
    })
}

impl FromRequestParts<AppState> for ChatAgent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        agent_of(parts, state).await
    }
}

/// An agent on the `/staff/chat` page, signed in by the staff cookie; without one the browser
/// goes to `/staff` to sign in, with another role it sees the refusal.
pub(crate) struct ChatAgentPage {
    pub staff: StaffPage,
}

impl FromRequestParts<AppState> for ChatAgentPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = StaffPage::from_request_parts(parts, state).await?;
        if staff.role != StaffRole::Agent {
            return Err(ApiError::new(ErrorCode::StaffRoleForbidden).into_response());
        }
        Ok(ChatAgentPage { staff })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_our_own_origin_may_use_a_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("okpay.example:8080"));
        assert!(!same_origin(&headers));
        headers.insert(
            ORIGIN,
            HeaderValue::from_static("http://okpay.example:8080"),
        );
        assert!(same_origin(&headers));
        headers.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&headers));
    }
}
