//! Identity verification pages: `/wallet/verify`, where a user uploads documents and reads
//! where their requests stand, and `/staff/kyc`, the risk team's review queue.

use super::display::filters;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use domain::kyc::{DocumentKind, KycStatus};
use domain::limits::KycTier;
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::csrf::{CsrfBinding, CsrfForm};
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::session::PageSession;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::api::documents::document_response;
use crate::api::kyc::{KYC_BODY_MAX_BYTES, kyc_error, kyc_of, read_kyc_form, submit_form};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{ErrorText, KycText, Locale, StaffAdminText, error_text};
use crate::time::rfc3339_utc;

pub(crate) fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/wallet/verify", get(verify_page).post(verify_submit))
        .route_layer(DefaultBodyLimit::max(KYC_BODY_MAX_BYTES));
    Router::new()
        .merge(uploads)
        .route("/staff/kyc", get(review_queue))
        .route("/staff/kyc/{id}/approve", post(approve))
        .route("/staff/kyc/{id}/reject", post(reject))
        .route("/staff/kyc/documents/{id}", get(document))
}

pub(crate) fn tier_name(text: &'static KycText, tier: KycTier) -> &'static str {
    match tier {
        KycTier::Unverified => text.tier_unverified,
        KycTier::Verified => text.tier_verified,
        KycTier::Enhanced => text.tier_enhanced,
    }
}

fn kind_name(text: &'static KycText, kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdCard => text.kind_id_card,
        DocumentKind::Passport => text.kind_passport,
        DocumentKind::ProofOfAddress => text.kind_proof_of_address,
    }
}

// ---- /wallet/verify ----

struct RequestRow {
    created_at: String,
    tier: &'static str,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "kyc_verify.html")]
struct VerifyPage {
    layout: Layout,
    title: &'static str,
    text: &'static KycText,
    csrf_token: String,
    tier: &'static str,
    tier_code: &'static str,
    /// The tiers above the current one: (code, name).
    tiers_above: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    pending: bool,
    requests: Vec<RequestRow>,
    submitted: bool,
    error: Option<ErrorText>,
}

async fn render_verify(
    state: &AppState,
    locale: Locale,
    session: &PageSession,
    submitted: bool,
    error: Option<ApiError>,
) -> Response {
    let text = KycText::for_locale(locale);
    let kyc = match kyc_of(state) {
        Ok(kyc) => kyc,
        Err(error) => return error.into_response(),
    };
    let (tier, requests) = match kyc.status(&session.user.id).await {
        Ok(status) => status,
        Err(error) => return store_error(&error).into_response(),
    };
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &VerifyPage {
            layout: Layout::for_session(locale, Some(session)),
            title: text.title,
            text,
            csrf_token: session.csrf_token.clone(),
            tier: tier_name(text, tier),
            tier_code: tier.code(),
            tiers_above: KycTier::ALL
                .iter()
                .filter(|candidate| **candidate > tier)
                .map(|candidate| (candidate.code(), tier_name(text, *candidate)))
                .collect(),
            kinds: DocumentKind::ALL
                .into_iter()
                .map(|kind| (kind.name(), kind_name(text, kind)))
                .collect(),
            pending: requests
                .iter()
                .any(|request| request.status == KycStatus::Pending),
            requests: requests
                .into_iter()
                .map(|request| RequestRow {
                    created_at: rfc3339_utc(request.created_at),
                    tier: tier_name(text, request.tier),
                    kind: kind_name(text, request.document_kind),
                    status: match request.status {
                        KycStatus::Pending => text.status_pending,
                        KycStatus::Approved => text.status_approved,
                        KycStatus::Rejected => text.status_rejected,
                    },
                    status_code: request.status.name(),
                    reason: request.reason,
                })
                .collect(),
            submitted,
            error: error.as_ref().map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

#[derive(Deserialize)]
struct SentQuery {
    sent: Option<String>,
}

async fn verify_page(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    Query(query): Query<SentQuery>,
) -> Response {
    render_verify(&state, locale, &session, query.sent.is_some(), None).await
}

/// The upload form is multipart, so its CSRF token is checked here rather than by `CsrfForm`.
async fn verify_submit(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    binding: Option<Extension<CsrfBinding>>,
    multipart: Multipart,
) -> Response {
    let outcome = async {
        let kyc = kyc_of(&state)?;
        let form = read_kyc_form(multipart).await?;
        let token = form.text("csrf_token");
        let accepted = binding
            .is_some_and(|Extension(binding)| state.csrf_key.accepts(&binding, token.trim()));
        if !accepted {
            return Err(ApiError::new(ErrorCode::CsrfTokenInvalid));
        }
        submit_form(kyc, &session.user.id, &form).await
    }
    .await;
    match outcome {
        Ok(_) => see_other("/wallet/verify?sent=1"),
        Err(error) if error.code() == ErrorCode::CsrfTokenInvalid => error.into_response(),
        Err(error) => render_verify(&state, locale, &session, false, Some(error)).await,
    }
}

// ---- /staff/kyc ----

struct DocumentLink {
    id: String,
    file_name: String,
    size_kib: i64,
}

struct QueueRow {
    id: String,
    user_id: String,
    user_address: String,
    created_at: String,
    tier: &'static str,
    kind: &'static str,
    documents: Vec<DocumentLink>,
}

staff_page!(QueuePage);

#[derive(Template)]
#[template(path = "staff_kyc.html")]
struct QueuePage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    reason_label: &'static str,
    rows: Vec<QueueRow>,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn queue_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    notice: bool,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let text = KycText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::ReviewKyc,
        notice.then_some(admin.saved),
        error.as_ref(),
    );
    let rows = frame
        .load(async {
            let queue = (kyc_of(state)?.queue().await).map_err(|error| store_error(&error))?;
            let mut rows = Vec::with_capacity(queue.len());
            for (request, documents) in queue {
                let user = (state.accounts.profile(&request.user_id).await)
                    .map_err(|error| store_error(&error))?;
                let user_address = user
                    .and_then(|user| user.email.or(user.phone))
                    .unwrap_or_default();
                rows.push(QueueRow {
                    id: request.id,
                    user_id: request.user_id,
                    user_address,
                    created_at: rfc3339_utc(request.created_at),
                    tier: tier_name(text, request.tier),
                    kind: kind_name(text, request.document_kind),
                    documents: documents
                        .into_iter()
                        .map(|document| DocumentLink {
                            id: document.id,
                            file_name: document.file_name,
                            size_kib: (document.size_bytes + 1023) / 1024,
                        })
                        .collect(),
                });
            }
            Ok(rows)
        })
        .await?;
    let status = frame.status(error.as_ref());
    Ok(render_page(
        &QueuePage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            reason_label: admin.reason_label,
            rows,
        },
        status,
    ))
}

async fn review_queue(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    queue_page(&state, locale, &staff, query.done.is_some(), None).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn decide(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    id: &str,
    reject_reason: Option<&str>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::ReviewKyc) {
        return queue_page(state, locale, staff, false, None).await;
    }
    let decided = match kyc_of(state) {
        Ok(kyc) => match reject_reason {
            None => kyc.approve(&staff.staff_id, id, unix_now()).await,
            Some(reason) => kyc.reject(&staff.staff_id, id, reason, unix_now()).await,
        }
        .map_err(kyc_error),
        Err(error) => Err(error),
    };
    match decided {
        Ok(_) => Ok(see_other("/staff/kyc?done=1")),
        Err(error) => queue_page(state, locale, staff, false, Some(error)).await,
    }
}

async fn approve(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(ReasonForm { .. }): CsrfForm<ReasonForm>,
) -> Result<Response, ApiError> {
    decide(&state, locale, &staff, &id, None).await
}

async fn reject(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Result<Response, ApiError> {
    decide(&state, locale, &staff, &id, Some(&form.reason)).await
}

/// A document for the reviewer, downloaded (never shown inline); the viewing is audited.
async fn document(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::ReviewKyc) {
        return Err(ApiError::new(ErrorCode::StaffRoleForbidden));
    }
    let (document, bytes) = kyc_of(&state)?
        .document_for_reviewer(&staff.staff_id, &id)
        .await
        .map_err(kyc_error)?;
    Ok(document_response(&document, bytes))
}
