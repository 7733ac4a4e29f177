//! From text to content lines: unfolding (RFC 5545 §3.1) and splitting a line
//! into name, parameters and value (§3.1, §3.2).

use std::borrow::Cow;

use super::MAX_LINE_BYTES;

/// One unfolded line.
#[derive(Debug)]
pub(super) struct Logical<'a> {
    /// 1-based number of its first physical line.
    pub line: usize,
    pub text: Cow<'a, str>,
    /// Longer than [`MAX_LINE_BYTES`] after unfolding; `text` then holds only a
    /// prefix and must not be interpreted.
    pub too_long: bool,
}

/// Unfolds physical lines (ended by CRLF or a bare LF) into logical ones: a
/// line starting with a space or a tab continues the previous one, minus
/// that first character. Empty lines are skipped.
pub(super) struct Unfolder<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Split<'a, char>>>,
}

impl<'a> Unfolder<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            lines: text.split('\n').enumerate().peekable(),
        }
    }
}

impl<'a> Iterator for Unfolder<'a> {
    type Item = Logical<'a>;

    fn next(&mut self) -> Option<Logical<'a>> {
        loop {
            let (index, first) = self.lines.next()?;
            let first = strip_cr(first);
            if first.is_empty() {
                continue;
            }
            let mut text = Cow::Borrowed(first);
            let mut too_long = first.len() > MAX_LINE_BYTES;
            while let Some((_, next)) = self.lines.peek() {
                if !next.starts_with([' ', '\t']) {
                    break;
                }
                let continuation = strip_cr(&next[1..]);
                if !too_long {
                    if text.len() + continuation.len() > MAX_LINE_BYTES {
                        too_long = true;
                    } else {
                        text.to_mut().push_str(continuation);
                    }
                }
                self.lines.next();
            }
            if too_long {
                text = Cow::Borrowed(prefix(first, MAX_LINE_BYTES));
            }
            return Some(Logical {
                line: index + 1,
                text,
                too_long,
            });
        }
    }
}

fn strip_cr(line: &str) -> &str {
    line.strip_suffix('\r').unwrap_or(line)
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// A content line split into its parts. The name and parameter names are
/// upper-cased; parameter values have their quotes removed.
#[derive(Debug, Clone)]
pub(super) struct ContentLine {
    pub line: usize,
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl ContentLine {
    /// The first value of a parameter, by upper-case name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `name *(";" param) ":" value`. Returns `None` for a line that is
/// not a content line (no name, or no `:` after the parameters).
pub(super) fn split_content_line(line: usize, text: &str) -> Option<ContentLine> {
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(text.len());
    if name_end == 0 {
        return None;
    }
    let name = text[..name_end].to_ascii_uppercase();
    let mut rest = &text[name_end..];
    let mut params = Vec::new();
    loop {
        if let Some(value) = rest.strip_prefix(':') {
            return Some(ContentLine {
                line,
                name,
                params,
                value: value.to_owned(),
            });
        }
        rest = rest.strip_prefix(';')?;
        let eq = rest.find('=')?;
        let param_name = rest[..eq].trim().to_ascii_uppercase();
        rest = &rest[eq + 1..];
        // A parameter may carry a list of values; each list item becomes one
        // (name, value) pair so that lookups by name find the first.
        loop {
            let (value, after) = param_value(rest)?;
            params.push((param_name.clone(), value.to_owned()));
            rest = after;
            match rest.strip_prefix(',') {
                Some(after_comma) => rest = after_comma,
                None => break,
            }
        }
    }
}

/// One parameter value, quoted or not, and what follows it.
fn param_value(text: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = text.strip_prefix('"') {
        let close = quoted.find('"')?;
        Some((&quoted[..close], &quoted[close + 1..]))
    } else {
        let end = text.find([';', ':', ',']).unwrap_or(text.len());
        Some((&text[..end], &text[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical(text: &str) -> Vec<(usize, String, bool)> {
        Unfolder::new(text)
            .map(|l| (l.line, l.text.into_owned(), l.too_long))
            .collect()
    }

    #[test]
    fn unfolds_crlf_lf_space_and_tab_continuations() {
        let text = "A:one\r\n two\r\n\tthree\r\n\r\nB:x\nC:y\n z";
        assert_eq!(
            logical(text),
            vec![
                (1, "A:onetwothree".to_owned(), false),
                (5, "B:x".to_owned(), false),
                (6, "C:yz".to_owned(), false),
            ]
        );
    }

    #[test]
    fn marks_lines_that_grow_too_long_and_keeps_going() {
        let chunk = "x".repeat(1000);
        let mut text = format!("DESCRIPTION:{chunk}\r\n");
        for _ in 0..20 {
            text.push_str(&format!(" {chunk}\r\n"));
        }
        text.push_str("UID:after\r\n");
        let lines = logical(&text);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].2);
        assert!(lines[0].1.len() <= MAX_LINE_BYTES);
        assert_eq!(lines[1], (22, "UID:after".to_owned(), false));
    }

    #[test]
    fn splits_names_quoted_parameters_and_values_with_colons() {
        let line = split_content_line(
            3,
            "attendee;CN=\"Doe, Jane: chair\";role=REQ-PARTICIPANT;MEMBER=\"a\",\"b\":mailto:jane@example.org",
        )
        .unwrap();
        assert_eq!(line.name, "ATTENDEE");
        assert_eq!(line.param("CN"), Some("Doe, Jane: chair"));
        assert_eq!(line.param("ROLE"), Some("REQ-PARTICIPANT"));
        assert_eq!(line.param("MEMBER"), Some("a"));
        assert_eq!(line.params.len(), 4);
        assert_eq!(line.value, "mailto:jane@example.org");
    }

    #[test]
    fn rejects_lines_that_are_not_content_lines() {
        assert!(split_content_line(1, "no colon here").is_none());
        assert!(split_content_line(1, ":value").is_none());
        assert!(split_content_line(1, "X;BROKEN:v").is_none());
        assert!(split_content_line(1, "X;P=\"unclosed:v").is_none());
    }
}
