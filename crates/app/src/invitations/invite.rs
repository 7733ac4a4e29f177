//! Sending an invitation.

use super::{ScopeName, describe, resolve};
use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, INVITE};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::{
    Action, Actor, EmailAddress, InvalidInput, Role, Scope, SecretToken, authorize,
};
use convene_store::invitations::{self, NewInvitation};
use convene_store::{Tx, users};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// Invites `email` to hold `role` over `scope`, on behalf of `actor`.
/// Returns the invitation's id.
pub async fn invite(
    svc: &Services,
    actor: &Actor,
    email: &str,
    role: Role,
    name: &ScopeName,
) -> AppResult<i64> {
    let email = EmailAddress::parse(email)?;
    let named_fits = matches!(
        (role, name),
        (Role::Coordinator | Role::TrustedAuthor, ScopeName::Site)
            | (Role::Organizer, ScopeName::Group(_))
            | (
                Role::CalendarEditor,
                ScopeName::Group(_) | ScopeName::Calendar(_)
            )
    );
    let mut tx = svc.db.begin().await?;
    // What the slug names now, by id: the invitation (and the role it
    // gives) stays with that group or calendar whatever its slug becomes.
    let scope = &resolve(tx.ex(), role, name).await?;
    authorize(Some(actor), &Action::Invite { role, scope })?;
    if !named_fits || !scope.fits(role) {
        return Err(InvalidInput::new(
            "scope",
            format!(
                "A {} must be given a {}.",
                role.label(),
                match role {
                    Role::Coordinator | Role::TrustedAuthor => "site-wide role",
                    Role::Organizer => "group",
                    Role::CalendarEditor => "calendar",
                }
            ),
        )
        .into());
    }
    // The counter is kept outside this transaction.
    drop(tx);
    rate_limit::check(svc, INVITE, &[&format!("account:{}", actor.user_id)]).await?;
    let mut tx = svc.db.begin().await?;
    if resolve(tx.ex(), role, name).await? != *scope {
        return Err(AppError::Conflict(
            "That group or calendar changed its address just now; check it and send again.".into(),
        ));
    }
    let already = invitations::pending(tx.ex()).await?.into_iter().any(|i| {
        i.email == email.as_str()
            && i.role == role.as_str()
            && i.scope == scope.to_stored()
            && i.expires_at > svc.clock.now()
    });
    if already {
        return Err(AppError::Conflict(format!(
            "{email} already has a pending invitation to this role; resend it from the list instead."
        )));
    }
    let now = svc.clock.now();
    let token = svc.tokens.new_token();
    let expires_at = now + Duration::days(INVITATION_DAYS);
    let id = invitations::insert(
        tx.ex(),
        &NewInvitation {
            token_hash: token.hash().as_str(),
            email: email.as_str(),
            role: role.as_str(),
            scope: &scope.to_stored(),
            invited_by: actor.user_id,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    send(
        &mut tx,
        svc,
        actor.user_id,
        email.as_str(),
        role,
        scope,
        &token,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues the invitation email in `tx`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn send(
    tx: &mut Tx,
    svc: &Services,
    inviter_id: i64,
    email: &str,
    role: Role,
    scope: &Scope,
    token: &SecretToken,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    let inviter = users::by_id(tx.ex(), inviter_id)
        .await?
        .map_or_else(|| "A coordinator".to_owned(), |u| u.display_name);
    let link = svc.site.link(&format!("/invitations/{}", token.expose()));
    let mail = templates::invitation(
        &svc.site.name,
        &inviter,
        &describe(tx.ex(), role, *scope).await?,
        &link,
        &expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    queue_email(tx, svc, email, None, mail).await
}
