//! Who may post to a list and whether a moderator reads a post first: the
//! list's policy and posters as types, read from the words the store keeps
//! (`open`, `moderated`, `announce`; `members`, `anyone`, `moderators`),
//! and the rule that decides whether a post waits for a moderator.

use std::fmt;

/// Attachments larger than this in total (decoded) wait for a moderator,
/// whoever sends them: every member receives every byte, so a moderator
/// decides whether a big file goes out or is better linked.
pub const ATTACHMENTS_HELD_OVER: usize = 1024 * 1024;

/// Whether a moderator reads posts first, and who writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPolicy {
    /// Members write; a new member's first posts wait for a moderator.
    Open,
    /// A moderator reads every post before it goes out.
    Moderated,
    /// Only moderators write; members read.
    Announce,
}

impl ListPolicy {
    /// The policy named by `word`, or `None` for any other word.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "open" => Some(Self::Open),
            "moderated" => Some(Self::Moderated),
            "announce" => Some(Self::Announce),
            _ => None,
        }
    }

    /// The policy a stored list has. The database only takes the three
    /// words, so another one means a database changed by hand or by a
    /// newer convene; it reads as [`ListPolicy::Moderated`], the safest
    /// choice: nothing goes to the members that a moderator did not read,
    /// and nothing is refused or lost.
    pub fn from_stored(word: &str) -> Self {
        Self::parse(word).unwrap_or(Self::Moderated)
    }

    /// The word the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Moderated => "moderated",
            Self::Announce => "announce",
        }
    }
}

/// Whose posts are taken without a moderator (on an open list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posters {
    /// The list's active members.
    Members,
    /// Anyone, member or not.
    Anyone,
    /// Nobody but the moderators: every post waits for one of them.
    Moderators,
}

impl Posters {
    /// The posters named by `word`, or `None` for any other word.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "members" => Some(Self::Members),
            "anyone" => Some(Self::Anyone),
            "moderators" => Some(Self::Moderators),
            _ => None,
        }
    }

    /// The posters a stored list has; an unknown word reads as
    /// [`Posters::Moderators`], the safest choice, for the reason given at
    /// [`ListPolicy::from_stored`].
    pub fn from_stored(word: &str) -> Self {
        Self::parse(word).unwrap_or(Self::Moderators)
    }

    /// The word the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Anyone => "anyone",
            Self::Moderators => "moderators",
        }
    }
}

/// Where the sender of a post stands on the list, when they are an active
/// member (someone who never joined, has not confirmed yet or left is no
/// member: `None` where a standing is asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStanding {
    /// Their posts go out without a moderator.
    Trusted,
    /// Their posts still wait for a moderator (a new member's first ones).
    Moderated,
}

/// Why a post waits for a moderator. Its text is what the moderators and
/// the archive's queue show, and what is stored with the held post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// The list's policy is [`ListPolicy::Moderated`].
    ModeratedList,
    /// The list is [`ListPolicy::Announce`], or its posters are
    /// [`Posters::Moderators`].
    ModeratorsOnly,
    /// Its attachments are over [`ATTACHMENTS_HELD_OVER`] bytes.
    BigAttachments,
    /// The sender is not an active member, and the list takes members' posts.
    NotAMember,
    /// The sender is a member whose posts are still moderated.
    NewMember,
}

impl HoldReason {
    /// The sentence the moderators read.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ModeratedList => "The list is moderated: every post waits for a moderator.",
            Self::ModeratorsOnly => {
                "Only moderators post to this list: the post waits for one of them."
            }
            Self::BigAttachments => {
                "Its attachments are over 1 MB: a moderator decides whether they go to every member."
            }
            Self::NotAMember => "The sender is not a member of the list.",
            Self::NewMember => "A new member's first posts wait for a moderator.",
        }
    }
}

impl fmt::Display for HoldReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a post with `attachments_bytes` bytes of attachments, from a sender
/// standing as `sender` on a list with `policy` and `posters`, waits for a
/// moderator; `None` when it goes straight to the members. The list's own
/// rules come first, then the size of the attachments (which holds even
/// posts from anyone), then who the sender is.
pub fn hold_reason(
    policy: ListPolicy,
    posters: Posters,
    sender: Option<MemberStanding>,
    attachments_bytes: usize,
) -> Option<HoldReason> {
    match (policy, posters) {
        (ListPolicy::Moderated, _) => return Some(HoldReason::ModeratedList),
        (ListPolicy::Announce, _) | (_, Posters::Moderators) => {
            return Some(HoldReason::ModeratorsOnly);
        }
        (ListPolicy::Open, Posters::Members | Posters::Anyone) => {}
    }
    if attachments_bytes > ATTACHMENTS_HELD_OVER {
        return Some(HoldReason::BigAttachments);
    }
    if posters == Posters::Anyone {
        return None;
    }
    match sender {
        None => Some(HoldReason::NotAMember),
        Some(MemberStanding::Moderated) => Some(HoldReason::NewMember),
        Some(MemberStanding::Trusted) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUSTED: Option<MemberStanding> = Some(MemberStanding::Trusted);
    const SMALL: usize = 10;
    const BIG: usize = ATTACHMENTS_HELD_OVER + 1;

    #[test]
    fn the_stored_words_read_back_and_unknown_ones_are_the_safest() {
        for p in [
            ListPolicy::Open,
            ListPolicy::Moderated,
            ListPolicy::Announce,
        ] {
            assert_eq!(ListPolicy::parse(p.as_str()), Some(p));
            assert_eq!(ListPolicy::from_stored(p.as_str()), p);
        }
        for p in [Posters::Members, Posters::Anyone, Posters::Moderators] {
            assert_eq!(Posters::parse(p.as_str()), Some(p));
            assert_eq!(Posters::from_stored(p.as_str()), p);
        }
        for odd in ["", "Open", "closed", " moderated"] {
            assert_eq!(ListPolicy::parse(odd), None, "{odd:?}");
            assert_eq!(ListPolicy::from_stored(odd), ListPolicy::Moderated);
        }
        for odd in ["", "Members", "everyone"] {
            assert_eq!(Posters::parse(odd), None, "{odd:?}");
            assert_eq!(Posters::from_stored(odd), Posters::Moderators);
        }
    }

    #[test]
    fn a_moderated_list_holds_every_post_even_a_trusted_members() {
        for posters in [Posters::Members, Posters::Anyone, Posters::Moderators] {
            let held = hold_reason(ListPolicy::Moderated, posters, TRUSTED, SMALL);
            assert_eq!(held, Some(HoldReason::ModeratedList), "{posters:?}");
        }
        assert_eq!(
            HoldReason::ModeratedList.to_string(),
            "The list is moderated: every post waits for a moderator."
        );
    }

    #[test]
    fn announce_lists_and_moderators_only_posters_hold_for_a_moderator() {
        assert_eq!(
            hold_reason(ListPolicy::Announce, Posters::Anyone, TRUSTED, SMALL),
            Some(HoldReason::ModeratorsOnly)
        );
        assert_eq!(
            hold_reason(ListPolicy::Open, Posters::Moderators, TRUSTED, BIG),
            Some(HoldReason::ModeratorsOnly)
        );
        assert_eq!(
            HoldReason::ModeratorsOnly.to_string(),
            "Only moderators post to this list: the post waits for one of them."
        );
    }

    #[test]
    fn big_attachments_wait_whoever_sends_them() {
        for posters in [Posters::Members, Posters::Anyone] {
            assert_eq!(
                hold_reason(ListPolicy::Open, posters, TRUSTED, BIG),
                Some(HoldReason::BigAttachments)
            );
        }
        assert_eq!(
            hold_reason(
                ListPolicy::Open,
                Posters::Members,
                TRUSTED,
                ATTACHMENTS_HELD_OVER
            ),
            None,
            "exactly 1 MB still goes out"
        );
        assert_eq!(
            HoldReason::BigAttachments.to_string(),
            "Its attachments are over 1 MB: a moderator decides whether they go to every member."
        );
    }

    #[test]
    fn anyone_may_post_when_the_list_says_so() {
        assert_eq!(
            hold_reason(ListPolicy::Open, Posters::Anyone, None, SMALL),
            None
        );
        assert_eq!(
            hold_reason(
                ListPolicy::Open,
                Posters::Anyone,
                Some(MemberStanding::Moderated),
                SMALL
            ),
            None
        );
    }

    #[test]
    fn members_lists_hold_strangers_and_new_members_only() {
        assert_eq!(
            hold_reason(ListPolicy::Open, Posters::Members, None, SMALL),
            Some(HoldReason::NotAMember)
        );
        assert_eq!(
            hold_reason(
                ListPolicy::Open,
                Posters::Members,
                Some(MemberStanding::Moderated),
                SMALL
            ),
            Some(HoldReason::NewMember)
        );
        assert_eq!(
            hold_reason(ListPolicy::Open, Posters::Members, TRUSTED, SMALL),
            None
        );
        assert_eq!(
            HoldReason::NotAMember.to_string(),
            "The sender is not a member of the list."
        );
        assert_eq!(
            HoldReason::NewMember.to_string(),
            "A new member's first posts wait for a moderator."
        );
    }
}
