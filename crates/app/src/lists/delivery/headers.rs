//! Reading and rewriting the header block of a message as raw bytes, so a
//! list copy changes only the headers and keeps the body byte for byte
//! (re-encoding MIME would break signatures and attachments).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One header field as it arrived: its name and every byte of it,
/// continuation lines and line ending included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField<'a> {
    /// The name before the colon (empty for a line that has none).
    pub name: &'a str,
    /// The whole field.
    pub bytes: &'a [u8],
}

/// A message split into its header fields and its body.
#[derive(Debug, Clone)]
pub struct RawMessage<'a> {
    /// The header fields in order.
    pub fields: Vec<RawField<'a>>,
    /// Everything after the empty line that ends the header block.
    pub body: &'a [u8],
}

/// Splits `raw` at the first empty line. A message with no empty line is
/// all header.
pub fn split(raw: &[u8]) -> RawMessage<'_> {
    let mut fields: Vec<RawField<'_>> = Vec::new();
    let mut pos = 0;
    while pos < raw.len() {
        let end = raw[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..end];
        if line == b"\r\n" || line == b"\n" {
            return RawMessage {
                fields,
                body: &raw[end..],
            };
        }
        let continues = matches!(line.first(), Some(b' ' | b'\t'));
        match fields.last_mut() {
            Some(last) if continues => {
                let start = last.bytes.as_ptr() as usize - raw.as_ptr() as usize;
                last.bytes = &raw[start..end];
            }
            _ => {
                let name = line
                    .iter()
                    .position(|&b| b == b':')
                    .and_then(|i| std::str::from_utf8(&line[..i]).ok())
                    .filter(|n| !n.is_empty() && !n.contains([' ', '\t']))
                    .unwrap_or("");
                fields.push(RawField { name, bytes: line });
            }
        }
        pos = end;
    }
    RawMessage {
        fields,
        body: &raw[raw.len()..],
    }
}

impl RawMessage<'_> {
    /// The header fields whose names are not in `drop` (compared without
    /// case), each ending in a line break.
    pub fn fields_without(&self, drop: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &self.fields {
            if drop.iter().any(|d| d.eq_ignore_ascii_case(f.name)) {
                continue;
            }
            out.extend_from_slice(f.bytes);
            if !f.bytes.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }
}

/// Header text as it may be written: plain if it is printable ASCII,
/// otherwise RFC 2047 encoded words (UTF-8, base64), folded so no line is
/// too long. Control characters are dropped either way.
pub fn encode_text(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() && !clean.contains("=?") {
        return clean;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        // 45 bytes of UTF-8 make 60 base64 characters: each encoded word
        // stays under the 75 characters RFC 2047 allows.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?utf-8?b?{}?=", STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// A display name as it may go before `<address>`: a quoted string if it
/// is ASCII, encoded words otherwise.
pub fn encode_display_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() && !clean.contains("=?") {
        let escaped = clean.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        encode_text(&clean)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn splits_folded_fields_and_keeps_the_body() {
        let raw =
            b"Subject: a\r\n long one\r\nFrom: x@y\r\nbroken line\r\n\r\nbody\r\n\r\nmore\r\n";
        let m = split(raw);
        assert_eq!(m.fields.len(), 3);
        assert_eq!(m.fields[0].name, "Subject");
        assert_eq!(m.fields[0].bytes, b"Subject: a\r\n long one\r\n");
        assert_eq!(m.fields[2].name, "");
        assert_eq!(m.body, b"body\r\n\r\nmore\r\n");
        assert_eq!(
            m.fields_without(&["subject"]),
            b"From: x@y\r\nbroken line\r\n"
        );
    }

    #[test]
    fn a_message_without_an_empty_line_is_all_header() {
        let m = split(b"From: x@y\nSubject: s");
        assert_eq!(m.fields.len(), 2);
        assert!(m.body.is_empty());
        assert_eq!(m.fields_without(&[]), b"From: x@y\nSubject: s\r\n");
    }

    #[test]
    fn text_is_encoded_only_when_needed() {
        assert_eq!(encode_text("[organizers] Venues"), "[organizers] Venues");
        assert_eq!(encode_text("a\r\nBcc: x"), "aBcc: x");
        let encoded = encode_text(&"Zoë ".repeat(20));
        assert!(encoded.starts_with("=?utf-8?b?"));
        assert!(encoded.lines().all(|l| l.len() < 78), "{encoded}");
        let header = format!("Subject: {encoded}\r\n\r\n");
        let back = mail_parser::MessageParser::default()
            .parse(header.as_bytes())
            .unwrap();
        assert_eq!(back.subject().unwrap(), "Zoë ".repeat(20));
        assert_eq!(encode_display_name("Ann \"A\""), "\"Ann \\\"A\\\"\"");
    }
}
