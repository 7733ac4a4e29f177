//! The fan-out: one job per accepted message sends each member their own
//! copy (their own bounce address and unsubscribe link) through the
//! delivery [`engine`](crate::delivery::engine), which marks each delivery sent as
//! soon as the relay has taken it, so a run that stops half way resumes
//! with the members still queued and nobody recorded as sent gets another
//! copy. At a crash, at most one member per relay connection can get a
//! second copy; it carries the same Message-ID, so mail clients show it
//! once.

use super::footer;
use super::headers::{self, RawMessage};
use super::mail_domain;
use crate::delivery::{self, Copy, Ledger, Outcome};
use crate::jobs::{BackgroundJob, JobContext, JobError};
use crate::{Services, SiteInfo};
use convene_domain::list_policy::ListPolicy;
use convene_domain::lists::{bounce_address, list_id, prefixed_subject};
use convene_store::deliveries::Batch;
use convene_store::list_messages::{self, ListMessageRow, QueuedDelivery};
use convene_store::lists::ListRow;
use convene_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

/// Sends an accepted list message to every member still queued for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FanOut {
    /// The stored message's row id.
    pub message_id: i64,
}

impl BackgroundJob for FanOut {
    const KIND: &'static str = "list_fan_out";

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("list-fan-out:{}", self.message_id))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let db = |e: StoreError| JobError::Retry(e.to_string());
        let (message, list) = {
            let mut conn = svc.db.conn().await.map_err(db)?;
            let message = list_messages::by_id(conn.ex(), self.message_id)
                .await
                .map_err(db)?;
            let list = list_messages::list_of(conn.ex(), self.message_id)
                .await
                .map_err(db)?;
            match (message, list) {
                (Some(m), Some(l)) => (m, l),
                _ => return Err(JobError::Permanent("the list message is gone".into())),
            }
        };
        if message.state != "accepted" {
            return Ok(());
        }
        let ledger = Copies {
            message_id: message.id,
            copy: ListCopy::new(svc, &list, &message),
            list_name: list.name.clone(),
            domain: mail_domain(svc),
        };
        delivery::deliver(&ctx, ledger, "copies").await
    }
}

/// The copies of one list message, as the delivery engine sends them.
struct Copies {
    message_id: i64,
    copy: ListCopy,
    list_name: String,
    domain: String,
}

impl Ledger for Copies {
    type Queued = QueuedDelivery;

    fn batch(&self) -> Batch {
        list_messages::batch(self.message_id)
    }

    fn recipient(q: &QueuedDelivery) -> i64 {
        q.member_id
    }

    fn attempts(q: &QueuedDelivery) -> i64 {
        q.attempts
    }

    async fn claim(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
    ) -> Result<Vec<QueuedDelivery>, StoreError> {
        let mut conn = db.conn().await?;
        list_messages::claim_queued(conn.ex(), self.message_id, after, limit).await
    }

    async fn prepare(&self, q: &QueuedDelivery) -> Result<Copy, Outcome> {
        if q.member_state != "active" || q.delivery != "each" {
            return Err(Outcome::Skipped(
                "the member no longer receives each message".to_owned(),
            ));
        }
        Ok(Copy::Raw {
            envelope: bounce_address(&self.list_name, &q.token, &self.domain),
            to: q.email.clone(),
            bytes: self.copy.for_member(&q.token),
        })
    }
}

/// Header fields that a list copy sets itself, so any the poster's copy
/// carried are dropped.
const REPLACED: [&str; 14] = [
    "List-Id",
    "List-Post",
    "List-Help",
    "List-Subscribe",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Archive",
    "List-Owner",
    "Archived-At",
    "Precedence",
    "X-Loop",
    "Subject",
    "Return-Path",
    "Delivered-To",
];

/// One message prepared for sending: everything but the per-member
/// unsubscribe link is the same for every copy.
pub struct ListCopy {
    /// Header fields before the member's own.
    head: Vec<u8>,
    /// The poster's remaining header fields, the empty line and the body.
    tail: Vec<u8>,
    unsubscribe_web: String,
    leave_mailto: String,
}

impl ListCopy {
    /// Prepares the copies of `message` on `list`.
    pub fn new(svc: &Services, list: &ListRow, message: &ListMessageRow) -> Self {
        let site: &SiteInfo = &svc.site;
        let post = format!("{}@{}", list.name, mail_domain(svc));
        // The footer may rewrite the content fields and the body; with no
        // footer the poster's bytes go out unchanged.
        let with_footer = footer::add_footer(&message.raw, &list.footer);
        let original: RawMessage<'_> = headers::split(&with_footer);
        let mut drop: Vec<&str> = REPLACED.to_vec();
        let mut own = Self::list_fields(svc, list);
        own.extend([
            (
                "Archived-At".into(),
                format!(
                    "<{}>",
                    site.link(&format!("/lists/{}/archive/{}", list.name, message.id))
                ),
            ),
            (
                "Subject".into(),
                headers::encode_text(&prefixed_subject(&message.subject, &list.subject_prefix)),
            ),
        ]);
        if list.rewrite_from {
            drop.extend(["From", "Reply-To"]);
            let shown = if message.from_name.is_empty() {
                &message.from_email
            } else {
                &message.from_name
            };
            own.push((
                "From".into(),
                format!(
                    "{} <{post}>",
                    headers::encode_display_name(&format!("{shown} via {}", list.display_name))
                ),
            ));
            if list.reply_to != "list" {
                own.push(("Reply-To".into(), format!("<{}>", message.from_email)));
            }
        }
        if list.reply_to == "list" {
            if !list.rewrite_from {
                drop.push("Reply-To");
            }
            own.push(("Reply-To".into(), format!("<{post}>")));
        }
        let once = super::required_fields::exactly_once(
            &original,
            message.sent_at,
            &message.message_id,
            list.rewrite_from,
        );
        drop.extend(once.drop);
        let mut head = once.fields;
        for (name, value) in own {
            head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        let mut tail = original.fields_without(&drop);
        tail.extend_from_slice(b"\r\n");
        tail.extend_from_slice(original.body);
        let (unsubscribe_web, leave_mailto) = Self::unsubscribe_links(svc, list);
        Self {
            head,
            tail,
            unsubscribe_web,
            leave_mailto,
        }
    }

    /// The fields every message of `list` carries, whoever it goes to:
    /// RFC 2919 `List-Id`, the RFC 2369 links, and the loop guards.
    pub fn list_fields(svc: &Services, list: &ListRow) -> Vec<(String, String)> {
        let site: &SiteInfo = &svc.site;
        let domain = mail_domain(svc);
        let post = format!("{}@{domain}", list.name);
        let page = site.link(&format!("/lists/{}", list.name));
        vec![
            (
                "List-Id".into(),
                list_id(&list.name, &list.display_name, &domain),
            ),
            (
                "List-Post".into(),
                if ListPolicy::from_stored(&list.policy) == ListPolicy::Announce {
                    "NO".into()
                } else {
                    format!("<mailto:{post}>")
                },
            ),
            ("List-Help".into(), format!("<{page}>")),
            (
                "List-Subscribe".into(),
                format!("<{page}>, <mailto:{}-join@{domain}>", list.name),
            ),
            (
                "List-Archive".into(),
                format!("<{}>", site.link(&format!("/lists/{}/archive", list.name))),
            ),
            ("Precedence".into(), "list".into()),
            ("X-Loop".into(), post),
        ]
    }

    /// The start of every member's one-click unsubscribe link (their token
    /// follows), and the `mailto:` that leaves the list.
    pub fn unsubscribe_links(svc: &Services, list: &ListRow) -> (String, String) {
        (
            svc.site.link("/unsubscribe/list/"),
            format!("mailto:{}-leave@{}", list.name, mail_domain(svc)),
        )
    }

    /// The member's own `List-Unsubscribe` and `List-Unsubscribe-Post`
    /// fields (RFC 8058).
    pub fn member_fields(
        unsubscribe_web: &str,
        leave_mailto: &str,
        token: &str,
    ) -> [(String, String); 2] {
        [
            (
                "List-Unsubscribe".into(),
                format!("<{unsubscribe_web}{token}>, <{leave_mailto}>"),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ]
    }

    /// The bytes sent to the member with `token`.
    pub fn for_member(&self, token: &str) -> Vec<u8> {
        let mut own = String::new();
        for (name, value) in Self::member_fields(&self.unsubscribe_web, &self.leave_mailto, token) {
            own.push_str(&format!("{name}: {value}\r\n"));
        }
        let mut out = Vec::with_capacity(self.head.len() + own.len() + self.tail.len());
        out.extend_from_slice(&self.head);
        out.extend_from_slice(own.as_bytes());
        out.extend_from_slice(&self.tail);
        out
    }
}
