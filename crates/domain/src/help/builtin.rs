//! The articles OKPay ships with, embedded from `content/help/` at build time.

use super::{Article, ArticleError, Language};

include!(concat!(env!("OUT_DIR"), "/help_content.rs"));

/// Every built-in article in both languages. A file that does not parse is a build mistake the
/// tests catch, so here it is an error naming the file.
pub fn builtin_articles() -> Result<Vec<Article>, (String, ArticleError)> {
    BUILTIN_ARTICLES
        .iter()
        .map(|(tag, name, text)| {
            let language = Language::from_tag(tag).expect("build.rs writes known tags");
            Article::parse(language, text).map_err(|e| (format!("{tag}/{name}"), e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::help::CATEGORIES;

    #[test]
    fn every_built_in_article_parses_and_is_named_after_its_file() {
        let articles = builtin_articles().unwrap();
        for ((_, name, _), article) in BUILTIN_ARTICLES.iter().zip(&articles) {
            assert_eq!(*name, format!("{}.md", article.slug));
        }
    }

    #[test]
    fn every_article_exists_in_both_languages_with_the_same_category_and_codes() {
        let articles = builtin_articles().unwrap();
        let mut by_slug: BTreeMap<&str, Vec<&Article>> = BTreeMap::new();
        for article in &articles {
            by_slug.entry(&article.slug).or_default().push(article);
        }
        assert!(by_slug.len() >= 36, "{} articles", by_slug.len());
        for (slug, versions) in by_slug {
            assert_eq!(versions.len(), 2, "{slug} is not in both languages");
            assert_eq!(versions[0].category, versions[1].category, "{slug}");
            assert_eq!(versions[0].error_codes, versions[1].error_codes, "{slug}");
            assert_eq!(versions[0].popular, versions[1].popular, "{slug}");
        }
    }

    #[test]
    fn every_category_has_articles() {
        let articles = builtin_articles().unwrap();
        let used: BTreeSet<&str> = articles.iter().map(|a| a.category.as_str()).collect();
        for category in CATEGORIES {
            assert!(used.contains(category.slug), "{} is empty", category.slug);
        }
    }

    #[test]
    fn every_top_up_failure_reason_has_an_article_that_explains_it() {
        let articles = builtin_articles().unwrap();
        for code in [
            "insufficient_funds",
            "card_expired",
            "card_limit_exceeded",
            "card_declined",
            "processor_unavailable",
        ] {
            assert!(
                articles
                    .iter()
                    .any(|a| a.category == "top-up" && a.error_codes.iter().any(|c| c == code)),
                "no top-up article explains {code}"
            );
        }
    }
}
