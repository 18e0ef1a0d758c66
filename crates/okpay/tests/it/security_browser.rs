//! The sign-in security journey in a real Chromium: register, confirm with the code from the
//! e-mail a loopback SMTP server received, turn on two-factor sign-in (the test computes codes
//! from the secret), sign out, sign in with the code, read the login history, then trip the
//! lockout and read its reason on the sign-in page. Screenshots go to `target/screenshots/`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, Locator};

use crate::browser::{browser_tests_enabled, open_browser, screenshot_dir, start_driver};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::smtp_server::SmtpServer;

const PASSWORD: &str = "plum-orbit-canyon-17";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

fn totp_code(secret_base32: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a Base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build_noncompliant()
        .generate(at as u64)
        .to_string()
}

/// The code in the e-mail the SMTP server received for `recipient`, running the delivery jobs
/// (as the worker would) until it arrives.
async fn code_mailed_to(app: &TestApp, smtp: &SmtpServer, recipient: &str) -> String {
    for _ in 0..500 {
        app.run_pending_jobs().await;
        let received = smtp.received();
        if let Some(mail) = received
            .iter()
            .find(|mail| mail.recipients.iter().any(|to| to == recipient))
        {
            return mail
                .data
                .split(|c: char| !c.is_ascii_digit())
                .find(|word| word.len() == 6)
                .expect("a 6-digit code in the mail")
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no mail reached {recipient}");
}

pub(crate) async fn fill_and_submit(browser: &Client, action: &str, fields: &[(&str, &str)]) {
    let css = format!("form[action='{action}']");
    browser
        .wait()
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|error| panic!("the form {action} appears: {error}"));
    let form = browser
        .form(Locator::Css(&css))
        .await
        .unwrap_or_else(|error| panic!("the form {action}: {error}"));
    for (name, value) in fields {
        form.set_by_name(name, value).await.expect("a field");
    }
    form.submit().await.expect("submitted");
}

/// Submits a form and waits until the browser has left the page it was on, so what is read
/// next is the answer's page, not the form's.
pub(crate) async fn submit_and_wait(browser: &Client, action: &str, fields: &[(&str, &str)]) {
    let page = browser
        .find(Locator::Css("html"))
        .await
        .expect("a page is shown");
    fill_and_submit(browser, action, fields).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    // An element of a page the browser has left is stale: asking it anything fails.
    while page.tag_name().await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the form {action} was not answered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
        .text()
        .await
        .expect("text")
}

pub(crate) async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("saved");
}

#[tokio::test]
async fn chromium_enrols_two_factor_signs_in_with_a_code_and_shows_the_login_history() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let smtp = SmtpServer::start(0).await;
    let smtp_url = smtp.url();
    let Some(app) = spawn_app_with(Backend::Sqlite, |config| {
        config.smtp_url = Some(smtp_url);
        // The journey trips the lockout on purpose; the per-IP limit is tested elsewhere.
        config.auth_rate_limit_per_minute = 0;
    })
    .await
    else {
        return;
    };
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let browser = open_browser(&driver, "en-US", profile.path()).await;
    let email = "journey@example.com";

    browser.goto(&app.url("/register")).await.expect("loads");
    fill_and_submit(
        &browser,
        "/register",
        &[("login", email), ("password", PASSWORD)],
    )
    .await;
    let code = code_mailed_to(&app, &smtp, email).await;
    fill_and_submit(&browser, "/verify", &[("code", &code)]).await;
    fill_and_submit(
        &browser,
        "/login",
        &[("login", email), ("password", PASSWORD)],
    )
    .await;
    text_of(&browser, "#account-email").await;

    browser.goto(&app.url("/security")).await.expect("loads");
    browser
        .find(Locator::Css("#totp-setup"))
        .await
        .expect("the set-up button")
        .click()
        .await
        .expect("clicked");
    let secret = text_of(&browser, "#totp-secret").await;
    browser
        .find(Locator::Css(".qr svg"))
        .await
        .expect("a QR code");
    screenshot(&browser, "security-totp-setup-en").await;
    // Enrol with the previous step's code so the current step is still free for signing in.
    let left = 30 - now().rem_euclid(30);
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    let at = now();
    fill_and_submit(
        &browser,
        "/security/totp/enable",
        &[("code", &totp_code(&secret, at - 30))],
    )
    .await;
    let codes = text_of(&browser, "#recovery-codes").await;
    assert_eq!(
        codes.lines().filter(|line| !line.trim().is_empty()).count(),
        10,
        "{codes}"
    );
    screenshot(&browser, "security-recovery-codes-en").await;

    fill_and_submit(&browser, "/logout", &[]).await;
    fill_and_submit(
        &browser,
        "/login",
        &[("login", email), ("password", PASSWORD)],
    )
    .await;
    let hint = text_of(&browser, "#totp-hint").await;
    assert!(hint.contains("two-factor"), "{hint}");
    fill_and_submit(
        &browser,
        "/login",
        &[
            ("login", email),
            ("password", PASSWORD),
            ("totp_code", &totp_code(&secret, at)),
        ],
    )
    .await;
    text_of(&browser, "#account-email").await;

    browser.goto(&app.url("/security")).await.expect("loads");
    let history = text_of(&browser, "#login-history").await;
    assert!(
        history.contains("Signed in") && history.contains("Asked for the code"),
        "{history}"
    );
    let status = text_of(&browser, "#totp-status").await;
    assert!(status.starts_with("On"), "{status}");
    screenshot(&browser, "security-login-history-en").await;
    browser.goto(&app.url("/messages")).await.expect("loads");
    let messages = text_of(&browser, "#messages").await;
    assert!(messages.contains("Two-factor sign-in is on"), "{messages}");
    screenshot(&browser, "messages-en").await;
    browser
        .goto(&app.url("/security?lang=zh-CN"))
        .await
        .expect("loads");
    let heading = text_of(&browser, "h1").await;
    assert_eq!(heading, "安全设置");
    let history = text_of(&browser, "#login-history").await;
    assert!(history.contains("登录成功"), "{history}");
    screenshot(&browser, "security-login-history-zh-CN").await;

    // Five wrong passwords lock sign-in; the sign-in page says why and until when.
    browser
        .goto(&app.url("/security?lang=en"))
        .await
        .expect("loads");
    submit_and_wait(&browser, "/logout", &[]).await;
    let mut lock = None;
    for _ in 0..6 {
        browser.goto(&app.url("/login")).await.expect("loads");
        submit_and_wait(
            &browser,
            "/login",
            &[("login", email), ("password", "not-my-password-at-all")],
        )
        .await;
        // The notice comes before the form in the page: once the form is there, so is it.
        browser
            .wait()
            .for_element(Locator::Css("form[action='/login']"))
            .await
            .expect("the sign-in form is shown again");
        if let Ok(notice) = browser.find(Locator::Css("#lock-notice")).await {
            lock = Some(notice.text().await.expect("text"));
            break;
        }
    }
    let lock = lock.expect("the lockout notice after five failures");
    assert!(lock.contains("UTC"), "it says until when: {lock}");
    assert!(
        lock.contains("entered wrong 5 times within 15 minutes"),
        "it says why: {lock}"
    );
    assert!(lock.contains("reset"), "it says what to do: {lock}");
    screenshot(&browser, "login-locked-en").await;
    // A correct password during the lock is refused too, with the same notice.
    submit_and_wait(
        &browser,
        "/login",
        &[("login", email), ("password", PASSWORD)],
    )
    .await;
    text_of(&browser, "#lock-notice").await;
    browser.close().await.expect("the session ends");
    app.stop().await;
}
