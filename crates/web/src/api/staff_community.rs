//! The community's report queue for staff over JSON: `GET /api/v1/staff/community/reports` lists reported posts with their open reports, `POST /api/v1/staff/community/reports/{id}/resolve` hides the post or dismisses its reports with a reason — the same use case, role check and audit as the `/staff/community` page.

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::community::{CommunityReport, ReportResolution, ReportedPost, VoteTarget};
use domain::staff::StaffPermission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::community::community_error;
use crate::api::staff::StaffUser;
use crate::api::support::unix_now;
use crate::error::ApiError;
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// One open report on a post.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityOpenReport)]
pub struct OpenReportView {
    #[schema(example = "crp_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    /// The reporting user's id.
    pub reporter: String,
    pub reason: String,
    pub created_at: String,
}

impl OpenReportView {
    fn of(report: &CommunityReport) -> Self {
        OpenReportView {
            id: report.id.clone(),
            reporter: report.reporter.clone(),
            reason: report.reason.clone(),
            created_at: rfc3339_utc(report.created_at),
        }
    }
}

/// A reported question or answer and its open reports, oldest report first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityReportedPost)]
pub struct ReportedPostView {
    /// `question` or `answer`.
    pub target: &'static str,
    /// The post (`q_…` or `ans_…`): what `/resolve` takes.
    pub target_id: String,
    /// The question the post is, or belongs to.
    pub question_id: String,
    pub question_title: String,
    /// The post's author (a user id).
    pub author: String,
    pub body: String,
    /// Hidden already, by reports or by staff.
    pub hidden: bool,
    pub reports: Vec<OpenReportView>,
}

impl ReportedPostView {
    fn of(post: &ReportedPost) -> Self {
        ReportedPostView {
            target: match post.target {
                VoteTarget::Question => "question",
                VoteTarget::Answer => "answer",
            },
            target_id: post.target_id.clone(),
            question_id: post.question_id.clone(),
            question_title: post.question_title.clone(),
            author: post.author.clone(),
            body: post.body.clone(),
            hidden: post.hidden,
            reports: post.reports.iter().map(OpenReportView::of).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityReportedPostList)]
pub struct ReportedPostList {
    pub data: Vec<ReportedPostView>,
    pub has_more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQueueQuery {
    /// 1–100, default 20.
    pub limit: Option<i64>,
    /// The `target_id` of the last post of the previous page.
    pub starting_after: Option<String>,
}

/// The community's open reports grouped by post, in the order they were first reported
/// (agents and admins).
#[utoipa::path(
    get,
    path = "/api/v1/staff/community/reports",
    tag = "staff",
    params(ReportQueueQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reported posts", body = ReportedPostList),
        (status = 400, description = "`invalid_request` (`limit`, `starting_after`)", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
    )
)]
pub(crate) async fn list_reported_posts(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<ReportQueueQuery>,
) -> Result<Json<ReportedPostList>, ApiError> {
    staff.require(StaffPermission::ModerateCommunity)?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_request("limit"));
    }
    let queue = state
        .community
        .report_queue()
        .await
        .map_err(community_error)?;
    // The queue is bounded in the domain (its oldest open reports), so paging walks it here.
    let start = match query.starting_after.as_deref() {
        None => 0,
        Some(after) => {
            queue
                .iter()
                .position(|post| post.target_id == after)
                .ok_or_else(|| ApiError::invalid_request("starting_after"))?
                + 1
        }
    };
    let rest = &queue[start..];
    let page = &rest[..rest.len().min(limit as usize)];
    Ok(Json(ReportedPostList {
        data: page.iter().map(ReportedPostView::of).collect(),
        has_more: rest.len() > page.len(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `hidden` (the post broke the rules and is hidden) or `dismissed` (it stays, or is shown
    /// again if reports had hidden it).
    #[serde(default)]
    pub resolution: String,
    /// Why, for the audit log: 2–1,000 characters.
    #[serde(default)]
    pub reason: String,
}

/// What resolving closed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityReportsResolution)]
pub struct ResolvedView {
    pub target_id: String,
    /// `hidden` or `dismissed`.
    pub resolution: &'static str,
    /// How many open reports were closed.
    pub reports_closed: u64,
}

/// Closes every open report on a post: hides it or dismisses the reports, with a required
/// reason written to the audit log (agents and admins).
#[utoipa::path(
    post,
    path = "/api/v1/staff/community/reports/{id}/resolve",
    tag = "staff",
    params(("id" = String, Path, description = "The reported question (`q_…`) or answer (`ans_…`)")),
    request_body = ResolveBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Resolved", body = ResolvedView),
        (status = 400, description = "`invalid_request` (`resolution`, `reason`)", body = ErrorBody),
        (status = 403, description = "`staff_role_forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`community_reports_resolved`: no report on the post is open (another moderator resolved them first)", body = ErrorBody),
    )
)]
pub(crate) async fn resolve_reports(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Json<ResolvedView>, ApiError> {
    staff.require(StaffPermission::ModerateCommunity)?;
    let resolution = ReportResolution::parse(&body.resolution)
        .ok_or_else(|| ApiError::invalid_request("resolution"))?;
    let closed = state
        .community
        .resolve_reports(&id, resolution, &body.reason, &staff.staff_id, unix_now())
        .await
        .map_err(community_error)?;
    Ok(Json(ResolvedView {
        target_id: id,
        resolution: resolution.name(),
        reports_closed: closed,
    }))
}
