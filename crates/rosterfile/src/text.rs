//! Small text helpers shared by the readers: HTML entities, whitespace,
//! emphasis marks, tidying the edges of a fragment, and the guesses about
//! what a short piece of text is (a place, a generic link label, a group name).

/// Decodes the HTML entity starting at the `&` at the start of `s`:
/// returns the text it stands for and how many bytes it used.
pub(crate) fn decode_entity(s: &str) -> Option<(String, usize)> {
    let body_end = s.get(1..)?.find(';')? + 1;
    if body_end > 12 {
        return None;
    }
    let body = &s[1..body_end];
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        let c = if code == 0 {
            '\u{FFFD}'
        } else {
            char::from_u32(code).unwrap_or('\u{FFFD}')
        };
        c.to_string()
    } else {
        named_entity(body)?.to_owned()
    };
    Some((decoded, body_end + 1))
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{A0}",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "laquo" => "«",
        "raquo" => "»",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "middot" => "·",
        "bull" => "•",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "aacute" => "á",
        "agrave" => "à",
        "acirc" => "â",
        "atilde" => "ã",
        "auml" => "ä",
        "aring" => "å",
        "aelig" => "æ",
        "ccedil" => "ç",
        "eacute" => "é",
        "egrave" => "è",
        "ecirc" => "ê",
        "euml" => "ë",
        "iacute" => "í",
        "igrave" => "ì",
        "icirc" => "î",
        "iuml" => "ï",
        "ntilde" => "ñ",
        "oacute" => "ó",
        "ograve" => "ò",
        "ocirc" => "ô",
        "otilde" => "õ",
        "ouml" => "ö",
        "oslash" => "ø",
        "uacute" => "ú",
        "ugrave" => "ù",
        "ucirc" => "û",
        "uuml" => "ü",
        "yacute" => "ý",
        "szlig" => "ß",
        "Aacute" => "Á",
        "Auml" => "Ä",
        "Aring" => "Å",
        "Ccedil" => "Ç",
        "Eacute" => "É",
        "Ntilde" => "Ñ",
        "Ouml" => "Ö",
        "Oslash" => "Ø",
        "Uuml" => "Ü",
        _ => return None,
    })
}

/// Decodes every entity in `s` (used for link targets and headings).
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('&')
            && let Some((text, used)) = decode_entity(rest)
        {
            out.push_str(&text);
            i += used;
            continue;
        }
        if let Some(c) = rest.chars().next() {
            out.push(c);
            i += c.len_utf8();
        } else {
            break;
        }
    }
    out
}

/// Collapses every run of whitespace (no-break spaces too) into one space and trims.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes emphasis marks: `**`, `__`, `~~`, backticks, the wiki's `'''` and
/// `''`, and single `*` or `_` unless they sit inside a word (`snake_case`).
pub(crate) fn strip_emphasis(s: &str) -> String {
    let s = s
        .replace("'''", "")
        .replace("''", "")
        .replace("**", "")
        .replace("__", "")
        .replace("~~", "")
        .replace('`', "");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '*' || c == '_' {
            let prev = if i == 0 { ' ' } else { chars[i - 1] };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if !(prev.is_alphanumeric() && next.is_alphanumeric()) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn is_edge_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | ';' | ',' | '|' | '·' | '•' | '/')
}

/// Tidies the edges of a fragment cut out of a line: separators such as
/// `-`, `:`, `,` or `|`, brackets left without their partner, empty `()`.
pub(crate) fn clean_fragment(s: &str) -> String {
    let mut t = collapse_ws(s);
    for empty in ["( )", "()", "[ ]", "[]"] {
        while t.contains(empty) {
            t = t.replace(empty, "");
        }
    }
    t = collapse_ws(&t);
    loop {
        let before = t.len();
        t = t.trim_matches(is_edge_separator).to_owned();
        if t.starts_with([')', ']']) {
            t.remove(0);
        }
        if t.ends_with(['(', '[']) {
            t.pop();
        }
        for (open, close) in [('(', ')'), ('[', ']')] {
            let opens = t.matches(open).count();
            let closes = t.matches(close).count();
            if t.starts_with(open) && opens > closes {
                t.remove(0);
            } else if t.ends_with(close) && closes > opens {
                t.pop();
            }
        }
        if t.len() == before {
            return t;
        }
    }
}

/// Lower-case words of `s` (letters and digits; `users'` gives `users`).
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words that only fill out a link label ("our", "page", "group"...).
const LABEL_FILLER: &[&str] = &[
    "a",
    "account",
    "and",
    "at",
    "board",
    "channel",
    "com",
    "community",
    "e",
    "fan",
    "for",
    "group",
    "groups",
    "here",
    "in",
    "join",
    "link",
    "links",
    "local",
    "main",
    "new",
    "of",
    "official",
    "old",
    "on",
    "or",
    "org",
    "our",
    "page",
    "pages",
    "profile",
    "server",
    "site",
    "the",
    "us",
    "via",
];

/// Words naming a kind of link or a service rather than a group.
const LABEL_SERVICES: &[&str] = &[
    "atom",
    "bitbucket",
    "blog",
    "bluesky",
    "calendar",
    "chat",
    "codeberg",
    "discord",
    "email",
    "event",
    "eventbrite",
    "events",
    "facebook",
    "fb",
    "feed",
    "flickr",
    "forum",
    "forums",
    "fosstodon",
    "github",
    "gitlab",
    "gitter",
    "google",
    "googlegroups",
    "home",
    "homepage",
    "instagram",
    "irc",
    "job",
    "jobs",
    "linkedin",
    "list",
    "lists",
    "luma",
    "mail",
    "maillist",
    "mailinglist",
    "mailing",
    "mastodon",
    "matrix",
    "medium",
    "meetup",
    "meetups",
    "members",
    "offers",
    "photos",
    "planet",
    "reddit",
    "rss",
    "signal",
    "slack",
    "telegram",
    "timepad",
    "trello",
    "twitter",
    "video",
    "videos",
    "web",
    "website",
    "whatsapp",
    "wiki",
    "x",
    "youtube",
    "zulip",
];

/// True when a link text or bullet names a service or a kind of link
/// ("Website", "Twitter", "Mailing list", "Google Groups page") rather than a group.
pub(crate) fn is_generic_label(s: &str) -> bool {
    let ws = words(s);
    !ws.is_empty()
        && ws
            .iter()
            .all(|w| LABEL_FILLER.contains(&w.as_str()) || LABEL_SERVICES.contains(&w.as_str()))
        && ws.iter().any(|w| LABEL_SERVICES.contains(&w.as_str()))
}

/// Words that mark text as being about a group rather than a place.
const GROUP_WORDS: &[&str] = &[
    "active",
    "association",
    "branch",
    "chapter",
    "club",
    "coders",
    "communities",
    "community",
    "conference",
    "data",
    "defunct",
    "developers",
    "devs",
    "discussion",
    "discussions",
    "django",
    "dojo",
    "enthusiasts",
    "events",
    "forum",
    "girls",
    "group",
    "groups",
    "hackers",
    "homepage",
    "interest",
    "jobs",
    "ladies",
    "language",
    "learning",
    "list",
    "mailing",
    "meeting",
    "meetings",
    "meets",
    "meetup",
    "meetups",
    "members",
    "national",
    "official",
    "page",
    "plone",
    "programmers",
    "pug",
    "science",
    "scientific",
    "sig",
    "site",
    "society",
    "started",
    "subgroup",
    "talks",
    "team",
    "user",
    "usergroup",
    "users",
    "web",
    "website",
    "wiki",
    "women",
    "workshop",
    "workshops",
    "zope",
];

/// True when `s` holds a word that belongs to a group's name or description
/// ("Python", "User Group", "Meetup", "PyLadies"...).
pub(crate) fn has_group_word(s: &str) -> bool {
    words(s)
        .iter()
        .any(|w| GROUP_WORDS.contains(&w.as_str()) || w.starts_with("py"))
}

/// Words that make a bullet's leading text a group's name ("Python ...",
/// "... User Group") rather than a heading over a list of groups.
pub(crate) fn names_a_group(s: &str) -> bool {
    words(s).iter().any(|w| {
        matches!(
            w.as_str(),
            "pug" | "user" | "users" | "group" | "django" | "meetup"
        ) || w.starts_with("py")
    })
}

/// A word with a capital after a small letter, like `PyRabat` or `BarodaPUG`:
/// a wiki page name or a group's handle, not a place.
fn is_camel_case(word: &str) -> bool {
    let mut seen_lower = false;
    for c in word.chars() {
        if c.is_lowercase() {
            seen_lower = true;
        } else if c.is_uppercase() && seen_lower {
            return true;
        }
    }
    false
}

/// Small words that may join the parts of a place name.
const PLACE_JOINERS: &[&str] = &[
    "al", "am", "an", "and", "au", "aux", "da", "das", "de", "del", "della", "den", "der", "des",
    "di", "do", "dos", "du", "e", "el", "en", "et", "im", "in", "la", "le", "les", "of", "on",
    "sur", "the", "upon", "van", "von", "y",
];

/// Guesses whether `s` names a place ("Cape Town", "Nairobi, Kenya",
/// "São Carlos / SP"): short, no sentence, no digits, no word about groups,
/// starting with a capital.
pub(crate) fn looks_like_place(s: &str) -> bool {
    let s = s.trim().trim_end_matches('.').trim();
    if s.is_empty() || s.chars().count() > 60 || s.split_whitespace().count() > 6 {
        return false;
    }
    if s.contains(|c: char| c.is_ascii_digit() || ":;!?@#*=<>[]{}|\"".contains(c))
        || s.contains(". ")
    {
        return false;
    }
    if has_group_word(s) || s.split_whitespace().any(is_camel_case) {
        return false;
    }
    // Place names keep small letters for joining words only ("Rio de Janeiro").
    let lower_word = |w: &&str| {
        w.chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_lowercase)
    };
    if s.split_whitespace()
        .filter(lower_word)
        .any(|w| !PLACE_JOINERS.contains(&w.trim_matches(|c: char| !c.is_alphabetic())))
    {
        return false;
    }
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && (c.is_uppercase() || !c.is_lowercase()))
}

/// Reads a status note such as `(Defunct)` or `inactive` as a roster status.
pub(crate) fn status_word(s: &str) -> Option<&'static str> {
    let t = s
        .trim()
        .trim_matches(|c: char| {
            c == '(' || c == ')' || c == '[' || c == ']' || c == ':' || c == '.'
        })
        .trim();
    match t.to_lowercase().as_str() {
        "defunct" | "closed" | "dead" | "discontinued" | "disbanded" => Some("closed"),
        "inactive" | "dormant" | "paused" | "on hiatus" | "hiatus" => Some("dormant"),
        _ => None,
    }
}

/// Cuts `s` to at most `max` characters.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("Tyne &amp; Wear &#8211; &#x41;&eacute; &bogus; & x"),
            "Tyne & Wear – Aé &bogus; & x"
        );
    }

    #[test]
    fn emphasis() {
        assert_eq!(
            strip_emphasis("**bold** *it* '''wiki''' snake_case _u_"),
            "bold it wiki snake_case u"
        );
    }

    #[test]
    fn fragments() {
        assert_eq!(
            clean_fragment(") - Python Software Association of Namibia"),
            "Python Software Association of Namibia"
        );
        assert_eq!(clean_fragment("India ( )"), "India");
        assert_eq!(clean_fragment("Angola (Luanda)"), "Angola (Luanda)");
        assert_eq!(clean_fragment("Website:"), "Website");
    }

    #[test]
    fn places() {
        for p in [
            "Cape Town",
            "Nairobi, Kenya.",
            "São Carlos / SP",
            "Angola (Luanda)",
            "UK",
            "Rio Grande do Sul",
        ] {
            assert!(looks_like_place(p), "{p}");
        }
        for p in [
            "Python Bulawayo",
            "PyRabat",
            "Hampton Roads and northeastern NC",
            "A monthly meeting of food, drink and Python.",
            "2",
            "the Python User Group in Munich",
            "National",
        ] {
            assert!(!looks_like_place(p), "{p}");
        }
    }

    #[test]
    fn generic_labels() {
        for l in [
            "Website",
            "Mailing List",
            "Google Groups page",
            "Meetup.com",
            "Facebook Group:",
            "IRC Channel",
            "Our Blog",
            "Telegram group",
        ] {
            assert!(is_generic_label(l), "{l}");
        }
        for l in [
            "PyLadies Ghana",
            "Python forums",
            "Python Dhaka on X",
            "Members of Python",
            "",
        ] {
            assert!(!is_generic_label(l), "{l}");
        }
    }
}
