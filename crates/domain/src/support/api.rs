//! The support use cases behind one object-safe trait, so the web layer holds them without
//! knowing which store they run on. Each method is documented on [`Support`].

use std::sync::Arc;

use crate::identity::{BoxFuture, UnixSeconds};
use crate::store_port::{AuditStore, StoreError};
use crate::support::announcements::{Announcement, AnnouncementDraft, Service};
use crate::support::channels::{ChannelDraft, ContactChannel};
use crate::support::port::{ReportStatus, ScamReport, SupportStore};
use crate::support::use_cases::{
    CheckError, EditError, ListedChannel, OfficialCheck, ReportError, ReportRequest, StatusBoard,
    Support,
};

/// What the HTTP face may ask of support.
pub trait SupportApi: Send + Sync + 'static {
    fn contact_channels<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<ListedChannel>, StoreError>>;
    fn all_channels<'a>(&'a self) -> BoxFuture<'a, Result<Vec<ContactChannel>, StoreError>>;
    fn save_channel<'a>(
        &'a self,
        draft: ChannelDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ContactChannel, EditError>>;
    fn delete_channel<'a>(
        &'a self,
        id: &'a str,
        editor: &'a str,
    ) -> BoxFuture<'a, Result<(), EditError>>;
    fn check<'a>(&'a self, value: &'a str) -> BoxFuture<'a, Result<OfficialCheck, CheckError>>;
    fn report_scam<'a>(
        &'a self,
        request: ReportRequest,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, ReportError>>;
    fn scam_reports<'a>(
        &'a self,
        status: Option<ReportStatus>,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<ScamReport>, StoreError>>;
    fn review_report<'a>(
        &'a self,
        id: &'a str,
        confirmed: bool,
        reviewer: &'a str,
        note: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, EditError>>;
    fn notices<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Arc<Vec<Announcement>>, StoreError>>;
    fn active_notices<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>>;
    fn status_board<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<StatusBoard, StoreError>>;
    fn announcement_explaining<'a>(
        &'a self,
        service: Service,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>>;
    fn create_announcement<'a>(
        &'a self,
        draft: AnnouncementDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>>;
    fn update_announcement<'a>(
        &'a self,
        id: &'a str,
        expected_version: i64,
        draft: AnnouncementDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>>;
    fn announcement<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>>;
    fn recent_announcements<'a>(
        &'a self,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>>;
    fn announcement_history<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>>;
}

impl<S: SupportStore + AuditStore> SupportApi for Support<S> {
    fn contact_channels<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<ListedChannel>, StoreError>> {
        Box::pin(Support::contact_channels(self, now))
    }

    fn all_channels<'a>(&'a self) -> BoxFuture<'a, Result<Vec<ContactChannel>, StoreError>> {
        Box::pin(Support::all_channels(self))
    }

    fn save_channel<'a>(
        &'a self,
        draft: ChannelDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ContactChannel, EditError>> {
        Box::pin(Support::save_channel(self, draft, editor, now))
    }

    fn delete_channel<'a>(
        &'a self,
        id: &'a str,
        editor: &'a str,
    ) -> BoxFuture<'a, Result<(), EditError>> {
        Box::pin(Support::delete_channel(self, id, editor))
    }

    fn check<'a>(&'a self, value: &'a str) -> BoxFuture<'a, Result<OfficialCheck, CheckError>> {
        Box::pin(Support::check(self, value))
    }

    fn report_scam<'a>(
        &'a self,
        request: ReportRequest,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, ReportError>> {
        Box::pin(Support::report_scam(self, request, now))
    }

    fn scam_reports<'a>(
        &'a self,
        status: Option<ReportStatus>,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<ScamReport>, StoreError>> {
        Box::pin(Support::scam_reports(self, status, limit))
    }

    fn review_report<'a>(
        &'a self,
        id: &'a str,
        confirmed: bool,
        reviewer: &'a str,
        note: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, EditError>> {
        Box::pin(Support::review_report(
            self, id, confirmed, reviewer, note, now,
        ))
    }

    fn notices<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Arc<Vec<Announcement>>, StoreError>> {
        Box::pin(Support::notices(self, now))
    }

    fn active_notices<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        Box::pin(Support::active_notices(self, now))
    }

    fn status_board<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<StatusBoard, StoreError>> {
        Box::pin(Support::status_board(self, now))
    }

    fn announcement_explaining<'a>(
        &'a self,
        service: Service,
        at: UnixSeconds,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>> {
        Box::pin(Support::announcement_explaining(self, service, at))
    }

    fn create_announcement<'a>(
        &'a self,
        draft: AnnouncementDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>> {
        Box::pin(Support::create_announcement(self, draft, editor, now))
    }

    fn update_announcement<'a>(
        &'a self,
        id: &'a str,
        expected_version: i64,
        draft: AnnouncementDraft,
        editor: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>> {
        Box::pin(Support::update_announcement(
            self,
            id,
            expected_version,
            draft,
            editor,
            now,
        ))
    }

    fn announcement<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>> {
        Box::pin(Support::announcement(self, id))
    }

    fn recent_announcements<'a>(
        &'a self,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        Box::pin(Support::recent_announcements(self, limit))
    }

    fn announcement_history<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        Box::pin(Support::announcement_history(self, id))
    }
}
