//! The admins' editors of what users are told about OKPay: announcements (`/staff/announcements`)
//! and contact channels (`/staff/channels`), over the support use cases the staff API uses.

use super::display::filters;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::staff::StaffPermission;
use domain::support::{
    Announcement, AnnouncementDraft, ChannelDraft, ChannelKind, EditError, Service,
};
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::layout::Layout;
use super::render_page;
use super::see_other;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{Locale, StaffAdminText, service_name};
use crate::time::rfc3339_utc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/announcements",
            get(announcements).post(announcement_create),
        )
        .route(
            "/staff/announcements/{id}",
            get(announcement_form).post(announcement_update),
        )
        .route("/staff/channels", get(channels).post(channel_save))
        .route("/staff/channels/{id}/delete", post(channel_delete))
}

fn edit_error(error: EditError) -> ApiError {
    match error {
        EditError::InvalidChannel(invalid) => ApiError::invalid_request(invalid.field),
        EditError::InvalidAnnouncement(invalid) => ApiError::invalid_request(invalid.field),
        EditError::VersionConflict => ApiError::new(ErrorCode::AnnouncementVersionConflict),
        EditError::NotFound => ApiError::new(ErrorCode::NotFound),
        EditError::Store(error) => store_error(&error),
    }
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
    edit: Option<String>,
}

// ---- announcements ----

/// The notice form's fields, as typed (so a refused form shows them again).
#[derive(Clone, Default)]
struct NoticeForm {
    version: i64,
    kind: String,
    severity: String,
    title_zh_cn: String,
    title_en: String,
    body_zh_cn: String,
    body_en: String,
    starts_at: String,
    ends_at: String,
    /// Checkboxes: one `services` field per ticked service.
    services: Vec<String>,
    withdrawn: Option<String>,
}

impl NoticeForm {
    fn of(notice: &Announcement) -> NoticeForm {
        NoticeForm {
            version: notice.version,
            kind: notice.kind.name().to_owned(),
            severity: notice.severity.name().to_owned(),
            title_zh_cn: notice.title_zh_cn.clone(),
            title_en: notice.title_en.clone(),
            body_zh_cn: notice.body_zh_cn.clone(),
            body_en: notice.body_en.clone(),
            starts_at: rfc3339_utc(notice.starts_at),
            ends_at: notice.ends_at.map(rfc3339_utc).unwrap_or_default(),
            services: notice
                .services
                .iter()
                .map(|service| service.name().to_owned())
                .collect(),
            withdrawn: notice.withdrawn.then(|| "yes".to_owned()),
        }
    }

    fn draft(&self) -> Result<AnnouncementDraft, ApiError> {
        let time = |text: &str, param: &'static str| {
            text.trim()
                .parse::<jiff::Timestamp>()
                .map(|timestamp| timestamp.as_second())
                .map_err(|_| ApiError::invalid_request(param))
        };
        Ok(AnnouncementDraft {
            kind: self.kind.clone(),
            severity: self.severity.clone(),
            title_zh_cn: self.title_zh_cn.clone(),
            title_en: self.title_en.clone(),
            body_zh_cn: self.body_zh_cn.clone(),
            body_en: self.body_en.clone(),
            starts_at: time(&self.starts_at, "starts_at")?,
            ends_at: Some(self.ends_at.trim())
                .filter(|text| !text.is_empty())
                .map(|text| time(text, "ends_at"))
                .transpose()?,
            services: self.services.clone(),
            withdrawn: self.withdrawn.is_some(),
        })
    }
}

struct NoticeRow {
    id: String,
    kind: String,
    severity: String,
    title: String,
    starts_at: String,
    ends_at: String,
    withdrawn: bool,
    version: i64,
}

/// One option of a select or checkbox list: (value, label, chosen).
type Choice = (&'static str, &'static str, bool);

staff_page!(NoticesPage, ChannelsPage);

#[derive(Template)]
#[template(path = "staff_announcements.html")]
struct NoticesPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    rows: Vec<NoticeRow>,
    /// `Some(id)` when editing that notice; else the form publishes a new one.
    editing: Option<String>,
    form: NoticeForm,
    kinds: Vec<Choice>,
    severities: Vec<Choice>,
    services: Vec<Choice>,
    history: Vec<NoticeRow>,
}

fn notice_row(notice: &Announcement, locale: Locale) -> NoticeRow {
    NoticeRow {
        id: notice.id.clone(),
        kind: notice.kind.name().to_owned(),
        severity: notice.severity.name().to_owned(),
        title: locale
            .pick(&notice.title_zh_cn, &notice.title_en)
            .to_owned(),
        starts_at: rfc3339_utc(notice.starts_at),
        ends_at: notice.ends_at.map(rfc3339_utc).unwrap_or_default(),
        withdrawn: notice.withdrawn,
        version: notice.version,
    }
}

async fn notices_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    saved: bool,
    editing: Option<String>,
    form: Option<NoticeForm>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::EditAnnouncements,
        saved.then_some(admin.saved),
        error.as_ref(),
    );
    let (recent, old, current) = frame
        .load(async {
            let recent = state
                .support
                .recent_announcements(50)
                .await
                .map_err(|error| store_error(&error))?;
            let mut history = Vec::new();
            let mut current = None;
            if let Some(id) = &editing {
                history = state
                    .support
                    .announcement_history(id)
                    .await
                    .map_err(|error| store_error(&error))?;
                current = state
                    .support
                    .announcement(id)
                    .await
                    .map_err(|error| store_error(&error))?;
                if current.is_none() {
                    return Err(ApiError::new(ErrorCode::NotFound));
                }
            }
            Ok((recent, history, current))
        })
        .await?;
    let rows = recent
        .iter()
        .map(|notice| notice_row(notice, locale))
        .collect();
    let history = old
        .iter()
        .map(|notice| notice_row(notice, locale))
        .collect();
    let form = form.or_else(|| current.as_ref().map(NoticeForm::of));
    let form = form.unwrap_or_else(|| NoticeForm {
        kind: "maintenance".into(),
        severity: "info".into(),
        starts_at: rfc3339_utc(unix_now()),
        ..NoticeForm::default()
    });
    let status = frame.status(error.as_ref());
    let kinds = vec![
        (
            "maintenance",
            admin.kind_maintenance,
            form.kind == "maintenance",
        ),
        ("incident", admin.kind_incident, form.kind == "incident"),
    ];
    let severities = vec![
        ("info", admin.severity_info, form.severity == "info"),
        (
            "degraded",
            admin.severity_degraded,
            form.severity == "degraded",
        ),
        ("outage", admin.severity_outage, form.severity == "outage"),
    ];
    let services = Service::ALL
        .iter()
        .map(|service| {
            (
                service.name(),
                service_name(*service, locale),
                form.services.iter().any(|chosen| chosen == service.name()),
            )
        })
        .collect();
    Ok(render_page(
        &NoticesPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            rows,
            editing,
            form,
            kinds,
            severities,
            services,
            history,
        },
        status,
    ))
}

async fn announcements(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    notices_page(
        &state,
        locale,
        &staff,
        query.saved.is_some(),
        None,
        None,
        None,
    )
    .await
}

async fn announcement_form(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    notices_page(
        &state,
        locale,
        &staff,
        query.saved.is_some(),
        Some(id),
        None,
        None,
    )
    .await
}

/// The checkboxes arrive as repeated `services` fields, which `serde_urlencoded` cannot put in
/// a struct's `Vec`; the form is read from its raw pairs instead.
fn notice_form_of(pairs: Vec<(String, String)>) -> NoticeForm {
    let mut form = NoticeForm::default();
    for (name, value) in pairs {
        match name.as_str() {
            "version" => form.version = value.trim().parse().unwrap_or_default(),
            "kind" => form.kind = value,
            "severity" => form.severity = value,
            "title_zh_cn" => form.title_zh_cn = value,
            "title_en" => form.title_en = value,
            "body_zh_cn" => form.body_zh_cn = value,
            "body_en" => form.body_en = value,
            "starts_at" => form.starts_at = value,
            "ends_at" => form.ends_at = value,
            "services" => form.services.push(value),
            "withdrawn" => form.withdrawn = Some(value),
            _ => {}
        }
    }
    form
}

async fn announcement_create(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let form = notice_form_of(pairs);
    if !staff.role.may(StaffPermission::EditAnnouncements) {
        return notices_page(&state, locale, &staff, false, None, None, None).await;
    }
    let created = match form.draft() {
        Ok(draft) => state
            .support
            .create_announcement(draft, &staff.staff_id, unix_now())
            .await
            .map_err(edit_error),
        Err(error) => Err(error),
    };
    match created {
        Ok(notice) => Ok(see_other(&format!(
            "/staff/announcements/{}?saved=1",
            notice.id
        ))),
        Err(error) => {
            notices_page(&state, locale, &staff, false, None, Some(form), Some(error)).await
        }
    }
}

async fn announcement_update(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let form = notice_form_of(pairs);
    if !staff.role.may(StaffPermission::EditAnnouncements) {
        return notices_page(&state, locale, &staff, false, None, None, None).await;
    }
    let updated = match form.draft() {
        Ok(draft) => state
            .support
            .update_announcement(&id, form.version, draft, &staff.staff_id, unix_now())
            .await
            .map_err(edit_error),
        Err(error) => Err(error),
    };
    match updated {
        Ok(notice) => Ok(see_other(&format!(
            "/staff/announcements/{}?saved=1",
            notice.id
        ))),
        Err(error) => {
            notices_page(
                &state,
                locale,
                &staff,
                false,
                Some(id),
                Some(form),
                Some(error),
            )
            .await
        }
    }
}

// ---- contact channels ----

#[derive(Clone, Default, Deserialize)]
struct ChannelForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    display: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    name_zh_cn: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    note_zh_cn: String,
    #[serde(default)]
    note_en: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    position: String,
    enabled: Option<String>,
}

struct ChannelRow {
    id: String,
    kind: &'static str,
    display: String,
    name: String,
    hours: String,
    enabled: bool,
}

#[derive(Template)]
#[template(path = "staff_channels.html")]
struct ChannelsPage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, notice and error; the template reads them through `Deref`.
    frame: StaffFrame,
    rows: Vec<ChannelRow>,
    form: ChannelForm,
    kinds: Vec<Choice>,
}

/// A channel kind in the reader's language; the form still posts the stable name.
fn kind_text(kind: ChannelKind, admin: &'static StaffAdminText) -> &'static str {
    match kind {
        ChannelKind::Hotline => admin.channel_kind_hotline,
        ChannelKind::Email => admin.channel_kind_email,
        ChannelKind::LiveChat => admin.channel_kind_live_chat,
        ChannelKind::Website => admin.channel_kind_website,
        ChannelKind::Social => admin.channel_kind_social,
    }
}

async fn channels_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    saved: bool,
    edit: Option<&str>,
    form: Option<ChannelForm>,
    error: Option<ApiError>,
) -> Result<Response, ApiError> {
    let admin = StaffAdminText::for_locale(locale);
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::EditContactChannels,
        saved.then_some(admin.saved),
        error.as_ref(),
    );
    let channels = frame
        .load(async { (state.support.all_channels().await).map_err(|error| store_error(&error)) })
        .await?;
    let mut shown = form;
    if shown.is_none()
        && let Some(channel) = edit.and_then(|id| channels.iter().find(|c| c.id == id))
    {
        shown = Some(ChannelForm {
            id: channel.id.clone(),
            kind: channel.kind.name().to_owned(),
            value: channel.value.clone(),
            display: channel.display.clone(),
            platform: channel.platform.clone().unwrap_or_default(),
            name_zh_cn: channel.name_zh_cn.clone(),
            name_en: channel.name_en.clone(),
            note_zh_cn: channel.note_zh_cn.clone(),
            note_en: channel.note_en.clone(),
            hours: channel.hours.to_string(),
            position: channel.position.to_string(),
            enabled: channel.enabled.then(|| "yes".to_owned()),
        });
    }
    let rows = channels
        .iter()
        .map(|channel| ChannelRow {
            id: channel.id.clone(),
            kind: kind_text(channel.kind, admin),
            display: channel.display.clone(),
            name: locale
                .pick(&channel.name_zh_cn, &channel.name_en)
                .to_owned(),
            hours: channel.hours.to_string(),
            enabled: channel.enabled,
        })
        .collect();
    let form = shown.unwrap_or_else(|| ChannelForm {
        kind: "hotline".into(),
        hours: "Asia/Shanghai mon-sun 09:00-21:00".into(),
        position: "0".into(),
        enabled: Some("yes".into()),
        ..ChannelForm::default()
    });
    let kinds = ChannelKind::ALL
        .iter()
        .map(|kind| {
            (
                kind.name(),
                kind_text(*kind, admin),
                form.kind == kind.name(),
            )
        })
        .collect();
    let status = frame.status(error.as_ref());
    Ok(render_page(
        &ChannelsPage {
            layout: Layout::for_staff(locale, staff),
            title: admin.title,
            frame,
            rows,
            form,
            kinds,
        },
        status,
    ))
}

async fn channels(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    channels_page(
        &state,
        locale,
        &staff,
        query.saved.is_some(),
        query.edit.as_deref(),
        None,
        None,
    )
    .await
}

async fn channel_save(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<ChannelForm>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::EditContactChannels) {
        return channels_page(&state, locale, &staff, false, None, None, None).await;
    }
    let optional = |text: &str| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
    let saved = match form.position.trim().parse::<i64>() {
        Ok(position) => {
            let draft = ChannelDraft {
                id: form.id.trim().to_owned(),
                kind: form.kind.clone(),
                value: form.value.clone(),
                display: optional(&form.display),
                platform: optional(&form.platform),
                name_zh_cn: form.name_zh_cn.clone(),
                name_en: form.name_en.clone(),
                note_zh_cn: form.note_zh_cn.clone(),
                note_en: form.note_en.clone(),
                hours: form.hours.clone(),
                position,
                enabled: form.enabled.is_some(),
            };
            state
                .support
                .save_channel(draft, &staff.staff_id, unix_now())
                .await
                .map_err(edit_error)
        }
        Err(_) => Err(ApiError::invalid_request("position")),
    };
    match saved {
        Ok(_) => Ok(see_other("/staff/channels?saved=1")),
        Err(error) => {
            channels_page(&state, locale, &staff, false, None, Some(form), Some(error)).await
        }
    }
}

#[derive(Deserialize)]
struct NoFields {}

async fn channel_delete(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    if !staff.role.may(StaffPermission::EditContactChannels) {
        return channels_page(&state, locale, &staff, false, None, None, None).await;
    }
    match state.support.delete_channel(&id, &staff.staff_id).await {
        Ok(()) => Ok(see_other("/staff/channels?saved=1")),
        Err(error) => {
            channels_page(
                &state,
                locale,
                &staff,
                false,
                None,
                None,
                Some(edit_error(error)),
            )
            .await
        }
    }
}
