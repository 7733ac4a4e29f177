//! The outbox: with no SMTP relay configured, every message is written as an
//! `.eml` file under `{data dir}/outbox/`, where a coordinator can read it on
//! the web and any mail client can open it.

use super::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes messages into a folder.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
    /// Orders messages written within the same microsecond.
    sequence: Arc<AtomicU64>,
}

/// One message in the outbox, as listed on the coordinator page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// File name (the key for viewing it).
    pub file: String,
    /// When the message was written.
    pub date: DateTime<Utc>,
    /// Recipient address.
    pub to: String,
    /// Subject line (decoded).
    pub subject: String,
}

impl OutboxMailer {
    /// An outbox in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            sequence: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_name(&self, email: &OutgoingEmail) -> String {
        let id: String = email
            .message_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(24)
            .collect();
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        format!(
            "{}-{seq:06}-{id}.eml",
            email.date.format("%Y%m%dT%H%M%S%6fZ")
        )
    }

    /// Lists the messages, newest first.
    pub fn list(&self) -> std::io::Result<Vec<OutboxEntry>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".eml") {
                continue;
            }
            let Some(json) = std::fs::read_to_string(self.dir.join(format!("{file}.json"))).ok()
            else {
                continue;
            };
            if let Ok(email) = serde_json::from_str::<OutgoingEmail>(&json) {
                out.push(OutboxEntry {
                    file,
                    date: email.date,
                    to: email.to,
                    subject: email.subject,
                });
            }
        }
        out.sort_by(|a, b| b.file.cmp(&a.file));
        Ok(out)
    }

    /// The stored message `file` (a name from [`Self::list`]) and its raw bytes.
    pub fn read(&self, file: &str) -> std::io::Result<Option<(OutgoingEmail, String)>> {
        let safe = !file.is_empty()
            && file.ends_with(".eml")
            && file
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !file.starts_with('.');
        if !safe {
            return Ok(None);
        }
        let raw = match std::fs::read_to_string(self.dir.join(file)) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let json = std::fs::read_to_string(self.dir.join(format!("{file}.json")))?;
        let email = serde_json::from_str(&json)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Some((email, raw)))
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let raw = email.to_message()?.formatted();
        self.send_formatted(email, &raw).await
    }

    async fn send_formatted(&self, email: &OutgoingEmail, message: &[u8]) -> Result<(), MailError> {
        let json = serde_json::to_vec(email).map_err(|e| MailError::Permanent(e.to_string()))?;
        let raw = message.to_vec();
        let dir = self.dir.clone();
        let name = self.file_name(email);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            // The JSON twin first: the listing only shows messages that have both.
            write_atomically(&dir.join(format!("{name}.json")), &json)?;
            write_atomically(&dir.join(&name), &raw)
        })
        .await
        .map_err(|e| MailError::Transient(e.to_string()))?
        .map_err(|e| MailError::Transient(format!("cannot write to the outbox: {e}")))
    }

    async fn send_raw(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError> {
        // The listing reads a summary next to each file; a list copy's
        // summary comes from its own headers.
        let parsed = mail_parser::MessageParser::default().parse(message);
        let header = |f: fn(&mail_parser::Message<'_>) -> Option<String>| {
            parsed.as_ref().and_then(f).unwrap_or_default()
        };
        let summary = OutgoingEmail {
            from: envelope_from.to_owned(),
            from_name: header(|m| m.from()?.first()?.name().map(str::to_owned)),
            to: to.to_owned(),
            to_name: None,
            subject: header(|m| m.subject().map(str::to_owned)),
            text: String::new(),
            html: String::new(),
            message_id: header(|m| m.message_id().map(|id| format!("<{id}>"))),
            date: Utc::now(),
            reply_to: None,
            calendar: None,
            unsubscribe: None,
        };
        let json = serde_json::to_vec(&summary).map_err(|e| MailError::Permanent(e.to_string()))?;
        let raw = message.to_vec();
        let dir = self.dir.clone();
        let name = self.file_name(&summary);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            write_atomically(&dir.join(format!("{name}.json")), &json)?;
            write_atomically(&dir.join(&name), &raw)
        })
        .await
        .map_err(|e| MailError::Transient(e.to_string()))?
        .map_err(|e| MailError::Transient(format!("cannot write to the outbox: {e}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_raw_message_is_written_as_it_is_and_listed() {
        let dir = std::env::temp_dir().join(format!("convene-outbox-raw-{}", std::process::id()));
        let outbox = OutboxMailer::new(&dir);
        let raw = b"From: Zoe <zoe@example.org>\r\nSubject: [organizers] Venues\r\nMessage-ID: <v@example.org>\r\n\r\nHello\r\n";
        outbox
            .send_raw("organizers-bounces+t@example.org", "ann@example.net", raw)
            .await
            .unwrap();
        let listed = outbox.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].to, "ann@example.net");
        assert_eq!(listed[0].subject, "[organizers] Venues");
        assert_eq!(std::fs::read(dir.join(&listed[0].file)).unwrap(), raw);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
