//! Mailing lists: the organizers' list and group lists, their members,
//! their archives, and the mail that passes through them: taking mail for
//! a list's addresses (posts, `-join` and `-leave` requests, bounces),
//! fanning accepted posts out to every member through the job queue, mail
//! to `{list}-owner` forwarded to the moderators (and their replies to
//! held-post notices), and the handler that connects the LMTP and SMTP
//! listeners to all of this.

pub mod archive;
pub mod attachments;
pub mod bounces;
pub mod by_mail;
pub mod by_reply;
pub mod digest;
pub mod digest_mime;
pub mod emails;
pub mod fanout;
pub mod footer;
pub mod from_web;
pub mod headers;
pub mod import;
pub mod inbound;
pub mod intake;
pub mod lmtp;
pub mod long_lines;
mod members;
pub mod moderation;
pub mod my_lists;
pub mod owner;
mod required_fields;
mod seed;
pub mod settings;

pub use digest::{
    DigestReport, ScheduleDigests, SendDigest, digest_failures, digest_report, schedule_digests,
};
pub use fanout::FanOut;
pub use inbound::{Accepted, Refusal, accept, check_recipient};
pub use lmtp::ListMailHandler;
pub use members::{
    DELIVERY_MODES, JoinAsked, ListView, all_lists, ask_to_join, by_member_token, confirm,
    leave_by_token, leave_mine, list, my_subscriptions, request_subscription, set_my_delivery,
};
pub use owner::ForwardToModerator;
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
