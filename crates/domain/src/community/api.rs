//! The community use cases behind one object-safe trait, for the web layer. Each method is
//! documented on [`Community`].

use crate::community::port::{BadgeGrant, CommunityStore, ReportResolution};
use crate::community::use_cases::{
    Answer, Badge, Community, CommunityError, PostDraft, Question, QuestionPage, QuestionThread,
    ReportedPost,
};
use crate::identity::{BoxFuture, UnixSeconds};
use crate::store_port::AuditStore;

/// What the HTTP face may ask of the community.
pub trait CommunityApi: Send + Sync + 'static {
    fn ask<'a>(
        &'a self,
        author: &'a str,
        draft: PostDraft,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Question, CommunityError>>;
    fn questions<'a>(
        &'a self,
        starting_after: Option<&'a str>,
        limit: i64,
    ) -> BoxFuture<'a, Result<QuestionPage, CommunityError>>;
    fn thread<'a>(
        &'a self,
        question_id: &'a str,
    ) -> BoxFuture<'a, Result<QuestionThread, CommunityError>>;
    fn answer<'a>(
        &'a self,
        question_id: &'a str,
        author: &'a str,
        body: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Answer, CommunityError>>;
    fn vote<'a>(
        &'a self,
        target_id: &'a str,
        voter: &'a str,
        value: i64,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<i64, CommunityError>>;
    fn accept<'a>(
        &'a self,
        question_id: &'a str,
        answer_id: Option<&'a str>,
        user: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>>;
    fn report<'a>(
        &'a self,
        target_id: &'a str,
        reporter: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<String, CommunityError>>;
    fn set_hidden<'a>(
        &'a self,
        target_id: &'a str,
        hidden: bool,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>>;
    fn set_locked<'a>(
        &'a self,
        question_id: &'a str,
        locked: bool,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>>;
    fn grant_badge<'a>(
        &'a self,
        user_id: &'a str,
        badge: Badge,
        staff: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), CommunityError>>;
    fn revoke_badge<'a>(
        &'a self,
        user_id: &'a str,
        badge: Badge,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>>;
    fn report_queue(&self) -> BoxFuture<'_, Result<Vec<ReportedPost>, CommunityError>>;
    fn resolve_reports<'a>(
        &'a self,
        target_id: &'a str,
        resolution: ReportResolution,
        reason: &'a str,
        staff: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<u64, CommunityError>>;
    fn badge_grants(&self) -> BoxFuture<'_, Result<Vec<BadgeGrant>, CommunityError>>;
    fn search_revision(&self) -> BoxFuture<'_, Result<i64, CommunityError>>;
}

impl<S: CommunityStore + AuditStore> CommunityApi for Community<S> {
    fn ask<'a>(
        &'a self,
        author: &'a str,
        draft: PostDraft,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Question, CommunityError>> {
        Box::pin(Community::ask(self, author, draft, now))
    }

    fn questions<'a>(
        &'a self,
        starting_after: Option<&'a str>,
        limit: i64,
    ) -> BoxFuture<'a, Result<QuestionPage, CommunityError>> {
        Box::pin(Community::questions(self, starting_after, limit))
    }

    fn thread<'a>(
        &'a self,
        question_id: &'a str,
    ) -> BoxFuture<'a, Result<QuestionThread, CommunityError>> {
        Box::pin(Community::thread(self, question_id))
    }

    fn answer<'a>(
        &'a self,
        question_id: &'a str,
        author: &'a str,
        body: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Answer, CommunityError>> {
        Box::pin(Community::answer(self, question_id, author, body, now))
    }

    fn vote<'a>(
        &'a self,
        target_id: &'a str,
        voter: &'a str,
        value: i64,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<i64, CommunityError>> {
        Box::pin(Community::vote(self, target_id, voter, value, now))
    }

    fn accept<'a>(
        &'a self,
        question_id: &'a str,
        answer_id: Option<&'a str>,
        user: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(Community::accept(self, question_id, answer_id, user))
    }

    fn report<'a>(
        &'a self,
        target_id: &'a str,
        reporter: &'a str,
        reason: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<String, CommunityError>> {
        Box::pin(Community::report(self, target_id, reporter, reason, now))
    }

    fn set_hidden<'a>(
        &'a self,
        target_id: &'a str,
        hidden: bool,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(Community::set_hidden(self, target_id, hidden, staff))
    }

    fn set_locked<'a>(
        &'a self,
        question_id: &'a str,
        locked: bool,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(Community::set_locked(self, question_id, locked, staff))
    }

    fn grant_badge<'a>(
        &'a self,
        user_id: &'a str,
        badge: Badge,
        staff: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(Community::grant_badge(self, user_id, badge, staff, now))
    }

    fn revoke_badge<'a>(
        &'a self,
        user_id: &'a str,
        badge: Badge,
        staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(Community::revoke_badge(self, user_id, badge, staff))
    }

    fn report_queue(&self) -> BoxFuture<'_, Result<Vec<ReportedPost>, CommunityError>> {
        Box::pin(Community::report_queue(self))
    }

    fn resolve_reports<'a>(
        &'a self,
        target_id: &'a str,
        resolution: ReportResolution,
        reason: &'a str,
        staff: &'a str,
        now: UnixSeconds,
    ) -> BoxFuture<'a, Result<u64, CommunityError>> {
        Box::pin(Community::resolve_reports(
            self, target_id, resolution, reason, staff, now,
        ))
    }

    fn badge_grants(&self) -> BoxFuture<'_, Result<Vec<BadgeGrant>, CommunityError>> {
        Box::pin(Community::badge_grants(self))
    }

    fn search_revision(&self) -> BoxFuture<'_, Result<i64, CommunityError>> {
        Box::pin(Community::search_revision(self))
    }
}
