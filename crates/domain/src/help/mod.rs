//! The help center: articles and categories in both languages, the built-in content, the
//! in-memory catalog pages read from, and the search port the search engine implements.

mod article;
mod builtin;
mod catalog;
mod category;
mod center;
mod editing;
mod search;

pub use article::{Article, ArticleError, Language, has_chinese, is_valid_slug};
pub use builtin::builtin_articles;
pub use catalog::HelpCatalog;
pub use category::{CATEGORIES, Category, category};
pub use center::HelpCenter;
pub use editing::{
    ArticleRevision, EditError, HelpDesk, HelpDeskApi, HelpStore, SEED_EDITOR, load_articles,
    save_article,
};
pub use search::{HelpSearch, SearchError, SearchHit};
