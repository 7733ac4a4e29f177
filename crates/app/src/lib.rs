//! convene's use-cases: the verbs (sign up, invite an organizer, send an
//! email) with their transaction boundaries, plus the durable job queue that
//! carries everything leaving the process, and the mailer it drives.
//!
//! Adapters (web, command line) call these functions with a [`Services`]
//! and turn [`AppError`] into their own shape.

pub mod accounts;
pub mod admin;
pub mod blog;
pub mod calendars;
pub mod delivery;
pub mod error;
pub mod federation;
pub mod front_page;
pub mod groups;
pub mod invitations;
pub mod jobs;
pub mod lists;
mod made_up;
pub mod mail;
pub mod markdown;
pub mod media;
pub mod net;
pub mod rate_limit;
pub mod services;
pub mod site;
pub mod weekly;

pub use error::{AppError, AppResult};
pub use services::{Services, SiteInfo};
