//! Refuses request bodies over the limit before any handler or routing decision reads them.

use axum::body::HttpBody;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{ApiError, ErrorCode};

/// The largest request body the app reads, in bytes: plenty for any JSON request of ours.
pub const REQUEST_BODY_MAX_BYTES: usize = 1024 * 1024;

/// The largest body of a request carrying attachments (5 files of 10 MB and the text).
pub const UPLOAD_BODY_MAX_BYTES: usize = 51 * 1024 * 1024;

/// Whether the request is a multipart POST to a route that takes attachments (filing a ticket,
/// identity documents, by the API or the page); those routes set their own `DefaultBodyLimit`.
fn takes_uploads(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::POST
        && (path == "/api/v1/tickets"
            || path == "/tickets/new"
            // Unlock appeals carry identity documents.
            || path == "/api/v1/appeals"
            || path == "/appeal"
            || path == "/api/v1/kyc"
            || path == "/wallet/verify")
        && request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("multipart/form-data"))
}

/// Refuses a body that declares a size over the limit (hyper's size hint is the
/// `Content-Length`), even on routes that never read it, such as `GET /healthz` or an unknown
/// path: nobody gets to make us accept 10 MB for nothing. A body of undeclared size is cut off
/// at the same limit by `DefaultBodyLimit` when an extractor reads it.
pub(crate) async fn refuse_oversized_body(
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let declared_bytes = request.body().size_hint().lower();
    let limit = if takes_uploads(&request) {
        UPLOAD_BODY_MAX_BYTES
    } else {
        REQUEST_BODY_MAX_BYTES
    };
    if declared_bytes > limit as u64 {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
    Ok(next.run(request).await)
}
