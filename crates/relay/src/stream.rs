//! One socket to the relay, plain or TLS, with the replies read off it.

use crate::error::Error;
use crate::reply::Reply;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A reply line longer than this is not SMTP (RFC 5321 allows 512).
const MAX_LINE: usize = 4096;
/// Nor is a reply of more lines than this.
const MAX_LINES: usize = 200;

enum Socket {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// While the socket is being upgraded to TLS, or after it failed.
    Gone,
}

/// The connection and what has been read from it but not yet parsed.
pub(crate) struct Wire {
    socket: Socket,
    buf: Vec<u8>,
    timeout: Duration,
}

impl Wire {
    /// Connects with `TCP_NODELAY`, so that a short write (a pipelined
    /// group of commands, the end of a message) leaves at once instead of
    /// waiting for the relay's delayed ACK.
    pub(crate) async fn connect(host: &str, port: u16, timeout: Duration) -> Result<Wire, Error> {
        let address = format!("{host}:{port}");
        let failed = |why: String| Error::Connect {
            address: address.clone(),
            why,
        };
        let tcp = match tokio::time::timeout(timeout, TcpStream::connect((host, port))).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Err(_) => return Err(failed(format!("no answer within {timeout:?}"))),
        };
        tcp.set_nodelay(true).map_err(|e| failed(e.to_string()))?;
        Ok(Wire {
            socket: Socket::Plain(tcp),
            buf: Vec::with_capacity(1024),
            timeout,
        })
    }

    /// Starts TLS on the connection (at once for `smtps`, or after the
    /// relay's 220 to STARTTLS).
    pub(crate) async fn start_tls(
        &mut self,
        config: std::sync::Arc<rustls::ClientConfig>,
        host: &str,
    ) -> Result<(), Error> {
        if !self.buf.is_empty() {
            // Anything the relay sent before the handshake could have been
            // injected by someone in the middle; RFC 3207 says drop it, and
            // a relay that does this is not one to trust.
            return Err(Error::Protocol(
                "the relay sent more after agreeing to start TLS".into(),
            ));
        }
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|e| Error::Tls(format!("{host:?}: {e}")))?;
        let Socket::Plain(tcp) = std::mem::replace(&mut self.socket, Socket::Gone) else {
            return Err(Error::Tls("the connection is already encrypted".into()));
        };
        let connector = tokio_rustls::TlsConnector::from(config);
        let tls = tokio::time::timeout(self.timeout, connector.connect(name, tcp))
            .await
            .map_err(|_| Error::Timeout {
                command: "the TLS handshake",
                after: self.timeout,
            })?
            .map_err(|e| Error::Tls(e.to_string()))?;
        self.socket = Socket::Tls(Box::new(tls));
        Ok(())
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self.socket, Socket::Tls(_))
    }

    /// Writes `bytes` in one go (one segment, or as few as the socket
    /// allows).
    pub(crate) async fn send(&mut self, command: &'static str, bytes: &[u8]) -> Result<(), Error> {
        let io = |source| Error::Io { command, source };
        let write = async {
            match &mut self.socket {
                Socket::Plain(s) => s.write_all(bytes).await,
                Socket::Tls(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Socket::Gone => Err(std::io::ErrorKind::NotConnected.into()),
            }
        };
        match tokio::time::timeout(self.timeout, write).await {
            Ok(r) => r.map_err(io),
            Err(_) => Err(Error::Timeout {
                command,
                after: self.timeout,
            }),
        }
    }

    /// Reads one complete reply.
    pub(crate) async fn reply(&mut self, command: &'static str) -> Result<Reply, Error> {
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.read_reply(command)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                command,
                after: timeout,
            }),
        }
    }

    async fn read_reply(&mut self, command: &'static str) -> Result<Reply, Error> {
        // Lines are found in `buf` from `scanned` on; a reply ends with a
        // line whose fourth byte is not `-`.
        let mut scanned = 0;
        let mut ends = Vec::new();
        loop {
            while let Some(at) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + at + 1;
                let line_start = ends.last().copied().unwrap_or(0);
                let line = &self.buf[line_start..end];
                ends.push(end);
                scanned = end;
                if line.get(3) != Some(&b'-') {
                    let lines: Vec<&[u8]> = {
                        let mut start = 0;
                        ends.iter()
                            .map(|&e| {
                                let l = &self.buf[start..e];
                                start = e;
                                trim_crlf(l)
                            })
                            .collect()
                    };
                    let reply = Reply::parse(&lines).map_err(Error::Protocol);
                    self.buf.drain(..end);
                    return reply;
                }
                if ends.len() > MAX_LINES {
                    return Err(Error::Protocol("a reply of too many lines".into()));
                }
            }
            if self.buf.len() - scanned > MAX_LINE {
                return Err(Error::Protocol("a reply line is too long".into()));
            }
            let mut chunk = [0u8; 4096];
            let n = match &mut self.socket {
                Socket::Plain(s) => s.read(&mut chunk).await,
                Socket::Tls(s) => s.read(&mut chunk).await,
                Socket::Gone => Err(std::io::ErrorKind::NotConnected.into()),
            }
            .map_err(|source| Error::Io { command, source })?;
            if n == 0 {
                return Err(Error::Closed(command));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Closes the connection politely (QUIT), not waiting long.
    pub(crate) async fn quit(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            if self.send("QUIT", b"QUIT\r\n").await.is_ok() {
                let _ = self.reply("QUIT").await;
            }
        })
        .await;
    }
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
