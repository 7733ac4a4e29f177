//! A message's attachments in the archive: listed under its text and
//! downloaded one by one, read from the stored message itself, so the
//! archive keeps exactly what was sent and the page shows none of it
//! inline.

use super::members::ListView;
use crate::{AppError, AppResult, Services};
use convene_store::list_archive as store;
use mail_parser::{MessageParser, MimeHeaders};

/// An attachment as the archive lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its number in the message, from 1 (the download URL's last part).
    pub number: usize,
    /// A file name safe to offer (made up when the message gave none).
    pub file_name: String,
    /// The type the writer's mail program gave it, e.g. `application/pdf`.
    pub declared_type: String,
    /// Its size in bytes, decoded.
    pub size: usize,
}

/// Types a browser may show itself; everything else downloads as bytes.
const SHOWN_TYPES: [&str; 6] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
];

impl Attachment {
    /// The `Content-Type` to serve it with: its own for plain, passive
    /// types, `application/octet-stream` for anything a browser might run
    /// (HTML, SVG, scripts).
    pub fn served_type(&self) -> &str {
        match SHOWN_TYPES.iter().find(|t| **t == self.declared_type) {
            Some(&"text/plain") => "text/plain; charset=utf-8",
            Some(t) => t,
            None => "application/octet-stream",
        }
    }
}

/// Keeps a file name to letters, digits and `.-_ ` (a name from a message
/// may hold a path, quotes or control characters).
fn safe_file_name(name: Option<&str>, number: usize, declared_type: &str) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        let ext = match declared_type {
            "application/pdf" => ".pdf",
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            "text/plain" => ".txt",
            "message/rfc822" => ".eml",
            _ => ".bin",
        };
        format!("attachment-{number}{ext}")
    } else {
        cleaned
    }
}

/// The attachments of a stored message, each with its decoded bytes.
fn read(raw: &[u8]) -> Vec<(Attachment, Vec<u8>)> {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    msg.attachments()
        .enumerate()
        .map(|(i, part)| {
            let number = i + 1;
            let declared_type = match part.content_type() {
                Some(ct) => match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                }
                .to_ascii_lowercase(),
                None if part.is_message() => "message/rfc822".to_owned(),
                None => "application/octet-stream".to_owned(),
            };
            let bytes = part.contents().to_vec();
            (
                Attachment {
                    number,
                    file_name: safe_file_name(part.attachment_name(), number, &declared_type),
                    size: bytes.len(),
                    declared_type,
                },
                bytes,
            )
        })
        .collect()
}

async fn raw(svc: &Services, list: &ListView, id: i64) -> AppResult<Vec<u8>> {
    let mut conn = svc.db.conn().await?;
    store::raw_message(conn.ex(), list.row.id, id)
        .await?
        .ok_or(AppError::NotFound(
            "There is no such message in this archive.",
        ))
}

/// The attachments of message `id` on `list` (whose archive the caller
/// has already been allowed to read).
pub async fn list_of(svc: &Services, list: &ListView, id: i64) -> AppResult<Vec<Attachment>> {
    Ok(read(&raw(svc, list, id).await?)
        .into_iter()
        .map(|(a, _)| a)
        .collect())
}

/// Attachment `number` of message `id`, with its bytes.
pub async fn one(
    svc: &Services,
    list: &ListView,
    id: i64,
    number: usize,
) -> AppResult<(Attachment, Vec<u8>)> {
    read(&raw(svc, list, id).await?)
        .into_iter()
        .find(|(a, _)| a.number == number)
        .ok_or(AppError::NotFound("The message has no such attachment."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(
            safe_file_name(Some("../../etc/pass\"wd\r\n.txt"), 1, "text/plain"),
            "passwd.txt"
        );
        assert_eq!(
            safe_file_name(Some("C:\\Users\\ana\\slides.pdf"), 2, "application/pdf"),
            "slides.pdf"
        );
        assert_eq!(safe_file_name(None, 3, "image/png"), "attachment-3.png");
        assert_eq!(safe_file_name(Some(".."), 4, "x/y"), "attachment-4.bin");
    }

    #[test]
    fn active_types_download_as_bytes() {
        let a = |t: &str| Attachment {
            number: 1,
            file_name: "f".into(),
            declared_type: t.into(),
            size: 1,
        };
        assert_eq!(a("text/html").served_type(), "application/octet-stream");
        assert_eq!(a("image/svg+xml").served_type(), "application/octet-stream");
        assert_eq!(a("application/pdf").served_type(), "application/pdf");
        assert_eq!(a("text/plain").served_type(), "text/plain; charset=utf-8");
    }
}
