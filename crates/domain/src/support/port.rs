//! What the support use cases need from storage: contact channels, scam reports, and
//! announcements with their history. Implemented by the `store` crate.

use std::future::Future;

use crate::identity::UnixSeconds;
use crate::store_port::StoreError;
use crate::support::announcements::Announcement;
use crate::support::channels::ContactChannel;
use crate::support::official::ValueKind;

/// Where a scam report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportStatus {
    /// Filed by a user, not yet looked at.
    Pending,
    /// Staff checked it: it is a scam. The check then says "confirmed scam".
    Confirmed,
    /// Staff checked it and found nothing wrong; it no longer counts.
    Rejected,
}

impl ReportStatus {
    pub fn name(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Confirmed => "confirmed",
            ReportStatus::Rejected => "rejected",
        }
    }

    pub fn parse(name: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Pending,
            ReportStatus::Confirmed,
            ReportStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

/// A user's report that a number, address, site or account is a scam.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScamReport {
    /// `rpt_…`.
    pub id: String,
    pub kind: ValueKind,
    /// The normal form it is filed under (see `CheckedValue::key`).
    pub key: String,
    /// What the user pasted, as they pasted it.
    pub value: String,
    /// What happened, in the user's words (may be empty).
    pub note: String,
    /// The signed-in user who filed it, if any.
    pub reporter: Option<String>,
    pub status: ReportStatus,
    pub created_at: UnixSeconds,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<UnixSeconds>,
    /// The reviewer's reason, shown to staff.
    pub review_note: String,
}

/// How many live reports name one value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportTally {
    pub pending: u32,
    pub confirmed: u32,
}

impl ReportTally {
    pub fn is_reported(self) -> bool {
        self.pending + self.confirmed > 0
    }
}

pub trait SupportStore: Send + Sync + 'static {
    /// Stores `channels` once per database, the first time it is called; later calls (and
    /// other processes) find them seeded and change nothing. True when they were stored now.
    fn seed_contact_channels(
        &self,
        channels: &[ContactChannel],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Every channel, hidden ones too, by position then id.
    fn contact_channels(
        &self,
    ) -> impl Future<Output = Result<Vec<ContactChannel>, StoreError>> + Send;
    /// Adds a channel or replaces the one with its id.
    fn put_contact_channel(
        &self,
        channel: &ContactChannel,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// `NotFound` when there is no such channel.
    fn delete_contact_channel(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn insert_scam_report(
        &self,
        report: &ScamReport,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The pending and confirmed reports filed under `kind` and `key`.
    fn scam_report_tally(
        &self,
        kind: ValueKind,
        key: &str,
    ) -> impl Future<Output = Result<ReportTally, StoreError>> + Send;
    /// Reports, newest first, optionally only those in `status`; at most `limit`.
    fn scam_reports(
        &self,
        status: Option<ReportStatus>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<ScamReport>, StoreError>> + Send;
    fn scam_report(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<ScamReport>, StoreError>> + Send;
    /// Sets a report's status and reviewer; `NotFound` when there is no such report.
    fn review_scam_report(
        &self,
        id: &str,
        status: ReportStatus,
        reviewer: &str,
        note: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a new notice (version 1) and its first history entry.
    fn insert_announcement(
        &self,
        announcement: &Announcement,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces a notice with its next version and adds it to the history, only if the stored
    /// version is `announcement.version - 1`: `Conflict` when someone saved in between,
    /// `NotFound` when there is no such notice.
    fn update_announcement(
        &self,
        announcement: &Announcement,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn announcement(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Announcement>, StoreError>> + Send;
    /// Notices (withdrawn ones too) that overlap `[from, to)`: starting before `to` and not
    /// ended by `from`; by start time; at most `limit`.
    fn announcements_between(
        &self,
        from: UnixSeconds,
        to: UnixSeconds,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Announcement>, StoreError>> + Send;
    /// The newest notices by creation, for the admin list; at most `limit`.
    fn recent_announcements(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Announcement>, StoreError>> + Send;
    /// Every saved version of a notice, oldest first.
    fn announcement_history(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<Announcement>, StoreError>> + Send;
}
