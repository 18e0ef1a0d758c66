//! The public support pages: `/contact` (channels, hours, open now), `/official-check` (the
//! check and the scam-report form) and `/status` (services and announcements).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use domain::support::{
    Announcement, ChannelKind, ListedChannel, OfficialMatch, ReportError, ReportRequest,
    ServiceHours, ServiceState, Verdict,
};
use serde::Deserialize;

use super::csrf::{CsrfForm, CsrfToken};
use super::display::readable_instant;
use super::layout::Layout;
use super::session::MaybePageSession;
use crate::AppState;
use crate::api::support::{check_error, store_error, unix_now};
use crate::error::ApiError;
use crate::i18n::{
    ContactText, Locale, OfficialCheckText, StatusText, service_name, service_state_name,
    weekday_name,
};

fn render(page: impl Template) -> Result<Html<String>, ApiError> {
    page.render()
        .map(Html)
        .map_err(|cause| ApiError::internal(&cause))
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    title: &'static str,
    text: &'static ContactText,
    groups: Vec<ChannelGroup>,
    self_help: &'static crate::i18n::SelfHelpText,
}

struct ChannelGroup {
    title: &'static str,
    channels: Vec<ChannelCard>,
}

struct ChannelCard {
    id: String,
    name: String,
    display: String,
    href: Option<String>,
    note: String,
    open_now: bool,
    always: bool,
    /// "Closes at" / "Opens at" and when, if it changes in the coming week.
    change: Option<(&'static str, String)>,
    time_zone: String,
    days: Vec<(&'static str, String)>,
}

fn channel_card(listed: &ListedChannel, locale: Locale, text: &ContactText) -> ChannelCard {
    let channel = &listed.channel;
    let href = match channel.kind {
        ChannelKind::Hotline => Some(format!("tel:{}", channel.value)),
        ChannelKind::Email => Some(format!("mailto:{}", channel.value)),
        ChannelKind::LiveChat => Some(channel.value.clone()),
        ChannelKind::Website => Some(format!("https://{}", channel.value)),
        ChannelKind::Social => None,
    };
    let change = listed.openness.next_change_at.map(|at| {
        let label = if listed.openness.open_now {
            text.closes_at
        } else {
            text.opens_at
        };
        (label, readable_instant(at))
    });
    ChannelCard {
        id: channel.id.clone(),
        name: locale.pick(&channel.name_zh_cn, &channel.name_en).clone(),
        display: channel.display.clone(),
        href,
        note: locale.pick(&channel.note_zh_cn, &channel.note_en).clone(),
        open_now: listed.openness.open_now,
        always: matches!(channel.hours, ServiceHours::Always),
        change,
        time_zone: channel
            .hours
            .time_zone_name()
            .unwrap_or_default()
            .to_owned(),
        days: channel
            .hours
            .weekly()
            .into_iter()
            .map(|(day, periods)| {
                let periods = if periods.is_empty() {
                    text.closed_all_day.to_owned()
                } else {
                    periods
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                (weekday_name(day, locale), periods)
            })
            .collect(),
    }
}

pub(crate) async fn contact(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
) -> Result<Html<String>, ApiError> {
    let text = ContactText::for_locale(locale);
    let channels = state
        .support
        .contact_channels(unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    let groups = [
        (ChannelKind::Hotline, text.group_hotline),
        (ChannelKind::Email, text.group_email),
        (ChannelKind::LiveChat, text.group_live_chat),
        (ChannelKind::Website, text.group_website),
        (ChannelKind::Social, text.group_social),
    ]
    .into_iter()
    .map(|(kind, title)| ChannelGroup {
        title,
        channels: channels
            .iter()
            .filter(|listed| listed.channel.kind == kind)
            .map(|listed| channel_card(listed, locale, text))
            .collect(),
    })
    .filter(|group| !group.channels.is_empty())
    .collect();
    render(ContactPage {
        layout: Layout::for_session(locale, session.0.as_ref()),
        title: text.title,
        text,
        groups,
        self_help: crate::i18n::SelfHelpText::for_locale(locale),
    })
}

#[derive(Template)]
#[template(path = "official_check.html")]
struct CheckPage {
    layout: Layout,
    title: &'static str,
    text: &'static OfficialCheckText,
    value: String,
    error: Option<&'static str>,
    result: Option<CheckResult>,
    report_value: String,
    report_note: String,
    /// `(css class, message)` after a report was sent or refused.
    report_message: Option<(&'static str, &'static str)>,
    csrf_token: String,
}

struct CheckResult {
    /// `official`, `reported_scam`, `confirmed_scam`, `lookalike` or `not_ours`: the CSS class
    /// and the test hook.
    verdict: &'static str,
    heading: &'static str,
    kind: &'static str,
    normalized: String,
    lines: Vec<String>,
    is_official: bool,
}

fn check_result(
    check: &domain::support::OfficialCheck,
    text: &OfficialCheckText,
    locale: Locale,
) -> CheckResult {
    let kind = match check.value.kind {
        domain::support::ValueKind::Phone => text.kind_phone,
        domain::support::ValueKind::Email => text.kind_email,
        domain::support::ValueKind::Url => text.kind_url,
        domain::support::ValueKind::Account => text.kind_account,
    };
    let mut lines = Vec::new();
    let (verdict, heading) = match check.verdict {
        Verdict::Official => {
            if let Some(channel) = &check.channel {
                let name = locale.pick(&channel.name_zh_cn, &channel.name_en);
                if check.matched == Some(OfficialMatch::Domain) {
                    lines.push(text.official_domain_body.to_owned());
                } else {
                    lines.push(format!(
                        "{} {name} · {}",
                        text.official_body, channel.display
                    ));
                }
            }
            lines.push(text.official_warning.to_owned());
            ("official", text.official_title)
        }
        Verdict::ReportedScam if check.reports.confirmed > 0 => {
            lines.push(text.confirmed_body.to_owned());
            ("confirmed_scam", text.confirmed_title)
        }
        Verdict::ReportedScam => {
            lines.push(format!(
                "{} {}",
                text.reported_body,
                check.reports.pending + check.reports.confirmed
            ));
            ("reported_scam", text.reported_title)
        }
        Verdict::Lookalike => {
            lines.push(text.lookalike_body.to_owned());
            ("lookalike", text.lookalike_title)
        }
        Verdict::NotOurs => {
            lines.push(text.not_ours_body.to_owned());
            ("not_ours", text.not_ours_title)
        }
    };
    if let Some(brand) = &check.resembles {
        lines.push(format!("{} {brand}", text.resembles));
    }
    CheckResult {
        verdict,
        heading,
        kind,
        normalized: check.value.exact.clone(),
        lines,
        is_official: check.verdict == Verdict::Official,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CheckForm {
    value: Option<String>,
}

impl CheckPage {
    fn empty(locale: Locale, session: &MaybePageSession, csrf_token: String) -> Self {
        let text = OfficialCheckText::for_locale(locale);
        CheckPage {
            layout: Layout::for_session(locale, session.0.as_ref()),
            title: text.title,
            text,
            value: String::new(),
            error: None,
            result: None,
            report_value: String::new(),
            report_note: String::new(),
            report_message: None,
            csrf_token,
        }
    }
}

pub(crate) async fn official_check(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    Query(form): Query<CheckForm>,
) -> Result<Html<String>, ApiError> {
    let mut page = CheckPage::empty(locale, &session, csrf_token);
    let value = form.value.unwrap_or_default();
    if !value.trim().is_empty() {
        match state.support.check(&value).await {
            Ok(check) => {
                page.result = Some(check_result(&check, page.text, locale));
                if check.verdict != Verdict::Official {
                    page.report_value = value.trim().to_owned();
                }
            }
            Err(domain::support::CheckError::Invalid(_)) => {
                page.error = Some(page.text.invalid_value)
            }
            Err(error) => return Err(check_error(error)),
        }
    }
    page.value = value;
    render(page)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReportForm {
    value: String,
    #[serde(default)]
    note: String,
}

/// The report form; a signed-in reporter is recorded with the report.
pub(crate) async fn report_scam(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
    CsrfToken(csrf_token): CsrfToken,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Html<String>, ApiError> {
    let reporter = session.0.as_ref().map(|session| session.user.id.clone());
    let mut page = CheckPage::empty(locale, &session, csrf_token);
    let request = ReportRequest {
        value: form.value.clone(),
        note: form.note.clone(),
        reporter,
    };
    page.report_message = match state.support.report_scam(request, unix_now()).await {
        Ok(_) => Some(("success", page.text.report_thanks)),
        Err(error) => {
            page.report_value = form.value;
            page.report_note = form.note;
            Some((
                "problem",
                match error {
                    ReportError::Invalid(_) => page.text.invalid_value,
                    ReportError::NoteTooLong => page.text.note_too_long,
                    ReportError::Official => page.text.report_official,
                    ReportError::Store(error) => return Err(store_error(&error)),
                },
            ))
        }
    };
    render(page)
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    title: &'static str,
    text: &'static StatusText,
    all_operational: bool,
    services: Vec<ServiceRow>,
    sections: Vec<NoticeSection>,
}

/// Active, upcoming or recent notices, with the heading and the line shown when there are none.
struct NoticeSection {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    notices: Vec<NoticeCard>,
}

struct ServiceRow {
    id: &'static str,
    name: &'static str,
    state: &'static str,
    state_name: &'static str,
}

struct NoticeCard {
    id: String,
    severity: &'static str,
    title: String,
    body: String,
    from: String,
    until: String,
    affects: String,
}

fn notice_card(notice: &Announcement, locale: Locale, text: &StatusText) -> NoticeCard {
    NoticeCard {
        id: notice.id.clone(),
        severity: notice.severity.name(),
        title: locale.pick(&notice.title_zh_cn, &notice.title_en).clone(),
        body: locale.pick(&notice.body_zh_cn, &notice.body_en).clone(),
        from: readable_instant(notice.starts_at),
        until: notice
            .ends_at
            .map_or_else(|| text.until_unknown.to_owned(), readable_instant),
        affects: notice
            .services
            .iter()
            .map(|service| service_name(*service, locale))
            .collect::<Vec<_>>()
            .join(locale.pick("、", ", ")),
    }
}

pub(crate) async fn status(
    State(state): State<AppState>,
    locale: Locale,
    session: MaybePageSession,
) -> Result<Html<String>, ApiError> {
    let text = StatusText::for_locale(locale);
    let board = state
        .support
        .status_board(unix_now())
        .await
        .map_err(|error| store_error(&error))?;
    let section = |id, heading, empty, notices: &[Announcement]| NoticeSection {
        id,
        heading,
        empty,
        notices: notices
            .iter()
            .map(|notice| notice_card(notice, locale, text))
            .collect(),
    };
    render(StatusPage {
        layout: Layout::for_session(locale, session.0.as_ref()),
        title: text.title,
        text,
        all_operational: board
            .services
            .iter()
            .all(|(_, state)| *state == ServiceState::Operational),
        services: board
            .services
            .iter()
            .map(|(service, state)| ServiceRow {
                id: service.name(),
                name: service_name(*service, locale),
                state: state.name(),
                state_name: service_state_name(*state, locale),
            })
            .collect(),
        sections: vec![
            section(
                "active",
                text.active_heading,
                text.none_active,
                &board.active,
            ),
            section(
                "upcoming",
                text.upcoming_heading,
                text.none_upcoming,
                &board.upcoming,
            ),
            section(
                "recent",
                text.recent_heading,
                text.none_recent,
                &board.recent,
            ),
        ],
    })
}
