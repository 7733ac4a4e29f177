//! Accounts: sign-up, address verification, sign-in by password or by
//! emailed link, password reset, sessions, API tokens and the set-up link
//! for the first coordinator.

mod api_tokens;
mod first_coordinator;
mod links;
mod magic_link;
mod password_reset;
mod sessions;
mod sign_in;
mod sign_up;
mod signup_switch;

pub use api_tokens::{create_api_token, list_api_tokens, resolve_api_token, revoke_api_token};
pub use first_coordinator::{
    FirstCoordinator, create_coordinator_link, first_coordinator_link, needs_first_coordinator,
    set_up_first_coordinator,
};
pub use links::{LinkPurpose, check_link, link_is_usable};
pub use magic_link::{request_magic_link, sign_in_with_link};
pub use password_reset::{request_password_reset, reset_password};
pub use sessions::{SESSION_DAYS, SignedIn, resolve_session, sign_out};
pub use sign_in::{PasswordSignIn, sign_in_with_password};
pub use sign_up::{SignUp, sign_up, verify_email};
pub use signup_switch::{set_signup_open, signup_open};

pub(crate) use links::{issue_link_about, spend};
pub(crate) use sessions::start_session;
