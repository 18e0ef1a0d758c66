//! `/staff/members` (admins): the staff list with each member's role and status, where an admin
//! gives a member the display name colleagues know them by, checked as `okpay staff create
//! --name` checks it, every change written to the audit log.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::staff::{StaffPermission, StaffRecord, StaffRenameError, StaffStatus};
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::layout::Layout;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use super::{render_page, see_other};
use crate::AppState;
use crate::api::auth::store_error;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{Locale, StaffAdminText, staff_role_name};

staff_page!(MembersPage);

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/members", get(members))
        .route("/staff/members/{id}/name", post(rename))
}

struct MemberRow {
    id: String,
    email: String,
    /// What the name field holds: the stored name, or what was just typed when it was refused.
    name: String,
    role: &'static str,
    status: &'static str,
    /// The row the notice or the error is about.
    marked: bool,
}

#[derive(Template)]
#[template(path = "staff_members.html")]
struct MembersPage {
    layout: Layout,
    title: &'static str,
    frame: StaffFrame,
    rows: Vec<MemberRow>,
}

fn status_name(status: StaffStatus, admin: &StaffAdminText) -> &'static str {
    match status {
        StaffStatus::PendingSetup => admin.members_status_pending,
        StaffStatus::Active => admin.members_status_active,
        StaffStatus::Disabled => admin.members_status_disabled,
    }
}

fn rename_error(error: &StaffRenameError) -> ApiError {
    match error {
        StaffRenameError::InvalidName(_) => {
            ApiError::new(ErrorCode::StaffNameInvalid).with_param("name")
        }
        StaffRenameError::NoSuchMember => ApiError::new(ErrorCode::StaffMemberNotFound),
        StaffRenameError::Store(error) => store_error(error),
    }
}

/// The page; `marked` names the member a notice or `error` is about, and `typed` what was
/// typed for them when it was refused.
async fn members_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    marked: Option<&str>,
    typed: Option<String>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let notice = (marked.is_some() && error.is_none()).then_some(admin.saved);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::ManageStaff,
        notice,
        error.as_ref(),
    );
    let members: Vec<StaffRecord> = frame
        .load(async {
            state
                .security
                .staff_members()
                .await
                .map_err(|error| store_error(&error))
        })
        .await?;
    let rows = members
        .into_iter()
        .map(|member| {
            let marked = marked == Some(member.id.as_str());
            let name = match (&typed, marked) {
                (Some(typed), true) => typed.clone(),
                _ => member.name.clone().unwrap_or_default(),
            };
            MemberRow {
                role: staff_role_name(member.role, locale),
                status: status_name(member.status, admin),
                id: member.id,
                email: member.email,
                name,
                marked,
            }
        })
        .collect();
    let status = frame.status(error.as_ref());
    Ok(render_page(
        &MembersPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            rows,
        },
        status,
    ))
}

#[derive(Deserialize)]
pub(crate) struct MembersQuery {
    saved: Option<String>,
}

/// `GET /staff/members`: 403 with the staff frame for a role other than admin.
pub(crate) async fn members(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<MembersQuery>,
) -> Result<Response, ApiError> {
    members_page(&state, locale, &staff, query.saved.as_deref(), None, None).await
}

#[derive(Deserialize)]
pub(crate) struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /staff/members/{id}/name`: a blank name takes the name away (the member is called by
/// e-mail address); a refused one is shown again beside its error.
pub(crate) async fn rename(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::ManageStaff) {
        return members_page(&state, locale, &staff, None, None, None).await;
    }
    match state
        .security
        .rename_staff(&staff.staff_id, &id, &form.name)
        .await
    {
        Ok(member) => Ok(see_other(&format!("/staff/members?saved={}", member.id))),
        Err(error) => {
            let error = rename_error(&error);
            members_page(
                &state,
                locale,
                &staff,
                Some(&id),
                Some(form.name),
                Some(error),
            )
            .await
        }
    }
}
