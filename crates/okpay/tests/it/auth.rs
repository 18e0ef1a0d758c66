//! Sign-up and sign-in over HTTP, on both databases.

use domain::notify::OutboxStore;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

const PASSWORD: &str = "plum-orbit-canyon-17";

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("answered")
}

/// The newest code sent to `recipient`, read from the outbox as a person reads their mail.
async fn code_sent_to(app: &TestApp, recipient: &str) -> String {
    let messages = app
        .running
        .store
        .recent_messages(20)
        .await
        .expect("the outbox is readable");
    let message = messages
        .iter()
        .find(|message| message.recipient == recipient)
        .expect("a message was sent");
    message
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .expect("the message carries a 6-digit code")
        .to_owned()
}

on_both_databases!(a_person_registers_confirms_signs_in_reads_their_profile_and_signs_out);
async fn a_person_registers_confirms_signs_in_reads_their_profile_and_signs_out(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let registered = post(
        &app,
        "/api/v1/auth/register",
        json!({"email": "Mei@Example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(registered.status(), 201);
    let body: Value = registered.json().await.expect("JSON");
    assert_eq!(body["status"], "pending_verification");
    let code = code_sent_to(&app, "mei@example.com").await;
    assert!(
        !body.to_string().contains(&code),
        "the code travels by e-mail only"
    );

    let verified = post(
        &app,
        "/api/v1/auth/verify",
        json!({"email": "mei@example.com", "code": code}),
    )
    .await;
    assert_eq!(verified.status(), 200);

    let signed_in = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "mei@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(signed_in.status(), 200);
    let signed_in: Value = signed_in.json().await.expect("JSON");
    let token = signed_in["token"].as_str().expect("a token").to_owned();
    assert_eq!(signed_in["user"]["email"], "mei@example.com");

    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.expect("JSON");
    assert_eq!(me["status"], "active");
    assert!(me.get("password_hash").is_none() && !me.to_string().contains("argon2"));

    let out = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(out.status(), 204);
    let after = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(after.status(), 401);
    assert_eq!(error_code(after).await, "not_signed_in");
    app.stop().await;
}

on_both_databases!(the_fifth_wrong_password_locks_sign_in_and_says_until_when);
async fn the_fifth_wrong_password_locks_sign_in_and_says_until_when(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    post(
        &app,
        "/api/v1/auth/register",
        json!({"phone": "+86 139 0000 1111", "password": PASSWORD}),
    )
    .await;
    let code = code_sent_to(&app, "+8613900001111").await;
    let verified = post(
        &app,
        "/api/v1/auth/verify",
        json!({"phone": "13900001111", "code": code}),
    )
    .await;
    assert_eq!(verified.status(), 200);
    for attempt in 1..=4 {
        let answer = post(
            &app,
            "/api/v1/auth/login",
            json!({"login": "13900001111", "password": "not my password"}),
        )
        .await;
        assert_eq!(answer.status(), 401, "attempt {attempt}");
        assert_eq!(error_code(answer).await, "invalid_credentials");
    }
    let locked = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "13900001111", "password": "not my password"}),
    )
    .await;
    assert_eq!(locked.status(), 423);
    let body: Value = locked.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "account_locked");
    assert_eq!(body["error"]["reason"], "too_many_failures");
    assert!(
        body["error"]["locked_until"]
            .as_str()
            .is_some_and(|until| until.ends_with('Z')),
        "{body}"
    );
    let correct = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "13900001111", "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        correct.status(),
        423,
        "a correct password is refused while locked"
    );
    app.stop().await;
}

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answer_to_register_and_to_sign_in() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let first = post(
        &app,
        "/api/v1/auth/register",
        json!({"email": "taken@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(first.status(), 201);
    let again = post(
        &app,
        "/api/v1/auth/register",
        json!({"email": "taken@example.com", "password": PASSWORD}),
    )
    .await;
    let fresh = post(
        &app,
        "/api/v1/auth/register",
        json!({"email": "fresh@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(again.status(), fresh.status());
    let again: Value = again.json().await.expect("JSON");
    let fresh: Value = fresh.json().await.expect("JSON");
    assert_eq!(again["status"], fresh["status"]);

    let known = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "taken@example.com", "password": "wrong wrong"}),
    )
    .await;
    let unknown = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "nobody@example.com", "password": "wrong wrong"}),
    )
    .await;
    assert_eq!(known.status(), unknown.status());
    let mut known: Value = known.json().await.expect("JSON");
    let mut unknown: Value = unknown.json().await.expect("JSON");
    known["error"]["request_id"] = Value::Null;
    unknown["error"]["request_id"] = Value::Null;
    assert_eq!(known, unknown);
    app.stop().await;
}
