//! Renders every error response in the request's language, as JSON or, for a browser, as a page.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request_id::RequestId;
use crate::accept::prefers_html;
use crate::error::ApiError;
use crate::error_body::ErrorBody;
use crate::i18n::Locale;
use crate::pages::render_error_page;

/// Marks an error response that is already a finished page, such as a sign-in form shown again
/// with what was wrong; the renderer leaves it as it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RenderedPage;

/// What the rendering needs to know about the request, taken before the handler consumes it.
struct ErrorAudience {
    locale: Locale,
    request_id: Option<RequestId>,
    wants_html: bool,
}

/// Replaces the body of each 4xx/5xx answer with the localized error, carrying the request id.
/// The error is the [`ApiError`] the response carries in its extensions; a bare error status
/// from a layer or from axum itself stands for the nearest code, so every error has our shape.
pub(crate) async fn render_errors(request: Request, next: Next) -> Response {
    let audience = ErrorAudience {
        locale: request
            .extensions()
            .get::<Locale>()
            .copied()
            .unwrap_or_default(),
        request_id: request.extensions().get::<RequestId>().cloned(),
        wants_html: !is_api_path(request.uri().path()) && prefers_html(request.headers()),
    };
    let response = next.run(request).await;
    let status = response.status();
    if (!status.is_client_error() && !status.is_server_error())
        || response.extensions().get::<RenderedPage>().is_some()
    {
        return response;
    }
    let error = match response.extensions().get::<ApiError>() {
        Some(error) => error.clone(),
        None => {
            tracing::debug!(%status, "a bare error status was given our error shape");
            ApiError::for_bare_status(status)
        }
    };
    let (mut parts, _unrendered_body) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    let (content_type, body) = render(&error, status, &audience);
    parts.headers.insert(CONTENT_TYPE, content_type);
    Response::from_parts(parts, body)
}

/// Paths whose clients are programs, which get JSON whatever their `Accept` header says.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn render(error: &ApiError, status: StatusCode, audience: &ErrorAudience) -> (HeaderValue, Body) {
    let request_id = audience.request_id.as_ref().map(RequestId::as_str);
    if audience.wants_html {
        match render_error_page(error, status, audience.locale, request_id) {
            Ok(page) => {
                let html = HeaderValue::from_static("text/html; charset=utf-8");
                return (html, Body::from(page));
            }
            // The JSON below still tells the user what went wrong.
            Err(cause) => tracing::error!(%cause, "the error page failed to render"),
        }
    }
    let body = ErrorBody::new(error, audience.locale, request_id);
    let json = HeaderValue::from_static("application/json");
    (json, Json(body).into_response().into_body())
}
