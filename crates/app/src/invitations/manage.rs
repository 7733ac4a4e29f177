//! Listing, resending and revoking pending invitations.

use super::invite::{INVITATION_DAYS, send};
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::{Action, Actor, Role, Scope, authorize};
use convene_store::invitations::{self, InvitationRow};

/// A pending invitation as its managers see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PendingInvitation {
    /// Id.
    pub id: i64,
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: Role,
    /// Where it applies, as the API names it (`group:{slug}`, `""` for
    /// the whole site), under the group's or calendar's current slug.
    pub scope: String,
    /// Who sent it.
    pub invited_by: i64,
    /// When the current link expires.
    pub expires_at: DateTime<Utc>,
    /// True once the link no longer works (resend to renew it).
    pub expired: bool,
    /// How many times it was sent.
    pub sent_count: i64,
}

fn parse(row: &InvitationRow) -> AppResult<(Role, Scope)> {
    let role = Role::parse(&row.role)
        .ok_or_else(|| AppError::Internal(format!("bad role {:?}", row.role)))?;
    let scope = Scope::from_stored(&row.scope)
        .ok_or_else(|| AppError::Internal(format!("bad scope {:?}", row.scope)))?;
    Ok((role, scope))
}

fn may_manage(actor: &Actor, row: &InvitationRow, role: Role, scope: &Scope) -> bool {
    authorize(
        Some(actor),
        &Action::ManageInvitation {
            role,
            scope,
            invited_by: row.invited_by,
        },
    )
    .is_ok()
}

/// The pending invitations `actor` may manage, newest first.
pub async fn pending_invitations(
    svc: &Services,
    actor: &Actor,
) -> AppResult<Vec<PendingInvitation>> {
    let mut conn = svc.db.conn().await?;
    let now = svc.clock.now();
    let mut out = Vec::new();
    for row in invitations::pending(conn.ex()).await? {
        let (role, scope) = parse(&row)?;
        if may_manage(actor, &row, role, &scope) {
            out.push(PendingInvitation {
                id: row.id,
                email: row.email,
                role,
                scope: super::name_of(conn.ex(), scope).await?.to_wire(),
                invited_by: row.invited_by,
                expires_at: row.expires_at,
                expired: row.expires_at <= now,
                sent_count: row.sent_count,
            });
        }
    }
    Ok(out)
}

/// The pending invitation `id`, if `actor` may manage it.
async fn load(
    tx: &mut convene_store::Tx,
    actor: &Actor,
    id: i64,
) -> AppResult<(InvitationRow, Role, Scope)> {
    let row = invitations::by_id(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no such invitation."))?;
    let (role, scope) = parse(&row)?;
    authorize(
        Some(actor),
        &Action::ManageInvitation {
            role,
            scope: &scope,
            invited_by: row.invited_by,
        },
    )?;
    if row.accepted_at.is_some() || row.revoked_at.is_some() {
        return Err(AppError::Conflict(
            "This invitation was already accepted or revoked.".into(),
        ));
    }
    Ok((row, role, scope))
}

/// Sends the invitation again with a new link valid for another 7 days.
pub async fn resend_invitation(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let (row, role, scope) = load(&mut tx, actor, id).await?;
    let token = svc.tokens.new_token();
    let expires_at = svc.clock.now() + Duration::days(INVITATION_DAYS);
    invitations::renew(tx.ex(), id, token.hash().as_str(), expires_at).await?;
    send(
        &mut tx,
        svc,
        actor.user_id,
        &row.email,
        role,
        &scope,
        &token,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes a pending invitation; its link stops working at once.
pub async fn revoke_invitation(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    load(&mut tx, actor, id).await?;
    invitations::revoke(tx.ex(), id, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}
