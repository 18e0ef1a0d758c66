//! The articles pages read from, held in memory: by slug, by category, popular, related.

use std::collections::HashMap;

use super::{Article, CATEGORIES, Language};

/// Every article in both languages, in category order.
#[derive(Debug, Clone, Default)]
pub struct HelpCatalog {
    articles: Vec<Article>,
    index: HashMap<(String, Language), usize>,
}

impl HelpCatalog {
    pub fn new(mut articles: Vec<Article>) -> Self {
        let order = |category: &str| CATEGORIES.iter().position(|c| c.slug == category);
        articles.sort_by(|a, b| {
            (order(&a.category), &a.slug, a.language).cmp(&(
                order(&b.category),
                &b.slug,
                b.language,
            ))
        });
        articles.dedup_by(|a, b| a.slug == b.slug && a.language == b.language);
        let index = articles
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.slug.clone(), a.language), i))
            .collect();
        HelpCatalog { articles, index }
    }

    pub fn all(&self) -> &[Article] {
        &self.articles
    }

    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// The article `slug` in `language`, or in the other language when it has no translation.
    pub fn article(&self, slug: &str, language: Language) -> Option<&Article> {
        self.exact(slug, language).or_else(|| {
            Language::ALL
                .iter()
                .find_map(|other| self.exact(slug, *other))
        })
    }

    /// The article `slug` in exactly `language`.
    pub fn exact(&self, slug: &str, language: Language) -> Option<&Article> {
        self.index
            .get(&(slug.to_owned(), language))
            .map(|i| &self.articles[*i])
    }

    pub fn in_language(&self, language: Language) -> impl Iterator<Item = &Article> {
        self.articles.iter().filter(move |a| a.language == language)
    }

    pub fn in_category(&self, category: &str, language: Language) -> Vec<&Article> {
        self.in_language(language)
            .filter(|a| a.category == category)
            .collect()
    }

    /// The "popular questions", by their rank.
    pub fn popular(&self, language: Language, limit: usize) -> Vec<&Article> {
        let mut popular: Vec<&Article> = self
            .in_language(language)
            .filter(|a| a.popular.is_some())
            .collect();
        popular.sort_by_key(|a| a.popular);
        popular.truncate(limit);
        popular
    }

    /// Articles to read next: those explaining the same error codes first, then the same category.
    pub fn related(&self, article: &Article, limit: usize) -> Vec<&Article> {
        let shared = |other: &Article| {
            other
                .error_codes
                .iter()
                .filter(|code| article.error_codes.contains(code))
                .count()
        };
        let mut candidates: Vec<(usize, bool, &Article)> = self
            .in_language(article.language)
            .filter(|other| other.slug != article.slug)
            .map(|other| (shared(other), other.category == article.category, other))
            .filter(|(shared, same_category, _)| *shared > 0 || *same_category)
            .collect();
        // Stable sort keeps catalog order among equals.
        candidates.sort_by_key(|c| std::cmp::Reverse((c.0, c.1)));
        candidates
            .into_iter()
            .take(limit)
            .map(|(_, _, a)| a)
            .collect()
    }

    /// Articles that explain the error `code`.
    pub fn explaining(&self, code: &str, language: Language) -> Vec<&Article> {
        self.in_language(language)
            .filter(|a| a.error_codes.iter().any(|c| c == code))
            .collect()
    }

    /// A catalog with `article` added, or replacing the one with its slug and language.
    pub fn with(&self, article: Article) -> HelpCatalog {
        let mut articles: Vec<Article> = self
            .articles
            .iter()
            .filter(|a| !(a.slug == article.slug && a.language == article.language))
            .cloned()
            .collect();
        articles.push(article);
        HelpCatalog::new(articles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help::builtin_articles;

    fn catalog() -> HelpCatalog {
        HelpCatalog::new(builtin_articles().unwrap())
    }

    #[test]
    fn an_article_is_found_in_each_language() {
        let catalog = catalog();
        let zh = catalog.article("account-locked", Language::ZhCn).unwrap();
        assert_eq!(zh.language, Language::ZhCn);
        let en = catalog.article("account-locked", Language::En).unwrap();
        assert_eq!(en.language, Language::En);
        assert!(catalog.article("no-such-article", Language::En).is_none());
    }

    #[test]
    fn popular_articles_come_in_rank_order() {
        let catalog = catalog();
        let popular = catalog.popular(Language::En, 5);
        assert_eq!(popular.len(), 5);
        assert_eq!(popular[0].slug, "account-locked");
        assert!(popular.windows(2).all(|w| w[0].popular < w[1].popular));
    }

    #[test]
    fn related_articles_share_error_codes_or_a_category() {
        let catalog = catalog();
        let article = catalog
            .article("top-up-card-expired", Language::En)
            .unwrap();
        let related = catalog.related(article, 4);
        assert_eq!(related.len(), 4);
        assert!(related.iter().all(|r| r.slug != article.slug));
        assert_eq!(related[0].slug, "test-cards");
    }

    #[test]
    fn replacing_an_article_keeps_one_copy() {
        let catalog = catalog();
        let mut edited = catalog
            .article("fees-overview", Language::En)
            .unwrap()
            .clone();
        edited.title = "Fees, revised".into();
        let after = catalog.with(edited);
        assert_eq!(after.len(), catalog.len());
        assert_eq!(
            after.article("fees-overview", Language::En).unwrap().title,
            "Fees, revised"
        );
    }
}
