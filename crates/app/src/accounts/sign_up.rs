//! Creating an account and confirming its address.

use super::links::{LinkPurpose, issue_link, prove_address};
use super::signup_switch::signup_open;
use super::start_session;
use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, SIGN_UP};
use crate::{AppError, AppResult, Services};
use convene_domain::{DisplayName, EmailAddress, Password, SecretToken};
use convene_store::users::{self, NewUser};

/// What a person types to sign up.
#[derive(Debug)]
pub struct SignUp<'a> {
    /// Their address.
    pub email: &'a str,
    /// Their name.
    pub display_name: &'a str,
    /// Their chosen password.
    pub password: &'a str,
}

/// Creates an unconfirmed account and emails a confirmation link.
///
/// If the address already has an account, its owner gets an email saying
/// so instead, and the visitor sees the same answer either way: nobody can
/// learn from this form who has an account.
pub async fn sign_up(svc: &Services, input: &SignUp<'_>, ip: &str) -> AppResult<()> {
    if !signup_open(svc).await? {
        return Err(AppError::SignupClosed);
    }
    let email = EmailAddress::parse(input.email)?;
    let name = DisplayName::parse(input.display_name)?;
    let password = Password::new(input.password, email.as_str())?;
    rate_limit::check(svc, SIGN_UP, &[&format!("ip:{ip}")]).await?;
    let hash = password.hash()?;

    let mut tx = svc.db.begin().await?;
    if let Some(existing) = users::by_email(tx.ex(), email.as_str()).await? {
        let mail = templates::already_registered(
            &svc.site.name,
            &existing.display_name,
            &svc.site.link("/signin"),
            &svc.site.link("/password/forgot"),
        );
        queue_email(
            &mut tx,
            svc,
            &existing.email,
            Some(&existing.display_name),
            mail,
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    }
    let user_id = users::insert(
        tx.ex(),
        &NewUser {
            email: email.as_str(),
            display_name: name.as_str(),
            password_hash: Some(&hash.0),
            email_verified_at: None,
            created_at: svc.clock.now(),
        },
    )
    .await?;
    let token = issue_link(
        &mut tx,
        svc,
        LinkPurpose::VerifyEmail,
        Some(user_id),
        email.as_str(),
        LinkPurpose::VerifyEmail.lifetime(),
    )
    .await?;
    let link = svc.site.link(&format!("/verify/{}", token.expose()));
    let mail = templates::verify_email(&svc.site.name, name.as_str(), &link);
    queue_email(&mut tx, svc, email.as_str(), Some(name.as_str()), mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms the address a link was sent to and signs its owner in.
pub async fn verify_email(svc: &Services, token: &str) -> AppResult<SecretToken> {
    let mut tx = svc.db.begin().await?;
    let user_id = prove_address(&mut tx, svc, token, LinkPurpose::VerifyEmail).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
