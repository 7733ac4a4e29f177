//! The site on the fediverse: groups and regional calendars are
//! ActivityPub actors that servers such as Mastodon, Mobilizon and Gancio
//! can find, read and follow, and that follow accounts there in turn.
//!
//! - [`actors`]: which local actors exist, their documents and keys.
//! - [`publish`]: events and posts going out to followers.
//! - [`deliver`]: signed deliveries to other servers' inboxes, one job
//!   per inbox.
//! - [`inbox`]: what other servers post to us, checked and acted on.
//! - [`following`]: calendars following accounts elsewhere, whose events
//!   arrive by themselves.
//! - [`reactions`]: likes and boosts of our posts and events.
//! - [`remote`]: remote actors' documents, fetched and kept.
//! - [`moderation`]: blocks, refusals and reports, for coordinators.

pub mod actors;
pub mod deliver;
pub mod following;
pub mod inbox;
pub mod moderation;
pub mod publish;
pub mod reactions;
pub mod remote;

pub use convene_activitypub as vocab;
