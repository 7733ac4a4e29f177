//! Mailing lists: the organizers' list and group lists, their members,
//! their archives, and the mail that passes through them: taking mail for
//! a list's addresses (posts, `-join` and `-leave` requests, bounces),
//! fanning accepted posts out to every member through the job queue, mail
//! to `{list}-owner` forwarded to the moderators (and their replies to
//! held-post notices).
//!
//! Two rooms hold the mail: [`intake`] decides what becomes of a message
//! that arrives (stored, held, dropped or refused, with a typed
//! [`Refusal`]), and [`delivery`] sends accepted posts and digests on.
//! The reply codes the mail listeners give belong to the mail-in adapter
//! (`convene-mailin`), not here.

pub mod archive;
pub mod attachments;
pub mod delivery;
pub mod emails;
pub mod from_web;
pub mod import;
pub mod intake;
mod members;
pub mod moderation;
pub mod my_lists;
mod seed;
pub mod settings;

pub use delivery::digest::{
    DigestReport, ScheduleDigests, SendDigest, digest_failures, digest_report, schedule_digests,
};
pub use delivery::fanout::FanOut;
pub use intake::inbound::{Accepted, Refusal, accept, check_recipient};
pub use intake::owner::ForwardToModerator;
pub use members::{
    DELIVERY_MODES, JoinAsked, ListView, all_lists, ask_to_join, by_member_token, confirm,
    leave_by_token, leave_mine, list, my_subscriptions, request_subscription, set_my_delivery,
};
pub use seed::{BENCH_LIST, COMMON_WORD, ListSeeded, ListSize, RARE_WORD, SINK_DOMAIN, seed_list};

use crate::Services;
use convene_domain::TokenGenerator;

/// The domain of the lists' addresses: the part after `@` in the site's
/// sender address.
pub fn mail_domain(svc: &Services) -> String {
    svc.site
        .mail_from
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d)
        .to_ascii_lowercase()
}

/// A new member token: lowercase, because it travels in the local part of
/// bounce addresses and mail systems may fold their case.
pub fn new_member_token(tokens: &dyn TokenGenerator) -> String {
    tokens.new_token().hash().as_str()[..32].to_owned()
}
