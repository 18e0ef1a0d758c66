//! The help center's JSON: categories, articles (listed, searched, one by one).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use domain::help::{Article, CATEGORIES, HelpCatalog, Language, SearchHit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::help_markdown::markdown_to_html;
use crate::i18n::Locale;

/// The longest query searched; a help question is a sentence, not an essay.
pub(crate) const QUERY_CHARS_MAX: usize = 200;
/// Results per search unless `limit` says otherwise, and the most `limit` may ask for.
const SEARCH_LIMIT_DEFAULT: usize = 10;
const SEARCH_LIMIT_MAX: usize = 50;

/// `?q=&locale=&category=&limit=` of the help endpoints.
/// Other parameters (the pages' `lang`) are ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HelpQuery {
    /// Words to search for, in Chinese, English or both.
    pub q: Option<String>,
    /// `zh-CN` or `en`. Default: `zh-CN` for a query with Chinese in it, else `Accept-Language`.
    pub locale: Option<String>,
    /// Only articles of this category (listing only).
    pub category: Option<String>,
    /// At most this many results (1–50, default 10; search only).
    pub limit: Option<usize>,
}

/// A page of the list; never more than fits in one answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpList<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryInfo {
    #[schema(example = "top-up")]
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub article_count: usize,
}

/// An article as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    #[schema(example = "account-locked")]
    pub slug: String,
    #[schema(example = "en")]
    pub locale: &'static str,
    pub category: String,
    pub title: String,
    pub summary: String,
    /// The error codes this article explains.
    pub error_codes: Vec<String>,
    #[schema(example = "/help/account-locked")]
    pub url: String,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    pub slug: String,
    pub locale: &'static str,
    pub category: String,
    pub title: String,
    /// The title as HTML: escaped, the words that matched inside `<mark>`.
    pub title_html: String,
    /// A passage of the article as HTML: escaped, matches inside `<mark>`.
    #[schema(example = "…15 分钟内连续输错 5 次密码，OKPay 会暂时<mark>锁定</mark>…")]
    pub snippet_html: String,
    pub score: f32,
    pub url: String,
}

/// A whole article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    pub category_name: &'static str,
    /// The source, as the author wrote it.
    pub body_markdown: String,
    /// The body rendered; raw HTML in the source is shown as text, never run.
    pub body_html: String,
    pub related: Vec<ArticleSummary>,
}

/// The language of a request: `?locale=` if given, else Chinese for a query with Chinese in it,
/// else the request's language.
pub(crate) fn help_language(
    requested: Option<&str>,
    query: Option<&str>,
    locale: Locale,
) -> Result<Language, ApiError> {
    if let Some(tag) = requested {
        return Language::from_tag(tag).ok_or_else(|| ApiError::invalid_request("locale"));
    }
    if query.is_some_and(domain::help::has_chinese) {
        return Ok(Language::ZhCn);
    }
    Ok(language_of(locale))
}

pub(crate) fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::ZhCn => Language::ZhCn,
        Locale::En => Language::En,
    }
}

/// Reads the query string, answering `invalid_request` (naming the parameter when it can) for
/// anything it does not expect.
pub(crate) fn read_query(uri: &Uri) -> Result<HelpQuery, ApiError> {
    let Some(raw) = uri.query() else {
        return Ok(HelpQuery::default());
    };
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        ApiError::invalid_request(if path == "." {
            "query".to_owned()
        } else {
            path
        })
    })
}

/// A search query, trimmed; refused when too long.
pub(crate) fn checked_query(q: &str) -> Result<&str, ApiError> {
    let q = q.trim();
    if q.chars().count() > QUERY_CHARS_MAX {
        return Err(ApiError::invalid_request("q"));
    }
    Ok(q)
}

pub(crate) fn summary_of(article: &Article) -> ArticleSummary {
    ArticleSummary {
        slug: article.slug.clone(),
        locale: article.language.tag(),
        category: article.category.clone(),
        title: article.title.clone(),
        summary: article.summary.clone(),
        error_codes: article.error_codes.clone(),
        url: format!("/help/{}", article.slug),
    }
}

fn result_of(hit: SearchHit) -> SearchResult {
    SearchResult {
        url: format!("/help/{}", hit.slug),
        slug: hit.slug,
        locale: hit.language.tag(),
        category: hit.category,
        title: hit.title,
        title_html: hit.title_html,
        snippet_html: hit.snippet_html,
        score: hit.score,
    }
}

/// The help center's categories with how many articles each holds.
#[utoipa::path(
    get,
    path = "/api/v1/help/categories",
    tag = "help",
    params(("locale" = Option<String>, Query, description = "zh-CN or en")),
    responses((status = 200, description = "Every category", body = HelpList<CategoryInfo>))
)]
pub(crate) async fn list_categories(
    State(state): State<AppState>,
    locale: Locale,
    uri: Uri,
) -> Result<Json<HelpList<CategoryInfo>>, ApiError> {
    let query = read_query(&uri)?;
    let language = help_language(query.locale.as_deref(), None, locale)?;
    let catalog = state.help.catalog();
    let data = CATEGORIES
        .iter()
        .map(|category| CategoryInfo {
            slug: category.slug,
            name: category.name(language),
            description: category.blurb(language),
            article_count: catalog.in_category(category.slug, language).len(),
        })
        .collect();
    Ok(Json(HelpList {
        data,
        has_more: false,
    }))
}

/// Every article in one language (optionally of one category); with `q`, search results.
#[utoipa::path(
    get,
    path = "/api/v1/help/articles",
    tag = "help",
    params(HelpQuery),
    responses(
        (status = 200, description = "Articles, or search results with snippets when `q` is given",
            body = HelpList<ArticleSummary>),
        (status = 400, description = "`invalid_request`: an unknown parameter, locale or category, or a query over 200 characters",
            body = crate::error_body::ErrorBody),
    )
)]
pub(crate) async fn list_articles(
    State(state): State<AppState>,
    locale: Locale,
    uri: Uri,
) -> Result<Json<serde_json::Value>, ApiError> {
    let query = read_query(&uri)?;
    if query.q.is_some() {
        return search_answer(&state, &query, locale).map(|list| Json(to_value(list)));
    }
    let language = help_language(query.locale.as_deref(), None, locale)?;
    if let Some(category) = &query.category
        && domain::help::category(category).is_none()
    {
        return Err(ApiError::invalid_request("category"));
    }
    let catalog = state.help.catalog();
    let data = catalog
        .in_language(language)
        .filter(|a| query.category.as_ref().is_none_or(|c| *c == a.category))
        .map(summary_of)
        .collect();
    Ok(Json(to_value(HelpList {
        data,
        has_more: false,
    })))
}

fn to_value<T: Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).expect("plain structs always serialize")
}

/// Search results with highlighted snippets, best first.
#[utoipa::path(
    get,
    path = "/api/v1/help/search",
    tag = "help",
    params(HelpQuery),
    responses(
        (status = 200, description = "Results, best first", body = HelpList<SearchResult>),
        (status = 400, description = "`invalid_request`: `q` missing or over 200 characters, or a bad `locale` or `limit`",
            body = crate::error_body::ErrorBody),
    )
)]
pub(crate) async fn search_articles(
    State(state): State<AppState>,
    locale: Locale,
    uri: Uri,
) -> Result<Json<HelpList<SearchResult>>, ApiError> {
    let query = read_query(&uri)?;
    if query.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Err(ApiError::invalid_request("q"));
    }
    search_answer(&state, &query, locale).map(Json)
}

fn search_answer(
    state: &AppState,
    query: &HelpQuery,
    locale: Locale,
) -> Result<HelpList<SearchResult>, ApiError> {
    let q = checked_query(query.q.as_deref().unwrap_or_default())?;
    let language = help_language(query.locale.as_deref(), Some(q), locale)?;
    let limit = match query.limit {
        None => SEARCH_LIMIT_DEFAULT,
        Some(limit @ 1..=SEARCH_LIMIT_MAX) => limit,
        Some(_) => return Err(ApiError::invalid_request("limit")),
    };
    let data = state
        .help
        .search(q, Some(language), limit)
        .into_iter()
        .map(result_of)
        .collect();
    Ok(HelpList {
        data,
        has_more: false,
    })
}

/// One article with its rendered body and related articles.
#[utoipa::path(
    get,
    path = "/api/v1/help/articles/{slug}",
    tag = "help",
    params(
        ("slug" = String, Path, description = "The article's slug, the same in both languages"),
        ("locale" = Option<String>, Query, description = "zh-CN or en; default `Accept-Language`"),
    ),
    responses(
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 404, description = "`not_found`: no article has this slug", body = crate::error_body::ErrorBody),
    )
)]
pub(crate) async fn get_article(
    State(state): State<AppState>,
    locale: Locale,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Json<ArticleDetail>, ApiError> {
    let query = read_query(&uri)?;
    let language = help_language(query.locale.as_deref(), None, locale)?;
    let catalog = state.help.catalog();
    let article = catalog
        .article(&slug, language)
        .ok_or_else(|| ApiError::new(crate::error::ErrorCode::NotFound))?;
    Ok(Json(detail_of(&catalog, article)))
}

fn detail_of(catalog: &HelpCatalog, article: &Article) -> ArticleDetail {
    ArticleDetail {
        summary: summary_of(article),
        category_name: domain::help::category(&article.category)
            .map(|c| c.name(article.language))
            .unwrap_or_default(),
        body_markdown: article.body.clone(),
        body_html: markdown_to_html(&article.body),
        related: catalog
            .related(article, 4)
            .into_iter()
            .map(summary_of)
            .collect(),
    }
}
