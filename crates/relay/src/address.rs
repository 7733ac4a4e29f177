//! The envelope: who the relay reports failures to, and who gets the message.

use crate::error::Error;

/// A checked envelope: a sender (empty for the null sender `<>`) and at
/// least one recipient, every address safe to put on an SMTP command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    from: String,
    to: Vec<String>,
}

impl Envelope {
    /// Checks the addresses: each must be `local@domain` with no line
    /// break, control character, space or angle bracket (which would end
    /// or add a command), at most 254 bytes. `from` may be empty.
    pub fn new<S: AsRef<str>>(from: &str, to: &[S]) -> Result<Envelope, Error> {
        if !from.is_empty() {
            check(from)?;
        }
        if to.is_empty() {
            return Err(Error::Address {
                address: String::new(),
                why: "a message needs at least one recipient",
            });
        }
        let to = to
            .iter()
            .map(|a| check(a.as_ref()).map(|()| a.as_ref().to_owned()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Envelope {
            from: from.to_owned(),
            to,
        })
    }

    /// The envelope sender (empty: the null sender).
    pub fn from(&self) -> &str {
        &self.from
    }

    /// The recipients, in the order they are sent.
    pub fn to(&self) -> &[String] {
        &self.to
    }

    /// True when an address is not ASCII (it needs SMTPUTF8, RFC 6531).
    pub(crate) fn needs_smtputf8(&self) -> bool {
        !self.from.is_ascii() || self.to.iter().any(|a| !a.is_ascii())
    }
}

fn check(address: &str) -> Result<(), Error> {
    let bad = |why| {
        Err(Error::Address {
            address: address.to_owned(),
            why,
        })
    };
    if address.chars().any(|c| c == '\r' || c == '\n') {
        return bad("it contains a line break");
    }
    if address
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>')
    {
        return bad("it contains a space, a control character or an angle bracket");
    }
    if address.len() > 254 {
        return bad("it is longer than 254 bytes");
    }
    match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok(()),
        _ => bad("it is not of the form local@domain"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn line_breaks_and_brackets_are_refused() {
        for bad in [
            "a@b.example\r\nRCPT TO:<x@y.example>",
            "a@b.example\n",
            "a b@c.example",
            "a@b.example>",
            "no-at-sign",
            "@b.example",
            "a@",
        ] {
            assert!(
                matches!(
                    Envelope::new("s@x.example", &[bad]),
                    Err(Error::Address { .. })
                ),
                "{bad:?}"
            );
            assert!(Envelope::new(bad, &["r@x.example"]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_null_sender_and_unicode_are_addresses() {
        let e = Envelope::new("", &["zoë@example.org"]).unwrap();
        assert_eq!(e.from(), "");
        assert!(e.needs_smtputf8());
        assert!(
            !Envelope::new("a@b.example", &["c@d.example"])
                .unwrap()
                .needs_smtputf8()
        );
    }
}
