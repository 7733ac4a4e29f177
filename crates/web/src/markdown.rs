//! Markdown written by people, rendered to HTML that is safe to show: no
//! script, no event handlers, no `javascript:` or `data:` links, and
//! `rel="nofollow ugc noopener"` on every link.

use convene_app::media::EmbedView;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// Marks where an embed goes, in text that survives sanitising; a private
/// use character keeps it from meaning anything to a reader.
const EMBED_MARK: char = '\u{E000}';

/// CommonMark with GFM tables, strikethrough and autolinks (bare `http://`,
/// `https://` and `www.` addresses become links too), sanitised.
pub fn render(markdown: &str) -> String {
    render_with_embeds(markdown, &[], "")
}

/// As [`render`], with each video or photo link that stands alone in its
/// paragraph shown as a click-to-load box (see [`embed_html`]). Thumbnails
/// are linked under `media_base` (empty for pages, the site's address for
/// feeds).
pub fn render_with_embeds(markdown: &str, embeds: &[EmbedView], media_base: &str) -> String {
    // The mark is convene's own: a writer's copy of it means nothing.
    let markdown = if markdown.contains(EMBED_MARK) {
        std::borrow::Cow::Owned(markdown.replace(EMBED_MARK, "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(markdown)
    };
    let events = linkify(Parser::new_ext(
        &markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM,
    ));
    let events = if embeds.is_empty() {
        events
    } else {
        mark_embeds(events, embeds)
    };
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    let clean = ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string();
    if embeds.is_empty() || !clean.contains(EMBED_MARK) {
        return clean;
    }
    let mut out = clean;
    for (i, view) in embeds.iter().enumerate() {
        let mark = format!("<p>{EMBED_MARK}{i}{EMBED_MARK}</p>");
        if out.contains(&mark) {
            out = out.replace(&mark, &embed_html(view, media_base));
        }
    }
    out
}

/// Splits bare addresses out of text into links (outside links, code and
/// raw HTML, which is sanitised anyway).
fn linkify<'a>(parser: Parser<'a>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    for event in parser {
        match &event {
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if in_link == 0 && in_code == 0 => split_links(text, &mut out),
            other => out.push(other),
        }
    }
    out
}

/// Where a bare address starts in `text`, and where it ends.
fn next_address(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let start = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| {
            lower.match_indices(p).find(|(i, _)| {
                *i == 0
                    || !text[..*i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.')
            })
        })
        .map(|(i, _)| i)
        .min()?;
    let rest = &text[start..];
    let mut end = rest
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        .unwrap_or(rest.len());
    // Trailing punctuation belongs to the sentence, and a closing
    // parenthesis only to the address if the address opened one.
    while end > 0 {
        let last = rest[..end].chars().next_back().unwrap_or(' ');
        let opened = rest[..end].matches('(').count();
        let closed = rest[..end].matches(')').count();
        if matches!(
            last,
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~'
        ) || (last == ')' && closed > opened)
        {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    let min = if rest.starts_with("www.") { 5 } else { 9 };
    (end >= min).then_some((start, start + end))
}

fn split_links<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    let mut rest: &str = &text;
    if next_address(rest).is_none() {
        out.push(Event::Text(text));
        return;
    }
    while let Some((start, end)) = next_address(rest) {
        if start > 0 {
            out.push(Event::Text(CowStr::from(rest[..start].to_owned())));
        }
        let shown = &rest[start..end];
        let dest = if shown.to_ascii_lowercase().starts_with("www.") {
            format!("https://{shown}")
        } else {
            shown.to_owned()
        };
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: CowStr::from(dest),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        out.push(Event::Text(CowStr::from(shown.to_owned())));
        out.push(Event::End(TagEnd::Link));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_owned())));
    }
}

/// Replaces each paragraph that holds nothing but one of `embeds`' links
/// with a mark, put back as the embed's box after sanitising.
fn mark_embeds<'a>(events: Vec<Event<'a>>, embeds: &[EmbedView]) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let (
            Some(Event::Start(Tag::Paragraph)),
            Some(Event::Start(Tag::Link { dest_url, .. })),
            Some(Event::Text(_)),
            Some(Event::End(TagEnd::Link)),
            Some(Event::End(TagEnd::Paragraph)),
        ) = (
            events.get(i),
            events.get(i + 1),
            events.get(i + 2),
            events.get(i + 3),
            events.get(i + 4),
        ) && let Some(n) = embeds
            .iter()
            .position(|e| same_link(&e.embed.url, dest_url))
        {
            out.push(Event::Start(Tag::Paragraph));
            out.push(Event::Text(CowStr::from(format!(
                "{EMBED_MARK}{n}{EMBED_MARK}"
            ))));
            out.push(Event::End(TagEnd::Paragraph));
            i += 5;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// True if two spellings of a link are the same address.
fn same_link(a: &str, b: &str) -> bool {
    a == b || url::Url::parse(b).is_ok_and(|u| u.as_str() == a)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The click-to-load box for one video or photo link. Without JavaScript it
/// is a link (with the title and thumbnail once known); the script in
/// `/static/embeds.js` reveals the button, which puts the provider's player
/// in its place. Nothing here is loaded from the provider.
pub fn embed_html(view: &EmbedView, media_base: &str) -> String {
    let e = &view.embed;
    let label = e.provider.label();
    let noun = if e.provider == convene_domain::media::Provider::Flickr {
        "Photo"
    } else {
        "Video"
    };
    let title = view
        .title
        .clone()
        .unwrap_or_else(|| format!("{noun} on {label}"));
    let thumb = view
        .thumbnail_key
        .as_deref()
        .map(|k| {
            format!(
                "<img src=\"{}/media/{}\" alt=\"\" loading=\"lazy\">",
                escape(media_base.trim_end_matches('/')),
                escape(k)
            )
        })
        .unwrap_or_default();
    let by = view
        .author
        .as_deref()
        .map(|a| format!(" <span class=\"embed-author\">by {}</span>", escape(a)))
        .unwrap_or_default();
    format!(
        "<figure class=\"embed embed-{provider}\" data-embed=\"{provider}\">\
<a class=\"embed-link\" href=\"{url}\" rel=\"nofollow noopener\">{thumb}<span class=\"embed-title\">{title}</span></a>\
<figcaption>{title}{by} · <a href=\"{url}\" rel=\"nofollow noopener\">open on {label}</a> \
<button type=\"button\" class=\"embed-play\" data-player=\"{player}\" data-title=\"{title}\" hidden>Play here</button> \
<small class=\"embed-note\" hidden>Playing here loads it from {host}.</small></figcaption></figure>",
        provider = e.provider.as_str(),
        url = escape(&e.url),
        title = escape(&title),
        player = escape(&e.player_url),
        host = escape(
            e.frame_origin
                .trim_start_matches("https://")
                .trim_start_matches("http://")
        ),
    )
}

/// The `frame-src` sources a page needs for the players of `embeds`.
pub fn frame_sources(embeds: &[EmbedView]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in embeds {
        if !out.contains(&e.embed.frame_origin) {
            out.push(e.embed.frame_origin.clone());
        }
    }
    out
}

/// The words of a Markdown text without its markup (for summaries).
pub fn plain_text(markdown: &str) -> String {
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

    #[test]
    fn alt_text_and_link_titles_cannot_break_out_of_their_attribute() {
        let html = render(
            "![x\" onerror=\"alert(1)](https://img.example/a.png \"t\\\" onload=\\\"alert(2)\")\n\n\
             [link](https://ok.example/ \"title\\\" onmouseover=\\\"alert(3)\")\n\n\
             ![<script>alert(4)</script>](javascript:alert(5))\n\n\
             [data](data:text/html;base64,PHNjcmlwdD4=) <a href=\"javascript:alert(6)\" onclick=\"alert(7)\">raw</a>",
        );
        // Handlers may appear as text inside a value, never as attributes.
        for handler in ["onerror", "onload", "onmouseover", "onclick"] {
            assert!(
                !html.contains(&format!(" {handler}=\"")),
                "{handler} in {html}"
            );
        }
        for bad in ["<script", "javascript:", "data:text"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(
            html.contains("alt=\"x&quot; onerror=&quot;alert(1)\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://ok.example/\""), "{html}");
    }

    #[test]
    fn bare_addresses_become_links_but_not_in_code() {
        let html = render(
            "See https://example.org/slides.pdf, and (www.python.org).\n\n`https://in.code/` and\n\n    https://in.block/\n",
        );
        assert!(
            html.contains("<a href=\"https://example.org/slides.pdf\" rel=\"nofollow ugc noopener\">https://example.org/slides.pdf</a>,"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://www.python.org\""),
            "{html}"
        );
        assert!(html.contains("www.python.org</a>)."), "{html}");
        assert!(!html.contains("href=\"https://in.code/"), "{html}");
        assert!(!html.contains("href=\"https://in.block/"), "{html}");
    }

    fn view(url: &str, title: Option<&str>) -> EmbedView {
        EmbedView {
            embed: convene_domain::media::recognise_embed(url).unwrap(),
            title: title.map(str::to_owned),
            author: None,
            thumbnail_key: Some("embeds/abc/small.jpg".into()),
        }
    }

    #[test]
    fn a_video_link_alone_becomes_a_click_to_load_box() {
        let md = "Our talk:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAlso https://www.youtube.com/watch?v=dQw4w9WgXcQ inline.";
        let views = vec![view(
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            Some("<script>alert(1)</script> \" onload=\"x"),
        )];
        let html = render_with_embeds(md, &views, "");
        assert_eq!(
            html.matches("<figure class=\"embed embed-youtube\"")
                .count(),
            1,
            "{html}"
        );
        assert!(html.contains(
            "data-player=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1\""
        ));
        assert!(html.contains("<img src=\"/media/embeds/abc/small.jpg\""));
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("\" onload"), "{html}");
        assert!(
            !html.contains("<iframe"),
            "nothing is loaded before a click"
        );
        assert!(html.contains("inline."));
        let feed = render_with_embeds(md, &views, "https://groups.example.org/");
        assert!(
            feed.contains("<img src=\"https://groups.example.org/media/embeds/abc/small.jpg\"")
        );
    }

    #[test]
    fn a_typed_mark_does_not_make_an_embed() {
        let html = render_with_embeds(
            "\u{E000}0\u{E000}",
            &[view("https://vimeo.com/1", None)],
            "",
        );
        assert!(!html.contains("<figure"), "{html}");
    }
}
