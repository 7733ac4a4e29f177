//! Moderating by replying to the held-post notice. The notice's Reply-To
//! is `{list}-owner+{token}@`, where the token names one held post and is
//! the secret; a reply whose first line of its own (not quoted) is
//! `approve`, `reject <reason>` or `discard`, from the address of someone
//! who moderates the list, does what the moderation page's buttons do.
//! Anything else changes nothing, and the writer is mailed why.

use super::inbound::{Accepted, Refusal, clean_line};
use crate::lists::moderation::{Decision, by_reply_token, decide};
use crate::mail::queue_email;
use crate::{AppError, Services};
use convene_domain::Actor;
use convene_store::lists::ListRow;
use mail_parser::Message;

/// The command in a reply: its first line that is not quoted, not blank,
/// and not the "On …, … wrote:" line mail clients put above a quote.
fn command(body: &str) -> Option<(Decision, String)> {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('>') && !l.ends_with("wrote:"))?;
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let decision = Decision::parse(&word.to_ascii_lowercase())?;
    Some((decision, rest.trim().to_owned()))
}

/// Acts on a moderator's reply for `list` with `token`; the answer is
/// mailed to the reply's writer.
pub(crate) async fn moderate(
    svc: &Services,
    list: &ListRow,
    domain: &str,
    token: &str,
    msg: &Message<'_>,
) -> Result<Accepted, Refusal> {
    if let Some(why) = super::owner::not_to_forward(svc, msg, &list.name, domain) {
        return Ok(Accepted::Dropped(why));
    }
    let Some(writer) = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| clean_line(a).to_lowercase())
        .filter(|a| a.contains('@'))
    else {
        return Ok(Accepted::Dropped(
            "a moderation reply without a From address",
        ));
    };
    let answer = act(svc, list, token, &writer, msg).await?;
    let mut tx = svc.db.begin().await?;
    queue_email(
        &mut tx,
        svc,
        &writer,
        None,
        crate::lists::emails::moderation_answer(
            &svc.site.name,
            &format!("{}@{domain}", list.name),
            &answer,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Accepted::Moderation(answer))
}

/// Decides as the reply asks; the words say what happened or why nothing
/// did. `Err` only for a failure on our side (the mail system retries).
async fn act(
    svc: &Services,
    list: &ListRow,
    token: &str,
    writer: &str,
    msg: &Message<'_>,
) -> Result<String, Refusal> {
    let (held, actor) = {
        let mut conn = svc.db.conn().await?;
        let Some(held) = by_reply_token(conn.ex(), list, token).await? else {
            return Ok(format!(
                "Your reply to {}-owner names no message of the moderation queue: the address was changed, or is not one the site wrote. Nothing was done.",
                list.name
            ));
        };
        let actor = match convene_store::users::by_email(conn.ex(), writer).await? {
            Some(user) if user.disabled_at.is_none() => Some(Actor {
                user_id: user.id,
                grants: convene_store::grants::for_user(conn.ex(), user.id).await?,
            }),
            _ => None,
        };
        (held, actor)
    };
    let subject = &held.subject;
    if held.state != "held" {
        return Ok(format!(
            "The message \"{subject}\" was already decided on (it is {}). Nothing was done.",
            held.state
        ));
    }
    let not_moderator = || {
        format!(
            "{writer} does not moderate {}, so the reply about \"{subject}\" changed nothing.",
            list.name
        )
    };
    let Some(actor) = actor else {
        return Ok(not_moderator());
    };
    let body = msg.body_text(0).unwrap_or_default();
    let Some((decision, reason)) = command(&body) else {
        return Ok(format!(
            "Your reply about \"{subject}\" did not start with approve, reject followed by a reason, or discard, so nothing was done. The message is still held."
        ));
    };
    match decide(svc, &actor, &list.name, held.id, decision, &reason).await {
        Ok(()) => Ok(match decision {
            Decision::Approve => format!("Approved \"{subject}\": it goes to the members."),
            Decision::Reject => {
                format!("Rejected \"{subject}\"; the writer was told: {reason}")
            }
            Decision::Discard => format!("Discarded \"{subject}\"."),
        }),
        Err(AppError::NotAllowed(_)) => Ok(not_moderator()),
        Err(AppError::Conflict(_)) => Ok(format!(
            "Another moderator already decided on \"{subject}\". Nothing was done."
        )),
        Err(AppError::Invalid(_)) => Ok(format!(
            "To reject \"{subject}\", write the reason on the same line (reject Off topic for this list). Nothing was done; the message is still held."
        )),
        Err(AppError::NotFound(_)) => Ok(format!(
            "The message \"{subject}\" is no longer in the queue. Nothing was done."
        )),
        Err(e) => Err(Refusal::try_later(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_first_line_of_its_own_is_the_command() {
        assert_eq!(
            command("approve\n\nOn Tue, Zoë wrote:\n> reject\n"),
            Some((Decision::Approve, String::new()))
        );
        assert_eq!(
            command("On Tue, Zoë wrote:\n> hello\n\nReject  Off topic here.\n"),
            Some((Decision::Reject, "Off topic here.".into()))
        );
        assert_eq!(
            command("\n  discard\n"),
            Some((Decision::Discard, String::new()))
        );
        assert_eq!(command("> approve\nmaybe later\n"), None);
        assert_eq!(command(""), None);
    }
}
