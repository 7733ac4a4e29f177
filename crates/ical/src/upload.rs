//! What a person uploads or a feed serves as "the calendar": an iCalendar
//! file, or a zip of them (Google Calendar's export is a `.zip` with one
//! `.ics` per calendar). Anything else is named for what it is, so the
//! message says "this is a PDF document" rather than "not UTF-8 text".

use std::io::{Cursor, Read};

use crate::parse::{IcsError, Limits, Parsed, parse};

/// The most entries a zip may hold (files and folders).
pub const MAX_ZIP_ENTRIES: usize = 200;

/// The most bytes all of a zip's `.ics` files may unpack to together.
pub const MAX_ZIP_UNPACKED_BYTES: u64 = 16 * 1024 * 1024;

/// Reads an iCalendar file, or every `.ics` file in a zip, as one calendar.
///
/// In a zip, each `.ics` file is bounded by `limits.max_bytes`, all of them
/// together by [`MAX_ZIP_UNPACKED_BYTES`], and their events together by
/// `limits.max_events`; the zip itself by [`MAX_ZIP_ENTRIES`] entries.
/// Events and skipped components from a zip carry the name of the file
/// they came from. The calendar's name and zone are the first file's that
/// has one.
pub fn parse_upload(input: &[u8], limits: Limits) -> Result<Parsed, IcsError> {
    if input.len() > limits.max_bytes {
        return Err(IcsError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    if is_zip(input) {
        return parse_zip(input, limits);
    }
    match parse(input, limits) {
        Err(IcsError::NotCalendar | IcsError::NotUtf8 { .. }) if sniff(input).is_some() => {
            Err(IcsError::NotCalendarFile {
                what: sniff(input).unwrap_or_default(),
            })
        }
        other => other,
    }
}

/// A zip's local file header or end-of-central-directory record (an empty
/// zip) at the start.
fn is_zip(input: &[u8]) -> bool {
    input.starts_with(b"PK\x03\x04") || input.starts_with(b"PK\x05\x06")
}

fn parse_zip(input: &[u8], limits: Limits) -> Result<Parsed, IcsError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(input)).map_err(|_| IcsError::BadZip)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(IcsError::ZipTooManyEntries {
            entries: archive.len(),
            limit: MAX_ZIP_ENTRIES,
        });
    }
    let mut merged = Parsed::default();
    let mut files = 0;
    let mut unpacked: u64 = 0;
    let mut events_left = limits.max_events;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|_| IcsError::BadZip)?;
        let name = entry.name().map_err(|_| IcsError::BadZip)?.into_owned();
        if entry.is_dir() || !is_calendar_name(&name) {
            continue;
        }
        files += 1;
        let shown: String = name.chars().take(120).collect();
        if entry.encrypted() {
            return Err(IcsError::ZipEntry {
                name: shown,
                problem: "it is encrypted".into(),
            });
        }
        // Declared sizes can lie: read at most one byte past what is allowed.
        let allowed = (limits.max_bytes as u64).min(MAX_ZIP_UNPACKED_BYTES - unpacked);
        let mut bytes = Vec::new();
        (&mut entry)
            .take(allowed + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| IcsError::ZipEntry {
                name: shown.clone(),
                problem: "it cannot be unpacked (the zip is damaged or compressed in a way convene does not read)".into(),
            })?;
        let size = bytes.len() as u64;
        if size > allowed {
            return Err(if unpacked + size > MAX_ZIP_UNPACKED_BYTES {
                IcsError::ZipTooLarge {
                    limit: MAX_ZIP_UNPACKED_BYTES,
                }
            } else {
                IcsError::ZipEntry {
                    name: shown,
                    problem: format!("it is more than the {} bytes accepted", limits.max_bytes),
                }
            });
        }
        unpacked += size;
        let parsed = parse(
            &bytes,
            Limits {
                max_bytes: limits.max_bytes,
                max_events: events_left,
            },
        )
        .map_err(|e| match e {
            IcsError::TooManyEvents { .. } => IcsError::TooManyEvents {
                limit: limits.max_events,
            },
            other => IcsError::ZipEntry {
                name: shown.clone(),
                problem: other.to_string(),
            },
        })?;
        events_left = events_left.saturating_sub(parsed.events.len() + parsed.skipped.len());
        merge(&mut merged, parsed, &shown);
    }
    if files == 0 {
        return Err(IcsError::ZipWithoutCalendar {
            entries: archive.len(),
        });
    }
    Ok(merged)
}

/// `.ics` (or `.ical`, `.ifb`, `.icalendar`) outside the folders macOS adds
/// to zips it makes.
fn is_calendar_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or_default();
    !lower.starts_with("__macosx/")
        && !base.starts_with("._")
        && [".ics", ".ical", ".icalendar", ".ifb"]
            .iter()
            .any(|ext| base.ends_with(ext))
}

fn merge(into: &mut Parsed, from: Parsed, file: &str) {
    if into.name.is_none() {
        into.name = from.name;
    }
    if into.default_tz.is_none() {
        into.default_tz = from.default_tz;
    }
    into.events.extend(from.events.into_iter().map(|mut e| {
        e.file = Some(file.to_owned());
        e
    }));
    into.skipped.extend(from.skipped.into_iter().map(|mut s| {
        s.file = Some(file.to_owned());
        s
    }));
}

/// What a file that is not iCalendar looks like it is, from its first bytes.
fn sniff(input: &[u8]) -> Option<String> {
    let start = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let text_start: Vec<u8> = start
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take(64)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let what = if start.starts_with(b"%PDF-") {
        "a PDF document"
    } else if start.starts_with(b"\x89PNG\r\n\x1a\n") {
        "a PNG image"
    } else if start.starts_with(b"\xff\xd8\xff") {
        "a JPEG image"
    } else if start.starts_with(b"GIF87a") || start.starts_with(b"GIF89a") {
        "a GIF image"
    } else if start.starts_with(b"RIFF") && start.get(8..12) == Some(b"WEBP") {
        "a WebP image"
    } else if start.starts_with(b"\x1f\x8b") {
        "a gzip-compressed file (unpack it and upload the .ics inside)"
    } else if start.starts_with(b"\xd0\xcf\x11\xe0") {
        "a Microsoft Office document (in Outlook, use File > Save Calendar to save an .ics file)"
    } else if start.starts_with(b"\xff\xfe") || start.starts_with(b"\xfe\xff") {
        "UTF-16 text (save the calendar as UTF-8 and try again)"
    } else if text_start.starts_with(b"<!doctype html")
        || text_start.starts_with(b"<html")
        || text_start.starts_with(b"<head")
    {
        "an HTML page, not a calendar (if it came from a web address, that address shows a page rather than the calendar's iCalendar feed)"
    } else if text_start.starts_with(b"<?xml") || text_start.starts_with(b"<") {
        "an XML document"
    } else if text_start.starts_with(b"begin:vcard") {
        "a vCard (contacts), not a calendar"
    } else if text_start.starts_with(b"{") || text_start.starts_with(b"[") {
        "JSON data"
    } else {
        return None;
    };
    Some(what.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_common_files_that_are_not_calendars() {
        let cases: [(&[u8], &str); 6] = [
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", "a JPEG image"),
            (b"  <!DOCTYPE html><html><head>", "an HTML page"),
            (b"BEGIN:VCARD\r\nVERSION:3.0\r\n", "a vCard"),
            (b"\xff\xfeB\0E\0", "UTF-16 text"),
        ];
        for (input, expected) in cases {
            let message = parse_upload(input, Limits::default())
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with(&format!("this is {expected}")),
                "{message}"
            );
        }
    }

    #[test]
    fn calendar_names_in_a_zip() {
        assert!(is_calendar_name(
            "Rust Lisbon_abc@group.calendar.google.com.ics"
        ));
        assert!(is_calendar_name("Calendar/Work.ICS"));
        assert!(!is_calendar_name("__MACOSX/Calendar/._Work.ics"));
        assert!(!is_calendar_name("Calendar/._Work.ics"));
        assert!(!is_calendar_name("readme.txt"));
    }
}
