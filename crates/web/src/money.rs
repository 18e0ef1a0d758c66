//! Money on the wire, `{"amount": 1050, "currency": "CNY"}`: a whole number of minor units, never a float.

use std::borrow::Cow;

use ledger::{AMOUNT_INPUT_MAX, Amount, Currency};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::error::ErrorCode;
use crate::json::FieldRefusal;

/// An amount of money a client asks to move. Valid by construction: `amount` is one the ledger
/// accepts from a request (`1..=ledger::AMOUNT_INPUT_MAX`, 10^15) and `currency` is one it holds.
///
/// Refused, through [`ApiJson`](crate::ApiJson): a float (`10.5`, and `10.0` too, since a
/// decimal point means the client is thinking in major units), a string (`"1050"`), zero, a
/// negative amount, or one too large, as 400 `invalid_amount`; an unknown currency code (codes
/// are upper case) as 400 `unknown_currency`. Works as a `#[serde(flatten)]` field too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct MoneyInput {
    #[serde(deserialize_with = "positive_minor_units")]
    pub amount: i64,
    #[serde(deserialize_with = "known_currency")]
    pub currency: Currency,
}

/// An amount of money in an answer. Unlike [`MoneyInput`] it may be zero or negative (an empty
/// balance, a refund leg).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MoneyOutput {
    /// Minor units of `currency`: 1050 is ¥10.50.
    #[schema(format = Int64, example = 1050)]
    pub amount: i64,
    /// ISO 4217 code, upper case.
    #[schema(example = "CNY")]
    pub currency: String,
}

impl MoneyOutput {
    pub fn new(amount: i64, currency: Currency) -> Self {
        MoneyOutput {
            amount,
            currency: currency.code().to_owned(),
        }
    }
}

impl From<MoneyInput> for MoneyOutput {
    fn from(money: MoneyInput) -> Self {
        MoneyOutput::new(money.amount, money.currency)
    }
}

/// Reads the value whole and inspects it, rather than visiting typed callbacks, so that every
/// shape a client may send (string, float, bool, null, object) meets the same refusal.
fn positive_minor_units<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    // serde_json reads a float, and an integer too large for u64, as f64: `as_i64` refuses both.
    Value::deserialize(deserializer)?
        .as_i64()
        .filter(|amount| Amount::positive(*amount).is_ok())
        .ok_or_else(|| {
            FieldRefusal {
                code: ErrorCode::InvalidAmount,
                field: "amount",
                reason: "must be a whole number of minor units from 1 to 10^15",
            }
            .into_serde_error()
        })
}

fn known_currency<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
    Value::deserialize(deserializer)?
        .as_str()
        .and_then(|code| Currency::parse(code).ok())
        .ok_or_else(|| {
            FieldRefusal {
                code: ErrorCode::UnknownCurrency,
                field: "currency",
                reason: "must be the upper-case ISO 4217 code of a currency OKPay holds",
            }
            .into_serde_error()
        })
}

/// Written by hand because the accepted currency codes come from the ledger at run time.
impl PartialSchema for MoneyInput {
    fn schema() -> RefOr<Schema> {
        let amount = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(AMOUNT_INPUT_MAX))
            .description(Some(
                "A whole number of the currency's minor units, never a float or a string: \
                 ¥10.50 is 1050, ¥100 JPY is 100.",
            ))
            .examples([1050]);
        let currency = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Currency::ALL.iter().map(|currency| currency.code())))
            .description(Some("ISO 4217 code, upper case."))
            .examples(["CNY"]);
        ObjectBuilder::new()
            .description(Some(
                "An amount of money in a request. A bad amount is refused with `invalid_amount`, \
                 an unknown currency with `unknown_currency`.",
            ))
            .property("amount", amount)
            .required("amount")
            .property("currency", currency)
            .required("currency")
            .into()
    }
}

impl ToSchema for MoneyInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Money")
    }
}
