//! The stack of layers every route is served through, and the order that makes it work.

pub(crate) mod body_limit;
mod catch_panic;
mod locale;
mod render_errors;
mod request_id;
mod security_headers;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use body_limit::REQUEST_BODY_MAX_BYTES;
pub(crate) use render_errors::RenderedPage;
pub use request_id::{REQUEST_ID_HEADER, RequestId};

use crate::error::{ApiError, ErrorCode};

/// Serves `routes` the way the app serves its own: not-found and method-not-allowed answers in
/// our error shape, request ids, logging, security headers, language choice, localized errors,
/// panics caught, and the body limit. Tests that mount their own routes use it to meet the same
/// stack. It replaces any fallback `routes` had.
pub fn with_common_layers(routes: Router, secure_cookies: bool) -> Router {
    // Outermost first. The request id comes before everything that logs or renders it; the
    // locale before the error renderer that uses it; the panic catcher inside the renderer so a
    // panic is rendered like any other error; security headers outside all of those so that
    // every answer, error or not, carries them.
    let layers = ServiceBuilder::new()
        .layer(from_fn(request_id::assign_request_id))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(from_fn(security_headers::set_security_headers))
        .layer(from_fn_with_state(
            locale::LangCookiePolicy {
                secure: secure_cookies,
            },
            locale::choose_locale,
        ))
        .layer(from_fn(render_errors::render_errors))
        .layer(CatchPanicLayer::custom(
            catch_panic::internal_error_for_panic,
        ))
        .layer(from_fn(body_limit::refuse_oversized_body))
        .layer(DefaultBodyLimit::max(REQUEST_BODY_MAX_BYTES));
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(layers)
}

/// The span every log line of a request sits in. Only the path is logged: query strings may
/// one day carry tokens or personal data.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map_or("-", RequestId::as_str);
    tracing::info_span!(
        "request",
        request_id,
        method = %request.method(),
        path = request.uri().path(),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}
