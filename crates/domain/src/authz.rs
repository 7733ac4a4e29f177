//! Every permission decision in convene, in one place.
//!
//! Handlers never check roles themselves: they describe what is being
//! attempted as an [`Action`] and ask [`authorize`]. The test matrix at the
//! bottom lists each role against each action, allowed and denied.

use crate::roles::{Grant, Role, Scope};

/// Someone signed in, with the roles they hold. Every account is a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's id.
    pub user_id: i64,
    /// The roles held beyond membership.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// True if the account is a coordinator of the site.
    pub fn is_coordinator(&self) -> bool {
        self.holds(Role::Coordinator, &Scope::Site)
    }

    /// True if the account holds `role` over exactly `scope`.
    pub fn holds(&self, role: Role, scope: &Scope) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && &g.scope == scope)
    }

    fn organizes(&self, group: i64) -> bool {
        self.holds(Role::Organizer, &Scope::Group(group))
    }

    fn organizes_any(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Organizer)
    }

    /// True if the account's posts are published without review.
    pub fn is_trusted_author(&self) -> bool {
        self.is_coordinator() || self.holds(Role::TrustedAuthor, &Scope::Site)
    }
}

/// Something a person attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// See and change one's own account, sessions and subscriptions.
    ManageOwnAccount,
    /// Run the site: settings, sign-up switch, job queue, outbox, all accounts.
    AdministerSite,
    /// Invite someone to hold `role` over `scope`.
    Invite {
        /// The role offered.
        role: Role,
        /// Where it applies.
        scope: &'a Scope,
    },
    /// List, resend or revoke an invitation that someone issued.
    ManageInvitation {
        /// The role the invitation offers.
        role: Role,
        /// Where it applies.
        scope: &'a Scope,
        /// Who sent it.
        invited_by: i64,
    },
    /// Change a group's entry.
    EditGroup {
        /// The group's id.
        group: i64,
    },
    /// Add or change events on a calendar: a group's own
    /// ([`Scope::Group`]) or a regional one ([`Scope::Calendar`]).
    EditCalendar {
        /// Which calendar.
        calendar: Scope,
    },
    /// Write a blog post, about a group (by id) or the whole community.
    WritePost {
        /// The post's group, if any.
        group: Option<i64>,
    },
    /// Change a post one wrote (or any post, for coordinators).
    EditPost {
        /// The post's group, if any.
        group: Option<i64>,
        /// True if the actor is one of the post's authors.
        is_author: bool,
    },
    /// Approve posts waiting for review, feature posts, grant trusted authorship.
    ReviewPosts,
    /// Approve, hide or mark as spam the comments on a post about `group`
    /// (or about the whole community when `None`), and bar their writers.
    ModerateComments {
        /// The post's group, if any.
        group: Option<i64>,
    },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Nobody is signed in and the action needs an account.
    #[error("Sign in to do this.")]
    NotSignedIn,
    /// The account lacks the role the action needs.
    #[error("Your account does not have permission to do this.")]
    Forbidden,
}

/// Decides whether `actor` (or a visitor, when `None`) may do `action`.
pub fn authorize(actor: Option<&Actor>, action: &Action<'_>) -> Result<(), Denied> {
    let Some(actor) = actor else {
        return Err(Denied::NotSignedIn);
    };
    if actor.is_coordinator() {
        return Ok(());
    }
    let allowed = match action {
        Action::ManageOwnAccount => true,
        Action::AdministerSite => false,
        Action::Invite { role, scope } => may_invite(actor, *role, scope),
        Action::ManageInvitation {
            role,
            scope,
            invited_by,
        } => *invited_by == actor.user_id || may_invite(actor, *role, scope),
        Action::EditGroup { group } => actor.organizes(*group),
        Action::WritePost { group } => may_write(actor, *group),
        Action::EditPost { group, is_author } => *is_author && may_write(actor, *group),
        Action::ReviewPosts => false,
        Action::ModerateComments { group } => group.is_some_and(|g| actor.organizes(g)),
        // A group's organizers edit its own calendar, never a regional one.
        Action::EditCalendar { calendar } => match calendar {
            Scope::Site => false,
            Scope::Group(g) => actor.organizes(*g) || actor.holds(Role::CalendarEditor, calendar),
            Scope::Calendar(_) => actor.holds(Role::CalendarEditor, calendar),
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// Organizers write about their own group or the whole community; trusted
/// authors write about anything.
fn may_write(actor: &Actor, group: Option<i64>) -> bool {
    actor.holds(Role::TrustedAuthor, &Scope::Site)
        || match group {
            Some(g) => actor.organizes(g),
            None => actor.organizes_any(),
        }
}

/// Organizers invite co-organizers of their own group and editors of their
/// group's calendar; only coordinators invite coordinators or editors of
/// other calendars.
fn may_invite(actor: &Actor, role: Role, scope: &Scope) -> bool {
    match (role, scope) {
        (Role::Organizer | Role::CalendarEditor, Scope::Group(g)) => actor.organizes(*g),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, grants: &[(Role, Scope)]) -> Actor {
        Actor {
            user_id: id,
            grants: grants
                .iter()
                .map(|(role, scope)| Grant {
                    role: *role,
                    scope: *scope,
                })
                .collect(),
        }
    }

    #[test]
    fn every_role_against_every_action() {
        // pug-boston is group 1, pug-paris group 2; europe is regional
        // calendar 1: the same number, another kind of thing.
        let group = Scope::Group(1);
        let other_group = Scope::Group(2);
        let region = Scope::Calendar(1);
        let group_cal = Scope::Group(1);

        let coordinator = actor(1, &[(Role::Coordinator, Scope::Site)]);
        let organizer = actor(2, &[(Role::Organizer, group)]);
        let editor = actor(3, &[(Role::CalendarEditor, region)]);
        let member = actor(4, &[]);

        let actions: Vec<(&str, Action<'_>)> = vec![
            ("own account", Action::ManageOwnAccount),
            ("administer", Action::AdministerSite),
            (
                "invite coordinator",
                Action::Invite {
                    role: Role::Coordinator,
                    scope: &Scope::Site,
                },
            ),
            (
                "invite organizer here",
                Action::Invite {
                    role: Role::Organizer,
                    scope: &group,
                },
            ),
            (
                "invite organizer elsewhere",
                Action::Invite {
                    role: Role::Organizer,
                    scope: &other_group,
                },
            ),
            (
                "invite editor of region",
                Action::Invite {
                    role: Role::CalendarEditor,
                    scope: &region,
                },
            ),
            (
                "invite editor of group calendar",
                Action::Invite {
                    role: Role::CalendarEditor,
                    scope: &group_cal,
                },
            ),
            (
                "manage own invitation",
                Action::ManageInvitation {
                    role: Role::Organizer,
                    scope: &other_group,
                    invited_by: 2,
                },
            ),
            (
                "manage group invitation",
                Action::ManageInvitation {
                    role: Role::Organizer,
                    scope: &group,
                    invited_by: 1,
                },
            ),
            (
                "manage coordinator invitation",
                Action::ManageInvitation {
                    role: Role::Coordinator,
                    scope: &Scope::Site,
                    invited_by: 1,
                },
            ),
            ("edit own group", Action::EditGroup { group: 1 }),
            ("edit other group", Action::EditGroup { group: 2 }),
            (
                "edit region calendar",
                Action::EditCalendar { calendar: region },
            ),
            (
                "edit group calendar",
                Action::EditCalendar { calendar: group },
            ),
            (
                "edit other calendar",
                Action::EditCalendar {
                    calendar: Scope::Calendar(2),
                },
            ),
            (
                "write about own group",
                Action::WritePost { group: Some(1) },
            ),
            (
                "write about other group",
                Action::WritePost { group: Some(2) },
            ),
            ("write site post", Action::WritePost { group: None }),
            (
                "edit own post",
                Action::EditPost {
                    group: Some(1),
                    is_author: true,
                },
            ),
            (
                "edit someone else's post",
                Action::EditPost {
                    group: Some(1),
                    is_author: false,
                },
            ),
            ("review posts", Action::ReviewPosts),
            (
                "moderate comments on own group",
                Action::ModerateComments { group: Some(1) },
            ),
            (
                "moderate comments on site posts",
                Action::ModerateComments { group: None },
            ),
        ];

        // Columns: visitor, member, organizer of pug-boston, editor of europe, coordinator.
        let expected: [(&str, [bool; 5]); 23] = [
            ("own account", [false, true, true, true, true]),
            ("administer", [false, false, false, false, true]),
            ("invite coordinator", [false, false, false, false, true]),
            ("invite organizer here", [false, false, true, false, true]),
            (
                "invite organizer elsewhere",
                [false, false, false, false, true],
            ),
            (
                "invite editor of region",
                [false, false, false, false, true],
            ),
            (
                "invite editor of group calendar",
                [false, false, true, false, true],
            ),
            ("manage own invitation", [false, false, true, false, true]),
            ("manage group invitation", [false, false, true, false, true]),
            (
                "manage coordinator invitation",
                [false, false, false, false, true],
            ),
            ("edit own group", [false, false, true, false, true]),
            ("edit other group", [false, false, false, false, true]),
            ("edit region calendar", [false, false, false, true, true]),
            ("edit group calendar", [false, false, true, false, true]),
            ("edit other calendar", [false, false, false, false, true]),
            ("write about own group", [false, false, true, false, true]),
            (
                "write about other group",
                [false, false, false, false, true],
            ),
            ("write site post", [false, false, true, false, true]),
            ("edit own post", [false, false, true, false, true]),
            (
                "edit someone else's post",
                [false, false, false, false, true],
            ),
            ("review posts", [false, false, false, false, true]),
            (
                "moderate comments on own group",
                [false, false, true, false, true],
            ),
            (
                "moderate comments on site posts",
                [false, false, false, false, true],
            ),
        ];
        let actors = [
            None,
            Some(&member),
            Some(&organizer),
            Some(&editor),
            Some(&coordinator),
        ];
        for ((name, action), (row_name, row)) in actions.iter().zip(expected.iter()) {
            assert_eq!(name, row_name);
            for (who, allowed) in actors.iter().zip(row.iter()) {
                let got = authorize(*who, action);
                assert_eq!(got.is_ok(), *allowed, "{name} by {who:?}: {got:?}");
                if who.is_none() {
                    assert_eq!(got, Err(Denied::NotSignedIn));
                } else if !allowed {
                    assert_eq!(got, Err(Denied::Forbidden));
                }
            }
        }
    }

    #[test]
    fn a_group_calendar_editor_edits_that_calendar_only() {
        let editor = actor(5, &[(Role::CalendarEditor, Scope::Group(1))]);
        let may = |calendar| authorize(Some(&editor), &Action::EditCalendar { calendar }).is_ok();
        assert!(may(Scope::Group(1)));
        assert!(!may(Scope::Group(2)));
        assert!(!may(Scope::Calendar(1)));
        assert!(!may(Scope::Site));
        // Editing the calendar is not editing the group's entry.
        assert!(authorize(Some(&editor), &Action::EditGroup { group: 1 }).is_err());
    }
}
