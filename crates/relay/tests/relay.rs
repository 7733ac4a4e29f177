//! The relay client against a small SMTP server that records the exact
//! bytes it receives and misbehaves on request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Received, Script, start};
use convene_relay::{Envelope, Error, RecipientOutcome, Relay, RelayConfig};
use std::time::{Duration, Instant};

fn relay(url: &str, connections: usize) -> Relay {
    Relay::new(RelayConfig::from_url(url).unwrap(), connections)
}

const MESSAGE: &[u8] = b"From: a@list.example\r\nTo: b@x.example\r\nSubject: hi\r\n\r\nHello.\r\n";

#[tokio::test]
async fn with_pipelining_mail_rcpt_and_data_arrive_in_one_read_and_the_message_in_another() {
    let server = start(Script {
        pipelining: true,
        size: Some(0),
        ..Script::default()
    })
    .await;
    let relay = relay(&server.url(), 1);
    let envelope = Envelope::new(
        "bounces+t1@list.example",
        &["ann@x.example", "bob@y.example"],
    )
    .unwrap();
    let sent = relay.send(&envelope, MESSAGE).await.unwrap();
    assert_eq!(
        sent.outcomes,
        vec![RecipientOutcome::Accepted, RecipientOutcome::Accepted]
    );
    let log = server.log.lock().unwrap();
    let reads: Vec<String> = log
        .reads
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    assert_eq!(
        reads,
        vec![
            "EHLO client.test\r\n".to_owned(),
            format!(
                "MAIL FROM:<bounces+t1@list.example> SIZE={}\r\nRCPT TO:<ann@x.example>\r\nRCPT TO:<bob@y.example>\r\nDATA\r\n",
                MESSAGE.len()
            ),
            format!("{}.\r\n", String::from_utf8_lossy(MESSAGE)),
        ]
    );
    assert_eq!(
        log.messages,
        vec![Received {
            from: "bounces+t1@list.example".into(),
            to: vec!["ann@x.example".into(), "bob@y.example".into()],
            data: MESSAGE.to_vec(),
        }]
    );
}

#[tokio::test]
async fn without_pipelining_each_command_waits_for_its_answer() {
    let server = start(Script::default()).await;
    let relay = relay(&server.url(), 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example", "bob@y.example"]).unwrap();
    relay.send(&envelope, MESSAGE).await.unwrap();
    let log = server.log.lock().unwrap();
    let reads: Vec<&[u8]> = log.reads.iter().map(Vec::as_slice).collect();
    assert_eq!(
        reads,
        vec![
            b"EHLO client.test\r\n".as_slice(),
            b"MAIL FROM:<s@list.example>\r\n",
            b"RCPT TO:<ann@x.example>\r\n",
            b"RCPT TO:<bob@y.example>\r\n",
            b"DATA\r\n",
            &[MESSAGE, b".\r\n"].concat(),
        ]
    );
    assert_eq!(log.messages.len(), 1);
}

#[tokio::test]
async fn dots_are_stuffed_on_the_wire_and_the_message_arrives_byte_for_byte() {
    let server = start(Script {
        pipelining: true,
        ..Script::default()
    })
    .await;
    let relay = relay(&server.url(), 1);
    let message: &[u8] =
        b"Subject: dots\r\n\r\n.\r\n..two\r\n.leading\r\nmiddle . dot\r\n.\r\nend.\r\n";
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    relay.send(&envelope, message).await.unwrap();
    {
        let log = server.log.lock().unwrap();
        assert_eq!(
            log.reads.last().unwrap().as_slice(),
            b"Subject: dots\r\n\r\n..\r\n...two\r\n..leading\r\nmiddle . dot\r\n..\r\nend.\r\n.\r\n"
        );
        assert_eq!(log.messages[0].data, message);
    }

    // A message without a final line break gets one, and only one.
    relay
        .send(&envelope, b"Subject: x\r\n\r\nno break")
        .await
        .unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(
        log.reads.last().unwrap().as_slice(),
        b"Subject: x\r\n\r\nno break\r\n.\r\n"
    );
}

#[tokio::test]
async fn each_recipient_gets_its_own_answer_and_the_connection_is_kept() {
    for pipelining in [true, false] {
        let server = start(Script {
            pipelining,
            refuse: vec![
                ("busy@x.example", "452 4.2.2 mailbox full, try later"),
                ("gone@x.example", "550 5.1.1 no such user here"),
            ],
            ..Script::default()
        })
        .await;
        let relay = relay(&server.url(), 1);
        let envelope = Envelope::new(
            "s@list.example",
            &["ann@x.example", "busy@x.example", "gone@x.example"],
        )
        .unwrap();
        let sent = relay.send(&envelope, MESSAGE).await.unwrap();
        assert_eq!(sent.outcomes[0], RecipientOutcome::Accepted);
        let RecipientOutcome::Refused(busy) = &sent.outcomes[1] else {
            panic!("busy@ was accepted")
        };
        assert_eq!(busy.code, 452);
        assert_eq!(busy.text, "4.2.2 mailbox full, try later");
        assert!(busy.is_transient());
        let RecipientOutcome::Refused(gone) = &sent.outcomes[2] else {
            panic!("gone@ was accepted")
        };
        assert_eq!(gone.to_string(), "550 5.1.1 no such user here");
        assert!(gone.is_permanent());
        let refused: Vec<&str> = sent.refused(&envelope).map(|(a, _)| a).collect();
        assert_eq!(refused, vec!["busy@x.example", "gone@x.example"]);

        // Nobody accepted: nothing is sent, the transaction is reset in
        // the next one, on the same connection.
        let nobody = Envelope::new("s@list.example", &["gone@x.example"]).unwrap();
        let sent = relay.send(&nobody, MESSAGE).await.unwrap();
        assert!(matches!(&sent.outcomes[..], [RecipientOutcome::Refused(r)] if r.code == 550));
        let again = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
        relay
            .send(&again, b"Subject: 2\r\n\r\nsecond\r\n")
            .await
            .unwrap();

        let log = server.log.lock().unwrap();
        assert_eq!(log.connections, 1, "pipelining {pipelining}");
        assert_eq!(log.count("RSET"), 1);
        let data: Vec<&[u8]> = log.messages.iter().map(|m| m.data.as_slice()).collect();
        assert_eq!(data, vec![MESSAGE, b"Subject: 2\r\n\r\nsecond\r\n"]);
        assert_eq!(log.messages[0].to, vec!["ann@x.example"]);
        if pipelining {
            let rset_read = log
                .reads
                .iter()
                .find(|r| r.starts_with(b"RSET"))
                .expect("RSET went out");
            assert_eq!(
                rset_read.as_slice(),
                b"RSET\r\nMAIL FROM:<s@list.example>\r\nRCPT TO:<ann@x.example>\r\nDATA\r\n"
            );
        }
    }
}

#[tokio::test]
async fn a_connection_the_relay_closed_before_the_message_is_replaced() {
    let server = start(Script {
        pipelining: true,
        close_at_mail: Some(2),
        ..Script::default()
    })
    .await;
    let relay = relay(&server.url(), 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    relay
        .send(&envelope, b"Subject: 1\r\n\r\none\r\n")
        .await
        .unwrap();
    relay
        .send(&envelope, b"Subject: 2\r\n\r\ntwo\r\n")
        .await
        .unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(log.connections, 2);
    assert_eq!(log.messages.len(), 2);
    assert_eq!(log.messages[1].data, b"Subject: 2\r\n\r\ntwo\r\n");
}

#[tokio::test]
async fn a_connection_closed_after_the_message_is_an_error_for_now_and_not_sent_twice() {
    let server = start(Script {
        pipelining: true,
        close_at_data_end: Some(1),
        ..Script::default()
    })
    .await;
    let relay = relay(&server.url(), 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    let err = relay.send(&envelope, MESSAGE).await.unwrap_err();
    assert!(matches!(err, Error::Closed("the message")), "{err:?}");
    assert!(!err.is_permanent());
    assert_eq!(
        err.to_string(),
        "the relay closed the connection during the message"
    );
    {
        let log = server.log.lock().unwrap();
        assert_eq!(log.count("MAIL FROM"), 1, "not sent again on its own");
        assert!(log.messages.is_empty());
    }
    // The next message goes over a new connection.
    relay.send(&envelope, MESSAGE).await.unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(log.connections, 2);
    assert_eq!(log.messages.len(), 1);
}

#[tokio::test]
async fn a_relay_that_never_answers_times_out() {
    let server = start(Script {
        mute: true,
        ..Script::default()
    })
    .await;
    let config = RelayConfig::from_url(&server.url())
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let relay = Relay::new(config, 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    let started = Instant::now();
    let err = relay.send(&envelope, MESSAGE).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        err.to_string(),
        "the relay did not answer the greeting within 0.3 s"
    );
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn a_relay_that_never_answers_the_message_times_out() {
    let server = start(Script {
        pipelining: true,
        mute_at_data_end: true,
        ..Script::default()
    })
    .await;
    let config = RelayConfig::from_url(&server.url())
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let relay = Relay::new(config, 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    let err = relay.send(&envelope, MESSAGE).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                command: "the message",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_permanent());
    assert!(server.log.lock().unwrap().messages.is_empty());
}

#[tokio::test]
async fn a_message_larger_than_the_relays_size_is_refused_before_mail_from() {
    let server = start(Script {
        pipelining: true,
        size: Some(1000),
        ..Script::default()
    })
    .await;
    let relay = relay(&server.url(), 1);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    let big = [b"Subject: big\r\n\r\n".as_slice(), &[b'x'; 1200], b"\r\n"].concat();
    let err = relay.send(&envelope, &big).await.unwrap_err();
    assert!(err.is_permanent());
    assert_eq!(
        err.to_string(),
        "the message is 1218 bytes and the relay takes at most 1000"
    );
    {
        let log = server.log.lock().unwrap();
        assert_eq!(log.count("MAIL"), 0);
        assert!(log.messages.is_empty());
    }
    // One that fits goes, saying its size, on the same connection.
    relay.send(&envelope, MESSAGE).await.unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(
        log.commands[1],
        format!("MAIL FROM:<s@list.example> SIZE={}", MESSAGE.len())
    );
    assert_eq!(log.connections, 1);
    assert_eq!(log.messages.len(), 1);
}

#[tokio::test]
async fn bad_relay_urls_are_refused_with_a_reason() {
    for (url, why) in [
        (
            "http://relay.example:25",
            "bad relay URL: the scheme \"http\" is not smtp or smtps",
        ),
        (
            "smtp://relay.example:0",
            "bad relay URL: port 0 cannot be connected to",
        ),
        (
            "smtp://relay.example:99999",
            "bad relay URL: \"smtp://relay.example:99999\": invalid port number",
        ),
        (
            "smtp://relay.example?tls=maybe",
            "bad relay URL: tls=\"maybe\" is not one of required or opportunistic",
        ),
        (
            "relay.example",
            "bad relay URL: \"relay.example\": relative URL without a base",
        ),
    ] {
        let err = RelayConfig::from_url(url).unwrap_err();
        assert_eq!(err.to_string(), why, "{url}");
        assert!(err.is_permanent());
    }
    let c = RelayConfig::from_url("smtps://u%40x:p%3Aw@relay.example/me.example").unwrap();
    assert_eq!((c.host.as_str(), c.port), ("relay.example", 465));
    assert_eq!(c.credentials, Some(("u@x".to_owned(), "p:w".to_owned())));
    assert_eq!(c.hello_name, "me.example");
    assert_eq!(RelayConfig::from_url("smtp://[::1]").unwrap().host, "::1");
    assert_eq!(
        RelayConfig::from_url("smtp://r.example?tls=required")
            .unwrap()
            .port,
        587
    );
}

#[tokio::test]
async fn addresses_that_could_inject_commands_are_refused_before_anything_is_sent() {
    let server = start(Script {
        pipelining: true,
        ..Script::default()
    })
    .await;
    for bad in [
        "ann@x.example\r\nRCPT TO:<eve@evil.example>",
        "ann@x.example>\nDATA",
        "ann@x.example> SIZE=1",
    ] {
        let err = Envelope::new("s@list.example", &[bad]).unwrap_err();
        assert!(err.is_permanent());
        assert!(err.to_string().starts_with("bad address"), "{err}");
        let err = Envelope::new(bad, &["ann@x.example"]).unwrap_err();
        assert!(err.is_permanent());
    }
    assert_eq!(server.log.lock().unwrap().connections, 0);
}

#[tokio::test]
async fn a_non_ascii_address_needs_smtputf8() {
    let envelope = Envelope::new("s@list.example", &["zoë@x.example"]).unwrap();
    let plain = start(Script {
        pipelining: true,
        ..Script::default()
    })
    .await;
    let err = relay(&plain.url(), 1)
        .send(&envelope, MESSAGE)
        .await
        .unwrap_err();
    assert!(err.is_permanent());
    assert_eq!(
        err.to_string(),
        "an address is not ASCII and the relay does not offer SMTPUTF8"
    );
    assert_eq!(plain.log.lock().unwrap().count("MAIL"), 0);

    let utf8 = start(Script {
        pipelining: true,
        smtputf8: true,
        ..Script::default()
    })
    .await;
    relay(&utf8.url(), 1)
        .send(&envelope, MESSAGE)
        .await
        .unwrap();
    let log = utf8.log.lock().unwrap();
    assert_eq!(log.commands[1], "MAIL FROM:<s@list.example> SMTPUTF8");
    assert_eq!(log.messages[0].to, vec!["zoë@x.example"]);
}

#[tokio::test]
async fn auth_plain_and_login_sign_in_before_mail() {
    for (mechanisms, first) in [
        ("LOGIN PLAIN", "AUTH PLAIN AHJlbGF5LXVzZXIAczNjcmV0IHBhc3M="),
        ("LOGIN", "AUTH LOGIN"),
    ] {
        let server = start(Script {
            pipelining: true,
            auth: Some(mechanisms),
            ..Script::default()
        })
        .await;
        let url = format!("smtp://relay-user:s3cret%20pass@127.0.0.1:{}", server.port);
        let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
        relay(&url, 1).send(&envelope, MESSAGE).await.unwrap();
        let log = server.log.lock().unwrap();
        assert_eq!(log.commands[1], first);
        assert_eq!(log.messages.len(), 1);
    }
    // A wrong password: the relay's trouble, not the message's.
    let server = start(Script {
        pipelining: true,
        auth: Some("PLAIN"),
        ..Script::default()
    })
    .await;
    let url = format!("smtp://relay-user:wrong@127.0.0.1:{}", server.port);
    let envelope = Envelope::new("s@list.example", &["ann@x.example"]).unwrap();
    let err = relay(&url, 1).send(&envelope, MESSAGE).await.unwrap_err();
    assert_eq!(err.to_string(), "the relay answered AUTH with 535 5.7.8 no");
    assert!(!err.is_permanent());
    assert_eq!(server.log.lock().unwrap().count("MAIL"), 0);
}

#[tokio::test]
async fn the_pool_keeps_at_most_its_size_of_connections_busy() {
    let server = start(Script {
        pipelining: true,
        ..Script::default()
    })
    .await;
    let relay = std::sync::Arc::new(relay(&server.url(), 4));
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..200 {
        let relay = relay.clone();
        sends.spawn(async move {
            let envelope =
                Envelope::new(&format!("b+{i}@list.example"), &[format!("m{i}@x.example")])
                    .unwrap();
            let message = format!("Subject: {i}\r\n\r\ncopy {i}\r\n");
            relay.send(&envelope, message.as_bytes()).await.unwrap();
        });
    }
    while let Some(done) = sends.join_next().await {
        done.unwrap();
    }
    let log = server.log.lock().unwrap();
    assert!(log.connections <= 4, "{} connections", log.connections);
    assert_eq!(log.messages.len(), 200);
    let mut got: Vec<String> = log
        .messages
        .iter()
        .map(|m| String::from_utf8(m.data.clone()).unwrap())
        .collect();
    got.sort();
    let mut want: Vec<String> = (0..200)
        .map(|i| format!("Subject: {i}\r\n\r\ncopy {i}\r\n"))
        .collect();
    want.sort();
    assert_eq!(got, want);
}
