//! Identity verification over JSON: the user sends documents (multipart) and reads where their
//! requests stand; the risk team reads the queue and the documents, approves or rejects.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::documents::{DocumentInfo, UploadRefusal};
use domain::kyc::{
    DOCUMENT_BYTES_MAX, DOCUMENT_RULES, DOCUMENTS_MAX, DocumentKind, Kyc, KycError, KycRequest,
};
use domain::limits::KycTier;
use domain::staff::StaffPermission;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::auth::{CurrentUser, store_error, unix_now};
use crate::api::documents::{FileField, MultipartForm, document_response, read_multipart};
use crate::api::staff::StaffUser;
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

/// The largest verification request: every document at its largest, and the text fields.
pub(crate) const KYC_BODY_MAX_BYTES: usize = DOCUMENTS_MAX * DOCUMENT_BYTES_MAX + 64 * 1024;
const _: () = assert!(
    crate::middleware::body_limit::UPLOAD_BODY_MAX_BYTES >= KYC_BODY_MAX_BYTES,
    "the body-limit middleware lets a whole request through"
);

pub(crate) fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/v1/kyc", get(status).post(submit))
        .route_layer(DefaultBodyLimit::max(KYC_BODY_MAX_BYTES));
    Router::new()
        .merge(uploads)
        .route("/api/v1/staff/kyc", get(queue))
        .route("/api/v1/staff/kyc/{id}/approve", post(approve))
        .route("/api/v1/staff/kyc/{id}/reject", post(reject))
        .route("/api/v1/staff/kyc/documents/{id}", get(document))
}

pub(crate) fn kyc_error(error: KycError) -> ApiError {
    match error {
        KycError::Documents(refusal) => document_refusal(refusal),
        KycError::TierNotHigher => ApiError::new(ErrorCode::KycTierNotHigher).with_param("tier"),
        KycError::AlreadyPending => ApiError::new(ErrorCode::KycAlreadyPending),
        KycError::NotFound => ApiError::new(ErrorCode::NotFound),
        KycError::AlreadyDecided => ApiError::new(ErrorCode::KycAlreadyDecided),
        KycError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired).with_param("reason"),
        KycError::Store(error) => store_error(&error),
    }
}

fn document_refusal(refusal: UploadRefusal) -> ApiError {
    let code = match refusal {
        UploadRefusal::Missing => ErrorCode::KycDocumentsMissing,
        UploadRefusal::TooMany => ErrorCode::KycTooManyDocuments,
        UploadRefusal::TooLarge => ErrorCode::KycDocumentTooLarge,
        UploadRefusal::TypeRefused => ErrorCode::KycDocumentTypeRefused,
    };
    ApiError::new(code).with_param("documents")
}

/// The file part of a verification request.
const DOCUMENTS: FileField = FileField {
    name: "documents",
    rules: DOCUMENT_RULES,
    refused: document_refusal,
};

pub(crate) fn kyc_of(state: &AppState) -> Result<&Kyc, ApiError> {
    state
        .kyc
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

#[derive(Serialize)]
pub struct DocumentView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl From<DocumentInfo> for DocumentView {
    fn from(document: DocumentInfo) -> Self {
        DocumentView {
            id: document.id,
            file_name: document.file_name,
            content_type: document.content_type,
            size_bytes: document.size_bytes,
        }
    }
}

#[derive(Serialize)]
pub struct RequestView {
    pub id: String,
    pub user_id: String,
    /// `verified` or `enhanced`.
    pub tier: &'static str,
    pub document_kind: &'static str,
    /// `pending`, `approved` or `rejected`.
    pub status: &'static str,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: String,
    pub reviewed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<DocumentView>>,
}

impl RequestView {
    fn of(request: KycRequest, documents: Option<Vec<DocumentInfo>>) -> RequestView {
        RequestView {
            id: request.id,
            user_id: request.user_id,
            tier: request.tier.code(),
            document_kind: request.document_kind.name(),
            status: request.status.name(),
            reason: request.reason,
            created_at: rfc3339_utc(request.created_at),
            reviewed_at: request.reviewed_at.map(rfc3339_utc),
            documents: documents.map(|documents| documents.into_iter().map(Into::into).collect()),
        }
    }
}

#[derive(Serialize)]
pub struct KycStatusView {
    /// The tier the wallet's limits use now.
    pub tier: &'static str,
    pub requests: Vec<RequestView>,
}

#[utoipa::path(get, path = "/api/v1/kyc", tag = "kyc", security(("bearer" = [])),
    responses((status = 200, description = "`{tier, requests:[{id, tier, document_kind, status, reason, created_at, reviewed_at}]}`")))]
pub(crate) async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<KycStatusView>, ApiError> {
    let (tier, requests) = kyc_of(&state)?
        .status(&user.user_id)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(KycStatusView {
        tier: tier.code(),
        requests: requests
            .into_iter()
            .map(|request| RequestView::of(request, None))
            .collect(),
    }))
}

/// Reads a verification request's multipart form, as both the API and the page send it.
pub(crate) async fn read_kyc_form(multipart: Multipart) -> Result<MultipartForm, ApiError> {
    read_multipart(multipart, &DOCUMENTS).await
}

/// Sends the form's documents for review at the form's tier.
pub(crate) async fn submit_form(
    kyc: &Kyc,
    user_id: &str,
    form: &MultipartForm,
) -> Result<KycRequest, ApiError> {
    let tier = KycTier::parse(form.text("tier").trim())
        .filter(|tier| *tier != KycTier::Unverified)
        .ok_or_else(|| ApiError::invalid_request("tier"))?;
    let kind = DocumentKind::parse(form.text("document_kind").trim())
        .ok_or_else(|| ApiError::invalid_request("document_kind"))?;
    kyc.submit(user_id, tier, kind, &form.uploads, unix_now())
        .await
        .map_err(kyc_error)
}

/// `POST /api/v1/kyc` (multipart: `tier`, `document_kind`, up to 3 `documents`).
#[utoipa::path(post, path = "/api/v1/kyc", tag = "kyc", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`tier` (`verified` or `enhanced`), `document_kind` (`id_card`, `passport`, `proof_of_address`), up to 3 `documents` (JPEG, PNG or PDF by content, 5 MB each)"),
    responses((status = 201, description = "The request, `pending`"),
        (status = 409, description = "`kyc_tier_not_higher` or `kyc_already_pending`", body = ErrorBody),
        (status = 413, description = "`kyc_document_too_large`", body = ErrorBody),
        (status = 415, description = "`kyc_document_type_refused`", body = ErrorBody)))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let kyc = kyc_of(&state)?;
    let form = read_kyc_form(multipart).await?;
    let request = submit_form(kyc, &user.user_id, &form).await?;
    Ok((StatusCode::CREATED, Json(RequestView::of(request, None))))
}

#[derive(Serialize)]
pub struct QueueView {
    pub data: Vec<RequestView>,
}

#[utoipa::path(get, path = "/api/v1/staff/kyc", tag = "staff", security(("bearer" = [])),
    responses((status = 200, description = "Pending requests, oldest first, with their documents (risk role)")))]
pub(crate) async fn queue(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Json<QueueView>, ApiError> {
    staff.require(StaffPermission::ReviewKyc)?;
    let queue = kyc_of(&state)?
        .queue()
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(QueueView {
        data: queue
            .into_iter()
            .map(|(request, documents)| RequestView::of(request, Some(documents)))
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/staff/kyc/{id}/approve", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The request")),
    responses((status = 200, description = "Approved: the user's tier is raised"),
        (status = 409, description = "`kyc_already_decided`", body = ErrorBody)))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<RequestView>, ApiError> {
    staff.require(StaffPermission::ReviewKyc)?;
    let request = kyc_of(&state)?
        .approve(&staff.staff_id, &id, unix_now())
        .await
        .map_err(kyc_error)?;
    Ok(Json(RequestView::of(request, None)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/staff/kyc/{id}/reject", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The request")),
    request_body(content_type = "application/json", description = "`{reason}`, which the user reads"),
    responses((status = 200, description = "Rejected"),
        (status = 400, description = "`reason_required`", body = ErrorBody),
        (status = 409, description = "`kyc_already_decided`", body = ErrorBody)))]
pub(crate) async fn reject(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<RequestView>, ApiError> {
    staff.require(StaffPermission::ReviewKyc)?;
    let request = kyc_of(&state)?
        .reject(&staff.staff_id, &id, &body.reason, unix_now())
        .await
        .map_err(kyc_error)?;
    Ok(Json(RequestView::of(request, None)))
}

#[utoipa::path(get, path = "/api/v1/staff/kyc/documents/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The document")),
    responses((status = 200, description = "The file, as an attachment (audited)")))]
pub(crate) async fn document(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    staff.require(StaffPermission::ReviewKyc)?;
    let (document, bytes) = kyc_of(&state)?
        .document_for_reviewer(&staff.staff_id, &id)
        .await
        .map_err(kyc_error)?;
    Ok(document_response(&document, bytes))
}
