//! The wallet's pages over real HTTP with cookies and CSRF tokens, on both databases: cards and
//! bank accounts, every movement through its confirmation screen (double submits move money
//! once), failures explained, records with filters, search, paging, CSV, statement and spending
//! charts, the developer page, and finance's review queue over the staff API and pages.

use domain::staff::StaffRole;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app_with};
use crate::pages::{Jar, Page, csrf_token, get, post};
use crate::tickets::staff_signed_in;
use crate::wallet::{Person, add_bank_account, assert_verify_clean, available, call, person};

const PASSWORD: &str = "plum-orbit-canyon-17";

pub(crate) async fn app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| config.auth_rate_limit_per_minute = 0).await
}

/// Signs `who` in through the sign-in page and returns the browser's cookies.
pub(crate) async fn signed_in(app: &TestApp, who: &Person) -> Jar {
    let mut jar = Jar::default();
    let form = get(app, &mut jar, "/login").await;
    let done = post(
        app,
        &mut jar,
        "/login",
        &[
            ("csrf_token", &csrf_token(&form)),
            ("login", &who.email),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    jar
}

/// The value of the hidden or text input `name` in a page's first form that has one.
fn field(page: &Page, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {}", page.body))
        + marker.len();
    let value = &page.body[start..];
    value[..value.find('"').expect("a closed attribute")]
        .replace("&#43;", "+")
        .replace("&amp;", "&")
        .replace("&#64;", "@")
        .replace("&#x40;", "@")
}

/// The confirmation form's fields, to post back as the browser would.
fn commit_fields(page: &Page) -> Vec<(&'static str, String)> {
    [
        "csrf_token",
        "idempotency_key",
        "quote_id",
        "card_id",
        "bank_account_id",
        "to",
        "note",
        "amount",
        "currency",
        "target_currency",
    ]
    .into_iter()
    .map(|name| (name, field(page, name)))
    .collect()
}

async fn post_fields(app: &TestApp, jar: &mut Jar, path: &str, fields: &[(&str, String)]) -> Page {
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(app, jar, path, &form).await
}

/// Adds a card on `/wallet/cards` and returns its id.
async fn add_card_on_page(app: &TestApp, jar: &mut Jar, number: &str) -> String {
    let page = get(app, jar, "/wallet/cards").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let added = post(
        app,
        jar,
        "/wallet/cards",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("number", number),
            ("exp_month", "12"),
            ("exp_year", "2031"),
            ("cvc", "123"),
            ("holder_name", "LI LEI"),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let location = added.location.expect("a redirect");
    location
        .split("card=")
        .nth(1)
        .expect("the new card's id")
        .to_owned()
}

/// Fills a movement's form, reads its confirmation screen, and returns it.
async fn confirm(app: &TestApp, jar: &mut Jar, movement: &str, fields: &[(&str, &str)]) -> Page {
    let form = get(app, jar, &format!("/wallet/{movement}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = csrf_token(&form);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    post(app, jar, &format!("/wallet/{movement}/confirm"), &all).await
}

/// The record id a commit redirected to.
fn record_of(page: &Page) -> String {
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location.as_deref().expect("a redirect");
    assert!(location.ends_with("?done=1"), "{location}");
    location
        .trim_start_matches("/records/")
        .trim_end_matches("?done=1")
        .to_owned()
}

on_both_databases!(
    a_card_is_added_without_echoing_its_number_and_a_top_up_is_confirmed_then_moves_once
);
async fn a_card_is_added_without_echoing_its_number_and_a_top_up_is_confirmed_then_moves_once(
    backend: Backend,
) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei-pages@example.com").await;
    let mut jar = signed_in(&app, &mei).await;

    let wallet = get(&app, &mut jar, "/wallet").await;
    assert_eq!(wallet.status, 200, "{}", wallet.body);
    assert!(wallet.body.contains(r#"id="no-balances""#));
    assert!(
        wallet.body.contains(r#"id="limits""#),
        "limits left are shown"
    );
    let chinese = get(&app, &mut jar, "/wallet?lang=zh-CN").await;
    assert!(chinese.body.contains("剩余额度"));
    get(&app, &mut jar, "/wallet?lang=en").await;

    // A number that fails the Luhn check is refused, and not shown back.
    let page = get(&app, &mut jar, "/wallet/cards").await;
    let refused = post(
        &app,
        &mut jar,
        "/wallet/cards",
        &[
            ("csrf_token", &csrf_token(&page)),
            ("number", "4242 4242 4242 4241"),
            ("exp_month", "12"),
            ("exp_year", "2031"),
            ("cvc", "123"),
            ("holder_name", "LI LEI"),
        ],
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains(r#"data-code="card_number_invalid""#));
    assert!(
        !refused.body.contains("4242 4242 4242 4241") && !refused.body.contains("4242424242424241")
    );
    assert!(
        refused.body.contains(r#"value="LI LEI""#),
        "the rest is kept"
    );
    // Without the form's token nothing is added.
    let forged = post(
        &app,
        &mut jar,
        "/wallet/cards",
        &[("number", "4242 4242 4242 4242")],
    )
    .await;
    assert_eq!(forged.status, 403);

    let card = add_card_on_page(&app, &mut jar, "4242 4242 4242 4242").await;
    let cards = get(
        &app,
        &mut jar,
        &format!("/wallet/cards?done=card_added&card={card}"),
    )
    .await;
    assert!(cards.body.contains(r#"id="cards-notice""#) && cards.body.contains("Visa"));
    assert!(cards.body.contains("•••• 4242"));
    assert!(
        !cards.body.contains("4242 4242 4242 4242") && !cards.body.contains("4242424242424242")
    );

    // The form, then the confirmation with the fee, then the commit.
    let confirmation = confirm(
        &app,
        &mut jar,
        "topup",
        &[("card_id", &card), ("amount", "100"), ("currency", "CNY")],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    for id in [
        "confirm-amount",
        "confirm-fee",
        "confirm-you-pay",
        "confirm-arrives",
        "confirm-expires",
    ] {
        assert!(confirmation.body.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(confirmation.body.contains("100.00 CNY"));
    let fields = commit_fields(&confirmation);
    assert_eq!(field(&confirmation, "idempotency_key").len(), 32);
    let first = post_fields(&app, &mut jar, "/wallet/topup", &fields).await;
    let id = record_of(&first);
    // The same form submitted again lands on the same record and moves nothing more.
    let again = post_fields(&app, &mut jar, "/wallet/topup", &fields).await;
    assert_eq!(record_of(&again), id);
    assert_eq!(available(&app, &mei, "CNY").await, (10_000, 0));
    let record = get(&app, &mut jar, &format!("/records/{id}?done=1")).await;
    assert_eq!(record.status, 200);
    assert!(record.body.contains(r#"id="done-notice""#));
    assert!(record.body.contains(r#"data-status="completed""#));

    // The same key with another amount is refused rather than replayed.
    let mut changed = fields.clone();
    changed
        .iter_mut()
        .find(|(k, _)| *k == "amount")
        .expect("amount")
        .1 = "200.00".into();
    let reused = post_fields(&app, &mut jar, "/wallet/topup", &changed).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert!(
        reused
            .body
            .contains(r#"data-code="idempotency_key_reused""#)
    );

    // A declined card says why, and the failure is a record the user can open.
    let declined = add_card_on_page(&app, &mut jar, "4000 0000 0000 0002").await;
    let confirmation = confirm(
        &app,
        &mut jar,
        "topup",
        &[
            ("card_id", &declined),
            ("amount", "50"),
            ("currency", "CNY"),
        ],
    )
    .await;
    let failed = post_fields(
        &app,
        &mut jar,
        "/wallet/topup",
        &commit_fields(&confirmation),
    )
    .await;
    assert_eq!(failed.status, 402, "{}", failed.body);
    assert!(failed.body.contains(r#"data-code="card_declined""#));
    assert!(failed.body.contains("declined"), "{}", failed.body);
    let failed_record = failed
        .body
        .split(r#"<a href="/records/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the failed record")
        .to_owned();
    let detail = get(&app, &mut jar, &format!("/records/{failed_record}")).await;
    assert!(
        detail
            .body
            .contains(r#"id="record-failure" data-code="card_declined""#)
    );
    assert!(detail.body.contains(r#"data-status="failed""#));
    assert_eq!(available(&app, &mei, "CNY").await, (10_000, 0));

    // A bad amount is explained on the form, not a server error.
    let bad = confirm(
        &app,
        &mut jar,
        "topup",
        &[("card_id", &card), ("amount", "1.234"), ("currency", "CNY")],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains(r#"data-code="amount_invalid""#));

    // Removing the card takes it off the list.
    let page = get(&app, &mut jar, "/wallet/cards").await;
    let removed = post(
        &app,
        &mut jar,
        &format!("/wallet/cards/{declined}/remove"),
        &[("csrf_token", &csrf_token(&page))],
    )
    .await;
    assert_eq!(removed.status, 303);
    let page = get(&app, &mut jar, "/wallet/cards").await;
    assert!(!page.body.contains(&declined));
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(transfer_withdrawal_and_exchange_pages_show_fees_and_expiry_and_land_on_records);
async fn transfer_withdrawal_and_exchange_pages_show_fees_and_expiry_and_land_on_records(
    backend: Backend,
) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei-moves@example.com").await;
    let lei = person(&app, "lei-moves@example.com").await;
    let mut jar = signed_in(&app, &mei).await;
    let card = add_card_on_page(&app, &mut jar, "5555 5555 5555 4444").await;
    let topped = confirm(
        &app,
        &mut jar,
        "topup",
        &[("card_id", &card), ("amount", "1000"), ("currency", "CNY")],
    )
    .await;
    record_of(&post_fields(&app, &mut jar, "/wallet/topup", &commit_fields(&topped)).await);

    // Transfer by e-mail with a note: 0.1% fee shown before committing.
    let confirmation = confirm(
        &app,
        &mut jar,
        "transfer",
        &[
            ("to", &lei.email),
            ("amount", "300"),
            ("currency", "CNY"),
            ("note", "lunch"),
        ],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(
        confirmation
            .body
            .contains(r#"<dd id="confirm-fee">0.30 CNY</dd>"#),
        "{}",
        confirmation.body
    );
    let sent = record_of(
        &post_fields(
            &app,
            &mut jar,
            "/wallet/transfer",
            &commit_fields(&confirmation),
        )
        .await,
    );
    assert_eq!(available(&app, &lei, "CNY").await, (30_000, 0));
    let detail = get(&app, &mut jar, &format!("/records/{sent}")).await;
    assert!(detail.body.contains("lunch") && detail.body.contains("0.30 CNY"));

    // An unknown recipient is explained on the form.
    let nobody = confirm(
        &app,
        &mut jar,
        "transfer",
        &[
            ("to", "nobody@example.com"),
            ("amount", "1"),
            ("currency", "CNY"),
        ],
    )
    .await;
    let nobody = post_fields(&app, &mut jar, "/wallet/transfer", &commit_fields(&nobody)).await;
    assert_eq!(nobody.status, 404, "{}", nobody.body);
    assert!(nobody.body.contains(r#"data-code="recipient_not_found""#));

    // A withdrawal is held at once and waits for review.
    let account = add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    let form = get(&app, &mut jar, "/wallet/withdraw").await;
    assert!(form.body.contains(&account) && form.body.contains("•••• 0001"));
    assert!(!form.body.contains("6222 0000 0000 0001"), "masked");
    let confirmation = confirm(
        &app,
        &mut jar,
        "withdraw",
        &[("bank_account_id", &account), ("amount", "200")],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains(r#"id="confirm-arrives""#));
    let withdrawal = record_of(
        &post_fields(
            &app,
            &mut jar,
            "/wallet/withdraw",
            &commit_fields(&confirmation),
        )
        .await,
    );
    let detail = get(&app, &mut jar, &format!("/records/{withdrawal}")).await;
    assert!(
        detail.body.contains(r#"data-status="reviewing""#),
        "{}",
        detail.body
    );
    let (_, held) = available(&app, &mei, "CNY").await;
    assert!(held >= 20_000, "held {held}");

    // An exchange shows the rate and the quote's expiry; an expired quote is refused.
    let confirmation = confirm(
        &app,
        &mut jar,
        "exchange",
        &[
            ("amount", "100"),
            ("currency", "CNY"),
            ("target_currency", "USD"),
        ],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains(r#"id="confirm-rate""#));
    assert!(confirmation.body.contains(r#"id="confirm-expires""#));
    let fields = commit_fields(&confirmation);
    app.running.wallet.clock().advance(61);
    let expired = post_fields(&app, &mut jar, "/wallet/exchange", &fields).await;
    assert_eq!(expired.status, 409, "{}", expired.body);
    assert!(expired.body.contains(r#"data-code="quote_expired""#));
    let confirmation = confirm(
        &app,
        &mut jar,
        "exchange",
        &[
            ("amount", "100"),
            ("currency", "CNY"),
            ("target_currency", "USD"),
        ],
    )
    .await;
    let exchanged = record_of(
        &post_fields(
            &app,
            &mut jar,
            "/wallet/exchange",
            &commit_fields(&confirmation),
        )
        .await,
    );
    let detail = get(&app, &mut jar, &format!("/records/{exchanged}")).await;
    assert!(detail.body.contains(r#"data-type="exchange""#));
    let (usd, _) = available(&app, &mei, "USD").await;
    assert!(usd > 0);

    // A remittance arrives in the other currency for the receiver.
    let confirmation = confirm(
        &app,
        &mut jar,
        "remit",
        &[
            ("to", &lei.email),
            ("amount", "100"),
            ("currency", "CNY"),
            ("target_currency", "HKD"),
            ("note", "rent"),
        ],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains(r#"id="confirm-rate""#));
    assert!(
        confirmation.body.contains(" HKD</strong>"),
        "{}",
        confirmation.body
    );
    let remitted = record_of(
        &post_fields(
            &app,
            &mut jar,
            "/wallet/remit",
            &commit_fields(&confirmation),
        )
        .await,
    );
    let detail = get(&app, &mut jar, &format!("/records/{remitted}")).await;
    assert!(detail.body.contains(r#"data-type="remittance""#) && detail.body.contains("rent"));
    let (hkd, _) = available(&app, &lei, "HKD").await;
    assert!(hkd > 0);
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(
    records_pages_filter_search_page_export_csv_and_draw_the_statement_and_spending_charts
);
async fn records_pages_filter_search_page_export_csv_and_draw_the_statement_and_spending_charts(
    backend: Backend,
) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei-records@example.com").await;
    let lei = person(&app, "lei-records@example.com").await;
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    let declined = crate::wallet::add_card(&app, &mei, "4000 0000 0000 0002").await;
    crate::wallet::top_up(&app, &mei, &card, 150_000, "CNY").await;
    crate::wallet::top_up(&app, &mei, &declined, 1_000, "CNY").await;
    for index in 0..22 {
        let sent = call(
            &app,
            &mei,
            "POST",
            "/api/v1/transfers",
            Some(serde_json::json!({"to": lei.email, "amount": 100 + index, "currency": "CNY"})),
            None,
        )
        .await;
        assert_eq!(sent.status, 201, "{}", sent.body);
    }
    let mut jar = signed_in(&app, &mei).await;

    let all = get(&app, &mut jar, "/records").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body.matches("<tr data-id=").count(), 20, "a page of 20");
    let next = all
        .body
        .split(r#"<a href=""#)
        .find_map(|rest| {
            let href = rest.split('"').next()?;
            href.contains("after=").then(|| href.replace("&amp;", "&"))
        })
        .expect("a next page");
    let second = get(&app, &mut jar, &next).await;
    assert_eq!(second.body.matches("<tr data-id=").count(), 4);

    let failed = get(
        &app,
        &mut jar,
        "/records?status=failed&type=topup&currency=CNY&preset=last_7_days",
    )
    .await;
    assert_eq!(failed.status, 200);
    assert_eq!(failed.body.matches("<tr data-id=").count(), 1);
    assert!(failed.body.contains(r#"data-status="failed""#));
    let bad = get(&app, &mut jar, "/records?status=lost").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains(r#"id="filter-error""#));

    // Search by id opens the record; an unknown id says so.
    let id = all
        .body
        .split("<tr data-id=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an id")
        .to_owned();
    let found = get(&app, &mut jar, &format!("/records?q={id}")).await;
    assert_eq!(found.status, 303);
    assert_eq!(
        found.location.as_deref(),
        Some(format!("/records/{id}").as_str())
    );
    let missing = get(&app, &mut jar, "/records?q=txn_nothing").await;
    assert!(missing.body.contains(r#"id="search-not-found""#));
    let theirs = get(&app, &mut jar, "/records/txn_0000").await;
    assert_eq!(theirs.status, 404);

    // The CSV link keeps the filters and streams the same export as the API.
    let csv_link = failed
        .body
        .split(r#"<a class="button" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the CSV link");
    assert!(
        csv_link.starts_with("/records/export.csv?type=topup&")
            && csv_link.contains("status=failed")
            && csv_link.contains("preset=last_7_days"),
        "{csv_link}"
    );
    let csv = get(&app, &mut jar, "/records/export.csv?type=transfer").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(csv.body.trim_end().lines().count(), 1 + 22);

    let today = get(&app, &mut jar, "/records/statement").await;
    assert_eq!(today.status, 200, "{}", today.body);
    assert!(today.body.contains(r#"<tr data-currency="CNY">"#));
    assert_eq!(
        get(&app, &mut jar, "/records/statement?month=2026-13")
            .await
            .status,
        400
    );

    let spending = get(&app, &mut jar, "/records/spending?months=3").await;
    assert_eq!(spending.status, 200, "{}", spending.body);
    assert!(spending.body.contains(r#"<svg id="chart-by-month""#));
    assert!(spending.body.contains(r#"<svg id="chart-by-category""#));
    assert_eq!(
        spending
            .body
            .split(r#"<svg id="chart-by-month""#)
            .nth(1)
            .expect("chart")
            .split("</svg>")
            .next()
            .expect("svg")
            .matches(r#"class="bar""#)
            .count(),
        3,
        "one bar per month"
    );
    assert!(spending.body.contains(r#"data-label="Transfers""#));
    assert_eq!(
        get(&app, &mut jar, "/records/spending?months=99")
            .await
            .status,
        400
    );
    app.stop().await;
}

on_both_databases!(
    finance_reviews_withdrawals_over_the_staff_api_and_pages_and_other_roles_are_refused
);
async fn finance_reviews_withdrawals_over_the_staff_api_and_pages_and_other_roles_are_refused(
    backend: Backend,
) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei-review@example.com").await;
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    crate::wallet::top_up(&app, &mei, &card, 100_000, "CNY").await;
    let account = add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    let mut withdrawals = Vec::new();
    for _ in 0..3 {
        let made = call(
            &app,
            &mei,
            "POST",
            "/api/v1/withdrawals",
            Some(serde_json::json!({"bank_account_id": account, "amount": 10_000, "currency": "CNY"})),
            None,
        )
        .await;
        assert_eq!(made.status, 201, "{}", made.body);
        withdrawals.push(made.body["id"].as_str().expect("id").to_owned());
    }
    let (finance, finance_id) = staff_signed_in(&app, StaffRole::Finance).await;
    let (agent, _) = staff_signed_in(&app, StaffRole::Agent).await;
    let staff_call = |token: &str, method: &str, path: &str, body: Option<Value>| {
        let request = match method {
            "GET" => app.client.get(app.url(path)),
            _ => app.client.post(app.url(path)),
        }
        .bearer_auth(token)
        .header("accept-language", "en");
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move { request.send().await.expect("answered") }
    };

    let refused = staff_call(&agent, "GET", "/api/v1/staff/withdrawals", None).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "staff_role_forbidden");
    let path = format!("/api/v1/staff/withdrawals/{}/approve", withdrawals[0]);
    let refused = staff_call(&agent, "POST", &path, Some(serde_json::json!({}))).await;
    assert_eq!(error_code(refused).await, "staff_role_forbidden");
    let user = staff_call(&mei.token, "GET", "/api/v1/staff/withdrawals", None).await;
    assert_eq!(error_code(user).await, "not_signed_in");

    let queue = staff_call(&finance, "GET", "/api/v1/staff/withdrawals", None).await;
    assert_eq!(queue.status(), 200);
    let queue: Value = queue.json().await.expect("JSON");
    let ids: Vec<&str> = queue["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|w| w["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        withdrawals.iter().map(String::as_str).collect::<Vec<_>>(),
        "oldest first"
    );

    let approved = staff_call(
        &finance,
        "POST",
        &path,
        Some(serde_json::json!({"reason": "checked"})),
    )
    .await;
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.expect("JSON");
    assert_eq!(approved["status"], "processing");
    let twice = staff_call(&finance, "POST", &path, Some(serde_json::json!({}))).await;
    assert_eq!(error_code(twice).await, "withdrawal_not_reviewable");
    let reject = format!("/api/v1/staff/withdrawals/{}/reject", withdrawals[1]);
    let no_reason = staff_call(
        &finance,
        "POST",
        &reject,
        Some(serde_json::json!({"reason": "  "})),
    )
    .await;
    assert_eq!(error_code(no_reason).await, "reason_required");
    let unknown = staff_call(
        &finance,
        "POST",
        "/api/v1/staff/withdrawals/wdr_nothing/approve",
        Some(serde_json::json!({})),
    )
    .await;
    assert_eq!(error_code(unknown).await, "withdrawal_not_found");
    let audited = app
        .running
        .store
        .audit_actions_about(&withdrawals[0])
        .await
        .expect("audit");
    assert!(
        audited.contains(&(finance_id.clone(), "withdrawal.approved".to_owned())),
        "{audited:?}"
    );

    // The page: finance rejects one with a reason; another role is refused.
    let mut jar = Jar::default();
    jar.set("okpay_staff_session", &agent);
    assert_eq!(get(&app, &mut jar, "/staff/withdrawals").await.status, 403);
    let mut jar = Jar::default();
    jar.set("okpay_staff_session", &finance);
    let page = get(&app, &mut jar, "/staff/withdrawals").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&withdrawals[1]) && !page.body.contains(&withdrawals[0]));
    let token = csrf_token(&page);
    let empty = post(
        &app,
        &mut jar,
        &format!("/staff/withdrawals/{}/reject", withdrawals[1]),
        &[("csrf_token", &token), ("reason", "")],
    )
    .await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains(r#"id="review-error""#));
    let rejected = post(
        &app,
        &mut jar,
        &format!("/staff/withdrawals/{}/reject", withdrawals[1]),
        &[("csrf_token", &token), ("reason", "name does not match")],
    )
    .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    let approved = post(
        &app,
        &mut jar,
        &format!("/staff/withdrawals/{}/approve", withdrawals[2]),
        &[("csrf_token", &token), ("reason", "")],
    )
    .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let page = get(&app, &mut jar, "/staff/withdrawals?done=approved").await;
    assert!(page.body.contains(r#"id="queue-empty""#));
    let audited = app
        .running
        .store
        .audit_actions_about(&withdrawals[1])
        .await
        .expect("audit");
    assert!(audited.contains(&(finance_id, "withdrawal.rejected".to_owned())));

    // The payout completes the approved ones; the user reads the rejection's reason.
    // The server's payout task may take a pass at the same time (its pass and ours are kept
    // apart by the withdrawal's state), so run passes and wait until both approved ones are paid.
    let mut user = signed_in(&app, &mei).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let _ = app.running.wallet.process_due_withdrawals().await;
        let mut paid = 0;
        for id in [&withdrawals[0], &withdrawals[2]] {
            let page = get(&app, &mut user, &format!("/records/{id}")).await;
            if page.body.contains(r#"id="record" data-status="completed""#) {
                paid += 1;
            }
        }
        if paid == 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the approved withdrawals were not paid"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let refused = get(&app, &mut user, &format!("/records/{}", withdrawals[1])).await;
    assert!(refused.body.contains(r#"data-status="rejected""#));
    assert!(refused.body.contains("name does not match"));
    assert!(refused.body.contains(r#"data-code="withdrawal_rejected""#));
    let (left, held) = available(&app, &mei, "CNY").await;
    assert_eq!(
        held, 0,
        "the rejected one's hold is released, the paid ones are posted"
    );
    assert!((70_000..=80_000).contains(&left), "{left}");
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(the_developer_page_lists_every_test_card_and_only_an_admin_switches_the_rail);
async fn the_developer_page_lists_every_test_card_and_only_an_admin_switches_the_rail(
    backend: Backend,
) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut jar = Jar::default();
    let page = get(&app, &mut jar, "/developers/test-cards").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for card in domain::wallet::TEST_CARDS {
        assert!(page.body.contains(card.number), "{}", card.number);
    }
    for account in domain::wallet::TEST_BANK_ACCOUNTS {
        assert!(page.body.contains(account.number), "{}", account.number);
    }
    assert!(page.body.contains(r#"data-mode="normal""#));
    let token = csrf_token(&page);
    let (finance, _) = staff_signed_in(&app, StaffRole::Finance).await;
    let (admin, _) = staff_signed_in(&app, StaffRole::Admin).await;
    jar.set("okpay_staff_session", &finance);
    let refused = post(
        &app,
        &mut jar,
        "/staff/simulator",
        &[("csrf_token", &token), ("mode", "down")],
    )
    .await;
    assert_eq!(refused.status, 403);
    jar.set("okpay_staff_session", &admin);
    let switched = post(
        &app,
        &mut jar,
        "/staff/simulator",
        &[("csrf_token", &token), ("mode", "down"), ("delay_ms", "")],
    )
    .await;
    assert_eq!(switched.status, 303, "{}", switched.body);
    let page = get(&app, &mut jar, "/developers/test-cards?switched=1").await;
    assert!(page.body.contains(r#"data-mode="down""#));
    let api = app
        .client
        .post(app.url("/api/v1/staff/simulator"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"mode": "slow", "delay_ms": 10}))
        .send()
        .await
        .expect("answered");
    assert_eq!(api.status(), 200);
    let mode: Value = api.json().await.expect("JSON");
    assert_eq!(mode, serde_json::json!({"mode": "slow", "delay_ms": 10}));
    let bad = app
        .client
        .post(app.url("/api/v1/staff/simulator"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"mode": "sideways"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(bad).await, "invalid_request");
    app.stop().await;
}

/// The 6-digit code in the newest message to `recipient`.
async fn newest_code(app: &TestApp, recipient: &str) -> String {
    use domain::notify::OutboxStore;
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    messages
        .iter()
        .find(|m| m.recipient == recipient)
        .and_then(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_owned)
        })
        .expect("a code was sent")
}

on_both_databases!(
    money_out_at_or_above_the_step_up_amount_needs_a_fresh_code_on_the_api_and_the_pages
);
async fn money_out_at_or_above_the_step_up_amount_needs_a_fresh_code_on_the_api_and_the_pages(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.auth_rate_limit_per_minute = 0;
        config.step_up_money_yuan = 100;
    })
    .await
    else {
        return;
    };
    let mei = person(&app, "mei-stepup@example.com").await;
    let lei = person(&app, "lei-stepup@example.com").await;
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    crate::wallet::top_up(&app, &mei, &card, 100_000, "CNY").await;
    let transfer =
        |amount: i64| serde_json::json!({"to": lei.email, "amount": amount, "currency": "CNY"});

    // Below the amount nothing more is asked; at it, the API wants a step-up token.
    let small = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(transfer(9_999)),
        None,
    )
    .await;
    assert_eq!(small.status, 201, "{}", small.body);
    let large = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(transfer(10_000)),
        None,
    )
    .await;
    assert_eq!(large.status, 403, "{}", large.body);
    assert_eq!(large.code(), "step_up_required");
    let asked = call(
        &app,
        &mei,
        "POST",
        "/api/v1/me/step-up",
        Some(serde_json::json!({"action": "money.move"})),
        None,
    )
    .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let code = newest_code(&app, &mei.email).await;
    let granted = call(
        &app,
        &mei,
        "POST",
        "/api/v1/me/step-up",
        Some(serde_json::json!({"action": "money.move", "code": code})),
        None,
    )
    .await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let token = granted.body["step_up_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let sent = app
        .client
        .post(app.url("/api/v1/transfers"))
        .bearer_auth(&mei.token)
        .header("x-step-up-token", &token)
        .json(&transfer(10_000))
        .send()
        .await
        .expect("answered");
    assert_eq!(sent.status(), 201);
    let again = app
        .client
        .post(app.url("/api/v1/transfers"))
        .bearer_auth(&mei.token)
        .header("x-step-up-token", &token)
        .json(&transfer(10_000))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        error_code(again).await,
        "step_up_invalid",
        "a token works once"
    );

    // The page asks for the code on the confirmation screen, having sent it.
    let mut jar = signed_in(&app, &mei).await;
    let below = confirm(
        &app,
        &mut jar,
        "transfer",
        &[("to", &lei.email), ("amount", "50"), ("currency", "CNY")],
    )
    .await;
    assert!(!below.body.contains(r#"id="step-up-needed""#));
    let confirmation = confirm(
        &app,
        &mut jar,
        "transfer",
        &[("to", &lei.email), ("amount", "150"), ("currency", "CNY")],
    )
    .await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains(r#"id="step-up-needed""#));
    let mut fields = commit_fields(&confirmation);
    let without = post_fields(&app, &mut jar, "/wallet/transfer", &fields).await;
    assert_eq!(without.status, 403, "{}", without.body);
    assert!(without.body.contains(r#"data-code="step_up_required""#));
    let confirmation = confirm(
        &app,
        &mut jar,
        "transfer",
        &[("to", &lei.email), ("amount", "150"), ("currency", "CNY")],
    )
    .await;
    fields = commit_fields(&confirmation);
    fields.push(("step_up_code", newest_code(&app, &mei.email).await));
    let done = post_fields(&app, &mut jar, "/wallet/transfer", &fields).await;
    let id = record_of(&done);
    // A double submit replays the record without asking again.
    assert_eq!(
        record_of(&post_fields(&app, &mut jar, "/wallet/transfer", &fields).await),
        id
    );
    assert_eq!(
        available(&app, &lei, "CNY").await.0,
        9_999 + 10_000 + 15_000
    );
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(every_wallet_page_speaks_chinese_when_asked);
async fn every_wallet_page_speaks_chinese_when_asked(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mei = person(&app, "mei-zh@example.com").await;
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    let topped = crate::wallet::top_up(&app, &mei, &card, 10_000, "CNY").await;
    let id = topped.body["id"].as_str().expect("id").to_owned();
    let mut jar = signed_in(&app, &mei).await;
    get(&app, &mut jar, "/wallet?lang=zh-CN").await;
    for (path, words) in [
        ("/wallet", "剩余额度"),
        // The verification tier is named in Chinese too, not by its code.
        ("/wallet", r#"id="kyc-tier">未认证<"#),
        ("/wallet/cards", "添加银行卡"),
        ("/wallet/topup", "充值"),
        ("/wallet/transfer", "收款人"),
        ("/wallet/withdraw", "请先添加一个银行账户"),
        ("/wallet/exchange", "兑换为"),
        ("/wallet/remit", "跨国汇款"),
        ("/records", "交易记录"),
        (&format!("/records/{id}") as &str, "状态进度"),
        ("/records/statement", "月度对账单"),
        ("/records/spending", "消费分析"),
        ("/developers/test-cards", "测试卡号"),
    ] {
        let page = get(&app, &mut jar, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains(r#"<html lang="zh-CN">"#), "{path}");
        assert!(page.body.contains(words), "{path}: {words}");
    }
    app.stop().await;
}

on_both_databases!(a_server_started_with_day_offset_utc_shows_page_times_in_utc);
async fn a_server_started_with_day_offset_utc_shows_page_times_in_utc(backend: Backend) {
    use domain::calendar::UtcOffset;
    use okpay::config::DayOffset;

    let Some(app) = spawn_app_with(backend, |config| {
        config.auth_rate_limit_per_minute = 0;
        config.day_offset = DayOffset::parse("+00:00").expect("an offset");
    })
    .await
    else {
        return;
    };
    assert_eq!(app.running.wallet.rules().offset, UtcOffset::UTC);
    let mei = person(&app, "mei@example.com").await;
    let card = crate::wallet::add_card(&app, &mei, "4242 4242 4242 4242").await;
    let topped_up = crate::wallet::top_up(&app, &mei, &card, 10_000, "CNY").await;
    assert_eq!(topped_up.status, 201, "{}", topped_up.body);
    let mut jar = signed_in(&app, &mei).await;
    for path in ["/wallet", "/records"] {
        let page = get(&app, &mut jar, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains(" (UTC)</time>"), "{path}: {}", page.body);
        assert!(!page.body.contains("UTC+8"), "{path}: {}", page.body);
    }
    // In Chinese the zone is named the same way: 北京时间 only when days begin in Beijing.
    let page = get(&app, &mut jar, "/records?lang=zh-CN").await;
    assert!(page.body.contains("（UTC）</time>"), "{}", page.body);
    assert!(!page.body.contains("北京时间"), "{}", page.body);
    app.stop().await;
}
