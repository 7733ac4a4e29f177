//! A small SMTP server for the tests, on a loopback port: it answers as a
//! [`Script`] says and records every read exactly as it came off the socket,
//! every command line, and every message (un-stuffed) it took.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server behaves.
#[derive(Clone, Default)]
pub struct Script {
    /// Offer PIPELINING.
    pub pipelining: bool,
    /// Offer SIZE with this limit.
    pub size: Option<u64>,
    /// Offer SMTPUTF8.
    pub smtputf8: bool,
    /// Offer AUTH with these mechanisms ("PLAIN LOGIN"); the only account
    /// is `relay-user` / `s3cret pass`.
    pub auth: Option<&'static str>,
    /// RCPT addresses answered with the given reply line instead of 250.
    pub refuse: Vec<(&'static str, &'static str)>,
    /// Close the connection, unanswered, at the Nth MAIL FROM the server
    /// sees (1-based, over all connections).
    pub close_at_mail: Option<usize>,
    /// Close the connection, unanswered, at the end of the Nth message.
    pub close_at_data_end: Option<usize>,
    /// Never answer the end of a message.
    pub mute_at_data_end: bool,
    /// Never say anything, not even the greeting.
    pub mute: bool,
    /// The certificate for TLS: offered with STARTTLS, or (`implicit_tls`)
    /// from the first byte.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// TLS from the first byte (smtps) rather than STARTTLS.
    pub implicit_tls: bool,
}

/// One message as the server took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message after un-stuffing, without the final `.` line.
    pub data: Vec<u8>,
}

/// Everything the server saw.
#[derive(Debug, Default)]
pub struct Log {
    /// Connections accepted.
    pub connections: usize,
    /// Every read, as it came off the socket, in order.
    pub reads: Vec<Vec<u8>>,
    /// Every command line (without CRLF), in order.
    pub commands: Vec<String>,
    /// Every message taken (answered 250).
    pub messages: Vec<Received>,
    /// How many commands had come before TLS started (if it did).
    pub tls_after: Option<usize>,
    mails: usize,
    data_ends: usize,
}

impl Log {
    /// The commands starting with `verb`.
    pub fn count(&self, verb: &str) -> usize {
        self.commands.iter().filter(|c| c.starts_with(verb)).count()
    }
}

pub struct Server {
    pub port: u16,
    pub log: Arc<Mutex<Log>>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}/client.test", self.port)
    }
}

pub async fn start(script: Script) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Log::default()));
    let shared = log.clone();
    let script = Arc::new(script);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            shared.lock().unwrap().connections += 1;
            tokio::spawn(serve(sock, script.clone(), shared.clone()));
        }
    });
    Server { port, log }
}

enum Mode {
    Commands,
    Data,
    AuthLogin(u8),
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Writes and flushes (a TLS stream holds what it is given until then).
async fn say(sock: &mut Box<dyn Io>, bytes: &[u8]) {
    sock.write_all(bytes).await.unwrap();
    sock.flush().await.unwrap();
}

async fn serve(tcp: TcpStream, script: Arc<Script>, log: Arc<Mutex<Log>>) {
    if script.mute {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return;
    }
    let mut sock: Box<dyn Io> = Box::new(tcp);
    if let (Some(tls), true) = (&script.tls, script.implicit_tls) {
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.clone());
        match acceptor.accept(sock).await {
            Ok(s) => sock = Box::new(s),
            Err(_) => return,
        }
        log.lock().unwrap().tls_after = Some(0);
    }
    say(&mut sock, b"220 sink.test ESMTP\r\n").await;
    let mut buf = Vec::new();
    let mut mode = Mode::Commands;
    let mut cur = Received {
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut accepted_rcpts = 0;
    loop {
        // Handle every complete line before reading again, so that each
        // recorded read is exactly what one read() returned.
        while let Some(at) = buf.windows(2).position(|w| w == b"\r\n") {
            let line: Vec<u8> = buf.drain(..at + 2).collect();
            let line = &line[..line.len() - 2];
            match mode {
                Mode::Data => {
                    if line == b"." {
                        mode = Mode::Commands;
                        let n = {
                            let mut l = log.lock().unwrap();
                            l.data_ends += 1;
                            l.data_ends
                        };
                        if script.close_at_data_end == Some(n) {
                            return;
                        }
                        if script.mute_at_data_end {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                        log.lock().unwrap().messages.push(cur.clone());
                        say(&mut sock, b"250 2.0.0 queued\r\n").await;
                    } else {
                        let line = line.strip_prefix(b".").unwrap_or(line);
                        cur.data.extend_from_slice(line);
                        cur.data.extend_from_slice(b"\r\n");
                    }
                }
                Mode::AuthLogin(step) => {
                    let text = String::from_utf8_lossy(line).into_owned();
                    log.lock().unwrap().commands.push(text);
                    if step == 0 {
                        mode = Mode::AuthLogin(1);
                        say(&mut sock, b"334 UGFzc3dvcmQ6\r\n").await;
                    } else {
                        mode = Mode::Commands;
                        let ok = log.lock().unwrap().commands.ends_with(&[
                            "cmVsYXktdXNlcg==".to_owned(),
                            "czNjcmV0IHBhc3M=".to_owned(),
                        ]);
                        let reply: &[u8] = if ok {
                            b"235 2.7.0 ok\r\n"
                        } else {
                            b"535 5.7.8 no\r\n"
                        };
                        say(&mut sock, reply).await;
                    }
                }
                Mode::Commands => {
                    let text = String::from_utf8_lossy(line).into_owned();
                    log.lock().unwrap().commands.push(text.clone());
                    let upper = text.to_ascii_uppercase();
                    let reply: String = if upper.starts_with("EHLO") {
                        let mut r = String::from("250-sink.test\r\n250-8BITMIME\r\n");
                        if script.pipelining {
                            r.push_str("250-PIPELINING\r\n");
                        }
                        if let Some(n) = script.size {
                            r.push_str(&format!("250-SIZE {n}\r\n"));
                        }
                        if script.smtputf8 {
                            r.push_str("250-SMTPUTF8\r\n");
                        }
                        if let Some(m) = script.auth {
                            r.push_str(&format!("250-AUTH {m}\r\n"));
                        }
                        if script.tls.is_some() && !script.implicit_tls {
                            r.push_str("250-STARTTLS\r\n");
                        }
                        r.push_str("250 ENHANCEDSTATUSCODES\r\n");
                        r
                    } else if upper.starts_with("MAIL FROM:") {
                        let n = {
                            let mut l = log.lock().unwrap();
                            l.mails += 1;
                            l.mails
                        };
                        if script.close_at_mail == Some(n) {
                            return;
                        }
                        let from = text[10..].split('>').next().unwrap_or("");
                        cur = Received {
                            from: from.trim_start_matches('<').to_owned(),
                            to: Vec::new(),
                            data: Vec::new(),
                        };
                        accepted_rcpts = 0;
                        "250 2.1.0 ok\r\n".into()
                    } else if upper.starts_with("RCPT TO:") {
                        let to = text[8..]
                            .trim_start_matches('<')
                            .trim_end_matches('>')
                            .to_owned();
                        match script.refuse.iter().find(|(a, _)| *a == to) {
                            Some((_, reply)) => format!("{reply}\r\n"),
                            None => {
                                cur.to.push(to);
                                accepted_rcpts += 1;
                                "250 2.1.5 ok\r\n".into()
                            }
                        }
                    } else if upper == "DATA" {
                        if accepted_rcpts == 0 {
                            "554 5.5.1 no valid recipients\r\n".into()
                        } else {
                            mode = Mode::Data;
                            "354 go ahead\r\n".into()
                        }
                    } else if upper == "RSET" {
                        accepted_rcpts = 0;
                        "250 2.0.0 ok\r\n".into()
                    } else if upper == "STARTTLS" && script.tls.is_some() {
                        say(&mut sock, b"220 2.0.0 go ahead\r\n").await;
                        let acceptor = tokio_rustls::TlsAcceptor::from(script.tls.clone().unwrap());
                        match acceptor.accept(sock).await {
                            Ok(s) => sock = Box::new(s),
                            Err(_) => return,
                        }
                        buf.clear();
                        let mut l = log.lock().unwrap();
                        l.tls_after = Some(l.commands.len());
                        continue;
                    } else if upper == "QUIT" {
                        say(&mut sock, b"221 bye\r\n").await;
                        return;
                    } else if upper.starts_with("AUTH PLAIN ") {
                        // "\0relay-user\0s3cret pass"
                        if text[11..] == *"AHJlbGF5LXVzZXIAczNjcmV0IHBhc3M=" {
                            "235 2.7.0 ok\r\n".into()
                        } else {
                            "535 5.7.8 no\r\n".into()
                        }
                    } else if upper == "AUTH LOGIN" {
                        mode = Mode::AuthLogin(0);
                        "334 VXNlcm5hbWU6\r\n".into()
                    } else {
                        "502 5.5.2 unknown command\r\n".into()
                    };
                    say(&mut sock, reply.as_bytes()).await;
                }
            }
        }
        let mut chunk = vec![0u8; 65536];
        let n = match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        chunk.truncate(n);
        log.lock().unwrap().reads.push(chunk.clone());
        buf.extend_from_slice(&chunk);
    }
}
