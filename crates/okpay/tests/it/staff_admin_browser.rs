//! The step-up screen, identity verification and the admins' pages in a real Chromium: change
//! the password with a code bound to that change, upload an identity document, the risk team
//! approves it, an admin reads the outbox, sets an FX rate and previews an article. Screenshots
//! go to `target/screenshots/`.

use domain::staff::StaffRole;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{browser_tests_enabled, open_browser, start_driver};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::security_browser::{fill_and_submit, screenshot, text_of};
use crate::staff_admin::{PASSWORD, api, code_sent_to, now, signed_up, steady_step, totp_code};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a scanned identity card";

/// Creates a staff member with `role` and finishes their set-up (password and TOTP), then signs
/// the browser in on `/staff` with a code computed from the secret, as a person would.
async fn staff_signs_in(browser: &Client, app: &TestApp, email: &str, role: StaffRole) {
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let created = accounts
        .create_staff(email, None, role, "en", now())
        .await
        .expect("created");
    let path = format!("/api/v1/staff/setup/{}", created.setup_token);
    let setup: Value = api(app, reqwest::Method::GET, &path, None, None)
        .await
        .json()
        .await
        .expect("JSON");
    let secret = setup["secret"].as_str().expect("a secret").to_owned();
    let at = steady_step().await;
    let finished = api(
        app,
        reqwest::Method::POST,
        &path,
        None,
        Some(json!({"password": PASSWORD, "totp_code": totp_code(&secret, at - 30)})),
    )
    .await;
    assert_eq!(finished.status(), 200);
    browser.goto(&app.url("/staff")).await.expect("loads");
    fill_and_submit(
        browser,
        "/staff/login",
        &[
            ("email", email),
            ("password", PASSWORD),
            ("totp_code", &totp_code(&secret, at)),
        ],
    )
    .await;
    browser
        .wait()
        .for_element(Locator::Css(".staff-nav, #query"))
        .await
        .expect("signed in to the staff pages");
}

#[tokio::test]
async fn chromium_changes_a_password_with_step_up_verifies_identity_and_works_the_admin_pages() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app_with(Backend::Sqlite, |config| {
        config.auth_rate_limit_per_minute = 0;
    })
    .await
    else {
        return;
    };
    let email = "admin-journey@example.com";
    signed_up(&app, email).await;
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let browser = open_browser(&driver, "en-US", profile.path()).await;

    browser.goto(&app.url("/login")).await.expect("loads");
    fill_and_submit(
        &browser,
        "/login",
        &[("login", email), ("password", PASSWORD)],
    )
    .await;
    text_of(&browser, "#account-email").await;

    // The password changes only after a code bound to that change.
    browser.goto(&app.url("/security")).await.expect("loads");
    browser
        .find(Locator::Css("#change-password"))
        .await
        .expect("the link")
        .click()
        .await
        .expect("clicked");
    browser
        .wait()
        .for_element(Locator::Css("#step-up-send"))
        .await
        .expect("the send button")
        .click()
        .await
        .expect("clicked");
    text_of(&browser, "#step-up-sent").await;
    let code = code_sent_to(&app, email, "security code").await;
    screenshot(&browser, "security-step-up-en").await;
    fill_and_submit(
        &browser,
        "/security/step-up/password",
        &[
            ("new_password", "lantern-quartz-meadow-42"),
            ("code", &code),
        ],
    )
    .await;
    let done = text_of(&browser, "#step-up-done").await;
    assert!(done.contains("password is changed"), "{done}");

    // Identity verification: a document is uploaded from a file.
    let documents = tempfile::tempdir().expect("a directory");
    let scan = documents.path().join("id-card.png");
    std::fs::write(&scan, PNG).expect("written");
    browser
        .goto(&app.url("/wallet/verify"))
        .await
        .expect("loads");
    browser
        .wait()
        .for_element(Locator::Css("#kyc-documents"))
        .await
        .expect("the file input")
        .send_keys(&scan.display().to_string())
        .await
        .expect("a file chosen");
    browser
        .form(Locator::Css("#kyc-form"))
        .await
        .expect("the form")
        .submit()
        .await
        .expect("submitted");
    text_of(&browser, "#kyc-submitted").await;
    screenshot(&browser, "wallet-verify-submitted-en").await;

    // The risk team approves it; the user's tier rises.
    staff_signs_in(&browser, &app, "risk@okpay.test", StaffRole::Risk).await;
    browser.goto(&app.url("/staff/kyc")).await.expect("loads");
    let queue = text_of(&browser, "#kyc-queue").await;
    assert!(
        queue.contains(email) && queue.contains("id-card.png"),
        "{queue}"
    );
    screenshot(&browser, "staff-kyc-queue-en").await;
    browser
        .find(Locator::Css("#kyc-queue form[action$='/approve'] button"))
        .await
        .expect("the approve button")
        .click()
        .await
        .expect("clicked");
    text_of(&browser, "#kyc-queue-empty").await;
    browser
        .goto(&app.url("/wallet/verify"))
        .await
        .expect("loads");
    let tier = text_of(&browser, "#kyc-tier").await;
    assert_eq!(tier, "Verified");

    // An admin reads the outbox, sets a rate and previews an article.
    staff_signs_in(&browser, &app, "admin@okpay.test", StaffRole::Admin).await;
    browser
        .goto(&app.url("/staff/outbox"))
        .await
        .expect("loads");
    let outbox = text_of(&browser, "#outbox").await;
    assert!(outbox.contains(email), "{outbox}");
    screenshot(&browser, "staff-outbox-en").await;
    browser
        .goto(&app.url("/staff/fx-rates"))
        .await
        .expect("loads");
    fill_and_submit(
        &browser,
        "/staff/fx-rates",
        &[("base", "USD"), ("quote", "CNY"), ("rate", "7.0123")],
    )
    .await;
    text_of(&browser, "#staff-notice").await;
    let rates = text_of(&browser, "#fx-rates").await;
    assert!(rates.contains("7.0123"), "{rates}");
    screenshot(&browser, "staff-fx-rates-en").await;
    browser
        .goto(&app.url("/staff/articles"))
        .await
        .expect("loads");
    browser
        .find(Locator::Css("#articles a[href^='/staff/articles/en/']"))
        .await
        .expect("an article")
        .click()
        .await
        .expect("clicked");
    let body = browser
        .wait()
        .for_element(Locator::Css("#article-body"))
        .await
        .expect("the editor");
    body.clear().await.expect("cleared");
    body.send_keys("Steps:\n\n1. **Open** the app\n2. Tap *Security*")
        .await
        .expect("typed");
    browser
        .find(Locator::Css("#article-preview"))
        .await
        .expect("the preview button")
        .click()
        .await
        .expect("clicked");
    let preview = browser
        .wait()
        .for_element(Locator::Css("#article-preview-html strong"))
        .await
        .expect("the preview")
        .text()
        .await
        .expect("text");
    assert_eq!(preview, "Open");
    screenshot(&browser, "staff-article-preview-en").await;
    browser
        .goto(&app.url("/staff/fx-rates?lang=zh-CN"))
        .await
        .expect("loads");
    assert_eq!(text_of(&browser, "h1").await, "汇率");
    screenshot(&browser, "staff-fx-rates-zh-CN").await;
    browser.close().await.expect("the session ends");
    app.stop().await;
}
