//! Writing to a group's organizers without seeing their addresses.

use crate::mail::{queue_email_replying_to, templates};
use crate::rate_limit::{self, CONTACT};
use crate::{AppError, AppResult, Services};
use convene_domain::groups::{check_line, check_text};
use convene_domain::{EmailAddress, InvalidInput};
use convene_store::groups;

/// What the contact form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactMessage {
    /// The sender's name.
    pub name: String,
    /// Where the organizers can reply.
    pub email: String,
    /// The message.
    pub message: String,
}

/// Mails `msg` to every organizer of group `slug` through the job queue,
/// with replies going to the sender. Limited per IP and per group.
pub async fn contact_organizers(
    svc: &Services,
    slug: &str,
    msg: &ContactMessage,
    ip: &str,
) -> AppResult<usize> {
    let name = check_line("name", &msg.name, 100, true)?;
    let email = EmailAddress::parse(&msg.email)?;
    let message = check_text("message", &msg.message, 5000)?;
    if message.chars().count() < 10 {
        return Err(InvalidInput::new(
            "message",
            "Write a little more, so the organizers know how to help.",
        )
        .into());
    }
    let mut tx = svc.db.begin().await?;
    let group = groups::by_slug(tx.ex(), slug)
        .await?
        .filter(|g| g.approval == "approved")
        .ok_or(AppError::NotFound("There is no group at this address."))?;
    let organizers = groups::organizers(tx.ex(), group.id).await?;
    if organizers.is_empty() {
        return Err(AppError::Conflict("This group has no organizer on this site yet, so nobody would get your message. Try the group's own links instead.".into()));
    }
    drop(tx);
    rate_limit::check(
        svc,
        CONTACT,
        &[&format!("ip:{ip}"), &format!("group:{}", group.slug)],
    )
    .await?;
    let mut tx = svc.db.begin().await?;
    for (_, to, to_name) in &organizers {
        let body = templates::contact_organizers(
            &svc.site.name,
            &group.name,
            &name,
            email.as_str(),
            &message,
        );
        queue_email_replying_to(&mut tx, svc, to, Some(to_name), body, Some(email.as_str()))
            .await?;
    }
    tx.commit().await?;
    Ok(organizers.len())
}
