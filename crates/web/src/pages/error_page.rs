//! The page a browser sees when a request fails, in the visitor's language.

use askama::Template;
use axum::http::StatusCode;

use super::layout::Layout;
use crate::error::ApiError;
use crate::i18n::{ErrorPageText, ErrorText, Locale, error_text};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    title: String,
    text: &'static ErrorPageText,
    error: ErrorText,
    status: u16,
    code: &'static str,
    request_id: Option<&'a str>,
}

pub(crate) fn render_error_page(
    error: &ApiError,
    status: StatusCode,
    locale: Locale,
    request_id: Option<&str>,
) -> askama::Result<String> {
    let error_text = error_text(error.code(), locale);
    ErrorPage {
        layout: Layout::new(locale),
        title: format!("{} · OKPay", error_text.message),
        text: ErrorPageText::for_locale(locale),
        error: error_text,
        status: status.as_u16(),
        code: error.code().as_str(),
        request_id,
    }
    .render()
}
