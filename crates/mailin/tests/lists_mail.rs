//! List mail end to end: messages come in over a real LMTP connection, are
//! stored, and fan out through lettre to a small SMTP sink on a loopback
//! port, where each copy is read back with a real MIME parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use convene_app::lists::Refusal;
use convene_domain::list_policy::HoldReason;

#[tokio::test]
async fn a_thunderbird_post_over_lmtp_reaches_every_member_with_list_headers() {
    let e = env().await;
    let zoe = e.member("zoe@example.org").await;
    let ann = e.member("ann@example.net").await;
    let olu = e.member("olu@example.com").await;
    let (rcpt, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            FIXTURE,
        )
        .await;
    assert_eq!(rcpt, ["250 2.1.5 Recipient OK"]);
    assert_eq!(data, ["250 2.0.0 Accepted for 3 members"]);
    assert_eq!(e.message_count().await, 1);
    assert!(
        e.sink.inbox().is_empty(),
        "nothing leaves before the job runs"
    );
    let ran = e.worker.drain().await.unwrap();
    assert_eq!(
        ran.iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Outcome::Done]
    );

    let got = e.sink.inbox();
    assert_eq!(got.len(), 3);
    let list = e.organizers().await;
    let stored = {
        let mut conn = e.svc.db.conn().await.unwrap();
        list_messages::by_message_id(
            conn.ex(),
            list.id,
            "<4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org>",
        )
        .await
        .unwrap()
        .unwrap()
    };
    assert_eq!(stored.raw, FIXTURE, "stored exactly as it arrived");
    assert_eq!(stored.subject, "Finding a venue – what worked for us");
    assert_eq!(stored.from_email, "zoe@example.org");
    assert_eq!(stored.from_name, "Zoë Ng");
    assert_eq!(stored.month, "2026-11");
    assert!(stored.body_text.contains("community hall"));
    for (email, token) in [
        ("zoe@example.org", &zoe),
        ("ann@example.net", &ann),
        ("olu@example.com", &olu),
    ] {
        let copy = got
            .iter()
            .find(|r| r.to == [format!("<{email}>")])
            .unwrap_or_else(|| panic!("no copy for {email}"));
        assert_eq!(
            copy.from,
            format!("<organizers-bounces+{token}@{DOMAIN}>"),
            "VERP envelope sender"
        );
        let msg = parse(&copy.data);
        assert_eq!(
            header(&msg, "List-Id"),
            [format!("\"Organizers\" <organizers.{DOMAIN}>")]
        );
        assert_eq!(
            header(&msg, "List-Post"),
            [format!("<mailto:organizers@{DOMAIN}>")]
        );
        assert_eq!(
            header(&msg, "List-Help"),
            ["<https://groups.example.org/lists/organizers>"]
        );
        assert_eq!(
            header(&msg, "List-Subscribe"),
            [format!(
                "<https://groups.example.org/lists/organizers>, <mailto:organizers-join@{DOMAIN}>"
            )]
        );
        assert_eq!(
            header(&msg, "List-Unsubscribe"),
            [format!(
                "<https://groups.example.org/unsubscribe/list/{token}>, <mailto:organizers-leave@{DOMAIN}>"
            )]
        );
        assert_eq!(
            header(&msg, "List-Unsubscribe-Post"),
            ["List-Unsubscribe=One-Click"]
        );
        assert_eq!(
            header(&msg, "List-Archive"),
            ["<https://groups.example.org/lists/organizers/archive>"]
        );
        assert_eq!(
            header(&msg, "Archived-At"),
            [format!(
                "<https://groups.example.org/lists/organizers/archive/{}>",
                stored.id
            )]
        );
        assert_eq!(header(&msg, "Precedence"), ["list"]);
        assert_eq!(header(&msg, "X-Loop"), [format!("organizers@{DOMAIN}")]);
        assert_eq!(header(&msg, "Subject").len(), 1);
        assert_eq!(
            msg.subject(),
            Some("[organizers] Finding a venue – what worked for us")
        );
        let from = msg.from().unwrap().first().unwrap();
        assert_eq!(
            from.address(),
            Some("zoe@example.org"),
            "the poster's From is kept"
        );
        assert_eq!(from.name(), Some("Zoë Ng"));
        assert_eq!(
            msg.reply_to().unwrap().first().unwrap().address(),
            Some("organizers@groups.example.org"),
            "the organizers' list sets Reply-To to the list"
        );
        assert_eq!(
            msg.message_id(),
            Some("4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org")
        );
        assert_eq!(
            body_of(&copy.data),
            body_of(FIXTURE),
            "body kept byte for byte"
        );
        assert!(
            msg.body_text(0)
                .unwrap()
                .contains(".. and a line starting with a dot")
        );
        let attachment = msg.attachments().next().unwrap();
        assert!(String::from_utf8_lossy(attachment.contents()).contains("Community Hall,80,yes"));
    }
    let mut conn = e.svc.db.conn().await.unwrap();
    let counts = list_messages::count_deliveries(conn.ex(), stored.id)
        .await
        .unwrap();
    assert_eq!((counts.queued, counts.sent, counts.failed), (0, 3, 0));
}

#[tokio::test]
async fn an_unknown_list_is_refused_at_rcpt_and_nothing_is_stored() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let (rcpt, data) = e
        .lmtp(
            "zoe@example.org",
            &[
                &format!("nosuchlist@{DOMAIN}"),
                &format!("postmaster@{DOMAIN}"),
            ],
            FIXTURE,
        )
        .await;
    assert!(rcpt[0].starts_with("550 5.1.1"), "{rcpt:?}");
    assert!(rcpt[1].starts_with("550 5.1.1"), "{rcpt:?}");
    assert!(data.is_empty());
    let direct = accept(&e.svc, "nosuchlist", FIXTURE).await.unwrap_err();
    assert_eq!(
        direct,
        Refusal::NoSuchList {
            local: "nosuchlist".into()
        }
    );
    assert_eq!(e.message_count().await, 0);
    assert!(e.job_kinds().await.is_empty());
}

#[tokio::test]
async fn an_oversized_message_gets_552_and_nothing_is_stored() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.sql("UPDATE lists SET max_bytes = 1500 WHERE name = 'organizers'")
        .await;
    let (rcpt, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            FIXTURE,
        )
        .await;
    assert_eq!(rcpt.len(), 1);
    assert!(data[0].starts_with("552 5.3.4"), "{data:?}");
    assert!(data[0].contains("at most 1500 bytes"), "{data:?}");
    // Over the listener's own limit too: refused before any list rule.
    let huge = [
        FIXTURE,
        &b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
            .repeat(1000),
    ]
    .concat();
    let (_, data) = e
        .lmtp("zoe@example.org", &[&format!("organizers@{DOMAIN}")], &huge)
        .await;
    assert!(data[0].starts_with("552 5.3.4"), "{data:?}");
    assert_eq!(e.message_count().await, 0);
    assert!(e.job_kinds().await.is_empty());
}

#[tokio::test]
async fn a_missing_message_id_is_added_once() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    let raw = b"From: Zoe <zoe@example.org>\r\nTo: organizers@groups.example.org\r\nSubject: No id\r\n\r\nHello\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    let stored = e.stored(id).await;
    assert!(stored.message_id.starts_with('<'));
    assert!(stored.message_id.ends_with(&format!("@{DOMAIN}>")));
    assert!(
        stored
            .raw
            .starts_with(format!("Message-ID: {}\r\n", stored.message_id).as_bytes())
    );
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 2);
    for copy in got {
        let msg = parse(&copy.data);
        assert_eq!(header(&msg, "Message-ID"), [stored.message_id.as_str()]);
    }
}

#[tokio::test]
async fn a_message_looping_back_from_the_list_is_not_delivered() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let with_list_id = [
        format!("List-Id: \"Organizers\" <organizers.{DOMAIN}>\r\n").as_bytes(),
        FIXTURE,
    ]
    .concat();
    let (_, data) = e
        .lmtp(
            "x@example.org",
            &[&format!("organizers@{DOMAIN}")],
            &with_list_id,
        )
        .await;
    assert!(
        data[0].starts_with("250 2.0.0 Accepted and dropped: a loop"),
        "{data:?}"
    );
    let with_x_loop = [
        format!("X-Loop: organizers@{DOMAIN}\r\n").as_bytes(),
        FIXTURE,
    ]
    .concat();
    assert_eq!(
        accept(&e.svc, "organizers", &with_x_loop).await.unwrap(),
        Accepted::Dropped("a loop: the message came from this list")
    );
    let auto = [b"Auto-Submitted: auto-replied\r\n".as_slice(), FIXTURE].concat();
    assert!(matches!(
        accept(&e.svc, "organizers", &auto).await.unwrap(),
        Accepted::Dropped(_)
    ));
    assert_eq!(e.message_count().await, 0);
    e.worker.drain().await.unwrap();
    assert!(e.sink.inbox().is_empty());
}

#[tokio::test]
async fn a_non_members_post_is_held_and_not_delivered() {
    let e = env().await;
    e.member("ann@example.net").await;
    let a = accept(&e.svc, "organizers", FIXTURE).await.unwrap();
    let Accepted::Held {
        message_row_id,
        reason,
    } = a
    else {
        panic!("not held: {a:?}")
    };
    assert_eq!(reason, HoldReason::NotAMember);
    let stored = e.stored(message_row_id).await;
    assert_eq!(stored.state, "held");
    assert_eq!(
        stored.hold_reason.as_deref(),
        Some("The sender is not a member of the list.")
    );
    // A member whose posts are still moderated is held too.
    let list = e.organizers().await;
    let now = e.svc.clock.now();
    let mut tx = e.svc.db.begin().await.unwrap();
    lists::request(
        tx.ex(),
        list.id,
        "new@example.org",
        None,
        "h",
        now,
        "newtoken",
        now,
    )
    .await
    .unwrap();
    let m = lists::member(tx.ex(), list.id, "new@example.org")
        .await
        .unwrap()
        .unwrap();
    lists::confirm(tx.ex(), m.id, now).await.unwrap();
    tx.commit().await.unwrap();
    let raw = b"From: new@example.org\r\nMessage-ID: <first@example.org>\r\nSubject: Hi\r\n\r\nFirst post\r\n";
    assert!(matches!(
        accept(&e.svc, "organizers", raw).await.unwrap(),
        Accepted::Held { .. }
    ));
    // Delivered again by the mail system: recognised, nothing changes.
    assert_eq!(
        accept(&e.svc, "organizers", raw).await.unwrap(),
        Accepted::Duplicate
    );
    assert_eq!(e.message_count().await, 2);
    e.worker.drain().await.unwrap();
    assert!(e.sink.inbox().is_empty());
}

fn dsn(token: &str, action: &str, status: &str) -> Vec<u8> {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n\
To: organizers-bounces+{token}@{DOMAIN}\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\
\tboundary=\"B1\"\r\n\
Message-Id: <bounce-{action}-{status}@mx.example.net>\r\n\
\r\n\
--B1\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
I'm sorry to have to inform you that your message could not be delivered.\r\n\
\r\n\
--B1\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.net\r\n\
Arrival-Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n\
\r\n\
Final-Recipient: rfc822; olu@example.com\r\n\
Action: {action}\r\n\
Status: {status}\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <olu@example.com>: Recipient address rejected\r\n\
\r\n\
--B1--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn bounces_raise_the_score_and_pause_delivery_with_a_notice() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let olu = e.member("olu@example.com").await;
    let local = format!("organizers-bounces+{olu}");
    // A delay report is not a failure.
    assert!(matches!(
        accept(&e.svc, &local, &dsn(&olu, "delayed", "4.4.1"))
            .await
            .unwrap(),
        Accepted::Dropped(_)
    ));
    let (rcpt, data) = e
        .lmtp(
            "",
            &[&format!("{local}@{DOMAIN}")],
            &dsn(&olu, "failed", "4.2.2"),
        )
        .await;
    assert_eq!(rcpt, ["250 2.1.5 Recipient OK"]);
    assert_eq!(data, ["250 2.0.0 Bounce recorded"]);
    let list_id = e.organizers().await.id;
    let member = |e: &Env| {
        let svc = e.svc.clone();
        async move {
            let mut conn = svc.db.conn().await.unwrap();
            lists::member(conn.ex(), list_id, "olu@example.com")
                .await
                .unwrap()
                .unwrap()
        }
    };
    let m = member(&e).await;
    assert_eq!((m.bounce_score, m.delivery.as_str()), (1, "each"));
    // Bounces long apart do not add up: after a quiet week the score restarts.
    e.clock.advance(Duration::days(8));
    let a = accept(&e.svc, &local, &dsn(&olu, "failed", "4.2.2"))
        .await
        .unwrap();
    assert_eq!(
        a,
        Accepted::Bounce {
            score: 1,
            paused: false
        }
    );
    // A hard bounce, with the token's case folded by a mail system.
    let a = accept(
        &e.svc,
        &local.to_ascii_uppercase(),
        &dsn(&olu, "failed", "5.1.1"),
    )
    .await
    .unwrap();
    assert_eq!(
        a,
        Accepted::Bounce {
            score: 6,
            paused: true
        }
    );
    let m = member(&e).await;
    assert_eq!(m.delivery, "paused");
    assert_eq!(m.state, "active", "never unsubscribed by bounces");
    assert!(m.bounce_paused_at.is_some());
    // More bounces count but send no second notice.
    let again = accept(&e.svc, &local, &dsn(&olu, "failed", "5.1.1"))
        .await
        .unwrap();
    assert_eq!(
        again,
        Accepted::Bounce {
            score: 11,
            paused: false
        }
    );
    assert_eq!(e.job_kinds().await, ["send_email"]);
    e.worker.drain().await.unwrap();
    let notice = e.sink.inbox();
    assert_eq!(notice.len(), 1);
    assert_eq!(notice[0].to, ["<olu@example.com>"]);
    let msg = parse(&notice[0].data);
    assert!(msg.subject().unwrap().contains("paused"));
    assert!(
        msg.body_text(0)
            .unwrap()
            .contains("https://groups.example.org/account/lists")
    );
    // The paused member is left out of the next post.
    let raw =
        b"From: zoe@example.org\r\nMessage-ID: <next@example.org>\r\nSubject: Next\r\n\r\nHi\r\n";
    let a = accept(&e.svc, "organizers", raw).await.unwrap();
    assert!(matches!(a, Accepted::Posted { recipients: 1, .. }), "{a:?}");
    // A bounce for a token nobody has is taken and dropped.
    assert!(matches!(
        accept(
            &e.svc,
            "organizers-bounces+nobody",
            &dsn("x", "failed", "5.1.1")
        )
        .await
        .unwrap(),
        Accepted::Dropped(_)
    ));
}

#[tokio::test]
async fn an_interrupted_fan_out_resumes_and_sends_each_member_one_copy() {
    let e = env().await;
    let mut emails = Vec::new();
    for n in 0..7 {
        let email = format!("member{n}@example.org");
        e.member(&email).await;
        emails.push(email);
    }
    let raw = b"From: member0@example.org\r\nMessage-ID: <resume@example.org>\r\nSubject: Resume\r\n\r\nHi\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    e.sink.refuse_after.store(3, Ordering::SeqCst);
    let first = e.worker.drain().await.unwrap();
    assert_eq!(first[0].1, Outcome::Retrying);
    assert_eq!(e.sink.inbox().len(), 3);
    {
        let mut conn = e.svc.db.conn().await.unwrap();
        let c = list_messages::count_deliveries(conn.ex(), id)
            .await
            .unwrap();
        assert_eq!((c.queued, c.sent, c.failed), (4, 3, 0));
    }
    // The relay recovers; the retry comes due.
    e.sink.refuse_after.store(usize::MAX, Ordering::SeqCst);
    e.sql("UPDATE jobs SET run_at = created_at").await;
    let second = e.worker.drain().await.unwrap();
    assert_eq!(second[0].1, Outcome::Done);
    let got = e.sink.inbox();
    assert_eq!(got.len(), 7);
    for email in &emails {
        let n = got
            .iter()
            .filter(|r| r.to == [format!("<{email}>")])
            .count();
        assert_eq!(n, 1, "{email} got {n} copies");
    }
    // Running the job again (a lost lease) sends nothing more.
    let mut tx = e.svc.db.begin().await.unwrap();
    convene_app::jobs::enqueue(
        &mut tx,
        &e.svc,
        &convene_app::lists::FanOut { message_id: id },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    e.sql("UPDATE jobs SET state = 'queued', run_at = created_at WHERE kind = 'list_fan_out'")
        .await;
    e.worker.drain().await.unwrap();
    assert_eq!(e.sink.inbox().len(), 7);
}

#[tokio::test]
async fn joining_by_mail_sends_a_confirmation_link_whose_hash_is_stored() {
    let e = env().await;
    let raw = b"From: Kofi <Kofi@Example.org>\r\nTo: organizers-join@groups.example.org\r\nSubject: subscribe\r\n\r\n";
    assert_eq!(
        accept(&e.svc, "organizers-join", raw).await.unwrap(),
        Accepted::JoinRequested
    );
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["<kofi@example.org>"]);
    let text = parse(&got[0].data).body_text(0).unwrap().to_string();
    let prefix = "https://groups.example.org/lists/confirm/";
    let start = text.find(prefix).unwrap() + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let list = e.organizers().await;
    let mut conn = e.svc.db.conn().await.unwrap();
    let m = lists::member(conn.ex(), list.id, "kofi@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.state, "pending");
    assert_eq!(
        m.confirm_hash.as_deref(),
        Some(SecretToken::from_client(&token).hash().as_str())
    );
    assert!(!text.contains(m.confirm_hash.as_deref().unwrap()));
    drop(conn);
    // Asking again sends a new link, but only a few times a day.
    for _ in 0..2 {
        assert_eq!(
            accept(&e.svc, "organizers-join", raw).await.unwrap(),
            Accepted::JoinRequested
        );
    }
    assert!(matches!(
        accept(&e.svc, "organizers-join", raw).await.unwrap(),
        Accepted::Dropped(_)
    ));
    assert_eq!(e.job_kinds().await, ["send_email", "send_email"]);
    // Leaving by mail.
    let leave = b"From: kofi@example.org\r\nSubject: bye\r\n\r\n";
    assert_eq!(
        accept(&e.svc, "organizers-leave", leave).await.unwrap(),
        Accepted::Left
    );
    assert!(matches!(
        accept(&e.svc, "organizers-leave", leave).await.unwrap(),
        Accepted::Dropped(_)
    ));
    // No usable From: a clear refusal, and nothing queued.
    let jobs = e.job_kinds().await;
    let err = accept(&e.svc, "organizers-join", b"Subject: subscribe\r\n\r\n")
        .await
        .unwrap_err();
    assert_eq!(err, Refusal::NobodyToConfirm);
    assert_eq!(
        err.to_string(),
        "The From address is missing or not valid, so there is nobody to confirm with"
    );
    assert_eq!(e.job_kinds().await, jobs);
}

#[tokio::test]
async fn bad_input_gets_a_clear_code_or_is_stored_sensibly() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    // Not an email at all.
    for junk in [&b""[..], b"\r\n\r\njust a body", b"\x00\x01\x02\xff\xfe"] {
        let err = accept(&e.svc, "organizers", junk).await.unwrap_err();
        assert!(
            matches!(err, Refusal::NotAMessage | Refusal::NoAuthor),
            "{junk:?}: {err:?}"
        );
    }
    // No From.
    let err = accept(
        &e.svc,
        "organizers",
        b"Subject: hi\r\nMessage-ID: <nofrom@x>\r\n\r\nbody\r\n",
    )
    .await
    .unwrap_err();
    assert_eq!(err, Refusal::NoAuthor);
    assert!(err.to_string().contains("From"));
    assert_eq!(e.message_count().await, 0);

    // Malformed MIME: a boundary that never closes, a part with no headers.
    let broken = b"From: zoe@example.org\r\nMessage-ID: <broken@x>\r\nSubject: Broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--zz\r\n\r\n\r\n--zz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", broken).await.unwrap());
    assert!(e.stored(id).await.body_text.contains("first part"));

    // An unknown charset and a wrong one (Latin-1 bytes labelled UTF-8),
    // 8-bit bytes in headers, encoded words, and a NUL in the body.
    let mut odd = Vec::new();
    odd.extend_from_slice(b"From: =?iso-8859-1?Q?J=F6rg_M=FCller?= <zoe@example.org>\r\n");
    odd.extend_from_slice(b"Message-ID: <odd@x>\r\n");
    odd.extend_from_slice(b"Sender: J\xf6rg <jorg@example.org>\r\n");
    odd.extend_from_slice(b"Subject: Caf\xe9 =?utf-8?B?w6A=?= la =?x-klingon?Q?tlhIngan?=\r\n");
    odd.extend_from_slice(b"Content-Type: text/plain; charset=\"x-no-such-charset\"\r\n");
    odd.extend_from_slice(b"Content-Transfer-Encoding: 8bit\r\n\r\n");
    odd.extend_from_slice(b"Gr\xfc\xdfe aus K\xf6ln\r\nnul:\x00:\r\n");
    let id = posted_id(&accept(&e.svc, "organizers", &odd).await.unwrap());
    let stored = e.stored(id).await;
    assert_eq!(stored.from_name, "Jörg Müller");
    assert_eq!(
        stored.subject, "Café à la tlhIngan",
        "8-bit Latin-1 read as such"
    );
    assert!(!stored.body_text.contains('\0'));
    assert!(stored.body_text.contains("aus K"));
    assert_eq!(stored.raw, odd, "the raw bytes are kept as they came");

    let wrong = b"From: zoe@example.org\r\nMessage-ID: <wrong@x>\r\nSubject: =?utf-8?Q?Caf=E9?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCaf\xe9 cr\xe8me\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", wrong).await.unwrap());
    let stored = e.stored(id).await;
    assert!(stored.subject.starts_with("Caf"));
    assert!(stored.body_text.contains("cr"));

    // Raw Latin-1 in the From name, from someone who is not a member.
    let latin = b"From: J\xf6rg M\xfcller <jorg@example.org>\r\nMessage-ID: <latin@x>\r\nSubject: Hallo\r\n\r\nHallo\r\n";
    let Accepted::Held { message_row_id, .. } = accept(&e.svc, "organizers", latin).await.unwrap()
    else {
        panic!("a non-member's post is held")
    };
    let stored = e.stored(message_row_id).await;
    assert_eq!(stored.from_name, "Jörg Müller");
    assert_eq!(stored.from_email, "jorg@example.org");

    // All three accepted posts fan out; the copies keep the odd bodies byte for byte.
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 6);
    let odd_copy = got
        .iter()
        .find(|r| String::from_utf8_lossy(&r.data).contains("<odd@x>"))
        .unwrap();
    assert!(
        odd_copy
            .data
            .ends_with(b"Gr\xfc\xdfe aus K\xf6ln\r\nnul:\x00:\r\n"),
        "{:?}",
        String::from_utf8_lossy(&odd_copy.data)
    );
    let msg = parse(&odd_copy.data);
    assert_eq!(msg.subject().unwrap(), "[organizers] Café à la tlhIngan");
}

#[tokio::test]
async fn one_refused_mailbox_does_not_hold_up_the_others() {
    let e = env().await;
    for email in [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
    ] {
        e.member(email).await;
    }
    e.sink
        .refuse_rcpt
        .lock()
        .unwrap()
        .push("<b@example.org>".into());
    let raw =
        b"From: a@example.org\r\nMessage-ID: <busy@example.org>\r\nSubject: Busy\r\n\r\nHi\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    let first = e.worker.drain().await.unwrap();
    assert_eq!(first[0].1, Outcome::Retrying);
    let got: Vec<_> = e
        .sink
        .inbox()
        .into_iter()
        .map(|r| r.to[0].clone())
        .collect();
    assert_eq!(
        got,
        ["<a@example.org>", "<c@example.org>", "<d@example.org>"]
    );
    {
        let mut conn = e.svc.db.conn().await.unwrap();
        let c = list_messages::count_deliveries(conn.ex(), id)
            .await
            .unwrap();
        assert_eq!((c.queued, c.sent, c.failed), (1, 3, 0));
    }
    e.sink.refuse_rcpt.lock().unwrap().clear();
    e.sql("UPDATE jobs SET run_at = created_at").await;
    assert_eq!(e.worker.drain().await.unwrap()[0].1, Outcome::Done);
    let got: Vec<_> = e
        .sink
        .inbox()
        .into_iter()
        .map(|r| r.to[0].clone())
        .collect();
    assert_eq!(got.len(), 4);
    assert_eq!(got[3], "<b@example.org>");
}

#[tokio::test]
async fn a_list_that_rewrites_from_sends_via_the_list_with_reply_to_the_poster() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    e.sql("UPDATE lists SET rewrite_from = TRUE, reply_to = 'poster', subject_prefix = '' WHERE name = 'organizers'")
        .await;
    let with_reply_to = [b"Reply-To: <elsewhere@example.org>\r\n".as_slice(), FIXTURE].concat();
    posted_id(&accept(&e.svc, "organizers", &with_reply_to).await.unwrap());
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 2);
    for copy in got {
        let msg = parse(&copy.data);
        let from = msg.from().unwrap().first().unwrap();
        assert_eq!(from.address(), Some("organizers@groups.example.org"));
        assert_eq!(from.name(), Some("Zoë Ng via Organizers"));
        assert_eq!(header(&msg, "From").len(), 1);
        let reply_to = msg.reply_to().unwrap().first().unwrap();
        assert_eq!(reply_to.address(), Some("zoe@example.org"));
        assert_eq!(header(&msg, "Reply-To").len(), 1);
        assert_eq!(msg.subject(), Some("Finding a venue – what worked for us"));
    }
}

#[tokio::test]
async fn a_fan_out_killed_while_sending_resumes_after_its_lease_and_sends_nobody_twice() {
    let e = env().await;
    let mut emails = Vec::new();
    for n in 0..6 {
        let email = format!("m{n}@example.org");
        e.member(&email).await;
        emails.push(email);
    }
    let raw = b"From: m0@example.org\r\nMessage-ID: <killed@example.org>\r\nSubject: Killed\r\n\r\nHi\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    e.sink.stall_after.store(2, Ordering::SeqCst);
    let doomed = new_worker(&e.svc, e.sink.port);
    let running = tokio::spawn(async move {
        let (_stop, mut rx) = tokio::sync::watch::channel(false);
        doomed.run_one(&mut rx).await
    });
    for _ in 0..500 {
        if e.sink.stalled.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(e.sink.stalled.load(Ordering::SeqCst), 1);
    // The process dies while the relay holds the third copy.
    running.abort();
    let _ = running.await;
    {
        let mut conn = e.svc.db.conn().await.unwrap();
        let c = list_messages::count_deliveries(conn.ex(), id)
            .await
            .unwrap();
        assert_eq!((c.queued, c.sent, c.failed), (4, 2, 0));
    }
    e.sink.stall_after.store(usize::MAX, Ordering::SeqCst);
    // Another worker leaves the job alone while the dead one's lease lasts...
    assert!(e.worker.drain().await.unwrap().is_empty());
    // ...and takes it over once the lease has run out.
    e.clock.advance(Duration::minutes(6));
    let ran = e.worker.drain().await.unwrap();
    assert_eq!(
        ran.iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Outcome::Done]
    );
    let got = e.sink.inbox();
    assert_eq!(got.len(), 6);
    for email in &emails {
        let n = got
            .iter()
            .filter(|r| r.to == [format!("<{email}>")])
            .count();
        assert_eq!(n, 1, "{email} got {n} copies");
    }
}

/// Copies each address got at the sink.
fn copies_per_address(sink: &Sink) -> std::collections::HashMap<String, usize> {
    let mut n = std::collections::HashMap::new();
    for r in sink.inbox() {
        for to in r.to {
            *n.entry(to).or_insert(0) += 1;
        }
    }
    n
}

#[tokio::test]
async fn a_fan_out_over_several_connections_sends_each_member_one_copy() {
    let e = env().await;
    for n in 0..45 {
        e.member(&format!("p{n}@example.org")).await;
    }
    let raw = b"From: p0@example.org\r\nMessage-ID: <parallel@example.org>\r\nSubject: Parallel\r\n\r\nHi\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    let worker = new_worker_with_connections(&e.svc, e.sink.port, 4);
    let ran = worker.drain().await.unwrap();
    assert_eq!(
        ran.iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Outcome::Done]
    );
    let got = copies_per_address(&e.sink);
    assert_eq!(got.len(), 45);
    assert!(got.values().all(|n| *n == 1), "{got:?}");
    let mut conn = e.svc.db.conn().await.unwrap();
    let c = list_messages::count_deliveries(conn.ex(), id)
        .await
        .unwrap();
    assert_eq!((c.queued, c.sent, c.failed), (0, 45, 0));
}

#[tokio::test]
async fn a_parallel_fan_out_killed_mid_way_repeats_at_most_one_copy_per_connection() {
    const CONNECTIONS: usize = 4;
    let e = env().await;
    for n in 0..40 {
        e.member(&format!("k{n}@example.org")).await;
    }
    let raw = b"From: k0@example.org\r\nMessage-ID: <parallel-killed@example.org>\r\nSubject: Killed\r\n\r\nHi\r\n";
    let id = posted_id(&accept(&e.svc, "organizers", raw).await.unwrap());
    e.sink.stall_after.store(10, Ordering::SeqCst);
    let doomed = new_worker_with_connections(&e.svc, e.sink.port, CONNECTIONS);
    let running = tokio::spawn(async move {
        let (_stop, mut rx) = tokio::sync::watch::channel(false);
        doomed.run_one(&mut rx).await
    });
    for _ in 0..500 {
        if e.sink.stalled.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Let the other connections reach the stalled relay too.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let stalled = e.sink.stalled.load(Ordering::SeqCst);
    assert!((1..=CONNECTIONS).contains(&stalled), "{stalled} stalled");
    // The process dies while the relay holds copies.
    running.abort();
    let _ = running.await;
    let recorded = {
        let mut conn = e.svc.db.conn().await.unwrap();
        let c = list_messages::count_deliveries(conn.ex(), id)
            .await
            .unwrap();
        assert_eq!(c.queued + c.sent, 40);
        c.sent
    };
    assert_eq!(e.sink.inbox().len(), 10);
    let unrecorded = 10 - usize::try_from(recorded).unwrap();
    assert!(
        unrecorded <= CONNECTIONS,
        "{unrecorded} taken but not recorded"
    );
    e.sink.stall_after.store(usize::MAX, Ordering::SeqCst);
    e.clock.advance(Duration::minutes(6));
    let again = new_worker_with_connections(&e.svc, e.sink.port, CONNECTIONS);
    let ran = again.drain().await.unwrap();
    assert_eq!(
        ran.iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Outcome::Done]
    );
    let got = copies_per_address(&e.sink);
    assert_eq!(got.len(), 40, "every member got the message");
    let twice = got.values().filter(|n| **n == 2).count();
    assert!(got.values().all(|n| *n <= 2), "{got:?}");
    // Exactly the copies taken but not recorded went out again.
    assert_eq!(twice, unrecorded);
    assert_eq!(e.sink.inbox().len(), 40 + unrecorded);
}

#[tokio::test]
async fn the_same_message_delivered_twice_at_once_is_stored_and_sent_once() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    let (a, b) = tokio::join!(
        accept(&e.svc, "organizers", FIXTURE),
        accept(&e.svc, "organizers", FIXTURE)
    );
    let mut outcomes = [a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|o| matches!(o, Accepted::Duplicate));
    assert!(
        matches!(outcomes[0], Accepted::Posted { recipients: 2, .. }),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1], Accepted::Duplicate);
    assert_eq!(e.message_count().await, 1);
    e.worker.drain().await.unwrap();
    assert_eq!(e.sink.inbox().len(), 2);
}

/// An SMTP listener (the same server in SMTP mode) over `e`'s database;
/// it stops when the returned sender is dropped.

#[tokio::test]
async fn a_post_sent_with_smtplib_over_smtp_reaches_every_member() {
    if !python3_present("a_post_sent_with_smtplib_over_smtp_reaches_every_member") {
        return;
    }
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    let (port, _stop) = smtp_listener(&e).await;
    let got = smtplib(
        port,
        "zoe@example.org",
        &[
            &format!("organizers@{DOMAIN}"),
            &format!("nosuchlist@{DOMAIN}"),
        ],
        FIXTURE,
    )
    .await;
    assert_eq!(got["ok"], true, "{got}");
    for ext in [
        "pipelining",
        "size",
        "8bitmime",
        "smtputf8",
        "enhancedstatuscodes",
    ] {
        assert!(
            got["exts"].as_array().unwrap().iter().any(|x| x == ext),
            "{ext}: {got}"
        );
    }
    assert_eq!(
        got["refused"][format!("nosuchlist@{DOMAIN}")][0],
        550,
        "{got}"
    );
    assert_eq!(e.message_count().await, 1);
    e.worker.drain().await.unwrap();
    assert_eq!(e.sink.inbox().len(), 2);
    let msg = parse(&e.mail_to("ann@example.net")[0])
        .message_id()
        .map(str::to_owned);
    assert_eq!(
        msg.as_deref(),
        Some("4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org")
    );
}

#[tokio::test]
async fn smtp_to_two_lists_sent_again_is_stored_once_per_list_even_without_a_message_id() {
    if !python3_present(
        "smtp_to_two_lists_sent_again_is_stored_once_per_list_even_without_a_message_id",
    ) {
        return;
    }
    let e = env().await;
    e.member("zoe@example.org").await;
    let now = e.svc.clock.now();
    let mut tx = e.svc.db.begin().await.unwrap();
    let other = lists::insert_list(
        tx.ex(),
        "speakers",
        None,
        &lists::ListFields {
            display_name: "Speakers",
            description: "",
            policy: "open",
            posters: "anyone",
            archive: "public",
            subject_prefix: "",
            footer: "",
            reply_to: "poster",
            max_bytes: 1_000_000,
            rewrite_from: false,
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (port, _stop) = smtp_listener(&e).await;
    let raw = b"From: Zoe <zoe@example.org>\r\nSubject: Two lists\r\n\r\nHello both\r\n";
    let rcpts = [format!("organizers@{DOMAIN}"), format!("speakers@{DOMAIN}")];
    let rcpts: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    // The second time is the client retrying after a 451 for all: the
    // lists that stored it the first time recognise it.
    for _ in 0..2 {
        let got = smtplib(port, "zoe@example.org", &rcpts, raw).await;
        assert_eq!(got["ok"], true, "{got}");
    }
    assert_eq!(e.message_count().await, 1);
    let mut conn = e.svc.db.conn().await.unwrap();
    assert_eq!(
        list_messages::count_for_list(conn.ex(), other)
            .await
            .unwrap(),
        1
    );
    let organizers = e.organizers().await;
    let a = list_messages::in_state(conn.ex(), organizers.id, "accepted", 10)
        .await
        .unwrap();
    let b = list_messages::in_state(conn.ex(), other, "accepted", 10)
        .await
        .unwrap();
    assert_eq!(
        a[0].message_id, b[0].message_id,
        "one Message-ID for the one message"
    );
}

#[tokio::test]
async fn smtp_bad_input_gets_a_clear_code_and_nothing_is_stored() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let (port, _stop) = smtp_listener(&e).await;
    let to = format!("organizers@{DOMAIN}");
    let long = "y".repeat(1200);

    // DATA before any RCPT, and a command line over the limit.
    let out = smtp_raw(
        port,
        format!("EHLO c\r\nDATA\r\nMAIL FROM:<zoe@example.org>\r\nDATA\r\nNOOP {long}\r\nQUIT\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(
        reply_codes(&out),
        ["220", "250", "503", "250", "503", "500", "221"],
        "{out}"
    );
    assert!(out.contains("503 5.5.1 No valid recipients"), "{out}");
    assert!(out.contains("500 5.5.2 Line too long"), "{out}");

    // A header line over the limit with nowhere to fold it (long body
    // lines are re-encoded instead: see list_intake.rs).
    let out = smtp_raw(
        port,
        format!("EHLO c\r\nMAIL FROM:<zoe@example.org>\r\nRCPT TO:<{to}>\r\nDATA\r\nFrom: zoe@example.org\r\nSubject: {long}\r\n\r\nbody\r\n.\r\nQUIT\r\n")
            .as_bytes(),
    )
    .await;
    assert!(
        out.contains("554 5.6.0 The header field \"Subject\" has a line longer than 998 octets with no space to fold it at"),
        "{out}"
    );

    // Bare LF line endings: refused whole, even the "end" a bare LF dot
    // would have made.
    let out = smtp_raw(
        port,
        format!("EHLO c\r\nMAIL FROM:<zoe@example.org>\r\nRCPT TO:<{to}>\r\nDATA\r\nFrom: zoe@example.org\nSubject: lf\n\nbody\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(
        reply_codes(&out),
        ["220", "250", "250", "250", "354", "554", "221"],
        "{out}"
    );
    assert!(out.contains("bare LF"), "{out}");

    // Over the list's size limit: 552 after DATA.
    if python3_present("smtp_bad_input_gets_a_clear_code_and_nothing_is_stored") {
        e.sql("UPDATE lists SET max_bytes = 1500 WHERE name = 'organizers'")
            .await;
        let got = smtplib(port, "zoe@example.org", &[&to], FIXTURE).await;
        assert_eq!(got["ok"], false, "{got}");
        assert_eq!(got["code"], 552, "{got}");
        assert!(
            got["text"].as_str().unwrap().contains("at most 1500 bytes"),
            "{got}"
        );
    }
    // Over the listener's limit, declared with SIZE=: 552 at MAIL.
    let huge = [
        FIXTURE,
        &b"x"
            .repeat(998)
            .iter()
            .chain(b"\r\n")
            .copied()
            .collect::<Vec<u8>>()
            .repeat(70),
    ]
    .concat();
    let out = smtp_raw(
        port,
        format!(
            "EHLO c\r\nMAIL FROM:<zoe@example.org> SIZE={}\r\nQUIT\r\n",
            huge.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(out.contains("552 5.3.4 Message too big"), "{out}");

    assert_eq!(e.message_count().await, 0);
    assert!(e.job_kinds().await.is_empty());
}

#[tokio::test]
async fn owner_mail_is_forwarded_to_the_moderators_and_never_loops() {
    let e = env().await;
    let owner = format!("organizers-owner@{DOMAIN}");
    // Nobody moderates the list yet: a clear refusal at RCPT.
    let (rcpt, data) = e.lmtp("zoe@example.org", &[&owner], FIXTURE).await;
    assert!(rcpt[0].starts_with("550 5.1.1"), "{rcpt:?}");
    assert!(rcpt[0].contains("no moderator"), "{rcpt:?}");
    assert!(data.is_empty());
    assert!(e.job_kinds().await.is_empty());

    e.coordinator("cora@example.org").await;
    let (rcpt, data) = e.lmtp("zoe@example.org", &[&owner], FIXTURE).await;
    assert_eq!(rcpt, ["250 2.1.5 Recipient OK"]);
    assert_eq!(data, ["250 2.0.0 Forwarded to 1 moderators"]);
    assert_eq!(e.job_kinds().await, ["list_owner_forward"]);
    assert_eq!(e.message_count().await, 0, "not a list post");
    e.worker.drain().await.unwrap();
    let copies = e.mail_to("cora@example.org");
    assert_eq!(copies.len(), 1);
    let expected = [format!("X-Loop: {owner}\r\n").as_bytes(), FIXTURE].concat();
    assert_eq!(
        copies[0], expected,
        "the message itself, after an X-Loop line"
    );
    let envelope = &e.sink.inbox()[0].from;
    assert_eq!(envelope, &format!("<hub@{DOMAIN}>"));

    // What must not be forwarded: our own forward coming back, automatic
    // mail, mail from the list's or the site's own addresses.
    let precedence = [b"Precedence: bulk\r\n".as_slice(), FIXTURE].concat();
    let from_list = format!("From: organizers-bounces+x@{DOMAIN}\r\nSubject: x\r\n\r\nx\r\n");
    let from_site = format!("From: hub@{DOMAIN}\r\nSubject: x\r\n\r\nx\r\n");
    for loop_mail in [
        &copies[0],
        &precedence,
        from_list.as_bytes(),
        from_site.as_bytes(),
    ] {
        let (_, data) = e.lmtp("x@example.org", &[&owner], loop_mail).await;
        assert!(
            data[0].starts_with("250 2.0.0 Accepted and dropped"),
            "{data:?}"
        );
    }
    assert!(e.job_kinds().await.is_empty());
}

/// The Reply-To of the held-post notice that reached `moderator`.
fn notice_reply_to(e: &Env, moderator: &str) -> String {
    let notices = e.mail_to(moderator);
    assert_eq!(notices.len(), 1, "one notice");
    let msg = parse(&notices[0]);
    let reply_to = msg.reply_to().unwrap().first().unwrap().address().unwrap();
    reply_to.to_owned()
}

fn moderation_reply(from: &str, to: &str, n: usize, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {to}\r\nSubject: Re: held\r\nMessage-ID: <reply-{n}@example.org>\r\n\r\n{body}\r\n").into_bytes()
}

#[tokio::test]
async fn moderators_decide_by_replying_to_the_notice_and_bad_replies_change_nothing() {
    let e = env().await;
    e.member("ann@example.net").await;
    e.coordinator("cora@example.org").await;
    let held = match accept(&e.svc, "organizers", FIXTURE).await.unwrap() {
        Accepted::Held { message_row_id, .. } => message_row_id,
        other => panic!("not held: {other:?}"),
    };
    e.worker.drain().await.unwrap();
    let notice = parse(&e.mail_to("cora@example.org")[0])
        .body_text(0)
        .unwrap()
        .to_string();
    assert!(notice.contains("Finding a venue"), "{notice}");
    assert!(
        notice.contains("https://groups.example.org/lists/organizers/moderation"),
        "{notice}"
    );
    let reply_to = notice_reply_to(&e, "cora@example.org");
    let (local, domain) = reply_to.split_once('@').unwrap();
    assert_eq!(domain, DOMAIN);
    let token = local.strip_prefix("organizers-owner+").unwrap();
    assert!(token.len() > 32, "{token}");
    e.sink.inbox.lock().unwrap().clear();

    let answer = |e: &Env, to: &str| -> String {
        let got = e.mail_to(to);
        assert_eq!(got.len(), 1, "one answer to {to}");
        e.sink.inbox.lock().unwrap().clear();
        parse(&got[0]).body_text(0).unwrap().to_string()
    };
    let forged = format!("organizers-owner+{held}-{}@{DOMAIN}", "0".repeat(32));
    let bad: [(&str, &str, &str, &str); 5] = [
        ("cora@example.org", &forged, "approve", "names no message"),
        ("ann@example.net", &reply_to, "approve", "does not moderate"),
        (
            "mallory@example.com",
            &reply_to,
            "discard",
            "does not moderate",
        ),
        ("cora@example.org", &reply_to, "reject", "write the reason"),
        (
            "cora@example.org",
            &reply_to,
            "looks fine to me",
            "did not start with approve",
        ),
    ];
    for (n, (from, to, body, expected)) in bad.into_iter().enumerate() {
        let (_, data) = e
            .lmtp(from, &[to], &moderation_reply(from, to, n, body))
            .await;
        assert_eq!(
            data,
            ["250 2.0.0 Moderation reply taken; answer mailed"],
            "{body}"
        );
        assert_eq!(e.stored(held).await.state, "held", "{from} {body}");
        assert_eq!(e.job_kinds().await, ["send_email"], "only the answer");
        e.worker.drain().await.unwrap();
        let text = answer(&e, from);
        assert!(text.contains(expected), "{expected}: {text}");
        assert!(e.mail_to("ann@example.net").is_empty());
    }

    // The real thing, written above the quoted notice.
    let body = format!(
        "Approve\r\n\r\nOn Thu, the site wrote:\r\n> {}",
        notice.lines().next().unwrap()
    );
    let (_, data) = e
        .lmtp(
            "cora@example.org",
            &[&reply_to],
            &moderation_reply("Cora <cora@example.org>", &reply_to, 10, &body),
        )
        .await;
    assert_eq!(data, ["250 2.0.0 Moderation reply taken; answer mailed"]);
    assert_eq!(e.stored(held).await.state, "accepted");
    e.worker.drain().await.unwrap();
    assert_eq!(
        e.mail_to("ann@example.net").len(),
        1,
        "the post reached the member"
    );
    assert!(answer(&e, "cora@example.org").contains("Approved"));

    // The token is spent: a second decision changes nothing.
    e.sink.inbox.lock().unwrap().clear();
    let (_, _) = e
        .lmtp(
            "cora@example.org",
            &[&reply_to],
            &moderation_reply("cora@example.org", &reply_to, 11, "discard"),
        )
        .await;
    assert_eq!(e.stored(held).await.state, "accepted");
    e.worker.drain().await.unwrap();
    assert!(answer(&e, "cora@example.org").contains("already decided"));
}

impl Env {
    /// Switches `email`'s delivery on the organizers' list, as of now.
    async fn set_delivery(&self, email: &str, mode: &str) {
        let list = self.organizers().await;
        let mut tx = self.svc.db.begin().await.unwrap();
        let m = lists::member(tx.ex(), list.id, email)
            .await
            .unwrap()
            .unwrap();
        lists::set_delivery(tx.ex(), m.id, mode, self.svc.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn member_id(&self, email: &str) -> i64 {
        let list = self.organizers().await;
        let mut conn = self.svc.db.conn().await.unwrap();
        lists::member(conn.ex(), list.id, email)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// Moves the clock to `at` (RFC 3339), queues that day's digests and
    /// runs every job.
    async fn digest_day(&self, at: &str) -> Vec<(i64, Outcome)> {
        let at = DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc);
        self.clock.advance(at - self.svc.clock.now());
        convene_app::lists::schedule_digests(&self.svc)
            .await
            .unwrap();
        self.worker.drain().await.unwrap()
    }

    async fn digest_count(&self) -> i64 {
        let mut conn = self.svc.db.conn().await.unwrap();
        convene_store::run!(conn.ex(), |c| convene_store::sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM list_digests"
        )
        .fetch_one(c)
        .await)
        .unwrap()
    }
}

/// A digest as a reader sees it: its table of contents, then the
/// Message-ID of each enclosed message in order, then any text after them.
fn read_digest(raw: &[u8]) -> (String, Vec<String>, Vec<String>) {
    use mail_parser::{MimeHeaders, PartType};
    let msg = parse(raw);
    let ct = msg.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("digest")),
        "a MIME digest"
    );
    let PartType::Multipart(kids) = &msg.parts[0].body else {
        panic!("not multipart");
    };
    let first = msg.part(kids[0]).unwrap();
    let first_ct = first.content_type().unwrap();
    assert_eq!(
        (first_ct.ctype(), first_ct.subtype()),
        ("text", Some("plain")),
        "the table of contents comes first"
    );
    let toc = first.text_contents().unwrap().replace("\r\n", "\n");
    let mut ids = Vec::new();
    let mut after = Vec::new();
    for k in &kids[1..] {
        let part = msg.part(*k).unwrap();
        match part.message() {
            Some(inner) => {
                assert!(after.is_empty(), "messages come before the footer");
                let ct = part.content_type().unwrap();
                assert_eq!((ct.ctype(), ct.subtype()), ("message", Some("rfc822")));
                ids.push(inner.message_id().unwrap().to_owned());
            }
            None => after.push(part.text_contents().unwrap().to_owned()),
        }
    }
    (toc, ids, after)
}

fn post(id: &str, from: &str, subject: &str) -> Vec<u8> {
    format!("From: {from}\r\nMessage-ID: <{id}>\r\nSubject: {subject}\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n\r\nText of {id}\r\n")
        .into_bytes()
}

#[tokio::test]
async fn digest_members_get_one_mime_digest_a_day_of_what_came_after_they_chose_it() {
    let e = env().await;
    e.member("zoe@example.org").await;
    let ann = e.member("ann@example.net").await;
    let olu = e.member("olu@example.com").await;
    e.member("sam@example.org").await;
    e.set_delivery("ann@example.net", "digest").await;
    e.set_delivery("olu@example.com", "digest").await;
    e.clock.advance(Duration::hours(1));
    let (_, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            FIXTURE,
        )
        .await;
    assert_eq!(
        data,
        ["250 2.0.0 Accepted for 2 members"],
        "copies one by one"
    );
    e.clock.advance(Duration::minutes(30));
    accept(
        &e.svc,
        "organizers",
        &post(
            "reply@example.net",
            "Ann Lee <ann@example.net>",
            "Re: Finding a venue",
        ),
    )
    .await
    .unwrap();
    e.worker.drain().await.unwrap();
    let each: Vec<_> = e.sink.inbox();
    assert_eq!(
        each.len(),
        4,
        "two copies each for the two members on each message"
    );
    assert!(
        each.iter()
            .all(|r| r.to == ["<zoe@example.org>"] || r.to == ["<sam@example.org>"]),
        "digest members get no copies one by one"
    );

    // The next morning's run sends one digest to each digest member.
    e.digest_day("2026-11-27T00:05:00Z").await;
    let got = e.sink.inbox();
    assert_eq!(got.len(), 6);
    for (email, token) in [("ann@example.net", &ann), ("olu@example.com", &olu)] {
        let copies: Vec<_> = got[4..]
            .iter()
            .filter(|r| r.to == [format!("<{email}>")])
            .collect();
        assert_eq!(copies.len(), 1, "{email}");
        let copy = copies[0];
        assert_eq!(copy.from, format!("<organizers-bounces+{token}@{DOMAIN}>"));
        let msg = parse(&copy.data);
        assert_eq!(msg.subject(), Some("[organizers] Digest, Vol 1, Issue 1"));
        assert_eq!(
            header(&msg, "List-Id"),
            [format!("\"Organizers\" <organizers.{DOMAIN}>")]
        );
        assert_eq!(
            header(&msg, "List-Unsubscribe"),
            [format!(
                "<https://groups.example.org/unsubscribe/list/{token}>, <mailto:organizers-leave@{DOMAIN}>"
            )]
        );
        assert_eq!(
            header(&msg, "List-Unsubscribe-Post"),
            ["List-Unsubscribe=One-Click"]
        );
        assert_eq!(header(&msg, "Precedence"), ["list"]);
        assert_eq!(
            msg.message_id(),
            Some(format!("digest.1.1.organizers@{DOMAIN}").as_str())
        );
        let (toc, ids, after) = read_digest(&copy.data);
        assert_eq!(
            toc,
            "Organizers Digest, Vol 1, Issue 1\n\nToday's topics:\n\n  1. Finding a venue – what worked for us (Zoë Ng)\n  2. Re: Finding a venue (Ann Lee)\n\nEach message follows in full, in this order."
        );
        assert_eq!(
            ids,
            [
                "4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org",
                "reply@example.net"
            ]
        );
        assert!(after.is_empty(), "no footer on a list without one");
        // The first message is enclosed exactly as it arrived.
        let enclosed = parse(&copy.data);
        let inner = enclosed
            .parts
            .iter()
            .find_map(|p| p.message())
            .unwrap()
            .raw_message();
        assert_eq!(inner, FIXTURE);
    }

    // Asking again the same day, or on a day with nothing new, sends nothing
    // and records nothing.
    e.digest_day("2026-11-27T06:00:00Z").await;
    e.digest_day("2026-11-28T00:05:00Z").await;
    assert_eq!(e.sink.inbox().len(), 6);
    assert_eq!(e.digest_count().await, 1);

    // Sam switches to digests between two messages: his digest starts
    // after the switch; Ann's has both. Numbers go on.
    e.clock.advance(Duration::hours(2));
    accept(
        &e.svc,
        "organizers",
        &post("third@example.org", "zoe@example.org", "Speakers"),
    )
    .await
    .unwrap();
    e.worker.drain().await.unwrap();
    e.clock.advance(Duration::minutes(1));
    e.set_delivery("sam@example.org", "digest").await;
    e.clock.advance(Duration::minutes(1));
    accept(
        &e.svc,
        "organizers",
        &post("fourth@example.org", "zoe@example.org", "Re: Speakers"),
    )
    .await
    .unwrap();
    e.worker.drain().await.unwrap();
    let before = e.sink.inbox().len();
    assert_eq!(before, 6 + 2 + 1, "zoe and sam, then zoe only");
    e.digest_day("2026-11-29T00:05:00Z").await;
    let got = e.sink.inbox();
    assert_eq!(got.len(), before + 3);
    let of = |email: &str| {
        let copy = got[before..]
            .iter()
            .find(|r| r.to == [format!("<{email}>")])
            .unwrap();
        assert_eq!(
            parse(&copy.data).subject(),
            Some("[organizers] Digest, Vol 1, Issue 2")
        );
        read_digest(&copy.data).1
    };
    assert_eq!(
        of("ann@example.net"),
        ["third@example.org", "fourth@example.org"]
    );
    assert_eq!(of("sam@example.org"), ["fourth@example.org"]);

    // Each digest member's subscription shows when their digest went out.
    let report = convene_app::lists::digest_report(&e.svc, e.member_id("sam@example.org").await)
        .await
        .unwrap();
    assert_eq!(
        report.last_sent_at.unwrap().to_rfc3339(),
        "2026-11-29T00:05:00+00:00"
    );
    assert_eq!(report.problem, None);
}

#[tokio::test]
async fn an_interrupted_digest_resumes_sends_nobody_two_digests_and_shows_what_failed() {
    let e = env().await;
    let mut emails = Vec::new();
    for n in 0..6 {
        let email = format!("member{n}@example.org");
        e.member(&email).await;
        e.set_delivery(&email, "digest").await;
        emails.push(email);
    }
    e.clock.advance(Duration::hours(1));
    accept(
        &e.svc,
        "organizers",
        &post("one@example.org", "member0@example.org", "One"),
    )
    .await
    .unwrap();
    e.worker.drain().await.unwrap();
    assert!(e.sink.inbox().is_empty());
    // member5's mailbox keeps answering "try later"; the relay stops
    // taking anything after three digests.
    e.sink
        .refuse_rcpt
        .lock()
        .unwrap()
        .push("<member5@example.org>".into());
    e.sink.refuse_after.store(3, Ordering::SeqCst);
    let ran = e.digest_day("2026-11-27T00:05:00Z").await;
    assert!(ran.iter().any(|r| r.1 == Outcome::Retrying), "{ran:?}");
    assert_eq!(e.sink.inbox().len(), 3);
    assert_eq!(e.digest_count().await, 1, "recorded before sending");

    // Meanwhile member3 leaves (their copy is dropped) and member4 switches
    // to each message (their copy still goes: its messages did not reach
    // them one by one).
    let left = e.member_id("member3@example.org").await;
    {
        let mut tx = e.svc.db.begin().await.unwrap();
        lists::leave(tx.ex(), left, e.svc.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    e.set_delivery("member4@example.org", "each").await;
    // The relay recovers; the retry comes due and sends the rest once.
    e.sink.refuse_after.store(usize::MAX, Ordering::SeqCst);
    e.sql("UPDATE jobs SET run_at = created_at").await;
    e.worker.drain().await.unwrap();
    // Running the digest job again (a lost lease) sends nothing more.
    e.sql("UPDATE jobs SET state = 'queued', run_at = created_at WHERE kind = 'list_digest'")
        .await;
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 4);
    for (n, email) in emails[..5].iter().enumerate() {
        let copies: Vec<_> = got
            .iter()
            .filter(|r| r.to == [format!("<{email}>")])
            .collect();
        if n == 3 {
            assert!(copies.is_empty(), "a member who left gets nothing");
            continue;
        }
        assert_eq!(copies.len(), 1, "{email} got {} digests", copies.len());
        assert_eq!(read_digest(&copies[0].data).1, ["one@example.org"]);
    }
    assert_eq!(e.digest_count().await, 1);

    // The member whose digest is held up sees why, and so do moderators.
    let report =
        convene_app::lists::digest_report(&e.svc, e.member_id("member5@example.org").await)
            .await
            .unwrap();
    assert_eq!(report.last_sent_at, None);
    let problem = report.problem.unwrap();
    assert_eq!(
        (problem.volume, problem.issue, problem.state.as_str()),
        (1, 1, "queued")
    );
    assert!(
        problem.last_error.contains("mailbox busy"),
        "{}",
        problem.last_error
    );
    let list = e.organizers().await;
    let failures = convene_app::lists::digest_failures(&e.svc, list.id)
        .await
        .unwrap();
    assert_eq!(
        failures
            .iter()
            .map(|f| f.email.as_str())
            .collect::<Vec<_>>(),
        ["member5@example.org"]
    );
}

#[tokio::test]
async fn the_footer_goes_on_each_copy_and_on_digests() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    e.set_delivery("ann@example.net", "digest").await;
    e.sql("UPDATE lists SET footer = 'Organizers list – leave or change: https://groups.example.org/account/lists'")
        .await;
    e.clock.advance(Duration::hours(1));
    let plain = post("plain@example.org", "zoe@example.org", "Plain");
    accept(&e.svc, "organizers", &plain).await.unwrap();
    accept(&e.svc, "organizers", FIXTURE).await.unwrap();
    let signed = b"From: zoe@example.org\r\nMessage-ID: <signed@example.org>\r\nSubject: Signed\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=\"sig\"\r\n\r\n--sig\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSigned words.\r\n--sig\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--sig--\r\n";
    accept(&e.svc, "organizers", signed).await.unwrap();
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 3);
    assert_eq!(
        body_of(&got[2].data),
        body_of(signed),
        "a signed message goes out untouched"
    );
    let footer = "Organizers list – leave or change: https://groups.example.org/account/lists";
    // Plain ASCII text in 7bit cannot take a UTF-8 footer: it is wrapped.
    let first = parse(&got[0].data);
    assert_eq!(first.message_id(), Some("plain@example.org"));
    assert_eq!(first.body_text(0).unwrap(), "Text of plain@example.org\r\n");
    assert_eq!(first.body_text(1).unwrap(), footer);
    // Thunderbird's multipart/mixed gets a part at the end, its own parts intact.
    let second = parse(&got[1].data);
    use mail_parser::MimeHeaders;
    assert_eq!(second.content_type().unwrap().subtype(), Some("mixed"));
    assert!(second.body_text(0).unwrap().contains("community hall"));
    assert_eq!(second.attachments().count(), 1);
    assert_eq!(second.parts.last().unwrap().text_contents(), Some(footer));
    // The digest ends with the footer once, after the messages as archived.
    e.digest_day("2026-11-27T00:05:00Z").await;
    let got = e.sink.inbox();
    assert_eq!(got.len(), 4);
    let (_, ids, after) = read_digest(&got[3].data);
    assert_eq!(ids.len(), 3);
    assert_eq!(after, [footer]);
}

#[tokio::test]
async fn a_digest_killed_while_sending_resumes_after_its_lease_and_sends_nobody_twice() {
    let e = env().await;
    let mut emails = Vec::new();
    for n in 0..6 {
        let email = format!("d{n}@example.org");
        e.member(&email).await;
        e.set_delivery(&email, "digest").await;
        emails.push(email);
    }
    e.clock.advance(Duration::hours(1));
    accept(
        &e.svc,
        "organizers",
        &post("killed@example.org", "d0@example.org", "Killed"),
    )
    .await
    .unwrap();
    e.worker.drain().await.unwrap();
    e.clock.advance(Duration::days(1));
    convene_app::lists::schedule_digests(&e.svc).await.unwrap();
    // The daily run queues the list's digest job.
    let (_stop, mut rx) = tokio::sync::watch::channel(false);
    e.worker.run_one(&mut rx).await.unwrap();
    assert_eq!(e.job_kinds().await, ["list_digest"]);
    e.sink.stall_after.store(2, Ordering::SeqCst);
    let doomed = new_worker(&e.svc, e.sink.port);
    let running = tokio::spawn(async move {
        let (_stop, mut rx) = tokio::sync::watch::channel(false);
        doomed.run_one(&mut rx).await
    });
    for _ in 0..500 {
        if e.sink.stalled.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(e.sink.stalled.load(Ordering::SeqCst), 1);
    // The process dies while the relay holds the third digest.
    running.abort();
    let _ = running.await;
    let digest_id = {
        let list = e.organizers().await;
        let mut conn = e.svc.db.conn().await.unwrap();
        let day = e.svc.clock.now().format("%Y-%m-%d").to_string();
        convene_store::list_digests::by_day(conn.ex(), list.id, &day)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let counts = |e: &Env| {
        let svc = e.svc.clone();
        async move {
            let mut conn = svc.db.conn().await.unwrap();
            convene_store::list_digests::count_deliveries(conn.ex(), digest_id)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        counts(&e).await,
        [4, 2, 0, 0],
        "queued, sent, failed, skipped"
    );
    e.sink.stall_after.store(usize::MAX, Ordering::SeqCst);
    assert!(
        e.worker.drain().await.unwrap().is_empty(),
        "the lease holds"
    );
    e.clock.advance(Duration::minutes(6));
    let ran = e.worker.drain().await.unwrap();
    assert_eq!(
        ran.iter().map(|r| &r.1).collect::<Vec<_>>(),
        [&Outcome::Done]
    );
    assert_eq!(counts(&e).await, [0, 6, 0, 0]);
    assert_eq!(e.digest_count().await, 1);
    let got = e.sink.inbox();
    assert_eq!(got.len(), 6);
    for email in &emails {
        let copies: Vec<_> = got
            .iter()
            .filter(|r| r.to == [format!("<{email}>")])
            .collect();
        assert_eq!(copies.len(), 1, "{email} got {} digests", copies.len());
        assert_eq!(read_digest(&copies[0].data).1, ["killed@example.org"]);
    }
}

#[tokio::test]
async fn a_forged_list_id_is_replaced_or_stopped_as_a_loop() {
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;

    // Another list's List-Id and unsubscribe links (a forwarded post, or
    // a forgery hoping members unsubscribe through someone else's link)
    // do not reach the members: each copy carries only this list's.
    let forged = [
        b"List-Id: Organizers <organizers.evil.example>\r\n\
List-Unsubscribe: <https://evil.example/steal>\r\n\
List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\
Archived-At: <https://evil.example/archive>\r\n"
            .as_slice(),
        FIXTURE,
    ]
    .concat();
    let (_, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            &forged,
        )
        .await;
    assert_eq!(data, ["250 2.0.0 Accepted for 2 members"]);
    e.worker.drain().await.unwrap();
    let got = e.sink.inbox();
    assert_eq!(got.len(), 2);
    for copy in &got {
        let msg = parse(&copy.data);
        assert_eq!(
            header(&msg, "List-Id"),
            [format!("\"Organizers\" <organizers.{DOMAIN}>")]
        );
        let unsubscribe = header(&msg, "List-Unsubscribe");
        assert_eq!(unsubscribe.len(), 1);
        assert!(
            unsubscribe[0].starts_with("<https://groups.example.org/unsubscribe/list/"),
            "{unsubscribe:?}"
        );
        assert!(!String::from_utf8_lossy(&copy.data).contains("evil.example"));
    }

    // This list's own List-Id on mail from outside is taken for a loop:
    // accepted (so the sender's server does not retry) and dropped, with
    // nothing stored and nothing sent.
    let count = e.message_count().await;
    let looped = format!(
        "List-Id: <organizers.{DOMAIN}>\r\n{}",
        String::from_utf8_lossy(FIXTURE)
    )
    .replace(
        "<4f1c2a9e-8d3b-4c1e-9a57-2b6f0e3d9c11@example.org>",
        "<looped@example.org>",
    );
    let (_, data) = e
        .lmtp(
            "zoe@example.org",
            &[&format!("organizers@{DOMAIN}")],
            looped.as_bytes(),
        )
        .await;
    assert!(
        data[0].starts_with("250 2.0.0 Accepted and dropped: a loop"),
        "{data:?}"
    );
    assert_eq!(e.message_count().await, count);
    e.worker.drain().await.unwrap();
    assert_eq!(e.sink.inbox().len(), 2);
}

#[tokio::test]
async fn big_attachments_wait_for_a_moderator_even_from_a_trusted_member() {
    use base64::Engine;
    let e = env().await;
    e.member("zoe@example.org").await;
    e.member("ann@example.net").await;
    e.sql("UPDATE lists SET max_bytes = 4194304 WHERE name = 'organizers'")
        .await;
    let file = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 1_200_000]);
    let mut folded = String::new();
    for chunk in file.as_bytes().chunks(76) {
        folded.push_str(std::str::from_utf8(chunk).unwrap());
        folded.push_str("\r\n");
    }
    let raw = format!(
        "From: Zoe <zoe@example.org>\r\nMessage-ID: <video@example.org>\r\nSubject: The talk video\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHere it is.\r\n--b\r\nContent-Type: video/mp4; name=\"talk.mp4\"\r\nContent-Disposition: attachment; filename=\"talk.mp4\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{folded}--b--\r\n"
    );
    let Accepted::Held { message_row_id, .. } =
        accept(&e.svc, "organizers", raw.as_bytes()).await.unwrap()
    else {
        panic!("a message with 1.2 MB of attachments is held")
    };
    let stored = e.stored(message_row_id).await;
    assert_eq!(stored.state, "held");
    assert!(
        stored
            .hold_reason
            .as_deref()
            .is_some_and(|r| r.contains("attachments are over 1 MB")),
        "{:?}",
        stored.hold_reason
    );
    e.worker.drain().await.unwrap();
    assert!(e.sink.inbox().is_empty());

    // A small attachment from the same member goes straight out.
    let small = raw
        .replace(&folded, "AAECAwQF\r\n")
        .replace("<video@example.org>", "<small@example.org>");
    assert!(matches!(
        accept(&e.svc, "organizers", small.as_bytes())
            .await
            .unwrap(),
        Accepted::Posted { .. }
    ));
    e.worker.drain().await.unwrap();
    assert_eq!(e.sink.inbox().len(), 2);
}
