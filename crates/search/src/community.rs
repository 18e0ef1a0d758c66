//! Community search: questions and their answers cut by the help center's analyzer, ranked by the weighted terms a query shares with them.

use std::collections::HashSet;

use crate::analyzer::Analyzer;

/// A character bigram is a fallback for words jieba does not know; it weighs less than a word.
const GRAM_WEIGHT: f32 = 0.35;
/// A word in the question's title says more about it than one in a body or an answer.
const TITLE_BOOST: f32 = 2.0;

/// One question as it is searched: its title, and its body with its answers' bodies.
pub struct CommunityDoc {
    pub question_id: String,
    pub title: String,
    pub text: String,
}

struct Indexed {
    question_id: String,
    title: TermSet,
    text: TermSet,
}

#[derive(Default)]
struct TermSet {
    zh: HashSet<String>,
    en: HashSet<String>,
    grams: HashSet<String>,
}

impl TermSet {
    fn of(analyzer: &Analyzer, text: &str) -> TermSet {
        let terms = analyzer.index_terms(text);
        TermSet {
            zh: terms.zh.into_iter().collect(),
            en: terms.en.into_iter().collect(),
            grams: terms.grams.into_iter().collect(),
        }
    }
}

/// The questions of one moment, analysed once; built again whenever the questions change, so a
/// search never misses a question or answer just posted.
pub struct CommunityIndex {
    docs: Vec<Indexed>,
}

impl CommunityIndex {
    pub fn build(analyzer: &Analyzer, docs: Vec<CommunityDoc>) -> CommunityIndex {
        CommunityIndex {
            docs: docs
                .into_iter()
                .map(|doc| Indexed {
                    title: TermSet::of(analyzer, &doc.title),
                    text: TermSet::of(analyzer, &doc.text),
                    question_id: doc.question_id,
                })
                .collect(),
        }
    }

    /// The ids of the questions that match `query`, best first (ties keep the build order);
    /// empty for a query with no meaningful word.
    pub fn search(&self, analyzer: &Analyzer, query: &str) -> Vec<String> {
        let terms = analyzer.query_terms(query);
        if terms.is_empty() {
            return Vec::new();
        }
        let score_in = |set: &TermSet| -> f32 {
            let words: f32 = terms
                .zh
                .iter()
                .filter(|(word, _)| set.zh.contains(word))
                .map(|(_, weight)| weight)
                .chain(
                    terms
                        .en
                        .iter()
                        .filter(|(stem, _)| set.en.contains(stem))
                        .map(|(_, weight)| weight),
                )
                .sum();
            let grams = terms
                .grams
                .iter()
                .filter(|gram| set.grams.contains(*gram))
                .count() as f32;
            words + GRAM_WEIGHT * grams
        };
        let mut scored: Vec<(usize, f32)> = self
            .docs
            .iter()
            .enumerate()
            .map(|(at, doc)| (at, TITLE_BOOST * score_in(&doc.title) + score_in(&doc.text)))
            .filter(|(_, score)| *score > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
            .into_iter()
            .map(|(at, _)| self.docs[at].question_id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, title: &str, text: &str) -> CommunityDoc {
        CommunityDoc {
            question_id: id.into(),
            title: title.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_chinese_query_finds_the_chinese_question_and_an_english_one_the_english() {
        let analyzer = Analyzer::shared();
        let index = CommunityIndex::build(
            &analyzer,
            vec![
                doc(
                    "q_1",
                    "提现一直没有到账怎么办",
                    "我昨天提现到银行卡，现在还没到。",
                ),
                doc(
                    "q_2",
                    "How do I change my phone number",
                    "I got a new phone.",
                ),
                doc("q_3", "Card top-up", "答案：充值失败可以换一张银行卡。"),
            ],
        );
        assert_eq!(index.search(&analyzer, "提现没到账")[0], "q_1");
        assert_eq!(
            index.search(&analyzer, "changing phone numbers"),
            vec!["q_2"]
        );
        assert!(index.search(&analyzer, "充值").contains(&"q_3".to_owned()));
        assert!(index.search(&analyzer, "the").is_empty());
    }
}
