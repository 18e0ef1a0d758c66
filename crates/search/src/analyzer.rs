//! Text to search terms, the same way for articles and queries: jieba words and CJK character
//! bigrams for Chinese, stemmed lowercase words for English (and the Latin words inside Chinese).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{
    Language as StemLanguage, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer,
};

use crate::dictionary::{ENGLISH_SYNONYMS, EXPANSIONS, STOP_WORDS, SYNONYMS, USER_WORDS};

/// How often jieba should believe each payments word occurs: high enough that 账户被锁定 keeps
/// 锁定 whole and 跨境汇款 is one word, as jieba's own most common words are.
const USER_WORD_FREQUENCY: usize = 200_000;

/// The terms of one text, per field family.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Terms {
    /// jieba words of the Chinese runs (search mode: long words and the words inside them).
    pub zh: Vec<String>,
    /// Stemmed, lowercased Latin-script words.
    pub en: Vec<String>,
    /// CJK characters and character bigrams, so words jieba does not know still match.
    pub grams: Vec<String>,
}

/// A query broken into what to look for.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct QueryTerms {
    /// Chinese words with their weight: 1.0 for the user's words, less for synonyms.
    pub zh: Vec<(String, f32)>,
    /// English stems with their weight.
    pub en: Vec<(String, f32)>,
    /// CJK bigrams (and single characters the user typed alone).
    pub grams: Vec<String>,
    /// What to mark in titles and snippets: Chinese surface words and the English stems.
    pub highlight_zh: Vec<String>,
    pub highlight_en: HashSet<String>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty() && self.grams.is_empty()
    }
}

/// The weight a synonym or expansion gets next to the word the user typed.
const SYNONYM_WEIGHT: f32 = 0.7;

pub struct Analyzer {
    jieba: Jieba,
    english: TextAnalyzer,
    synonyms: HashMap<&'static str, Vec<&'static str>>,
    expansions: HashMap<&'static str, &'static [&'static str]>,
    english_synonyms: HashMap<&'static str, Vec<&'static str>>,
    stop_words: HashSet<&'static str>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// The process's analyzer, loaded on first use: jieba's dictionary is loaded once.
    pub fn shared() -> Arc<Analyzer> {
        static SHARED: OnceLock<Arc<Analyzer>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Analyzer::new())).clone()
    }

    /// Loads jieba's dictionary (about 0.2 s): prefer [`Analyzer::shared`].
    pub fn new() -> Self {
        let mut jieba = Jieba::new();
        let extra = SYNONYMS.iter().flat_map(|group| group.iter());
        let expanded = EXPANSIONS.iter().flat_map(|(_, words)| words.iter());
        for word in USER_WORDS.iter().chain(extra).chain(expanded) {
            if word.chars().count() > 1 {
                jieba.add_word(word, Some(USER_WORD_FREQUENCY), None);
            }
        }
        let mut synonyms: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for group in SYNONYMS {
            for word in *group {
                synonyms
                    .entry(*word)
                    .or_default()
                    .extend(group.iter().filter(|other| *other != word));
            }
        }
        let mut english_synonyms: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for group in ENGLISH_SYNONYMS {
            for word in *group {
                english_synonyms
                    .entry(*word)
                    .or_default()
                    .extend(group.iter().filter(|other| *other != word));
            }
        }
        Analyzer {
            jieba,
            english: TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(StemLanguage::English))
                .build(),
            synonyms,
            expansions: EXPANSIONS.iter().copied().collect(),
            english_synonyms,
            stop_words: STOP_WORDS.iter().copied().collect(),
        }
    }

    /// The terms an article's text is indexed under.
    pub fn index_terms(&self, text: &str) -> Terms {
        let text = normalize(text);
        let mut terms = Terms::default();
        for run in cjk_runs(&text) {
            for token in self.jieba.cut_for_search(run, true) {
                if token.word.chars().count() > 0 && token.word.chars().all(is_cjk) {
                    terms.zh.push(token.word.to_owned());
                }
            }
            push_grams(run, &mut terms.grams, true);
        }
        self.english_stems(&text, |stem, _, _| terms.en.push(stem.to_owned()));
        terms
    }

    /// What a query asks for: its words, their synonyms, the bigrams of its Chinese, the stems
    /// of its English. Words that carry no meaning (的, 怎么, how, my) are dropped.
    pub fn query_terms(&self, query: &str) -> QueryTerms {
        let text = normalize(query);
        let mut out = QueryTerms::default();
        let mut seen_zh = HashSet::new();
        let mut add_zh = |out: &mut QueryTerms, word: &str, weight: f32| {
            if seen_zh.insert(word.to_owned()) {
                out.zh.push((word.to_owned(), weight));
                out.highlight_zh.push(word.to_owned());
            }
        };
        for run in cjk_runs(&text) {
            let words: Vec<&str> = self
                .jieba
                .cut_for_search(run, true)
                .into_iter()
                .map(|t| t.word)
                .filter(|w| w.chars().all(is_cjk))
                .collect();
            let meaningful: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| !self.stop_words.contains(w))
                .collect();
            for word in &meaningful {
                add_zh(&mut out, word, 1.0);
                if let Some(others) = self.synonyms.get(word) {
                    for other in others {
                        add_zh(&mut out, other, SYNONYM_WEIGHT);
                    }
                }
                if let Some(others) = self.expansions.get(word) {
                    for other in *others {
                        add_zh(&mut out, other, SYNONYM_WEIGHT);
                    }
                }
                // A single character typed alone (锁, 卡) only matches as a character.
                if word.chars().count() == 1 {
                    out.grams.push((*word).to_owned());
                }
            }
            // Bigrams that are not stop words, so 被锁 finds 被锁定 and unknown names match.
            let mut grams = Vec::new();
            push_grams(run, &mut grams, false);
            for gram in grams {
                if !self.stop_words.contains(gram.as_str()) && !out.grams.contains(&gram) {
                    out.grams.push(gram);
                }
            }
        }
        let mut seen_en = HashSet::new();
        let mut stems = Vec::new();
        self.english_stems(&text, |stem, raw, _| {
            if !self.stop_words.contains(raw) && !self.stop_words.contains(stem) {
                stems.push(stem.to_owned());
            }
        });
        for stem in stems {
            if seen_en.insert(stem.clone()) {
                out.en.push((stem.clone(), 1.0));
                out.highlight_en.insert(stem.clone());
            }
            if let Some(others) = self.english_synonyms.get(stem.as_str()) {
                for other in others {
                    if seen_en.insert((*other).to_owned()) {
                        out.en.push(((*other).to_owned(), SYNONYM_WEIGHT));
                        out.highlight_en.insert((*other).to_owned());
                    }
                }
            }
        }
        out
    }

    /// Calls `each(stem, lowercase word, byte range in text)` for every Latin-script word.
    pub fn english_stems(&self, text: &str, mut each: impl FnMut(&str, &str, (usize, usize))) {
        let mut analyzer = self.english.clone();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            let raw = &text[token.offset_from..token.offset_to];
            if raw.is_ascii() {
                let lower = raw.to_ascii_lowercase();
                each(&token.text, &lower, (token.offset_from, token.offset_to));
            }
        }
    }
}

/// Full-width Latin letters, digits and spaces (ＯＫＰａｙ) as their ASCII forms, so a query typed
/// with a Chinese input method matches.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Han ideographs (the CJK blocks jieba segments).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Whether `text` has any Chinese in it.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

/// The maximal runs of Han characters in `text`.
fn cjk_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_cjk(c))
        .filter(|run| !run.is_empty())
}

/// Bigrams of a run (and its characters when `unigrams`): a run of one character is its own gram.
fn push_grams(run: &str, out: &mut Vec<String>, unigrams: bool) {
    let chars: Vec<char> = run.chars().collect();
    if unigrams || chars.len() == 1 {
        out.extend(chars.iter().map(|c| c.to_string()));
    }
    out.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> &'static Analyzer {
        static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
        ANALYZER.get_or_init(Analyzer::new)
    }

    #[test]
    fn payments_words_stay_whole() {
        let terms = analyzer().index_terms("我想跨境汇款，但是账户被冻结了");
        assert!(terms.zh.contains(&"跨境汇款".to_owned()), "{:?}", terms.zh);
        assert!(terms.zh.contains(&"冻结".to_owned()), "{:?}", terms.zh);
    }

    #[test]
    fn a_query_brings_in_its_synonyms_and_drops_filler() {
        let query = analyzer().query_terms("怎么加钱");
        let words: Vec<&str> = query.zh.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"加钱"), "{words:?}");
        assert!(words.contains(&"充值"), "{words:?}");
        assert!(!words.contains(&"怎么"), "{words:?}");
    }

    #[test]
    fn english_is_stemmed_and_mixed_queries_split_by_script() {
        let query = analyzer().query_terms("OKPay 账户被锁 locked");
        assert!(query.en.iter().any(|(s, _)| s == "lock"), "{:?}", query.en);
        assert!(
            !query.en.iter().any(|(s, _)| s == "okpay"),
            "{:?}",
            query.en
        );
        assert!(
            query.grams.contains(&"被锁".to_owned()),
            "{:?}",
            query.grams
        );
        assert!(query.zh.iter().any(|(w, _)| w == "账户"), "{:?}", query.zh);
    }

    #[test]
    fn full_width_letters_read_as_ascii() {
        assert_eq!(normalize("ＯＫＰａｙ　充值"), "OKPay 充值");
    }
}
