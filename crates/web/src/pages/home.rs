//! The home page: what OKPay is and what it does, in the visitor's language.

use askama::Template;
use axum::response::Html;
use ledger::Currency;

use super::layout::Layout;
use super::session::MaybePageSession;
use crate::error::ApiError;
use crate::i18n::{HomeText, Locale, currency_name};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    title: &'static str,
    text: &'static HomeText,
    features: [Feature; 8],
    currencies: Vec<CurrencyEntry>,
}

struct Feature {
    title: &'static str,
    body: &'static str,
}

struct CurrencyEntry {
    code: &'static str,
    name: &'static str,
}

pub(crate) async fn home(
    locale: Locale,
    session: MaybePageSession,
) -> Result<Html<String>, ApiError> {
    let text = HomeText::for_locale(locale);
    let page = HomePage {
        layout: Layout::for_session(locale, session.0.as_ref()),
        title: text.title,
        text,
        features: features(text),
        currencies: Currency::ALL
            .iter()
            .map(|currency| CurrencyEntry {
                code: currency.code(),
                name: currency_name(*currency, locale),
            })
            .collect(),
    };
    page.render()
        .map(Html)
        .map_err(|cause| ApiError::internal(&cause))
}

fn features(text: &'static HomeText) -> [Feature; 8] {
    let feature = |title, body| Feature { title, body };
    [
        feature(text.wallet_title, text.wallet_body),
        feature(text.topup_title, text.topup_body),
        feature(text.transfer_title, text.transfer_body),
        feature(text.exchange_title, text.exchange_body),
        feature(text.withdrawal_title, text.withdrawal_body),
        feature(text.remittance_title, text.remittance_body),
        feature(text.support_title, text.support_body),
        feature(text.security_title, text.security_body),
    ]
}
