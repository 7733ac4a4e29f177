//! The mail-in adapter: the mail listeners' handler (LMTP and SMTP).
//! Recipients are checked against the lists, each message goes to
//! [`convene_app::lists::accept`], and what the use-case answers (a typed
//! [`Accepted`] or [`Refusal`]) becomes the reply code and enhanced status
//! code (RFC 3463) the sending mail system reads. The use-cases know
//! nothing of reply codes; this crate alone chooses them.

use convene_app::Services;
use convene_app::lists::{Accepted, Refusal, accept, check_recipient};
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

/// The reply code and enhanced status code for a refusal: permanent (5xx)
/// when sending the same message again cannot help, temporary (4xx) when
/// the failure is ours and the mail system should keep the message.
pub fn refusal_codes(refusal: &Refusal) -> (u16, &'static str) {
    match refusal {
        // Bad destination mailbox address.
        Refusal::NoSuchList { .. } | Refusal::NoModerator { .. } => (550, "5.1.1"),
        // Message length exceeds administrative limit.
        Refusal::TooBig { .. } => (552, "5.3.4"),
        // Media not supported: the bytes are not a message we can take.
        Refusal::NotAMessage | Refusal::UnfoldableLine { .. } => (554, "5.6.0"),
        Refusal::NoAuthor => (550, "5.6.0"),
        // Bad sender's mailbox address syntax.
        Refusal::NobodyToConfirm => (550, "5.1.7"),
        // Other or undefined mail system status, for now.
        Refusal::TryLater => (451, "4.3.0"),
    }
}

/// The reply a sender's mail system reads for `refusal`: its code, then
/// the enhanced status code and the use-case's own words.
pub fn refusal_reply(refusal: &Refusal) -> Reply {
    let (code, status) = refusal_codes(refusal);
    Reply::new(code, format!("{status} {refusal}"))
}

/// The 250 reply for a message that was taken, saying what became of it.
pub fn accepted_reply(accepted: &Accepted) -> Reply {
    let what = match accepted {
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
    Reply::new(250, what)
}

impl Handler for ListMailHandler {
    async fn check_recipient(&self, address: &str) -> Result<(), Reply> {
        check_recipient(&self.svc, local_part(address))
            .await
            .map_err(|r| refusal_reply(&r))
    }

    async fn deliver(&self, _sender: &str, recipient: &str, message: &[u8]) -> Reply {
        match accept(&self.svc, local_part(recipient), message).await {
            Ok(accepted) => {
                tracing::info!(recipient, outcome = ?accepted, "list mail taken");
                accepted_reply(&accepted)
            }
            Err(refused) => {
                let reply = refusal_reply(&refused);
                tracing::info!(recipient, code = reply.code, text = %reply.text, "list mail refused");
                reply
            }
        }
    }

    /// SMTP: one answer for every recipient (see [`one_reply_for_all`]).
    /// A message without a Message-ID gets one made from a hash of its
    /// bytes ([`convene_app::lists::intake::tidy`]), so that when one list
    /// fails for now and the client sends the message again, the lists that
    /// took it see the same Message-ID and do not deliver it twice.
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

#[cfg(test)]
mod tests {
    use super::*;
    use convene_domain::list_policy::HoldReason;

    fn line(refusal: Refusal) -> String {
        let reply = refusal_reply(&refusal);
        format!("{} {}", reply.code, reply.text)
    }

    #[test]
    fn each_refusal_gets_the_code_senders_have_always_read() {
        assert_eq!(
            line(Refusal::NoSuchList {
                local: "nosuchlist".into()
            }),
            "550 5.1.1 There is no mailing list at \"nosuchlist\" here"
        );
        assert_eq!(
            line(Refusal::NoModerator {
                list: "hikers".into(),
                write_to: "site@example.org".into()
            }),
            "550 5.1.1 The list hikers has no moderator to forward hikers-owner mail to; write to site@example.org instead"
        );
        assert_eq!(
            line(Refusal::TooBig {
                list: "organizers".into(),
                limit: 51200,
                size: 60000
            }),
            "552 5.3.4 The message is too big for the list organizers: it takes at most 51200 bytes, this one has 60000"
        );
        assert_eq!(
            line(Refusal::NotAMessage),
            "554 5.6.0 This is not an email message: no header fields could be read"
        );
        assert_eq!(
            line(Refusal::UnfoldableLine {
                field: "X-Blob".into()
            }),
            "554 5.6.0 The header field \"X-Blob\" has a line longer than 998 octets with no space to fold it at; mail systems refuse such lines (RFC 5322 section 2.1.1)"
        );
        assert_eq!(
            line(Refusal::NoAuthor),
            "550 5.6.0 The message has no From address, so the list cannot say who wrote it"
        );
        assert_eq!(
            line(Refusal::NobodyToConfirm),
            "550 5.1.7 The From address is missing or not valid, so there is nobody to confirm with"
        );
        assert_eq!(
            line(Refusal::TryLater),
            "451 4.3.0 Temporary failure here; try again later"
        );
    }

    #[test]
    fn only_a_failure_here_is_temporary() {
        for refusal in [
            Refusal::NoSuchList { local: "x".into() },
            Refusal::NotAMessage,
            Refusal::NoAuthor,
            Refusal::NobodyToConfirm,
        ] {
            assert!(!refusal.is_temporary());
            assert!(!refusal_reply(&refusal).is_temporary(), "{refusal:?}");
        }
        assert!(Refusal::TryLater.is_temporary());
        assert!(refusal_reply(&Refusal::TryLater).is_temporary());
    }

    #[test]
    fn what_was_taken_is_said_in_the_250() {
        let cases = [
            (
                Accepted::Posted {
                    message_row_id: 1,
                    recipients: 3,
                },
                "2.0.0 Accepted for 3 members",
            ),
            (
                Accepted::Held {
                    message_row_id: 1,
                    reason: HoldReason::NotAMember,
                },
                "2.0.0 Accepted; held for a moderator",
            ),
            (Accepted::Duplicate, "2.0.0 Already have this message"),
            (
                Accepted::Dropped("a bounce"),
                "2.0.0 Accepted and dropped: a bounce",
            ),
            (Accepted::JoinRequested, "2.0.0 Confirmation link sent"),
            (Accepted::AlreadyMember, "2.0.0 Already a member"),
            (Accepted::Left, "2.0.0 Unsubscribed"),
            (
                Accepted::Bounce {
                    score: 1,
                    paused: false,
                },
                "2.0.0 Bounce recorded",
            ),
            (
                Accepted::Forwarded { moderators: 2 },
                "2.0.0 Forwarded to 2 moderators",
            ),
            (
                Accepted::Moderation("Approved".into()),
                "2.0.0 Moderation reply taken; answer mailed",
            ),
        ];
        for (accepted, text) in cases {
            assert_eq!(accepted_reply(&accepted), Reply::new(250, text));
        }
    }
}
