//! E-mail over a real SMTP server on loopback: a registration code arrives, and a refused first
//! attempt is retried by the job queue. On both databases.

use domain::notify::OutboxStore;
use serde_json::json;

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app_with};
use crate::smtp_server::SmtpServer;

async fn register(app: &TestApp, email: &str) {
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": "plum-orbit-canyon-17", "locale": "en"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 201);
}

fn six_digit_code(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .map(str::to_owned)
}

async fn sent_at(app: &TestApp, recipient: &str) -> Option<i64> {
    let messages = app
        .running
        .store
        .recent_messages(20)
        .await
        .expect("readable");
    messages
        .iter()
        .find(|message| message.recipient == recipient)
        .expect("the message is in the outbox")
        .sent_at
}

on_both_databases!(a_registration_code_arrives_over_smtp);
async fn a_registration_code_arrives_over_smtp(backend: Backend) {
    let smtp = SmtpServer::start(0).await;
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |config| {
        config.smtp_url = Some(url);
        config.mail_from = "OKPay <no-reply@okpay.test>".into();
    })
    .await
    else {
        return;
    };
    register(&app, "mei@example.com").await;
    assert_eq!(
        sent_at(&app, "mei@example.com").await,
        None,
        "queued, not sent yet"
    );
    let report = app.run_pending_jobs().await;
    assert_eq!(report.succeeded, 1, "{report:?}");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].recipients, ["mei@example.com"]);
    assert!(
        received[0]
            .data
            .contains("From: OKPay <no-reply@okpay.test>"),
        "{}",
        received[0].data
    );
    let code = six_digit_code(&received[0].data).expect("the mail carries the code");
    assert!(
        sent_at(&app, "mei@example.com").await.is_some(),
        "marked sent"
    );

    // The code from the mail confirms the address.
    let verified = app
        .client
        .post(app.url("/api/v1/auth/verify"))
        .json(&json!({"email": "mei@example.com", "code": code}))
        .send()
        .await
        .expect("answered");
    assert_eq!(verified.status(), 200);
    assert_eq!(
        app.run_pending_jobs().await.succeeded,
        0,
        "nothing is sent twice"
    );
    assert_eq!(smtp.received().len(), 1);
    app.stop().await;
}

on_both_databases!(a_message_the_server_refused_once_is_sent_on_the_retry);
async fn a_message_the_server_refused_once_is_sent_on_the_retry(backend: Backend) {
    let smtp = SmtpServer::start(1).await;
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |config| config.smtp_url = Some(url)).await else {
        return;
    };
    register(&app, "lei@example.com").await;
    let first = app.run_pending_jobs().await;
    assert_eq!(first.retried, 1, "{first:?}");
    assert!(smtp.received().is_empty());
    assert_eq!(sent_at(&app, "lei@example.com").await, None);
    // The retry waits its backoff (2 s after the first failure); run the queue as of then.
    let retry = app
        .running
        .jobs
        .run_pending(jobs::now_ms() + 2_000)
        .await
        .expect("the queue answers");
    assert_eq!(retry.succeeded, 1, "{retry:?}");
    assert_eq!(smtp.received().len(), 1);
    assert!(sent_at(&app, "lei@example.com").await.is_some());
    app.stop().await;
}

on_both_databases!(without_smtp_e_mail_stays_in_the_outbox);
async fn without_smtp_e_mail_stays_in_the_outbox(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    register(&app, "ann@example.com").await;
    assert_eq!(app.run_pending_jobs().await.succeeded, 1);
    assert_eq!(
        sent_at(&app, "ann@example.com").await,
        None,
        "kept for `okpay outbox`"
    );
    app.stop().await;
}
