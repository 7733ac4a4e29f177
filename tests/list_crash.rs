//! The crash test of the list fan-out, with the real binary: `convene
//! serve` takes a post by LMTP for a list of 2,000 members and relays the
//! copies to an SMTP sink run by the test; the process is killed with
//! SIGKILL half way, started again, and the sink then holds exactly one
//! copy for every member, except at most the copies the relay had taken
//! but the fan-out had not yet recorded at the instant of the kill: one
//! per relay connection (32 here, all of them mid-transaction when the
//! process dies).
//!
//! It runs on SQLite, or on a fresh PostgreSQL schema when
//! `CONVENE_TEST_DATABASE_URL` is set, like the rest of the suite.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration as Days, Utc};
use convene_store::testing::TestDb;
use convene_store::{Db, list_messages, lists};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MEMBERS: usize = 2_000;
const DOMAIN: &str = "groups.example.org";
/// Relay connections the fan-out uses (four times the default).
const CONNECTIONS: usize = 32;
/// Copies the relay may receive twice: those it had taken, or was
/// taking, when the process died, not yet recorded as sent.
const IN_FLIGHT_AT_KILL: usize = CONNECTIONS;

/// Counts, per address, the RCPTs and the copies accepted at DATA.
#[derive(Default)]
struct Counts {
    rcpts: HashMap<String, usize>,
    delivered: HashMap<String, usize>,
}

struct Sink {
    port: u16,
    counts: Arc<Mutex<Counts>>,
    total: Arc<AtomicUsize>,
}

fn smtp_sink() -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let counts = Arc::new(Mutex::new(Counts::default()));
    let total = Arc::new(AtomicUsize::new(0));
    let (c, t) = (counts.clone(), total.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (c, t) = (c.clone(), t.clone());
            std::thread::spawn(move || serve_sink(stream, &c, &t));
        }
    });
    Sink {
        port,
        counts,
        total,
    }
}

/// One relay connection; ends quietly when the client goes away.
fn serve_sink(stream: TcpStream, counts: &Mutex<Counts>, total: &AtomicUsize) -> Option<()> {
    let mut w = stream.try_clone().ok()?;
    let quick = stream.try_clone().ok()?;
    // This sink answers line by line; with delayed ACKs on its side, a
    // client's next write could wait 40 ms for an ACK. Acknowledging at
    // once keeps the sink from being what paces the test.
    let ack_at_once = || {
        let _ = socket2::SockRef::from(&quick).set_tcp_quickack(true);
    };
    let mut r = BufReader::new(stream);
    w.write_all(b"220 sink.test ESMTP\r\n").ok()?;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        ack_at_once();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") || upper.starts_with("RSET") {
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let address = line[8..].trim().trim_matches(['<', '>']).to_owned();
            *counts
                .lock()
                .unwrap()
                .rcpts
                .entry(address.clone())
                .or_default() += 1;
            to.push(address);
            b"250 ok\r\n"
        } else if upper.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").ok()?;
            loop {
                line.clear();
                ack_at_once();
                if r.read_line(&mut line).ok()? == 0 {
                    return None;
                }
                if line == ".\r\n" {
                    break;
                }
            }
            let mut c = counts.lock().unwrap();
            for address in to.drain(..) {
                *c.delivered.entry(address).or_default() += 1;
                total.fetch_add(1, Ordering::SeqCst);
            }
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n");
            return None;
        } else {
            b"250 ok\r\n"
        };
        w.write_all(reply).ok()?;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn member_address(i: usize) -> String {
    format!("member{i:04}@example.org")
}

/// 2,000 confirmed members of the organizers' list; the first may post.
async fn seed(db: &Db) {
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    let list = lists::by_name(tx.ex(), "organizers")
        .await
        .unwrap()
        .unwrap();
    for i in 0..MEMBERS {
        let email = member_address(i);
        lists::request(
            tx.ex(),
            list.id,
            &email,
            None,
            &format!("confirm{i}"),
            now + Days::days(1),
            &format!("{i:032x}"),
            now,
        )
        .await
        .unwrap();
        let m = lists::member(tx.ex(), list.id, &email)
            .await
            .unwrap()
            .unwrap();
        lists::confirm(tx.ex(), m.id, now).await.unwrap();
        if i == 0 {
            lists::trust(tx.ex(), m.id, now).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

struct Server {
    data: tempfile::TempDir,
    database_url: String,
    web: u16,
    lmtp: u16,
    relay: u16,
}

/// A running `convene serve`, killed when dropped (also when the test
/// fails half way).
struct Running(Child);

impl Running {
    /// SIGKILL: no shutdown, no cleanup.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Server {
    /// Starts `convene serve` and waits until it listens.
    fn start(&self) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_convene"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("CONVENE_DATA_DIR", self.data.path())
            .env("CONVENE_DATABASE_URL", &self.database_url)
            .env("CONVENE_LISTEN", format!("127.0.0.1:{}", self.web))
            .env("CONVENE_LMTP_LISTEN", format!("127.0.0.1:{}", self.lmtp))
            .env(
                "CONVENE_SMTP_URL",
                format!("smtp://127.0.0.1:{}", self.relay),
            )
            // Paced, so that the kill lands in the middle of the fan-out.
            .env("CONVENE_SMTP_MAX_PER_SECOND", "500")
            .env("CONVENE_SMTP_CONNECTIONS", CONNECTIONS.to_string())
            .env("CONVENE_MAIL_FROM", format!("hub@{DOMAIN}"))
            .env("CONVENE_BASE_URL", "https://groups.example.org/")
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let child = Running(child);
        let mut stdout = BufReader::new(stdout);
        let mut printed = String::new();
        while !printed.contains("listening on") {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "serve stopped: {printed}"
            );
            printed.push_str(&line);
        }
        // Keep reading stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut rest = Vec::new();
            let _ = stdout.read_to_end(&mut rest);
        });
        child
    }
}

/// Posts one message by LMTP and returns the reply after DATA.
fn post_by_lmtp(port: u16) -> String {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    let mut read = || {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        line.trim_end().to_owned()
    };
    assert!(read().starts_with("220"));
    w.write_all(b"LHLO mta.test\r\n").unwrap();
    while read().starts_with("250-") {}
    let from = member_address(0);
    write!(
        w,
        "MAIL FROM:<{from}>\r\nRCPT TO:<organizers@{DOMAIN}>\r\nDATA\r\n"
    )
    .unwrap();
    assert!(read().starts_with("250"));
    assert!(read().starts_with("250"));
    assert!(read().starts_with("354"));
    write!(
        w,
        "From: Member Zero <{from}>\r\nTo: organizers@{DOMAIN}\r\nSubject: Venues that worked\r\nMessage-ID: <crash-test@example.org>\r\n\r\nThe library's back room is free on Tuesdays.\r\n.\r\n"
    )
    .unwrap();
    let reply = read();
    w.write_all(b"QUIT\r\n").unwrap();
    reply
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_fan_out_killed_half_way_resumes_after_a_restart_and_every_member_gets_one_copy() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = rt.block_on(TestDb::new()).unwrap();
    rt.block_on(seed(&t.db));
    let database_url = match (&t.dir, &t.postgres) {
        (_, Some((url, schema))) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options%5Bsearch_path%5D={schema}")
        }
        (Some(dir), None) => format!("sqlite://{}", dir.path().join("convene.db").display()),
        (None, None) => unreachable!("a test database is SQLite or PostgreSQL"),
    };
    let sink = smtp_sink();
    let server = Server {
        data: tempfile::tempdir().unwrap(),
        database_url,
        web: free_port(),
        lmtp: free_port(),
        relay: sink.port,
    };

    let started = Instant::now();
    let mut first = server.start();
    let reply = post_by_lmtp(server.lmtp);
    assert_eq!(reply, format!("250 2.0.0 Accepted for {MEMBERS} members"));
    wait_until("a quarter of the copies", Duration::from_secs(30), || {
        sink.total.load(Ordering::SeqCst) >= MEMBERS / 4
    });
    first.kill();
    let killed_after = started.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let at_kill = sink.total.load(Ordering::SeqCst);
    assert!(
        at_kill < MEMBERS,
        "the kill must land during the fan-out (sent {at_kill} in {killed_after:?})"
    );

    // The job is still leased to the dead process's worker; the restarted
    // process sees that process is gone and takes the fan-out over at once
    // (not after the five-minute lease).
    let mut second = server.start();
    let restarted = Instant::now();
    wait_until("every copy", Duration::from_secs(40), || {
        let n = sink.total.load(Ordering::SeqCst);
        n >= MEMBERS
    });
    let finished = restarted.elapsed();
    let message = rt.block_on(async {
        let mut conn = t.db.conn().await.unwrap();
        let list = lists::by_name(conn.ex(), "organizers")
            .await
            .unwrap()
            .unwrap();
        list_messages::by_message_id(conn.ex(), list.id, "<crash-test@example.org>")
            .await
            .unwrap()
            .unwrap()
    });
    wait_until("the deliveries recorded", Duration::from_secs(10), || {
        let counts = rt.block_on(async {
            let mut conn = t.db.conn().await.unwrap();
            list_messages::count_deliveries(conn.ex(), message.id)
                .await
                .unwrap()
        });
        counts.queued == 0
    });
    // Anything still to come would be a copy too many.
    std::thread::sleep(Duration::from_millis(500));
    second.kill();

    let counts = sink.counts.lock().unwrap();
    let missing: Vec<String> = (0..MEMBERS)
        .map(member_address)
        .filter(|a| !counts.delivered.contains_key(a))
        .collect();
    assert!(missing.is_empty(), "never received: {missing:?}");
    assert_eq!(counts.delivered.len(), MEMBERS, "nobody else got a copy");
    let twice: Vec<(&String, &usize)> = counts.delivered.iter().filter(|(_, n)| **n > 1).collect();
    let extra: usize = twice.iter().map(|(_, n)| **n - 1).sum();
    assert!(
        extra <= IN_FLIGHT_AT_KILL,
        "copies beyond one per member: {twice:?} (killed after {at_kill})"
    );
    assert!(counts.rcpts.values().all(|n| *n <= 1 + IN_FLIGHT_AT_KILL));
    eprintln!(
        "killed after {at_kill} of {MEMBERS} copies; {} copies in all, {extra} twice; the restarted process finished in {:?}",
        sink.total.load(Ordering::SeqCst),
        finished
    );
}
