//! The job that sends one email, and the helper that queues it.

use super::templates::Rendered;
use super::{MailError, OutgoingEmail};
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppResult, Services};
use convene_store::Tx;
use serde::{Deserialize, Serialize};

/// Sends one finished message through the configured mailer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail {
    /// The message, complete with its Message-ID.
    pub email: OutgoingEmail,
}

impl BackgroundJob for SendEmail {
    const KIND: &'static str = "send_email";

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("email:{}", self.email.message_id))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        match ctx.mailer.send(&self.email).await {
            Ok(()) => Ok(()),
            Err(MailError::Permanent(e)) => Err(JobError::Permanent(e)),
            Err(MailError::Transient(e)) => Err(JobError::Retry(e)),
        }
    }
}

/// Queues `rendered` for `to` inside the caller's transaction: the email
/// goes out if and only if the transaction commits.
pub async fn queue_email(
    tx: &mut Tx,
    svc: &Services,
    to: &str,
    to_name: Option<&str>,
    rendered: Rendered,
) -> AppResult<()> {
    queue_email_replying_to(tx, svc, to, to_name, rendered, None).await
}

/// Like [`queue_email`], with replies going to `reply_to`.
pub async fn queue_email_replying_to(
    tx: &mut Tx,
    svc: &Services,
    to: &str,
    to_name: Option<&str>,
    rendered: Rendered,
    reply_to: Option<&str>,
) -> AppResult<()> {
    let email = OutgoingEmail {
        reply_to: reply_to.map(str::to_owned),
        ..compose(svc, to, to_name, rendered)
    };
    email.validate()?;
    enqueue(tx, svc, &SendEmail { email }).await?;
    Ok(())
}

/// Like [`queue_email`], with an iCalendar object attached (iMIP, RFC 6047).
pub async fn queue_email_with_calendar(
    tx: &mut Tx,
    svc: &Services,
    to: &str,
    to_name: Option<&str>,
    rendered: Rendered,
    calendar: String,
) -> AppResult<()> {
    let email = OutgoingEmail {
        calendar: Some(calendar),
        ..compose(svc, to, to_name, rendered)
    };
    email.validate()?;
    enqueue(tx, svc, &SendEmail { email }).await?;
    Ok(())
}

/// A message from the site to `to`, with a fresh Message-ID.
fn compose(svc: &Services, to: &str, to_name: Option<&str>, rendered: Rendered) -> OutgoingEmail {
    let domain = svc
        .site
        .base_url
        .host_str()
        .unwrap_or("localhost")
        .to_owned();
    OutgoingEmail {
        from: svc.site.mail_from.clone(),
        from_name: svc.site.name.clone(),
        to: to.to_owned(),
        to_name: to_name.map(str::to_owned),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: format!("<{}@{domain}>", svc.tokens.new_token().expose()),
        date: svc.clock.now(),
        reply_to: None,
        calendar: None,
        unsubscribe: None,
    }
}
