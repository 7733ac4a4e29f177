//! Outgoing mail: messages built from templates, queued as jobs, and handed
//! to SMTP or, with no relay configured, written to the outbox folder.

pub mod dkim;
pub mod dkim_key;
pub mod message;
pub mod outbox;
pub mod pace;
pub mod send_job;
pub mod signing;
pub mod smtp;
pub mod templates;

pub use message::{MailError, OutgoingEmail};
pub use outbox::{OutboxEntry, OutboxMailer};
pub use send_job::{SendEmail, queue_email, queue_email_replying_to, queue_email_with_calendar};
pub use signing::SigningMailer;
pub use smtp::SmtpMailer;

use async_trait::async_trait;

/// Something that delivers a finished message.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Delivers `email`. A [`MailError::Transient`] is retried by the job queue.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;

    /// Delivers a message that is already complete, byte for byte (a list
    /// copy), to one recipient with `envelope_from` as the envelope sender
    /// (where bounces go). The bytes are sent as they are: no header is
    /// added or re-encoded.
    async fn send_raw(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError>;

    /// Delivers the same finished bytes to several recipients with one
    /// envelope sender, in one SMTP transaction where the mailer can (a
    /// relay takes the message once for all of them). Returns one outcome
    /// per recipient, in `to`'s order. By default, one
    /// [`Mailer::send_raw`] per recipient.
    async fn send_raw_many(
        &self,
        envelope_from: &str,
        to: &[String],
        message: &[u8],
    ) -> Vec<Result<(), MailError>> {
        let mut outcomes = Vec::with_capacity(to.len());
        for t in to {
            outcomes.push(self.send_raw(envelope_from, t, message).await);
        }
        outcomes
    }

    /// Delivers `email` as the finished bytes `message` (the same message
    /// with a signature added): to its recipient, with its sender as the
    /// envelope sender.
    async fn send_formatted(&self, email: &OutgoingEmail, message: &[u8]) -> Result<(), MailError> {
        self.send_raw(&email.from, &email.to, message).await
    }

    /// How many messages may be handed to [`Mailer::send_raw`] at once (a
    /// list fan-out keeps this many copies in flight). One unless the
    /// mailer has several connections to its relay.
    fn parallel_sends(&self) -> usize {
        1
    }
}
