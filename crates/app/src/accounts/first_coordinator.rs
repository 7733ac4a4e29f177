//! Getting the first coordinator in: a set-up link printed by `convene
//! serve` while the site has none, and `convene admin create-coordinator`.

use super::links::{LinkPurpose, consume_link, issue_link};
use super::start_session;
use crate::{AppError, AppResult, Services};
use convene_domain::{DisplayName, EmailAddress, Grant, Password, Role, Scope, SecretToken};
use convene_store::users::{self, NewUser};
use convene_store::{auth_tokens, grants};

/// True while no account is a coordinator.
pub async fn needs_first_coordinator(svc: &Services) -> AppResult<bool> {
    let mut conn = svc.db.conn().await?;
    Ok(grants::count_holders(conn.ex(), Role::Coordinator, &Scope::Site).await? == 0)
}

/// A fresh one-time link to `/setup/{token}` where whoever started the
/// server sets up the first coordinator. Earlier set-up links expire at once.
pub async fn first_coordinator_link(svc: &Services) -> AppResult<String> {
    let mut tx = svc.db.begin().await?;
    let purpose = LinkPurpose::FirstCoordinator;
    auth_tokens::expire_unused(tx.ex(), purpose.as_str(), svc.clock.now()).await?;
    let token = issue_link(
        &mut tx,
        svc,
        LinkPurpose::FirstCoordinator,
        None,
        "",
        LinkPurpose::FirstCoordinator.lifetime(),
    )
    .await?;
    tx.commit().await?;
    Ok(svc.site.link(&format!("/setup/{}", token.expose())))
}

/// What the set-up form sends.
#[derive(Debug)]
pub struct FirstCoordinator<'a> {
    /// Address.
    pub email: &'a str,
    /// Name.
    pub display_name: &'a str,
    /// Password.
    pub password: &'a str,
}

/// Creates the first coordinator from the set-up link and signs them in.
pub async fn set_up_first_coordinator(
    svc: &Services,
    token: &str,
    input: &FirstCoordinator<'_>,
) -> AppResult<SecretToken> {
    let email = EmailAddress::parse(input.email)?;
    let name = DisplayName::parse(input.display_name)?;
    let password = Password::new(input.password, email.as_str())?;
    let hash = password.hash()?;
    let mut tx = svc.db.begin().await?;
    consume_link(&mut tx, svc, token, LinkPurpose::FirstCoordinator).await?;
    if grants::count_holders(tx.ex(), Role::Coordinator, &Scope::Site).await? > 0 {
        return Err(AppError::LinkSpent(
            "This site already has a coordinator; sign in instead.",
        ));
    }
    let now = svc.clock.now();
    let user_id = match users::by_email(tx.ex(), email.as_str()).await? {
        Some(u) => {
            users::set_password(tx.ex(), u.id, &hash.0).await?;
            users::mark_verified(tx.ex(), u.id, now).await?;
            u.id
        }
        None => {
            users::insert(
                tx.ex(),
                &NewUser {
                    email: email.as_str(),
                    display_name: name.as_str(),
                    password_hash: Some(&hash.0),
                    email_verified_at: Some(now),
                    created_at: now,
                },
            )
            .await?
        }
    };
    grants::grant(
        tx.ex(),
        user_id,
        &Grant {
            role: Role::Coordinator,
            scope: Scope::Site,
        },
        None,
        now,
    )
    .await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}

/// Makes `email` a coordinator (creating the account if needed) and returns
/// a one-time link where they choose a password and sign in. For the
/// `convene admin create-coordinator` command, run by whoever runs the server.
pub async fn create_coordinator_link(svc: &Services, email: &str) -> AppResult<String> {
    let email = EmailAddress::parse(email)?;
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let user_id = match users::by_email(tx.ex(), email.as_str()).await? {
        Some(u) => u.id,
        None => {
            let local = email.as_str().split('@').next().unwrap_or("coordinator");
            users::insert(
                tx.ex(),
                &NewUser {
                    email: email.as_str(),
                    display_name: local,
                    password_hash: None,
                    email_verified_at: None,
                    created_at: now,
                },
            )
            .await?
        }
    };
    grants::grant(
        tx.ex(),
        user_id,
        &Grant {
            role: Role::Coordinator,
            scope: Scope::Site,
        },
        None,
        now,
    )
    .await?;
    let token = issue_link(
        &mut tx,
        svc,
        LinkPurpose::PasswordReset,
        Some(user_id),
        email.as_str(),
        chrono::Duration::hours(24),
    )
    .await?;
    tx.commit().await?;
    Ok(svc
        .site
        .link(&format!("/password/reset/{}", token.expose())))
}
