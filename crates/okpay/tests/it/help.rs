//! The help center over HTTP: the JSON API and the pages, in both languages, on both databases.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

async fn json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("JSON")
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    response.text().await.expect("text")
}

on_both_databases!(a_chinese_question_finds_its_article_with_the_words_highlighted);
async fn a_chinese_question_finds_its_article_with_the_words_highlighted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let found = json(
        &app,
        "/api/v1/help/search?q=%E6%8F%90%E7%8E%B0%E5%A4%9A%E4%B9%85%E5%88%B0%E8%B4%A6",
    )
    .await; // 提现多久到账
    let first = &found["data"][0];
    assert_eq!(first["slug"], "withdrawal-timeline", "{found}");
    assert_eq!(first["locale"], "zh-CN");
    assert_eq!(first["url"], "/help/withdrawal-timeline");
    assert!(
        first["snippet_html"].as_str().unwrap().contains("<mark>"),
        "{first}"
    );
    assert!(
        first["title_html"]
            .as_str()
            .unwrap()
            .contains("<mark>提现</mark>")
    );

    // The same through the listing endpoint with q, and a mixed query.
    let listed = json(
        &app,
        "/api/v1/help/articles?q=okpay%20%E8%B4%A6%E6%88%B7%E8%A2%AB%E9%94%81",
    )
    .await; // okpay 账户被锁
    assert_eq!(listed["data"][0]["slug"], "account-locked", "{listed}");
    app.stop().await;
}

on_both_databases!(an_english_question_with_a_typo_still_finds_its_article);
async fn an_english_question_with_a_typo_still_finds_its_article(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let found = json(&app, "/api/v1/help/search?q=pasword+reset&locale=en").await;
    let slugs: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|hit| hit["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.contains(&"forgot-password"), "{slugs:?}");
    assert!(
        found["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["locale"] == "en")
    );
    app.stop().await;
}

on_both_databases!(articles_are_listed_by_category_and_read_in_either_language);
async fn articles_are_listed_by_category_and_read_in_either_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let categories = json(&app, "/api/v1/help/categories?locale=zh-CN").await;
    let categories = categories["data"].as_array().unwrap();
    assert!(categories.len() >= 10);
    assert!(
        categories
            .iter()
            .all(|c| c["article_count"].as_u64().unwrap() > 0)
    );
    assert_eq!(categories[0]["name"], "登录与账户锁定");

    let all = json(&app, "/api/v1/help/articles?locale=en").await;
    assert!(all["data"].as_array().unwrap().len() >= 36, "{all}");
    let top_ups = json(&app, "/api/v1/help/articles?locale=en&category=top-up").await;
    let top_ups = top_ups["data"].as_array().unwrap();
    assert!(top_ups.iter().all(|a| a["category"] == "top-up"));
    assert!(top_ups.iter().any(|a| {
        a["error_codes"]
            .as_array()
            .unwrap()
            .contains(&"card_expired".into())
    }));

    let zh = json(&app, "/api/v1/help/articles/account-locked?locale=zh-CN").await;
    assert_eq!(zh["locale"], "zh-CN");
    assert!(zh["body_html"].as_str().unwrap().contains("<h2>"), "{zh}");
    assert!(
        zh["error_codes"]
            .as_array()
            .unwrap()
            .contains(&"account_locked".into())
    );
    assert!(!zh["related"].as_array().unwrap().is_empty());
    let en = app
        .client
        .get(app.url("/api/v1/help/articles/account-locked"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(en["locale"], "en");
    assert!(en["title"].as_str().unwrap().contains("locked"));
    app.stop().await;
}

on_both_databases!(bad_help_requests_get_a_clear_4xx);
async fn bad_help_requests_get_a_clear_4xx(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let long = "a".repeat(201);
    for (path, status, code) in [
        (
            "/api/v1/help/articles/no-such-article".to_owned(),
            404,
            "not_found",
        ),
        ("/api/v1/help/search".to_owned(), 400, "invalid_request"),
        (
            "/api/v1/help/search?q=%20%20".to_owned(),
            400,
            "invalid_request",
        ),
        (
            format!("/api/v1/help/search?q={long}"),
            400,
            "invalid_request",
        ),
        (
            "/api/v1/help/search?q=fees&locale=fr".to_owned(),
            400,
            "invalid_request",
        ),
        (
            "/api/v1/help/search?q=fees&limit=0".to_owned(),
            400,
            "invalid_request",
        ),
        (
            "/api/v1/help/search?q=fees&limit=lots".to_owned(),
            400,
            "invalid_request",
        ),
        (
            "/api/v1/help/articles?category=nowhere".to_owned(),
            400,
            "invalid_request",
        ),
        ("/help/no-such-article".to_owned(), 404, "not_found"),
        ("/help/c/nowhere".to_owned(), 404, "not_found"),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "GET {path}");
        assert_eq!(error_code(response).await, code, "GET {path}");
    }
    // A query that means nothing is not an error: it finds nothing.
    let nothing = json(&app, "/api/v1/help/search?q=%E7%9A%84%E4%BA%86").await; // 的了
    assert_eq!(nothing["data"], Value::Array(Vec::new()));
    app.stop().await;
}

on_both_databases!(the_help_pages_show_categories_articles_and_highlighted_results);
async fn the_help_pages_show_categories_articles_and_highlighted_results(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let home = page(&app, "/help?lang=zh-CN").await;
    assert!(home.contains("有什么可以帮您"), "{home}");
    assert!(home.contains("/help/c/top-up"));
    assert!(home.contains("热门问题"));
    let home_en = page(&app, "/help?lang=en").await;
    assert!(home_en.contains("How can we help?"));

    let category = page(&app, "/help/c/withdrawals?lang=en").await;
    assert!(category.contains("/help/withdrawal-timeline"));

    let article = page(&app, "/help/top-up-card-declined?lang=zh-CN").await;
    assert!(article.contains("充值失败：银行卡被拒绝"));
    assert!(article.contains("<code>card_declined</code>"));
    assert!(article.contains("相关文章"));
    assert!(article.contains("这篇文章有帮助吗"));

    // 卡被拒了
    let results = page(
        &app,
        "/help/search?q=%E5%8D%A1%E8%A2%AB%E6%8B%92%E4%BA%86&lang=zh-CN",
    )
    .await;
    assert!(results.contains("/help/top-up-card-declined"), "{results}");
    assert!(results.contains("<mark>"), "{results}");
    // What the visitor typed comes back escaped, never as markup.
    let hostile = page(&app, "/help/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!hostile.contains("<script>alert(1)"));
    app.stop().await;
}

on_both_databases!(saying_an_article_helped_thanks_the_reader);
async fn saying_an_article_helped_thanks_the_reader(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .client
        .post(app.url("/help/fees-overview/feedback"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("helpful=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/help/fees-overview?feedback=thanks");
    let thanked = page(&app, &format!("{location}&lang=en")).await;
    assert!(thanked.contains("Thanks for your feedback!"));
    let refused = app
        .client
        .post(app.url("/help/fees-overview/feedback"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("helpful=maybe")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    app.stop().await;
}
