//! Invitations to a role: a coordinator or organizer invites someone by
//! email; the single-use link expires after 7 days; accepting creates the
//! account or adds the role to an existing one.

mod accept;
mod invite;
mod manage;

pub use accept::{Acceptance, InvitationView, accept_invitation, view_invitation};
pub use invite::{INVITATION_DAYS, invite};
pub use manage::{PendingInvitation, pending_invitations, resend_invitation, revoke_invitation};

use convene_domain::{Role, Scope};

/// How a role over a scope reads in an email: "an organizer of pug-boston".
pub fn describe(role: Role, scope: &Scope) -> String {
    match scope {
        Scope::Site => format!("a {}", role.label()),
        Scope::Group(g) => format!("an {} of the group {g}", role.label()),
        Scope::Calendar(c) => format!("a {} of the calendar {c}", role.label()),
    }
}
