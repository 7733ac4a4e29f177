//! The list footer: a few lines the list adds to every copy (how to leave,
//! where the archive is). Added the way careful list servers do it, so no
//! mail program shows a broken message:
//!
//! - a single-part `text/plain` body is appended to, in its own charset and
//!   transfer encoding (7bit, 8bit, quoted-printable or base64), when the
//!   footer can be written in them; otherwise the message is wrapped;
//! - `multipart/mixed` gets one more `text/plain; charset=utf-8` part at
//!   the end;
//! - anything else (multipart/alternative, HTML-only, an attachment alone)
//!   is wrapped in a new `multipart/mixed` whose first part is the original
//!   and whose second is the footer;
//! - signed and encrypted messages (`multipart/signed`,
//!   `multipart/encrypted`, S/MIME's `application/pkcs7-mime`) are left
//!   byte for byte as they are, so their signatures stay valid.

use super::headers::{self, RawMessage};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::{MessageParser, MimeHeaders};
use std::borrow::Cow;

/// `raw` with `footer` added; `raw` itself when the footer is empty or the
/// message must not be changed.
pub fn add_footer<'a>(raw: &'a [u8], footer: &str) -> Cow<'a, [u8]> {
    let lines = footer_lines(footer);
    if lines.is_empty() {
        return Cow::Borrowed(raw);
    }
    let message = headers::split(raw);
    let head_len = raw.len() - message.body.len();
    let eol: &[u8] =
        if message.body.contains(&b'\n') && !message.body.windows(2).any(|w| w == b"\r\n") {
            b"\n"
        } else {
            b"\r\n"
        };
    let shape = Shape::of(raw);
    match shape.ctype.as_str() {
        "multipart/signed"
        | "multipart/encrypted"
        | "application/pkcs7-mime"
        | "application/x-pkcs7-mime" => Cow::Borrowed(raw),
        "multipart/mixed" => match shape
            .boundary
            .as_deref()
            .and_then(|b| close_delimiter_at(message.body, b))
        {
            Some(at) => {
                let boundary = shape.boundary.as_deref().unwrap_or_default();
                let mut out = Vec::with_capacity(raw.len() + footer.len() + 200);
                out.extend_from_slice(&raw[..head_len + at]);
                out.extend_from_slice(b"--");
                out.extend_from_slice(boundary.as_bytes());
                out.extend_from_slice(eol);
                out.extend_from_slice(&footer_part(&lines, eol));
                out.extend_from_slice(eol);
                out.extend_from_slice(&message.body[at..]);
                Cow::Owned(out)
            }
            None => Cow::Owned(wrap(&message, &lines)),
        },
        "text/plain" if !shape.attachment => match append_to_text(&message, &shape, &lines, eol) {
            Some(body) => {
                let mut out = raw[..head_len].to_vec();
                out.extend_from_slice(&body);
                Cow::Owned(out)
            }
            None => Cow::Owned(wrap(&message, &lines)),
        },
        _ => Cow::Owned(wrap(&message, &lines)),
    }
}

/// The footer's lines: control characters dropped, trailing blank lines
/// and spaces trimmed.
fn footer_lines(footer: &str) -> Vec<String> {
    let mut lines: Vec<String> = footer
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| *c == '\t' || !c.is_control())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    lines
}

/// What the top of a message says it is.
struct Shape {
    /// `type/subtype`, lowercase; `text/plain` when there is no Content-Type.
    ctype: String,
    boundary: Option<String>,
    /// The charset, lowercase; `us-ascii` when none is given.
    charset: String,
    /// The transfer encoding, lowercase; `7bit` when none is given.
    encoding: String,
    /// Content-Disposition says attachment.
    attachment: bool,
}

impl Shape {
    fn of(raw: &[u8]) -> Self {
        let parsed = MessageParser::default().parse_headers(raw);
        let ct = parsed.as_ref().and_then(|m| m.content_type());
        let ctype = match ct {
            Some(ct) => format!(
                "{}/{}",
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase()
            ),
            None => "text/plain".to_owned(),
        };
        Self {
            ctype,
            boundary: ct.and_then(|c| c.attribute("boundary")).map(str::to_owned),
            charset: ct
                .and_then(|c| c.attribute("charset"))
                .unwrap_or("us-ascii")
                .trim()
                .to_ascii_lowercase(),
            encoding: parsed
                .as_ref()
                .and_then(|m| m.content_transfer_encoding())
                .unwrap_or("7bit")
                .trim()
                .to_ascii_lowercase(),
            attachment: parsed
                .as_ref()
                .and_then(|m| m.content_disposition())
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment")),
        }
    }
}

/// Where the closing delimiter `--boundary--` of a multipart body starts
/// (at the start of a line; the last one if there are several).
fn close_delimiter_at(body: &[u8], boundary: &str) -> Option<usize> {
    let close = format!("--{boundary}--");
    let close = close.as_bytes();
    if body.starts_with(close) {
        return Some(0);
    }
    let mut found = None;
    let mut start = 0;
    while let Some(i) = body[start..].iter().position(|&b| b == b'\n') {
        let at = start + i + 1;
        if body[at..].starts_with(close) {
            found = Some(at);
        }
        start = at;
    }
    found
}

/// Charsets in which ASCII text is written as ASCII bytes.
fn ascii_compatible(charset: &str) -> bool {
    matches!(charset, "us-ascii" | "ascii" | "utf-8" | "utf8")
        || charset.starts_with("iso-8859-")
        || charset.starts_with("windows-125")
        || charset.starts_with("cp125")
        || charset == "koi8-r"
        || charset == "koi8-u"
}

/// The body of a single text/plain message with the footer appended, or
/// `None` when its charset or encoding cannot carry the footer.
fn append_to_text(
    message: &RawMessage<'_>,
    shape: &Shape,
    lines: &[String],
    eol: &[u8],
) -> Option<Vec<u8>> {
    let footer_ascii = lines.iter().all(|l| l.is_ascii());
    let utf8 = matches!(shape.charset.as_str(), "utf-8" | "utf8");
    if !(utf8 || footer_ascii && ascii_compatible(&shape.charset)) {
        return None;
    }
    let text = join_lines(lines, eol);
    let body = message.body;
    match shape.encoding.as_str() {
        // 7bit promises ASCII only, and lines under 1,000 bytes.
        "7bit" | "8bit" | "binary" => {
            if shape.encoding == "7bit" && !footer_ascii || lines.iter().any(|l| l.len() > 900) {
                return None;
            }
            let mut out = body.to_vec();
            if !out.is_empty() && !out.ends_with(b"\n") {
                out.extend_from_slice(eol);
            }
            out.extend_from_slice(&text);
            out.extend_from_slice(eol);
            Some(out)
        }
        "quoted-printable" => {
            let mut out = body.to_vec();
            if !out.is_empty() && !out.ends_with(b"\n") {
                out.extend_from_slice(eol);
            }
            out.extend_from_slice(&quoted_printable(lines, eol));
            out.extend_from_slice(eol);
            Some(out)
        }
        "base64" => {
            let compact: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let mut decoded = STANDARD.decode(&compact).ok()?;
            let text_eol: &[u8] = if decoded.windows(2).any(|w| w == b"\r\n") || decoded.is_empty()
            {
                b"\r\n"
            } else {
                b"\n"
            };
            if !decoded.is_empty() && !decoded.ends_with(b"\n") {
                decoded.extend_from_slice(text_eol);
            }
            decoded.extend_from_slice(&join_lines(lines, text_eol));
            decoded.extend_from_slice(text_eol);
            let encoded = STANDARD.encode(&decoded);
            let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
            for chunk in encoded.as_bytes().chunks(76) {
                out.extend_from_slice(chunk);
                out.extend_from_slice(eol);
            }
            Some(out)
        }
        _ => None,
    }
}

fn join_lines(lines: &[String], eol: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(l.as_bytes());
    }
    out
}

/// Lines in quoted-printable (RFC 2045 §6.7), soft-broken under 76
/// characters; the last line ends without a line break.
fn quoted_printable(lines: &[String], eol: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(eol);
        }
        let bytes = line.as_bytes();
        let mut width = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let plain =
                (b == b' ' || b == b'\t') && !last || (b'!'..=b'~').contains(&b) && b != b'=';
            let piece = if plain {
                vec![b]
            } else {
                format!("={b:02X}").into_bytes()
            };
            if width + piece.len() > 75 {
                out.push(b'=');
                out.extend_from_slice(eol);
                width = 0;
            }
            width += piece.len();
            out.extend_from_slice(&piece);
        }
    }
    out
}

/// Text as an inline `text/plain; charset=utf-8` MIME part (its header and
/// body, without the delimiter that follows), in 7bit when it can be, else
/// quoted-printable. Digests use it for their table of contents and footer.
pub(super) fn text_part(text: &str) -> Vec<u8> {
    footer_part(&footer_lines(text), b"\r\n")
}

/// The footer as a MIME part of its own (its header and body, without the
/// delimiter that follows).
fn footer_part(lines: &[String], eol: &[u8]) -> Vec<u8> {
    let plain = lines.iter().all(|l| l.is_ascii() && l.len() <= 76);
    let mut out = Vec::new();
    out.extend_from_slice(b"Content-Type: text/plain; charset=utf-8");
    out.extend_from_slice(eol);
    out.extend_from_slice(if plain {
        b"Content-Transfer-Encoding: 7bit".as_slice()
    } else {
        b"Content-Transfer-Encoding: quoted-printable".as_slice()
    });
    out.extend_from_slice(eol);
    out.extend_from_slice(b"Content-Disposition: inline");
    out.extend_from_slice(eol);
    out.extend_from_slice(eol);
    if plain {
        out.extend_from_slice(&join_lines(lines, eol));
    } else {
        out.extend_from_slice(&quoted_printable(lines, eol));
    }
    out
}

/// The message wrapped in a new `multipart/mixed`: its content fields move
/// to the first part, which keeps its body byte for byte; the footer is the
/// second part.
fn wrap(message: &RawMessage<'_>, lines: &[String]) -> Vec<u8> {
    let eol: &[u8] = b"\r\n";
    // "=_" never appears in base64 or quoted-printable text, and the
    // counter makes sure it does not appear in the rest either.
    let mut n = 0u32;
    let boundary = loop {
        let candidate = format!("=_convene-footer-{n}");
        let needle = format!("--{candidate}");
        if !message
            .body
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            break candidate;
        }
        n += 1;
    };
    let is_content = |name: &str| name.len() > 8 && name[..8].eq_ignore_ascii_case("content-");
    let mut out = Vec::with_capacity(message.body.len() + 512);
    for f in &message.fields {
        if is_content(f.name) || f.name.eq_ignore_ascii_case("MIME-Version") {
            continue;
        }
        push_field(&mut out, f.bytes);
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n").as_bytes(),
    );
    out.extend_from_slice(eol);
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    for f in message.fields.iter().filter(|f| is_content(f.name)) {
        push_field(&mut out, f.bytes);
    }
    out.extend_from_slice(eol);
    out.extend_from_slice(message.body);
    out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    out.extend_from_slice(&footer_part(lines, eol));
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
    if !bytes.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mail_parser::{Message, PartType};

    const FOOTER: &str = "--\nOrganizers list: https://groups.example.org/lists/organizers\n";

    fn parse(raw: &[u8]) -> Message<'_> {
        MessageParser::default().parse(raw).unwrap()
    }

    /// The MIME tree, e.g. `multipart/mixed(text/plain,text/plain)`.
    fn tree(msg: &Message<'_>, id: u32) -> String {
        let part = msg.part(id).unwrap();
        let ct = part
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
            .unwrap_or_else(|| "text/plain".into());
        match &part.body {
            PartType::Multipart(kids) => format!(
                "{ct}({})",
                kids.iter()
                    .map(|k| tree(msg, *k))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => ct,
        }
    }

    fn text_of(msg: &Message<'_>, id: u32) -> String {
        msg.part(id).unwrap().text_contents().unwrap().to_owned()
    }

    #[test]
    fn an_empty_footer_leaves_the_message_alone() {
        let raw = b"From: a@b\r\nSubject: s\r\n\r\nHello\r\n";
        assert!(matches!(add_footer(raw, ""), Cow::Borrowed(r) if r == raw));
        assert!(matches!(add_footer(raw, " \n\n"), Cow::Borrowed(r) if r == raw));
    }

    #[test]
    fn plain_ascii_text_is_appended_to() {
        let raw = b"From: a@b\r\nSubject: s\r\n\r\nHello\r\n.. dots stay\r\n";
        let out = add_footer(raw, FOOTER);
        assert!(out.starts_with(raw), "the original bytes come first");
        let msg = parse(&out);
        assert_eq!(tree(&msg, 0), "text/plain");
        assert_eq!(
            msg.body_text(0).unwrap(),
            "Hello\r\n.. dots stay\r\n--\r\nOrganizers list: https://groups.example.org/lists/organizers\r\n"
        );
        // A body without a final line break gets one before the footer.
        let out = add_footer(b"Subject: s\r\n\r\nHello", "Bye");
        assert_eq!(parse(&out).body_text(0).unwrap(), "Hello\r\nBye\r\n");
    }

    #[test]
    fn utf8_text_takes_a_utf8_footer_in_its_own_encoding() {
        let raw = "Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n".as_bytes();
        let msg_out = add_footer(raw, "Zoë's list");
        let msg = parse(&msg_out);
        assert_eq!(msg.body_text(0).unwrap(), "Grüße\r\nZoë's list\r\n");

        let raw = b"Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, a =3D sign\r\n";
        let footer = format!("Zoë's list {}", "x".repeat(90));
        let out = add_footer(raw, &footer);
        assert!(out.starts_with(raw));
        assert!(
            out.split(|&b| b == b'\n').all(|l| l.len() <= 77),
            "quoted-printable lines stay short"
        );
        let msg = parse(&out);
        assert_eq!(tree(&msg, 0), "text/plain");
        assert_eq!(
            msg.body_text(0).unwrap(),
            format!("Grüße, a = sign\r\n{footer}\r\n")
        );
    }

    #[test]
    fn base64_text_is_decoded_appended_and_encoded_again() {
        let body = STANDARD.encode("Grüße aus Köln\r\n".as_bytes());
        let raw = format!(
            "Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
        );
        let out = add_footer(raw.as_bytes(), "Zoë");
        let msg = parse(&out);
        assert_eq!(msg.body_text(0).unwrap(), "Grüße aus Köln\r\nZoë\r\n");
    }

    #[test]
    fn text_that_cannot_carry_the_footer_is_wrapped() {
        // Latin-1 cannot hold the footer's UTF-8; 7bit cannot hold 8-bit.
        for raw in [
            b"Subject: s\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9\r\n".as_slice(),
            b"Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCafe\r\n".as_slice(),
            b"Subject: s\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\nCafe\r\n".as_slice(),
        ] {
            let out = add_footer(raw, "Zoë");
            let msg = parse(&out);
            assert_eq!(tree(&msg, 0), "multipart/mixed(text/plain,text/plain)");
            assert!(text_of(&msg, 1).starts_with("Caf"), "{}", text_of(&msg, 1));
            assert_eq!(text_of(&msg, 2), "Zoë");
            assert_eq!(msg.subject(), Some("s"));
        }
        let msg_raw = add_footer(
            b"Subject: s\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9\r\n",
            "Zoë",
        );
        assert_eq!(
            text_of(&parse(&msg_raw), 1),
            "Café\r\n",
            "the original keeps its charset"
        );
        // A text file sent as an attachment is not written into.
        let out = add_footer(
            b"Subject: s\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\ndata\r\n",
            "Bye",
        );
        let msg = parse(&out);
        assert_eq!(tree(&msg, 0), "multipart/mixed(text/plain,text/plain)");
        assert_eq!(msg.attachments().next().unwrap().contents(), b"data\r\n");
    }

    #[test]
    fn multipart_mixed_gets_a_part_at_the_end() {
        let raw = b"Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b1\r\nContent-Type: text/csv; name=a.csv\r\nContent-Disposition: attachment; filename=a.csv\r\n\r\na,b\r\n--b1--\r\nepilogue\r\n";
        let out = add_footer(raw, "Zoë's list");
        let msg = parse(&out);
        assert_eq!(
            tree(&msg, 0),
            "multipart/mixed(text/plain,text/csv,text/plain)"
        );
        assert_eq!(text_of(&msg, 1), "Hello");
        assert_eq!(msg.attachments().next().unwrap().contents(), b"a,b");
        assert_eq!(text_of(&msg, 3), "Zoë's list");
        let at = raw.windows(7).position(|w| w == b"--b1--\r").unwrap();
        assert!(
            out.starts_with(&raw[..at]),
            "everything before the end is kept"
        );
        assert!(out.ends_with(b"--b1--\r\nepilogue\r\n"));
    }

    #[test]
    fn alternative_and_html_only_messages_are_wrapped() {
        let raw = b"Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\nHi\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>Hi</p>\r\n--alt--\r\n";
        let out = add_footer(raw, "Bye");
        let msg = parse(&out);
        assert_eq!(
            tree(&msg, 0),
            "multipart/mixed(multipart/alternative(text/plain,text/html),text/plain)"
        );
        assert_eq!(text_of(&msg, 2), "Hi");
        assert_eq!(text_of(&msg, 4), "Bye");
        let body = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(
            out.windows(raw.len() - body).any(|w| w == &raw[body..]),
            "the original body is kept byte for byte"
        );
        let html = b"Subject: s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=C3=BC=C3=9Fe</p>\r\n";
        let out = add_footer(html, "Bye");
        let msg = parse(&out);
        assert_eq!(tree(&msg, 0), "multipart/mixed(text/html,text/plain)");
        assert_eq!(text_of(&msg, 1), "<p>Grüße</p>\r\n");
        assert_eq!(text_of(&msg, 2), "Bye");
    }

    #[test]
    fn signed_and_encrypted_messages_are_left_alone() {
        for ct in [
            "multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=\"s\"",
            "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"s\"",
            "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m",
        ] {
            let raw = format!(
                "Subject: s\r\nMIME-Version: 1.0\r\nContent-Type: {ct}\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nHi\r\n--s--\r\n"
            );
            let out = add_footer(raw.as_bytes(), "Bye");
            assert_eq!(&*out, raw.as_bytes(), "{ct}");
        }
    }

    #[test]
    fn a_broken_multipart_is_wrapped_and_the_boundary_is_new() {
        let raw = b"Subject: s\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nno end --=_convene-footer-0\r\n";
        let out = add_footer(raw, "Bye");
        let msg = parse(&out);
        assert!(String::from_utf8_lossy(&out).contains("boundary=\"=_convene-footer-1\""));
        assert_eq!(tree(&msg, 0).split('(').next(), Some("multipart/mixed"));
        assert!(out.ends_with(
            b"\r\n--=_convene-footer-1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: inline\r\n\r\nBye\r\n--=_convene-footer-1--\r\n"
        ));
    }
}
