//! The user community over HTTP: `/api/v1/community/*` — questions, answers, votes, the
//! accepted answer and reports. Reading needs no sign-in; writing needs a user's session.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::community::{Answer, Badge, CommunityError, Post, PostDraft, Question};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::auth::CurrentUser;
use crate::api::support::{store_error, unix_now};
use crate::error::{ApiError, ErrorCode};
use crate::error_body::ErrorBody;
use crate::json::ApiJson;
use crate::time::rfc3339_utc;

pub(crate) fn community_error(error: CommunityError) -> ApiError {
    match error {
        CommunityError::Invalid { field, .. } => ApiError::invalid_request(field),
        CommunityError::NotFound => ApiError::new(ErrorCode::NotFound),
        CommunityError::Locked => ApiError::new(ErrorCode::CommunityQuestionLocked),
        CommunityError::NotAuthor => ApiError::new(ErrorCode::CommunityNotAuthor),
        CommunityError::OwnPost => ApiError::new(ErrorCode::CommunityOwnPost),
        CommunityError::NothingToResolve => ApiError::new(ErrorCode::CommunityReportsResolved),
        CommunityError::Store(error) => store_error(&error),
    }
}

fn badge_names(badges: &[Badge]) -> Vec<&'static str> {
    badges.iter().map(|badge| badge.name()).collect()
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityQuestion)]
pub struct QuestionView {
    #[schema(example = "q_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    /// The asker's user id.
    pub author: String,
    /// `staff`, `expert`.
    pub author_badges: Vec<&'static str>,
    pub title: String,
    pub body: String,
    pub created_at: String,
    /// Up-votes less down-votes.
    pub score: i64,
    pub answer_count: i64,
    #[schema(required = true)]
    pub accepted_answer_id: Option<String>,
    /// No new answers or votes.
    pub locked: bool,
}

impl QuestionView {
    fn of(post: &Post<Question>) -> Self {
        let question = &post.item;
        QuestionView {
            id: question.id.clone(),
            author: question.author.clone(),
            author_badges: badge_names(&post.author_badges),
            title: question.title.clone(),
            body: question.body.clone(),
            created_at: rfc3339_utc(question.created_at),
            score: question.score,
            answer_count: question.answer_count,
            accepted_answer_id: question.accepted_answer_id.clone(),
            locked: question.locked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityAnswer)]
pub struct AnswerView {
    #[schema(example = "ans_0190b2c4d5e6f708a9b0c1d2e3f40516")]
    pub id: String,
    pub question_id: String,
    pub author: String,
    pub author_badges: Vec<&'static str>,
    pub body: String,
    pub created_at: String,
    pub score: i64,
    /// True for the answer the asker accepted.
    pub accepted: bool,
}

impl AnswerView {
    fn of(post: &Post<Answer>, accepted: Option<&str>) -> Self {
        let answer = &post.item;
        AnswerView {
            id: answer.id.clone(),
            question_id: answer.question_id.clone(),
            author: answer.author.clone(),
            author_badges: badge_names(&post.author_badges),
            body: answer.body.clone(),
            created_at: rfc3339_utc(answer.created_at),
            score: answer.score,
            accepted: accepted == Some(answer.id.as_str()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// 1–100, default 20.
    pub limit: Option<i64>,
    /// The last question id of the previous page.
    pub starting_after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionList {
    pub data: Vec<QuestionView>,
    pub has_more: bool,
}

/// Questions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/community/questions",
    tag = "community",
    params(ListQuery),
    responses((status = 200, description = "A page of questions", body = QuestionList))
)]
pub(crate) async fn list_questions(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<QuestionList>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_request("limit"));
    }
    let page = state
        .community
        .questions(query.starting_after.as_deref(), limit)
        .await
        .map_err(community_error)?;
    Ok(Json(QuestionList {
        data: page.questions.iter().map(QuestionView::of).collect(),
        has_more: page.has_more,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskBody {
    /// 5–150 characters.
    #[schema(example = "为什么我的充值失败了？")]
    pub title: String,
    /// 10–10,000 characters.
    pub body: String,
}

/// Asks a question.
#[utoipa::path(
    post,
    path = "/api/v1/community/questions",
    tag = "community",
    request_body = AskBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked", body = QuestionView),
        (status = 400, description = "`invalid_request` (`title`, `body`)", body = ErrorBody),
        (status = 401, description = "`not_signed_in`", body = ErrorBody),
    )
)]
pub(crate) async fn ask(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<AskBody>,
) -> Result<(StatusCode, Json<QuestionView>), ApiError> {
    let question = state
        .community
        .ask(
            &user.user_id,
            PostDraft {
                title: body.title,
                body: body.body,
            },
            unix_now(),
        )
        .await
        .map_err(community_error)?;
    let post = Post {
        item: question,
        author_badges: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(QuestionView::of(&post))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadView {
    pub question: QuestionView,
    /// The accepted answer first, then by score, then oldest.
    pub answers: Vec<AnswerView>,
}

/// A question and its answers.
#[utoipa::path(
    get,
    path = "/api/v1/community/questions/{id}",
    tag = "community",
    params(("id" = String, Path, description = "The question's id")),
    responses(
        (status = 200, description = "The thread", body = ThreadView),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub(crate) async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ThreadView>, ApiError> {
    let thread = state.community.thread(&id).await.map_err(community_error)?;
    let accepted = thread.question.item.accepted_answer_id.as_deref();
    Ok(Json(ThreadView {
        answers: thread
            .answers
            .iter()
            .map(|answer| AnswerView::of(answer, accepted))
            .collect(),
        question: QuestionView::of(&thread.question),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// 10–10,000 characters.
    pub body: String,
}

/// Answers a question.
#[utoipa::path(
    post,
    path = "/api/v1/community/questions/{id}/answers",
    tag = "community",
    params(("id" = String, Path, description = "The question's id")),
    request_body = AnswerBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Answered", body = AnswerView),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`community_question_locked`", body = ErrorBody),
    )
)]
pub(crate) async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<(StatusCode, Json<AnswerView>), ApiError> {
    let answer = state
        .community
        .answer(&id, &user.user_id, &body.body, unix_now())
        .await
        .map_err(community_error)?;
    let post = Post {
        item: answer,
        author_badges: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(AnswerView::of(&post, None))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The answer that solved it; null to take the mark back.
    pub answer_id: Option<String>,
}

/// The asker marks the answer that solved the question.
#[utoipa::path(
    post,
    path = "/api/v1/community/questions/{id}/accept",
    tag = "community",
    params(("id" = String, Path, description = "The question's id")),
    request_body = AcceptBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Marked"),
        (status = 403, description = "`community_not_author`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub(crate) async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<StatusCode, ApiError> {
    state
        .community
        .accept(&id, body.answer_id.as_deref(), &user.user_id)
        .await
        .map_err(community_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// A question (`q_…`) or answer (`ans_…`).
    pub target_id: String,
    /// 1 up, -1 down, 0 to take a vote back.
    pub value: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    pub target_id: String,
    /// The post's score after this vote.
    pub score: i64,
}

/// Votes on a question or answer; one vote per person per post, changeable.
#[utoipa::path(
    post,
    path = "/api/v1/community/votes",
    tag = "community",
    request_body = VoteBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new score", body = VoteView),
        (status = 403, description = "`community_own_post`", body = ErrorBody),
        (status = 409, description = "`community_question_locked`", body = ErrorBody),
    )
)]
pub(crate) async fn vote(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<Json<VoteView>, ApiError> {
    let score = state
        .community
        .vote(&body.target_id, &user.user_id, body.value, unix_now())
        .await
        .map_err(community_error)?;
    Ok(Json(VoteView {
        target_id: body.target_id,
        score,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityReportBody {
    pub target_id: String,
    /// Why it should be removed; 1–1,000 characters.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityReportView {
    pub id: String,
}

/// Reports a question or answer to the moderators. Posts reported by five people are hidden
/// until staff look at them.
#[utoipa::path(
    post,
    path = "/api/v1/community/reports",
    tag = "community",
    request_body = CommunityReportBody,
    security(("bearer" = [])),
    responses((status = 201, description = "Reported", body = CommunityReportView))
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<CommunityReportBody>,
) -> Result<(StatusCode, Json<CommunityReportView>), ApiError> {
    let id = state
        .community
        .report(&body.target_id, &user.user_id, &body.reason, unix_now())
        .await
        .map_err(community_error)?;
    Ok((StatusCode::CREATED, Json(CommunityReportView { id })))
}
