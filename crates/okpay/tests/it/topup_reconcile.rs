//! Stuck top-ups settled by the job worker on both databases: a crash is staged by writing a
//! top-up's `processing` record (and, for some, charging its card through the processor, and
//! even crediting it) without finishing it; the reconcile job then asks the processor and
//! completes what was charged, crediting it exactly once, and fails what was not, releasing the
//! limit it held.

use domain::limits::LimitKind;
use domain::records::{
    Counterparty, Direction, NewRecord, RecordKind, TransactionRecord, TransactionStatus,
};
use domain::wallet::{ChargeRequest, DEFAULT_FEE_SCHEDULE_ID, TOP_UP_RECONCILE_JOB, movements};
use ledger::{Amount, Currency, EntryId};

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app};
use crate::wallet::{Person, add_card, assert_verify_clean, available, call, person, top_up};

/// Writes a top-up's `processing` record, counted against the limit, as `Wallet::top_up` does
/// before it charges the card; then stops, as a crashed process would.
async fn processing_top_up(
    app: &TestApp,
    who: &Person,
    card_id: &str,
    amount: i64,
) -> TransactionRecord {
    let wallet = &app.running.wallet;
    let record = TransactionRecord::new(NewRecord {
        id: domain::ids::new_id("txn"),
        user_id: who.id.clone(),
        kind: RecordKind::TopUp,
        direction: Direction::In,
        status: TransactionStatus::Processing,
        amount: Amount::from_minor(amount),
        currency: Currency::Cny,
        fee: Amount::ZERO,
        arrived: Some((Amount::from_minor(amount), Currency::Cny)),
        counterparty: Some(Counterparty {
            id: card_id.to_owned(),
            label: "Visa •••• 4242".into(),
        }),
        note: None,
        fee_schedule_id: Some(DEFAULT_FEE_SCHEDULE_ID.into()),
        quote_id: None,
        failure_reason: None,
        created_at: wallet.now(),
    })
    .expect("a valid record");
    wallet
        .store()
        .insert_records(&[(record.clone(), Some(LimitKind::TopUp))])
        .await
        .expect("written");
    record
}

/// Charges the staged top-up's card through the wallet's processor, as the crashed process did.
async fn charge(app: &TestApp, record: &TransactionRecord) {
    let wallet = &app.running.wallet;
    let card_id = &record.counterparty.as_ref().expect("a card").id;
    let card = wallet
        .cards(&record.user_id)
        .await
        .expect("cards")
        .into_iter()
        .find(|card| &card.id == card_id)
        .expect("the card");
    wallet
        .processor()
        .charge(&ChargeRequest {
            reference: record.id.clone(),
            token: card.card.token,
            amount: record.amount,
            currency: record.currency,
        })
        .await
        .expect("charged");
}

async fn status_of(app: &TestApp, who: &Person, id: &str) -> (String, String) {
    let answer = call(
        app,
        who,
        "GET",
        &format!("/api/v1/transactions/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    (
        answer.body["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        answer.body["reason_code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn top_ups_counted_today(app: &TestApp, who: &Person) -> i64 {
    app.running
        .wallet
        .store()
        .usage(&who.id, LimitKind::TopUp, Currency::Cny, 0, 0)
        .await
        .expect("usage")
        .today
        .minor()
}

async fn run_reconcile(app: &TestApp) {
    app.running
        .jobs
        .enqueue(TOP_UP_RECONCILE_JOB, "")
        .await
        .expect("enqueued");
    let report = app.run_pending_jobs().await;
    assert!(report.succeeded >= 1 && report.dead == 0, "{report:?}");
}

on_both_databases!(a_top_up_stuck_after_its_charge_is_credited_once_and_one_never_charged_fails);
async fn a_top_up_stuck_after_its_charge_is_credited_once_and_one_never_charged_fails(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "stuck@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    // An ordinary top-up first: it completes, and the wallet is open.
    assert_eq!(top_up(&app, &mei, &card, 1_000, "CNY").await.status, 201);
    assert_eq!(available(&app, &mei, "CNY").await.0, 1_000);

    // Crashed after the charge, before the credit.
    let charged = processing_top_up(&app, &mei, &card, 20_000).await;
    charge(&app, &charged).await;
    // Crashed before the charge.
    let never_charged = processing_top_up(&app, &mei, &card, 30_000).await;
    // A keyed top-up that crashed after its credit, before completing its record: its key was
    // kept before the charge, and the credit was made under it.
    let credited = processing_top_up(&app, &mei, &card, 40_000).await;
    let key = format!("{}:retry-me", mei.id);
    let wallet = &app.running.wallet;
    wallet
        .store()
        .keep_top_up_key(&credited.id, &mei.id, &key, wallet.now())
        .await
        .expect("kept");
    charge(&app, &credited).await;
    let command = movements::top_up(
        EntryId::parse(&credited.id).expect("an entry id"),
        &mei.id,
        Currency::Cny,
        Amount::from_minor(40_000),
        Amount::ZERO,
    )
    .expect("a command")
    .with_idempotency_key(key);
    app.running.ledger.submit(command).await.expect("credited");
    assert_eq!(available(&app, &mei, "CNY").await.0, 41_000);
    assert_eq!(top_ups_counted_today(&app, &mei).await, 91_000);

    // Too young: a top-up may still be on its way.
    run_reconcile(&app).await;
    for record in [&charged, &never_charged, &credited] {
        assert_eq!(status_of(&app, &mei, &record.id).await.0, "processing");
    }

    wallet.clock().advance(11 * 60);
    let young = processing_top_up(&app, &mei, &card, 5_000).await;
    run_reconcile(&app).await;
    assert_eq!(
        status_of(&app, &mei, &charged.id).await,
        ("completed".into(), String::new())
    );
    assert_eq!(
        status_of(&app, &mei, &never_charged.id).await,
        ("failed".into(), "topup_not_charged".into())
    );
    assert_eq!(
        status_of(&app, &mei, &credited.id).await,
        ("completed".into(), String::new())
    );
    assert_eq!(status_of(&app, &mei, &young.id).await.0, "processing");
    // The charged one arrived once; the one credited before the crash was not credited again.
    assert_eq!(available(&app, &mei, "CNY").await.0, 61_000);
    // What was never charged no longer counts against the limit.
    assert_eq!(top_ups_counted_today(&app, &mei).await, 66_000);

    // Another pass, and another, change nothing.
    run_reconcile(&app).await;
    run_reconcile(&app).await;
    assert_eq!(available(&app, &mei, "CNY").await.0, 61_000);

    // The user reads why the failed one failed, in words.
    let failed = call(
        &app,
        &mei,
        "GET",
        &format!("/api/v1/transactions/{}", never_charged.id),
        None,
        None,
    )
    .await;
    assert!(
        failed
            .body
            .to_string()
            .contains("before your card was charged"),
        "{}",
        failed.body
    );
    assert_verify_clean(&app).await;
    app.stop().await;
}

on_both_databases!(a_stuck_top_up_waits_while_the_processor_cannot_be_asked);
async fn a_stuck_top_up_waits_while_the_processor_cannot_be_asked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mei = person(&app, "stuck-down@example.com").await;
    let card = add_card(&app, &mei, "4242 4242 4242 4242").await;
    assert_eq!(top_up(&app, &mei, &card, 1_000, "CNY").await.status, 201);
    let charged = processing_top_up(&app, &mei, &card, 20_000).await;
    charge(&app, &charged).await;
    app.running.wallet.clock().advance(11 * 60);
    app.running.rail_switch.set(domain::wallet::RailMode::Down);
    run_reconcile(&app).await;
    assert_eq!(status_of(&app, &mei, &charged.id).await.0, "processing");
    assert_eq!(available(&app, &mei, "CNY").await.0, 1_000);
    app.running
        .rail_switch
        .set(domain::wallet::RailMode::Normal);
    run_reconcile(&app).await;
    assert_eq!(status_of(&app, &mei, &charged.id).await.0, "completed");
    assert_eq!(available(&app, &mei, "CNY").await.0, 21_000);
    assert_verify_clean(&app).await;
    app.stop().await;
}
