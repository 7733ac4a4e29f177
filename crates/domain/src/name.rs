//! The names people give themselves.

use crate::error::{InvalidInput, has_control_chars};
use std::fmt;

/// A person's display name: one line, 1 to 100 characters, any script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Checks a name typed by a person.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        if has_control_chars(input) {
            return Err(InvalidInput::new(
                "display_name",
                "A name must be on one line, without control characters.",
            ));
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidInput::new("display_name", "Enter your name."));
        }
        if trimmed.chars().count() > 100 {
            return Err(InvalidInput::new(
                "display_name",
                "A name can be at most 100 characters long.",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_single_line() {
        assert_eq!(DisplayName::parse(" Zoë Ng ").unwrap().as_str(), "Zoë Ng");
        assert!(DisplayName::parse("Eve\r\nBcc: x@y.z").is_err());
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert_eq!(
            DisplayName::parse("Robert'); DROP TABLE users;--")
                .unwrap()
                .as_str(),
            "Robert'); DROP TABLE users;--"
        );
    }
}
