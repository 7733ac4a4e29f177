//! Mailing lists: the organizers' list and group lists, their members, and
//! the mail that passes through them.

pub mod archive;
mod members;

pub use members::{
    DELIVERY_MODES, ListView, all_lists, by_member_token, confirm, leave_by_token, leave_mine,
    list, mail_domain, my_subscriptions, request_subscription, set_my_delivery,
};
