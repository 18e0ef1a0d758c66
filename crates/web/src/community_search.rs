//! Community search's index, kept by each process and rebuilt only when the store's search revision has moved since it was built.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::community::{CommunityError, Post, Question};
use tokio::sync::Mutex;

use crate::AppState;
use crate::api::community::community_error;
use crate::error::ApiError;

/// The newest questions a list or a search looks at; older ones are reached by their links.
pub(crate) const QUESTIONS_SHOWN: usize = 200;
/// The community's largest page of questions.
const QUESTIONS_PAGE_MAX: i64 = 100;

struct Built {
    revision: i64,
    index: Arc<search::CommunityIndex>,
}

/// The index of this process. The revision is read before the posts, and every change moves it
/// in the change's own transaction, so an index is never older than the revision it is filed
/// under: a change committed by any process after that read moves the revision again and the
/// next search rebuilds.
#[derive(Default)]
pub struct CommunitySearch {
    built: Mutex<Option<Built>>,
    builds: AtomicU64,
}

impl CommunitySearch {
    /// How many times this process has built the index.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// The index as of now: the one built before if the revision has not moved, else a new one.
    /// One search builds while others wait for it, rather than each building its own.
    pub(crate) async fn index(
        &self,
        state: &AppState,
    ) -> Result<Arc<search::CommunityIndex>, ApiError> {
        let revision = state
            .community
            .search_revision()
            .await
            .map_err(community_error)?;
        let mut built = self.built.lock().await;
        if let Some(current) = built.as_ref().filter(|b| b.revision == revision) {
            return Ok(Arc::clone(&current.index));
        }
        let docs = documents(state).await?;
        // Cutting Chinese is CPU work: off the async threads.
        let index = tokio::task::spawn_blocking(move || {
            search::CommunityIndex::build(&search::Analyzer::shared(), docs)
        })
        .await
        .map_err(|cause| ApiError::internal(&cause))?;
        let index = Arc::new(index);
        self.builds.fetch_add(1, Ordering::Relaxed);
        *built = Some(Built {
            revision,
            index: Arc::clone(&index),
        });
        Ok(index)
    }
}

/// The newest visible questions, at most [`QUESTIONS_SHOWN`].
pub(crate) async fn newest_questions(state: &AppState) -> Result<Vec<Post<Question>>, ApiError> {
    let mut all: Vec<Post<Question>> = Vec::new();
    loop {
        let after = all.last().map(|post| post.item.id.clone());
        let page = state
            .community
            .questions(after.as_deref(), QUESTIONS_PAGE_MAX)
            .await
            .map_err(community_error)?;
        all.extend(page.questions);
        if !page.has_more || all.len() >= QUESTIONS_SHOWN {
            all.truncate(QUESTIONS_SHOWN);
            return Ok(all);
        }
    }
}

/// Each of the newest visible questions with its visible answers, as search reads them.
async fn documents(state: &AppState) -> Result<Vec<search::CommunityDoc>, ApiError> {
    let questions = newest_questions(state).await?;
    let mut docs = Vec::with_capacity(questions.len());
    for post in &questions {
        let thread = match state.community.thread(&post.item.id).await {
            Ok(thread) => thread,
            // Hidden between the list and this read: leave it out.
            Err(CommunityError::NotFound) => continue,
            Err(error) => return Err(community_error(error)),
        };
        let mut text = thread.question.item.body.clone();
        for answer in &thread.answers {
            text.push('\n');
            text.push_str(&answer.item.body);
        }
        docs.push(search::CommunityDoc {
            question_id: post.item.id.clone(),
            title: post.item.title.clone(),
            text,
        });
    }
    Ok(docs)
}
