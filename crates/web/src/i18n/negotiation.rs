//! Reading a request's language from `?lang=`, the language cookie and `Accept-Language`.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, Uri};

use super::Locale;
use crate::accept::{Weighted, weighted_values};

/// The cookie that remembers a language chosen with `?lang=`.
pub const LANG_COOKIE: &str = "okpay_lang";

/// The language of the `Accept-Language` list, by quality: Chinese in any script or region
/// (zh, zh-CN, zh-Hans, zh-TW…) means zh-CN, English means en, and a list that names neither
/// (or no list) means English. Equal qualities go to the first listed.
pub fn locale_from_accept_language(header: &str) -> Locale {
    let mut best: Option<(Locale, f32)> = None;
    for Weighted { value, quality } in weighted_values(header) {
        let primary_subtag = value.split(['-', '_']).next().unwrap_or(value);
        let locale = if primary_subtag.eq_ignore_ascii_case("zh") {
            Locale::ZhCn
        } else if primary_subtag.eq_ignore_ascii_case("en") {
            Locale::En
        } else {
            continue;
        };
        if quality > 0.0 && best.is_none_or(|(_, known)| quality > known) {
            best = Some((locale, quality));
        }
    }
    best.map_or(Locale::En, |(locale, _)| locale)
}

/// The language remembered in the `okpay_lang` cookie, if it holds one we know.
pub fn locale_from_cookies(headers: &HeaderMap) -> Option<Locale> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Locale::from_tag(value.trim_matches('"')))
}

/// The language asked for with `?lang=zh-CN` or `?lang=en`. Tags need no percent-decoding.
pub fn locale_from_query(uri: &Uri) -> Option<Locale> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Locale::from_tag)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_language_we_speak() {
        let cases = [
            ("zh-CN,zh;q=0.9,en;q=0.8", Locale::ZhCn),
            ("zh", Locale::ZhCn),
            ("zh-Hans", Locale::ZhCn),
            ("zh-TW", Locale::ZhCn),
            ("ZH-hk", Locale::ZhCn),
            ("en-US,en;q=0.9", Locale::En),
            ("en-US,zh-CN;q=0.9", Locale::En),
            ("fr-FR,zh;q=0.9,en;q=0.8", Locale::ZhCn),
            ("en;q=0.5,zh;q=0.6", Locale::ZhCn),
            ("zh;q=0.6,en;q=0.6", Locale::ZhCn),
            ("zh;q=0,en;q=0.1", Locale::En),
            ("zh;q=0", Locale::En),
            ("zh;q=oops,en;q=0.1", Locale::En),
            ("fr,de", Locale::En),
            ("*", Locale::En),
            ("", Locale::En),
        ];
        for (header, expected) in cases {
            assert_eq!(locale_from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn the_language_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("session=abc; okpay_lang=zh-CN; theme=dark"),
        );
        assert_eq!(locale_from_cookies(&headers), Some(Locale::ZhCn));
    }

    #[test]
    fn an_unknown_or_absent_language_cookie_is_ignored() {
        let mut headers = HeaderMap::new();
        assert_eq!(locale_from_cookies(&headers), None);
        headers.insert(COOKIE, HeaderValue::from_static("okpay_lang=fr"));
        assert_eq!(locale_from_cookies(&headers), None);
        headers.insert(COOKIE, HeaderValue::from_static("not_okpay_lang=zh-CN"));
        assert_eq!(locale_from_cookies(&headers), None);
    }

    #[test]
    fn the_lang_query_parameter_is_read_wherever_it_stands() {
        let uri = |text: &str| text.parse::<Uri>().expect("test uri");
        assert_eq!(locale_from_query(&uri("/?lang=zh-CN")), Some(Locale::ZhCn));
        assert_eq!(locale_from_query(&uri("/a?x=1&lang=en")), Some(Locale::En));
        assert_eq!(locale_from_query(&uri("/?lang=xx")), None);
        assert_eq!(locale_from_query(&uri("/?slang=en")), None);
        assert_eq!(locale_from_query(&uri("/")), None);
    }
}
