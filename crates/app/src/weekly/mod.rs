//! "What's on near you", weekly: a member (or a visitor once their address
//! is confirmed) subscribes to a regional calendar or to the area within a
//! distance of a place, and every week gets one email with the coming two
//! weeks' meetings there and the groups' new posts, in their time zone,
//! with a one-click unsubscribe link (RFC 8058). Nothing is sent in a week
//! with nothing to tell. The same digest is an Atom feed.
//!
//! The verbs: [`subscribe()`], [`confirm()`], [`unsubscribe()`],
//! [`compose()`] (what a digest holds) and [`queue_due`] with the
//! [`SendWeekly`] job (one per sending, through the delivery engine;
//! once per subscriber per ISO week).

mod area;
mod compose;
mod confirm;
mod send;
mod subscribe;
mod unsubscribe;

pub use area::{Area, MAX_RADIUS_KM, parse_area};
pub use compose::{DigestEvent, DigestPost, WeeklyDigest, compose, compose_for_area, window_days};
pub use confirm::confirm;
pub use send::{QueueWeeklyOne, SEND_HOUR, SendWeekly, queue_due, send_one};
pub use subscribe::{Subscribed, WeeklyInput, subscribe, subscriptions_of};
pub use unsubscribe::{by_token, unsubscribe};
