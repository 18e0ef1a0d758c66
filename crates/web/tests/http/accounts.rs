//! Sign-up and sign-in over HTTP: each domain answer becomes its documented status and code.

use std::sync::Arc;

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::fake_accounts::{
    CODE, DATABASE_DOWN, EMAIL, FROZEN, FakeAccounts, HASHING_FAILS, LOCKED, NO_CODE, PASSWORD,
    PENDING, TOKEN, TOKEN_DATABASE_DOWN, USER_ID,
};
use crate::support::{Answer, app, app_with_accounts, get, request, send};

async fn post_json(path: &str, body: Value) -> Answer {
    post_json_to(&app(), path, body, &[]).await
}

async fn post_json_to(
    router: &axum::Router,
    path: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> Answer {
    let mut builder = request("POST", path).header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(Body::from(body.to_string())).expect("request");
    send(router, request).await
}

async fn with_token(method: &str, path: &str, authorization: Option<&str>) -> Answer {
    let mut builder = request(method, path);
    if let Some(authorization) = authorization {
        builder = builder.header("authorization", authorization);
    }
    send(&app(), builder.body(Body::empty()).expect("request")).await
}

fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(answer.error_code(), code, "{}", answer.text());
    assert!(!answer.error_field("message").is_empty());
    assert!(!answer.error_field("next_step").is_empty());
}

#[tokio::test]
async fn registering_answers_201_pending_verification_and_never_the_code() {
    let accounts = Arc::new(FakeAccounts::default());
    let router = app_with_accounts(accounts.clone());
    let answer = post_json_to(
        &router,
        "/api/v1/auth/register",
        json!({"email": EMAIL, "password": PASSWORD}),
        &[],
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({"user_id": USER_ID, "status": "pending_verification"})
    );
    let sent = accounts.sent_codes();
    assert_eq!(sent.len(), 1, "the fake should have sent one code");
    assert!(!answer.text().contains(&sent[0]), "{}", answer.text());
}

#[tokio::test]
async fn registering_with_a_phone_number_answers_the_same_way() {
    let answer = post_json(
        "/api/v1/auth/register",
        json!({"phone": "+8613800138000", "password": PASSWORD, "locale": "zh-CN"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(answer.json()["status"], "pending_verification");
}

#[tokio::test]
async fn registering_needs_exactly_one_of_email_and_phone() {
    let neither = post_json("/api/v1/auth/register", json!({"password": PASSWORD})).await;
    assert_error(&neither, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(neither.error_field("param"), "email");
    let both = post_json(
        "/api/v1/auth/register",
        json!({"email": EMAIL, "phone": "+8613800138000", "password": PASSWORD}),
    )
    .await;
    assert_error(&both, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn a_malformed_address_is_invalid_login_naming_its_field() {
    for (field, value) in [("email", "not-an-address@"), ("phone", "12")] {
        let answer = post_json(
            "/api/v1/auth/register",
            json!({field: value, "password": PASSWORD}),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_login");
        assert_eq!(answer.error_field("param"), field);
    }
}

#[tokio::test]
async fn an_unknown_locale_is_an_invalid_request_naming_locale() {
    let answer = post_json(
        "/api/v1/auth/register",
        json!({"email": EMAIL, "password": PASSWORD, "locale": "fr"}),
    )
    .await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(answer.error_field("param"), "locale");
}

#[tokio::test]
async fn each_weak_password_has_its_own_code_naming_the_password() {
    for (password, code) in [
        ("short", "password_too_short"),
        ("long", "password_too_long"),
        ("password1", "password_too_common"),
        ("li.lei@example.com!", "password_contains_personal_info"),
    ] {
        let answer = post_json(
            "/api/v1/auth/register",
            json!({"email": EMAIL, "password": password}),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
        assert_eq!(answer.error_field("param"), "password");
    }
}

#[tokio::test]
async fn a_too_short_password_says_the_minimum_length() {
    let answer = post_json(
        "/api/v1/auth/register",
        json!({"email": EMAIL, "password": "short"}),
    )
    .await;
    assert_eq!(answer.error_field("length_min"), "8");
}

#[tokio::test]
async fn a_database_outage_is_503_and_a_hashing_failure_is_500() {
    let down = post_json(
        "/api/v1/auth/register",
        json!({"email": DATABASE_DOWN, "password": PASSWORD}),
    )
    .await;
    assert_error(
        &down,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
    let hashing = post_json(
        "/api/v1/auth/register",
        json!({"email": HASHING_FAILS, "password": PASSWORD}),
    )
    .await;
    assert_error(
        &hashing,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
    );
}

#[tokio::test]
async fn the_right_code_makes_the_account_active() {
    let answer = post_json("/api/v1/auth/verify", json!({"email": EMAIL, "code": CODE})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json(), json!({"status": "active"}));
}

#[tokio::test]
async fn each_refused_code_has_its_own_code() {
    for (email, code, expected) in [
        (EMAIL, "000000", "code_wrong"),
        (EMAIL, "expired", "code_expired"),
        (EMAIL, "exhausted", "code_attempts_exhausted"),
        (NO_CODE, CODE, "no_code_pending"),
    ] {
        let answer = post_json("/api/v1/auth/verify", json!({"email": email, "code": code})).await;
        assert_error(&answer, StatusCode::BAD_REQUEST, expected);
    }
    let wrong = post_json(
        "/api/v1/auth/verify",
        json!({"email": EMAIL, "code": "000000"}),
    )
    .await;
    assert_eq!(wrong.error_field("param"), "code");
}

#[tokio::test]
async fn signing_in_answers_the_token_and_the_user() {
    let answer = post_json(
        "/api/v1/auth/login",
        json!({"login": EMAIL, "password": PASSWORD}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({
            "token": TOKEN,
            "user": {
                "id": USER_ID,
                "email": EMAIL,
                "phone": null,
                "status": "active",
                "locale": "zh-CN",
                "created_at": "2026-11-23T11:09:10Z",
            }
        })
    );
    assert!(!answer.text().contains("argon2"), "{}", answer.text());
}

#[tokio::test]
async fn a_wrong_password_is_401_invalid_credentials() {
    let answer = post_json(
        "/api/v1/auth/login",
        json!({"login": EMAIL, "password": "wrong", "totp_code": "123456"}),
    )
    .await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn a_locked_account_is_423_with_locked_until_and_reason() {
    let answer = post_json(
        "/api/v1/auth/login",
        json!({"login": LOCKED, "password": PASSWORD}),
    )
    .await;
    assert_error(&answer, StatusCode::LOCKED, "account_locked");
    assert_eq!(answer.error_field("locked_until"), "2027-01-15T08:00:00Z");
    assert_eq!(answer.error_field("reason"), "too_many_failures");
    assert!(!answer.error_field("request_id").is_empty());
}

#[tokio::test]
async fn a_locked_account_tells_a_chinese_reader_to_wait_or_reset_the_password() {
    let answer = post_json_to(
        &app(),
        "/api/v1/auth/login",
        json!({"login": LOCKED, "password": PASSWORD}),
        &[("accept-language", "zh-CN")],
    )
    .await;
    let next_step = answer.error_field("next_step");
    assert!(next_step.contains("重置密码"), "{next_step}");
}

#[tokio::test]
async fn frozen_and_unverified_accounts_are_403_with_their_codes() {
    for (login, code) in [
        (FROZEN, "account_frozen"),
        (PENDING, "address_not_verified"),
    ] {
        let answer = post_json(
            "/api/v1/auth/login",
            json!({"login": login, "password": PASSWORD}),
        )
        .await;
        assert_error(&answer, StatusCode::FORBIDDEN, code);
    }
}

#[tokio::test]
async fn signing_in_while_the_database_is_down_is_503() {
    let answer = post_json(
        "/api/v1/auth/login",
        json!({"login": DATABASE_DOWN, "password": PASSWORD}),
    )
    .await;
    assert_error(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
}

#[tokio::test]
async fn me_without_a_token_is_401_not_signed_in() {
    let answer = get(&app(), "/api/v1/me").await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(answer.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn me_with_an_unknown_token_or_another_scheme_is_401_not_signed_in() {
    for authorization in ["Bearer tok_unknown", "Basic dXNlcjpwYXNz", "Bearer "] {
        let answer = with_token("GET", "/api/v1/me", Some(authorization)).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "not_signed_in");
    }
}

#[tokio::test]
async fn me_with_a_live_token_answers_the_user() {
    let answer = with_token("GET", "/api/v1/me", Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let user = answer.json();
    assert_eq!(user["id"], USER_ID);
    assert_eq!(user["created_at"], "2026-11-23T11:09:10Z");
    assert!(user.get("password_hash").is_none(), "{user}");
}

#[tokio::test]
async fn a_token_lookup_while_the_database_is_down_is_503() {
    let answer = with_token(
        "GET",
        "/api/v1/me",
        Some(&format!("Bearer {TOKEN_DATABASE_DOWN}")),
    )
    .await;
    assert_error(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
}

#[tokio::test]
async fn signing_out_answers_204_and_needs_a_token() {
    let answer = with_token(
        "POST",
        "/api/v1/auth/logout",
        Some(&format!("Bearer {TOKEN}")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    assert!(answer.body.is_empty());
    let without = with_token("POST", "/api/v1/auth/logout", None).await;
    assert_error(&without, StatusCode::UNAUTHORIZED, "not_signed_in");
}
