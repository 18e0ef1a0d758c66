//! Help articles and their revisions, and "was this helpful?" counts.

use domain::StoreError;
use domain::help::{ArticleRevision, HelpStore, Language};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::store_error;

fn revision_from(row: &AnyRow) -> Result<ArticleRevision, StoreError> {
    let language: String = row.try_get(1).map_err(store_error)?;
    Ok(ArticleRevision {
        slug: row.try_get(0).map_err(store_error)?,
        language: Language::from_tag(&language)
            .ok_or_else(|| StoreError::Unavailable(format!("unknown language {language}")))?,
        revision: row.try_get(2).map_err(store_error)?,
        source: row.try_get(3).map_err(store_error)?,
        edited_at: row.try_get(4).map_err(store_error)?,
        edited_by: row.try_get(5).map_err(store_error)?,
    })
}

impl HelpStore for Store {
    async fn seed_help_articles(&self, revisions: &[ArticleRevision]) -> Result<u64, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        let mut stored = 0;
        for revision in revisions {
            // Only where the article has no revision at all: an admin's edits are never undone
            // by a restart, and articles added to `content/` later are still seeded.
            let result = sqlx::query(
                "INSERT INTO help_article_revisions \
                 (slug, language, revision, source, edited_at, edited_by) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS \
                 (SELECT 1 FROM help_article_revisions WHERE slug = $1 AND language = $2)",
            )
            .bind(revision.slug.clone())
            .bind(revision.language.tag())
            .bind(revision.revision)
            .bind(revision.source.clone())
            .bind(revision.edited_at)
            .bind(revision.edited_by.clone())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
            stored += result.rows_affected();
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(stored)
    }

    async fn current_help_articles(&self) -> Result<Vec<ArticleRevision>, StoreError> {
        let rows = sqlx::query(
            "SELECT slug, language, revision, source, edited_at, edited_by \
             FROM help_article_revisions r WHERE revision = \
             (SELECT MAX(revision) FROM help_article_revisions l \
              WHERE l.slug = r.slug AND l.language = r.language) \
             ORDER BY slug, language",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(revision_from).collect()
    }

    async fn help_article_history(
        &self,
        slug: &str,
        language: Language,
    ) -> Result<Vec<ArticleRevision>, StoreError> {
        let rows = sqlx::query(
            "SELECT slug, language, revision, source, edited_at, edited_by \
             FROM help_article_revisions WHERE slug = $1 AND language = $2 \
             ORDER BY revision DESC",
        )
        .bind(slug.to_owned())
        .bind(language.tag())
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(revision_from).collect()
    }

    async fn insert_help_revision(&self, revision: &ArticleRevision) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO help_article_revisions \
             (slug, language, revision, source, edited_at, edited_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(revision.slug.clone())
        .bind(revision.language.tag())
        .bind(revision.revision)
        .bind(revision.source.clone())
        .bind(revision.edited_at)
        .bind(revision.edited_by.clone())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn record_help_feedback(&self, slug: &str, helpful: bool) -> Result<(), StoreError> {
        let (yes, no) = if helpful { (1_i64, 0_i64) } else { (0, 1) };
        sqlx::query(
            "INSERT INTO help_feedback (slug, helpful, not_helpful) VALUES ($1, $2, $3) \
             ON CONFLICT (slug) DO UPDATE SET helpful = help_feedback.helpful + $2, \
             not_helpful = help_feedback.not_helpful + $3",
        )
        .bind(slug.to_owned())
        .bind(yes)
        .bind(no)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn help_feedback(&self, slug: &str) -> Result<(u64, u64), StoreError> {
        let row = sqlx::query("SELECT helpful, not_helpful FROM help_feedback WHERE slug = $1")
            .bind(slug.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let Some(row) = row else {
            return Ok((0, 0));
        };
        let yes: i64 = row.try_get(0).map_err(store_error)?;
        let no: i64 = row.try_get(1).map_err(store_error)?;
        Ok((yes.max(0) as u64, no.max(0) as u64))
    }
}
