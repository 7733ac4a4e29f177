//! DKIM with the real binary: `convene admin dkim-key` makes the key and
//! prints the DNS record; `convene serve` takes a post by LMTP and a
//! `-join` request, and relays the list copies and the confirmation mail
//! to Postfix's smtp-sink, which writes each to a file. Each is checked
//! with Python's dkimpy, whose DNS lookups are answered with the record
//! the command printed. Bad input: a key file that is not a key is refused
//! by the command with the reason and nothing changes; a broken stored key
//! stops `convene serve` at start-up with the reason.
//!
//! Skips with a notice where smtp-sink or python3 with dkimpy is missing,
//! unless `CONVENE_REQUIRE_ORACLE=1` (CI). SQLite, or a fresh PostgreSQL
//! schema when `CONVENE_TEST_DATABASE_URL` is set.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration as Days, Utc};
use convene_store::testing::TestDb;
use convene_store::{Db, lists, settings};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DOMAIN: &str = "groups.example.org";
const FOOTER: &str = "--\nOrganizers list: https://groups.example.org/lists/organizers";
/// The header fields RFC 8058 §4 and the issue ask to be covered.
const MUST_SIGN: [&str; 7] = [
    "from",
    "subject",
    "date",
    "message-id",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
];

fn require_oracle() -> bool {
    std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() == Ok("1")
}

fn tools_present() -> bool {
    let dkimpy = Command::new("python3")
        .args(["-c", "import dkim"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let sink = Command::new("sh")
        .args(["-c", "command -v smtp-sink || test -x /usr/sbin/smtp-sink"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !(dkimpy && sink) {
        assert!(
            !require_oracle(),
            "CONVENE_REQUIRE_ORACLE=1 but python3 with dkimpy or Postfix's smtp-sink is missing"
        );
        eprintln!(
            "list_dkim: skipped: needs python3 with dkimpy (python3 -m pip install dkimpy) and smtp-sink (apt-get install postfix)"
        );
    }
    dkimpy && sink
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process this test started, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Postfix's smtp-sink on `port`, writing each message it takes to a file
/// in `dir`.
fn smtp_sink(dir: &Path, port: u16) -> Running {
    let program = if Path::new("/usr/sbin/smtp-sink").exists() {
        "/usr/sbin/smtp-sink"
    } else {
        "smtp-sink"
    };
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let mut cmd = Command::new(program);
    if root {
        // smtp-sink drops root; the files are written as nobody.
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        cmd.args(["-u", "nobody"]);
    }
    let child = cmd
        .arg("-d")
        .arg(format!("{}/copy.", dir.display()))
        .arg(format!("127.0.0.1:{port}"))
        .arg("20")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "smtp-sink did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Running(child)
}

/// The messages smtp-sink wrote, as they were received (its files use LF;
/// the wire used CRLF).
fn sunk(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let mut crlf = Vec::with_capacity(bytes.len() + bytes.len() / 30);
        for &b in &bytes {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        out.push(crlf);
    }
    out
}

struct Site {
    data: tempfile::TempDir,
    database_url: String,
}

impl Site {
    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_convene"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("CONVENE_DATA_DIR", self.data.path())
            .env("CONVENE_DATABASE_URL", &self.database_url)
            .env("CONVENE_MAIL_FROM", format!("hub@{DOMAIN}"))
            .env("CONVENE_BASE_URL", "https://groups.example.org/");
        cmd
    }

    /// Starts `convene serve` relaying to `relay`; waits until it listens.
    fn serve(&self, web: u16, lmtp: u16, relay: u16) -> Running {
        let mut child = self
            .command()
            .env("CONVENE_LISTEN", format!("127.0.0.1:{web}"))
            .env("CONVENE_LMTP_LISTEN", format!("127.0.0.1:{lmtp}"))
            .env("CONVENE_SMTP_URL", format!("smtp://127.0.0.1:{relay}"))
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
        std::thread::spawn(move || {
            let mut rest = Vec::new();
            let _ = stdout.read_to_end(&mut rest);
        });
        child
    }
}

/// Sends `message` by LMTP from `from` to `to`; returns the reply after DATA.
fn lmtp(port: u16, from: &str, to: &str, message: &str) -> String {
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
    write!(w, "MAIL FROM:<{from}>\r\nRCPT TO:<{to}>\r\nDATA\r\n").unwrap();
    assert!(read().starts_with("250"));
    assert!(read().starts_with("250"));
    assert!(read().starts_with("354"));
    write!(w, "{message}.\r\n").unwrap();
    let reply = read();
    w.write_all(b"QUIT\r\n").unwrap();
    reply
}

async fn seed(db: &Db) {
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    let list = lists::by_name(tx.ex(), "organizers")
        .await
        .unwrap()
        .unwrap();
    for (i, email) in ["zoe@example.org", "ann@example.net"].iter().enumerate() {
        lists::request(
            tx.ex(),
            list.id,
            email,
            None,
            &format!("confirm{i}"),
            now + Days::days(1),
            &format!("{i:032x}"),
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
    }
    convene_store::execute!(
        tx.ex(),
        "UPDATE lists SET footer = $1 WHERE name = 'organizers'",
        FOOTER
    )
    .unwrap();
    tx.commit().await.unwrap();
}

/// The record's text from the zone file line the command printed: the
/// quoted strings between the parentheses, joined.
fn record_from(printed: &str) -> (String, String) {
    let line = printed
        .lines()
        .find(|l| l.contains("._domainkey.") && l.contains(" IN TXT ("))
        .unwrap_or_else(|| panic!("no TXT record printed: {printed}"));
    let name = line.split_whitespace().next().unwrap().to_owned();
    let inside = &line[line.find('(').unwrap() + 1..line.rfind(')').unwrap()];
    let text: String = inside
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    (name, text)
}

/// dkimpy's verdict on `message`, its DNS lookups answered with `record`
/// for `name` only; also the names it asked for.
fn dkimpy_verifies(message: &[u8], name: &str, record: &str) -> (bool, Vec<String>) {
    const SCRIPT: &str = r#"
import dkim, json, sys
name, record = sys.argv[1], sys.argv[2].encode()
asked = []
def dns(qname, timeout=5):
    qname = qname.decode() if isinstance(qname, bytes) else qname
    asked.append(qname)
    return record if qname == name else None
ok = dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns)
print(json.dumps({"ok": bool(ok), "asked": asked}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT, name, record])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "dkimpy failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["ok"].as_bool().unwrap(),
        v["asked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect(),
    )
}

/// The field names in the `h=` tag of the message's DKIM-Signature.
fn signed_fields(message: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(message);
    let start = text.find("DKIM-Signature:").expect("a DKIM-Signature");
    let mut field = String::new();
    for (i, line) in text[start..].split("\r\n").enumerate() {
        if i > 0 && !line.starts_with([' ', '\t']) {
            break;
        }
        field.push_str(line.trim());
    }
    let h = field
        .split(';')
        .map(str::trim)
        .find_map(|t| t.strip_prefix("h="))
        .unwrap();
    h.split(':')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn list_copies_and_site_mail_are_signed_and_verify_against_the_printed_record() {
    if !tools_present() {
        return;
    }
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
    let site = Site {
        data: tempfile::tempdir().unwrap(),
        database_url,
    };
    let stored = |t: &TestDb| {
        rt.block_on(async {
            let mut conn = t.db.conn().await.unwrap();
            settings::get(conn.ex(), &format!("dkim:{DOMAIN}"))
                .await
                .unwrap()
        })
    };

    // The key is made, and its record printed.
    let out = site.command().args(["admin", "dkim-key"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.starts_with(&format!(
            "Made a new DKIM key for {DOMAIN} (selector \"convene\")."
        )),
        "{printed}"
    );
    let (name, record) = record_from(&printed);
    assert_eq!(name, format!("convene._domainkey.{DOMAIN}."));
    assert!(record.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN"), "{record}");
    assert!(
        printed.contains(&format!("\n{record}\n")),
        "the one-line value too"
    );
    let key = stored(&t).expect("the key is stored");

    // Asked again, the same key and record.
    let out = site.command().args(["admin", "dkim-key"]).output().unwrap();
    let again = String::from_utf8(out.stdout).unwrap();
    assert!(
        again.starts_with(&format!("{DOMAIN} already has a DKIM key")),
        "{again}"
    );
    assert_eq!(record_from(&again).1, record);

    // Bad input: the public half opendkim-genkey writes next to the key
    // (a common mix-up), and a file that is not even text. Refused with
    // the reason; the stored key does not change.
    let public_half = site.data.path().join("convene.txt");
    std::fs::write(
        &public_half,
        "convene._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\" )  ; ----- DKIM key convene for groups.example.org\n",
    )
    .unwrap();
    let binary = site.data.path().join("key.der");
    std::fs::write(&binary, [0x30u8, 0x82, 0x04, 0xa4, 0xff, 0xfe, 0x00]).unwrap();
    for (file, says) in [
        (&public_half, "this is not a private key in PEM form"),
        (
            &binary,
            "this is not a private key in PEM form (it is not even text)",
        ),
    ] {
        let out = site
            .command()
            .args(["admin", "dkim-key", "--import"])
            .arg(file)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{}: {says}", file.display())),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "no record printed");
        assert_eq!(stored(&t).as_deref(), Some(key.as_str()), "the key is kept");
    }

    // A post and a join request go through the running server.
    let dumps = tempfile::tempdir().unwrap();
    let relay = free_port();
    let _sink = smtp_sink(dumps.path(), relay);
    let lmtp_port = free_port();
    let server = site.serve(free_port(), lmtp_port, relay);
    let reply = lmtp(
        lmtp_port,
        "zoe@example.org",
        &format!("organizers@{DOMAIN}"),
        &format!(
            "From: =?UTF-8?Q?Zo=C3=AB_Ng?= <zoe@example.org>\r\nTo: organizers@{DOMAIN}\r\nSubject: Venues that worked\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMessage-ID: <dkim-test@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe library's back room is free on Tuesdays. Grüße!\r\n"
        ),
    );
    assert_eq!(reply, "250 2.0.0 Accepted for 2 members");
    let reply = lmtp(
        lmtp_port,
        "olu@example.com",
        &format!("organizers-join@{DOMAIN}"),
        "From: olu@example.com\r\nSubject: join\r\nMessage-ID: <join@example.com>\r\n\r\n\r\n",
    );
    assert_eq!(reply, "250 2.0.0 Confirmation link sent");
    let started = Instant::now();
    while sunk(dumps.path()).len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {} messages reached the sink",
            sunk(dumps.path()).len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // smtp-sink writes each file as the message arrives: wait until they
    // stop growing.
    let mut sizes = Vec::new();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let now: Vec<usize> = sunk(dumps.path()).iter().map(Vec::len).collect();
        if now == sizes {
            break;
        }
        sizes = now;
    }
    drop(server);
    let messages = sunk(dumps.path());
    assert_eq!(messages.len(), 3);
    let mut copies = 0;
    for message in &messages {
        let text = String::from_utf8_lossy(message);
        let (ok, asked) = dkimpy_verifies(message, &name, &record);
        assert!(ok, "dkimpy does not verify:\n{text}");
        assert_eq!(
            asked,
            std::slice::from_ref(&name),
            "looked up the printed name"
        );
        let fields = signed_fields(message);
        if text.contains("List-Id:") && text.contains("Subject: [organizers] Venues") {
            copies += 1;
            for must in MUST_SIGN {
                assert!(
                    fields.iter().any(|f| f == must),
                    "{must} not in h={fields:?}"
                );
            }
            assert!(
                text.contains("Organizers list: https://groups.example.org/lists/organizers"),
                "the footer is signed with the rest"
            );
        } else {
            assert!(text.contains("To: olu@example.com"), "{text}");
            for must in ["from", "subject", "date", "message-id", "to"] {
                assert!(
                    fields.iter().any(|f| f == must),
                    "{must} not in h={fields:?}"
                );
            }
        }
        // A changed copy no longer verifies: the check can fail.
        let tampered = text.replacen("Subject: ", "Subject: Re: ", 1);
        assert!(!dkimpy_verifies(tampered.as_bytes(), &name, &record).0);
    }
    assert_eq!(copies, 2);

    // A stored key that cannot be read stops the server at start-up.
    rt.block_on(async {
        let mut conn = t.db.conn().await.unwrap();
        settings::set(
            conn.ex(),
            &format!("dkim:{DOMAIN}"),
            r#"{"selector":"convene","private_key_pem":"-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n"}"#,
        )
        .await
        .unwrap();
    });
    let mut child = site
        .command()
        .env("CONVENE_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("CONVENE_SMTP_URL", format!("smtp://127.0.0.1:{relay}"))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("serve started with a broken DKIM key");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains(&format!(
            "the DKIM key stored for {DOMAIN} cannot be used: this is not a usable RSA private key"
        )),
        "{stderr}"
    );
    assert_eq!(sunk(dumps.path()).len(), 3, "nothing more was sent");
}
