//! What the shared page frame (`templates/base.html`) needs: language, header, switch and footer text.

use super::assets::stylesheet_href;
use crate::i18n::{LayoutText, Locale};

/// The frame's data, one field of every page template.
pub(crate) struct Layout {
    pub lang: &'static str,
    pub text: &'static LayoutText,
    pub stylesheet_href: String,
    pub languages: Vec<LanguageLink>,
}

/// One entry of the language switch; following it sets the language cookie.
pub(crate) struct LanguageLink {
    pub lang: &'static str,
    pub name: &'static str,
    pub is_current: bool,
}

impl Layout {
    pub fn new(locale: Locale) -> Self {
        Layout {
            lang: locale.tag(),
            text: LayoutText::for_locale(locale),
            stylesheet_href: stylesheet_href(),
            languages: Locale::ALL
                .iter()
                .map(|language| LanguageLink {
                    lang: language.tag(),
                    name: language.autonym(),
                    is_current: *language == locale,
                })
                .collect(),
        }
    }
}
