//! What arrives at a list's addresses and what becomes of it: a post
//! ([`inbound`], made fit to store by [`tidy`]), a `-join` or `-leave`
//! request ([`by_mail`]), mail for `-owner` ([`owner`]), a moderator's
//! reply to a held-post notice ([`by_reply`]) and a bounce ([`bounces`]).
//! Each ends as an [`inbound::Accepted`] or a typed [`inbound::Refusal`];
//! which reply code a mail listener gives for it is the adapter's choice.

pub mod bounces;
pub mod by_mail;
pub mod by_reply;
pub mod inbound;
pub mod owner;
pub mod tidy;
