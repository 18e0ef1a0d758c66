//! The transaction record the wallet stores and shows: what moved, with whom, at what fee, and a
//! timeline of its status checked by a state machine.

use std::fmt;

use ledger::{Amount, Currency};

use crate::identity::UnixSeconds;

/// The most events one timeline may hold (a withdrawal retried many times still fits).
pub const TIMELINE_EVENTS_MAX: usize = 32;
/// The longest note a user may attach to a transfer.
pub const USER_NOTE_LENGTH_MAX: usize = 200;
/// The longest note a timeline event (a reviewer's reason) may carry.
pub const EVENT_NOTE_LENGTH_MAX: usize = 500;
const REASON_CODE_LENGTH_MAX: usize = 64;
const COUNTERPARTY_LENGTH_MAX: usize = 128;

/// What a record is of. Codes are the API's `type` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    TopUp,
    Transfer,
    Withdrawal,
    Exchange,
    Remittance,
    MaintenanceFee,
    Refund,
}

impl RecordKind {
    pub const ALL: &'static [RecordKind] = &[
        RecordKind::TopUp,
        RecordKind::Transfer,
        RecordKind::Withdrawal,
        RecordKind::Exchange,
        RecordKind::Remittance,
        RecordKind::MaintenanceFee,
        RecordKind::Refund,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            RecordKind::TopUp => "topup",
            RecordKind::Transfer => "transfer",
            RecordKind::Withdrawal => "withdrawal",
            RecordKind::Exchange => "exchange",
            RecordKind::Remittance => "remittance",
            RecordKind::MaintenanceFee => "maintenance_fee",
            RecordKind::Refund => "refund",
        }
    }

    pub fn parse(code: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.code() == code)
    }

    /// Only a withdrawal goes through review.
    pub const fn is_reviewed(self) -> bool {
        matches!(self, RecordKind::Withdrawal)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whether money came to the user, left, or moved between the user's own wallets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    In,
    Out,
    Internal,
}

impl Direction {
    pub const fn code(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Internal => "internal",
        }
    }

    pub fn parse(code: &str) -> Option<Direction> {
        [Direction::In, Direction::Out, Direction::Internal]
            .into_iter()
            .find(|direction| direction.code() == code)
    }
}

/// Where a transaction stands. A withdrawal goes submitted → reviewing → processing → completed,
/// or ends rejected (in review) or failed (the payout); other movements start processing (or
/// finish at once) and end completed or failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    Submitted,
    Reviewing,
    Processing,
    Completed,
    Rejected,
    Failed,
}

impl TransactionStatus {
    pub const ALL: &'static [TransactionStatus] = &[
        TransactionStatus::Submitted,
        TransactionStatus::Reviewing,
        TransactionStatus::Processing,
        TransactionStatus::Completed,
        TransactionStatus::Rejected,
        TransactionStatus::Failed,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            TransactionStatus::Submitted => "submitted",
            TransactionStatus::Reviewing => "reviewing",
            TransactionStatus::Processing => "processing",
            TransactionStatus::Completed => "completed",
            TransactionStatus::Rejected => "rejected",
            TransactionStatus::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<TransactionStatus> {
        TransactionStatus::ALL
            .iter()
            .copied()
            .find(|status| status.code() == code)
    }

    pub const fn is_final(self) -> bool {
        matches!(
            self,
            TransactionStatus::Completed | TransactionStatus::Rejected | TransactionStatus::Failed
        )
    }

    /// Whether ending here needs a reason code (and so a failure explanation on the page).
    pub const fn needs_reason(self) -> bool {
        matches!(
            self,
            TransactionStatus::Rejected | TransactionStatus::Failed
        )
    }

    /// The statuses a record of `kind` may start in.
    pub fn may_start(kind: RecordKind, status: TransactionStatus) -> bool {
        if kind.is_reviewed() {
            status == TransactionStatus::Submitted
        } else {
            matches!(
                status,
                TransactionStatus::Processing
                    | TransactionStatus::Completed
                    | TransactionStatus::Failed
            )
        }
    }

    /// The state machine's edges.
    pub const fn may_move_to(self, next: TransactionStatus) -> bool {
        use TransactionStatus::*;
        matches!(
            (self, next),
            (Submitted, Reviewing)
                | (Submitted, Rejected)
                | (Submitted, Failed)
                | (Reviewing, Processing)
                | (Reviewing, Rejected)
                | (Processing, Completed)
                | (Processing, Failed)
        )
    }
}

impl fmt::Display for TransactionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A stable reason code (`card_declined`, `withdrawal_rejected`) the pages explain in each
/// language: lower-case ASCII letters, digits and underscores.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReasonCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a reason code")]
pub struct InvalidReasonCode(pub String);

impl ReasonCode {
    pub fn parse(code: &str) -> Result<ReasonCode, InvalidReasonCode> {
        let valid = !code.is_empty()
            && code.len() <= REASON_CODE_LENGTH_MAX
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(ReasonCode(code.to_owned()))
        } else {
            Err(InvalidReasonCode(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One step of a timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEvent {
    pub status: TransactionStatus,
    pub at: UnixSeconds,
    /// A reviewer's reason, "payout attempt 1 failed: bank_timeout", …
    pub note: Option<String>,
}

/// Why a timeline change is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("a {kind} cannot start {status}")]
    InvalidStart {
        kind: RecordKind,
        status: TransactionStatus,
    },
    #[error("a transaction cannot go from {from} to {to}")]
    InvalidTransition {
        from: TransactionStatus,
        to: TransactionStatus,
    },
    #[error("ending {0} needs a reason code")]
    ReasonRequired(TransactionStatus),
    #[error("only ending rejected or failed takes a reason code")]
    ReasonNotAllowed,
    #[error("a timeline holds at most {TIMELINE_EVENTS_MAX} events")]
    Full,
    #[error("a note may have at most {EVENT_NOTE_LENGTH_MAX} characters")]
    NoteTooLong,
    #[error("a stored timeline is empty")]
    Empty,
}

impl TimelineError {
    pub const fn code(&self) -> &'static str {
        match self {
            TimelineError::InvalidTransition { .. } | TimelineError::InvalidStart { .. } => {
                "invalid_status_transition"
            }
            _ => "timeline_invalid",
        }
    }
}

fn check_note(note: Option<&str>) -> Result<Option<String>, TimelineError> {
    match note.map(str::trim).filter(|note| !note.is_empty()) {
        Some(note) if note.chars().count() > EVENT_NOTE_LENGTH_MAX => {
            Err(TimelineError::NoteTooLong)
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// The status history of one transaction: never empty, every step an edge of the state machine,
/// times never going backwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    events: Vec<TimelineEvent>,
}

impl Timeline {
    pub fn start(
        kind: RecordKind,
        status: TransactionStatus,
        at: UnixSeconds,
        note: Option<&str>,
    ) -> Result<Timeline, TimelineError> {
        if !TransactionStatus::may_start(kind, status) {
            return Err(TimelineError::InvalidStart { kind, status });
        }
        Ok(Timeline {
            events: vec![TimelineEvent {
                status,
                at,
                note: check_note(note)?,
            }],
        })
    }

    /// A timeline read back from storage, checked step by step.
    pub fn from_stored(
        kind: RecordKind,
        events: Vec<TimelineEvent>,
    ) -> Result<Timeline, TimelineError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(TimelineError::Empty)?;
        let mut timeline = Timeline::start(kind, first.status, first.at, first.note.as_deref())?;
        for event in events {
            if event.status == timeline.status() {
                timeline.add_note(event.at, event.note.as_deref().unwrap_or(""))?;
            } else {
                timeline.push(event.status, event.at, event.note.as_deref())?;
            }
        }
        Ok(timeline)
    }

    pub fn events(&self) -> &[TimelineEvent] {
        &self.events
    }

    pub fn status(&self) -> TransactionStatus {
        self.events
            .last()
            .expect("a timeline is never empty")
            .status
    }

    fn last_at(&self) -> UnixSeconds {
        self.events.last().expect("a timeline is never empty").at
    }

    fn push(
        &mut self,
        to: TransactionStatus,
        at: UnixSeconds,
        note: Option<&str>,
    ) -> Result<(), TimelineError> {
        let from = self.status();
        if !from.may_move_to(to) {
            return Err(TimelineError::InvalidTransition { from, to });
        }
        if self.events.len() >= TIMELINE_EVENTS_MAX {
            return Err(TimelineError::Full);
        }
        // Clocks of several processes differ a little; a step never shows before the one it follows.
        let at = at.max(self.last_at());
        self.events.push(TimelineEvent {
            status: to,
            at,
            note: check_note(note)?,
        });
        Ok(())
    }

    /// A note on the current status without changing it ("payout attempt 1 failed, retrying").
    pub fn add_note(&mut self, at: UnixSeconds, note: &str) -> Result<(), TimelineError> {
        if self.events.len() >= TIMELINE_EVENTS_MAX {
            return Err(TimelineError::Full);
        }
        let at = at.max(self.last_at());
        let status = self.status();
        self.events.push(TimelineEvent {
            status,
            at,
            note: check_note(Some(note))?,
        });
        Ok(())
    }
}

/// Who or what was on the other side: a user (masked address), a card or a bank account
/// (masked number). `id` is what filters match exactly; `label` is what pages show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterparty {
    pub id: String,
    pub label: String,
}

/// Spending-analysis categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    TopUps,
    Transfers,
    Withdrawals,
    Exchange,
    Remittances,
    Fees,
    Refunds,
    Payments,
    Other,
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Category::TopUps,
        Category::Transfers,
        Category::Withdrawals,
        Category::Exchange,
        Category::Remittances,
        Category::Fees,
        Category::Refunds,
        Category::Payments,
        Category::Other,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Category::TopUps => "top_ups",
            Category::Transfers => "transfers",
            Category::Withdrawals => "withdrawals",
            Category::Exchange => "exchange",
            Category::Remittances => "remittances",
            Category::Fees => "fees",
            Category::Refunds => "refunds",
            Category::Payments => "payments",
            Category::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL
            .iter()
            .copied()
            .find(|category| category.code() == code)
    }

    /// The category a record of `kind` falls in unless the user chose another.
    pub const fn of(kind: RecordKind) -> Category {
        match kind {
            RecordKind::TopUp => Category::TopUps,
            RecordKind::Transfer => Category::Transfers,
            RecordKind::Withdrawal => Category::Withdrawals,
            RecordKind::Exchange => Category::Exchange,
            RecordKind::Remittance => Category::Remittances,
            RecordKind::MaintenanceFee => Category::Fees,
            RecordKind::Refund => Category::Refunds,
        }
    }
}

/// Why a record cannot be made as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a record's id is a transaction id and its user a usr_ id")]
    IdInvalid,
    #[error("a note may have at most {USER_NOTE_LENGTH_MAX} characters and no control characters")]
    NoteInvalid,
    #[error("a counterparty's id and label have 1 to {COUNTERPARTY_LENGTH_MAX} characters")]
    CounterpartyInvalid,
    #[error("amounts in a record are zero or more")]
    AmountNegative,
    #[error(transparent)]
    Timeline(#[from] TimelineError),
}

impl RecordError {
    pub const fn code(&self) -> &'static str {
        match self {
            RecordError::IdInvalid => "record_id_invalid",
            RecordError::NoteInvalid => "note_invalid",
            RecordError::CounterpartyInvalid => "counterparty_invalid",
            RecordError::AmountNegative => "amount_invalid",
            RecordError::Timeline(error) => error.code(),
        }
    }
}

/// A user's note on a transfer, trimmed; refused when too long or holding control characters.
pub fn parse_user_note(note: &str) -> Result<Option<String>, RecordError> {
    let trimmed = note.trim();
    if trimmed.chars().count() > USER_NOTE_LENGTH_MAX || trimmed.chars().any(char::is_control) {
        return Err(RecordError::NoteInvalid);
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// What a new record says; the timeline starts from `status` at `created_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    /// The ledger entry's id (`txn_…`). A transfer has one record per user under the same id.
    pub id: String,
    pub user_id: String,
    pub kind: RecordKind,
    pub direction: Direction,
    pub status: TransactionStatus,
    pub amount: Amount,
    pub currency: Currency,
    pub fee: Amount,
    /// What arrived and in which currency, once known.
    pub arrived: Option<(Amount, Currency)>,
    pub counterparty: Option<Counterparty>,
    pub note: Option<String>,
    pub fee_schedule_id: Option<String>,
    pub quote_id: Option<String>,
    pub failure_reason: Option<ReasonCode>,
    pub created_at: UnixSeconds,
}

/// A transaction as one user's records show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionRecord {
    pub id: String,
    pub user_id: String,
    pub kind: RecordKind,
    pub direction: Direction,
    pub amount: Amount,
    pub currency: Currency,
    pub fee: Amount,
    pub arrived: Option<(Amount, Currency)>,
    pub counterparty: Option<Counterparty>,
    pub note: Option<String>,
    pub category: Category,
    pub fee_schedule_id: Option<String>,
    pub quote_id: Option<String>,
    pub failure_reason: Option<ReasonCode>,
    pub created_at: UnixSeconds,
    timeline: Timeline,
}

impl TransactionRecord {
    pub fn new(new: NewRecord) -> Result<TransactionRecord, RecordError> {
        let timeline = Timeline::start(new.kind, new.status, new.created_at, None)?;
        Self::assemble(new, timeline)
    }

    /// A record read back from storage with its stored timeline.
    pub fn from_stored(
        new: NewRecord,
        events: Vec<TimelineEvent>,
    ) -> Result<TransactionRecord, RecordError> {
        let timeline = Timeline::from_stored(new.kind, events)?;
        Self::assemble(new, timeline)
    }

    fn assemble(new: NewRecord, timeline: Timeline) -> Result<TransactionRecord, RecordError> {
        // The id names the ledger entry, and the user's wallets are keyed by the user id.
        let user_valid = ledger::AccountId::parse(&format!("{}:CNY", new.user_id))
            .is_ok_and(|account| account.owner().is_some());
        if ledger::EntryId::parse(&new.id).is_err() || !user_valid {
            return Err(RecordError::IdInvalid);
        }
        let negative = new.amount.is_negative()
            || new.fee.is_negative()
            || new.arrived.is_some_and(|(amount, _)| amount.is_negative());
        if negative {
            return Err(RecordError::AmountNegative);
        }
        if let Some(counterparty) = &new.counterparty {
            let fits = |text: &str| {
                !text.is_empty()
                    && text.chars().count() <= COUNTERPARTY_LENGTH_MAX
                    && !text.chars().any(char::is_control)
            };
            if !fits(&counterparty.id) || !fits(&counterparty.label) {
                return Err(RecordError::CounterpartyInvalid);
            }
        }
        let note = match &new.note {
            Some(note) => parse_user_note(note)?,
            None => None,
        };
        let status = timeline.status();
        if status.needs_reason() != new.failure_reason.is_some() {
            return Err(if status.needs_reason() {
                TimelineError::ReasonRequired(status).into()
            } else {
                TimelineError::ReasonNotAllowed.into()
            });
        }
        Ok(TransactionRecord {
            category: Category::of(new.kind),
            id: new.id,
            user_id: new.user_id,
            kind: new.kind,
            direction: new.direction,
            amount: new.amount,
            currency: new.currency,
            fee: new.fee,
            arrived: new.arrived,
            counterparty: new.counterparty,
            note,
            fee_schedule_id: new.fee_schedule_id,
            quote_id: new.quote_id,
            failure_reason: new.failure_reason,
            created_at: new.created_at,
            timeline,
        })
    }

    pub fn status(&self) -> TransactionStatus {
        self.timeline.status()
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Moves on to a status that needs no reason (reviewing, processing, completed).
    pub fn advance(
        &mut self,
        to: TransactionStatus,
        at: UnixSeconds,
        note: Option<&str>,
    ) -> Result<(), TimelineError> {
        if to.needs_reason() {
            return Err(TimelineError::ReasonRequired(to));
        }
        self.timeline.push(to, at, note)
    }

    /// Ends rejected or failed, with the reason code pages explain and an optional note (the
    /// reviewer's written reason).
    pub fn end_unsuccessfully(
        &mut self,
        to: TransactionStatus,
        reason: ReasonCode,
        at: UnixSeconds,
        note: Option<&str>,
    ) -> Result<(), TimelineError> {
        if !to.needs_reason() {
            return Err(TimelineError::ReasonNotAllowed);
        }
        self.timeline.push(to, at, note)?;
        self.failure_reason = Some(reason);
        Ok(())
    }

    /// A note on the current status ("payout attempt 1 failed: bank_timeout; retrying").
    pub fn add_note(&mut self, at: UnixSeconds, note: &str) -> Result<(), TimelineError> {
        self.timeline.add_note(at, note)
    }

    /// What left the user's wallet: the amount plus the fee where the fee came on top (top-ups
    /// and transfers), the amount alone where the fee was taken from it.
    pub fn debited(&self) -> Amount {
        let fee_on_top = matches!(self.kind, RecordKind::TopUp | RecordKind::Transfer);
        if fee_on_top {
            self.amount
                .checked_add(self.fee)
                .unwrap_or(Amount::from_minor(i64::MAX))
        } else {
            self.amount
        }
    }

    /// What spending analysis counts, in `currency`: everything a completed outgoing movement
    /// took from the wallet, and only the fee of an exchange between the user's own wallets.
    pub fn spent(&self) -> Amount {
        if self.status() != TransactionStatus::Completed {
            return Amount::ZERO;
        }
        match self.direction {
            Direction::Out => self.debited(),
            Direction::Internal => self.fee,
            Direction::In => Amount::ZERO,
        }
    }
}
