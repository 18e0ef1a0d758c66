//! Browser tests: a real Chromium, driven over WebDriver, opens OKPay's pages and saves screenshots.
//!
//! They run when `OKPAY_BROWSER_TESTS=1` (as `.ci/run` sets), with Debian's `chromium` and
//! `chromium-driver` installed (the test script installs them when missing).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

use crate::helpers::{Backend, spawn_app};

pub(crate) fn browser_tests_enabled() -> bool {
    std::env::var("OKPAY_BROWSER_TESTS").is_ok_and(|value| value == "1")
}

/// A chromedriver process that is stopped when dropped.
pub(crate) struct Driver {
    process: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub(crate) fn start_driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let process =
        Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (install Debian's chromium-driver)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { process, port }
}

pub(crate) async fn open_browser(
    driver: &Driver,
    language: &str,
    profile: &std::path::Path,
) -> Client {
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
                format!("--lang={language}"),
            ],
            "prefs": { "intl.accept_languages": language },
        }
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session starts")
}

/// The `lang` attribute of the page's `<html>`: the language the page says it is in.
async fn page_language(browser: &Client) -> Option<String> {
    let html = browser
        .find(fantoccini::Locator::Css("html"))
        .await
        .expect("an html element");
    html.attr("lang").await.expect("readable attributes")
}

pub(crate) fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

#[tokio::test]
async fn chromium_shows_the_home_page_in_chinese_and_in_english() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let driver = start_driver();
    for (language, html_lang, phrase) in [("zh-CN", "zh-CN", "钱包"), ("en-US", "en", "wallet")] {
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let browser = open_browser(&driver, language, profile.path()).await;
        browser
            .goto(&app.url("/"))
            .await
            .expect("the home page loads");
        assert_eq!(page_language(&browser).await.as_deref(), Some(html_lang));
        let text = browser
            .find(fantoccini::Locator::Css("body"))
            .await
            .expect("body")
            .text()
            .await
            .expect("text");
        assert!(
            text.to_lowercase().contains(phrase),
            "the {language} page should mention {phrase}: {text}"
        );
        let png = browser.screenshot().await.expect("a screenshot");
        std::fs::write(screenshot_dir().join(format!("home-{html_lang}.png")), png).expect("saved");
        // The language switch on the page changes the language and remembers it.
        let other = if html_lang == "en" { "zh-CN" } else { "en" };
        browser
            .find(fantoccini::Locator::Css(&format!(
                "a[href*='lang={other}']"
            )))
            .await
            .expect("a language switch link")
            .click()
            .await
            .expect("clicked");
        assert_eq!(page_language(&browser).await.as_deref(), Some(other));
        browser.close().await.expect("the session ends");
    }
    app.stop().await;
}

/// Polls until the browser's address has `path`, so a slow machine never fails a step.
async fn wait_for_path(browser: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let url = browser.current_url().await.expect("the current address");
        if url.path() == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {url}, waited for {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn chromium_searches_the_help_center_in_chinese_and_opens_the_article() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let browser = open_browser(&driver, "zh-CN", profile.path()).await;
    browser
        .goto(&app.url("/help"))
        .await
        .expect("the help center loads");
    // A mixed query, the way people type it: the brand in Latin letters, the problem in Chinese.
    browser
        .find(fantoccini::Locator::Css("#help-q"))
        .await
        .expect("the search box")
        .send_keys("okpay 账户被锁")
        .await
        .expect("typed");
    browser
        .form(fantoccini::Locator::Css("form.help-search"))
        .await
        .expect("the search form")
        .submit()
        .await
        .expect("submitted");
    wait_for_path(&browser, "/help/search").await;
    let first = browser
        .find(fantoccini::Locator::Css("ol.help-results li h2 a"))
        .await
        .expect("a first result");
    let href = first.attr("href").await.expect("attributes");
    assert_eq!(href.as_deref(), Some("/help/account-locked"));
    let snippets = browser
        .find_all(fantoccini::Locator::Css("ol.help-results mark"))
        .await
        .expect("highlights");
    assert!(!snippets.is_empty(), "the hit is highlighted");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("help-search-zh-CN.png"), png).expect("saved");
    first.click().await.expect("clicked");
    wait_for_path(&browser, "/help/account-locked").await;
    let title = browser
        .find(fantoccini::Locator::Css("article.help-article h1"))
        .await
        .expect("the article's title")
        .text()
        .await
        .expect("text");
    assert!(
        title.contains("锁"),
        "the Chinese article about a locked account opens: {title}"
    );
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("help-article-zh-CN.png"), png).expect("saved");
    browser.close().await.expect("closed");
    app.stop().await;
}
