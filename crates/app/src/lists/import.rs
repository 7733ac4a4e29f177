//! Bringing an existing list's archive here: `convene import mbox LIST FILE`
//! reads an mbox file (mboxo or mboxrd, as Mailman and most mail programs
//! export them) and archives each message, threaded, without sending it to
//! anyone. Importing the same file again adds nothing.

use super::intake::inbound::read_message;
use crate::{AppError, AppResult, Services};
use convene_store::list_messages::{self, NewListMessage};
use convene_store::{StoreError, lists};
use mail_parser::MessageParser;

/// The largest mbox file read.
pub const MAX_MBOX_BYTES: usize = 512 * 1024 * 1024;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MboxReport {
    /// Messages archived.
    pub imported: usize,
    /// Messages the archive already had (same Message-ID).
    pub already_there: usize,
    /// Messages left out: their number in the file (from 1) and why.
    pub skipped: Vec<(usize, String)>,
}

/// Splits an mbox file into its messages, undoing the `>From ` quoting of
/// body lines (one `>` less, as mboxrd writers add one).
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut previous_blank = true;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") && previous_blank {
            if let Some(m) = current.take() {
                messages.push(m);
            }
            current = Some(Vec::new());
            previous_blank = false;
            continue;
        }
        let Some(m) = current.as_mut() else {
            continue;
        };
        let quoted = line.iter().take_while(|b| **b == b'>').count();
        if quoted > 0 && line[quoted..].starts_with(b"From ") {
            m.extend_from_slice(&line[1..]);
        } else {
            m.extend_from_slice(line);
        }
        previous_blank = line == b"\n" || line == b"\r\n";
    }
    if let Some(m) = current {
        messages.push(m);
    }
    for m in &mut messages {
        // The blank line before the next `From ` belongs to the file.
        if m.ends_with(b"\n\n") {
            m.pop();
        } else if m.ends_with(b"\r\n\r\n") {
            m.truncate(m.len() - 2);
        }
    }
    messages
}

/// Archives every message of `bytes` in the list `name`.
pub async fn import_mbox(svc: &Services, name: &str, bytes: &[u8]) -> AppResult<MboxReport> {
    if bytes.len() > MAX_MBOX_BYTES {
        return Err(convene_domain::InvalidInput::new(
            "file",
            format!(
                "The file is larger than {} MB; split it by year and import each part.",
                MAX_MBOX_BYTES / (1024 * 1024)
            ),
        )
        .into());
    }
    let list = {
        let mut conn = svc.db.conn().await?;
        lists::by_name(conn.ex(), &name.trim().to_ascii_lowercase())
            .await?
            .ok_or(AppError::NotFound("There is no list with this name."))?
    };
    let domain = super::mail_domain(svc);
    let mut report = MboxReport::default();
    for (i, raw) in split_mbox(bytes).into_iter().enumerate() {
        let n = i + 1;
        let Some(msg) = MessageParser::default().parse(&raw) else {
            report.skipped.push((n, "not a mail message".into()));
            continue;
        };
        let raw = if msg.message_id().is_some() {
            raw.clone()
        } else {
            // The same message gets the same id on every import.
            let hash =
                convene_domain::SecretToken::from_client(&String::from_utf8_lossy(&raw)).hash();
            let mut with_id =
                format!("Message-ID: <{}@{domain}>\r\n", &hash.as_str()[..32]).into_bytes();
            with_id.extend_from_slice(&raw);
            with_id
        };
        let Some(msg) = MessageParser::default().parse(&raw) else {
            report.skipped.push((n, "not a mail message".into()));
            continue;
        };
        let read = match read_message(svc, &domain, &raw, &msg) {
            Ok(r) => r,
            Err(refusal) => {
                report.skipped.push((n, refusal.to_string()));
                continue;
            }
        };
        let month = read.sent_at.format("%Y-%m").to_string();
        let mut tx = svc.db.begin().await?;
        let stored = list_messages::insert(
            tx.ex(),
            &NewListMessage {
                list_id: list.id,
                message_id: &read.message_id,
                in_reply_to: read.in_reply_to.as_deref(),
                refs: &read.refs,
                subject: &read.subject,
                from_name: &read.from_name,
                from_email: &read.from_email,
                sent_at: read.sent_at,
                received_at: svc.clock.now(),
                month: &month,
                body_text: &read.body_text,
                raw: &read.raw,
                state: "accepted",
                hold_reason: None,
            },
        )
        .await;
        let id = match stored {
            Ok(id) => id,
            Err(StoreError::Duplicate) => {
                report.already_there += 1;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let refs: Vec<String> = read.refs.split_whitespace().map(str::to_owned).collect();
        super::archive::assign_thread(
            &mut tx,
            list.id,
            id,
            read.in_reply_to.as_deref(),
            &refs,
            &read.subject,
            &list.subject_prefix,
            read.sent_at,
        )
        .await?;
        tx.commit().await?;
        report.imported += 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_is_split_and_from_lines_unquoted() {
        let file = b"From ana@example.org Mon Nov  2 09:00:00 2026\nSubject: one\n\nhello\n>From the start\n>>From deeper\n\nFrom bo@example.org Tue Nov  3 10:00:00 2026\nSubject: two\n\nbye\n";
        let m = split_mbox(file);
        assert_eq!(m.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&m[0]),
            "Subject: one\n\nhello\nFrom the start\n>From deeper\n"
        );
        assert_eq!(String::from_utf8_lossy(&m[1]), "Subject: two\n\nbye\n");
        assert!(split_mbox(b"no From line here\n").is_empty());
    }
}
