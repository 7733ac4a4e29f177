//! The pool: up to N sessions with the relay, each carrying one transaction
//! at a time and kept open for the next.

use crate::address::Envelope;
use crate::config::RelayConfig;
use crate::dot;
use crate::error::Error;
use crate::reply::{RecipientOutcome, Reply};
use crate::session::{Extensions, Session};
use std::sync::Mutex;
use tokio::sync::Semaphore;

/// A relay and a pool of connections to it (tasks on the tokio runtime, no
/// thread per connection). Nothing connects until the first send; a
/// connection is opened when every open one is busy and fewer than the
/// pool's size exist, and kept for the next message.
pub struct Relay {
    config: RelayConfig,
    connections: usize,
    /// One permit per connection the pool may have: a send holds one for
    /// as long as it uses a session.
    slots: Semaphore,
    /// Open sessions waiting for a message.
    idle: Mutex<Vec<Session>>,
}

/// The relay's answer about each recipient, in the envelope's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// One outcome per [`Envelope::to`], in the same order.
    pub outcomes: Vec<RecipientOutcome>,
}

impl Sent {
    /// The recipients the relay refused, with its answer.
    pub fn refused<'a>(
        &'a self,
        envelope: &'a Envelope,
    ) -> impl Iterator<Item = (&'a str, &'a Reply)> + 'a {
        envelope
            .to()
            .iter()
            .zip(&self.outcomes)
            .filter_map(|(to, o)| match o {
                RecipientOutcome::Refused(r) => Some((to.as_str(), r)),
                RecipientOutcome::Accepted => None,
            })
    }
}

impl Relay {
    /// A pool of at most `connections` (at least one) sessions with the
    /// relay in `config`.
    pub fn new(config: RelayConfig, connections: usize) -> Relay {
        let connections = connections.max(1);
        Relay {
            config,
            connections,
            slots: Semaphore::new(connections),
            idle: Mutex::new(Vec::with_capacity(connections)),
        }
    }

    /// The pool's size: how many messages can be on their way at once.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// The relay this pool sends to.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// Sends `message` (complete, CRLF line ends, as the recipients should
    /// get it) to the envelope's recipients in one transaction, waiting for
    /// a free connection if all are busy.
    ///
    /// `Ok` means the relay answered every recipient: see
    /// [`Sent::outcomes`] for who was refused (when all were, nothing was
    /// sent). `Err` means nobody got it, or, if the connection failed after
    /// the message was written, that the relay may or may not have taken it.
    /// Checks that depend on the relay (SIZE, SMTPUTF8, 8BITMIME) fail
    /// before MAIL FROM is sent.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<Sent, Error> {
        let data = dot::encode(message);
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| Error::Closed("waiting for a connection"))?;
        loop {
            let (mut session, reused) = match self.take_idle() {
                Some(s) => (s, true),
                None => (Session::open(&self.config).await?, false),
            };
            let params = match mail_parameters(&session.ext, envelope, message) {
                Ok(p) => p,
                Err(e) => {
                    self.put_back(session);
                    return Err(e);
                }
            };
            match session.transact(envelope, &params, &data).await {
                Ok(outcomes) => {
                    self.put_back(session);
                    return Ok(Sent { outcomes });
                }
                Err(failure) => {
                    let stale = reused && !failure.data_sent && went_away(&failure.error);
                    if session.broken {
                        drop(session);
                    } else {
                        self.put_back(session);
                    }
                    if stale {
                        // The relay closed a connection that sat idle
                        // before this message began: nothing was taken, so
                        // try again on another (or a new) one.
                        tracing::debug!(error = %failure.error, "relay connection went away while idle; reconnecting");
                        continue;
                    }
                    return Err(failure.error);
                }
            }
        }
    }

    /// Ends every idle session with QUIT.
    pub async fn close(&self) {
        let sessions: Vec<Session> = match self.idle.lock() {
            Ok(mut idle) => idle.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for s in sessions {
            s.quit().await;
        }
    }

    fn take_idle(&self) -> Option<Session> {
        self.idle.lock().ok().and_then(|mut idle| idle.pop())
    }

    fn put_back(&self, session: Session) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(session);
        }
    }
}

/// True when the error means the relay had closed (or was closing) the
/// connection.
fn went_away(error: &Error) -> bool {
    match error {
        Error::Closed(_) | Error::Io { .. } => true,
        Error::Refused { reply, .. } => reply.code == 421,
        _ => false,
    }
}

/// MAIL FROM's parameters for this message on a relay with `ext`, or why
/// it cannot go there.
fn mail_parameters(ext: &Extensions, envelope: &Envelope, message: &[u8]) -> Result<String, Error> {
    let mut params = String::new();
    if let Some(limit) = ext.size {
        let size = message.len();
        if limit > 0 && u64::try_from(size).unwrap_or(u64::MAX) > limit {
            return Err(Error::TooBig { size, limit });
        }
        params.push_str(&format!(" SIZE={size}"));
    }
    if !message.is_ascii() {
        if !ext.eight_bit_mime {
            return Err(Error::Unsupported(
                "the message has 8-bit bytes and the relay does not offer 8BITMIME",
            ));
        }
        params.push_str(" BODY=8BITMIME");
    }
    if envelope.needs_smtputf8() {
        if !ext.smtputf8 {
            return Err(Error::Unsupported(
                "an address is not ASCII and the relay does not offer SMTPUTF8",
            ));
        }
        params.push_str(" SMTPUTF8");
    }
    Ok(params)
}
