//! The key pair each local actor signs with: RSA-2048 with SHA-256
//! (RSASSA-PKCS1-v1_5), the only kind every fediverse server verifies,
//! kept as PKCS#8 PEM.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::rand_core::CryptoRngCore;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};

/// The system's random source, for [`KeyPair::generate`].
pub use rsa::rand_core::OsRng;

/// What went wrong with a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The PEM could not be read as a key of the expected kind.
    #[error("the key could not be read: {0}")]
    Unreadable(String),
    /// Making a key failed.
    #[error("a key could not be made: {0}")]
    Generate(String),
}

/// A local actor's key pair.
#[derive(Clone)]
pub struct KeyPair {
    private: RsaPrivateKey,
    /// The public half, as PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A new RSA-2048 key pair from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Result<Self, KeyError> {
        let private =
            RsaPrivateKey::new(rng, 2048).map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::from_private(private)
    }

    /// The pair whose private half is `pem` (PKCS#8).
    pub fn from_private_pem(pem: &str) -> Result<Self, KeyError> {
        let private =
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Unreadable(e.to_string()))?;
        Self::from_private(private)
    }

    fn from_private(private: RsaPrivateKey) -> Result<Self, KeyError> {
        let public_pem = RsaPublicKey::from(&private)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        Ok(Self {
            private,
            public_pem,
        })
    }

    /// The private half as PKCS#8 PEM, for storing.
    pub fn private_pem(&self) -> Result<String, KeyError> {
        Ok(self
            .private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Unreadable(e.to_string()))?
            .to_string())
    }

    /// The RSA-SHA256 signature of `data`, base64-encoded.
    pub fn sign(&self, data: &[u8]) -> String {
        let key = SigningKey::<Sha256>::new(self.private.clone());
        STANDARD.encode(key.sign(data).to_bytes())
    }
}

/// True when `signature` (base64) is `public_pem`'s RSA-SHA256 signature of
/// `data`. Keys in PKCS#1 (`BEGIN RSA PUBLIC KEY`) are read too, as some
/// servers publish them.
pub fn verify(public_pem: &str, data: &[u8], signature: &str) -> Result<bool, KeyError> {
    let public = RsaPublicKey::from_public_key_pem(public_pem.trim())
        .or_else(|_| {
            use rsa::pkcs1::DecodeRsaPublicKey;
            RsaPublicKey::from_pkcs1_pem(public_pem.trim())
        })
        .map_err(|e| KeyError::Unreadable(e.to_string()))?;
    let Ok(bytes) = STANDARD.decode(signature.trim()) else {
        return Ok(false);
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return Ok(false);
    };
    Ok(VerifyingKey::<Sha256>::new(public)
        .verify(data, &signature)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_own_key_only() {
        let mut rng = rsa::rand_core::OsRng;
        let a = KeyPair::generate(&mut rng).unwrap();
        let b = KeyPair::generate(&mut rng).unwrap();
        let sig = a.sign(b"hello");
        assert!(verify(&a.public_pem, b"hello", &sig).unwrap());
        assert!(!verify(&a.public_pem, b"hullo", &sig).unwrap());
        assert!(!verify(&b.public_pem, b"hello", &sig).unwrap());
        let again = KeyPair::from_private_pem(&a.private_pem().unwrap()).unwrap();
        assert_eq!(again.public_pem, a.public_pem);
        assert!(verify("not a key", b"hello", &sig).is_err());
    }
}
