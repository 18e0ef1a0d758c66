//! Building the app for a test and sending it requests without a network.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use domain::StoreError;
use domain::help::{
    Article, ArticleRevision, EditError, HelpCatalog, HelpCenter, HelpDeskApi, HelpSearch,
    Language, SearchError, SearchHit,
};
use domain::identity::BoxFuture;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::Value;
use tower::ServiceExt;
use web::AppParts;

pub use crate::fake_accounts::FakeAccounts;
pub use crate::fake_community::FakeCommunity;
pub use crate::fake_support::FakeSupport;

/// The whole app over a database that answers, with cookies for plain HTTP.
pub fn app() -> Router {
    web::router(state(
        DatabaseAnswers::Yes,
        PrometheusBuilder::new().build_recorder().handle(),
    ))
}

pub enum DatabaseAnswers {
    Yes,
    No,
}

/// The whole app over `accounts`, so a test can look at what the fake saw.
pub fn app_with_accounts(accounts: Arc<FakeAccounts>) -> Router {
    let mut state = state(
        DatabaseAnswers::Yes,
        PrometheusBuilder::new().build_recorder().handle(),
    );
    state.accounts = accounts;
    web::router(state)
}

pub fn state(database: DatabaseAnswers, metrics: PrometheusHandle) -> AppParts {
    let answers = matches!(database, DatabaseAnswers::Yes);
    AppParts {
        readiness: Arc::new(move || Box::pin(async move { answers })),
        metrics,
        secure_cookies: false,
        accounts: Arc::new(FakeAccounts::default()),
        csrf_key: web::CsrfKey::new(&[42; 32]),
        security: Arc::new(FakeAccounts::default()),
        auth_rate_limit: web::AuthRateLimit::default(),
        support: Arc::new(FakeSupport),
        community: Arc::new(FakeCommunity),
        community_search: Arc::default(),
        wallet: None,
        tickets: None,
        rail_switch: None,
        step_up_money_yuan: 0,
        chat: None,
        appeals: None,
        kyc: None,
        fee_rules_json: None,
        page_offset: domain::calendar::UtcOffset::CHINA,
        help: Arc::new(HelpCenter::new(HelpCatalog::default(), Arc::new(NoSearch))),
        help_desk: Arc::new(NoHelpDesk),
    }
}

/// The help center is tested with its real search in `okpay`'s integration tests; here it is
/// empty.
struct NoSearch;

/// No stored articles: every slug is unknown.
struct NoHelpDesk;

impl HelpDeskApi for NoHelpDesk {
    fn record_feedback<'a>(
        &'a self,
        _: &'a str,
        _: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async { Ok(false) })
    }

    fn feedback<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(u64, u64), StoreError>> {
        Box::pin(async { Ok((0, 0)) })
    }

    fn history<'a>(
        &'a self,
        _: &'a str,
        _: Language,
    ) -> BoxFuture<'a, Result<Vec<ArticleRevision>, StoreError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn save<'a>(
        &'a self,
        _: Article,
        _: i64,
        _: &'a str,
        _: i64,
    ) -> BoxFuture<'a, Result<i64, EditError>> {
        Box::pin(async { Err(EditError::Stale { current: 0 }) })
    }
}

impl HelpSearch for NoSearch {
    fn search(&self, _: &str, _: Option<Language>, _: usize) -> Vec<SearchHit> {
        Vec::new()
    }

    fn rebuild(&self, _: &[Article]) -> Result<(), SearchError> {
        Ok(())
    }
}

/// A response with its body read, so tests can look at it more than once.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("the body should be UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body should be JSON")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("the answer should carry {name}"))
            .to_str()
            .expect("the header should be text")
    }

    /// `error.code` of a JSON error body.
    pub fn error_code(&self) -> String {
        self.error_field("code")
    }

    pub fn error_field(&self, field: &str) -> String {
        self.json()["error"][field]
            .as_str()
            .unwrap_or_else(|| panic!("no error.{field} in {}", self.text()))
            .to_owned()
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router never fails");
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the body should be readable");
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

pub async fn get(router: &Router, path: &str) -> Answer {
    send(
        router,
        request("GET", path).body(Body::empty()).expect("request"),
    )
    .await
}

pub fn request(method: &str, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path)
}

/// Ten mebibytes, ten times the app's body limit.
pub fn ten_megabytes() -> Body {
    Body::from(vec![b'x'; 10 * 1024 * 1024])
}

/// What a browser sends when it follows a link.
pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
