//! The relay client against Postfix's `smtp-sink` (a real SMTP server that
//! offers PIPELINING): thousands of copies over a few connections all
//! arrive. Skipped, with a notice, where smtp-sink is not installed
//! (Debian: `apt-get install postfix`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use convene_relay::{Envelope, RecipientOutcome, Relay, RelayConfig};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SMTP_SINK: &str = "/usr/sbin/smtp-sink";

/// smtp-sink on a loopback port, appending every transaction to a dump
/// file; stopped when dropped.
struct Sink {
    child: Child,
    port: u16,
    dump: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    fn start() -> Option<Sink> {
        if !Path::new(SMTP_SINK).exists() {
            eprintln!("skipped: {SMTP_SINK} is not installed (Debian: apt-get install postfix)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        // smtp-sink drops root privileges, and then writes its dump.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dump = dir.path().join("sink.dump");
        let mut cmd = Command::new(SMTP_SINK);
        if is_root() {
            cmd.args(["-u", "nobody"]);
        }
        let child = cmd
            .arg("-D")
            .arg(&dump)
            .arg(format!("127.0.0.1:{port}"))
            .arg("1024")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "smtp-sink did not start listening"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Sink {
            child,
            port,
            dump,
            _dir: dir,
        })
    }

    /// The dump so far.
    fn dump(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.dump).unwrap_or_default()).into_owned()
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[tokio::test]
async fn two_thousand_copies_over_four_connections_all_arrive_at_smtp_sink() {
    let Some(sink) = Sink::start() else {
        return;
    };
    const COPIES: usize = 2000;
    let relay = Arc::new(Relay::new(
        RelayConfig::from_url(&format!("smtp://127.0.0.1:{}", sink.port)).unwrap(),
        4,
    ));
    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..COPIES {
        let relay = relay.clone();
        sends.spawn(async move {
            let envelope = Envelope::new(
                &format!("bench-list-bounces+t{i}@lists.example.org"),
                &[format!("member-{i}@sink.example.net")],
            )
            .unwrap();
            let message = format!(
                "From: poster@example.org\r\nTo: bench-list@lists.example.org\r\nSubject: copy {i}\r\n\r\n.a dotted line\r\nBody of copy {i}.\r\n"
            );
            relay.send(&envelope, message.as_bytes()).await
        });
    }
    while let Some(done) = sends.join_next().await {
        let sent = done.unwrap().unwrap();
        assert_eq!(sent.outcomes, vec![RecipientOutcome::Accepted]);
    }
    let took = started.elapsed();
    eprintln!(
        "{COPIES} copies over 4 connections into smtp-sink in {:.2} s ({:.0} copies/s, debug build)",
        took.as_secs_f64(),
        COPIES as f64 / took.as_secs_f64()
    );
    relay.close().await;

    // The sink appends to its dump as each transaction ends.
    let started = Instant::now();
    let mut dump = sink.dump();
    while dump.matches("X-Rcpt-Args: ").count() < COPIES
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
        dump = sink.dump();
    }
    assert_eq!(dump.matches("X-Rcpt-Args: ").count(), COPIES);
    for i in [0, 999, COPIES - 1] {
        assert!(
            dump.contains(&format!("X-Rcpt-Args: <member-{i}@sink.example.net>")),
            "member-{i}"
        );
        assert!(
            dump.contains(&format!(
                "\nSubject: copy {i}\r\n\r\n.a dotted line\r\nBody of copy {i}.\r\n"
            )) || dump.contains(&format!(
                "\nSubject: copy {i}\n\n.a dotted line\nBody of copy {i}.\n"
            )),
            "copy {i}'s body"
        );
    }
}
