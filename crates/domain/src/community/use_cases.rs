//! The community's use cases: ask, answer, vote, accept, report; and for staff, hide, lock and
//! grant badges (each written to the audit log).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::audit::{Actor, AuditEvent};
use crate::community::port::{
    BadgeGrant, CommunityReport, CommunityStore, ReportResolution, VoteTarget,
};
use crate::identity::UnixSeconds;
use crate::ids::new_id;
use crate::store_port::{AuditStore, StoreError};

pub const TITLE_CHARS_MIN: usize = 5;
pub const TITLE_CHARS_MAX: usize = 150;
pub const BODY_CHARS_MIN: usize = 10;
pub const BODY_CHARS_MAX: usize = 10_000;
pub const REASON_CHARS_MAX: usize = 1_000;
/// A post this many users reported is hidden until staff look at it.
pub const REPORTS_TO_HIDE: i64 = 5;
/// The most questions one page lists.
pub const QUESTIONS_PAGE_MAX: i64 = 100;
/// The open reports the staff queue reads at once; more wait for the next look.
pub const OPEN_REPORTS_MAX: i64 = 500;
/// A moderator's reason: long enough to say something (two Chinese characters do).
pub const RESOLUTION_REASON_CHARS_MIN: usize = 2;
/// The badges the staff page lists.
pub const BADGE_GRANTS_MAX: i64 = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// `q_…`.
    pub id: String,
    /// The asking user's id.
    pub author: String,
    pub title: String,
    pub body: String,
    pub created_at: UnixSeconds,
    /// Up-votes less down-votes.
    pub score: i64,
    pub answer_count: i64,
    pub accepted_answer_id: Option<String>,
    /// Hidden by staff or by reports; shown to no one but staff.
    pub hidden: bool,
    /// Locked by staff: no new answers or votes.
    pub locked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// `ans_…`.
    pub id: String,
    pub question_id: String,
    pub author: String,
    pub body: String,
    pub created_at: UnixSeconds,
    pub score: i64,
    pub hidden: bool,
}

/// A mark beside an author's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Badge {
    /// Works at OKPay.
    Staff,
    /// A user staff recognised for good answers.
    Expert,
}

impl Badge {
    pub fn name(self) -> &'static str {
        match self {
            Badge::Staff => "staff",
            Badge::Expert => "expert",
        }
    }

    pub fn parse(name: &str) -> Option<Badge> {
        match name {
            "staff" => Some(Badge::Staff),
            "expert" => Some(Badge::Expert),
            _ => None,
        }
    }
}

/// A question or answer with its author's badges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post<T> {
    pub item: T,
    pub author_badges: Vec<Badge>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionPage {
    pub questions: Vec<Post<Question>>,
    pub has_more: bool,
}

/// A question with its visible answers: the accepted one first, then by score, then oldest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionThread {
    pub question: Post<Question>,
    pub answers: Vec<Post<Answer>>,
}

/// What a user writes.
#[derive(Clone, Debug, Default)]
pub struct PostDraft {
    pub title: String,
    pub body: String,
}

/// A reported question or answer with its open reports, as the staff queue shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedPost {
    pub target: VoteTarget,
    pub target_id: String,
    /// The question the post is (or belongs to), for the link and its title.
    pub question_id: String,
    pub question_title: String,
    pub author: String,
    pub body: String,
    /// Hidden already (by reports or by staff).
    pub hidden: bool,
    /// Oldest first.
    pub reports: Vec<CommunityReport>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("not found")]
    NotFound,
    /// The question is locked: no answers or votes.
    #[error("the question is locked")]
    Locked,
    /// Only the question's author may accept an answer.
    #[error("only the question's author may do that")]
    NotAuthor,
    /// Nobody votes on their own post.
    #[error("a post cannot be voted on by its author")]
    OwnPost,
    /// No report on the post is open (another moderator resolved them first).
    #[error("no open report on this post")]
    NothingToResolve,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CommunityError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => CommunityError::NotFound,
            other => CommunityError::Store(other),
        }
    }
}

fn check_length(
    field: &'static str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<String, CommunityError> {
    let text = text.trim();
    let count = text.chars().count();
    if count < min || count > max {
        return Err(CommunityError::Invalid {
            field,
            reason: format!("between {min} and {max} characters"),
        });
    }
    Ok(text.to_owned())
}

pub struct Community<S> {
    store: Arc<S>,
}

impl<S: CommunityStore + AuditStore> Community<S> {
    pub fn new(store: Arc<S>) -> Self {
        Community { store }
    }

    pub async fn ask(
        &self,
        author: &str,
        draft: PostDraft,
        now: UnixSeconds,
    ) -> Result<Question, CommunityError> {
        let question = Question {
            id: new_id("q"),
            author: author.to_owned(),
            title: check_length("title", &draft.title, TITLE_CHARS_MIN, TITLE_CHARS_MAX)?,
            body: check_length("body", &draft.body, BODY_CHARS_MIN, BODY_CHARS_MAX)?,
            created_at: now,
            score: 0,
            answer_count: 0,
            accepted_answer_id: None,
            hidden: false,
            locked: false,
        };
        self.store.insert_question(&question).await?;
        Ok(question)
    }

    /// Visible questions, newest first.
    pub async fn questions(
        &self,
        starting_after: Option<&str>,
        limit: i64,
    ) -> Result<QuestionPage, CommunityError> {
        let limit = limit.clamp(1, QUESTIONS_PAGE_MAX);
        let mut questions = self.store.questions(starting_after, limit + 1).await?;
        let has_more = questions.len() as i64 > limit;
        questions.truncate(limit as usize);
        let badges = self
            .badges_of(questions.iter().map(|q| q.author.clone()).collect())
            .await?;
        Ok(QuestionPage {
            questions: questions
                .into_iter()
                .map(|question| post(question.clone(), &question.author, &badges))
                .collect(),
            has_more,
        })
    }

    /// A visible question and its visible answers.
    pub async fn thread(&self, question_id: &str) -> Result<QuestionThread, CommunityError> {
        let question = self.visible_question(question_id).await?;
        let mut answers: Vec<Answer> = self
            .store
            .answers(question_id)
            .await?
            .into_iter()
            .filter(|answer| !answer.hidden)
            .collect();
        let accepted = question.accepted_answer_id.clone();
        answers.sort_by(|a, b| {
            let a_accepted = Some(&a.id) == accepted.as_ref();
            let b_accepted = Some(&b.id) == accepted.as_ref();
            b_accepted
                .cmp(&a_accepted)
                .then(b.score.cmp(&a.score))
                .then(a.created_at.cmp(&b.created_at))
                .then(a.id.cmp(&b.id))
        });
        let mut authors: Vec<String> = answers.iter().map(|a| a.author.clone()).collect();
        authors.push(question.author.clone());
        let badges = self.badges_of(authors).await?;
        Ok(QuestionThread {
            answers: answers
                .into_iter()
                .map(|answer| post(answer.clone(), &answer.author, &badges))
                .collect(),
            question: post(question.clone(), &question.author, &badges),
        })
    }

    pub async fn answer(
        &self,
        question_id: &str,
        author: &str,
        body: &str,
        now: UnixSeconds,
    ) -> Result<Answer, CommunityError> {
        let question = self.visible_question(question_id).await?;
        if question.locked {
            return Err(CommunityError::Locked);
        }
        let answer = Answer {
            id: new_id("ans"),
            question_id: question.id,
            author: author.to_owned(),
            body: check_length("body", body, BODY_CHARS_MIN, BODY_CHARS_MAX)?,
            created_at: now,
            score: 0,
            hidden: false,
        };
        self.store.insert_answer(&answer).await?;
        Ok(answer)
    }

    /// Sets the voter's vote on a question or answer: `1` up, `-1` down, `0` takes it back.
    /// Answers the new score.
    pub async fn vote(
        &self,
        target_id: &str,
        voter: &str,
        value: i64,
        now: UnixSeconds,
    ) -> Result<i64, CommunityError> {
        if !(-1..=1).contains(&value) {
            return Err(CommunityError::Invalid {
                field: "value",
                reason: "1, -1 or 0".to_owned(),
            });
        }
        let target = VoteTarget::of_id(target_id).ok_or(CommunityError::NotFound)?;
        let (author, question_id) = match target {
            VoteTarget::Question => {
                let question = self.visible_question(target_id).await?;
                (question.author, question.id)
            }
            VoteTarget::Answer => {
                let answer = self.visible_answer(target_id).await?;
                (answer.author, answer.question_id)
            }
        };
        if author == voter {
            return Err(CommunityError::OwnPost);
        }
        if self.visible_question(&question_id).await?.locked {
            return Err(CommunityError::Locked);
        }
        Ok(self
            .store
            .vote(target, target_id, voter, value, now)
            .await?)
    }

    /// The question's author marks one answer as the one that solved it (or none).
    pub async fn accept(
        &self,
        question_id: &str,
        answer_id: Option<&str>,
        user: &str,
    ) -> Result<(), CommunityError> {
        let question = self.visible_question(question_id).await?;
        if question.author != user {
            return Err(CommunityError::NotAuthor);
        }
        if let Some(answer_id) = answer_id {
            let answer = self.visible_answer(answer_id).await?;
            if answer.question_id != question.id {
                return Err(CommunityError::NotFound);
            }
        }
        Ok(self
            .store
            .set_accepted_answer(question_id, answer_id)
            .await?)
    }

    /// A user reports a question or answer; after [`REPORTS_TO_HIDE`] reports it is hidden
    /// until staff look at it. Answers the report's id.
    pub async fn report(
        &self,
        target_id: &str,
        reporter: &str,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<String, CommunityError> {
        let target = VoteTarget::of_id(target_id).ok_or(CommunityError::NotFound)?;
        match target {
            VoteTarget::Question => drop(self.visible_question(target_id).await?),
            VoteTarget::Answer => drop(self.visible_answer(target_id).await?),
        }
        let reason = check_length("reason", reason, 1, REASON_CHARS_MAX)?;
        let id = new_id("crp");
        self.store
            .insert_report(&id, target, target_id, reporter, &reason, now)
            .await?;
        if self.store.report_count(target_id).await? >= REPORTS_TO_HIDE {
            self.store.set_hidden(target, target_id, true).await?;
        }
        Ok(id)
    }

    /// Staff hide or show a question or answer.
    pub async fn set_hidden(
        &self,
        target_id: &str,
        hidden: bool,
        staff: &str,
    ) -> Result<(), CommunityError> {
        let target = VoteTarget::of_id(target_id).ok_or(CommunityError::NotFound)?;
        self.store.set_hidden(target, target_id, hidden).await?;
        let action = if hidden {
            "community.hidden"
        } else {
            "community.shown"
        };
        self.audit(staff, action, target_id).await
    }

    /// Staff lock a question (no answers or votes) or unlock it.
    pub async fn set_locked(
        &self,
        question_id: &str,
        locked: bool,
        staff: &str,
    ) -> Result<(), CommunityError> {
        self.store.set_locked(question_id, locked).await?;
        let action = if locked {
            "community.locked"
        } else {
            "community.unlocked"
        };
        self.audit(staff, action, question_id).await
    }

    pub async fn grant_badge(
        &self,
        user_id: &str,
        badge: Badge,
        staff: &str,
        now: UnixSeconds,
    ) -> Result<(), CommunityError> {
        self.store.grant_badge(user_id, badge, staff, now).await?;
        self.audit(staff, "community.badge_granted", user_id).await
    }

    pub async fn revoke_badge(
        &self,
        user_id: &str,
        badge: Badge,
        staff: &str,
    ) -> Result<(), CommunityError> {
        self.store.revoke_badge(user_id, badge).await?;
        self.audit(staff, "community.badge_revoked", user_id).await
    }

    /// The posts with open reports, the longest-waiting first, each with its reports.
    pub async fn report_queue(&self) -> Result<Vec<ReportedPost>, CommunityError> {
        let mut queue: Vec<ReportedPost> = Vec::new();
        for report in self.store.open_reports(OPEN_REPORTS_MAX).await? {
            if let Some(post) = queue.iter_mut().find(|p| p.target_id == report.target_id) {
                post.reports.push(report);
                continue;
            }
            let (question_id, author, body, hidden) = match report.target {
                VoteTarget::Question => match self.store.question(&report.target_id).await? {
                    Some(q) => (q.id, q.author, q.body, q.hidden),
                    None => continue,
                },
                VoteTarget::Answer => match self.store.answer(&report.target_id).await? {
                    Some(a) => (a.question_id, a.author, a.body, a.hidden),
                    None => continue,
                },
            };
            let question_title = self
                .store
                .question(&question_id)
                .await?
                .map(|question| question.title)
                .unwrap_or_default();
            queue.push(ReportedPost {
                target: report.target,
                target_id: report.target_id.clone(),
                question_id,
                question_title,
                author,
                body,
                hidden,
                reports: vec![report],
            });
        }
        Ok(queue)
    }

    /// Staff close every open report on a post: hide it, or dismiss the reports (which shows
    /// it again if reports had hidden it), with a reason; audited.
    pub async fn resolve_reports(
        &self,
        target_id: &str,
        resolution: ReportResolution,
        reason: &str,
        staff: &str,
        now: UnixSeconds,
    ) -> Result<u64, CommunityError> {
        let target = VoteTarget::of_id(target_id).ok_or(CommunityError::NotFound)?;
        let reason = check_length(
            "reason",
            reason,
            RESOLUTION_REASON_CHARS_MIN,
            REASON_CHARS_MAX,
        )?;
        let closed = self
            .store
            .resolve_reports(target, target_id, resolution, staff, &reason, now)
            .await?;
        if closed == 0 {
            return Err(CommunityError::NothingToResolve);
        }
        let action = match resolution {
            ReportResolution::Hidden => "community.reports_hidden",
            ReportResolution::Dismissed => "community.reports_dismissed",
        };
        self.audit_with(
            staff,
            action,
            target_id,
            format!("reports={closed} reason={reason}"),
        )
        .await?;
        Ok(closed)
    }

    /// Every badge granted, newest first.
    pub async fn badge_grants(&self) -> Result<Vec<BadgeGrant>, CommunityError> {
        Ok(self.store.badge_grants(BADGE_GRANTS_MAX).await?)
    }

    /// The marker [`CommunityStore::search_revision`] keeps.
    pub async fn search_revision(&self) -> Result<i64, CommunityError> {
        Ok(self.store.search_revision().await?)
    }

    async fn audit(
        &self,
        staff: &str,
        action: &'static str,
        subject: &str,
    ) -> Result<(), CommunityError> {
        self.audit_with(staff, action, subject, String::new()).await
    }

    async fn audit_with(
        &self,
        staff: &str,
        action: &'static str,
        subject: &str,
        detail: String,
    ) -> Result<(), CommunityError> {
        self.store
            .append_audit(&[AuditEvent {
                actor: Actor::Staff(staff.to_owned()),
                action,
                subject: subject.to_owned(),
                detail,
            }])
            .await?;
        Ok(())
    }

    async fn visible_question(&self, id: &str) -> Result<Question, CommunityError> {
        match self.store.question(id).await? {
            Some(question) if !question.hidden => Ok(question),
            _ => Err(CommunityError::NotFound),
        }
    }

    async fn visible_answer(&self, id: &str) -> Result<Answer, CommunityError> {
        match self.store.answer(id).await? {
            Some(answer) if !answer.hidden => Ok(answer),
            _ => Err(CommunityError::NotFound),
        }
    }

    async fn badges_of(
        &self,
        mut user_ids: Vec<String>,
    ) -> Result<BTreeMap<String, Vec<Badge>>, CommunityError> {
        user_ids.sort();
        user_ids.dedup();
        let mut badges: BTreeMap<String, Vec<Badge>> = BTreeMap::new();
        for chunk in user_ids.chunks(500) {
            for (user, badge) in self.store.badges(chunk).await? {
                badges.entry(user).or_default().push(badge);
            }
        }
        for list in badges.values_mut() {
            list.sort();
        }
        Ok(badges)
    }
}

fn post<T>(item: T, author: &str, badges: &BTreeMap<String, Vec<Badge>>) -> Post<T> {
    Post {
        item,
        author_badges: badges.get(author).cloned().unwrap_or_default(),
    }
}
