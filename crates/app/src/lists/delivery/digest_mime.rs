//! Putting a digest together: a MIME `multipart/digest` (RFC 2046
//! §5.1.5) whose first part is a plain-text table of contents, followed by
//! each message exactly as the archive holds it, as a `message/rfc822`
//! part, and the list's footer last. Pure: the same input gives the same
//! bytes, so a digest resent after a crash is the same message.

use super::footer::text_part;

/// One message of a digest.
#[derive(Debug, Clone)]
pub struct DigestEntry<'a> {
    /// Its decoded subject.
    pub subject: &'a str,
    /// Who wrote it: their name, or their address.
    pub author: &'a str,
    /// The message as archived.
    pub raw: &'a [u8],
}

/// The plain-text table of contents: the title, then the numbered
/// subjects with their authors.
pub fn table_of_contents(title: &str, entries: &[DigestEntry<'_>]) -> String {
    let mut out = format!("{title}\n\nToday's topics:\n\n");
    let width = entries.len().to_string().len();
    for (i, e) in entries.iter().enumerate() {
        let subject: String = e.subject.chars().filter(|c| !c.is_control()).collect();
        let author: String = e.author.chars().filter(|c| !c.is_control()).collect();
        let subject = if subject.trim().is_empty() {
            "(no subject)"
        } else {
            subject.trim()
        };
        out.push_str(&format!(
            "  {:>width$}. {subject} ({})\n",
            i + 1,
            author.trim()
        ));
    }
    out.push_str("\nEach message follows in full, in this order.\n");
    out
}

/// The whole digest: `fields` (name and ready-encoded value, in order)
/// make its header, followed by its MIME fields; the body holds the table
/// of contents, the messages, and `footer` when it is not blank.
pub fn build(
    fields: &[(String, String)],
    title: &str,
    entries: &[DigestEntry<'_>],
    footer: &str,
) -> Vec<u8> {
    // "=_" never appears in base64 or quoted-printable text; the counter
    // keeps the boundary out of every message it encloses.
    let mut n = 0u32;
    let boundary = loop {
        let candidate = format!("=_convene-digest-{n}");
        let needle = format!("--{candidate}");
        if !entries
            .iter()
            .any(|e| e.raw.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            break candidate;
        }
        n += 1;
    };
    let size: usize = entries.iter().map(|e| e.raw.len() + 64).sum();
    let mut out = Vec::with_capacity(size + 2048);
    for (name, value) in fields {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(
        format!("Content-Type: multipart/digest; boundary=\"{boundary}\"\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    out.extend_from_slice(&text_part(&table_of_contents(title, entries)));
    for e in entries {
        out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        out.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        out.extend_from_slice(e.raw);
    }
    if !footer.trim().is_empty() {
        out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        out.extend_from_slice(&text_part(footer));
    }
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mail_parser::{MessageParser, MimeHeaders, PartType};

    fn entries() -> Vec<(String, String, Vec<u8>)> {
        vec![
            (
                "Finding a venue – what worked".into(),
                "Zoë Ng".into(),
                "From: Zoë Ng <zoe@example.org>\r\nSubject: Finding a venue\r\nMessage-ID: <a@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe hall – free on Tuesdays.\r\n--=_convene-digest-0\r\n".as_bytes().to_vec(),
            ),
            (
                "Re: Finding a venue".into(),
                "ann@example.net".into(),
                b"From: ann@example.net\r\nSubject: Re: Finding a venue\r\nMessage-ID: <b@example.net>\r\nIn-Reply-To: <a@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nThanks\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>Thanks</p>\r\n--x--\r\n".to_vec(),
            ),
        ]
    }

    #[test]
    fn a_digest_is_a_table_of_contents_then_each_message_in_order() {
        let owned = entries();
        let list: Vec<DigestEntry<'_>> = owned
            .iter()
            .map(|(s, a, r)| DigestEntry {
                subject: s,
                author: a,
                raw: r,
            })
            .collect();
        let fields = vec![
            ("From".to_owned(), "<organizers@example.org>".to_owned()),
            (
                "Subject".to_owned(),
                "[organizers] Digest, Vol 1, Issue 2".to_owned(),
            ),
        ];
        let raw = build(
            &fields,
            "Organizers Digest, Vol 1, Issue 2",
            &list,
            "Leave: https://example.org/x",
        );
        assert_eq!(
            raw,
            build(
                &fields,
                "Organizers Digest, Vol 1, Issue 2",
                &list,
                "Leave: https://example.org/x"
            ),
            "the same digest twice is the same bytes"
        );
        let msg = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(msg.subject(), Some("[organizers] Digest, Vol 1, Issue 2"));
        let ct = msg.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("digest")));
        assert_eq!(
            ct.attribute("boundary"),
            Some("=_convene-digest-1"),
            "a boundary that no message contains"
        );
        let PartType::Multipart(kids) = &msg.parts[0].body else {
            panic!("not multipart");
        };
        assert_eq!(kids.len(), 4);
        let toc = msg.part(kids[0]).unwrap().text_contents().unwrap();
        assert_eq!(
            toc,
            "Organizers Digest, Vol 1, Issue 2\r\n\r\nToday's topics:\r\n\r\n  1. Finding a venue – what worked (Zoë Ng)\r\n  2. Re: Finding a venue (ann@example.net)\r\n\r\nEach message follows in full, in this order."
        );
        for (i, (subject, _, original)) in owned.iter().enumerate() {
            let part = msg.part(kids[i + 1]).unwrap();
            let inner = part.message().unwrap();
            assert_eq!(
                inner.raw_message(),
                original.as_slice(),
                "kept byte for byte"
            );
            assert!(subject.starts_with(&inner.subject().unwrap()[..10]));
        }
        assert_eq!(
            msg.part(kids[3]).unwrap().text_contents(),
            Some("Leave: https://example.org/x")
        );
        let no_footer = build(&fields, "T", &list, " ");
        let msg = MessageParser::default().parse(&no_footer).unwrap();
        let PartType::Multipart(kids) = &msg.parts[0].body else {
            panic!("not multipart");
        };
        assert_eq!(kids.len(), 3, "no footer part for a blank footer");
    }
}
