//! The home page in both languages, and the stylesheet it links.

use axum::body::Body;
use axum::http::StatusCode;

use crate::support::{Answer, app, get, request, send};

async fn home_page(accept_language: &str) -> Answer {
    let request = request("GET", "/")
        .header("accept-language", accept_language)
        .body(Body::empty())
        .expect("request");
    let answer = send(&app(), request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "text/html; charset=utf-8");
    answer
}

#[tokio::test]
async fn the_home_page_speaks_chinese_to_a_chinese_browser() {
    let answer = home_page("zh-CN,zh;q=0.9").await;
    let page = answer.text();
    assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
    assert!(
        page.contains("<title>OKPay · 多币种电子钱包与客服中心</title>"),
        "{page}"
    );
    for phrase in [
        "多币种钱包",
        "银行卡充值",
        "转账",
        "换汇",
        "提现",
        "跨境汇款",
        "帮助中心与客服",
        "人民币",
    ] {
        assert!(page.contains(phrase), "missing {phrase}");
    }
}

#[tokio::test]
async fn the_home_page_speaks_english_to_everyone_else() {
    let answer = home_page("de-DE,fr;q=0.8").await;
    let page = answer.text();
    assert!(page.contains(r#"<html lang="en">"#), "{page}");
    assert!(page.contains("<title>OKPay · Multi-currency e-wallet with customer service</title>"));
    for phrase in [
        "Multi-currency wallet",
        "Top up from a bank card",
        "Transfers",
        "Currency exchange",
        "Withdrawals",
        "Cross-border remittance",
        "Help center and support",
        "Japanese Yen",
    ] {
        assert!(page.contains(phrase), "missing {phrase}");
    }
}

#[tokio::test]
async fn the_home_page_offers_both_languages_and_marks_the_current_one() {
    let answer = home_page("en").await;
    let page = answer.text();
    assert!(page.contains(r#"href="?lang=zh-CN""#), "{page}");
    assert!(page.contains(r#"href="?lang=en""#), "{page}");
    assert!(
        page.contains(r#"aria-current="true">English</a>"#),
        "{page}"
    );
}

#[tokio::test]
async fn the_home_page_says_nothing_about_features_to_come() {
    for accept_language in ["zh-CN", "en"] {
        let page = home_page(accept_language).await.text().to_lowercase();
        for hedge in ["coming soon", "即将", "敬请期待"] {
            assert!(!page.contains(hedge), "{accept_language}: {hedge}");
        }
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_with_chinese_fonts_and_a_long_cache_life() {
    let home = home_page("en").await;
    let href = home
        .text()
        .split(r#"rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page links a stylesheet")
        .to_owned();
    assert!(href.starts_with("/assets/app.css?v="), "{href}");

    let answer = get(&app(), &href).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "text/css; charset=utf-8");
    assert!(answer.header("cache-control").contains("max-age=31536000"));
    for font in ["PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"] {
        assert!(answer.text().contains(font), "missing {font}");
    }
}

#[tokio::test]
async fn the_home_page_advertises_no_merchant_payments_which_are_not_built() {
    for accept_language in ["zh-CN", "en"] {
        let page = home_page(accept_language).await.text().to_lowercase();
        for unbuilt in [
            "商户",
            "收银台",
            "merchant",
            "checkout",
            "webhook",
            "online payments",
        ] {
            assert!(!page.contains(unbuilt), "{accept_language}: {unbuilt}");
        }
    }
}
