//! `GET /api/v1/currencies`: the currencies OKPay holds, their minor units and localized names.

use axum::Json;
use ledger::Currency;
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Locale, currency_name};

/// The list of currencies; never paged, since there are only a handful.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyList {
    pub data: Vec<CurrencyInfo>,
    /// Always false: the whole list fits on one page.
    pub has_more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyInfo {
    /// ISO 4217 code, upper case.
    #[schema(example = "CNY")]
    pub code: &'static str,
    /// Decimal places of the minor unit: an amount of 1050 with 2 minor units is 10.50.
    #[schema(example = 2)]
    pub minor_units: u8,
    /// The currency's name in the request's language.
    #[schema(example = "Chinese Yuan")]
    pub name: &'static str,
}

/// Every currency a wallet can hold, with names in the language of `Accept-Language`.
#[utoipa::path(
    get,
    path = "/api/v1/currencies",
    tag = "currencies",
    params(("Accept-Language" = Option<String>, Header,
        description = "zh-CN or en: the language of `name`")),
    responses((status = 200, description = "The currencies OKPay holds", body = CurrencyList))
)]
pub(crate) async fn list_currencies(locale: Locale) -> Json<CurrencyList> {
    let data = Currency::ALL
        .iter()
        .map(|currency| CurrencyInfo {
            code: currency.code(),
            minor_units: currency.minor_units(),
            name: currency_name(*currency, locale),
        })
        .collect();
    Json(CurrencyList {
        data,
        has_more: false,
    })
}
