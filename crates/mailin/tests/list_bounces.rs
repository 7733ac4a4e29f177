//! Bounces from real mail systems, each in its own format, sent over LMTP
//! to a member's bounce address: permanent failures pause the member's
//! delivery; delay warnings and auto-replies (which vacation programs send
//! to the same address) change nothing for the member.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

/// A fixture, the member it is about, and what it must do.
struct Case {
    file: &'static str,
    bytes: &'static [u8],
    permanent: bool,
}

macro_rules! case {
    ($file:literal, $permanent:expr) => {
        Case {
            file: $file,
            bytes: include_bytes!(concat!("fixtures/bounces/", $file)),
            permanent: $permanent,
        }
    };
}

const CASES: [Case; 11] = [
    case!("postfix-user-unknown.eml", true),
    case!("sendmail-user-unknown.eml", true),
    case!("gmail-no-such-user.eml", true),
    case!("office365-recipnotfound.eml", true),
    case!("exim-failed.eml", true),
    case!("qmail-failure.eml", true),
    case!("yahoo-failure.eml", true),
    case!("postfix-delayed.eml", false),
    case!("exim-delayed.eml", false),
    case!("outlook-automatic-reply.eml", false),
    case!("gmail-vacation.eml", false),
];

#[tokio::test]
async fn permanent_failures_of_each_mail_system_pause_delivery_and_auto_replies_change_nothing() {
    let e = env().await;
    let list = e.organizers().await;
    for (i, case) in CASES.iter().enumerate() {
        let email = format!("member{i}@example.com");
        let token = e.member(&email).await;
        let address = format!("organizers-bounces+{token}@{DOMAIN}");
        let raw = String::from_utf8_lossy(case.bytes)
            .replace("BOUNCE_TO", &address)
            .replace("TOKEN", &token);
        let before = {
            let mut conn = e.svc.db.conn().await.unwrap();
            convene_store::lists::member(conn.ex(), list.id, &email)
                .await
                .unwrap()
                .unwrap()
        };
        let jobs_before = e.job_kinds().await;
        let (rcpt, data) = e.lmtp("", &[&address], raw.as_bytes()).await;
        assert_eq!(rcpt, ["250 2.1.5 Recipient OK"], "{}", case.file);
        let after = {
            let mut conn = e.svc.db.conn().await.unwrap();
            convene_store::lists::member(conn.ex(), list.id, &email)
                .await
                .unwrap()
                .unwrap()
        };
        if case.permanent {
            assert_eq!(data, ["250 2.0.0 Bounce recorded"], "{}", case.file);
            assert_eq!(
                (after.bounce_score, after.delivery.as_str()),
                (5, "paused"),
                "{}",
                case.file
            );
            assert_eq!(
                e.job_kinds().await.len(),
                jobs_before.len() + 1,
                "{}: the member is told how to resume",
                case.file
            );
        } else {
            assert_eq!(
                data,
                ["250 2.0.0 Accepted and dropped: a delivery report that is not a failure"],
                "{}",
                case.file
            );
            assert_eq!(
                format!("{after:?}"),
                format!("{before:?}"),
                "{}: nothing changes for the member",
                case.file
            );
            assert_eq!(e.job_kinds().await, jobs_before, "{}", case.file);
        }
    }
}
