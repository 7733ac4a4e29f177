//! A message as it arrives, made fit to store and to send on: done once,
//! before it is stored, so the archive, every copy and every digest carry
//! the same bytes.
//!
//! - A leading mbox `From ` line (mail saved from a mailbox file and piped
//!   on) is removed: it is not a header field, and relays refuse it.
//! - Line ends become CRLF: LMTP clients and local programs hand over
//!   messages with bare LF, which relays refuse or repair differently.
//! - Lines over 998 octets are folded or re-encoded ([`crate::lists::delivery::long_lines`]).
//! - The message has exactly one well-formed Message-ID: a malformed one
//!   (no `@`, spaces, several ids) is replaced, not joined by a second; a
//!   missing one is made from a hash of the message, so the same message
//!   delivered again gets the same one and is recognised.

use super::inbound::Refusal;
use crate::lists::delivery::headers;
use crate::lists::delivery::long_lines::{UnfoldableField, fit_lines};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// `raw` made fit to store: see the module documentation. `domain` names
/// a Message-ID that has to be made.
pub fn tidy<'a>(raw: &'a [u8], domain: &str) -> Result<Cow<'a, [u8]>, Refusal> {
    let raw = without_mbox_from_line(raw);
    let raw = with_crlf(raw);
    let raw = match fit_lines(&raw) {
        Ok(Cow::Borrowed(_)) => raw,
        Ok(Cow::Owned(fitted)) => Cow::Owned(fitted),
        Err(UnfoldableField(name)) => {
            return Err(Refusal::UnfoldableLine { field: name });
        }
    };
    Ok(match one_message_id(&raw, domain) {
        Some(fixed) => Cow::Owned(fixed),
        None => raw,
    })
}

/// `raw` without a first line in the mbox format's `From sender date`.
fn without_mbox_from_line(raw: &[u8]) -> &[u8] {
    if !raw.starts_with(b"From ") {
        return raw;
    }
    match raw.iter().position(|&b| b == b'\n') {
        Some(i) => &raw[i + 1..],
        None => &raw[raw.len()..],
    }
}

/// `raw` with every LF not after a CR written as CRLF.
fn with_crlf(raw: &[u8]) -> Cow<'_, [u8]> {
    let bare = raw
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' && (i == 0 || raw[i - 1] != b'\r'))
        .count();
    if bare == 0 {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + bare);
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' && (i == 0 || raw[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    Cow::Owned(out)
}

/// `<left@right>` if `value` holds one well-formed message id (RFC 5322
/// §3.6.4), brackets added when the writer left them out.
pub fn well_formed_message_id(value: &str) -> Option<String> {
    let value: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let value = value.trim();
    let inner = match value.strip_prefix('<') {
        Some(rest) => rest.strip_suffix('>')?,
        None => value,
    };
    let (left, right) = inner.split_once('@')?;
    let allowed = |c: char| c.is_ascii_graphic() && !"<>()\",;:\\@".contains(c);
    let fine = !left.is_empty()
        && !right.is_empty()
        && left.chars().all(allowed)
        && right.chars().all(|c| allowed(c) || c == '[' || c == ']');
    fine.then(|| format!("<{inner}>"))
}

/// The message with one Message-ID field holding a well-formed id, or
/// `None` when it has exactly that already.
fn one_message_id(raw: &[u8], domain: &str) -> Option<Vec<u8>> {
    let message = headers::split(raw);
    let values: Vec<String> = message
        .fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("Message-ID"))
        .map(|f| {
            let bytes = &f.bytes[f.name.len() + 1..];
            String::from_utf8_lossy(bytes).trim().to_owned()
        })
        .collect();
    if let [only] = values.as_slice()
        && well_formed_message_id(only).as_deref() == Some(only.as_str())
    {
        return None;
    }
    let id = values
        .iter()
        .find_map(|v| well_formed_message_id(v))
        .unwrap_or_else(|| {
            let digest = Sha256::digest(raw);
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("<{hex}@{domain}>")
        });
    let mut out = Vec::with_capacity(raw.len() + id.len() + 14);
    out.extend_from_slice(format!("Message-ID: {id}\r\n").as_bytes());
    let fields_len: usize = message.fields.iter().map(|f| f.bytes.len()).sum();
    out.extend_from_slice(&message.fields_without(&["Message-ID"]));
    out.extend_from_slice(&raw[fields_len..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_mbox_from_line_goes_and_bare_lf_becomes_crlf() {
        let raw = b"From zoe@example.org Thu Nov 26 10:00:00 2026\nFrom: Zoe <zoe@example.org>\nMessage-ID: <a@x>\n\nHello\r\nthere\n";
        let out = tidy(raw, "d").unwrap();
        assert_eq!(
            &*out,
            b"From: Zoe <zoe@example.org>\r\nMessage-ID: <a@x>\r\n\r\nHello\r\nthere\r\n"
        );
        let fine = b"From: a@b\r\nMessage-ID: <a@x>\r\n\r\nHi\r\n";
        assert!(matches!(tidy(fine, "d").unwrap(), Cow::Borrowed(r) if r == fine));
    }

    #[test]
    fn message_ids_are_checked() {
        assert_eq!(
            well_formed_message_id(" <a.b@x.org> "),
            Some("<a.b@x.org>".into())
        );
        assert_eq!(well_formed_message_id("a@x"), Some("<a@x>".into()));
        assert_eq!(
            well_formed_message_id("<a@[10.0.0.1]>"),
            Some("<a@[10.0.0.1]>".into())
        );
        for bad in [
            "",
            "<>",
            "<no-at-sign>",
            "<a b@x>",
            "<a@x> <b@y>",
            "<a@>",
            "<@x>",
            "<a@b@c>",
        ] {
            assert_eq!(well_formed_message_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_malformed_message_id_is_replaced_not_joined() {
        let raw = b"From: a@b\r\nMessage-ID: <no at sign>\r\nSubject: s\r\n\r\nHi\r\n";
        let out = tidy(raw, "lists.example.org").unwrap();
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches("Message-ID:").count(), 1, "{text}");
        assert!(text.starts_with("Message-ID: <"), "{text}");
        assert!(text.contains("@lists.example.org>\r\nFrom: a@b\r\nSubject: s\r\n\r\nHi\r\n"));
        assert_eq!(
            tidy(raw, "lists.example.org").unwrap(),
            out,
            "the same id again"
        );
        let unbracketed = b"Message-ID: a@b.example\r\nFrom: a@b\r\n\r\nHi\r\n";
        assert_eq!(
            &*tidy(unbracketed, "d").unwrap(),
            b"Message-ID: <a@b.example>\r\nFrom: a@b\r\n\r\nHi\r\n"
        );
        let two = b"Message-ID: <bad>\r\nMessage-ID: <good@x>\r\nFrom: a@b\r\n\r\nHi\r\n";
        assert_eq!(
            &*tidy(two, "d").unwrap(),
            b"Message-ID: <good@x>\r\nFrom: a@b\r\n\r\nHi\r\n"
        );
    }
}
