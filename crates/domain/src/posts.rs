//! Posts on the shared blog: their kinds and states, the checks their fields
//! pass, and the gentle "substance" check run when a post is submitted.
//!
//! # The substance check
//!
//! The blog is for what happened at a meeting and what people learned, not
//! for the date and the pizza (those belong to the event). When a post is
//! submitted, [`check_substance`] looks at the title and the Markdown body and
//! decides whether the post says something beyond logistics. A post that
//! does not is held back with friendly advice; if the organizer submits it
//! anyway it goes to the review queue instead of straight to the blog (see
//! [`Substance::state_on_submit`]). The rule is deterministic and uses no
//! outside service:
//!
//! 1. **Markdown is taken apart.** Link targets are set aside (the link text
//!    stays), fenced code blocks and `code spans` are counted and set aside,
//!    heading and list markers are counted and dropped.
//! 2. **Links are sorted.** A link to slides, code, a recording or docs
//!    (GitHub, Codeberg, GitLab, Speaker Deck, SlideShare, YouTube, Vimeo,
//!    PeerTube, package indexes, `.pdf`/`.pptx`/`.odp`/`.ipynb` files, paths
//!    naming slides or talks) is a *material link*. A link to an event page,
//!    a map, a route description, a video-call room or an address is a
//!    *logistics link*. Other links are only counted.
//! 3. **Words are sorted.** The remaining text is split into words. A word
//!    with a digit in it (dates, times, house numbers, room numbers, prices)
//!    is logistics; so are weekday and month names, times of day, number
//!    words, venue and address words (room, floor, street, library, station,
//!    map...), food and drink (pizza, drinks, snacks, provided...), and
//!    sign-up words (RSVP, register, tickets, meetup, join...). Greetings,
//!    thanks and common small words (the, we, was, fun, see, everyone...) are
//!    filler. Every other word is a *content word*.
//! 4. **Substance signals are counted:** topic words (talk, presentation,
//!    demo, workshop, topic, covered, discussed, learned, slides, agenda,
//!    agreed...), speaker words (spoke, speaker, presented, gave, led, and
//!    "by" followed by a capitalised name unless it follows a logistics word,
//!    as in "sponsored by Acme"), material links, and code.
//! 5. **The verdict.** A post passes when it has at least
//!    [`MIN_DISTINCT_WITH_SIGNAL`] (10) *distinct* content words and at least
//!    one substance signal, or at least [`MIN_DISTINCT_ALONE`] (40) distinct
//!    content words whatever the signals. Distinct words are what count, so
//!    repeating a sentence adds nothing.
//!
//! Headings, list items and pairs of capitalised names are counted and
//! reported (reviewers see them, and names tell whether to ask "who
//! spoke?": two capitalised words in a row, not right after a venue word or
//! "at"/"in"/"near"), but they do not make a post pass: a logistics post can have a
//! "Venue" heading and a venue called "Acme Works".
//!
//! The same rule applies to every kind of post. For an announcement the
//! substance is what is coming (the talks planned and who gives them); for
//! the stories and articles it is the story itself, which usually clears the
//! 40-word bar on its own. Only the advice differs by kind.
//!
//! The word lists are English (with the word for "talk" in a few other
//! languages). A post in another language mostly meets the 40-word bar; if
//! it does not, it goes to review, where a person decides.

use crate::error::{InvalidInput, has_control_chars};
use crate::groups::slugify;
use crate::roles::is_slug;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// What a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// What happened at a meeting: the talks, the people, the links.
    MeetingReport,
    /// What is coming: the talks planned for a meeting or an event.
    Announcement,
    /// The story of how a group began.
    HowWeStarted,
    /// What a typical meeting of a group is like.
    TypicalMeeting,
    /// An interview with an organizer, a speaker or a member.
    Interview,
    /// Any other article.
    Article,
}

impl PostKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [PostKind; 6] = [
        PostKind::MeetingReport,
        PostKind::Announcement,
        PostKind::HowWeStarted,
        PostKind::TypicalMeeting,
        PostKind::Interview,
        PostKind::Article,
    ];

    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::MeetingReport => "meeting_report",
            PostKind::Announcement => "announcement",
            PostKind::HowWeStarted => "how_we_started",
            PostKind::TypicalMeeting => "typical_meeting",
            PostKind::Interview => "interview",
            PostKind::Article => "article",
        }
    }

    /// Parses a stored name; also accepts dashes or spaces for the
    /// underscores and any case ("Meeting-Report").
    pub fn parse(s: &str) -> Option<Self> {
        let name = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How the kind reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            PostKind::MeetingReport => "Meeting report",
            PostKind::Announcement => "Announcement",
            PostKind::HowWeStarted => "How we started",
            PostKind::TypicalMeeting => "A typical meeting",
            PostKind::Interview => "Interview",
            PostKind::Article => "Article",
        }
    }

    /// True for the stories: how a group started, a typical meeting, an
    /// interview.
    pub fn is_story(self) -> bool {
        matches!(
            self,
            PostKind::HowWeStarted | PostKind::TypicalMeeting | PostKind::Interview
        )
    }
}

/// Where a post is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    /// Being written; only its authors see it.
    Draft,
    /// Submitted and waiting for a coordinator.
    InReview,
    /// On the blog, in the feeds.
    Published,
    /// Reachable by its link, but not listed or in the feeds.
    Unlisted,
    /// Taken off the blog; kept for the record.
    Archived,
}

impl PostState {
    /// Every state, in the order of a post's life.
    pub const ALL: [PostState; 5] = [
        PostState::Draft,
        PostState::InReview,
        PostState::Published,
        PostState::Unlisted,
        PostState::Archived,
    ];

    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::Published => "published",
            PostState::Unlisted => "unlisted",
            PostState::Archived => "archived",
        }
    }

    /// Parses a stored name; also accepts dashes or spaces for the
    /// underscore and any case ("In review").
    pub fn parse(s: &str) -> Option<Self> {
        let name = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How the state reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            PostState::Draft => "Draft",
            PostState::InReview => "In review",
            PostState::Published => "Published",
            PostState::Unlisted => "Unlisted",
            PostState::Archived => "Archived",
        }
    }
}

/// Distinct content words a post needs, together with one substance signal.
pub const MIN_DISTINCT_WITH_SIGNAL: usize = 10;

/// Distinct content words that make a post pass without any signal.
pub const MIN_DISTINCT_ALONE: usize = 40;

/// The verdict of [`check_substance`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Substance {
    /// True if the post says enough beyond logistics to go straight out.
    pub passes: bool,
    /// Friendly suggestions for a post that is held back, most important
    /// first; empty when the post passes.
    pub advice: Vec<&'static str>,
    /// What the verdict was based on, for reviewers and for tuning.
    pub signals: SubstanceSignals,
}

impl Substance {
    /// The state a submitted post goes to: published if it passes, the
    /// review queue if its author submits it despite the advice.
    pub fn state_on_submit(&self) -> PostState {
        if self.passes {
            PostState::Published
        } else {
            PostState::InReview
        }
    }
}

/// The counts [`check_substance`] decides on. Words come from the title and
/// the body, with link targets and code set aside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SubstanceSignals {
    /// Every word.
    pub words: usize,
    /// Words that are neither logistics nor filler (topic and speaker
    /// words included).
    pub content_words: usize,
    /// Content words counted once each, case ignored.
    pub distinct_content_words: usize,
    /// Dates, times, numbers, venue, food and sign-up words.
    pub logistics_words: usize,
    /// Greetings, thanks and common small words.
    pub filler_words: usize,
    /// Words that name talks or topics (talk, demo, workshop, discussed...).
    pub topic_markers: usize,
    /// Words that name who spoke (spoke, presented, gave, "by Jane"...).
    pub speaker_markers: usize,
    /// Two capitalised content words in a row, as in a person's name.
    pub name_pairs: usize,
    /// Every link.
    pub links: usize,
    /// Links to slides, code, recordings or docs.
    pub material_links: usize,
    /// Links to event pages, maps, routes or call rooms.
    pub logistics_links: usize,
    /// Code spans and fenced code blocks.
    pub code: usize,
    /// Headings.
    pub headings: usize,
    /// List items.
    pub list_items: usize,
}

impl SubstanceSignals {
    /// Topic words, speaker words, material links and code together.
    pub fn substance_signals(&self) -> usize {
        self.topic_markers + self.speaker_markers + self.material_links + self.code
    }
}

/// Checks whether a post says something beyond logistics; see the module
/// documentation for the rule.
pub fn check_substance(kind: PostKind, title: &str, markdown: &str) -> Substance {
    let mut scan = Scan::default();
    scan.text.push_str(title);
    scan.text.push('\n');
    scan_markdown(markdown, &mut scan);

    let tokens = tokenize(&scan.text);
    let classes: Vec<WordClass> = tokens.iter().map(|t| classify(&t.lower)).collect();
    let mut signals = SubstanceSignals {
        links: scan.links,
        material_links: scan.material_links,
        logistics_links: scan.logistics_links,
        code: scan.code,
        headings: scan.headings,
        list_items: scan.list_items,
        ..SubstanceSignals::default()
    };
    let mut distinct: HashSet<&str> = HashSet::new();
    for (i, (token, class)) in tokens.iter().zip(&classes).enumerate() {
        signals.words += 1;
        match class {
            WordClass::Logistics => signals.logistics_words += 1,
            WordClass::Filler => {
                signals.filler_words += 1;
                if token.lower == "by" && introduces_person(&tokens, &classes, i) {
                    signals.speaker_markers += 1;
                }
            }
            WordClass::Topic | WordClass::Speaker | WordClass::Content => {
                signals.content_words += 1;
                distinct.insert(&token.lower);
                match class {
                    WordClass::Topic => signals.topic_markers += 1,
                    WordClass::Speaker => signals.speaker_markers += 1,
                    _ => {
                        if completes_name(&tokens, &classes, i) {
                            signals.name_pairs += 1;
                        }
                    }
                }
            }
        }
    }
    signals.distinct_content_words = distinct.len();

    let passes = (signals.distinct_content_words >= MIN_DISTINCT_WITH_SIGNAL
        && signals.substance_signals() > 0)
        || signals.distinct_content_words >= MIN_DISTINCT_ALONE;
    let advice = if passes {
        Vec::new()
    } else {
        advice_for(kind, &signals)
    };
    Substance {
        passes,
        advice,
        signals,
    }
}

/// The suggestions for a held post, most important first.
fn advice_for(kind: PostKind, s: &SubstanceSignals) -> Vec<&'static str> {
    let mut advice = vec![match kind {
        PostKind::MeetingReport => "What was covered? Name the talks or topics.",
        PostKind::Announcement => "What is coming? Name the talks or topics planned.",
        PostKind::HowWeStarted => "Tell the story: who started the group, when, and why?",
        PostKind::TypicalMeeting => {
            "Describe a meeting: what happens, who comes, what people talk about."
        }
        PostKind::Interview => "Add the questions and the answers, in the person's own words.",
        PostKind::Article => "Say more about the subject, in a few paragraphs of your own.",
    }];
    let speakers_named = s.speaker_markers > 0 || s.name_pairs > 0;
    if kind == PostKind::MeetingReport {
        if !speakers_named {
            advice.push("Who spoke? Name the speakers.");
        }
        if s.material_links == 0 {
            advice.push("Link to slides, code or recordings if there are any.");
        }
    }
    if kind == PostKind::Announcement && !speakers_named {
        advice.push("Who will speak? Name the speakers.");
    }
    // Only when logistics are most of what the post says; a post that is
    // mostly thanks needs the questions above, not this.
    if s.logistics_words > s.content_words && s.logistics_words >= s.filler_words {
        advice.push(if kind == PostKind::Announcement {
            "The date, time, venue and food are shown with the event itself; \
             the post is for what people will hear and learn."
        } else {
            "The date, time, venue and food belong to the event itself; \
             the post is for what happened and what people learned."
        });
    }
    advice
}

/// True if the "by" at `i` introduces a person ("a talk by Jane") rather
/// than a sponsor or a host ("pizza sponsored by Acme").
fn introduces_person(tokens: &[Token], classes: &[WordClass], i: usize) -> bool {
    let Some(next) = tokens.get(i + 1) else {
        return false;
    };
    let after_logistics = i > 0 && classes[i - 1] == WordClass::Logistics;
    !next.break_before
        && next.starts_upper()
        && classes[i + 1] == WordClass::Content
        && !after_logistics
}

/// True if the word at `i` and the one before it read like a person's name:
/// two capitalised content words with no punctuation between, not right
/// after a venue word or "at", "in", "near" ("Venue: Acme Works", "at Old
/// Mill" name places).
fn completes_name(tokens: &[Token], classes: &[WordClass], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let (first, second) = (&tokens[i - 1], &tokens[i]);
    let pair = !second.break_before
        && second.is_capitalised()
        && first.is_capitalised()
        && classes[i - 1] == WordClass::Content
        && classes[i] == WordClass::Content;
    let after_place_word = i >= 2
        && (classes[i - 2] == WordClass::Logistics
            || matches!(tokens[i - 2].lower.as_str(), "at" | "in" | "near"));
    pair && !after_place_word
}

/// What Markdown scanning leaves: the visible text and the structure counts.
#[derive(Debug, Default)]
struct Scan {
    /// The words a reader sees, link targets and code left out.
    text: String,
    links: usize,
    material_links: usize,
    logistics_links: usize,
    code: usize,
    headings: usize,
    list_items: usize,
}

impl Scan {
    fn add_link(&mut self, target: &str) {
        let target = target.trim();
        if target.is_empty() {
            return;
        }
        self.links += 1;
        match classify_link(target) {
            LinkClass::Material => self.material_links += 1,
            LinkClass::Logistics => self.logistics_links += 1,
            LinkClass::Other => {}
        }
    }
}

/// Walks the body line by line: fences, rules, headings, list items; the
/// rest of each line goes to [`scan_inline`]. Runs in one pass, so a
/// maximum-size body costs no more than reading it.
fn scan_markdown(markdown: &str, scan: &mut Scan) {
    let mut fence: Option<&str> = None;
    let mut after_paragraph = false;
    for raw in markdown.lines() {
        let line = raw.trim();
        if let Some(marker) = fence {
            if line.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if line.starts_with("```") || line.starts_with("~~~") {
            fence = Some(&line[..3]);
            scan.code += 1;
            after_paragraph = false;
            scan.text.push('\n');
            continue;
        }
        if line.is_empty() {
            after_paragraph = false;
            scan.text.push('\n');
            continue;
        }
        if let Some(underline) = rule_char(line) {
            // "Title\n-----" is a heading; a rule after a blank line is not.
            if after_paragraph && matches!(underline, '=' | '-') {
                scan.headings += 1;
            }
            after_paragraph = false;
            scan.text.push('\n');
            continue;
        }
        let mut rest = line;
        while let Some(r) = rest.strip_prefix('>') {
            rest = r.trim_start();
        }
        after_paragraph = true;
        if let Some(r) = strip_heading(rest) {
            scan.headings += 1;
            after_paragraph = false;
            rest = r;
        } else if let Some(r) = strip_list_marker(rest) {
            scan.list_items += 1;
            after_paragraph = false;
            rest = r;
        }
        scan_inline(rest, scan);
        scan.text.push('\n');
    }
}

/// The character of a rule or setext underline (`---`, `===`, `***`), if
/// the line is one.
fn rule_char(line: &str) -> Option<char> {
    let mut chars = line.chars().filter(|c| *c != ' ');
    let first = chars.next()?;
    let (count, same) = chars.fold((1, true), |(n, same), c| (n + 1, same && c == first));
    let enough = match first {
        '=' | '-' => count >= 2,
        '*' | '_' => count >= 3,
        _ => false,
    };
    (same && enough).then_some(first)
}

/// The text of an ATX heading (`## Talks`), without its markers.
fn strip_heading(line: &str) -> Option<&str> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

/// The text of a list item (`* x`, `- x`, `+ x`, `1. x`, `2) x`).
fn strip_list_marker(line: &str) -> Option<&str> {
    for bullet in ["* ", "- ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return Some(rest.trim_start());
        }
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        for marker in [". ", ") "] {
            if let Some(rest) = rest.strip_prefix(marker) {
                return Some(rest.trim_start());
            }
        }
    }
    None
}

/// Copies the visible text of one line into `scan.text`, taking out link
/// targets, autolinks, bare URLs, HTML tag names and code spans.
fn scan_inline(line: &str, scan: &mut Scan) {
    let mut i = 0;
    // The length of the backtick run that opened a code span, and what the
    // span held so far (put back as text if the span never closes).
    let mut open_code: Option<usize> = None;
    let mut pending = String::new();
    let mut previous = ' ';
    while let Some(c) = line[i..].chars().next() {
        let rest = &line[i..];
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            match open_code {
                Some(opened) if opened == run => {
                    scan.code += 1;
                    pending.clear();
                    open_code = None;
                    scan.text.push(' ');
                }
                Some(_) => pending.push_str(&rest[..run]),
                None => open_code = Some(run),
            }
            i += run;
            previous = '`';
            continue;
        }
        if open_code.is_some() {
            pending.push(c);
            i += c.len_utf8();
            continue;
        }
        if let Some(target) = rest.strip_prefix("](") {
            // The text of the link has been copied already; skip its target.
            i += 2 + skip_link_target(target, scan);
            scan.text.push(']');
            previous = ')';
            continue;
        }
        if c == '<' {
            let inner = &rest[1..];
            if starts_with_url(inner) || starts_with_ignore_case(inner, "mailto:") {
                let end = inner
                    .find(|ch: char| ch == '>' || ch.is_whitespace())
                    .unwrap_or(inner.len());
                scan.add_link(&inner[..end]);
                let closing = usize::from(inner[end..].starts_with('>'));
                i += 1 + end + closing;
                scan.text.push(' ');
                previous = '>';
                continue;
            }
            let name = inner.strip_prefix('/').unwrap_or(inner);
            if name.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
                // An HTML tag: its name is not a word of the post.
                let name_len = name.len()
                    - name
                        .trim_start_matches(|ch: char| ch.is_ascii_alphanumeric())
                        .len();
                i += 1 + (inner.len() - name.len()) + name_len;
                scan.text.push(' ');
                previous = ' ';
                continue;
            }
        }
        if !previous.is_alphanumeric() && starts_with_url(rest) {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>' | '"'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
            scan.add_link(url);
            i += url.len().max(1);
            scan.text.push(' ');
            previous = ' ';
            continue;
        }
        scan.text.push(c);
        previous = c;
        i += c.len_utf8();
    }
    if let Some(run) = open_code {
        scan.text.push(' ');
        scan.text.push_str(&"`".repeat(run));
        scan.text.push_str(&pending);
    }
}

/// Reads a link target after `](` (the URL, an optional title and the
/// closing parenthesis), records the URL, and returns the bytes used.
fn skip_link_target(s: &str, scan: &mut Scan) -> usize {
    let lead = s.len() - s.trim_start().len();
    let d = &s[lead..];
    let (url, used) = if let Some(inner) = d.strip_prefix('<') {
        let end = inner.find('>').unwrap_or(inner.len());
        let closing = usize::from(inner[end..].starts_with('>'));
        (&inner[..end], 1 + end + closing)
    } else {
        // Parentheses inside a URL are balanced (Wikipedia's "(disambiguation)").
        let mut depth = 0usize;
        let mut end = d.len();
        for (j, ch) in d.char_indices() {
            if ch.is_whitespace() {
                end = j;
                break;
            }
            if ch == '(' {
                depth += 1;
            } else if ch == ')' {
                if depth == 0 {
                    end = j;
                    break;
                }
                depth -= 1;
            }
        }
        (&d[..end], end)
    };
    scan.add_link(url);
    // Whatever follows the URL up to the closing parenthesis is a title,
    // shown only as a tooltip.
    let tail = &d[used..];
    let close = tail.find(')').map_or(tail.len(), |p| p + 1);
    lead + used + close
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn starts_with_url(s: &str) -> bool {
    ["http://", "https://", "www."]
        .iter()
        .any(|p| starts_with_ignore_case(s, p))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkClass {
    Material,
    Logistics,
    Other,
}

/// Sorts a link by where it points; see the module documentation.
fn classify_link(target: &str) -> LinkClass {
    let lower = target.to_lowercase();
    if lower.starts_with("mailto:") {
        return LinkClass::Logistics;
    }
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(split);
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));

    let logistics_host = [
        "meetup.com",
        "meetu.ps",
        "eventbrite.com",
        "eventbrite.co.uk",
        "eventbrite.de",
        "lu.ma",
        "ti.to",
        "tito.io",
        "openstreetmap.org",
        "osm.org",
        "zoom.us",
        "meet.google.com",
        "meet.jit.si",
        "teams.microsoft.com",
    ]
    .iter()
    .any(|d| on(d));
    let logistics_path = ["route", "direction", "location", "parking", "/maps"]
        .iter()
        .any(|p| path.contains(p))
        || path.ends_with(".ics")
        || host.starts_with("maps.")
        || (on("goo.gl") && path.starts_with("/maps"))
        || (on("facebook.com") && path.starts_with("/events"));
    if logistics_host || logistics_path {
        return LinkClass::Logistics;
    }

    let material_host = [
        "github.com",
        "github.io",
        "gitlab.com",
        "codeberg.org",
        "bitbucket.org",
        "sr.ht",
        "slideshare.net",
        "speakerdeck.com",
        "slides.com",
        "noti.st",
        "youtube.com",
        "youtu.be",
        "vimeo.com",
        "media.ccc.de",
        "asciinema.org",
        "nbviewer.org",
        "pypi.org",
        "pypi.python.org",
        "crates.io",
        "docs.rs",
        "npmjs.com",
        "readthedocs.io",
        "zenodo.org",
    ]
    .iter()
    .any(|d| on(d))
        || host.contains("peertube")
        || host.starts_with("docs.")
        || host.starts_with("tube.");
    let material_path = [".pdf", ".ppt", ".pptx", ".key", ".odp", ".ipynb"]
        .iter()
        .any(|ext| path.ends_with(ext))
        || ["slides", "talk", "presentation", "recording", "video"]
            .iter()
            .any(|p| path.contains(p));
    if material_host || material_path {
        LinkClass::Material
    } else {
        LinkClass::Other
    }
}

/// One word of the post.
#[derive(Debug)]
struct Token {
    lower: String,
    first_upper: bool,
    has_lower: bool,
    /// Punctuation or a line break stands between this word and the last.
    break_before: bool,
}

impl Token {
    fn starts_upper(&self) -> bool {
        self.first_upper
    }

    /// Capitalised like a name ("Jane", "McKay"), not shouted ("RSVP").
    fn is_capitalised(&self) -> bool {
        self.first_upper && self.has_lower
    }
}

/// Splits text into words: runs of letters and digits. Apostrophes split
/// too ("Python's" gives "python" and "s"), which the word lists allow for.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut pending_break = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        push_token(&mut word, &mut pending_break, &mut tokens);
        if is_break(c) {
            pending_break = true;
        }
    }
    push_token(&mut word, &mut pending_break, &mut tokens);
    tokens
}

fn push_token(word: &mut String, pending_break: &mut bool, tokens: &mut Vec<Token>) {
    if word.is_empty() {
        return;
    }
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    let has_lower = word.chars().any(char::is_lowercase);
    tokens.push(Token {
        lower: word.to_lowercase(),
        first_upper,
        has_lower,
        break_before: *pending_break,
    });
    *pending_break = false;
    word.clear();
}

/// Punctuation that ends a phrase, so that the words on either side are not
/// read as one name.
fn is_break(c: char) -> bool {
    "\n.,;:!?()[]{}|\"/“”`>".contains(c)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Logistics,
    Filler,
    Topic,
    Speaker,
    Content,
}

/// Sorts one lowercase word; see the module documentation.
fn classify(word: &str) -> WordClass {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return WordClass::Logistics;
    }
    if let Some(class) = word_table().get(word) {
        return *class;
    }
    if word.chars().count() < 2 {
        WordClass::Filler
    } else {
        WordClass::Content
    }
}

/// The word lists below as one lookup table, built on first use. Where a
/// word is in two lists the later one wins: topic and speaker words over
/// logistics, logistics over filler.
fn word_table() -> &'static HashMap<&'static str, WordClass> {
    static TABLE: OnceLock<HashMap<&'static str, WordClass>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lists = [
            (FILLER_WORDS, WordClass::Filler),
            (CALENDAR_WORDS, WordClass::Logistics),
            (VENUE_WORDS, WordClass::Logistics),
            (FOOD_WORDS, WordClass::Logistics),
            (SIGNUP_WORDS, WordClass::Logistics),
            (SPEAKER_WORDS, WordClass::Speaker),
            (TOPIC_WORDS, WordClass::Topic),
        ];
        let mut table = HashMap::new();
        for (list, class) in lists {
            for word in list.split_whitespace() {
                table.insert(word, class);
            }
        }
        table
    })
}

/// Words that name talks, topics, or what was decided or learned.
const TOPIC_WORDS: &str = "
    agenda agreed answered asked charla charlas covered decided decisions demo
    demonstrated demonstration demos discuss discussed discussion discussions dojo
    explained exposé exposés founded hackathon interventi intervento interview
    introduced kata keynote learned learnt lezing lezingen lightning livecoding
    palestra palestras panel presentation presentations présentation présentations
    question questions recorded recording showed shown slide slides sprint sprints
    talk talks topic topics tutorial tutorials vortrag vorträge workshop workshops
";

/// Words that say someone spoke ("by" is handled apart, see
/// [`introduces_person`]).
const SPEAKER_WORDS: &str = "
    demoed gave interviewed led presented presenter presenters presenting speak
    speaker speakers speaks spoke talked
";

/// Weekdays, months, times of day, spans of time, number words, time zones.
const CALENDAR_WORDS: &str = "
    afternoon am apr april aug august bst cest cet clock date dates day days dec
    december dozen early edt eight eleven est evening feb february fifth first five
    four fourth fri friday gmt half hour hours hundred ist january jul july jun june
    late mar march may midday midnight min mins minute minutes mon monday month
    monthly months morning nd night nine noon nov november oct october one pdt pm
    pst rd sat saturday second sep sept september seven sharp six st sun sunday ten
    th third thirty three thu thur thurs thursday time times today tomorrow tonight
    tue tues tuesday twelve twenty twice two utc wed wednesday week weekend weekly
    weeks year years yesterday
";

/// Venues, addresses, getting there, hosts and sponsors, online rooms.
const VENUE_WORDS: &str = "
    address airport auditorium ave avenue bar basement behind block blvd boulevard
    brewery building bus cafe café campus center centraal central centre city
    college corner courtesy coworking directions district door doors downstairs
    downtown drive east entrance floor gate ground hall headquarters host hosted
    hosting hosts hotel hq hub jitsi kindly lab lane level library livestream lobby
    location main map maps metro near north office offices online opp opposite
    parking place plaza pub reception restaurant road room rooms route school sector
    south space sponsor sponsored sponsoring sponsors sq square station street
    subway suite tower town train tram unit university upstairs venue venues west
    zoom
";

/// Food and drink.
const FOOD_WORDS: &str = "
    beer beers breakfast brunch buffet burgers cake cakes catered catering coffee
    cookies dietary dinner donuts doughnuts drink drinking drinks eat eating food
    fruit gluten halal juice kosher lunch pizza pizzas provided refreshments
    sandwich sandwiches served snack snacks soda sodas sushi tacos tea vegan
    vegetarian veggie water wine
";

/// Signing up, coming along, the meeting as an occasion.
const SIGNUP_WORDS: &str = "
    arrive attend attendance attendees attending begin begins calendar came capacity
    come coming end ends event eventbrite events finish free gathering invitation
    invite join joined joining limited meet meeting meetings meetup meetups met open
    opens register registered registering registration rsvp rsvps seat seats sign
    signup spot spots start starting starts ticket tickets visit waitlist
";

/// Greetings, thanks, praise without content, and common small words.
const FILLER_WORDS: &str = "
    a about above after again against all also always amazing an and announced any
    are aren around as at awesome back be because been before being below between
    big both brilliant bring but by can cheers cool could couldn dear details did
    didn do does doesn doing don down during each enjoy enjoyed etc even every
    everybody everyone excellent fantastic few folks for forget forward friend
    friends from fun further get glad go going good got great guys had happy has
    have having he hello her here hers hey hi him his hope how if in info into is
    isn it its just last let like ll looking lot lots lovely made make many me
    members more most much my new next nice no nor not note now of off ok okay on
    once only or other our ours out over own people per please re really reminder
    same see she should shouldn so some soon stay still such super tba tbc tbd than
    thank thanks that the their them then there these they this those through thx to
    too tuned under until up us usual ve very via was wasn we welcome well went were
    weren what when where which while who whom why will with won wonderful would
    wouldn yes you your yours
";

/// The most characters a title may have.
pub const MAX_TITLE_CHARS: usize = 150;

/// The most characters a summary may have.
pub const MAX_SUMMARY_CHARS: usize = 300;

/// The most bytes a post's Markdown body may have.
pub const MAX_BODY_BYTES: usize = 200_000;

/// The most tags a post may carry.
pub const MAX_TAGS: usize = 10;

/// The most characters a tag may have.
pub const MAX_TAG_CHARS: usize = 30;

/// The URL slug for a post's title ("Rust & WebAssembly, Zürich" →
/// "rust-webassembly-zurich"), at most 59 characters; "post" when the title
/// has no letters or digits that fit a URL.
pub fn slugify_title(title: &str) -> String {
    // The roster's slugify falls back to "group" for an empty result; a
    // leading "post" word lets an empty title be told apart from a title
    // that really is "Group", at the cost of five of the 64 characters.
    let slug = slugify(&format!("post {title}"));
    match slug.strip_prefix("post-") {
        Some(rest) => rest.to_owned(),
        None => "post".to_owned(),
    }
}

/// Parses tags typed as one line, separated by commas or spaces: each is
/// lowercased (a leading `#` is dropped), must be lowercase letters, digits
/// and inner dashes, at most 30 characters; repeats are dropped; at most 10.
pub fn parse_tags(input: &str) -> Result<Vec<String>, InvalidInput> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split(|c: char| c == ',' || c.is_whitespace()) {
        let tag = raw.trim_start_matches('#').to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(InvalidInput::new(
                "tags",
                format!("{raw:?} is too long; a tag has at most {MAX_TAG_CHARS} characters."),
            ));
        }
        if !is_slug(&tag) {
            return Err(InvalidInput::new(
                "tags",
                format!(
                    "{raw:?} is not a tag; use lowercase letters, digits and dashes, like web-dev."
                ),
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
        if tags.len() > MAX_TAGS {
            return Err(InvalidInput::new(
                "tags",
                format!("Use at most {MAX_TAGS} tags."),
            ));
        }
    }
    Ok(tags)
}

/// Checks a post's title: required, one line, at most 150 characters.
/// Returns it trimmed.
pub fn check_title(input: &str) -> Result<String, InvalidInput> {
    let title = input.trim();
    if title.is_empty() {
        return Err(InvalidInput::new("title", "A post needs a title."));
    }
    if has_control_chars(title) {
        return Err(InvalidInput::new(
            "title",
            "The title must be one line, without tabs or other control characters.",
        ));
    }
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(InvalidInput::new(
            "title",
            format!(
                "The title is too long: at most {MAX_TITLE_CHARS} characters, this one has {chars}."
            ),
        ));
    }
    Ok(title.to_owned())
}

/// Checks a post's summary (shown in lists and feeds): optional, at most
/// 300 characters. Line breaks and runs of spaces become single spaces;
/// `None` when it is blank.
pub fn check_summary(input: &str) -> Result<Option<String>, InvalidInput> {
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(InvalidInput::new(
            "summary",
            "The summary contains control characters; remove them.",
        ));
    }
    let summary = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if summary.is_empty() {
        return Ok(None);
    }
    let chars = summary.chars().count();
    if chars > MAX_SUMMARY_CHARS {
        return Err(InvalidInput::new(
            "summary",
            format!(
                "The summary is too long: at most {MAX_SUMMARY_CHARS} characters, this one has \
                 {chars}. One or two sentences read best in lists and feeds."
            ),
        ));
    }
    Ok(Some(summary))
}

/// Checks a post's Markdown body: at most [`MAX_BODY_BYTES`], and no
/// control characters other than line breaks and tabs.
pub fn check_body(markdown: &str) -> Result<(), InvalidInput> {
    if markdown.len() > MAX_BODY_BYTES {
        return Err(InvalidInput::new(
            "body",
            "The post is longer than 200,000 characters; split it into parts.",
        ));
    }
    if markdown
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(InvalidInput::new(
            "body",
            "The post contains control characters (invisible characters that cannot be \
             shown); remove them.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(body: &str) -> Substance {
        check_substance(PostKind::MeetingReport, "", body)
    }

    // ---- Posts that say something: they pass. ----

    const TALK_LIST: &str = "\
### Talks

* 25 min - \"Packaging without tears: pyproject.toml in practice\" - *Marta Kowalczyk*
* 10 min - Lightning talk: property-based testing with Hypothesis - *Sam Okafor*
* break
* 25 min - \"Why our pandas pipeline got ten times faster\" \
([slides](https://speakerdeck.com/example/pandas-faster)) - *Lena Fischer*

About thirty people came; the questions after Lena's talk went on so long that
we skipped the second break.
";

    const WORKSHOP_RECAP: &str = "\
This month we ran a hands-on workshop on async Rust instead of talks. Priya
walked everyone through futures, executors and why blocking inside async code
stalls a whole runtime. Then we paired up and built a tiny chat server with
tokio; most pairs had messages flowing between two terminals, and a few added
nicknames and a `/quit` command.

The exercise and a reference solution are on Codeberg:
https://codeberg.org/example/async-chat-workshop
";

    const INTERVIEW: &str = "\
**How did you become an organizer?**

I moved to Porto for a job and could not find a Python group, so I wrote to
the national mailing list asking whether anyone wanted to start one. Four
people answered within a day.

**What surprised you?**

How many students turn up. We assumed working developers would be the core,
but half the room study at the polytechnic, and they give the most
adventurous talks.
";

    const SHORT_WITH_SLIDES: &str = "\
Tomás gave a talk on profiling with py-spy and showed how he tracked a slow
regular expression down in production.

Slides: https://speakerdeck.com/example/py-spy-in-production
";

    const PLANNING_MINUTES: &str = "\
## Minutes

We discussed plans for a regional conference in the autumn. Everyone agreed
that the campus is the first choice because it has lecture theatres and good
transport links.

* Two tracks over one day, sessions in English and Spanish.
* The call for proposals opens next week; Ana drafts the text.
* We approach local companies for sponsorship; Diego keeps the list of contacts.
";

    const ANNOUNCEMENT_WITH_TALKS: &str = "\
On Thursday 14 March we have two talks. Ana Lima will show how she maps flood
risk with GeoPandas and open elevation data, and Ben Carter will explain what
changed in the free-threaded build of CPython and how to test extension
modules against it.
";

    const HOW_WE_STARTED: &str = "\
Three of us kept bumping into each other at the programming shelf of a
bookshop in Kisumu. Over chai we wondered aloud whether anyone else in town
wrote Python, so we printed a poster and pinned it up in the polytechnic
canteen and two cyber cafés. Eleven strangers turned up in a borrowed
classroom. Everybody described a script they were proud of: a tool that
tallied fish prices at the market, a scraper for bus timetables, a small game
for a younger sister. We still open every evening that way, and newcomers say
it is the part they remember.
";

    const CODE_DEMO: &str = "\
Sara demoed structural pattern matching on real log lines:

```python
match line.split():
    case [\"GET\", path, *_]:
        handle(path)
```

Afterwards we compared it with the chain of if-statements it replaced, and
most of us preferred the match version for readability.
";

    #[test]
    fn real_style_reports_pass() {
        let cases = [
            ("talk list", PostKind::MeetingReport, TALK_LIST),
            ("workshop recap", PostKind::MeetingReport, WORKSHOP_RECAP),
            ("interview", PostKind::Interview, INTERVIEW),
            (
                "short with slides",
                PostKind::MeetingReport,
                SHORT_WITH_SLIDES,
            ),
            (
                "planning minutes",
                PostKind::MeetingReport,
                PLANNING_MINUTES,
            ),
            (
                "announcement",
                PostKind::Announcement,
                ANNOUNCEMENT_WITH_TALKS,
            ),
            ("how we started", PostKind::HowWeStarted, HOW_WE_STARTED),
            ("code demo", PostKind::MeetingReport, CODE_DEMO),
        ];
        for (name, kind, body) in cases {
            let verdict = check_substance(kind, "", body);
            assert!(verdict.passes, "{name} should pass: {:?}", verdict.signals);
            assert!(verdict.advice.is_empty(), "{name}: {:?}", verdict.advice);
            assert_eq!(verdict.state_on_submit(), PostState::Published);
        }
    }

    #[test]
    fn the_signals_behind_a_talk_list() {
        let s = report(TALK_LIST).signals;
        assert_eq!(s.headings, 1);
        assert_eq!(s.list_items, 4);
        assert_eq!(s.links, 1);
        assert_eq!(s.material_links, 1);
        assert!(s.topic_markers >= 3, "{s:?}");
        assert!(s.name_pairs >= 3, "{s:?}");
        assert!(s.distinct_content_words >= 25, "{s:?}");
    }

    #[test]
    fn a_story_passes_on_words_alone() {
        let s = check_substance(PostKind::HowWeStarted, "", HOW_WE_STARTED).signals;
        assert_eq!(s.substance_signals(), 0, "{s:?}");
        assert!(s.distinct_content_words >= MIN_DISTINCT_ALONE, "{s:?}");
    }

    #[test]
    fn code_counts_as_a_signal_and_its_words_are_set_aside() {
        let s = report(CODE_DEMO).signals;
        assert_eq!(s.code, 1);
        let inline = report("We tried `asyncio.TaskGroup` and `contextvars`.").signals;
        assert_eq!(inline.code, 2);
        assert_eq!(inline.content_words, 1, "only 'tried': {inline:?}");
    }

    // ---- Posts that are only logistics: held back. ----

    const BARE: &str = "Meeting on 5 June at 7pm at the library, pizza provided";

    const NEXT_MEETUP: &str = "Next meetup: Tuesday 12 March, 18:30, Room 101, Main \
        Library, 5 Market Street. Pizza and drinks provided, RSVP on Meetup.";

    const THANKS_ONLY: &str = "We met.\nIt was fun.\nThanks to our host and see you next month!";

    const LONGER_THANKS: &str = "Thanks everyone for coming last night! It was great to \
        see so many new faces. Big thanks to Acme for hosting us and for the pizza. \
        See you next month!";

    const LOGISTICS_ANNOUNCEMENT: &str = "\
Join us for the June meetup!

Thursday 6 June, doors open at 18:00, talks start at 18:30.
Venue: Acme Corp, 3rd floor, 221 Baker Street, London.
Food and drinks sponsored by Acme. Register on Meetup:
https://www.meetup.com/example-python/events/301234567/
";

    const STRUCTURED_LOGISTICS: &str = "\
## Details

* **Venue:** Acme Works, 2nd floor, Tower C, Diamond District, Airport Road
  (opposite the petrol pump, near the flyover)
* **Time:** 3pm to 5pm on 3 May
* **Food:** snacks and coffee provided

## RSVP

[Map](https://www.openstreetmap.org/?mlat=12.95&mlon=77.64) -
[RSVP here](https://www.meetup.com/example-python/events/301234568/)
";

    #[test]
    fn logistics_only_posts_are_held() {
        let padded = format!("{NEXT_MEETUP}\n\n").repeat(50);
        let padded_bare = format!("{BARE}. ").repeat(200);
        let praise = "Great talk! ".repeat(100);
        let cases: Vec<(&str, PostKind, &str, &str)> = vec![
            ("bare", PostKind::MeetingReport, "", BARE),
            (
                "next meetup",
                PostKind::MeetingReport,
                "Next meetup",
                NEXT_MEETUP,
            ),
            ("padded", PostKind::MeetingReport, "", &padded),
            ("padded bare", PostKind::MeetingReport, "", &padded_bare),
            ("thanks only", PostKind::MeetingReport, "", THANKS_ONLY),
            (
                "longer thanks",
                PostKind::MeetingReport,
                "Thank you!",
                LONGER_THANKS,
            ),
            (
                "logistics announcement",
                PostKind::Announcement,
                "June meetup",
                LOGISTICS_ANNOUNCEMENT,
            ),
            (
                "structured logistics",
                PostKind::Announcement,
                "",
                STRUCTURED_LOGISTICS,
            ),
            ("empty", PostKind::MeetingReport, "", ""),
            ("blank", PostKind::MeetingReport, "  ", "\n \n\t\n"),
            (
                "meetup link only",
                PostKind::MeetingReport,
                "",
                "https://www.meetup.com/example-python/events/301234567/",
            ),
            (
                "meetup link with text",
                PostKind::MeetingReport,
                "",
                "[RSVP here](https://www.meetup.com/example-python/events/301234567/)",
            ),
            ("repeated praise", PostKind::MeetingReport, "", &praise),
        ];
        for (name, kind, title, body) in cases {
            let verdict = check_substance(kind, title, body);
            assert!(
                !verdict.passes,
                "{name} should be held: {:?}",
                verdict.signals
            );
            assert!(!verdict.advice.is_empty(), "{name} needs advice");
            assert_eq!(verdict.state_on_submit(), PostState::InReview);
        }
    }

    #[test]
    fn padding_adds_no_distinct_words() {
        let once = report(NEXT_MEETUP).signals;
        let many = report(&format!("{NEXT_MEETUP}\n").repeat(50)).signals;
        assert_eq!(once.distinct_content_words, many.distinct_content_words);
        assert_eq!(many.words, once.words * 50);
    }

    #[test]
    fn a_talk_word_alone_is_not_enough() {
        let s = check_substance(PostKind::Announcement, "", LOGISTICS_ANNOUNCEMENT).signals;
        assert!(s.topic_markers >= 1, "{s:?}");
        assert_eq!(
            s.speaker_markers, 0,
            "'sponsored by Acme' is no speaker: {s:?}"
        );
        assert_eq!(s.logistics_links, 1);
        assert!(s.distinct_content_words < MIN_DISTINCT_WITH_SIGNAL, "{s:?}");
    }

    #[test]
    fn headings_and_lists_alone_do_not_pass() {
        let s = check_substance(PostKind::Announcement, "", STRUCTURED_LOGISTICS).signals;
        assert_eq!(s.headings, 2);
        assert_eq!(s.list_items, 3);
        assert_eq!(s.logistics_links, 2);
        assert_eq!(s.substance_signals(), 0, "{s:?}");
    }

    #[test]
    fn advice_for_a_bare_report_names_what_is_missing() {
        let verdict = report(BARE);
        assert_eq!(
            verdict.advice,
            vec![
                "What was covered? Name the talks or topics.",
                "Who spoke? Name the speakers.",
                "Link to slides, code or recordings if there are any.",
                "The date, time, venue and food belong to the event itself; \
                 the post is for what happened and what people learned.",
            ]
        );
        assert_eq!(verdict.signals.content_words, 0);
        assert_eq!(verdict.signals.logistics_words, 7);
    }

    #[test]
    fn advice_for_an_announcement_asks_what_is_coming() {
        let verdict = check_substance(PostKind::Announcement, "", LOGISTICS_ANNOUNCEMENT);
        assert_eq!(
            verdict.advice[0],
            "What is coming? Name the talks or topics planned."
        );
        assert!(
            verdict
                .advice
                .contains(&"Who will speak? Name the speakers.")
        );
        assert!(verdict.advice.iter().any(|a| a.contains("venue")));
    }

    #[test]
    fn advice_leaves_out_what_is_there() {
        // Names a speaker and links slides, but says too little.
        let verdict =
            report("Jane Doe spoke. [Slides](https://speakerdeck.com/example/x). Pizza after.");
        assert!(!verdict.passes, "{:?}", verdict.signals);
        assert_eq!(
            verdict.advice,
            vec!["What was covered? Name the talks or topics."]
        );
    }

    #[test]
    fn thanks_get_questions_not_a_lecture_on_logistics() {
        let verdict = report(THANKS_ONLY);
        assert!(
            verdict
                .advice
                .contains(&"What was covered? Name the talks or topics.")
        );
        assert!(!verdict.advice.iter().any(|a| a.contains("venue")));
    }

    #[test]
    fn story_advice_fits_the_kind() {
        for (kind, start) in [
            (PostKind::HowWeStarted, "Tell the story"),
            (PostKind::TypicalMeeting, "Describe a meeting"),
            (PostKind::Interview, "Add the questions"),
            (PostKind::Article, "Say more"),
        ] {
            let verdict = check_substance(kind, "", BARE);
            assert!(verdict.advice[0].starts_with(start), "{kind:?}");
            assert!(!verdict.advice.iter().any(|a| a.contains("Who spoke")));
        }
    }

    #[test]
    fn by_names_a_speaker_but_not_a_sponsor() {
        let talk = report("A talk by Jane about parsers.").signals;
        assert_eq!(talk.speaker_markers, 1);
        let sponsor = report("Pizza sponsored by Acme.").signals;
        assert_eq!(sponsor.speaker_markers, 0);
        let lower = report("Sorted by hand.").signals;
        assert_eq!(lower.speaker_markers, 0);
    }

    #[test]
    fn links_are_sorted_by_where_they_point() {
        assert_eq!(
            classify_link("https://speakerdeck.com/a/b"),
            LinkClass::Material
        );
        assert_eq!(classify_link("https://youtu.be/abc"), LinkClass::Material);
        assert_eq!(
            classify_link("https://example.org/files/talk.pdf"),
            LinkClass::Material
        );
        assert_eq!(
            classify_link("https://video.example.org/w/abc"),
            LinkClass::Other
        );
        assert_eq!(
            classify_link("https://peertube.example.org/w/abc"),
            LinkClass::Material
        );
        assert_eq!(
            classify_link("https://www.meetup.com/g/events/1"),
            LinkClass::Logistics
        );
        assert_eq!(
            classify_link("https://example.org/downloads/Routebeschrijving.pdf"),
            LinkClass::Logistics
        );
        assert_eq!(
            classify_link("http://maps.google.com/maps?q=x"),
            LinkClass::Logistics
        );
        assert_eq!(classify_link("mailto:a@example.org"), LinkClass::Logistics);
        assert_eq!(classify_link("https://notgithub.com/x"), LinkClass::Other);
    }

    #[test]
    fn link_targets_are_not_words() {
        let s = report(
            "[a](https://example.org/one/two/three) <https://example.org/four/five> \
             https://example.org/six/seven ![photo](https://example.org/eight.jpg \"nine ten\")",
        )
        .signals;
        assert_eq!(s.links, 4);
        assert_eq!(s.words, 2, "only 'a' and 'photo': {s:?}");
    }

    #[test]
    fn setext_headings_and_rules_are_told_apart() {
        let s = report("Agenda\n------\n\n* one\n\n---\n\nSummary\n=======\n").signals;
        assert_eq!(s.headings, 2);
        assert_eq!(s.list_items, 1);
    }

    #[test]
    fn an_unclosed_backtick_keeps_its_words() {
        let s = report("It's 5 o`clock somewhere in Lisbon").signals;
        assert_eq!(s.code, 0);
        assert!(s.words >= 5, "{s:?}");
    }

    #[test]
    fn hostile_markdown_is_checked_in_linear_time() {
        // Each of these would take minutes if every opener rescanned the line.
        for unit in ["[", "](", "<", "`", "<a", "``` ", "](<", "![x]("] {
            let body = unit.repeat(MAX_BODY_BYTES / unit.len());
            let verdict = report(&body);
            assert!(!verdict.passes);
        }
    }

    #[test]
    fn the_title_counts_too() {
        let body = "Thursday, 7pm, library.";
        let without = report(body);
        assert!(!without.passes);
        let title = "Talk: building offline maps for rural clinics with Rust and SQLite";
        let with = check_substance(PostKind::MeetingReport, title, body);
        assert!(with.signals.distinct_content_words > without.signals.distinct_content_words);
    }

    #[test]
    fn word_lists_are_lowercase_without_repeats() {
        for list in [
            TOPIC_WORDS,
            SPEAKER_WORDS,
            CALENDAR_WORDS,
            VENUE_WORDS,
            FOOD_WORDS,
            SIGNUP_WORDS,
            FILLER_WORDS,
        ] {
            let words: Vec<&str> = list.split_whitespace().collect();
            let distinct: HashSet<&str> = words.iter().copied().collect();
            assert_eq!(words.len(), distinct.len(), "{list}");
            assert!(words.iter().all(|w| *w == w.to_lowercase()), "{list}");
        }
        assert_eq!(classify("talks"), WordClass::Topic);
        assert_eq!(classify("gave"), WordClass::Speaker);
        assert_eq!(classify("pizza"), WordClass::Logistics);
        assert_eq!(classify("18h30"), WordClass::Logistics);
        assert_eq!(classify("the"), WordClass::Filler);
        assert_eq!(classify("x"), WordClass::Filler);
        assert_eq!(classify("hypothesis"), WordClass::Content);
    }

    // ---- Kinds and states. ----

    #[test]
    fn kinds_round_trip() {
        for kind in PostKind::ALL {
            assert_eq!(PostKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.label().is_empty());
        }
        assert_eq!(
            PostKind::parse(" Meeting-Report "),
            Some(PostKind::MeetingReport)
        );
        assert_eq!(
            PostKind::parse("how we started"),
            Some(PostKind::HowWeStarted)
        );
        assert_eq!(PostKind::parse("essay"), None);
        assert_eq!(PostKind::MeetingReport.label(), "Meeting report");
        assert_eq!(PostKind::TypicalMeeting.as_str(), "typical_meeting");
    }

    #[test]
    fn stories_are_the_three_story_kinds() {
        let stories: Vec<PostKind> = PostKind::ALL.into_iter().filter(|k| k.is_story()).collect();
        assert_eq!(
            stories,
            vec![
                PostKind::HowWeStarted,
                PostKind::TypicalMeeting,
                PostKind::Interview
            ]
        );
    }

    #[test]
    fn states_round_trip() {
        for state in PostState::ALL {
            assert_eq!(PostState::parse(state.as_str()), Some(state));
        }
        assert_eq!(PostState::parse("In review"), Some(PostState::InReview));
        assert_eq!(PostState::InReview.as_str(), "in_review");
        assert_eq!(PostState::InReview.label(), "In review");
        assert_eq!(PostState::parse("deleted"), None);
    }

    // ---- Field checks. ----

    #[test]
    fn titles_become_slugs() {
        assert_eq!(
            slugify_title("Rust & WebAssembly, Zürich"),
            "rust-webassembly-zurich"
        );
        assert_eq!(slugify_title("Group"), "group");
        assert_eq!(slugify_title("Post"), "post");
        assert_eq!(slugify_title(""), "post");
        assert_eq!(slugify_title("!!! ???"), "post");
        let long = slugify_title(&"word ".repeat(40));
        assert!(long.len() <= 59 && is_slug(&long), "{long}");
    }

    #[test]
    fn tags_are_parsed() {
        assert_eq!(
            parse_tags("Rust, web-dev  #async,rust"),
            Ok(vec![
                "rust".to_owned(),
                "web-dev".to_owned(),
                "async".to_owned()
            ])
        );
        assert_eq!(parse_tags(" , "), Ok(vec![]));
        let err = parse_tags("café").unwrap_err();
        assert_eq!(err.field, "tags");
        assert!(err.message.contains("lowercase letters, digits and dashes"));
        assert!(parse_tags("-rust").is_err());
        let long = "a".repeat(31);
        assert!(
            parse_tags(&long)
                .unwrap_err()
                .message
                .contains("at most 30")
        );
        assert!(parse_tags(&"b".repeat(30)).is_ok());
        let ten = (0..10)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(parse_tags(&ten).map(|t| t.len()), Ok(10));
        assert_eq!(
            parse_tags(&format!("{ten},t10")).unwrap_err().message,
            "Use at most 10 tags."
        );
        // Repeats do not count against the limit.
        assert_eq!(parse_tags(&format!("{ten},t0,T1")).map(|t| t.len()), Ok(10));
    }

    #[test]
    fn titles_are_checked() {
        assert_eq!(
            check_title("  Our May meeting "),
            Ok("Our May meeting".to_owned())
        );
        assert_eq!(
            check_title("   ").unwrap_err().message,
            "A post needs a title."
        );
        assert!(
            check_title("two\nlines")
                .unwrap_err()
                .message
                .contains("one line")
        );
        assert!(check_title(&"x".repeat(150)).is_ok());
        let err = check_title(&"x".repeat(151)).unwrap_err();
        assert_eq!(err.field, "title");
        assert!(err.message.contains("at most 150"));
    }

    #[test]
    fn summaries_are_checked() {
        assert_eq!(check_summary(" \n "), Ok(None));
        assert_eq!(
            check_summary("Two talks\non  packaging."),
            Ok(Some("Two talks on packaging.".to_owned()))
        );
        assert!(check_summary("bell\u{7}").is_err());
        assert!(check_summary(&"y".repeat(300)).is_ok());
        let err = check_summary(&"y".repeat(301)).unwrap_err();
        assert_eq!(err.field, "summary");
        assert!(err.message.contains("at most 300"));
    }

    #[test]
    fn bodies_are_checked() {
        assert_eq!(check_body(""), Ok(()));
        assert_eq!(check_body(&"z".repeat(MAX_BODY_BYTES)), Ok(()));
        let err = check_body(&"z".repeat(MAX_BODY_BYTES + 1)).unwrap_err();
        assert_eq!(err.field, "body");
        assert_eq!(
            err.message,
            "The post is longer than 200,000 characters; split it into parts."
        );
        assert!(check_body("line\r\nline\ttab").is_ok());
        assert!(check_body("nul\u{0}").is_err());
    }
}
