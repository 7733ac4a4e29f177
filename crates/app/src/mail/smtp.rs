//! Delivery through an SMTP relay, with convene's own pipelining client
//! ([`convene_relay`]); lettre only builds the messages.

use super::pace::Pacer;
use super::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use convene_relay::{Envelope, RecipientOutcome, Relay, RelayConfig};

/// Sends through the relay named by a URL such as
/// `smtp://user:pass@relay.example.org:587?tls=required`, `smtps://...` or
/// `smtp://localhost:25`. Connections are pooled and reused.
pub struct SmtpMailer {
    relay: Relay,
    pacer: Option<Pacer>,
}

impl SmtpMailer {
    /// Prepares the relay connection pool (nothing connects until the first send).
    /// Sends are one at a time, over one connection; see
    /// [`SmtpMailer::from_url_with_connections`].
    pub fn from_url(url: &str) -> Result<Self, MailError> {
        Self::from_url_with_connections(url, 1)
    }

    /// Like [`SmtpMailer::from_url`], keeping up to `connections` (at least
    /// one) open to the relay, so that a list fan-out sends that many
    /// copies at once.
    ///
    /// Each connection sends with `TCP_NODELAY` and, where the relay offers
    /// PIPELINING, MAIL FROM, RCPT TO and DATA in one write: a copy costs
    /// two round trips, so one connection already sends thousands of copies
    /// a second to a relay on the same machine; more connections help when
    /// the relay is far away or slow to answer.
    pub fn from_url_with_connections(url: &str, connections: usize) -> Result<Self, MailError> {
        let config = RelayConfig::from_url(url).map_err(|e| MailError::Permanent(e.to_string()))?;
        Ok(Self {
            relay: Relay::new(config, connections),
            pacer: None,
        })
    }

    /// Sends at most `n` messages a second from this process (0: no limit).
    pub fn with_max_per_second(mut self, n: u32) -> Self {
        self.pacer = Pacer::per_second(n);
        self
    }

    /// Hands `message` to the relay for `to`, with `envelope_from` as the
    /// envelope sender, in one transaction: one outcome per recipient.
    async fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        message: &[u8],
    ) -> Vec<Result<(), MailError>> {
        let envelope = match Envelope::new(envelope_from, to) {
            Ok(e) => e,
            Err(e) => {
                return to
                    .iter()
                    .map(|_| Err(MailError::Permanent(e.to_string())))
                    .collect();
            }
        };
        if let Some(p) = &self.pacer {
            p.wait().await;
        }
        match self.relay.send(&envelope, message).await {
            Ok(sent) => envelope
                .to()
                .iter()
                .zip(sent.outcomes)
                .map(|(to, outcome)| match outcome {
                    RecipientOutcome::Accepted => Ok(()),
                    RecipientOutcome::Refused(reply) => {
                        let why = format!("the relay refused {to}: {reply}");
                        Err(if reply.is_permanent() {
                            MailError::Permanent(why)
                        } else {
                            MailError::Transient(why)
                        })
                    }
                })
                .collect(),
            Err(e) => {
                let permanent = e.is_permanent();
                let why = e.to_string();
                to.iter()
                    .map(|_| {
                        Err(if permanent {
                            MailError::Permanent(why.clone())
                        } else {
                            MailError::Transient(why.clone())
                        })
                    })
                    .collect()
            }
        }
    }

    /// [`SmtpMailer::deliver`] to one recipient.
    async fn deliver_one(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError> {
        self.deliver(envelope_from, &[to.to_owned()], message)
            .await
            .pop()
            .unwrap_or_else(|| Err(MailError::Permanent("no recipient".into())))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = email.to_message()?;
        let envelope = message.envelope();
        let from = envelope.from().map(ToString::to_string).unwrap_or_default();
        let to: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
        if to.is_empty() {
            return Err(MailError::Permanent("the message has no recipient".into()));
        }
        let outcomes = self.deliver(&from, &to, &message.formatted()).await;
        // One recipient in practice; the first refusal, if any, is the outcome.
        outcomes.into_iter().find(Result::is_err).unwrap_or(Ok(()))
    }

    async fn send_raw(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError> {
        self.deliver_one(envelope_from, to, message).await
    }

    async fn send_raw_many(
        &self,
        envelope_from: &str,
        to: &[String],
        message: &[u8],
    ) -> Vec<Result<(), MailError>> {
        self.deliver(envelope_from, to, message).await
    }

    fn parallel_sends(&self) -> usize {
        self.relay.connections()
    }
}
