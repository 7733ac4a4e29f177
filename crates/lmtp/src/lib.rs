//! A small LMTP server (RFC 2033): the mail system hands convene the mail
//! for its lists over it, and gets one answer per recipient after DATA.
//!
//! The server knows nothing of lists or databases. It speaks the protocol
//! (LHLO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), enforces the line
//! and message size limits, removes the dot-stuffing, and asks a
//! [`Handler`] whether each recipient exists and what became of each
//! delivery.

mod session;

pub use session::run_session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// The longest line accepted, in octets with its CRLF (RFC 5321 4.5.3.1.6,
/// RFC 5322 2.1.1).
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
}

/// Limits and names of a server.
#[derive(Debug, Clone)]
pub struct LmtpConfig {
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
                            tracing::debug!(%peer, error = %e, "LMTP session ended with an error");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "LMTP accept failed");
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
