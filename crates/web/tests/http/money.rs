//! The money type at the edge: real requests through the app's own layers into `ApiJson`.

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use web::{ApiJson, MoneyInput, MoneyOutput};

use crate::support::{Answer, request, send, ten_megabytes};

/// Shaped like `POST /payments`: money flattened beside other fields.
#[derive(Deserialize)]
struct PaymentRequest {
    #[allow(dead_code)] // Present so the money is flattened beside another field.
    description: String,
    #[serde(flatten)]
    money: MoneyInput,
}

/// Money nested under a field, as a quote might carry it.
#[derive(Deserialize)]
struct QuoteRequest {
    send: MoneyInput,
}

fn app() -> Router {
    let routes = Router::new()
        .route(
            "/payments",
            post(|ApiJson(payment): ApiJson<PaymentRequest>| async move {
                Json(MoneyOutput::from(payment.money))
            }),
        )
        .route(
            "/quotes",
            post(|ApiJson(quote): ApiJson<QuoteRequest>| async move {
                Json(MoneyOutput::from(quote.send))
            }),
        )
        .route(
            "/tiny",
            post(
                |ApiJson(money): ApiJson<MoneyInput>| async move { Json(MoneyOutput::from(money)) },
            )
            .layer(DefaultBodyLimit::max(16)),
        );
    web::with_common_layers(routes, false)
}

async fn post_json(path: &str, body: impl Into<Body>) -> Answer {
    let request = request("POST", path)
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request");
    send(&app(), request).await
}

/// Posts a payment whose `amount` is the given JSON text.
async fn pay(amount: &str, currency: &str) -> Answer {
    let body = format!(r#"{{"description": "tea", "amount": {amount}, "currency": {currency}}}"#);
    post_json("/payments", body).await
}

fn assert_refused(answer: &Answer, status: StatusCode, code: &str, param: Option<&str>) {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(answer.error_code(), code, "{}", answer.text());
    let expected_param = param.map_or(serde_json::Value::Null, Into::into);
    assert_eq!(
        answer.json()["error"]["param"],
        expected_param,
        "{}",
        answer.text()
    );
}

fn assert_invalid_amount(answer: &Answer) {
    assert_refused(
        answer,
        StatusCode::BAD_REQUEST,
        "invalid_amount",
        Some("amount"),
    );
}

#[tokio::test]
async fn a_whole_positive_amount_in_a_known_currency_is_accepted() {
    let answer = pay("1050", r#""CNY""#).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.json(),
        serde_json::json!({"amount": 1050, "currency": "CNY"})
    );
}

#[tokio::test]
async fn a_float_amount_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay("10.5", r#""CNY""#).await);
}

#[tokio::test]
async fn a_float_with_a_zero_fraction_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay("10.0", r#""CNY""#).await);
    assert_invalid_amount(&pay("1e3", r#""CNY""#).await);
}

#[tokio::test]
async fn a_string_amount_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay(r#""10.50""#, r#""CNY""#).await);
    assert_invalid_amount(&pay(r#""1050""#, r#""CNY""#).await);
}

#[tokio::test]
async fn a_zero_amount_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay("0", r#""CNY""#).await);
}

#[tokio::test]
async fn a_negative_amount_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay("-100", r#""CNY""#).await);
}

#[tokio::test]
async fn a_null_or_boolean_amount_is_refused_with_invalid_amount() {
    assert_invalid_amount(&pay("null", r#""CNY""#).await);
    assert_invalid_amount(&pay("true", r#""CNY""#).await);
}

#[tokio::test]
async fn the_largest_allowed_amount_is_accepted_and_one_more_is_refused() {
    let largest = pay("1000000000000000", r#""CNY""#).await;
    assert_eq!(largest.status, StatusCode::OK, "{}", largest.text());
    assert_invalid_amount(&pay("1000000000000001", r#""CNY""#).await);
}

#[tokio::test]
async fn an_amount_that_overflows_i64_is_refused_not_wrapped() {
    assert_invalid_amount(&pay("9223372036854775808", r#""CNY""#).await);
    assert_invalid_amount(&pay("99999999999999999999", r#""CNY""#).await);
}

#[tokio::test]
async fn an_unknown_currency_is_refused_with_unknown_currency() {
    let answer = pay("1050", r#""XYZ""#).await;
    assert_refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "unknown_currency",
        Some("currency"),
    );
}

#[tokio::test]
async fn a_lower_case_or_non_string_currency_is_refused_with_unknown_currency() {
    for currency in [r#""cny""#, "156", "null"] {
        let answer = pay("1050", currency).await;
        assert_refused(
            &answer,
            StatusCode::BAD_REQUEST,
            "unknown_currency",
            Some("currency"),
        );
    }
}

#[tokio::test]
async fn a_missing_amount_is_an_invalid_request_naming_amount() {
    let answer = post_json("/payments", r#"{"description": "tea", "currency": "CNY"}"#).await;
    assert_refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("amount"),
    );
}

#[tokio::test]
async fn a_bad_amount_in_nested_money_is_named_by_its_full_path() {
    let answer = post_json(
        "/quotes",
        r#"{"send": {"amount": 10.5, "currency": "USD"}}"#,
    )
    .await;
    assert_refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "invalid_amount",
        Some("send.amount"),
    );
    let answer = post_json("/quotes", r#"{"send": {"amount": 5, "currency": "ABC"}}"#).await;
    assert_refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "unknown_currency",
        Some("send.currency"),
    );
}

#[tokio::test]
async fn a_wrong_type_elsewhere_is_an_invalid_request_naming_the_field() {
    let answer = post_json(
        "/payments",
        r#"{"description": 7, "amount": 1, "currency": "CNY"}"#,
    )
    .await;
    assert_refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("description"),
    );
}

#[tokio::test]
async fn malformed_json_is_refused_with_malformed_json() {
    let answer = post_json("/payments", r#"{"amount": 1050, "currency": "CNY""#).await;
    assert_refused(&answer, StatusCode::BAD_REQUEST, "malformed_json", None);
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_with_body_too_large() {
    let answer = post_json("/payments", ten_megabytes()).await;
    assert_refused(
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        None,
    );
}

#[tokio::test]
async fn a_body_over_a_routes_own_limit_is_refused_with_body_too_large() {
    let answer = post_json("/tiny", r#"{"amount": 1050, "currency": "CNY"}"#).await;
    assert_refused(
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        None,
    );
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_refused_with_unsupported_media_type() {
    let body = r#"{"description": "tea", "amount": 1050, "currency": "CNY"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut builder = request("POST", "/payments");
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        let answer = send(&app(), builder.body(Body::from(body)).expect("request")).await;
        assert_refused(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        );
    }
}

#[tokio::test]
async fn money_errors_are_localized_like_every_other_error() {
    let request = request("POST", "/payments")
        .header("content-type", "application/json")
        .header("accept-language", "zh-CN")
        .body(Body::from(
            r#"{"description": "tea", "amount": 10.5, "currency": "CNY"}"#,
        ))
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.error_field("message"), "金额无效。");
}
