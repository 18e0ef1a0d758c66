//! An in-memory stand-in for the domain's support use cases: no channels, no notices, every
//! check "not ours", except the value [`DATABASE_DOWN`], whose check finds the database down.
//! The real behaviour is tested in the store's contract suite and the binary's HTTP tests.

use std::sync::Arc;

use domain::StoreError;
use domain::identity::{BoxFuture, UnixSeconds};
use domain::support::{
    Announcement, AnnouncementDraft, ChannelDraft, CheckError, ContactChannel, EditError,
    ListedChannel, OfficialCheck, ReportError, ReportRequest, ReportStatus, ReportTally,
    ScamReport, Service, StatusBoard, SupportApi, Verdict,
};

pub const DATABASE_DOWN: &str = "down.example";

#[derive(Default)]
pub struct FakeSupport;

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(async move { value })
}

impl SupportApi for FakeSupport {
    fn contact_channels<'a>(
        &'a self,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<ListedChannel>, StoreError>> {
        ready(Ok(Vec::new()))
    }
    fn all_channels<'a>(&'a self) -> BoxFuture<'a, Result<Vec<ContactChannel>, StoreError>> {
        ready(Ok(Vec::new()))
    }
    fn save_channel<'a>(
        &'a self,
        _draft: ChannelDraft,
        _editor: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ContactChannel, EditError>> {
        ready(Err(EditError::NotFound))
    }
    fn delete_channel<'a>(
        &'a self,
        _id: &'a str,
        _editor: &'a str,
    ) -> BoxFuture<'a, Result<(), EditError>> {
        ready(Err(EditError::NotFound))
    }
    fn check<'a>(&'a self, value: &'a str) -> BoxFuture<'a, Result<OfficialCheck, CheckError>> {
        if value == DATABASE_DOWN {
            return ready(Err(CheckError::Store(StoreError::Unavailable(
                "the fake database is down".to_owned(),
            ))));
        }
        ready(
            domain::support::official::recognise(value)
                .map(|value| OfficialCheck {
                    value,
                    verdict: Verdict::NotOurs,
                    channel: None,
                    matched: None,
                    resembles: None,
                    reports: ReportTally::default(),
                })
                .map_err(CheckError::from),
        )
    }
    fn report_scam<'a>(
        &'a self,
        _request: ReportRequest,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, ReportError>> {
        ready(Err(ReportError::Official))
    }
    fn scam_reports<'a>(
        &'a self,
        _status: Option<ReportStatus>,
        _limit: i64,
    ) -> BoxFuture<'a, Result<Vec<ScamReport>, StoreError>> {
        ready(Ok(Vec::new()))
    }
    fn review_report<'a>(
        &'a self,
        _id: &'a str,
        _confirmed: bool,
        _reviewer: &'a str,
        _note: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<ScamReport, EditError>> {
        ready(Err(EditError::NotFound))
    }
    fn notices<'a>(
        &'a self,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Arc<Vec<Announcement>>, StoreError>> {
        ready(Ok(Arc::new(Vec::new())))
    }
    fn active_notices<'a>(
        &'a self,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        ready(Ok(Vec::new()))
    }
    fn status_board<'a>(
        &'a self,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<StatusBoard, StoreError>> {
        ready(Ok(StatusBoard {
            services: domain::support::announcements::service_states(&[], now),
            active: Vec::new(),
            upcoming: Vec::new(),
            recent: Vec::new(),
        }))
    }
    fn announcement_explaining<'a>(
        &'a self,
        _service: Service,
        _at: UnixSeconds,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>> {
        ready(Ok(None))
    }
    fn create_announcement<'a>(
        &'a self,
        _draft: AnnouncementDraft,
        _editor: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>> {
        ready(Err(EditError::NotFound))
    }
    fn update_announcement<'a>(
        &'a self,
        _id: &'a str,
        _expected_version: i64,
        _draft: AnnouncementDraft,
        _editor: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Announcement, EditError>> {
        ready(Err(EditError::NotFound))
    }
    fn announcement<'a>(
        &'a self,
        _id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Announcement>, StoreError>> {
        ready(Ok(None))
    }
    fn recent_announcements<'a>(
        &'a self,
        _limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        ready(Ok(Vec::new()))
    }
    fn announcement_history<'a>(
        &'a self,
        _id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Announcement>, StoreError>> {
        ready(Ok(Vec::new()))
    }
}
