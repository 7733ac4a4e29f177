//! Roster entries that may not be groups: telling them apart on import,
//! and a coordinator's decision on each (accept as a group, or dismiss).

use super::edit::create_group;
use super::import::as_input;
use super::input::GroupInput;
use crate::{AppError, AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_rosterfile::{Entry, Link};
use convene_store::roster_reviews::{self, ReviewRow};

/// What a held entry seems to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldKind {
    /// A conference ("PyCon Italia").
    Conference,
    /// A link to a site, page, list or social account ("Community Page",
    /// "Belgium mailing list", "Facebook: Python Lietuva").
    Resource,
    /// Links under a heading with no group name.
    LinksOnly,
}

impl HeldKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            HeldKind::Conference => "conference",
            HeldKind::Resource => "resource",
            HeldKind::LinksOnly => "links_only",
        }
    }
}

/// Platforms whose name before a colon makes an entry a link to an account
/// there ("Facebook: Python Lietuva").
const PLATFORMS: &[&str] = &[
    "facebook",
    "google",
    "google+",
    "twitter",
    "x",
    "linkedin",
    "meetup",
    "slack",
    "telegram",
    "discord",
    "github",
    "gitlab",
    "irc",
    "youtube",
    "instagram",
    "mastodon",
    "reddit",
];

/// Last words that make an entry a page or a list rather than a group.
const RESOURCE_ENDINGS: &[&str] = &[
    "page",
    "site",
    "website",
    "web site",
    "forums",
    "mailing list",
    "mailinglist",
    "maillist",
    "wiki",
    "blog",
    "forum",
    "planet",
    "newsletter",
    "channel",
    "portal",
];

/// Words of a name, lowercase.
fn lower_words(name: &str) -> Vec<String> {
    name.split(|c: char| !(c.is_alphanumeric() || c == '+'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Why an entry is not plainly a group, or `None` when it is one.
pub(super) fn doubt(e: &Entry) -> Option<(HeldKind, String)> {
    let words = lower_words(&e.name);
    let first = words.first().map(String::as_str).unwrap_or_default();
    if first.starts_with("pycon")
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "conference" | "conf" | "pycon" | "summit"))
    {
        return Some((
            HeldKind::Conference,
            "its name reads as a conference, not a user group".into(),
        ));
    }
    if let Some((before, _)) = e.name.split_once(':') {
        let before = before.trim().to_lowercase();
        if PLATFORMS.contains(&before.as_str()) {
            return Some((
                HeldKind::Resource,
                format!(
                    "it is a link to a {} account or page, not a group",
                    before.trim_end_matches('+')
                ),
            ));
        }
    }
    // "python.cz", "pl.python.org", "wiki.python.de": a web address, not a
    // group's name ("Fresno.py" and "hsv.py" are groups' names).
    let name = e.name.trim();
    let tld = name.rsplit('.').next().unwrap_or_default();
    if !name.contains(char::is_whitespace)
        && name.contains('.')
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !tld.eq_ignore_ascii_case("py")
    {
        return Some((
            HeldKind::Resource,
            "its name is a web address: a site, not a group".into(),
        ));
    }
    let joined = words.join(" ");
    let trimmed = joined.trim_end_matches(|c: char| !c.is_alphanumeric());
    if RESOURCE_ENDINGS
        .iter()
        .any(|end| trimmed == *end || trimmed.ends_with(&format!(" {end}")))
        || trimmed.starts_with("mailing list")
    {
        return Some((
            HeldKind::Resource,
            "its name reads as a site, page or mailing list, not a group".into(),
        ));
    }
    None
}

/// The links of a held entry as stored: one "kind url" per line.
pub(super) fn stored_links(links: &[Link]) -> String {
    links
        .iter()
        .map(|l| format!("{} {}", l.kind.as_str(), l.url))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Entries waiting for a coordinator's decision, in file order.
pub async fn held_entries(svc: &Services, actor: &Actor) -> AppResult<Vec<ReviewRow>> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut conn = svc.db.conn().await?;
    Ok(roster_reviews::waiting(conn.ex()).await?)
}

async fn waiting_entry(svc: &Services, id: i64) -> AppResult<ReviewRow> {
    let mut conn = svc.db.conn().await?;
    let row = roster_reviews::by_id(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound(
            "There is no such entry in the review list.",
        ))?;
    if row.status != "waiting" {
        return Err(AppError::Conflict(format!(
            "“{}” was already {}.",
            row.name, row.status
        )));
    }
    Ok(row)
}

/// A coordinator lists a held entry as a group called `name` (the held name
/// when empty), placed from what the entry holds. Returns the group's slug.
pub async fn accept_held(svc: &Services, actor: &Actor, id: i64, name: &str) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let row = waiting_entry(svc, id).await?;
    let name = match name.trim() {
        "" => row.name.clone(),
        given => given.to_owned(),
    };
    let entry = Entry {
        line: usize::try_from(row.line).unwrap_or_default(),
        name,
        country: (!row.country.is_empty()).then(|| row.country.clone()),
        region: (!row.region.is_empty()).then(|| row.region.clone()),
        description: (!row.description.is_empty()).then(|| row.description.clone()),
        links: row
            .links
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(_, url)| Link::new(url, ""))
            .collect(),
        ..Entry::default()
    };
    let country = convene_places::country(&row.country);
    let mut ignored = super::import::ImportReport::default();
    let input: GroupInput = as_input(&entry, country, &mut ignored);
    let slug = create_group(svc, actor, &input).await?;
    let mut conn = svc.db.conn().await?;
    let group_id = convene_store::groups::by_slug(conn.ex(), &slug)
        .await?
        .map(|g| g.id);
    roster_reviews::decide(
        conn.ex(),
        id,
        "accepted",
        group_id,
        Some(actor.user_id),
        svc.clock.now(),
    )
    .await?;
    Ok(slug)
}

/// A coordinator decides a held entry is not a group.
pub async fn dismiss_held(svc: &Services, actor: &Actor, id: i64) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let row = waiting_entry(svc, id).await?;
    let mut conn = svc.db.conn().await?;
    if !roster_reviews::decide(
        conn.ex(),
        id,
        "dismissed",
        None,
        Some(actor.user_id),
        svc.clock.now(),
    )
    .await?
    {
        return Err(AppError::Conflict(format!(
            "“{}” was already decided.",
            row.name
        )));
    }
    Ok(row.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Entry {
        Entry {
            name: name.into(),
            ..Entry::default()
        }
    }

    #[test]
    fn conferences_pages_and_lists_are_doubted() {
        for (name, kind) in [
            ("PyCon Italia", HeldKind::Conference),
            ("Community Page", HeldKind::Resource),
            ("German Python Site", HeldKind::Resource),
            ("Facebook: Python Lietuva", HeldKind::Resource),
            ("Google+: Python Lietuva", HeldKind::Resource),
            ("Belgium mailing list", HeldKind::Resource),
            (
                "Mailing list for Australian Python users.",
                HeldKind::Resource,
            ),
            ("pl.python.org", HeldKind::Resource),
            ("Python forums", HeldKind::Resource),
        ] {
            assert_eq!(doubt(&named(name)).map(|d| d.0), Some(kind), "{name}");
        }
        for name in [
            "PythonPune Meetup Group",
            "BangPypers (Bangalore Python Users Group)",
            "Python Ghana",
            "Rabat Python User Group",
            "Fresno.py",
            "Taipei.py",
        ] {
            assert_eq!(doubt(&named(name)), None, "{name}");
        }
    }
}
