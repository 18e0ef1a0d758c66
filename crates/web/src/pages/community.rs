//! The community pages: questions (newest, unanswered, top, searched with the help center's analyzer), asking, answering, votes, the accepted answer, reports, and staff moderation.

use std::collections::HashMap;

use super::display::filters;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::community::{Answer, Badge, Post, PostDraft, Question, ReportResolution, VoteTarget};
use domain::staff::StaffPermission;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::layout::Layout;
use super::render_page;
use super::session::{MaybePageSession, PageSession};
use super::staff::StaffPage;
use super::staff_admin::StaffFrame;
use super::tickets::see_other;
use crate::AppState;
use crate::api::auth::unix_now;
use crate::api::community::community_error;
use crate::community_search::newest_questions;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{CommunityText, ErrorText, Locale, ModerationText, StaffAdminText, error_text};
use crate::time::rfc3339_utc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/community", get(list))
        .route("/community/ask", get(ask_form).post(ask))
        .route("/community/questions/{id}", get(question))
        .route("/community/questions/{id}/answer", post(answer))
        .route("/community/questions/{id}/vote/{target}", post(vote))
        .route("/community/questions/{id}/accept/{answer}", post(accept))
        .route("/community/questions/{id}/report/{target}", post(report))
        .route("/staff/community", get(moderation).post(moderate))
        .route("/staff/community/reports", post(resolve))
        .route("/staff/community/badges", post(set_badge))
}

fn badge_names(badges: &[Badge], text: &CommunityText) -> Vec<(&'static str, &'static str)> {
    badges
        .iter()
        .map(|badge| {
            let label = match badge {
                Badge::Staff => text.badge_staff,
                Badge::Expert => text.badge_expert,
            };
            (badge.name(), label)
        })
        .collect()
}

struct QuestionRow {
    id: String,
    title: String,
    author: String,
    badges: Vec<(&'static str, &'static str)>,
    score: i64,
    answer_count: i64,
    accepted: bool,
    locked: bool,
    created_at: String,
}

/// How people appear on the community's public pages: by their address, masked as the other
/// side of a transfer sees it (`a***@example.com`), not by their user id. Staff pages, which act
/// on ids, use [`AuthorLabels::ids`].
struct AuthorLabels(HashMap<String, String>);

impl AuthorLabels {
    async fn of(state: &AppState, ids: Vec<String>) -> AuthorLabels {
        let mut labels = HashMap::new();
        let Some(wallet) = state.wallet.as_ref() else {
            return AuthorLabels(labels);
        };
        for id in ids {
            if labels.contains_key(&id) {
                continue;
            }
            // A user who cannot be read now is shown by id rather than failing the page.
            if let Ok(Some(user)) = wallet.store().find_user(&id).await {
                labels.insert(id, user.label());
            }
        }
        AuthorLabels(labels)
    }

    fn ids() -> AuthorLabels {
        AuthorLabels(HashMap::new())
    }

    fn label(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

impl QuestionRow {
    fn of(post: &Post<Question>, text: &CommunityText, labels: &AuthorLabels) -> QuestionRow {
        let question = &post.item;
        QuestionRow {
            id: question.id.clone(),
            title: question.title.clone(),
            author: labels.label(&question.author),
            badges: badge_names(&post.author_badges, text),
            score: question.score,
            answer_count: question.answer_count,
            accepted: question.accepted_answer_id.is_some(),
            locked: question.locked,
            created_at: rfc3339_utc(question.created_at),
        }
    }
}

/// The questions matching `query`, best first, among `questions` (read just now, so a post
/// hidden a moment ago is left out even by an index built before).
async fn search(
    state: &AppState,
    questions: Vec<Post<Question>>,
    query: &str,
) -> Result<Vec<Post<Question>>, ApiError> {
    let index = state.community_search.index(state).await?;
    let query = query.to_owned();
    // Cutting Chinese is CPU work: off the async threads.
    let ids =
        tokio::task::spawn_blocking(move || index.search(&search::Analyzer::shared(), &query))
            .await
            .map_err(|cause| ApiError::internal(&cause))?;
    let mut questions: Vec<Option<Post<Question>>> = questions.into_iter().map(Some).collect();
    Ok(ids
        .iter()
        .filter_map(|id| {
            questions
                .iter_mut()
                .find(|slot| slot.as_ref().is_some_and(|post| &post.item.id == id))
                .and_then(Option::take)
        })
        .collect())
}

// ---- /community ----

#[derive(Deserialize)]
struct ListQuery {
    sort: Option<String>,
    q: Option<String>,
}

struct SortTab {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "community.html")]
struct ListPage {
    layout: Layout,
    title: &'static str,
    text: &'static CommunityText,
    tabs: Vec<SortTab>,
    query: String,
    questions: Vec<QuestionRow>,
}

async fn list(
    State(state): State<AppState>,
    locale: Locale,
    MaybePageSession(session): MaybePageSession,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let text = CommunityText::for_locale(locale);
    let sort = match query.sort.as_deref() {
        None | Some("") | Some("newest") => "newest",
        Some("unanswered") => "unanswered",
        Some("top") => "top",
        Some(_) => return Err(ApiError::invalid_request("sort")),
    };
    let search_text = query.q.unwrap_or_default().trim().to_owned();
    let mut questions = newest_questions(&state).await?;
    if !search_text.is_empty() {
        questions = search(&state, questions, &search_text).await?;
    }
    match sort {
        "unanswered" => questions.retain(|post| post.item.answer_count == 0),
        // Stable: equal scores stay newest first (or best match first).
        "top" => questions.sort_by_key(|post| std::cmp::Reverse(post.item.score)),
        _ => {}
    }
    let authors = questions
        .iter()
        .map(|post| post.item.author.clone())
        .collect();
    let labels = AuthorLabels::of(&state, authors).await;
    let tabs = [
        ("newest", text.sort_newest),
        ("unanswered", text.sort_unanswered),
        ("top", text.sort_top),
    ]
    .into_iter()
    .map(|(key, label)| SortTab {
        key,
        label,
        current: key == sort,
    })
    .collect();
    Ok(render_page(
        &ListPage {
            layout: Layout::for_session(locale, session.as_ref()),
            title: text.title,
            text,
            tabs,
            query: search_text,
            questions: questions
                .iter()
                .map(|post| QuestionRow::of(post, text, &labels))
                .collect(),
        },
        StatusCode::OK,
    ))
}

// ---- /community/ask ----

#[derive(Template)]
#[template(path = "community_ask.html")]
struct AskPage {
    layout: Layout,
    title: &'static str,
    text: &'static CommunityText,
    csrf_token: String,
    question_title: String,
    body: String,
    error: Option<ErrorText>,
}

fn ask_page(
    locale: Locale,
    session: &PageSession,
    draft: PostDraft,
    error: Option<ApiError>,
) -> Response {
    let text = CommunityText::for_locale(locale);
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    render_page(
        &AskPage {
            layout: Layout::for_session(locale, Some(session)),
            title: text.title,
            text,
            csrf_token: session.csrf_token.clone(),
            question_title: draft.title,
            body: draft.body,
            error: error.map(|error| error_text(error.code(), locale)),
        },
        status,
    )
}

async fn ask_form(locale: Locale, session: PageSession) -> Response {
    ask_page(
        locale,
        &session,
        PostDraft {
            title: String::new(),
            body: String::new(),
        },
        None,
    )
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn ask(
    State(state): State<AppState>,
    locale: Locale,
    session: PageSession,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Response {
    let draft = PostDraft {
        title: form.title.clone(),
        body: form.body.clone(),
    };
    match state
        .community
        .ask(&session.user.id, draft, unix_now())
        .await
    {
        Ok(question) => see_other(&format!("/community/questions/{}", question.id)),
        Err(error) => ask_page(
            locale,
            &session,
            PostDraft {
                title: form.title,
                body: form.body,
            },
            Some(community_error(error)),
        ),
    }
}

// ---- /community/questions/{id} ----

struct AnswerRow {
    id: String,
    body: String,
    author: String,
    badges: Vec<(&'static str, &'static str)>,
    score: i64,
    accepted: bool,
    created_at: String,
}

#[derive(Template)]
#[template(path = "community_question.html")]
struct QuestionPage {
    layout: Layout,
    title: String,
    text: &'static CommunityText,
    question: QuestionRow,
    body: String,
    answers: Vec<AnswerRow>,
    /// The signed-in reader's CSRF token; `None` for a visitor, who sees no forms.
    csrf_token: Option<String>,
    is_asker: bool,
    reported: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn question(
    State(state): State<AppState>,
    locale: Locale,
    MaybePageSession(session): MaybePageSession,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    let text = CommunityText::for_locale(locale);
    let thread = state.community.thread(&id).await.map_err(community_error)?;
    let accepted_id = thread.question.item.accepted_answer_id.clone();
    let authors = std::iter::once(thread.question.item.author.clone())
        .chain(thread.answers.iter().map(|post| post.item.author.clone()))
        .collect();
    let labels = AuthorLabels::of(&state, authors).await;
    let answers = thread
        .answers
        .iter()
        .map(|post| {
            let answer: &Answer = &post.item;
            AnswerRow {
                id: answer.id.clone(),
                body: answer.body.clone(),
                author: labels.label(&answer.author),
                badges: badge_names(&post.author_badges, text),
                score: answer.score,
                accepted: accepted_id.as_deref() == Some(answer.id.as_str()),
                created_at: rfc3339_utc(answer.created_at),
            }
        })
        .collect();
    let is_asker = session
        .as_ref()
        .is_some_and(|session| session.user.id == thread.question.item.author);
    Ok(render_page(
        &QuestionPage {
            layout: Layout::for_session(locale, session.as_ref()),
            title: format!("{} · {}", thread.question.item.title, text.title),
            text,
            question: QuestionRow::of(&thread.question, text, &labels),
            body: thread.question.item.body.clone(),
            answers,
            csrf_token: session.as_ref().map(|session| session.csrf_token.clone()),
            is_asker,
            reported: done.done.as_deref() == Some("reported"),
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    body: String,
}

async fn answer(
    State(state): State<AppState>,
    session: PageSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, ApiError> {
    let answer = state
        .community
        .answer(&id, &session.user.id, &form.body, unix_now())
        .await
        .map_err(community_error)?;
    Ok(see_other(&format!(
        "/community/questions/{}#{}",
        answer.question_id, answer.id
    )))
}

#[derive(Deserialize)]
struct VoteForm {
    #[serde(default)]
    value: String,
}

async fn vote(
    State(state): State<AppState>,
    session: PageSession,
    Path((id, target)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response, ApiError> {
    let value = match form.value.as_str() {
        "up" => 1,
        "down" => -1,
        _ => return Err(ApiError::invalid_request("value")),
    };
    state
        .community
        .vote(&target, &session.user.id, value, unix_now())
        .await
        .map_err(community_error)?;
    Ok(see_other(&format!("/community/questions/{id}")))
}

#[derive(Deserialize)]
struct NoFields {}

async fn accept(
    State(state): State<AppState>,
    session: PageSession,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    state
        .community
        .accept(&id, Some(&answer), &session.user.id)
        .await
        .map_err(community_error)?;
    Ok(see_other(&format!("/community/questions/{id}")))
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    reason: String,
}

async fn report(
    State(state): State<AppState>,
    session: PageSession,
    Path((id, target)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, ApiError> {
    state
        .community
        .report(&target, &session.user.id, &form.reason, unix_now())
        .await
        .map_err(community_error)?;
    Ok(see_other(&format!(
        "/community/questions/{id}?done=reported"
    )))
}

// ---- /staff/community ----

/// One report of a reported post, as the queue lists it.
struct ReportLine {
    reporter: String,
    reason: String,
    reported_at: String,
}

/// A reported post with its open reports.
struct ReportedRow {
    target_id: String,
    kind: &'static str,
    question_id: String,
    question_title: String,
    author: String,
    body: String,
    hidden: bool,
    reports: Vec<ReportLine>,
}

struct BadgeRow {
    user_id: String,
    badge: &'static str,
    label: &'static str,
    granted_by: String,
    granted_at: String,
}

#[derive(Template)]
#[template(path = "staff_community.html")]
struct ModerationPage {
    layout: Layout,
    title: &'static str,
    text: &'static ModerationText,
    admin: &'static StaffAdminText,
    sign_out: &'static str,
    links: Vec<(&'static str, &'static str)>,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<ErrorText>,
    allowed: bool,
    reported: Vec<ReportedRow>,
    badges: Vec<BadgeRow>,
    questions: Vec<QuestionRow>,
}

/// The longest excerpt of a reported post the queue shows; the link opens the rest.
const EXCERPT_CHARS: usize = 600;

fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(EXCERPT_CHARS).collect();
    if body.chars().nth(EXCERPT_CHARS).is_some() {
        text.push('…');
    }
    text
}

#[derive(Deserialize)]
struct ModerationQuery {
    done: Option<String>,
}

async fn moderation(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    Query(query): Query<ModerationQuery>,
) -> Response {
    let notice = match query.done.as_deref() {
        Some("resolved") => Some(ModerationText::for_locale(locale).resolved),
        Some("badge") => Some(ModerationText::for_locale(locale).badge_saved),
        Some(_) => Some(ModerationText::for_locale(locale).done),
        None => None,
    };
    moderation_page(&state, locale, &staff, notice, None).await
}

/// The moderation desk: the report queue, moderation by id, badges and the newest questions;
/// a refused role sees only the refusal.
async fn moderation_page(
    state: &AppState,
    locale: Locale,
    staff: &StaffPage,
    notice: Option<&'static str>,
    error: Option<&ApiError>,
) -> Response {
    let frame = StaffFrame::new(
        locale,
        staff,
        StaffPermission::ModerateCommunity,
        notice,
        error,
    );
    let status = frame.status(error);
    let text = ModerationText::for_locale(locale);
    let (mut reported, mut badges, mut questions) = (Vec::new(), Vec::new(), Vec::new());
    if frame.allowed {
        let read = async {
            let queue = state
                .community
                .report_queue()
                .await
                .map_err(community_error)?;
            let grants = state
                .community
                .badge_grants()
                .await
                .map_err(community_error)?;
            let newest = newest_questions(state).await?;
            Ok::<_, ApiError>((queue, grants, newest))
        };
        let (queue, grants, newest) = match read.await {
            Ok(read) => read,
            Err(error) => return error.into_response(),
        };
        let community_text = CommunityText::for_locale(locale);
        reported = queue
            .into_iter()
            .map(|post| ReportedRow {
                kind: match post.target {
                    VoteTarget::Question => text.kind_question,
                    VoteTarget::Answer => text.kind_answer,
                },
                target_id: post.target_id,
                question_id: post.question_id,
                question_title: post.question_title,
                author: post.author,
                body: excerpt(&post.body),
                hidden: post.hidden,
                reports: post
                    .reports
                    .into_iter()
                    .map(|report| ReportLine {
                        reporter: report.reporter,
                        reason: report.reason,
                        reported_at: rfc3339_utc(report.created_at),
                    })
                    .collect(),
            })
            .collect();
        badges = grants
            .into_iter()
            .map(|grant| BadgeRow {
                user_id: grant.user_id,
                badge: grant.badge.name(),
                label: match grant.badge {
                    Badge::Staff => text.badge_staff,
                    Badge::Expert => text.badge_expert,
                },
                granted_by: grant.granted_by,
                granted_at: rfc3339_utc(grant.granted_at),
            })
            .collect();
        questions = newest
            .iter()
            .map(|post| QuestionRow::of(post, community_text, &AuthorLabels::ids()))
            .collect();
    }
    render_page(
        &ModerationPage {
            layout: Layout::for_staff(locale, staff),
            title: text.title,
            text,
            admin: frame.admin,
            sign_out: frame.sign_out,
            links: frame.links,
            csrf_token: frame.csrf_token,
            notice: frame.notice,
            error: frame.error,
            allowed: frame.allowed,
            reported,
            badges,
            questions,
        },
        status,
    )
}

#[derive(Deserialize)]
struct ModerateForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    action: String,
}

async fn moderate(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> Response {
    let target = form.target.trim();
    let community = &state.community;
    let result = if !staff.role.may(StaffPermission::ModerateCommunity) {
        Err(ApiError::new(ErrorCode::StaffRoleForbidden))
    } else {
        match form.action.as_str() {
            "hide" => community.set_hidden(target, true, &staff.staff_id).await,
            "show" => community.set_hidden(target, false, &staff.staff_id).await,
            "lock" => community.set_locked(target, true, &staff.staff_id).await,
            "unlock" => community.set_locked(target, false, &staff.staff_id).await,
            _ => return ApiError::invalid_request("action").into_response(),
        }
        .map_err(community_error)
    };
    match result {
        Ok(()) => see_other("/staff/community?done=1"),
        Err(error) => moderation_page(&state, locale, &staff, None, Some(&error)).await,
    }
}

#[derive(Deserialize)]
struct ResolveForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    reason: String,
}

/// `POST /staff/community/reports`: hide the post or dismiss its reports, with a reason.
async fn resolve(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> Response {
    let result = if !staff.role.may(StaffPermission::ModerateCommunity) {
        Err(ApiError::new(ErrorCode::StaffRoleForbidden))
    } else if let Some(resolution) = ReportResolution::parse(&form.resolution) {
        state
            .community
            .resolve_reports(
                form.target.trim(),
                resolution,
                &form.reason,
                &staff.staff_id,
                unix_now(),
            )
            .await
            .map(drop)
            .map_err(community_error)
    } else {
        Err(ApiError::invalid_request("resolution"))
    };
    match result {
        Ok(()) => see_other("/staff/community?done=resolved"),
        Err(error) => moderation_page(&state, locale, &staff, None, Some(&error)).await,
    }
}

#[derive(Deserialize)]
struct BadgeForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    badge: String,
    /// `grant` or `revoke`.
    #[serde(default)]
    action: String,
}

/// `POST /staff/community/badges`: grant or revoke a staff or expert badge.
async fn set_badge(
    State(state): State<AppState>,
    locale: Locale,
    staff: StaffPage,
    CsrfForm(form): CsrfForm<BadgeForm>,
) -> Response {
    let user_id = form.user_id.trim();
    let result = if !staff.role.may(StaffPermission::ModerateCommunity) {
        Err(ApiError::new(ErrorCode::StaffRoleForbidden))
    } else if !user_id.starts_with("usr_") || user_id.len() > 100 {
        Err(ApiError::invalid_request("user_id"))
    } else {
        match (Badge::parse(&form.badge), form.action.as_str()) {
            (None, _) => Err(ApiError::invalid_request("badge")),
            (Some(badge), "grant") => state
                .community
                .grant_badge(user_id, badge, &staff.staff_id, unix_now())
                .await
                .map_err(community_error),
            (Some(badge), "revoke") => state
                .community
                .revoke_badge(user_id, badge, &staff.staff_id)
                .await
                .map_err(community_error),
            (Some(_), _) => Err(ApiError::invalid_request("action")),
        }
    };
    match result {
        Ok(()) => see_other("/staff/community?done=badge"),
        Err(error) => moderation_page(&state, locale, &staff, None, Some(&error)).await,
    }
}
