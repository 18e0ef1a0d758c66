//! Articles in the database: seeded from the built-in ones on first start, edited by admins with
//! every revision kept, and published to the help center as soon as they are saved.

use std::future::Future;

use super::{Article, ArticleError, HelpCenter, Language, SearchError};
use crate::StoreError;

/// Who wrote the revisions seeded from `content/help/`.
pub const SEED_EDITOR: &str = "system";

/// One saved version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRevision {
    pub slug: String,
    pub language: Language,
    /// 1 for the first version; each edit adds one.
    pub revision: i64,
    /// The article file ([`Article::to_file`]).
    pub source: String,
    /// Unix seconds.
    pub edited_at: i64,
    /// The editor's user id, or [`SEED_EDITOR`].
    pub edited_by: String,
}

impl ArticleRevision {
    pub fn article(&self) -> Result<Article, ArticleError> {
        Article::parse(self.language, &self.source)
    }
}

/// Where articles and their history are kept.
pub trait HelpStore: Send + Sync + 'static {
    /// Stores each revision whose article (slug and language) has no revision yet; returns how
    /// many were stored.
    fn seed_help_articles(
        &self,
        revisions: &[ArticleRevision],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The newest revision of every article.
    fn current_help_articles(
        &self,
    ) -> impl Future<Output = Result<Vec<ArticleRevision>, StoreError>> + Send;

    /// Every revision of one article, newest first.
    fn help_article_history(
        &self,
        slug: &str,
        language: Language,
    ) -> impl Future<Output = Result<Vec<ArticleRevision>, StoreError>> + Send;

    /// Stores a new revision; [`StoreError::Conflict`] when that revision number is taken (someone
    /// else saved first).
    fn insert_help_revision(
        &self,
        revision: &ArticleRevision,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Counts a "was this helpful?" answer.
    fn record_help_feedback(
        &self,
        slug: &str,
        helpful: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// (helpful, not helpful) answers of an article.
    fn help_feedback(
        &self,
        slug: &str,
    ) -> impl Future<Output = Result<(u64, u64), StoreError>> + Send;
}

/// Why an edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the article is invalid: {0}")]
    Invalid(#[from] ArticleError),
    /// Someone saved a newer revision since the editor opened it; `current` is its number.
    #[error("revision {current} was saved meanwhile")]
    Stale { current: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Seeds the built-in articles the database lacks, then returns the current text of every
/// article. A stored revision that no longer parses is skipped (and logged), so one bad row
/// cannot keep the help center from starting.
pub async fn load_articles<S: HelpStore>(
    store: &S,
    builtin: &[Article],
    now: i64,
) -> Result<Vec<Article>, StoreError> {
    let seeds: Vec<ArticleRevision> = builtin
        .iter()
        .map(|article| ArticleRevision {
            slug: article.slug.clone(),
            language: article.language,
            revision: 1,
            source: article.to_file(),
            edited_at: now,
            edited_by: SEED_EDITOR.to_owned(),
        })
        .collect();
    store.seed_help_articles(&seeds).await?;
    let current = store.current_help_articles().await?;
    Ok(current
        .iter()
        .filter_map(|revision| match revision.article() {
            Ok(article) => Some(article),
            Err(error) => {
                tracing::error!(slug = %revision.slug, language = %revision.language,
                    revision = revision.revision, %error, "a stored help article does not parse");
                None
            }
        })
        .collect())
}

/// Saves `article` as the revision after `base_revision` (0 for a new article) and publishes it.
/// Returns the new revision's number.
pub async fn save_article<S: HelpStore>(
    store: &S,
    center: &HelpCenter,
    article: Article,
    base_revision: i64,
    editor: &str,
    now: i64,
) -> Result<i64, EditError> {
    article.check()?;
    let history = store
        .help_article_history(&article.slug, article.language)
        .await?;
    let current = history.first().map_or(0, |r| r.revision);
    if current != base_revision {
        return Err(EditError::Stale { current });
    }
    let revision = ArticleRevision {
        slug: article.slug.clone(),
        language: article.language,
        revision: base_revision + 1,
        source: article.to_file(),
        edited_at: now,
        edited_by: editor.to_owned(),
    };
    match store.insert_help_revision(&revision).await {
        Ok(()) => {}
        // Another editor saved the same revision number between our read and our write.
        Err(StoreError::Conflict { .. }) => {
            return Err(EditError::Stale {
                current: base_revision + 1,
            });
        }
        Err(other) => return Err(other.into()),
    }
    center.publish(article)?;
    Ok(revision.revision)
}

pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the HTTP face may ask of stored articles, without knowing the store.
pub trait HelpDeskApi: Send + Sync + 'static {
    /// Counts a "was this helpful?" answer; false when no article has `slug`.
    fn record_feedback<'a>(
        &'a self,
        slug: &'a str,
        helpful: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// (helpful, not helpful) answers of an article.
    fn feedback<'a>(&'a self, slug: &'a str) -> BoxFuture<'a, Result<(u64, u64), StoreError>>;
    /// Every revision of an article, newest first.
    fn history<'a>(
        &'a self,
        slug: &'a str,
        language: Language,
    ) -> BoxFuture<'a, Result<Vec<ArticleRevision>, StoreError>>;
    /// Saves and publishes an edit made on top of `base_revision`.
    fn save<'a>(
        &'a self,
        article: Article,
        base_revision: i64,
        editor: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<i64, EditError>>;
}

/// The stored side of the help center: a store and the center its edits publish to.
pub struct HelpDesk<S> {
    store: S,
    center: std::sync::Arc<HelpCenter>,
}

impl<S: HelpStore> HelpDesk<S> {
    pub fn new(store: S, center: std::sync::Arc<HelpCenter>) -> Self {
        HelpDesk { store, center }
    }
}

impl<S: HelpStore> HelpDeskApi for HelpDesk<S> {
    fn record_feedback<'a>(
        &'a self,
        slug: &'a str,
        helpful: bool,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            if self.center.catalog().article(slug, Language::En).is_none() {
                return Ok(false);
            }
            self.store.record_help_feedback(slug, helpful).await?;
            Ok(true)
        })
    }

    fn feedback<'a>(&'a self, slug: &'a str) -> BoxFuture<'a, Result<(u64, u64), StoreError>> {
        Box::pin(self.store.help_feedback(slug))
    }

    fn history<'a>(
        &'a self,
        slug: &'a str,
        language: Language,
    ) -> BoxFuture<'a, Result<Vec<ArticleRevision>, StoreError>> {
        Box::pin(self.store.help_article_history(slug, language))
    }

    fn save<'a>(
        &'a self,
        article: Article,
        base_revision: i64,
        editor: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<i64, EditError>> {
        Box::pin(save_article(
            &self.store,
            &self.center,
            article,
            base_revision,
            editor,
            now,
        ))
    }
}
