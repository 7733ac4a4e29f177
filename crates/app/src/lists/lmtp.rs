//! The mail listeners' handler (LMTP and SMTP): recipients are checked
//! against the lists, and each message goes to [`super::accept`].

use super::inbound::{Accepted, accept, check_recipient};
use crate::Services;
use convene_lmtp::{Handler, Reply, one_reply_for_all};

/// Hands list mail from the LMTP and SMTP listeners to the use-cases.
#[derive(Clone)]
pub struct ListMailHandler {
    svc: Services,
}

impl ListMailHandler {
    /// A handler over `svc`'s database.
    pub fn new(svc: Services) -> Self {
        Self { svc }
    }
}

fn local_part(address: &str) -> &str {
    address.rsplit_once('@').map_or(address, |(local, _)| local)
}

impl Handler for ListMailHandler {
    async fn check_recipient(&self, address: &str) -> Result<(), Reply> {
        check_recipient(&self.svc, local_part(address))
            .await
            .map_err(|r| Reply::new(r.code, r.text))
    }

    async fn deliver(&self, _sender: &str, recipient: &str, message: &[u8]) -> Reply {
        match accept(&self.svc, local_part(recipient), message).await {
            Ok(accepted) => {
                let what = match &accepted {
                    Accepted::Posted { recipients, .. } => {
                        format!("2.0.0 Accepted for {recipients} members")
                    }
                    Accepted::Held { .. } => "2.0.0 Accepted; held for a moderator".into(),
                    Accepted::Duplicate => "2.0.0 Already have this message".into(),
                    Accepted::Dropped(why) => format!("2.0.0 Accepted and dropped: {why}"),
                    Accepted::JoinRequested => "2.0.0 Confirmation link sent".into(),
                    Accepted::AlreadyMember => "2.0.0 Already a member".into(),
                    Accepted::Left => "2.0.0 Unsubscribed".into(),
                    Accepted::Bounce { .. } => "2.0.0 Bounce recorded".into(),
                    Accepted::Forwarded { moderators } => {
                        format!("2.0.0 Forwarded to {moderators} moderators")
                    }
                    Accepted::Moderation(_) => "2.0.0 Moderation reply taken; answer mailed".into(),
                };
                tracing::info!(recipient, outcome = ?accepted, "list mail taken");
                Reply::new(250, what)
            }
            Err(refused) => {
                tracing::info!(recipient, code = refused.code, text = %refused.text, "list mail refused");
                Reply::new(refused.code, refused.text)
            }
        }
    }

    /// SMTP: one answer for every recipient (see [`one_reply_for_all`]).
    /// A message without a Message-ID gets one made from a hash of its
    /// bytes ([`super::intake`]), so that when one list fails for now and
    /// the client sends the message again, the lists that took it see the
    /// same Message-ID and do not deliver it twice.
    async fn deliver_to_all(&self, sender: &str, recipients: &[String], message: &[u8]) -> Reply {
        let mut replies = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            replies.push((
                recipient.clone(),
                self.deliver(sender, recipient, message).await,
            ));
        }
        one_reply_for_all(&replies)
    }
}
