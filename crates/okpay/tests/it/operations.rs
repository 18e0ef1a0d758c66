//! Health, readiness, metrics, the OpenAPI document and the home page, on both databases.

use crate::helpers::{Backend, on_both_databases, spawn_app, spawn_app_with};

on_both_databases!(health_and_readiness_answer_while_the_database_is_up);
async fn health_and_readiness_answer_while_the_database_is_up(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("JSON");
    assert_eq!(body["status"], "ready");
    app.stop().await;
}

on_both_databases!(metrics_expose_the_ledgers_batch_size_commit_latency_and_queue_depth);
async fn metrics_expose_the_ledgers_batch_size_commit_latency_and_queue_depth(backend: Backend) {
    // The demo moves money through the ledger, so its metrics have values.
    let Some(app) = spawn_app_with(backend, |config| config.demo = true).await else {
        return;
    };
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    for metric in [
        "okpay_ledger_batch_size",
        "okpay_ledger_commit_seconds",
        "okpay_ledger_queue_depth",
    ] {
        assert!(
            text.contains(metric),
            "{metric} missing from /metrics:\n{text}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoints_that_exist() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.expect("JSON");
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|version| version.starts_with("3."))
    );
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/currencies",
        "/api/v1/staff/community/reports",
        "/api/v1/staff/community/reports/{id}/resolve",
    ] {
        assert!(
            document["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_speaks_chinese_to_a_chinese_browser_and_english_otherwise() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let chinese = app
        .client
        .get(app.url("/"))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .send()
        .await
        .expect("answered");
    assert_eq!(chinese.status(), 200);
    let chinese = chinese.text().await.expect("HTML");
    assert!(chinese.contains("lang=\"zh-CN\""), "{chinese}");
    assert!(
        chinese.contains("钱包"),
        "the Chinese page should talk about wallets: {chinese}"
    );

    let english = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("answered");
    let english = english.text().await.expect("HTML");
    assert!(english.contains("lang=\"en\""));
    assert!(english.to_lowercase().contains("wallet"));
    app.stop().await;
}

#[tokio::test]
async fn the_currency_list_gives_every_currency_with_its_minor_units() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let body: serde_json::Value = app
        .get("/api/v1/currencies")
        .await
        .json()
        .await
        .expect("JSON");
    let currencies = body["data"].as_array().expect("a list");
    let minor_units = |code: &str| {
        currencies
            .iter()
            .find(|currency| currency["code"] == code)
            .and_then(|currency| currency["minor_units"].as_i64())
    };
    assert_eq!(minor_units("CNY"), Some(2));
    assert_eq!(minor_units("JPY"), Some(0));
    assert_eq!(body["has_more"], false);
    app.stop().await;
}
