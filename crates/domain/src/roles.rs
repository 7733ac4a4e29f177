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

/// What a role applies to: the whole site, one group or one calendar,
/// each named by its slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole site (coordinators).
    Site,
    /// One group, by slug.
    Group(String),
    /// One calendar, by slug.
    Calendar(String),
}

impl Scope {
    /// The stored form: `""`, `group:{slug}` or `calendar:{slug}`.
    pub fn to_stored(&self) -> String {
        match self {
            Scope::Site => String::new(),
            Scope::Group(s) => format!("group:{s}"),
            Scope::Calendar(s) => format!("calendar:{s}"),
        }
    }

    /// Parses the stored form.
    pub fn from_stored(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Scope::Site);
        }
        match s.split_once(':') {
            Some(("group", slug)) if is_slug(slug) => Some(Scope::Group(slug.to_owned())),
            Some(("calendar", slug)) if is_slug(slug) => Some(Scope::Calendar(slug.to_owned())),
            _ => None,
        }
    }

    /// The scope a role must have: coordinators are site-wide, organizers
    /// belong to a group, calendar editors to a calendar.
    pub fn fits(&self, role: Role) -> bool {
        matches!(
            (role, self),
            (Role::Coordinator | Role::TrustedAuthor, Scope::Site)
                | (Role::Organizer, Scope::Group(_))
                | (Role::CalendarEditor, Scope::Calendar(_))
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
        for s in [
            Scope::Site,
            Scope::Group("pug-boston".into()),
            Scope::Calendar("europe".into()),
        ] {
            assert_eq!(Scope::from_stored(&s.to_stored()), Some(s));
        }
        assert_eq!(Scope::from_stored("group:"), None);
        assert_eq!(Scope::from_stored("group:Bad Slug"), None);
        assert_eq!(Scope::from_stored("planet:x"), None);
        assert!(Scope::Site.fits(Role::Coordinator));
        assert!(!Scope::Site.fits(Role::Organizer));
    }
}
