//! The wallet's browser journey in Chromium: sign in → add a test card → top up → a declined card
//! shows its reason → transfer → withdraw → finance signs in with TOTP and approves → the
//! timeline completes → filter records → download the CSV and parse it → the spending chart
//! renders. Screenshots go to target/screenshots/.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use domain::staff::StaffRole;
use fantoccini::{Client, Locator};

use crate::browser::{browser_tests_enabled, open_browser, screenshot_dir, start_driver};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::wallet::person;

const PASSWORD: &str = "plum-orbit-canyon-17";
const STAFF_EMAIL: &str = "finance-journey@okpay.test";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// An authenticator app: the code of the 30-second step holding `at`.
fn totp_code(secret_base32: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a Base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build_noncompliant()
        .generate(at as u64)
        .to_string()
}

async fn fill(browser: &Client, css: &str, text: &str) {
    let field = browser.find(Locator::Css(css)).await.expect("the field");
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

async fn choose(browser: &Client, css: &str, value: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .expect("the select")
        .select_by_value(value)
        .await
        .expect("chosen");
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .click()
        .await
        .expect("clicked");
}

/// Waits until an element matching `css` is on the page, and returns its text.
async fn wait_for(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} never showed"))
        .text()
        .await
        .expect("text")
}

async fn path_now(browser: &Client) -> String {
    browser
        .current_url()
        .await
        .expect("a URL")
        .path()
        .to_owned()
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("saved");
}

/// Fills a movement form, reviews the fees, then confirms; returns the page the commit led to.
async fn move_money(
    browser: &Client,
    app: &TestApp,
    movement: &str,
    fields: &[(&str, &str)],
    shot: &str,
) {
    browser
        .goto(&app.url(&format!("/wallet/{movement}")))
        .await
        .expect("loads");
    for (css, value) in fields {
        if let Some(select) = css.strip_prefix("select") {
            choose(browser, select, value).await;
        } else {
            fill(browser, css, value).await;
        }
    }
    click(browser, "#review").await;
    wait_for(browser, "#confirmation").await;
    screenshot(browser, &format!("{shot}-confirm-en")).await;
    click(browser, "#commit").await;
}

#[tokio::test]
async fn chromium_tops_up_transfers_withdraws_through_review_and_reads_records_csv_and_charts() {
    if !browser_tests_enabled() {
        eprintln!("browser tests are off: set OKPAY_BROWSER_TESTS=1");
        return;
    }
    let Some(app) = spawn_app_with(Backend::Sqlite, |config| {
        config.auth_rate_limit_per_minute = 0
    })
    .await
    else {
        return;
    };
    let mei = person(&app, "mei-journey@example.com").await;
    let lei = person(&app, "lei-journey@example.com").await;
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let browser = open_browser(&driver, "en-US", profile.path()).await;

    // Sign in; the wallet is one click away.
    browser.goto(&app.url("/login")).await.expect("loads");
    fill(&browser, "#login", &mei.email).await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "form[action='/login'] button[type='submit']").await;
    wait_for(&browser, "#nav-wallet").await;
    click(&browser, "#nav-wallet").await;
    wait_for(&browser, "#limits").await;
    screenshot(&browser, "wallet-empty-en").await;

    // Add a test card: its brand shows, its number does not.
    browser
        .goto(&app.url("/wallet/cards"))
        .await
        .expect("loads");
    for (css, value) in [
        ("#card-number", "4242 4242 4242 4242"),
        ("#exp-month", "12"),
        ("#exp-year", "2031"),
        ("#cvc", "123"),
        ("#holder-name", "MEI LING"),
    ] {
        fill(&browser, css, value).await;
    }
    click(&browser, "#add-card button[type='submit']").await;
    let notice = wait_for(&browser, "#cards-notice").await;
    assert!(
        notice.contains("Visa") && notice.contains("4242"),
        "{notice}"
    );
    let source = browser.source().await.expect("the page");
    assert!(!source.contains("4242 4242 4242 4242"));
    screenshot(&browser, "wallet-card-added-en").await;

    // Top up ¥500.00 through the confirmation screen.
    move_money(&browser, &app, "topup", &[("#amount", "500")], "topup").await;
    wait_for(&browser, "#done-notice").await;
    assert_eq!(wait_for(&browser, "#record-status").await, "Completed");
    screenshot(&browser, "topup-done-en").await;

    // A declined card says why.
    browser
        .goto(&app.url("/wallet/cards"))
        .await
        .expect("loads");
    for (css, value) in [
        ("#card-number", "4000 0000 0000 0002"),
        ("#exp-month", "11"),
        ("#exp-year", "2032"),
        ("#cvc", "321"),
        ("#holder-name", "MEI LING"),
    ] {
        fill(&browser, css, value).await;
    }
    click(&browser, "#add-card button[type='submit']").await;
    wait_for(&browser, "#cards-notice").await;
    let declined_card = browser
        .find(Locator::Css("#cards tr:last-child"))
        .await
        .expect("the new card's row")
        .attr("data-card-id")
        .await
        .expect("an attribute")
        .expect("its id");
    move_money(
        &browser,
        &app,
        "topup",
        &[
            ("select#card-id", declined_card.as_str()),
            ("#amount", "20"),
        ],
        "topup-declined",
    )
    .await;
    let error = wait_for(&browser, "#move-error").await;
    assert!(error.contains("card_declined"), "{error}");
    assert!(error.to_lowercase().contains("declined"), "{error}");
    screenshot(&browser, "topup-declined-en").await;

    // Transfer to Lei by e-mail with a note.
    move_money(
        &browser,
        &app,
        "transfer",
        &[
            ("#to", lei.email.as_str()),
            ("#amount", "120"),
            ("#note", "dinner"),
        ],
        "transfer",
    )
    .await;
    wait_for(&browser, "#done-notice").await;
    // The receiver is shown masked, as everywhere in records.
    let counterparty = wait_for(&browser, "#record-counterparty").await;
    assert!(counterparty.ends_with("@example.com"), "{counterparty}");

    // Add a bank account and withdraw to it: held and reviewing.
    browser
        .goto(&app.url("/wallet/cards"))
        .await
        .expect("loads");
    fill(&browser, "#bank-name", "China Merchants Bank").await;
    fill(&browser, "#account-number", "6222 0000 0000 0001").await;
    fill(&browser, "#account-holder", "MEI LING").await;
    choose(&browser, "#bank-currency", "CNY").await;
    click(&browser, "#add-bank-account button[type='submit']").await;
    wait_for(&browser, "#bank-accounts").await;
    move_money(
        &browser,
        &app,
        "withdraw",
        &[("#amount", "100")],
        "withdraw",
    )
    .await;
    wait_for(&browser, "#done-notice").await;
    let withdrawal_path = path_now(&browser).await;
    assert!(
        browser
            .find(Locator::Css("#record[data-status='reviewing']"))
            .await
            .is_ok()
    );
    screenshot(&browser, "withdraw-reviewing-en").await;

    // Finance sets up their account with TOTP, signs in and approves.
    let accounts = okpay::app::accounts(&app.running.store, &app.base_url)
        .await
        .expect("accounts");
    let created = accounts
        .create_staff(STAFF_EMAIL, None, StaffRole::Finance, "en", now())
        .await
        .expect("created");
    browser
        .goto(&app.url(&format!("/staff/setup/{}", created.setup_token)))
        .await
        .expect("loads");
    let secret = wait_for(&browser, "#totp-secret").await;
    // Two distinct steps: set-up spends one code, sign-in needs a later one.
    let left = 30 - now().rem_euclid(30);
    if left < 12 {
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
    let at = now();
    fill(&browser, "#password", PASSWORD).await;
    fill(&browser, "#totp_code", &totp_code(&secret, at - 30)).await;
    click(
        &browser,
        "form[action^='/staff/setup/'] button[type='submit']",
    )
    .await;
    wait_for(&browser, "#recovery-codes").await;
    browser.goto(&app.url("/staff")).await.expect("loads");
    fill(&browser, "#email", STAFF_EMAIL).await;
    fill(&browser, "#password", PASSWORD).await;
    fill(&browser, "#totp_code", &totp_code(&secret, at)).await;
    click(
        &browser,
        "form[action='/staff/login'] button[type='submit']",
    )
    .await;
    wait_for(&browser, "#withdrawal-queue").await;
    screenshot(&browser, "staff-withdrawals-en").await;
    click(
        &browser,
        "#withdrawal-queue .approve-form button[type='submit']",
    )
    .await;
    wait_for(&browser, "#review-notice").await;

    // The payout runs (the server's own task may get there first); the timeline completes.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The server's own payout task may be paying it at the same moment.
        let _ = app.running.wallet.process_due_withdrawals().await;
        browser
            .goto(&app.url(&withdrawal_path))
            .await
            .expect("loads");
        if browser
            .find(Locator::Css("#record[data-status='completed']"))
            .await
            .is_ok()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the withdrawal never completed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let timeline = wait_for(&browser, "#timeline").await;
    for step in ["Reviewing", "Processing", "Completed"] {
        assert!(timeline.contains(step), "{step}: {timeline}");
    }
    screenshot(&browser, "withdraw-completed-en").await;

    // Filter the records to transfers.
    browser.goto(&app.url("/records")).await.expect("loads");
    choose(&browser, "#type", "transfer").await;
    click(&browser, "#apply-filters").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !browser
        .current_url()
        .await
        .expect("a URL")
        .as_str()
        .contains("type=transfer")
    {
        assert!(Instant::now() < deadline, "the filter never applied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = browser
        .find_all(Locator::Css("#records tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].attr("data-type").await.expect("attr").as_deref(),
        Some("transfer")
    );
    screenshot(&browser, "records-filtered-en").await;

    // Download the CSV behind the link, in the browser with its session, and parse it (decoded
    // keeping the byte-order mark, which fetch's text() would drop).
    let href = browser
        .find(Locator::Css("#download-csv"))
        .await
        .expect("the link")
        .attr("href")
        .await
        .expect("attr")
        .expect("an href");
    let csv = browser
        .execute(
            "return fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.arrayBuffer()).then(b => new TextDecoder('utf-8', {ignoreBOM: true}).decode(b));",
            vec![serde_json::Value::String(href)],
        )
        .await
        .expect("fetched");
    let csv = csv.as_str().expect("text");
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = csv.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_matches('"') == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    assert_eq!(row[column("type")].trim_matches('"'), "transfer");
    assert_eq!(row[column("amount")].trim_matches('"'), "120.00");

    // The spending chart renders as SVG.
    click(&browser, "#spending-link").await;
    wait_for(&browser, "#chart-by-month").await;
    let bars = browser
        .find_all(Locator::Css("#chart-by-category .bar"))
        .await
        .expect("bars");
    assert!(!bars.is_empty(), "a bar per category spent in");
    let chart = browser
        .find(Locator::Css("#chart-by-month"))
        .await
        .expect("the chart");
    assert!(chart.is_displayed().await.expect("shown"));
    screenshot(&browser, "spending-chart-en").await;

    browser.close().await.expect("the session ends");
    app.stop().await;
}
