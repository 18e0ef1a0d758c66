//! The two languages OKPay speaks, how a request's language is chosen, and everything said in them.

mod community;
mod console;
mod currencies;
mod errors;
mod negotiation;
mod pages;
mod security;
mod staff_admin;
mod strength;
mod support;
mod wallet;

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

pub use community::{CommunityText, ModerationText};
pub use console::{
    CANNED_REPLIES, ConsoleText, DiagnoseText, SelfHelpText, StaffRecordText, StolenText,
    TicketsText, agent_status_name, ticket_category_name, ticket_status_name, wallet_code_name,
};
pub use currencies::currency_name;
pub use errors::{ErrorText, error_text};
pub use negotiation::{
    LANG_COOKIE, locale_from_accept_language, locale_from_cookies, locale_from_query,
};
pub use pages::{
    AccountText, AuthText, ErrorPageText, HelpText, HomeText, LayoutText, zone_suffix,
};
pub use security::{MessagesText, NotMeText, ResetText, SecurityText, StaffText, staff_role_name};
pub use staff_admin::{KycText, StaffAdminText, StepUpText};
pub use strength::{strength_suggestion_text, strength_warning_text};
pub use support::{
    ContactText, OfficialCheckText, StatusText, SupportFrameText, service_name, service_state_name,
    weekday_name,
};
pub use wallet::{
    FinanceText, RecordsText, WalletText, category_name, limit_kind_name, record_kind_name,
    record_status_name,
};

/// A language OKPay answers in. English is the default for anyone who does not ask for Chinese.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese, for every Chinese-speaking browser (zh, zh-CN, zh-Hans, zh-TW…).
    ZhCn,
    #[default]
    En,
}

impl Locale {
    pub const ALL: &'static [Locale] = &[Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>`, `?lang=` and the language cookie.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The language's name in itself, shown the same on every page of the language switch.
    pub const fn autonym(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }

    /// Reads a tag we wrote ourselves (`?lang=`, the cookie); case does not matter.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        if tag.eq_ignore_ascii_case("zh-CN") || tag.eq_ignore_ascii_case("zh") {
            Some(Locale::ZhCn)
        } else if tag.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Chooses between the two translations of one thing.
    pub fn pick<T>(self, zh_cn: T, en: T) -> T {
        match self {
            Locale::ZhCn => zh_cn,
            Locale::En => en,
        }
    }
}

/// Handlers take the locale the locale middleware chose as an argument.
impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Locale>()
            .copied()
            .unwrap_or_default())
    }
}
