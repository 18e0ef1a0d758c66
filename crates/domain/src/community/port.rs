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
    /// How many reports name a target.
    fn report_count(&self, target_id: &str)
    -> impl Future<Output = Result<i64, StoreError>> + Send;
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
