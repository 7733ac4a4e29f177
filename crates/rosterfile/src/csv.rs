//! The CSV format: one group per row under a header naming the columns in
//! [`CSV_COLUMNS`]. `name` and `country` (an ISO alpha-2 code or a country
//! name) must be there; every other column may be left out. The file is UTF-8
//! (a byte order mark is skipped), fields are quoted as RFC 4180 says,
//! `languages` holds tags separated by spaces, and each link column holds one
//! or more URLs separated by spaces. This is also what convene exports, so
//! [`write_csv`] and [`parse_csv`] read each other's output back unchanged.

use crate::links::{Link, LinkKind, UrlCheck, check_url};
use crate::text::truncate_chars;
use crate::{Entry, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, Problem};

/// The CSV header, in the order [`write_csv`] writes it.
pub const CSV_COLUMNS: [&str; 20] = [
    "name",
    "slug",
    "status",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "languages",
    "meeting_pattern",
    "founded",
    "short_description",
    "website",
    "meetup",
    "mailing_list",
    "chat",
    "code",
    "social",
    "blog_feed",
    "other",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Slug,
    Status,
    City,
    Region,
    Country,
    Latitude,
    Longitude,
    Languages,
    MeetingPattern,
    Founded,
    ShortDescription,
    Link(LinkKind),
}

impl Column {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "name" => Column::Name,
            "slug" => Column::Slug,
            "status" => Column::Status,
            "city" => Column::City,
            "region" => Column::Region,
            "country" => Column::Country,
            "latitude" => Column::Latitude,
            "longitude" => Column::Longitude,
            "languages" => Column::Languages,
            "meeting_pattern" => Column::MeetingPattern,
            "founded" => Column::Founded,
            "short_description" => Column::ShortDescription,
            other => Column::Link(LinkKind::parse(other)?),
        })
    }
}

/// One record of the file, before its fields are read.
struct Record {
    line: usize,
    fields: Vec<String>,
    error: Option<String>,
}

/// Splits the text into records (RFC 4180: fields separated by commas,
/// records by line breaks; a field in double quotes may hold commas, line
/// breaks and doubled quotes). Blank lines are skipped.
fn read_records(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut line = 1;
    let mut rec = Record {
        line,
        fields: Vec::new(),
        error: None,
    };
    let mut field = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut after_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
            }
            ',' => {
                rec.fields.push(std::mem::take(&mut field));
                quoted = false;
                after_quote = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                rec.fields.push(std::mem::take(&mut field));
                let blank = rec.fields.len() == 1 && rec.fields[0].trim().is_empty() && !quoted;
                line += 1;
                let done = std::mem::replace(
                    &mut rec,
                    Record {
                        line,
                        fields: Vec::new(),
                        error: None,
                    },
                );
                if !blank {
                    records.push(done);
                }
                quoted = false;
                after_quote = false;
            }
            ' ' | '\t' if after_quote => {}
            _ => {
                if after_quote && rec.error.is_none() {
                    rec.error = Some("there is text after a closing quote; quote the whole field and double any quote inside it".to_owned());
                }
                field.push(c);
            }
        }
    }
    if in_quotes {
        rec.error = Some(
            "a quoted field opened here is never closed, so the rest of the file is left out"
                .to_owned(),
        );
        rec.fields.push(field);
        records.push(rec);
    } else if !field.trim().is_empty() || !rec.fields.is_empty() || quoted {
        rec.fields.push(field);
        records.push(rec);
    }
    records
}

/// Reads a roster in CSV. Invalid UTF-8, a missing header or a missing
/// required column gives one problem at line 1 and no entries; a bad row
/// gives a problem on its line and is left out, while the other rows are
/// still read. A refused link (`javascript:`, `data:`...) is dropped and
/// reported, and its row kept.
pub fn parse_csv(bytes: &[u8]) -> (Vec<Entry>, Vec<Problem>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bad_line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let msg = format!(
                "the file is not UTF-8 text (the first bad byte is on line {bad_line}); save it as UTF-8 and try again"
            );
            return (Vec::new(), vec![Problem::new(1, msg)]);
        }
    };
    let mut records = read_records(text).into_iter();
    let Some(header) = records.next() else {
        return (
            Vec::new(),
            vec![Problem::new(
                1,
                "the file is empty; it needs a header line such as “name,country”",
            )],
        );
    };
    if let Some(err) = header.error {
        return (
            Vec::new(),
            vec![Problem::new(
                header.line,
                format!("the header cannot be read: {err}"),
            )],
        );
    }
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(header.fields.len());
    for (i, raw) in header.fields.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        let col = Column::parse(&name);
        match col {
            Some(c) if columns.contains(&Some(c)) => {
                problems.push(Problem::new(
                    header.line,
                    format!("the column “{name}” appears twice; only the first is read"),
                ));
                columns.push(None);
            }
            Some(c) => columns.push(Some(c)),
            None => {
                let msg = if name.is_empty() {
                    format!("column {} has no name, so it is ignored", i + 1)
                } else {
                    format!(
                        "the column “{name}” is not one convene knows, so it is ignored (the columns are: {})",
                        CSV_COLUMNS.join(",")
                    )
                };
                problems.push(Problem::new(header.line, msg));
                columns.push(None);
            }
        }
    }
    let missing: Vec<&str> = [(Column::Name, "name"), (Column::Country, "country")]
        .into_iter()
        .filter(|(c, _)| !columns.contains(&Some(*c)))
        .map(|(_, n)| n)
        .collect();
    if !missing.is_empty() {
        let msg = format!(
            "the header lacks the required column{} {}",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(" and ")
        );
        return (Vec::new(), vec![Problem::new(header.line, msg)]);
    }
    let mut entries = Vec::new();
    for rec in records {
        if let Some(err) = rec.error {
            problems.push(Problem::new(
                rec.line,
                format!("the row is left out: {err}"),
            ));
            continue;
        }
        if rec.fields.len() != columns.len() {
            let msg = format!(
                "the row is left out: it has {} fields but the header has {}",
                rec.fields.len(),
                columns.len()
            );
            problems.push(Problem::new(rec.line, msg));
            continue;
        }
        match read_row(&columns, &rec, &mut problems) {
            Ok(entry) => entries.push(entry),
            Err(why) => problems.push(Problem::new(
                rec.line,
                format!("the row is left out: {why}"),
            )),
        }
    }
    (entries, problems)
}

fn read_coordinate(value: Option<String>, what: &str, limit: f64) -> Result<Option<f64>, String> {
    let Some(v) = value else { return Ok(None) };
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && (-limit..=limit).contains(&x) => Ok(Some(x)),
        Ok(_) => Err(format!(
            "the {what} “{v}” is not between -{limit} and {limit}"
        )),
        Err(_) => Err(format!("the {what} “{v}” is not a number")),
    }
}

fn read_row(
    columns: &[Option<Column>],
    rec: &Record,
    problems: &mut Vec<Problem>,
) -> Result<Entry, String> {
    let get = |want: Column| -> Option<String> {
        let i = columns.iter().position(|c| *c == Some(want))?;
        let v = rec.fields.get(i)?.trim();
        (!v.is_empty()).then(|| v.to_owned())
    };
    let name = get(Column::Name).ok_or("it has no name")?;
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(format!(
            "the name has {count} characters (at most {MAX_NAME_CHARS})"
        ));
    }
    let country = get(Column::Country).ok_or("it has no country")?;
    let latitude = read_coordinate(get(Column::Latitude), "latitude", 90.0)?;
    let longitude = read_coordinate(get(Column::Longitude), "longitude", 180.0)?;
    if latitude.is_some() != longitude.is_some() {
        return Err("it gives only one of latitude and longitude".to_owned());
    }
    let mut description = get(Column::ShortDescription);
    if let Some(d) = &description {
        let n = d.chars().count();
        if n > MAX_DESCRIPTION_CHARS {
            problems.push(Problem::new(
                rec.line,
                format!(
                    "the short description has {n} characters; it is cut to {MAX_DESCRIPTION_CHARS}"
                ),
            ));
            description = Some(truncate_chars(d, MAX_DESCRIPTION_CHARS));
        }
    }
    let mut entry = Entry {
        line: rec.line,
        name,
        slug: get(Column::Slug),
        country: Some(country),
        region: get(Column::Region),
        city: get(Column::City),
        description,
        status: get(Column::Status),
        latitude,
        longitude,
        languages: get(Column::Languages)
            .map(|l| {
                l.split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        meeting_pattern: get(Column::MeetingPattern),
        founded: get(Column::Founded),
        ..Entry::default()
    };
    for kind in LinkKind::ALL {
        let Some(cell) = get(Column::Link(kind)) else {
            continue;
        };
        for url in cell.split_whitespace() {
            match check_url(url) {
                UrlCheck::Good(url) => entry.add_link(Link {
                    kind,
                    url,
                    label: String::new(),
                }),
                UrlCheck::Repaired(fixed) => {
                    problems.push(Problem::new(
                        rec.line,
                        format!("{kind}: mistyped link “{url}” read as “{fixed}”"),
                    ));
                    entry.add_link(Link {
                        kind,
                        url: fixed,
                        label: String::new(),
                    });
                }
                UrlCheck::Rejected(why) => problems.push(Problem::new(
                    rec.line,
                    format!("{kind}: link dropped: {why}"),
                )),
            }
        }
    }
    Ok(entry)
}

/// Quotes a field when it holds a comma, a quote, a line break, or spaces at its ends.
fn quote(field: &str) -> String {
    let needs = field.contains([',', '"', '\r', '\n'])
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Writes entries as CSV with the full header of [`CSV_COLUMNS`], lines ending
/// in CRLF as RFC 4180 says. Links go to the column of their kind (several
/// separated by spaces); link labels and the continent are not written.
pub fn write_csv(entries: &[Entry]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for e in entries {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let coord = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let mut fields = vec![
            e.name.clone(),
            opt(&e.slug),
            opt(&e.status),
            opt(&e.city),
            opt(&e.region),
            opt(&e.country),
            coord(e.latitude),
            coord(e.longitude),
            e.languages.join(" "),
            opt(&e.meeting_pattern),
            opt(&e.founded),
            opt(&e.description),
        ];
        for kind in LinkKind::ALL {
            let urls: Vec<&str> = e
                .links
                .iter()
                .filter(|l| l.kind == kind)
                .map(|l| l.url.as_str())
                .collect();
            fields.push(urls.join(" "));
        }
        let row: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_follow_rfc_4180() {
        let recs = read_records("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\n\n3,\n");
        let fields: Vec<Vec<String>> = recs.iter().map(|r| r.fields.clone()).collect();
        assert_eq!(
            fields,
            vec![
                vec!["a", "b"],
                vec!["x, \"y\"", "two\nlines"],
                vec!["3", ""]
            ]
        );
        let lines: Vec<usize> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 5]);
    }

    #[test]
    fn broken_quotes_are_row_errors() {
        let recs = read_records("a,b\n\"x\"y,1\n\"open,2\n");
        assert!(recs[1].error.is_some());
        assert!(recs[2].error.is_some());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
    }
}
