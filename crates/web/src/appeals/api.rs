//! The appeals' JSON routes: a code to the address, filing with documents (multipart), the status by its link's token, and the security team's list, review, documents and decisions.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::appeals::{
    Appeal, AppealCase, AppealError, AppealStatus, Appeals, DOCUMENT_RULES, NewAppeal,
};
use domain::identity::ResetError;
use domain::staff::StaffPermission;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::auth::{invalid_login, store_error, unix_now};
use crate::api::documents::{FileField, document_response, read_multipart};
use crate::api::security::code_refusal;
use crate::api::staff::StaffUser;
use crate::api::tickets::attachment_refusal;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

pub(crate) fn appeal_error(error: AppealError) -> ApiError {
    match error {
        AppealError::InvalidKind => ApiError::invalid_request("kind"),
        AppealError::InvalidText(field) => ApiError::invalid_request(field),
        AppealError::Documents(refusal) => attachment_refusal(refusal, "documents"),
        AppealError::NotNeeded => ApiError::new(ErrorCode::AppealNotNeeded),
        AppealError::AlreadyOpen => ApiError::new(ErrorCode::AppealAlreadyOpen),
        AppealError::AlreadyDecided => ApiError::new(ErrorCode::AppealAlreadyDecided),
        AppealError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired),
        AppealError::NotFound => ApiError::new(ErrorCode::NotFound),
        AppealError::Code(error) => match error {
            ResetError::InvalidLogin(error) => invalid_login(&error, "login"),
            ResetError::NoLiveCode => ApiError::new(ErrorCode::NoCodePending),
            ResetError::Code(refusal) => code_refusal(refusal),
            ResetError::Store(error) => store_error(&error),
            other => ApiError::internal(&other),
        },
        AppealError::Store(error) => store_error(&error),
    }
}

pub(crate) fn appeals_of(state: &AppState) -> Result<&Appeals, ApiError> {
    state
        .appeals
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

pub(crate) fn appeal_view(appeal: &Appeal) -> Value {
    json!({
        "id": appeal.id,
        "kind": appeal.kind.name(),
        "status": appeal.status.name(),
        "decision_reason": appeal.decision_reason,
        "created_at": rfc3339_utc(appeal.created_at),
        "decided_at": appeal.decided_at.map(rfc3339_utc),
    })
}

fn case_view(case: &AppealCase) -> Value {
    let mut view = appeal_view(&case.appeal);
    view["user_id"] = json!(case.appeal.user_id);
    view["statement"] = json!(case.appeal.statement);
    view["decided_by"] = json!(case.appeal.decided_by);
    view["user"] = json!(case.user.as_ref().map(|user| json!({
        "id": user.id,
        "email": user.email,
        "phone": user.phone,
        "status": user.status.name(),
    })));
    view["documents"] = json!(
        case.documents
            .iter()
            .map(|document| json!({
                "id": document.id,
                "file_name": document.file_name,
                "content_type": document.content_type,
                "size_bytes": document.size_bytes,
            }))
            .collect::<Vec<_>>()
    );
    view
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeRequest {
    pub login: String,
}

/// `POST /api/v1/appeals/code`: a code to the address if it is an account's; the same answer
/// if not, so nobody learns which addresses are ours.
pub(crate) async fn request_code(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CodeRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    appeals_of(&state)?
        .request_code(body.login.trim(), unix_now())
        .await
        .map_err(appeal_error)?;
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "code_sent"}))))
}

/// The file part of an appeal: identity documents, refused with the attachments' codes.
const DOCUMENTS: FileField = FileField {
    name: "documents",
    rules: DOCUMENT_RULES,
    refused: |refusal| attachment_refusal(refusal, "documents"),
};

/// A multipart appeal as the API and the page send it; `csrf_token` is the page's.
#[derive(Default)]
pub(crate) struct AppealForm {
    pub appeal: NewAppeal,
    pub csrf_token: String,
}

pub(crate) async fn read_appeal_form(multipart: Multipart) -> Result<AppealForm, ApiError> {
    let sent = read_multipart(multipart, &DOCUMENTS).await?;
    let mut form = AppealForm::default();
    for (name, value) in sent.fields {
        match name.as_str() {
            "login" => form.appeal.login = value,
            "code" => form.appeal.code = value,
            "kind" => form.appeal.kind = value,
            "statement" => form.appeal.statement = value,
            "csrf_token" => form.csrf_token = value,
            _ => {}
        }
    }
    form.appeal.documents = sent.uploads;
    Ok(form)
}

/// `POST /api/v1/appeals` (multipart: `login, code, kind, statement, documents[]`): 201 with
/// the appeal and the token of its status link, shown this once.
pub(crate) async fn file(
    State(state): State<AppState>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let appeals = appeals_of(&state)?;
    let form = read_appeal_form(multipart).await?;
    let (appeal, token) = appeals
        .file(form.appeal, unix_now())
        .await
        .map_err(appeal_error)?;
    let mut view = appeal_view(&appeal);
    view["status_token"] = json!(token);
    view["status_url"] = json!(format!("/appeal/status?id={}&token={token}", appeal.id));
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

/// `GET /api/v1/appeals/{id}?token=`: the status and, once decided, the reason.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Json<Value>, ApiError> {
    let appeal = appeals_of(&state)?
        .status(&id, &query.token)
        .await
        .map_err(appeal_error)?;
    Ok(Json(appeal_view(&appeal)))
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    pub status: Option<String>,
}

pub(crate) fn status_filter(status: Option<&str>) -> Result<Option<AppealStatus>, ApiError> {
    match status {
        None | Some("") => Ok(None),
        Some(name) => AppealStatus::parse(name)
            .map(Some)
            .ok_or_else(|| ApiError::invalid_request("status")),
    }
}

/// `GET /api/v1/staff/appeals?status=pending`: oldest first. Security role.
pub(crate) async fn staff_list(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    let appeals = appeals_of(&state)?
        .list(status_filter(query.status.as_deref())?)
        .await
        .map_err(appeal_error)?;
    Ok(Json(json!({
        "data": appeals
            .iter()
            .map(|appeal| {
                let mut view = appeal_view(appeal);
                view["user_id"] = json!(appeal.user_id);
                view
            })
            .collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/staff/appeals/{id}`: the appeal, the account and the documents; audited.
pub(crate) async fn staff_show(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    let case = appeals_of(&state)?
        .review(&staff.staff_id, &id)
        .await
        .map_err(appeal_error)?;
    Ok(Json(case_view(&case)))
}

/// A document, as the type its content was recognised as, never inline; audited.
pub(crate) async fn staff_document(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    let (info, bytes) = appeals_of(&state)?
        .document(&staff.staff_id, &id, &document)
        .await
        .map_err(appeal_error)?;
    Ok(document_response(&info, bytes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionRequest {
    pub reason: String,
}

/// `POST /api/v1/staff/appeals/{id}/approve {reason}`: lifts the lock or the freeze.
pub(crate) async fn staff_approve(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    let appeal = appeals_of(&state)?
        .approve(&staff.staff_id, &id, &body.reason, unix_now())
        .await
        .map_err(appeal_error)?;
    Ok(Json(appeal_view(&appeal)))
}

/// `POST /api/v1/staff/appeals/{id}/reject {reason}`: the user reads the reason.
pub(crate) async fn staff_reject(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<Value>, ApiError> {
    staff.require(StaffPermission::UnlockAndUnfreeze)?;
    let appeal = appeals_of(&state)?
        .reject(&staff.staff_id, &id, &body.reason, unix_now())
        .await
        .map_err(appeal_error)?;
    Ok(Json(appeal_view(&appeal)))
}
