//! Bulk sending: every batch of copies (a list message, a digest, a blog
//! post's mail, a sending of the weekly email) goes out through one
//! [`engine`], which reads the batch's queued copies from the one ledger
//! of who got what (`convene_store::deliveries`), makes each recipient
//! their own copy, hands it to the relay over several connections, and
//! writes the answers back.

pub mod engine;

pub use engine::{Copy, Ledger, Outcome, deliver, unrecorded_limit};
