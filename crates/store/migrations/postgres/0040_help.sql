-- Help articles and every revision of them. The current text of an article in a language is its
-- highest revision; nothing is ever updated or deleted, so the history is the table itself.
-- `source` is the article file as `domain::help::Article::to_file` writes it (front matter and
-- Markdown), so adding a front-matter field needs no migration.
CREATE TABLE help_article_revisions (
    slug TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('zh-CN', 'en')),
    revision BIGINT NOT NULL CHECK (revision > 0),
    source TEXT NOT NULL,
    edited_at BIGINT NOT NULL,
    edited_by TEXT NOT NULL,
    PRIMARY KEY (slug, language, revision)
);

-- "Was this article helpful?" answers, counted per article.
CREATE TABLE help_feedback (
    slug TEXT NOT NULL PRIMARY KEY,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0
);
