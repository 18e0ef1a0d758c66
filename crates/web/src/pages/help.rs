//! The help center's pages: home (categories, search, popular), a category, an article, results.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::help::{Article, CATEGORIES, Language};
use serde::Deserialize;

use super::layout::Layout;
use crate::AppState;
use crate::api::help::{checked_query, help_language, language_of, read_query};
use crate::error::{ApiError, ErrorCode};
use crate::help_markdown::markdown_to_html;
use crate::i18n::{HelpText, Locale};

const POPULAR_SHOWN: usize = 8;
const RESULTS_SHOWN: usize = 20;
const RELATED_SHOWN: usize = 5;

struct CategoryEntry {
    slug: &'static str,
    name: &'static str,
    blurb: &'static str,
    count: usize,
}

struct ArticleLink {
    slug: String,
    title: String,
    summary: String,
}

fn link(article: &Article) -> ArticleLink {
    ArticleLink {
        slug: article.slug.clone(),
        title: article.title.clone(),
        summary: article.summary.clone(),
    }
}

struct ResultEntry {
    slug: String,
    title_html: String,
    snippet_html: String,
}

#[derive(Template)]
#[template(path = "help_home.html")]
struct HelpHome {
    layout: Layout,
    title: &'static str,
    text: &'static HelpText,
    query: String,
    categories: Vec<CategoryEntry>,
    popular: Vec<ArticleLink>,
}

#[derive(Template)]
#[template(path = "help_category.html")]
struct HelpCategoryPage {
    layout: Layout,
    title: String,
    text: &'static HelpText,
    name: &'static str,
    blurb: &'static str,
    articles: Vec<ArticleLink>,
}

#[derive(Template)]
#[template(path = "help_article.html")]
struct HelpArticlePage {
    layout: Layout,
    title: String,
    text: &'static HelpText,
    slug: String,
    article_lang: &'static str,
    article_title: String,
    article_summary: String,
    category_slug: String,
    category_name: &'static str,
    body_html: String,
    error_codes: Vec<String>,
    other_lang: &'static str,
    related: Vec<ArticleLink>,
    thanks: bool,
}

#[derive(Template)]
#[template(path = "help_search.html")]
struct HelpSearchPage {
    layout: Layout,
    title: String,
    text: &'static HelpText,
    query: String,
    results: Vec<ResultEntry>,
    categories: Vec<CategoryEntry>,
}

fn html(page: impl Template) -> Result<Html<String>, ApiError> {
    page.render()
        .map(Html)
        .map_err(|cause| ApiError::internal(&cause))
}

fn categories(state: &AppState, language: Language) -> Vec<CategoryEntry> {
    let catalog = state.help.catalog();
    CATEGORIES
        .iter()
        .map(|category| CategoryEntry {
            slug: category.slug,
            name: category.name(language),
            blurb: category.blurb(language),
            count: catalog.in_category(category.slug, language).len(),
        })
        .collect()
}

pub(crate) async fn help_home(
    State(state): State<AppState>,
    locale: Locale,
) -> Result<Html<String>, ApiError> {
    let language = language_of(locale);
    let text = HelpText::for_locale(locale);
    html(HelpHome {
        layout: Layout::new(locale),
        title: text.title,
        text,
        query: String::new(),
        categories: categories(&state, language),
        popular: state
            .help
            .catalog()
            .popular(language, POPULAR_SHOWN)
            .into_iter()
            .map(link)
            .collect(),
    })
}

pub(crate) async fn help_category(
    State(state): State<AppState>,
    locale: Locale,
    Path(slug): Path<String>,
) -> Result<Html<String>, ApiError> {
    let category =
        domain::help::category(&slug).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let language = language_of(locale);
    let text = HelpText::for_locale(locale);
    let catalog = state.help.catalog();
    html(HelpCategoryPage {
        layout: Layout::new(locale),
        title: format!("{} · {}", category.name(language), text.title),
        text,
        name: category.name(language),
        blurb: category.blurb(language),
        articles: catalog
            .in_category(category.slug, language)
            .into_iter()
            .map(link)
            .collect(),
    })
}

pub(crate) async fn help_article(
    State(state): State<AppState>,
    locale: Locale,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Html<String>, ApiError> {
    let language = language_of(locale);
    let catalog = state.help.catalog();
    let article = catalog
        .article(&slug, language)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let text = HelpText::for_locale(locale);
    let other = match article.language {
        Language::ZhCn => Language::En,
        Language::En => Language::ZhCn,
    };
    html(HelpArticlePage {
        layout: Layout::new(locale),
        title: format!("{} · {}", article.title, text.title),
        text,
        slug: article.slug.clone(),
        article_lang: article.language.tag(),
        article_title: article.title.clone(),
        article_summary: article.summary.clone(),
        category_slug: article.category.clone(),
        category_name: domain::help::category(&article.category)
            .map(|c| c.name(article.language))
            .unwrap_or_default(),
        body_html: markdown_to_html(&article.body),
        error_codes: article.error_codes.clone(),
        other_lang: other.tag(),
        related: catalog
            .related(article, RELATED_SHOWN)
            .into_iter()
            .map(link)
            .collect(),
        thanks: uri.query().is_some_and(|q| q.contains("feedback=thanks")),
    })
}

pub(crate) async fn help_search(
    State(state): State<AppState>,
    locale: Locale,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = read_query(&uri)?;
    let q = checked_query(query.q.as_deref().unwrap_or_default())?;
    if q.is_empty() {
        return Ok(Redirect::to("/help").into_response());
    }
    // The page's language is the visitor's; the articles searched follow what was typed.
    let language = help_language(None, Some(q), locale)?;
    let text = HelpText::for_locale(locale);
    let results = state
        .help
        .search(q, Some(language), RESULTS_SHOWN)
        .into_iter()
        .map(|hit| ResultEntry {
            slug: hit.slug,
            title_html: hit.title_html,
            snippet_html: hit.snippet_html,
        })
        .collect();
    Ok(html(HelpSearchPage {
        layout: Layout::new(locale),
        title: format!("{q} · {}", text.title),
        text,
        query: q.to_owned(),
        results,
        categories: categories(&state, language_of(locale)),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct FeedbackForm {
    helpful: String,
}

/// "Was this helpful?": counted, then back to the article with a thank-you.
pub(crate) async fn help_feedback(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> Result<Redirect, ApiError> {
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(ApiError::invalid_request("helpful")),
    };
    let known = state
        .help_desk
        .record_feedback(&slug, helpful)
        .await
        .map_err(|cause| ApiError::database_unavailable(&cause))?;
    if !known {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(Redirect::to(&format!("/help/{slug}?feedback=thanks")))
}
