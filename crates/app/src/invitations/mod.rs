//! Invitations to a role: a coordinator or organizer invites someone by
//! email; the single-use link expires after 7 days; accepting creates the
//! account or adds the role to an existing one.

mod accept;
mod invite;
mod manage;

pub use accept::{Acceptance, InvitationView, accept_invitation, view_invitation};
pub use invite::{INVITATION_DAYS, invite};
pub use manage::{PendingInvitation, pending_invitations, resend_invitation, revoke_invitation};

use crate::{AppResult, Services};
use convene_domain::roles::is_slug;
use convene_domain::{Grant, Role, Scope};
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

/// The group or calendar `name` names now, for `role`: its address or its
/// name as people know it. A regional calendar comes first for a calendar
/// editor, else a group's own calendar (one namespace holds both slugs, so
/// at most one address matches).
pub(crate) async fn resolve(mut ex: Ex<'_>, role: Role, name: &ScopeName) -> AppResult<Scope> {
    Ok(match name {
        ScopeName::Site => Scope::Site,
        ScopeName::Group(text) => Scope::Group(group_named(ex.reborrow(), text).await?),
        ScopeName::Calendar(text) => {
            let regional = if role == Role::CalendarEditor {
                calendar_named(ex.reborrow(), text).await?
            } else {
                None
            };
            match regional {
                Some(id) => Scope::Calendar(id),
                None => Scope::Group(group_named(ex.reborrow(), text).await?),
            }
        }
    })
}

/// The group at the address `text`, whatever its approval, else the
/// approved group called `text`.
async fn group_named(mut ex: Ex<'_>, text: &str) -> AppResult<i64> {
    let text = text.trim();
    if let Some(g) = groups::by_slug(ex.reborrow(), &text.to_ascii_lowercase()).await? {
        return Ok(g.id);
    }
    Ok(crate::groups::pick_group(ex, "scope", text).await?.id)
}

/// The regional calendar at the address `text`, or called `text` in any case.
async fn calendar_named(mut ex: Ex<'_>, text: &str) -> AppResult<Option<i64>> {
    let text = text.trim();
    if let Some(c) = calendars::by_slug(ex.reborrow(), &text.to_ascii_lowercase()).await? {
        return Ok(Some(c.id));
    }
    let wanted = text.to_lowercase();
    Ok(calendars::all(ex)
        .await?
        .into_iter()
        .find(|c| c.name.to_lowercase() == wanted)
        .map(|c| c.id))
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

/// How a role over a scope reads in an email or on the account page, with
/// the group or calendar under its name of today: "an organizer of the group
/// Boston Python".
pub(crate) async fn describe(mut ex: Ex<'_>, role: Role, scope: Scope) -> AppResult<String> {
    Ok(match scope {
        Scope::Site => format!("a {}", role.label()),
        Scope::Group(id) => {
            let name = groups::by_id(ex.reborrow(), id)
                .await?
                .map_or_else(|| format!("group-{id}"), |g| g.name);
            if role == Role::CalendarEditor {
                format!("a {} of the group {name}'s calendar", role.label())
            } else {
                format!("an {} of the group {name}", role.label())
            }
        }
        Scope::Calendar(id) => {
            let name = calendars::by_id(ex.reborrow(), id)
                .await?
                .map_or_else(|| format!("calendar-{id}"), |c| c.name);
            format!("a {} of the calendar {name}", role.label())
        }
    })
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
/// group Boston Python"), named as their groups and calendars are today.
pub async fn describe_grants(svc: &Services, grants: &[Grant]) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    let mut out = Vec::with_capacity(grants.len());
    for g in grants {
        out.push(describe(conn.ex(), g.role, g.scope).await?);
    }
    Ok(out)
}
