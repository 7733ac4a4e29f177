//! What a list does to a message before the first copy goes out: line
//! ends, long lines, an mbox `From ` line, and the From, Date and
//! Message-ID every copy carries exactly once. Messages come in over a
//! real LMTP (or SMTP) connection, copies go out to an SMTP sink, and each
//! copy is read with Python's email package as well as with our own parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

/// A message saved from a Unix mailbox and piped on: a `From ` line,
/// bare LF line ends, and an HTML part a web mailer wrote on one line.
const MBOX_LONG_LINES: &[u8] = include_bytes!("fixtures/mbox-long-lines-lf.eml");
/// A scanner's mail: no Date, and a Message-Id with nothing after its `@`.
const NO_DATE_BAD_ID: &[u8] = include_bytes!("fixtures/no-date-bad-message-id.eml");

fn longest_line(raw: &[u8]) -> usize {
    raw.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .max()
        .unwrap_or(0)
}

fn has_bare_lf(raw: &[u8]) -> bool {
    raw.iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || raw[i - 1] != b'\r'))
}

/// The text of each leaf part as Python reads it, with line ends made the
/// same, for comparing a copy with the original.
fn texts(read: &serde_json::Value) -> Vec<(String, String)> {
    read["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap().to_owned(),
                p["text"].as_str().unwrap_or("").replace("\r\n", "\n"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_message_from_an_mbox_with_bare_lf_and_long_lines_goes_out_fit_to_relay() {
    let e = env().await;
    e.member("joerg@example.de").await;
    e.member("ann@example.net").await;
    assert!(
        longest_line(MBOX_LONG_LINES) > 3000,
        "the fixture has a long line"
    );
    assert!(MBOX_LONG_LINES.starts_with(b"From joerg@example.de  Thu Nov 26"));
    let (_, data) = e
        .lmtp(
            "joerg@example.de",
            &[&format!("organizers@{DOMAIN}")],
            MBOX_LONG_LINES,
        )
        .await;
    assert_eq!(data, ["250 2.0.0 Accepted for 2 members"]);
    let list = e.organizers().await;
    let stored = {
        let mut conn = e.svc.db.conn().await.unwrap();
        convene_store::list_messages::by_message_id(
            conn.ex(),
            list.id,
            "<20261126081401.7f3a9c@web1.example.de>",
        )
        .await
        .unwrap()
        .unwrap()
    };
    assert!(
        stored
            .raw
            .starts_with(b"Return-Path: <joerg@example.de>\r\n"),
        "the mbox From line is gone"
    );
    assert!(!has_bare_lf(&stored.raw));
    assert!(longest_line(&stored.raw) <= 998);
    assert_eq!(stored.subject, "Termine Q1");
    assert_eq!(stored.from_name, "Jörg Müller");

    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 2);
    let check_with_python = oracle_present(
        "a_message_from_an_mbox_with_bare_lf_and_long_lines_goes_out_fit_to_relay",
        &["email"],
    );
    for copy in &got {
        assert!(!has_bare_lf(&copy.data), "every line ends in CRLF");
        assert!(longest_line(&copy.data) <= 998);
        let msg = parse(&copy.data);
        assert_eq!(header(&msg, "Subject"), ["[organizers] Termine Q1"]);
        let html = msg.body_html(0).unwrap();
        assert!(html.contains("Meetup 24</td>") && html.contains("Grüße, Jörg"));
        if check_with_python {
            let original = python_reads(MBOX_LONG_LINES);
            let read = python_reads(&copy.data);
            assert_eq!(read["defects"], serde_json::json!([]), "{read}");
            assert_eq!(read["bare_lf"], false);
            assert!(read["longest"].as_u64().unwrap() <= 998);
            assert_eq!(
                texts(&read),
                texts(&original),
                "every part reads the same as the original"
            );
            let ctes: Vec<&str> = read["parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["cte"].as_str().unwrap())
                .collect();
            assert_eq!(ctes, ["quoted-printable", "quoted-printable"]);
        }
    }
}

#[tokio::test]
async fn ten_thousand_bare_lf_lines_are_taken_over_lmtp_and_refused_whole_over_smtp() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let mut raw = b"From: zoe@example.org\nSubject: Ten thousand lines\nMessage-ID: <lines@example.org>\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n\n".to_vec();
    for i in 0..10_000 {
        raw.extend_from_slice(format!("{i:04}\n").as_bytes());
    }
    assert_eq!(raw.iter().filter(|&&b| b == b'\r').count(), 0);

    // SMTP: only CRLF ends a line there, so the whole message is refused
    // with a reason, and nothing is stored or queued.
    let (port, _stop) = smtp_listener(&e).await;
    let mut input = format!(
        "EHLO c\r\nMAIL FROM:<zoe@example.org>\r\nRCPT TO:<organizers@{DOMAIN}>\r\nDATA\r\n"
    )
    .into_bytes();
    input.extend_from_slice(&raw);
    input.extend_from_slice(b".\r\nQUIT\r\n");
    let out = smtp_raw(port, &input).await;
    assert!(
        out.contains(
            "554 5.6.0 The message has a line ending in a bare LF; SMTP lines end in CRLF"
        ),
        "{out}"
    );
    assert_eq!(e.message_count().await, 0);
    assert!(e.job_kinds().await.is_empty());

    // LMTP: taken, with every line end made CRLF before anything is
    // stored or sent.
    let started = std::time::Instant::now();
    let (_, data) = e
        .lmtp("zoe@example.org", &[&format!("organizers@{DOMAIN}")], &raw)
        .await;
    assert_eq!(data, ["250 2.0.0 Accepted for 1 members"]);
    let taken_in = started.elapsed();
    assert!(taken_in.as_secs() < 5, "took {taken_in:?}");
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 1);
    let copy = &got[0].data;
    assert!(!has_bare_lf(copy));
    let body = body_of(copy);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    for (i, line) in lines.iter().take(10_000).enumerate() {
        assert_eq!(*line, format!("{i:04}\r").as_bytes(), "line {i}");
    }
}

#[tokio::test]
async fn every_copy_has_exactly_one_from_date_and_message_id() {
    let e = env().await;
    e.member("ann@example.net").await;
    e.member("zoe@example.org").await;
    let (_, data) = e
        .lmtp(
            "ann@example.net",
            &[&format!("organizers@{DOMAIN}")],
            NO_DATE_BAD_ID,
        )
        .await;
    assert_eq!(data, ["250 2.0.0 Accepted for 2 members"]);
    // The same message delivered again is recognised by the Message-ID
    // made for it.
    let (_, again) = e
        .lmtp(
            "ann@example.net",
            &[&format!("organizers@{DOMAIN}")],
            NO_DATE_BAD_ID,
        )
        .await;
    assert_eq!(again, ["250 2.0.0 Already have this message"]);
    assert_eq!(e.message_count().await, 1);

    // Repeated fields: two Dates (one unreadable), two From, the same
    // Message-ID twice.
    let repeated = b"Date: last Tuesday\r\nFrom: Zoe <zoe@example.org>\r\nFrom: Zoe again <zoe@example.org>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMessage-ID: <twice@example.org>\r\nMessage-ID: <twice@example.org>\r\nSubject: Repeated\r\n\r\nHello\r\n";
    let (_, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            repeated,
        )
        .await;
    assert_eq!(data, ["250 2.0.0 Accepted for 2 members"]);

    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 4);
    let now = e.svc.clock.now();
    let check_with_python = oracle_present(
        "every_copy_has_exactly_one_from_date_and_message_id",
        &["email"],
    );
    for copy in &got {
        let msg = parse(&copy.data);
        for name in ["From", "Date", "Message-ID"] {
            assert_eq!(
                header(&msg, name).len(),
                1,
                "{name} in {:?}",
                String::from_utf8_lossy(&copy.data)
            );
        }
        let id = header(&msg, "Message-ID")[0].to_owned();
        let scanned = header(&msg, "Subject")[0].contains("Scanned");
        if scanned {
            assert!(
                id.starts_with('<') && id.ends_with(&format!("@{DOMAIN}>")),
                "{id}"
            );
            assert_eq!(
                msg.date().unwrap().to_timestamp(),
                now.timestamp(),
                "a Date of when it arrived"
            );
        } else {
            assert_eq!(id, "<twice@example.org>");
            assert_eq!(header(&msg, "From"), ["Zoe <zoe@example.org>"]);
            assert_eq!(header(&msg, "Date"), ["Thu, 26 Nov 2026 10:00:00 +0100"]);
        }
        if check_with_python {
            let read = python_reads(&copy.data);
            assert_eq!(
                read["counts"],
                serde_json::json!({"From": 1, "Date": 1, "Message-ID": 1}),
                "{read}"
            );
            assert_eq!(read["message_id"], id.as_str());
            assert_eq!(read["defects"], serde_json::json!([]));
        }
    }
}

#[tokio::test]
async fn a_message_written_on_the_web_over_the_lists_limit_is_refused_in_plain_words() {
    let e = env().await;
    e.member("ann@example.net").await;
    e.coordinator("cora@example.org").await;
    e.sql("UPDATE lists SET max_bytes = 1500 WHERE name = 'organizers'")
        .await;
    let actor = {
        let mut conn = e.svc.db.conn().await.unwrap();
        let user = convene_store::users::by_email(conn.ex(), "cora@example.org")
            .await
            .unwrap()
            .unwrap();
        convene_domain::Actor {
            user_id: user.id,
            grants: convene_store::grants::for_user(conn.ex(), user.id)
                .await
                .unwrap(),
        }
    };
    let jobs = e.job_kinds().await;
    let body = "All the venues we looked at this year, one per line.\n".repeat(40);
    let err = convene_app::lists::from_web::write(
        &e.svc,
        &actor,
        &convene_app::lists::from_web::WebPost {
            list: "organizers",
            subject: "Venues",
            body: &body,
            in_reply_to: None,
        },
    )
    .await
    .unwrap_err();
    let convene_app::AppError::Invalid(input) = err else {
        panic!("not refused as invalid input: {err:?}")
    };
    assert_eq!(input.field, "body");
    // The writer reads the list's words, not the status code meant for
    // mail systems.
    assert!(
        input.message.starts_with(
            "The message is too big for the list organizers: it takes at most 1500 bytes, this one has "
        ),
        "{}",
        input.message
    );
    assert_eq!(e.message_count().await, 0);
    assert_eq!(e.job_kinds().await, jobs);
}
