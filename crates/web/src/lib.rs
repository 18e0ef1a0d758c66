//! OKPay's HTTP face: the JSON API, the server-rendered pages, errors, languages and OpenAPI.

mod accept;
mod api;
mod appeals;
mod chat;
mod community_search;
mod error;
mod error_body;
mod help_markdown;
mod i18n;
mod json;
mod middleware;
mod money;
mod openapi;
mod pages;
mod rate_limit;
mod time;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;

pub use api::auth::CurrentUser;
pub use api::staff::StaffUser;
pub use chat::LiveChat;
pub use community_search::CommunitySearch;
pub use error::{ApiError, ErrorCode};
pub use error_body::{ErrorBody, ErrorObject};
pub use i18n::Locale;
pub use json::{ApiJson, ApiJsonWithBytes, FieldRefusal};
pub use middleware::{REQUEST_BODY_MAX_BYTES, REQUEST_ID_HEADER, RequestId, with_common_layers};
pub use money::{MoneyInput, MoneyOutput};
pub use openapi::openapi_json;
pub use pages::csrf::{CsrfForm, CsrfKey, CsrfToken};
pub use pages::session::{MaybePageSession, PageSession};
pub use rate_limit::AuthRateLimit;

/// Returns true when the database answers.
pub type Readiness = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// What the handlers share: the app's parts behind one `Arc`. Every extractor and middleware
/// that takes the state clones it; one reference count per clone instead of one per part (about
/// twenty, each an atomic the two cores fought over) was 1-2% of a transfer's CPU.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl From<AppParts> for AppState {
    fn from(parts: AppParts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The parts of [`AppState`], built once by the binary.
pub struct AppParts {
    pub readiness: Readiness,
    pub metrics: PrometheusHandle,
    /// Mark cookies `Secure`; off only for plain-HTTP development on localhost.
    pub secure_cookies: bool,
    /// Sign-up, sign-in and sessions.
    pub accounts: Arc<dyn domain::identity::AccountsApi>,
    /// Signs the CSRF tokens of page forms.
    pub csrf_key: CsrfKey,
    /// Second factors, reset, step-up, sessions, freezes, the message center and staff.
    pub security: Arc<dyn domain::identity::SecurityApi>,
    /// Per-IP limit on the sign-in routes.
    pub auth_rate_limit: AuthRateLimit,
    /// Contact channels, the official-channel check and announcements.
    pub support: Arc<dyn domain::support::SupportApi>,
    /// The user community's questions and answers.
    pub community: Arc<dyn domain::community::CommunityApi>,
    /// This process's community search index, rebuilt when the store's revision moves.
    pub community_search: Arc<CommunitySearch>,
    /// The wallet's use cases; `None` in tests of the HTTP face alone, where its routes answer
    /// `not_found`.
    pub wallet: Option<Arc<domain::wallet::Wallet>>,
    /// Help articles and their search.
    pub help: Arc<domain::help::HelpCenter>,
    /// Stored articles: history, edits, "was this helpful?".
    pub help_desk: Arc<dyn domain::help::HelpDeskApi>,
    /// Tickets (工单); `None` in tests of the HTTP face alone, where their routes answer
    /// `not_found`.
    pub tickets: Option<Arc<domain::tickets::Tickets>>,
    /// The simulated card processor's and bank rail's slow/down switch; `None` when a real
    /// provider is plugged in (or in tests of the HTTP face alone).
    pub rail_switch: Option<Arc<domain::wallet::RailSwitch>>,
    /// Money leaving a wallet of about this many yuan or more needs step-up (`money.move`);
    /// 0 turns it off.
    pub step_up_money_yuan: u64,
    /// Live chat and its sockets; `None` in tests of the HTTP face alone.
    pub chat: Option<LiveChat>,
    /// Unlock appeals; `None` in tests of the HTTP face alone.
    pub appeals: Option<Arc<domain::appeals::Appeals>>,
    /// Identity verification (KYC); `None` in tests of the HTTP face alone, where its routes
    /// answer `not_found`.
    pub kyc: Option<Arc<domain::kyc::Kyc>>,
    /// How fee schedules read and write as JSON (the stored format, from `store`); `None` in
    /// tests of the HTTP face alone, where the fee editor answers `not_found`.
    pub fee_rules_json: Option<FeeRulesJson>,
    /// The offset pages show times in: the one the wallet counts its days and statements in, so
    /// a time on a page falls on the day the records' filters put it.
    pub page_offset: domain::calendar::UtcOffset,
}

/// A fee schedule's rules as the JSON document the store keeps and `okpay fees` prints.
#[derive(Clone, Copy)]
pub struct FeeRulesJson {
    pub to_json: fn(&domain::fees::FeeRules) -> String,
    /// The refusal names the field at fault.
    pub from_json: fn(&str) -> Result<domain::fees::FeeRules, String>,
}

/// The whole app, every route behind the common layers, ready for `axum::serve`.
pub fn router(parts: AppParts) -> Router {
    let state = AppState::from(parts);
    let secure_cookies = state.secure_cookies;
    // One limiter for the API and the pages, so a client's budget is the same however it asks.
    let limiter = rate_limit::IpLimiter::new(state.auth_rate_limit);
    let routes =
        Router::new()
            .merge(api::routes(limiter.clone()))
            .merge(chat::routes())
            .merge(appeals::routes(limiter.clone()))
            .merge(pages::routes(secure_cookies, limiter).layer(
                axum::middleware::from_fn_with_state(state.clone(), pages::with_notices),
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                pages::with_page_clock,
            ))
            .with_state(state);
    with_common_layers(routes, secure_cookies)
}
