//! The staff side of support: `/api/v1/staff/announcements`, `/api/v1/staff/contact-channels`,
//! `/api/v1/staff/scam-reports` and `/api/v1/staff/community/*`. Admins edit notices and
//! channels, security staff review scam reports, agents moderate the community; every change is
//! in the audit log.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::community::{Badge, CommunityError};
use domain::staff::StaffPermission;
use domain::support::{
    Announcement, AnnouncementDraft, ChannelDraft, ContactChannel, EditError, ReportStatus,
    ScamReport,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::staff::StaffUser;
use crate::api::support::{store_error, unix_now};
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

fn edit_error(error: EditError) -> ApiError {
    match error {
        EditError::InvalidChannel(invalid) => ApiError::invalid_request(invalid.field),
        EditError::InvalidAnnouncement(invalid) => ApiError::invalid_request(invalid.field),
        EditError::VersionConflict => ApiError::new(ErrorCode::AnnouncementVersionConflict),
        EditError::NotFound => ApiError::new(ErrorCode::NotFound),
        EditError::Store(error) => store_error(&error),
    }
}

fn parse_time(text: &str, param: &'static str) -> Result<i64, ApiError> {
    text.parse::<jiff::Timestamp>()
        .map(|timestamp| timestamp.as_second())
        .map_err(|_| ApiError::invalid_request(param))
}

/// A notice as staff edit it: both languages, every field.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffAnnouncement)]
pub struct StaffNoticeView {
    pub id: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub title_zh_cn: String,
    pub title_en: String,
    pub body_zh_cn: String,
    pub body_en: String,
    pub starts_at: String,
    #[schema(required = true)]
    pub ends_at: Option<String>,
    pub services: Vec<&'static str>,
    pub withdrawn: bool,
    /// Send it back with an edit; a save in between makes the edit 409.
    pub version: i64,
    pub edited_by: String,
    pub edited_at: String,
    pub created_at: String,
}

impl StaffNoticeView {
    fn of(notice: &Announcement) -> Self {
        StaffNoticeView {
            id: notice.id.clone(),
            kind: notice.kind.name(),
            severity: notice.severity.name(),
            title_zh_cn: notice.title_zh_cn.clone(),
            title_en: notice.title_en.clone(),
            body_zh_cn: notice.body_zh_cn.clone(),
            body_en: notice.body_en.clone(),
            starts_at: rfc3339_utc(notice.starts_at),
            ends_at: notice.ends_at.map(rfc3339_utc),
            services: notice.services.iter().map(|s| s.name()).collect(),
            withdrawn: notice.withdrawn,
            version: notice.version,
            edited_by: notice.edited_by.clone(),
            edited_at: rfc3339_utc(notice.edited_at),
            created_at: rfc3339_utc(notice.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffNoticeList {
    pub data: Vec<StaffNoticeView>,
    pub has_more: bool,
}

/// A notice to publish, or the next version of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// Required when editing: the version the edit started from.
    pub version: Option<i64>,
    /// `maintenance` or `incident`.
    pub kind: String,
    /// `info`, `degraded` or `outage`.
    pub severity: String,
    pub title_zh_cn: String,
    pub title_en: String,
    pub body_zh_cn: String,
    pub body_en: String,
    /// RFC 3339.
    #[schema(example = "2026-11-24T01:00:00Z")]
    pub starts_at: String,
    /// RFC 3339; null while an incident's end is unknown.
    pub ends_at: Option<String>,
    #[schema(example = json!(["card_topup"]))]
    pub services: Vec<String>,
    #[serde(default)]
    pub withdrawn: bool,
}

impl NoticeBody {
    fn draft(self) -> Result<AnnouncementDraft, ApiError> {
        Ok(AnnouncementDraft {
            starts_at: parse_time(&self.starts_at, "starts_at")?,
            ends_at: self
                .ends_at
                .as_deref()
                .map(|end| parse_time(end, "ends_at"))
                .transpose()?,
            kind: self.kind,
            severity: self.severity,
            title_zh_cn: self.title_zh_cn,
            title_en: self.title_en,
            body_zh_cn: self.body_zh_cn,
            body_en: self.body_en,
            services: self.services,
            withdrawn: self.withdrawn,
        })
    }
}

/// The newest notices, withdrawn and past ones too.
#[utoipa::path(
    get,
    path = "/api/v1/staff/announcements",
    tag = "staff",
    security(("bearer" = [])),
    responses((status = 200, description = "Notices, newest first", body = StaffNoticeList))
)]
pub(crate) async fn list_announcements(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<StaffNoticeList>, ApiError> {
    staff.require(StaffPermission::EditAnnouncements)?;
    let notices = state
        .support
        .recent_announcements(100)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(StaffNoticeList {
        data: notices.iter().map(StaffNoticeView::of).collect(),
        has_more: false,
    }))
}

/// Publishes a notice (admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/announcements",
    tag = "staff",
    request_body = NoticeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Published", body = StaffNoticeView),
        (status = 400, description = "`invalid_request`", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
    )
)]
pub(crate) async fn create_announcement(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<NoticeBody>,
) -> Result<(StatusCode, Json<StaffNoticeView>), ApiError> {
    staff.require(StaffPermission::EditAnnouncements)?;
    let notice = state
        .support
        .create_announcement(body.draft()?, &staff.staff_id, unix_now())
        .await
        .map_err(edit_error)?;
    Ok((StatusCode::CREATED, Json(StaffNoticeView::of(&notice))))
}

/// Saves the next version of a notice (admins); `version` is the one the edit started from.
#[utoipa::path(
    put,
    path = "/api/v1/staff/announcements/{id}",
    tag = "staff",
    params(("id" = String, Path, description = "The notice")),
    request_body = NoticeBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = StaffNoticeView),
        (status = 409, description = "`announcement_version_conflict`", body = ErrorBody),
    )
)]
pub(crate) async fn update_announcement(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoticeBody>,
) -> Result<Json<StaffNoticeView>, ApiError> {
    staff.require(StaffPermission::EditAnnouncements)?;
    let version = body
        .version
        .ok_or_else(|| ApiError::invalid_request("version"))?;
    let notice = state
        .support
        .update_announcement(&id, version, body.draft()?, &staff.staff_id, unix_now())
        .await
        .map_err(edit_error)?;
    Ok(Json(StaffNoticeView::of(&notice)))
}

/// Every saved version of a notice, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/staff/announcements/{id}/history",
    tag = "staff",
    params(("id" = String, Path, description = "The notice")),
    security(("bearer" = [])),
    responses((status = 200, description = "Versions", body = StaffNoticeList))
)]
pub(crate) async fn announcement_history(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<StaffNoticeList>, ApiError> {
    staff.require(StaffPermission::EditAnnouncements)?;
    let versions = state
        .support
        .announcement_history(&id)
        .await
        .map_err(|error| store_error(&error))?;
    if versions.is_empty() {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(Json(StaffNoticeList {
        data: versions.iter().map(StaffNoticeView::of).collect(),
        has_more: false,
    }))
}

/// A channel as staff edit it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffContactChannel)]
pub struct StaffChannelView {
    pub id: String,
    pub kind: &'static str,
    pub value: String,
    pub display: String,
    pub platform: Option<String>,
    pub name_zh_cn: String,
    pub name_en: String,
    pub note_zh_cn: String,
    pub note_en: String,
    /// `Asia/Shanghai mon-fri 09:00-21:00; sat,sun 10:00-18:00`, or `always`.
    pub hours: String,
    pub position: i64,
    pub enabled: bool,
    pub updated_at: String,
}

impl StaffChannelView {
    fn of(channel: &ContactChannel) -> Self {
        StaffChannelView {
            id: channel.id.clone(),
            kind: channel.kind.name(),
            value: channel.value.clone(),
            display: channel.display.clone(),
            platform: channel.platform.clone(),
            name_zh_cn: channel.name_zh_cn.clone(),
            name_en: channel.name_en.clone(),
            note_zh_cn: channel.note_zh_cn.clone(),
            note_en: channel.note_en.clone(),
            hours: channel.hours.to_string(),
            position: channel.position,
            enabled: channel.enabled,
            updated_at: rfc3339_utc(channel.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffChannelList {
    pub data: Vec<StaffChannelView>,
    pub has_more: bool,
}

/// Every contact channel, hidden ones too (admins).
#[utoipa::path(
    get,
    path = "/api/v1/staff/contact-channels",
    tag = "staff",
    security(("bearer" = [])),
    responses((status = 200, description = "The channels", body = StaffChannelList))
)]
pub(crate) async fn list_channels(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<StaffChannelList>, ApiError> {
    staff.require(StaffPermission::EditContactChannels)?;
    let channels = state
        .support
        .all_channels()
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(StaffChannelList {
        data: channels.iter().map(StaffChannelView::of).collect(),
        has_more: false,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    /// `hotline`, `email`, `live_chat`, `website` or `social`.
    pub kind: String,
    #[schema(example = "400-820-6688")]
    pub value: String,
    /// As shown; the value as typed when absent.
    pub display: Option<String>,
    /// Social accounts: `wechat`, `weibo`, `x`…
    pub platform: Option<String>,
    pub name_zh_cn: String,
    pub name_en: String,
    #[serde(default)]
    pub note_zh_cn: String,
    #[serde(default)]
    pub note_en: String,
    #[schema(example = "Asia/Shanghai mon-sun 09:00-21:00")]
    pub hours: String,
    #[serde(default)]
    pub position: i64,
    /// Hidden channels are neither listed nor vouched for by the check.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// Adds or replaces a contact channel (admins).
#[utoipa::path(
    put,
    path = "/api/v1/staff/contact-channels/{id}",
    tag = "staff",
    params(("id" = String, Path, description = "A short name: a-z, 0-9 and _")),
    request_body = ChannelBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = StaffChannelView),
        (status = 400, description = "`invalid_request`", body = ErrorBody),
    )
)]
pub(crate) async fn put_channel(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<Json<StaffChannelView>, ApiError> {
    staff.require(StaffPermission::EditContactChannels)?;
    let draft = ChannelDraft {
        id,
        kind: body.kind,
        value: body.value,
        display: body.display,
        platform: body.platform,
        name_zh_cn: body.name_zh_cn,
        name_en: body.name_en,
        note_zh_cn: body.note_zh_cn,
        note_en: body.note_en,
        hours: body.hours,
        position: body.position,
        enabled: body.enabled,
    };
    let channel = state
        .support
        .save_channel(draft, &staff.staff_id, unix_now())
        .await
        .map_err(edit_error)?;
    Ok(Json(StaffChannelView::of(&channel)))
}

/// Removes a contact channel (admins).
#[utoipa::path(
    delete,
    path = "/api/v1/staff/contact-channels/{id}",
    tag = "staff",
    params(("id" = String, Path, description = "The channel")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 404, description = "`not_found`", body = ErrorBody))
)]
pub(crate) async fn delete_channel(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::EditContactChannels)?;
    state
        .support
        .delete_channel(&id, &staff.staff_id)
        .await
        .map_err(edit_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaffScamReport)]
pub struct StaffReportView {
    pub id: String,
    pub kind: &'static str,
    pub normalized: String,
    pub value: String,
    pub note: String,
    pub reporter: Option<String>,
    /// `pending`, `confirmed` or `rejected`.
    pub status: &'static str,
    pub created_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: String,
}

impl StaffReportView {
    fn of(report: &ScamReport) -> Self {
        StaffReportView {
            id: report.id.clone(),
            kind: report.kind.name(),
            normalized: report.key.clone(),
            value: report.value.clone(),
            note: report.note.clone(),
            reporter: report.reporter.clone(),
            status: report.status.name(),
            created_at: rfc3339_utc(report.created_at),
            reviewed_by: report.reviewed_by.clone(),
            reviewed_at: report.reviewed_at.map(rfc3339_utc),
            review_note: report.review_note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffReportList {
    pub data: Vec<StaffReportView>,
    pub has_more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// `pending`, `confirmed` or `rejected`; all when absent.
    pub status: Option<String>,
}

/// Scam reports, newest first (security staff and admins).
#[utoipa::path(
    get,
    path = "/api/v1/staff/scam-reports",
    tag = "staff",
    params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Reports", body = StaffReportList))
)]
pub(crate) async fn list_reports(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<ReportQuery>,
) -> Result<Json<StaffReportList>, ApiError> {
    staff.require(StaffPermission::ReviewScamReports)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(name) => {
            Some(ReportStatus::parse(name).ok_or_else(|| ApiError::invalid_request("status"))?)
        }
    };
    let reports = state
        .support
        .scam_reports(status, 100)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(StaffReportList {
        data: reports.iter().map(StaffReportView::of).collect(),
        has_more: false,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `confirm` (the check then says "confirmed scam") or `reject`.
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Confirms or rejects a scam report (security staff and admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/scam-reports/{id}/review",
    tag = "staff",
    params(("id" = String, Path, description = "The report")),
    request_body = ReviewBody,
    security(("bearer" = [])),
    responses((status = 200, description = "Reviewed", body = StaffReportView))
)]
pub(crate) async fn review_report(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<StaffReportView>, ApiError> {
    staff.require(StaffPermission::ReviewScamReports)?;
    let confirmed = match body.decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => return Err(ApiError::invalid_request("decision")),
    };
    let report = state
        .support
        .review_report(&id, confirmed, &staff.staff_id, &body.note, unix_now())
        .await
        .map_err(edit_error)?;
    Ok(Json(StaffReportView::of(&report)))
}

fn moderation_error(error: CommunityError) -> ApiError {
    match error {
        CommunityError::Store(error) => store_error(&error),
        CommunityError::Invalid { field, .. } => ApiError::invalid_request(field),
        _ => ApiError::new(ErrorCode::NotFound),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    /// For `/hide`: hide (true) or show (false). For `/lock`: lock or unlock.
    pub on: bool,
}

/// Hides or shows a community question (`q_…`) or answer (`ans_…`) (agents and admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/community/{id}/hide",
    tag = "staff",
    params(("id" = String, Path, description = "A question or answer")),
    request_body = ModerationBody,
    security(("bearer" = [])),
    responses((status = 204, description = "Done"))
)]
pub(crate) async fn hide_post(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ModerationBody>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::ModerateCommunity)?;
    state
        .community
        .set_hidden(&id, body.on, &staff.staff_id)
        .await
        .map_err(moderation_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Locks or unlocks a community question (agents and admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/community/{id}/lock",
    tag = "staff",
    params(("id" = String, Path, description = "A question")),
    request_body = ModerationBody,
    security(("bearer" = [])),
    responses((status = 204, description = "Done"))
)]
pub(crate) async fn lock_question(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ModerationBody>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::ModerateCommunity)?;
    state
        .community
        .set_locked(&id, body.on, &staff.staff_id)
        .await
        .map_err(moderation_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BadgeBody {
    pub user_id: String,
    /// `expert` or `staff`.
    pub badge: String,
    /// Give (true) or take away (false).
    pub granted: bool,
}

/// Gives or takes away a community badge (agents and admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/community/badges",
    tag = "staff",
    request_body = BadgeBody,
    security(("bearer" = [])),
    responses((status = 204, description = "Done"))
)]
pub(crate) async fn set_badge(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<BadgeBody>,
) -> Result<StatusCode, ApiError> {
    staff.require(StaffPermission::ModerateCommunity)?;
    let badge = Badge::parse(&body.badge).ok_or_else(|| ApiError::invalid_request("badge"))?;
    let outcome = if body.granted {
        state
            .community
            .grant_badge(&body.user_id, badge, &staff.staff_id, unix_now())
            .await
    } else {
        state
            .community
            .revoke_badge(&body.user_id, badge, &staff.staff_id)
            .await
    };
    outcome.map_err(moderation_error)?;
    Ok(StatusCode::NO_CONTENT)
}
