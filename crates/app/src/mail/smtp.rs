//! Delivery through an SMTP relay.

use super::pace::Pacer;
use super::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use lettre::address::Envelope;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Sends through the relay named by a URL such as
/// `smtp://user:pass@relay.example.org:587?tls=required`, `smtps://...` or
/// `smtp://localhost:25`. Connections are pooled and reused.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pacer: Option<Pacer>,
    connections: usize,
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
    /// Several connections matter more than they seem: each copy waits for
    /// the relay's answer to its final dot, and on a quiet connection that
    /// answer can take a delayed-ACK round (tens of milliseconds), so one
    /// connection alone sends a few dozen copies a second even to a relay
    /// on the same machine.
    pub fn from_url_with_connections(url: &str, connections: usize) -> Result<Self, MailError> {
        let connections = connections.max(1);
        let pool = PoolConfig::new().max_size(u32::try_from(connections).unwrap_or(u32::MAX));
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Permanent(format!("bad SMTP URL: {e}")))?
            .pool_config(pool)
            .build();
        Ok(Self {
            transport,
            pacer: None,
            connections,
        })
    }

    /// Sends at most `n` messages a second from this process (0: no limit).
    pub fn with_max_per_second(mut self, n: u32) -> Self {
        self.pacer = Pacer::per_second(n);
        self
    }

    async fn pace(&self) {
        if let Some(p) = &self.pacer {
            p.wait().await;
        }
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = email.to_message()?;
        self.pace().await;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }

    async fn send_raw(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError> {
        let addr = |a: &str| {
            a.parse::<lettre::Address>()
                .map_err(|e| MailError::Permanent(format!("{a:?}: {e}")))
        };
        let envelope = Envelope::new(Some(addr(envelope_from)?), vec![addr(to)?])
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        // The transport ends the data with CRLF "." CRLF itself; the
        // message's own last line break is the first CRLF of that, so the
        // recipient gets the message's bytes exactly.
        let message = message.strip_suffix(b"\r\n").unwrap_or(message);
        self.pace().await;
        match self.transport.send_raw(&envelope, message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }

    fn parallel_sends(&self) -> usize {
        self.connections
    }
}
