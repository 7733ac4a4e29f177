//! Mail goes out through a real SMTP conversation: a small SMTP sink listens
//! on a loopback port, the job sends through lettre, and the message that
//! arrives is read back with a real MIME parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use convene_app::jobs::{JobContext, Outcome, Registry, Worker, WorkerConfig};
use convene_app::mail::{MailError, Mailer, SmtpMailer, queue_email, templates};
use convene_app::{Services, SiteInfo};
use convene_domain::{ManualClock, RandomTokens};
use convene_store::testing::TestDb;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the sink received it.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// A minimal SMTP server: answers EHLO/MAIL/RCPT/DATA/RSET/QUIT and keeps
/// what it receives. `fail_first` answers the first DATA with a 451;
/// `full@…` is refused with a 452 and `gone@…` with a 550 at RCPT.
async fn smtp_sink(fail_first: bool) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let (port, inbox, _) = smtp_sink_logged(fail_first).await;
    (port, inbox)
}

/// [`smtp_sink`], also keeping every command line it reads.
async fn smtp_sink_logged(
    fail_first: bool,
) -> (u16, Arc<Mutex<Vec<Received>>>, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let commands = Arc::new(Mutex::new(Vec::new()));
    let failed_once = Arc::new(Mutex::new(!fail_first));
    let store = inbox.clone();
    let log = commands.clone();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let store = store.clone();
            let log = log.clone();
            let failed_once = failed_once.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r);
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut cur = Received {
                    from: String::new(),
                    to: Vec::new(),
                    data: Vec::new(),
                };
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap() == 0 {
                        return;
                    }
                    log.lock().unwrap().push(line.trim_end().to_owned());
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        cur.from = line[10..].trim().to_owned();
                        cur.to.clear();
                        b"250 ok\r\n"
                    } else if upper.starts_with("RCPT TO:<FULL@") {
                        b"452 4.2.2 mailbox full\r\n"
                    } else if upper.starts_with("RCPT TO:<GONE@") {
                        b"550 5.1.1 no such user\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        cur.to.push(line[8..].trim().to_owned());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") && cur.to.is_empty() {
                        b"554 5.5.1 no valid recipients\r\n"
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = Vec::new();
                        loop {
                            line.clear();
                            lines.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            data.extend_from_slice(
                                line.strip_prefix('.')
                                    .filter(|_| line.starts_with(".."))
                                    .unwrap_or(&line)
                                    .as_bytes(),
                            );
                        }
                        let mut ok = failed_once.lock().unwrap();
                        if *ok {
                            cur.data = data;
                            store.lock().unwrap().push(cur.clone());
                            b"250 queued\r\n"
                        } else {
                            *ok = true;
                            b"451 try again later\r\n"
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
    (port, inbox, commands)
}

async fn setup(port: u16) -> (TestDb, Services, Worker) {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(
        DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    let svc = Services {
        db: t.db.clone(),
        clock: Arc::new(clock),
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: "Python Groups".into(),
            base_url: "https://groups.example.org/".parse().unwrap(),
            mail_from: "hub@groups.example.org".into(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    };
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let worker = Worker::new(
        JobContext {
            services: svc.clone(),
            mailer: Arc::new(mailer),
            fetcher: std::sync::Arc::new(convene_app::net::Fetcher::new(
                convene_app::net::FetchPolicy {
                    allow_private: true,
                    ..Default::default()
                },
            )),
        },
        Registry::standard(),
        WorkerConfig::default(),
    );
    (t, svc, worker)
}

#[tokio::test]
async fn an_invitation_email_arrives_with_text_and_html_parts() {
    let (port, inbox) = smtp_sink(false).await;
    let (_t, svc, worker) = setup(port).await;
    let mut tx = svc.db.begin().await.unwrap();
    let body = templates::invitation(
        "Python Groups",
        "Zoë Ng",
        "an organizer of the group pug-lagos",
        "https://groups.example.org/invitations/abc",
        "2026-12-03 12:00 UTC",
    );
    queue_email(&mut tx, &svc, "olu@example.org", Some("Olú Àdìsá"), body)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        inbox.lock().unwrap().is_empty(),
        "nothing is sent before the job runs"
    );
    let ran = worker.drain().await.unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].1, Outcome::Done);

    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "<hub@groups.example.org>");
    assert_eq!(got[0].to, vec!["<olu@example.org>".to_owned()]);
    let msg = mail_parser::MessageParser::default()
        .parse(&got[0].data)
        .unwrap();
    assert_eq!(
        msg.subject(),
        Some("Zoë Ng invites you to be an organizer of the group pug-lagos on Python Groups")
    );
    let to = msg.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Olú Àdìsá"));
    assert_eq!(to.address(), Some("olu@example.org"));
    assert!(msg.message_id().unwrap().ends_with("@groups.example.org"));
    assert!(
        msg.body_text(0)
            .unwrap()
            .contains("https://groups.example.org/invitations/abc")
    );
    assert!(
        msg.body_html(0)
            .unwrap()
            .contains("href=\"https://groups.example.org/invitations/abc\"")
    );
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_with_the_same_message_id() {
    let (port, inbox) = smtp_sink(true).await;
    let (_t, svc, worker) = setup(port).await;
    let mut tx = svc.db.begin().await.unwrap();
    queue_email(
        &mut tx,
        &svc,
        "ada@example.org",
        None,
        templates::magic_link(
            "Python Groups",
            "Ada",
            "https://groups.example.org/signin/link/x",
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let first = worker.drain().await.unwrap();
    assert_eq!(first[0].1, Outcome::Retrying);
    assert!(inbox.lock().unwrap().is_empty());
    // Move past the backoff and run again: the same message arrives once.
    let clock = svc.clock.clone();
    let _ = clock;
    let mut conn = svc.db.conn().await.unwrap();
    let job = convene_store::jobs::by_id(conn.ex(), first[0].0)
        .await
        .unwrap()
        .unwrap();
    assert!(job.last_error.unwrap().contains("451"));
    drop(conn);
    // Re-run by making the job due now.
    let mut tx = svc.db.begin().await.unwrap();
    convene_store::execute!(
        tx.ex(),
        "UPDATE jobs SET run_at = $1 WHERE id = $2",
        job.created_at,
        job.id
    )
    .unwrap();
    tx.commit().await.unwrap();
    let second = worker.drain().await.unwrap();
    assert_eq!(second[0].1, Outcome::Done);
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let msg = mail_parser::MessageParser::default()
        .parse(&got[0].data)
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap();
    assert_eq!(
        format!("<{}>", msg.message_id().unwrap()),
        payload["email"]["message_id"].as_str().unwrap()
    );
}

fn permanent(r: Result<(), MailError>) -> String {
    match r {
        Err(MailError::Permanent(why)) => why,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_list_copy_arrives_byte_for_byte_with_its_own_envelope() {
    let (port, inbox, commands) = smtp_sink_logged(false).await;
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let copy: &[u8] = b"From: Ann <ann@example.org>\r\nSubject: [pug] dots\r\n\r\n.\r\n..two\r\n.leading dot\r\nlast line\r\n";
    mailer
        .send_raw("pug-bounces+t1@lists.example.org", "bob@example.net", copy)
        .await
        .unwrap();
    mailer
        .send_raw("pug-bounces+t2@lists.example.org", "cy@example.net", copy)
        .await
        .unwrap();
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].data, copy);
    assert_eq!(got[1].data, copy);
    assert_eq!(got[0].from, "<pug-bounces+t1@lists.example.org>");
    assert_eq!(got[1].to, vec!["<cy@example.net>".to_owned()]);
    let commands = commands.lock().unwrap();
    assert_eq!(
        commands.iter().filter(|c| c.starts_with("EHLO")).count(),
        1,
        "both copies went over one connection: {commands:?}"
    );
    assert!(!commands.iter().any(|c| c == "NOOP"), "{commands:?}");
}

#[tokio::test]
async fn a_refused_recipient_is_a_temporary_or_permanent_failure_as_the_relay_said() {
    let (port, inbox, _) = smtp_sink_logged(false).await;
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let copy = b"Subject: x\r\n\r\nbody\r\n";
    match mailer
        .send_raw("b@lists.example.org", "full@example.net", copy)
        .await
    {
        Err(MailError::Transient(why)) => assert_eq!(
            why,
            "the relay refused full@example.net: 452 4.2.2 mailbox full"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        permanent(
            mailer
                .send_raw("b@lists.example.org", "gone@example.net", copy)
                .await
        ),
        "the relay refused gone@example.net: 550 5.1.1 no such user"
    );
    assert!(inbox.lock().unwrap().is_empty());
    // The connection is still good for the next copy.
    mailer
        .send_raw("b@lists.example.org", "ok@example.net", copy)
        .await
        .unwrap();
    assert_eq!(inbox.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_relay_url_with_a_bad_scheme_or_port_is_refused_with_the_reason() {
    for (url, why) in [
        (
            "http://127.0.0.1:25",
            "bad relay URL: the scheme \"http\" is not smtp or smtps",
        ),
        (
            "smtp://127.0.0.1:0",
            "bad relay URL: port 0 cannot be connected to",
        ),
        (
            "smtp://127.0.0.1:70000",
            "bad relay URL: \"smtp://127.0.0.1:70000\": invalid port number",
        ),
        (
            "smtp://127.0.0.1?tls=sometimes",
            "bad relay URL: tls=\"sometimes\" is not one of required or opportunistic",
        ),
    ] {
        match SmtpMailer::from_url_with_connections(url, 8) {
            Err(MailError::Permanent(got)) => assert_eq!(got, why, "{url}"),
            Err(other) => panic!("{url}: {other:?}"),
            Ok(_) => panic!("{url} was taken"),
        }
    }
}

#[tokio::test]
async fn an_address_with_a_line_break_or_unicode_without_smtputf8_is_refused_and_nothing_sent() {
    let (port, inbox, commands) = smtp_sink_logged(false).await;
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let copy = b"Subject: x\r\n\r\nbody\r\n";
    assert_eq!(
        permanent(
            mailer
                .send_raw(
                    "b@lists.example.org",
                    "ann@example.net\r\nRCPT TO:<eve@evil.example>",
                    copy
                )
                .await
        ),
        "bad address \"ann@example.net\\r\\nRCPT TO:<eve@evil.example>\": it contains a line break"
    );
    assert_eq!(
        permanent(
            mailer
                .send_raw("b@lists.example.org\n", "ann@example.net", copy)
                .await
        ),
        "bad address \"b@lists.example.org\\n\": it contains a line break"
    );
    assert!(
        commands.lock().unwrap().is_empty(),
        "no connection was even opened"
    );
    // This relay does not offer SMTPUTF8: the copy is refused before MAIL.
    assert_eq!(
        permanent(
            mailer
                .send_raw("b@lists.example.org", "zoë@example.net", copy)
                .await
        ),
        "an address is not ASCII and the relay does not offer SMTPUTF8"
    );
    let commands = commands.lock().unwrap().clone();
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("MAIL") || c.starts_with("RCPT")),
        "{commands:?}"
    );
    assert!(inbox.lock().unwrap().is_empty());
}

#[tokio::test]
async fn identical_copies_for_several_recipients_go_in_one_transaction_with_an_answer_each() {
    let (port, inbox, commands) = smtp_sink_logged(false).await;
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let copy: &[u8] = b"Subject: the weekly\r\n\r\nSame for all.\r\n";
    let to = [
        "ann@example.net".to_owned(),
        "gone@example.net".to_owned(),
        "full@example.net".to_owned(),
        "bob@example.net".to_owned(),
    ];
    let outcomes = mailer
        .send_raw_many("weekly-bounces@groups.example.org", &to, copy)
        .await;
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes[0].is_ok() && outcomes[3].is_ok(), "{outcomes:?}");
    assert!(
        matches!(&outcomes[1], Err(MailError::Permanent(w)) if w == "the relay refused gone@example.net: 550 5.1.1 no such user"),
        "{outcomes:?}"
    );
    assert!(
        matches!(&outcomes[2], Err(MailError::Transient(w)) if w == "the relay refused full@example.net: 452 4.2.2 mailbox full"),
        "{outcomes:?}"
    );
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one transaction");
    assert_eq!(
        got[0].to,
        vec![
            "<ann@example.net>".to_owned(),
            "<bob@example.net>".to_owned()
        ]
    );
    assert_eq!(got[0].data, copy);
    assert_eq!(
        commands
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.starts_with("MAIL"))
            .count(),
        1
    );

    // A bad address among them: nobody is sent anything.
    let bad = ["ann@example.net".to_owned(), "eve@x\r\nDATA".to_owned()];
    let outcomes = mailer
        .send_raw_many("weekly-bounces@groups.example.org", &bad, copy)
        .await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Err(MailError::Permanent(w)) if w.contains("line break"))),
        "{outcomes:?}"
    );
    assert_eq!(inbox.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_signed_copy_for_several_recipients_is_signed_once_and_sent_once() {
    use convene_app::mail::SigningMailer;
    use convene_app::mail::dkim::{DkimKey, setting_name};
    let (port, inbox, commands) = smtp_sink_logged(false).await;
    let t = TestDb::new().await.unwrap();
    let key = DkimKey::generate("groups.example.org", "convene1").unwrap();
    {
        let mut conn = t.db.conn().await.unwrap();
        convene_store::settings::set(
            conn.ex(),
            &setting_name("groups.example.org"),
            &key.to_setting(),
        )
        .await
        .unwrap();
    }
    let smtp = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let mailer = SigningMailer::new(Arc::new(smtp), t.db.clone(), "groups.example.org")
        .await
        .unwrap();
    assert!(mailer.is_signing().await);
    let copy: &[u8] = b"From: hub@groups.example.org\r\nTo: members@groups.example.org\r\nSubject: the weekly\r\n\r\nSame for all.\r\n";
    let to = ["ann@example.net".to_owned(), "bob@example.net".to_owned()];
    let outcomes = mailer
        .send_raw_many("weekly-bounces@groups.example.org", &to, copy)
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to.len(), 2);
    assert!(got[0].data.starts_with(b"DKIM-Signature: "));
    assert!(got[0].data.ends_with(copy));
    assert_eq!(
        commands
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.starts_with("MAIL"))
            .count(),
        1
    );
}
