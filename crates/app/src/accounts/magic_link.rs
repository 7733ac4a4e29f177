//! Signing in with a link sent by email.

use super::links::{LinkPurpose, email_link_to_account, prove_address};
use super::start_session;
use crate::mail::templates;
use crate::rate_limit::MAGIC_LINK;
use crate::{AppResult, Services};
use convene_domain::SecretToken;

/// Emails a sign-in link if the address has an account. The visitor sees the
/// same answer either way.
pub async fn request_magic_link(svc: &Services, email: &str, ip: &str) -> AppResult<()> {
    email_link_to_account(
        svc,
        email,
        ip,
        MAGIC_LINK,
        LinkPurpose::MagicLink,
        "/signin/link/",
        templates::magic_link,
    )
    .await
}

/// Uses a sign-in link: the address is now proven, and a session starts.
pub async fn sign_in_with_link(svc: &Services, token: &str) -> AppResult<SecretToken> {
    let mut tx = svc.db.begin().await?;
    let user_id = prove_address(&mut tx, svc, token, LinkPurpose::MagicLink).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
