//! A live chat between two Chromium sessions: a user on `/chat` and an agent (set up and signed in with TOTP) on `/staff/chat`; the user's socket is dropped mid-conversation and resumes. Screenshots go to `target/screenshots/`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::staff::StaffRole;
use fantoccini::{Client, Locator};

use crate::browser::{browser_tests_enabled, open_browser, screenshot_dir, start_driver};
use crate::chat::set_live_chat_hours;
use crate::helpers::{Backend, spawn_app};
use crate::tickets::signed_in;

const PASSWORD: &str = "plum-orbit-canyon-17";
const WAIT: Duration = Duration::from_secs(30);

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

/// A time well inside its 30-second TOTP step, so the codes of this step and the one before
/// stay valid while the test types them.
async fn steady_step() -> i64 {
    let left = 30 - now().rem_euclid(30);
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    now()
}

async fn fill_and_submit(browser: &Client, action: &str, fields: &[(&str, &str)]) {
    let css = format!("form[action='{action}']");
    browser
        .wait()
        .at_most(WAIT)
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

/// Waits until the conversation shows a message containing `text`.
async fn wait_for_message(browser: &Client, text: &str) {
    let xpath = format!("//ol[@id='chat-log']/li[@data-seq][contains(., '{text}')]");
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|error| panic!("the message {text:?} appears: {error}"));
}

async fn say(browser: &Client, text: &str) {
    let input = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#chat-input"))
        .await
        .expect("the message box");
    input.send_keys(text).await.expect("typed");
    browser
        .find(Locator::Css("#chat-send"))
        .await
        .expect("the send button")
        .click()
        .await
        .expect("sent");
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("saved");
}

#[tokio::test]
async fn chromium_user_and_agent_chat_live_and_a_dropped_socket_resumes() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    set_live_chat_hours(&app, "always").await;
    let driver = start_driver();

    // The agent finishes set-up (password and TOTP), signs in with a code and takes chats.
    let agent_profile = tempfile::tempdir().expect("a profile directory");
    let agent = open_browser(&driver, "en-US", agent_profile.path()).await;
    let accounts = okpay::app::accounts(&app.running.store, "http://okpay.test")
        .await
        .expect("accounts");
    let agent_email = "chat-agent@okpay.test";
    let created = accounts
        .create_staff(agent_email, None, StaffRole::Agent, "en", now())
        .await
        .expect("created");
    let setup_path = format!("/staff/setup/{}", created.setup_token);
    agent.goto(&app.url(&setup_path)).await.expect("loads");
    let secret = agent
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#totp-secret"))
        .await
        .expect("the secret")
        .text()
        .await
        .expect("text");
    let at = steady_step().await;
    fill_and_submit(
        &agent,
        &setup_path,
        &[
            ("password", PASSWORD),
            ("totp_code", &totp_code(&secret, at - 30)),
        ],
    )
    .await;
    agent
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#recovery-codes"))
        .await
        .expect("set up");
    agent.goto(&app.url("/staff")).await.expect("loads");
    fill_and_submit(
        &agent,
        "/staff/login",
        &[
            ("email", agent_email),
            ("password", PASSWORD),
            ("totp_code", &totp_code(&secret, at)),
        ],
    )
    .await;
    // The sign-in must have landed (the staff header names the member) before the next page is
    // asked for: a goto racing the login's answer would reach /staff/chat without the cookie.
    agent
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#staff-name"))
        .await
        .expect("signed in as staff");
    agent.goto(&app.url("/staff/chat")).await.expect("loads");
    fill_and_submit(&agent, "/staff/chat/availability", &[]).await;
    agent
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//p[@id='chat-available-state'][contains(., 'You are taking chats')]",
        ))
        .await
        .expect("taking chats");

    // The user signs in and starts a chat.
    let email = "chat-browser@example.com";
    signed_in(&app, email).await;
    let user_profile = tempfile::tempdir().expect("a profile directory");
    let user = open_browser(&driver, "en-US", user_profile.path()).await;
    user.goto(&app.url("/login")).await.expect("loads");
    fill_and_submit(&user, "/login", &[("login", email), ("password", PASSWORD)]).await;
    user.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#account-email"))
        .await
        .expect("signed in");
    user.goto(&app.url("/chat")).await.expect("loads");
    fill_and_submit(
        &user,
        "/chat",
        &[("message", "Hello, my top-up failed this morning.")],
    )
    .await;
    wait_for_message(&user, "my top-up failed").await;

    // The agent sees it and answers; the user reads the answer.
    agent.goto(&app.url("/staff/chat")).await.expect("loads");
    wait_for_message(&agent, "my top-up failed").await;
    say(&agent, "Sorry about that, let me look at your card.").await;
    wait_for_message(&user, "let me look at your card").await;
    say(&user, "Thank you!").await;
    wait_for_message(&agent, "Thank you!").await;

    // The user's connection drops; what the agent writes meanwhile arrives once it is back.
    user.execute("window.okpayChatDrop();", vec![])
        .await
        .expect("dropped");
    say(&agent, "The card network was down; please try again now.").await;
    wait_for_message(&user, "please try again now").await;
    let count = user
        .find_all(Locator::XPath("//ol[@id='chat-log']/li[@data-seq]"))
        .await
        .expect("messages")
        .len();
    assert_eq!(count, 4, "every message once");
    screenshot(&user, "chat-user-en").await;
    screenshot(&agent, "chat-agent-en").await;

    // The same page in Chinese.
    user.goto(&app.url("/chat?lang=zh-CN"))
        .await
        .expect("loads");
    wait_for_message(&user, "please try again now").await;
    user.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//h1[contains(., '在线客服')]"))
        .await
        .expect("the Chinese page");
    screenshot(&user, "chat-user-zh-CN").await;

    user.close().await.expect("closed");
    agent.close().await.expect("closed");
    app.stop().await;
}
