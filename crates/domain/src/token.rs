//! Secret tokens for links, sessions and API access, and their stored hashes.
//!
//! A token is shown once (in a link, a cookie or a terminal) and only its
//! SHA-256 hash is stored, so a copy of the database opens nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret value handed to one person. Its `Debug` form hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token received from a client (a link, a cookie, a header).
    pub fn from_client(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The token as text, for putting into a link or cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash under which this token is stored.
    pub fn hash(&self) -> TokenHash {
        let digest = Sha256::digest(self.0.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push_str(&format!("{byte:02x}"));
        }
        TokenHash(hex)
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

/// The stored form of a [`SecretToken`]: lowercase hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

impl TokenHash {
    /// The hash as stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where new secrets come from. Passed in through state so tests can see them.
pub trait TokenGenerator: Send + Sync + 'static {
    /// A fresh secret with at least 256 bits of entropy.
    fn new_token(&self) -> SecretToken;
    /// A random number in `0..bound`, for jitter.
    fn below(&self, bound: u64) -> u64;
}

/// Tokens from the operating system's random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomTokens;

impl TokenGenerator for RandomTokens {
    fn new_token(&self) -> SecretToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn below(&self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        rand::rng().next_u64() % bound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hash_stably() {
        let a = RandomTokens.new_token();
        let b = RandomTokens.new_token();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert_eq!(a.hash(), SecretToken::from_client(a.expose()).hash());
        assert_ne!(a.hash(), b.hash());
        assert_eq!(format!("{a:?}"), "SecretToken(..)");
    }
}
