//! Tickets (工单): a user's case with its thread, attachments sniffed by content, the statuses
//! both sides move it through, a satisfaction rating once solved, and the agent's side
//! (queues, claim, internal notes), every agent view written to the audit log.

use std::sync::Arc;

use crate::audit::{Actor, AuditEvent};
use crate::documents::{
    DocumentInfo, FileKind, FileNames, StoredDocument, Upload, UploadRefusal, UploadRules,
};
use crate::identity::{BoxFuture, Lock, Notice, UnixSeconds, UserRecord, UserStatus};
use crate::ids::new_id;
use crate::notify::{Channel, MessageText, OutboundMessage};
use crate::store_port::StoreError;

/// The largest attachment, in bytes.
pub const ATTACHMENT_BYTES_MAX: usize = 10 * 1024 * 1024;
/// The most attachments one ticket or reply carries.
pub const ATTACHMENTS_MAX: usize = 5;
/// What a ticket or a reply may carry: none or a few screenshots and PDFs.
pub const ATTACHMENT_RULES: UploadRules = UploadRules {
    count_max: ATTACHMENTS_MAX,
    bytes_max: ATTACHMENT_BYTES_MAX,
    required: false,
    names: FileNames::AsSent {
        fallback: "attachment",
    },
    id_prefix: "att",
};
pub const SUBJECT_CHARS_MAX: usize = 200;
pub const BODY_CHARS_MAX: usize = 10_000;
pub const RATING_COMMENT_CHARS_MAX: usize = 1_000;
/// The most tickets one listing returns.
pub const LIST_MAX: i64 = 200;

/// What a ticket is about; decides its priority and, later, its response-time target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Security,
    Account,
    TopUp,
    Payment,
    Withdrawal,
    Fees,
    Limits,
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Security,
        Category::Account,
        Category::TopUp,
        Category::Payment,
        Category::Withdrawal,
        Category::Fees,
        Category::Limits,
        Category::Other,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Account => "account",
            Category::TopUp => "top_up",
            Category::Payment => "payment",
            Category::Withdrawal => "withdrawal",
            Category::Fees => "fees",
            Category::Limits => "limits",
            Category::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }

    /// 1 is the most urgent: a stolen account comes before everything; money stuck in flight
    /// before questions.
    pub const fn priority(self) -> i64 {
        match self {
            Category::Security => 1,
            Category::TopUp | Category::Payment | Category::Withdrawal | Category::Account => 2,
            Category::Fees | Category::Limits | Category::Other => 3,
        }
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            Category::Security => "账户安全",
            Category::Account => "账户",
            Category::TopUp => "充值",
            Category::Payment => "付款与转账",
            Category::Withdrawal => "提现",
            Category::Fees => "费用",
            Category::Limits => "限额",
            Category::Other => "其他",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Category::Security => "Account security",
            Category::Account => "Account",
            Category::TopUp => "Top-up",
            Category::Payment => "Payment or transfer",
            Category::Withdrawal => "Withdrawal",
            Category::Fees => "Fees",
            Category::Limits => "Limits",
            Category::Other => "Other",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    WaitingOnCustomer,
    WaitingOnAgent,
    Solved,
    Reopened,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] = [
        TicketStatus::Open,
        TicketStatus::WaitingOnCustomer,
        TicketStatus::WaitingOnAgent,
        TicketStatus::Solved,
        TicketStatus::Reopened,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::WaitingOnCustomer => "waiting_on_customer",
            TicketStatus::WaitingOnAgent => "waiting_on_agent",
            TicketStatus::Solved => "solved",
            TicketStatus::Reopened => "reopened",
        }
    }

    pub fn parse(name: &str) -> Option<TicketStatus> {
        TicketStatus::ALL.into_iter().find(|s| s.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// `tkt_…`.
    pub id: String,
    pub user_id: String,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub transaction_id: Option<String>,
    pub status: TicketStatus,
    pub priority: i64,
    /// The agent (`stf_…`) working on it.
    pub assignee: Option<String>,
    /// What the diagnosis showed when the ticket was opened from it, as text; empty otherwise.
    pub context: String,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    pub solved_at: Option<UnixSeconds>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorKind {
    User,
    Staff,
}

impl AuthorKind {
    pub const fn name(self) -> &'static str {
        match self {
            AuthorKind::User => "user",
            AuthorKind::Staff => "staff",
        }
    }

    pub fn parse(name: &str) -> Option<AuthorKind> {
        match name {
            "user" => Some(AuthorKind::User),
            "staff" => Some(AuthorKind::Staff),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketMessage {
    /// `tkm_…`.
    pub id: String,
    pub ticket_id: String,
    pub author_kind: AuthorKind,
    pub author_id: String,
    pub body: String,
    /// An agents' note: never shown to the user.
    pub internal: bool,
    pub created_at: UnixSeconds,
}

/// A ticket with what its reader may see of it.
#[derive(Clone, Debug)]
pub struct TicketThread {
    pub ticket: Ticket,
    pub messages: Vec<TicketMessage>,
    pub attachments: Vec<DocumentInfo>,
}

#[derive(Clone, Debug, Default)]
pub struct NewTicket {
    pub category: String,
    pub subject: String,
    pub description: String,
    pub transaction_id: Option<String>,
    pub context: String,
    pub attachments: Vec<Upload>,
}

/// Which tickets an agent's queue shows.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub status: Option<TicketStatus>,
    pub category: Option<Category>,
    pub assignee: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("unknown category")]
    InvalidCategory,
    #[error("unknown status")]
    InvalidStatus,
    /// `field` is empty or too long.
    #[error("{0} is empty or too long")]
    InvalidText(&'static str),
    /// Too many attachments, one too large, or one that is not PNG, JPEG or PDF.
    #[error("attachments refused: {0}")]
    Attachments(#[from] UploadRefusal),
    #[error("the rating is not 1 to 5")]
    InvalidRating,
    #[error("the ticket is not solved")]
    NotSolved,
    #[error("the ticket is already rated")]
    AlreadyRated,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The tickets' storage, with the few neighbouring writes a ticket triggers (notices, outbox,
/// audit). Object-safe so the web layer holds `Arc<dyn TicketStore>`.
pub trait TicketStore: Send + Sync + 'static {
    fn insert_ticket<'a>(&'a self, ticket: &'a Ticket) -> BoxFuture<'a, Result<(), StoreError>>;
    fn update_ticket<'a>(&'a self, ticket: &'a Ticket) -> BoxFuture<'a, Result<(), StoreError>>;
    fn ticket<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Ticket>, StoreError>>;
    fn tickets_of<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Ticket>, StoreError>>;
    /// Most urgent first, then oldest first.
    fn queue<'a>(
        &'a self,
        filter: &'a QueueFilter,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Ticket>, StoreError>>;
    fn insert_message<'a>(
        &'a self,
        message: &'a TicketMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn messages<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TicketMessage>, StoreError>>;
    fn insert_attachment<'a>(
        &'a self,
        info: &'a DocumentInfo,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn attachments<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DocumentInfo>, StoreError>>;
    fn attachment_bytes<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDocument>, StoreError>>;
    fn ticket_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, StoreError>>;
    fn ticket_notice<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, Result<(), StoreError>>;
    fn ticket_outbox<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn ticket_audit<'a>(&'a self, event: &'a AuditEvent) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The sign-in locks of `user_id` since `since`, oldest first (for the diagnosis).
    fn ticket_locks<'a>(
        &'a self,
        user_id: &'a str,
        since: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<Lock>, StoreError>>;
    /// What the audit log says happened to the account `user_id` (frozen, unfrozen, locked,
    /// unlocked), newest first, at most `limit`.
    fn ticket_account_events<'a>(
        &'a self,
        user_id: &'a str,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<AccountEvent>, StoreError>>;
    /// The statuses agents set on `ticket_id` and when (the audit log's `ticket.status_set`),
    /// oldest first: the response-time clock pauses and resumes with them.
    fn ticket_status_changes<'a>(
        &'a self,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(UnixSeconds, TicketStatus)>, StoreError>>;
}

/// One audit-log row about an account, as the agent console's customer panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountEvent {
    pub at: UnixSeconds,
    /// `user:…`, `staff:…` or `system`, as the audit log writes it.
    pub actor: String,
    /// `account.frozen`, `account.unfrozen`, `account.locked`, `account.unlocked`.
    pub action: String,
    /// The reason or source written with it (`via=stolen_report`, a staff member's reason).
    pub detail: String,
}

/// A ticket's history as far as its response-time clock needs it.
#[derive(Clone, Debug, Default)]
pub struct SlaInputs {
    pub messages: Vec<TicketMessage>,
    /// `(when, status)` an agent set, oldest first.
    pub status_changes: Vec<(UnixSeconds, TicketStatus)>,
}

/// The audit actions the customer panel lists.
pub const ACCOUNT_EVENT_ACTIONS: [&str; 4] = [
    "account.frozen",
    "account.unfrozen",
    "account.locked",
    "account.unlocked",
];

/// How far back the diagnosis looks for sign-in locks.
pub const DIAGNOSIS_LOCKS_S: i64 = 7 * 24 * 60 * 60;

/// What the diagnosis says about the account itself.
#[derive(Clone, Debug)]
pub struct AccountState {
    pub status: UserStatus,
    /// The lock in force now, if any.
    pub active_lock: Option<Lock>,
    /// Locks of the last [`DIAGNOSIS_LOCKS_S`], oldest first.
    pub recent_locks: Vec<Lock>,
}

fn checked_text(text: &str, field: &'static str, max: usize) -> Result<String, TicketError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(TicketError::InvalidText(field));
    }
    Ok(text.to_owned())
}

/// Checks every upload before anything is written: a refused file refuses the whole request.
fn checked_uploads(uploads: &[Upload]) -> Result<Vec<FileKind>, TicketError> {
    Ok(ATTACHMENT_RULES.check(uploads)?)
}

fn staff_reply_text(locale: &str, subject: &str) -> MessageText {
    if locale.starts_with("zh") {
        MessageText {
            subject: "您的工单有新回复".to_owned(),
            body: format!(
                "客服回复了您的工单“{subject}”。请登录 OKPay，在“我的工单”中查看并回复。"
            ),
        }
    } else {
        MessageText {
            subject: "New reply to your ticket".to_owned(),
            body: format!(
                "An OKPay agent replied to your ticket \"{subject}\". Sign in and open My tickets to read it and answer."
            ),
        }
    }
}

/// The ticket use cases.
#[derive(Clone)]
pub struct Tickets {
    store: Arc<dyn TicketStore>,
}

impl Tickets {
    pub fn new(store: Arc<dyn TicketStore>) -> Tickets {
        Tickets { store }
    }

    async fn save_uploads(
        &self,
        ticket_id: &str,
        message_id: Option<&str>,
        uploads: &[Upload],
        kinds: &[FileKind],
        now: UnixSeconds,
    ) -> Result<(), StoreError> {
        for (info, bytes) in ATTACHMENT_RULES.describe(uploads, kinds, ticket_id, message_id, now) {
            self.store.insert_attachment(&info, bytes).await?;
        }
        Ok(())
    }

    /// A user files a ticket.
    pub async fn open(
        &self,
        user_id: &str,
        mut request: NewTicket,
        now: UnixSeconds,
    ) -> Result<Ticket, TicketError> {
        let attachments = std::mem::take(&mut request.attachments);
        let ticket = Tickets::prepare(user_id, request, now)?;
        let kinds = checked_uploads(&attachments)?;
        self.store.insert_ticket(&ticket).await?;
        self.save_uploads(&ticket.id, None, &attachments, &kinds, now)
            .await?;
        Ok(ticket)
    }

    /// The ticket `request` makes, checked but not stored (its attachments are left aside):
    /// for a caller that stores it its own way, as live chat's fall-back does.
    pub fn prepare(
        user_id: &str,
        request: NewTicket,
        now: UnixSeconds,
    ) -> Result<Ticket, TicketError> {
        let category = Category::parse(&request.category).ok_or(TicketError::InvalidCategory)?;
        let subject = checked_text(&request.subject, "subject", SUBJECT_CHARS_MAX)?;
        let description = checked_text(&request.description, "description", BODY_CHARS_MAX)?;
        let transaction_id = match request.transaction_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(checked_text(id, "transaction_id", 100)?),
        };
        Ok(Ticket {
            id: new_id("tkt"),
            user_id: user_id.to_owned(),
            category,
            subject,
            description,
            transaction_id,
            status: TicketStatus::Open,
            priority: category.priority(),
            assignee: None,
            context: request.context,
            rating: None,
            rating_comment: None,
            created_at: now,
            updated_at: now,
            solved_at: None,
        })
    }

    /// The user's ticket `id`; someone else's answers as missing.
    pub async fn of_user(&self, user_id: &str, id: &str) -> Result<Ticket, TicketError> {
        self.owned(user_id, id).await
    }

    pub async fn list_for_user(&self, user_id: &str) -> Result<Vec<Ticket>, StoreError> {
        self.store.tickets_of(user_id, LIST_MAX).await
    }

    async fn owned(&self, user_id: &str, id: &str) -> Result<Ticket, TicketError> {
        // Someone else's ticket answers exactly like a missing one.
        self.store
            .ticket(id)
            .await?
            .filter(|ticket| ticket.user_id == user_id)
            .ok_or(TicketError::NotFound)
    }

    async fn thread(&self, ticket: Ticket, internal_too: bool) -> Result<TicketThread, StoreError> {
        let messages = self
            .store
            .messages(&ticket.id)
            .await?
            .into_iter()
            .filter(|message| internal_too || !message.internal)
            .collect::<Vec<_>>();
        let attachments = self
            .store
            .attachments(&ticket.id)
            .await?
            .into_iter()
            .filter(|info| {
                info.message_id
                    .as_ref()
                    .is_none_or(|id| messages.iter().any(|message| &message.id == id))
            })
            .collect();
        Ok(TicketThread {
            ticket,
            messages,
            attachments,
        })
    }

    /// The user's view: internal notes left out.
    pub async fn user_thread(&self, user_id: &str, id: &str) -> Result<TicketThread, TicketError> {
        let ticket = self.owned(user_id, id).await?;
        Ok(self.thread(ticket, false).await?)
    }

    /// An attachment's bytes, for its ticket's owner only.
    pub async fn user_attachment(
        &self,
        user_id: &str,
        attachment_id: &str,
    ) -> Result<StoredDocument, TicketError> {
        let (info, bytes) = self
            .store
            .attachment_bytes(attachment_id)
            .await?
            .ok_or(TicketError::NotFound)?;
        let thread = self.user_thread(user_id, &info.owner_id).await?;
        if !thread.attachments.iter().any(|a| a.id == info.id) {
            return Err(TicketError::NotFound);
        }
        Ok((info, bytes))
    }

    /// The user answers; a solved ticket they write to again is reopened.
    pub async fn user_reply(
        &self,
        user_id: &str,
        id: &str,
        body: &str,
        attachments: Vec<Upload>,
        now: UnixSeconds,
    ) -> Result<TicketMessage, TicketError> {
        let mut ticket = self.owned(user_id, id).await?;
        let body = checked_text(body, "body", BODY_CHARS_MAX)?;
        let kinds = checked_uploads(&attachments)?;
        let message = TicketMessage {
            id: new_id("tkm"),
            ticket_id: ticket.id.clone(),
            author_kind: AuthorKind::User,
            author_id: user_id.to_owned(),
            body,
            internal: false,
            created_at: now,
        };
        self.store.insert_message(&message).await?;
        self.save_uploads(&ticket.id, Some(&message.id), &attachments, &kinds, now)
            .await?;
        ticket.status = if ticket.status == TicketStatus::Solved {
            TicketStatus::Reopened
        } else {
            TicketStatus::WaitingOnAgent
        };
        ticket.solved_at = None;
        ticket.updated_at = now;
        self.store.update_ticket(&ticket).await?;
        Ok(message)
    }

    /// The satisfaction rating, once, and only when the ticket is solved.
    pub async fn rate(
        &self,
        user_id: &str,
        id: &str,
        stars: i64,
        comment: &str,
        now: UnixSeconds,
    ) -> Result<Ticket, TicketError> {
        let mut ticket = self.owned(user_id, id).await?;
        if !(1..=5).contains(&stars) {
            return Err(TicketError::InvalidRating);
        }
        let comment = comment.trim();
        if comment.chars().count() > RATING_COMMENT_CHARS_MAX {
            return Err(TicketError::InvalidText("comment"));
        }
        if ticket.status != TicketStatus::Solved {
            return Err(TicketError::NotSolved);
        }
        if ticket.rating.is_some() {
            return Err(TicketError::AlreadyRated);
        }
        ticket.rating = Some(stars);
        ticket.rating_comment = Some(comment.to_owned());
        ticket.updated_at = now;
        self.store.update_ticket(&ticket).await?;
        Ok(ticket)
    }

    /// Whether the account is frozen or its sign-in locked, and since when.
    pub async fn account_state(
        &self,
        user_id: &str,
        now: UnixSeconds,
    ) -> Result<AccountState, TicketError> {
        let user = self
            .store
            .ticket_user(user_id)
            .await?
            .ok_or(TicketError::NotFound)?;
        let recent_locks = self
            .store
            .ticket_locks(user_id, now - DIAGNOSIS_LOCKS_S)
            .await?;
        let active_lock = recent_locks
            .iter()
            .rev()
            .find(|lock| lock.until > now)
            .copied();
        Ok(AccountState {
            status: user.status,
            active_lock,
            recent_locks,
        })
    }

    // --- the agent's side ---

    /// The account's freezes and locks with their reasons, for an agent; the caller writes the
    /// view to the audit log with [`Tickets::customer_viewed`].
    pub async fn account_events(&self, user_id: &str) -> Result<Vec<AccountEvent>, StoreError> {
        self.store.ticket_account_events(user_id, 20).await
    }

    /// Writes to the audit log that `staff_id` looked at the customer behind `ticket_id`.
    pub async fn customer_viewed(
        &self,
        staff_id: &str,
        user_id: &str,
        ticket_id: &str,
    ) -> Result<(), StoreError> {
        self.store
            .ticket_audit(&AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action: "ticket.customer_viewed",
                subject: user_id.to_owned(),
                detail: format!("ticket={ticket_id}"),
            })
            .await
    }

    /// An attachment's bytes for an agent; the download is written to the audit log.
    pub async fn staff_attachment(
        &self,
        staff_id: &str,
        attachment_id: &str,
    ) -> Result<StoredDocument, TicketError> {
        let (info, bytes) = self
            .store
            .attachment_bytes(attachment_id)
            .await?
            .ok_or(TicketError::NotFound)?;
        let ticket = self.any(&info.owner_id).await?;
        self.audit(
            staff_id,
            "ticket.attachment_viewed",
            &ticket,
            format!("attachment={}", info.id),
        )
        .await?;
        Ok((info, bytes))
    }

    /// What a ticket's response-time clock is computed from: its messages and the statuses
    /// agents set, read without an audit row (a queue row shows no customer data).
    pub async fn sla_inputs(&self, id: &str) -> Result<SlaInputs, StoreError> {
        Ok(SlaInputs {
            messages: self.store.messages(id).await?,
            status_changes: self.store.ticket_status_changes(id).await?,
        })
    }

    /// The statuses agents set on a ticket, oldest first.
    pub async fn status_changes(
        &self,
        id: &str,
    ) -> Result<Vec<(UnixSeconds, TicketStatus)>, StoreError> {
        self.store.ticket_status_changes(id).await
    }

    pub async fn queue(&self, filter: &QueueFilter) -> Result<Vec<Ticket>, StoreError> {
        self.store.queue(filter, LIST_MAX).await
    }

    async fn audit(
        &self,
        staff_id: &str,
        action: &'static str,
        ticket: &Ticket,
        detail: String,
    ) -> Result<(), StoreError> {
        self.store
            .ticket_audit(&AuditEvent {
                actor: Actor::Staff(staff_id.to_owned()),
                action,
                subject: ticket.id.clone(),
                detail: format!("user={} {detail}", ticket.user_id),
            })
            .await
    }

    async fn any(&self, id: &str) -> Result<Ticket, TicketError> {
        self.store.ticket(id).await?.ok_or(TicketError::NotFound)
    }

    /// An agent opens a customer's ticket: everything, internal notes too, and the view is
    /// written to the audit log.
    pub async fn staff_thread(
        &self,
        staff_id: &str,
        id: &str,
    ) -> Result<TicketThread, TicketError> {
        let ticket = self.any(id).await?;
        self.audit(staff_id, "ticket.viewed", &ticket, String::new())
            .await?;
        Ok(self.thread(ticket, true).await?)
    }

    /// Assigns the ticket to `assignee` (the agent themself when claiming).
    pub async fn assign(
        &self,
        staff_id: &str,
        id: &str,
        assignee: &str,
        now: UnixSeconds,
    ) -> Result<Ticket, TicketError> {
        let mut ticket = self.any(id).await?;
        ticket.assignee = Some(assignee.to_owned());
        ticket.updated_at = now;
        self.store.update_ticket(&ticket).await?;
        self.audit(
            staff_id,
            "ticket.assigned",
            &ticket,
            format!("to={assignee}"),
        )
        .await?;
        Ok(ticket)
    }

    /// An agent writes: an internal note, or a reply the user is told about by e-mail (or SMS)
    /// and in the message center.
    pub async fn staff_reply(
        &self,
        staff_id: &str,
        id: &str,
        body: &str,
        internal: bool,
        now: UnixSeconds,
    ) -> Result<TicketMessage, TicketError> {
        let mut ticket = self.any(id).await?;
        let body = checked_text(body, "body", BODY_CHARS_MAX)?;
        let message = TicketMessage {
            id: new_id("tkm"),
            ticket_id: ticket.id.clone(),
            author_kind: AuthorKind::Staff,
            author_id: staff_id.to_owned(),
            body,
            internal,
            created_at: now,
        };
        self.store.insert_message(&message).await?;
        let action = if internal {
            "ticket.internal_note"
        } else {
            "ticket.replied"
        };
        self.audit(staff_id, action, &ticket, String::new()).await?;
        if internal {
            return Ok(message);
        }
        if ticket.assignee.is_none() {
            ticket.assignee = Some(staff_id.to_owned());
        }
        if ticket.status != TicketStatus::Solved {
            ticket.status = TicketStatus::WaitingOnCustomer;
        }
        ticket.updated_at = now;
        self.store.update_ticket(&ticket).await?;
        self.tell_user(&ticket, now).await?;
        Ok(message)
    }

    async fn tell_user(&self, ticket: &Ticket, now: UnixSeconds) -> Result<(), StoreError> {
        let Some(user) = self.store.ticket_user(&ticket.user_id).await? else {
            return Ok(());
        };
        let chinese = staff_reply_text("zh-CN", &ticket.subject);
        let english = staff_reply_text("en", &ticket.subject);
        self.store
            .ticket_notice(&Notice {
                id: new_id("ntc"),
                user_id: user.id.clone(),
                kind: "ticket_reply".to_owned(),
                title_zh: chinese.subject.clone(),
                body_zh: chinese.body.clone(),
                title_en: english.subject.clone(),
                body_en: english.body.clone(),
                created_at: now,
                read_at: None,
            })
            .await?;
        let (channel, recipient) = match (&user.email, &user.phone) {
            (Some(email), _) => (Channel::Email, email),
            (None, Some(phone)) => (Channel::Sms, phone),
            (None, None) => return Ok(()),
        };
        let words = if user.locale.starts_with("zh") {
            chinese
        } else {
            english
        };
        self.store
            .ticket_outbox(&OutboundMessage::new(
                channel,
                recipient,
                &user.locale,
                words,
                now,
            ))
            .await
    }

    pub async fn set_status(
        &self,
        staff_id: &str,
        id: &str,
        status: &str,
        now: UnixSeconds,
    ) -> Result<Ticket, TicketError> {
        let status = TicketStatus::parse(status).ok_or(TicketError::InvalidStatus)?;
        let mut ticket = self.any(id).await?;
        ticket.status = status;
        ticket.solved_at = (status == TicketStatus::Solved).then_some(now);
        ticket.updated_at = now;
        self.store.update_ticket(&ticket).await?;
        self.audit(
            staff_id,
            "ticket.status_set",
            &ticket,
            format!("status={}", status.name()),
        )
        .await?;
        Ok(ticket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_tickets_come_first() {
        assert!(Category::Security.priority() < Category::Withdrawal.priority());
        assert!(Category::Withdrawal.priority() < Category::Other.priority());
    }
}
