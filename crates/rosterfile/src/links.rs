//! Links: their kinds, how a kind is guessed from a URL, and which URLs a
//! roster file may carry (http, https and mailto only).

use std::fmt;

/// What a link of a group points at. The names are the CSV column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    /// The group's own site (the CSV column `website`).
    Website,
    /// A Meetup page or a page on a similar event platform (`meetup`).
    Meetup,
    /// A mailing list or discussion group (`mailing_list`).
    MailingList,
    /// A chat room: Discord, Slack, Telegram, Matrix, IRC... (`chat`).
    Chat,
    /// Code hosting: GitHub, GitLab, Bitbucket... (`code`).
    Code,
    /// A social network profile (`social`).
    Social,
    /// An RSS or Atom feed (`blog_feed`).
    BlogFeed,
    /// Anything else (`other`).
    Other,
}

impl LinkKind {
    /// Every kind, in the order of the CSV columns.
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

    /// The CSV column name of the kind (`website`, `mailing_list`...).
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

    /// Reads a CSV column name (case and surrounding spaces do not matter).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One link of a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    /// What the link points at.
    pub kind: LinkKind,
    /// The URL (http, https or mailto).
    pub url: String,
    /// The link text as the source gave it; empty when it gave none (CSV, bare URLs).
    pub label: String,
}

impl Link {
    /// A link whose kind is guessed from its URL (see [`guess_kind`]).
    pub fn new(url: impl Into<String>, label: impl Into<String>) -> Self {
        let url = url.into();
        Link {
            kind: guess_kind(&url),
            url,
            label: label.into(),
        }
    }
}

/// The host (lower case, without user, port or trailing dot) and the path
/// (lower case, without query or fragment) of an http(s) URL.
fn host_and_path(url: &str) -> Option<(String, String)> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let after = &rest[end..];
    let path = if after.starts_with('/') {
        &after[..after.find(['?', '#']).unwrap_or(after.len())]
    } else {
        ""
    };
    Some((host.trim_end_matches('.').to_owned(), path.to_owned()))
}

/// True when `host` is `domain` or one of its subdomains.
fn host_is(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn host_is_any(host: &str, domains: &[&str]) -> bool {
    domains.iter().any(|d| host_is(host, d))
}

/// Guesses what a URL points at from its host and path: meetup.com is a
/// Meetup page, mailman and Google Groups are mailing lists, GitHub is code,
/// Twitter or Mastodon is social, Discord or Telegram is chat, an `.rss`,
/// `.atom` or `/feed` URL is a blog feed, and anything else is a website.
pub fn guess_kind(url: &str) -> LinkKind {
    if url
        .trim()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
    {
        return LinkKind::MailingList;
    }
    let Some((host, path)) = host_and_path(url) else {
        return LinkKind::Other;
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if host_is_any(
        &host,
        &[
            "meetup.com",
            "meetu.ps",
            "lu.ma",
            "timepad.ru",
            "connpass.com",
            "doorkeeper.jp",
        ],
    ) || host.contains("eventbrite.")
    {
        return LinkKind::Meetup;
    }
    if host.starts_with("groups.google.")
        || host.contains("googlegroups")
        || host.starts_with("lists.")
        || host.starts_with("listas.")
        || host_is_any(
            &host,
            &[
                "groups.yahoo.com",
                "yahoogrupos.com.br",
                "groups.io",
                "freelists.org",
            ],
        )
        || path.contains("/mailman")
        || path.contains("/listinfo")
    {
        return LinkKind::MailingList;
    }
    if host_is_any(
        &host,
        &[
            "github.com",
            "gitlab.com",
            "bitbucket.org",
            "codeberg.org",
            "sr.ht",
        ],
    ) {
        // A single file or a wiki page shown by the forge is a page, not a code home.
        if segments.contains(&"blob") || segments.contains(&"wiki") {
            return LinkKind::Website;
        }
        return LinkKind::Code;
    }
    if host_is_any(
        &host,
        &[
            "twitter.com",
            "x.com",
            "facebook.com",
            "fb.com",
            "fb.me",
            "linkedin.com",
            "instagram.com",
            "youtube.com",
            "youtu.be",
            "plus.google.com",
            "fosstodon.org",
            "bsky.app",
            "threads.net",
            "flickr.com",
            "vk.com",
            "weibo.com",
        ],
    ) || host.contains("mastodon")
    {
        return LinkKind::Social;
    }
    if host_is_any(
        &host,
        &[
            "discord.gg",
            "discord.com",
            "discordapp.com",
            "slack.com",
            "t.me",
            "telegram.me",
            "telegram.org",
            "gitter.im",
            "matrix.to",
            "matrix.org",
            "zulipchat.com",
            "libera.chat",
            "webchat.freenode.net",
            "kiwiirc.com",
        ],
    ) || host.starts_with("irc.")
        || host.starts_with("chat.")
    {
        return LinkKind::Chat;
    }
    if path.ends_with(".rss")
        || path.ends_with(".atom")
        || path.ends_with(".rdf")
        || segments.iter().any(|s| {
            matches!(
                *s,
                "feed" | "feeds" | "rss" | "atom" | "rss.xml" | "atom.xml" | "feed.xml"
            )
        })
        || host.starts_with("feeds.")
    {
        return LinkKind::BlogFeed;
    }
    LinkKind::Website
}

/// How a URL from a roster file was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlCheck {
    /// Fine as it is.
    Good(String),
    /// Plainly meant as a web link but mistyped (`http:example.org`); here is the repaired URL.
    Repaired(String),
    /// Not allowed; the text says why.
    Rejected(String),
}

/// The scheme of `url` (`javascript`, `http`...), lower case, when it has one.
pub(crate) fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| scheme.to_ascii_lowercase())
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && (host.contains('.') || host.starts_with('[') || host == "localhost")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        && !host.starts_with(['.', '-'])
}

/// Shortens a URL for a message.
pub(crate) fn shorten(url: &str) -> String {
    if url.chars().count() > 80 {
        format!("{}…", url.chars().take(80).collect::<String>())
    } else {
        url.to_owned()
    }
}

/// Judges a URL: only `http://`, `https://` (with a host name, without a
/// user name or password) and `mailto:` addresses are allowed.
pub(crate) fn check_url(raw: &str) -> UrlCheck {
    let url = raw.trim();
    if url.is_empty() {
        return UrlCheck::Rejected("the link is empty".to_owned());
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return UrlCheck::Rejected(format!(
            "the link “{}” contains spaces or control characters",
            shorten(url)
        ));
    }
    if url.len() > 2000 {
        return UrlCheck::Rejected("the link is longer than 2,000 characters".to_owned());
    }
    let Some(scheme) = scheme_of(url) else {
        return UrlCheck::Rejected(format!(
            "“{}” is not a full web address (it should start with https://)",
            shorten(url)
        ));
    };
    let after = &url[scheme.len() + 1..];
    match scheme.as_str() {
        "http" | "https" => {
            let (rest, repaired) = match after.strip_prefix("//") {
                Some(rest) => (rest, false),
                None => (after.trim_start_matches('/'), true),
            };
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            if authority.contains('@') {
                return UrlCheck::Rejected(format!(
                    "the link “{}” contains a user name or password",
                    shorten(url)
                ));
            }
            let host = match authority.rsplit_once(':') {
                Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
                _ => authority,
            };
            if !valid_host(host) {
                return UrlCheck::Rejected(format!(
                    "the link “{}” has no valid host name",
                    shorten(url)
                ));
            }
            if repaired {
                UrlCheck::Repaired(format!("{scheme}://{rest}"))
            } else {
                UrlCheck::Good(url.to_owned())
            }
        }
        "mailto" => {
            let address = after.split('?').next().unwrap_or_default();
            match address.split_once('@') {
                Some((local, domain)) if !local.is_empty() && valid_host(domain) => {
                    UrlCheck::Good(url.to_owned())
                }
                _ => UrlCheck::Rejected(format!("“{}” is not a valid e-mail link", shorten(url))),
            }
        }
        other => UrlCheck::Rejected(format!(
            "“{other}:” links are not allowed, only http, https and mailto"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_names() {
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            LinkKind::parse(" Mailing_List "),
            Some(LinkKind::MailingList)
        );
        assert_eq!(LinkKind::parse("mailing list"), None);
    }

    #[test]
    fn guesses() {
        let cases = [
            ("https://www.meetup.com/pythonpune", LinkKind::Meetup),
            ("http://python.meetup.com/178/", LinkKind::Meetup),
            (
                "https://mail.python.org/mailman/listinfo/bangpypers",
                LinkKind::MailingList,
            ),
            (
                "https://mail.python.org/mm3/mailman3/lists/pymug.python.org/",
                LinkKind::MailingList,
            ),
            (
                "https://groups.google.com/forum/#!forum/zimpy",
                LinkKind::MailingList,
            ),
            (
                "http://groups.google.co.ma/group/python-ma",
                LinkKind::MailingList,
            ),
            ("https://pythonsg.googlegroups.com/", LinkKind::MailingList),
            (
                "https://lists.es.python.org/listinfo/madrid",
                LinkKind::MailingList,
            ),
            ("mailto:py@example.org", LinkKind::MailingList),
            ("https://github.com/pyung/", LinkKind::Code),
            ("https://gitlab.com/x/y", LinkKind::Code),
            ("https://bitbucket.org/x", LinkKind::Code),
            ("https://github.com/a/b/blob/main/Page", LinkKind::Website),
            ("https://pythontz.github.io/", LinkKind::Website),
            ("https://twitter.com/PyGhana", LinkKind::Social),
            ("https://x.com/pythondhaka", LinkKind::Social),
            (
                "https://www.facebook.com/groups/pythondz/",
                LinkKind::Social,
            ),
            ("https://www.linkedin.com/company/pymug/", LinkKind::Social),
            ("https://mastodon.social/@pug", LinkKind::Social),
            ("https://fosstodon.org/@pug", LinkKind::Social),
            ("https://discord.gg/abc", LinkKind::Chat),
            ("https://pythonnigeria.slack.com/", LinkKind::Chat),
            ("https://t.me/gilpug", LinkKind::Chat),
            ("https://telegram.me/x", LinkKind::Chat),
            ("https://gitter.im/x", LinkKind::Chat),
            ("https://matrix.to/#/#pug:matrix.org", LinkKind::Chat),
            ("https://pug.example.org/blog/index.rss", LinkKind::BlogFeed),
            ("https://pug.example.org/feed/", LinkKind::BlogFeed),
            ("https://pug.example.org/posts.atom", LinkKind::BlogFeed),
            ("https://pug.example.org/", LinkKind::Website),
            ("https://notmeetup.com/x", LinkKind::Website),
            ("ftp://x.org", LinkKind::Other),
        ];
        for (url, kind) in cases {
            assert_eq!(guess_kind(url), kind, "{url}");
        }
    }

    #[test]
    fn url_checks() {
        assert_eq!(
            check_url("https://pug.example.org/a?b=1"),
            UrlCheck::Good("https://pug.example.org/a?b=1".into())
        );
        assert_eq!(
            check_url("mailto:list@pug.example.org?subject=hi"),
            UrlCheck::Good("mailto:list@pug.example.org?subject=hi".into())
        );
        assert_eq!(
            check_url("http:facebook.com/lkpug"),
            UrlCheck::Repaired("http://facebook.com/lkpug".into())
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<b>",
            "vbscript:msgbox",
            "ftp://x.org",
            "https://",
            "https://user:pw@x.org/",
            "https://exa mple.org",
            "//x.org",
            "www.example.org",
            "mailto:nobody",
            "",
        ] {
            assert!(matches!(check_url(bad), UrlCheck::Rejected(_)), "{bad}");
        }
    }
}
