//! Signing in with a link sent by email.

use super::links::{LinkPurpose, consume_link, issue_link};
use super::start_session;
use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, MAGIC_LINK};
use crate::{AppError, AppResult, Services};
use convene_domain::{EmailAddress, SecretToken};
use convene_store::users;

/// Emails a sign-in link if the address has an account. The visitor sees the
/// same answer either way.
pub async fn request_magic_link(svc: &Services, email: &str, ip: &str) -> AppResult<()> {
    let email = EmailAddress::parse(email)?;
    rate_limit::check(
        svc,
        MAGIC_LINK,
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
        LinkPurpose::MagicLink,
        Some(user.id),
        &user.email,
        LinkPurpose::MagicLink.lifetime(),
    )
    .await?;
    let link = svc.site.link(&format!("/signin/link/{}", token.expose()));
    let mail = templates::magic_link(&svc.site.name, &user.display_name, &link);
    queue_email(&mut tx, svc, &user.email, Some(&user.display_name), mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a sign-in link: the address is now proven, and a session starts.
pub async fn sign_in_with_link(svc: &Services, token: &str) -> AppResult<SecretToken> {
    let mut tx = svc.db.begin().await?;
    let link = consume_link(&mut tx, svc, token, LinkPurpose::MagicLink).await?;
    let user_id = link
        .user_id
        .ok_or(AppError::NotFound("This link is not valid."))?;
    users::mark_verified(tx.ex(), user_id, svc.clock.now()).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
