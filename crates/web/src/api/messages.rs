//! The message center over JSON: notices in the request's language, unread count, mark read.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::identity::Notice;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::auth::{CurrentUser, store_error, unix_now};
use crate::api::security::list_limit;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::i18n::Locale;
use crate::time::rfc3339_utc;

#[derive(Deserialize, IntoParams)]
pub struct MessageQuery {
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    /// The id of the last message of the previous page.
    pub starting_after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    #[schema(example = "ntc_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    /// A stable code: `account_locked`, `new_sign_in`, `password_changed`, `account_frozen`…
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub read: bool,
}

impl MessageView {
    pub(crate) fn new(notice: Notice, locale: Locale) -> MessageView {
        let (title, body) = match locale {
            Locale::ZhCn => (notice.title_zh, notice.body_zh),
            Locale::En => (notice.title_en, notice.body_en),
        };
        MessageView {
            id: notice.id,
            kind: notice.kind,
            title,
            body,
            created_at: rfc3339_utc(notice.created_at),
            read: notice.read_at.is_some(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    pub data: Vec<MessageView>,
    pub has_more: bool,
    /// Unread messages in the whole message center.
    pub unread: i64,
}

/// The message center, newest first, in the request's language.
#[utoipa::path(
    get,
    path = "/api/v1/messages",
    tag = "messages",
    security(("bearer" = [])),
    params(MessageQuery),
    responses((status = 200, description = "Messages", body = MessageList))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    locale: Locale,
    Query(query): Query<MessageQuery>,
) -> Result<Json<MessageList>, ApiError> {
    let limit = list_limit(query.limit)?;
    let store = |error: domain::StoreError| store_error(&error);
    let mut notices = state
        .security
        .notices(&user.user_id, limit + 1, query.starting_after.as_deref())
        .await
        .map_err(store)?;
    let has_more = notices.len() as i64 > limit;
    notices.truncate(limit as usize);
    let unread = state
        .security
        .unread_notices(&user.user_id)
        .await
        .map_err(store)?;
    Ok(Json(MessageList {
        data: notices
            .into_iter()
            .map(|notice| MessageView::new(notice, locale))
            .collect(),
        has_more,
        unread,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// How many messages are unread, for the badge in the header.
#[utoipa::path(
    get,
    path = "/api/v1/messages/unread-count",
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, description = "Unread messages", body = UnreadCount))
)]
pub(crate) async fn unread_count(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<UnreadCount>, ApiError> {
    let unread = state
        .security
        .unread_notices(&user.user_id)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(UnreadCount { unread }))
}

/// Marks one message read.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/read",
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "`not_found`: no unread message of this account has this id", body = ErrorBody),
    )
)]
pub(crate) async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let changed = state
        .security
        .mark_notices_read(&user.user_id, Some(&id), unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    if changed == 0 {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every message read.
#[utoipa::path(
    post,
    path = "/api/v1/messages/read-all",
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, description = "All read", body = UnreadCount))
)]
pub(crate) async fn mark_all_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<UnreadCount>, ApiError> {
    state
        .security
        .mark_notices_read(&user.user_id, None, unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(UnreadCount { unread: 0 }))
}
