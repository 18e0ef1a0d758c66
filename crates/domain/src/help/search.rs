//! The help-center search port; `crates/search` implements it with tantivy and jieba.

use super::{Article, Language};

/// One article found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub slug: String,
    pub language: Language,
    pub category: String,
    pub title: String,
    /// The title, HTML-escaped, with the words that matched inside `<mark>`.
    pub title_html: String,
    /// A short passage of the body around the best match, HTML-escaped, matches inside `<mark>`.
    pub snippet_html: String,
    pub score: f32,
}

/// Why the search index could not be (re)built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(pub String);

/// Full-text search over the help articles. Searching is quick and CPU-bound (well under a
/// millisecond), so it is synchronous.
pub trait HelpSearch: Send + Sync {
    /// The best `limit` articles for `query`, best first; only those in `language` when given.
    /// An empty or meaningless query finds nothing.
    fn search(&self, query: &str, language: Option<Language>, limit: usize) -> Vec<SearchHit>;

    /// Replaces everything searched with `articles`; searches running meanwhile see the old set.
    fn rebuild(&self, articles: &[Article]) -> Result<(), SearchError>;
}
