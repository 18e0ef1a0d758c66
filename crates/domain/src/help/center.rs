//! The help center as the web layer holds it: the catalog pages read, the search engine, and
//! the swap of both when an article changes.

use std::sync::{Arc, RwLock};

use super::{Article, HelpCatalog, HelpSearch, Language, SearchError, SearchHit};

/// The help center's articles and their search index, kept in step.
pub struct HelpCenter {
    catalog: RwLock<Arc<HelpCatalog>>,
    search: Arc<dyn HelpSearch>,
}

impl HelpCenter {
    /// A help center over `catalog`, searched by `search`, which must already index the catalog's
    /// articles (or is rebuilt from them here).
    pub fn new(catalog: HelpCatalog, search: Arc<dyn HelpSearch>) -> Self {
        HelpCenter {
            catalog: RwLock::new(Arc::new(catalog)),
            search,
        }
    }

    /// The articles as they are now; a reader keeps its copy while an edit swaps in a new one.
    pub fn catalog(&self) -> Arc<HelpCatalog> {
        self.catalog
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The best `limit` articles for `query`.
    pub fn search(&self, query: &str, language: Option<Language>, limit: usize) -> Vec<SearchHit> {
        self.search.search(query, language, limit)
    }

    /// Puts `article` in place of the one with its slug and language (or adds it) and rebuilds
    /// the search index, so the next search finds the new text.
    pub fn publish(&self, article: Article) -> Result<(), SearchError> {
        let mut slot = self
            .catalog
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = slot.with(article);
        self.search.rebuild(next.all())?;
        *slot = Arc::new(next);
        Ok(())
    }

    /// Replaces every article at once (the stored set, read at start).
    pub fn replace_all(&self, articles: Vec<Article>) -> Result<(), SearchError> {
        let mut slot = self
            .catalog
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = HelpCatalog::new(articles);
        self.search.rebuild(next.all())?;
        *slot = Arc::new(next);
        Ok(())
    }
}
