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
        if input.chars().any(is_invisible_format) {
            return Err(InvalidInput::new(
                "display_name",
                "A name cannot contain invisible direction or zero-width characters.",
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

/// Zero-width and bidirectional-override characters: they let a name look
/// like another one, or reverse the text shown after it.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
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
        assert!(DisplayName::parse("Eve\u{202E}gnp.exe").is_err());
        assert!(DisplayName::parse("Ad\u{200B}min").is_err());
        assert!(DisplayName::parse("مريم").is_ok());
        assert_eq!(
            DisplayName::parse("Robert'); DROP TABLE users;--")
                .unwrap()
                .as_str(),
            "Robert'); DROP TABLE users;--"
        );
    }
}
