//! convene's domain: the pure types and rules every other layer builds on.
//!
//! Nothing here knows about HTTP, SQL or SMTP. Time and randomness come in
//! through [`Clock`] and [`TokenGenerator`] so that expiry and backoff can be
//! tested without sleeping.

pub mod authz;
pub mod clock;
pub mod device;
pub mod email;
pub mod error;
pub mod events;
pub mod groups;
pub mod list_policy;
pub mod list_settings;
pub mod lists;
pub mod media;
pub mod name;
pub mod password;
pub mod posts;
pub mod roles;
pub mod token;

pub use authz::{Action, Actor, Denied, authorize};
pub use clock::{Clock, ManualClock, SystemClock};
pub use email::EmailAddress;
pub use error::InvalidInput;
pub use name::DisplayName;
pub use password::{Password, PasswordHash};
pub use roles::{Grant, Role, Scope};
pub use token::{RandomTokens, SecretToken, TokenGenerator, TokenHash};
