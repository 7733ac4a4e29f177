//! The wiki page format: a Markdown export of a community wiki page that
//! lists user groups.
//!
//! The page has an introduction and a table of contents (both ignored), then
//! headings for continents or world areas, countries, and states or regions,
//! at whatever levels the page uses (`Africa` underlined, `### Namibia`,
//! `#### Maputo`; "Canada" or "USA" can stand at the top level too). Under a
//! heading, each top-level bullet is one group: the link text is its name, the
//! link its first link, the text after it a city (when it reads like a place)
//! or a description. Nested bullets add links to the same group. Bullets that
//! only carry a link label such as "Twitter" or "Mailing list" add their links
//! to the group above them, and a bullet without a link whose nested bullets
//! are groups ("Regional (by State)") is a heading of its own.

use std::collections::HashMap;

use crate::inline::{Inline, RawLink, flatten, parse_inline};
use crate::links::{Link, shorten};
use crate::text::{
    clean_fragment, collapse_ws, is_generic_label, looks_like_place, names_a_group, status_word,
    strip_emphasis, truncate_chars, words,
};
use crate::{Entry, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, Problem};

/// Reads a roster in the wiki page format. Returns the groups found, in page
/// order, and the problems met on the way (each with its line).
pub fn parse_wiki(text: &str) -> (Vec<Entry>, Vec<Problem>) {
    let page = parse_wiki_page(text);
    (page.entries, page.problems)
}

/// Everything [`parse_wiki_page`] reads from a wiki page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WikiPage {
    /// The groups found, in page order.
    pub entries: Vec<Entry>,
    /// Bullets under a heading with links but no group name (a country's
    /// "[Website]" and "[Twitter]"): one entry per heading, named after it,
    /// with the links; a person should say whether they are a group.
    pub links_only: Vec<Entry>,
    /// The problems met on the way, each with its line.
    pub problems: Vec<Problem>,
}

/// [`parse_wiki`], also keeping the bullets of links only.
pub fn parse_wiki_page(text: &str) -> WikiPage {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| classify(i + 1, l))
        .collect();
    let mut reader = Reader::default();
    let mut list = ListBuilder::default();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        match &line.kind {
            Kind::Blank => list.blank = true,
            Kind::Heading { level, text } => {
                reader.flush(&mut list);
                reader.heading(*level, text);
            }
            Kind::Text { indent, text } => {
                let underline = match lines.get(i + 1).map(|l| &l.kind) {
                    Some(Kind::Dashes {
                        underline: true, ..
                    }) => Some(2),
                    Some(Kind::Equals) => Some(1),
                    _ => None,
                };
                if let Some(level) = underline.filter(|_| *indent <= 3) {
                    reader.flush(&mut list);
                    reader.heading(level, text);
                    i += 1;
                } else if list.open() && (!list.blank || *indent >= 2) {
                    list.continue_item(text);
                } else {
                    reader.flush(&mut list);
                }
            }
            Kind::Item {
                indent,
                ordered,
                text,
            } => list.item(Node {
                line: line.no,
                indent: *indent,
                ordered: *ordered,
                text: (*text).to_owned(),
                children: Vec::new(),
            }),
            Kind::Dashes { rule, .. } => {
                if *rule {
                    reader.flush(&mut list);
                }
            }
            Kind::Equals => {}
        }
        i += 1;
    }
    reader.flush(&mut list);
    reader.finish()
}

// ---------------------------------------------------------------- lines

struct Line<'a> {
    no: usize,
    kind: Kind<'a>,
}

enum Kind<'a> {
    Blank,
    Heading {
        level: usize,
        text: &'a str,
    },
    /// A line of dashes: a rule when there are three or more, a heading's
    /// underline when they follow a line of text without spaces between them.
    Dashes {
        rule: bool,
        underline: bool,
    },
    /// A line of `=`: a setext underline.
    Equals,
    Item {
        indent: usize,
        ordered: bool,
        text: &'a str,
    },
    Text {
        indent: usize,
        text: &'a str,
    },
}

fn classify(no: usize, raw: &str) -> Line<'_> {
    let mut indent = 0;
    let mut start = raw.len();
    for (pos, c) in raw.char_indices() {
        match c {
            ' ' => indent += 1,
            '\t' => indent += 4 - indent % 4,
            _ => {
                start = pos;
                break;
            }
        }
    }
    let t = &raw[start..];
    Line {
        no,
        kind: classify_rest(indent, t),
    }
}

fn classify_rest(indent: usize, t: &str) -> Kind<'_> {
    if t.trim().is_empty() {
        return Kind::Blank;
    }
    if indent <= 3 {
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].chars().next().is_none_or(char::is_whitespace) {
            let body = t[hashes..].trim();
            let body = match body.trim_end_matches('#') {
                b if b.len() < body.len() && (b.is_empty() || b.ends_with(char::is_whitespace)) => {
                    b.trim()
                }
                _ => body,
            };
            return Kind::Heading {
                level: hashes,
                text: body,
            };
        }
        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() >= 3
            && (compact.chars().all(|c| c == '*') || compact.chars().all(|c| c == '_'))
        {
            return Kind::Dashes {
                rule: true,
                underline: false,
            };
        }
        if compact.len() >= 2 && compact.chars().all(|c| c == '-') {
            return Kind::Dashes {
                rule: compact.len() >= 3,
                underline: t.trim().chars().all(|c| c == '-'),
            };
        }
        if t.trim().chars().all(|c| c == '=') {
            return Kind::Equals;
        }
    }
    let mut chars = t.chars();
    if let Some(marker @ ('*' | '+' | '-')) = chars.next() {
        let after = &t[marker.len_utf8()..];
        if after.is_empty() || after.starts_with(char::is_whitespace) {
            return Kind::Item {
                indent,
                ordered: false,
                text: after.trim(),
            };
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let after = &t[digits..];
        if let Some(rest) = after.strip_prefix(['.', ')'])
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            return Kind::Item {
                indent,
                ordered: true,
                text: rest.trim(),
            };
        }
    }
    Kind::Text {
        indent,
        text: t.trim_end(),
    }
}

// ---------------------------------------------------------------- list trees

/// A bullet and the bullets nested under it.
struct Node {
    line: usize,
    indent: usize,
    ordered: bool,
    text: String,
    children: Vec<Node>,
}

/// How deeply bullets may nest.
const MAX_LIST_DEPTH: usize = 8;

#[derive(Default)]
struct ListBuilder {
    stack: Vec<Node>,
    roots: Vec<Node>,
    blank: bool,
}

impl ListBuilder {
    fn open(&self) -> bool {
        !self.stack.is_empty()
    }

    fn item(&mut self, node: Node) {
        while self
            .stack
            .last()
            .is_some_and(|top| top.indent >= node.indent)
        {
            self.close_top();
        }
        // Deeper than any real page nests: read as a sibling of the deepest bullet.
        if self.stack.len() >= MAX_LIST_DEPTH {
            self.close_top();
        }
        self.stack.push(node);
        self.blank = false;
    }

    fn continue_item(&mut self, text: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.text.push(' ');
            top.text.push_str(text.trim());
        }
        self.blank = false;
    }

    fn close_top(&mut self) {
        if let Some(node) = self.stack.pop() {
            match self.stack.last_mut() {
                Some(parent) => parent.children.push(node),
                None => self.roots.push(node),
            }
        }
    }

    fn take(&mut self) -> Vec<Node> {
        while self.open() {
            self.close_top();
        }
        self.blank = false;
        std::mem::take(&mut self.roots)
    }
}

// ---------------------------------------------------------------- one bullet

/// A bullet read: its name, links, and what follows the name.
#[derive(Debug, Default)]
struct Analysis {
    /// The group name, tidied.
    name: Option<String>,
    /// The name is only a link label such as "Website" or "Twitter".
    generic: bool,
    /// The bullet opens with a link (an introduction's prose does not).
    starts_with_link: bool,
    /// The link whose text is the name.
    name_link: Option<RawLink>,
    /// Every link, in order.
    links: Vec<RawLink>,
    /// What follows the name.
    rest: Vec<Inline>,
    /// The bullet's text without its links, tidied.
    other_text: String,
    /// A status note such as "(Defunct)".
    status: Option<&'static str>,
    /// Broken or refused links.
    problems: Vec<String>,
}

struct Item {
    line: usize,
    ordered: bool,
    raw: String,
    a: Analysis,
    children: Vec<Item>,
}

fn to_item(node: Node) -> Item {
    let a = analyze(&node.text);
    Item {
        line: node.line,
        ordered: node.ordered,
        a,
        children: node.children.into_iter().map(to_item).collect(),
        raw: node.text,
    }
}

fn tidy(s: &str) -> String {
    clean_fragment(&strip_emphasis(s))
}

fn clean_name(s: &str) -> String {
    let t = tidy(s);
    let t = if t.ends_with('.') && !t.ends_with("..") {
        t[..t.len() - 1].to_owned()
    } else {
        t
    };
    tidy(&t)
}

fn text_only(tokens: &[Inline]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Inline::Text(s) => s.as_str(),
            Inline::Link(_) | Inline::Dropped(_) => " ",
        })
        .collect()
}

fn prepend(text: String, tokens: &[Inline]) -> Vec<Inline> {
    let mut out = vec![Inline::Text(text + " ")];
    out.extend_from_slice(tokens);
    out
}

fn analyze(raw: &str) -> Analysis {
    let parsed = parse_inline(raw);
    let tokens = parsed.tokens;
    let mut a = Analysis {
        links: tokens
            .iter()
            .filter_map(|t| match t {
                Inline::Link(l) => Some(l.clone()),
                Inline::Text(_) | Inline::Dropped(_) => None,
            })
            .collect(),
        other_text: tidy(&text_only(&tokens)),
        problems: parsed.problems,
        ..Analysis::default()
    };
    let first_link = tokens.iter().position(|t| matches!(t, Inline::Link(_)));
    let lead_end = first_link.unwrap_or(tokens.len());
    let mut lead = tidy(&flatten(&tokens[..lead_end]));
    if let Some(status) = status_word(&lead) {
        a.status = Some(status);
        lead.clear();
    } else if let Some((status, rest)) = status_prefix(&lead) {
        a.status = Some(status);
        lead = rest;
    }
    if !lead.is_empty() {
        let (name, remainder) = split_name(&lead);
        a.name = Some(clean_name(&name));
        a.rest = prepend(remainder, &tokens[lead_end..]);
    } else if let Some(first) = first_link {
        a.starts_with_link = true;
        if let Inline::Link(link) = &tokens[first]
            && !link.label.trim().is_empty()
        {
            let (name, rest) =
                merge_name_with_rest(clean_name(&link.label), tokens[first + 1..].to_vec());
            a.name = Some(name);
            a.name_link = Some(link.clone());
            a.rest = rest;
        } else {
            // Bare addresses first: the name is in the text after them.
            let mut j = first;
            while j < tokens.len()
                && match &tokens[j] {
                    Inline::Link(l) => l.label.is_empty(),
                    Inline::Text(t) => t.trim().is_empty(),
                    Inline::Dropped(_) => false,
                }
            {
                j += 1;
            }
            let after = &tokens[j..];
            let next_link = after
                .iter()
                .position(|t| matches!(t, Inline::Link(_)))
                .unwrap_or(after.len());
            let (name, remainder) = split_name(&tidy(&flatten(&after[..next_link])));
            let name = clean_name(&name);
            if name.is_empty() || looks_like_place(&name) {
                a.rest = after.to_vec();
            } else {
                a.name = Some(name);
                a.rest = prepend(remainder, &after[next_link..]);
            }
        }
    }
    a.name = a.name.filter(|n| !n.is_empty());
    a.generic = a.name.as_deref().is_some_and(is_generic_label);
    a
}

/// `(Defunct) Some Group` → the status and the rest.
fn status_prefix(lead: &str) -> Option<(&'static str, String)> {
    let inner_end = lead.strip_prefix('(')?.find(')')?;
    let status = status_word(&lead[1..=inner_end])?;
    Some((status, lead[inner_end + 2..].trim().to_owned()))
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—')
}

/// Splits a bullet's leading text into a name and what follows it, at the
/// first separator outside brackets: a dash between spaces, a full stop
/// ending a sentence, `Label: ` after a link label, or a comma before a
/// lower-case word ("..., meetings in ...").
fn split_name(s: &str) -> (String, String) {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut depth = 0i32;
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if depth > 0 {
            k += 1;
            continue;
        }
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|x| x.1);
        let cut = |len: usize| -> (String, String) {
            let after = chars.get(k + len).map_or(s.len(), |x| x.0);
            (s[..pos].trim().to_owned(), s[after..].trim().to_owned())
        };
        if is_dash(c) {
            let run = chars[k..].iter().take_while(|x| is_dash(x.1)).count();
            let after = chars.get(k + run).map(|x| x.1);
            let before_ok = prev.is_some_and(|p| p.is_whitespace() || p.is_alphanumeric());
            if before_ok && after.is_some_and(char::is_whitespace) && pos > 0 {
                return cut(run);
            }
            k += run;
            continue;
        }
        if next.is_some_and(char::is_whitespace) {
            let before = &s[..pos];
            let next_word = s[pos + 1..].trim_start();
            match c {
                ':' if is_generic_label(before) => return cut(1),
                '.' => {
                    let last = before.split_whitespace().last().unwrap_or_default();
                    if last.chars().count() >= 3 && last.chars().all(char::is_alphabetic) {
                        return cut(1);
                    }
                }
                ',' if next_word.chars().next().is_some_and(char::is_lowercase) => return cut(1),
                _ => {}
            }
        }
        k += 1;
    }
    (s.trim().to_owned(), String::new())
}

/// A short handle in brackets right after a name, like `(DPUG)`.
fn is_alias(s: &str) -> bool {
    (1..=24).contains(&s.chars().count())
        && s.chars().any(char::is_uppercase)
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && status_word(s).is_none()
}

/// Folds into the name a handle in brackets right after it (`[DehraDun
/// Python User Group](...) (DPUG)`) or the rest of a name whose link covers
/// only the place (`[Madison](...) Python Users' Group`).
fn merge_name_with_rest(name: String, mut rest: Vec<Inline>) -> (String, Vec<Inline>) {
    let Some(Inline::Text(first)) = rest.first() else {
        return (name, rest);
    };
    let first = strip_emphasis(first);
    let trimmed = first.trim_start();
    if let Some(end) = trimmed.strip_prefix('(').and_then(|r| r.find(')'))
        && is_alias(&trimmed[1..=end])
    {
        let merged = format!("{name} ({})", &trimmed[1..=end]);
        rest[0] = Inline::Text(trimmed[end + 2..].to_owned());
        return (merged, rest);
    }
    if first.starts_with(char::is_whitespace)
        && trimmed.starts_with(char::is_alphabetic)
        && looks_like_place(&name)
    {
        let end = trimmed
            .find([',', '.', ';', ':', '(', '[', '-', '–', '—'])
            .unwrap_or(trimmed.len());
        let phrase = trimmed[..end].trim();
        let after = trimmed[end..].trim();
        if !phrase.is_empty()
            && phrase.split_whitespace().count() <= 4
            && names_a_group(phrase)
            && (after.is_empty() || after == ".")
        {
            let merged = format!("{name} {phrase}");
            rest[0] = Inline::Text(String::new());
            return (merged, rest);
        }
    }
    (name, rest)
}

/// Leaves out a run of links at the end of the text after a name (`...,
/// [Twitter](...), [Facebook](...)`): they are kept as links, and their
/// texts would only clutter the description or the place.
fn drop_trailing_links(rest: &[Inline]) -> &[Inline] {
    let glue = |t: &str| {
        let core = t
            .trim_matches(|c: char| c.is_whitespace() || ",|-–—/·;&+".contains(c))
            .to_lowercase();
        matches!(core.as_str(), "" | "and" | "or" | "y" | "e" | "et" | "und")
    };
    let mut end = rest.len();
    let mut links = 0;
    while end > 0 {
        match &rest[end - 1] {
            Inline::Link(_) | Inline::Dropped(_) => links += 1,
            Inline::Text(t) if glue(t) => {}
            Inline::Text(_) => break,
        }
        end -= 1;
    }
    // One link that ends a sentence ("send mail to [the list](...)") is part of it.
    let set_off = match end.checked_sub(1).map(|i| &rest[i]) {
        Some(Inline::Text(t)) => {
            t.trim_end().is_empty() || t.trim_end().ends_with(['.', ',', ';', '|', '-', '–', '—'])
        }
        _ => true,
    };
    if links >= 2 || (links == 1 && set_off) {
        &rest[..end]
    } else {
        rest
    }
}

/// Lower-case letters and digits only, to compare two wordings.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits what follows a name into parts at dashes between spaces; each part
/// keeps its text without links (`plain`) and with link texts (`full`).
fn split_parts(rest: &[Inline]) -> Vec<(String, String)> {
    let mut parts = vec![(String::new(), String::new())];
    let mut depth = 0i32;
    for token in rest {
        match token {
            Inline::Link(RawLink { label, .. }) | Inline::Dropped(label) => {
                if let Some(last) = parts.last_mut() {
                    last.0.push(' ');
                    last.1.push_str(label);
                }
            }
            Inline::Text(t) => {
                let chars: Vec<char> = t.chars().collect();
                let mut k = 0;
                while k < chars.len() {
                    let c = chars[k];
                    match c {
                        '(' | '[' => depth += 1,
                        ')' | ']' => depth -= 1,
                        _ => {}
                    }
                    if depth <= 0 && is_dash(c) {
                        let run = chars[k..].iter().take_while(|&&x| is_dash(x)).count();
                        let before_ws = k == 0 || chars[k - 1].is_whitespace();
                        let after_ws = chars.get(k + run).is_none_or(|x| x.is_whitespace());
                        if before_ws && after_ws {
                            parts.push((String::new(), String::new()));
                            k += run;
                            continue;
                        }
                    }
                    if let Some(last) = parts.last_mut() {
                        last.0.push(c);
                        last.1.push(c);
                    }
                    k += 1;
                }
            }
        }
    }
    parts
}

// ---------------------------------------------------------------- headings and places

struct Heading {
    level: usize,
    text: String,
}

/// Where the current bullets sit, from the headings above them.
#[derive(Debug, Clone, Default)]
struct Location {
    continent: Option<String>,
    country: Option<String>,
    region: Option<String>,
    city: Option<String>,
    /// Every heading's text, to drop a trailing "- Ghana" under "Ghana".
    names: Vec<String>,
}

enum Role {
    Ignore,
    Area,
    Place,
}

/// Headings that name a continent or a world area rather than a country.
const AREAS: &[&str] = &[
    "africa",
    "asia",
    "europe",
    "oceania",
    "australasia",
    "antarctica",
    "americas",
    "the americas",
    "north america",
    "south america",
    "central america",
    "latin america",
    "caribbean",
    "the caribbean",
    "middle east",
    "the middle east",
    "near east",
    "far east",
    "east asia",
    "south asia",
    "southeast asia",
    "south-east asia",
    "south east asia",
    "central asia",
    "western europe",
    "eastern europe",
    "northern europe",
    "southern europe",
    "central europe",
    "scandinavia",
    "nordic countries",
    "balkans",
    "the balkans",
    "baltics",
    "baltic states",
    "indian ocean",
    "pacific",
    "pacific islands",
    "north africa",
    "west africa",
    "east africa",
    "southern africa",
    "central africa",
    "sub-saharan africa",
    "worldwide",
    "international",
    "online",
    "virtual",
    "global",
    "world",
    "apac",
    "emea",
    "mena",
];

/// Words of headings that sort groups by something other than place
/// ("General Community Resources", "User Groups").
const SECTION_WORDS: &[&str] = &[
    "additional",
    "also",
    "and",
    "by",
    "communities",
    "community",
    "conferences",
    "contents",
    "events",
    "footnotes",
    "general",
    "group",
    "groups",
    "in",
    "index",
    "links",
    "link",
    "list",
    "lists",
    "local",
    "mailing",
    "meetups",
    "misc",
    "miscellaneous",
    "more",
    "national",
    "notes",
    "of",
    "organisations",
    "organizations",
    "other",
    "python",
    "references",
    "regional",
    "resource",
    "resources",
    "see",
    "table",
    "the",
    "user",
    "users",
];

fn role(heading: &str) -> Role {
    let lower = heading.to_lowercase();
    let ws = words(heading);
    if ws.is_empty() || lower.starts_with("other ") || lower == "others" {
        Role::Ignore
    } else if AREAS.contains(&lower.as_str()) {
        Role::Area
    } else if ws.iter().all(|w| SECTION_WORDS.contains(&w.as_str())) {
        Role::Ignore
    } else {
        Role::Place
    }
}

/// A heading's text without marks, links, a trailing note in another script
/// (`Cambodia(សីល >>> សមាធិ >>> បញ្ញា)` → `Cambodia`) or a name repeated in
/// another script (`Thailand/ประเทศไทย` → `Thailand`).
fn clean_heading(raw: &str) -> String {
    let parsed = parse_inline(raw);
    let mut t = collapse_ws(&strip_emphasis(&flatten(&parsed.tokens)));
    t = t.trim_end_matches(':').trim().to_owned();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
    {
        let inner = &t[open + 1..t.len() - 1];
        let head = t[..open].trim();
        if !inner.chars().any(|c| c.is_ascii_alphabetic()) && !head.is_empty() {
            t = head.to_owned();
        }
    }
    if t.contains('/') {
        let parts: Vec<&str> = t
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let latin: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| p.chars().any(|c| c.is_ascii_alphabetic()))
            .collect();
        if !latin.is_empty() && latin.len() < parts.len() {
            t = latin.join(" / ");
        }
    }
    t
}

fn locate(headings: &[Heading]) -> Location {
    let mut loc = Location::default();
    let mut subarea = None;
    for h in headings {
        loc.names.push(h.text.to_lowercase());
        match role(&h.text) {
            Role::Ignore => {}
            Role::Area => {
                if loc.continent.is_none() && loc.country.is_none() {
                    loc.continent = Some(h.text.clone());
                } else if loc.country.is_none() {
                    subarea = Some(h.text.clone());
                } else if loc.region.is_none() {
                    loc.region = Some(h.text.clone());
                }
            }
            Role::Place => {
                if loc.country.is_none() {
                    loc.country = Some(h.text.clone());
                } else if loc.region.is_none() {
                    loc.region = Some(h.text.clone());
                } else if loc.city.is_none() {
                    loc.city = Some(h.text.clone());
                }
            }
        }
    }
    if loc.country.is_none() && loc.region.is_none() {
        loc.region = subarea;
    }
    loc
}

// ---------------------------------------------------------------- the reader

type GroupKey = (Option<String>, Option<String>, Option<String>, String);

#[derive(Default)]
struct Reader {
    entries: Vec<Entry>,
    problems: Vec<Problem>,
    headings: Vec<Heading>,
    location: Location,
    /// The group that label-only bullets add their links to.
    current: Option<usize>,
    /// Links under a heading with no group (see [`WikiPage::links_only`]).
    links_only: Vec<Entry>,
    seen: HashMap<GroupKey, usize>,
}

impl Reader {
    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem::new(line, message));
    }

    fn heading(&mut self, level: usize, raw: &str) {
        while self.headings.last().is_some_and(|h| h.level >= level) {
            self.headings.pop();
        }
        self.headings.push(Heading {
            level,
            text: clean_heading(raw),
        });
        self.location = locate(&self.headings);
        self.current = None;
    }

    fn flush(&mut self, list: &mut ListBuilder) {
        for node in list.take() {
            let item = to_item(node);
            self.top(&item);
        }
    }

    fn finish(mut self) -> WikiPage {
        for i in 0..self.entries.len() {
            let e = &mut self.entries[i];
            if let Some(d) = &e.description
                && d.chars().count() > MAX_DESCRIPTION_CHARS
            {
                let n = d.chars().count();
                e.description = Some(truncate_chars(d, MAX_DESCRIPTION_CHARS));
                let line = e.line;
                self.problem(
                    line,
                    format!(
                        "the description has {n} characters; it is cut to {MAX_DESCRIPTION_CHARS}"
                    ),
                );
            }
        }
        self.entries.sort_by_key(|e| e.line);
        self.problems.sort_by_key(|p| p.line);
        WikiPage {
            entries: self.entries,
            links_only: self.links_only,
            problems: self.problems,
        }
    }

    /// Keeps links that sit under the current heading without a group, as
    /// one entry named after the heading.
    fn hold_links(&mut self, line: usize, links: Vec<Link>) {
        let Some(heading) = self.headings.last().map(|h| h.text.clone()) else {
            return;
        };
        let loc = self.location.clone();
        let same = self.links_only.last_mut().filter(|e| {
            e.name == heading
                && e.country == loc.country
                && e.region == loc.region
                && e.continent == loc.continent
        });
        let entry = match same {
            Some(e) => e,
            None => {
                self.links_only.push(Entry {
                    line,
                    name: heading,
                    continent: loc.continent,
                    country: loc.country,
                    region: loc.region,
                    city: loc.city,
                    ..Entry::default()
                });
                let Some(e) = self.links_only.last_mut() else {
                    return;
                };
                e
            }
        };
        for l in links {
            entry.add_link(l);
        }
    }

    fn emit(&mut self, item: &Item) {
        for m in &item.a.problems {
            self.problems.push(Problem::new(item.line, m.clone()));
        }
    }

    /// A top-level bullet (or one promoted to that rank).
    fn top(&mut self, item: &Item) {
        if item.ordered && item.raw.contains("](#") {
            // The table of contents, or a footnote.
            return;
        }
        let a = &item.a;
        if self.headings.is_empty() {
            match &a.name {
                Some(name) if a.starts_with_link && !a.generic => {
                    let msg = format!(
                        "“{name}” comes before any heading, so it has no continent or country"
                    );
                    self.problem(item.line, msg);
                }
                // The page's introduction.
                _ => return,
            }
        }
        if a.name.is_some() && !a.generic {
            if self.is_category(item) {
                for child in &item.children {
                    self.top(child);
                }
                return;
            }
            self.emit(item);
            let idx = self.add_group(item);
            if idx.is_some() {
                self.current = idx;
            }
            for child in &item.children {
                self.attach(child, idx, None);
            }
            return;
        }
        self.emit(item);
        let own = self.links_of(item, None);
        let label = if a.generic { a.name.as_deref() } else { None };
        if let Some(cur) = self.current.filter(|_| a.generic) {
            if own.is_empty() && item.children.is_empty() && !tidy(&flatten(&a.rest)).is_empty() {
                // "IRC: #channel" under a group: keep the words.
                self.append_description(cur, &a.other_text);
            }
            for l in own {
                self.entries[cur].add_link(l);
            }
            for child in &item.children {
                self.attach(child, Some(cur), label);
            }
            return;
        }
        // No group yet under this heading: a nested bullet may name one.
        let mut pending = own;
        for child in &item.children {
            if a.generic
                && self.current.is_none()
                && child.a.name.is_some()
                && !child.a.generic
                && !child.a.links.is_empty()
            {
                self.top(child);
            } else {
                let mut links = Vec::new();
                self.collect(child, &mut links, label);
                pending.extend(links);
            }
        }
        match self.current.filter(|_| a.generic) {
            Some(cur) => {
                for l in pending {
                    self.entries[cur].add_link(l);
                }
            }
            None => {
                let what = match &a.name {
                    Some(label) => format!("only “{label}”"),
                    None if a.other_text.is_empty() => "no text".to_owned(),
                    None => format!("only “{}”", truncate_chars(&a.other_text, 60)),
                };
                let mut msg = format!("bullet has no group name ({what})");
                if pending.is_empty() {
                    msg.push_str(", so it is left out");
                } else {
                    let urls: Vec<String> = pending.iter().map(|l| shorten(&l.url)).collect();
                    msg.push_str(&format!(
                        "; its links are kept as links only, not a group: {}",
                        urls.join(" ")
                    ));
                }
                self.problem(item.line, msg);
                if !pending.is_empty() {
                    self.hold_links(item.line, pending);
                }
            }
        }
    }

    /// A bullet nested under a group: its links join the group's.
    fn attach(&mut self, item: &Item, group: Option<usize>, label: Option<&str>) {
        let mut links = Vec::new();
        self.collect(item, &mut links, label);
        if let Some(idx) = group {
            for l in links {
                self.entries[idx].add_link(l);
            }
        }
    }

    /// The links of a nested bullet and of the bullets under it; bare
    /// addresses under a label bullet ("Facebook Group:") take its label.
    fn collect(&mut self, item: &Item, out: &mut Vec<Link>, label: Option<&str>) {
        if self.is_category(item) {
            for child in &item.children {
                self.top(child);
            }
            return;
        }
        self.emit(item);
        out.extend(self.links_of(item, label));
        let label = if item.a.generic {
            item.a.name.as_deref()
        } else {
            label
        };
        for child in &item.children {
            self.collect(child, out, label);
        }
    }

    /// A bullet without links whose nested bullets are groups, like
    /// "Regional (by State)" or "Cities Communities".
    fn is_category(&self, item: &Item) -> bool {
        let a = &item.a;
        let Some(name) = &a.name else { return false };
        if a.generic
            || !a.links.is_empty()
            || !tidy(&flatten(&a.rest)).is_empty()
            || names_a_group(name)
            || item.children.is_empty()
        {
            return false;
        }
        let named = item
            .children
            .iter()
            .filter(|c| c.a.name.is_some() && !c.a.generic)
            .count();
        named >= 1 && named * 2 >= item.children.len()
    }

    /// A bullet's links. A bare address takes as its text the bullet's name
    /// (the first one only, unless the name is a label such as "Website"),
    /// or the bullet's words, or the label of the bullet above.
    fn links_of(&self, item: &Item, inherited: Option<&str>) -> Vec<Link> {
        let a = &item.a;
        let unwrap = |t: &str| {
            let t = t
                .strip_prefix('(')
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or(t);
            tidy(t)
        };
        let own = match &a.name {
            Some(name) => Some(unwrap(name)),
            None if a.links.len() == 1 && !a.other_text.is_empty() => Some(unwrap(&a.other_text)),
            None => None,
        };
        let fallback = own
            .or_else(|| inherited.map(str::to_owned))
            .unwrap_or_default();
        let mut used = false;
        let mut out = Vec::with_capacity(a.links.len());
        for l in &a.links {
            let label = if l.label.is_empty() && (!used || a.generic || a.name.is_none()) {
                used = true;
                fallback.clone()
            } else {
                l.label.clone()
            };
            out.push(Link::new(l.url.clone(), label));
        }
        out
    }

    fn append_description(&mut self, idx: usize, text: &str) {
        let e = &mut self.entries[idx];
        match &mut e.description {
            Some(d) => {
                d.push('\n');
                d.push_str(text);
            }
            None => e.description = Some(text.to_owned()),
        }
    }

    fn is_heading_name(&self, s: &str) -> bool {
        let s = s.trim().trim_end_matches('.').trim().to_lowercase();
        self.location.names.contains(&s)
    }

    /// Reads the text after a name: a place, a description, maybe a status.
    fn place_and_description(
        &self,
        rest: &[Inline],
    ) -> (Option<String>, Option<String>, Option<&'static str>) {
        let rest = drop_trailing_links(rest);
        let plain = tidy(&text_only(rest));
        let plain = plain
            .strip_suffix('.')
            .filter(|p| !p.ends_with('.'))
            .unwrap_or(&plain)
            .trim()
            .to_owned();
        if plain.is_empty() || self.is_heading_name(&plain) {
            return (None, None, None);
        }
        if let Some(status) = status_word(&plain) {
            return (None, None, Some(status));
        }
        let parts = split_parts(rest);
        if parts.len() == 1 && looks_like_place(&plain) {
            return (Some(plain), None, None);
        }
        let mut city = None;
        let mut status = None;
        let mut kept = Vec::new();
        for (p, full) in parts {
            let p = tidy(&p);
            let p = p.strip_suffix('.').unwrap_or(&p).trim().to_owned();
            if p.is_empty() || self.is_heading_name(&p) {
                continue;
            }
            if let Some(st) = status_word(&p) {
                status = Some(st);
            } else if city.is_none() && looks_like_place(&p) {
                city = Some(p);
            } else {
                kept.push(tidy(&full));
            }
        }
        let description = kept.join(" - ");
        let description = description.trim_start_matches(['.', ' ']);
        let description = description
            .chars()
            .any(char::is_alphabetic)
            .then(|| description.to_owned());
        (city, description, status)
    }

    fn add_group(&mut self, item: &Item) -> Option<usize> {
        let a = &item.a;
        let name = a.name.clone()?;
        let count = name.chars().count();
        if count > MAX_NAME_CHARS {
            let msg = format!(
                "the group name has {count} characters (at most {MAX_NAME_CHARS}), so the bullet is left out"
            );
            self.problem(item.line, msg);
            return None;
        }
        let loc = self.location.clone();
        let (city, description, status) = self.place_and_description(&a.rest);
        let description = description.filter(|d| letters(d) != letters(&name));
        let mut entry = Entry {
            line: item.line,
            name: name.clone(),
            continent: loc.continent.clone(),
            country: loc.country.clone(),
            region: loc.region.clone(),
            city: city.or(loc.city.clone()),
            description,
            status: a.status.or(status).map(str::to_owned),
            ..Entry::default()
        };
        if let Some(l) = &a.name_link {
            entry.add_link(Link::new(l.url.clone(), clean_name(&l.label)));
        }
        for l in self.links_of(item, None) {
            entry.add_link(l);
        }
        let key = (
            loc.continent,
            loc.country,
            loc.region,
            collapse_ws(&name).to_lowercase(),
        );
        if let Some(&first) = self.seen.get(&key) {
            let first_line = self.entries[first].line;
            let under = self
                .headings
                .last()
                .map_or_else(String::new, |h| format!(" under “{}”", h.text));
            let e = &mut self.entries[first];
            for l in entry.links {
                e.add_link(l);
            }
            if e.city.is_none() {
                e.city = entry.city;
            }
            if e.description.is_none() {
                e.description = entry.description;
            }
            let msg = format!(
                "“{name}” is listed twice{under} (first on line {first_line}); its links are added to that entry"
            );
            self.problem(item.line, msg);
            return Some(first);
        }
        self.entries.push(entry);
        let idx = self.entries.len() - 1;
        self.seen.insert(key, idx);
        Some(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_separators() {
        assert_eq!(
            split_name("The Python Software Community Zimbabwe - Python Zimbabwe"),
            (
                "The Python Software Community Zimbabwe".into(),
                "Python Zimbabwe".into()
            )
        );
        assert_eq!(
            split_name("PyGuj (Python User Group - Gujarat)"),
            ("PyGuj (Python User Group - Gujarat)".into(), String::new())
        );
        assert_eq!(
            split_name("DN: Python Users Group Nepal"),
            ("DN: Python Users Group Nepal".into(), String::new())
        );
        assert_eq!(
            split_name("IRC: #pythonph"),
            ("IRC".into(), "#pythonph".into())
        );
        assert_eq!(
            split_name("Python Peru. Peruvian users. Send mail to"),
            ("Python Peru".into(), "Peruvian users. Send mail to".into())
        );
        assert_eq!(
            split_name("St. Louis Python"),
            ("St. Louis Python".into(), String::new())
        );
        assert_eq!(
            split_name("Python users group in Macedonia, meetings in the"),
            (
                "Python users group in Macedonia".into(),
                "meetings in the".into()
            )
        );
        assert_eq!(
            split_name("GTU Python User Group, Ahmedabad - Gujarat"),
            ("GTU Python User Group, Ahmedabad".into(), "Gujarat".into())
        );
    }

    #[test]
    fn headings() {
        assert_eq!(clean_heading("Cambodia(សីល >>> សមាធិ >>> បញ្ញា)"), "Cambodia");
        assert_eq!(clean_heading("Thailand/ประเทศไทย"), "Thailand");
        assert_eq!(clean_heading("Washington, DC"), "Washington, DC");
        assert_eq!(
            clean_heading("**Trinidad &amp; Tobago**"),
            "Trinidad & Tobago"
        );
        assert!(matches!(role("General Community Resources"), Role::Ignore));
        assert!(matches!(role("Other Africa"), Role::Ignore));
        assert!(matches!(role("Indian Ocean"), Role::Area));
        assert!(matches!(role("Canada"), Role::Place));
    }
}
