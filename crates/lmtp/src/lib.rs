//! A small mail-receiving server: LMTP (RFC 2033), where the mail system
//! hands convene the mail for its lists and gets one answer per recipient
//! after DATA, and SMTP (RFC 5321), for a mail system or client that can
//! only speak SMTP, where one answer after DATA covers every recipient.
//!
//! The server knows nothing of lists or databases. It speaks the protocol
//! (LHLO or EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT),
//! enforces the line and message size limits, removes the dot-stuffing,
//! and asks a [`Handler`] whether each recipient exists and what became of
//! each delivery.

mod session;

pub use session::run_session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// The longest command line accepted, in octets with its CRLF (RFC 5321
/// 4.5.3.1.6). Lines of a message may be longer, up to the size limit:
/// the handler makes them fit before anything is relayed.
pub const MAX_LINE_OCTETS: usize = 1000;

/// One reply line: a three-digit code and its text, which by convention
/// starts with the enhanced status code (RFC 3463), e.g. `5.1.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// 250, 451, 550, ...
    pub code: u16,
    /// `2.0.0 OK`: one line, no CR or LF.
    pub text: String,
}

impl Reply {
    /// A reply; line breaks in `text` become spaces so a reply is always
    /// one line.
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        let text: String = text
            .into()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        Self { code, text }
    }

    /// True for a 2xx reply.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// True for a 4xx reply: the client keeps the message and retries.
    pub fn is_temporary(&self) -> bool {
        (400..500).contains(&self.code)
    }

    fn line(&self) -> String {
        format!("{} {}\r\n", self.code, self.text)
    }
}

/// What the server asks of the application.
pub trait Handler: Send + Sync + 'static {
    /// Whether mail to `address` (as given in RCPT TO, without the angle
    /// brackets) can be taken. The error is the reply to send.
    fn check_recipient(&self, address: &str) -> impl Future<Output = Result<(), Reply>> + Send;

    /// Takes one message for one recipient. `sender` is the MAIL FROM
    /// address (empty for bounces). A 2xx reply promises the message is
    /// safely stored.
    fn deliver(
        &self,
        sender: &str,
        recipient: &str,
        message: &[u8],
    ) -> impl Future<Output = Reply> + Send;

    /// Takes one message for every recipient of an SMTP transaction, which
    /// gets a single reply. The default hands it to [`Handler::deliver`]
    /// once per recipient and joins the answers with [`one_reply_for_all`].
    /// A handler overrides it to prepare the message once (for example to
    /// give it the Message-ID that makes a retry recognisable).
    fn deliver_to_all(
        &self,
        sender: &str,
        recipients: &[String],
        message: &[u8],
    ) -> impl Future<Output = Reply> + Send {
        async move {
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
}

/// The single SMTP reply after DATA for a message taken for several
/// recipients, each of which answered on its own:
///
/// - every recipient took it: the first success (250);
/// - any recipient failed for now (4xx): `451` for all, so the client
///   keeps the message and sends it again; recipients that already took it
///   must recognise the retry (the lists do, by its Message-ID) and not
///   deliver it twice;
/// - otherwise some recipient refused it for good (5xx): that refusal for
///   all, naming the recipient. Recipients that took it keep it and
///   recognise a resend the same way.
pub fn one_reply_for_all(replies: &[(String, Reply)]) -> Reply {
    if let Some((_, first)) = replies.first()
        && replies.iter().all(|(_, r)| r.is_success())
    {
        return first.clone();
    }
    let stored = replies.iter().filter(|(_, r)| r.is_success()).count();
    if let Some((rcpt, r)) = replies.iter().find(|(_, r)| r.is_temporary()) {
        return Reply::new(
            451,
            format!(
                "4.3.0 Not taken for every recipient ({rcpt}: {}); send it again. Recipients that took it ({stored}) will not get it twice",
                r.text
            ),
        );
    }
    match replies.iter().find(|(_, r)| !r.is_success()) {
        Some((rcpt, r)) if replies.len() > 1 => Reply::new(
            r.code,
            format!("{} (for {rcpt}; {stored} other recipients took it)", r.text),
        ),
        Some((_, r)) => r.clone(),
        None => Reply::new(554, "5.5.1 No valid recipients"),
    }
}

/// Which protocol a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// LMTP (RFC 2033): LHLO, one reply per recipient after DATA.
    #[default]
    Lmtp,
    /// SMTP (RFC 5321): EHLO or HELO, one reply after DATA for all
    /// recipients, and lines must end in CRLF inside DATA (a bare LF is
    /// refused, which closes the door to SMTP smuggling).
    Smtp,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::Lmtp => "LMTP",
            Self::Smtp => "SMTP",
        }
    }
}

/// Limits and names of a server.
#[derive(Debug, Clone)]
pub struct LmtpConfig {
    /// LMTP or SMTP.
    pub protocol: Protocol,
    /// The name in the greeting and the LHLO answer.
    pub hostname: String,
    /// The largest message taken at DATA, in octets.
    pub max_message_bytes: usize,
    /// The most recipients in one transaction.
    pub max_recipients: usize,
    /// How long the client may stay silent before it is disconnected.
    pub idle_timeout: Duration,
    /// Connections served at once; more are told to come back later.
    pub max_connections: usize,
}

impl Default for LmtpConfig {
    fn default() -> Self {
        Self {
            protocol: Protocol::Lmtp,
            hostname: "localhost".into(),
            max_message_bytes: 32 * 1024 * 1024,
            max_recipients: 100,
            idle_timeout: Duration::from_secs(300),
            max_connections: 32,
        }
    }
}

/// Accepts connections on `listener` until `shutdown` turns true; each
/// connection is served on its own task. Sessions under way finish on
/// their own (a message answered 250 is already stored).
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: LmtpConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let config = Arc::new(config);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((mut stream, peer)) => {
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        // Each session may hold a whole message in memory:
                        // past the limit the mail system waits and retries.
                        let busy = Reply::new(421, "4.3.2 Too many connections; try again later");
                        let _ = stream.write_all(busy.line().as_bytes()).await;
                        continue;
                    };
                    let handler = handler.clone();
                    let config = config.clone();
                    tokio::spawn(async move {
                        let _slot = slot;
                        let (r, w) = stream.into_split();
                        if let Err(e) = run_session(r, w, handler.as_ref(), &config).await {
                            tracing::debug!(%peer, protocol = config.protocol.name(), error = %e, "mail session ended with an error");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(protocol = config.protocol.name(), error = %e, "mail listener accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = stopped(&mut shutdown) => break,
        }
    }
}

/// Resolves once `shutdown` is true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    loop {
        let stop = *shutdown.borrow_and_update();
        if stop || shutdown.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::net::TcpStream;

    struct Nobody;

    impl Handler for Nobody {
        async fn check_recipient(&self, _: &str) -> Result<(), Reply> {
            Err(Reply::new(550, "5.1.1 No such list"))
        }

        async fn deliver(&self, _: &str, _: &str, _: &[u8]) -> Reply {
            Reply::new(554, "5.0.0 Unexpected")
        }
    }

    async fn greeting(port: u16) -> (String, TcpStream) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut line = String::new();
        BufReader::new(&mut stream)
            .read_line(&mut line)
            .await
            .unwrap();
        (line, stream)
    }

    #[tokio::test]
    async fn connections_past_the_limit_are_told_to_retry_and_shutdown_stops_accepting() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stop_rx) = watch::channel(false);
        let server = tokio::spawn(serve(
            listener,
            Arc::new(Nobody),
            LmtpConfig {
                max_connections: 1,
                ..Default::default()
            },
            stop_rx,
        ));
        let (first, _held) = greeting(port).await;
        assert!(first.starts_with("220 "), "{first}");
        let (second, _) = greeting(port).await;
        assert!(second.starts_with("421 4.3.2"), "{second}");
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .unwrap()
            .unwrap();
    }
}
