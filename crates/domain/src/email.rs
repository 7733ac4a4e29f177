//! Email addresses as convene accepts them from people.

use crate::error::{InvalidInput, has_control_chars};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically sound, single-line email address, stored in lowercase.
///
/// Deliberately stricter than RFC 5322: no display names, comments, quoted
/// local parts or control characters, because every address ends up in a
/// mail header and must not be able to smuggle another one in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";

impl EmailAddress {
    /// Checks and normalises an address typed by a person.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let field = "email";
        if has_control_chars(input) {
            return Err(InvalidInput::new(
                field,
                "The address contains a line break or control character.",
            ));
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidInput::new(field, "Enter an email address."));
        }
        if trimmed.len() > 254 {
            return Err(InvalidInput::new(field, "That address is too long."));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(InvalidInput::new(
                field,
                "An email address needs an @, like ada@example.org.",
            ));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c));
        if !local_ok {
            return Err(InvalidInput::new(
                field,
                "The part before the @ may only hold letters, digits and . _ + - (no spaces).",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(InvalidInput::new(
                field,
                "The part after the @ must be a domain name like example.org (ASCII; use the xn-- form for other scripts).",
            ));
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_ordinary_addresses() {
        let a = EmailAddress::parse("  Ada.Lovelace+pug@Example.ORG ").unwrap();
        assert_eq!(a.as_str(), "ada.lovelace+pug@example.org");
        assert_eq!(a.domain(), "example.org");
    }

    #[test]
    fn refuses_header_injection_and_tricks() {
        for bad in [
            "ada@example.org\r\nBcc: victim@example.org",
            "ada@example.org\nBcc: x@y.z",
            "ada\0@example.org",
            "Ada <ada@example.org>",
            "ada@localhost",
            "ada@exa mple.org",
            "ädä@example.org",
            "ada@exämple.org",
            "a..b@example.org",
            "ada@-example.org",
            "",
            "@example.org",
            "ada@",
            "'; DROP TABLE users; --@example.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
