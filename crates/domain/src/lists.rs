//! Mailing lists: names and addresses, settings, and the rules a message
//! meets before it is sent on.
//!
//! A list called `organizers` on the mail domain `groups.example.org` is
//! reached at `organizers@groups.example.org`. Its other addresses are
//! `organizers-join@` and `organizers-leave@` (subscribe and unsubscribe by
//! email), `organizers-owner@` (its moderators) and
//! `organizers-bounces+{token}@` (the per-recipient envelope sender that
//! bounces come back to, so each bounce names its member).

use crate::error::{InvalidInput, has_control_chars};

/// Shortest and longest list name.
const NAME_CHARS: (usize, usize) = (2, 40);

/// Local parts a list may not take: the mail system's own, and the
/// suffixes convene gives a list's other addresses.
const RESERVED: [&str; 12] = [
    "postmaster",
    "abuse",
    "mailer-daemon",
    "root",
    "hostmaster",
    "webmaster",
    "noreply",
    "no-reply",
    "admin",
    "security",
    "bounces",
    "owner",
];

/// The suffixes of a list's other addresses.
const SUFFIXES: [&str; 4] = ["-join", "-leave", "-owner", "-bounces"];

/// Checks a list name (the local part of its address).
pub fn check_list_name(input: &str) -> Result<String, InvalidInput> {
    let name = input.trim().to_ascii_lowercase();
    let n = name.chars().count();
    if n < NAME_CHARS.0 || n > NAME_CHARS.1 {
        return Err(InvalidInput::new(
            "name",
            format!(
                "A list's name has {} to {} characters: letters, digits and dashes.",
                NAME_CHARS.0, NAME_CHARS.1
            ),
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || name.starts_with('-')
        || name.ends_with('-')
        || name.contains("--")
    {
        return Err(InvalidInput::new(
            "name",
            "Use only letters, digits and single dashes in a list's name (it becomes an email address).",
        ));
    }
    if RESERVED.contains(&name.as_str()) || SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return Err(InvalidInput::new(
            "name",
            format!("\"{name}\" is kept for the mail system; choose another name."),
        ));
    }
    Ok(name)
}

/// What an address on the mail domain asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAddress {
    /// A message to the list.
    Post(String),
    /// Subscribe the sender.
    Join(String),
    /// Unsubscribe the sender.
    Leave(String),
    /// Reach the list's moderators.
    Owner(String),
    /// A moderator's answer to the notice about a held message: the
    /// address the notice's Reply-To names (`{list}-owner+{token}`).
    Moderate(String, String),
    /// A bounce for the member with this token.
    Bounce(String, String),
}

impl ListAddress {
    /// Reads the local part of a recipient address (`organizers-join`).
    /// `None` when it cannot be a list's address at all.
    pub fn parse_local(local: &str) -> Option<Self> {
        let local = local.trim().to_ascii_lowercase();
        if let Some((head, token)) = local.split_once('+') {
            if token.is_empty()
                || !token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return None;
            }
            if let Some(list) = head.strip_suffix("-owner") {
                return Some(Self::Moderate(
                    check_list_name(list).ok()?,
                    token.to_owned(),
                ));
            }
            let list = head.strip_suffix("-bounces")?;
            return Some(Self::Bounce(check_list_name(list).ok()?, token.to_owned()));
        }
        for (suffix, make) in [
            ("-join", Self::Join as fn(String) -> Self),
            ("-leave", Self::Leave),
            ("-owner", Self::Owner),
        ] {
            if let Some(list) = local.strip_suffix(suffix) {
                return check_list_name(list).ok().map(make);
            }
        }
        check_list_name(&local).ok().map(Self::Post)
    }

    /// The list this address belongs to.
    pub fn list(&self) -> &str {
        match self {
            Self::Post(l)
            | Self::Join(l)
            | Self::Leave(l)
            | Self::Owner(l)
            | Self::Moderate(l, _)
            | Self::Bounce(l, _) => l,
        }
    }
}

/// The envelope sender for one recipient's copy: bounces to it name the
/// member (VERP).
pub fn bounce_address(list: &str, member_token: &str, domain: &str) -> String {
    format!("{list}-bounces+{member_token}@{domain}")
}

/// The `List-Id` value (RFC 2919): `Name <list.domain>`.
pub fn list_id(list: &str, display_name: &str, domain: &str) -> String {
    let shown: String = display_name
        .chars()
        .filter(|c| !c.is_control() && *c != '<' && *c != '>' && *c != '"')
        .collect();
    format!("\"{}\" <{list}.{domain}>", shown.trim())
}

/// A subject typed on the web: one line (CR and LF would forge headers),
/// not empty, not too long.
pub fn check_subject(input: &str) -> Result<String, InvalidInput> {
    let subject = input.trim();
    if subject.is_empty() {
        return Err(InvalidInput::new("subject", "Give the message a subject."));
    }
    if has_control_chars(subject) {
        return Err(InvalidInput::new(
            "subject",
            "The subject must be one line, without line breaks or other control characters.",
        ));
    }
    let n = subject.chars().count();
    if n > 200 {
        return Err(InvalidInput::new(
            "subject",
            format!("The subject is too long: at most 200 characters, this one has {n}."),
        ));
    }
    Ok(subject.to_owned())
}

/// The subject with the list's prefix once (replies keep a single prefix,
/// and "Re:" stays in front).
pub fn prefixed_subject(subject: &str, prefix: &str) -> String {
    let prefix_trimmed = prefix.trim();
    if prefix_trimmed.is_empty() || subject.contains(prefix_trimmed) {
        return subject.to_owned();
    }
    let mut rest = subject.trim_start();
    let mut re = String::new();
    while let Some(stripped) = strip_reply(rest) {
        re = "Re: ".to_owned();
        rest = stripped;
    }
    format!("{re}{prefix_trimmed} {rest}")
}

fn strip_reply(s: &str) -> Option<&str> {
    let lower = s.get(..3)?.to_ascii_lowercase();
    if lower == "re:" || lower == "aw:" || lower == "sv:" {
        Some(s[3..].trim_start())
    } else {
        None
    }
}

/// The subject without prefixes and reply markers, for threading by subject.
pub fn base_subject(subject: &str, prefix: &str) -> String {
    let mut s = subject.trim();
    loop {
        let before = s;
        if let Some(rest) = strip_reply(s) {
            s = rest;
        }
        let p = prefix.trim();
        if !p.is_empty()
            && let Some(rest) = s.strip_prefix(p)
        {
            s = rest.trim_start();
        }
        if s == before {
            break;
        }
    }
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The volume a digest made at year `year` belongs to: one volume per
/// calendar year of the list, the first year being volume 1.
pub fn digest_volume(list_created_year: i32, year: i32) -> i64 {
    i64::from((year - list_created_year).max(0)) + 1
}

/// A digest's title: `Organizers Digest, Vol 3, Issue 12`.
pub fn digest_title(display_name: &str, volume: i64, issue: i64) -> String {
    let shown: String = display_name.chars().filter(|c| !c.is_control()).collect();
    format!("{} Digest, Vol {volume}, Issue {issue}", shown.trim())
}

/// A digest's subject: the list's prefix when it has one
/// (`[organizers] Digest, Vol 3, Issue 12`), else its title.
pub fn digest_subject(prefix: &str, display_name: &str, volume: i64, issue: i64) -> String {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        digest_title(display_name, volume, issue)
    } else {
        format!("{prefix} Digest, Vol {volume}, Issue {issue}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_become_addresses() {
        assert_eq!(check_list_name(" Organizers ").unwrap(), "organizers");
        assert_eq!(check_list_name("pug-lagos").unwrap(), "pug-lagos");
        for bad in [
            "a",
            "pug lagos",
            "-x",
            "x-",
            "a--b",
            "root",
            "talk-join",
            "ünï",
            "x@y",
        ] {
            assert!(check_list_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recipient_addresses_are_read() {
        use ListAddress::*;
        assert_eq!(
            ListAddress::parse_local("organizers"),
            Some(Post("organizers".into()))
        );
        assert_eq!(
            ListAddress::parse_local("Organizers-Join"),
            Some(Join("organizers".into()))
        );
        assert_eq!(
            ListAddress::parse_local("pug-lagos-leave"),
            Some(Leave("pug-lagos".into()))
        );
        assert_eq!(
            ListAddress::parse_local("organizers-owner"),
            Some(Owner("organizers".into()))
        );
        assert_eq!(
            ListAddress::parse_local("organizers-bounces+Ab_9-x"),
            Some(Bounce("organizers".into(), "ab_9-x".into()))
        );
        assert_eq!(
            ListAddress::parse_local("organizers-owner+12-Ab9"),
            Some(Moderate("organizers".into(), "12-ab9".into()))
        );
        assert_eq!(ListAddress::parse_local("organizers-owner+a.b"), None);
        assert_eq!(ListAddress::parse_local("organizers+x"), None);
        assert_eq!(ListAddress::parse_local("postmaster"), None);
        assert_eq!(ListAddress::parse_local("organizers-bounces+"), None);
    }

    #[test]
    fn headers_are_built_safely() {
        assert_eq!(
            bounce_address("organizers", "tok", "groups.example.org"),
            "organizers-bounces+tok@groups.example.org"
        );
        assert_eq!(
            list_id(
                "organizers",
                "Organizers <evil>\r\nBcc: x",
                "groups.example.org"
            ),
            "\"Organizers evilBcc: x\" <organizers.groups.example.org>"
        );
    }

    #[test]
    fn subjects_typed_on_the_web_are_one_line() {
        assert!(check_subject("Hello\r\nBcc: victim@example.org").is_err());
        assert!(check_subject("  ").is_err());
        assert_eq!(check_subject(" Venue ideas ").unwrap(), "Venue ideas");
    }

    #[test]
    fn the_prefix_is_added_once() {
        let p = "[organizers] ";
        assert_eq!(prefixed_subject("Venues", p), "[organizers] Venues");
        assert_eq!(
            prefixed_subject("Re: [organizers] Venues", p),
            "Re: [organizers] Venues"
        );
        assert_eq!(prefixed_subject("RE: Venues", p), "Re: [organizers] Venues");
        assert_eq!(base_subject("Re: [organizers] Re: Venues", p), "venues");
        assert_eq!(base_subject("AW: Finding  speakers", p), "finding speakers");
    }

    #[test]
    fn digests_are_numbered_by_year_and_issue() {
        assert_eq!(digest_volume(2026, 2026), 1);
        assert_eq!(digest_volume(2026, 2028), 3);
        assert_eq!(digest_volume(2027, 2026), 1, "a clock behind the list");
        assert_eq!(
            digest_subject("[organizers] ", "Organizers", 3, 12),
            "[organizers] Digest, Vol 3, Issue 12"
        );
        assert_eq!(
            digest_subject("", "PUG Lagos\r\n", 1, 2),
            "PUG Lagos Digest, Vol 1, Issue 2"
        );
    }
}
