//! Invitations to a role: a coordinator or organizer invites someone by
//! email; the single-use link expires after 7 days; accepting creates the
//! account or adds the role to an existing one.

mod accept;
mod invite;
mod manage;

pub use accept::{Acceptance, InvitationView, accept_invitation, view_invitation};
pub use invite::{INVITATION_DAYS, invite};
pub use manage::{PendingInvitation, pending_invitations, resend_invitation, revoke_invitation};

use crate::{AppError, AppResult, Services};
use convene_domain::roles::is_slug;
use convene_domain::{Grant, InvalidInput, Role, Scope};
use convene_store::{Ex, calendars, groups};

/// Where a role applies, as people and API clients name it: by slug.
/// Stored roles name a group or calendar by id ([`Scope`]); this is only
/// the way in and out, resolved against what the slug names *now*.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeName {
    /// The whole site: `""`.
    Site,
    /// A group: `group:{slug}`.
    Group(String),
    /// A calendar: `calendar:{slug}`, a regional calendar or a group's own.
    Calendar(String),
}

impl ScopeName {
    /// Parses the API form: `""`, `group:{slug}` or `calendar:{slug}`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Some(ScopeName::Site);
        }
        match s.split_once(':') {
            Some(("group", slug)) if is_slug(slug) => Some(ScopeName::Group(slug.to_owned())),
            Some(("calendar", slug)) if is_slug(slug) => Some(ScopeName::Calendar(slug.to_owned())),
            _ => None,
        }
    }

    /// The API form.
    pub fn to_wire(&self) -> String {
        match self {
            ScopeName::Site => String::new(),
            ScopeName::Group(s) => format!("group:{s}"),
            ScopeName::Calendar(s) => format!("calendar:{s}"),
        }
    }
}

/// The group or calendar `name` names now, for `role`: a regional calendar
/// first for `calendar:{slug}`, else that group's own calendar (one
/// namespace holds both, so at most one matches).
pub(crate) async fn resolve(mut ex: Ex<'_>, role: Role, name: &ScopeName) -> AppResult<Scope> {
    let missing = |slug: &str, what: &str| {
        AppError::from(InvalidInput::new(
            "scope",
            format!("There is no {what} with the short name \"{slug}\"; check its address."),
        ))
    };
    Ok(match name {
        ScopeName::Site => Scope::Site,
        ScopeName::Group(slug) => Scope::Group(
            groups::by_slug(ex.reborrow(), slug)
                .await?
                .ok_or_else(|| missing(slug, "group"))?
                .id,
        ),
        ScopeName::Calendar(slug) => {
            if role == Role::CalendarEditor
                && let Some(c) = calendars::by_slug(ex.reborrow(), slug).await?
            {
                Scope::Calendar(c.id)
            } else {
                Scope::Group(
                    groups::by_slug(ex.reborrow(), slug)
                        .await?
                        .ok_or_else(|| missing(slug, "calendar"))?
                        .id,
                )
            }
        }
    })
}

/// How `scope` is named today (a renamed group under its new slug).
pub(crate) async fn name_of(mut ex: Ex<'_>, scope: Scope) -> AppResult<ScopeName> {
    Ok(match scope {
        Scope::Site => ScopeName::Site,
        Scope::Group(id) => ScopeName::Group(
            groups::by_id(ex.reborrow(), id)
                .await?
                .map_or_else(|| format!("group-{id}"), |g| g.slug),
        ),
        Scope::Calendar(id) => ScopeName::Calendar(
            calendars::by_id(ex.reborrow(), id)
                .await?
                .map_or_else(|| format!("calendar-{id}"), |c| c.slug),
        ),
    })
}

/// How a role over a scope reads in an email: "an organizer of the group
/// pug-boston".
pub fn describe(role: Role, name: &ScopeName) -> String {
    match (role, name) {
        (_, ScopeName::Site) => format!("a {}", role.label()),
        (Role::CalendarEditor, ScopeName::Group(g)) => {
            format!("a {} of the group {g}'s calendar", role.label())
        }
        (_, ScopeName::Group(g)) => format!("an {} of the group {g}", role.label()),
        (_, ScopeName::Calendar(c)) => format!("a {} of the calendar {c}", role.label()),
    }
}

/// The scopes of `grants` as the API names them (`group:{slug}`), under
/// their groups' and calendars' slugs of today.
pub async fn wire_scopes(svc: &Services, grants: &[Grant]) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    let mut out = Vec::with_capacity(grants.len());
    for g in grants {
        out.push(name_of(conn.ex(), g.scope).await?.to_wire());
    }
    Ok(out)
}

/// The roles an account holds, each as a sentence ("an organizer of the
/// group pug-boston"), named as their groups and calendars are today.
pub async fn describe_grants(svc: &Services, grants: &[Grant]) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    let mut out = Vec::with_capacity(grants.len());
    for g in grants {
        out.push(describe(g.role, &name_of(conn.ex(), g.scope).await?));
    }
    Ok(out)
}
