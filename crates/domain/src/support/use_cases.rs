//! The support use cases: list the contact channels and whether each is open, check a value
//! against them, take and review scam reports, and keep announcements (with a short cache, as
//! every page's banner reads them).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::audit::{Actor, AuditEvent};
use crate::identity::UnixSeconds;
use crate::ids::new_id;
use crate::store_port::{AuditStore, StoreError};
use crate::support::announcements::{
    Announcement, AnnouncementDraft, InvalidAnnouncement, Phase, Service, ServiceState,
    ValidAnnouncement, announcement_explaining, service_states,
};
use crate::support::channels::{ChannelDraft, ContactChannel, InvalidChannel, default_channels};
use crate::support::hours::Openness;
use crate::support::official::{
    CheckedValue, InvalidValue, OfficialMatch, ValueKind, brand_names, lookalike_of,
    official_match, recognise, registrable_domain,
};
use crate::support::port::{ReportStatus, ReportTally, ScamReport, SupportStore};

/// How long the notices read for banners are reused before the database is asked again.
pub const NOTICE_CACHE_TTL: Duration = Duration::from_secs(10);
/// How far back the status page and the cache look for past notices.
pub const RECENT_PAST_S: i64 = 14 * 24 * 60 * 60;
/// How far ahead they look for upcoming notices.
pub const UPCOMING_S: i64 = 30 * 24 * 60 * 60;
/// The most notices the status page and the cache hold.
const NOTICES_MAX: i64 = 200;
/// The longest note a reporter may write.
pub const REPORT_NOTE_CHARS_MAX: usize = 1_000;
/// The most reports one listing returns.
pub const REPORTS_LIST_MAX: i64 = 100;

/// A channel as the contact page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedChannel {
    pub channel: ContactChannel,
    pub openness: Openness,
}

/// What the official-channel check says about a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// One of our channels (`channel` says which).
    Official,
    /// Reported by users as a scam; `reports.confirmed > 0` once staff confirmed it.
    ReportedScam,
    /// Not ours, and made to look like ours (`resembles` names what it imitates).
    Lookalike,
    /// Not one of our channels.
    NotOurs,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Official => "official",
            Verdict::ReportedScam => "reported_scam",
            Verdict::Lookalike => "lookalike",
            Verdict::NotOurs => "not_ours",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct OfficialCheck {
    pub value: CheckedValue,
    pub verdict: Verdict,
    pub channel: Option<ContactChannel>,
    pub matched: Option<OfficialMatch>,
    /// The brand a look-alike imitates, also given when the verdict is `reported_scam`.
    pub resembles: Option<String>,
    pub reports: ReportTally,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user's scam report as submitted.
#[derive(Clone, Debug, Default)]
pub struct ReportRequest {
    pub value: String,
    pub note: String,
    pub reporter: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error("the note is longer than {REPORT_NOTE_CHARS_MAX} characters")]
    NoteTooLong,
    /// The value is one of our own channels: it cannot be reported as a scam.
    #[error("the value is an official channel")]
    Official,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    InvalidChannel(#[from] InvalidChannel),
    #[error(transparent)]
    InvalidAnnouncement(#[from] InvalidAnnouncement),
    /// Someone else saved the notice since this edit began: reload and edit again.
    #[error("the notice was changed by someone else")]
    VersionConflict,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for EditError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => EditError::NotFound,
            StoreError::Conflict { .. } => EditError::VersionConflict,
            other => EditError::Store(other),
        }
    }
}

/// The status page's content at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusBoard {
    pub services: Vec<(Service, ServiceState)>,
    pub active: Vec<Announcement>,
    pub upcoming: Vec<Announcement>,
    /// Ended in the last [`RECENT_PAST_S`], newest first.
    pub recent: Vec<Announcement>,
}

struct CachedNotices {
    loaded: Instant,
    from: UnixSeconds,
    to: UnixSeconds,
    notices: Arc<Vec<Announcement>>,
}

/// The support use cases over a store.
pub struct Support<S> {
    store: Arc<S>,
    notices: RwLock<Option<CachedNotices>>,
}

impl<S: SupportStore + AuditStore> Support<S> {
    pub fn new(store: Arc<S>) -> Self {
        Support {
            store,
            notices: RwLock::new(None),
        }
    }

    /// Stores the default contact channels the first time a database is used.
    pub async fn seed_defaults(&self, now: UnixSeconds) -> Result<bool, StoreError> {
        self.store
            .seed_contact_channels(&default_channels(now))
            .await
    }

    /// The enabled channels in listing order, each with whether it is open at `now`.
    pub async fn contact_channels(
        &self,
        now: UnixSeconds,
    ) -> Result<Vec<ListedChannel>, StoreError> {
        Ok(self
            .store
            .contact_channels()
            .await?
            .into_iter()
            .filter(|channel| channel.enabled)
            .map(|channel| ListedChannel {
                openness: channel.hours.openness(now),
                channel,
            })
            .collect())
    }

    /// Every channel, hidden ones too, for the admin page.
    pub async fn all_channels(&self) -> Result<Vec<ContactChannel>, StoreError> {
        self.store.contact_channels().await
    }

    /// Adds or replaces a channel; `editor` (a staff id) goes to the audit log.
    pub async fn save_channel(
        &self,
        draft: ChannelDraft,
        editor: &str,
        now: UnixSeconds,
    ) -> Result<ContactChannel, EditError> {
        let channel = draft.validate(now)?;
        self.store.put_contact_channel(&channel).await?;
        self.audit(editor, "contact_channel.saved", &channel.id, &channel.value)
            .await?;
        Ok(channel)
    }

    pub async fn delete_channel(&self, id: &str, editor: &str) -> Result<(), EditError> {
        self.store.delete_contact_channel(id).await?;
        self.audit(editor, "contact_channel.deleted", id, "")
            .await?;
        Ok(())
    }

    /// Records a staff member's change. Written after the change itself: a crash in between
    /// loses the audit row, never the change's own history (notices keep every version).
    async fn audit(
        &self,
        editor: &str,
        action: &'static str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.store
            .append_audit(&[AuditEvent {
                actor: Actor::Staff(editor.to_owned()),
                action,
                subject: subject.to_owned(),
                detail: detail.to_owned(),
            }])
            .await
    }

    /// Whether `value` is ours, a look-alike, reported as a scam, or not ours.
    pub async fn check(&self, value: &str) -> Result<OfficialCheck, CheckError> {
        let value = recognise(value)?;
        let channels = self.store.contact_channels().await?;
        let mut reports = ReportTally::default();
        for (kind, key) in report_keys(&value) {
            let tally = self.store.scam_report_tally(kind, &key).await?;
            reports.pending += tally.pending;
            reports.confirmed += tally.confirmed;
        }
        Ok(judge(value, &channels, reports))
    }

    /// Files a user's report; official channels cannot be reported.
    pub async fn report_scam(
        &self,
        request: ReportRequest,
        now: UnixSeconds,
    ) -> Result<ScamReport, ReportError> {
        if request.note.chars().count() > REPORT_NOTE_CHARS_MAX {
            return Err(ReportError::NoteTooLong);
        }
        let value = recognise(&request.value)?;
        let channels = self.store.contact_channels().await?;
        if official_match(&value, &channels).is_some() {
            return Err(ReportError::Official);
        }
        let report = ScamReport {
            id: new_id("rpt"),
            kind: value.kind,
            key: value.key,
            value: request.value.trim().to_owned(),
            note: request.note.trim().to_owned(),
            reporter: request.reporter,
            status: ReportStatus::Pending,
            created_at: now,
            reviewed_by: None,
            reviewed_at: None,
            review_note: String::new(),
        };
        self.store.insert_scam_report(&report).await?;
        Ok(report)
    }

    pub async fn scam_reports(
        &self,
        status: Option<ReportStatus>,
        limit: i64,
    ) -> Result<Vec<ScamReport>, StoreError> {
        self.store
            .scam_reports(status, limit.clamp(1, REPORTS_LIST_MAX))
            .await
    }

    /// Staff confirm a report (the check then says "confirmed scam") or reject it (it no
    /// longer counts).
    pub async fn review_report(
        &self,
        id: &str,
        confirmed: bool,
        reviewer: &str,
        note: &str,
        now: UnixSeconds,
    ) -> Result<ScamReport, EditError> {
        let status = if confirmed {
            ReportStatus::Confirmed
        } else {
            ReportStatus::Rejected
        };
        self.store
            .review_scam_report(id, status, reviewer, note.trim(), now)
            .await?;
        let action = if confirmed {
            "scam_report.confirmed"
        } else {
            "scam_report.rejected"
        };
        self.audit(reviewer, action, id, note.trim()).await?;
        self.store.scam_report(id).await?.ok_or(EditError::NotFound)
    }

    /// Notices that overlap the recent past and the coming month, withdrawn ones left out;
    /// reused for [`NOTICE_CACHE_TTL`] (edits made through this process clear it at once).
    pub async fn notices(&self, now: UnixSeconds) -> Result<Arc<Vec<Announcement>>, StoreError> {
        if let Some(cached) = self.notices.read().expect("not poisoned").as_ref()
            && cached.loaded.elapsed() < NOTICE_CACHE_TTL
            && cached.from <= now - RECENT_PAST_S
            && now + UPCOMING_S <= cached.to
        {
            return Ok(cached.notices.clone());
        }
        // A little more than needed, so the next calls within the TTL still fit the window.
        let (from, to) = (now - RECENT_PAST_S - 3_600, now + UPCOMING_S + 3_600);
        let notices: Vec<Announcement> = self
            .store
            .announcements_between(from, to, NOTICES_MAX)
            .await?
            .into_iter()
            .filter(|notice| !notice.withdrawn)
            .collect();
        let notices = Arc::new(notices);
        *self.notices.write().expect("not poisoned") = Some(CachedNotices {
            loaded: Instant::now(),
            from,
            to,
            notices: notices.clone(),
        });
        Ok(notices)
    }

    /// The notices active at `now`, most severe first.
    pub async fn active_notices(&self, now: UnixSeconds) -> Result<Vec<Announcement>, StoreError> {
        let mut active: Vec<Announcement> = self
            .notices(now)
            .await?
            .iter()
            .filter(|notice| notice.is_active(now))
            .cloned()
            .collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.starts_at.cmp(&b.starts_at))
        });
        Ok(active)
    }

    pub async fn status_board(&self, now: UnixSeconds) -> Result<StatusBoard, StoreError> {
        let notices = self.notices(now).await?;
        let in_phase = |phase| {
            notices
                .iter()
                .filter(|notice| notice.phase(now) == phase)
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut recent = in_phase(Phase::Past);
        recent.retain(|notice| notice.ends_at.is_some_and(|end| end > now - RECENT_PAST_S));
        recent.sort_by_key(|notice| std::cmp::Reverse(notice.ends_at));
        Ok(StatusBoard {
            services: service_states(&notices, now),
            active: self.active_notices(now).await?,
            upcoming: in_phase(Phase::Upcoming),
            recent,
        })
    }

    /// The notice explaining why `service` failed at `at`; see
    /// [`announcement_explaining`](crate::support::announcements::announcement_explaining).
    pub async fn announcement_explaining(
        &self,
        service: Service,
        at: UnixSeconds,
    ) -> Result<Option<Announcement>, StoreError> {
        let notices = self.notices(at).await?;
        Ok(announcement_explaining(&notices, service, at).cloned())
    }

    pub async fn create_announcement(
        &self,
        draft: AnnouncementDraft,
        editor: &str,
        now: UnixSeconds,
    ) -> Result<Announcement, EditError> {
        let valid = draft.validate()?;
        let announcement = from_valid(valid, new_id("ann"), 1, editor, now, now);
        self.store.insert_announcement(&announcement).await?;
        self.forget_notices();
        self.audit(
            editor,
            "announcement.created",
            &announcement.id,
            "version 1",
        )
        .await?;
        Ok(announcement)
    }

    /// Saves a new version of a notice. `expected_version` is the version the editor started
    /// from; a save in between makes this a [`EditError::VersionConflict`].
    pub async fn update_announcement(
        &self,
        id: &str,
        expected_version: i64,
        draft: AnnouncementDraft,
        editor: &str,
        now: UnixSeconds,
    ) -> Result<Announcement, EditError> {
        let valid = draft.validate()?;
        let current = self
            .store
            .announcement(id)
            .await?
            .ok_or(EditError::NotFound)?;
        if current.version != expected_version {
            return Err(EditError::VersionConflict);
        }
        let announcement = from_valid(
            valid,
            id.to_owned(),
            expected_version + 1,
            editor,
            now,
            current.created_at,
        );
        self.store.update_announcement(&announcement).await?;
        self.forget_notices();
        let detail = format!("version {}", announcement.version);
        self.audit(editor, "announcement.updated", id, &detail)
            .await?;
        Ok(announcement)
    }

    pub async fn announcement(&self, id: &str) -> Result<Option<Announcement>, StoreError> {
        self.store.announcement(id).await
    }

    pub async fn recent_announcements(&self, limit: i64) -> Result<Vec<Announcement>, StoreError> {
        self.store
            .recent_announcements(limit.clamp(1, NOTICES_MAX))
            .await
    }

    pub async fn announcement_history(&self, id: &str) -> Result<Vec<Announcement>, StoreError> {
        self.store.announcement_history(id).await
    }

    fn forget_notices(&self) {
        *self.notices.write().expect("not poisoned") = None;
    }
}

/// The check's verdict on a recognised value, given our channels and the live reports filed
/// under its keys. Official wins over everything (our own channels cannot be reported), then a
/// report, then a look-alike.
pub fn judge(
    value: CheckedValue,
    channels: &[ContactChannel],
    reports: ReportTally,
) -> OfficialCheck {
    if let Some((channel, matched)) = official_match(&value, channels) {
        return OfficialCheck {
            verdict: Verdict::Official,
            channel: Some(channel.clone()),
            matched: Some(matched),
            resembles: None,
            reports: ReportTally::default(),
            value,
        };
    }
    let resembles = lookalike_of(&value, &brand_names(channels));
    let verdict = if reports.is_reported() {
        Verdict::ReportedScam
    } else if resembles.is_some() {
        Verdict::Lookalike
    } else {
        Verdict::NotOurs
    };
    OfficialCheck {
        value,
        verdict,
        channel: None,
        matched: None,
        resembles,
        reports,
    }
}

/// The keys reports of `value` may be filed under: its own, and for an e-mail address also
/// the site its domain belongs to, so a reported scam site covers the addresses on it.
fn report_keys(value: &CheckedValue) -> Vec<(ValueKind, String)> {
    let mut keys = vec![(value.kind, value.key.clone())];
    if value.kind == ValueKind::Email
        && let Some(host) = &value.host
    {
        keys.push((ValueKind::Url, registrable_domain(host)));
    }
    keys
}

fn from_valid(
    valid: ValidAnnouncement,
    id: String,
    version: i64,
    editor: &str,
    now: UnixSeconds,
    created_at: UnixSeconds,
) -> Announcement {
    Announcement {
        id,
        kind: valid.kind,
        severity: valid.severity,
        title_zh_cn: valid.title_zh_cn,
        title_en: valid.title_en,
        body_zh_cn: valid.body_zh_cn,
        body_en: valid.body_en,
        starts_at: valid.starts_at,
        ends_at: valid.ends_at,
        services: valid.services,
        withdrawn: valid.withdrawn,
        version,
        edited_by: editor.to_owned(),
        edited_at: now,
        created_at,
    }
}
