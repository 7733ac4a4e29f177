//! A member managing their own subscriptions by list name (the API): join
//! with their account's address, change delivery, leave.

use super::members::{JoinAsked, ask_to_join, leave_mine, list, set_my_delivery};
use crate::{AppError, AppResult, Services};
use convene_domain::Actor;
use convene_store::lists as store;

/// Where a subscription asked for stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Messages reach the member from now on.
    Active,
    /// A confirmation link was mailed (or had been, recently) to the
    /// account's address, which is not confirmed yet.
    Pending,
}

/// Subscribes `actor`'s account address to the list `name`. An address
/// the account has already confirmed needs no second link; any other gets
/// the usual confirmation link. Asking again changes nothing.
pub async fn join_mine(svc: &Services, actor: &Actor, name: &str) -> AppResult<Joined> {
    let list = list(svc, name).await?;
    let user = {
        let mut conn = svc.db.conn().await?;
        convene_store::users::by_id(conn.ex(), actor.user_id)
            .await?
            .ok_or(AppError::NotFound("There is no such account."))?
    };
    let email = user.email.to_ascii_lowercase();
    if user.email_verified_at.is_none() {
        return match ask_to_join(svc, &list.row, &email, Some(user.id)).await? {
            JoinAsked::AlreadyMember => Ok(Joined::Active),
            JoinAsked::Asked | JoinAsked::TooMany => Ok(Joined::Pending),
        };
    }
    let now = svc.clock.now();
    let unused_link = svc.tokens.new_token();
    let member_token = super::new_member_token(svc.tokens.as_ref());
    let mut tx = svc.db.begin().await?;
    store::request(
        tx.ex(),
        list.row.id,
        &email,
        Some(user.id),
        unused_link.hash().as_str(),
        now,
        &member_token,
        now,
    )
    .await?;
    let member = store::member(tx.ex(), list.row.id, &email)
        .await?
        .ok_or_else(|| AppError::Internal("the subscription just stored is gone".into()))?;
    store::confirm(tx.ex(), member.id, now).await?;
    tx.commit().await?;
    Ok(Joined::Active)
}

/// `actor`'s subscription to the list `name`.
async fn mine_on(svc: &Services, actor: &Actor, name: &str) -> AppResult<i64> {
    let list = list(svc, name).await?;
    super::my_subscriptions(svc, actor)
        .await?
        .into_iter()
        .find(|(m, _, _)| m.list_id == list.row.id && m.state != "left")
        .map(|(m, _, _)| m.id)
        .ok_or(AppError::NotFound("You are not subscribed to this list."))
}

/// Changes how `actor` receives the list `name`.
pub async fn set_delivery_on(
    svc: &Services,
    actor: &Actor,
    name: &str,
    mode: &str,
) -> AppResult<()> {
    let id = mine_on(svc, actor, name).await?;
    set_my_delivery(svc, actor, id, mode).await
}

/// `actor` leaves the list `name`.
pub async fn leave_list(svc: &Services, actor: &Actor, name: &str) -> AppResult<()> {
    let id = mine_on(svc, actor, name).await?;
    leave_mine(svc, actor, id).await
}
