//! The moderation queue: posts from non-members and new members' first
//! posts wait here until a moderator (a coordinator, or a group list's
//! organizers) approves, rejects with a reason mailed back, or discards
//! them. Moderators are mailed about each held post; the notice's Reply-To
//! carries a secret token naming the post, so a reply decides on it (see
//! [`super::intake::by_reply`]).

use super::delivery::fanout::FanOut;
use super::members::ListView;
use crate::jobs::enqueue;
use crate::mail::{queue_email, queue_email_replying_to, templates::Rendered};
use crate::{AppError, AppResult, Services};
use convene_domain::{Actor, InvalidInput};
use convene_store::list_messages::{self as store, ListMessageRow};
use convene_store::lists::{self, ListRow};
use convene_store::{Ex, Tx, settings};
use sha2::{Digest, Sha256};

/// The setting holding the site's secret for moderation reply addresses.
const REPLY_KEY: &str = "list_moderation_reply_key";

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

/// The token for held message `id` (whose Message-ID is `message_id`):
/// `{id}-{mac}`, where the mac is keyed with the site's secret, so only
/// someone who received the notice can write to the address.
fn reply_token(key: &str, id: i64, message_id: &str) -> String {
    let digest = Sha256::digest(format!("{key}\n{id}\n{message_id}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{id}-{hex}")
}

/// The held message a reply token names, if the token is genuine (the
/// message may have been decided on since).
pub(crate) async fn by_reply_token(
    mut ex: Ex<'_>,
    list: &ListRow,
    token: &str,
) -> AppResult<Option<ListMessageRow>> {
    let Some(id) = token
        .split_once('-')
        .and_then(|(id, _)| id.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let Some(key) = settings::get(ex.reborrow(), REPLY_KEY).await? else {
        return Ok(None);
    };
    let Some(message) = store::by_id(ex, id).await?.filter(|m| m.list_id == list.id) else {
        return Ok(None);
    };
    let expected = reply_token(&key, id, &message.message_id);
    let same = expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    Ok(same.then_some(message))
}

/// Mails every moderator of `list` about the held message `held`, inside
/// the transaction that stores it. The notice's Reply-To is the message's
/// own `{list}-owner+{token}` address.
pub(crate) async fn notify_held(
    tx: &mut Tx,
    svc: &Services,
    list: &ListRow,
    held: &ListMessageRow,
    reason: &str,
) -> AppResult<()> {
    let moderators = super::intake::owner::moderators(tx.ex(), list).await?;
    if moderators.is_empty() {
        return Ok(());
    }
    let key = settings::get_or_set(tx.ex(), REPLY_KEY, svc.tokens.new_token().expose()).await?;
    let domain = super::mail_domain(svc);
    let reply_to = format!(
        "{}-owner+{}@{domain}",
        list.name,
        reply_token(&key, held.id, &held.message_id)
    );
    let link = svc
        .site
        .base_url
        .join(&format!("lists/{}/moderation", list.name))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let from = if held.from_name.is_empty() {
        held.from_email.clone()
    } else {
        format!("{} <{}>", held.from_name, held.from_email)
    };
    for (_, email, name) in &moderators {
        queue_email_replying_to(
            tx,
            svc,
            email,
            Some(name.as_str()).filter(|n| !n.is_empty()),
            super::emails::held_notice(
                &svc.site.name,
                &format!("{}@{domain}", list.name),
                &held.subject,
                &from,
                reason,
                link.as_str(),
            ),
            Some(&reply_to),
        )
        .await?;
    }
    Ok(())
}
