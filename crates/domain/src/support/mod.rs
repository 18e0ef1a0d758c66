//! The customer-service center's public face: contact channels and their service hours, the
//! official-channel check with scam reports, and maintenance and incident announcements.

pub mod announcements;
pub mod api;
pub mod channels;
pub mod hours;
pub mod official;
pub mod port;
pub mod use_cases;

#[cfg(test)]
mod verdict_table;

pub use announcements::{
    Announcement, AnnouncementDraft, NoticeKind, Phase, Service, ServiceState, Severity,
    announcement_explaining,
};
pub use api::SupportApi;
pub use channels::{ChannelDraft, ChannelKind, ContactChannel, default_channels};
pub use hours::{Openness, ServiceHours};
pub use official::{CheckedValue, InvalidValue, OfficialMatch, ValueKind};
pub use port::{ReportStatus, ReportTally, ScamReport, SupportStore};
pub use use_cases::{
    CheckError, EditError, ListedChannel, OfficialCheck, ReportError, ReportRequest, StatusBoard,
    Support, Verdict, judge,
};
