//! Opening and accepting an invitation.

use super::describe;
use crate::accounts::{SignedIn, start_session};
use crate::{AppError, AppResult, Services};
use convene_domain::{DisplayName, Grant, Password, Role, Scope, SecretToken};
use convene_store::invitations::{self, InvitationRow};
use convene_store::users::{self, NewUser};
use convene_store::{Tx, grants};

/// What the invitation page shows.
#[derive(Debug, Clone)]
pub struct InvitationView {
    /// The invited address.
    pub email: String,
    /// "an organizer of the group pug-boston".
    pub offered: String,
    /// The inviter's name.
    pub inviter: String,
    /// True if the address already has an account (no password needed).
    pub account_exists: bool,
}

async fn usable(tx: &mut Tx, svc: &Services, token: &str) -> AppResult<InvitationRow> {
    let row = invitations::by_token_hash(tx.ex(), SecretToken::from_client(token).hash().as_str())
        .await?
        .ok_or(AppError::NotFound("This invitation link is not valid. Check that you copied all of it, or ask for a new invitation."))?;
    if row.accepted_at.is_some() {
        return Err(AppError::LinkSpent(
            "This invitation has already been accepted. Sign in to use your account.",
        ));
    }
    if row.revoked_at.is_some() {
        return Err(AppError::LinkSpent(
            "This invitation was withdrawn. Ask the person who invited you for a new one.",
        ));
    }
    if row.expires_at <= svc.clock.now() {
        return Err(AppError::LinkSpent(
            "This invitation has expired (links work for 7 days). Ask the person who invited you to send it again.",
        ));
    }
    Ok(row)
}

fn role_of(row: &InvitationRow) -> AppResult<Grant> {
    let role = Role::parse(&row.role).ok_or_else(|| AppError::Internal("bad role".into()))?;
    let scope =
        Scope::from_stored(&row.scope).ok_or_else(|| AppError::Internal("bad scope".into()))?;
    Ok(Grant { role, scope })
}

/// Describes a usable invitation, or says why it cannot be used.
pub async fn view_invitation(svc: &Services, token: &str) -> AppResult<InvitationView> {
    let mut tx = svc.db.begin().await?;
    let row = usable(&mut tx, svc, token).await?;
    let grant = role_of(&row)?;
    let inviter = users::by_id(tx.ex(), row.invited_by)
        .await?
        .map_or_else(String::new, |u| u.display_name);
    let account_exists = users::by_email(tx.ex(), &row.email).await?.is_some();
    let offered = describe(tx.ex(), grant.role, grant.scope).await?;
    tx.commit().await?;
    Ok(InvitationView {
        email: row.email,
        offered,
        inviter,
        account_exists,
    })
}

/// How the invited person accepts.
#[derive(Debug)]
pub enum Acceptance<'a> {
    /// A new account: the name and password they chose.
    NewAccount {
        /// Name.
        display_name: &'a str,
        /// Password.
        password: &'a str,
    },
    /// The address already has an account; the link proves it is theirs.
    ExistingAccount,
}

/// Accepts the invitation: creates the account or adds the role to the
/// existing one, marks the link used, and starts a session.
///
/// `signed_in` is whoever is signed in in this browser; if that is another
/// account than the invited address, the invitation is refused rather than
/// given to the wrong person.
pub async fn accept_invitation(
    svc: &Services,
    token: &str,
    signed_in: Option<&SignedIn>,
    how: Acceptance<'_>,
) -> AppResult<SecretToken> {
    // A new account's password is checked and hashed before the write
    // transaction opens (hashing is slow; SQLite writers queue behind it).
    let new_account = match how {
        Acceptance::NewAccount {
            display_name,
            password,
        } => {
            let name = DisplayName::parse(display_name)?;
            let hash = Password::new(password, "")?.hash()?;
            Some((name, password, hash))
        }
        Acceptance::ExistingAccount => None,
    };
    let mut tx = svc.db.begin().await?;
    let row = usable(&mut tx, svc, token).await?;
    if let Some(current) = signed_in.filter(|s| s.user.email != row.email) {
        return Err(AppError::Conflict(format!(
            "This invitation was sent to {}, but you are signed in as {}. Sign out first, then open the link again.",
            row.email, current.user.email
        )));
    }
    let grant = role_of(&row)?;
    let now = svc.clock.now();
    let user_id = match (users::by_email(tx.ex(), &row.email).await?, new_account) {
        (Some(existing), _) => {
            users::mark_verified(tx.ex(), existing.id, now).await?;
            existing.id
        }
        (None, Some((name, password, hash))) => {
            Password::new(password, &row.email)?;
            users::insert(
                tx.ex(),
                &NewUser {
                    email: &row.email,
                    display_name: name.as_str(),
                    password_hash: Some(&hash.0),
                    email_verified_at: Some(now),
                    created_at: now,
                },
            )
            .await?
        }
        (None, None) => {
            return Err(AppError::Conflict(
                "Choose your name and a password to create your account.".into(),
            ));
        }
    };
    if !invitations::accept(tx.ex(), row.id, user_id, now).await? {
        return Err(AppError::LinkSpent(
            "This invitation has already been accepted.",
        ));
    }
    grants::grant(tx.ex(), user_id, &grant, Some(row.invited_by), now).await?;
    let session = start_session(&mut tx, svc, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
