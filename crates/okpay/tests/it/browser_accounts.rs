//! A browser journey through the account pages in Chromium: sign up with the strength hint,
//! confirm with the code from the outbox, see the account, sign out, then trip the lockout and
//! read on the sign-in page why and until when. Screenshots go to target/screenshots/.

use std::time::{Duration, Instant};

use domain::notify::OutboxStore;
use fantoccini::{Client, Locator};

use crate::browser::{browser_tests_enabled, open_browser, screenshot_dir, start_driver};
use crate::helpers::{Backend, TestApp, spawn_app};

const EMAIL: &str = "journey@example.com";
const PASSWORD: &str = "plum-orbit-canyon-17";

async fn fill(browser: &Client, css: &str, text: &str) {
    let field = browser.find(Locator::Css(css)).await.expect("the field");
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

async fn submit(browser: &Client, form_css: &str) {
    browser
        .find(Locator::Css(&format!("{form_css} button[type='submit']")))
        .await
        .expect("the form's button")
        .click()
        .await
        .expect("clicked");
}

async fn body_text(browser: &Client) -> String {
    browser
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

async fn wait_for_path(browser: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = browser.current_url().await.expect("a URL");
        if url.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "expected {path}, at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("saved");
}

async fn code_sent_to(app: &TestApp, recipient: &str) -> String {
    let messages = app
        .running
        .store
        .recent_messages(20)
        .await
        .expect("readable");
    let message = messages
        .iter()
        .find(|message| message.recipient == recipient)
        .expect("a code was sent");
    message
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

#[tokio::test]
async fn chromium_signs_up_confirms_signs_in_and_out_and_reads_why_sign_in_is_locked() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let browser = open_browser(&driver, "en-US", profile.path()).await;

    // Sign up; the strength hint appears as the password is typed.
    browser.goto(&app.url("/register")).await.expect("loads");
    fill(&browser, "#login", EMAIL).await;
    fill(&browser, "#password", "password1").await;
    let hint = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "#password-strength:not([hidden]) .strength-verdict",
        ))
        .await
        .expect("the strength hint shows");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !hint.text().await.expect("text").contains("can't be used") {
        assert!(
            Instant::now() < deadline,
            "the hint should refuse a common password"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    screenshot(&browser, "register-weak-password-en").await;
    fill(&browser, "#password", PASSWORD).await;
    submit(&browser, "form[action='/register']").await;
    wait_for_path(&browser, "/verify").await;

    // Confirm with the code that went to the outbox.
    let code = code_sent_to(&app, EMAIL).await;
    fill(&browser, "#code", &code).await;
    screenshot(&browser, "verify-en").await;
    submit(&browser, "form[action='/verify']").await;
    wait_for_path(&browser, "/login").await;
    assert!(
        body_text(&browser)
            .await
            .contains("Your address is confirmed")
    );

    // Sign in; the account page says who we are.
    fill(&browser, "#password", PASSWORD).await;
    submit(&browser, "form[action='/login']").await;
    wait_for_path(&browser, "/account").await;
    let account = body_text(&browser).await;
    assert!(account.contains(EMAIL), "{account}");
    assert!(account.contains("Confirmed and in use"), "{account}");
    screenshot(&browser, "account-en").await;

    // Sign out from the header.
    submit(&browser, "form[action='/logout']").await;
    wait_for_path(&browser, "/login").await;
    assert!(body_text(&browser).await.contains("You've signed out"));
    browser.goto(&app.url("/account")).await.expect("loads");
    wait_for_path(&browser, "/login").await;

    // Five wrong passwords lock sign-in; the page says why and until when.
    let mut locked = false;
    for _ in 0..6 {
        fill(&browser, "#login", EMAIL).await;
        fill(&browser, "#password", "not-the-password").await;
        submit(&browser, "form[action='/login']").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        if browser.find(Locator::Css("#lock-notice")).await.is_ok() {
            locked = true;
            break;
        }
    }
    assert!(locked, "the lock is explained on the page");
    let page = body_text(&browser).await;
    for phrase in [
        "Sign-in to this account is locked for now",
        "entered wrong 5 times within 15 minutes",
        "(UTC+8), about 15 minutes from now",
        "Reset your password",
        "Contact the help center",
    ] {
        assert!(page.contains(phrase), "{phrase}: {page}");
    }
    screenshot(&browser, "login-locked-en").await;
    browser.close().await.expect("the session ends");
    app.stop().await;
}

#[tokio::test]
async fn chromium_shows_the_signed_in_header_with_the_community_link_on_one_line_at_1280_px() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) =
        crate::helpers::spawn_app_with(Backend::Sqlite, |config| config.demo = true).await
    else {
        return;
    };
    let driver = start_driver();
    for (language, tag, community) in [("zh-CN", "zh-CN", "社区"), ("en-US", "en", "Community")] {
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let browser = open_browser(&driver, language, profile.path()).await;
        browser
            .goto(&app.url("/login"))
            .await
            .expect("the sign-in page");
        fill(&browser, "#login", "alice@demo.okpay.test").await;
        fill(&browser, "#password", okpay::demo::DEMO_PASSWORD).await;
        submit(&browser, "form[action='/login']").await;
        wait_for_path(&browser, "/account").await;
        browser.goto(&app.url("/wallet")).await.expect("the wallet");
        let link = browser
            .find(Locator::Css(".site-header #nav-community"))
            .await
            .expect("the header links to the community");
        assert_eq!(link.text().await.expect("text"), community);
        assert_eq!(
            link.attr("href").await.expect("attributes").as_deref(),
            Some("/community")
        );
        // One line: every link and button in the header sits on the same row, and the header
        // is no taller than one row.
        let rows = browser
            .execute(
                "const items = [...document.querySelectorAll('.header-inner a:not(.skip-link), .header-inner button')]
                    .filter(e => e.getClientRects().length > 0)
                    .map(e => e.getBoundingClientRect());
                 const middles = items.map(r => r.top + r.height / 2);
                 return [Math.max(...middles) - Math.min(...middles),
                         document.querySelector('.site-header').getBoundingClientRect().height,
                         window.innerWidth];",
                vec![],
            )
            .await
            .expect("measured");
        let spread = rows[0].as_f64().expect("a number");
        let height = rows[1].as_f64().expect("a number");
        assert!(
            spread < 8.0,
            "{tag}: header items on more than one row: {rows}"
        );
        assert!(height < 90.0, "{tag}: the header wraps: {rows}");
        screenshot(&browser, &format!("header-signed-in-{tag}")).await;
        link.click().await.expect("clicked");
        wait_for_path(&browser, "/community").await;
        browser.close().await.expect("the session ends");
    }
    app.stop().await;
}
