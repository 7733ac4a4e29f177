//! Bounces: a failure notice (an RFC 3464 report, or the plain-text notice
//! of a mail system that does not write one) comes back to the per-member
//! bounce address, adds to that member's score, and past a
//! threshold pauses their delivery and tells them how to resume. A member
//! is never unsubscribed by bounces.

use super::inbound::{Accepted, Refusal};
use crate::Services;
use crate::lists::{emails, mail_domain};
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

/// What a message at a bounce address reports, read the way Mailman's
/// bounce detection reads it: an auto-reply (a vacation or out-of-office
/// notice, which goes to the envelope sender too) is not a failure; an RFC
/// 3464 report (Postfix, sendmail, Gmail, Microsoft 365, newer Exim) says
/// per recipient; the plain-text notices of qmail, Yahoo, classic Exim,
/// older sendmail and Exchange are read by their wording and their SMTP
/// codes; a delay warning is not a failure; anything else counts as soft.
pub fn classify(msg: &Message<'_>) -> BounceKind {
    // A report says what it is; bounces themselves often carry
    // `Auto-Submitted: auto-replied` (Postfix, Exim), so the auto-reply
    // signs count only where nothing says the message is a failure.
    match classify_report(msg) {
        Some(kind) => kind,
        None => classify_text(msg),
    }
}

/// A vacation or out-of-office reply (RFC 3834 `Auto-Submitted:
/// auto-replied`, or the fields and subjects Exchange, Outlook, Gmail and
/// vacation programs write).
fn is_auto_reply(msg: &Message<'_>) -> bool {
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    if header("Auto-Submitted").is_some_and(|v| v.starts_with("auto-replied")) {
        return true;
    }
    if header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("X-Autoresponder").is_some()
        || header("Precedence").is_some_and(|v| v == "auto_reply")
        || header("X-Auto-Response-Suppress").is_some()
            && header("X-MS-Exchange-Inbox-Rules-Loop").is_some()
    {
        return true;
    }
    let subject = msg.subject().unwrap_or("").trim().to_lowercase();
    [
        "out of office",
        "out of the office",
        "automatic reply:",
        "auto-reply:",
        "autoreply:",
        "auto:",
        "abwesenheitsnotiz",
        "réponse automatique",
        "respuesta automática",
        "vacation reply",
    ]
    .iter()
    .any(|p| subject.starts_with(p))
}

/// The failure a message's plain text reports, by the wording and codes
/// of the common mail systems.
fn classify_text(msg: &Message<'_>) -> BounceKind {
    let subject = msg.subject().unwrap_or("").to_lowercase();
    let body = msg.body_text(0).unwrap_or_default().to_lowercase();
    let text = format!("{subject}\n{body}");
    const DELAYED: [&str; 9] = [
        "this is a warning only",
        "delayed mail",
        "delivery delayed",
        "delivery status notification (delay)",
        "has been delayed",
        "will continue trying",
        "will be retried",
        "still being retried",
        "warning: message",
    ];
    const PERMANENT: [&str; 14] = [
        // qmail (and Yahoo, which long ran on it)
        "this is a permanent error",
        "i'm not going to try again",
        // Yahoo
        "delivery error: dd",
        "sorry, we were unable to deliver your message",
        // Exim
        "a message that you sent could not be delivered to one or more of its",
        // sendmail
        "permanent fatal errors",
        // Exchange
        "did not reach some or all of the intended recipients",
        "the e-mail account does not exist",
        "the email account that you tried to reach does not exist",
        // Postfix (without a report)
        "could not be delivered to one or more recipients",
        // common words of a refusal
        "user unknown",
        "no such user",
        "mailbox unavailable",
        "recipient address rejected",
    ];
    let permanent_code = has_permanent_code(&text);
    if DELAYED.iter().any(|p| text.contains(p)) && !permanent_code {
        BounceKind::NotAFailure
    } else if permanent_code || PERMANENT.iter().any(|p| text.contains(p)) {
        BounceKind::Hard
    } else if is_auto_reply(msg) {
        BounceKind::NotAFailure
    } else {
        BounceKind::Soft
    }
}

/// An SMTP refusal code in `5.x.x` form (`550 5.1.1`, `#550 5.1.1`,
/// `status: 5.2.1`).
fn has_permanent_code(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(5).enumerate().any(|(i, w)| {
        w[0] == b'5'
            && w[1] == b'.'
            && w[2].is_ascii_digit()
            && w[3] == b'.'
            && w[4].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'.')
    })
}

/// Reads the `message/delivery-status` parts of a report (or RFC 6533
/// `message/global-delivery-status`); `None` when there is none.
fn classify_report(msg: &Message<'_>) -> Option<BounceKind> {
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
    saw_report.then_some(kind)
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
