//! The step-up screens of `/security` and the admins' back-office pages over HTTP, with cookies
//! and CSRF tokens as a browser carries them, on both databases.

use std::time::Duration;

use domain::notify::OutboxStore;
use domain::staff::StaffRole;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app, spawn_app_with};
use crate::pages::{Page, csrf_token};
use crate::tickets::staff_signed_in;

pub(crate) const PASSWORD: &str = "plum-orbit-canyon-17";

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

pub(crate) fn totp_code(secret_base32: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a Base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build_noncompliant()
        .generate(at as u64)
        .to_string()
}

/// Waits until at least 10 s remain in the current 30-second step, so that the codes of this
/// step and the previous one both stay valid while the test uses them.
pub(crate) async fn steady_step() -> i64 {
    let left = 30 - now().rem_euclid(30);
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    now()
}

/// A browser's cookies for the app: the user's or the staff member's session, and what the
/// app sets (the anonymous CSRF cookie staff forms are bound to).
pub(crate) struct Cookies(Vec<(String, String)>);

impl Cookies {
    pub(crate) fn none() -> Cookies {
        Cookies(Vec::new())
    }

    pub(crate) fn user(token: &str) -> Cookies {
        Cookies(vec![("okpay_session".into(), token.to_owned())])
    }

    pub(crate) fn staff(token: &str) -> Cookies {
        Cookies(vec![("okpay_staff_session".into(), token.to_owned())])
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let line = value.to_str().expect("text");
            let pair = line.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            self.0.retain(|(known, _)| known != name);
            if !value.is_empty() {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }
}

pub(crate) async fn page_get(app: &TestApp, cookies: &mut Cookies, path: &str) -> Page {
    let response = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", cookies.header())
        .send()
        .await
        .expect("answered");
    cookies.keep(&response);
    page_of(response).await
}

pub(crate) async fn page_post(
    app: &TestApp,
    cookies: &mut Cookies,
    path: &str,
    form: &[(&str, &str)],
) -> Page {
    let response = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", cookies.header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode_form(form))
        .send()
        .await
        .expect("answered");
    cookies.keep(&response);
    page_of(response).await
}

/// Posts a multipart page form (documents), as a browser sends `enctype="multipart/form-data"`.
pub(crate) async fn page_post_multipart(
    app: &TestApp,
    cookies: &mut Cookies,
    path: &str,
    form: reqwest::multipart::Form,
) -> Page {
    let response = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", cookies.header())
        .multipart(form)
        .send()
        .await
        .expect("answered");
    cookies.keep(&response);
    page_of(response).await
}

fn encode_form(form: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    (byte as char).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect()
    };
    form.iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn page_of(response: reqwest::Response) -> Page {
    Page {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .map(|value| value.to_str().expect("text").to_owned()),
        set_cookies: Vec::new(),
        body: response.text().await.expect("a body"),
    }
}

pub(crate) async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("answered")
}

/// The newest 6-digit code sent to `recipient` whose subject or body mentions `about`.
pub(crate) async fn code_sent_to(app: &TestApp, recipient: &str, about: &str) -> String {
    for _ in 0..250 {
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

async fn sign_in(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    api(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await
}

/// Registers, confirms and signs in `email`; answers the session token and the user id.
pub(crate) async fn signed_up(app: &TestApp, email: &str) -> (String, String) {
    let registered = api(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/register",
        None,
        Some(json!({"email": email, "password": PASSWORD, "locale": "en"})),
    )
    .await;
    assert_eq!(registered.status(), 201);
    let code = code_sent_to(app, email, "verification code").await;
    let verified = api(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/verify",
        None,
        Some(json!({"email": email, "code": code})),
    )
    .await;
    assert_eq!(verified.status(), 200);
    let signed_in = sign_in(app, email, PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let body: Value = signed_in.json().await.expect("JSON");
    (
        body["token"].as_str().expect("a token").to_owned(),
        body["user"]["id"].as_str().expect("an id").to_owned(),
    )
}

on_both_databases!(
    the_step_up_screens_change_the_password_and_the_address_with_a_code_bound_to_each_change
);
async fn the_step_up_screens_change_the_password_and_the_address_with_a_code_bound_to_each_change(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "step-up-page@example.com";
    let (token, _) = signed_up(&app, email).await;
    let mut cookies = Cookies::user(&token);

    let security = page_get(&app, &mut cookies, "/security").await;
    assert_eq!(security.status, 200, "{}", security.body);
    for link in [
        "/security/step-up/password",
        "/security/step-up/email",
        "/security/step-up/phone",
    ] {
        assert!(security.body.contains(link), "{link} is linked");
    }

    // Without TOTP the screen offers to send a code, and only then asks for it.
    let form = page_get(&app, &mut cookies, "/security/step-up/password").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(r#"id="step-up-send""#));
    assert!(!form.body.contains(r#"id="step-up-code""#));
    let sent = page_post(
        &app,
        &mut cookies,
        "/security/step-up/password/send",
        &[("csrf_token", &csrf_token(&form))],
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains(r#"id="step-up-sent""#), "{}", sent.body);
    let code = code_sent_to(&app, email, "security code").await;

    // A code given for the password does not change the e-mail address: it is bound.
    let other_change = page_post(
        &app,
        &mut cookies,
        "/security/step-up/email",
        &[
            ("csrf_token", &csrf_token(&sent)),
            ("email", "elsewhere@example.com"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(other_change.status, 400, "{}", other_change.body);
    assert!(other_change.body.contains(r#"id="step-up-error""#));

    // A weak password is refused before the code is spent.
    let weak = page_post(
        &app,
        &mut cookies,
        "/security/step-up/password",
        &[
            ("csrf_token", &csrf_token(&sent)),
            ("new_password", "password"),
            ("code", &code),
            ("sent", "email"),
        ],
    )
    .await;
    assert_eq!(weak.status, 400, "{}", weak.body);
    let new_password = "lantern-quartz-meadow-42";
    let changed = page_post(
        &app,
        &mut cookies,
        "/security/step-up/password",
        &[
            ("csrf_token", &csrf_token(&sent)),
            ("new_password", new_password),
            ("code", &code),
            ("sent", "email"),
        ],
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(
        changed.body.contains(r#"id="step-up-done""#),
        "{}",
        changed.body
    );
    assert_eq!(sign_in(&app, email, PASSWORD).await.status(), 401);
    assert_eq!(sign_in(&app, email, new_password).await.status(), 200);

    // Changing the address: step up for `email.change`, then the code sent to the new address.
    let form = page_get(&app, &mut cookies, "/security/step-up/email").await;
    let sent = page_post(
        &app,
        &mut cookies,
        "/security/step-up/email/send",
        &[("csrf_token", &csrf_token(&form))],
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = code_sent_to(&app, email, "security code").await;
    let new_email = "moved-here@example.com";
    let asked = page_post(
        &app,
        &mut cookies,
        "/security/step-up/email",
        &[
            ("csrf_token", &csrf_token(&sent)),
            ("email", new_email),
            ("code", &code),
            ("sent", "email"),
        ],
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains(r#"action="/security/address/confirm""#),
        "{}",
        asked.body
    );
    let new_code = code_sent_to(&app, new_email, "").await;
    let wrong = page_post(
        &app,
        &mut cookies,
        "/security/address/confirm",
        &[
            ("csrf_token", &csrf_token(&asked)),
            ("email", new_email),
            (
                "code",
                if new_code == "000000" {
                    "111111"
                } else {
                    "000000"
                },
            ),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    let confirmed = page_post(
        &app,
        &mut cookies,
        "/security/address/confirm",
        &[
            ("csrf_token", &csrf_token(&asked)),
            ("email", new_email),
            ("code", &new_code),
        ],
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains(r#"id="step-up-done""#));
    assert_eq!(sign_in(&app, new_email, new_password).await.status(), 200);

    let unknown = page_get(&app, &mut cookies, "/security/step-up/everything").await;
    assert_eq!(unknown.status, 404);
    let signed_out = page_get(&app, &mut Cookies::none(), "/security/step-up/password").await;
    assert_eq!(signed_out.status, 303);
    app.stop().await;
}

on_both_databases!(turning_two_factor_off_on_the_page_asks_for_a_fresh_totp_code);
async fn turning_two_factor_off_on_the_page_asks_for_a_fresh_totp_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, _) = signed_up(&app, "totp-off-page@example.com").await;
    let setup: Value = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/totp/setup",
        Some(&token),
        Some(json!({})),
    )
    .await
    .json()
    .await
    .expect("JSON");
    let secret = setup["secret"].as_str().expect("a secret").to_owned();
    let at = steady_step().await;
    let enabled = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/totp/enable",
        Some(&token),
        Some(json!({"code": totp_code(&secret, at - 30)})),
    )
    .await;
    assert_eq!(enabled.status(), 200);
    let mut cookies = Cookies::user(&token);
    let security = page_get(&app, &mut cookies, "/security").await;
    assert!(
        security
            .body
            .contains(r#"href="/security/step-up/totp-disable""#)
    );

    let form = page_get(&app, &mut cookies, "/security/step-up/totp-disable").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains(r#"id="step-up-code""#),
        "asks for TOTP at once"
    );
    assert!(!form.body.contains(r#"id="step-up-send""#));
    let wrong = page_post(
        &app,
        &mut cookies,
        "/security/step-up/totp-disable",
        &[("csrf_token", &csrf_token(&form)), ("code", "12345")],
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    let off = page_post(
        &app,
        &mut cookies,
        "/security/step-up/totp-disable",
        &[
            ("csrf_token", &csrf_token(&form)),
            ("code", &totp_code(&secret, at)),
        ],
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert!(off.body.contains(r#"id="step-up-done""#), "{}", off.body);
    let security = page_get(&app, &mut cookies, "/security").await;
    assert!(
        security.body.contains(r#"data-enabled="false""#),
        "{}",
        security.body
    );
    // Without the CSRF token nothing happens.
    let forged = page_post(
        &app,
        &mut cookies,
        "/security/step-up/password",
        &[
            ("new_password", "lantern-quartz-meadow-42"),
            ("code", "123456"),
        ],
    )
    .await;
    assert_eq!(forged.status, 403);
    app.stop().await;
}

on_both_databases!(admins_read_the_outbox_with_language_and_delivery_and_other_roles_are_refused);
async fn admins_read_the_outbox_with_language_and_delivery_and_other_roles_are_refused(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    signed_up(&app, "outbox-reader@example.com").await;
    let registered = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/auth/register",
        None,
        Some(json!({"phone": "+8613800138123", "password": PASSWORD, "locale": "zh-CN"})),
    )
    .await;
    assert_eq!(registered.status(), 201);

    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let page = page_get(&app, &mut Cookies::staff(&admin), "/staff/outbox").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#"id="outbox""#));
    assert!(page.body.contains("outbox-reader@example.com"));
    assert!(page.body.contains(r#"data-channel="sms""#), "{}", page.body);
    assert!(page.body.contains(r#"<td lang="zh-CN">zh-CN</td>"#));
    assert!(
        page.body.contains(r#"data-status="waiting""#),
        "not run yet"
    );
    // The navigation offers only what the role may open.
    assert!(page.body.contains(r#"<a href="/staff/fees">"#));
    assert!(!page.body.contains(r#"<a href="/staff/kyc">"#));

    // Without a sender, the delivery job keeps the message here.
    app.run_pending_jobs().await;
    let page = page_get(
        &app,
        &mut Cookies::staff(&admin),
        "/staff/outbox?lang=zh-CN",
    )
    .await;
    assert!(page.body.contains(r#"data-status="kept""#), "{}", page.body);
    assert!(!page.body.contains(r#"data-status="waiting""#));
    assert!(page.body.contains("发件箱"));

    for role in [
        StaffRole::Agent,
        StaffRole::Security,
        StaffRole::Risk,
        StaffRole::Finance,
    ] {
        let (token, _) = staff_signed_in(&app, role).await;
        let refused = page_get(&app, &mut Cookies::staff(&token), "/staff/outbox").await;
        assert_eq!(refused.status, 403, "{role:?}");
        assert!(!refused.body.contains("outbox-reader@example.com"));
    }
    let (user, _) = signed_up(&app, "not-staff@example.com").await;
    let as_user = page_get(&app, &mut Cookies::staff(&user), "/staff/outbox").await;
    assert_eq!(as_user.status, 303, "a user's token is no staff session");
    app.stop().await;
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR identity card front";
const PDF: &[u8] = b"%PDF-1.7\n% passport scan\n";

fn kyc_form(tier: &str, files: &[(&str, &[u8])]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("tier", tier.to_owned())
        .text("document_kind", "id_card");
    for (name, bytes) in files {
        form = form.part(
            "documents",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    form
}

async fn submit_kyc(
    app: &TestApp,
    token: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/kyc"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("answered")
}

async fn tier_of(app: &TestApp, token: &str) -> String {
    let limits: Value = api(
        app,
        reqwest::Method::GET,
        "/api/v1/limits?currency=CNY",
        Some(token),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    limits["tier"].as_str().expect("a tier").to_owned()
}

on_both_databases!(identity_documents_are_sniffed_reviewed_by_risk_and_an_approval_raises_the_tier);
async fn identity_documents_are_sniffed_reviewed_by_risk_and_an_approval_raises_the_tier(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, user_id) = signed_up(&app, "kyc-api@example.com").await;
    assert_eq!(tier_of(&app, &token).await, "unverified");

    // Content decides, not the name; size and count are limited.
    let renamed = submit_kyc(
        &app,
        &token,
        kyc_form("verified", &[("id.png", b"GIF89a...")]),
    )
    .await;
    assert_eq!(renamed.status(), 415);
    assert_eq!(
        crate::helpers::error_code(renamed).await,
        "kyc_document_type_refused"
    );
    let mut large = PNG.to_vec();
    large.resize(domain::kyc::DOCUMENT_BYTES_MAX + 1, 0);
    let too_large = submit_kyc(&app, &token, kyc_form("verified", &[("id.png", &large)])).await;
    assert_eq!(too_large.status(), 413);
    let none = submit_kyc(&app, &token, kyc_form("verified", &[])).await;
    assert_eq!(
        crate::helpers::error_code(none).await,
        "kyc_documents_missing"
    );
    let bad_tier = submit_kyc(&app, &token, kyc_form("unverified", &[("a.png", PNG)])).await;
    assert_eq!(bad_tier.status(), 400);

    let sent = submit_kyc(
        &app,
        &token,
        kyc_form("verified", &[("front.png", PNG), ("scan.pdf", PDF)]),
    )
    .await;
    assert_eq!(sent.status(), 201);
    let request: Value = sent.json().await.expect("JSON");
    let request_id = request["id"].as_str().expect("an id").to_owned();
    assert_eq!(request["status"], "pending");
    let again = submit_kyc(&app, &token, kyc_form("enhanced", &[("a.png", PNG)])).await;
    assert_eq!(
        crate::helpers::error_code(again).await,
        "kyc_already_pending"
    );

    // Only the risk role reads the queue and decides.
    for role in [
        StaffRole::Admin,
        StaffRole::Agent,
        StaffRole::Security,
        StaffRole::Finance,
    ] {
        let (staff, _) = staff_signed_in(&app, role).await;
        let refused = api(
            &app,
            reqwest::Method::GET,
            "/api/v1/staff/kyc",
            Some(&staff),
            None,
        )
        .await;
        assert_eq!(refused.status(), 403, "{role:?}");
        let path = format!("/api/v1/staff/kyc/{request_id}/approve");
        let refused = api(&app, reqwest::Method::POST, &path, Some(&staff), None).await;
        assert_eq!(refused.status(), 403, "{role:?}");
    }
    let as_user = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/staff/kyc",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(as_user.status(), 401);

    let (risk, _) = staff_signed_in(&app, StaffRole::Risk).await;
    let queue: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/staff/kyc",
        Some(&risk),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    let entry = &queue["data"][0];
    assert_eq!(entry["id"], request_id.as_str());
    assert_eq!(entry["user_id"], user_id.as_str());
    let documents = entry["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0]["content_type"], "image/png");
    assert_eq!(documents[1]["content_type"], "application/pdf");
    let document = api(
        &app,
        reqwest::Method::GET,
        &format!(
            "/api/v1/staff/kyc/documents/{}",
            documents[1]["id"].as_str().expect("an id")
        ),
        Some(&risk),
        None,
    )
    .await;
    assert_eq!(document.status(), 200);
    assert_eq!(document.headers()["content-type"], "application/pdf");
    assert!(
        document.headers()["content-disposition"]
            .to_str()
            .expect("text")
            .starts_with("attachment")
    );
    assert_eq!(document.bytes().await.expect("bytes").as_ref(), PDF);

    let rejected_without_reason = api(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/staff/kyc/{request_id}/reject"),
        Some(&risk),
        Some(json!({"reason": "  "})),
    )
    .await;
    assert_eq!(rejected_without_reason.status(), 400);
    let approved = api(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/staff/kyc/{request_id}/approve"),
        Some(&risk),
        None,
    )
    .await;
    assert_eq!(approved.status(), 200);
    assert_eq!(tier_of(&app, &token).await, "verified");
    let twice = api(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/staff/kyc/{request_id}/approve"),
        Some(&risk),
        None,
    )
    .await;
    assert_eq!(
        crate::helpers::error_code(twice).await,
        "kyc_already_decided"
    );

    // The next tier is rejected with a reason the user reads, and the tier stays.
    let sent = submit_kyc(&app, &token, kyc_form("enhanced", &[("bill.pdf", PDF)])).await;
    assert_eq!(sent.status(), 201);
    let second: Value = sent.json().await.expect("JSON");
    let reason = "The address on the bill does not match your profile";
    let rejected = api(
        &app,
        reqwest::Method::POST,
        &format!(
            "/api/v1/staff/kyc/{}/reject",
            second["id"].as_str().expect("id")
        ),
        Some(&risk),
        Some(json!({"reason": reason})),
    )
    .await;
    assert_eq!(rejected.status(), 200);
    assert_eq!(tier_of(&app, &token).await, "verified");
    let status: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/kyc",
        Some(&token),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(status["tier"], "verified");
    assert_eq!(status["requests"][0]["status"], "rejected");
    assert_eq!(status["requests"][0]["reason"], reason);
    let messages: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/messages",
        Some(&token),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert!(messages.to_string().contains(reason), "{messages}");
    let audited = app
        .running
        .store
        .audit_actions_about(&request_id)
        .await
        .expect("the audit log");
    assert!(
        audited.iter().any(|(_, action)| action == "kyc.approved")
            && audited
                .iter()
                .any(|(_, action)| action == "kyc.document_viewed"),
        "{audited:?}"
    );
    app.stop().await;
}

on_both_databases!(the_verify_page_uploads_documents_and_the_review_page_rejects_with_a_reason);
async fn the_verify_page_uploads_documents_and_the_review_page_rejects_with_a_reason(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, _) = signed_up(&app, "kyc-page@example.com").await;
    let mut user = Cookies::user(&token);
    let account = page_get(&app, &mut user, "/account").await;
    assert!(account.body.contains(r#"href="/wallet/verify""#));
    let page = page_get(&app, &mut user, "/wallet/verify").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#"data-tier="unverified""#));
    assert!(page.body.contains(r#"enctype="multipart/form-data""#));
    let token_field = csrf_token(&page);

    let forged = page_post_multipart(
        &app,
        &mut user,
        "/wallet/verify",
        kyc_form("verified", &[("front.png", PNG)]),
    )
    .await;
    assert_eq!(forged.status, 403, "no CSRF token, nothing stored");
    let wrong_type = page_post_multipart(
        &app,
        &mut user,
        "/wallet/verify",
        kyc_form("verified", &[("front.png", b"not an image")])
            .text("csrf_token", token_field.clone()),
    )
    .await;
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.body);
    assert!(wrong_type.body.contains(r#"id="kyc-error""#));
    let sent = page_post_multipart(
        &app,
        &mut user,
        "/wallet/verify",
        kyc_form("verified", &[("front.png", PNG)]).text("csrf_token", token_field.clone()),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let page = page_get(&app, &mut user, "/wallet/verify?sent=1").await;
    assert!(page.body.contains(r#"id="kyc-submitted""#));
    assert!(page.body.contains(r#"data-status="pending""#));
    assert!(
        !page.body.contains(r#"id="kyc-form""#),
        "one request at a time"
    );

    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let refused = page_get(&app, &mut Cookies::staff(&admin), "/staff/kyc").await;
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains("kyc-page@example.com"));

    let (risk, _) = staff_signed_in(&app, StaffRole::Risk).await;
    let mut staff = Cookies::staff(&risk);
    let queue = page_get(&app, &mut staff, "/staff/kyc").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("kyc-page@example.com"));
    let request_id = queue
        .body
        .split("/reject")
        .next()
        .and_then(|head| head.rsplit("/staff/kyc/").next())
        .expect("a reject form")
        .to_owned();
    let reason = "The photo is blurred; please send a sharper one";
    let rejected = page_post(
        &app,
        &mut staff,
        &format!("/staff/kyc/{request_id}/reject"),
        &[("csrf_token", &csrf_token(&queue)), ("reason", reason)],
    )
    .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    let queue = page_get(&app, &mut staff, "/staff/kyc?done=1").await;
    assert!(
        queue.body.contains(r#"id="kyc-queue-empty""#),
        "{}",
        queue.body
    );

    let page = page_get(&app, &mut user, "/wallet/verify?lang=zh-CN").await;
    assert!(page.body.contains(r#"data-status="rejected""#));
    assert!(page.body.contains(reason), "the user reads why");
    assert!(page.body.contains("身份认证"));
    app.stop().await;
}

on_both_databases!(admins_edit_fx_rates_fee_schedules_and_articles_and_other_roles_are_refused);
async fn admins_edit_fx_rates_fee_schedules_and_articles_and_other_roles_are_refused(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for role in [
        StaffRole::Agent,
        StaffRole::Security,
        StaffRole::Risk,
        StaffRole::Finance,
    ] {
        let (token, _) = staff_signed_in(&app, role).await;
        for path in [
            "/api/v1/staff/fx-rates",
            "/api/v1/staff/fee-schedules",
            "/api/v1/staff/help/articles",
            "/api/v1/staff/outbox",
        ] {
            let refused = api(&app, reqwest::Method::GET, path, Some(&token), None).await;
            assert_eq!(refused.status(), 403, "{role:?} {path}");
        }
        let mut cookies = Cookies::staff(&token);
        for path in ["/staff/fx-rates", "/staff/fees", "/staff/articles"] {
            let refused = page_get(&app, &mut cookies, path).await;
            assert_eq!(refused.status, 403, "{role:?} {path}");
        }
        let form = page_get(&app, &mut cookies, "/staff/fx-rates").await;
        let refused = page_post(
            &app,
            &mut cookies,
            "/staff/fx-rates",
            &[
                ("csrf_token", &csrf_token(&form)),
                ("base", "USD"),
                ("quote", "CNY"),
                ("rate", "9.99"),
            ],
        )
        .await;
        assert_eq!(refused.status, 403, "{role:?}");
    }

    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let mut cookies = Cookies::staff(&admin);
    // FX: a new rate is in force at once, the old one stays in the history, the age shows.
    let page = page_get(&app, &mut cookies, "/staff/fx-rates").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(r#"data-pair="USD-CNY""#),
        "{}",
        page.body
    );
    let bad = page_post(
        &app,
        &mut cookies,
        "/staff/fx-rates",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("base", "USD"),
            ("quote", "CNY"),
            ("rate", "-1"),
        ],
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let saved = page_post(
        &app,
        &mut cookies,
        "/staff/fx-rates",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("base", "USD"),
            ("quote", "CNY"),
            ("rate", "7.1234"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let public: Value = api(&app, reqwest::Method::GET, "/api/v1/fx-rates", None, None)
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        public["data"]
            .as_array()
            .expect("rates")
            .iter()
            .any(|rate| rate["base"] == "USD"
                && rate["quote"] == "CNY"
                && rate["rate"] == "7.1234"),
        "{public}"
    );
    let history: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/staff/fx-rates/USD/CNY/history",
        Some(&admin),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    let history = history["data"].as_array().expect("history");
    assert!(history.len() >= 2, "{history:?}");
    assert_eq!(history[0]["rate"], "7.1234");
    let page = page_get(&app, &mut cookies, "/staff/fx-rates?saved=1").await;
    assert!(page.body.contains(r#"id="staff-notice""#));
    assert!(page.body.contains("7.1234"));

    // Fees: publish a version from the in-force rules; it becomes current, with history.
    let page = page_get(&app, &mut cookies, "/staff/fees").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = r#"<textarea id="fees-rules" name="rules" spellcheck="false" required>"#;
    let start = page.body.find(marker).expect("the rules editor") + marker.len();
    let rules = page.body[start..]
        .split("</textarea>")
        .next()
        .expect("rules")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&");
    let broken = page_post(
        &app,
        &mut cookies,
        "/staff/fees",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("id", "2026_12"),
            ("rules", "{\"nonsense\": true}"),
        ],
    )
    .await;
    assert_eq!(broken.status, 400, "{}", broken.body);
    let published = page_post(
        &app,
        &mut cookies,
        "/staff/fees",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("id", "2026_12"),
            ("rules", &rules),
        ],
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let page = page_get(&app, &mut cookies, "/staff/fees?saved=1").await;
    assert!(
        page.body
            .contains(r#"<strong id="fees-current">2026_12</strong>"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"data-version="2026_12""#));
    let again = page_post(
        &app,
        &mut cookies,
        "/staff/fees",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("id", "2026_12"),
            ("rules", &rules),
        ],
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // Articles: preview renders without saving; save publishes with history.
    let list = page_get(&app, &mut cookies, "/staff/articles").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let edit_path = list
        .body
        .split(r#"<a href="/staff/articles/en/"#)
        .nth(1)
        .and_then(|tail| tail.split('"').next())
        .map(|slug| format!("/staff/articles/en/{slug}"))
        .expect("an English article");
    let slug = edit_path.rsplit('/').next().expect("a slug").to_owned();
    let form = page_get(&app, &mut cookies, &edit_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let base_marker = r#"name="base_revision" value=""#;
    let start = form.body.find(base_marker).expect("a base revision") + base_marker.len();
    let base: String = form.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let title = "Edited by the admin test";
    let body = "A **bold** step.\n\n1. First\n2. Second";
    let preview = page_post(
        &app,
        &mut cookies,
        &edit_path,
        &[
            ("csrf_token", &csrf_token(&form)),
            ("base_revision", &base),
            ("title", title),
            ("summary", "A summary"),
            ("body", body),
            ("intent", "preview"),
        ],
    )
    .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("<strong>bold</strong>"),
        "{}",
        preview.body
    );
    let public = app
        .get(&format!("/help/{slug}?lang=en"))
        .await
        .text()
        .await
        .expect("text");
    assert!(!public.contains(title), "a preview is not published");
    let saved = page_post(
        &app,
        &mut cookies,
        &edit_path,
        &[
            ("csrf_token", &csrf_token(&form)),
            ("base_revision", &base),
            ("title", title),
            ("summary", "A summary"),
            ("body", body),
            ("intent", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let public = app
        .get(&format!("/help/{slug}?lang=en"))
        .await
        .text()
        .await
        .expect("text");
    assert!(public.contains(title), "published at once");
    let stale = page_post(
        &app,
        &mut cookies,
        &edit_path,
        &[
            ("csrf_token", &csrf_token(&form)),
            ("base_revision", &base),
            ("title", "A late edit"),
            ("summary", "A summary"),
            ("body", body),
            ("intent", "save"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let history: Value = api(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/staff/help/articles/en/{slug}"),
        Some(&admin),
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(history["title"], title);
    assert!(history["history"].as_array().expect("history").len() >= 2);
    assert!(
        history["history"][0]["edited_by"]
            .as_str()
            .expect("editor")
            .starts_with("stf_")
    );
    let document = app
        .get("/api/openapi.json")
        .await
        .text()
        .await
        .expect("text");
    for path in [
        "/api/v1/staff/fx-rates",
        "/api/v1/staff/fee-schedules",
        "/api/v1/staff/help/articles/{language}/{slug}",
        "/api/v1/kyc",
        "/api/v1/staff/kyc/{id}/reject",
    ] {
        assert!(document.contains(path), "{path} is documented");
    }
    app.stop().await;
}

on_both_databases!(admins_publish_and_revise_announcements_and_edit_contact_channels_on_pages);
async fn admins_publish_and_revise_announcements_and_edit_contact_channels_on_pages(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let mut agent_cookies = Cookies::staff(&agent);
    for path in ["/staff/announcements", "/staff/channels"] {
        let refused = page_get(&app, &mut agent_cookies, path).await;
        assert_eq!(refused.status, 403, "{path}");
    }
    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let mut cookies = Cookies::staff(&admin);
    let page = page_get(&app, &mut cookies, "/staff/announcements").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let starts = crate::staff_admin::rfc3339(now() - 60);
    let created = page_post(
        &app,
        &mut cookies,
        "/staff/announcements",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("kind", "maintenance"),
            ("severity", "degraded"),
            ("title_zh_cn", "银行卡充值维护"),
            ("title_en", "Card top-up maintenance"),
            ("body_zh_cn", "银行卡充值暂时变慢。"),
            ("body_en", "Card top-ups are slower for now."),
            ("starts_at", &starts),
            ("ends_at", ""),
            ("services", "card_topup"),
            ("services", "transfer"),
        ],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let edit_path = created
        .location
        .expect("to the notice")
        .replace("?saved=1", "");
    let home = app.get("/?lang=en").await.text().await.expect("text");
    assert!(
        home.contains("Card top-up maintenance"),
        "the banner shows it"
    );
    let form = page_get(&app, &mut cookies, &edit_path).await;
    assert!(
        form.body.contains(r#"value="card_topup" checked"#),
        "{}",
        form.body
    );
    assert!(form.body.contains(r#"value="transfer" checked"#));
    let withdrawn = page_post(
        &app,
        &mut cookies,
        &edit_path,
        &[
            ("csrf_token", &csrf_token(&form)),
            ("version", "1"),
            ("kind", "maintenance"),
            ("severity", "degraded"),
            ("title_zh_cn", "银行卡充值维护"),
            ("title_en", "Card top-up maintenance"),
            ("body_zh_cn", "银行卡充值暂时变慢。"),
            ("body_en", "Card top-ups are slower for now."),
            ("starts_at", &starts),
            ("services", "card_topup"),
            ("withdrawn", "yes"),
        ],
    )
    .await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let conflict = page_post(
        &app,
        &mut cookies,
        &edit_path,
        &[
            ("csrf_token", &csrf_token(&form)),
            ("version", "1"),
            ("kind", "maintenance"),
            ("severity", "info"),
            ("title_zh_cn", "旧版本"),
            ("title_en", "Old version"),
            ("body_zh_cn", "旧"),
            ("body_en", "Old"),
            ("starts_at", &starts),
            ("services", "card_topup"),
        ],
    )
    .await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    let form = page_get(&app, &mut cookies, &edit_path).await;
    assert!(form.body.contains(r#"id="notice-history""#));
    let status: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/announcements",
        None,
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert!(
        !status.to_string().contains("Card top-up maintenance"),
        "withdrawn"
    );

    let page = page_get(&app, &mut cookies, "/staff/channels").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let saved = page_post(
        &app,
        &mut cookies,
        "/staff/channels",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("id", "hotline_test"),
            ("kind", "hotline"),
            ("value", "400-820-1234"),
            ("display", "400-820-1234"),
            ("platform", ""),
            ("name_zh_cn", "测试热线"),
            ("name_en", "Test hotline"),
            ("note_zh_cn", ""),
            ("note_en", ""),
            ("hours", "Asia/Shanghai mon-sun 09:00-21:00"),
            ("position", "50"),
            ("enabled", "yes"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let check: Value = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/official-check?value=4008201234",
        None,
        None,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert!(check.to_string().contains("hotline_test"), "{check}");
    let page = page_get(&app, &mut cookies, "/staff/channels?edit=hotline_test").await;
    assert!(
        page.body.contains(r#"value="Test hotline""#),
        "{}",
        page.body
    );
    let removed = page_post(
        &app,
        &mut cookies,
        "/staff/channels/hotline_test/delete",
        &[("csrf_token", &csrf_token(&page))],
    )
    .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let page = page_get(&app, &mut cookies, "/staff/channels").await;
    assert!(!page.body.contains("hotline_test"));
    app.stop().await;
}

/// Unix seconds as RFC 3339 UTC, as the notice form takes them.
pub(crate) fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .expect("a time")
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The paths the staff navigation on `page` links to, in order.
fn nav_links(page: &Page) -> Vec<String> {
    let start = page
        .body
        .find(r#"<nav class="staff-nav""#)
        .unwrap_or_else(|| panic!("a staff navigation: {}", page.body));
    let nav = &page.body[start..];
    let nav = &nav[..nav.find("</nav>").expect("a closed navigation")];
    nav.split(r#"<a href=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("a closed href")].to_owned())
        .collect()
}

on_both_databases!(every_link_in_the_staff_navigation_opens_for_the_role_that_sees_it);
async fn every_link_in_the_staff_navigation_opens_for_the_role_that_sees_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for (role, expected) in [
        (
            StaffRole::Agent,
            &[
                "/staff/users",
                "/staff/tickets",
                "/staff/chat",
                "/staff/community",
            ][..],
        ),
        (
            StaffRole::Security,
            &["/staff/users", "/staff/tickets", "/staff/appeals"][..],
        ),
        (StaffRole::Risk, &["/staff/users", "/staff/kyc"][..]),
        (StaffRole::Finance, &["/staff/withdrawals"][..]),
        (
            StaffRole::Admin,
            &[
                "/staff/community",
                "/staff/outbox",
                "/staff/fx-rates",
                "/staff/fees",
                "/staff/articles",
                "/staff/announcements",
                "/staff/channels",
                "/staff/members",
            ][..],
        ),
    ] {
        let (token, _) = staff_signed_in(&app, role).await;
        let mut cookies = Cookies::staff(&token);
        // The outbox page carries the navigation for every role, refused or not.
        let page = page_get(&app, &mut cookies, "/staff/outbox").await;
        let links = nav_links(&page);
        assert_eq!(links, expected, "{role:?}");
        for link in links {
            let opened = page_get(&app, &mut cookies, &link).await;
            assert_eq!(opened.status, 200, "{role:?} {link}: {}", opened.body);
        }
    }
    app.stop().await;
}

on_both_databases!(the_contact_channels_page_names_channel_kinds_in_the_readers_language);
async fn the_contact_channels_page_names_channel_kinds_in_the_readers_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let mut cookies = Cookies::staff(&admin);
    let english = page_get(&app, &mut cookies, "/staff/channels").await;
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(
        english
            .body
            .contains(r#"<option value="hotline" selected>Hotline</option>"#),
        "{}",
        english.body
    );
    assert!(
        english
            .body
            .contains(r#"<option value="social">Social account</option>"#)
    );
    assert!(
        english.body.contains("<small>Hotline</small>"),
        "a listed hotline"
    );
    let chinese = page_get(&app, &mut cookies, "/staff/channels?lang=zh-CN").await;
    assert_eq!(chinese.status, 200, "{}", chinese.body);
    assert!(
        chinese
            .body
            .contains(r#"<option value="live_chat">在线客服</option>"#),
        "{}",
        chinese.body
    );
    assert!(chinese.body.contains("<small>客服热线</small>"));
    assert!(!chinese.body.contains("<small>hotline</small>"));
    app.stop().await;
}

on_both_databases!(approving_a_lower_tier_than_one_granted_since_keeps_the_higher_tier);
async fn approving_a_lower_tier_than_one_granted_since_keeps_the_higher_tier(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, user_id) = signed_up(&app, "kyc-keeps-higher@example.com").await;
    let sent = submit_kyc(&app, &token, kyc_form("verified", &[("front.png", PNG)])).await;
    assert_eq!(sent.status(), 201);
    let request: Value = sent.json().await.expect("JSON");
    let request_id = request["id"].as_str().expect("an id").to_owned();
    // Granted meanwhile by another path while the request waited.
    app.running
        .wallet
        .set_kyc_tier(&user_id, domain::limits::KycTier::Enhanced)
        .await
        .expect("tier set");
    let (risk, _) = staff_signed_in(&app, StaffRole::Risk).await;
    let approved = api(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/staff/kyc/{request_id}/approve"),
        Some(&risk),
        None,
    )
    .await;
    assert_eq!(approved.status(), 200);
    assert_eq!(tier_of(&app, &token).await, "enhanced");
    app.stop().await;
}

on_both_databases!(an_admin_names_a_staff_member_and_the_name_is_checked_as_the_cli_checks_it);
async fn an_admin_names_a_staff_member_and_the_name_is_checked_as_the_cli_checks_it(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (admin_token, _) = staff_signed_in(&app, StaffRole::Admin).await;
    let (agent_token, agent_id) =
        crate::tickets::staff_signed_in_as(&app, Some("li.na@okpay.example"), StaffRole::Agent)
            .await;
    let mut admin = Cookies::staff(&admin_token);
    let page = page_get(&app, &mut admin, "/staff/members").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("li.na@okpay.example"), "{}", page.body);
    assert!(page.body.contains(r#"<td class="member-role">Agent</td>"#));
    assert!(page.body.contains(r#"href="/staff/members""#));

    let saved = page_post(
        &app,
        &mut admin,
        &format!("/staff/members/{agent_id}/name"),
        &[("csrf_token", &csrf_token(&page)), ("name", "  王芳 ")],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.location.expect("back to the list");
    assert_eq!(location, format!("/staff/members?saved={agent_id}"));
    let page = page_get(&app, &mut admin, &location).await;
    assert!(page.body.contains("Saved, and recorded in the audit log."));
    assert!(page.body.contains(r#"value="王芳""#), "{}", page.body);
    // The member is called by it from now on.
    let mut agent = Cookies::staff(&agent_token);
    let theirs = page_get(&app, &mut agent, "/staff/tickets").await;
    assert!(theirs.body.contains("Agent · 王芳"), "{}", theirs.body);

    // Refused as `okpay staff create --name` refuses it, with the typed name kept.
    for bad in ["Wang\nFang", &"名".repeat(65)] {
        let refused = page_post(
            &app,
            &mut admin,
            &format!("/staff/members/{agent_id}/name"),
            &[("csrf_token", &csrf_token(&page)), ("name", bad)],
        )
        .await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(
            refused.body.contains("1 to 64 characters"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(r#"id="staff-error""#));
    }
    let theirs = page_get(&app, &mut agent, "/staff/tickets").await;
    assert!(theirs.body.contains("Agent · 王芳"), "{}", theirs.body);
    let missing = page_post(
        &app,
        &mut admin,
        "/staff/members/stf_nobody/name",
        &[("csrf_token", &csrf_token(&page)), ("name", "Nobody")],
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.body);

    // Only admins: the agent is refused and changes nothing.
    let own = page_get(&app, &mut agent, "/staff/members").await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(!own.body.contains("li.na@okpay.example"), "{}", own.body);
    let tried = page_post(
        &app,
        &mut agent,
        &format!("/staff/members/{agent_id}/name"),
        &[("csrf_token", &csrf_token(&theirs)), ("name", "Boss")],
    )
    .await;
    assert_eq!(tried.status, 403, "{}", tried.body);

    // A blank name takes it away: the member is called by e-mail address again.
    let cleared = page_post(
        &app,
        &mut admin,
        &format!("/staff/members/{agent_id}/name"),
        &[("csrf_token", &csrf_token(&page)), ("name", "  ")],
    )
    .await;
    assert_eq!(cleared.status, 303, "{}", cleared.body);
    let theirs = page_get(&app, &mut agent, "/staff/tickets").await;
    assert!(
        theirs.body.contains("Agent · li.na@okpay.example"),
        "{}",
        theirs.body
    );

    // In Chinese.
    let chinese = page_get(&app, &mut admin, "/staff/members?lang=zh-CN").await;
    assert_eq!(chinese.status, 200);
    assert!(chinese.body.contains("显示姓名"), "{}", chinese.body);
    assert!(
        chinese
            .body
            .contains(r#"<td class="member-role">客服</td>"#)
    );
    let refused = page_post(
        &app,
        &mut admin,
        &format!("/staff/members/{agent_id}/name"),
        &[
            ("csrf_token", &csrf_token(&chinese)),
            ("name", "Wang\nFang"),
        ],
    )
    .await;
    assert!(
        refused.body.contains("员工姓名需为 1–64 个字符"),
        "{}",
        refused.body
    );
    app.stop().await;
}
