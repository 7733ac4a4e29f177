//! Writing to a list from the archive: a new thread or a reply becomes a
//! real email (From, Message-ID, In-Reply-To, References) and takes the
//! same path as mail from a mail program, so mail clients and the archive
//! thread it alike.

use super::delivery::headers::{encode_display_name, encode_text};
use super::intake::inbound::{Accepted, accept};
use crate::{AppError, AppResult, Services};
use base64::Engine;
use convene_domain::lists::check_subject;
use convene_domain::{Actor, InvalidInput};
use convene_store::list_archive;

/// The longest message written on the web, in bytes.
pub const MAX_WEB_BODY_BYTES: usize = 100_000;

/// What the writer asked for.
#[derive(Debug, Clone)]
pub struct WebPost<'a> {
    /// The list's name.
    pub list: &'a str,
    /// The subject (a reply may leave it empty: "Re: ..." is used).
    pub subject: &'a str,
    /// Plain text.
    pub body: &'a str,
    /// The archived message being answered, by number.
    pub in_reply_to: Option<i64>,
}

/// Where a message written on the web went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Sent to the members and archived as this number.
    Posted(i64),
    /// Waiting for a moderator.
    Held,
}

fn check_body(body: &str) -> Result<String, InvalidInput> {
    let body = body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        return Err(InvalidInput::new("body", "Write the message first."));
    }
    if body.len() > MAX_WEB_BODY_BYTES {
        return Err(InvalidInput::new(
            "body",
            format!(
                "The message is too long: at most {} kB.",
                MAX_WEB_BODY_BYTES / 1000
            ),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(
            "body",
            "The message holds control characters; remove them.",
        ));
    }
    Ok(body)
}

/// A signed-in member writes to the list (a new thread, or a reply).
pub async fn write(svc: &Services, actor: &Actor, post: &WebPost<'_>) -> AppResult<Written> {
    let list = super::list(svc, post.list).await?;
    let is_member = super::my_subscriptions(svc, actor)
        .await?
        .iter()
        .any(|(m, name, _)| *name == list.row.name && m.state == "active");
    if !is_member && !list.managed_by(Some(actor)) {
        return Err(AppError::NotAllowed(
            "Only the list's members write to it: subscribe first.",
        ));
    }
    let parent = match post.in_reply_to {
        None => None,
        Some(id) => {
            let mut conn = svc.db.conn().await?;
            Some(
                list_archive::message(conn.ex(), list.row.id, id)
                    .await?
                    .ok_or(AppError::NotFound(
                        "There is no such message in this archive.",
                    ))?,
            )
        }
    };
    let subject = match (&parent, post.subject.trim()) {
        (Some(p), "") => {
            if p.subject.to_ascii_lowercase().starts_with("re:") {
                p.subject.clone()
            } else {
                format!("Re: {}", p.subject)
            }
        }
        (_, s) => check_subject(s)?,
    };
    let body = check_body(post.body)?;
    let user = {
        let mut conn = svc.db.conn().await?;
        convene_store::users::by_id(conn.ex(), actor.user_id)
            .await?
            .ok_or(AppError::NotFound("There is no such account."))?
    };
    let domain = super::mail_domain(svc);
    let token = svc.tokens.new_token();
    let message_id = format!("{}@{domain}", &token.hash().as_str()[..32]);
    let mut headers = vec![
        format!("Date: {}", svc.clock.now().to_rfc2822()),
        format!(
            "From: {} <{}>",
            encode_display_name(&user.display_name),
            user.email
        ),
        format!("To: {}", list.address),
        format!("Subject: {}", encode_text(&subject)),
        format!("Message-ID: <{message_id}>"),
    ];
    if let Some(p) = &parent {
        // Stored ids keep their angle brackets, as in the headers.
        let mut refs: Vec<&str> = p.refs.split_whitespace().collect();
        refs.push(&p.message_id);
        headers.push(format!("In-Reply-To: {}", p.message_id));
        headers.push(format!("References: {}", refs.join(" ")));
    }
    headers.push("MIME-Version: 1.0".into());
    headers.push("Content-Type: text/plain; charset=utf-8; format=flowed".into());
    headers.push("Content-Transfer-Encoding: base64".into());
    let encoded = base64::engine::general_purpose::STANDARD.encode(body.replace('\n', "\r\n"));
    let mut raw = headers.join("\r\n");
    raw.push_str("\r\n\r\n");
    for chunk in encoded.as_bytes().chunks(76) {
        raw.push_str(&String::from_utf8_lossy(chunk));
        raw.push_str("\r\n");
    }
    match accept(svc, &list.row.name, raw.as_bytes()).await {
        Ok(Accepted::Posted { message_row_id, .. }) => Ok(Written::Posted(message_row_id)),
        Ok(Accepted::Held { .. }) => Ok(Written::Held),
        Ok(other) => Err(AppError::Internal(format!(
            "a message written on the web was taken as {other:?}"
        ))),
        Err(refusal) => Err(InvalidInput::new("body", refusal.to_string()).into()),
    }
}
