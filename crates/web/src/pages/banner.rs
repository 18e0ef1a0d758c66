//! Reads the active announcements (from the support use cases' short cache) before each page
//! handler runs, so the page frame can show them as a banner.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::layout::PAGE_NOTICES;
use crate::AppState;
use crate::api::support::unix_now;

/// Runs the rest of the request with the active notices in [`PAGE_NOTICES`]. A database that
/// does not answer costs the page its banner, not the page itself.
pub(crate) async fn with_notices(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let notices = match state.support.active_notices(unix_now()).await {
        Ok(notices) => notices,
        Err(error) => {
            tracing::warn!(%error, "announcements unavailable; the page shows no banner");
            Vec::new()
        }
    };
    PAGE_NOTICES
        .scope(Arc::new(notices), next.run(request))
        .await
}
