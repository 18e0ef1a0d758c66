//! How the language of an answer is chosen: `?lang=`, then the cookie it sets, then `Accept-Language`.

use axum::body::Body;
use axum::http::StatusCode;

use crate::support::{app, request, send};

const CHINESE_NOT_FOUND: &str = "找不到您要访问的页面或内容。";
const ENGLISH_NOT_FOUND: &str = "We couldn't find the page or item you asked for.";

async fn not_found_message(headers: &[(&str, &str)], path: &str) -> String {
    let mut builder = request("GET", path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let answer = send(&app(), builder.body(Body::empty()).expect("request")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.error_field("message")
}

#[tokio::test]
async fn error_messages_are_english_without_accept_language() {
    assert_eq!(not_found_message(&[], "/api/x").await, ENGLISH_NOT_FOUND);
}

#[tokio::test]
async fn error_messages_are_chinese_for_any_chinese_accept_language() {
    for accept_language in [
        "zh-CN",
        "zh",
        "zh-TW",
        "zh-Hans-CN",
        "fr;q=1, zh;q=0.5, en;q=0.4",
    ] {
        let headers = [("accept-language", accept_language)];
        assert_eq!(
            not_found_message(&headers, "/api/x").await,
            CHINESE_NOT_FOUND,
            "{accept_language}"
        );
    }
}

#[tokio::test]
async fn error_messages_are_english_when_english_has_the_higher_quality() {
    let headers = [("accept-language", "zh;q=0.4, en-US;q=0.9")];
    assert_eq!(
        not_found_message(&headers, "/api/x").await,
        ENGLISH_NOT_FOUND
    );
}

#[tokio::test]
async fn the_lang_cookie_wins_over_accept_language() {
    let headers = [("accept-language", "en"), ("cookie", "okpay_lang=zh-CN")];
    assert_eq!(
        not_found_message(&headers, "/api/x").await,
        CHINESE_NOT_FOUND
    );
}

#[tokio::test]
async fn the_lang_parameter_wins_over_the_cookie_and_accept_language() {
    let headers = [("accept-language", "zh-CN"), ("cookie", "okpay_lang=zh-CN")];
    assert_eq!(
        not_found_message(&headers, "/api/x?lang=en").await,
        ENGLISH_NOT_FOUND
    );
}

#[tokio::test]
async fn the_lang_parameter_sets_a_lax_http_only_cookie_for_the_whole_site() {
    let answer = send(
        &app(),
        request("GET", "/?lang=zh-CN")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let cookie = answer.header("set-cookie");
    assert!(cookie.starts_with("okpay_lang=zh-CN;"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn the_lang_cookie_is_secure_when_the_app_asks_for_secure_cookies() {
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .build_recorder()
        .handle();
    let mut state = crate::support::state(crate::support::DatabaseAnswers::Yes, metrics);
    state.secure_cookies = true;
    let app = web::router(state);
    let answer = send(
        &app,
        request("GET", "/?lang=en")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(answer.header("set-cookie").contains("; Secure"));
}

#[tokio::test]
async fn without_a_lang_parameter_no_cookie_is_set_and_caches_vary_by_language() {
    let answer = send(
        &app(),
        request("GET", "/").body(Body::empty()).expect("request"),
    )
    .await;
    assert!(answer.headers.get("set-cookie").is_none());
    let vary = answer.header("vary").to_ascii_lowercase();
    assert!(
        vary.contains("accept-language") && vary.contains("cookie"),
        "{vary}"
    );
}

#[tokio::test]
async fn currencies_are_named_in_the_request_language() {
    for (accept_language, yuan) in [("zh-CN", "人民币"), ("en", "Chinese Yuan")] {
        let request = request("GET", "/api/v1/currencies")
            .header("accept-language", accept_language)
            .body(Body::empty())
            .expect("request");
        let answer = send(&app(), request).await;
        assert_eq!(answer.status, StatusCode::OK);
        let body = answer.json();
        assert_eq!(body["has_more"], false);
        let cny = body["data"]
            .as_array()
            .expect("data is a list")
            .iter()
            .find(|currency| currency["code"] == "CNY")
            .expect("CNY is listed");
        assert_eq!(cny["minor_units"], 2);
        assert_eq!(cny["name"], yuan);
    }
}
