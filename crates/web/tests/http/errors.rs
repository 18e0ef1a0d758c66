//! Unknown routes, wrong methods, huge bodies and panics all answer in the error shape.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{BROWSER_ACCEPT, app, get as get_path, request, send, ten_megabytes};

#[tokio::test]
async fn an_unknown_api_path_is_a_json_not_found() {
    let answer = get_path(&app(), "/api/v1/no-such-thing").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.header("content-type"), "application/json");
    assert_eq!(answer.error_code(), "not_found");
    assert!(!answer.error_field("message").is_empty());
    assert!(!answer.error_field("next_step").is_empty());
}

#[tokio::test]
async fn an_error_body_carries_the_request_id_of_its_header() {
    let answer = get_path(&app(), "/api/v1/no-such-thing").await;
    assert_eq!(
        answer.error_field("request_id"),
        answer.header("x-request-id")
    );
    assert!(answer.json()["error"]["param"].is_null());
}

#[tokio::test]
async fn a_browser_asking_for_an_api_path_still_gets_json() {
    let request = request("GET", "/api/v1/no-such-thing")
        .header("accept", BROWSER_ACCEPT)
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error_code(), "not_found");
}

#[tokio::test]
async fn an_unknown_page_is_an_english_html_page_for_an_english_browser() {
    let request = request("GET", "/no-such-page")
        .header("accept", BROWSER_ACCEPT)
        .header("accept-language", "en-GB,en;q=0.9")
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.header("content-type"), "text/html; charset=utf-8");
    let page = answer.text();
    assert!(page.contains(r#"<html lang="en">"#), "{page}");
    assert!(page.contains("the page or item you asked for"), "{page}");
    assert!(page.contains("not_found"), "{page}");
    assert!(page.contains(answer.header("x-request-id")), "{page}");
}

#[tokio::test]
async fn an_unknown_page_is_a_chinese_html_page_for_a_chinese_browser() {
    let request = request("GET", "/no-such-page")
        .header("accept", BROWSER_ACCEPT)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let page = answer.text();
    assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
    assert!(page.contains("找不到您要访问的页面或内容"), "{page}");
    assert!(page.contains("返回首页"), "{page}");
}

#[tokio::test]
async fn an_unknown_page_is_json_for_a_client_without_a_preference() {
    let request = request("GET", "/no-such-page")
        .header("accept", "*/*")
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error_code(), "not_found");
}

#[tokio::test]
async fn a_wrong_method_is_method_not_allowed_in_the_error_shape() {
    let request = request("DELETE", "/healthz")
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.error_code(), "method_not_allowed");
}

#[tokio::test]
async fn a_ten_megabyte_body_to_healthz_is_refused_in_the_error_shape() {
    for method in ["GET", "POST"] {
        let request = request(method, "/healthz")
            .header("content-type", "application/json")
            .body(ten_megabytes())
            .expect("request");
        let answer = send(&app(), request).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{method}");
        assert_eq!(answer.error_code(), "body_too_large", "{method}");
    }
}

#[tokio::test]
async fn a_ten_megabyte_body_to_an_unknown_route_is_refused_in_the_error_shape() {
    for path in ["/api/v1/no-such-thing", "/no-such-page"] {
        let request = request("POST", path)
            .body(ten_megabytes())
            .expect("request");
        let answer = send(&app(), request).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(answer.error_code(), "body_too_large", "{path}");
    }
}

#[tokio::test]
async fn a_declared_ten_megabyte_body_is_refused_by_a_real_server_before_it_is_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("the bound address");
    tokio::spawn(async move { axum::serve(listener, app()).await });

    let mut connection = tokio::net::TcpStream::connect(address)
        .await
        .expect("the server accepts connections");
    let head = "GET /healthz HTTP/1.1\r\nHost: okpay.test\r\nConnection: close\r\n\
                Content-Length: 10485760\r\n\r\n";
    connection
        .write_all(head.as_bytes())
        .await
        .expect("the request head is sent");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), connection.read_to_end(&mut answer))
        .await
        .expect("the server answers without waiting for the body")
        .expect("the answer is readable");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"body_too_large""#), "{answer}");
}

#[tokio::test]
async fn a_panicking_handler_answers_internal_error_without_revealing_the_cause() {
    async fn explode() -> &'static str {
        panic!("the secret ledger key is 42")
    }
    let app = web::with_common_layers(Router::new().route("/explode", get(explode)), false);
    let answer = get_path(&app, "/explode").await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.error_code(), "internal_error");
    assert!(!answer.text().contains("secret"), "{}", answer.text());
    assert_eq!(answer.header("x-frame-options"), "DENY");
}
