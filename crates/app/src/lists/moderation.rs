//! The moderation queue: posts from non-members and new members' first
//! posts wait here until a moderator (a coordinator, or a group list's
//! organizers) approves, rejects with a reason mailed back, or discards
//! them.

use super::fanout::FanOut;
use super::members::ListView;
use crate::jobs::enqueue;
use crate::mail::{queue_email, templates::Rendered};
use crate::{AppError, AppResult, Services};
use convene_domain::{Actor, InvalidInput};
use convene_store::list_messages::{self as store, ListMessageRow};
use convene_store::lists;

/// Held messages shown at once.
const QUEUE_LIMIT: i64 = 200;

/// What a moderator decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send it to the members; its writer's later posts go out at once.
    Approve,
    /// Tell the writer why, and drop it.
    Reject,
    /// Drop it silently (spam).
    Discard,
}

impl Decision {
    /// Reads a form's value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "reject" => Some(Self::Reject),
            "discard" => Some(Self::Discard),
            _ => None,
        }
    }
}

async fn managed(svc: &Services, actor: &Actor, name: &str) -> AppResult<ListView> {
    let list = super::list(svc, name).await?;
    if !list.managed_by(Some(actor)) {
        return Err(AppError::NotAllowed(
            "Only the list's moderators see its moderation queue.",
        ));
    }
    Ok(list)
}

/// The held messages of a list, oldest first.
pub async fn queue(
    svc: &Services,
    actor: &Actor,
    name: &str,
) -> AppResult<(ListView, Vec<ListMessageRow>)> {
    let list = managed(svc, actor, name).await?;
    let mut conn = svc.db.conn().await?;
    let held = store::in_state(conn.ex(), list.row.id, "held", QUEUE_LIMIT).await?;
    Ok((list, held))
}

fn rejected(site: &str, list: &str, subject: &str, reason: &str) -> Rendered {
    let text = format!(
        "Hello,\n\nYour message \"{subject}\" to {list} was not sent to the list. The moderator wrote:\n\n{reason}\n"
    );
    let html = format!(
        "<!doctype html><html><body><p>Hello,</p><p>Your message “{}” to {} was not sent to the list. The moderator wrote:</p><blockquote>{}</blockquote></body></html>",
        crate::mail::templates::escape_html(subject),
        crate::mail::templates::escape_html(list),
        crate::mail::templates::escape_html(reason)
    );
    Rendered {
        subject: format!("Your message to {list} was not sent ({site})"),
        text,
        html,
    }
}

/// Decides on one held message.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    name: &str,
    id: i64,
    decision: Decision,
    reason: &str,
) -> AppResult<()> {
    let list = managed(svc, actor, name).await?;
    let reason = reason.trim();
    if decision == Decision::Reject && reason.is_empty() {
        return Err(InvalidInput::new(
            "reason",
            "Say why, in a line or two: it is mailed to the writer.",
        )
        .into());
    }
    let mut tx = svc.db.begin().await?;
    let message = store::by_id(tx.ex(), id)
        .await?
        .filter(|m| m.list_id == list.row.id)
        .ok_or(AppError::NotFound(
            "There is no such message in this queue.",
        ))?;
    let state = match decision {
        Decision::Approve => "accepted",
        Decision::Reject => "rejected",
        Decision::Discard => "discarded",
    };
    if store::decide(tx.ex(), id, state).await? == 0 {
        return Err(AppError::Conflict(
            "Another moderator has already decided on this message.".into(),
        ));
    }
    match decision {
        Decision::Approve => {
            store::queue_deliveries(tx.ex(), id, list.row.id).await?;
            enqueue(&mut tx, svc, &FanOut { message_id: id }).await?;
            if let Some(member) = lists::member(tx.ex(), list.row.id, &message.from_email).await? {
                lists::trust(tx.ex(), member.id, svc.clock.now()).await?;
            }
        }
        Decision::Reject => {
            queue_email(
                &mut tx,
                svc,
                &message.from_email,
                None,
                rejected(&svc.site.name, &list.address, &message.subject, reason),
            )
            .await?;
        }
        Decision::Discard => {}
    }
    tx.commit().await?;
    Ok(())
}
