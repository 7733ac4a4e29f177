//! Markdown written by people, rendered to HTML that is safe to show: no
//! script, no event handlers, no `javascript:` or `data:` links, and
//! `rel="nofollow ugc noopener"` on every link.

use pulldown_cmark::{Options, Parser, html};
use std::collections::HashSet;

/// CommonMark with GFM tables, strikethrough and autolinks, sanitised.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM,
    );
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string()
}

/// The words of a Markdown text without its markup (for summaries).
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A post's summary for lists and feeds: the one its author wrote, or else
/// the start of its text (280 characters, with an ellipsis when cut).
pub fn summary(written: &str, markdown: &str) -> String {
    if !written.is_empty() {
        return written.to_owned();
    }
    let text = plain_text(markdown);
    let mut out: String = text.chars().take(280).collect();
    if text.chars().count() > 280 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_bad_schemes_are_removed() {
        let html = render(
            "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](data:text/html,hi) [z](https://ok.example/)\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        );
        assert!(html.contains("<h1>Hi</h1>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("data:text"));
        assert!(html.contains("href=\"https://ok.example/\" rel=\"nofollow ugc noopener\""));
        assert!(html.contains("<table>"));
    }
}
