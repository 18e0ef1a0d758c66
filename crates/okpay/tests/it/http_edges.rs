//! Bad input at the HTTP edge: every endpoint answers 4xx in the documented shape, never 5xx.

use crate::helpers::{Backend, error_code, spawn_app};

/// Every (method, path) the OpenAPI document lists, with path parameters filled in.
async fn documented_endpoints(app: &crate::helpers::TestApp) -> Vec<(reqwest::Method, String)> {
    let document: serde_json::Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    let mut endpoints = Vec::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
                .expect("an HTTP method");
            let concrete = path.replace('{', "x_").replace('}', "");
            endpoints.push((method, concrete));
        }
    }
    assert!(
        endpoints.len() >= 4,
        "the document lists the endpoints: {endpoints:?}"
    );
    endpoints
}

#[tokio::test]
async fn a_ten_megabyte_body_to_any_endpoint_is_refused_with_a_4xx_in_the_error_shape() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let body = vec![b'a'; 10 * 1024 * 1024];
    let mut endpoints = documented_endpoints(&app).await;
    endpoints.push((reqwest::Method::POST, "/api/v1/no-such-thing".into()));
    for (method, path) in endpoints {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("answered");
        let status = response.status();
        assert!(
            status.is_client_error(),
            "{method} {path} answered {status} to a 10 MB body"
        );
        error_code(response).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_to_any_endpoint_never_causes_a_server_error() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    for (method, path) in documented_endpoints(&app).await {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .header("content-type", "application/json")
            .body("{\"amount\": 10,")
            .send()
            .await
            .expect("answered");
        assert!(
            !response.status().is_server_error(),
            "{method} {path} answered {}",
            response.status()
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_api_route_answers_404_in_the_error_shape_in_the_callers_language() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 404);
    let request_id = response.headers().get("x-request-id").cloned();
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "not_found");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "a Chinese message: {message}"
    );
    assert_eq!(
        request_id
            .and_then(|id| id.to_str().ok().map(str::to_owned))
            .as_deref(),
        body["error"]["request_id"].as_str()
    );

    let english = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("answered");
    let body: serde_json::Value = english.json().await.expect("JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|message| message.is_ascii())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_method_answers_405_in_the_error_shape() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let response = app
        .client
        .delete(app.url("/healthz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 405);
    assert_eq!(error_code(response).await, "method_not_allowed");
    app.stop().await;
}
