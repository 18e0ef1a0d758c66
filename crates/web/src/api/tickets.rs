//! Tickets (工单) over JSON: the user's side (file with attachments, read, reply, rate) and the
//! agent's side (queue, claim/assign, reply, internal notes, status).

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::documents::{DocumentInfo, UploadRefusal};
use domain::staff::StaffPermission;
use domain::tickets::{
    ATTACHMENT_BYTES_MAX, ATTACHMENT_RULES, ATTACHMENTS_MAX, Category, NewTicket, QueueFilter,
    Ticket, TicketError, TicketMessage, TicketStatus, TicketThread, Tickets,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::auth::{CurrentUser, store_error, unix_now};
use crate::api::documents::{FileField, MultipartForm, document_response, read_multipart};
use crate::api::staff::StaffUser;
use crate::error::{ApiError, ErrorCode};
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

pub(crate) use crate::middleware::body_limit::UPLOAD_BODY_MAX_BYTES;

// The upload limit must hold the most attachments a request may carry.
const _: () = assert!(UPLOAD_BODY_MAX_BYTES >= ATTACHMENTS_MAX * ATTACHMENT_BYTES_MAX);

pub(crate) fn ticket_error(error: TicketError) -> ApiError {
    match error {
        TicketError::InvalidCategory => ApiError::invalid_request("category"),
        TicketError::InvalidStatus => ApiError::invalid_request("status"),
        TicketError::InvalidText(field) => ApiError::invalid_request(field),
        TicketError::Attachments(refusal) => attachment_refusal(refusal, "attachments"),
        TicketError::InvalidRating => ApiError::invalid_request("rating"),
        TicketError::NotSolved => ApiError::new(ErrorCode::TicketNotSolved),
        TicketError::AlreadyRated => ApiError::new(ErrorCode::TicketAlreadyRated),
        TicketError::NotFound => ApiError::new(ErrorCode::NotFound),
        TicketError::Store(error) => store_error(&error),
    }
}

/// A refusal of a ticket's attachments (or an appeal's documents, which share their codes),
/// naming the form's file field.
pub(crate) fn attachment_refusal(refusal: UploadRefusal, param: &'static str) -> ApiError {
    match refusal {
        UploadRefusal::Missing => ApiError::invalid_request(param),
        UploadRefusal::TooMany => ApiError::new(ErrorCode::TooManyAttachments).with_param(param),
        UploadRefusal::TooLarge => ApiError::new(ErrorCode::AttachmentTooLarge).with_param(param),
        UploadRefusal::TypeRefused => {
            ApiError::new(ErrorCode::AttachmentTypeRefused).with_param(param)
        }
    }
}

/// The file part of a ticket's form.
pub(crate) const ATTACHMENTS: FileField = FileField {
    name: "attachments",
    rules: ATTACHMENT_RULES,
    refused: |refusal| attachment_refusal(refusal, "attachments"),
};

/// Reads a ticket's multipart form, as both the API and the pages receive it.
pub(crate) async fn read_form(multipart: Multipart) -> Result<MultipartForm, ApiError> {
    read_multipart(multipart, &ATTACHMENTS).await
}

pub(crate) fn tickets_of(state: &AppState) -> Result<&Tickets, ApiError> {
    state
        .tickets
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

#[derive(Serialize)]
pub struct TicketView {
    pub id: String,
    pub category: &'static str,
    pub subject: String,
    pub description: String,
    pub transaction_id: Option<String>,
    pub status: &'static str,
    pub priority: i64,
    pub assignee: Option<String>,
    pub context: String,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub solved_at: Option<String>,
}

impl From<Ticket> for TicketView {
    fn from(ticket: Ticket) -> Self {
        TicketView {
            id: ticket.id,
            category: ticket.category.name(),
            subject: ticket.subject,
            description: ticket.description,
            transaction_id: ticket.transaction_id,
            status: ticket.status.name(),
            priority: ticket.priority,
            assignee: ticket.assignee,
            context: ticket.context,
            rating: ticket.rating,
            rating_comment: ticket.rating_comment,
            created_at: rfc3339_utc(ticket.created_at),
            updated_at: rfc3339_utc(ticket.updated_at),
            solved_at: ticket.solved_at.map(rfc3339_utc),
        }
    }
}

#[derive(Serialize)]
pub struct MessageView {
    pub id: String,
    /// `user` or `staff`.
    pub author: &'static str,
    pub body: String,
    /// Only ever true on the agent's side.
    pub internal: bool,
    pub created_at: String,
}

impl From<TicketMessage> for MessageView {
    fn from(message: TicketMessage) -> Self {
        MessageView {
            id: message.id,
            author: message.author_kind.name(),
            body: message.body,
            internal: message.internal,
            created_at: rfc3339_utc(message.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct AttachmentView {
    pub id: String,
    pub message_id: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl From<DocumentInfo> for AttachmentView {
    fn from(info: DocumentInfo) -> Self {
        AttachmentView {
            id: info.id,
            message_id: info.message_id,
            file_name: info.file_name,
            content_type: info.content_type,
            size_bytes: info.size_bytes,
        }
    }
}

#[derive(Serialize)]
pub struct ThreadView {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub messages: Vec<MessageView>,
    pub attachments: Vec<AttachmentView>,
}

impl From<TicketThread> for ThreadView {
    fn from(thread: TicketThread) -> Self {
        ThreadView {
            ticket: thread.ticket.into(),
            messages: thread.messages.into_iter().map(Into::into).collect(),
            attachments: thread.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize)]
pub struct TicketList {
    pub data: Vec<TicketView>,
}

/// `POST /api/v1/tickets` (multipart): files a ticket.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let tickets = tickets_of(&state)?;
    let form = read_form(multipart).await?;
    let request = NewTicket {
        category: form.text("category"),
        subject: form.text("subject"),
        description: form.text("description"),
        transaction_id: form.field("transaction_id").map(str::to_owned),
        context: String::new(),
        attachments: form.uploads,
    };
    let ticket = tickets
        .open(&user.user_id, request, unix_now())
        .await
        .map_err(ticket_error)?;
    let thread = tickets
        .user_thread(&user.user_id, &ticket.id)
        .await
        .map_err(ticket_error)?;
    Ok((StatusCode::CREATED, Json(thread.into())))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<TicketList>, ApiError> {
    let tickets = tickets_of(&state)?
        .list_for_user(&user.user_id)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(TicketList {
        data: tickets.into_iter().map(Into::into).collect(),
    }))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ThreadView>, ApiError> {
    let thread = tickets_of(&state)?
        .user_thread(&user.user_id, &id)
        .await
        .map_err(ticket_error)?;
    Ok(Json(thread.into()))
}

#[derive(Deserialize)]
pub struct ReplyBody {
    pub body: String,
    /// Agents only: a note other agents see and the user never does.
    #[serde(default)]
    pub internal: bool,
}

pub(crate) async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let message = tickets_of(&state)?
        .user_reply(&user.user_id, &id, &body.body, Vec::new(), unix_now())
        .await
        .map_err(ticket_error)?;
    Ok((StatusCode::CREATED, Json(message.into())))
}

#[derive(Deserialize)]
pub struct RatingBody {
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

pub(crate) async fn rate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Json<TicketView>, ApiError> {
    let ticket = tickets_of(&state)?
        .rate(&user.user_id, &id, body.rating, &body.comment, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(Json(ticket.into()))
}

pub(crate) async fn attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((_ticket, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (info, bytes) = tickets_of(&state)?
        .user_attachment(&user.user_id, &attachment)
        .await
        .map_err(ticket_error)?;
    Ok(document_response(&info, bytes))
}

// --- the agent's side ---

#[derive(Deserialize)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub assignee: Option<String>,
}

pub(crate) async fn staff_queue(
    State(state): State<AppState>,
    staff: StaffUser,
    Query(query): Query<QueueQuery>,
) -> Result<Json<TicketList>, ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    let filter = QueueFilter {
        status: match query.status.as_deref() {
            None | Some("") => None,
            Some(name) => {
                Some(TicketStatus::parse(name).ok_or(ApiError::invalid_request("status"))?)
            }
        },
        category: match query.category.as_deref() {
            None | Some("") => None,
            Some(name) => Some(Category::parse(name).ok_or(ApiError::invalid_request("category"))?),
        },
        assignee: query.assignee.filter(|assignee| !assignee.is_empty()),
    };
    let tickets = tickets_of(&state)?
        .queue(&filter)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(Json(TicketList {
        data: tickets.into_iter().map(Into::into).collect(),
    }))
}

pub(crate) async fn staff_show(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<ThreadView>, ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    let thread = tickets_of(&state)?
        .staff_thread(&staff.staff_id, &id)
        .await
        .map_err(ticket_error)?;
    Ok(Json(thread.into()))
}

pub(crate) async fn staff_claim(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    let ticket = tickets_of(&state)?
        .assign(&staff.staff_id, &id, &staff.staff_id, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(Json(ticket.into()))
}

#[derive(Deserialize)]
pub struct AssignBody {
    pub staff_id: String,
}

pub(crate) async fn staff_assign(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<TicketView>, ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    if !body.staff_id.starts_with("stf_") {
        return Err(ApiError::invalid_request("staff_id"));
    }
    let ticket = tickets_of(&state)?
        .assign(&staff.staff_id, &id, &body.staff_id, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(Json(ticket.into()))
}

pub(crate) async fn staff_reply(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    let message = tickets_of(&state)?
        .staff_reply(&staff.staff_id, &id, &body.body, body.internal, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok((StatusCode::CREATED, Json(message.into())))
}

#[derive(Deserialize)]
pub struct StatusBody {
    pub status: String,
}

pub(crate) async fn staff_status(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<TicketView>, ApiError> {
    staff.require(StaffPermission::HandleTickets)?;
    let ticket = tickets_of(&state)?
        .set_status(&staff.staff_id, &id, &body.status, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(Json(ticket.into()))
}
