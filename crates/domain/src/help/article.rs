//! A help article in one language: Markdown with a small front matter, parsed and checked.

use std::fmt;

use super::category;

/// A language help articles are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The BCP 47 tag: `zh-CN` or `en`.
    pub const fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// Reads `zh-CN`, `zh` or `en` in any case.
    pub fn from_tag(tag: &str) -> Option<Language> {
        if tag.eq_ignore_ascii_case("zh-CN") || tag.eq_ignore_ascii_case("zh") {
            Some(Language::ZhCn)
        } else if tag.eq_ignore_ascii_case("en") {
            Some(Language::En)
        } else {
            None
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Whether `text` has any Han characters: a query with Chinese in it searches Chinese articles.
pub fn has_chinese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'))
}

/// The longest title and summary we accept: pages and search results show them whole.
pub const TITLE_MAX_CHARS: usize = 120;
pub const SUMMARY_MAX_CHARS: usize = 300;
/// The longest body: a help article is a page, not a manual.
pub const BODY_MAX_CHARS: usize = 40_000;

/// One help article in one language. The same slug names its translation in the other language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub slug: String,
    pub language: Language,
    /// The slug of one of [`super::CATEGORIES`].
    pub category: String,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// The stable error codes this article explains, so a failure can link to it.
    pub error_codes: Vec<String>,
    /// Words people use for this topic that the text may not contain; searched like the title.
    pub keywords: Vec<String>,
    /// Its place in the "popular questions" list (1 first), if it is on it.
    pub popular: Option<u32>,
}

/// Why an article's text was refused; `field` names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ArticleError {
    pub field: &'static str,
    pub problem: &'static str,
}

fn refuse(field: &'static str, problem: &'static str) -> ArticleError {
    ArticleError { field, problem }
}

/// Slugs are lowercase ASCII words joined by hyphens, at most 80 characters: they are URLs.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn list(value: &str) -> Vec<String> {
    value
        .split([',', '，'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Article {
    /// Parses an article file: a front matter of `key: value` lines between `---` lines, then
    /// the Markdown body.
    pub fn parse(language: Language, text: &str) -> Result<Article, ArticleError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let rest = text
            .strip_prefix("---\n")
            .or_else(|| text.strip_prefix("---\r\n"))
            .ok_or(refuse(
                "front_matter",
                "the file must start with a --- line",
            ))?;
        let (front, body) = rest
            .split_once("\n---\n")
            .or_else(|| rest.split_once("\r\n---\r\n"))
            .ok_or(refuse(
                "front_matter",
                "the front matter has no closing --- line",
            ))?;
        let mut article = Article {
            slug: String::new(),
            language,
            category: String::new(),
            title: String::new(),
            summary: String::new(),
            body: body.trim().to_owned(),
            error_codes: Vec::new(),
            keywords: Vec::new(),
            popular: None,
        };
        for line in front.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (key, value) = line
                .split_once(':')
                .ok_or(refuse("front_matter", "every line must be key: value"))?;
            let value = value.trim();
            match key.trim() {
                "slug" => article.slug = value.to_owned(),
                "category" => article.category = value.to_owned(),
                "title" => article.title = value.to_owned(),
                "summary" => article.summary = value.to_owned(),
                "error_codes" => article.error_codes = list(value),
                "keywords" => article.keywords = list(value),
                "popular" => {
                    article.popular = Some(
                        value
                            .parse()
                            .map_err(|_| refuse("popular", "must be a whole number"))?,
                    )
                }
                _ => return Err(refuse("front_matter", "unknown key")),
            }
        }
        article.check()?;
        Ok(article)
    }

    /// Checks what an author may get wrong; every article is checked before it is shown or stored.
    pub fn check(&self) -> Result<(), ArticleError> {
        if !is_valid_slug(&self.slug) {
            return Err(refuse(
                "slug",
                "must be lowercase letters, digits and single hyphens",
            ));
        }
        if category(&self.category).is_none() {
            return Err(refuse("category", "is not a known category"));
        }
        let title_chars = self.title.trim().chars().count();
        if title_chars == 0 || title_chars > TITLE_MAX_CHARS {
            return Err(refuse("title", "must have 1 to 120 characters"));
        }
        if self.summary.chars().count() > SUMMARY_MAX_CHARS {
            return Err(refuse("summary", "must have at most 300 characters"));
        }
        let body_chars = self.body.trim().chars().count();
        if body_chars == 0 || body_chars > BODY_MAX_CHARS {
            return Err(refuse("body", "must have 1 to 40,000 characters"));
        }
        if !self.error_codes.iter().all(|code| is_valid_code(code)) {
            return Err(refuse(
                "error_codes",
                "codes are lowercase words joined by _",
            ));
        }
        if self.keywords.iter().any(|k| k.chars().count() > 40) {
            return Err(refuse("keywords", "a keyword has at most 40 characters"));
        }
        if self.popular == Some(0) {
            return Err(refuse("popular", "ranks start at 1"));
        }
        Ok(())
    }

    /// The article as a file [`Article::parse`] reads back unchanged.
    pub fn to_file(&self) -> String {
        let mut out = format!(
            "---\nslug: {}\ncategory: {}\ntitle: {}\nsummary: {}\nerror_codes: {}\nkeywords: {}\n",
            self.slug,
            self.category,
            one_line(&self.title),
            one_line(&self.summary),
            self.error_codes.join(", "),
            self.keywords.join(", "),
        );
        if let Some(rank) = self.popular {
            out.push_str(&format!("popular: {rank}\n"));
        }
        out.push_str("---\n\n");
        out.push_str(self.body.trim());
        out.push('\n');
        out
    }

    /// The body with Markdown's marks dropped, for indexing and snippets.
    pub fn plain_body(&self) -> String {
        plain_text(&self.body)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Markdown to plain text, good enough for search: drops heading marks, emphasis, code ticks,
/// table pipes and link targets, keeps the words.
pub(crate) fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim();
        // Table rules (|---|---|) carry no words.
        if line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue;
        }
        let line = line.trim_start_matches('#').trim_start();
        let line = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .unwrap_or(line);
        let mut chars = line.chars().peekable();
        let mut in_link_target = false;
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            match c {
                '*' | '`' | '|' | '#' => {
                    if c == '|' && !out.ends_with(' ') {
                        out.push(' ');
                    }
                }
                '[' => {}
                ']' if chars.peek() == Some(&'(') => {
                    chars.next();
                    in_link_target = true;
                }
                ')' if in_link_target => in_link_target = false,
                _ if in_link_target => {}
                _ => {
                    if !(c == ' ' && previous == ' ') {
                        out.push(c);
                    }
                    previous = c;
                }
            }
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\nslug: account-locked\ncategory: sign-in\ntitle: Locked out\nsummary: Why.\nerror_codes: account_locked, invalid_credentials\nkeywords: locked, lockout\npopular: 1\n---\n\n## Why\n\nFive **wrong** passwords in [15 minutes](/x).\n";

    #[test]
    fn a_file_parses_into_its_fields() {
        let article = Article::parse(Language::En, FILE).unwrap();
        assert_eq!(article.slug, "account-locked");
        assert_eq!(article.category, "sign-in");
        assert_eq!(
            article.error_codes,
            ["account_locked", "invalid_credentials"]
        );
        assert_eq!(article.keywords, ["locked", "lockout"]);
        assert_eq!(article.popular, Some(1));
        assert!(article.body.starts_with("## Why"));
    }

    #[test]
    fn a_file_written_back_parses_to_the_same_article() {
        let article = Article::parse(Language::En, FILE).unwrap();
        assert_eq!(
            Article::parse(Language::En, &article.to_file()).unwrap(),
            article
        );
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_marks() {
        let article = Article::parse(Language::En, FILE).unwrap();
        assert_eq!(
            article.plain_body(),
            "Why\nFive wrong passwords in 15 minutes."
        );
    }

    #[test]
    fn bad_slugs_categories_and_front_matter_are_refused() {
        let bad_slug = FILE.replace("slug: account-locked", "slug: Account Locked");
        assert_eq!(
            Article::parse(Language::En, &bad_slug).unwrap_err().field,
            "slug"
        );
        let bad_category = FILE.replace("category: sign-in", "category: nowhere");
        assert_eq!(
            Article::parse(Language::En, &bad_category)
                .unwrap_err()
                .field,
            "category"
        );
        let unknown_key = FILE.replace("popular: 1", "colour: red");
        assert_eq!(
            Article::parse(Language::En, &unknown_key)
                .unwrap_err()
                .field,
            "front_matter"
        );
        assert!(Article::parse(Language::En, "no front matter").is_err());
    }
}
