//! Sign-in security over HTTP on both databases: password reset, two-factor sign-in, step-up,
//! sessions, login history and alerts, the freeze, the message center, rate limits and staff.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::AuditStore;
use domain::identity::{ActionToken, MoneyOutRefusal, TokenPurpose};
use domain::notify::OutboxStore;
use domain::staff::StaffRole;
use domain::store_port::SecurityStore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app, spawn_app_with};

const PASSWORD: &str = "plum-orbit-canyon-17";
const NEW_PASSWORD: &str = "velvet-harbor-quartz-42";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("answered")
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, path, token, &[], Some(body)).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    send(app, reqwest::Method::GET, path, Some(token), &[], None).await
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// The newest 6-digit code sent to `recipient` whose message mentions `about`, waiting a little
/// for work done after the answer (password reset requests).
async fn code_sent_to(app: &TestApp, recipient: &str, about: &str) -> String {
    for _ in 0..100 {
        let messages = app.running.store.recent_messages(50).await.expect("outbox");
        let found = messages.iter().find(|message| {
            message.recipient == recipient
                && (message.subject.contains(about) || message.body.contains(about))
        });
        if let Some(message) = found {
            return message
                .body
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .expect("the message carries a 6-digit code")
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no message about {about:?} reached {recipient}");
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    user_agent: &str,
) -> reqwest::Response {
    send(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        &[("user-agent", user_agent)],
        Some(json!({"login": email, "password": password})),
    )
    .await
}

async fn token_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    json_of(response).await["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// Registers, confirms and signs in `email`; returns the session token.
async fn signed_up(app: &TestApp, email: &str) -> String {
    let registered = post(
        app,
        "/api/v1/auth/register",
        None,
        json!({"email": email, "password": PASSWORD, "locale": "en"}),
    )
    .await;
    assert_eq!(registered.status(), 201);
    let code = code_sent_to(app, email, "verification code").await;
    let verified = post(
        app,
        "/api/v1/auth/verify",
        None,
        json!({"email": email, "code": code}),
    )
    .await;
    assert_eq!(verified.status(), 200);
    token_of(sign_in(app, email, PASSWORD, "test-browser/1").await).await
}

/// An authenticator app: the code of the step holding `at`.
fn totp_code(secret_base32: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a Base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build_noncompliant()
        .generate(at as u64)
        .to_string()
}

/// Waits (at most a few seconds) until the current 30-second step has ten seconds left, so
/// codes of the steps before and after stay within the accepted window for the whole test.
async fn steady_step() -> i64 {
    let left = 30 - now().rem_euclid(30);
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    now()
}

/// Turns two-factor sign-in on with the code of the step before now; returns the secret and the
/// recovery codes. The current and next steps stay unused for the test.
async fn enable_totp(app: &TestApp, token: &str, at: i64) -> (String, Vec<String>) {
    let setup = post(app, "/api/v1/me/totp/setup", Some(token), json!({})).await;
    assert_eq!(setup.status(), 200);
    let setup = json_of(setup).await;
    let secret = setup["secret"].as_str().expect("a secret").to_owned();
    let uri = setup["otpauth_uri"].as_str().expect("a URI");
    assert!(
        uri.starts_with("otpauth://totp/OKPay:") && uri.contains(&secret),
        "{uri}"
    );
    assert!(
        setup["qr_svg"]
            .as_str()
            .is_some_and(|svg| svg.contains("<svg"))
    );
    let enabled = post(
        app,
        "/api/v1/me/totp/enable",
        Some(token),
        json!({"code": totp_code(&secret, at - 30)}),
    )
    .await;
    assert_eq!(enabled.status(), 200);
    let codes: Vec<String> = json_of(enabled).await["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|code| code.as_str().expect("text").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn login_with_code(
    app: &TestApp,
    email: &str,
    password: &str,
    code: &str,
) -> reqwest::Response {
    post(
        app,
        "/api/v1/auth/login",
        None,
        json!({"login": email, "password": password, "totp_code": code}),
    )
    .await
}

on_both_databases!(a_reset_answers_alike_for_any_address_and_its_code_sets_a_password_clears_the_lock_and_ends_every_session);
async fn a_reset_answers_alike_for_any_address_and_its_code_sets_a_password_clears_the_lock_and_ends_every_session(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "reset@example.com";
    let token = signed_up(&app, email).await;
    for _ in 0..5 {
        sign_in(&app, email, "not the password", "x").await;
    }
    assert_eq!(sign_in(&app, email, PASSWORD, "x").await.status(), 423);

    let known = post(
        &app,
        "/api/v1/auth/password-reset/request",
        None,
        json!({"login": email}),
    )
    .await;
    let unknown = post(
        &app,
        "/api/v1/auth/password-reset/request",
        None,
        json!({"login": "nobody@example.com"}),
    )
    .await;
    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (202, 202)
    );
    assert_eq!(
        known.text().await.expect("body"),
        unknown.text().await.expect("body")
    );
    let code = code_sent_to(&app, email, "reset code").await;

    let confirm = |code: String, password: &'static str| {
        post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"login": email, "code": code, "new_password": password}),
        )
    };
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = confirm(wrong.to_owned(), NEW_PASSWORD).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(error_code(refused).await, "code_wrong");
    let weak = confirm(code.clone(), "password").await;
    assert_eq!(error_code(weak).await, "password_too_common");
    let done = confirm(code.clone(), NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
    assert_eq!(
        error_code(confirm(code, NEW_PASSWORD).await).await,
        "no_code_pending"
    );

    assert_eq!(
        get(&app, "/api/v1/me", &token).await.status(),
        401,
        "every session ended"
    );
    assert_eq!(sign_in(&app, email, PASSWORD, "x").await.status(), 401);
    let fresh = token_of(sign_in(&app, email, NEW_PASSWORD, "x").await).await;
    let messages = json_of(get(&app, "/api/v1/messages", &fresh).await).await;
    let kinds: Vec<&str> = messages["data"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|message| message["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"password_changed") && kinds.contains(&"account_locked"),
        "{kinds:?}"
    );
    app.stop().await;
}

on_both_databases!(a_reset_never_gets_around_two_factor_sign_in);
async fn a_reset_never_gets_around_two_factor_sign_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "reset-2fa@example.com";
    let token = signed_up(&app, email).await;
    let at = steady_step().await;
    let (secret, _) = enable_totp(&app, &token, at).await;
    post(
        &app,
        "/api/v1/auth/password-reset/request",
        None,
        json!({"login": email}),
    )
    .await;
    let code = code_sent_to(&app, email, "reset code").await;
    let confirm = |totp: Option<String>| {
        post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"login": email, "code": code, "new_password": NEW_PASSWORD, "totp_code": totp}),
        )
    };
    let without = confirm(None).await;
    assert_eq!(without.status(), 401);
    assert_eq!(error_code(without).await, "totp_required");
    let replayed = confirm(Some(totp_code(&secret, at - 30))).await;
    assert_eq!(
        error_code(replayed).await,
        "totp_invalid",
        "the step enabling used"
    );
    assert_eq!(
        sign_in(&app, email, NEW_PASSWORD, "x").await.status(),
        401,
        "unchanged so far"
    );
    let done = confirm(Some(totp_code(&secret, at))).await;
    assert_eq!(done.status(), 200);
    let after = sign_in(&app, email, NEW_PASSWORD, "x").await;
    assert_eq!(
        error_code(after).await,
        "totp_required",
        "two-factor stays on"
    );
    app.stop().await;
}

on_both_databases!(two_factor_sign_in_asks_for_the_code_and_takes_each_code_once);
async fn two_factor_sign_in_asks_for_the_code_and_takes_each_code_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "totp@example.com";
    let first = signed_up(&app, email).await;
    let second = token_of(sign_in(&app, email, PASSWORD, "test-browser/1").await).await;
    let at = steady_step().await;
    let (secret, recovery) = enable_totp(&app, &first, at).await;
    assert_eq!(
        get(&app, "/api/v1/me", &second).await.status(),
        401,
        "other sessions end"
    );
    assert_eq!(get(&app, "/api/v1/me", &first).await.status(), 200);
    let again = post(&app, "/api/v1/me/totp/setup", Some(&first), json!({})).await;
    assert_eq!(error_code(again).await, "totp_already_enabled");

    let without = sign_in(&app, email, PASSWORD, "x").await;
    assert_eq!(without.status(), 401);
    assert_eq!(error_code(without).await, "totp_required");
    let wrong_password =
        login_with_code(&app, email, "wrong password", &totp_code(&secret, at)).await;
    assert_eq!(error_code(wrong_password).await, "invalid_credentials");
    let code = totp_code(&secret, at);
    assert_eq!(
        login_with_code(&app, email, PASSWORD, &code).await.status(),
        200
    );
    let replay = login_with_code(&app, email, PASSWORD, &code).await;
    assert_eq!(replay.status(), 401);
    assert_eq!(error_code(replay).await, "totp_invalid");
    let older = login_with_code(&app, email, PASSWORD, &totp_code(&secret, at - 30)).await;
    assert_eq!(
        error_code(older).await,
        "totp_invalid",
        "an earlier step is spent too"
    );

    assert_eq!(
        login_with_code(&app, email, PASSWORD, &recovery[0])
            .await
            .status(),
        200
    );
    let reused = login_with_code(&app, email, PASSWORD, &recovery[0].to_uppercase()).await;
    assert_eq!(
        error_code(reused).await,
        "totp_invalid",
        "a recovery code works once"
    );
    let overview = json_of(get(&app, "/api/v1/me/security", &first).await).await;
    assert_eq!(overview["totp_enabled"], true);
    assert_eq!(overview["recovery_codes_left"], 9);
    app.stop().await;
}

on_both_databases!(fifty_parallel_sign_ins_with_one_code_succeed_exactly_once);
async fn fifty_parallel_sign_ins_with_one_code_succeed_exactly_once(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "parallel@example.com";
    let token = signed_up(&app, email).await;
    let at = steady_step().await;
    let (secret, _) = enable_totp(&app, &token, at).await;
    let code = totp_code(&secret, at);
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/login");
        let body = json!({"login": email, "password": PASSWORD, "totp_code": code});
        attempts.spawn(async move {
            let answer = client.post(url).json(&body).send().await.expect("answered");
            answer.status().as_u16()
        });
    }
    let statuses = attempts.join_all().await;
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        1,
        "{statuses:?}"
    );
    // The others are refused as replays (401), and after five of those the lock (423) answers.
    assert!(
        statuses
            .iter()
            .all(|status| [200, 401, 423].contains(status)),
        "{statuses:?}"
    );
    app.stop().await;
}

async fn change_password(app: &TestApp, token: &str, step_up: Option<&str>) -> reqwest::Response {
    let headers: Vec<(&str, &str)> = step_up
        .map(|value| ("x-step-up-token", value))
        .into_iter()
        .collect();
    send(
        app,
        reqwest::Method::POST,
        "/api/v1/me/password",
        Some(token),
        &headers,
        Some(json!({"new_password": NEW_PASSWORD})),
    )
    .await
}

async fn disable_totp(app: &TestApp, token: &str, step_up: Option<&str>) -> reqwest::Response {
    let headers: Vec<(&str, &str)> = step_up
        .map(|value| ("x-step-up-token", value))
        .into_iter()
        .collect();
    send(
        app,
        reqwest::Method::POST,
        "/api/v1/me/totp/disable",
        Some(token),
        &headers,
        None,
    )
    .await
}

on_both_databases!(a_step_up_token_works_once_for_its_own_action_and_user_within_five_minutes);
async fn a_step_up_token_works_once_for_its_own_action_and_user_within_five_minutes(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "stepup@example.com";
    let token = signed_up(&app, email).await;
    let other = signed_up(&app, "other@example.com").await;
    let missing = change_password(&app, &token, None).await;
    assert_eq!(missing.status(), 403);
    let body = json_of(missing).await;
    assert_eq!(body["error"]["code"], "step_up_required");
    assert_eq!(body["error"]["action"], "password.change");

    // Without two-factor sign-in, the first call sends a code, the second trades it for a token.
    let sent = post(
        &app,
        "/api/v1/me/step-up",
        Some(&token),
        json!({"action": "password.change"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    assert_eq!(json_of(sent).await["channel"], "email");
    let code = code_sent_to(&app, email, "security code").await;
    let granted = post(
        &app,
        "/api/v1/me/step-up",
        Some(&token),
        json!({"action": "password.change", "code": code}),
    )
    .await;
    assert_eq!(granted.status(), 200);
    let step_up = json_of(granted).await["step_up_token"]
        .as_str()
        .expect("a token")
        .to_owned();

    let someone_else = change_password(&app, &other, Some(&step_up)).await;
    assert_eq!(
        error_code(someone_else).await,
        "step_up_invalid",
        "bound to its user"
    );
    let made_up = change_password(&app, &token, Some("not-a-token")).await;
    assert_eq!(error_code(made_up).await, "step_up_invalid");
    assert_eq!(
        change_password(&app, &token, Some(&step_up)).await.status(),
        204
    );
    let reused = change_password(&app, &token, Some(&step_up)).await;
    assert_eq!(error_code(reused).await, "step_up_invalid", "single use");

    // A token for another action is refused (and not used up); an expired one too.
    let store = &app.running.store;
    let user_id = json_of(get(&app, "/api/v1/me", &token).await).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    for (raw, action, expires_at) in [
        ("token-for-email", "email.change", now() + 300),
        ("token-expired", "password.change", now() - 1),
    ] {
        store
            .insert_token(&ActionToken {
                digest: Sha256::digest(raw.as_bytes())
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect(),
                purpose: TokenPurpose::StepUp,
                owner: user_id.clone(),
                action: action.to_owned(),
                detail: String::new(),
                created_at: now() - 400,
                expires_at,
                used_at: None,
            })
            .await
            .expect("stored");
        let refused = change_password(&app, &token, Some(raw)).await;
        assert_eq!(error_code(refused).await, "step_up_invalid", "{raw}");
    }
    let unknown_action = post(
        &app,
        "/api/v1/me/step-up",
        Some(&token),
        json!({"action": "fly"}),
    )
    .await;
    assert_eq!(error_code(unknown_action).await, "invalid_request");
    app.stop().await;
}

on_both_databases!(turning_two_factor_off_needs_a_step_up_with_a_fresh_code);
async fn turning_two_factor_off_needs_a_step_up_with_a_fresh_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "off@example.com";
    let token = signed_up(&app, email).await;
    let at = steady_step().await;
    let (secret, _) = enable_totp(&app, &token, at).await;
    let missing = disable_totp(&app, &token, None).await;
    assert_eq!(error_code(missing).await, "step_up_required");
    let no_code = post(
        &app,
        "/api/v1/me/step-up",
        Some(&token),
        json!({"action": "totp.disable"}),
    )
    .await;
    assert_eq!(error_code(no_code).await, "totp_required");
    let granted = post(
        &app,
        "/api/v1/me/step-up",
        Some(&token),
        json!({"action": "totp.disable", "code": totp_code(&secret, at)}),
    )
    .await;
    assert_eq!(granted.status(), 200);
    let step_up = json_of(granted).await["step_up_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        disable_totp(&app, &token, Some(&step_up)).await.status(),
        204
    );
    assert_eq!(
        sign_in(&app, email, PASSWORD, "test-browser/1")
            .await
            .status(),
        200
    );
    app.stop().await;
}

on_both_databases!(sessions_are_listed_and_a_revoked_session_token_gets_401);
async fn sessions_are_listed_and_a_revoked_session_token_gets_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "sessions@example.com";
    let first = signed_up(&app, email).await;
    let second = token_of(sign_in(&app, email, PASSWORD, "test-phone/2").await).await;
    let listed = json_of(get(&app, "/api/v1/me/sessions", &first).await).await;
    let sessions = listed["data"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let current: Vec<&Value> = sessions
        .iter()
        .filter(|session| session["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "test-browser/1");
    let other = sessions
        .iter()
        .find(|session| session["current"] == false)
        .expect("the other session");
    assert_eq!(other["user_agent"], "test-phone/2");
    let id = other["id"].as_str().expect("an id");
    let revoke = |path: String| {
        let (app, first) = (&app, &first);
        async move {
            send(app, reqwest::Method::DELETE, &path, Some(first), &[], None)
                .await
                .status()
        }
    };
    let path = format!("/api/v1/me/sessions/{id}");
    assert_eq!(revoke(path.clone()).await, 204);
    let after = get(&app, "/api/v1/me", &second).await;
    assert_eq!(after.status(), 401);
    assert_eq!(error_code(after).await, "not_signed_in");
    assert_eq!(revoke(path).await, 404);
    assert_eq!(revoke("/api/v1/me/sessions/ses_none".to_owned()).await, 404);
    app.stop().await;
}

on_both_databases!(a_sign_in_from_a_new_device_alerts_and_its_link_freezes_the_account);
async fn a_sign_in_from_a_new_device_alerts_and_its_link_freezes_the_account(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "alert@example.com";
    let token = signed_up(&app, email).await;
    sign_in(&app, email, "wrong password", "test-browser/1").await;
    let same = token_of(sign_in(&app, email, PASSWORD, "test-browser/1").await).await;
    let quiet = json_of(get(&app, "/api/v1/messages", &same).await).await;
    assert_eq!(
        quiet["unread"], 0,
        "a known device and network raise no alert"
    );
    let intruder = token_of(sign_in(&app, email, PASSWORD, "stranger-device/9").await).await;

    let history = json_of(get(&app, "/api/v1/me/logins?limit=10", &token).await).await;
    let outcomes: Vec<&str> = history["data"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|row| row["outcome"].as_str())
        .collect();
    assert_eq!(
        outcomes,
        ["signed_in", "signed_in", "wrong_password", "signed_in"]
    );
    assert_eq!(history["data"][0]["user_agent"], "stranger-device/9");
    assert_eq!(history["data"][0]["ip"], "127.0.0.1");

    let messages = json_of(get(&app, "/api/v1/messages", &token).await).await;
    assert_eq!(messages["unread"], 1);
    let alert = &messages["data"][0];
    assert_eq!(alert["kind"], "new_sign_in");
    assert!(
        alert["body"]
            .as_str()
            .is_some_and(|body| body.contains("stranger-device/9"))
    );
    let chinese = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/messages",
        Some(&token),
        &[("accept-language", "zh-CN")],
        None,
    )
    .await;
    assert!(
        json_of(chinese).await["data"][0]["title"]
            .as_str()
            .is_some_and(|title| title.contains("登录"))
    );
    let mail = app.running.store.recent_messages(20).await.expect("outbox");
    let mail = mail
        .iter()
        .find(|message| message.body.contains("/not-me/"))
        .expect("an alert e-mail");
    assert_eq!(mail.recipient, email);
    let link_token = mail.body.split("/not-me/").nth(1).expect("a link")[..64].to_owned();

    let preview = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/not-me/{link_token}"),
        None,
        &[],
        None,
    )
    .await;
    let preview = json_of(preview).await;
    assert_eq!(preview["status"], "pending");
    assert!(
        preview["sign_in"]
            .as_str()
            .is_some_and(|text| text.contains("stranger-device/9"))
    );
    assert_eq!(
        get(&app, "/api/v1/me", &intruder).await.status(),
        200,
        "a look changes nothing"
    );
    let frozen = post(
        &app,
        &format!("/api/v1/not-me/{link_token}"),
        None,
        json!({}),
    )
    .await;
    assert_eq!(json_of(frozen).await["status"], "frozen");
    assert_eq!(get(&app, "/api/v1/me", &intruder).await.status(), 401);
    let refused = sign_in(&app, email, PASSWORD, "test-browser/1").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "account_frozen");
    let unknown = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/not-me/nonsense",
        None,
        &[],
        None,
    )
    .await;
    assert_eq!(error_code(unknown).await, "link_invalid");
    app.stop().await;
}

on_both_databases!(the_emergency_freeze_ends_sessions_and_blocks_sign_in_and_money_out);
async fn the_emergency_freeze_ends_sessions_and_blocks_sign_in_and_money_out(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "freeze@example.com";
    let token = signed_up(&app, email).await;
    let user_id = json_of(get(&app, "/api/v1/me", &token).await).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    accounts
        .ensure_may_move_money_out(&user_id)
        .await
        .expect("money may leave");
    let frozen = post(&app, "/api/v1/me/freeze", Some(&token), json!({})).await;
    assert_eq!(frozen.status(), 200);
    assert_eq!(get(&app, "/api/v1/me", &token).await.status(), 401);
    let refused = sign_in(&app, email, PASSWORD, "test-browser/1").await;
    assert_eq!(refused.status(), 403);
    let body = json_of(refused).await;
    assert_eq!(body["error"]["code"], "account_frozen");
    assert!(
        body["error"]["next_step"]
            .as_str()
            .is_some_and(|step| step.contains("help center"))
    );
    assert!(matches!(
        accounts.ensure_may_move_money_out(&user_id).await,
        Err(MoneyOutRefusal::Frozen)
    ));
    let mail = app.running.store.recent_messages(5).await.expect("outbox");
    assert!(
        mail.iter()
            .any(|message| message.recipient == email && message.subject.contains("frozen"))
    );
    app.stop().await;
}

on_both_databases!(the_message_center_counts_unread_and_marks_read);
async fn the_message_center_counts_unread_and_marks_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "messages@example.com";
    let token = signed_up(&app, email).await;
    // Each sign-in from a new device leaves one notice; a refused sign-in would leave none, so
    // say so here rather than as a wrong count below.
    for device in ["device-a", "device-b"] {
        let signed_in = sign_in(&app, email, PASSWORD, device).await;
        assert_eq!(signed_in.status(), 200, "signing in from {device}");
    }
    let unread = json_of(get(&app, "/api/v1/messages/unread-count", &token).await).await;
    assert_eq!(unread["unread"], 2);
    let page = json_of(get(&app, "/api/v1/messages?limit=1", &token).await).await;
    assert_eq!(page["has_more"], true);
    let newest = page["data"][0]["id"].as_str().expect("an id").to_owned();
    let next = json_of(
        get(
            &app,
            &format!("/api/v1/messages?limit=1&starting_after={newest}"),
            &token,
        )
        .await,
    )
    .await;
    assert_eq!(next["has_more"], false);
    assert_ne!(next["data"][0]["id"], page["data"][0]["id"]);
    let read = post(
        &app,
        &format!("/api/v1/messages/{newest}/read"),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(read.status(), 204);
    let again = post(
        &app,
        &format!("/api/v1/messages/{newest}/read"),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(again.status(), 404);
    assert_eq!(
        json_of(get(&app, "/api/v1/messages/unread-count", &token).await).await["unread"],
        1
    );
    post(&app, "/api/v1/messages/read-all", Some(&token), json!({})).await;
    assert_eq!(
        json_of(get(&app, "/api/v1/messages", &token).await).await["unread"],
        0
    );
    let bad = get(&app, "/api/v1/messages?limit=1000", &token).await;
    assert_eq!(error_code(bad).await, "invalid_request");
    app.stop().await;
}

on_both_databases!(too_many_sign_in_requests_from_one_address_get_429_with_retry_after);
async fn too_many_sign_in_requests_from_one_address_get_429_with_retry_after(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 3).await
    else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(
            sign_in(&app, "a@example.com", "whatever1", "x")
                .await
                .status(),
            401
        );
    }
    let limited = sign_in(&app, "a@example.com", "whatever1", "x").await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(error_code(limited).await, "rate_limited");
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "other routes are not limited"
    );
    app.stop().await;
}

/// Creates a staff member with `role`, finishes their set-up and signs them in.
async fn staff_token(app: &TestApp, email: &str, role: StaffRole) -> String {
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let created = accounts
        .create_staff(email, None, role, "en", now())
        .await
        .expect("created");
    let path = format!("/api/v1/staff/setup/{}", created.setup_token);
    let setup = app.get(&path).await;
    assert_eq!(setup.status(), 200);
    let setup = json_of(setup).await;
    assert_eq!(setup["role"], role.name());
    let secret = setup["secret"].as_str().expect("a secret").to_owned();
    let at = steady_step().await;
    let finished = post(
        app,
        &path,
        None,
        json!({"password": PASSWORD, "totp_code": totp_code(&secret, at - 30)}),
    )
    .await;
    assert_eq!(finished.status(), 200);
    assert_eq!(
        error_code(app.get(&path).await).await,
        "link_invalid",
        "the link works once"
    );
    let login = |code: Option<String>| {
        post(
            app,
            "/api/v1/staff/login",
            None,
            json!({"email": email, "password": PASSWORD, "totp_code": code}),
        )
    };
    assert_eq!(error_code(login(None).await).await, "totp_required");
    let signed_in = login(Some(totp_code(&secret, at))).await;
    assert_eq!(signed_in.status(), 200);
    json_of(signed_in).await["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

on_both_databases!(staff_sign_in_with_totp_and_only_the_security_role_unlocks_and_unfreezes);
async fn staff_sign_in_with_totp_and_only_the_security_role_unlocks_and_unfreezes(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "customer@example.com";
    let user_token = signed_up(&app, email).await;
    let user_id = json_of(get(&app, "/api/v1/me", &user_token).await).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..5 {
        sign_in(&app, email, "not the password", "x").await;
    }
    post(&app, "/api/v1/me/freeze", Some(&user_token), json!({})).await;

    let security = staff_token(&app, "sec@okpay.test", StaffRole::Security).await;
    let agent = staff_token(&app, "agent@okpay.test", StaffRole::Agent).await;
    let finance = staff_token(&app, "fin@okpay.test", StaffRole::Finance).await;

    let find = format!("/api/v1/staff/users?query={email}");
    let status_path = format!("/api/v1/staff/users/{user_id}");
    let unlock_path = format!("/api/v1/staff/users/{user_id}/unlock");
    let unfreeze_path = format!("/api/v1/staff/users/{user_id}/unfreeze");
    let reason = json!({"reason": "Identity confirmed by video call, ticket tkt_42"});

    // A user's token is no staff session, and each route checks the role.
    for path in [&find, &status_path] {
        assert_eq!(get(&app, path, &user_token).await.status(), 401, "{path}");
        assert_eq!(
            error_code(get(&app, path, &finance).await).await,
            "staff_role_forbidden",
            "{path}"
        );
    }
    for path in [&unlock_path, &unfreeze_path] {
        assert_eq!(post(&app, path, None, reason.clone()).await.status(), 401);
        assert_eq!(
            post(&app, path, Some(&user_token), reason.clone())
                .await
                .status(),
            401
        );
        for staff in [&agent, &finance] {
            assert_eq!(
                error_code(post(&app, path, Some(staff), reason.clone()).await).await,
                "staff_role_forbidden"
            );
        }
    }

    let found = json_of(get(&app, &find, &agent).await).await;
    assert_eq!(found["id"], user_id.as_str());
    let status = json_of(get(&app, &status_path, &security).await).await;
    assert_eq!(status["frozen"], true);
    assert_eq!(status["active_lock"]["reason"], "too_many_failures");
    assert!(
        status["logins"]
            .as_array()
            .is_some_and(|logins| logins.len() >= 6)
    );

    let no_reason = post(&app, &unlock_path, Some(&security), json!({"reason": " "})).await;
    assert_eq!(error_code(no_reason).await, "reason_required");
    assert_eq!(
        post(&app, &unlock_path, Some(&security), reason.clone())
            .await
            .status(),
        204
    );
    assert_eq!(
        post(&app, &unfreeze_path, Some(&security), reason.clone())
            .await
            .status(),
        204
    );
    let again = post(&app, &unfreeze_path, Some(&security), reason.clone()).await;
    assert_eq!(error_code(again).await, "account_not_frozen");
    assert_eq!(sign_in(&app, email, PASSWORD, "x").await.status(), 200);

    let audit = app
        .running
        .store
        .verify_audit()
        .await
        .expect("the audit log reads");
    assert!(audit.is_intact(), "{audit}");
    assert!(audit.rows_checked >= 15, "{audit}");
    app.stop().await;
}

on_both_databases!(staff_create_prints_a_one_time_set_up_link_and_refuses_unknown_roles);
async fn staff_create_prints_a_one_time_set_up_link_and_refuses_unknown_roles(backend: Backend) {
    let Some(database) = crate::helpers::TestDatabase::new(backend).await else {
        return;
    };
    let created = database.okpay(&[
        "staff",
        "create",
        "--email",
        "Lin@OKPay.test",
        "--role",
        "security",
    ]);
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(
        stdout.contains("lin@okpay.test") && stdout.contains("security"),
        "{stdout}"
    );
    let link = stdout.lines().last().expect("the link");
    let token = link.split("/staff/setup/").nth(1).expect("a set-up link");
    assert_eq!(token.len(), 64, "{link}");
    let again = database.okpay(&[
        "staff",
        "create",
        "--email",
        "lin@okpay.test",
        "--role",
        "security",
    ]);
    assert!(!again.status.success(), "an e-mail is one staff member");
    let wrong = database.okpay(&[
        "staff",
        "create",
        "--email",
        "x@okpay.test",
        "--role",
        "owner",
    ]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("is not a role"));
}

on_both_databases!(the_reset_pages_set_a_new_password_and_the_not_me_page_freezes_the_account);
async fn the_reset_pages_set_a_new_password_and_the_not_me_page_freezes_the_account(
    backend: Backend,
) {
    use crate::pages::{Jar, csrf_token, get as get_page, post as post_page};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "pages@example.com";
    signed_up(&app, email).await;
    let mut jar = Jar::default();
    let form = get_page(&app, &mut jar, "/password-reset").await;
    assert_eq!(form.status, 200);
    for login in [email, "nobody@example.com"] {
        let asked = post_page(
            &app,
            &mut jar,
            "/password-reset",
            &[("csrf_token", &csrf_token(&form)), ("login", login)],
        )
        .await;
        assert_eq!(asked.status, 303, "the same answer for {login}");
        assert!(
            asked
                .location
                .as_deref()
                .is_some_and(|to| to.starts_with("/password-reset/confirm?sent=1"))
        );
    }
    let code = code_sent_to(&app, email, "reset code").await;
    let confirm = get_page(&app, &mut jar, "/password-reset/confirm?sent=1").await;
    assert!(
        confirm.body.contains("a code is on its way"),
        "{}",
        confirm.body
    );
    let done = post_page(
        &app,
        &mut jar,
        "/password-reset/confirm",
        &[
            ("csrf_token", &csrf_token(&confirm)),
            ("login", email),
            ("code", &code),
            ("new_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let login_page = get_page(
        &app,
        &mut jar,
        done.location.as_deref().expect("a redirect"),
    )
    .await;
    assert!(login_page.body.contains("Your password is changed"));
    token_of(sign_in(&app, email, NEW_PASSWORD, "test-browser/1").await).await;
    token_of(sign_in(&app, email, NEW_PASSWORD, "another-device/3").await).await;

    let mail = app.running.store.recent_messages(20).await.expect("outbox");
    let mail = mail
        .iter()
        .find(|message| message.body.contains("/not-me/"))
        .expect("an alert");
    let path = format!(
        "/not-me/{}",
        &mail.body.split("/not-me/").nth(1).expect("a link")[..64]
    );
    let page = get_page(&app, &mut jar, &path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("another-device/3"), "{}", page.body);
    let frozen = post_page(&app, &mut jar, &path, &[("csrf_token", &csrf_token(&page))]).await;
    assert_eq!(frozen.status, 200);
    assert!(
        frozen.body.contains("Your account is frozen"),
        "{}",
        frozen.body
    );
    assert_eq!(
        sign_in(&app, email, NEW_PASSWORD, "test-browser/1")
            .await
            .status(),
        403
    );
    assert_eq!(get_page(&app, &mut jar, "/not-me/0000").await.status, 404);
    app.stop().await;
}

on_both_databases!(staff_set_up_sign_in_and_unfreeze_a_user_on_the_staff_pages);
async fn staff_set_up_sign_in_and_unfreeze_a_user_on_the_staff_pages(backend: Backend) {
    use crate::pages::{Jar, csrf_token, get as get_page, post as post_page};
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "frozen-page@example.com";
    let user_token = signed_up(&app, email).await;
    post(&app, "/api/v1/me/freeze", Some(&user_token), json!({})).await;
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let mut jar = Jar::default();
    for (staff_email, role) in [
        ("desk@okpay.test", StaffRole::Security),
        ("money@okpay.test", StaffRole::Finance),
    ] {
        let created = accounts
            .create_staff(staff_email, None, role, "en", now())
            .await
            .expect("created");
        let path = format!("/staff/setup/{}", created.setup_token);
        let setup = get_page(&app, &mut jar, &path).await;
        assert_eq!(setup.status, 200, "{}", setup.body);
        assert!(setup.body.contains("<svg"));
        let marker = r#"<code id="totp-secret">"#;
        let start = setup.body.find(marker).expect("the secret") + marker.len();
        let secret = setup.body[start..]
            .split('<')
            .next()
            .expect("text")
            .to_owned();
        let at = steady_step().await;
        let done = post_page(
            &app,
            &mut jar,
            &path,
            &[
                ("csrf_token", &csrf_token(&setup)),
                ("password", PASSWORD),
                ("totp_code", &totp_code(&secret, at - 30)),
            ],
        )
        .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains(r#"id="recovery-codes""#));
        let form = get_page(&app, &mut jar, "/staff").await;
        let signed_in = post_page(
            &app,
            &mut jar,
            "/staff/login",
            &[
                ("csrf_token", &csrf_token(&form)),
                ("email", staff_email),
                ("password", PASSWORD),
                ("totp_code", &totp_code(&secret, at)),
            ],
        )
        .await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        assert!(signed_in.set_cookies.iter().any(
            |cookie| cookie.starts_with("okpay_staff_session=") && cookie.contains("HttpOnly")
        ));
        let found = get_page(&app, &mut jar, &format!("/staff/users?query={email}")).await;
        if role == StaffRole::Finance {
            assert_eq!(found.status, 403);
            continue;
        }
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(
            found.body.contains(r#"id="staff-user-frozen">Frozen"#),
            "{}",
            found.body
        );
        let user_id = found
            .body
            .split("/unfreeze")
            .next()
            .and_then(|head| head.rsplit("/staff/users/").next())
            .expect("an unfreeze form")
            .to_owned();
        let unfrozen = post_page(
            &app,
            &mut jar,
            &format!("/staff/users/{user_id}/unfreeze"),
            &[
                ("csrf_token", &csrf_token(&found)),
                ("reason", "Confirmed by video call, ticket tkt_7"),
            ],
        )
        .await;
        assert_eq!(unfrozen.status, 303, "{}", unfrozen.body);
        let signed_out = post_page(
            &app,
            &mut jar,
            "/staff/logout",
            &[("csrf_token", &csrf_token(&found))],
        )
        .await;
        assert_eq!(signed_out.status, 303);
        assert_eq!(
            get_page(&app, &mut jar, "/staff/users")
                .await
                .location
                .as_deref(),
            Some("/staff")
        );
    }
    assert_eq!(
        sign_in(&app, email, PASSWORD, "test-browser/1")
            .await
            .status(),
        200
    );
    app.stop().await;
}

on_both_databases!(
    changing_the_sign_in_address_needs_a_step_up_for_that_change_and_a_code_from_the_new_address
);
async fn changing_the_sign_in_address_needs_a_step_up_for_that_change_and_a_code_from_the_new_address(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let old = "old-address@example.com";
    let new = "new-address@example.com";
    let token = signed_up(&app, old).await;
    let taken = "taken-address@example.com";
    signed_up(&app, taken).await;
    let change = |body: Value, step_up: Option<String>| {
        let (app, token) = (&app, token.clone());
        async move {
            let headers: Vec<(&str, &str)> = step_up
                .as_deref()
                .map(|value| ("x-step-up-token", value))
                .into_iter()
                .collect();
            send(
                app,
                reqwest::Method::POST,
                "/api/v1/me/address",
                Some(&token),
                &headers,
                Some(body),
            )
            .await
        }
    };
    let missing = json_of(change(json!({"email": new}), None).await).await;
    assert_eq!(missing["error"]["code"], "step_up_required");
    assert_eq!(missing["error"]["action"], "email.change");

    let step_up = |action: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            post(
                app,
                "/api/v1/me/step-up",
                Some(&token),
                json!({"action": action}),
            )
            .await;
            let code = code_sent_to(app, old, "security code").await;
            let granted = post(
                app,
                "/api/v1/me/step-up",
                Some(&token),
                json!({"action": action, "code": code}),
            )
            .await;
            json_of(granted).await["step_up_token"]
                .as_str()
                .expect("a token")
                .to_owned()
        }
    };
    let for_email = step_up("email.change").await;
    let wrong_kind = change(json!({"phone": "+8613900002222"}), Some(for_email.clone())).await;
    assert_eq!(
        error_code(wrong_kind).await,
        "step_up_invalid",
        "an e-mail token does not change the phone"
    );
    let clash = change(json!({"email": taken}), Some(for_email.clone())).await;
    assert_eq!(error_code(clash).await, "address_taken");
    let for_email = step_up("email.change").await;
    let sent = change(json!({"email": new}), Some(for_email)).await;
    assert_eq!(sent.status(), 202);
    let code = code_sent_to(&app, new, "verification code").await;
    let confirmed = post(
        &app,
        "/api/v1/me/address/confirm",
        Some(&token),
        json!({"email": new, "code": code}),
    )
    .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(
        json_of(get(&app, "/api/v1/me", &token).await).await["email"],
        new
    );
    assert_eq!(
        sign_in(&app, old, PASSWORD, "test-browser/1")
            .await
            .status(),
        401
    );
    assert_eq!(
        sign_in(&app, new, PASSWORD, "test-browser/1")
            .await
            .status(),
        200
    );
    let mail = app.running.store.recent_messages(30).await.expect("outbox");
    assert!(
        mail.iter().any(|message| message.recipient == old
            && message.subject.contains("sign-in address was changed")),
        "the old address is told"
    );
    app.stop().await;
}

on_both_databases!(the_sign_in_form_shares_the_per_address_limit_with_the_api);
async fn the_sign_in_form_shares_the_per_address_limit_with_the_api(backend: Backend) {
    use crate::pages::{Jar, csrf_token, get as get_page, post as post_page};
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 2).await
    else {
        return;
    };
    let mut jar = Jar::default();
    let form = get_page(&app, &mut jar, "/login").await;
    let token = csrf_token(&form);
    assert_eq!(
        sign_in(&app, "x@example.com", "whatever1", "x")
            .await
            .status(),
        401
    );
    let page = post_page(
        &app,
        &mut jar,
        "/login",
        &[
            ("csrf_token", &token),
            ("login", "x@example.com"),
            ("password", "whatever1"),
        ],
    )
    .await;
    assert_eq!(page.status, 401);
    let limited = post_page(
        &app,
        &mut jar,
        "/login",
        &[
            ("csrf_token", &token),
            ("login", "x@example.com"),
            ("password", "whatever1"),
        ],
    )
    .await;
    assert_eq!(limited.status, 429);
    assert_eq!(
        get_page(&app, &mut jar, "/login").await.status,
        200,
        "looking at the form is free"
    );
    app.stop().await;
}
