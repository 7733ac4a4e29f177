//! The `convene` binary as an operator uses it: help, configuration errors,
//! migrate, backup, the admin commands, and serve with a graceful stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn convene(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_convene"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONVENE_DATA_DIR", data)
        .env("RUST_LOG", "info");
    c
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["backup", "--help"],
        &["admin", "--help"],
        &["admin", "create-coordinator", "--help"],
        &["admin", "token", "--help"],
    ] {
        let (out, stdout, _) = run(convene(dir.path()).args(args));
        assert!(out.status.success(), "{args:?}");
        assert!(stdout.contains("Usage: convene"), "{args:?}: {stdout}");
    }
    let (_, stdout, _) = run(convene(dir.path()).args(["serve", "--help"]));
    for var in [
        "CONVENE_DATA_DIR",
        "CONVENE_LISTEN",
        "CONVENE_DATABASE_URL",
        "CONVENE_BASE_URL",
        "CONVENE_SMTP_URL",
        "CONVENE_LMTP_LISTEN",
        "CONVENE_SMTP_LISTEN",
        "CONVENE_HEADER_TIMEOUT",
        "CONVENE_CONFIG",
    ] {
        assert!(stdout.contains(var), "{var} missing from serve --help");
    }
}

#[test]
fn a_bad_setting_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(convene(dir.path())
        .env("CONVENE_LISTEN", "everywhere")
        .arg("serve"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("CONVENE_LISTEN=\"everywhere\""), "{stderr}");
    let (out, _, stderr) = run(convene(dir.path())
        .env("CONVENE_DATABASE_URL", "postgres://u:hunter2@[bad")
        .arg("migrate"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("CONVENE_DATABASE_URL") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("convene.db").exists(),
        "nothing was created"
    );
}

#[test]
fn migrate_backup_and_admin_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (out, stdout, stderr) = run(convene(&data).arg("migrate"));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("up to date"));
    assert!(data.join("convene.db").exists());

    let (out, stdout, stderr) =
        run(convene(&data).args(["admin", "create-coordinator", "cora@example.org"]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("cora@example.org is a coordinator"));
    assert!(
        stdout.contains("http://127.0.0.1:8080/password/reset/"),
        "{stdout}"
    );
    let (out, _, stderr) = run(convene(&data).args([
        "admin",
        "create-coordinator",
        "cora@example.org\r\nBcc: x@y.z",
    ]));
    assert!(!out.status.success());
    assert!(stderr.contains("line break"), "{stderr}");

    let (out, token, stderr) = run(convene(&data).args([
        "admin",
        "token",
        "cora@example.org",
        "--name",
        "deploy script",
    ]));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(token.trim().len(), 43, "{token}");
    assert!(stderr.contains("shown only once"));
    let (out, _, stderr) = run(convene(&data).args(["admin", "token", "nobody@example.org"]));
    assert!(!out.status.success());
    assert!(
        stderr.contains("no account with that email address"),
        "{stderr}"
    );

    let backup = dir.path().join("snapshot.db");
    let (out, stdout, stderr) = run(convene(&data).arg("backup").arg(&backup));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("consistent snapshot"));
    let header = std::fs::read(&backup).unwrap();
    assert!(header.starts_with(b"SQLite format 3\0"));
    let (out, _, stderr) = run(convene(&data).arg("backup").arg(&backup));
    assert!(!out.status.success());
    assert!(stderr.contains("already exists"), "{stderr}");

    // The snapshot is a working database: serve it and the coordinator is there.
    let (out, stdout, _) = run(convene(dir.path())
        .env(
            "CONVENE_DATABASE_URL",
            format!("sqlite://{}", backup.display()),
        )
        .args(["admin", "token", "cora@example.org"]));
    assert!(out.status.success());
    assert_eq!(stdout.trim().len(), 43);
}

#[test]
fn a_dkim_key_for_an_address_that_is_no_domain_comes_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The default base URL is http://127.0.0.1:8080/: no DNS zone to publish in.
    let (out, stdout, stderr) = run(convene(&data).args(["admin", "dkim-key"]));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Made a new DKIM key for 127.0.0.1"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "warning: 127.0.0.1 is not a domain name, so no receiver can look this record up."
        ),
        "{stderr}"
    );
    // With a real domain, no warning.
    let other = dir.path().join("other");
    let (out, stdout, stderr) = run(convene(&other)
        .env("CONVENE_BASE_URL", "https://groups.example.org/")
        .args(["admin", "dkim-key"]));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Made a new DKIM key for groups.example.org"),
        "{stdout}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, text))
}

#[cfg(unix)]
#[test]
fn serve_prints_the_set_up_link_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = convene(dir.path())
        .env("CONVENE_LISTEN", format!("127.0.0.1:{port}"))
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !printed.contains("listening on") && Instant::now() < deadline {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
    }
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}/setup/")),
        "{printed}"
    );
    let (status, _) = http_get(port, "/healthz").unwrap();
    assert_eq!(status, 200);
    let link = printed
        .split_whitespace()
        .find(|w| w.contains("/setup/"))
        .unwrap();
    let path = &link[link.find("/setup/").unwrap()..];
    let (status, page) = http_get(port, path).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("Set up this site"));

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(
        logs.contains("shutdown signal received") && logs.contains("stopped"),
        "{logs}"
    );

    // A second start on the same data prints a fresh link; the first no longer works.
    let mut child = convene(dir.path())
        .env("CONVENE_LISTEN", format!("127.0.0.1:{port}"))
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed2 = String::new();
    while !printed2.contains("listening on") {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed2.push_str(&line);
    }
    let (status, _) = http_get(port, path).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(printed2.contains("/setup/") && !printed2.contains(path));
    assert_eq!(status, 410);
}

/// Reads from `s` until the server closes the connection (or `limit`
/// passes), returning what was read and when the close came.
fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, Option<Duration>) {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match s.read(&mut buf) {
            Ok(0) => {
                return (
                    String::from_utf8_lossy(&got).into_owned(),
                    Some(start.elapsed()),
                );
            }
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                return (
                    String::from_utf8_lossy(&got).into_owned(),
                    Some(start.elapsed()),
                );
            }
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), None)
}

/// Slow clients cannot hold the server's sockets: a connection that sends
/// half a request line, or nothing, or stays idle after an answer, is
/// closed after CONVENE_HEADER_TIMEOUT, while other clients are answered
/// all along.
#[test]
fn slow_and_idle_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = convene(dir.path())
        .env("CONVENE_LISTEN", format!("127.0.0.1:{port}"))
        .env("CONVENE_HEADER_TIMEOUT", "2")
        .env("CONVENE_WORKERS", "0")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("listening on") {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
    }
    assert!(printed.contains("listening on"), "{printed}");

    // Two hundred clients that send half a request line, and one that sends nothing.
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET /liv").unwrap();
            s
        })
        .collect();
    let mut silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // One that asks once, keeps the connection alive and then says nothing.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        idle,
        "GET /livez HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let opened = Instant::now();

    // Meanwhile everyone else is answered, again and again.
    while opened.elapsed() < Duration::from_millis(1500) {
        let (status, body) = http_get(port, "/livez").unwrap();
        assert_eq!(status, 200, "{body}");
        std::thread::sleep(Duration::from_millis(100));
    }

    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed.is_some(), "an idle kept-alive connection is closed");
    assert!(
        opened.elapsed() >= Duration::from_secs(2) && opened.elapsed() < Duration::from_secs(8),
        "closed after {:?}",
        opened.elapsed()
    );
    let (said, closed) = read_until_closed(&mut silent, Duration::from_secs(5));
    assert!(closed.is_some(), "a silent connection is closed");
    assert!(!said.contains("200 OK"), "{said}");
    for s in &mut slow {
        let (said, closed) = read_until_closed(s, Duration::from_secs(5));
        assert!(
            closed.is_some(),
            "a connection with half a request line is closed"
        );
        // Whatever is said before closing, it is never an answer to the half request.
        assert!(!said.contains("200 OK"), "{said}");
    }
    assert!(opened.elapsed() < Duration::from_secs(12));
    // And the server still answers.
    let (status, _) = http_get(port, "/livez").unwrap();
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
