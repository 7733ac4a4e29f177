//! The site on the fediverse: groups and regional calendars are
//! ActivityPub actors that servers such as Mastodon, Mobilizon and Gancio
//! can find, read and follow.
//!
//! - [`actors`]: which local actors exist, their documents and keys.
//! - [`inbox`]: what other servers post to us, checked and acted on.
//! - [`deliver`]: signed deliveries to other servers' inboxes, one job
//!   per inbox.

pub mod actors;
pub mod deliver;
pub mod following;
pub mod inbox;
pub mod moderation;
pub mod publish;
pub mod reactions;

pub use convene_activitypub as vocab;
