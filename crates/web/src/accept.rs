//! Parsing of `Accept`-style headers (`a;q=0.8, b`) and the choice between an HTML and a JSON answer.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT;

/// A value from an `Accept`-style list and its quality (0 = not acceptable, 1 = most wanted).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Weighted<'a> {
    pub value: &'a str,
    pub quality: f32,
}

/// Splits `zh-CN,zh;q=0.9,en;q=0.8` into values and qualities, in the order given. A value
/// without `q` has quality 1; one whose `q` is not a number in 0..=1 is dropped, as RFC 9110
/// leaves such an entry meaningless.
pub(crate) fn weighted_values(header: &str) -> impl Iterator<Item = Weighted<'_>> {
    header.split(',').filter_map(|item| {
        let mut parts = item.split(';').map(str::trim);
        let value = parts.next().filter(|value| !value.is_empty())?;
        let mut quality = 1.0;
        for parameter in parts {
            if let Some((name, number)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = number
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))?;
            }
        }
        Some(Weighted { value, quality })
    })
}

/// Whether the client would rather have an HTML page than JSON: true for a browser navigating,
/// false for `curl` (`*/*`), for programs that ask for JSON, and when there is no `Accept` at all.
pub(crate) fn prefers_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    quality_of("text/html", &accept) > quality_of("application/json", &accept)
}

/// The quality the client gives one media type: the most specific range that matches decides
/// (`text/html` over `text/*` over `*/*`), so `text/html;q=0, */*` refuses HTML.
fn quality_of(media_type: &str, accept: &str) -> f32 {
    let (kind, _) = media_type.split_once('/').unwrap_or((media_type, ""));
    let kind_wildcard = format!("{kind}/*");
    let mut best: Option<(u8, f32)> = None;
    for Weighted { value, quality } in weighted_values(accept) {
        let specificity = if value.eq_ignore_ascii_case(media_type) {
            3
        } else if value.eq_ignore_ascii_case(&kind_wildcard) {
            2
        } else if value == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(known, _)| specificity > known) {
            best = Some((specificity, quality));
        }
    }
    best.map_or(0.0, |(_, quality)| quality)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers_accepting(accept: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(accept).expect("test header"));
        headers
    }

    #[test]
    fn values_keep_their_order_and_default_to_quality_one() {
        let parsed: Vec<_> = weighted_values("zh-CN, zh;q=0.9 ,en;q=0.5").collect();
        assert_eq!(
            parsed,
            vec![
                Weighted {
                    value: "zh-CN",
                    quality: 1.0
                },
                Weighted {
                    value: "zh",
                    quality: 0.9
                },
                Weighted {
                    value: "en",
                    quality: 0.5
                },
            ]
        );
    }

    #[test]
    fn entries_with_a_broken_quality_or_no_value_are_dropped() {
        let parsed: Vec<_> = weighted_values("fr;q=abc, ,de;q=2, en;Q=0.3").collect();
        assert_eq!(
            parsed,
            vec![Weighted {
                value: "en",
                quality: 0.3
            }]
        );
    }

    #[test]
    fn a_browser_navigation_prefers_html() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(&headers_accepting(browser)));
    }

    #[test]
    fn curl_programs_and_silent_clients_get_json() {
        assert!(!prefers_html(&headers_accepting("*/*")));
        assert!(!prefers_html(&headers_accepting("application/json")));
        assert!(!prefers_html(&headers_accepting(
            "text/html;q=0.5, application/json"
        )));
        assert!(!prefers_html(&HeaderMap::new()));
    }

    #[test]
    fn an_explicit_refusal_beats_a_wildcard() {
        assert!(!prefers_html(&headers_accepting("text/html;q=0, */*")));
        assert!(prefers_html(&headers_accepting(
            "text/*, application/json;q=0.1"
        )));
    }
}
