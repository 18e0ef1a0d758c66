//! Help and support, the public side: `/api/v1/contact-channels`, `/api/v1/official-check`
//! (and its scam reports), `/api/v1/announcements` and `/api/v1/status`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use domain::StoreError;
use domain::identity::UnixSeconds;
use domain::support::{
    Announcement, CheckError, ContactChannel, ListedChannel, OfficialCheck, OfficialMatch, Phase,
    ReportError, ReportRequest, Service, ServiceHours, StatusBoard,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::i18n::Locale;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

pub(crate) fn unix_now() -> UnixSeconds {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// `error` with the announcement that explains it attached, when `service` has an active
/// notice and the failure is one a notice can explain (the provider being unavailable). A
/// failure to read notices leaves the error as it was.
pub(crate) async fn explained(state: &AppState, error: ApiError, service: Service) -> ApiError {
    if !matches!(
        error.code(),
        ErrorCode::ProcessorUnavailable | ErrorCode::BankTimeout
    ) {
        return error;
    }
    match state
        .support
        .announcement_explaining(service, unix_now())
        .await
    {
        Ok(notice) => error.with_announcement(notice),
        Err(cause) => {
            tracing::warn!(%cause, "announcements unavailable; the error goes without one");
            error
        }
    }
}

pub(crate) fn store_error(error: &StoreError) -> ApiError {
    match error {
        StoreError::Unavailable(_) => ApiError::database_unavailable(error),
        _ => ApiError::internal(error),
    }
}

/// The contact channels; never paged.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    pub data: Vec<ChannelView>,
    /// Always false.
    pub has_more: bool,
}

/// One way to reach OKPay, and whether it is staffed now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactChannel)]
pub struct ChannelView {
    #[schema(example = "hotline_mainland")]
    pub id: String,
    /// `hotline`, `email`, `live_chat`, `website` or `social`.
    #[schema(example = "hotline")]
    pub kind: &'static str,
    /// In the request's language.
    #[schema(example = "Hotline (mainland China)")]
    pub name: String,
    /// In the request's language; may be empty.
    pub note: String,
    /// The normal form: E.164 for phones, lower-case e-mail, a host, a handle, a path.
    #[schema(example = "+864008206688")]
    pub value: String,
    /// As people are used to seeing it.
    #[schema(example = "400-820-6688")]
    pub display: String,
    /// For social accounts: `wechat`, `weibo`, `x`…
    pub platform: Option<String>,
    pub hours: HoursView,
    pub open_now: bool,
    /// When it next closes (if open) or opens (if closed), RFC 3339 UTC; null when that does
    /// not happen in the coming week.
    #[schema(required = true, example = "2026-11-23T13:00:00Z")]
    pub next_change_at: Option<String>,
}

/// Service hours.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ServiceHours)]
pub struct HoursView {
    /// True for channels that never close.
    pub always: bool,
    /// IANA time zone the hours are in; null when `always`.
    #[schema(required = true, example = "Asia/Shanghai")]
    pub time_zone: Option<String>,
    /// Monday first; empty when `always`.
    pub weekly: Vec<DayHours>,
    /// The hours in the compact form admins write.
    #[schema(example = "Asia/Shanghai mon-sun 09:00-21:00")]
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayHours {
    /// `mon` … `sun`.
    #[schema(example = "mon")]
    pub day: &'static str,
    /// Local `HH:MM-HH:MM` periods; empty when closed all day.
    #[schema(example = json!(["09:00-21:00"]))]
    pub periods: Vec<String>,
}

impl HoursView {
    fn of(hours: &ServiceHours) -> HoursView {
        HoursView {
            always: matches!(hours, ServiceHours::Always),
            time_zone: hours.time_zone_name().map(str::to_owned),
            weekly: hours
                .weekly()
                .into_iter()
                .map(|(day, periods)| DayHours {
                    day,
                    periods: periods.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            text: hours.to_string(),
        }
    }
}

fn channel_name(channel: &ContactChannel, locale: Locale) -> String {
    locale
        .pick(&channel.name_zh_cn, &channel.name_en)
        .to_owned()
}

impl ChannelView {
    fn of(listed: &ListedChannel, locale: Locale) -> ChannelView {
        let channel = &listed.channel;
        ChannelView {
            id: channel.id.clone(),
            kind: channel.kind.name(),
            name: channel_name(channel, locale),
            note: locale
                .pick(&channel.note_zh_cn, &channel.note_en)
                .to_owned(),
            value: channel.value.clone(),
            display: channel.display.clone(),
            platform: channel.platform.clone(),
            hours: HoursView::of(&channel.hours),
            open_now: listed.openness.open_now,
            next_change_at: listed.openness.next_change_at.map(rfc3339_utc),
        }
    }
}

/// Every contact channel with its service hours and whether it is open now.
#[utoipa::path(
    get,
    path = "/api/v1/contact-channels",
    tag = "support",
    params(("Accept-Language" = Option<String>, Header, description = "zh-CN or en")),
    responses((status = 200, description = "The channels, in listing order", body = ChannelList))
)]
pub(crate) async fn contact_channels(
    State(state): State<AppState>,
    locale: Locale,
) -> Result<Json<ChannelList>, ApiError> {
    let channels = state
        .support
        .contact_channels(unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(ChannelList {
        data: channels
            .iter()
            .map(|listed| ChannelView::of(listed, locale))
            .collect(),
        has_more: false,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CheckQuery {
    /// A phone number, e-mail address, web address or account name, as received.
    #[param(example = "0kpay.com")]
    pub value: Option<String>,
}

/// The official-channel check's answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OfficialCheck)]
pub struct CheckView {
    /// The value as given.
    #[schema(example = "0kpay.com")]
    pub value: String,
    /// `phone`, `email`, `url` or `account`.
    #[schema(example = "url")]
    pub kind: &'static str,
    /// What the value was read as: E.164, lower-case e-mail, host, handle.
    #[schema(example = "0kpay.com")]
    pub normalized: String,
    /// `official`, `reported_scam`, `lookalike` or `not_ours`.
    #[schema(example = "lookalike")]
    pub verdict: &'static str,
    /// True only when `verdict` is `official`.
    pub official: bool,
    /// The channel it is, when official.
    pub channel: Option<ChannelSummary>,
    /// When official: `exact`, or `domain` for an unlisted address on our domain.
    #[schema(example = "exact")]
    pub matched: Option<&'static str>,
    /// The brand a look-alike imitates.
    #[schema(example = "okpay")]
    pub resembles: Option<String>,
    pub reports: ReportCounts,
    /// True once staff confirmed a report: treat it as a scam.
    pub confirmed_scam: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelSummary {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub display: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCounts {
    /// Reports not yet reviewed.
    pub pending: u32,
    /// Reports staff confirmed.
    pub confirmed: u32,
}

impl CheckView {
    pub(crate) fn of(value: &str, check: &OfficialCheck, locale: Locale) -> CheckView {
        CheckView {
            value: value.to_owned(),
            kind: check.value.kind.name(),
            normalized: check.value.exact.clone(),
            verdict: check.verdict.name(),
            official: check.channel.is_some(),
            channel: check.channel.as_ref().map(|channel| ChannelSummary {
                id: channel.id.clone(),
                kind: channel.kind.name(),
                name: channel_name(channel, locale),
                display: channel.display.clone(),
            }),
            matched: check.matched.map(|matched| match matched {
                OfficialMatch::Exact => "exact",
                OfficialMatch::Domain => "domain",
            }),
            resembles: check.resembles.clone(),
            reports: ReportCounts {
                pending: check.reports.pending,
                confirmed: check.reports.confirmed,
            },
            confirmed_scam: check.reports.confirmed > 0,
        }
    }
}

pub(crate) fn check_error(error: CheckError) -> ApiError {
    match error {
        CheckError::Invalid(_) => ApiError::new(ErrorCode::InvalidCheckValue).with_param("value"),
        CheckError::Store(error) => store_error(&error),
    }
}

/// Whether a phone number, e-mail address, web address or account name is one of OKPay's
/// official channels, a look-alike, reported as a scam, or not ours.
#[utoipa::path(
    get,
    path = "/api/v1/official-check",
    tag = "support",
    params(CheckQuery),
    responses(
        (status = 200, description = "The verdict", body = CheckView),
        (status = 400, description = "`invalid_check_value`", body = ErrorBody),
    )
)]
pub(crate) async fn official_check(
    State(state): State<AppState>,
    locale: Locale,
    Query(query): Query<CheckQuery>,
) -> Result<Json<CheckView>, ApiError> {
    let value = query.value.unwrap_or_default();
    let check = state.support.check(&value).await.map_err(check_error)?;
    Ok(Json(CheckView::of(&value, &check, locale)))
}

/// `POST /official-check/reports`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// The phone number, address, site or account that tried to scam you.
    #[schema(example = "+86 171 0000 1234")]
    pub value: String,
    /// What happened; at most 1,000 characters.
    #[schema(example = "Said my account was frozen and asked for the SMS code.")]
    pub note: Option<String>,
}

/// A filed report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScamReport)]
pub struct ReportView {
    #[schema(example = "rpt_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    /// Always `pending` when filed: staff review it.
    pub status: &'static str,
    pub kind: &'static str,
    /// The normal form it is filed under.
    pub normalized: String,
    pub created_at: String,
}

pub(crate) fn report_error(error: ReportError) -> ApiError {
    match error {
        ReportError::Invalid(_) => ApiError::new(ErrorCode::InvalidCheckValue).with_param("value"),
        ReportError::NoteTooLong => ApiError::new(ErrorCode::ReportNoteTooLong).with_param("note"),
        ReportError::Official => {
            ApiError::new(ErrorCode::OfficialChannelNotReportable).with_param("value")
        }
        ReportError::Store(error) => store_error(&error),
    }
}

/// Reports a number, address, site or account as a scam. Staff review every report; once one
/// is confirmed the check says "confirmed scam".
#[utoipa::path(
    post,
    path = "/api/v1/official-check/reports",
    tag = "support",
    request_body = ReportBody,
    responses(
        (status = 201, description = "Filed, pending review", body = ReportView),
        (status = 400, description = "`invalid_check_value`, `report_note_too_long`", body = ErrorBody),
        (status = 422, description = "`official_channel_not_reportable`", body = ErrorBody),
    )
)]
pub(crate) async fn report_scam(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<ReportView>), ApiError> {
    let report = state
        .support
        .report_scam(
            ReportRequest {
                value: body.value,
                note: body.note.unwrap_or_default(),
                reporter: None,
            },
            unix_now(),
        )
        .await
        .map_err(report_error)?;
    Ok((
        StatusCode::CREATED,
        Json(ReportView {
            id: report.id,
            status: report.status.name(),
            kind: report.kind.name(),
            normalized: report.key,
            created_at: rfc3339_utc(report.created_at),
        }),
    ))
}

/// A maintenance or incident notice in the request's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Announcement)]
pub struct AnnouncementView {
    #[schema(example = "ann_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    /// `maintenance` or `incident`.
    pub kind: &'static str,
    /// `info`, `degraded` or `outage`.
    pub severity: &'static str,
    /// `upcoming`, `active` or `past`.
    pub state: &'static str,
    #[schema(example = "Card top-up maintenance")]
    pub title: String,
    pub body: String,
    /// RFC 3339 UTC.
    pub starts_at: String,
    /// RFC 3339 UTC; null while an incident's end is unknown.
    #[schema(required = true)]
    pub ends_at: Option<String>,
    /// From the fixed list: `sign_in`, `card_topup`, `transfer`, `bank_payout`, `exchange`,
    /// `remittance`, `merchant_payments`, `chat`, `tickets`.
    #[schema(example = json!(["card_topup"]))]
    pub services: Vec<&'static str>,
    /// Goes up by one with every edit.
    pub version: i64,
    pub updated_at: String,
}

impl AnnouncementView {
    pub(crate) fn of(notice: &Announcement, locale: Locale, now: UnixSeconds) -> Self {
        AnnouncementView {
            id: notice.id.clone(),
            kind: notice.kind.name(),
            severity: notice.severity.name(),
            state: notice.phase(now).name(),
            title: locale.pick(&notice.title_zh_cn, &notice.title_en).clone(),
            body: locale.pick(&notice.body_zh_cn, &notice.body_en).clone(),
            starts_at: rfc3339_utc(notice.starts_at),
            ends_at: notice.ends_at.map(rfc3339_utc),
            services: notice.services.iter().map(|s| s.name()).collect(),
            version: notice.version,
            updated_at: rfc3339_utc(notice.edited_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AnnouncementQuery {
    /// `active`, `upcoming` or `past` (the last 14 days); active and upcoming when absent.
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementList {
    pub data: Vec<AnnouncementView>,
    /// Always false: the notices of the recent past and coming month fit on one page.
    pub has_more: bool,
}

/// Current notices: what is active now and what is planned in the coming month (or, with
/// `state`, only one of active, upcoming or past).
#[utoipa::path(
    get,
    path = "/api/v1/announcements",
    tag = "support",
    params(AnnouncementQuery, ("Accept-Language" = Option<String>, Header, description = "zh-CN or en")),
    responses(
        (status = 200, description = "Notices by start time", body = AnnouncementList),
        (status = 400, description = "`invalid_request` for an unknown `state`", body = ErrorBody),
    )
)]
pub(crate) async fn announcements(
    State(state): State<AppState>,
    locale: Locale,
    Query(query): Query<AnnouncementQuery>,
) -> Result<Json<AnnouncementList>, ApiError> {
    let wanted: &[Phase] = match query.state.as_deref() {
        None => &[Phase::Active, Phase::Upcoming],
        Some("active") => &[Phase::Active],
        Some("upcoming") => &[Phase::Upcoming],
        Some("past") => &[Phase::Past],
        Some(_) => return Err(ApiError::invalid_request("state")),
    };
    let now = unix_now();
    let notices = state
        .support
        .notices(now)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(AnnouncementList {
        data: notices
            .iter()
            .filter(|notice| wanted.contains(&notice.phase(now)))
            .map(|notice| AnnouncementView::of(notice, locale, now))
            .collect(),
        has_more: false,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    pub services: Vec<ServiceStatusView>,
    pub active: Vec<AnnouncementView>,
    pub upcoming: Vec<AnnouncementView>,
    /// Ended in the last 14 days, newest first.
    pub recent: Vec<AnnouncementView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceStatusView {
    #[schema(example = "card_topup")]
    pub service: &'static str,
    /// `operational`, `maintenance`, `degraded` or `outage`.
    #[schema(example = "operational")]
    pub status: &'static str,
}

impl StatusView {
    fn of(board: &StatusBoard, locale: Locale, now: UnixSeconds) -> Self {
        let views = |notices: &[Announcement]| {
            notices
                .iter()
                .map(|notice| AnnouncementView::of(notice, locale, now))
                .collect()
        };
        StatusView {
            services: board
                .services
                .iter()
                .map(|(service, state)| ServiceStatusView {
                    service: service.name(),
                    status: state.name(),
                })
                .collect(),
            active: views(&board.active),
            upcoming: views(&board.upcoming),
            recent: views(&board.recent),
        }
    }
}

/// Every service's status now, with the notices active, upcoming and recently ended.
#[utoipa::path(
    get,
    path = "/api/v1/status",
    tag = "support",
    responses((status = 200, description = "Service status", body = StatusView))
)]
pub(crate) async fn status(
    State(state): State<AppState>,
    locale: Locale,
) -> Result<Json<StatusView>, ApiError> {
    let now = unix_now();
    let board = state
        .support
        .status_board(now)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(StatusView::of(&board, locale, now)))
}
