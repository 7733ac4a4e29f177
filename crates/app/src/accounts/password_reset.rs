//! Choosing a new password through an emailed link.

use super::links::{LinkPurpose, check_link, email_link_to_account, prove_address};
use super::start_session;
use crate::mail::templates;
use crate::rate_limit::RESET;
use crate::{AppResult, Services};
use convene_domain::{Password, SecretToken};
use convene_store::{sessions, users};

/// Emails a reset link if the address has an account. Same answer either way.
pub async fn request_password_reset(svc: &Services, email: &str, ip: &str) -> AppResult<()> {
    email_link_to_account(
        svc,
        email,
        ip,
        RESET,
        LinkPurpose::PasswordReset,
        "/password/reset/",
        templates::password_reset,
    )
    .await
}

/// Sets a new password from a reset link, ends every other session of the
/// account and starts a new one.
pub async fn reset_password(
    svc: &Services,
    token: &str,
    new_password: &str,
) -> AppResult<SecretToken> {
    // Hash outside the write transaction: it takes a while, and SQLite
    // writers queue behind an open one.
    let link = {
        let mut tx = svc.db.begin().await?;
        check_link(&mut tx, svc, token, LinkPurpose::PasswordReset).await?
    };
    let hash = Password::new(new_password, &link.email)?.hash()?;
    let mut tx = svc.db.begin().await?;
    let user_id = prove_address(&mut tx, svc, token, LinkPurpose::PasswordReset).await?;
    users::set_password(tx.ex(), user_id, &hash.0).await?;
    sessions::delete_for_user(tx.ex(), user_id).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
