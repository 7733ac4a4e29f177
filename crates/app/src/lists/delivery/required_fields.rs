//! The fields a list copy carries exactly once (RFC 5322 §3.6: one From,
//! one Date, one Message-ID). The poster's message may lack a Date, have
//! one no program can read, or repeat a field; the copy then carries the
//! first good one, or one of its own, instead of a second.

use super::headers::RawMessage;
use chrono::{DateTime, Utc};
use mail_parser::MessageParser;

/// What the copy does instead of the poster's fields.
pub(super) struct Replacements {
    /// Field names of the poster's message to leave out.
    pub drop: Vec<&'static str>,
    /// Whole fields (each ending in CRLF) to write instead.
    pub fields: Vec<u8>,
}

/// Checks `original`'s From, Date and Message-ID; `sent_at` and
/// `message_id` are what the archive keeps for the message. A From the
/// copy writes itself (a list that rewrites From) is not looked at.
pub(super) fn exactly_once(
    original: &RawMessage<'_>,
    sent_at: DateTime<Utc>,
    message_id: &str,
    own_from: bool,
) -> Replacements {
    let mut out = Replacements {
        drop: Vec::new(),
        fields: Vec::new(),
    };
    let named = |name: &str| {
        original
            .fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .collect::<Vec<_>>()
    };
    let froms = named("From");
    if !own_from && froms.len() > 1 {
        out.drop.push("From");
        out.fields.extend_from_slice(froms[0].bytes);
    }
    let dates = named("Date");
    let readable = |bytes: &[u8]| {
        let mut field = bytes.to_vec();
        field.extend_from_slice(b"\r\n");
        MessageParser::default()
            .parse_headers(&field)
            .is_some_and(|m| m.date().is_some())
    };
    if !matches!(dates.as_slice(), [only] if readable(only.bytes)) {
        // The first Date a program can read, else when it was written as
        // far as the archive knows (when it arrived).
        out.drop.push("Date");
        match dates.iter().find(|f| readable(f.bytes)) {
            Some(first) => out.fields.extend_from_slice(first.bytes),
            None => out
                .fields
                .extend_from_slice(format!("Date: {}\r\n", sent_at.to_rfc2822()).as_bytes()),
        }
    }
    let ids = named("Message-ID");
    let fine = |bytes: &[u8]| {
        let value = String::from_utf8_lossy(&bytes[bytes.len().min(11)..])
            .trim()
            .to_owned();
        crate::lists::intake::tidy::well_formed_message_id(&value).as_deref() == Some(message_id)
    };
    if !matches!(ids.as_slice(), [only] if fine(only.bytes)) {
        out.drop.push("Message-ID");
        out.fields
            .extend_from_slice(format!("Message-ID: {message_id}\r\n").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::headers::split;
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap()
    }

    #[test]
    fn a_complete_message_is_left_alone() {
        let raw = b"From: a@b\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMessage-ID: <a@x>\r\n\r\nHi\r\n";
        let r = exactly_once(&split(raw), at(), "<a@x>", false);
        assert!(r.drop.is_empty());
        assert!(r.fields.is_empty());
    }

    #[test]
    fn missing_unreadable_and_repeated_fields_are_replaced() {
        let raw = b"From: a@b\r\nFrom: c@d\r\nDate: sometime last week\r\nMessage-ID: <a@x>\r\nMessage-ID: <a@x>\r\n\r\nHi\r\n";
        let r = exactly_once(&split(raw), at(), "<a@x>", false);
        assert_eq!(r.drop, ["From", "Date", "Message-ID"]);
        assert_eq!(
            String::from_utf8(r.fields).unwrap(),
            format!(
                "From: a@b\r\nDate: {}\r\nMessage-ID: <a@x>\r\n",
                at().to_rfc2822()
            )
        );
        let r = exactly_once(&split(b"From: a@b\r\n\r\nHi\r\n"), at(), "<a@x>", false);
        assert_eq!(r.drop, ["Date", "Message-ID"]);
    }
}
