//! The appeal pages: `/appeal` (address, code, documents), `/appeal/status` (the status link), and `/staff/appeals` where the security team reviews and decides.

use askama::Template;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use domain::appeals::{Appeal, AppealCase, AppealKind, AppealStatus};
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::api::{appeal_error, appeals_of, read_appeal_form, status_filter};
use super::text::AppealText;
use crate::AppState;
use crate::api::auth::unix_now;
use crate::api::documents::document_response;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{ErrorText, Locale, StaffAdminText, error_text};
use crate::pages::csrf::{CsrfForm, CsrfToken};
use crate::pages::display::filters;
use crate::pages::layout::Layout;
use crate::pages::render_page;
use crate::pages::session::percent_encode;
use crate::pages::staff::StaffPage;
use crate::pages::staff_admin::StaffFrame;
use crate::time::rfc3339_utc;

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    layout: Layout,
    title: &'static str,
    text: &'static AppealText,
    csrf_token: String,
    /// Step two (code and documents) once a code was asked for.
    login: Option<String>,
    error: Option<ErrorText>,
}

fn appeal_page(
    locale: Locale,
    csrf_token: String,
    login: Option<String>,
    error: Option<&ApiError>,
) -> Response {
    let text = AppealText::for_locale(locale);
    render_page(
        &AppealPage {
            layout: Layout::new(locale),
            title: text.title,
            text,
            csrf_token,
            login,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        error.map_or(StatusCode::OK, ApiError::status),
    )
}

/// `GET /appeal`: the first step, the account's address.
pub(crate) async fn start_page(locale: Locale, CsrfToken(csrf_token): CsrfToken) -> Response {
    appeal_page(locale, csrf_token, None, None)
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    login: String,
}

/// `POST /appeal/code`: sends the code and shows the second step.
pub(crate) async fn request_code(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Response {
    let login = form.login.trim().to_owned();
    match appeals_of(&state) {
        Ok(appeals) => match appeals.request_code(&login, unix_now()).await {
            Ok(()) => appeal_page(locale, csrf_token, Some(login), None),
            Err(error) => appeal_page(locale, csrf_token, None, Some(&appeal_error(error))),
        },
        Err(error) => error.into_response(),
    }
}

/// Equal strings, compared without an early exit.
fn same_token(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// `POST /appeal` (multipart, with the form's CSRF token among its fields): files the appeal
/// and goes to its status page.
pub(crate) async fn file(
    State(state): State<AppState>,
    locale: Locale,
    CsrfToken(csrf_token): CsrfToken,
    multipart: Multipart,
) -> Response {
    let form = match read_appeal_form(multipart).await {
        Ok(form) => form,
        Err(error) => return appeal_page(locale, csrf_token, None, Some(&error)),
    };
    if !same_token(&csrf_token, &form.csrf_token) {
        return ApiError::new(ErrorCode::CsrfTokenInvalid).into_response();
    }
    let login = form.appeal.login.clone();
    let appeals = match appeals_of(&state) {
        Ok(appeals) => appeals,
        Err(error) => return error.into_response(),
    };
    match appeals.file(form.appeal, unix_now()).await {
        Ok((appeal, token)) => Redirect::to(&format!(
            "/appeal/status?id={}&token={}",
            percent_encode(&appeal.id),
            percent_encode(&token)
        ))
        .into_response(),
        Err(error) => appeal_page(locale, csrf_token, Some(login), Some(&appeal_error(error))),
    }
}

#[derive(Template)]
#[template(path = "appeal_status.html")]
struct StatusPage {
    layout: Layout,
    title: &'static str,
    text: &'static AppealText,
    appeal: AppealRow,
}

/// An appeal as the pages show it.
struct AppealRow {
    id: String,
    user_id: String,
    kind: &'static str,
    status: &'static str,
    status_text: &'static str,
    reason: String,
    filed_at: String,
    pending: bool,
}

fn appeal_row(appeal: &Appeal, text: &'static AppealText) -> AppealRow {
    AppealRow {
        id: appeal.id.clone(),
        user_id: appeal.user_id.clone(),
        kind: match appeal.kind {
            AppealKind::Unlock => text.kind_unlock,
            AppealKind::LiftRestriction => text.kind_lift,
        },
        status: appeal.status.name(),
        status_text: match appeal.status {
            AppealStatus::Pending => text.status_pending,
            AppealStatus::Approved => text.status_approved,
            AppealStatus::Rejected => text.status_rejected,
        },
        reason: appeal.decision_reason.clone().unwrap_or_default(),
        filed_at: rfc3339_utc(appeal.created_at),
        pending: appeal.status == AppealStatus::Pending,
    }
}

#[derive(Deserialize)]
pub(crate) struct StatusQuery {
    #[serde(default)]
    id: String,
    #[serde(default)]
    token: String,
}

/// `GET /appeal/status?id=&token=`: the status link.
pub(crate) async fn status_page(
    State(state): State<AppState>,
    locale: Locale,
    Query(query): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    let appeal = appeals_of(&state)?
        .status(&query.id, &query.token)
        .await
        .map_err(appeal_error)?;
    let text = AppealText::for_locale(locale);
    Ok(render_page(
        &StatusPage {
            layout: Layout::new(locale),
            title: text.status_title,
            text,
            appeal: appeal_row(&appeal, text),
        },
        StatusCode::OK,
    ))
}

// ---- the security team's pages ----

/// A security-team member on a page, by the staff cookie: none goes to `/staff`, another role
/// sees the refusal.
pub(crate) struct SecurityStaffPage {
    staff: StaffPage,
}

impl FromRequestParts<AppState> for SecurityStaffPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = StaffPage::from_request_parts(parts, state).await?;
        if !staff.role.may(StaffPermission::UnlockAndUnfreeze) {
            return Err(ApiError::new(ErrorCode::StaffRoleForbidden).into_response());
        }
        Ok(SecurityStaffPage { staff })
    }
}

#[derive(Template)]
#[template(path = "staff_appeals.html")]
struct StaffListPage {
    layout: Layout,
    title: &'static str,
    text: &'static AppealText,
    admin: &'static StaffAdminText,
    sign_out: &'static str,
    links: Vec<(&'static str, &'static str)>,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    appeals: Vec<AppealRow>,
}

/// `GET /staff/appeals`: the appeals waiting, oldest first.
pub(crate) async fn staff_list(
    State(state): State<AppState>,
    locale: Locale,
    SecurityStaffPage { staff }: SecurityStaffPage,
) -> Result<Response, ApiError> {
    let text = AppealText::for_locale(locale);
    let frame = StaffFrame::checked(locale, &staff);
    let appeals = appeals_of(&state)?
        .list(status_filter(Some("pending"))?)
        .await
        .map_err(appeal_error)?;
    Ok(render_page(
        &StaffListPage {
            layout: Layout::for_staff(locale, &staff),
            title: text.staff_title,
            text,
            admin: frame.admin,
            sign_out: frame.sign_out,
            links: frame.links,
            csrf_token: frame.csrf_token,
            notice: frame.notice,
            error: frame.error,
            appeals: appeals
                .iter()
                .map(|appeal| appeal_row(appeal, text))
                .collect(),
        },
        StatusCode::OK,
    ))
}

struct DocumentLink {
    href: String,
    name: String,
}

#[derive(Template)]
#[template(path = "staff_appeal.html")]
struct StaffCasePage {
    layout: Layout,
    title: &'static str,
    text: &'static AppealText,
    admin: &'static StaffAdminText,
    sign_out: &'static str,
    links: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    csrf_token: String,
    appeal: AppealRow,
    user: String,
    statement: String,
    documents: Vec<DocumentLink>,
}

fn case_page(case: &AppealCase, locale: Locale, staff: &StaffPage) -> Response {
    let text = AppealText::for_locale(locale);
    let frame = StaffFrame::checked(locale, staff);
    render_page(
        &StaffCasePage {
            layout: Layout::for_staff(locale, staff),
            title: text.staff_title,
            text,
            admin: frame.admin,
            sign_out: frame.sign_out,
            links: frame.links,
            notice: frame.notice,
            error: frame.error,
            csrf_token: frame.csrf_token,
            appeal: appeal_row(&case.appeal, text),
            user: case
                .user
                .as_ref()
                .map(|user| {
                    format!(
                        "{} · {} · {}",
                        user.id,
                        user.email
                            .clone()
                            .or_else(|| user.phone.clone())
                            .unwrap_or_default(),
                        user.status.name()
                    )
                })
                .unwrap_or_default(),
            statement: case.appeal.statement.clone(),
            documents: case
                .documents
                .iter()
                .map(|document| DocumentLink {
                    href: format!(
                        "/staff/appeals/{}/documents/{}",
                        case.appeal.id, document.id
                    ),
                    name: format!("{} ({} KB)", document.file_name, document.size_bytes / 1024),
                })
                .collect(),
        },
        StatusCode::OK,
    )
}

/// `GET /staff/appeals/{id}`: the appeal, the account and the documents; audited.
pub(crate) async fn staff_show(
    State(state): State<AppState>,
    locale: Locale,
    SecurityStaffPage { staff }: SecurityStaffPage,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let case = appeals_of(&state)?
        .review(&staff.staff_id, &id)
        .await
        .map_err(appeal_error)?;
    Ok(case_page(&case, locale, &staff))
}

/// `GET /staff/appeals/{id}/documents/{document}`; audited.
pub(crate) async fn staff_document(
    State(state): State<AppState>,
    staff: SecurityStaffPage,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (info, bytes) = appeals_of(&state)?
        .document(&staff.staff.staff_id, &id, &document)
        .await
        .map_err(appeal_error)?;
    Ok(document_response(&info, bytes))
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    reason: String,
}

/// `POST /staff/appeals/{id}/approve`.
pub(crate) async fn staff_approve(
    State(state): State<AppState>,
    staff: SecurityStaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, ApiError> {
    appeals_of(&state)?
        .approve(&staff.staff.staff_id, &id, &form.reason, unix_now())
        .await
        .map_err(appeal_error)?;
    Ok(Redirect::to(&format!("/staff/appeals/{}", percent_encode(&id))).into_response())
}

/// `POST /staff/appeals/{id}/reject`.
pub(crate) async fn staff_reject(
    State(state): State<AppState>,
    staff: SecurityStaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, ApiError> {
    appeals_of(&state)?
        .reject(&staff.staff.staff_id, &id, &form.reason, unix_now())
        .await
        .map_err(appeal_error)?;
    Ok(Redirect::to(&format!("/staff/appeals/{}", percent_encode(&id))).into_response())
}
