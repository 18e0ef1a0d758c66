//! Turns a panicking handler into a logged 500 `internal_error` instead of a dropped connection.

use std::any::Any;

use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorCode};

/// The cause goes to the log, inside the request's span; the client only learns the request id.
pub(crate) fn internal_error_for_panic(payload: Box<dyn Any + Send + 'static>) -> Response {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    tracing::error!(panic = detail, "a handler panicked");
    ApiError::new(ErrorCode::InternalError).into_response()
}
