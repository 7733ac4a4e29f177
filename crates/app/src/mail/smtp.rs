//! Delivery through an SMTP relay.

use super::pace::Pacer;
use super::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Sends through the relay named by a URL such as
/// `smtp://user:pass@relay.example.org:587?tls=required`, `smtps://...` or
/// `smtp://localhost:25`. Connections are pooled and reused.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pacer: Option<Pacer>,
}

impl SmtpMailer {
    /// Prepares the relay connection pool (nothing connects until the first send).
    pub fn from_url(url: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Permanent(format!("bad SMTP URL: {e}")))?
            .build();
        Ok(Self {
            transport,
            pacer: None,
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
}
