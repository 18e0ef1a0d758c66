//! Chooses each request's language and remembers a language picked with `?lang=` in a cookie.

use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::i18n::{
    LANG_COOKIE, Locale, locale_from_accept_language, locale_from_cookies, locale_from_query,
};

/// How the language cookie is written: `Secure` everywhere except plain-HTTP development.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LangCookiePolicy {
    pub secure: bool,
}

/// A year: the choice is a preference, not a secret, and should outlive browser sessions.
const LANG_COOKIE_MAX_AGE_S: u32 = 365 * 24 * 60 * 60;

/// Puts the request's [`Locale`] in its extensions. `?lang=` wins, then the cookie it set, then
/// `Accept-Language`.
pub(crate) async fn choose_locale(
    State(policy): State<LangCookiePolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let asked_in_query = locale_from_query(request.uri());
    let locale = asked_in_query
        .or_else(|| locale_from_cookies(request.headers()))
        .unwrap_or_else(|| locale_from_accept_language(&accept_language(request.headers())));
    request.extensions_mut().insert(locale);

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(locale) = asked_in_query {
        headers.append(SET_COOKIE, lang_cookie(locale, policy));
    }
    // The same URL answers in two languages, so caches must keep one copy per header value.
    headers.append(VARY, HeaderValue::from_static("accept-language, cookie"));
    response
}

/// All `Accept-Language` headers as one list, as RFC 9110 allows a list to be split across them.
fn accept_language(headers: &HeaderMap) -> String {
    headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
}

/// HttpOnly since no script needs it; SameSite=Lax so a link from elsewhere keeps the language.
fn lang_cookie(locale: Locale, policy: LangCookiePolicy) -> HeaderValue {
    let secure = if policy.secure { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax{secure}",
        locale.tag()
    );
    HeaderValue::from_str(&cookie).expect("the cookie is built from ASCII constants")
}
