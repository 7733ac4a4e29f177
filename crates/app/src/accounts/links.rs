//! Single-use links sent by email, and the checks every one of them passes.

use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_domain::SecretToken;
use convene_store::Tx;
use convene_store::auth_tokens::{self, AuthTokenRow, NewAuthToken};

/// What a link does, and how long it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Confirms a new account's address.
    VerifyEmail,
    /// Signs in without a password.
    MagicLink,
    /// Lets the holder choose a new password (also used for a coordinator
    /// created from the command line).
    PasswordReset,
    /// Sets up the site's first coordinator.
    FirstCoordinator,
}

impl LinkPurpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::VerifyEmail => "verify_email",
            LinkPurpose::MagicLink => "magic_link",
            LinkPurpose::PasswordReset => "password_reset",
            LinkPurpose::FirstCoordinator => "first_coordinator",
        }
    }

    /// How long a fresh link works.
    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::VerifyEmail => Duration::hours(48),
            LinkPurpose::MagicLink => Duration::minutes(15),
            LinkPurpose::PasswordReset => Duration::hours(1),
            LinkPurpose::FirstCoordinator => Duration::hours(24),
        }
    }
}

/// Stores a new link for `email` (and its account, if any) and returns its secret.
pub(crate) async fn issue_link(
    tx: &mut Tx,
    svc: &Services,
    purpose: LinkPurpose,
    user_id: Option<i64>,
    email: &str,
    lifetime: Duration,
) -> AppResult<SecretToken> {
    let token = svc.tokens.new_token();
    let now = svc.clock.now();
    auth_tokens::insert(
        tx.ex(),
        &NewAuthToken {
            token_hash: token.hash().as_str(),
            purpose: purpose.as_str(),
            user_id,
            email,
            created_at: now,
            expires_at: now + lifetime,
        },
    )
    .await?;
    Ok(token)
}

/// Looks a link up and says clearly why it cannot be used, without using it.
pub async fn check_link(
    tx: &mut Tx,
    svc: &Services,
    token: &str,
    purpose: LinkPurpose,
) -> AppResult<AuthTokenRow> {
    let hash = SecretToken::from_client(token).hash();
    let row = auth_tokens::by_hash(tx.ex(), hash.as_str())
        .await?
        .filter(|r| r.purpose == purpose.as_str())
        .ok_or(AppError::NotFound(
            "This link is not valid. Check that you copied all of it, or ask for a new one.",
        ))?;
    if row.used_at.is_some() {
        return Err(AppError::LinkSpent(
            "This link has already been used. Links work only once; ask for a new one if you need it.",
        ));
    }
    if row.expires_at <= svc.clock.now() {
        return Err(AppError::LinkSpent(
            "This link has expired. Ask for a new one.",
        ));
    }
    Ok(row)
}

/// Checks a link and marks it used in `tx`. Two requests racing for one
/// link: exactly one wins.
pub(crate) async fn consume_link(
    tx: &mut Tx,
    svc: &Services,
    token: &str,
    purpose: LinkPurpose,
) -> AppResult<AuthTokenRow> {
    let row = check_link(tx, svc, token, purpose).await?;
    if !auth_tokens::mark_used(tx.ex(), row.id, svc.clock.now()).await? {
        return Err(AppError::LinkSpent("This link has already been used."));
    }
    Ok(row)
}
