//! Subscribing and leaving by email (`{list}-join@`, `{list}-leave@`).
//! Joining is double opt-in: the confirmation link goes to the From
//! address, so nobody can subscribe an address they do not read.

use super::inbound::{Accepted, Refusal, clean_line};
use crate::Services;
use crate::lists::emails;
use crate::mail::queue_email;
use convene_domain::EmailAddress;
use convene_store::lists::{self, ListRow};
use mail_parser::Message;

fn sender(msg: &Message<'_>) -> Result<String, Refusal> {
    let raw = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(clean_line)
        .unwrap_or_default();
    EmailAddress::parse(&raw)
        .map(|a| a.to_string().to_lowercase())
        .map_err(|_| Refusal::NobodyToConfirm)
}

/// Records a request to join and mails the confirmation link.
pub async fn join(svc: &Services, list: &ListRow, msg: &Message<'_>) -> Result<Accepted, Refusal> {
    let email = sender(msg)?;
    match crate::lists::ask_to_join(svc, list, &email, None).await? {
        crate::lists::JoinAsked::Asked => Ok(Accepted::JoinRequested),
        crate::lists::JoinAsked::AlreadyMember => Ok(Accepted::AlreadyMember),
        // Dropped rather than refused: a refusal would bounce to the very
        // address that is being flooded.
        crate::lists::JoinAsked::TooMany => Ok(Accepted::Dropped(
            "too many requests to join for this address today",
        )),
    }
}

/// Ends the sender's subscription and tells them so (the note reaches the
/// real owner of the address if someone forged the From).
pub async fn leave(svc: &Services, list: &ListRow, msg: &Message<'_>) -> Result<Accepted, Refusal> {
    let email = sender(msg)?;
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let Some(member) = lists::member(tx.ex(), list.id, &email).await? else {
        return Ok(Accepted::Dropped(
            "a leave request from someone who is not a member",
        ));
    };
    if lists::leave(tx.ex(), member.id, now).await? == 0 {
        return Ok(Accepted::Dropped(
            "a leave request from someone who already left",
        ));
    }
    let domain = crate::lists::mail_domain(svc);
    queue_email(
        &mut tx,
        svc,
        &email,
        None,
        emails::left_list(
            &svc.site.name,
            &format!("{}@{domain}", list.name),
            &email,
            &format!("{}-join@{domain}", list.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Accepted::Left)
}
