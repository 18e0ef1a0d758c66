//! The OpenAPI document: generated from the code, served, and listing what exists.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::{app, get};

fn document() -> Value {
    serde_json::from_str(&web::openapi_json()).expect("the document is JSON")
}

#[test]
fn the_document_is_openapi_3_and_lists_the_routes_that_exist() {
    let document = document();
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    for (method, path) in [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/api/v1/currencies"),
        ("get", "/api/openapi.json"),
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/verify"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/me"),
    ] {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is missing"
        );
    }
}

#[test]
fn the_document_describes_sign_in_and_the_bearer_token() {
    let document = document();
    let schemas = &document["components"]["schemas"];
    for schema in ["RegisterRequest", "LoginRequest", "LoginResponse", "User"] {
        assert!(schemas[schema].is_object(), "{schema} is missing");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["paths"]["/api/v1/auth/login"]["post"]["responses"]["423"].is_object());
}

#[test]
fn the_document_describes_the_error_and_money_schemas() {
    let document = document();
    let schemas = &document["components"]["schemas"];
    let error = &schemas["Error"];
    assert!(error.is_object(), "{schemas:#}");
    let money = &schemas["Money"];
    assert_eq!(money["properties"]["amount"]["type"], "integer");
    assert_eq!(money["properties"]["amount"]["minimum"], 1);
    let currencies = money["properties"]["currency"]["enum"]
        .as_array()
        .expect("the currency codes are listed");
    assert!(currencies.contains(&Value::from("CNY")));
}

#[test]
fn the_document_lists_every_error_code() {
    let description = document()["info"]["description"]
        .as_str()
        .expect("a description")
        .to_owned();
    for code in web::ErrorCode::ALL {
        assert!(description.contains(&format!("`{code}`")), "{code}");
    }
}

#[tokio::test]
async fn the_document_is_served_at_api_openapi_json() {
    let answer = get(&app(), "/api/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/json");
    assert_eq!(answer.text(), web::openapi_json());
}
