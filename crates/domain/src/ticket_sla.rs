//! Response-time targets (SLAs) for tickets: per category, counted in the desk's service hours, the clock paused while the ticket waits on the user.

use crate::identity::UnixSeconds;
use crate::support::ServiceHours;
use crate::tickets::{AuthorKind, Category, SlaInputs, Ticket, TicketStatus};

/// When the ticket desk answers, in the text form of [`ServiceHours`]. The security team is on
/// call around the clock, so security tickets count every hour instead.
pub const DESK_HOURS: &str = "Asia/Shanghai daily 09:00-21:00";

/// The target and the hours it is counted in, for one category.
#[derive(Clone, Debug)]
pub struct SlaPolicy {
    /// Seconds of service time allowed before the next reply is due.
    pub target_s: i64,
    pub hours: ServiceHours,
}

impl SlaPolicy {
    /// Security: 1 hour around the clock (a stolen account cannot wait for the morning);
    /// everything else: 24 hours of the desk's service time.
    pub fn for_category(category: Category) -> SlaPolicy {
        match category {
            Category::Security => SlaPolicy {
                target_s: 3_600,
                hours: ServiceHours::Always,
            },
            _ => SlaPolicy {
                target_s: 24 * 3_600,
                hours: ServiceHours::parse(DESK_HOURS).expect("the desk hours are valid"),
            },
        }
    }

    /// The target in whole hours, as the console shows it.
    pub fn target_hours(&self) -> i64 {
        self.target_s / 3_600
    }
}

/// Whether the response clock runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaClock {
    /// The user waits for an agent.
    Running,
    /// The agent waits for the user: nothing is owed until they write.
    PausedOnUser,
    /// Solved: no reply owed.
    Stopped,
}

impl SlaClock {
    pub const fn name(self) -> &'static str {
        match self {
            SlaClock::Running => "running",
            SlaClock::PausedOnUser => "paused",
            SlaClock::Stopped => "stopped",
        }
    }
}

/// Where a ticket stands against its target at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlaState {
    pub clock: SlaClock,
    pub target_s: i64,
    /// Service seconds the user has waited for the reply owed now (0 unless running).
    pub elapsed_s: i64,
    /// `target_s - elapsed_s`; negative once breached.
    pub remaining_s: i64,
    /// The instant the reply owed now falls due (in the past once breached); `None` unless
    /// running.
    pub due_at: Option<UnixSeconds>,
    pub breached: bool,
    /// Running, not yet breached, and less than a quarter of the target left.
    pub at_risk: bool,
}

/// Service seconds of `hours` between `from` and `to` (0 when `to <= from`).
pub fn service_seconds(hours: &ServiceHours, from: UnixSeconds, to: UnixSeconds) -> i64 {
    if to <= from {
        return 0;
    }
    if matches!(hours, ServiceHours::Always) {
        return to - from;
    }
    let mut total = 0;
    let mut at = from;
    while at < to {
        let openness = hours.openness(at);
        // Closed with no opening in the coming week: no service time is ever counted.
        let Some(change) = openness.next_change_at else {
            if openness.open_now {
                total += to - at;
            }
            break;
        };
        let end = change.min(to);
        if openness.open_now {
            total += end - at;
        }
        at = end;
    }
    total
}

/// The instant at which `seconds` of service time have passed since `from`.
pub fn add_service_seconds(hours: &ServiceHours, from: UnixSeconds, seconds: i64) -> UnixSeconds {
    if matches!(hours, ServiceHours::Always) {
        return from + seconds;
    }
    let mut left = seconds;
    let mut at = from;
    // A bound on the walk: two changes a day for a year is far beyond any target.
    for _ in 0..1_000 {
        let openness = hours.openness(at);
        let Some(change) = openness.next_change_at else {
            return if openness.open_now { at + left } else { at };
        };
        if openness.open_now {
            if change - at >= left {
                return at + left;
            }
            left -= change - at;
        }
        at = change;
    }
    at
}

/// When the reply owed now started to be owed: the ticket's opening, the first message the
/// user wrote after the agents' last public reply, or an agent moving the ticket back to them.
/// An agent's public reply, or their setting it to wait on the user (or solved), stops the
/// clock. `None` when the last move was the agents'.
fn owed_since(ticket: &Ticket, inputs: &SlaInputs) -> Option<UnixSeconds> {
    enum Event {
        User,
        AgentReply,
        Status(TicketStatus),
    }
    let mut events: Vec<(UnixSeconds, Event)> = inputs
        .messages
        .iter()
        .filter(|m| !m.internal)
        .map(|m| {
            let event = match m.author_kind {
                AuthorKind::User => Event::User,
                AuthorKind::Staff => Event::AgentReply,
            };
            (m.created_at, event)
        })
        .chain(
            inputs
                .status_changes
                .iter()
                .map(|(at, status)| (*at, Event::Status(*status))),
        )
        .collect();
    // Within one second a status change goes first: when its status stops the clock, the
    // user's message in that same second restarts it, and when the user's message came first
    // the ticket's current status (waiting on them) pauses the clock anyway.
    events.sort_by_key(|(at, event)| (*at, !matches!(event, Event::Status(_))));
    let mut since = Some(ticket.created_at);
    for (at, event) in events {
        match event {
            Event::AgentReply
            | Event::Status(TicketStatus::WaitingOnCustomer | TicketStatus::Solved) => since = None,
            Event::User
            | Event::Status(
                TicketStatus::Open | TicketStatus::WaitingOnAgent | TicketStatus::Reopened,
            ) => {
                if since.is_none() {
                    since = Some(at);
                }
            }
        }
    }
    since
}

/// The ticket's standing at `now`, from its status, its public thread (internal notes are no
/// reply to the user) and the statuses agents set.
pub fn sla_state(ticket: &Ticket, inputs: &SlaInputs, now: UnixSeconds) -> SlaState {
    let policy = SlaPolicy::for_category(ticket.category);
    let idle = |clock| SlaState {
        clock,
        target_s: policy.target_s,
        elapsed_s: 0,
        remaining_s: policy.target_s,
        due_at: None,
        breached: false,
        at_risk: false,
    };
    match ticket.status {
        TicketStatus::Solved => return idle(SlaClock::Stopped),
        TicketStatus::WaitingOnCustomer => return idle(SlaClock::PausedOnUser),
        TicketStatus::Open | TicketStatus::WaitingOnAgent | TicketStatus::Reopened => {}
    }
    // A ticket that waits on agents always has a start through the use cases (a status change
    // or a message); a row edited by hand still gets a clock, from its last change.
    let since = owed_since(ticket, inputs).unwrap_or(ticket.updated_at);
    let elapsed_s = service_seconds(&policy.hours, since, now);
    let remaining_s = policy.target_s - elapsed_s;
    SlaState {
        clock: SlaClock::Running,
        target_s: policy.target_s,
        elapsed_s,
        remaining_s,
        due_at: Some(add_service_seconds(&policy.hours, since, policy.target_s)),
        breached: remaining_s < 0,
        at_risk: remaining_s >= 0 && remaining_s * 4 <= policy.target_s,
    }
}

/// The console's order: running clocks first, the soonest due (most overdue) first; then
/// paused and stopped tickets by priority and age.
pub fn console_order(a: &(Ticket, SlaState), b: &(Ticket, SlaState)) -> std::cmp::Ordering {
    let rank = |state: &SlaState| match state.clock {
        SlaClock::Running => 0,
        SlaClock::PausedOnUser => 1,
        SlaClock::Stopped => 2,
    };
    rank(&a.1)
        .cmp(&rank(&b.1))
        .then(a.1.due_at.cmp(&b.1.due_at))
        .then(a.0.priority.cmp(&b.0.priority))
        .then(a.0.created_at.cmp(&b.0.created_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::TicketMessage;

    fn thread(messages: Vec<TicketMessage>) -> SlaInputs {
        SlaInputs {
            messages,
            status_changes: Vec::new(),
        }
    }

    // 2026-11-23 (a Monday) 00:00 UTC = 08:00 in Shanghai.
    const MONDAY_0800_SHANGHAI: UnixSeconds = 1_795_392_000;

    fn ticket(category: Category, status: TicketStatus, created_at: UnixSeconds) -> Ticket {
        Ticket {
            id: "tkt_1".into(),
            user_id: "usr_1".into(),
            category,
            subject: "s".into(),
            description: "d".into(),
            transaction_id: None,
            status,
            priority: category.priority(),
            assignee: None,
            context: String::new(),
            rating: None,
            rating_comment: None,
            created_at,
            updated_at: created_at,
            solved_at: None,
        }
    }

    fn message(author: AuthorKind, internal: bool, at: UnixSeconds) -> TicketMessage {
        TicketMessage {
            id: format!("tkm_{at}"),
            ticket_id: "tkt_1".into(),
            author_kind: author,
            author_id: "x".into(),
            body: "b".into(),
            internal,
            created_at: at,
        }
    }

    #[test]
    fn the_fixed_monday_is_eight_in_the_morning_in_shanghai() {
        let hours = ServiceHours::parse(DESK_HOURS).unwrap();
        assert!(!hours.is_open_at(MONDAY_0800_SHANGHAI));
        assert!(hours.is_open_at(MONDAY_0800_SHANGHAI + 3_600));
    }

    #[test]
    fn only_service_hours_count_outside_security() {
        let hours = ServiceHours::parse(DESK_HOURS).unwrap();
        // 08:00 → 22:00 the same day: 09:00-21:00 counts, 12 hours.
        assert_eq!(
            service_seconds(
                &hours,
                MONDAY_0800_SHANGHAI,
                MONDAY_0800_SHANGHAI + 14 * 3_600
            ),
            12 * 3_600
        );
        // A whole day of 24 hours holds 12 service hours.
        assert_eq!(
            service_seconds(
                &hours,
                MONDAY_0800_SHANGHAI,
                MONDAY_0800_SHANGHAI + 24 * 3_600
            ),
            12 * 3_600
        );
        // 24 service hours from Monday 08:00 end Tuesday 21:00.
        assert_eq!(
            add_service_seconds(&hours, MONDAY_0800_SHANGHAI, 24 * 3_600),
            MONDAY_0800_SHANGHAI + 37 * 3_600
        );
        assert_eq!(service_seconds(&ServiceHours::Always, 100, 3_700), 3_600);
    }

    #[test]
    fn a_security_ticket_breaches_after_one_hour_around_the_clock() {
        let opened = MONDAY_0800_SHANGHAI - 6 * 3_600; // 02:00 in Shanghai, desk closed
        let t = ticket(Category::Security, TicketStatus::Open, opened);
        let state = sla_state(&t, &SlaInputs::default(), opened + 50 * 60);
        assert_eq!(state.clock, SlaClock::Running);
        assert!(!state.breached);
        assert!(state.at_risk);
        assert_eq!(state.due_at, Some(opened + 3_600));
        assert!(sla_state(&t, &SlaInputs::default(), opened + 61 * 60).breached);
    }

    #[test]
    fn an_overnight_wait_does_not_eat_a_24_hour_target() {
        let t = ticket(Category::TopUp, TicketStatus::Open, MONDAY_0800_SHANGHAI);
        // 30 wall-clock hours later (Tuesday 14:00): 12 + 5 = 17 service hours.
        let state = sla_state(&t, &SlaInputs::default(), MONDAY_0800_SHANGHAI + 30 * 3_600);
        assert_eq!(state.elapsed_s, 17 * 3_600);
        assert!(!state.breached && !state.at_risk);
        // Due Tuesday 21:00; the desk closes then, so the night adds nothing, and the breach
        // comes the first second it is open again, Wednesday 09:00.
        let at_close = sla_state(
            &t,
            &SlaInputs::default(),
            MONDAY_0800_SHANGHAI + 37 * 3_600 - 60,
        );
        assert!(at_close.at_risk && !at_close.breached);
        let overnight = sla_state(&t, &SlaInputs::default(), MONDAY_0800_SHANGHAI + 48 * 3_600);
        assert_eq!(overnight.remaining_s, 0);
        assert!(!overnight.breached);
        assert!(
            sla_state(
                &t,
                &SlaInputs::default(),
                MONDAY_0800_SHANGHAI + 49 * 3_600 + 1
            )
            .breached
        );
    }

    #[test]
    fn the_clock_pauses_while_waiting_on_the_user_and_restarts_at_their_answer() {
        let opened = MONDAY_0800_SHANGHAI;
        let mut t = ticket(Category::Security, TicketStatus::WaitingOnCustomer, opened);
        let answered = opened + 10 * 60;
        let replies = vec![
            message(AuthorKind::Staff, true, opened + 60),
            message(AuthorKind::Staff, false, answered),
        ];
        // Three days waiting on the user owe nothing.
        let state = sla_state(&t, &thread(replies.clone()), opened + 3 * 86_400);
        assert_eq!(state.clock, SlaClock::PausedOnUser);
        assert!(!state.breached);
        // The user writes back: the clock runs from their message, not from the opening.
        let wrote = opened + 3 * 86_400;
        t.status = TicketStatus::WaitingOnAgent;
        let mut replies = replies;
        replies.push(message(AuthorKind::User, false, wrote));
        replies.push(message(AuthorKind::User, false, wrote + 120));
        let state = sla_state(&t, &thread(replies), wrote + 30 * 60);
        assert_eq!(state.elapsed_s, 30 * 60);
        assert_eq!(state.due_at, Some(wrote + 3_600));
    }

    #[test]
    fn an_internal_note_is_no_reply() {
        let opened = MONDAY_0800_SHANGHAI;
        let t = ticket(Category::Security, TicketStatus::Open, opened);
        let note = thread(vec![message(AuthorKind::Staff, true, opened + 60)]);
        assert!(sla_state(&t, &note, opened + 2 * 3_600).breached);
    }

    #[test]
    fn an_agent_setting_the_ticket_to_wait_on_the_user_pauses_it_without_a_reply() {
        let opened = MONDAY_0800_SHANGHAI;
        let mut t = ticket(Category::Security, TicketStatus::WaitingOnAgent, opened);
        let wrote = opened + 86_400;
        let inputs = SlaInputs {
            messages: vec![message(AuthorKind::User, false, wrote)],
            status_changes: vec![(opened + 20 * 60, TicketStatus::WaitingOnCustomer)],
        };
        // Twenty minutes counted before the pause are forgotten: the clock restarts at the
        // user's message.
        let state = sla_state(&t, &inputs, wrote + 30 * 60);
        assert_eq!(state.elapsed_s, 30 * 60);
        // An agent moving a solved ticket back to open owes a reply from that moment.
        t.status = TicketStatus::Open;
        let inputs = SlaInputs {
            messages: vec![message(AuthorKind::Staff, false, opened + 60)],
            status_changes: vec![
                (opened + 120, TicketStatus::Solved),
                (wrote, TicketStatus::Open),
            ],
        };
        assert_eq!(sla_state(&t, &inputs, wrote + 600).elapsed_s, 600);
    }

    #[test]
    fn solved_tickets_stop_the_clock_and_sort_last() {
        let opened = MONDAY_0800_SHANGHAI;
        let solved = ticket(Category::Security, TicketStatus::Solved, opened);
        let late = ticket(Category::Other, TicketStatus::Open, opened - 10 * 86_400);
        let fresh = ticket(Category::Security, TicketStatus::Open, opened);
        let now = opened + 10 * 60;
        let mut rows: Vec<(Ticket, SlaState)> = [solved, fresh, late]
            .into_iter()
            .map(|t| {
                let state = sla_state(&t, &SlaInputs::default(), now);
                (t, state)
            })
            .collect();
        rows.sort_by(console_order);
        assert_eq!(rows[0].0.category, Category::Other);
        assert!(rows[0].1.breached);
        assert_eq!(rows[1].0.category, Category::Security);
        assert_eq!(rows[2].1.clock, SlaClock::Stopped);
    }
}
