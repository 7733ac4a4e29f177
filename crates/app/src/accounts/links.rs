//! Single-use links sent by email, and the checks every one of them passes.

use crate::mail::queue_email;
use crate::mail::templates::Rendered;
use crate::rate_limit::{self, Limit};
use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_domain::EmailAddress;
use convene_domain::SecretToken;
use convene_store::auth_tokens::{self, AuthTokenRow, NewAuthToken};
use convene_store::{Tx, users};

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
    /// Confirms that a group's entry is still right (the subject is its slug).
    ConfirmGroup,
}

impl LinkPurpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::VerifyEmail => "verify_email",
            LinkPurpose::MagicLink => "magic_link",
            LinkPurpose::PasswordReset => "password_reset",
            LinkPurpose::FirstCoordinator => "first_coordinator",
            LinkPurpose::ConfirmGroup => "confirm_group",
        }
    }

    /// How long a fresh link works.
    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::VerifyEmail => Duration::hours(48),
            LinkPurpose::MagicLink => Duration::minutes(15),
            LinkPurpose::PasswordReset => Duration::hours(1),
            LinkPurpose::FirstCoordinator => Duration::hours(24),
            LinkPurpose::ConfirmGroup => Duration::days(30),
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
    issue_link_about(tx, svc, purpose, user_id, email, lifetime, None).await
}

/// Like [`issue_link`], for a link that also acts on `subject`.
pub(crate) async fn issue_link_about(
    tx: &mut Tx,
    svc: &Services,
    purpose: LinkPurpose,
    user_id: Option<i64>,
    email: &str,
    lifetime: Duration,
    subject: Option<&str>,
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
            subject,
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

/// Checks that a link can still be used, without using it (for the page
/// that shows the form or button behind the link).
pub async fn link_is_usable(svc: &Services, token: &str, purpose: LinkPurpose) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    check_link(&mut tx, svc, token, purpose).await?;
    Ok(())
}

/// Emails a fresh `purpose` link (to `{path}{token}`) to the account at
/// `email`, if there is one. The caller's visitor sees the same answer
/// either way, so nobody learns from it who has an account.
pub(crate) async fn email_link_to_account(
    svc: &Services,
    email: &str,
    ip: &str,
    limit: Limit,
    purpose: LinkPurpose,
    path: &str,
    template: fn(&str, &str, &str) -> Rendered,
) -> AppResult<()> {
    let email = EmailAddress::parse(email)?;
    rate_limit::check(
        svc,
        limit,
        &[&format!("ip:{ip}"), &format!("account:{email}")],
    )
    .await?;
    let mut tx = svc.db.begin().await?;
    let Some(user) = users::by_email(tx.ex(), email.as_str())
        .await?
        .filter(|u| u.disabled_at.is_none())
    else {
        return Ok(());
    };
    let token = issue_link(
        &mut tx,
        svc,
        purpose,
        Some(user.id),
        &user.email,
        purpose.lifetime(),
    )
    .await?;
    let link = svc.site.link(&format!("{path}{}", token.expose()));
    let mail = template(&svc.site.name, &user.display_name, &link);
    queue_email(&mut tx, svc, &user.email, Some(&user.display_name), mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Spends a link inside `tx` and returns what it was stored with.
pub(crate) async fn spend(
    tx: &mut Tx,
    svc: &Services,
    token: &str,
    purpose: LinkPurpose,
) -> AppResult<convene_store::auth_tokens::AuthTokenRow> {
    consume_link(tx, svc, token, purpose).await
}

/// Spends a link sent to an account's address inside `tx`: the address is
/// now proven. Returns the account's id.
pub(crate) async fn prove_address(
    tx: &mut Tx,
    svc: &Services,
    token: &str,
    purpose: LinkPurpose,
) -> AppResult<i64> {
    let link = consume_link(tx, svc, token, purpose).await?;
    let user_id = link
        .user_id
        .ok_or(AppError::NotFound("This link is not valid."))?;
    users::mark_verified(tx.ex(), user_id, svc.clock.now()).await?;
    Ok(user_id)
}
