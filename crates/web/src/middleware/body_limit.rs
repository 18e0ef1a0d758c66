//! Refuses request bodies over the limit before any handler or routing decision reads them.

use axum::body::HttpBody;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{ApiError, ErrorCode};

/// The largest request body the app reads, in bytes: plenty for any JSON request of ours.
pub const REQUEST_BODY_MAX_BYTES: usize = 1024 * 1024;

/// Refuses a body that declares a size over the limit (hyper's size hint is the
/// `Content-Length`), even on routes that never read it, such as `GET /healthz` or an unknown
/// path: nobody gets to make us accept 10 MB for nothing. A body of undeclared size is cut off
/// at the same limit by `DefaultBodyLimit` when an extractor reads it.
pub(crate) async fn refuse_oversized_body(
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let declared_bytes = request.body().size_hint().lower();
    if declared_bytes > REQUEST_BODY_MAX_BYTES as u64 {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
    Ok(next.run(request).await)
}
