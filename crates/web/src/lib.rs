//! OKPay's HTTP face: the JSON API, the server-rendered pages, errors, languages and OpenAPI.

mod accept;
mod api;
mod error;
mod error_body;
mod i18n;
mod json;
mod middleware;
mod money;
mod openapi;
mod pages;
mod time;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;

pub use api::auth::CurrentUser;
pub use error::{ApiError, ErrorCode};
pub use error_body::{ErrorBody, ErrorObject};
pub use i18n::Locale;
pub use json::{ApiJson, FieldRefusal};
pub use middleware::{REQUEST_BODY_MAX_BYTES, REQUEST_ID_HEADER, RequestId, with_common_layers};
pub use money::{MoneyInput, MoneyOutput};
pub use openapi::openapi_json;

/// Returns true when the database answers.
pub type Readiness = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// What the handlers share, built once by the binary.
#[derive(Clone)]
pub struct AppState {
    pub readiness: Readiness,
    pub metrics: PrometheusHandle,
    /// Mark cookies `Secure`; off only for plain-HTTP development on localhost.
    pub secure_cookies: bool,
    /// Sign-up, sign-in and sessions.
    pub accounts: Arc<dyn domain::identity::AccountsApi>,
}

/// The whole app, every route behind the common layers, ready for `axum::serve`.
pub fn router(state: AppState) -> Router {
    let secure_cookies = state.secure_cookies;
    let routes = Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(state);
    with_common_layers(routes, secure_cookies)
}
