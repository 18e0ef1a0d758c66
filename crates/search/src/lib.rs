//! Help-center search: an in-memory tantivy index over the help articles, with jieba
//! segmentation and a payments dictionary for Chinese, CJK bigrams so unknown words still match,
//! stemmed English, synonyms, typo tolerance, title boost and highlighted snippets.
//!
//! Text is analysed here, not by tantivy tokenizers: articles go in pre-tokenized and queries are
//! built from terms, so a query and an article are always cut by the same code.

mod analyzer;
pub mod bench;
mod community;
mod dictionary;
mod snippet;

use std::sync::{Arc, RwLock};

use domain::help::{Article, HelpSearch, Language, SearchError, SearchHit};
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexWriter, Searcher, TantivyDocument, Term};

pub use analyzer::{Analyzer, QueryTerms, has_cjk, normalize};
pub use community::{CommunityDoc, CommunityIndex};

/// A help center over `articles`, searched with the process's shared analyzer.
pub fn help_center(articles: Vec<Article>) -> Result<domain::help::HelpCenter, SearchError> {
    let index = HelpIndex::new(Analyzer::shared(), &articles)?;
    Ok(domain::help::HelpCenter::new(
        domain::help::HelpCatalog::new(articles),
        Arc::new(index),
    ))
}

/// A title match counts this many times a body match.
const TITLE_BOOST: f32 = 3.0;
/// Keywords are what people call the topic, nearly as telling as the title.
const KEYWORD_BOOST: f32 = 2.0;
/// Character bigrams are a fallback for words jieba does not know; they weigh less than words.
const GRAM_WEIGHT: f32 = 0.35;
/// A typo-corrected English word weighs less than one spelled right.
const FUZZY_WEIGHT: f32 = 0.6;
/// Characters of body text in a snippet.
const SNIPPET_CHARS_ZH: usize = 72;
const SNIPPET_CHARS_EN: usize = 160;
/// The indexing memory budget; tantivy's floor is 15 MB.
const WRITER_MEMORY_BYTES: usize = 64_000_000;

#[derive(Clone, Copy)]
struct Fields {
    ord: Field,
    lang: Field,
    title_zh: Field,
    keywords_zh: Field,
    body_zh: Field,
    title_en: Field,
    keywords_en: Field,
    body_en: Field,
    title_grams: Field,
    body_grams: Field,
}

/// What a hit shows, kept beside the index so a hit needs no stored-document read.
struct DocMeta {
    slug: String,
    language: Language,
    category: String,
    title: String,
    text: String,
}

/// One built index and what its documents are; replaced whole on rebuild.
struct Snapshot {
    fields: Fields,
    searcher: Searcher,
    /// The `ord` column of each segment, in segment order.
    ords: Vec<Column<u64>>,
    docs: Vec<DocMeta>,
}

/// The help-center search engine. Cheap to query from many threads at once.
pub struct HelpIndex {
    analyzer: Arc<Analyzer>,
    current: RwLock<Arc<Snapshot>>,
}

impl HelpIndex {
    /// Builds the index over `articles`. `analyzer` holds jieba's dictionary: share one.
    pub fn new(analyzer: Arc<Analyzer>, articles: &[Article]) -> Result<Self, SearchError> {
        let snapshot = build(&analyzer, articles).map_err(|e| SearchError(e.to_string()))?;
        Ok(HelpIndex {
            analyzer,
            current: RwLock::new(Arc::new(snapshot)),
        })
    }

    /// How many articles (counting each language) the index holds.
    pub fn len(&self) -> usize {
        self.snapshot().docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        // A poisoned lock only means a rebuild panicked; the snapshot inside is still whole.
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The query tantivy runs for `terms`, or `None` when nothing in it is searchable.
    fn query(
        &self,
        snapshot: &Snapshot,
        terms: &QueryTerms,
        language: Option<Language>,
    ) -> Option<Box<dyn Query>> {
        let f = snapshot.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field: Field, text: &str, boost: f32| {
            should.push((Occur::Should, term_query(field, text, boost)));
        };
        for (word, weight) in &terms.zh {
            add(f.title_zh, word, TITLE_BOOST * weight);
            // A synonym found among an article's keywords counts less: keyword lists hold
            // synonyms already, and one query word should not score once per synonym.
            add(f.keywords_zh, word, KEYWORD_BOOST * weight * weight);
            add(f.body_zh, word, *weight);
        }
        for gram in &terms.grams {
            add(f.title_grams, gram, TITLE_BOOST * GRAM_WEIGHT);
            add(f.body_grams, gram, GRAM_WEIGHT);
        }
        for (stem, weight) in &terms.en {
            add(f.title_en, stem, TITLE_BOOST * weight);
            add(f.keywords_en, stem, KEYWORD_BOOST * weight * weight);
            add(f.body_en, stem, *weight);
        }
        // Typos: an English word no article contains is looked up within an edit or two.
        // Only then, because a fuzzy lookup walks the term dictionary.
        for (stem, weight) in &terms.en {
            if *weight < 1.0 || stem.len() < 4 || stem.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let known = [f.title_en, f.body_en, f.keywords_en].iter().any(|field| {
                snapshot
                    .searcher
                    .doc_freq(&Term::from_field_text(*field, stem))
                    .unwrap_or(0)
                    > 0
            });
            if !known {
                let distance = if stem.len() >= 8 { 2 } else { 1 };
                for (field, boost) in [(f.title_en, TITLE_BOOST), (f.body_en, 1.0)] {
                    let fuzzy =
                        FuzzyTermQuery::new(Term::from_field_text(field, stem), distance, true);
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(fuzzy), boost * FUZZY_WEIGHT)),
                    ));
                }
            }
        }
        if should.is_empty() {
            return None;
        }
        let words: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        Some(match language {
            None => words,
            Some(language) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, words),
                (Occur::Must, term_query(f.lang, language.tag(), 0.0)),
            ])),
        })
    }
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(query), boost))
}

impl HelpSearch for HelpIndex {
    fn search(&self, query: &str, language: Option<Language>, limit: usize) -> Vec<SearchHit> {
        if limit == 0 {
            return Vec::new();
        }
        let terms = self.analyzer.query_terms(query);
        if terms.is_empty() {
            return Vec::new();
        }
        let snapshot = self.snapshot();
        let Some(tantivy_query) = self.query(&snapshot, &terms, language) else {
            return Vec::new();
        };
        let top = match snapshot.searcher.search(
            &*tantivy_query,
            &TopDocs::with_limit(limit).order_by_score(),
        ) {
            Ok(top) => top,
            Err(error) => {
                tracing::error!(%error, "help search failed");
                return Vec::new();
            }
        };
        top.into_iter()
            .filter_map(|(score, address)| {
                let ord = snapshot
                    .ords
                    .get(address.segment_ord as usize)?
                    .first(address.doc_id)?;
                let doc = snapshot.docs.get(ord as usize)?;
                let window = match doc.language {
                    Language::ZhCn => SNIPPET_CHARS_ZH,
                    Language::En => SNIPPET_CHARS_EN,
                };
                Some(SearchHit {
                    slug: doc.slug.clone(),
                    language: doc.language,
                    category: doc.category.clone(),
                    title: doc.title.clone(),
                    title_html: snippet::mark_all(&self.analyzer, &doc.title, &terms),
                    snippet_html: snippet::snippet(&self.analyzer, &doc.text, &terms, window),
                    score,
                })
            })
            .collect()
    }

    fn rebuild(&self, articles: &[Article]) -> Result<(), SearchError> {
        let snapshot = build(&self.analyzer, articles).map_err(|e| SearchError(e.to_string()))?;
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
        Ok(())
    }
}

fn build(analyzer: &Analyzer, articles: &[Article]) -> tantivy::Result<Snapshot> {
    let mut schema = Schema::builder();
    // Terms arrive pre-tokenized; frequencies and lengths are kept for BM25, positions are not.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        ord: schema.add_u64_field("ord", FAST),
        lang: schema.add_text_field("lang", STRING),
        title_zh: schema.add_text_field("title_zh", words.clone()),
        keywords_zh: schema.add_text_field("keywords_zh", words.clone()),
        body_zh: schema.add_text_field("body_zh", words.clone()),
        title_en: schema.add_text_field("title_en", words.clone()),
        keywords_en: schema.add_text_field("keywords_en", words.clone()),
        body_en: schema.add_text_field("body_en", words.clone()),
        title_grams: schema.add_text_field("title_grams", words.clone()),
        body_grams: schema.add_text_field("body_grams", words),
    };
    let index = Index::create_in_ram(schema.build());
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
    let mut docs = Vec::with_capacity(articles.len());
    for (ord, article) in articles.iter().enumerate() {
        let text = format!("{}\n{}", article.summary, article.plain_body());
        let title = analyzer.index_terms(&article.title);
        let keywords = analyzer.index_terms(&article.keywords.join("，"));
        let body = analyzer.index_terms(&text);
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.ord, ord as u64);
        doc.add_text(fields.lang, article.language.tag());
        add_terms(&mut doc, fields.title_zh, title.zh);
        add_terms(&mut doc, fields.keywords_zh, keywords.zh);
        add_terms(&mut doc, fields.body_zh, body.zh);
        add_terms(&mut doc, fields.title_en, title.en);
        add_terms(&mut doc, fields.keywords_en, keywords.en);
        add_terms(&mut doc, fields.body_en, body.en);
        add_terms(&mut doc, fields.title_grams, title.grams);
        add_terms(&mut doc, fields.body_grams, body.grams);
        writer.add_document(doc)?;
        docs.push(DocMeta {
            slug: article.slug.clone(),
            language: article.language,
            category: article.category.clone(),
            title: article.title.clone(),
            text,
        });
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let ords = searcher
        .segment_readers()
        .iter()
        .map(|segment| segment.fast_fields().u64("ord"))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(Snapshot {
        fields,
        searcher,
        ords,
        docs,
    })
}

fn add_terms(doc: &mut TantivyDocument, field: Field, terms: Vec<String>) {
    if terms.is_empty() {
        return;
    }
    let tokens = terms
        .into_iter()
        .enumerate()
        .map(|(position, text)| Token {
            offset_from: 0,
            offset_to: 0,
            position,
            text,
            position_length: 1,
        })
        .collect();
    doc.add_pre_tokenized_text(
        field,
        PreTokenizedString {
            text: String::new(),
            tokens,
        },
    );
}
