//! Building an iCalendar stream one content line at a time: escaping,
//! parameter quoting and line folding (RFC 5545 §3.1–§3.3).

use chrono_tz::Tz;

use crate::{When, format_date, format_local, format_utc};

/// The longest physical line RFC 5545 §3.1 allows, in octets, without its CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// Writes content lines into a string, each ended by CRLF and folded at 75 octets.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    out: String,
    /// The unfolded line being assembled; kept to reuse its allocation.
    line: String,
}

impl Writer {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines written since the last call, leaving the writer empty
    /// to go on: a long stream can be sent a part at a time.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// `BEGIN:<component>`.
    pub fn begin(&mut self, component: &str) {
        self.raw("BEGIN", &[], &component.to_ascii_uppercase());
    }

    /// `END:<component>`.
    pub fn end(&mut self, component: &str) {
        self.raw("END", &[], &component.to_ascii_uppercase());
    }

    /// A TEXT property: the value is escaped per RFC 5545 §3.3.11 (backslash,
    /// `;`, `,` and newlines are escaped; carriage returns and other control
    /// characters except TAB are dropped).
    pub fn text(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        self.start_line(name, params);
        for c in value.chars() {
            match c {
                '\\' => self.line.push_str("\\\\"),
                ';' => self.line.push_str("\\;"),
                ',' => self.line.push_str("\\,"),
                '\n' => self.line.push_str("\\n"),
                c if is_dropped_control(c) => {}
                c => self.line.push(c),
            }
        }
        self.flush_line();
    }

    /// A property whose value is written as given (RRULE, URI, CAL-ADDRESS,
    /// DURATION, numbers); control characters other than TAB are removed so
    /// that a value can never end the line early or start a new property.
    pub fn raw(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        self.start_line(name, params);
        self.line
            .extend(value.chars().filter(|c| !is_dropped_control(*c)));
        self.flush_line();
    }

    /// A date or date-time property: zoned values get `TZID=`, UTC values a
    /// trailing `Z`, floating values neither, dates `VALUE=DATE`.
    pub fn when(&mut self, name: &str, value: When) {
        self.when_list(name, &[value]);
    }

    /// A multi-valued date list (`RDATE`, `EXDATE`). Values of one kind and
    /// zone share a line; mixed values are written as one line per kind and
    /// zone, in the order each first appears.
    pub fn when_list(&mut self, name: &str, values: &[When]) {
        let mut groups: Vec<(Kind, Vec<String>)> = Vec::new();
        for value in values {
            let kind = Kind::of(value);
            let text = match *value {
                When::Zoned { local, .. } | When::Floating(local) => format_local(local),
                When::Utc(at) => format_utc(at),
                When::Date(day) => format_date(day),
            };
            match groups.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, texts)) => texts.push(text),
                None => groups.push((kind, vec![text])),
            }
        }
        for (kind, texts) in groups {
            let joined = texts.join(",");
            match kind {
                Kind::Zoned(tz) => self.raw(name, &[("TZID", tz.name())], &joined),
                Kind::Date => self.raw(name, &[("VALUE", "DATE")], &joined),
                Kind::Utc | Kind::Floating => self.raw(name, &[], &joined),
            }
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The finished stream.
    pub fn finish(self) -> String {
        self.out
    }

    /// Starts a line with the upper-cased name and its parameters, up to and
    /// including the `:` before the value.
    fn start_line(&mut self, name: &str, params: &[(&str, &str)]) {
        self.line.clear();
        push_name(&mut self.line, name);
        for (param, value) in params {
            self.line.push(';');
            push_name(&mut self.line, param);
            self.line.push('=');
            push_param_value(&mut self.line, value);
        }
        self.line.push(':');
    }

    /// Folds the assembled line into the output: the first physical line holds
    /// up to 75 octets, each continuation a space and up to 74 more, and a cut
    /// never falls inside a UTF-8 character.
    fn flush_line(&mut self) {
        let line = self.line.as_str();
        let mut start = 0;
        let mut room = MAX_LINE_OCTETS;
        while line.len() - start > room {
            let mut cut = start + room;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&line[start..cut]);
            self.out.push_str("\r\n ");
            start = cut;
            room = MAX_LINE_OCTETS - 1;
        }
        self.out.push_str(&line[start..]);
        self.out.push_str("\r\n");
    }
}

/// The kind and zone that decide whether two date values can share a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zoned(Tz),
    Utc,
    Floating,
    Date,
}

impl Kind {
    fn of(value: &When) -> Self {
        match value {
            When::Zoned { tz, .. } => Kind::Zoned(*tz),
            When::Utc(_) => Kind::Utc,
            When::Floating(_) => Kind::Floating,
            When::Date(_) => Kind::Date,
        }
    }
}

/// Control characters RFC 5545 does not allow in a value (TAB is allowed).
fn is_dropped_control(c: char) -> bool {
    (c.is_ascii_control() && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// Property and parameter names: upper-cased, and only the characters a name
/// may hold (letters, digits, `-`), so a caller's typo cannot break the line.
fn push_name(line: &mut String, name: &str) {
    line.extend(
        name.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .map(|c| c.to_ascii_uppercase()),
    );
}

/// A parameter value, double-quoted when it holds `:`, `;` or `,`; a double
/// quote cannot be escaped inside a parameter, so it becomes `'`.
fn push_param_value(line: &mut String, value: &str) {
    let quote = value.contains([':', ';', ',']);
    if quote {
        line.push('"');
    }
    for c in value.chars() {
        match c {
            '"' => line.push('\''),
            c if is_dropped_control(c) => {}
            c => line.push(c),
        }
    }
    if quote {
        line.push('"');
    }
}
