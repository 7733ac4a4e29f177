//! Lines a relay refuses: SMTP allows at most 998 octets on a line before
//! its CRLF (RFC 5321 §4.5.3.1.6, RFC 5322 §2.1.1). Mail programs still
//! write longer ones (HTML on one line, pasted logs, a signature blob), so
//! a message taken with such lines is made sendable before any copy goes
//! out, keeping its MIME structure and every byte of its content:
//!
//! - a header field is folded at a space or tab (RFC 5322 §2.2.3);
//! - a part with a long line is re-encoded: `text/*` as quoted-printable,
//!   anything else as base64 (a part already in base64 is only re-wrapped,
//!   since decoders ignore line breaks; one in quoted-printable is decoded
//!   and encoded again);
//! - multiparts and attached messages (`message/rfc822`) are walked part by
//!   part, so only the parts that need it change;
//! - the ignored text before and after a multipart's parts is wrapped.
//!
//! The message is expected with CRLF line ends (see [`crate::lists::intake::tidy`]).

use super::headers;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::{MessageParser, MimeHeaders};
use std::borrow::Cow;

/// The longest line SMTP carries, not counting its CRLF.
pub const MAX_LINE_OCTETS: usize = 998;

/// A header field whose long line has no space or tab to fold at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfoldableField(pub String);

/// `raw` with every line at most [`MAX_LINE_OCTETS`] long; `raw` itself
/// when it has no longer line.
pub fn fit_lines(raw: &[u8]) -> Result<Cow<'_, [u8]>, UnfoldableField> {
    if !has_long_line(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    Ok(Cow::Owned(entity(raw, true)?))
}

/// Whether some line of `bytes` is longer than [`MAX_LINE_OCTETS`].
pub fn has_long_line(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .any(|l| l.strip_suffix(b"\r").unwrap_or(l).len() > MAX_LINE_OCTETS)
}

/// What a part's header says about its body.
struct Kind {
    /// `type/subtype`, lowercase; `text/plain` without a Content-Type.
    ctype: String,
    boundary: Option<String>,
    /// The transfer encoding, lowercase; `7bit` without one.
    encoding: String,
}

fn kind_of(header: &[u8]) -> Kind {
    let parsed = MessageParser::default().parse_headers(header);
    let ct = parsed.as_ref().and_then(|m| m.content_type());
    Kind {
        ctype: ct.map_or_else(
            || "text/plain".to_owned(),
            |ct| {
                format!(
                    "{}/{}",
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or("").to_ascii_lowercase()
                )
            },
        ),
        boundary: ct
            .and_then(|c| c.attribute("boundary"))
            .map(str::to_owned)
            .filter(|b| !b.is_empty()),
        encoding: parsed
            .as_ref()
            .and_then(|m| m.content_transfer_encoding())
            .unwrap_or("7bit")
            .trim()
            .to_ascii_lowercase(),
    }
}

/// One MIME entity (a whole message, or a part: its header, the empty
/// line, its body) with its lines made short enough.
fn entity(raw: &[u8], top: bool) -> Result<Vec<u8>, UnfoldableField> {
    let message = headers::split(raw);
    let fields_len: usize = message.fields.iter().map(|f| f.bytes.len()).sum();
    let head_len = raw.len() - message.body.len();
    let separator = &raw[fields_len..head_len];
    let kind = kind_of(&raw[..head_len]);
    let body = message.body;
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 3);
    let write_fields = |out: &mut Vec<u8>, drop_encoding: bool| {
        for f in &message.fields {
            if drop_encoding && f.name.eq_ignore_ascii_case("Content-Transfer-Encoding") {
                continue;
            }
            fold_field(out, f)?;
        }
        Ok::<_, UnfoldableField>(())
    };
    if !has_long_line(body) {
        write_fields(&mut out, false)?;
        out.extend_from_slice(separator);
        out.extend_from_slice(body);
        return Ok(out);
    }
    let plain_encoding = matches!(kind.encoding.as_str(), "7bit" | "8bit" | "binary");
    if let (true, Some(boundary)) = (kind.ctype.starts_with("multipart/"), &kind.boundary) {
        write_fields(&mut out, false)?;
        out.extend_from_slice(separator);
        out.extend_from_slice(&multipart(body, boundary)?);
        return Ok(out);
    }
    if plain_encoding && matches!(kind.ctype.as_str(), "message/rfc822" | "message/global") {
        write_fields(&mut out, false)?;
        out.extend_from_slice(separator);
        out.extend_from_slice(&entity(body, false)?);
        return Ok(out);
    }
    // A leaf: re-encoded whole. Its last line break belongs to what
    // follows (a boundary delimiter), so it stays outside the encoding.
    let (content, tail): (&[u8], &[u8]) = match body.strip_suffix(b"\r\n") {
        Some(c) => (c, b"\r\n"),
        None => (body, b""),
    };
    let (encoding, encoded) = if kind.encoding == "base64" {
        ("base64", wrap_base64_text(content))
    } else {
        let decoded: Cow<'_, [u8]> = if kind.encoding == "quoted-printable" {
            Cow::Owned(decode_quoted_printable(content))
        } else {
            Cow::Borrowed(content)
        };
        if kind.ctype.starts_with("text/") {
            ("quoted-printable", encode_quoted_printable(&decoded))
        } else {
            ("base64", encode_base64(&decoded))
        }
    };
    write_fields(&mut out, true)?;
    let has_mime_version = message
        .fields
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case("MIME-Version"));
    if top && !has_mime_version {
        // The transfer encoding counts only in a MIME message.
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    }
    out.extend_from_slice(format!("Content-Transfer-Encoding: {encoding}\r\n").as_bytes());
    out.extend_from_slice(if separator.is_empty() {
        b"\r\n"
    } else {
        separator
    });
    out.extend_from_slice(&encoded);
    out.extend_from_slice(tail);
    Ok(out)
}

/// A field as it was, or folded at whitespace where a line is too long.
fn fold_field(out: &mut Vec<u8>, field: &headers::RawField<'_>) -> Result<(), UnfoldableField> {
    if !has_long_line(field.bytes) {
        out.extend_from_slice(field.bytes);
        return Ok(());
    }
    for line in field.bytes.split_inclusive(|&b| b == b'\n') {
        let mut rest = line;
        loop {
            let content_len = rest.len()
                - if rest.ends_with(b"\r\n") {
                    2
                } else {
                    usize::from(rest.ends_with(b"\n"))
                };
            if content_len <= MAX_LINE_OCTETS {
                out.extend_from_slice(rest);
                break;
            }
            // The last space or tab that leaves a line short enough and
            // something before it (a fold needs text on both sides).
            let at = rest[1..=MAX_LINE_OCTETS]
                .iter()
                .rposition(|&b| b == b' ' || b == b'\t')
                .map(|i| i + 1)
                .filter(|&i| rest[..i].iter().any(|b| !b.is_ascii_whitespace()))
                .ok_or_else(|| UnfoldableField(field.name.to_owned()))?;
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"\r\n");
            rest = &rest[at..];
        }
    }
    Ok(())
}

/// Whether `line` (without its line break) delimits a part of the
/// multipart with `boundary`: `--boundary` or `--boundary--`, with
/// optional trailing whitespace (RFC 2046 §5.1.1).
fn is_delimiter(line: &[u8], boundary: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"--") else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(boundary) else {
        return false;
    };
    let rest = rest.strip_prefix(b"--").unwrap_or(rest);
    rest.iter().all(|&b| b == b' ' || b == b'\t')
}

/// A multipart body with each part's lines made short enough.
fn multipart(body: &[u8], boundary: &str) -> Result<Vec<u8>, UnfoldableField> {
    let boundary = boundary.as_bytes();
    let mut out = Vec::with_capacity(body.len() + body.len() / 3);
    // Each segment is the bytes between two delimiter lines; the first is
    // the preamble, and the one after the closing delimiter the epilogue.
    let mut segment_start = 0;
    let mut in_part = false;
    let mut closed = false;
    let mut pos = 0;
    while pos < body.len() {
        let end = body[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| pos + i + 1);
        let line = &body[pos..end];
        let content = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(line);
        if !closed && is_delimiter(content, boundary) {
            let segment = &body[segment_start..pos];
            if in_part {
                out.extend_from_slice(&entity(segment, false)?);
            } else {
                out.extend_from_slice(&wrap_text(segment));
            }
            out.extend_from_slice(line);
            closed = content[2 + boundary.len()..].starts_with(b"--");
            in_part = !closed;
            segment_start = end;
        }
        pos = end;
    }
    let rest = &body[segment_start..];
    if in_part {
        out.extend_from_slice(&entity(rest, false)?);
    } else {
        out.extend_from_slice(&wrap_text(rest));
    }
    Ok(out)
}

/// Text no one reads (a multipart's preamble and epilogue) with long lines
/// broken.
fn wrap_text(text: &[u8]) -> Cow<'_, [u8]> {
    if !has_long_line(text) {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len() + text.len() / 400);
    for line in text.split_inclusive(|&b| b == b'\n') {
        let (content, eol) = match line.strip_suffix(b"\r\n") {
            Some(c) => (c, &b"\r\n"[..]),
            None => (line, &b""[..]),
        };
        for (i, chunk) in content.chunks(MAX_LINE_OCTETS).enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(chunk);
        }
        out.extend_from_slice(eol);
    }
    Cow::Owned(out)
}

/// Base64 text re-wrapped at 76 characters (what decoders see is the
/// same: they skip line breaks).
fn wrap_base64_text(text: &[u8]) -> Vec<u8> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    lines_of_76(&compact)
}

fn encode_base64(bytes: &[u8]) -> Vec<u8> {
    lines_of_76(STANDARD.encode(bytes).as_bytes())
}

fn lines_of_76(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 76 * 2);
    for (i, chunk) in text.chunks(76).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(chunk);
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) of text whose line breaks are CRLF or
/// LF: each becomes a hard CRLF, every other byte is kept or escaped, and
/// lines are soft-broken under 76 characters.
pub(crate) fn encode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let line = if n + 1 < lines.len() {
            line.strip_suffix(b"\r").unwrap_or(line)
        } else {
            line
        };
        let mut width = 0;
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            let plain = ((b == b' ' || b == b'\t') && !last)
                || ((b'!'..=b'~').contains(&b) && b != b'=')
                // A dot alone at the start of a line is safe in SMTP
                // (dot-stuffing), but "From " is still mangled by mbox
                // writers on the way: its F is escaped.
                    && !(j == 0 && b == b'F' && line.starts_with(b"From "));
            let mut piece = [0u8; 3];
            let piece: &[u8] = if plain {
                piece[0] = b;
                &piece[..1]
            } else {
                let hex = format!("={b:02X}");
                piece.copy_from_slice(hex.as_bytes());
                &piece[..3]
            };
            // A soft break ("=") needs one column of the 76.
            if width + piece.len() > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            width += piece.len();
            out.extend_from_slice(piece);
        }
    }
    out
}

/// Decodes quoted-printable; a malformed escape is kept as it is.
fn decode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        let rest = &text[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3;
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let (Some(h), Some(l)) = (
            rest.first().copied().and_then(hex),
            rest.get(1).copied().and_then(hex),
        ) {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mail_parser::PartType;

    fn longest_line(raw: &[u8]) -> usize {
        raw.split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn short_lines_are_left_alone() {
        let raw = b"From: a@b\r\nSubject: s\r\n\r\nHello\r\n";
        assert!(matches!(fit_lines(raw).unwrap(), Cow::Borrowed(r) if r == raw));
    }

    #[test]
    fn a_long_plain_text_body_becomes_quoted_printable() {
        let text = format!("caf\u{e9} {}= end", "word ".repeat(400));
        let raw = format!(
            "From: a@b\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\nFrom here on\r\n"
        );
        let out = fit_lines(raw.as_bytes()).unwrap();
        assert!(longest_line(&out) <= 76, "{}", longest_line(&out));
        let msg = MessageParser::default().parse(&out).unwrap();
        assert_eq!(msg.content_transfer_encoding(), Some("quoted-printable"));
        assert_eq!(
            msg.body_text(0).unwrap(),
            format!("{text}\r\nFrom here on\r\n")
        );
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches("Content-Transfer-Encoding").count(), 1);
        assert!(text.contains("MIME-Version: 1.0\r\n"));
    }

    #[test]
    fn only_the_parts_with_long_lines_change() {
        let html = format!("<p>{}</p>", "x".repeat(3000));
        let png = vec![0u8; 5000];
        let raw = format!(
            "From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble {}\r\n--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\nshort\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b2--\r\n--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\n{}\r\n--b1--\r\nepilogue\r\n",
            "p".repeat(1500),
            STANDARD.encode(&png),
            "y".repeat(1200),
        );
        let out = fit_lines(raw.as_bytes()).unwrap();
        assert!(longest_line(&out) <= MAX_LINE_OCTETS);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("--b2\r\nContent-Type: text/plain\r\n\r\nshort\r\n--b2\r\n"));
        let msg = MessageParser::default().parse(&out).unwrap();
        let html_part = msg
            .parts
            .iter()
            .find(|p| {
                p.content_type()
                    .is_some_and(|c| c.subtype() == Some("html"))
            })
            .unwrap();
        assert_eq!(html_part.text_contents().unwrap(), html);
        let image = msg.attachments().find(|a| a.is_binary()).unwrap();
        assert_eq!(image.contents(), png.as_slice());
        let inner = msg
            .parts
            .iter()
            .find_map(|p| match &p.body {
                PartType::Message(m) => Some(m),
                _ => None,
            })
            .unwrap();
        assert_eq!(inner.subject(), Some("inner"));
        assert_eq!(inner.body_text(0).unwrap(), "y".repeat(1200));
        assert!(text.ends_with("--b1--\r\nepilogue\r\n"));
    }

    #[test]
    fn long_header_fields_are_folded_at_whitespace() {
        let refs: Vec<String> = (0..60).map(|i| format!("<id{i}@example.org>")).collect();
        let raw = format!(
            "From: a@b\r\nReferences: {}\r\nSubject: s\r\n\r\nbody\r\n",
            refs.join(" ")
        );
        let out = fit_lines(raw.as_bytes()).unwrap();
        assert!(longest_line(&out) <= MAX_LINE_OCTETS);
        let msg = MessageParser::default().parse(&out).unwrap();
        assert_eq!(msg.references().as_text_list().unwrap().len(), 60);
        assert_eq!(msg.subject(), Some("s"));
        let raw = format!("From: a@b\r\nX-Blob: {}\r\n\r\nbody\r\n", "z".repeat(1200));
        assert_eq!(
            fit_lines(raw.as_bytes()).unwrap_err(),
            UnfoldableField("X-Blob".into())
        );
    }

    #[test]
    fn quoted_printable_round_trips() {
        let text = b"a=b \tend \r\nFrom me\r\n\xff\xfe tail ";
        let encoded = encode_quoted_printable(text);
        assert_eq!(decode_quoted_printable(&encoded), text);
        assert!(encoded.starts_with(b"a=3Db \tend=20\r\n=46rom me\r\n=FF=FE"));
    }
}
