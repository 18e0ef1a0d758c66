//! The monthly maintenance fee over both databases: notice, monthly charges, never below zero.

use domain::notify::OutboxStore;
use domain::wallet::{MAINTENANCE_FEE_JOB, MaintenancePass, TEST_CARDS, TestCardOutcome};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app};
use crate::wallet::{Person, add_card, assert_verify_clean, available, call, person, top_up};

const DAY_S: i64 = 86_400;

async fn funded(app: &TestApp, email: &str, amount: i64) -> (Person, String) {
    let who = person(app, email).await;
    let number = TEST_CARDS
        .iter()
        .find(|card| card.outcome == TestCardOutcome::Success)
        .expect("a card that succeeds")
        .number;
    let card = add_card(app, &who, number).await;
    let answer = top_up(app, &who, &card, amount, "CNY").await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    (who, card)
}

async fn pass(app: &TestApp) -> MaintenancePass {
    let wallet = &app.running.wallet;
    wallet
        .charge_maintenance_fees(wallet.now())
        .await
        .expect("the pass runs")
}

async fn message_kinds(app: &TestApp, who: &Person) -> Vec<String> {
    let answer = call(app, who, "GET", "/api/v1/messages", None, None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["data"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|message| message["kind"].as_str().map(str::to_owned))
        .collect()
}

async fn maintenance_records(app: &TestApp, who: &Person) -> Vec<Value> {
    let answer = call(app, who, "GET", "/api/v1/transactions", None, None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["data"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|record| record["type"] == "maintenance_fee")
        .cloned()
        .collect()
}

on_both_databases!(an_idle_wallet_is_warned_then_charged_once_a_month_and_never_below_zero);
async fn an_idle_wallet_is_warned_then_charged_once_a_month_and_never_below_zero(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (idle, _) = funded(&app, "idle@example.com", 10_000).await;
    let (small, _) = funded(&app, "small@example.com", 120).await;
    let (busy, busy_card) = funded(&app, "busy@example.com", 10_000).await;
    let idle_before = available(&app, &idle, "CNY").await.0;
    let small_before = available(&app, &small, "CNY").await.0;
    assert!(small_before > 0 && small_before < 500, "{small_before}");
    let clock = app.running.wallet.clock();

    // Nearly twelve months later: inside the thirty days' notice, before any charge.
    clock.advance(345 * DAY_S);
    let again = top_up(&app, &busy, &busy_card, 100, "CNY").await;
    assert_eq!(again.status, 201, "{}", again.body);
    app.running
        .jobs
        .enqueue(MAINTENANCE_FEE_JOB, "")
        .await
        .expect("enqueued");
    let report = app.run_pending_jobs().await;
    assert!(report.succeeded >= 1 && report.dead == 0, "{report:?}");
    for who in [&idle, &small] {
        assert!(
            message_kinds(&app, who)
                .await
                .contains(&"maintenance_fee_coming".to_owned()),
            "{} was told",
            who.email
        );
    }
    assert!(
        !message_kinds(&app, &busy)
            .await
            .contains(&"maintenance_fee_coming".to_owned())
    );
    let outbox = app
        .running
        .store
        .recent_messages(100)
        .await
        .expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|m| m.recipient == idle.email && m.subject.contains("maintenance fee")),
        "the notice was e-mailed"
    );
    assert_eq!(
        pass(&app).await,
        MaintenancePass::default(),
        "told once, nothing charged yet"
    );
    assert_eq!(available(&app, &idle, "CNY").await.0, idle_before);

    // Past twelve months: the fee is charged once, a small balance only down to zero.
    clock.advance(25 * DAY_S);
    assert_eq!(pass(&app).await.charged, 2);
    assert_eq!(pass(&app).await, MaintenancePass::default(), "once a month");
    assert_eq!(available(&app, &idle, "CNY").await.0, idle_before - 500);
    assert_eq!(available(&app, &small, "CNY").await.0, 0);
    let records = maintenance_records(&app, &idle).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["amount"]["amount"], 500);
    assert!(
        records[0]["fee_schedule"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(
        maintenance_records(&app, &small).await[0]["amount"]["amount"],
        small_before
    );

    // A month on: charged again; the empty wallet and the active one are not.
    clock.advance(31 * DAY_S);
    assert_eq!(pass(&app).await.charged, 1);
    assert_eq!(pass(&app).await.charged, 0);
    assert_eq!(available(&app, &idle, "CNY").await.0, idle_before - 1_000);
    assert_eq!(available(&app, &small, "CNY").await.0, 0);
    assert!(maintenance_records(&app, &busy).await.is_empty());
    assert_verify_clean(&app).await;
    app.stop().await;
}
