//! The roles a person can hold and what they are scoped to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role beyond plain membership, which every account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the whole site.
    Coordinator,
    /// Runs one group.
    Organizer,
    /// Edits one calendar without organizing its groups.
    CalendarEditor,
    /// Publishes blog posts without a coordinator's review (site-wide).
    TrustedAuthor,
}

impl Role {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Organizer => "organizer",
            Role::CalendarEditor => "calendar_editor",
            Role::TrustedAuthor => "trusted_author",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coordinator" => Some(Role::Coordinator),
            "organizer" => Some(Role::Organizer),
            "calendar_editor" => Some(Role::CalendarEditor),
            "trusted_author" => Some(Role::TrustedAuthor),
            _ => None,
        }
    }

    /// How the role reads in a sentence: "an organizer".
    pub fn label(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Organizer => "organizer",
            Role::CalendarEditor => "calendar editor",
            Role::TrustedAuthor => "trusted author",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a role applies to: the whole site, one group or one regional
/// calendar. Groups and calendars are named by their stable id, never by
/// their slug: a slug can change or be freed and taken by something else,
/// and a role must not follow it.
///
/// An organizer holds `Group`; a calendar editor holds `Group` for a
/// group's own calendar and `Calendar` for a regional one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole site (coordinators, trusted authors).
    Site,
    /// One group, by id.
    Group(i64),
    /// One regional calendar, by id.
    Calendar(i64),
}

impl Scope {
    /// The stored form: `""`, `group:{id}` or `calendar:{id}`.
    pub fn to_stored(&self) -> String {
        match self {
            Scope::Site => String::new(),
            Scope::Group(id) => format!("group:{id}"),
            Scope::Calendar(id) => format!("calendar:{id}"),
        }
    }

    /// Parses the stored form.
    pub fn from_stored(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Scope::Site);
        }
        let (kind, id) = s.split_once(':')?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id: i64 = id.parse().ok()?;
        match kind {
            "group" => Some(Scope::Group(id)),
            "calendar" => Some(Scope::Calendar(id)),
            _ => None,
        }
    }

    /// The kind of thing it names, as stored beside the id.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Site => "site",
            Scope::Group(_) => "group",
            Scope::Calendar(_) => "calendar",
        }
    }

    /// The scopes a role can have: coordinators and trusted authors are
    /// site-wide, organizers belong to a group, calendar editors to a
    /// group's calendar or a regional one.
    pub fn fits(&self, role: Role) -> bool {
        matches!(
            (role, self),
            (Role::Coordinator | Role::TrustedAuthor, Scope::Site)
                | (Role::Organizer, Scope::Group(_))
                | (Role::CalendarEditor, Scope::Group(_) | Scope::Calendar(_))
        )
    }
}

/// True for a URL slug: 1–64 of `a-z`, `0-9` and inner `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// One role held over one scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// What it applies to.
    pub scope: Scope,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_refuse_junk() {
        for s in [Scope::Site, Scope::Group(7), Scope::Calendar(12)] {
            assert_eq!(Scope::from_stored(&s.to_stored()), Some(s));
        }
        assert_eq!(Scope::Group(7).to_stored(), "group:7");
        assert_eq!(Scope::Calendar(12).to_stored(), "calendar:12");
        assert_eq!(Scope::from_stored("group:"), None);
        // The slug form of before is not a scope any more.
        assert_eq!(Scope::from_stored("group:pug-boston"), None);
        assert_eq!(Scope::from_stored("group:-3"), None);
        assert_eq!(Scope::from_stored("planet:4"), None);
        assert!(Scope::Site.fits(Role::Coordinator));
        assert!(!Scope::Site.fits(Role::Organizer));
        assert!(Scope::Group(1).fits(Role::CalendarEditor));
        assert!(!Scope::Calendar(1).fits(Role::Organizer));
    }
}
