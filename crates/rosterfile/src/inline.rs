//! The inline part of the wiki format: splits one bullet's text into plain
//! text and links. Images, footnote marks and HTML tags are dropped, links to
//! other wiki pages (`/moin/PyLadies`) and anchors read as their text, and
//! links with a forbidden scheme are dropped (their text stays) and reported.

use crate::links::{UrlCheck, check_url, scheme_of, shorten};
use crate::text::{collapse_ws, decode_entities, decode_entity, strip_emphasis};

/// A link found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawLink {
    /// The link text, emphasis removed; empty for a bare or `<...>` URL.
    pub label: String,
    /// The checked URL.
    pub url: String,
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    /// Plain text (entities decoded, emphasis marks still in).
    Text(String),
    /// A link.
    Link(RawLink),
    /// The text of a link whose target was refused: it still counts as text
    /// for a group's name, but not as words of a description.
    Dropped(String),
}

/// A line split into pieces, with what was wrong in it.
#[derive(Debug, Default)]
pub(crate) struct Inlines {
    /// The pieces, adjacent texts merged.
    pub tokens: Vec<Inline>,
    /// Messages about broken or refused links.
    pub problems: Vec<String>,
}

/// Splits `s` into text and links.
pub(crate) fn parse_inline(s: &str) -> Inlines {
    let mut p = Parser {
        s,
        b: s.as_bytes(),
        i: 0,
        text: String::new(),
        out: Inlines::default(),
        reported_bracket: false,
    };
    p.run();
    p.out
}

/// The text of the pieces, links read as their labels.
pub(crate) fn flatten(tokens: &[Inline]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Inline::Text(s) | Inline::Dropped(s) => s.as_str(),
            Inline::Link(l) => l.label.as_str(),
        })
        .collect()
}

/// How deeply brackets may nest inside a link text.
const MAX_NESTING: usize = 16;

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    text: String,
    out: Inlines,
    /// An unclosed `[` was reported already (once per line is enough).
    reported_bracket: bool,
}

/// Where a link's target ends.
struct Dest {
    url: String,
    end: usize,
    closed: bool,
}

impl Parser<'_> {
    fn run(&mut self) {
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' if self.b.get(self.i + 1).is_some_and(u8::is_ascii_punctuation) => {
                    self.text.push(char::from(self.b[self.i + 1]));
                    self.i += 2;
                }
                b'!' if self.b.get(self.i + 1) == Some(&b'[') => {
                    match self.bracket(self.i + 1, true) {
                        Some(end) => self.i = end,
                        None => self.push_char(),
                    }
                }
                b'[' => match self.bracket(self.i, false) {
                    Some(end) => self.i = end,
                    None => self.push_char(),
                },
                b'<' => match self.angle() {
                    Some(end) => self.i = end,
                    None => self.push_char(),
                },
                b'&' => match decode_entity(&self.s[self.i..]) {
                    Some((text, used)) => {
                        self.text.push_str(&text);
                        self.i += used;
                    }
                    None => self.push_char(),
                },
                b'h' | b'H' if self.bare_url_start() => self.bare_url(),
                _ => self.push_char(),
            }
        }
        self.flush();
    }

    fn push_char(&mut self) {
        if let Some(c) = self.s[self.i..].chars().next() {
            self.text.push(c);
            self.i += c.len_utf8();
        } else {
            self.i = self.b.len();
        }
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            match self.out.tokens.last_mut() {
                Some(Inline::Text(prev)) => prev.push_str(&text),
                _ => self.out.tokens.push(Inline::Text(text)),
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn push_link(&mut self, label: String, url: String) {
        self.flush();
        self.out.tokens.push(Inline::Link(RawLink { label, url }));
    }

    /// The `]` that closes the `[` at `start`, on this line.
    /// Gives up past [`MAX_NESTING`] open brackets, which keeps both the scan
    /// and the reading of nested link texts short on hostile input.
    fn closing_bracket(&self, start: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut j = start;
        while j < self.b.len() {
            match self.b[j] {
                b'\\' => j += 1,
                b'[' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return None;
                    }
                }
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// Handles `[text](url)`, `![alt](src)`, `[^1]` and a lone `[` at `start`;
    /// returns where to go on, or `None` to read the bracket as text.
    fn bracket(&mut self, start: usize, image: bool) -> Option<usize> {
        let Some(close) = self.closing_bracket(start) else {
            if image {
                return None;
            }
            if !self.reported_bracket {
                self.reported_bracket = true;
                let rest: String = self.s[start + 1..].chars().take(60).collect();
                let rest = collapse_ws(&rest);
                self.out
                    .problems
                    .push(format!("broken link: “[” is never closed (in “[{rest}”)"));
            }
            return Some(start + 1);
        };
        let label_raw = &self.s[start + 1..close];
        if !image && label_raw.starts_with('^') && self.b.get(close + 1) != Some(&b'(') {
            // A footnote mark `[^1]`.
            return Some(close + 1);
        }
        if self.b.get(close + 1) != Some(&b'(') {
            return None;
        }
        let dest = self.destination(close + 2);
        let inner = parse_inline(label_raw);
        self.out.problems.extend(inner.problems);
        let label = collapse_ws(&strip_emphasis(&flatten(&inner.tokens)));
        if !dest.closed {
            self.out.problems.push(format!(
                "broken link: “(” after “[{label}]” is never closed"
            ));
        }
        if image {
            return Some(dest.end);
        }
        self.resolve(label, &dest.url, false);
        Some(dest.end)
    }

    /// Reads a link target starting at `p` (just after the `(`).
    fn destination(&self, p: usize) -> Dest {
        let b = self.b;
        let mut j = p;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        let url;
        if b.get(j) == Some(&b'<')
            && let Some(k) = self.s[j..].find('>')
        {
            url = self.s[j + 1..j + k].to_owned();
            j += k + 1;
        } else {
            let start = j;
            let mut depth = 0usize;
            while j < b.len() {
                match b[j] {
                    b' ' | b'\t' => break,
                    b'\\' => j += 1,
                    b'(' => depth += 1,
                    b')' => {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
                j += 1;
            }
            let j2 = j.min(b.len());
            url = self.s[start..j2].to_owned();
            j = j2;
        }
        let url_end = j;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if let Some(&q) = b.get(j)
            && (q == b'"' || q == b'\'')
            && let Some(k) = self.s[j + 1..].find(char::from(q))
        {
            j += k + 2;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                j += 1;
            }
        }
        if b.get(j) == Some(&b')') {
            Dest {
                url: unescape(&url),
                end: j + 1,
                closed: true,
            }
        } else {
            Dest {
                url: unescape(&url),
                end: url_end,
                closed: false,
            }
        }
    }

    /// Turns a label and a target into a link, text, or nothing.
    fn resolve(&mut self, label: String, url: &str, auto: bool) {
        let url = url.trim();
        if url.is_empty() {
            self.push_text(&label);
            return;
        }
        if let Some(anchor) = url.strip_prefix('#') {
            // Footnote marks (`[1](#fnref-...)`) vanish; other anchors read as text.
            let footnote = anchor.starts_with("fnref")
                || anchor.starts_with("fndef")
                || label.chars().all(|c| c.is_ascii_digit());
            if !footnote {
                self.push_text(&label);
            }
            return;
        }
        if scheme_of(url).is_none() && !url.starts_with("//") && !url.starts_with("www.") {
            let first = url.split(['/', '?', '#']).next().unwrap_or_default();
            if url.starts_with('/') || url.starts_with('.') || !first.contains('.') {
                // A link to another page of the same wiki: its text is what counts.
                self.push_text(&label);
                return;
            }
        }
        match check_url(url) {
            UrlCheck::Good(u) => self.push_link(label, u),
            UrlCheck::Repaired(u) => {
                self.out
                    .problems
                    .push(format!("mistyped link “{}” read as “{u}”", shorten(url)));
                self.push_link(label, u);
            }
            UrlCheck::Rejected(why) => {
                self.out.problems.push(format!("link dropped: {why}"));
                if !auto {
                    self.flush();
                    self.out.tokens.push(Inline::Dropped(label));
                }
            }
        }
    }

    /// Handles `<https://...>`, `<name@host>` and HTML tags at the current `<`.
    fn angle(&mut self) -> Option<usize> {
        let rest = &self.s[self.i + 1..];
        let close = rest.find(['>', '\n'])?;
        if !rest[close..].starts_with('>') {
            return None;
        }
        let inner = &rest[..close];
        let end = self.i + 1 + close + 1;
        if inner.is_empty() || inner.contains('<') {
            return None;
        }
        if !inner.contains(char::is_whitespace) {
            if scheme_of(inner).is_some() {
                self.resolve(String::new(), &decode_entities(inner), true);
                return Some(end);
            }
            if let Some((local, domain)) = inner.split_once('@')
                && !local.is_empty()
                && domain.contains('.')
            {
                self.resolve(inner.to_owned(), &format!("mailto:{inner}"), true);
                return Some(end);
            }
        }
        let tag = inner.trim_start_matches(['/', '!']);
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        if !name.is_empty()
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.push_text(" ");
            return Some(end);
        }
        None
    }

    fn bare_url_start(&self) -> bool {
        let rest = &self.b[self.i..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        let word_start = self.i == 0 || !self.b[self.i - 1].is_ascii_alphanumeric();
        word_start && (starts(b"http://") || starts(b"https://"))
    }

    /// A web address written without brackets.
    fn bare_url(&mut self) {
        let rest = &self.s[self.i..];
        let mut end = rest
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(rest.len());
        loop {
            let cand = &rest[..end];
            let Some(last) = cand.chars().last() else {
                break;
            };
            let unbalanced = |open: char, close: char| {
                last == close && cand.matches(close).count() > cand.matches(open).count()
            };
            if ".,;:!?'*_".contains(last) || unbalanced('(', ')') || unbalanced('[', ']') {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let url = &rest[..end];
        match check_url(url) {
            UrlCheck::Good(u) | UrlCheck::Repaired(u) => self.push_link(String::new(), u),
            UrlCheck::Rejected(_) => self.push_text(url),
        }
        self.i += end.max(1);
    }
}

/// Removes backslash escapes and decodes entities in a link target.
fn unescape(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    decode_entities(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(label: &str, url: &str) -> Inline {
        Inline::Link(RawLink {
            label: label.into(),
            url: url.into(),
        })
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn links_text_and_images() {
        let r = parse_inline(
            "([PyNAM](http://pynam.org/)) - Namibia ![x](http://i.example/x.png \"x\")",
        );
        assert_eq!(
            r.tokens,
            vec![
                text("("),
                link("PyNAM", "http://pynam.org/"),
                text(") - Namibia ")
            ]
        );
        assert!(r.problems.is_empty());
    }

    #[test]
    fn wiki_pages_and_footnotes_read_as_text() {
        let r = parse_inline("[PyLadies](/moin/PyLadies) Ghana [1](#fnref-abc) [Top](#Africa)");
        assert_eq!(r.tokens, vec![text("PyLadies Ghana  Top")]);
    }

    #[test]
    fn autolinks_tags_entities() {
        let r = parse_inline("<https://py.amsterdam> &amp; <b>x</b> <pug@example.org> a < b");
        assert_eq!(
            r.tokens,
            vec![
                link("", "https://py.amsterdam"),
                text(" &  x  "),
                link("pug@example.org", "mailto:pug@example.org"),
                text(" a < b")
            ]
        );
    }

    #[test]
    fn refused_schemes_keep_their_text() {
        let r = parse_inline(
            "[Evil](javascript:alert(1)) - x [D](data:text/html,hi) <vbscript:msgbox>",
        );
        let dropped = |s: &str| Inline::Dropped(s.into());
        assert_eq!(
            r.tokens,
            vec![dropped("Evil"), text(" - x "), dropped("D"), text(" ")]
        );
        assert_eq!(r.problems.len(), 3);
    }

    #[test]
    fn broken_brackets_are_reported() {
        let r = parse_inline("[Broken PUG(https://broken.example) - City");
        assert_eq!(
            r.tokens,
            vec![
                text("Broken PUG("),
                link("", "https://broken.example"),
                text(") - City")
            ]
        );
        assert_eq!(r.problems.len(), 1);
        let r = parse_inline("[Open PUG](https://open.example - City");
        assert_eq!(
            r.tokens,
            vec![link("Open PUG", "https://open.example"), text(" - City")]
        );
        assert_eq!(r.problems.len(), 1);
        let r = parse_inline("pythonkhmer[at]google[dot]com");
        assert_eq!(r.tokens, vec![text("pythonkhmer[at]google[dot]com")]);
        assert!(r.problems.is_empty());
    }
}
