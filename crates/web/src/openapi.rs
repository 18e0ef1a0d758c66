//! The OpenAPI 3 document of the public API, generated from the handlers and types themselves.

use std::sync::LazyLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorCode;
use crate::error_body::ErrorBody;
use crate::money::MoneyInput;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OKPay API",
        description = "The public API of OKPay, a self-hostable e-wallet and online-payment \
            platform. JSON in and out; money is `{\"amount\": <integer minor units>, \
            \"currency\": \"CNY\"}`; messages follow `Accept-Language` (zh-CN or en)."
    ),
    paths(
        crate::api::ops::healthz,
        crate::api::ops::readyz,
        crate::api::ops::metrics,
        crate::api::currencies::list_currencies,
        crate::api::auth::register,
        crate::api::auth::verify,
        crate::api::auth::login,
        crate::api::auth::logout,
        crate::api::auth::me,
        crate::api::openapi_document,
    ),
    components(schemas(ErrorBody, MoneyInput)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "currencies", description = "The currencies OKPay holds"),
        (name = "accounts", description = "Sign-up, sign-in, sessions and the signed-in account"),
    )
)]
struct OkPayApi;

/// Declares `Authorization: Bearer <token>`, the session token of `POST /api/v1/auth/login`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Built once: the document never changes while the process runs.
pub(crate) static OPENAPI_JSON: LazyLock<String> = LazyLock::new(build_openapi_json);

/// The OpenAPI 3 document as pretty JSON.
pub fn openapi_json() -> String {
    OPENAPI_JSON.clone()
}

fn build_openapi_json() -> String {
    let mut document = OkPayApi::openapi();
    // The error codes are part of the contract; listing them from `ErrorCode::ALL` keeps the
    // document from missing one.
    let description = document.info.description.take().unwrap_or_default();
    document.info.description = Some(format!(
        "{description}\n\nEvery error answers `{{\"error\": {{\"code\", \"message\", \"next_step\", \
         \"param\", \"request_id\"}}}}`. The codes, with their HTTP status: {}.",
        documented_error_codes()
    ));
    document
        .to_pretty_json()
        .expect("an OpenAPI document of plain maps and strings always serializes")
}

fn documented_error_codes() -> String {
    ErrorCode::ALL
        .iter()
        .map(|code| format!("`{code}` ({})", code.status().as_u16()))
        .collect::<Vec<_>>()
        .join(", ")
}
