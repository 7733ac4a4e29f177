//! The fan-out: one job per accepted message sends each member their own
//! copy (their own bounce address and unsubscribe link), and marks each
//! delivery sent as soon as the relay has taken it, so a run that stops
//! half way resumes with the members still queued and nobody recorded as
//! sent gets another copy.
//!
//! Copies travel over as many relay connections at once as the mailer has
//! ([`crate::mail::Mailer::parallel_sends`], `CONVENE_SMTP_CONNECTIONS`),
//! and the relay's answers are recorded by a ledger writer beside the
//! sending: each of its transactions records every answer that came back
//! while the previous one was committing. A copy holds one of
//! [`unrecorded_limit`] places (one per connection) from before it is sent
//! until its answer is committed, so the copies the relay may have taken
//! without the database knowing are never more than the connections: at a
//! crash, at most that many members get a second copy (with one
//! connection, only the copy the relay was taking). A repeated copy
//! carries the same Message-ID, so mail clients show it once.

use super::footer;
use super::headers::{self, RawMessage};
use super::mail_domain;
use crate::jobs::{BackgroundJob, JobContext, JobError};
use crate::mail::MailError;
use crate::{Services, SiteInfo};
use convene_domain::list_policy::ListPolicy;
use convene_domain::lists::{bounce_address, list_id, prefixed_subject};
use convene_store::StoreError;
use convene_store::list_messages::{self, ListMessageRow, QueuedDelivery};
use convene_store::lists::ListRow;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// How many queued deliveries are read at a time.
pub(super) const BATCH: i64 = 1000;
/// Temporary refusals of one copy before it is given up.
pub(super) const MAX_DELIVERY_ATTEMPTS: i64 = 8;
/// Temporary refusals in a row that mean the relay itself is in trouble.
pub(super) const RELAY_TROUBLE: usize = 3;

/// How many copies may be sent or answered but not yet recorded at once,
/// with `connections` relay connections: one per connection. This is also
/// the most members a crash can send a second copy to. The ledger commits
/// without waiting for the disk ([`convene_store::Db::begin_ledger`]), so
/// a connection whose answer is being recorded is soon free again.
pub fn unrecorded_limit(connections: usize) -> usize {
    connections.max(1)
}

/// Sends an accepted list message to every member still queued for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FanOut {
    /// The stored message's row id.
    pub message_id: i64,
}

/// One relay answer on its way to the ledger, holding its place among the
/// unrecorded copies until it is committed.
type Answer = (
    QueuedDelivery,
    Result<(), (String, bool)>,
    OwnedSemaphorePermit,
);

/// What the ledger writer saw.
#[derive(Default)]
struct Tally {
    /// Copies the relay refused for now (they stay queued).
    deferred: usize,
    /// The last temporary refusal.
    last_error: String,
    /// Temporary refusals in a row when the writer stopped the sending.
    in_a_row: usize,
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
        let copy = Arc::new(ListCopy::new(svc, &list, &message));
        let domain = mail_domain(svc);
        let limit = unrecorded_limit(ctx.mailer.parallel_sends());
        let places = Arc::new(Semaphore::new(limit));
        let stop = Arc::new(AtomicBool::new(false));
        let claim_failed: Arc<Mutex<Option<StoreError>>> = Arc::default();
        let (answers, recorded) = mpsc::unbounded_channel::<Answer>();

        // The members still queued, read a batch at a time. (Every closure
        // below owns what it uses, so that the job's future stays `Send`.)
        let (store, message_id, failed) = (svc.db.clone(), message.id, claim_failed.clone());
        let queued = stream::unfold(0i64, move |after| {
            let (store, failed) = (store.clone(), failed.clone());
            async move {
                let batch = async {
                    let mut conn = store.conn().await?;
                    list_messages::claim_queued(conn.ex(), message_id, after, BATCH).await
                }
                .await;
                match batch {
                    Ok(batch) => {
                        let last = batch.last()?.member_id;
                        Some((stream::iter(batch), last))
                    }
                    Err(e) => {
                        if let Ok(mut slot) = failed.lock() {
                            *slot = Some(e);
                        }
                        None
                    }
                }
            }
        })
        .flatten();
        let stopped = stop.clone();
        let (list_name, mailer) = (list.name.clone(), ctx.mailer.clone());
        let sending = queued
            .take_while(move |_| std::future::ready(!stopped.load(Ordering::Relaxed)))
            .then(move |d| {
                let places = places.clone();
                async move { (d, places.acquire_owned().await) }
            })
            .map(move |(d, place)| {
                let envelope = bounce_address(&list_name, &d.token, &domain);
                let (copy, mailer) = (copy.clone(), mailer.clone());
                async move {
                    let outcome = send_copy(mailer.as_ref(), &copy, &envelope, &d).await;
                    (d, outcome, place)
                }
            })
            .buffer_unordered(limit)
            .for_each(move |(d, outcome, place)| {
                // Once the sending ends, this closure and the channel's
                // sender with it are dropped, and the writer finishes.
                if let Ok(place) = place {
                    // The writer is gone only after a database failure,
                    // which it reports.
                    let _ = answers.send((d, outcome, place));
                }
                std::future::ready(())
            });
        let ledger = record_answers(svc, message.id, recorded, &stop);
        let ((), tally) = tokio::join!(sending, ledger);
        let tally = tally.map_err(db)?;
        if let Some(e) = claim_failed.lock().ok().and_then(|mut slot| slot.take()) {
            return Err(db(e));
        }
        if tally.in_a_row >= RELAY_TROUBLE {
            // Several refusals in a row: the relay is in trouble, not one
            // mailbox. Everyone sent so far is recorded.
            return Err(JobError::Retry(format!(
                "the relay refused {} copies in a row for now: {}",
                tally.in_a_row, tally.last_error
            )));
        }
        if tally.deferred > 0 {
            return Err(JobError::Retry(format!(
                "{} copies wait for another try: {}",
                tally.deferred, tally.last_error
            )));
        }
        Ok(())
    }
}

/// The ledger writer: records the answers as they come back, each
/// transaction taking all that arrived while the previous one committed,
/// and frees their places once committed. Stops the sending (through
/// `stop`) when the relay refuses several copies in a row, or when the
/// database fails.
async fn record_answers(
    svc: &Services,
    message_id: i64,
    mut recorded: mpsc::UnboundedReceiver<Answer>,
    stop: &AtomicBool,
) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();
    let mut in_a_row = 0usize;
    let mut waiting = Vec::new();
    while recorded.recv_many(&mut waiting, usize::MAX).await > 0 {
        let written = async {
            let mut tx = svc.db.begin_ledger().await?;
            let mut sent = Vec::with_capacity(waiting.len());
            for (d, outcome, _) in &waiting {
                match outcome {
                    Ok(()) => {
                        in_a_row = 0;
                        sent.push(d.member_id);
                    }
                    Err((error, permanent)) => {
                        list_messages::mark_failed(
                            tx.ex(),
                            message_id,
                            d.member_id,
                            error,
                            *permanent,
                        )
                        .await?;
                        if !permanent {
                            tally.deferred += 1;
                            in_a_row += 1;
                            tally.in_a_row = tally.in_a_row.max(in_a_row);
                            tally.last_error.clone_from(error);
                        }
                    }
                }
            }
            list_messages::mark_sent_many(tx.ex(), message_id, &sent, svc.clock.now()).await?;
            tx.commit().await
        }
        .await;
        // Committed (or failed): the places are free again.
        waiting.clear();
        if let Err(e) = written {
            stop.store(true, Ordering::Relaxed);
            return Err(e);
        }
        if tally.in_a_row >= RELAY_TROUBLE {
            stop.store(true, Ordering::Relaxed);
        }
    }
    Ok(tally)
}

/// Sends one member their copy: `Err((why, permanent))` if it did not go.
async fn send_copy(
    mailer: &dyn crate::mail::Mailer,
    copy: &ListCopy,
    envelope: &str,
    d: &QueuedDelivery,
) -> Result<(), (String, bool)> {
    if d.member_state != "active" || d.delivery != "each" {
        return Err((
            "the member no longer receives each message".to_owned(),
            true,
        ));
    }
    match mailer
        .send_raw(envelope, &d.email, &copy.for_member(&d.token))
        .await
    {
        Ok(()) => Ok(()),
        Err(MailError::Permanent(e)) => Err((e, true)),
        Err(MailError::Transient(e)) => Err((e, d.attempts + 1 >= MAX_DELIVERY_ATTEMPTS)),
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
