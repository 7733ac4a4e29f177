//! The `{list}-owner` address: mail to it is forwarded, through the job
//! queue, to the people who moderate the list, unless it is automatic mail
//! or mail that came from one of our own addresses (which could make two
//! systems answer each other for ever).

use super::inbound::{Accepted, Refusal};
use crate::Services;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::mail::MailError;
use base64::Engine as _;
use convene_domain::lists::ListAddress;
use convene_domain::{Role, Scope};
use convene_store::Ex;
use convene_store::lists::ListRow;
use mail_parser::{Message, MimeHeaders};
use serde::{Deserialize, Serialize};

/// Who moderates `list`, as (account id, address, name): a group list's
/// organizers, or the site's coordinators for a site list (and for a group
/// list whose group has no organizer left, since coordinators may moderate
/// every list).
pub async fn moderators(
    mut ex: Ex<'_>,
    list: &ListRow,
) -> convene_store::Result<Vec<(i64, String, String)>> {
    if let Some(group_id) = list.group_id {
        let organizers = convene_store::groups::organizers(ex.reborrow(), group_id).await?;
        if !organizers.is_empty() {
            return Ok(organizers);
        }
    }
    convene_store::grants::holders(ex, Role::Coordinator, &Scope::Site).await
}

/// The refusal for an owner address with nobody behind it.
pub(crate) fn nobody_to_forward_to(svc: &Services, list: &ListRow) -> Refusal {
    Refusal::NoModerator {
        list: list.name.clone(),
        write_to: svc.site.mail_from.clone(),
    }
}

/// Checks at RCPT time that `{list}-owner` leads somewhere.
pub(crate) async fn check(svc: &Services, list: &ListRow) -> Result<(), Refusal> {
    let mut conn = svc.db.conn().await?;
    if moderators(conn.ex(), list).await?.is_empty() {
        return Err(nobody_to_forward_to(svc, list));
    }
    Ok(())
}

/// The `X-Loop` value our forwards carry.
fn loop_mark(list: &str, domain: &str) -> String {
    format!("{list}-owner@{domain}")
}

/// Why a message to the owner address must not be forwarded, if so:
/// mail we sent ourselves (a forward or list copy coming back, a notice
/// from the site's address) or automatic mail that RFC 3834 and common
/// practice say not to answer or pass on.
pub(crate) fn not_to_forward(
    svc: &Services,
    msg: &Message<'_>,
    list: &str,
    domain: &str,
) -> Option<&'static str> {
    let mark = loop_mark(list, domain);
    let our_list_id = format!(".{domain}>");
    for (name, value) in msg.headers_raw() {
        let value = value.trim().to_ascii_lowercase();
        if name.eq_ignore_ascii_case("X-Loop") && value == mark {
            return Some("a loop: the message was forwarded by this list already");
        }
        if name.eq_ignore_ascii_case("List-Id") && value.ends_with(&our_list_id) {
            return Some("a loop: the message came from one of our lists");
        }
        if name.eq_ignore_ascii_case("Precedence")
            && matches!(value.as_str(), "bulk" | "junk" | "list" | "auto_reply")
        {
            return Some("automatic or bulk mail (Precedence)");
        }
        if name.eq_ignore_ascii_case("X-Autoreply") || name.eq_ignore_ascii_case("X-Autorespond") {
            return Some("an automatic reply");
        }
    }
    if msg.is_content_type("multipart", "report") {
        return Some("a delivery or disposition report");
    }
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_ascii_lowercase();
    if from == svc.site.mail_from.to_ascii_lowercase() {
        return Some("mail from the site's own address");
    }
    if let Some((local, host)) = from.rsplit_once('@')
        && host == domain
        && ListAddress::parse_local(local).is_some()
    {
        return Some("mail from one of our list addresses");
    }
    None
}

/// Forwards a message for `{list}-owner` to each moderator, one job each,
/// all queued in one transaction.
pub(crate) async fn forward(
    svc: &Services,
    list: &ListRow,
    domain: &str,
    raw: &[u8],
    msg: &Message<'_>,
) -> Result<Accepted, Refusal> {
    if let Some(why) = not_to_forward(svc, msg, &list.name, domain) {
        tracing::info!(list = %list.name, why, "owner mail not forwarded");
        return Ok(Accepted::Dropped(why));
    }
    let mut tx = svc.db.begin().await?;
    let to = moderators(tx.ex(), list).await?;
    if to.is_empty() {
        return Err(nobody_to_forward_to(svc, list));
    }
    let mut copy = format!("X-Loop: {}\r\n", loop_mark(&list.name, domain)).into_bytes();
    copy.extend_from_slice(raw);
    let message = base64::engine::general_purpose::STANDARD.encode(&copy);
    for (_, email, _) in &to {
        enqueue(
            &mut tx,
            svc,
            &ForwardToModerator {
                list: list.name.clone(),
                to: email.clone(),
                message: message.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Accepted::Forwarded {
        moderators: to.len(),
    })
}

/// Sends one copy of a message written to `{list}-owner` to one moderator,
/// byte for byte after an `X-Loop` line that stops it coming back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForwardToModerator {
    /// The list's name.
    pub list: String,
    /// The moderator's address.
    pub to: String,
    /// The message, base64.
    pub message: String,
}

impl BackgroundJob for ForwardToModerator {
    const KIND: &'static str = "list_owner_forward";

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&self.message)
            .map_err(|e| JobError::Permanent(format!("unreadable message: {e}")))?;
        // Failures come back to the site's address, never to -owner (which
        // would forward them again).
        let envelope = ctx.services.site.mail_from.clone();
        match ctx.mailer.send_raw(&envelope, &self.to, &raw).await {
            Ok(()) => Ok(()),
            Err(MailError::Transient(e)) => Err(JobError::Retry(e)),
            Err(MailError::Permanent(e)) => Err(JobError::Permanent(e)),
        }
    }
}
