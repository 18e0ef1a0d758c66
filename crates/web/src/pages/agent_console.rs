//! The agent console (`/staff/tickets`, agent role): queues by status and category with response-time targets, a ticket's thread with replies, internal notes, canned replies, claim/assign and status, and the audited customer panel beside it.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::identity::UserStatus;
use domain::records::{TransactionFilter, TransactionRecord, TransactionStatus};
use domain::staff::{StaffPermission, StaffStatus};
use domain::ticket_sla::{SlaClock, SlaPolicy, SlaState, console_order, sla_state};
use domain::tickets::{AuthorKind, Category, QueueFilter, SlaInputs, Ticket, TicketStatus};
use domain::wallet::RecordPage;
use ledger::Currency;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::display::readable_instant;
use super::layout::Layout;
use super::render_page;
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::staff_page::staff_page;
use super::tickets::{AttachmentRow, MessageRow, attachment_rows, context_text, see_other};
use crate::AppState;
use crate::api::auth::{store_error, unix_now};
use crate::api::documents::document_response;
use crate::api::tickets::{ticket_error, tickets_of};
use crate::api::wallet::wallet_error;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{
    CANNED_REPLIES, ConsoleText, Locale, agent_status_name, ticket_category_name, wallet_code_name,
};

staff_page!(QueuePage, TicketPage);

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets", get(queue))
        .route("/staff/tickets/{id}", get(ticket))
        .route("/staff/tickets/{id}/claim", post(claim))
        .route("/staff/tickets/{id}/assign", post(assign))
        .route("/staff/tickets/{id}/reply", post(reply))
        .route("/staff/tickets/{id}/status", post(set_status))
        .route(
            "/staff/tickets/{id}/attachments/{attachment}",
            get(attachment),
        )
}

fn require_agent(staff: &StaffPage) -> Result<(), ApiError> {
    if staff.role.may(StaffPermission::HandleTickets) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::StaffRoleForbidden))
    }
}

/// The staff as the console names them: every member's display name by id, and the active
/// members who handle tickets (whom a ticket may be assigned to), ordered by name.
struct StaffNames {
    names: HashMap<String, String>,
    agents: Vec<(String, String)>,
}

impl StaffNames {
    async fn load(state: &AppState) -> Result<StaffNames, ApiError> {
        let members = state
            .security
            .staff_members()
            .await
            .map_err(|error| store_error(&error))?;
        let agents = members
            .iter()
            .filter(|member| {
                member.status == StaffStatus::Active
                    && member.role.may(StaffPermission::HandleTickets)
            })
            .map(|member| (member.id.clone(), member.display_name().to_owned()))
            .collect();
        let names = members
            .into_iter()
            .map(|member| (member.id.clone(), member.display_name().to_owned()))
            .collect();
        Ok(StaffNames { names, agents })
    }

    /// The assignee's name; an id no longer on file is shown as it is rather than hidden.
    fn assignee(&self, assignee: Option<&str>, text: &ConsoleText) -> String {
        match assignee {
            None => text.unassigned.to_owned(),
            Some(id) => self.names.get(id).cloned().unwrap_or_else(|| id.to_owned()),
        }
    }
}

/// Seconds as `3 h 20 min`, negative as `-…` (overdue).
fn duration_text(seconds: i64, text: &ConsoleText) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let minutes = seconds.abs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    if h > 0 {
        format!("{sign}{h} {} {m} {}", text.hours, text.minutes)
    } else {
        format!("{sign}{m} {}", text.minutes)
    }
}

/// How a ticket stands against its target, as the console shows it.
struct SlaView {
    /// `breached`, `at_risk`, `on_track`, `paused` or `stopped`: the row's CSS class and test
    /// hook.
    state: &'static str,
    label: &'static str,
    target_hours: i64,
    due: String,
    left: String,
}

fn sla_view(ticket: &Ticket, state: &SlaState, text: &'static ConsoleText) -> SlaView {
    let (class, label) = match state.clock {
        SlaClock::Stopped => ("stopped", text.stopped),
        SlaClock::PausedOnUser => ("paused", text.paused),
        SlaClock::Running if state.breached => ("breached", text.breached),
        SlaClock::Running if state.at_risk => ("at_risk", text.at_risk),
        SlaClock::Running => ("on_track", text.on_track),
    };
    SlaView {
        state: class,
        label,
        target_hours: SlaPolicy::for_category(ticket.category).target_hours(),
        due: state.due_at.map(readable_instant).unwrap_or_default(),
        left: if state.clock == SlaClock::Running {
            duration_text(state.remaining_s, text)
        } else {
            String::new()
        },
    }
}

struct QueueRow {
    id: String,
    subject: String,
    category: &'static str,
    status_name: &'static str,
    priority: i64,
    assignee: String,
    sla: SlaView,
}

/// A queue tab: its link, its name, how many tickets it holds, whether it is chosen.
struct Tab {
    href: String,
    label: &'static str,
    count: usize,
    current: bool,
}

#[derive(Template)]
#[template(path = "agent_queue.html")]
struct QueuePage {
    layout: Layout,
    title: &'static str,
    /// The staff navigation, as every back-office page has it; the template reads it through
    /// `Deref`.
    frame: StaffFrame,
    text: &'static ConsoleText,
    status_tabs: Vec<Tab>,
    category_tabs: Vec<Tab>,
    mine: bool,
    breached: usize,
    at_risk: usize,
    rows: Vec<QueueRow>,
}

#[derive(Deserialize)]
struct QueueQuery {
    status: Option<String>,
    category: Option<String>,
    mine: Option<String>,
}

fn queue_href(status: &str, category: &str, mine: bool) -> String {
    let mut parts = Vec::new();
    if !status.is_empty() {
        parts.push(format!("status={status}"));
    }
    if !category.is_empty() {
        parts.push(format!("category={category}"));
    }
    if mine {
        parts.push("mine=1".to_owned());
    }
    if parts.is_empty() {
        "/staff/tickets".to_owned()
    } else {
        format!("/staff/tickets?{}", parts.join("&"))
    }
}

async fn queue(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<QueueQuery>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let text = ConsoleText::for_locale(locale);
    let tickets = tickets_of(&state)?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(TicketStatus::parse(name).ok_or(ApiError::invalid_request("status"))?),
    };
    let category = match query.category.as_deref() {
        None | Some("") => None,
        Some(name) => Some(Category::parse(name).ok_or(ApiError::invalid_request("category"))?),
    };
    let mine = query.mine.is_some_and(|m| !m.is_empty());
    let all = tickets
        .queue(&QueueFilter {
            assignee: mine.then(|| staff.staff_id.clone()),
            ..QueueFilter::default()
        })
        .await
        .map_err(|error| store_error(&error))?;
    // With no status chosen the queue is everything still to do: solved tickets have a tab.
    let in_status = |ticket: &Ticket| match status {
        Some(status) => ticket.status == status,
        None => ticket.status != TicketStatus::Solved,
    };
    let status_name = status.map_or("", TicketStatus::name);
    let category_name_chosen = category.map_or("", Category::name);
    let mut status_tabs = vec![Tab {
        href: queue_href("", category_name_chosen, mine),
        label: text.all,
        count: all
            .iter()
            .filter(|t| t.status != TicketStatus::Solved)
            .filter(|t| category.is_none_or(|c| t.category == c))
            .count(),
        current: status.is_none(),
    }];
    status_tabs.extend(TicketStatus::ALL.into_iter().map(|s| {
        Tab {
            href: queue_href(s.name(), category_name_chosen, mine),
            label: agent_status_name(s, locale),
            count: all
                .iter()
                .filter(|t| t.status == s)
                .filter(|t| category.is_none_or(|c| t.category == c))
                .count(),
            current: status == Some(s),
        }
    }));
    let mut category_tabs = vec![Tab {
        href: queue_href(status_name, "", mine),
        label: text.all,
        count: all.iter().filter(|t| in_status(t)).count(),
        current: category.is_none(),
    }];
    category_tabs.extend(Category::ALL.into_iter().map(|c| {
        Tab {
            href: queue_href(status_name, c.name(), mine),
            label: ticket_category_name(c, locale),
            count: all
                .iter()
                .filter(|t| in_status(t) && t.category == c)
                .count(),
            current: category == Some(c),
        }
    }));
    let now = unix_now();
    let mut rows = Vec::new();
    for ticket in all
        .into_iter()
        .filter(|t| in_status(t) && category.is_none_or(|c| t.category == c))
    {
        let inputs = tickets
            .sla_inputs(&ticket.id)
            .await
            .map_err(|error| store_error(&error))?;
        let sla = sla_state(&ticket, &inputs, now);
        rows.push((ticket, sla));
    }
    rows.sort_by(console_order);
    let staff_names = StaffNames::load(&state).await?;
    let breached = rows.iter().filter(|(_, sla)| sla.breached).count();
    let at_risk = rows.iter().filter(|(_, sla)| sla.at_risk).count();
    let rows = rows
        .iter()
        .map(|(ticket, sla)| QueueRow {
            id: ticket.id.clone(),
            subject: ticket.subject.clone(),
            category: ticket_category_name(ticket.category, locale),
            status_name: agent_status_name(ticket.status, locale),
            priority: ticket.priority,
            assignee: staff_names.assignee(ticket.assignee.as_deref(), text),
            sla: sla_view(ticket, sla, text),
        })
        .collect();
    Ok(render_page(
        &QueuePage {
            layout: Layout::for_staff(locale, &staff),
            title: text.title,
            frame: StaffFrame::checked(locale, &staff),
            text,
            status_tabs,
            category_tabs,
            mine,
            breached,
            at_risk,
            rows,
        },
        StatusCode::OK,
    ))
}

// ---- one ticket ----

struct RecordRow {
    id: String,
    kind: String,
    status: String,
    amount: String,
    at: String,
    reason: String,
}

fn record_row(record: &TransactionRecord, locale: Locale) -> RecordRow {
    RecordRow {
        id: record.id.clone(),
        kind: wallet_code_name(record.kind.code(), locale),
        status: wallet_code_name(record.status().code(), locale),
        amount: super::display::money_text(record.amount, record.currency),
        at: readable_instant(record.created_at),
        reason: record
            .failure_reason
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
    }
}

/// What the agent sees of the customer beside the ticket.
struct CustomerPanel {
    user_id: String,
    /// "E-mail" or "Mobile number", whichever the address is.
    address_label: &'static str,
    address: String,
    frozen: bool,
    /// The lock in force: until when, and how many failures caused it.
    lock: Option<(String, i64)>,
    /// `(when, what, by whom, why)`.
    events: Vec<(String, String, String, String)>,
    kyc_tier: String,
    limits: Vec<(String, String, String)>,
    recent: Vec<RecordRow>,
    failures: Vec<RecordRow>,
    open_tickets: Vec<(String, String, &'static str)>,
}

async fn customer_panel(
    state: &AppState,
    staff_id: &str,
    ticket: &Ticket,
    locale: Locale,
    staff_names: &StaffNames,
) -> Result<CustomerPanel, ApiError> {
    let text = ConsoleText::for_locale(locale);
    let tickets = tickets_of(state)?;
    let now = unix_now();
    let user_id = ticket.user_id.as_str();
    // The view is recorded before anything is shown.
    tickets
        .customer_viewed(staff_id, user_id, &ticket.id)
        .await
        .map_err(|error| store_error(&error))?;
    let user = state
        .accounts
        .profile(user_id)
        .await
        .map_err(|error| store_error(&error))?;
    let account = tickets
        .account_state(user_id, now)
        .await
        .map_err(ticket_error)?;
    let events = tickets
        .account_events(user_id)
        .await
        .map_err(|error| store_error(&error))?
        .into_iter()
        .map(|event| {
            (
                readable_instant(event.at),
                event.action,
                // A staff actor by name; the user or the system as recorded.
                staff_names
                    .names
                    .get(&event.actor)
                    .cloned()
                    .unwrap_or(event.actor),
                event.detail,
            )
        })
        .collect();
    let (mut kyc_tier, mut limits, mut recent, mut failures) =
        (String::new(), Vec::new(), Vec::new(), Vec::new());
    if let Some(wallet) = state.wallet.as_ref() {
        let (tier, remaining) = wallet
            .limits(user_id, Currency::Cny)
            .await
            .map_err(wallet_error)?;
        kyc_tier = super::kyc::tier_name(crate::i18n::KycText::for_locale(locale), tier).to_owned();
        limits = remaining
            .iter()
            .map(|r| {
                (
                    wallet_code_name(r.kind.code(), locale),
                    super::display::money_text(r.daily_left, Currency::Cny),
                    super::display::money_text(r.monthly_left, Currency::Cny),
                )
            })
            .collect();
        let page = |status| RecordPage {
            filter: TransactionFilter {
                status,
                ..TransactionFilter::default()
            },
            after: None,
            limit: 10,
        };
        recent = wallet
            .records(user_id, &page(None))
            .await
            .map_err(wallet_error)?
            .iter()
            .map(|record| record_row(record, locale))
            .collect();
        for status in [TransactionStatus::Failed, TransactionStatus::Rejected] {
            failures.extend(
                wallet
                    .records(user_id, &page(Some(status)))
                    .await
                    .map_err(wallet_error)?
                    .iter()
                    .map(|record| record_row(record, locale)),
            );
        }
    }
    let open_tickets = tickets
        .list_for_user(user_id)
        .await
        .map_err(|error| store_error(&error))?
        .into_iter()
        .filter(|t| t.status != TicketStatus::Solved && t.id != ticket.id)
        .map(|t| (t.id, t.subject, agent_status_name(t.status, locale)))
        .collect();
    Ok(CustomerPanel {
        user_id: user_id.to_owned(),
        address_label: match user.as_ref().and_then(|u| u.email.as_ref()) {
            Some(_) => text.panel_email,
            None => text.panel_phone,
        },
        address: user
            .as_ref()
            .and_then(|u| u.email.clone().or(u.phone.clone()))
            .unwrap_or_default(),
        frozen: account.status == UserStatus::Frozen,
        lock: account.active_lock.map(|lock| {
            let domain::identity::LockReason::TooManyFailures { failures, .. } = lock.reason;
            (readable_instant(lock.until), i64::from(failures))
        }),
        events,
        kyc_tier,
        limits,
        recent,
        failures,
        open_tickets,
    })
}

struct StatusOption {
    name: &'static str,
    label: &'static str,
    selected: bool,
}

struct CannedOption {
    id: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "agent_ticket.html")]
struct TicketPage {
    layout: Layout,
    title: &'static str,
    text: &'static ConsoleText,
    /// The staff navigation, the form token and the notice of a change just made; the template
    /// reads them through `Deref`.
    frame: StaffFrame,
    id: String,
    subject: String,
    category: &'static str,
    status_name: &'static str,
    priority: i64,
    assignee: String,
    /// `(staff id, name)` of the active agents the ticket may be handed to, its assignee left out.
    agents: Vec<(String, String)>,
    mine: bool,
    sla: SlaView,
    description: String,
    created_at: String,
    transaction_id: Option<String>,
    context: String,
    messages: Vec<MessageRow>,
    attachments: Vec<AttachmentRow>,
    statuses: Vec<StatusOption>,
    canned: Vec<CannedOption>,
    draft: String,
    rating: Option<(i64, String)>,
    panel: CustomerPanel,
}

#[derive(Deserialize)]
struct TicketQuery {
    canned: Option<String>,
    done: Option<String>,
}

async fn ticket(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Path(id): Path<String>,
    Query(query): Query<TicketQuery>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let text = ConsoleText::for_locale(locale);
    let tickets = tickets_of(&state)?;
    let thread = tickets
        .staff_thread(&staff.staff_id, &id)
        .await
        .map_err(ticket_error)?;
    let staff_names = StaffNames::load(&state).await?;
    let panel = customer_panel(
        &state,
        &staff.staff_id,
        &thread.ticket,
        locale,
        &staff_names,
    )
    .await?;
    let ticket = &thread.ticket;
    let inputs = SlaInputs {
        messages: thread.messages.clone(),
        status_changes: tickets
            .status_changes(&ticket.id)
            .await
            .map_err(|error| store_error(&error))?,
    };
    let sla = sla_state(ticket, &inputs, unix_now());
    let user_locale = state
        .accounts
        .profile(&ticket.user_id)
        .await
        .map_err(|error| store_error(&error))?
        .and_then(|user| Locale::from_tag(&user.locale))
        .unwrap_or(Locale::ZhCn);
    // A canned reply is put into the reply box in the customer's language.
    let draft = query
        .canned
        .as_deref()
        .and_then(|id| CANNED_REPLIES.iter().find(|c| c.id == id))
        .map(|c| user_locale.pick(c.body_zh, c.body_en).to_owned())
        .unwrap_or_default();
    let mut frame = StaffFrame::checked(locale, &staff);
    frame.notice = query.done.map(|_| text.done);
    let page = TicketPage {
        layout: Layout::for_staff(locale, &staff),
        title: text.title,
        text,
        frame,
        id: ticket.id.clone(),
        subject: ticket.subject.clone(),
        category: ticket_category_name(ticket.category, locale),
        status_name: agent_status_name(ticket.status, locale),
        priority: ticket.priority,
        assignee: staff_names.assignee(ticket.assignee.as_deref(), text),
        agents: staff_names
            .agents
            .into_iter()
            .filter(|(id, _)| ticket.assignee.as_deref() != Some(id.as_str()))
            .collect(),
        mine: ticket.assignee.as_deref() == Some(staff.staff_id.as_str()),
        sla: sla_view(ticket, &sla, text),
        description: ticket.description.clone(),
        created_at: readable_instant(ticket.created_at),
        transaction_id: ticket.transaction_id.clone(),
        context: context_text(&ticket.context),
        messages: thread
            .messages
            .iter()
            .map(|message| {
                let staff = message.author_kind == AuthorKind::Staff;
                MessageRow {
                    author: if staff { text.staff } else { text.user },
                    staff,
                    internal: message.internal,
                    body: message.body.clone(),
                    at: readable_instant(message.created_at),
                }
            })
            .collect(),
        attachments: attachment_rows(&thread, &format!("/staff/tickets/{}", ticket.id)),
        statuses: TicketStatus::ALL
            .into_iter()
            .map(|s| StatusOption {
                name: s.name(),
                label: agent_status_name(s, locale),
                selected: s == ticket.status,
            })
            .collect(),
        canned: CANNED_REPLIES
            .iter()
            .map(|c| CannedOption {
                id: c.id,
                label: format!("{} / {}", c.name_zh, c.name_en),
            })
            .collect(),
        draft,
        rating: ticket
            .rating
            .map(|r| (r, ticket.rating_comment.clone().unwrap_or_default())),
        panel,
    };
    Ok(render_page(&page, StatusCode::OK))
}

fn back_to(id: &str) -> Response {
    // Ids come from the domain's answer, never from the request path as typed.
    see_other(&format!("/staff/tickets/{id}?done=1"))
}

#[derive(Deserialize)]
struct NoFields {}

async fn claim(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let ticket = tickets_of(&state)?
        .assign(&staff.staff_id, &id, &staff.staff_id, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(back_to(&ticket.id))
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    staff_id: String,
}

async fn assign(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let assignee = form.staff_id.trim();
    // Only someone who can work the ticket may be handed it: an active member who handles
    // tickets, as the form's list offers.
    let agents = StaffNames::load(&state).await?.agents;
    if !agents.iter().any(|(id, _)| id == assignee) {
        return Err(ApiError::invalid_request("staff_id"));
    }
    let ticket = tickets_of(&state)?
        .assign(&staff.staff_id, &id, assignee, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(back_to(&ticket.id))
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
    /// A checkbox: present when ticked.
    internal: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let message = tickets_of(&state)?
        .staff_reply(
            &staff.staff_id,
            &id,
            &form.body,
            form.internal.is_some(),
            unix_now(),
        )
        .await
        .map_err(ticket_error)?;
    Ok(back_to(&message.ticket_id))
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    staff: StaffPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let ticket = tickets_of(&state)?
        .set_status(&staff.staff_id, &id, &form.status, unix_now())
        .await
        .map_err(ticket_error)?;
    Ok(back_to(&ticket.id))
}

async fn attachment(
    State(state): State<AppState>,
    staff: StaffPage,
    Path((_ticket, attachment)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    require_agent(&staff)?;
    let (info, bytes) = tickets_of(&state)?
        .staff_attachment(&staff.staff_id, &attachment)
        .await
        .map_err(ticket_error)?;
    Ok(document_response(&info, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_hours_and_minutes_and_overdue_is_negative() {
        let text = ConsoleText::for_locale(Locale::En);
        assert_eq!(duration_text(3 * 3_600 + 20 * 60, text), "3 h 20 min");
        assert_eq!(duration_text(-90, text), "-1 min");
        assert_eq!(duration_text(59, text), "0 min");
    }
}
