//! Roster entries: what a group's entry holds and the rules its fields follow.

use crate::error::{InvalidInput, has_control_chars};
use crate::roles::is_slug;
use serde::{Deserialize, Serialize};

/// Whether a group still meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// Meets regularly.
    Active,
    /// Paused, may come back.
    Dormant,
    /// Stopped for good.
    Closed,
}

impl GroupStatus {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Active => "active",
            GroupStatus::Dormant => "dormant",
            GroupStatus::Closed => "closed",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Some(GroupStatus::Active),
            "dormant" | "inactive" | "paused" => Some(GroupStatus::Dormant),
            "closed" => Some(GroupStatus::Closed),
            _ => None,
        }
    }
}

/// The kinds of link an entry can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The group's own site.
    Website,
    /// A Meetup (or similar event platform) page.
    Meetup,
    /// A mailing list.
    MailingList,
    /// A chat room (Discord, Matrix, Slack, Telegram...).
    Chat,
    /// Code hosting.
    Code,
    /// A social network profile.
    Social,
    /// The group's blog feed (RSS or Atom), collected in the OPML export.
    BlogFeed,
    /// Anything else.
    Other,
}

impl LinkKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [LinkKind; 8] = [
        LinkKind::Website,
        LinkKind::Meetup,
        LinkKind::MailingList,
        LinkKind::Chat,
        LinkKind::Code,
        LinkKind::Social,
        LinkKind::BlogFeed,
        LinkKind::Other,
    ];

    /// Stored and wire name (also the CSV column name).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Website => "website",
            LinkKind::Meetup => "meetup",
            LinkKind::MailingList => "mailing_list",
            LinkKind::Chat => "chat",
            LinkKind::Code => "code",
            LinkKind::Social => "social",
            LinkKind::BlogFeed => "blog_feed",
            LinkKind::Other => "other",
        }
    }

    /// How the kind reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Website => "Website",
            LinkKind::Meetup => "Meetup page",
            LinkKind::MailingList => "Mailing list",
            LinkKind::Chat => "Chat",
            LinkKind::Code => "Code",
            LinkKind::Social => "Social",
            LinkKind::BlogFeed => "Blog feed",
            LinkKind::Other => "Link",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Checks a link typed by a person: http, https or a `mailto:` address
/// (no `javascript:`, `data:` or other schemes), no user name or password,
/// at most 2,000 bytes.
pub fn check_url(field: &'static str, input: &str) -> Result<String, InvalidInput> {
    let url = input.trim();
    if has_control_chars(url) || url.contains(char::is_whitespace) {
        return Err(InvalidInput::new(
            field,
            "A link cannot contain spaces or line breaks.",
        ));
    }
    if url.len() > 2000 {
        return Err(InvalidInput::new(
            field,
            "That link is too long (at most 2,000 characters).",
        ));
    }
    let lower = url.to_ascii_lowercase();
    if let Some(address) = lower.strip_prefix("mailto:") {
        // A list's or group's public address; the query part is dropped.
        let address = address.split('?').next().unwrap_or_default();
        return crate::EmailAddress::parse(address)
            .map(|a| format!("mailto:{a}"))
            .map_err(|_| {
                InvalidInput::new(field, "That mailto: link does not hold a valid address.")
            });
    }
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return Err(InvalidInput::new(
            field,
            "A link must start with https:// or http:// (or mailto: for an address).",
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    if authority.contains('@') {
        return Err(InvalidInput::new(
            field,
            "A link cannot contain a user name or password.",
        ));
    }
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && (host.contains('.') || host.starts_with('['))
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok {
        return Err(InvalidInput::new(
            field,
            "That link has no valid host name, like https://example.org/.",
        ));
    }
    Ok(url.to_owned())
}

/// A slug made from a name: lowercase ASCII letters and digits joined by
/// dashes, at most 64 characters ("PyData Zürich" → "pydata-zurich").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let mapped = fold_ascii(c);
        for m in mapped.chars() {
            if m.is_ascii_alphanumeric() {
                out.push(m.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
    }
    let mut s: String = out.trim_matches('-').chars().take(64).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() { "group".to_owned() } else { s }
}

fn fold_ascii(c: char) -> String {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
            "a".into()
        }
        'æ' | 'Æ' => "ae".into(),
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c".into(),
        'ď' | 'đ' | 'Đ' => "d".into(),
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ě' => {
            "e".into()
        }
        'ğ' | 'Ğ' => "g".into(),
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' => "i".into(),
        'ł' | 'Ł' => "l".into(),
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' => "n".into(),
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
            "o".into()
        }
        'œ' | 'Œ' => "oe".into(),
        'ř' | 'Ř' => "r".into(),
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s".into(),
        'ß' => "ss".into(),
        'ť' | 'ţ' | 'Ť' => "t".into(),
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u".into(),
        'ý' | 'ÿ' | 'Ý' => "y".into(),
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z".into(),
        'þ' | 'Þ' => "th".into(),
        _ => c.to_string(),
    }
}

/// Checks a slug typed by a person (see [`is_slug`]).
pub fn check_slug(input: &str) -> Result<String, InvalidInput> {
    let s = input.trim();
    if is_slug(s) {
        Ok(s.to_owned())
    } else {
        Err(InvalidInput::new(
            "slug",
            "Use 1 to 64 lowercase letters, digits and dashes, like pug-boston.",
        ))
    }
}

/// Checks a list of languages: BCP 47 tags such as `en`, `pt-BR`,
/// `zh-Hant`, separated by spaces or commas; at most 10.
pub fn check_languages(input: &str) -> Result<Vec<String>, InvalidInput> {
    let tags: Vec<&str> = input
        .split([' ', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tags.len() > 10 {
        return Err(InvalidInput::new("languages", "List at most 10 languages."));
    }
    let mut out = Vec::new();
    for tag in tags {
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default();
        let ok = (2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !ok {
            return Err(InvalidInput::new(
                "languages",
                format!("{tag:?} is not a language tag; use codes like en, de, pt-BR."),
            ));
        }
        let normalised = normalise_tag(tag);
        if !out.contains(&normalised) {
            out.push(normalised);
        }
    }
    Ok(out)
}

/// `PT-br` → `pt-BR`, `zh-hant` → `zh-Hant` (BCP 47 case conventions).
fn normalise_tag(tag: &str) -> String {
    tag.split('-')
        .enumerate()
        .map(|(i, p)| match (i, p.len()) {
            (0, _) => p.to_ascii_lowercase(),
            (_, 2) if p.chars().all(|c| c.is_ascii_alphabetic()) => p.to_ascii_uppercase(),
            (_, 4) if p.chars().all(|c| c.is_ascii_alphabetic()) => {
                let lower = p.to_ascii_lowercase();
                let mut cs = lower.chars();
                cs.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                    .unwrap_or_default()
            }
            _ => p.to_ascii_lowercase(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Checks a one-line text field: no control characters, at most `max` characters.
pub fn check_line(
    field: &'static str,
    input: &str,
    max: usize,
    required: bool,
) -> Result<String, InvalidInput> {
    let s = input.trim();
    if has_control_chars(s) {
        return Err(InvalidInput::new(
            field,
            "This must be one line, without control characters.",
        ));
    }
    if required && s.is_empty() {
        return Err(InvalidInput::new(field, "This cannot be empty."));
    }
    if s.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!("This is too long (at most {max} characters)."),
        ));
    }
    Ok(s.to_owned())
}

/// Checks a multi-line text field (Markdown): at most `max` characters,
/// no control characters other than line breaks and tabs.
pub fn check_text(field: &'static str, input: &str, max: usize) -> Result<String, InvalidInput> {
    let s = input.trim().replace("\r\n", "\n");
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InvalidInput::new(
            field,
            "The text contains control characters.",
        ));
    }
    if s.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!("This is too long (at most {max} characters)."),
        ));
    }
    Ok(s)
}

/// Checks coordinates: both or neither, latitude within ±90, longitude within ±180.
pub fn check_coordinates(
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Option<(f64, f64)>, InvalidInput> {
    match (lat, lon) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => {
            if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                return Err(InvalidInput::new(
                    "latitude",
                    "Latitude must be between -90 and 90.",
                ));
            }
            if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                return Err(InvalidInput::new(
                    "longitude",
                    "Longitude must be between -180 and 180.",
                ));
            }
            Ok(Some((lat, lon)))
        }
        _ => Err(InvalidInput::new(
            "latitude",
            "Give both latitude and longitude, or neither.",
        )),
    }
}

/// Checks a founding date: empty, a year (`2007`), a month (`2007-03`) or a day (`2007-03-14`).
pub fn check_founded(input: &str) -> Result<String, InvalidInput> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let ok = match s.len() {
        4 => s.parse::<u16>().is_ok_and(|y| (1900..=2100).contains(&y)),
        7 => chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    };
    if ok {
        Ok(s.to_owned())
    } else {
        Err(InvalidInput::new(
            "founded",
            "Give a year (2007), a month (2007-03) or a date (2007-03-14).",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_web_links() {
        assert!(check_url("link", "https://pug.example.org/meetings?x=1").is_ok());
        assert!(check_url("link", "http://localhost.example:8080/").is_ok());
        assert_eq!(
            check_url("link", "mailto:Python-List@Python.org?subject=hi").unwrap(),
            "mailto:python-list@python.org"
        );
        assert!(check_url("link", "mailto:not an address").is_err());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "JaVaScRiPt:alert(1)",
            "ftp://x.org",
            "https://",
            "https://user:pw@x.org/",
            "https://exa mple.org",
            "//x.org",
            "https://x",
        ] {
            assert!(check_url("link", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_from_names() {
        assert_eq!(slugify("PyData Zürich"), "pydata-zurich");
        assert_eq!(
            slugify("  Python Users Group — São Paulo!! "),
            "python-users-group-sao-paulo"
        );
        assert_eq!(slugify("北京 Python"), "python");
        assert_eq!(slugify("!!!"), "group");
        assert!(is_slug(&slugify(&"Long name ".repeat(20))));
    }

    #[test]
    fn languages_are_bcp47_tags() {
        assert_eq!(
            check_languages("en, PT-br zh-hant en").unwrap(),
            vec!["en", "pt-BR", "zh-Hant"]
        );
        assert!(check_languages("English").is_err());
        assert!(check_languages("e").is_err());
        assert_eq!(check_languages("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn coordinates_and_dates() {
        assert!(check_coordinates(Some(91.0), Some(0.0)).is_err());
        assert!(check_coordinates(Some(0.0), Some(-180.5)).is_err());
        assert!(check_coordinates(Some(f64::NAN), Some(0.0)).is_err());
        assert!(check_coordinates(Some(1.0), None).is_err());
        assert_eq!(
            check_coordinates(Some(-33.9), Some(18.4)).unwrap(),
            Some((-33.9, 18.4))
        );
        assert!(check_founded("2007-02").is_ok());
        assert!(check_founded("2007-13").is_err());
        assert!(check_founded("yesterday").is_err());
    }
}
