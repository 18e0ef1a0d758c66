//! The account page: who is signed in, their address and whether it is confirmed.

use super::display::filters;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use domain::identity::UserStatus;

use super::layout::Layout;
use super::render_page;
use super::session::PageSession;
use crate::i18n::{AccountText, KycText, Locale};
use crate::time::rfc3339_utc;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    title: &'static str,
    text: &'static AccountText,
    user_id: String,
    email: Option<String>,
    phone: Option<String>,
    status: &'static str,
    verified_at: Option<String>,
    created_at: String,
    language: &'static str,
    /// The link to identity verification, where limits are raised.
    verify_link: &'static str,
}

pub(crate) async fn account(locale: Locale, session: PageSession) -> Response {
    let text = AccountText::for_locale(locale);
    let user = &session.user;
    let page = AccountPage {
        layout: Layout::for_session(locale, Some(&session)),
        title: text.title,
        text,
        user_id: user.id.clone(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        status: match user.status {
            UserStatus::Active => text.status_active,
            UserStatus::PendingVerification => text.status_pending,
            UserStatus::Frozen => text.status_frozen,
        },
        verified_at: user.verified_at.map(rfc3339_utc),
        created_at: rfc3339_utc(user.created_at),
        language: Locale::from_tag(&user.locale).map_or("—", Locale::autonym),
        verify_link: KycText::for_locale(locale).account_link,
    };
    render_page(&page, StatusCode::OK)
}
