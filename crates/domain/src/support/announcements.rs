//! Announcements: maintenance and incident notices with a start, an end and the services they
//! touch; which are active, upcoming or past at an instant; the status of every service; and
//! the notice that explains a failure.

use crate::identity::UnixSeconds;

/// The services a notice can touch. A fixed list, so that a failure in the wallet can name the
/// service it belongs to and find the notice that explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    SignIn,
    CardTopup,
    Transfer,
    BankPayout,
    Exchange,
    Remittance,
    MerchantPayments,
    Chat,
    Tickets,
}

impl Service {
    pub const ALL: &'static [Service] = &[
        Service::SignIn,
        Service::CardTopup,
        Service::Transfer,
        Service::BankPayout,
        Service::Exchange,
        Service::Remittance,
        Service::MerchantPayments,
        Service::Chat,
        Service::Tickets,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Service::SignIn => "sign_in",
            Service::CardTopup => "card_topup",
            Service::Transfer => "transfer",
            Service::BankPayout => "bank_payout",
            Service::Exchange => "exchange",
            Service::Remittance => "remittance",
            Service::MerchantPayments => "merchant_payments",
            Service::Chat => "chat",
            Service::Tickets => "tickets",
        }
    }

    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL
            .iter()
            .copied()
            .find(|service| service.name() == name)
    }
}

/// Planned work, or something that broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Maintenance,
    Incident,
}

impl NoticeKind {
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Maintenance => "maintenance",
            NoticeKind::Incident => "incident",
        }
    }

    pub fn parse(name: &str) -> Option<NoticeKind> {
        match name {
            "maintenance" => Some(NoticeKind::Maintenance),
            "incident" => Some(NoticeKind::Incident),
            _ => None,
        }
    }
}

/// How much a notice's services are affected, in rising order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; the services work.
    Info,
    /// Slower, or failing for some requests.
    Degraded,
    /// Not available at all.
    Outage,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Degraded => "degraded",
            Severity::Outage => "outage",
        }
    }

    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "degraded" => Some(Severity::Degraded),
            "outage" => Some(Severity::Outage),
            _ => None,
        }
    }
}

/// A notice as stored: its current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// `ann_…`.
    pub id: String,
    pub kind: NoticeKind,
    pub severity: Severity,
    pub title_zh_cn: String,
    pub title_en: String,
    pub body_zh_cn: String,
    pub body_en: String,
    pub starts_at: UnixSeconds,
    /// `None` while an incident's end is unknown.
    pub ends_at: Option<UnixSeconds>,
    pub services: Vec<Service>,
    /// Withdrawn notices are kept for their history but shown nowhere.
    pub withdrawn: bool,
    /// 1 for a new notice, one more for every edit.
    pub version: i64,
    /// Who saved this version (a staff user id, or `system`).
    pub edited_by: String,
    pub edited_at: UnixSeconds,
    pub created_at: UnixSeconds,
}

/// Where a notice stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Active,
    Past,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Active => "active",
            Phase::Past => "past",
        }
    }
}

impl Announcement {
    /// Active from `starts_at` (inclusive) until `ends_at` (exclusive).
    pub fn phase(&self, at: UnixSeconds) -> Phase {
        if at < self.starts_at {
            Phase::Upcoming
        } else if self.ends_at.is_some_and(|end| at >= end) {
            Phase::Past
        } else {
            Phase::Active
        }
    }

    pub fn is_active(&self, at: UnixSeconds) -> bool {
        !self.withdrawn && self.phase(at) == Phase::Active
    }

    pub fn touches(&self, service: Service) -> bool {
        self.services.contains(&service)
    }
}

/// What an admin types to create or change a notice; [`AnnouncementDraft::validate`] checks it.
#[derive(Clone, Debug, Default)]
pub struct AnnouncementDraft {
    pub kind: String,
    pub severity: String,
    pub title_zh_cn: String,
    pub title_en: String,
    pub body_zh_cn: String,
    pub body_en: String,
    pub starts_at: UnixSeconds,
    pub ends_at: Option<UnixSeconds>,
    pub services: Vec<String>,
    pub withdrawn: bool,
}

/// A draft's fields, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAnnouncement {
    pub kind: NoticeKind,
    pub severity: Severity,
    pub title_zh_cn: String,
    pub title_en: String,
    pub body_zh_cn: String,
    pub body_en: String,
    pub starts_at: UnixSeconds,
    pub ends_at: Option<UnixSeconds>,
    pub services: Vec<Service>,
    pub withdrawn: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidAnnouncement {
    pub field: &'static str,
    pub reason: String,
}

const TITLE_CHARS_MAX: usize = 120;
const BODY_CHARS_MAX: usize = 4_000;

impl AnnouncementDraft {
    pub fn validate(self) -> Result<ValidAnnouncement, InvalidAnnouncement> {
        let invalid = |field, reason: &str| InvalidAnnouncement {
            field,
            reason: reason.to_owned(),
        };
        let kind = NoticeKind::parse(&self.kind)
            .ok_or_else(|| invalid("kind", "maintenance or incident"))?;
        let severity = Severity::parse(&self.severity)
            .ok_or_else(|| invalid("severity", "info, degraded or outage"))?;
        for (field, text, max) in [
            ("title_zh_cn", &self.title_zh_cn, TITLE_CHARS_MAX),
            ("title_en", &self.title_en, TITLE_CHARS_MAX),
            ("body_zh_cn", &self.body_zh_cn, BODY_CHARS_MAX),
            ("body_en", &self.body_en, BODY_CHARS_MAX),
        ] {
            if text.trim().is_empty() {
                return Err(invalid(field, "required in both languages"));
            }
            if text.chars().count() > max {
                return Err(InvalidAnnouncement {
                    field,
                    reason: format!("at most {max} characters"),
                });
            }
        }
        if self.ends_at.is_some_and(|end| end <= self.starts_at) {
            return Err(invalid("ends_at", "must come after starts_at"));
        }
        let mut services = Vec::new();
        for name in &self.services {
            let service = Service::parse(name).ok_or_else(|| InvalidAnnouncement {
                field: "services",
                reason: format!("unknown service {name:?}"),
            })?;
            if !services.contains(&service) {
                services.push(service);
            }
        }
        services.sort();
        if services.is_empty() {
            return Err(invalid("services", "name at least one service"));
        }
        Ok(ValidAnnouncement {
            kind,
            severity,
            title_zh_cn: self.title_zh_cn.trim().to_owned(),
            title_en: self.title_en.trim().to_owned(),
            body_zh_cn: self.body_zh_cn.trim().to_owned(),
            body_en: self.body_en.trim().to_owned(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            services,
            withdrawn: self.withdrawn,
        })
    }
}

/// A service's state at an instant, worst first in the ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceState {
    Operational,
    Maintenance,
    Degraded,
    Outage,
}

impl ServiceState {
    pub fn name(self) -> &'static str {
        match self {
            ServiceState::Operational => "operational",
            ServiceState::Maintenance => "maintenance",
            ServiceState::Degraded => "degraded",
            ServiceState::Outage => "outage",
        }
    }

    fn of(announcement: &Announcement) -> ServiceState {
        match (announcement.kind, announcement.severity) {
            (_, Severity::Outage) => ServiceState::Outage,
            (NoticeKind::Incident, _) => ServiceState::Degraded,
            (NoticeKind::Maintenance, Severity::Degraded) => ServiceState::Maintenance,
            (NoticeKind::Maintenance, Severity::Info) => ServiceState::Operational,
        }
    }
}

/// Every service's state at `at`: the worst of the active notices touching it.
pub fn service_states(
    announcements: &[Announcement],
    at: UnixSeconds,
) -> Vec<(Service, ServiceState)> {
    Service::ALL
        .iter()
        .map(|service| {
            let state = announcements
                .iter()
                .filter(|a| a.is_active(at) && a.touches(*service))
                .map(ServiceState::of)
                .max()
                .unwrap_or(ServiceState::Operational);
            (*service, state)
        })
        .collect()
}

/// The notice that explains why `service` failed at `at`, for a failure's error body
/// (`announcement`): of the notices active at `at` that touch the service and are not merely
/// informational, the most severe, then the latest to start. `None` when nothing explains it.
///
/// Callers in the wallet pass the service a refused operation belongs to (a top-up refused by
/// the card processor → [`Service::CardTopup`]; a payout the bank rail refused →
/// [`Service::BankPayout`]) and the instant of the failure; the web layer renders the result
/// in the error's `announcement` field (see `web::support_notice`).
pub fn announcement_explaining(
    announcements: &[Announcement],
    service: Service,
    at: UnixSeconds,
) -> Option<&Announcement> {
    announcements
        .iter()
        .filter(|a| a.is_active(at) && a.touches(service) && a.severity > Severity::Info)
        .max_by_key(|a| (a.severity, a.starts_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, severity: Severity, from: i64, to: Option<i64>) -> Announcement {
        Announcement {
            id: format!("ann_{from}"),
            kind,
            severity,
            title_zh_cn: "维护".into(),
            title_en: "Maintenance".into(),
            body_zh_cn: "正文".into(),
            body_en: "Body".into(),
            starts_at: from,
            ends_at: to,
            services: vec![Service::CardTopup],
            withdrawn: false,
            version: 1,
            edited_by: "system".into(),
            edited_at: 0,
            created_at: 0,
        }
    }

    #[test]
    fn a_notice_is_active_from_its_start_until_its_end() {
        let a = notice(NoticeKind::Maintenance, Severity::Outage, 100, Some(200));
        assert_eq!(a.phase(99), Phase::Upcoming);
        assert_eq!(a.phase(100), Phase::Active);
        assert_eq!(a.phase(199), Phase::Active);
        assert_eq!(a.phase(200), Phase::Past);
        let open = notice(NoticeKind::Incident, Severity::Degraded, 100, None);
        assert_eq!(open.phase(1_000_000), Phase::Active);
    }

    #[test]
    fn the_worst_active_notice_sets_a_services_state() {
        let notices = vec![
            notice(NoticeKind::Incident, Severity::Degraded, 0, Some(100)),
            notice(NoticeKind::Maintenance, Severity::Outage, 50, Some(80)),
        ];
        let state = |at| {
            service_states(&notices, at)
                .into_iter()
                .find(|(s, _)| *s == Service::CardTopup)
                .map(|(_, state)| state)
        };
        assert_eq!(state(10), Some(ServiceState::Degraded));
        assert_eq!(state(60), Some(ServiceState::Outage));
        assert_eq!(state(100), Some(ServiceState::Operational));
    }

    #[test]
    fn a_failure_is_explained_by_the_most_severe_active_notice_of_its_service() {
        let mut withdrawn = notice(NoticeKind::Maintenance, Severity::Outage, 0, Some(100));
        withdrawn.withdrawn = true;
        let info = notice(NoticeKind::Maintenance, Severity::Info, 0, Some(100));
        let outage = notice(NoticeKind::Maintenance, Severity::Outage, 10, Some(100));
        let notices = vec![withdrawn, info, outage.clone()];
        assert_eq!(
            announcement_explaining(&notices, Service::CardTopup, 20),
            Some(&outage)
        );
        assert_eq!(
            announcement_explaining(&notices, Service::CardTopup, 5),
            None
        );
        assert_eq!(
            announcement_explaining(&notices, Service::Transfer, 20),
            None
        );
        assert_eq!(
            announcement_explaining(&notices, Service::CardTopup, 100),
            None
        );
    }

    #[test]
    fn a_draft_must_end_after_it_starts_and_name_known_services() {
        let draft = AnnouncementDraft {
            kind: "maintenance".into(),
            severity: "outage".into(),
            title_zh_cn: "银行卡充值维护".into(),
            title_en: "Card top-up maintenance".into(),
            body_zh_cn: "正文".into(),
            body_en: "Body".into(),
            starts_at: 100,
            ends_at: Some(200),
            services: vec!["card_topup".into(), "card_topup".into()],
            withdrawn: false,
        };
        assert_eq!(
            draft.clone().validate().expect("valid").services,
            vec![Service::CardTopup]
        );
        let backwards = AnnouncementDraft {
            ends_at: Some(50),
            ..draft.clone()
        };
        assert_eq!(backwards.validate().unwrap_err().field, "ends_at");
        let unknown = AnnouncementDraft {
            services: vec!["teleport".into()],
            ..draft
        };
        assert_eq!(unknown.validate().unwrap_err().field, "services");
    }
}
