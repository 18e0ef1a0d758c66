//! Unlock appeals over HTTP on both databases: a frozen or locked user, by address and code, files an appeal with identity documents sniffed by content; only the security role reviews it; a rejection's reason reaches the user, an approval lifts the freeze or the lock; everything staff did is in the audit log.

use domain::notify::OutboxStore;
use domain::staff::StaffRole;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app_with};
use crate::tickets::{signed_in, staff_signed_in};

const PASSWORD: &str = "plum-orbit-canyon-17";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR passport photo";

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Accept-Language", "en")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("answered")
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("answered")
}

/// Asks for an appeal code for `email` and reads it from the outbox.
async fn appeal_code(app: &TestApp, email: &str) -> String {
    let sent = post(app, "/api/v1/appeals/code", None, json!({"login": email})).await;
    assert_eq!(sent.status(), 202);
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    messages
        .iter()
        .find(|message| {
            message.recipient == email
                && (message.body.contains("appeal") || message.body.contains("申诉"))
        })
        .and_then(|message| {
            message
                .body
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .map(str::to_owned)
        })
        .expect("an appeal code was sent")
}

async fn file_appeal(
    app: &TestApp,
    email: &str,
    code: &str,
    kind: &str,
    document: &[u8],
) -> reqwest::Response {
    let form = Form::new()
        .text("login", email.to_owned())
        .text("code", code.to_owned())
        .text("kind", kind.to_owned())
        .text(
            "statement",
            "Someone changed my password; this is my passport.",
        )
        .part(
            "documents",
            Part::bytes(document.to_vec()).file_name("passport.png"),
        );
    app.client
        .post(app.url("/api/v1/appeals"))
        .header("Accept-Language", "en")
        .multipart(form)
        .send()
        .await
        .expect("answered")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON")
}

async fn a_frozen_user_appeals_is_rejected_with_a_reason_then_approved_and_unfrozen(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "frozen-appeal@example.com";
    let (token, user_id) = signed_in(&app, email).await;
    assert_eq!(
        post(&app, "/api/v1/me/freeze", Some(&token), json!({}))
            .await
            .status(),
        200
    );

    // A file that is not an image or PDF is refused before the code is spent; a wrong kind
    // spends it and is refused.
    let code = appeal_code(&app, email).await;
    let refused = file_appeal(&app, email, &code, "lift_restriction", b"MZ\x90\0 exe").await;
    assert_eq!(refused.status(), 415);
    assert_eq!(error_code(refused).await, "attachment_type_refused");
    let not_needed = file_appeal(&app, email, &code, "unlock", PNG).await;
    assert_eq!(not_needed.status(), 409);
    assert_eq!(error_code(not_needed).await, "appeal_not_needed");
    let spent = file_appeal(&app, email, &code, "lift_restriction", PNG).await;
    assert_eq!(error_code(spent).await, "no_code_pending");

    let code = appeal_code(&app, email).await;
    let filed = file_appeal(&app, email, &code, "lift_restriction", PNG).await;
    assert_eq!(filed.status(), 201);
    let filed = json_of(filed).await;
    assert_eq!(filed["status"], "pending");
    let id = filed["id"].as_str().expect("an id").to_owned();
    let status_token = filed["status_token"].as_str().expect("a token").to_owned();
    let code = appeal_code(&app, email).await;
    let twice = file_appeal(&app, email, &code, "lift_restriction", PNG).await;
    assert_eq!(error_code(twice).await, "appeal_already_open");
    let wrong_token = app
        .get(&format!("/api/v1/appeals/{id}?token=aps_wrong"))
        .await;
    assert_eq!(wrong_token.status(), 404);

    // Only the security role reviews appeals.
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let forbidden = get(&app, "/api/v1/staff/appeals", &agent).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(error_code(forbidden).await, "staff_role_forbidden");
    let (security, security_id) = staff_signed_in(&app, StaffRole::Security).await;
    let waiting = json_of(get(&app, "/api/v1/staff/appeals?status=pending", &security).await).await;
    assert_eq!(waiting["data"][0]["id"], id.as_str());
    let case = json_of(get(&app, &format!("/api/v1/staff/appeals/{id}"), &security).await).await;
    assert_eq!(case["user"]["status"], "frozen");
    assert_eq!(case["user_id"], user_id.as_str());
    let document_id = case["documents"][0]["id"].as_str().expect("a document");
    let document = get(
        &app,
        &format!("/api/v1/staff/appeals/{id}/documents/{document_id}"),
        &security,
    )
    .await;
    assert_eq!(document.status(), 200);
    assert_eq!(document.headers()["content-type"], "image/png");
    assert_eq!(document.bytes().await.expect("bytes").as_ref(), PNG);

    // A rejection needs a reason, which the user reads on the status link and in a message.
    let short = post(
        &app,
        &format!("/api/v1/staff/appeals/{id}/reject"),
        Some(&security),
        json!({"reason": "no"}),
    )
    .await;
    assert_eq!(error_code(short).await, "reason_required");
    let reason = "The passport photo is unreadable";
    let rejected = post(
        &app,
        &format!("/api/v1/staff/appeals/{id}/reject"),
        Some(&security),
        json!({"reason": reason}),
    )
    .await;
    assert_eq!(rejected.status(), 200);
    let status = json_of(
        app.get(&format!("/api/v1/appeals/{id}?token={status_token}"))
            .await,
    )
    .await;
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["decision_reason"], reason);
    let page = app
        .client
        .get(app.url(&format!(
            "/appeal/status?id={id}&token={status_token}&lang=en"
        )))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    assert!(page.contains(reason), "{page}");
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    assert!(
        messages
            .iter()
            .any(|message| message.recipient == email && message.body.contains(reason)),
        "the reason was sent"
    );
    let again = post(
        &app,
        &format!("/api/v1/staff/appeals/{id}/approve"),
        Some(&security),
        json!({"reason": "Changed my mind"}),
    )
    .await;
    assert_eq!(error_code(again).await, "appeal_already_decided");

    // A new appeal with a better document is approved: the account is unfrozen.
    let code = appeal_code(&app, email).await;
    let second = json_of(file_appeal(&app, email, &code, "lift_restriction", PNG).await).await;
    let second_id = second["id"].as_str().expect("an id").to_owned();
    let approved = post(
        &app,
        &format!("/api/v1/staff/appeals/{second_id}/approve"),
        Some(&security),
        json!({"reason": "Passport matches the account holder"}),
    )
    .await;
    assert_eq!(approved.status(), 200);
    assert_eq!(json_of(approved).await["status"], "approved");
    let login = post(
        &app,
        "/api/v1/auth/login",
        None,
        json!({"login": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(login.status(), 200, "the account signs in again");

    let actions = app
        .running
        .store
        .audit_actions_about(&id)
        .await
        .expect("the audit log");
    let staff_actor = security_id.clone();
    for action in ["appeal.viewed", "appeal.document_viewed", "appeal.rejected"] {
        assert!(
            actions
                .iter()
                .any(|(actor, done)| done == action && actor == &staff_actor),
            "{action} in {actions:?}"
        );
    }
    app.stop().await;
}
on_both_databases!(a_frozen_user_appeals_is_rejected_with_a_reason_then_approved_and_unfrozen);

async fn a_locked_user_appeals_and_approval_lifts_the_lock(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "locked-appeal@example.com";
    signed_in(&app, email).await;
    let mut last = 0;
    for _ in 0..6 {
        last = post(
            &app,
            "/api/v1/auth/login",
            None,
            json!({"login": email, "password": "wrong-password-123"}),
        )
        .await
        .status()
        .as_u16();
    }
    assert_eq!(last, 423, "the account is locked");
    let code = appeal_code(&app, email).await;
    let filed = file_appeal(&app, email, &code, "unlock", PNG).await;
    assert_eq!(filed.status(), 201);
    let id = json_of(filed).await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let (security, _) = staff_signed_in(&app, StaffRole::Security).await;
    let approved = post(
        &app,
        &format!("/api/v1/staff/appeals/{id}/approve"),
        Some(&security),
        json!({"reason": "Owner verified by passport"}),
    )
    .await;
    assert_eq!(approved.status(), 200);
    let login = post(
        &app,
        "/api/v1/auth/login",
        None,
        json!({"login": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(login.status(), 200, "the lock is lifted");
    app.stop().await;
}
on_both_databases!(a_locked_user_appeals_and_approval_lifts_the_lock);

/// The cookies a response sets, as `name=value` pairs for the next request's `Cookie` header.
fn cookies_of(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|line| line.split(';').next().map(str::to_owned))
        .collect()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (byte as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{byte:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn csrf_in(body: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = body.find(marker).expect("a form with a CSRF token") + marker.len();
    body[start..start + 64].to_owned()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", cookie)
        .send()
        .await
        .expect("answered")
}

async fn a_frozen_user_appeals_on_the_pages_and_security_approves_on_the_staff_pages(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
    else {
        return;
    };
    let email = "page-appeal@example.com";
    let (token, _) = signed_in(&app, email).await;
    post(&app, "/api/v1/me/freeze", Some(&token), json!({})).await;

    let start = page(&app, "/appeal", "").await;
    assert_eq!(start.status(), 200);
    let cookie = cookies_of(&start).join("; ");
    let body = start.text().await.expect("a page");
    assert!(body.contains(r#"action="/appeal/code""#));
    let asked = app
        .client
        .post(app.url("/appeal/code"))
        .header("accept-language", "en")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf_token", &csrf_in(&body)),
            ("login", email),
        ]))
        .send()
        .await
        .expect("answered");
    assert_eq!(asked.status(), 200);
    let body = asked.text().await.expect("a page");
    assert!(body.contains(r#"id="appeal-form""#), "{body}");
    let code = {
        let messages = app.running.store.recent_messages(50).await.expect("outbox");
        messages
            .iter()
            .find(|message| message.recipient == email && message.body.contains("appeal"))
            .and_then(|message| {
                message
                    .body
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|word| word.len() == 6)
                    .map(str::to_owned)
            })
            .expect("an appeal code")
    };
    let form = Form::new()
        .text("csrf_token", csrf_in(&body))
        .text("login", email.to_owned())
        .text("code", code)
        .text("kind", "lift_restriction")
        .text("statement", "My phone was stolen and I froze the account.")
        .part("documents", Part::bytes(PNG.to_vec()).file_name("id.png"));
    let filed = app
        .client
        .post(app.url("/appeal"))
        .header("accept-language", "en")
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .expect("answered");
    assert_eq!(filed.status(), 303);
    let status_path = filed.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    let status = page(&app, &status_path, "")
        .await
        .text()
        .await
        .expect("a page");
    assert!(status.contains(r#"data-status="pending""#), "{status}");
    let id = status_path
        .split("id=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("an id")
        .to_owned();

    // An agent is refused the review page; the security team approves on it.
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let refused = page(
        &app,
        "/staff/appeals",
        &format!("okpay_staff_session={agent}"),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let (security, _) = staff_signed_in(&app, StaffRole::Security).await;
    let staff_cookie = format!("okpay_staff_session={security}; {cookie}");
    let list = page(&app, "/staff/appeals", &staff_cookie).await;
    assert_eq!(list.status(), 200);
    let list = list.text().await.expect("a page");
    assert!(list.contains(&id));
    let case = page(&app, &format!("/staff/appeals/{id}"), &staff_cookie).await;
    assert_eq!(case.status(), 200);
    let case = case.text().await.expect("a page");
    assert!(case.contains("id.png"), "{case}");
    // Both are back-office pages: the staff header and navigation, no visitor's sign-up.
    for body in [&list, &case] {
        assert!(body.contains(r#"id="staff-name""#), "{body}");
        assert!(body.contains(r#"<nav class="staff-nav""#), "{body}");
        assert!(body.contains(r#"<a href="/staff/appeals">"#), "{body}");
        assert!(!body.contains(r#"href="/register""#), "{body}");
    }
    let approved = app
        .client
        .post(app.url(&format!("/staff/appeals/{id}/approve")))
        .header("accept-language", "en")
        .header("cookie", &staff_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf_token", &csrf_in(&case)),
            ("reason", "Identity document matches"),
        ]))
        .send()
        .await
        .expect("answered");
    assert_eq!(approved.status(), 303);
    let status = page(&app, &status_path, "")
        .await
        .text()
        .await
        .expect("a page");
    assert!(status.contains(r#"data-status="approved""#), "{status}");
    app.stop().await;
}
on_both_databases!(a_frozen_user_appeals_on_the_pages_and_security_approves_on_the_staff_pages);
