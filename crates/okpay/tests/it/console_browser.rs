//! The support journey in Chromium: diagnose a failed top-up, open a ticket from it with a screenshot, an agent (signed in with TOTP) answers from the console with the customer panel beside it, and the user rates the help. Screenshots go to target/screenshots/.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use domain::staff::StaffRole;
use fantoccini::{Client, Locator};

use crate::browser::{browser_tests_enabled, open_browser, screenshot_dir, start_driver};
use crate::helpers::{Backend, spawn_app};

const PASSWORD: &str = "plum-orbit-canyon-17";
const STAFF_PASSWORD: &str = "quartz-meadow-lantern-42";
/// A real 1×1 PNG, so the browser uploads what a person would.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

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

/// A moment with at least 10 seconds left in its 30-second TOTP step.
async fn steady_step() -> i64 {
    let left = 30 - now().rem_euclid(30);
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    now()
}

async fn element(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css} appears: {error}"))
}

async fn fill(browser: &Client, css: &str, text: &str) {
    let field = element(browser, css).await;
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

async fn click(browser: &Client, css: &str) {
    element(browser, css).await.click().await.expect("clicked");
}

async fn text_of(browser: &Client, css: &str) -> String {
    element(browser, css).await.text().await.expect("text")
}

/// Waits until the element's text contains `needle`: the page after a form's post, not the one
/// before it.
async fn wait_for_text(browser: &Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(found) = browser.find(Locator::Css(css)).await
            && found.text().await.is_ok_and(|text| text.contains(needle))
        {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never showed {needle:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_path(browser: &Client, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let url = browser.current_url().await.expect("a URL");
        if url.path().starts_with(prefix) {
            return url.path().to_owned();
        }
        assert!(Instant::now() < deadline, "expected {prefix}…, at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("saved");
}

#[tokio::test]
async fn chromium_diagnoses_a_failed_top_up_an_agent_answers_from_the_console_and_the_user_rates_it()
 {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let email = "support-journey@example.com";
    let person = crate::wallet::person(&app, email).await;
    let card = crate::wallet::add_card(&app, &person, "4000 0000 0000 9995").await;
    let refused = crate::wallet::top_up(&app, &person, &card, 1_000, "CNY").await;
    assert!(refused.status >= 400, "{}", refused.body);

    let driver = start_driver();
    let files = tempfile::tempdir().expect("a directory for the screenshot to upload");
    let upload = files.path().join("declined-top-up.png");
    std::fs::write(&upload, PNG).expect("written");

    // The user signs in and reads what happened.
    let user_profile = tempfile::tempdir().expect("a browser profile directory");
    let user = open_browser(&driver, "en-US", user_profile.path()).await;
    user.goto(&app.url("/login?next=/diagnose"))
        .await
        .expect("loads");
    fill(&user, "form[action='/login'] input[name='login']", email).await;
    fill(
        &user,
        "form[action='/login'] input[name='password']",
        PASSWORD,
    )
    .await;
    click(&user, "form[action='/login'] button[type='submit']").await;
    wait_for_path(&user, "/diagnose").await;
    let failed = text_of(&user, ".failed-transaction").await;
    assert!(failed.contains("insufficient_funds"), "{failed}");
    screenshot(&user, "support-diagnose-en").await;
    user.goto(&app.url("/diagnose?lang=zh-CN"))
        .await
        .expect("loads");
    let heading = text_of(&user, "h1").await;
    assert_eq!(heading, "发生了什么？");
    screenshot(&user, "support-diagnose-zh-CN").await;
    user.goto(&app.url("/diagnose?lang=en"))
        .await
        .expect("loads");

    // One form opens the ticket with the diagnosis and the screenshot.
    fill(
        &user,
        "#diagnose-description",
        "My top-up was refused. What now?",
    )
    .await;
    element(&user, "#diagnose-attachments")
        .await
        .send_keys(&upload.display().to_string())
        .await
        .expect("the file is chosen");
    click(&user, "#diagnose-open-ticket").await;
    let path = wait_for_path(&user, "/tickets/tkt_").await;
    let ticket_id = path.trim_start_matches("/tickets/").to_owned();
    let attachments = text_of(&user, "#ticket-attachments").await;
    assert!(attachments.contains("declined-top-up.png"), "{attachments}");
    screenshot(&user, "support-ticket-opened-en").await;

    // An agent is set up with TOTP and signs in with a code.
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let created = accounts
        .create_staff("agent@okpay.test", None, StaffRole::Agent, "en", now())
        .await
        .expect("created");
    let agent_profile = tempfile::tempdir().expect("a browser profile directory");
    let agent = open_browser(&driver, "en-US", agent_profile.path()).await;
    agent
        .goto(&app.url(&format!("/staff/setup/{}", created.setup_token)))
        .await
        .expect("loads");
    let secret = text_of(&agent, "#totp-secret").await;
    let at = steady_step().await;
    fill(&agent, "input[name='password']", STAFF_PASSWORD).await;
    fill(
        &agent,
        "input[name='totp_code']",
        &totp_code(&secret, at - 30),
    )
    .await;
    click(&agent, "form[action^='/staff/setup'] button[type='submit']").await;
    element(&agent, "#recovery-codes").await;
    agent.goto(&app.url("/staff")).await.expect("loads");
    fill(&agent, "input[name='email']", "agent@okpay.test").await;
    fill(&agent, "input[name='password']", STAFF_PASSWORD).await;
    fill(&agent, "input[name='totp_code']", &totp_code(&secret, at)).await;
    click(&agent, "form[action='/staff/login'] button[type='submit']").await;
    wait_for_path(&agent, "/staff/users").await;

    // The queue lists the ticket; the console shows it beside the customer panel.
    agent.goto(&app.url("/staff/tickets")).await.expect("loads");
    let row = text_of(&agent, &format!("tr[data-id='{ticket_id}']")).await;
    assert!(row.contains("Top-up"), "{row}");
    screenshot(&agent, "support-console-queue-en").await;
    click(&agent, &format!("tr[data-id='{ticket_id}'] a")).await;
    let panel = text_of(&agent, "#customer-panel").await;
    assert!(panel.contains(email), "{panel}");
    assert!(panel.contains("insufficient_funds"), "{panel}");
    click(&agent, "#console-claim").await;
    // The assignee is named, not shown as a staff id.
    wait_for_text(&agent, "#console-assignee", "agent@okpay.test").await;
    fill(
        &agent,
        "#console-reply",
        "Your card issuer refused it; nothing was charged. Please try another card.",
    )
    .await;
    click(&agent, "#console-send").await;
    wait_for_text(&agent, ".ticket-message.from-staff", "nothing was charged").await;
    screenshot(&agent, "support-console-ticket-en").await;
    agent
        .goto(&app.url(&format!("/staff/tickets/{ticket_id}?lang=zh-CN")))
        .await
        .expect("loads");
    let panel = text_of(&agent, "#customer-panel").await;
    assert!(panel.contains("客户信息"), "{panel}");
    screenshot(&agent, "support-console-ticket-zh-CN").await;
    agent
        .goto(&app.url(&format!("/staff/tickets/{ticket_id}?lang=en")))
        .await
        .expect("loads");
    agent
        .find(Locator::Css("#console-set-status"))
        .await
        .expect("the status list")
        .select_by_value("solved")
        .await
        .expect("chosen");
    click(&agent, "#console-status-apply").await;
    wait_for_text(&agent, "#console-status", "Solved").await;

    // The user reads the answer and rates it.
    user.goto(&app.url(&format!("/tickets/{ticket_id}")))
        .await
        .expect("loads");
    let thread = text_of(&user, "main").await;
    assert!(thread.contains("nothing was charged"), "{thread}");
    click(&user, "#ticket-rate input[value='5']").await;
    fill(&user, "#rate-comment", "Clear answer, thank you").await;
    click(&user, "#rate-submit").await;
    let rating = text_of(&user, "#ticket-rating").await;
    assert!(rating.contains("5/5"), "{rating}");
    screenshot(&user, "support-ticket-rated-en").await;

    user.close().await.expect("closed");
    agent.close().await.expect("closed");
    app.stop().await;
}
