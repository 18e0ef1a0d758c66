//! Liveness, readiness, metrics and the headers every answer carries.

use axum::http::StatusCode;
use metrics_exporter_prometheus::PrometheusBuilder;

use crate::support::{DatabaseAnswers, app, get, state};

#[tokio::test]
async fn healthz_answers_ok() {
    let answer = get(&app(), "/healthz").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_answers_ready_when_the_database_answers() {
    let answer = get(&app(), "/readyz").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), serde_json::json!({"status": "ready"}));
}

#[tokio::test]
async fn readyz_answers_database_unavailable_when_the_database_does_not() {
    let metrics = PrometheusBuilder::new().build_recorder().handle();
    let app = web::router(state(DatabaseAnswers::No, metrics));
    let answer = get(&app, "/readyz").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.error_code(), "database_unavailable");
}

#[tokio::test]
async fn metrics_are_the_recorders_prometheus_text() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let app = web::router(state(DatabaseAnswers::Yes, recorder.handle()));
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("okpay_test_events_total").increment(3);
    });

    let answer = get(&app, "/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "text/plain; version=0.0.4");
    assert!(
        answer.text().contains("okpay_test_events_total 3"),
        "{}",
        answer.text()
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = app();
    for path in ["/healthz", "/", "/no-such-page", "/api/v1/currencies"] {
        let answer = get(&app, path).await;
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(answer.header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(answer.header("x-frame-options"), "DENY", "{path}");
        let policy = answer.header("content-security-policy");
        assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
        assert!(policy.contains("style-src 'self'"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let app = app();
    let first = get(&app, "/healthz").await;
    let second = get(&app, "/healthz").await;
    let first_id = first.header("x-request-id");
    assert!(first_id.starts_with("req_"), "{first_id}");
    assert_eq!(first_id.len(), "req_".len() + 32, "{first_id}");
    assert_ne!(first_id, second.header("x-request-id"));
}
