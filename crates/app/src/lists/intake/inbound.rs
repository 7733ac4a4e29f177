//! Mail arriving for a list's addresses: refused with a clear reason, dropped
//! (loops, auto-replies), held for a moderator, or stored and queued for
//! delivery in one transaction before the listener answers 250.

use super::by_mail;
use crate::Services;
use crate::jobs::enqueue;
use crate::lists::delivery::fanout::FanOut;
use crate::lists::delivery::long_lines;
use crate::lists::mail_domain;
use chrono::{DateTime, Duration, Utc};
use convene_domain::list_policy::{HoldReason, ListPolicy, MemberStanding, Posters, hold_reason};
use convene_domain::lists::ListAddress;
use convene_store::StoreError;
use convene_store::list_messages::{self, NewListMessage};
use convene_store::lists::{self, ListRow};
use mail_parser::{Message, MessageParser};
use std::fmt;

/// Why a message is refused: nothing of it was stored. The text
/// ([`fmt::Display`]) is what the sender reads in the bounce; which reply
/// code a mail listener gives for each kind is the mail-in adapter's
/// choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The address names no list here (or `-owner` of none).
    NoSuchList {
        /// The local part asked for.
        local: String,
    },
    /// `{list}-owner` has nobody to forward to.
    NoModerator {
        /// The list's name.
        list: String,
        /// The site's own address, to write to instead.
        write_to: String,
    },
    /// Larger than the list's size limit.
    TooBig {
        /// The list's name.
        list: String,
        /// The list's limit, in bytes.
        limit: i64,
        /// The message's size, in bytes.
        size: usize,
    },
    /// No header fields could be read: not an email message.
    NotAMessage,
    /// A header field's line is longer than mail systems take and has no
    /// space to fold it at.
    UnfoldableLine {
        /// The field's name.
        field: String,
    },
    /// A post without a From address: the archive cannot say who wrote it.
    NoAuthor,
    /// A `-join` or `-leave` request without a valid From address.
    NobodyToConfirm,
    /// A failure on our side: the mail system keeps the message and tries
    /// again, so nothing is lost.
    TryLater,
}

impl Refusal {
    /// A temporary failure on our side, logged with its cause (which the
    /// sender never reads).
    pub(crate) fn try_later(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "list mail could not be taken");
        Self::TryLater
    }

    /// Whether sending the same message again later may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::TryLater)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchList { local } => write!(f, "There is no mailing list at {local:?} here"),
            Self::NoModerator { list, write_to } => write!(
                f,
                "The list {list} has no moderator to forward {list}-owner mail to; write to {write_to} instead"
            ),
            Self::TooBig { list, limit, size } => write!(
                f,
                "The message is too big for the list {list}: it takes at most {limit} bytes, this one has {size}"
            ),
            Self::NotAMessage => {
                f.write_str("This is not an email message: no header fields could be read")
            }
            Self::UnfoldableLine { field } => write!(
                f,
                "The header field {field:?} has a line longer than {} octets with no space to fold it at; mail systems refuse such lines (RFC 5322 section 2.1.1)",
                long_lines::MAX_LINE_OCTETS
            ),
            Self::NoAuthor => {
                f.write_str("The message has no From address, so the list cannot say who wrote it")
            }
            Self::NobodyToConfirm => f.write_str(
                "The From address is missing or not valid, so there is nobody to confirm with",
            ),
            Self::TryLater => f.write_str("Temporary failure here; try again later"),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Self::try_later(e)
    }
}

impl From<crate::AppError> for Refusal {
    fn from(e: crate::AppError) -> Self {
        Self::try_later(e)
    }
}

/// What became of a message that was taken (the listener answers 250).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Stored and queued for this many members.
    Posted {
        /// The stored message's id.
        message_row_id: i64,
        /// Deliveries queued.
        recipients: u64,
    },
    /// Stored, waiting for a moderator.
    Held {
        /// The stored message's id.
        message_row_id: i64,
        /// Why.
        reason: HoldReason,
    },
    /// The list already has a message with this Message-ID (the mail
    /// system delivered it again); nothing changed.
    Duplicate,
    /// Taken and deliberately not stored.
    Dropped(&'static str),
    /// A confirmation link went to the sender of a `-join` mail.
    JoinRequested,
    /// The sender of a `-join` mail is a member already.
    AlreadyMember,
    /// The sender of a `-leave` mail left the list.
    Left,
    /// Mail for `{list}-owner`, queued for each of this many moderators.
    Forwarded {
        /// Copies queued.
        moderators: usize,
    },
    /// A reply to a held-message notice; what became of it (the writer is
    /// mailed the same words).
    Moderation(String),
    /// A bounce counted against a member.
    Bounce {
        /// The member's score now.
        score: i64,
        /// Delivery was paused by this bounce.
        paused: bool,
    },
}

fn no_such_list(local: &str) -> Refusal {
    Refusal::NoSuchList {
        local: local.to_owned(),
    }
}

/// Checks a recipient at RCPT time: the local part must name an existing
/// list (or one of its other addresses), and `{list}-owner` must have a
/// moderator to forward to.
pub async fn check_recipient(svc: &Services, local: &str) -> Result<(), Refusal> {
    match find_list(svc, local).await? {
        (ListAddress::Owner(_), list) => super::owner::check(svc, &list).await,
        _ => Ok(()),
    }
}

async fn find_list(svc: &Services, local: &str) -> Result<(ListAddress, ListRow), Refusal> {
    let address = ListAddress::parse_local(local).ok_or_else(|| no_such_list(local))?;
    let mut conn = svc.db.conn().await?;
    let list = lists::by_name(conn.ex(), address.list())
        .await?
        .ok_or_else(|| no_such_list(local))?;
    Ok((address, list))
}

/// Takes one message for `recipient_local_part` (`organizers`,
/// `organizers-join`, `organizers-bounces+TOKEN`). On `Ok` everything it
/// implies is committed; on `Err` nothing was stored.
pub async fn accept(
    svc: &Services,
    recipient_local_part: &str,
    raw: &[u8],
) -> Result<Accepted, Refusal> {
    let (address, list) = find_list(svc, recipient_local_part).await?;
    if raw.len() as i64 > list.max_bytes {
        return Err(Refusal::TooBig {
            list: list.name.clone(),
            limit: list.max_bytes,
            size: raw.len(),
        });
    }
    let domain = mail_domain(svc);
    let raw = &*super::tidy::tidy(raw, &domain)?;
    let msg = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(Refusal::NotAMessage)?;
    if let ListAddress::Bounce(_, token) = &address {
        // Bounces are exempt from the auto-reply rule below: a delivery
        // status notification is an automatic message by nature.
        return super::bounces::record(svc, &list, token, &msg).await;
    }
    if is_auto_submitted(&msg) {
        // RFC 3834: never answer or redistribute automatic messages
        // (vacation replies and the like). Taken and dropped rather than
        // refused: a refusal would make the sender's system answer the
        // auto-reply with a bounce, which is more automatic mail.
        return Ok(Accepted::Dropped("an automatic reply (Auto-Submitted)"));
    }
    match address {
        ListAddress::Post(_) => post(svc, &list, &domain, raw, &msg).await,
        ListAddress::Join(_) => by_mail::join(svc, &list, &msg).await,
        ListAddress::Leave(_) => by_mail::leave(svc, &list, &msg).await,
        ListAddress::Owner(_) => super::owner::forward(svc, &list, &domain, raw, &msg).await,
        ListAddress::Moderate(_, token) => {
            super::by_reply::moderate(svc, &list, &domain, &token, &msg).await
        }
        ListAddress::Bounce(..) => Ok(Accepted::Dropped("a bounce")),
    }
}

/// `Auto-Submitted` with any value but `no` (RFC 3834 section 5).
fn is_auto_submitted(msg: &Message<'_>) -> bool {
    msg.header_raw("Auto-Submitted").is_some_and(|v| {
        let kind = v.split(';').next().unwrap_or("").trim();
        !kind.is_empty() && !kind.eq_ignore_ascii_case("no")
    })
}

/// A copy of one of our own list messages coming back: it carries our
/// List-Id or an X-Loop naming the list.
fn is_loop(msg: &Message<'_>, list: &str, domain: &str) -> bool {
    let id = format!("<{list}.{domain}>").to_ascii_lowercase();
    let address = format!("{list}@{domain}").to_ascii_lowercase();
    msg.headers_raw().any(|(name, value)| {
        let value = value.to_ascii_lowercase();
        (name.eq_ignore_ascii_case("List-Id") && value.contains(&id))
            || (name.eq_ignore_ascii_case("X-Loop") && value.trim() == address)
    })
}

/// Text fit for a database column: PostgreSQL refuses NUL in text, and
/// header values keep no line breaks.
pub(crate) fn clean_line(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn clean_text(s: &str) -> String {
    s.chars().filter(|&c| c != '\0').collect()
}

/// `<id@host>` with the brackets, or `None` when it is empty.
fn bracketed(id: &str) -> Option<String> {
    let id = clean_line(id);
    let id = id.trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty() && !id.contains(' ')).then(|| format!("<{id}>"))
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(t) => bracketed(t).into_iter().collect(),
        mail_parser::HeaderValue::TextList(l) => l.iter().filter_map(|t| bracketed(t)).collect(),
        _ => Vec::new(),
    }
}

async fn post(
    svc: &Services,
    list: &ListRow,
    domain: &str,
    raw: &[u8],
    msg: &Message<'_>,
) -> Result<Accepted, Refusal> {
    if is_loop(msg, &list.name, domain) {
        // Taken and dropped, not refused: the copy was sent by us, so its
        // envelope sender is one of our own per-member bounce addresses; a
        // 550 would come back there as a bounce and count against a member
        // who did nothing wrong. A forged List-Id is dropped the same way.
        tracing::info!(list = %list.name, "dropped a message that came back from the list");
        return Ok(Accepted::Dropped("a loop: the message came from this list"));
    }
    let now = svc.clock.now();
    let ReadMessage {
        from_email,
        from_name,
        message_id,
        raw,
        sent_at,
        refs,
        in_reply_to,
        subject,
        body_text,
    } = read_message(svc, domain, raw, msg)?;

    let mut tx = svc.db.begin().await?;
    if list_messages::by_message_id(tx.ex(), list.id, &message_id)
        .await?
        .is_some()
    {
        return Ok(Accepted::Duplicate);
    }
    let member = lists::member(tx.ex(), list.id, &from_email).await?;
    let attachments: usize = msg.attachments().map(|p| p.contents().len()).sum();
    let hold_reason = hold_reason(
        ListPolicy::from_stored(&list.policy),
        Posters::from_stored(&list.posters),
        standing(member.as_ref()),
        attachments,
    );
    let month = sent_at.format("%Y-%m").to_string();
    let stored = list_messages::insert(
        tx.ex(),
        &NewListMessage {
            list_id: list.id,
            message_id: &message_id,
            in_reply_to: in_reply_to.as_deref(),
            refs: &refs,
            subject: &subject,
            from_name: &from_name,
            from_email: &from_email,
            sent_at,
            received_at: now,
            month: &month,
            body_text: &body_text,
            raw: &raw,
            state: if hold_reason.is_some() {
                "held"
            } else {
                "accepted"
            },
            hold_reason: hold_reason.map(HoldReason::as_str),
        },
    )
    .await;
    let message_row_id = match stored {
        Ok(id) => id,
        // Another delivery of the same message won the race.
        Err(StoreError::Duplicate) => return Ok(Accepted::Duplicate),
        Err(e) => return Err(e.into()),
    };
    let ref_list: Vec<String> = refs.split_whitespace().map(str::to_owned).collect();
    crate::lists::archive::assign_thread(
        &mut tx,
        list.id,
        message_row_id,
        in_reply_to.as_deref(),
        &ref_list,
        &subject,
        &list.subject_prefix,
        sent_at,
    )
    .await?;
    let accepted = match hold_reason {
        Some(reason) => {
            if let Some(held) = list_messages::by_id(tx.ex(), message_row_id).await? {
                crate::lists::moderation::notify_held(&mut tx, svc, list, &held, reason.as_str())
                    .await?;
            }
            Accepted::Held {
                message_row_id,
                reason,
            }
        }
        None => {
            let recipients =
                list_messages::queue_deliveries(tx.ex(), message_row_id, list.id).await?;
            enqueue(
                &mut tx,
                svc,
                &FanOut {
                    message_id: message_row_id,
                },
            )
            .await?;
            Accepted::Posted {
                message_row_id,
                recipients,
            }
        }
    };
    tx.commit().await?;
    Ok(accepted)
}

/// A header written in raw 8-bit bytes that are not UTF-8 (older mail
/// programs write Latin-1 straight into headers): the field alone, with its
/// bytes read as Latin-1, as a tiny message to parse again, so the value
/// reads "Café" rather than "Caf\u{fffd}". Encoded words in it still decode.
fn eight_bit_header(msg: &Message<'_>, name: &str) -> Option<Vec<u8>> {
    let field = msg
        .headers()
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let value = msg
        .raw_message
        .get(field.offset_start as usize..field.offset_end as usize)?;
    if std::str::from_utf8(value).is_ok() {
        return None;
    }
    let latin1: String = value.iter().map(|&b| char::from(b)).collect();
    Some(format!("{name}:{latin1}\r\n\r\n").into_bytes())
}

/// Where the sender stands on `list` for [`hold_reason`]: `None` unless
/// an active member.
fn standing(member: Option<&lists::MemberRow>) -> Option<MemberStanding> {
    member
        .filter(|m| m.state == "active")
        .map(|m| match m.moderated {
            true => MemberStanding::Moderated,
            false => MemberStanding::Trusted,
        })
}

/// What the archive keeps of a message, read from its headers and text.
pub(crate) struct ReadMessage {
    /// The writer's address, lowercased.
    pub from_email: String,
    /// The writer's name, or empty.
    pub from_name: String,
    /// `<id@host>`, added when the message had none.
    pub message_id: String,
    /// The message as stored (with the added Message-ID, if any).
    pub raw: Vec<u8>,
    /// When it was written (its Date, unless that is missing or in the future).
    pub sent_at: DateTime<Utc>,
    /// Its References, space-separated.
    pub refs: String,
    /// The message it answers.
    pub in_reply_to: Option<String>,
    /// Its subject, decoded.
    pub subject: String,
    /// Its text.
    pub body_text: String,
}

/// Reads what the archive keeps of `msg` (whose bytes are `raw`).
pub(crate) fn read_message(
    svc: &Services,
    domain: &str,
    raw: &[u8],
    msg: &Message<'_>,
) -> Result<ReadMessage, Refusal> {
    let now = svc.clock.now();
    let from = msg.from().and_then(|a| a.first());
    let from_email = from
        .and_then(|a| a.address())
        .map(|a| clean_line(a).to_lowercase())
        .filter(|a| a.contains('@'))
        .ok_or(Refusal::NoAuthor)?;
    let from_name = eight_bit_header(msg, "From")
        .and_then(|m| {
            let parsed = MessageParser::default().parse(&m)?;
            parsed.from()?.first()?.name().map(clean_line)
        })
        .or_else(|| from.and_then(|a| a.name()).map(clean_line))
        .unwrap_or_default();

    let (message_id, raw) = match msg
        .message_id()
        .and_then(super::tidy::well_formed_message_id)
    {
        Some(id) => (id, raw.to_vec()),
        None => {
            let id = format!(
                "<{}@{domain}>",
                svc.tokens.new_token().expose().to_ascii_lowercase()
            );
            let mut with_id = format!("Message-ID: {id}\r\n").into_bytes();
            with_id.extend_from_slice(raw);
            (id, with_id)
        }
    };
    let sent_at = msg
        .date()
        .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0))
        .filter(|d| *d <= now + Duration::days(1) && d.timestamp() > 0)
        .unwrap_or(now);
    let refs = ids(msg.references()).join(" ");
    let in_reply_to = ids(msg.in_reply_to()).into_iter().next();
    let subject = eight_bit_header(msg, "Subject")
        .and_then(|m| {
            MessageParser::default()
                .parse(&m)?
                .subject()
                .map(clean_line)
        })
        .or_else(|| msg.subject().map(clean_line))
        .unwrap_or_default();
    let body_text = msg.body_text(0).map(|b| clean_text(&b)).unwrap_or_default();
    Ok(ReadMessage {
        from_email,
        from_name,
        message_id,
        raw,
        sent_at,
        refs,
        in_reply_to,
        subject,
        body_text,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(raw: &[u8]) -> Message<'_> {
        MessageParser::default().parse(raw).unwrap()
    }

    #[test]
    fn auto_replies_are_recognised() {
        assert!(is_auto_submitted(&parse(
            b"Auto-Submitted: auto-replied; owner-email=x@y\r\nSubject: away\r\n\r\nx"
        )));
        assert!(!is_auto_submitted(&parse(
            b"Auto-Submitted: no\r\nSubject: hi\r\n\r\nx"
        )));
        assert!(!is_auto_submitted(&parse(b"Subject: hi\r\n\r\nx")));
    }

    #[test]
    fn loops_are_recognised_by_list_id_or_x_loop() {
        let d = "groups.example.org";
        assert!(is_loop(
            &parse(b"List-Id: \"Organizers\" <Organizers.groups.example.org>\r\n\r\nx"),
            "organizers",
            d
        ));
        assert!(is_loop(
            &parse(b"X-Loop: organizers@groups.example.org\r\n\r\nx"),
            "organizers",
            d
        ));
        assert!(!is_loop(
            &parse(b"List-Id: <python.lists.example.net>\r\n\r\nx"),
            "organizers",
            d
        ));
    }

    #[test]
    fn message_ids_get_their_brackets() {
        assert_eq!(bracketed("abc@x"), Some("<abc@x>".into()));
        assert_eq!(bracketed("<abc@x>"), Some("<abc@x>".into()));
        assert_eq!(bracketed("  "), None);
        assert_eq!(bracketed("a b@x"), None);
    }
}
