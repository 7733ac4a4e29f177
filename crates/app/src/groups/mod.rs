//! The roster: entries for groups, how they are checked, changed, found and
//! kept true.

mod browse;
mod care;
mod contact;
mod edit;
mod freshness;
mod import;
mod input;
mod link_check;
mod pick;
mod place_inference;
mod revisions;
mod roster_review;
mod seed;

pub use browse::{
    GroupPage, Near, PlaceCount, browse_counts, group_page, list_groups, located_groups, near,
    roster_version, search_groups, unplaced_in_country,
};
pub use care::{Care, care};
pub use contact::{ContactMessage, contact_organizers};
pub use edit::{Review, confirm_group, create_group, propose_group, review_proposal, update_group};
pub use freshness::{
    ASK_AFTER_DAYS, RequestConfirmations, confirm_by_link, request_confirmations,
    schedule_confirmations,
};
pub use import::{ImportReport, RosterFormat, import_roster};
pub use input::{GroupInput, ValidGroup, validate};
pub use link_check::{
    CheckGroupLinks, RECHECK_AFTER_DAYS, ScheduleLinkChecks, check_group_links, queue_due_checks,
    schedule_link_checks,
};
pub use pick::{group_names, pick_group};
pub use revisions::{Change, history, revert_to};
pub use roster_review::{HeldKind, accept_held, dismiss_held, held_entries};
pub use seed::seed_groups;

use chrono::{DateTime, Duration, Utc};

/// An entry not confirmed for this long is shown as possibly inactive.
pub const STALE_AFTER_DAYS: i64 = 365;

/// True when an entry confirmed at `confirmed_at` (or never) counts as stale at `now`.
pub fn is_stale(
    confirmed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    confirmed_at.unwrap_or(created_at) + Duration::days(STALE_AFTER_DAYS) < now
}
