//! Markdown written by people, rendered to HTML that is safe to show: no
//! script, no event handlers, no `javascript:` or `data:` links, and
//! `rel="nofollow ugc noopener"` on every link.
//!
//! The work is bounded whatever the text: elements nest at most
//! [`MAX_NESTING`] deep (deeper quotes, lists and emphasis keep their text
//! and lose their markup) and at most [`MAX_RAW_TAGS`] raw HTML tags are
//! taken as HTML (the rest are shown as text), so the sanitiser never sees
//! a tree deeper than a page can use. Posts and comments are checked with
//! [`render_checked`], which refuses such text with a message instead, and
//! their HTML is rendered once when they are saved (see
//! [`render_for_storage`]) rather than on every read.

use crate::media::EmbedView;
use convene_domain::InvalidInput;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// Marks where an embed goes, in text that survives sanitising; a private
/// use character keeps it from meaning anything to a reader.
const EMBED_MARK: char = '\u{E000}';

/// How deep elements may nest: quotes in quotes, lists in lists, emphasis
/// in emphasis. Far more than any real text needs.
pub const MAX_NESTING: usize = 32;

/// How many raw HTML tags one text may hold before the rest are shown as
/// text.
pub const MAX_RAW_TAGS: usize = 2_000;

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
    let urls: Vec<&str> = embeds.iter().map(|e| e.embed.url.as_str()).collect();
    with_embeds(&render_marked(markdown, &urls).0, embeds, media_base)
}

/// The HTML kept with a post or comment: [`render`]'s, with a mark before
/// each link that [`with_embeds`] can turn into a click-to-load box (the
/// embeddable links of the text, in the order
/// [`convene_domain::media::embed_links`] gives them). Show it with
/// [`with_embeds`] or [`without_embeds`].
pub fn render_for_storage(markdown: &str) -> String {
    let links = convene_domain::media::embed_links(markdown);
    let urls: Vec<&str> = links.iter().map(|e| e.url.as_str()).collect();
    render_marked(markdown, &urls).0
}

/// [`render_for_storage`], refusing text nested deeper than
/// [`MAX_NESTING`] or with more than [`MAX_RAW_TAGS`] raw HTML tags, with a
/// message for the writer about the `field` it came in.
pub fn render_checked(markdown: &str, field: &'static str) -> Result<String, InvalidInput> {
    let links = convene_domain::media::embed_links(markdown);
    let urls: Vec<&str> = links.iter().map(|e| e.url.as_str()).collect();
    let (html, bounds) = render_marked(markdown, &urls);
    if bounds.deepest > MAX_NESTING {
        return Err(InvalidInput::new(
            field,
            format!(
                "The text nests quotes, lists or emphasis {} levels deep; at most {MAX_NESTING} can be shown. Remove some of the “>”, list markers or “*”.",
                bounds.deepest
            ),
        ));
    }
    if bounds.raw_tags > MAX_RAW_TAGS {
        return Err(InvalidInput::new(
            field,
            format!(
                "The text holds {} HTML tags; at most {MAX_RAW_TAGS} are allowed. Write it in Markdown instead.",
                bounds.raw_tags
            ),
        ));
    }
    Ok(html)
}

/// [`render_checked`] on a blocking thread, so a long text cannot hold up
/// the threads that answer requests.
pub async fn render_off_thread(markdown: String, field: &'static str) -> crate::AppResult<String> {
    Ok(
        tokio::task::spawn_blocking(move || render_checked(&markdown, field))
            .await
            .map_err(|e| crate::AppError::Internal(format!("rendering stopped: {e}")))??,
    )
}

/// [`render_for_storage`] on a blocking thread (for text saved before it
/// was checked, rendered within the bounds instead of refused).
pub async fn render_stored_off_thread(markdown: String) -> crate::AppResult<String> {
    tokio::task::spawn_blocking(move || render_for_storage(&markdown))
        .await
        .map_err(|e| crate::AppError::Internal(format!("rendering stopped: {e}")))
}

/// [`render`] on a blocking thread.
pub async fn render_off_thread_unchecked(markdown: String) -> crate::AppResult<String> {
    tokio::task::spawn_blocking(move || render(&markdown))
        .await
        .map_err(|e| crate::AppError::Internal(format!("rendering stopped: {e}")))
}

/// Stored HTML with each marked link shown as the click-to-load box of the
/// matching entry of `embeds` (the text's embeddable links, in order, as
/// [`crate::media::embed_views`] gives them).
pub fn with_embeds(stored: &str, embeds: &[EmbedView], media_base: &str) -> String {
    if !stored.contains(EMBED_MARK) {
        return stored.to_owned();
    }
    let mut out = String::with_capacity(stored.len());
    let mut rest = stored;
    while let Some((before, n, after)) = next_mark(rest) {
        let opening = before.ends_with("<p>");
        match embeds.get(n) {
            Some(view) if opening && let Some(close) = after.find("</p>") => {
                out.push_str(&before[..before.len() - 3]);
                out.push_str(&embed_html(view, media_base));
                rest = &after[close + 4..];
            }
            _ => {
                out.push_str(before);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Stored HTML with every link shown as a plain link.
pub fn without_embeds(stored: &str) -> String {
    if !stored.contains(EMBED_MARK) {
        return stored.to_owned();
    }
    let mut out = String::with_capacity(stored.len());
    let mut rest = stored;
    while let Some((before, _, after)) = next_mark(rest) {
        out.push_str(before);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The text before the next mark, the mark's number, and the text after it.
fn next_mark(html: &str) -> Option<(&str, usize, &str)> {
    let start = html.find(EMBED_MARK)?;
    let digits_at = start + EMBED_MARK.len_utf8();
    let len = html[digits_at..].find(EMBED_MARK)?;
    let n = html[digits_at..digits_at + len].parse().ok()?;
    Some((
        &html[..start],
        n,
        &html[digits_at + len + EMBED_MARK.len_utf8()..],
    ))
}

/// How far a text went past the bounds.
#[derive(Debug, Default, Clone, Copy)]
struct Bounds {
    /// The deepest nesting written.
    deepest: usize,
    /// Raw HTML tags written.
    raw_tags: usize,
}

/// Renders and sanitises `markdown` within the bounds, marking each link to
/// one of `embed_urls` that stands alone in its paragraph.
fn render_marked(markdown: &str, embed_urls: &[&str]) -> (String, Bounds) {
    // The mark is convene's own: a writer's copy of it means nothing.
    let markdown = if markdown.contains(EMBED_MARK) {
        std::borrow::Cow::Owned(markdown.replace(EMBED_MARK, "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(markdown)
    };
    let (events, bounds) = bound(Parser::new_ext(
        &markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM,
    ));
    let events = linkify(events);
    let events = if embed_urls.is_empty() {
        events
    } else {
        mark_embeds(events, embed_urls)
    };
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    let clean = ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string();
    (clean, bounds)
}

/// Keeps the elements within [`MAX_NESTING`] (deeper ones lose their
/// markup, keeping their text) and the first [`MAX_RAW_TAGS`] raw HTML tags
/// (later raw HTML is shown as text), and says how far the text went.
fn bound<'a>(parser: impl Iterator<Item = Event<'a>>) -> (Vec<Event<'a>>, Bounds) {
    let mut out = Vec::new();
    let mut bounds = Bounds::default();
    // For each open element: whether its markup was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    // Elements left open by raw HTML so far.
    let mut raw_depth = 0usize;
    for event in parser {
        match event {
            Event::Start(tag) => {
                bounds.deepest = bounds.deepest.max(open.len() + 1);
                let keep = kept + raw_depth < MAX_NESTING;
                open.push(keep);
                if keep {
                    kept += 1;
                    out.push(Event::Start(tag));
                }
            }
            Event::End(tag) => {
                if open.pop().unwrap_or(false) {
                    kept -= 1;
                    out.push(Event::End(tag));
                }
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                let (tags, change) = raw_tags(&raw);
                bounds.raw_tags += tags;
                let depth = raw_depth.saturating_add_signed(change);
                bounds.deepest = bounds.deepest.max(open.len() + depth);
                if bounds.raw_tags > MAX_RAW_TAGS || kept + depth > MAX_NESTING {
                    // Shown as the text it is, it opens nothing.
                    out.push(Event::Text(raw));
                } else {
                    raw_depth = depth;
                    out.push(Event::InlineHtml(raw));
                }
            }
            other => out.push(other),
        }
    }
    (out, bounds)
}

/// The tags in a piece of raw HTML, and by how much they change the depth
/// of open elements. Void and self-closed elements open nothing, and
/// elements whose end tag HTML lets a writer leave out (`<p>`, `<li>`,
/// `<td>`...) are not counted either way, since the parser closes them by
/// itself.
fn raw_tags(raw: &str) -> (usize, isize) {
    const NOT_NESTING: [&str; 29] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
        "tfoot", "colgroup", "option", "optgroup", "rt", "rp",
    ];
    let (mut tags, mut change) = (0usize, 0isize);
    for (i, _) in raw.match_indices('<') {
        let closing = raw[i + 1..].starts_with('/');
        let name_start = if closing { i + 2 } else { i + 1 };
        let name_end = raw[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(raw.len(), |n| name_start + n);
        let name = raw[name_start..name_end].to_ascii_lowercase();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        tags += 1;
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            change -= 1;
        } else if !raw[name_end..]
            .find('>')
            .is_some_and(|end| raw[..name_end + end].ends_with('/'))
        {
            change += 1;
        }
    }
    (tags, change)
}

/// Splits bare addresses out of text into links (outside links, code and
/// raw HTML, which is sanitised anyway).
fn linkify<'a>(parser: Vec<Event<'a>>) -> Vec<Event<'a>> {
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

/// Puts a mark at the start of each paragraph that holds nothing but a link
/// to one of `urls` (the mark's number is the link's place in `urls`);
/// [`with_embeds`] turns the paragraph into the embed's box after
/// sanitising, [`without_embeds`] drops the mark.
fn mark_embeds<'a>(events: Vec<Event<'a>>, urls: &[&str]) -> Vec<Event<'a>> {
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
        ) && let Some(n) = urls.iter().position(|url| same_link(url, dest_url))
        {
            out.push(Event::Start(Tag::Paragraph));
            out.push(Event::Text(CowStr::from(format!(
                "{EMBED_MARK}{n}{EMBED_MARK}"
            ))));
            out.extend(events[i + 1..i + 5].iter().cloned());
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

    /// Text written to make the renderer slow: each is rendered within a
    /// bound, keeps its words, nests no deeper than [`MAX_NESTING`], and is
    /// refused by [`render_checked`] with a message.
    #[test]
    fn hostile_nesting_is_bounded_and_refused_for_posts() {
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "quotes",
                format!("{}deep", ">".repeat(50_000)),
                "<blockquote>",
            ),
            (
                "quotes over lines",
                (1..600)
                    .map(|i| format!("{} deep\n", ">".repeat(i)))
                    .collect(),
                "<blockquote>",
            ),
            (
                "one-line lists",
                format!("{}deep", "- ".repeat(50_000)),
                "<li>",
            ),
            (
                "indented lists",
                (0..400)
                    .map(|i| format!("{}- deep\n", "  ".repeat(i)))
                    .collect(),
                "<li>",
            ),
            (
                "emphasis",
                format!("{}deep{}", "*".repeat(50_000), "*".repeat(50_000)),
                "<strong>",
            ),
            // One HTML block past the limit is shown as the text it is.
            (
                "raw html",
                format!("{}deep", "<div>".repeat(39_000)),
                "&lt;div&gt;",
            ),
            (
                "raw html inline",
                format!(
                    "x {}deep{}",
                    "<span>".repeat(12_000),
                    "</span>".repeat(12_000)
                ),
                "<span>",
            ),
        ];
        for (name, body, element) in cases {
            if std::env::var_os("CONVENE_UNBOUNDED_MARKDOWN").is_some() {
                // How long the same text took before the bounds.
                let start = std::time::Instant::now();
                let mut raw = String::new();
                html::push_html(&mut raw, Parser::new_ext(&body, Options::all()));
                let _ = ammonia::clean(&raw);
                eprintln!("{name}: unbounded {:?}", start.elapsed());
            }
            assert!(body.len() <= 200_000, "{name}: {}", body.len());
            let start = std::time::Instant::now();
            let html = render(&body);
            let took = start.elapsed();
            // Printed for a reader of the log; the bound is on the work
            // (nesting and output size), not on a machine's speed.
            eprintln!("{name}: {} bytes rendered in {took:?}", body.len());
            assert!(
                html.len() <= 10 * body.len(),
                "{name}: {} bytes of HTML",
                html.len()
            );
            assert!(html.contains("deep"), "{name}: the words are kept");
            assert!(html.contains(element), "{name}: {element} is still used");
            let depth = html_depth(&html);
            assert!(depth <= MAX_NESTING + 1, "{name}: {depth} deep");
            let err = render_checked(&body, "body").expect_err(name);
            assert_eq!(err.field, "body");
            assert!(
                err.message.contains("levels deep") || err.message.contains("HTML tags"),
                "{name}: {}",
                err.message
            );
        }
    }

    /// How deep the elements of sanitised HTML nest.
    fn html_depth(html: &str) -> usize {
        const VOID: [&str; 4] = ["br", "hr", "img", "input"];
        let (mut depth, mut deepest) = (0usize, 0usize);
        for (i, _) in html.match_indices('<') {
            let rest = &html[i + 1..];
            if rest.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else {
                let name: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if !name.is_empty() && !VOID.contains(&name.as_str()) {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
        }
        deepest
    }

    #[test]
    fn ordinary_nesting_and_html_are_kept() {
        let md = "> quoted\n> > and quoted again\n\n- one\n  - two\n    - three\n\n***bold italic*** <details><summary>More</summary>hidden</details>\n\n<br><br><hr>";
        let html = render_checked(md, "body").unwrap();
        assert_eq!(html.matches("<blockquote>").count(), 2, "{html}");
        assert_eq!(html.matches("<ul>").count(), 3, "{html}");
        assert!(
            html.contains("<em><strong>bold italic</strong></em>"),
            "{html}"
        );
        assert!(
            html.contains("<details><summary>More</summary>hidden</details>"),
            "{html}"
        );
        assert_eq!(html, render(md));
        // Paragraphs and items whose end tags are left out are not nesting.
        let sloppy = "<p>One\n<p>Two\n".repeat(60) + "<ul><li>a<li>b</ul>";
        let html = render_checked(&sloppy, "body").unwrap();
        assert_eq!(html.matches("<p>").count(), 120, "{html}");
        // Many plain tags in a table are not nesting.
        let table = format!(
            "<table>{}</table>",
            "<tr><td>a</td><td>b</td></tr>".repeat(150)
        );
        let html = render_checked(&table, "body").unwrap();
        assert_eq!(html.matches("<td>").count(), 300);
    }

    #[test]
    fn stored_html_shows_embeds_or_plain_links() {
        let md = "Our talk:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nhttps://vimeo.com/1\n\nAlso https://www.youtube.com/watch?v=dQw4w9WgXcQ inline.";
        let stored = render_for_storage(md);
        let views = vec![
            view(
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                Some("The talk"),
            ),
            view("https://vimeo.com/1", None),
        ];
        let links = convene_domain::media::embed_links(md);
        assert_eq!(links.len(), views.len());
        let page = with_embeds(&stored, &views, "");
        assert_eq!(page, render_with_embeds(md, &views, ""));
        assert_eq!(page.matches("<figure").count(), 2, "{page}");
        assert!(!page.contains(EMBED_MARK));
        let plain = without_embeds(&stored);
        assert_eq!(plain, render(md));
        assert!(!plain.contains("<figure"));
        assert!(plain.contains(">https://vimeo.com/1</a>"), "{plain}");
        // Fewer views than marks (a link not known yet): a plain link.
        let partial = with_embeds(&stored, &views[..1], "");
        assert_eq!(partial.matches("<figure").count(), 1, "{partial}");
        assert!(partial.contains(">https://vimeo.com/1</a>") && !partial.contains(EMBED_MARK));
    }
}
