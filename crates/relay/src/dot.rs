//! The message as it goes on the wire after DATA: dot-stuffed (RFC 5321
//! 4.5.2) and ended with `CRLF.CRLF`.

/// Returns `message` with a `.` doubled at the start of every line and the
/// end-of-data mark appended. A line starts after any LF, bare or not, so a
/// bare `LF.CRLF` cannot end the data early on a lenient server. The
/// message's own final CRLF, if it has one, is the first CRLF of the mark,
/// so the recipient gets exactly `message`.
pub(crate) fn encode(message: &[u8]) -> Vec<u8> {
    let dots = message
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'.' && (i == 0 || message[i - 1] == b'\n'))
        .count();
    let mut out = Vec::with_capacity(message.len() + dots + 5);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    if message.is_empty() || message.ends_with(b"\r\n") {
        out.extend_from_slice(b".\r\n");
    } else {
        out.extend_from_slice(b"\r\n.\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn leading_dots_are_doubled_and_the_end_marked_once() {
        assert_eq!(
            encode(b".a\r\nb.\r\n.\r\n..c\r\n"),
            b"..a\r\nb.\r\n..\r\n...c\r\n.\r\n".to_vec()
        );
        assert_eq!(
            encode(b"no final break"),
            b"no final break\r\n.\r\n".to_vec()
        );
        assert_eq!(encode(b"bare\n.\r\n"), b"bare\n..\r\n.\r\n".to_vec());
        assert_eq!(encode(b""), b".\r\n".to_vec());
    }
}
