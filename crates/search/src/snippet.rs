//! Titles and snippets with the words that matched inside `<mark>`, HTML-escaped.

use crate::analyzer::{Analyzer, QueryTerms};

/// The matched byte ranges of `text`, sorted and merged.
fn matches(analyzer: &Analyzer, text: &str, terms: &QueryTerms) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for word in terms
        .highlight_zh
        .iter()
        .chain(terms.grams.iter().filter(|g| g.chars().count() > 1))
    {
        spans.extend(
            text.match_indices(word.as_str())
                .map(|(at, found)| (at, at + found.len())),
        );
    }
    if !terms.highlight_en.is_empty() {
        analyzer.english_stems(text, |stem, _, range| {
            if terms.highlight_en.contains(stem) {
                spans.push(range);
            }
        });
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// All of `text`, escaped, with every match marked (for titles).
pub fn mark_all(analyzer: &Analyzer, text: &str, terms: &QueryTerms) -> String {
    let spans = matches(analyzer, text, terms);
    render(text, 0, text.len(), &spans)
}

/// About `window_chars` characters of `text` around the densest cluster of matches, escaped,
/// matches marked, with an ellipsis where it was cut.
pub fn snippet(analyzer: &Analyzer, text: &str, terms: &QueryTerms, window_chars: usize) -> String {
    let spans = matches(analyzer, text, terms);
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let char_count = boundaries.len() - 1;
    let char_at = |byte: usize| boundaries.partition_point(|b| *b < byte);
    // Start a little before the match that has the most other matches after it.
    let lead = window_chars / 5;
    let mut best_start = 0;
    let mut best_count = 0;
    for (i, span) in spans.iter().enumerate() {
        let anchor = char_at(span.0);
        let start = anchor.saturating_sub(lead);
        let end_byte = boundaries[(start + window_chars).min(char_count)];
        let count = spans[i..].iter().take_while(|s| s.1 <= end_byte).count();
        if count > best_count {
            best_count = count;
            best_start = start;
        }
    }
    // Never leave a short tail unused: slide back so the window is full.
    let best_start = best_start.min(char_count.saturating_sub(window_chars));
    let start = boundaries[best_start];
    let end = boundaries[(best_start + window_chars).min(char_count)];
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&render(text, start, end, &spans));
    if end < text.len() {
        out.push('…');
    }
    out
}

fn render(text: &str, start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(end - start + 32);
    let mut at = start;
    for &(s, e) in spans {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e || s < at {
            continue;
        }
        escape_into(&text[at..s], &mut out);
        out.push_str("<mark>");
        escape_into(&text[s..e], &mut out);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&text[at..end], &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ')
                }
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> &'static Analyzer {
        static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
        ANALYZER.get_or_init(Analyzer::new)
    }

    #[test]
    fn chinese_matches_are_marked() {
        let terms = analyzer().query_terms("账户被锁");
        let out = mark_all(analyzer(), "账户被锁定了怎么办", &terms);
        assert!(out.starts_with("<mark>账户被锁"), "{out}");
    }

    #[test]
    fn english_matches_are_marked_by_stem_and_text_is_escaped() {
        let terms = analyzer().query_terms("locked");
        let out = mark_all(analyzer(), "<b>Locks</b> & locking", &terms);
        assert_eq!(
            out,
            "&lt;b&gt;<mark>Locks</mark>&lt;/b&gt; &amp; <mark>locking</mark>"
        );
    }

    #[test]
    fn a_snippet_is_cut_around_the_match() {
        let text = format!(
            "{}提现需要审核{}",
            "无关的内容。".repeat(40),
            "其他。".repeat(40)
        );
        let terms = analyzer().query_terms("提现");
        let out = snippet(analyzer(), &text, &terms, 40);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("<mark>提现</mark>"), "{out}");
        assert!(out.chars().count() < 80, "{out}");
    }
}
