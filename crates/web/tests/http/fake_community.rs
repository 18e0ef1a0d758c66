//! An in-memory stand-in for the community use cases: nothing is ever found. The real
//! behaviour is tested in the store's contract suite and the binary's HTTP tests.

use domain::community::{
    Answer, Badge, BadgeGrant, CommunityApi, CommunityError, PostDraft, Question, QuestionPage,
    QuestionThread, ReportResolution, ReportedPost,
};
use domain::identity::{BoxFuture, UnixSeconds};

#[derive(Default)]
pub struct FakeCommunity;

impl CommunityApi for FakeCommunity {
    fn ask<'a>(
        &'a self,
        _author: &'a str,
        _draft: PostDraft,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Question, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn questions<'a>(
        &'a self,
        _starting_after: Option<&'a str>,
        _limit: i64,
    ) -> BoxFuture<'a, Result<QuestionPage, CommunityError>> {
        Box::pin(async {
            Ok(QuestionPage {
                questions: Vec::new(),
                has_more: false,
            })
        })
    }
    fn thread<'a>(
        &'a self,
        _question_id: &'a str,
    ) -> BoxFuture<'a, Result<QuestionThread, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn answer<'a>(
        &'a self,
        _question_id: &'a str,
        _author: &'a str,
        _body: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<Answer, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn vote<'a>(
        &'a self,
        _target_id: &'a str,
        _voter: &'a str,
        _value: i64,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<i64, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn accept<'a>(
        &'a self,
        _question_id: &'a str,
        _answer_id: Option<&'a str>,
        _user: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn report<'a>(
        &'a self,
        _target_id: &'a str,
        _reporter: &'a str,
        _reason: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<String, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn set_hidden<'a>(
        &'a self,
        _target_id: &'a str,
        _hidden: bool,
        _staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn set_locked<'a>(
        &'a self,
        _question_id: &'a str,
        _locked: bool,
        _staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn grant_badge<'a>(
        &'a self,
        _user_id: &'a str,
        _badge: Badge,
        _staff: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn revoke_badge<'a>(
        &'a self,
        _user_id: &'a str,
        _badge: Badge,
        _staff: &'a str,
    ) -> BoxFuture<'a, Result<(), CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn report_queue(&self) -> BoxFuture<'_, Result<Vec<ReportedPost>, CommunityError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn resolve_reports<'a>(
        &'a self,
        _target_id: &'a str,
        _resolution: ReportResolution,
        _reason: &'a str,
        _staff: &'a str,
        _now: UnixSeconds,
    ) -> BoxFuture<'a, Result<u64, CommunityError>> {
        Box::pin(async { Err(CommunityError::NotFound) })
    }
    fn badge_grants(&self) -> BoxFuture<'_, Result<Vec<BadgeGrant>, CommunityError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn search_revision(&self) -> BoxFuture<'_, Result<i64, CommunityError>> {
        Box::pin(async { Ok(0) })
    }
}
