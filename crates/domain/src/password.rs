//! Password policy and hashing (argon2id).

use crate::error::InvalidInput;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted, in bytes: hashing cost grows with length.
pub const MAX_BYTES: usize = 1024;

static COMMON_LIST: &str = include_str!("../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_LIST.lines().map(str::trim).collect())
}

/// A new password that meets the policy. Its `Debug` form hides the value.
pub struct Password(String);

impl Password {
    /// Checks a password chosen by the person with address `email`.
    ///
    /// The policy follows NIST SP 800-63B: at least 12 characters, no
    /// composition rules, and no password from the bundled list of common
    /// ones (also after stripping a trailing run of digits and symbols, so
    /// "password123456" counts as "password").
    pub fn new(input: &str, email: &str) -> Result<Self, InvalidInput> {
        let field = "password";
        if input.len() > MAX_BYTES {
            return Err(InvalidInput::new(
                field,
                "That password is too long (at most 1024 bytes).",
            ));
        }
        if input.chars().count() < MIN_LENGTH {
            return Err(InvalidInput::new(
                field,
                format!(
                    "Choose a password of at least {MIN_LENGTH} characters; a few unrelated words work well."
                ),
            ));
        }
        let lower = input.to_lowercase();
        let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        let first = lower.chars().next();
        let one_char = lower.chars().all(|c| Some(c) == first);
        if common_passwords().contains(lower.as_str())
            || (stem.chars().count() >= 4 && common_passwords().contains(stem))
            || one_char
            || (!local.is_empty() && (lower == local || lower == email.to_lowercase()))
        {
            return Err(InvalidInput::new(
                field,
                "That password is one of the most common ones and easy to guess; choose another.",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// Hashes the password with argon2id and a fresh random salt.
    pub fn hash(&self) -> Result<PasswordHash, PasswordError> {
        let phc = Argon2::default()
            .hash_password(self.0.as_bytes())
            .map_err(|e| PasswordError(e.to_string()))?;
        Ok(PasswordHash(phc.to_string()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A stored argon2id hash in PHC string form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl PasswordHash {
    /// True if `attempt` is the password this hash was made from.
    pub fn verify(&self, attempt: &str) -> bool {
        if attempt.len() > MAX_BYTES {
            return false;
        }
        match Phc::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(attempt.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }
}

/// Hashing failed (the operating system's random source was unavailable).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct PasswordError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_common_and_trivial_passwords() {
        let email = "ada@example.org";
        assert!(Password::new("short", email).is_err());
        assert!(Password::new("passwordpassword", email).is_err());
        assert!(Password::new("PasswordPassword2024!", email).is_err());
        assert!(Password::new("aaaaaaaaaaaaaaaa", email).is_err());
        assert!(Password::new("ada@example.org", email).is_err());
        assert!(Password::new(&"x".repeat(2000), email).is_err());
        assert!(Password::new("violet kettle harbour", email).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let pw = Password::new("violet kettle harbour", "a@b.cd").unwrap();
        let h1 = pw.hash().unwrap();
        let h2 = pw.hash().unwrap();
        assert!(h1.0.starts_with("$argon2id$"));
        assert_ne!(h1, h2);
        assert!(h1.verify("violet kettle harbour"));
        assert!(!h1.verify("violet kettle harbouR"));
        assert!(!PasswordHash("garbage".into()).verify("x"));
    }
}
