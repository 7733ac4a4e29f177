//! A small SMTP server on a loopback port that keeps every message it
//! accepts, and can be told to refuse for now (451) once it holds a given
//! number, as a relay in trouble does.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One message as the sink received it: envelope sender, recipients and
/// bytes.
pub type Received = (String, Vec<String>, Vec<u8>);

/// What the sink holds.
pub type Inbox = Arc<Mutex<Vec<Received>>>;

/// A sink that accepts every message.
pub async fn smtp_sink() -> (u16, Inbox) {
    smtp_sink_refusing_after(Arc::new(AtomicUsize::new(usize::MAX))).await
}

/// A sink that answers `451` to every new message once it holds
/// `refuse_after` of them (the number may be changed while it runs).
pub async fn smtp_sink_refusing_after(refuse_after: Arc<AtomicUsize>) -> (u16, Inbox) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let store = inbox.clone();
    // Messages let in at MAIL FROM, counted there so that several
    // connections at once let in no more than `refuse_after`.
    let admitted = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let (store, refuse_after) = (store.clone(), refuse_after.clone());
            let admitted = admitted.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let (mut from, mut to) = (String::new(), Vec::new());
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        let limit = refuse_after.load(Ordering::SeqCst);
                        let let_in = admitted
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                (n < limit).then_some(n + 1)
                            })
                            .is_ok();
                        if !let_in {
                            b"451 4.3.0 try again later\r\n"
                        } else {
                            from = line[10..].trim().to_owned();
                            to.clear();
                            b"250 ok\r\n"
                        }
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().to_owned());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = Vec::new();
                        loop {
                            line.clear();
                            r.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                            data.extend_from_slice(unstuffed.as_bytes());
                        }
                        store.lock().unwrap().push((from.clone(), to.clone(), data));
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, inbox)
}
