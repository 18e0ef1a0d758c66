//! The wallet over HTTP on both databases: cards, top-ups with every test card, transfers,
//! withdrawals through review and payout, quotes, exchanges, remittances, limits, fees,
//! idempotent retries, records, the CSV export, and `verify` clean at the end of each.

use domain::notify::OutboxStore;
use domain::wallet::{TEST_CARDS, TestCardOutcome};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app};

const PASSWORD: &str = "plum-orbit-canyon-17";

/// A signed-in person.
pub struct Person {
    pub id: String,
    pub token: String,
    pub email: String,
}

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("answered")
}

/// Registers `email`, confirms it with the code from the outbox and signs in.
pub async fn person(app: &TestApp, email: &str) -> Person {
    let registered = post(
        app,
        "/api/v1/auth/register",
        json!({"email": email, "password": PASSWORD, "locale": "en"}),
    )
    .await;
    assert_eq!(registered.status(), 201);
    let registered: Value = registered.json().await.expect("JSON");
    let messages = app.running.store.recent_messages(50).await.expect("outbox");
    let code = messages
        .iter()
        .find(|m| m.recipient == email)
        .and_then(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_owned)
        })
        .expect("a code was sent");
    let verified = post(
        app,
        "/api/v1/auth/verify",
        json!({"email": email, "code": code}),
    )
    .await;
    assert_eq!(verified.status(), 200);
    let signed_in = post(
        app,
        "/api/v1/auth/login",
        json!({"login": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(signed_in.status(), 200);
    let signed_in: Value = signed_in.json().await.expect("JSON");
    Person {
        id: registered["user_id"].as_str().expect("id").to_owned(),
        token: signed_in["token"].as_str().expect("token").to_owned(),
        email: email.to_owned(),
    }
}

/// What an API call answered.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

pub async fn call(
    app: &TestApp,
    who: &Person,
    method: &str,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> Answer {
    let mut request = match method {
        "GET" => app.client.get(app.url(path)),
        "DELETE" => app.client.delete(app.url(path)),
        _ => app.client.post(app.url(path)),
    }
    .bearer_auth(&who.token)
    .header("accept-language", "en");
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        body,
        replayed,
    }
}

pub async fn add_card(app: &TestApp, who: &Person, number: &str) -> String {
    let cvc = if number.starts_with('3') && number.replace(' ', "").len() == 15 {
        "1234"
    } else {
        "123"
    };
    let answer = call(
        app,
        who,
        "POST",
        "/api/v1/cards",
        Some(json!({"number": number, "exp_month": 12, "exp_year": 2031, "cvc": cvc, "holder_name": "LI LEI"})),
        None,
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().expect("card id").to_owned()
}

pub async fn top_up(
    app: &TestApp,
    who: &Person,
    card: &str,
    amount: i64,
    currency: &str,
) -> Answer {
    call(
        app,
        who,
        "POST",
        "/api/v1/topups",
        Some(json!({"card_id": card, "amount": amount, "currency": currency})),
        None,
    )
    .await
}

pub async fn available(app: &TestApp, who: &Person, currency: &str) -> (i64, i64) {
    let answer = call(app, who, "GET", "/api/v1/balances", None, None).await;
    assert_eq!(answer.status, 200);
    answer.body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|b| b["currency"] == currency)
        .map_or((0, 0), |b| {
            (
                b["available"].as_i64().expect("available"),
                b["held"].as_i64().expect("held"),
            )
        })
}

pub async fn assert_verify_clean(app: &TestApp) {
    let report = okpay::app::verify(&app.running.store)
        .await
        .expect("verify runs");
    assert!(report.is_clean(), "{report:?}");
}

on_both_databases!(a_user_tops_up_from_a_card_and_transfers_to_another_who_is_told);
async fn a_user_tops_up_from_a_card_and_transfers_to_another_who_is_told(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let cards = call(&app, &mei, "GET", "/api/v1/cards", None, None).await;
    assert_eq!(cards.body["data"][0]["last4"], "4242");
    assert!(!cards.body.to_string().contains("4242424242424242"));

    let topped = top_up(&app, &mei, &card, 100_000, "CNY").await;
    assert_eq!(topped.status, 201, "{}", topped.body);
    assert_eq!(topped.body["status"], "completed");
    assert_eq!(topped.body["type"], "topup");
    assert_eq!(available(&app, &mei, "CNY").await, (100_000, 0));

    let sent = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(
            json!({"to": "lei@example.com", "amount": 30_000, "currency": "CNY", "note": "lunch"}),
        ),
        None,
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    // 0.1% of ¥300.00 is ¥0.30, paid by the sender on top.
    assert_eq!(sent.body["fee"]["amount"], 30);
    assert_eq!(sent.body["fee_schedule"], "fees_default_v1");
    assert_eq!(available(&app, &mei, "CNY").await, (100_000 - 30_030, 0));
    assert_eq!(available(&app, &lei, "CNY").await, (30_000, 0));

    let id = sent.body["id"].as_str().expect("id");
    let theirs = call(
        &app,
        &lei,
        "GET",
        &format!("/api/v1/transactions/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.body["direction"], "in");
    assert_eq!(theirs.body["note"], "lunch");
    let told = app.running.store.recent_messages(20).await.expect("outbox");
    assert!(
        told.iter()
            .any(|m| m.recipient == "lei@example.com" && m.body.contains("300.00 CNY")),
        "the receiver is told"
    );
    let by_id = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": lei.id, "amount": 100, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(by_id.status, 201, "{}", by_id.body);
    let to_self = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": mei.email, "amount": 100, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(to_self.code(), "same_wallet");
    let nobody = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": "nobody@example.com", "amount": 100, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(nobody.code(), "recipient_not_found");
    let too_much = call(
        &app,
        &lei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": mei.email, "amount": 40_000, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(too_much.code(), "insufficient_funds");
    let failed_id = too_much.body["error"]["transaction_id"]
        .as_str()
        .expect("the failure is a record");
    let failed = call(
        &app,
        &lei,
        "GET",
        &format!("/api/v1/transactions/{failed_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(failed.body["status"], "failed");
    assert_eq!(failed.body["reason_code"], "insufficient_funds");
    assert!(failed.body["failure"]["next_step"].as_str().is_some());

    let list = call(
        &app,
        &mei,
        "GET",
        "/api/v1/transactions?limit=2",
        None,
        None,
    )
    .await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(list.body["has_more"], true);
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(every_test_card_gives_its_documented_outcome_and_a_refusal_is_a_record);
async fn every_test_card_gives_its_documented_outcome_and_a_refusal_is_a_record(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let mut expected_balance = 0;
    for test_card in TEST_CARDS {
        let card = add_card(&app, &mei, test_card.number).await;
        let answer = top_up(&app, &mei, &card, 1_000, "CNY").await;
        match test_card.outcome {
            TestCardOutcome::Success => {
                assert_eq!(answer.status, 201, "{}: {}", test_card.number, answer.body);
                expected_balance += 1_000;
            }
            outcome => {
                assert_eq!(answer.code(), outcome.code(), "{}", test_card.number);
                let id = answer.body["error"]["transaction_id"]
                    .as_str()
                    .expect("a failed top-up is a record");
                let record = call(
                    &app,
                    &mei,
                    "GET",
                    &format!("/api/v1/transactions/{id}"),
                    None,
                    None,
                )
                .await;
                assert_eq!(record.body["status"], "failed");
                assert_eq!(record.body["reason_code"], outcome.code());
                assert!(record.body["failure"]["message"].as_str().is_some());
            }
        }
    }
    assert_eq!(available(&app, &mei, "CNY").await.0, expected_balance);
    let failed = call(
        &app,
        &mei,
        "GET",
        "/api/v1/transactions?type=topup&status=failed&limit=100",
        None,
        None,
    )
    .await;
    let declined = TEST_CARDS
        .iter()
        .filter(|c| c.outcome != TestCardOutcome::Success)
        .count();
    assert_eq!(failed.body["data"].as_array().map(Vec::len), Some(declined));
    let bad = call(
        &app,
        &mei,
        "POST",
        "/api/v1/cards",
        Some(json!({"number": "4242 4242 4242 4241", "exp_month": 12, "exp_year": 2031, "cvc": "123", "holder_name": "LI LEI"})),
        None,
    )
    .await;
    assert_eq!(bad.code(), "card_number_invalid");
    assert_eq!(bad.body["error"]["param"], "number");
    assert!(!bad.body.to_string().contains("4242424242424241"));
    assert_verify_clean(&app).await;
    app.stop().await;
}

pub async fn add_bank_account(app: &TestApp, who: &Person, number: &str, currency: &str) -> String {
    let answer = call(
        app,
        who,
        "POST",
        "/api/v1/bank-accounts",
        Some(json!({"bank_name": "招商银行", "account_number": number, "holder_name": "LI LEI", "currency": currency})),
        None,
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(
        !answer.body.to_string().contains(&number.replace(' ', "")),
        "shown masked"
    );
    answer.body["id"].as_str().expect("id").to_owned()
}

async fn quote(app: &TestApp, who: &Person, body: Value) -> Answer {
    call(app, who, "POST", "/api/v1/quotes", Some(body), None).await
}

on_both_databases!(a_retry_with_the_same_key_replays_the_first_answer_and_moves_money_once);
async fn a_retry_with_the_same_key_replays_the_first_answer_and_moves_money_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let account = add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    let exchange_quote = quote(
        &app,
        &mei,
        json!({"kind": "exchange", "amount": 10_000, "currency": "CNY", "target_currency": "USD"}),
    )
    .await;
    assert_eq!(exchange_quote.status, 201, "{}", exchange_quote.body);
    let remit_quote = quote(
        &app,
        &mei,
        json!({"kind": "remittance", "amount": 10_000, "currency": "CNY", "target_currency": "HKD"}),
    )
    .await;
    let requests = [
        (
            "/api/v1/topups",
            json!({"card_id": card, "amount": 200_000, "currency": "CNY"}),
        ),
        (
            "/api/v1/transfers",
            json!({"to": lei.email, "amount": 5_000, "currency": "CNY"}),
        ),
        (
            "/api/v1/withdrawals",
            json!({"bank_account_id": account, "amount": 20_000, "currency": "CNY"}),
        ),
        (
            "/api/v1/exchanges",
            json!({"quote_id": exchange_quote.body["quote_id"], "amount": 10_000, "currency": "CNY", "target_currency": "USD"}),
        ),
        (
            "/api/v1/remittances",
            json!({"to": lei.email, "quote_id": remit_quote.body["quote_id"], "amount": 10_000, "currency": "CNY", "target_currency": "HKD"}),
        ),
    ];
    for (index, (path, body)) in requests.iter().enumerate() {
        let key = format!("key-{index}");
        let first = call(&app, &mei, "POST", path, Some(body.clone()), Some(&key)).await;
        assert_eq!(first.status, 201, "{path}: {}", first.body);
        let balances = call(&app, &mei, "GET", "/api/v1/balances", None, None).await;
        let again = call(&app, &mei, "POST", path, Some(body.clone()), Some(&key)).await;
        assert_eq!(again.status, 201, "{path}");
        assert!(again.replayed, "{path}");
        assert_eq!(again.body, first.body, "{path}");
        let after = call(&app, &mei, "GET", "/api/v1/balances", None, None).await;
        assert_eq!(after.body, balances.body, "{path}: a replay moves nothing");
        let mut different = body.clone();
        different["amount"] = json!(101);
        let reused = call(&app, &mei, "POST", path, Some(different), Some(&key)).await;
        assert_eq!(reused.code(), "idempotency_key_reused", "{path}");
    }
    let bad_key = call(
        &app,
        &mei,
        "POST",
        "/api/v1/topups",
        Some(json!({"card_id": card, "amount": 100, "currency": "CNY"})),
        Some(&"k".repeat(201)),
    )
    .await;
    assert_eq!(bad_key.code(), "invalid_idempotency_key");
    let records = call(
        &app,
        &mei,
        "GET",
        "/api/v1/transactions?limit=100",
        None,
        None,
    )
    .await;
    assert_eq!(records.body["data"].as_array().map(Vec::len), Some(5));
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(a_withdrawal_is_held_reviewed_and_paid_out_or_released);
async fn a_withdrawal_is_held_reviewed_and_paid_out_or_released(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(top_up(&app, &mei, &card, 100_000, "CNY").await.status, 201);
    let good = add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    let flaky = add_bank_account(&app, &mei, "6222 0000 0000 0019", "CNY").await;
    let closed = add_bank_account(&app, &mei, "6222 0000 0000 0027", "CNY").await;
    let withdraw = |account: String, amount: i64| {
        let app = &app;
        let mei = &mei;
        async move {
            call(
                app,
                mei,
                "POST",
                "/api/v1/withdrawals",
                Some(json!({"bank_account_id": account, "amount": amount, "currency": "CNY"})),
                None,
            )
            .await
        }
    };
    let below = withdraw(good.clone(), 500).await;
    assert_eq!(below.code(), "amount_below_minimum");
    let usd = add_bank_account(&app, &mei, "GB82 WEST 1234 5698 7654 32", "USD").await;
    assert_eq!(
        withdraw(usd, 10_000).await.code(),
        "bank_account_currency_mismatch"
    );

    // Paid at once after approval: ¥100.00 minus ¥1.00 + 0.1% = ¥1.10 fee.
    let paid = withdraw(good.clone(), 10_000).await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    assert_eq!(paid.body["status"], "reviewing");
    assert_eq!(paid.body["fee"]["amount"], 110);
    assert_eq!(paid.body["arrives"]["amount"], 9_890);
    assert_eq!(available(&app, &mei, "CNY").await, (90_000, 10_000));
    let paid_id = paid.body["id"].as_str().expect("id").to_owned();
    let wallet = &app.running.wallet;
    let queue = wallet.withdrawals_to_review(10).await.expect("queue");
    assert_eq!(queue.len(), 1);
    wallet
        .approve_withdrawal("stf_finance", &paid_id, None)
        .await
        .expect("approved");
    let again = wallet
        .approve_withdrawal("stf_finance", &paid_id, None)
        .await;
    assert_eq!(
        again.expect_err("reviewed once").code(),
        "withdrawal_not_reviewable"
    );
    let pass = wallet
        .process_due_withdrawals()
        .await
        .expect("a payout pass");
    assert_eq!(pass.completed, 1);
    let done = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/withdrawals/{paid_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(done.body["status"], "completed");
    let statuses: Vec<&str> = done.body["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["submitted", "reviewing", "processing", "completed"]
    );
    assert_eq!(available(&app, &mei, "CNY").await, (90_000, 0));

    // What is left of today's and this month's withdrawal limits.
    let withdrawal_left = || async {
        let limits = call(&app, &mei, "GET", "/api/v1/limits?currency=CNY", None, None).await;
        let withdrawal = limits.body["data"]
            .as_array()
            .expect("list")
            .iter()
            .find(|l| l["kind"] == "withdrawal")
            .expect("withdrawal limits")
            .clone();
        (
            withdrawal["daily_left"].as_i64().expect("daily"),
            withdrawal["monthly_left"].as_i64().expect("monthly"),
        )
    };
    let left_before = withdrawal_left().await;

    // Rejected with a reason: the hold is released, and so is the limit it used.
    let rejected = withdraw(good.clone(), 20_000).await;
    let rejected_id = rejected.body["id"].as_str().expect("id").to_owned();
    assert_eq!(available(&app, &mei, "CNY").await, (70_000, 20_000));
    let left_held = withdrawal_left().await;
    assert_eq!(left_held, (left_before.0 - 20_000, left_before.1 - 20_000));
    wallet
        .reject_withdrawal("stf_finance", &rejected_id, "   ")
        .await
        .expect_err("a reason is required");
    wallet
        .reject_withdrawal("stf_finance", &rejected_id, "name does not match")
        .await
        .expect("rejected");
    assert_eq!(available(&app, &mei, "CNY").await, (90_000, 0));
    assert_eq!(
        withdrawal_left().await,
        left_before,
        "a rejected withdrawal uses no limit"
    );
    let detail = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/transactions/{rejected_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(detail.body["status"], "rejected");
    assert_eq!(detail.body["reason_code"], "withdrawal_rejected");
    assert!(detail.body.to_string().contains("name does not match"));

    // The bank times out once, and the retry pays.
    let retried = withdraw(flaky, 10_000).await;
    let retried_id = retried.body["id"].as_str().expect("id").to_owned();
    wallet
        .approve_withdrawal("stf_finance", &retried_id, Some("ok"))
        .await
        .expect("approved");
    let first = wallet.process_due_withdrawals().await.expect("a pass");
    assert_eq!(first.retrying, 1);
    let waiting = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/withdrawals/{retried_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(waiting.body["status"], "processing");
    assert!(waiting.body.to_string().contains("bank_timeout"));
    wallet.clock().advance(31);
    let second = wallet.process_due_withdrawals().await.expect("a pass");
    assert_eq!(second.completed, 1);

    // The account is closed: the withdrawal fails and the hold is released.
    let failing = withdraw(closed, 10_000).await;
    let failing_id = failing.body["id"].as_str().expect("id").to_owned();
    wallet
        .approve_withdrawal("stf_finance", &failing_id, None)
        .await
        .expect("approved");
    let pass = wallet.process_due_withdrawals().await.expect("a pass");
    assert_eq!(pass.failed, 1);
    let failed = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/withdrawals/{failing_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(failed.body["status"], "failed");
    assert_eq!(failed.body["reason_code"], "bank_account_closed");
    assert_eq!(available(&app, &mei, "CNY").await, (80_000, 0));
    let told = app.running.store.recent_messages(50).await.expect("outbox");
    for id in [&paid_id, &rejected_id, &failing_id] {
        assert!(
            told.iter().any(|m| m.body.contains(id.as_str())),
            "told about {id}"
        );
    }
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(a_quote_holds_for_its_time_and_an_exchange_moves_through_the_fx_positions);
async fn a_quote_holds_for_its_time_and_an_exchange_moves_through_the_fx_positions(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(top_up(&app, &mei, &card, 100_000, "CNY").await.status, 201);

    let quoted = quote(
        &app,
        &mei,
        json!({"kind": "exchange", "amount": 71_000, "currency": "CNY", "target_currency": "USD"}),
    )
    .await;
    assert_eq!(quoted.status, 201, "{}", quoted.body);
    // 0.5% exchange fee of ¥710.00 is ¥3.55; ¥706.45 at 1 USD = 7.1 CNY is $99.50.
    assert_eq!(quoted.body["fee"]["amount"], 355);
    assert_eq!(
        quoted.body["arrives"],
        json!({"amount": 9_950, "currency": "USD"})
    );
    assert_eq!(quoted.body["expires_in_s"], 60);
    assert!(quoted.body["rate"].as_str().is_some());
    let quote_id = quoted.body["quote_id"].as_str().expect("id").to_owned();
    let mismatch = call(
        &app,
        &mei,
        "POST",
        "/api/v1/exchanges",
        Some(json!({"quote_id": quote_id, "amount": 70_000, "currency": "CNY", "target_currency": "USD"})),
        None,
    )
    .await;
    assert_eq!(mismatch.code(), "quote_mismatch");
    assert_eq!(mismatch.body["error"]["param"], "amount");
    let stolen = call(
        &app,
        &lei,
        "POST",
        "/api/v1/exchanges",
        Some(json!({"quote_id": quote_id, "amount": 71_000, "currency": "CNY", "target_currency": "USD"})),
        None,
    )
    .await;
    assert_eq!(stolen.code(), "quote_not_found");
    let exchanged = call(
        &app,
        &mei,
        "POST",
        "/api/v1/exchanges",
        Some(json!({"quote_id": quote_id, "amount": 71_000, "currency": "CNY", "target_currency": "USD"})),
        None,
    )
    .await;
    assert_eq!(exchanged.status, 201, "{}", exchanged.body);
    assert_eq!(exchanged.body["direction"], "internal");
    assert_eq!(available(&app, &mei, "CNY").await.0, 29_000);
    assert_eq!(available(&app, &mei, "USD").await.0, 9_950);

    let late = quote(
        &app,
        &mei,
        json!({"kind": "remittance", "amount": 10_000, "currency": "CNY", "target_currency": "HKD"}),
    )
    .await;
    let late_id = late.body["quote_id"].as_str().expect("id").to_owned();
    app.running.wallet.clock().advance(60);
    let expired = call(
        &app,
        &mei,
        "POST",
        "/api/v1/remittances",
        Some(json!({"to": lei.email, "quote_id": late_id, "amount": 10_000, "currency": "CNY", "target_currency": "HKD"})),
        None,
    )
    .await;
    assert_eq!(expired.code(), "quote_expired");
    let fresh = quote(
        &app,
        &mei,
        json!({"kind": "remittance", "amount": 10_000, "currency": "CNY", "target_currency": "HKD"}),
    )
    .await;
    let arrives = fresh.body["arrives"]["amount"].as_i64().expect("arrives");
    let remitted = call(
        &app,
        &mei,
        "POST",
        "/api/v1/remittances",
        Some(json!({"to": lei.email, "quote_id": fresh.body["quote_id"], "amount": 10_000, "currency": "CNY", "target_currency": "HKD", "note": "家用"})),
        None,
    )
    .await;
    assert_eq!(remitted.status, 201, "{}", remitted.body);
    assert_eq!(available(&app, &lei, "HKD").await.0, arrives);
    let same = quote(
        &app,
        &mei,
        json!({"kind": "exchange", "amount": 100, "currency": "CNY"}),
    )
    .await;
    assert_eq!(same.code(), "target_currency_required");
    let rates = app
        .client
        .get(app.url("/api/v1/fx-rates"))
        .send()
        .await
        .expect("answered");
    let rates: Value = rates.json().await.expect("JSON");
    assert!(rates["data"].as_array().is_some_and(|r| r.len() >= 5));
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(a_limit_says_which_limit_how_much_is_left_and_verifying_raises_it);
async fn a_limit_says_which_limit_how_much_is_left_and_verifying_raises_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    // Unverified: top-ups up to ¥2,000 a day.
    assert_eq!(top_up(&app, &mei, &card, 150_000, "CNY").await.status, 201);
    let over = top_up(&app, &mei, &card, 60_000, "CNY").await;
    assert_eq!(over.code(), "limit_exceeded");
    let error = &over.body["error"];
    assert_eq!(error["limit_kind"], "topup");
    assert_eq!(error["period"], "daily");
    assert_eq!(error["tier"], "unverified");
    assert_eq!(error["left"], "50000");
    assert_eq!(error["next_tier"], "verified");
    let limits = call(&app, &mei, "GET", "/api/v1/limits?currency=CNY", None, None).await;
    assert_eq!(limits.body["tier"], "unverified");
    let topup = limits.body["data"]
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["kind"] == "topup")
        .expect("topup limits")
        .clone();
    assert_eq!(topup["daily_left"], 50_000);
    assert_eq!(topup["daily_limit"], 200_000);
    let transfer_over = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": lei.email, "amount": 200_001, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(transfer_over.code(), "limit_exceeded");
    assert_eq!(transfer_over.body["error"]["limit_kind"], "transfer_out");

    app.running
        .wallet
        .set_kyc_tier(&mei.id, domain::limits::KycTier::Verified)
        .await
        .expect("tier set");
    assert_eq!(
        top_up(&app, &mei, &card, 1_500_000, "CNY").await.status,
        201
    );
    let limits = call(&app, &mei, "GET", "/api/v1/limits", None, None).await;
    assert_eq!(limits.body["tier"], "verified");
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(racing_transfers_from_one_user_pass_the_daily_limit_only_as_far_as_it_goes);
async fn racing_transfers_from_one_user_pass_the_daily_limit_only_as_far_as_it_goes(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    // Funded while verified, so that the balance covers every transfer and its 0.1% fee: only
    // the unverified tier's transfer limit, ¥2,000 a day, can refuse them.
    let tier = |tier| app.running.wallet.set_kyc_tier(&mei.id, tier);
    tier(domain::limits::KycTier::Verified)
        .await
        .expect("tier set");
    assert_eq!(top_up(&app, &mei, &card, 500_000, "CNY").await.status, 201);
    tier(domain::limits::KycTier::Unverified)
        .await
        .expect("tier set");
    const AMOUNT: i64 = 30_000;
    const TRANSFERS: usize = 10;
    const FIT: usize = 6; // 6 × ¥300 = ¥1,800 fits under ¥2,000; a seventh would not.
    let mut transfers = tokio::task::JoinSet::new();
    for _ in 0..TRANSFERS {
        let request = app
            .client
            .post(app.url("/api/v1/transfers"))
            .bearer_auth(&mei.token)
            .header("accept-language", "en")
            .json(&json!({"to": lei.email, "amount": AMOUNT, "currency": "CNY"}));
        transfers.spawn(async move {
            let response = request.send().await.expect("answered");
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("JSON");
            (
                status,
                body["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        });
    }
    let answers = transfers.join_all().await;
    let sent = answers.iter().filter(|(status, _)| *status == 201).count();
    let over = answers
        .iter()
        .filter(|(status, code)| *status == 422 && code == "limit_exceeded")
        .count();
    assert_eq!((sent, over), (FIT, TRANSFERS - FIT), "{answers:?}");

    let limits = call(&app, &mei, "GET", "/api/v1/limits?currency=CNY", None, None).await;
    let transfer = limits.body["data"]
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["kind"] == "transfer_out")
        .expect("transfer limits")
        .clone();
    assert_eq!(transfer["daily_left"], 200_000 - FIT as i64 * AMOUNT);
    let (mei_available, _) = available(&app, &mei, "CNY").await;
    assert_eq!(
        mei_available,
        500_000 - FIT as i64 * (AMOUNT + AMOUNT / 1_000)
    );
    let (lei_available, _) = available(&app, &lei, "CNY").await;
    assert_eq!(lei_available, FIT as i64 * AMOUNT);
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(copies_of_one_keyed_transfer_that_fills_the_limit_all_get_its_answer);
async fn copies_of_one_keyed_transfer_that_fills_the_limit_all_get_its_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let tier = |tier| app.running.wallet.set_kyc_tier(&mei.id, tier);
    tier(domain::limits::KycTier::Verified)
        .await
        .expect("tier set");
    assert_eq!(top_up(&app, &mei, &card, 500_000, "CNY").await.status, 201);
    tier(domain::limits::KycTier::Unverified)
        .await
        .expect("tier set");
    // ¥2,000 a day unverified: one transfer of ¥1,500 fills it so that no second one would fit.
    // Its copies wait for Mei's turn behind it and must then answer what it answered, not
    // `limit_exceeded` (a client retrying on a timeout sends exactly this).
    const COPIES: usize = 6;
    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..COPIES {
        let request = app
            .client
            .post(app.url("/api/v1/transfers"))
            .bearer_auth(&mei.token)
            .header("idempotency-key", "rent-november")
            .json(&json!({"to": lei.email, "amount": 150_000, "currency": "CNY"}));
        copies.spawn(async move {
            let response = request.send().await.expect("answered");
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("JSON");
            (status, body)
        });
    }
    let answers = copies.join_all().await;
    let first_id = answers[0].1["id"].clone();
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body["id"], first_id, "one transfer, one answer");
    }
    let (lei_available, _) = available(&app, &lei, "CNY").await;
    assert_eq!(lei_available, 150_000, "the money moved once");
    assert_verify_clean(&app).await;
    app.stop().await;
}

/// Mei's top-up records with `status`, newest first.
async fn top_ups(app: &TestApp, who: &Person, status: &str) -> Vec<Value> {
    let answer = call(
        app,
        who,
        "GET",
        &format!("/api/v1/transactions?type=topup&status={status}&limit=100"),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["data"].as_array().expect("a list").clone()
}

/// A top-up sent on its own task, so that the test goes on while the card is charged.
fn top_up_in_background(
    app: &TestApp,
    who: &Person,
    card: &str,
    amount: i64,
    key: Option<&str>,
) -> tokio::task::JoinHandle<(u16, Value)> {
    let mut request = app
        .client
        .post(app.url("/api/v1/topups"))
        .bearer_auth(&who.token)
        .header("accept-language", "en")
        .json(&json!({"card_id": card, "amount": amount, "currency": "CNY"}));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    tokio::spawn(async move {
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    })
}

on_both_databases!(
    a_slow_card_charge_does_not_hold_up_the_users_transfer_but_counts_against_the_limit
);
async fn a_slow_card_charge_does_not_hold_up_the_users_transfer_but_counts_against_the_limit(
    backend: Backend,
) {
    use domain::wallet::RailMode;
    use std::time::{Duration, Instant};

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let declined = add_card(&app, &mei, "4000 0000 0000 0002").await;
    assert_eq!(top_up(&app, &mei, &card, 50_000, "CNY").await.status, 201);
    // Every charge now takes 5 s: far longer than a transfer on the slowest machine.
    const SLOW: Duration = Duration::from_secs(5);
    app.running.rail_switch.set(RailMode::Slow {
        delay_ms: SLOW.as_millis() as u64,
    });
    let charging_since = Instant::now();
    let slow = top_up_in_background(&app, &mei, &card, 120_000, None);
    // The top-up's record is written, processing, before the card is charged.
    let pending = loop {
        let pending = top_ups(&app, &mei, "processing").await;
        if !pending.is_empty() {
            break pending;
        }
        assert!(
            charging_since.elapsed() < SLOW,
            "the top-up never showed as processing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["amount"]["amount"], 120_000);

    // Mei's transfer does not wait for the charge.
    let transfer = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": lei.email, "amount": 10_000, "currency": "CNY"})),
        None,
    )
    .await;
    assert_eq!(transfer.status, 201, "{}", transfer.body);
    // The processing top-up counts against the daily limit (¥2,000 unverified): ¥500 + ¥1,200
    // leave ¥300, so ¥500 more is refused at once, without charging the card.
    let over = top_up(&app, &mei, &card, 50_000, "CNY").await;
    assert_eq!(over.code(), "limit_exceeded", "{}", over.body);
    assert_eq!(over.body["error"]["left"], "30000");
    assert!(
        !slow.is_finished() && charging_since.elapsed() < SLOW,
        "the transfer and the refusal came while the card was still being charged"
    );

    let (status, done) = slow.await.expect("the top-up's task");
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["id"], pending[0]["id"]);
    let steps: Vec<&str> = done["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|step| step["status"].as_str().expect("a status"))
        .collect();
    assert_eq!(steps, ["processing", "completed"]);
    assert!(top_ups(&app, &mei, "processing").await.is_empty());

    // A refused charge fails its record, which then no longer counts.
    app.running.rail_switch.set(RailMode::Normal);
    let refused = top_up(&app, &mei, &declined, 30_000, "CNY").await;
    assert_eq!(refused.code(), "card_declined", "{}", refused.body);
    let limits = call(&app, &mei, "GET", "/api/v1/limits?currency=CNY", None, None).await;
    let topup = limits.body["data"]
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["kind"] == "topup")
        .expect("topup limits")
        .clone();
    assert_eq!(topup["daily_left"], 30_000);
    assert_eq!(
        available(&app, &mei, "CNY").await.0,
        50_000 + 120_000 - 10_000 - 10
    );
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(copies_of_one_keyed_top_up_charged_slowly_make_one_top_up_and_one_record);
async fn copies_of_one_keyed_top_up_charged_slowly_make_one_top_up_and_one_record(
    backend: Backend,
) {
    use domain::wallet::RailMode;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    app.running
        .rail_switch
        .set(RailMode::Slow { delay_ms: 300 });
    // A client retrying on a timeout: copies of one request, sent while the first is charged.
    let copies: Vec<_> = (0..4)
        .map(|_| top_up_in_background(&app, &mei, &card, 80_000, Some("november-top-up")))
        .collect();
    let mut ids = Vec::new();
    for copy in copies {
        let (status, body) = copy.await.expect("the copy's task");
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].clone());
    }
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one top-up, one answer: {ids:?}"
    );
    assert_eq!(top_ups(&app, &mei, "completed").await.len(), 1);
    assert!(
        top_ups(&app, &mei, "failed").await.is_empty(),
        "no copy left a record"
    );
    assert_eq!(available(&app, &mei, "CNY").await.0, 80_000);
    // The same key for another amount is refused before any card is charged.
    app.running.rail_switch.set(RailMode::Normal);
    let reused = call(
        &app,
        &mei,
        "POST",
        "/api/v1/topups",
        Some(json!({"card_id": card, "amount": 1_000, "currency": "CNY"})),
        Some("november-top-up"),
    )
    .await;
    assert_eq!(reused.code(), "idempotency_key_reused", "{}", reused.body);
    assert!(top_ups(&app, &mei, "failed").await.is_empty());
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(fees_follow_the_schedule_and_the_monthly_volume_discount_applies);
async fn fees_follow_the_schedule_and_the_monthly_volume_discount_applies(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    app.running
        .wallet
        .set_kyc_tier(&mei.id, domain::limits::KycTier::Verified)
        .await
        .expect("tier set");
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let topped = top_up(&app, &mei, &card, 3_000_000, "CNY").await;
    assert_eq!(topped.body["fee"]["amount"], 0, "top-ups are free");
    // ¥30,000 moved this month: from ¥10,000 the fee is 10% off. 0.1% of ¥1,000.00 = ¥1.00,
    // less 10% = ¥0.90.
    let quoted = quote(
        &app,
        &mei,
        json!({"kind": "transfer", "amount": 100_000, "currency": "CNY"}),
    )
    .await;
    assert_eq!(quoted.body["gross_fee"]["amount"], 100);
    assert_eq!(quoted.body["fee"]["amount"], 90);
    assert_eq!(quoted.body["discounts"][0]["source"], "monthly_volume");
    let sent = call(
        &app,
        &mei,
        "POST",
        "/api/v1/transfers",
        Some(json!({"to": lei.email, "amount": 100_000, "currency": "CNY", "quote_id": quoted.body["quote_id"]})),
        None,
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(sent.body["fee"]["amount"], 90);
    assert_eq!(sent.body["quote_id"], quoted.body["quote_id"]);
    assert_eq!(available(&app, &mei, "CNY").await.0, 3_000_000 - 100_090);
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(records_filter_by_type_status_counterparty_and_export_as_csv);
async fn records_filter_by_type_status_counterparty_and_export_as_csv(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    let declined = add_card(&app, &mei, "4000 0000 0000 0002").await;
    assert_eq!(top_up(&app, &mei, &card, 100_000, "CNY").await.status, 201);
    assert_eq!(
        top_up(&app, &mei, &declined, 100, "CNY").await.code(),
        "card_declined"
    );
    for (amount, note) in [(1_000, "=SUM(A1)"), (2_000, "晚饭, \"好吃\"")] {
        let sent = call(
            &app,
            &mei,
            "POST",
            "/api/v1/transfers",
            Some(json!({"to": lei.email, "amount": amount, "currency": "CNY", "note": note})),
            None,
        )
        .await;
        assert_eq!(sent.status, 201);
    }
    let count = |path: String| {
        let app = &app;
        let mei = &mei;
        async move {
            let answer = call(app, mei, "GET", &path, None, None).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            answer.body["data"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(count("/api/v1/transactions".into()).await, 4);
    assert_eq!(count("/api/v1/transactions?type=transfer".into()).await, 2);
    assert_eq!(count("/api/v1/transactions?status=failed".into()).await, 1);
    assert_eq!(
        count("/api/v1/transactions?counterparty=l***@example".into()).await,
        2
    );
    assert_eq!(
        count(format!("/api/v1/transactions?counterparty={}", lei.id)).await,
        2
    );
    assert_eq!(
        count("/api/v1/transactions?amount_min=1500&amount_max=2000".into()).await,
        1
    );
    assert_eq!(
        count("/api/v1/transactions?preset=last_7_days".into()).await,
        4
    );
    assert_eq!(
        count("/api/v1/transactions?preset=last_month".into()).await,
        0
    );
    assert_eq!(
        count("/api/v1/transactions?preset=yesterday".into()).await,
        0
    );
    let bad = call(
        &app,
        &mei,
        "GET",
        "/api/v1/transactions?preset=someday",
        None,
        None,
    )
    .await;
    assert_eq!(bad.code(), "filter_invalid");
    assert_eq!(bad.body["error"]["param"], "preset");
    let first = call(
        &app,
        &mei,
        "GET",
        "/api/v1/transactions?limit=3",
        None,
        None,
    )
    .await;
    let last_id = first.body["data"][2]["id"].as_str().expect("id");
    assert_eq!(
        count(format!(
            "/api/v1/transactions?limit=3&starting_after={last_id}"
        ))
        .await,
        1
    );

    let response = app
        .client
        .get(app.url("/api/v1/transactions/export.csv?type=transfer"))
        .bearer_auth(&mei.token)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/csv"))
    );
    let bytes = response.bytes().await.expect("a body");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a UTF-8 BOM first"
    );
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    let rows = parse_csv(text);
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!(rows[0][0], "id");
    let amount_column = rows[0].iter().position(|c| c == "amount").expect("amount");
    let note_column = rows[0].iter().position(|c| c == "note").expect("note");
    assert_eq!(rows[1][amount_column], "20.00");
    assert_eq!(rows[1][note_column], "晚饭, \"好吃\"");
    assert_eq!(rows[2][note_column], "'=SUM(A1)");

    let month = domain::calendar::UtcOffset::CHINA.date_at(app.running.wallet.now());
    let statement = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/statements/{:04}-{:02}", month.year, month.month),
        None,
        None,
    )
    .await;
    assert_eq!(statement.status, 200, "{}", statement.body);
    assert_eq!(statement.body["totals"][0]["money_in"], 100_000);
    let spending = call(&app, &mei, "GET", "/api/v1/spending?months=3", None, None).await;
    assert_eq!(spending.status, 200);
    assert_eq!(spending.body["data"][0]["category"], "transfers");
    assert_eq!(spending.body["data"][0]["amount"], 3_003);
    app.stop().await;
}

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF rows.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

on_both_databases!(finance_reviews_withdrawals_from_the_command_line);
async fn finance_reviews_withdrawals_from_the_command_line(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(top_up(&app, &mei, &card, 100_000, "CNY").await.status, 201);
    let account = add_bank_account(&app, &mei, "6222 0000 0000 0001", "CNY").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let answer = call(
            &app,
            &mei,
            "POST",
            "/api/v1/withdrawals",
            Some(json!({"bank_account_id": account, "amount": 10_000, "currency": "CNY"})),
            None,
        )
        .await;
        ids.push(answer.body["id"].as_str().expect("id").to_owned());
    }
    let listed = app.okpay(&["withdrawals", "review"]);
    assert!(listed.status.success(), "{listed:?}");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        ids.iter().all(|id| listed.contains(id.as_str())),
        "{listed}"
    );

    let rejected = app.okpay(&[
        "withdrawals",
        "reject",
        &ids[0],
        "--staff",
        "stf_finance",
        "--reason",
        "holder name differs",
    ]);
    assert!(rejected.status.success(), "{rejected:?}");
    let approved = app.okpay(&["withdrawals", "approve", &ids[1], "--staff", "stf_finance"]);
    assert!(approved.status.success(), "{approved:?}");
    let twice = app.okpay(&["withdrawals", "approve", &ids[1], "--staff", "stf_finance"]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("withdrawal_not_reviewable"));

    let pass = app
        .running
        .wallet
        .process_due_withdrawals()
        .await
        .expect("a payout pass");
    assert_eq!(pass.completed, 1);
    let first = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/withdrawals/{}", ids[0]),
        None,
        None,
    )
    .await;
    assert_eq!(first.body["status"], "rejected");
    let second = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/withdrawals/{}", ids[1]),
        None,
        None,
    )
    .await;
    assert_eq!(second.body["status"], "completed");
    assert_eq!(available(&app, &mei, "CNY").await, (90_000, 0));
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(the_demo_has_people_who_sign_in_to_months_of_records_and_a_withdrawal_to_review);
async fn the_demo_has_people_who_sign_in_to_months_of_records_and_a_withdrawal_to_review(
    backend: Backend,
) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |config| config.demo = true).await
    else {
        return;
    };
    let signed_in = post(
        &app,
        "/api/v1/auth/login",
        json!({"login": "alice@demo.okpay.test", "password": okpay::demo::DEMO_PASSWORD}),
    )
    .await;
    assert_eq!(signed_in.status(), 200);
    let signed_in: Value = signed_in.json().await.expect("JSON");
    let alice = Person {
        id: "usr_demo_alice".into(),
        token: signed_in["token"].as_str().expect("token").to_owned(),
        email: "alice@demo.okpay.test".into(),
    };
    let records = call(
        &app,
        &alice,
        "GET",
        "/api/v1/transactions?limit=100",
        None,
        None,
    )
    .await;
    let records = records.body["data"].as_array().expect("records").clone();
    assert!(records.len() >= 15, "{}", records.len());
    let spending = call(&app, &alice, "GET", "/api/v1/spending?months=6", None, None).await;
    let months: std::collections::BTreeSet<&str> = spending.body["data"]
        .as_array()
        .expect("totals")
        .iter()
        .filter_map(|t| t["month"].as_str())
        .collect();
    assert!(months.len() >= 5, "{months:?}");
    let queue = app
        .running
        .wallet
        .withdrawals_to_review(10)
        .await
        .expect("queue");
    assert!(queue.iter().any(|w| w.id == "wdr_demo_1"));
    // Loading again changes nothing.
    let again = app.okpay(&["demo"]);
    assert!(again.status.success(), "{again:?}");
    let after = call(
        &app,
        &alice,
        "GET",
        "/api/v1/transactions?limit=100",
        None,
        None,
    )
    .await;
    assert_eq!(
        after.body["data"].as_array().map(Vec::len),
        Some(records.len())
    );
    assert_verify_clean(&app).await;
    app.stop().await;
}

/// How long the concurrency test runs: 30 s when `OKPAY_WALLET_SOAK_S` says so (scripts/test
/// sets it), a short run otherwise.
fn soak_seconds() -> u64 {
    std::env::var("OKPAY_WALLET_SOAK_S")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(3)
}

on_both_databases!(concurrent_clients_transferring_at_random_never_change_the_total_or_overdraw);
async fn concurrent_clients_transferring_at_random_never_change_the_total_or_overdraw(
    backend: Backend,
) {
    // Every person signs in from 127.0.0.1: lift the per-IP sign-in limit for this test.
    let Some(app) = crate::helpers::spawn_app_with(backend, |config| {
        config.auth_rate_limit_per_minute = 1_000_000;
    })
    .await
    else {
        return;
    };
    let people = okpay::load::people(&app.running, 200, 10_000)
        .await
        .expect("people");
    let fee_revenue =
        ledger::AccountId::platform(ledger::PlatformAccount::FeeRevenue, ledger::Currency::Cny);
    let total = |app: &TestApp| {
        let store = app.running.store.clone();
        let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
        let fee_revenue = fee_revenue.clone();
        async move {
            use domain::LedgerStore;
            let mut sum = 0_i64;
            for id in &ids {
                let balance = store
                    .balance(&ledger::AccountId::wallet(id, ledger::Currency::Cny))
                    .await
                    .expect("balance")
                    .expect("open");
                assert!(!balance.posted.is_negative(), "{id} went below zero");
                assert!(!balance.available().is_negative(), "{id} went below zero");
                sum += balance.posted.minor();
            }
            let fees = store
                .balance(&fee_revenue)
                .await
                .expect("fees")
                .expect("open");
            sum + fees.posted.minor()
        }
    };
    let before = total(&app).await;
    assert_eq!(before, 200 * 10_000);
    let people = std::sync::Arc::new(people.clone());
    let figures = okpay::load::transfers(
        &app.base_url,
        std::sync::Arc::clone(&people),
        32,
        std::time::Duration::from_secs(soak_seconds()),
    )
    .await
    .expect("the load runs");
    assert!(figures.completed > 0, "{figures:?}");
    assert_eq!(figures.failed, 0, "no 5xx answers");
    assert_eq!(total(&app).await, before, "the total never changes");
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(a_published_fee_schedule_prices_new_movements_and_records_keep_their_version);
async fn a_published_fee_schedule_prices_new_movements_and_records_keep_their_version(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "mei@example.com").await;
    let lei = person(&app, "lei@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(top_up(&app, &mei, &card, 100_000, "CNY").await.status, 201);
    let send = |amount: i64| {
        let app = &app;
        let mei = &mei;
        let to = lei.email.clone();
        async move {
            call(
                app,
                mei,
                "POST",
                "/api/v1/transfers",
                Some(json!({"to": to, "amount": amount, "currency": "CNY"})),
                None,
            )
            .await
        }
    };
    let before = send(10_000).await;
    assert_eq!(before.body["fee"]["amount"], 10);
    assert_eq!(before.body["fee_schedule"], "fees_default_v1");

    // Doubled transfer fee, published through the command line as an admin would.
    let rules = domain::fees::FeeRules {
        transaction_rate_ppm: 2_000,
        ..Default::default()
    };
    // Its own directory: the SQLite and PostgreSQL runs of this test share a clock.
    let rules_dir = tempfile::tempdir().expect("a temporary directory");
    let path = rules_dir.path().join("rules.json");
    std::fs::write(&path, store::fee_rules_json::fee_rules_to_json(&rules)).expect("written");
    let published = app.okpay(&[
        "fees",
        "publish",
        "--id",
        "fees_2026_12",
        "--staff",
        "stf_admin",
        "--rules",
        path.to_str().expect("a UTF-8 path"),
    ]);
    assert!(published.status.success(), "{published:?}");
    let listed = app.okpay(&["fees", "list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("fees_default_v1") && listed.contains("fees_2026_12"));
    // Another process published it: this one re-reads its versions within 10 seconds.
    let wallet = &app.running.wallet;
    wallet
        .publish_fee_schedule("stf_admin", "fees_2026_12b", wallet.now(), rules.clone())
        .await
        .expect("published here too");
    let after = send(10_000).await;
    assert_eq!(after.body["fee"]["amount"], 20);
    assert_eq!(after.body["fee_schedule"], "fees_2026_12b");
    let old = call(
        &app,
        &mei,
        "GET",
        &format!(
            "/api/v1/transactions/{}",
            before.body["id"].as_str().expect("id")
        ),
        None,
        None,
    )
    .await;
    assert_eq!(old.body["fee_schedule"], "fees_default_v1");
    let taken = wallet
        .publish_fee_schedule("stf_admin", "fees_2026_12b", wallet.now(), rules)
        .await;
    assert!(taken.is_err(), "a version is never replaced");
    assert_verify_clean(&app).await;
    app.stop().await;
}
