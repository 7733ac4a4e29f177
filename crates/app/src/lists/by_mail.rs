//! Subscribing and leaving by email (`{list}-join@`, `{list}-leave@`).
//! Joining is double opt-in: the confirmation link goes to the From
//! address, so nobody can subscribe an address they do not read.

use super::inbound::{Accepted, Refusal, clean_line};
use super::{emails, new_member_token};
use crate::mail::queue_email;
use crate::rate_limit;
use crate::{AppError, Services};
use chrono::Duration;
use convene_domain::EmailAddress;
use convene_store::lists::{self, ListRow};
use mail_parser::Message;

/// How long a confirmation link works.
const CONFIRM_LIFETIME_HOURS: i64 = 48;

/// Confirmation emails per address and list: anyone can write to a
/// `-join` address with someone else's From, so this bounds what such a
/// stranger can make convene send to that person.
const JOIN_BY_MAIL: rate_limit::Limit = rate_limit::Limit {
    name: "list-join-mail",
    max: 3,
    window: Duration::days(1),
};

fn sender(msg: &Message<'_>) -> Result<String, Refusal> {
    let raw = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(clean_line)
        .unwrap_or_default();
    EmailAddress::parse(&raw)
        .map(|a| a.to_string().to_lowercase())
        .map_err(|_| Refusal {
            code: 550,
            text:
                "5.1.7 The From address is missing or not valid, so there is nobody to confirm with"
                    .into(),
        })
}

/// Records a request to join and mails the confirmation link.
pub async fn join(
    svc: &Services,
    list: &ListRow,
    domain: &str,
    msg: &Message<'_>,
) -> Result<Accepted, Refusal> {
    let email = sender(msg)?;
    match rate_limit::check(svc, JOIN_BY_MAIL, &[&format!("{}:{email}", list.id)]).await {
        Ok(()) => {}
        // Dropped rather than refused: a refusal would bounce to the very
        // address that is being flooded.
        Err(AppError::RateLimited { .. }) => {
            return Ok(Accepted::Dropped(
                "too many requests to join for this address today",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let now = svc.clock.now();
    let secret = svc.tokens.new_token();
    let member_token = new_member_token(svc.tokens.as_ref());
    let mut tx = svc.db.begin().await?;
    let changed = lists::request(
        tx.ex(),
        list.id,
        &email,
        None,
        secret.hash().as_str(),
        now + Duration::hours(CONFIRM_LIFETIME_HOURS),
        &member_token,
        now,
    )
    .await?;
    if changed == 0 {
        return Ok(Accepted::AlreadyMember);
    }
    let link = svc
        .site
        .link(&format!("/lists/confirm/{}", secret.expose()));
    let shown = format!("{}@{domain}", list.name);
    queue_email(
        &mut tx,
        svc,
        &email,
        None,
        emails::confirm_subscription(&svc.site.name, &shown, &email, &link),
    )
    .await?;
    tx.commit().await?;
    Ok(Accepted::JoinRequested)
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
    let domain = super::mail_domain(svc);
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
