//! One email as queued: everything needed to send it again identically.

use chrono::{DateTime, Utc};
use convene_domain::error::has_control_chars;
use convene_domain::{EmailAddress, InvalidInput};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use serde::{Deserialize, Serialize};

/// A finished message. Its Message-ID is fixed when it is queued, so a retry
/// after a lost acknowledgement is recognisably the same message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// The sender's address.
    pub from: String,
    /// The sender's display name.
    pub from_name: String,
    /// The recipient's address.
    pub to: String,
    /// The recipient's name, if known.
    pub to_name: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// `<unique@domain>`.
    pub message_id: String,
    /// When the message was written.
    pub date: DateTime<Utc>,
    /// Where replies go, when not to the sender (a visitor writing to organizers).
    #[serde(default)]
    pub reply_to: Option<String>,
    /// An iCalendar object (iMIP, RFC 6047) sent along as a `text/calendar`
    /// alternative and as an `invite.ics` attachment; its `METHOD` is inside.
    #[serde(default)]
    pub calendar: Option<String>,
    /// A one-click unsubscribe address (RFC 8058): sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    #[serde(default)]
    pub unsubscribe: Option<String>,
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The message itself is wrong; retrying will not help.
    #[error("cannot send this message: {0}")]
    Permanent(String),
    /// The relay or disk failed; try again later.
    #[error("sending failed for now: {0}")]
    Transient(String),
}

impl OutgoingEmail {
    /// Checks every header value: addresses must parse, and no name or
    /// subject may carry a line break (which would start a new header).
    pub fn validate(&self) -> Result<(), InvalidInput> {
        EmailAddress::parse(&self.to)?;
        EmailAddress::parse(&self.from)?;
        if let Some(r) = &self.reply_to {
            EmailAddress::parse(r)?;
        }
        for (field, value) in [
            ("subject", Some(self.subject.as_str())),
            ("display_name", self.to_name.as_deref()),
            ("from_name", Some(self.from_name.as_str())),
            ("message_id", Some(self.message_id.as_str())),
            ("unsubscribe", self.unsubscribe.as_deref()),
        ] {
            if value.is_some_and(has_control_chars) {
                return Err(InvalidInput::new(
                    field,
                    "A mail header cannot contain a line break.",
                ));
            }
        }
        Ok(())
    }

    /// The MIME message: multipart/alternative with a text and an HTML part.
    pub fn to_message(&self) -> Result<Message, MailError> {
        self.validate()
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        let addr = |a: &str| {
            a.parse()
                .map_err(|e: lettre::address::AddressError| MailError::Permanent(e.to_string()))
        };
        let from = Mailbox::new(Some(self.from_name.clone()), addr(&self.from)?);
        let to = Mailbox::new(self.to_name.clone(), addr(&self.to)?);
        let mut builder = Message::builder().from(from).to(to);
        if let Some(r) = &self.reply_to {
            builder = builder.reply_to(Mailbox::new(None, addr(r)?));
        }
        if let Some(url) = &self.unsubscribe {
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let mut alternative = MultiPart::alternative()
            .singlepart(
                lettre::message::SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(self.text.clone()),
            )
            .singlepart(
                lettre::message::SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(self.html.clone()),
            );
        let body = match &self.calendar {
            None => alternative,
            Some(ics) => {
                let method = ics
                    .lines()
                    .find_map(|l| l.strip_prefix("METHOD:"))
                    .unwrap_or("PUBLISH")
                    .trim()
                    .to_owned();
                let calendar_type =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|e| MailError::Permanent(e.to_string()))?;
                alternative = alternative.singlepart(
                    lettre::message::SinglePart::builder()
                        .header(calendar_type)
                        .body(ics.clone()),
                );
                let attachment_type = ContentType::parse("application/ics")
                    .map_err(|e| MailError::Permanent(e.to_string()))?;
                MultiPart::mixed().multipart(alternative).singlepart(
                    lettre::message::Attachment::new("invite.ics".to_owned())
                        .body(ics.clone(), attachment_type),
                )
            }
        };
        builder
            .subject(self.subject.clone())
            .message_id(Some(self.message_id.clone()))
            .date(self.date.into())
            .multipart(body)
            .map_err(|e| MailError::Permanent(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            from: "hub@example.org".into(),
            from_name: "Python Groups".into(),
            to: "ada@example.org".into(),
            to_name: Some("Zoë Ng".into()),
            subject: "Welcome, Zoë".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            message_id: "<abc@example.org>".into(),
            date: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            reply_to: None,
            calendar: None,
            unsubscribe: None,
        }
    }

    #[test]
    fn an_imip_message_carries_the_event_inline_and_attached() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:x@example.org\r\nSUMMARY:Workshop\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let mail = OutgoingEmail {
            calendar: Some(ics.into()),
            ..email()
        };
        let raw = mail.to_message().unwrap().formatted();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let calendar_parts: Vec<_> = parsed
            .parts
            .iter()
            .filter(|p| {
                p.content_type()
                    .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
            })
            .collect();
        assert_eq!(calendar_parts.len(), 1, "one text/calendar alternative");
        let ct = calendar_parts[0].content_type().unwrap();
        assert_eq!(ct.attribute("method"), Some("PUBLISH"));
        assert!(
            parsed
                .attachments()
                .any(|a| a.attachment_name() == Some("invite.ics"))
        );
        assert_eq!(parsed.body_text(0).as_deref(), Some("Hello"));
    }

    #[test]
    fn builds_a_two_part_message_with_encoded_headers() {
        let raw = String::from_utf8(email().to_message().unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <abc@example.org>"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
        // Non-ASCII names and subjects are RFC 2047 encoded, never raw.
        assert!(raw.contains("Subject: Welcome, =?utf-8?b?"), "{raw}");
        assert!(raw.contains("To: =?utf-8?b?"), "{raw}");
        assert!(!raw.contains("Zoë"));
    }

    #[test]
    fn refuses_header_injection() {
        let mut e = email();
        e.subject = "Hi\r\nBcc: victim@example.org".into();
        assert!(e.to_message().is_err());
        let mut e = email();
        e.to_name = Some("Eve\nBcc: victim@example.org".into());
        assert!(e.to_message().is_err());
        let mut e = email();
        e.to = "ada@example.org\r\nBcc: victim@example.org".into();
        assert!(e.to_message().is_err());
    }
}
