//! The one error type of the use-case layer.
//!
//! Policy: expected failures (bad input, refused permission, a missing or
//! spent link, a taken address, too many attempts) each have their own
//! variant with a message a person can act on; adapters map them to 4xx.
//! Everything else is [`AppError::Internal`]: logged with its cause by the
//! adapter and shown to the visitor only as "something went wrong".

use convene_domain::{Denied, InvalidInput};
use convene_store::StoreError;

/// Why a use-case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A value was refused; the field and the advice are inside.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Not allowed for this person (or nobody is signed in).
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Not allowed for this person, with the reason in words (where a
    /// generic "no permission" would leave them guessing what to do).
    #[error("{0}")]
    NotAllowed(&'static str),
    /// The thing asked for does not exist (or may not be seen).
    #[error("{0}")]
    NotFound(&'static str),
    /// It conflicts with what is stored (an address already registered).
    #[error("{0}")]
    Conflict(String),
    /// A single-use link that expired, was used or was revoked.
    #[error("{0}")]
    LinkSpent(&'static str),
    /// Wrong address or password. Deliberately does not say which.
    #[error("That email address and password do not match an account.")]
    BadCredentials,
    /// Too many attempts; try again after the number of seconds given.
    #[error("Too many attempts. Please wait {} and try again.", wait_words(*retry_after_secs))]
    RateLimited {
        /// Seconds until the current window ends.
        retry_after_secs: i64,
    },
    /// The site is not taking new accounts.
    #[error("Sign-up is closed on this site; ask a coordinator or organizer for an invitation.")]
    SignupClosed,
    /// A failure that is not the visitor's doing.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<convene_domain::password::PasswordError> for AppError {
    fn from(e: convene_domain::password::PasswordError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Shorthand for use-case results.
pub type AppResult<T> = Result<T, AppError>;

fn wait_words(secs: i64) -> String {
    match secs {
        ..=60 => "a minute".to_owned(),
        61..=3599 => format!("{} minutes", (secs + 59) / 60),
        _ => format!("{} hours", (secs + 3599) / 3600),
    }
}
