//! One SMTP session: greeting, EHLO, STARTTLS, AUTH, then one mail
//! transaction after another.

use crate::address::Envelope;
use crate::config::{RelayConfig, Security};
use crate::error::Error;
use crate::reply::{RecipientOutcome, Reply};
use crate::stream::Wire;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// What the relay said it can do in its EHLO answer.
#[derive(Debug, Default, Clone)]
pub(crate) struct Extensions {
    pub pipelining: bool,
    pub starttls: bool,
    pub smtputf8: bool,
    pub eight_bit_mime: bool,
    /// SIZE's limit; `Some(0)` means SIZE without a limit.
    pub size: Option<u64>,
    /// AUTH mechanisms, upper case.
    pub auth: Vec<String>,
}

impl Extensions {
    fn parse(reply: &Reply) -> Extensions {
        let mut ext = Extensions::default();
        // The first line is the relay's name.
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "PIPELINING" => ext.pipelining = true,
                "STARTTLS" => ext.starttls = true,
                "SMTPUTF8" => ext.smtputf8 = true,
                "8BITMIME" => ext.eight_bit_mime = true,
                "SIZE" => ext.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                "AUTH" => ext.auth.extend(words.map(|w| w.to_ascii_uppercase())),
                _ => {}
            }
        }
        ext
    }
}

/// How a transaction failed: the error, and whether the relay could have
/// taken the message (once the data has been sent it might have, and the
/// message must not be sent again on this try).
pub(crate) struct Failure {
    pub error: Error,
    pub data_sent: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            data_sent: false,
        }
    }
}

/// An open, greeted (and, as asked, encrypted and authenticated) session.
pub(crate) struct Session {
    wire: Wire,
    pub ext: Extensions,
    /// A transaction failed half way; RSET goes first in the next one.
    needs_rset: bool,
    /// The session is out of step or closed; it must not be reused.
    pub broken: bool,
}

impl Session {
    /// Connects and gets the session ready for mail.
    pub(crate) async fn open(config: &RelayConfig) -> Result<Session, Error> {
        let mut wire = Wire::connect(&config.host, config.port, config.timeout).await?;
        if config.security == Security::Implicit {
            wire.start_tls(config.tls(), &config.host).await?;
        }
        let greeting = wire.reply("the greeting").await?;
        if !greeting.is_positive() {
            return Err(Error::Refused {
                command: "the greeting",
                reply: greeting,
            });
        }
        let mut ext = hello(&mut wire, &config.hello_name).await?;
        let wants_tls = matches!(
            config.security,
            Security::StartTlsRequired | Security::StartTlsOpportunistic
        );
        if wants_tls && !wire.is_tls() {
            if ext.starttls {
                wire.send("STARTTLS", b"STARTTLS\r\n").await?;
                let reply = wire.reply("STARTTLS").await?;
                if reply.code != 220 {
                    return Err(Error::Refused {
                        command: "STARTTLS",
                        reply,
                    });
                }
                wire.start_tls(config.tls(), &config.host).await?;
                ext = hello(&mut wire, &config.hello_name).await?;
            } else if config.security == Security::StartTlsRequired {
                return Err(Error::Tls(
                    "the relay does not offer STARTTLS, and the URL requires it".into(),
                ));
            }
        }
        if let Some((user, password)) = &config.credentials {
            authenticate(&mut wire, &ext, user, password).await?;
        }
        Ok(Session {
            wire,
            ext,
            needs_rset: false,
            broken: false,
        })
    }

    /// Sends one message (already dot-stuffed and ended: `data`) to the
    /// envelope's recipients; `params` go on MAIL FROM.
    pub(crate) async fn transact(
        &mut self,
        envelope: &Envelope,
        params: &str,
        data: &[u8],
    ) -> Result<Vec<RecipientOutcome>, Failure> {
        let result = if self.ext.pipelining {
            self.transact_pipelined(envelope, params, data).await
        } else {
            self.transact_in_turn(envelope, params, data).await
        };
        match &result {
            Ok(_) => {}
            Err(f) if f.error.breaks_connection() => self.broken = true,
            Err(_) => self.needs_rset = true,
        }
        result
    }

    /// RFC 2920: RSET (if due), MAIL FROM, every RCPT TO and DATA in one
    /// write, then their answers; then the message in one write.
    async fn transact_pipelined(
        &mut self,
        envelope: &Envelope,
        params: &str,
        data: &[u8],
    ) -> Result<Vec<RecipientOutcome>, Failure> {
        let mut commands = Vec::with_capacity(64 + 48 * envelope.to().len());
        let rset = std::mem::take(&mut self.needs_rset);
        if rset {
            commands.extend_from_slice(b"RSET\r\n");
        }
        commands.extend_from_slice(mail_from(envelope.from(), params).as_bytes());
        for to in envelope.to() {
            commands.extend_from_slice(format!("RCPT TO:<{to}>\r\n").as_bytes());
        }
        commands.extend_from_slice(b"DATA\r\n");
        self.wire.send("MAIL FROM", &commands).await?;
        if rset {
            let reply = self.wire.reply("RSET").await?;
            if reply.code == 421 {
                // Closing (an idle connection timed out): the pool retries
                // on a new one.
                return Err(Error::Refused {
                    command: "RSET",
                    reply,
                }
                .into());
            }
            if !reply.is_positive() {
                // The answers to the rest of the group are still unread:
                // the session is out of step and is dropped.
                return Err(Error::Protocol(format!("the relay refused RSET: {reply}")).into());
            }
        }
        // Every answer is read, whatever came before, to stay in step.
        let mail = self.wire.reply("MAIL FROM").await?;
        let mut outcomes = Vec::with_capacity(envelope.to().len());
        for _ in envelope.to() {
            outcomes.push(outcome(self.wire.reply("RCPT TO").await?));
        }
        let data_reply = self.wire.reply("DATA").await?;
        let any_accepted = outcomes.contains(&RecipientOutcome::Accepted);
        if data_reply.code == 354 && (!mail.is_positive() || !any_accepted) {
            // The relay should have refused DATA (RFC 2920 3.1); an empty
            // message ends it without delivering anything.
            self.wire.send("DATA", b".\r\n").await?;
            let _ = self.wire.reply("the message").await?;
        }
        if !mail.is_positive() {
            return Err(Error::Refused {
                command: "MAIL FROM",
                reply: mail,
            }
            .into());
        }
        if !any_accepted {
            self.needs_rset = true;
            return Ok(outcomes);
        }
        if data_reply.code != 354 {
            return Err(Error::Refused {
                command: "DATA",
                reply: data_reply,
            }
            .into());
        }
        self.finish(data, outcomes).await
    }

    /// Without PIPELINING: each command waits for its answer.
    async fn transact_in_turn(
        &mut self,
        envelope: &Envelope,
        params: &str,
        data: &[u8],
    ) -> Result<Vec<RecipientOutcome>, Failure> {
        if std::mem::take(&mut self.needs_rset) {
            self.command("RSET", b"RSET\r\n").await?;
        }
        self.command("MAIL FROM", mail_from(envelope.from(), params).as_bytes())
            .await?;
        let mut outcomes = Vec::with_capacity(envelope.to().len());
        for to in envelope.to() {
            self.wire
                .send("RCPT TO", format!("RCPT TO:<{to}>\r\n").as_bytes())
                .await?;
            outcomes.push(outcome(self.wire.reply("RCPT TO").await?));
        }
        if !outcomes.contains(&RecipientOutcome::Accepted) {
            self.needs_rset = true;
            return Ok(outcomes);
        }
        self.wire.send("DATA", b"DATA\r\n").await?;
        let reply = self.wire.reply("DATA").await?;
        if reply.code != 354 {
            return Err(Error::Refused {
                command: "DATA",
                reply,
            }
            .into());
        }
        self.finish(data, outcomes).await
    }

    /// Sends the message and reads the relay's verdict on it.
    async fn finish(
        &mut self,
        data: &[u8],
        outcomes: Vec<RecipientOutcome>,
    ) -> Result<Vec<RecipientOutcome>, Failure> {
        let sent = |error| Failure {
            error,
            data_sent: true,
        };
        self.wire.send("the message", data).await.map_err(sent)?;
        let reply = self.wire.reply("the message").await.map_err(sent)?;
        if reply.code / 100 != 2 {
            return Err(sent(Error::Refused {
                command: "the message",
                reply,
            }));
        }
        Ok(outcomes)
    }

    /// Sends one command and wants a 2xx answer.
    async fn command(&mut self, command: &'static str, line: &[u8]) -> Result<Reply, Error> {
        self.wire.send(command, line).await?;
        let reply = self.wire.reply(command).await?;
        if reply.code / 100 != 2 {
            return Err(Error::Refused { command, reply });
        }
        Ok(reply)
    }

    /// Ends the session with QUIT.
    pub(crate) async fn quit(self) {
        self.wire.quit().await;
    }
}

fn mail_from(from: &str, params: &str) -> String {
    format!("MAIL FROM:<{from}>{params}\r\n")
}

fn outcome(reply: Reply) -> RecipientOutcome {
    if reply.code / 100 == 2 {
        RecipientOutcome::Accepted
    } else {
        RecipientOutcome::Refused(reply)
    }
}

/// EHLO, or HELO for a relay that does not know EHLO.
async fn hello(wire: &mut Wire, name: &str) -> Result<Extensions, Error> {
    wire.send("EHLO", format!("EHLO {name}\r\n").as_bytes())
        .await?;
    let reply = wire.reply("EHLO").await?;
    if reply.code == 250 {
        return Ok(Extensions::parse(&reply));
    }
    if reply.code == 421 {
        return Err(Error::Refused {
            command: "EHLO",
            reply,
        });
    }
    wire.send("HELO", format!("HELO {name}\r\n").as_bytes())
        .await?;
    let reply = wire.reply("HELO").await?;
    if reply.code != 250 {
        return Err(Error::Refused {
            command: "HELO",
            reply,
        });
    }
    Ok(Extensions::default())
}

/// AUTH PLAIN, or LOGIN when the relay offers only that (RFC 4954).
async fn authenticate(
    wire: &mut Wire,
    ext: &Extensions,
    user: &str,
    password: &str,
) -> Result<(), Error> {
    let refused = |reply| Error::Refused {
        command: "AUTH",
        reply,
    };
    if ext.auth.iter().any(|m| m == "PLAIN") {
        let token = BASE64.encode(format!("\0{user}\0{password}"));
        wire.send("AUTH", format!("AUTH PLAIN {token}\r\n").as_bytes())
            .await?;
        let reply = wire.reply("AUTH").await?;
        return if reply.code == 235 {
            Ok(())
        } else {
            Err(refused(reply))
        };
    }
    if ext.auth.iter().any(|m| m == "LOGIN") {
        wire.send("AUTH", b"AUTH LOGIN\r\n").await?;
        for secret in [user, password] {
            let reply = wire.reply("AUTH").await?;
            if reply.code != 334 {
                return Err(refused(reply));
            }
            wire.send("AUTH", format!("{}\r\n", BASE64.encode(secret)).as_bytes())
                .await?;
        }
        let reply = wire.reply("AUTH").await?;
        return if reply.code == 235 {
            Ok(())
        } else {
            Err(refused(reply))
        };
    }
    Err(Error::Protocol(
        "the relay offers neither AUTH PLAIN nor AUTH LOGIN, and the URL has a password".into(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn extensions_are_read_from_the_ehlo_answer() {
        let lines: Vec<&[u8]> = vec![
            b"250-relay.example",
            b"250-PIPELINING",
            b"250-SIZE 1000",
            b"250-auth login PLAIN",
            b"250 STARTTLS",
        ];
        let ext = Extensions::parse(&Reply::parse(&lines).unwrap());
        assert!(ext.pipelining && ext.starttls && !ext.smtputf8);
        assert_eq!(ext.size, Some(1000));
        assert_eq!(ext.auth, vec!["LOGIN", "PLAIN"]);
    }
}
