//! The key pair each local actor signs with: RSA-2048 with SHA-256
//! (RSASSA-PKCS1-v1_5), the only kind every fediverse server verifies,
//! kept as PKCS#8 PEM; and the public keys of other servers' actors that
//! their requests are checked against.
//!
//! `rsa` makes new keys and writes PEM; `ring` signs and verifies, several
//! times faster than `rsa`'s big-integer code. Parsing a key (and `ring`'s
//! checks of a private key) costs more than a signature, so parsed keys
//! are kept in a small bounded memo keyed by their PEM text.

use crate::memo::Memo;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::der::pem;
use rsa::pkcs8::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::{RsaPrivateKey, RsaPublicKey};
use std::sync::{Arc, LazyLock};

/// The system's random source, for [`KeyPair::generate`].
pub use rsa::rand_core::OsRng;

/// How many parsed keys of each kind are kept.
const MEMO_CAPACITY: usize = 4096;

/// Parsed private keys by their PEM. A pure memo (the same PEM always
/// parses to the same key), so sharing it across the process changes
/// nothing but speed.
static PRIVATE_KEYS: LazyLock<Memo<KeyPair>> = LazyLock::new(|| Memo::new(MEMO_CAPACITY));

/// Parsed public keys by their PEM, as [`PRIVATE_KEYS`].
static PUBLIC_KEYS: LazyLock<Memo<Arc<PublicKey>>> = LazyLock::new(|| Memo::new(MEMO_CAPACITY));

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

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

/// A local actor's key pair. Cloning is cheap (the parsed key is shared).
#[derive(Clone)]
pub struct KeyPair {
    signer: Arc<RsaKeyPair>,
    private_pem: Arc<str>,
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
        let pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::parse(&pem)
    }

    /// The pair whose private half is `pem` (PKCS#8), parsed once and then
    /// taken from memory.
    pub fn from_private_pem(pem: &str) -> Result<Self, KeyError> {
        PRIVATE_KEYS.get_or_try(pem, || Self::parse(pem))
    }

    fn parse(private_pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem::decode_vec(private_pem.trim().as_bytes())
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        if label != "PRIVATE KEY" {
            return Err(KeyError::Unreadable(format!(
                "expected a PKCS#8 PRIVATE KEY, found {label}"
            )));
        }
        let signer =
            RsaKeyPair::from_pkcs8(&der).map_err(|e| KeyError::Unreadable(e.to_string()))?;
        let public_pem = RsaPublicKey::from_pkcs1_der(signer.public().as_ref())
            .map_err(|e| KeyError::Unreadable(e.to_string()))?
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        Ok(Self {
            signer: Arc::new(signer),
            private_pem: Arc::from(private_pem),
            public_pem,
        })
    }

    /// The private half as PKCS#8 PEM, for storing.
    pub fn private_pem(&self) -> Result<String, KeyError> {
        Ok(self.private_pem.to_string())
    }

    /// The RSA-SHA256 signature of `data`, base64-encoded.
    pub fn sign(&self, data: &[u8]) -> String {
        let mut out = vec![0; self.signer.public().modulus_len()];
        // Only fails when the buffer has the wrong length, which it has not;
        // an empty signature would then be refused by the receiver.
        if self
            .signer
            .sign(&sig::RSA_PKCS1_SHA256, &SystemRandom::new(), data, &mut out)
            .is_err()
        {
            out.clear();
        }
        STANDARD.encode(out)
    }
}

/// The algorithm a signature was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`rsa-sha256`, `rsa-v1_5-sha256`).
    RsaSha256,
    /// RSASSA-PSS with SHA-512 (`rsa-pss-sha512`).
    RsaPssSha512,
    /// EdDSA over Curve25519 (`ed25519`).
    Ed25519,
}

/// Another server's public key, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An RSA key (its PKCS#1 DER).
    Rsa(Vec<u8>),
    /// An Ed25519 key (its 32 bytes).
    Ed25519(Vec<u8>),
}

impl PublicKey {
    /// The key in `pem`: SPKI (`BEGIN PUBLIC KEY`, RSA or Ed25519) or
    /// PKCS#1 (`BEGIN RSA PUBLIC KEY`, which some servers publish). Parsed
    /// once and then taken from memory.
    pub fn from_pem(pem: &str) -> Result<Arc<Self>, KeyError> {
        PUBLIC_KEYS.get_or_try(pem, || Self::parse(pem).map(Arc::new))
    }

    fn parse(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem::decode_vec(pem.trim().as_bytes())
            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
        match label {
            "RSA PUBLIC KEY" => {
                RsaPublicKey::from_pkcs1_der(&der)
                    .map_err(|e| KeyError::Unreadable(e.to_string()))?;
                Ok(Self::Rsa(der))
            }
            "PUBLIC KEY" => {
                let spki = SubjectPublicKeyInfoRef::try_from(der.as_slice())
                    .map_err(|e| KeyError::Unreadable(e.to_string()))?;
                let bits = spki
                    .subject_public_key
                    .as_bytes()
                    .ok_or_else(|| KeyError::Unreadable("a key of whole bytes".to_owned()))?;
                match spki.algorithm.oid {
                    RSA_ENCRYPTION => {
                        let rsa = RsaPublicKey::from_pkcs1_der(bits)
                            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
                        let der = rsa
                            .to_pkcs1_der()
                            .map_err(|e| KeyError::Unreadable(e.to_string()))?;
                        Ok(Self::Rsa(der.as_bytes().to_vec()))
                    }
                    ED25519 if bits.len() == 32 => Ok(Self::Ed25519(bits.to_vec())),
                    oid => Err(KeyError::Unreadable(format!(
                        "keys of type {oid} are not supported (RSA or Ed25519)"
                    ))),
                }
            }
            other => Err(KeyError::Unreadable(format!(
                "expected a PUBLIC KEY, found {other}"
            ))),
        }
    }

    /// The algorithm signatures by this key are taken to use when the
    /// request does not say.
    pub fn default_algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa(_) => Algorithm::RsaSha256,
            Self::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// True when `signature` is this key's signature of `data` made with
    /// `algorithm`; false for a mismatch, including a key of another kind.
    pub fn verify(&self, algorithm: Algorithm, data: &[u8], signature: &[u8]) -> bool {
        let (alg, key): (&'static dyn sig::VerificationAlgorithm, &[u8]) = match (self, algorithm) {
            (Self::Rsa(k), Algorithm::RsaSha256) => (&sig::RSA_PKCS1_2048_8192_SHA256, k),
            (Self::Rsa(k), Algorithm::RsaPssSha512) => (&sig::RSA_PSS_2048_8192_SHA512, k),
            (Self::Ed25519(k), Algorithm::Ed25519) => (&sig::ED25519, k),
            _ => return false,
        };
        UnparsedPublicKey::new(alg, key)
            .verify(data, signature)
            .is_ok()
    }
}

/// True when `signature` (base64) is `public_pem`'s RSA-SHA256 signature of
/// `data`. Keys in PKCS#1 (`BEGIN RSA PUBLIC KEY`) are read too, as some
/// servers publish them.
pub fn verify(public_pem: &str, data: &[u8], signature: &str) -> Result<bool, KeyError> {
    let key = PublicKey::from_pem(public_pem)?;
    let Ok(bytes) = STANDARD.decode(signature.trim()) else {
        return Ok(false);
    };
    Ok(key.verify(Algorithm::RsaSha256, data, &bytes))
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

    #[test]
    fn what_ring_signs_rsa_verifies() {
        use rsa::pkcs1v15::{Signature, VerifyingKey};
        use rsa::pkcs8::DecodePublicKey;
        use rsa::signature::Verifier;
        let a = KeyPair::generate(&mut OsRng).unwrap();
        let bytes = STANDARD.decode(a.sign(b"hello")).unwrap();
        let public = RsaPublicKey::from_public_key_pem(&a.public_pem).unwrap();
        let key = VerifyingKey::<rsa::sha2::Sha256>::new(public);
        let signature = Signature::try_from(bytes.as_slice()).unwrap();
        assert!(key.verify(b"hello", &signature).is_ok());
        assert!(key.verify(b"hullo", &signature).is_err());
    }

    #[test]
    fn a_pkcs1_public_key_is_read_as_the_same_key() {
        let a = KeyPair::generate(&mut OsRng).unwrap();
        let public = rsa::pkcs8::DecodePublicKey::from_public_key_pem(&a.public_pem).unwrap();
        let pkcs1 = RsaPublicKey::to_pkcs1_pem(&public, LineEnding::LF).unwrap();
        let sig = a.sign(b"hello");
        assert!(verify(&pkcs1, b"hello", &sig).unwrap());
        assert_eq!(
            *PublicKey::from_pem(&pkcs1).unwrap(),
            *PublicKey::from_pem(&a.public_pem).unwrap()
        );
    }
}
