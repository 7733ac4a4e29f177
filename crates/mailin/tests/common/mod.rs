//! What the list mail tests share: a small SMTP sink on a loopback port
//! keeping what it receives, a fresh database with the list mail listener
//! (LMTP) in front of it, a job worker sending through the sink, and the
//! clients that talk to the listeners.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

pub use chrono::{DateTime, Duration, Utc};
pub use convene_app::jobs::{JobContext, Outcome, Registry, Worker, WorkerConfig};
pub use convene_app::lists::{Accepted, accept, new_member_token};
pub use convene_app::mail::SmtpMailer;
pub use convene_app::{Services, SiteInfo};
pub use convene_domain::{ManualClock, RandomTokens, SecretToken};
pub use convene_mailin::ListMailHandler;
pub use convene_store::list_messages;
pub use convene_store::lists::{self, ListRow};
pub use convene_store::testing::TestDb;
pub use std::sync::atomic::{AtomicUsize, Ordering};
pub use std::sync::{Arc, Mutex};
pub use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
pub use tokio::net::{TcpListener, TcpStream};

pub const FIXTURE: &[u8] = include_bytes!("../fixtures/thunderbird-multipart.eml");
pub const DOMAIN: &str = "groups.example.org";

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// A small SMTP server keeping what it receives. While `refuse_after` is
/// `n`, every DATA after the first `n` accepted ones gets a 451.
pub struct Sink {
    pub port: u16,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    pub refuse_after: Arc<AtomicUsize>,
    /// Recipients refused with a 450 at RCPT (a full or greylisting mailbox).
    pub refuse_rcpt: Arc<Mutex<Vec<String>>>,
    /// Once this many messages are in, DATA never answers (a process
    /// killed while it waits for the relay).
    pub stall_after: Arc<AtomicUsize>,
    /// How many DATA commands are hanging.
    pub stalled: Arc<AtomicUsize>,
}

impl Sink {
    pub fn inbox(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

pub async fn smtp_sink() -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let refuse_after = Arc::new(AtomicUsize::new(usize::MAX));
    let refuse_rcpt = Arc::new(Mutex::new(Vec::<String>::new()));
    let stall_after = Arc::new(AtomicUsize::new(usize::MAX));
    let stalled = Arc::new(AtomicUsize::new(0));
    let (store, limit, refused) = (inbox.clone(), refuse_after.clone(), refuse_rcpt.clone());
    let (stall, stalls) = (stall_after.clone(), stalled.clone());
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let (store, limit, refused) = (store.clone(), limit.clone(), refused.clone());
            let (stall, stalls) = (stall.clone(), stalls.clone());
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r);
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut cur = Received {
                    from: String::new(),
                    to: Vec::new(),
                    data: Vec::new(),
                };
                let mut line = Vec::new();
                loop {
                    line.clear();
                    if lines.read_until(b'\n', &mut line).await.unwrap() == 0 {
                        return;
                    }
                    let text = String::from_utf8_lossy(&line).to_string();
                    let upper = text.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        cur = Received {
                            from: text[10..]
                                .split_whitespace()
                                .next()
                                .unwrap_or("")
                                .to_owned(),
                            to: Vec::new(),
                            data: Vec::new(),
                        };
                        b"250 ok\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        let to = text[8..].trim().to_owned();
                        if refused.lock().unwrap().contains(&to) {
                            b"450 4.2.1 mailbox busy, try later\r\n"
                        } else {
                            cur.to.push(to);
                            b"250 ok\r\n"
                        }
                    } else if upper.starts_with("DATA") && cur.to.is_empty() {
                        // RFC 2920 3.1: with every RCPT refused, DATA is too
                        // (a pipelining client has already sent it).
                        b"554 5.5.1 no valid recipients\r\n"
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = Vec::new();
                        loop {
                            line.clear();
                            lines.read_until(b'\n', &mut line).await.unwrap();
                            if line == b".\r\n" {
                                break;
                            }
                            let unstuffed = if line.starts_with(b"..") {
                                &line[1..]
                            } else {
                                &line[..]
                            };
                            data.extend_from_slice(unstuffed);
                        }
                        let hang = store.lock().unwrap().len() >= stall.load(Ordering::SeqCst);
                        if hang {
                            stalls.fetch_add(1, Ordering::SeqCst);
                            std::future::pending::<()>().await;
                        }
                        let mut inbox = store.lock().unwrap();
                        if inbox.len() >= limit.load(Ordering::SeqCst) {
                            b"451 4.3.0 try again later\r\n"
                        } else {
                            cur.data = data;
                            inbox.push(cur.clone());
                            b"250 queued\r\n"
                        }
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    Sink {
        port,
        inbox,
        refuse_after,
        refuse_rcpt,
        stall_after,
        stalled,
    }
}

pub struct Env {
    pub _t: TestDb,
    pub svc: Services,
    pub clock: ManualClock,
    pub worker: Worker,
    pub sink: Sink,
    pub lmtp_port: u16,
    pub _stop: tokio::sync::watch::Sender<bool>,
}

pub async fn env() -> Env {
    let sink = smtp_sink().await;
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(
        DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    let svc = Services {
        db: t.db.clone(),
        clock: Arc::new(clock.clone()),
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: "Python Groups".into(),
            base_url: "https://groups.example.org/".parse().unwrap(),
            mail_from: format!("hub@{DOMAIN}"),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    };
    let worker = new_worker(&svc, sink.port);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lmtp_port = listener.local_addr().unwrap().port();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(convene_lmtp::serve(
        listener,
        Arc::new(ListMailHandler::new(svc.clone())),
        convene_lmtp::LmtpConfig {
            hostname: "lists.test".into(),
            max_message_bytes: 64 * 1024,
            ..Default::default()
        },
        stop_rx,
    ));
    Env {
        _t: t,
        svc,
        clock,
        worker,
        sink,
        lmtp_port,
        _stop: stop,
    }
}

/// A job worker sending through the sink on `port` (each one is like a
/// process of its own, with its own SMTP connection pool).
pub fn new_worker(svc: &Services, port: u16) -> Worker {
    new_worker_with_connections(svc, port, 1)
}

/// Like [`new_worker`], keeping up to `connections` open to the sink, so
/// that a fan-out sends that many copies at once.
pub fn new_worker_with_connections(svc: &Services, port: u16, connections: usize) -> Worker {
    let mailer =
        SmtpMailer::from_url_with_connections(&format!("smtp://127.0.0.1:{port}"), connections)
            .unwrap();
    Worker::new(
        JobContext {
            services: svc.clone(),
            mailer: Arc::new(mailer),
            fetcher: Arc::new(convene_app::net::Fetcher::new(
                convene_app::net::FetchPolicy::default(),
            )),
        },
        Registry::standard(),
        WorkerConfig::default(),
    )
}

impl Env {
    pub async fn organizers(&self) -> ListRow {
        let mut conn = self.svc.db.conn().await.unwrap();
        lists::by_name(conn.ex(), "organizers")
            .await
            .unwrap()
            .unwrap()
    }

    /// Subscribes `email`, confirmed and trusted to post. Returns the member token.
    pub async fn member(&self, email: &str) -> String {
        let list = self.organizers().await;
        let now = self.svc.clock.now();
        let token = new_member_token(self.svc.tokens.as_ref());
        let mut tx = self.svc.db.begin().await.unwrap();
        lists::request(
            tx.ex(),
            list.id,
            email,
            None,
            &format!("confirm-{email}"),
            now + Duration::days(1),
            &token,
            now,
        )
        .await
        .unwrap();
        let m = lists::member(tx.ex(), list.id, email)
            .await
            .unwrap()
            .unwrap();
        lists::confirm(tx.ex(), m.id, now).await.unwrap();
        lists::trust(tx.ex(), m.id, now).await.unwrap();
        tx.commit().await.unwrap();
        token
    }

    pub async fn sql(&self, sql: &'static str) {
        let mut tx = self.svc.db.begin().await.unwrap();
        convene_store::execute!(tx.ex(), sql).unwrap();
        tx.commit().await.unwrap();
    }

    pub async fn message_count(&self) -> i64 {
        let list = self.organizers().await;
        let mut conn = self.svc.db.conn().await.unwrap();
        list_messages::count_for_list(conn.ex(), list.id)
            .await
            .unwrap()
    }

    pub async fn stored(&self, id: i64) -> list_messages::ListMessageRow {
        let mut conn = self.svc.db.conn().await.unwrap();
        list_messages::by_id(conn.ex(), id).await.unwrap().unwrap()
    }

    pub async fn job_kinds(&self) -> Vec<String> {
        let mut conn = self.svc.db.conn().await.unwrap();
        convene_store::jobs::in_state(conn.ex(), "queued", 100)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect()
    }

    /// Sends `data` over LMTP from `from` to each of `rcpts`; returns the
    /// RCPT replies and the replies after DATA.
    pub async fn lmtp(
        &self,
        from: &str,
        rcpts: &[&str],
        data: &[u8],
    ) -> (Vec<String>, Vec<String>) {
        let stream = TcpStream::connect(("127.0.0.1", self.lmtp_port))
            .await
            .unwrap();
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let mut read = async || {
            let mut line = String::new();
            r.read_line(&mut line).await.unwrap();
            line.trim_end().to_owned()
        };
        assert!(read().await.starts_with("220"));
        w.write_all(b"LHLO mta.test\r\n").await.unwrap();
        while read().await.starts_with("250-") {}
        w.write_all(format!("MAIL FROM:<{from}>\r\n").as_bytes())
            .await
            .unwrap();
        assert!(read().await.starts_with("250"));
        let mut rcpt_replies = Vec::new();
        for rcpt in rcpts {
            w.write_all(format!("RCPT TO:<{rcpt}>\r\n").as_bytes())
                .await
                .unwrap();
            rcpt_replies.push(read().await);
        }
        let accepted = rcpt_replies.iter().filter(|r| r.starts_with("250")).count();
        let mut data_replies = Vec::new();
        if accepted > 0 {
            w.write_all(b"DATA\r\n").await.unwrap();
            assert!(read().await.starts_with("354"));
            let mut stuffed = Vec::new();
            for line in data.split_inclusive(|&b| b == b'\n') {
                if line.starts_with(b".") {
                    stuffed.push(b'.');
                }
                stuffed.extend_from_slice(line);
            }
            if !stuffed.ends_with(b"\r\n") {
                stuffed.extend_from_slice(b"\r\n");
            }
            stuffed.extend_from_slice(b".\r\n");
            w.write_all(&stuffed).await.unwrap();
            for _ in 0..accepted {
                data_replies.push(read().await);
            }
        }
        w.write_all(b"QUIT\r\n").await.unwrap();
        (rcpt_replies, data_replies)
    }
}

pub fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(raw).unwrap()
}

pub fn header<'a>(msg: &'a mail_parser::Message<'_>, name: &str) -> Vec<&'a str> {
    msg.headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

pub fn body_of(raw: &[u8]) -> &[u8] {
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &raw[at + 4..]
}

pub fn posted_id(a: &Accepted) -> i64 {
    match a {
        Accepted::Posted { message_row_id, .. } => *message_row_id,
        other => panic!("not posted: {other:?}"),
    }
}

pub async fn smtp_listener(e: &Env) -> (u16, tokio::sync::watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(convene_lmtp::serve(
        listener,
        Arc::new(ListMailHandler::new(e.svc.clone())),
        convene_lmtp::LmtpConfig {
            protocol: convene_lmtp::Protocol::Smtp,
            hostname: "lists.test".into(),
            max_message_bytes: 64 * 1024,
            ..Default::default()
        },
        stop_rx,
    ));
    (port, stop)
}

/// Sends `data` with Python's smtplib, a real SMTP client; returns what it
/// reports as JSON: `ok`, the server's extensions, and refusals.
/// True if Python 3 runs here (its smtplib is the real SMTP client of
/// some tests); otherwise prints why those tests skip.
pub fn python3_present(test: &str) -> bool {
    let present = std::process::Command::new("python3")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        eprintln!(
            "{test}: skipped the part sent with Python's smtplib: python3 is not installed (apt-get install python3)"
        );
    }
    present
}

pub async fn smtplib(port: u16, from: &str, rcpts: &[&str], data: &[u8]) -> serde_json::Value {
    const SCRIPT: &str = r#"
import json, smtplib, sys
port, sender, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
data = sys.stdin.buffer.read()
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("client.example.org")
out = {"exts": sorted(s.esmtp_features.keys())}
try:
    refused = s.sendmail(sender, rcpts, data)
    out.update(ok=True, refused={k: [v[0], v[1].decode()] for k, v in refused.items()})
except smtplib.SMTPRecipientsRefused as e:
    out.update(ok=False, refused={k: [v[0], v[1].decode()] for k, v in e.recipients.items()})
except smtplib.SMTPDataError as e:
    out.update(ok=False, code=e.smtp_code, text=e.smtp_error.decode())
s.quit()
print(json.dumps(out))
"#;
    let mut child = tokio::process::Command::new("python3")
        .args(["-c", SCRIPT, &port.to_string(), from, &rcpts.join(",")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(data).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "smtplib failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes `input` to the SMTP listener as it is and returns every reply
/// line until the server closes (the input should end with QUIT).
pub async fn smtp_raw(port: u16, input: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(input).await.unwrap();
    let mut out = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut out)
        .await
        .unwrap();
    out
}

pub fn reply_codes(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.as_bytes().get(3) == Some(&b' '))
        .map(|l| &l[..3])
        .collect()
}

impl Env {
    /// A coordinator account (who moderates the site's lists).
    pub async fn coordinator(&self, email: &str) {
        let now = self.svc.clock.now();
        let mut tx = self.svc.db.begin().await.unwrap();
        let id = convene_store::users::insert(
            tx.ex(),
            &convene_store::users::NewUser {
                email,
                display_name: "Cora Ordinator",
                password_hash: None,
                email_verified_at: Some(now),
                created_at: now,
            },
        )
        .await
        .unwrap();
        convene_store::grants::grant(
            tx.ex(),
            id,
            &convene_domain::Grant {
                role: convene_domain::Role::Coordinator,
                scope: convene_domain::Scope::Site,
            },
            None,
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Copies that reached `address` at the sink.
    pub fn mail_to(&self, address: &str) -> Vec<Vec<u8>> {
        self.sink
            .inbox()
            .into_iter()
            .filter(|r| r.to.contains(&format!("<{address}>")))
            .map(|r| r.data)
            .collect()
    }
}

/// True if `python3` with `modules` runs here. Otherwise prints why the
/// caller skips its independent check, or fails when
/// `CONVENE_REQUIRE_ORACLE=1` (CI), where the check must always run.
pub fn oracle_present(test: &str, modules: &[&str]) -> bool {
    let present = std::process::Command::new("python3")
        .args(["-c", &format!("import {}", modules.join(", "))])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() != Ok("1"),
            "CONVENE_REQUIRE_ORACLE=1 but python3 with {modules:?} is missing"
        );
        eprintln!(
            "{test}: skipped the check with Python ({}): not installed (python3 -m pip install ...)",
            modules.join(", ")
        );
    }
    present
}

/// Reads `message` with Python's own email package (an independent MIME
/// parser) and reports, as JSON: `counts` of From, Date and Message-ID
/// fields, `defects` found in any part, `longest` line in octets,
/// `bare_lf` (a LF not after a CR), and `parts`: each leaf part's
/// content type, transfer encoding and decoded text (or byte count).
pub fn python_reads(message: &[u8]) -> serde_json::Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
data = sys.stdin.buffer.read()
msg = email.message_from_bytes(data, policy=email.policy.compat32)
lines = data.split(b"\r\n")
out = {
    "counts": {h: len(msg.get_all(h) or []) for h in ("From", "Date", "Message-ID")},
    "date": msg.get("Date"),
    "message_id": msg.get("Message-ID"),
    "defects": [],
    "longest": max(len(l) for l in lines),
    "bare_lf": any(b"\n" in l for l in lines),
    "parts": [],
}
for part in msg.walk():
    out["defects"] += [type(d).__name__ for d in part.defects]
    if part.is_multipart() or part.get_content_type() == "message/rfc822":
        continue
    payload = part.get_payload(decode=True) or b""
    entry = {"type": part.get_content_type(), "cte": part.get("Content-Transfer-Encoding")}
    if part.get_content_maintype() == "text":
        entry["text"] = payload.decode(part.get_content_charset() or "ascii")
    else:
        entry["bytes"] = len(payload)
    out["parts"].append(entry)
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(message).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python's email package failed");
    serde_json::from_slice(&out.stdout).unwrap()
}
