//! The relay's answers: a three-digit code and its text.

use std::fmt;

/// One (possibly multi-line) SMTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code, e.g. 250 or 550.
    pub code: u16,
    /// The text of every line, joined with a space.
    pub text: String,
    /// Each line's text, for EHLO's extension list.
    pub(crate) lines: Vec<String>,
}

impl Reply {
    /// 2xx or 3xx: the command went through.
    pub fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }

    /// 4xx: refused for now.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx: refused for good.
    pub fn is_permanent(&self) -> bool {
        self.code >= 500
    }

    /// Parses one complete reply from `lines` (each without its CRLF).
    pub(crate) fn parse(lines: &[&[u8]]) -> Result<Reply, String> {
        let mut code = None;
        let mut texts = Vec::with_capacity(lines.len());
        for line in lines {
            let digits = line.get(..3).unwrap_or_default();
            if digits.len() < 3 || !digits.iter().all(u8::is_ascii_digit) {
                return Err(format!("{:?}", String::from_utf8_lossy(line)));
            }
            let c = digits
                .iter()
                .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
            if *code.get_or_insert(c) != c {
                return Err(format!(
                    "a reply mixes codes: {:?}",
                    String::from_utf8_lossy(line)
                ));
            }
            texts.push(String::from_utf8_lossy(line.get(4..).unwrap_or_default()).into_owned());
        }
        Ok(Reply {
            code: code.ok_or("an empty reply")?,
            text: texts.join(" "),
            lines: texts,
        })
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// What the relay said about one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientOutcome {
    /// The relay took the message for this recipient.
    Accepted,
    /// The relay refused this recipient (4xx for now, 5xx for good; see
    /// [`Reply::is_permanent`]). The message did not go to them.
    Refused(Reply),
}
