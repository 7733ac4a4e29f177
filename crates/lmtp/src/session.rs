//! One LMTP or SMTP conversation.

use crate::{Handler, LmtpConfig, MAX_LINE_OCTETS, Protocol, Reply};
use std::io;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// A line as read from the client.
enum Line {
    /// The client closed the connection.
    Eof,
    /// A whole line, with its line ending.
    Whole(Vec<u8>),
    /// A line longer than the limit; its bytes were skipped.
    TooLong,
}

/// Reads one line of at most `limit` octets without ever holding more
/// than that in memory.
async fn read_line<R: AsyncRead + Unpin>(r: &mut BufReader<R>, limit: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if line.is_empty() && !too_long {
                Line::Eof
            } else if too_long {
                Line::TooLong
            } else {
                Line::Whole(line)
            });
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let n = chunk.len();
        if !too_long {
            if line.len() + n > limit {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        r.consume(n);
        if done {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Whole(line)
            });
        }
    }
}

/// The state of the transaction under way.
#[derive(Default)]
struct Transaction {
    sender: Option<String>,
    recipients: Vec<String>,
}

/// Reads `FROM:<addr> PARAMS` or `TO:<addr> PARAMS` after the verb: the
/// address without brackets, and the parameters.
fn path_and_params<'a>(rest: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let address = rest[..end].trim().to_owned();
    if address.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    Some((address, rest[end + 1..].trim()))
}

/// The value of `SIZE=` among MAIL FROM parameters.
fn declared_size(params: &str) -> Option<usize> {
    params.split_ascii_whitespace().find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.eq_ignore_ascii_case("SIZE").then(|| v.parse().ok())?
    })
}

async fn send<W: AsyncWrite + Unpin>(w: &mut W, reply: &Reply) -> io::Result<()> {
    w.write_all(reply.line().as_bytes()).await?;
    w.flush().await
}

/// Serves one client on `reader`/`writer` until QUIT, end of input or the
/// idle timeout.
pub async fn run_session<R, W, H>(
    reader: R,
    mut writer: W,
    handler: &H,
    config: &LmtpConfig,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    H: Handler,
{
    let mut reader = BufReader::new(reader);
    let smtp = config.protocol == Protocol::Smtp;
    let (banner, greet) = if smtp {
        ("ESMTP", "EHLO")
    } else {
        ("LMTP", "LHLO")
    };
    send(
        &mut writer,
        &Reply::new(220, format!("{} {banner} convene ready", config.hostname)),
    )
    .await?;
    let mut greeted = false;
    let mut tx = Transaction::default();
    loop {
        let line = match tokio::time::timeout(
            config.idle_timeout,
            read_line(&mut reader, MAX_LINE_OCTETS),
        )
        .await
        {
            Ok(line) => line?,
            Err(_) => {
                send(
                    &mut writer,
                    &Reply::new(421, "4.4.2 Idle for too long, closing"),
                )
                .await?;
                return Ok(());
            }
        };
        let line = match line {
            Line::Eof => return Ok(()),
            Line::TooLong => {
                send(
                    &mut writer,
                    &Reply::new(500, "5.5.2 Line too long (the limit is 1000 octets)"),
                )
                .await?;
                continue;
            }
            Line::Whole(bytes) => String::from_utf8_lossy(&bytes).trim_end().to_owned(),
        };
        let (verb, rest) = match line.split_once(' ') {
            Some((v, r)) => (v.to_ascii_uppercase(), r.trim_start()),
            None => (line.to_ascii_uppercase(), ""),
        };
        let reply = match verb.as_str() {
            "HELO" if smtp => {
                if rest.is_empty() {
                    Reply::new(501, "5.5.4 HELO needs the client's name")
                } else {
                    greeted = true;
                    tx = Transaction::default();
                    Reply::new(250, config.hostname.clone())
                }
            }
            "LHLO" | "EHLO" if (verb == "EHLO") == smtp => {
                if rest.is_empty() {
                    Reply::new(501, format!("5.5.4 {verb} needs the client's name"))
                } else {
                    greeted = true;
                    tx = Transaction::default();
                    let lines = format!(
                        "250-{}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE {}\r\n250 SMTPUTF8\r\n",
                        config.hostname, config.max_message_bytes
                    );
                    writer.write_all(lines.as_bytes()).await?;
                    writer.flush().await?;
                    continue;
                }
            }
            "HELO" | "EHLO" | "LHLO" => Reply::new(
                500,
                format!(
                    "5.5.1 This is an {} server: greet it with {greet}",
                    config.protocol.name()
                ),
            ),
            "MAIL" if !greeted => Reply::new(503, format!("5.5.1 Send {greet} first")),
            "MAIL" if tx.sender.is_some() => {
                Reply::new(503, "5.5.1 A transaction is already open; RSET first")
            }
            "MAIL" => match path_and_params(rest, "FROM:") {
                None => Reply::new(501, "5.5.4 Syntax: MAIL FROM:<address>"),
                Some((_, params))
                    if declared_size(params).is_some_and(|n| n > config.max_message_bytes) =>
                {
                    Reply::new(
                        552,
                        format!(
                            "5.3.4 Message too big: this server takes at most {} octets",
                            config.max_message_bytes
                        ),
                    )
                }
                Some((address, _)) => {
                    tx.sender = Some(address);
                    Reply::new(250, "2.1.0 Sender OK")
                }
            },
            "RCPT" if tx.sender.is_none() => Reply::new(503, "5.5.1 Send MAIL FROM first"),
            "RCPT" if tx.recipients.len() >= config.max_recipients => {
                Reply::new(452, "4.5.3 Too many recipients in one transaction")
            }
            "RCPT" => match path_and_params(rest, "TO:") {
                None => Reply::new(501, "5.5.4 Syntax: RCPT TO:<address>"),
                Some((address, _)) => match handler.check_recipient(&address).await {
                    Ok(()) => {
                        tx.recipients.push(address);
                        Reply::new(250, "2.1.5 Recipient OK")
                    }
                    Err(refused) => refused,
                },
            },
            "DATA" if tx.recipients.is_empty() => {
                Reply::new(503, "5.5.1 No valid recipients: send RCPT TO first")
            }
            "DATA" => {
                send(
                    &mut writer,
                    &Reply::new(354, "Start mail input; end with <CRLF>.<CRLF>"),
                )
                .await?;
                let Some(data) = read_data(&mut reader, config).await? else {
                    return Ok(());
                };
                let sender = tx.sender.take().unwrap_or_default();
                let recipients = std::mem::take(&mut tx.recipients);
                let message = match data {
                    Data::Message(bytes) => Ok(bytes),
                    Data::TooBig => Err(Reply::new(
                        552,
                        format!(
                            "5.3.4 Message too big: this server takes at most {} octets",
                            config.max_message_bytes
                        ),
                    )),
                    Data::BareLf => Err(Reply::new(
                        554,
                        "5.6.0 The message has a line ending in a bare LF; SMTP lines end in CRLF (RFC 5321 section 2.3.8)",
                    )),
                };
                if smtp {
                    let reply = match &message {
                        Ok(bytes) => handler.deliver_to_all(&sender, &recipients, bytes).await,
                        Err(refused) => refused.clone(),
                    };
                    send(&mut writer, &reply).await?;
                    continue;
                }
                for recipient in recipients {
                    let reply = match &message {
                        Ok(bytes) => handler.deliver(&sender, &recipient, bytes).await,
                        Err(refused) => refused.clone(),
                    };
                    writer.write_all(reply.line().as_bytes()).await?;
                }
                writer.flush().await?;
                continue;
            }
            "RSET" => {
                tx = Transaction::default();
                Reply::new(250, "2.0.0 OK")
            }
            "NOOP" => Reply::new(250, "2.0.0 OK"),
            "VRFY" => Reply::new(252, "2.5.2 Cannot verify; send the message and see"),
            "QUIT" => {
                send(&mut writer, &Reply::new(221, "2.0.0 Bye")).await?;
                return Ok(());
            }
            _ => Reply::new(500, "5.5.2 Command not recognized"),
        };
        send(&mut writer, &reply).await?;
    }
}

/// What came after DATA.
enum Data {
    /// The message, dot-stuffing removed.
    Message(Vec<u8>),
    /// More than the size limit (the rest was read and dropped).
    TooBig,
    /// SMTP only: a line ended in LF without CR (the rest was read and
    /// dropped).
    BareLf,
}

/// Reads the message up to the lone dot. `None` if the client went away
/// before it.
async fn read_data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    config: &LmtpConfig,
) -> io::Result<Option<Data>> {
    let mut message = Vec::new();
    let mut too_big = false;
    let mut bare_lf = false;
    let strict = config.protocol == Protocol::Smtp;
    loop {
        // A text line may be longer than SMTP allows (RFC 5321 §4.5.3.1.6):
        // mail programs write them, and the handler re-encodes them before
        // anything is relayed. The message size limit still bounds it.
        let line = match tokio::time::timeout(
            config.idle_timeout,
            read_line(reader, config.max_message_bytes + 2),
        )
        .await
        {
            Ok(line) => line?,
            Err(_) => return Ok(None),
        };
        match line {
            Line::Eof => return Ok(None),
            Line::TooLong => too_big = true,
            Line::Whole(bytes) => {
                if bytes == b".\r\n" || (bytes == b".\n" && !strict) {
                    break;
                }
                if strict && bytes.ends_with(b"\n") && !bytes.ends_with(b"\r\n") {
                    // Only CRLF ends a line in SMTP: a message whose lines
                    // a client and a relay could split differently is
                    // refused whole rather than guessed at.
                    bare_lf = true;
                }
                let unstuffed = if bytes.starts_with(b".") {
                    &bytes[1..]
                } else {
                    &bytes[..]
                };
                if !too_big && message.len() + unstuffed.len() > config.max_message_bytes {
                    too_big = true;
                    message = Vec::new();
                }
                if !too_big && !bare_lf {
                    message.extend_from_slice(unstuffed);
                }
            }
        }
    }
    Ok(Some(if too_big {
        Data::TooBig
    } else if bare_lf {
        Data::BareLf
    } else {
        Data::Message(message)
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// Takes mail for `list@…` and `other@…`; remembers what it was given.
    #[derive(Default)]
    struct Recorder {
        got: Mutex<Vec<(String, String, Vec<u8>)>>,
    }

    impl Handler for Recorder {
        async fn check_recipient(&self, address: &str) -> Result<(), Reply> {
            if address.starts_with("list@") || address.starts_with("other@") {
                Ok(())
            } else {
                Err(Reply::new(550, "5.1.1 No such list"))
            }
        }

        async fn deliver(&self, sender: &str, recipient: &str, message: &[u8]) -> Reply {
            self.got
                .lock()
                .unwrap()
                .push((sender.into(), recipient.into(), message.to_vec()));
            if recipient.starts_with("other@") {
                Reply::new(451, "4.3.0 Try again")
            } else {
                Reply::new(250, "2.0.0 Stored")
            }
        }
    }

    async fn converse(input: &[u8], max: usize) -> (String, Recorder) {
        converse_in(Protocol::Lmtp, input, max).await
    }

    async fn converse_in(protocol: Protocol, input: &[u8], max: usize) -> (String, Recorder) {
        let handler = Recorder::default();
        let config = LmtpConfig {
            protocol,
            hostname: "lists.test".into(),
            max_message_bytes: max,
            max_recipients: 3,
            idle_timeout: Duration::from_secs(5),
            max_connections: 1,
        };
        let mut out = Vec::new();
        run_session(input, &mut out, &handler, &config)
            .await
            .unwrap();
        (String::from_utf8(out).unwrap(), handler)
    }

    fn codes(out: &str) -> Vec<&str> {
        out.lines()
            .filter(|l| l.as_bytes().get(3) == Some(&b' '))
            .map(|l| &l[..3])
            .collect()
    }

    #[tokio::test]
    async fn one_answer_per_recipient_and_dots_unstuffed() {
        let input = b"LHLO mta.test\r\nMAIL FROM:<ann@example.org> SIZE=100\r\nRCPT TO:<list@x.test>\r\nRCPT TO:<nobody@x.test>\r\nRCPT TO:<other@x.test>\r\nDATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
        let (out, h) = converse(input, 10_000).await;
        assert_eq!(
            codes(&out),
            [
                "220", "250", "250", "250", "550", "250", "354", "250", "451", "221"
            ],
            "{out}"
        );
        let got = h.got.lock().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "ann@example.org");
        assert_eq!(got[0].1, "list@x.test");
        assert_eq!(got[0].2, b"Subject: hi\r\n\r\n.leading dot\r\n");
    }

    #[tokio::test]
    async fn an_oversized_message_is_refused_for_each_recipient() {
        let body = "x".repeat(80);
        let mut input =
            b"LHLO mta\r\nMAIL FROM:<>\r\nRCPT TO:<list@x>\r\nRCPT TO:<list@y>\r\nDATA\r\n"
                .to_vec();
        for _ in 0..20 {
            input.extend_from_slice(body.as_bytes());
            input.extend_from_slice(b"\r\n");
        }
        input.extend_from_slice(b".\r\nNOOP\r\n");
        let (out, h) = converse(&input, 1000).await;
        assert!(out.contains("552 5.3.4"), "{out}");
        assert_eq!(
            codes(&out),
            [
                "220", "250", "250", "250", "250", "354", "552", "552", "250"
            ]
        );
        assert!(h.got.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_declared_size_over_the_limit_is_refused_at_mail() {
        let (out, _) = converse(b"LHLO mta\r\nMAIL FROM:<a@b> SIZE=5000\r\n", 1000).await;
        assert_eq!(codes(&out), ["220", "250", "552"]);
    }

    #[tokio::test]
    async fn long_commands_are_refused_and_long_message_lines_handed_on() {
        let long = "y".repeat(1200);
        let input = format!(
            "LHLO mta\r\nNOOP {long}\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@x>\r\nDATA\r\nSubject: {long}\r\n\r\nbody\r\n.\r\n"
        );
        let (out, h) = converse(input.as_bytes(), 100_000).await;
        assert_eq!(
            codes(&out),
            ["220", "250", "500", "250", "250", "354", "250"],
            "{out}"
        );
        assert_eq!(
            h.got.lock().unwrap()[0].2,
            format!("Subject: {long}\r\n\r\nbody\r\n").as_bytes()
        );
        // A line longer than the whole size limit is refused as too big.
        let input = format!(
            "LHLO mta\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@x>\r\nDATA\r\n{long}{long}\r\n.\r\nNOOP\r\n"
        );
        let (out, _) = converse(input.as_bytes(), 2000).await;
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "354", "552", "250"],
            "{out}"
        );
    }

    #[tokio::test]
    async fn order_and_syntax_are_checked() {
        let input = b"MAIL FROM:<a@b>\r\nEHLO mta\r\nLHLO mta\r\nRCPT TO:<list@x>\r\nMAIL FROM:a@b\r\nMAIL FROM:<a@b>\r\nDATA\r\nRCPT TO:<list@x>\r\nRSET\r\nRCPT TO:<list@x>\r\nFROB\r\n";
        let (out, h) = converse(input, 1000).await;
        assert_eq!(
            codes(&out),
            [
                "220", "503", "500", "250", "503", "501", "250", "503", "250", "250", "503", "500"
            ],
            "{out}"
        );
        assert!(h.got.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn too_many_recipients_are_deferred() {
        let input = b"LHLO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@1>\r\nRCPT TO:<list@2>\r\nRCPT TO:<list@3>\r\nRCPT TO:<list@4>\r\n";
        let (out, _) = converse(input, 1000).await;
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "250", "250", "452"]
        );
    }

    #[tokio::test]
    async fn smtp_gives_one_answer_after_data_for_all_recipients() {
        let input = b"EHLO client.test\r\nMAIL FROM:<ann@example.org> SIZE=100\r\nRCPT TO:<list@x.test>\r\nRCPT TO:<nobody@x.test>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n";
        let (out, h) = converse_in(Protocol::Smtp, input, 10_000).await;
        assert!(out.starts_with("220 lists.test ESMTP"), "{out}");
        for ext in [
            "PIPELINING",
            "SIZE 10000",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
        ] {
            assert!(
                out.contains(&format!("250-{ext}\r\n")) || out.contains(&format!("250 {ext}\r\n")),
                "{ext}: {out}"
            );
        }
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "550", "354", "250", "221"],
            "{out}"
        );
        let got = h.got.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, b"Subject: hi\r\n\r\n.dot\r\n");
    }

    #[tokio::test]
    async fn smtp_answers_451_for_all_when_one_recipient_fails_for_now() {
        let input = b"HELO client.test\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@x>\r\nRCPT TO:<other@x>\r\nDATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\n";
        let (out, h) = converse_in(Protocol::Smtp, input, 10_000).await;
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "250", "354", "451"],
            "{out}"
        );
        assert!(
            out.contains("451 4.3.0 Not taken for every recipient (other@x"),
            "{out}"
        );
        assert_eq!(h.got.lock().unwrap().len(), 2, "both were tried");
    }

    #[tokio::test]
    async fn smtp_refuses_lhlo_data_before_rcpt_and_bare_lf() {
        let input = b"LHLO mta\r\nEHLO client\r\nDATA\r\nMAIL FROM:<a@b>\r\nDATA\r\nRCPT TO:<list@x>\r\nDATA\r\nSubject: smuggled\n\nbody\n.\nMAIL FROM:<evil@x>\r\n.\r\nNOOP\r\n";
        let (out, h) = converse_in(Protocol::Smtp, input, 10_000).await;
        assert_eq!(
            codes(&out),
            [
                "220", "500", "250", "503", "250", "503", "250", "354", "554", "250"
            ],
            "{out}"
        );
        assert!(
            out.contains("554 5.6.0 The message has a line ending in a bare LF"),
            "{out}"
        );
        assert!(h.got.lock().unwrap().is_empty(), "nothing delivered");
    }

    #[tokio::test]
    async fn smtp_refuses_an_oversized_message_once() {
        let mut input =
            b"EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<list@x>\r\nRCPT TO:<list@y>\r\nDATA\r\n".to_vec();
        for _ in 0..20 {
            input.extend_from_slice(&[b'x'; 80]);
            input.extend_from_slice(b"\r\n");
        }
        input.extend_from_slice(b".\r\nRSET\r\n");
        let (out, h) = converse_in(Protocol::Smtp, &input, 1000).await;
        assert_eq!(
            codes(&out),
            ["220", "250", "250", "250", "250", "354", "552", "250"],
            "{out}"
        );
        assert!(h.got.lock().unwrap().is_empty());
    }
}
