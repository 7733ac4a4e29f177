//! DKIM (RFC 6376): the key that signs every message convene sends for
//! its mail domain, and the DNS record that lets receivers check it.
//!
//! The key is RSA (2048 bits when convene makes it), signing with
//! rsa-sha256 and relaxed/relaxed canonicalisation, which every receiver
//! verifies. It is kept in the database's settings (`dkim:{domain}`), so
//! every instance sharing the database signs with the same key and a
//! backup keeps it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{DkimSigner, Done};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};

/// The header fields a signature covers, when present, and once more when
/// absent so none can be added on the way (mail-auth lists a missing one
/// in `h=` anyway). The one-click unsubscribe fields must be covered (RFC
/// 8058 §4), or large mailbox providers ignore them.
pub const SIGNED_FIELDS: [&str; 22] = [
    "From",
    "Sender",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "To",
    "Cc",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Post",
    "List-Help",
    "List-Subscribe",
    "List-Archive",
    "List-Owner",
    "Archived-At",
];

/// The smallest RSA key receivers accept (RFC 8301 §3.2).
pub const MIN_RSA_BITS: usize = 1024;
/// The size of the keys convene makes.
pub const NEW_KEY_BITS: usize = 2048;

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    /// Not a PEM file at all.
    #[error(
        "this is not a private key in PEM form (a text file starting with \"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN RSA PRIVATE KEY-----\")"
    )]
    NotPem,
    /// A PEM file holding something other than an unencrypted private key.
    #[error("this PEM file holds {0}, not an unencrypted RSA private key")]
    NotAPrivateKey(String),
    /// The key's bytes do not decode as an RSA private key.
    #[error("this is not a usable RSA private key ({0}); DKIM keys for convene are RSA")]
    NotRsa(String),
    /// Receivers would reject signatures with so small a key.
    #[error(
        "this RSA key has {0} bits; receivers accept DKIM keys of at least 1024 bits (2048 is usual)"
    )]
    TooSmall(usize),
    /// A selector that cannot be a DNS label.
    #[error(
        "the selector {0:?} is not a DNS name: use letters, digits and hyphens (dots between parts)"
    )]
    BadSelector(String),
    /// Making a key or a signature failed.
    #[error("DKIM signing failed: {0}")]
    Crypto(String),
}

/// A domain's signing key.
pub struct DkimKey {
    domain: String,
    selector: String,
    pem: String,
    public_pkcs1: Vec<u8>,
    signer: DkimSigner<RsaKey<Sha256>, Done>,
}

impl std::fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimKey")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

/// How a key is stored in the settings.
#[derive(Serialize, Deserialize)]
struct StoredKey {
    selector: String,
    private_key_pem: String,
}

/// The settings key under which `domain`'s key is stored.
pub fn setting_name(domain: &str) -> String {
    format!("dkim:{}", domain.to_ascii_lowercase())
}

fn check_selector(selector: &str) -> Result<(), DkimError> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if selector.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(DkimError::BadSelector(selector.to_owned()))
    }
}

impl DkimKey {
    /// A new 2048-bit RSA key for `domain` under `selector`.
    pub fn generate(domain: &str, selector: &str) -> Result<Self, DkimError> {
        check_selector(selector)?;
        let pair = mail_auth::dkim::generate::DkimKeyPair::generate_rsa(NEW_KEY_BITS)
            .map_err(|e| DkimError::Crypto(e.to_string()))?;
        let pem = to_pem("RSA PRIVATE KEY", pair.private_key());
        Self::from_pem(domain, selector, &pem)
    }

    /// The key in `pem` (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`,
    /// as OpenDKIM, rspamd and openssl write them).
    pub fn from_pem(domain: &str, selector: &str, pem: &str) -> Result<Self, DkimError> {
        check_selector(selector)?;
        let (label, der) = from_pem(pem)?;
        let der = match label.as_str() {
            "RSA PRIVATE KEY" => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
            "PRIVATE KEY" => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(DkimError::NotAPrivateKey(
                    "an encrypted private key (decrypt it first: openssl pkey -in key.pem -out plain.pem)"
                        .into(),
                ));
            }
            other => return Err(DkimError::NotAPrivateKey(format!("a {other}"))),
        };
        let key = RsaKey::<Sha256>::from_key_der(der).map_err(|e| {
            DkimError::NotRsa(
                e.to_string()
                    .trim_end_matches('.')
                    .trim_start_matches("Cryptography layer error: ")
                    .to_owned(),
            )
        })?;
        let public_pkcs1 = key.public_key();
        let bits = modulus_bits(&public_pkcs1).unwrap_or(0);
        if bits < MIN_RSA_BITS {
            return Err(DkimError::TooSmall(bits));
        }
        let signer = DkimSigner::from_key(key)
            .domain(domain.to_ascii_lowercase())
            .selector(selector)
            .headers(SIGNED_FIELDS);
        Ok(Self {
            domain: domain.to_ascii_lowercase(),
            selector: selector.to_owned(),
            pem: pem.trim().to_owned() + "\n",
            public_pkcs1,
            signer,
        })
    }

    /// The key as stored in the settings (see [`Self::from_setting`]).
    pub fn to_setting(&self) -> String {
        serde_json::to_string(&StoredKey {
            selector: self.selector.clone(),
            private_key_pem: self.pem.clone(),
        })
        .unwrap_or_default()
    }

    /// A key read back from the settings value `value`.
    pub fn from_setting(domain: &str, value: &str) -> Result<Self, DkimError> {
        let stored: StoredKey = serde_json::from_str(value).map_err(|_| DkimError::NotPem)?;
        Self::from_pem(domain, &stored.selector, &stored.private_key_pem)
    }

    /// The signing domain (`d=`).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The selector (`s=`).
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The DNS name of the TXT record: `{selector}._domainkey.{domain}`.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// The TXT record's text (RFC 6376 §3.6.1): the public key as a
    /// SubjectPublicKeyInfo, as OpenDKIM and opendkim-genkey publish it.
    pub fn dns_txt(&self) -> String {
        format!(
            "v=DKIM1; k=rsa; p={}",
            STANDARD.encode(spki_from_pkcs1(&self.public_pkcs1))
        )
    }

    /// The record as a zone file line, its text split into quoted strings
    /// of at most 255 characters (one TXT string's limit).
    pub fn zone_line(&self) -> String {
        let txt = self.dns_txt();
        let parts: Vec<String> = txt
            .as_bytes()
            .chunks(250)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        format!("{}. IN TXT ( {} )", self.dns_name(), parts.join(" "))
    }

    /// `message` with a `DKIM-Signature` field in front.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let signature = self
            .signer
            .sign(message)
            .map_err(|e| DkimError::Crypto(e.to_string()))?;
        let header = signature.to_header();
        let mut out = Vec::with_capacity(header.len() + message.len());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(message);
        Ok(out)
    }
}

fn to_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The label and bytes of the first PEM block in `text`.
fn from_pem(text: &str) -> Result<(String, Vec<u8>), DkimError> {
    let start = text.find("-----BEGIN ").ok_or(DkimError::NotPem)?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----").ok_or(DkimError::NotPem)?;
    let label = rest[..label_end].trim().to_owned();
    let body = &rest[label_end + 5..];
    let end = body
        .find(&format!("-----END {label}-----"))
        .ok_or(DkimError::NotPem)?;
    let b64: String = body[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(b64).map_err(|_| DkimError::NotPem)?;
    if der.is_empty() {
        return Err(DkimError::NotPem);
    }
    Ok((label, der))
}

/// A DER length.
fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// An RSAPublicKey (PKCS#1) wrapped as a SubjectPublicKeyInfo (RFC 5280).
fn spki_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { rsaEncryption, NULL }
    const ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x03];
    bit_string.extend(der_length(pkcs1.len() + 1));
    bit_string.push(0);
    bit_string.extend_from_slice(pkcs1);
    let mut out = vec![0x30];
    out.extend(der_length(ALGORITHM.len() + bit_string.len()));
    out.extend_from_slice(&ALGORITHM);
    out.extend(bit_string);
    out
}

/// The size in bits of the modulus of a PKCS#1 RSAPublicKey.
fn modulus_bits(pkcs1: &[u8]) -> Option<usize> {
    // SEQUENCE { INTEGER modulus, INTEGER exponent }
    let read_len = |bytes: &[u8]| -> Option<(usize, usize)> {
        let first = *bytes.first()?;
        if first < 0x80 {
            return Some((first as usize, 1));
        }
        let n = (first & 0x7f) as usize;
        let len = bytes
            .get(1..=n)?
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | b as usize);
        Some((len, n + 1))
    };
    if pkcs1.first() != Some(&0x30) {
        return None;
    }
    let (_, seq_len_size) = read_len(&pkcs1[1..])?;
    let int = &pkcs1[1 + seq_len_size..];
    if int.first() != Some(&0x02) {
        return None;
    }
    let (len, size) = read_len(&int[1..])?;
    let modulus = int.get(1 + size..1 + size + len)?;
    let modulus = match modulus.iter().position(|&b| b != 0) {
        Some(i) => &modulus[i..],
        None => return Some(0),
    };
    Some(modulus.len() * 8 - modulus[0].leading_zeros() as usize)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_new_key_signs_and_reads_back_from_its_setting() {
        let key = DkimKey::generate("Groups.Example.org", "convene").unwrap();
        assert_eq!(key.dns_name(), "convene._domainkey.groups.example.org");
        assert!(
            key.dns_txt()
                .starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
        );
        assert_eq!(modulus_bits(&key.public_pkcs1), Some(2048));
        let again = DkimKey::from_setting("groups.example.org", &key.to_setting()).unwrap();
        assert_eq!(again.dns_txt(), key.dns_txt());
        let signed = key
            .sign(b"From: a@groups.example.org\r\nSubject: s\r\n\r\nHi\r\n")
            .unwrap();
        let text = String::from_utf8(signed).unwrap();
        assert!(text.starts_with("DKIM-Signature: v=1; a=rsa-sha256; s=convene; d=groups.example.org; c=relaxed/relaxed;"), "{text}");
        assert!(text.ends_with("\r\nFrom: a@groups.example.org\r\nSubject: s\r\n\r\nHi\r\n"));
        let line = key.zone_line();
        assert!(
            line.starts_with(
                "convene._domainkey.groups.example.org. IN TXT ( \"v=DKIM1; k=rsa; p="
            )
        );
    }

    #[test]
    fn what_is_not_a_key_is_named() {
        let err = |pem: &str| {
            DkimKey::from_pem("d.example", "s", pem)
                .unwrap_err()
                .to_string()
        };
        assert!(err("hello").starts_with("this is not a private key in PEM form"));
        assert!(
            err("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                .contains("holds a CERTIFICATE, not an unencrypted RSA private key")
        );
        assert!(
            err(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
            )
            .contains("decrypt it first")
        );
        assert!(
            err("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n")
                .starts_with("this is not a usable RSA private key")
        );
        assert!(
            DkimKey::generate("d.example", "bad selector!")
                .unwrap_err()
                .to_string()
                .contains("is not a DNS name")
        );
    }
}
