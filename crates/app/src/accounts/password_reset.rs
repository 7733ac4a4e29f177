//! Choosing a new password through an emailed link.

use super::links::{LinkPurpose, consume_link, issue_link};
use super::start_session;
use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, RESET};
use crate::{AppError, AppResult, Services};
use convene_domain::{EmailAddress, Password, SecretToken};
use convene_store::{sessions, users};

/// Emails a reset link if the address has an account. Same answer either way.
pub async fn request_password_reset(svc: &Services, email: &str, ip: &str) -> AppResult<()> {
    let email = EmailAddress::parse(email)?;
    rate_limit::check(
        svc,
        RESET,
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
        LinkPurpose::PasswordReset,
        Some(user.id),
        &user.email,
        LinkPurpose::PasswordReset.lifetime(),
    )
    .await?;
    let link = svc
        .site
        .link(&format!("/password/reset/{}", token.expose()));
    let mail = templates::password_reset(&svc.site.name, &user.display_name, &link);
    queue_email(&mut tx, svc, &user.email, Some(&user.display_name), mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link, ends every other session of the
/// account and starts a new one.
pub async fn reset_password(
    svc: &Services,
    token: &str,
    new_password: &str,
) -> AppResult<SecretToken> {
    let mut tx = svc.db.begin().await?;
    let link = super::check_link(&mut tx, svc, token, LinkPurpose::PasswordReset).await?;
    let password = Password::new(new_password, &link.email)?;
    let hash = password.hash()?;
    consume_link(&mut tx, svc, token, LinkPurpose::PasswordReset).await?;
    let user_id = link
        .user_id
        .ok_or(AppError::NotFound("This link is not valid."))?;
    users::set_password(tx.ex(), user_id, &hash.0).await?;
    users::mark_verified(tx.ex(), user_id, svc.clock.now()).await?;
    sessions::delete_for_user(tx.ex(), user_id).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
