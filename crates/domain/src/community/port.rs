//! What the community needs from storage. Implemented by the `store` crate.

use std::future::Future;

use crate::community::use_cases::{Answer, Badge, Question};
use crate::identity::UnixSeconds;
use crate::store_port::StoreError;

/// What a vote or report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteTarget {
    Question,
    Answer,
}

impl VoteTarget {
    pub fn name(self) -> &'static str {
        match self {
            VoteTarget::Question => "question",
            VoteTarget::Answer => "answer",
        }
    }

    /// From an id's prefix: `q_…` or `ans_…`.
    pub fn of_id(id: &str) -> Option<VoteTarget> {
        if id.starts_with("q_") {
            Some(VoteTarget::Question)
        } else if id.starts_with("ans_") {
            Some(VoteTarget::Answer)
        } else {
            None
        }
    }
}

/// How staff closed a post's open reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportResolution {
    /// The post broke the rules: it is hidden.
    Hidden,
    /// The post is fine: it stays (or is shown again, if reports had hidden it).
    Dismissed,
}

impl ReportResolution {
    pub fn name(self) -> &'static str {
        match self {
            ReportResolution::Hidden => "hidden",
            ReportResolution::Dismissed => "dismissed",
        }
    }

    pub fn parse(name: &str) -> Option<ReportResolution> {
        match name {
            "hidden" => Some(ReportResolution::Hidden),
            "dismissed" => Some(ReportResolution::Dismissed),
            _ => None,
        }
    }
}

/// A user's report on a question or answer, as stored; open until staff resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityReport {
    /// `crp_…`.
    pub id: String,
    pub target: VoteTarget,
    pub target_id: String,
    pub reporter: String,
    pub reason: String,
    pub created_at: UnixSeconds,
}

/// A badge as granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeGrant {
    pub user_id: String,
    pub badge: Badge,
    /// The staff member who granted it.
    pub granted_by: String,
    pub granted_at: UnixSeconds,
}

pub trait CommunityStore: Send + Sync + 'static {
    fn insert_question(
        &self,
        question: &Question,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn question(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Question>, StoreError>> + Send;
    /// Visible questions, newest first, after `starting_after` (a question id) when given; at
    /// most `limit`.
    fn questions(
        &self,
        starting_after: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Question>, StoreError>> + Send;
    /// Adds an answer and counts it on its question.
    fn insert_answer(&self, answer: &Answer)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    fn answer(&self, id: &str) -> impl Future<Output = Result<Option<Answer>, StoreError>> + Send;
    /// A question's answers, hidden ones too, oldest first (at most 500).
    fn answers(
        &self,
        question_id: &str,
    ) -> impl Future<Output = Result<Vec<Answer>, StoreError>> + Send;
    /// Sets `voter`'s vote on a target (+1, -1, or 0 to take it back) and stores the target's
    /// new score, in one transaction; answers the new score.
    fn vote(
        &self,
        target: VoteTarget,
        target_id: &str,
        voter: &str,
        value: i64,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn set_accepted_answer(
        &self,
        question_id: &str,
        answer_id: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Hides or shows a question or answer; `NotFound` when it does not exist.
    fn set_hidden(
        &self,
        target: VoteTarget,
        id: &str,
        hidden: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn set_locked(
        &self,
        question_id: &str,
        locked: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn insert_report(
        &self,
        id: &str,
        target: VoteTarget,
        target_id: &str,
        reporter: &str,
        reason: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// How many people have open (unresolved) reports on a target.
    fn report_count(&self, target_id: &str)
    -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Open reports, oldest first, at most `limit`.
    fn open_reports(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<CommunityReport>, StoreError>> + Send;
    /// Closes every open report on a target as `resolution`, by `staff` with `reason`; answers
    /// how many were open. With [`ReportResolution::Hidden`] the target is hidden, and with
    /// [`ReportResolution::Dismissed`] shown, in the same transaction.
    fn resolve_reports(
        &self,
        target: VoteTarget,
        target_id: &str,
        resolution: ReportResolution,
        staff: &str,
        reason: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Every badge granted, newest first, at most `limit`.
    fn badge_grants(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<BadgeGrant>, StoreError>> + Send;
    /// A number that moves whenever what community search reads changes (a question or answer
    /// posted, hidden or shown), in the same transaction as the change; a process compares it
    /// with the one its search index was built at.
    fn search_revision(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn grant_badge(
        &self,
        user_id: &str,
        badge: Badge,
        granted_by: &str,
        at: UnixSeconds,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn revoke_badge(
        &self,
        user_id: &str,
        badge: Badge,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The badges of each of `user_ids` (at most 500 ids).
    fn badges(
        &self,
        user_ids: &[String],
    ) -> impl Future<Output = Result<Vec<(String, Badge)>, StoreError>> + Send;
}
