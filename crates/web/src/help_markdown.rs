//! Help articles' Markdown to HTML. Articles are edited by staff, so raw HTML in them is shown as
//! text, never passed through: a stolen admin session must not be able to plant script.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

pub(crate) fn markdown_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Links may go to our own pages, the web or mail; anything else (`javascript:`, `data:`) goes
/// nowhere.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_free = !lower
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .contains(':');
    if scheme_free
        || lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
    {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_with_tables() {
        let out = markdown_to_html("## Fees\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**free**");
        assert!(out.contains("<h2>Fees</h2>"), "{out}");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<strong>free</strong>"), "{out}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = markdown_to_html("hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn javascript_links_are_not_rendered_as_links() {
        let out = markdown_to_html("[click](javascript:alert(1))");
        assert!(!out.contains("href=\"javascript:"), "{out}");
    }
}
