//! Signatures on requests between servers, both kinds in use: HTTP
//! Signatures as Mastodon signs them (draft-cavage-http-signatures-12; the
//! signing string is built and the `Signature` header read by
//! `http-signature-normalization`) and RFC 9421 HTTP Message Signatures
//! (`Signature-Input`, read with `sfv`; the signature base is built in
//! [`rfc9421`]). The RSA and Ed25519 work is `ring`'s. What this module
//! adds is the policy an inbox needs: what must be signed, the body's
//! digest, and how old a signature may be.

use crate::keys::{Algorithm as KeyAlgorithm, KeyPair, PublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http_signature_normalization::Config;
use http_signature_normalization::verify::{Algorithm, DeprecatedAlgorithm};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;

pub mod rfc9421;

/// How far a request's `Date` may be from our clock, either way.
pub const DATE_WINDOW: chrono::Duration = chrono::Duration::hours(12);

/// Why a request's signature was not accepted. Each reads as the answer
/// the sending server gets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Signature` (or `Authorization: Signature`) header.
    #[error("the request is not signed: send a Signature header (draft-cavage-http-signatures-12)")]
    Unsigned,
    /// The header could not be read, or names headers the request lacks.
    #[error("the Signature header could not be read: {0}")]
    Malformed(String),
    /// A header that must be signed is not among the signed ones.
    #[error("the signature must cover {0}")]
    NotCovered(&'static str),
    /// An algorithm other than RSA-SHA256 (draft-cavage), or than
    /// rsa-v1_5-sha256, rsa-pss-sha512 and ed25519 (RFC 9421).
    #[error(
        "only rsa-sha256 (or hs2019) signatures, or RFC 9421 rsa-v1_5-sha256, rsa-pss-sha512 and ed25519 ones, are accepted"
    )]
    Algorithm,
    /// `Date` missing, unreadable, or too far from now.
    #[error("the Date header {0}")]
    Date(String),
    /// The body's digest is missing or does not match the body.
    #[error("the body {0}")]
    Digest(&'static str),
    /// An RFC 9421 signature's `created` time is missing or too far from
    /// now, or its `expires` time has passed.
    #[error("the signature {0}")]
    Created(String),
    /// The signature does not verify with the key it names.
    #[error("the signature does not match the key {0}")]
    Mismatch(String),
    /// The key could not be read.
    #[error("the key {0} could not be read")]
    BadKey(String),
}

/// A request as received: method, path with query, headers (names in any
/// case), body.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// `https` or `http`: how the site is reached from outside, for
    /// RFC 9421's `@target-uri`.
    pub scheme: &'a str,
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The path and query, as sent.
    pub path_and_query: &'a str,
    /// Every header; several values of one name joined with ", ".
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: &'a [u8],
}

/// A signature whose form, coverage, date and digest are right, still to
/// be checked against its key.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The key it names (usually `{actor}#main-key`).
    pub key_id: String,
    /// What was signed: the draft-cavage signing string, or the RFC 9421
    /// signature base.
    signed: Vec<u8>,
    signature: Vec<u8>,
    /// The algorithm the request names; `None` (hs2019, or no `alg`) is
    /// taken from the key.
    algorithm: Option<KeyAlgorithm>,
}

impl Checked {
    /// Verifies the signature with `public_pem`.
    pub fn verify(&self, public_pem: &str) -> Result<(), SignatureError> {
        let key = PublicKey::from_pem(public_pem)
            .map_err(|_| SignatureError::BadKey(self.key_id.clone()))?;
        let algorithm = self.algorithm.unwrap_or(key.default_algorithm());
        if key.verify(algorithm, &self.signed, &self.signature) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch(self.key_id.clone()))
        }
    }
}

/// The library reads the `Date` against the wall clock; our own check
/// below uses the clock we are given, so its window is opened wide here.
fn config() -> Config {
    Config::new()
        .dont_use_created_field()
        .set_expiration(Duration::from_secs(3650 * 24 * 3600))
}

/// Checks everything about `req`'s signature except the key: it is
/// present and readable, RSA-SHA256, covers `(request-target)`, `host`,
/// `date` (and `digest` when there is a body), its `Date` is within
/// [`DATE_WINDOW`] of `now`, and the body matches its `Digest` (or
/// RFC 9530 `Content-Digest`).
pub fn check(req: &Received<'_>, now: DateTime<Utc>) -> Result<Checked, SignatureError> {
    let headers: BTreeMap<String, String> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if !headers.contains_key("signature")
        && !headers
            .get("authorization")
            .is_some_and(|a| a.starts_with("Signature "))
    {
        return Err(SignatureError::Unsigned);
    }
    if headers.contains_key("signature-input") {
        return rfc9421::check(req, &headers, now);
    }
    let date = headers
        .get("date")
        .ok_or_else(|| SignatureError::Date("is missing".to_owned()))?;
    let date = DateTime::parse_from_rfc2822(date)
        .map_err(|_| SignatureError::Date(format!("{date:?} is not an HTTP date")))?
        .with_timezone(&Utc);
    if (date - now).abs() > DATE_WINDOW {
        return Err(SignatureError::Date(format!(
            "{} is more than 12 hours from now ({})",
            date.to_rfc2822(),
            now.to_rfc2822()
        )));
    }
    let has_body = !req.body.is_empty() || req.method.eq_ignore_ascii_case("POST");
    if has_body {
        check_digest(&headers, req.body)?;
    }
    // The library would refuse an uncovered header too, but only as
    // "Missing required headers"; say which one plainly, before it does.
    let signed = signed_headers(headers.get("signature").or(headers.get("authorization")));
    for needed in ["(request-target)", "host", "date"] {
        if !signed.iter().any(|h| h == needed) {
            return Err(SignatureError::NotCovered(needed));
        }
    }
    if has_body
        && !signed
            .iter()
            .any(|h| h == "digest" || h == "content-digest")
    {
        return Err(SignatureError::NotCovered("digest"));
    }
    let mut config = config().require_header("host");
    if has_body {
        config = config.require_header(if headers.contains_key("digest") {
            "digest"
        } else {
            "content-digest"
        });
    }
    let unverified = config
        .begin_verify(req.method, req.path_and_query, headers.clone())
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let algorithm = match unverified.algorithm() {
        None | Some(Algorithm::Hs2019) => None,
        Some(Algorithm::Deprecated(DeprecatedAlgorithm::RsaSha256)) => {
            Some(KeyAlgorithm::RsaSha256)
        }
        Some(_) => return Err(SignatureError::Algorithm),
    };
    Ok(Checked {
        key_id: unverified.key_id().to_owned(),
        signed: unverified.signing_string().as_bytes().to_vec(),
        // Unreadable base64 verifies as nothing, and says so as a mismatch.
        signature: STANDARD
            .decode(unverified.signature().trim())
            .unwrap_or_default(),
        algorithm,
    })
}

/// The names in a signature's `headers` field (lowercase).
fn signed_headers(value: Option<&String>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    value
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("headers="))
        .flat_map(|h| h.trim_matches('"').split_whitespace())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The body against `Digest: SHA-256=…` or `Content-Digest: sha-256=:…:`.
fn check_digest(headers: &BTreeMap<String, String>, body: &[u8]) -> Result<(), SignatureError> {
    let ours = STANDARD.encode(Sha256::digest(body));
    if let Some(digest) = headers.get("digest") {
        let found = digest.split(',').find_map(|d| {
            let (alg, value) = d.trim().split_once('=')?;
            alg.eq_ignore_ascii_case("sha-256").then(|| value.trim())
        });
        return match found {
            Some(v) if v == ours => Ok(()),
            Some(_) => Err(SignatureError::Digest("does not match its Digest header")),
            None => Err(SignatureError::Digest("needs a SHA-256 Digest header")),
        };
    }
    if let Some(digest) = headers.get("content-digest") {
        let found = digest.split(',').find_map(|d| {
            let (alg, value) = d.trim().split_once('=')?;
            alg.eq_ignore_ascii_case("sha-256")
                .then(|| value.trim().trim_matches(':'))
        });
        return match found {
            Some(v) if v == ours => Ok(()),
            Some(_) => Err(SignatureError::Digest(
                "does not match its Content-Digest header",
            )),
            None => Err(SignatureError::Digest(
                "needs a sha-256 Content-Digest header",
            )),
        };
    }
    Err(SignatureError::Digest(
        "has no Digest header: sign POSTs with a SHA-256 Digest",
    ))
}

/// The headers to send with a signed request to `url`: `Host`, `Date`,
/// for a body its `Digest` and `Content-Type`, and `Signature` over all
/// of them and `(request-target)`.
pub fn sign(
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    key_id: &str,
    key: &KeyPair,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, SignatureError> {
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let mut headers = BTreeMap::new();
    headers.insert("host".to_owned(), host);
    headers.insert(
        "date".to_owned(),
        now.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    );
    if let Some(body) = body {
        headers.insert(
            "digest".to_owned(),
            format!("SHA-256={}", STANDARD.encode(Sha256::digest(body))),
        );
        headers.insert("content-type".to_owned(), crate::ACTIVITY_JSON.to_owned());
    }
    let mut target = url.path().to_owned();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let signature = config()
        .begin_sign(method, &target, headers.clone())
        .map_err(|e| SignatureError::Malformed(e.to_string()))?
        .sign(key_id.to_owned(), |s| {
            Ok::<_, SignatureError>(key.sign(s.as_bytes()))
        })?
        .signature_header();
    // Mastodon reads `rsa-sha256` and `hs2019` alike; older servers
    // (Mobilizon's, Gancio's) know only the first.
    let signature = signature.replace("algorithm=\"hs2019\"", "algorithm=\"rsa-sha256\"");
    let mut out: Vec<(String, String)> = headers.into_iter().collect();
    out.push(("signature".to_owned(), signature));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn received<'a>(headers: &[(String, String)], path: &'a str, body: &'a [u8]) -> Received<'a> {
        Received {
            scheme: "https",
            method: "POST",
            path_and_query: path,
            headers: headers.iter().cloned().collect(),
            body,
        }
    }

    #[test]
    fn what_we_sign_we_accept_and_any_change_is_refused() {
        let key = KeyPair::generate(&mut rsa::rand_core::OsRng).unwrap();
        let other = KeyPair::generate(&mut rsa::rand_core::OsRng).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let url = url::Url::parse("https://example.org/inbox").unwrap();
        let body = br#"{"type":"Follow"}"#;
        let headers = sign("POST", &url, Some(body), "https://a.example/u#k", &key, now).unwrap();
        let ok = check(&received(&headers, "/inbox", body), now).unwrap();
        assert_eq!(ok.key_id, "https://a.example/u#k");
        ok.verify(&key.public_pem).unwrap();
        assert!(matches!(
            ok.verify(&other.public_pem),
            Err(SignatureError::Mismatch(_))
        ));
        // The body changed after signing.
        assert!(matches!(
            check(&received(&headers, "/inbox", br#"{"type":"Undo"}"#), now),
            Err(SignatureError::Digest(_))
        ));
        // Another path.
        let moved = check(&received(&headers, "/other", body), now).unwrap();
        assert!(moved.verify(&key.public_pem).is_err());
        // Two days late.
        assert!(matches!(
            check(
                &received(&headers, "/inbox", body),
                now + chrono::Duration::days(2)
            ),
            Err(SignatureError::Date(_))
        ));
        // No signature at all.
        let unsigned: Vec<_> = headers
            .iter()
            .filter(|(k, _)| k != "signature")
            .cloned()
            .collect();
        assert_eq!(
            check(&received(&unsigned, "/inbox", body), now).unwrap_err(),
            SignatureError::Unsigned
        );
        // A signature that leaves out a header it must cover is named for
        // that header, not for what the parser missed.
        for (left_out, from, to) in [
            ("digest", "date digest host", "date host"),
            ("host", "date digest host", "date digest"),
        ] {
            let narrowed: Vec<_> = headers
                .iter()
                .map(|(k, v)| {
                    let v = if k == "signature" {
                        assert!(v.contains(from), "{v}");
                        v.replace(from, to)
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect();
            assert_eq!(
                check(&received(&narrowed, "/inbox", body), now).unwrap_err(),
                SignatureError::NotCovered(left_out)
            );
        }
    }
}
