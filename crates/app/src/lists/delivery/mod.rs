//! Sending accepted posts on, through the delivery engine
//! ([`crate::delivery`]):
//! each member's own copy ([`fanout`]) with the
//! list's headers ([`headers`], `required_fields`), footer ([`footer`])
//! and lines a relay takes ([`long_lines`]), and the daily digest
//! ([`digest`], put together by [`digest_mime`]).

pub mod digest;
pub mod digest_mime;
pub mod fanout;
pub mod footer;
pub mod headers;
pub mod long_lines;
pub(crate) mod required_fields;

/// Named here so the copies' code reaches the lists' domain as
/// `super::mail_domain`, as it did before the lists had rooms.
pub(crate) use super::mail_domain;
