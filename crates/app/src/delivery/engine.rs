//! The delivery engine: sends every copy of a batch still queued in the
//! ledger (`convene_store::deliveries`), each recipient their own, and
//! records the relay's answers there as they come back.
//!
//! A list message's copies, a digest's, a blog post's mail and a sending
//! of the weekly email go through it alike; what differs is a [`Ledger`]:
//! which batch it is, how its queued copies are read, and how one copy is
//! made for its recipient.
//!
//! - Copies travel over as many relay connections at once as the mailer
//!   has ([`crate::mail::Mailer::parallel_sends`], `CONVENE_SMTP_CONNECTIONS`),
//!   each with `TCP_NODELAY` and, where the relay offers it, PIPELINING
//!   (see `convene-relay`).
//! - A ledger writer beside the sending records the answers: each of its
//!   transactions takes every answer that came back while the previous one
//!   committed ([`convene_store::Db::begin_ledger`], which does not wait
//!   for the disk), so sending never waits for the ledger.
//! - A copy holds one of [`unrecorded_limit`] places, one per connection,
//!   from before it is sent until its answer is committed. So the copies
//!   the relay may have taken without the ledger knowing are never more
//!   than the connections: at a crash, at most that many recipients get a
//!   second copy (with one connection, only the copy the relay was taking).
//! - A temporary refusal leaves the copy queued for the job's next try,
//!   until [`MAX_DELIVERY_ATTEMPTS`]; several in a row mean the relay
//!   itself is in trouble, and the run stops with everyone sent so far
//!   recorded.

use crate::Services;
use crate::jobs::{JobContext, JobError};
use crate::mail::{MailError, Mailer, OutgoingEmail};
use convene_store::deliveries::{self, Batch, Unsent};
use convene_store::{Db, StoreError};
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// How many queued deliveries are read at a time.
pub const BATCH: i64 = 1000;
/// Temporary refusals of one copy before it is given up.
pub const MAX_DELIVERY_ATTEMPTS: i64 = 8;
/// Temporary refusals in a row that mean the relay itself is in trouble.
pub const RELAY_TROUBLE: usize = 3;

/// How many copies may be sent or answered but not yet recorded at once,
/// with `connections` relay connections: one per connection. This is also
/// the most recipients a crash can send a second copy to.
pub fn unrecorded_limit(connections: usize) -> usize {
    connections.max(1)
}

/// One recipient's copy, ready for the relay.
pub enum Copy {
    /// Finished bytes, sent as they are (a list copy, a digest).
    Raw {
        /// The envelope sender (where bounces go).
        envelope: String,
        /// The recipient's address.
        to: String,
        /// The message.
        bytes: Vec<u8>,
    },
    /// A message from the site, formatted (and signed) on the way out like
    /// every email it sends.
    Email(Box<OutgoingEmail>),
}

/// What became of one queued copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The relay took it.
    Sent,
    /// Not sent, and not to be: the recipient left, or it holds nothing new
    /// for them.
    Skipped(String),
    /// The relay refused it; `permanent` when it is not to be tried again.
    Refused {
        /// What the relay said.
        error: String,
        /// True once it will not be tried again.
        permanent: bool,
    },
}

/// One batch of copies to send: the queued copies of a list message, a
/// digest, a blog post or a sending of the weekly email.
pub trait Ledger: Send + Sync + 'static {
    /// One queued copy as read from the ledger.
    type Queued: Send + Sync + 'static;

    /// The batch in the ledger.
    fn batch(&self) -> Batch;

    /// The recipient a queued copy is for (the ledger is read in this
    /// order).
    fn recipient(q: &Self::Queued) -> i64;

    /// Temporary refusals of this copy so far.
    fn attempts(q: &Self::Queued) -> i64;

    /// Up to `limit` copies still queued for recipients after `after`.
    fn claim(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Self::Queued>, StoreError>> + Send;

    /// The recipient's own copy, or what becomes of it instead (skipped,
    /// or refused when it could not be made for now).
    fn prepare(&self, q: &Self::Queued) -> impl Future<Output = Result<Copy, Outcome>> + Send;
}

/// One answer on its way to the ledger writer, holding its place among
/// the unrecorded copies until it is committed.
type Answer = (i64, Outcome, OwnedSemaphorePermit);

/// What the ledger writer saw.
#[derive(Default)]
struct Tally {
    deferred: usize,
    last_error: String,
    in_a_row: usize,
}

/// Sends every copy still queued in `ledger`; `what` names the copies in
/// errors ("copies", "digests", "emails").
pub async fn deliver<L: Ledger>(ctx: &JobContext, ledger: L, what: &str) -> Result<(), JobError> {
    let svc = &ctx.services;
    let ledger = Arc::new(ledger);
    let limit = unrecorded_limit(ctx.mailer.parallel_sends());
    let places = Arc::new(Semaphore::new(limit));
    let stop = Arc::new(AtomicBool::new(false));
    let claim_failed: Arc<Mutex<Option<StoreError>>> = Arc::default();
    let (answers, recorded) = mpsc::unbounded_channel::<Answer>();

    // The copies still queued, read a batch at a time. (Every closure owns
    // what it uses, so that the job's future stays `Send`.)
    let (db, from_ledger, failed) = (svc.db.clone(), ledger.clone(), claim_failed.clone());
    let queued = stream::unfold(0i64, move |after| {
        let (db, ledger, failed) = (db.clone(), from_ledger.clone(), failed.clone());
        async move {
            match ledger.claim(&db, after, BATCH).await {
                Ok(batch) => {
                    let last = L::recipient(batch.last()?);
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
    let (mailer, for_copies) = (ctx.mailer.clone(), ledger.clone());
    let sending = queued
        .take_while(move |_| std::future::ready(!stopped.load(Ordering::Relaxed)))
        .then(move |q| {
            let places = places.clone();
            async move { (q, places.acquire_owned().await) }
        })
        .map(move |(q, place)| {
            let (mailer, ledger) = (mailer.clone(), for_copies.clone());
            async move {
                let outcome = match ledger.prepare(&q).await {
                    Ok(copy) => send(mailer.as_ref(), &copy, L::attempts(&q)).await,
                    Err(instead) => instead,
                };
                (L::recipient(&q), outcome, place)
            }
        })
        .buffer_unordered(limit)
        .for_each(move |(recipient, outcome, place)| {
            // Once the sending ends, this closure and the channel's sender
            // with it are dropped, and the writer finishes.
            if let Ok(place) = place {
                // The writer is gone only after a database failure, which
                // it reports.
                let _ = answers.send((recipient, outcome, place));
            }
            std::future::ready(())
        });
    let writer = record_answers(svc, ledger.as_ref(), recorded, &stop);
    let ((), tally) = tokio::join!(sending, writer);
    let db_error = |e: StoreError| JobError::Retry(e.to_string());
    let tally = tally.map_err(db_error)?;
    if let Some(e) = claim_failed.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(db_error(e));
    }
    if tally.in_a_row >= RELAY_TROUBLE {
        return Err(JobError::Retry(format!(
            "the relay refused {} {what} in a row for now: {}",
            tally.in_a_row, tally.last_error
        )));
    }
    if tally.deferred > 0 {
        return Err(JobError::Retry(format!(
            "{} {what} wait for another try: {}",
            tally.deferred, tally.last_error
        )));
    }
    Ok(())
}

/// Hands one copy to the relay.
async fn send(mailer: &dyn Mailer, copy: &Copy, attempts: i64) -> Outcome {
    let sent = match copy {
        Copy::Raw {
            envelope,
            to,
            bytes,
        } => mailer.send_raw(envelope, to, bytes).await,
        Copy::Email(email) => mailer.send(email).await,
    };
    match sent {
        Ok(()) => Outcome::Sent,
        Err(MailError::Permanent(error)) => Outcome::Refused {
            error,
            permanent: true,
        },
        Err(MailError::Transient(error)) => refused_for_now(error, attempts),
    }
}

/// A copy that could not go out for now: tried again on the job's next
/// run, unless it has been tried [`MAX_DELIVERY_ATTEMPTS`] times.
pub fn refused_for_now(error: String, attempts: i64) -> Outcome {
    Outcome::Refused {
        error,
        permanent: attempts + 1 >= MAX_DELIVERY_ATTEMPTS,
    }
}

/// Writes down what became of each of `answers` to `batch`'s copies.
async fn record(
    tx: &mut convene_store::Tx,
    batch: Batch,
    answers: &[(i64, Outcome)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let mut sent = Vec::with_capacity(answers.len());
    for (recipient, outcome) in answers {
        let (unsent, error) = match outcome {
            Outcome::Sent => {
                sent.push(*recipient);
                continue;
            }
            Outcome::Skipped(why) => (Unsent::Skipped, why),
            Outcome::Refused {
                error,
                permanent: true,
            } => {
                tracing::warn!(batch = batch.kind.as_str(), id = batch.id, recipient, error = %error, "a copy could not be delivered");
                (Unsent::Failed, error)
            }
            Outcome::Refused { error, .. } => (Unsent::Deferred, error),
        };
        deliveries::mark_unsent(tx.ex(), batch, *recipient, unsent, error, now).await?;
    }
    deliveries::mark_sent_many(tx.ex(), batch, &sent, now).await?;
    Ok(())
}

/// The ledger writer: records the answers as they come back and frees
/// their places once committed. Stops the sending (through `stop`) when
/// the relay refuses several copies in a row, or when the database fails.
async fn record_answers<L: Ledger>(
    svc: &Services,
    ledger: &L,
    mut recorded: mpsc::UnboundedReceiver<Answer>,
    stop: &AtomicBool,
) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();
    let mut in_a_row = 0usize;
    let mut waiting = Vec::new();
    while recorded.recv_many(&mut waiting, usize::MAX).await > 0 {
        let answers: Vec<(i64, Outcome)> = waiting
            .iter()
            .map(|(recipient, outcome, _)| (*recipient, outcome.clone()))
            .collect();
        for (_, outcome) in &answers {
            match outcome {
                Outcome::Sent => in_a_row = 0,
                Outcome::Refused {
                    error,
                    permanent: false,
                } => {
                    tally.deferred += 1;
                    in_a_row += 1;
                    tally.in_a_row = tally.in_a_row.max(in_a_row);
                    tally.last_error.clone_from(error);
                }
                Outcome::Refused { .. } | Outcome::Skipped(_) => {}
            }
        }
        let written = async {
            let mut tx = svc.db.begin_ledger().await?;
            record(&mut tx, ledger.batch(), &answers, svc.clock.now()).await?;
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
