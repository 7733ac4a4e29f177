//! Bounces: a delivery status notification (RFC 3464) comes back to the
//! per-member bounce address, adds to that member's score, and past a
//! threshold pauses their delivery and tells them how to resume. A member
//! is never unsubscribed by bounces.

use super::inbound::{Accepted, Refusal};
use super::{emails, mail_domain};
use crate::Services;
use crate::mail::queue_email;
use convene_store::list_messages;
use convene_store::lists::ListRow;
use mail_parser::{Message, MimeHeaders, PartType};

/// Points for a permanent failure (Action: failed with a 5.x.x status).
pub const HARD_BOUNCE_POINTS: i64 = 5;
/// Points for anything else that reports a failure, or a bounce in a
/// non-standard format.
pub const SOFT_BOUNCE_POINTS: i64 = 1;
/// The score at which delivery pauses.
pub const PAUSE_THRESHOLD: i64 = 5;
/// A score with no bounce for this many days starts again from zero.
pub const SCORE_FORGOTTEN_AFTER_DAYS: i64 = 7;

/// What a bounce message reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceKind {
    /// The address does not work (5.x.x, failed).
    Hard,
    /// A failure that may pass, or a bounce we cannot read in detail.
    Soft,
    /// A report that is not a failure (delayed, delivered, relayed).
    NotAFailure,
}

impl BounceKind {
    /// Points added to the member's score.
    pub fn points(self) -> i64 {
        match self {
            BounceKind::Hard => HARD_BOUNCE_POINTS,
            BounceKind::Soft => SOFT_BOUNCE_POINTS,
            BounceKind::NotAFailure => 0,
        }
    }
}

/// Reads the `message/delivery-status` parts of a report (or RFC 6533
/// `message/global-delivery-status`). Without one,
/// the message is a bounce in some other format: soft.
pub fn classify(msg: &Message<'_>) -> BounceKind {
    let mut saw_report = false;
    let mut kind = BounceKind::NotAFailure;
    for part in &msg.parts {
        let is_status = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status")
                        || s.eq_ignore_ascii_case("global-delivery-status")
                })
        });
        if !is_status {
            continue;
        }
        saw_report = true;
        let text = match &part.body {
            PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
            PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
            PartType::Message(m) => m.raw_message().to_vec(),
            PartType::Multipart(_) => continue,
        };
        kind = worst(
            kind,
            classify_status_fields(&String::from_utf8_lossy(&text)),
        );
    }
    if saw_report { kind } else { BounceKind::Soft }
}

fn worst(a: BounceKind, b: BounceKind) -> BounceKind {
    use BounceKind::*;
    match (a, b) {
        (Hard, _) | (_, Hard) => Hard,
        (Soft, _) | (_, Soft) => Soft,
        _ => NotAFailure,
    }
}

/// Reads the per-recipient fields (`Action:`, `Status:`) of a
/// delivery-status body; blank lines separate recipients.
fn classify_status_fields(text: &str) -> BounceKind {
    let mut kind = BounceKind::NotAFailure;
    let mut action = String::new();
    let mut status = String::new();
    let mut finish = |action: &mut String, status: &mut String| {
        let failed = action == "failed";
        let permanent = status.starts_with("5.");
        let this = if (failed || action.is_empty()) && permanent {
            BounceKind::Hard
        } else if failed {
            BounceKind::Soft
        } else {
            BounceKind::NotAFailure
        };
        kind = worst(kind, this);
        action.clear();
        status.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            finish(&mut action, &mut status);
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim().to_ascii_lowercase();
            if name.trim().eq_ignore_ascii_case("Action") {
                action = value;
            } else if name.trim().eq_ignore_ascii_case("Status") {
                status = value;
            }
        }
    }
    finish(&mut action, &mut status);
    kind
}

/// Counts a bounce against the member with `token`.
pub async fn record(
    svc: &Services,
    list: &ListRow,
    token: &str,
    msg: &Message<'_>,
) -> Result<Accepted, Refusal> {
    // Unknown tokens and reports that are not failures are taken and
    // dropped: refusing a bounce only makes a double bounce for the
    // postmaster of the sending system.
    let kind = classify(msg);
    if kind == BounceKind::NotAFailure {
        return Ok(Accepted::Dropped("a delivery report that is not a failure"));
    }
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let Some(member) = list_messages::member_by_bounce_token(tx.ex(), list.id, token).await? else {
        return Ok(Accepted::Dropped("a bounce for an unknown member"));
    };
    let score = list_messages::record_bounce(
        tx.ex(),
        member.id,
        kind.points(),
        now,
        now - chrono::Duration::days(SCORE_FORGOTTEN_AFTER_DAYS),
    )
    .await?;
    let mut paused = false;
    if score >= PAUSE_THRESHOLD && list_messages::pause_for_bounces(tx.ex(), member.id, now).await?
    {
        paused = true;
        let resume = svc.site.link("/account/lists");
        queue_email(
            &mut tx,
            svc,
            &member.email,
            None,
            emails::delivery_paused(
                &svc.site.name,
                &format!("{}@{}", list.name, mail_domain(svc)),
                &member.email,
                &resume,
            ),
        )
        .await?;
        tracing::info!(list = %list.name, member = member.id, score, "delivery paused after bounces");
    }
    tx.commit().await?;
    Ok(Accepted::Bounce { score, paused })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mail_parser::MessageParser;

    fn report(fields: &str) -> Vec<u8> {
        format!(
            "From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered Mail\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n{fields}\r\n--b--\r\n"
        )
        .into_bytes()
    }

    fn kind(raw: &[u8]) -> BounceKind {
        classify(&MessageParser::default().parse(raw).unwrap())
    }

    #[test]
    fn reports_are_classified() {
        assert_eq!(
            kind(&report(
                "Final-Recipient: rfc822; a@x\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            )),
            BounceKind::Hard
        );
        assert_eq!(
            kind(&report(
                "Final-Recipient: rfc822; a@x\r\nAction: failed\r\nStatus: 4.2.2\r\n"
            )),
            BounceKind::Soft
        );
        assert_eq!(
            kind(&report(
                "Final-Recipient: rfc822; a@x\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
            )),
            BounceKind::NotAFailure
        );
        let global = String::from_utf8(report(
            "Final-Recipient: rfc822; a@x\r\nAction: failed\r\nStatus: 5.1.1\r\n",
        ))
        .unwrap()
        .replace("message/delivery-status", "message/global-delivery-status");
        assert_eq!(kind(global.as_bytes()), BounceKind::Hard);
        assert_eq!(
            kind(b"From: postmaster@x\r\nSubject: failure notice\r\n\r\nI could not deliver.\r\n"),
            BounceKind::Soft
        );
    }
}
