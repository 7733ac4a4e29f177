//! RFC 9421 HTTP Message Signatures on requests to an inbox, as fedify
//! (1.6 and later) and other newer servers send them first: the
//! `Signature-Input` and `Signature` dictionaries are read with `sfv`, the
//! signature base is rebuilt from the covered components (RFC 9421 §2.5),
//! and the body is checked against its RFC 9530 `Content-Digest`.
//!
//! Accepted: `rsa-v1_5-sha256`, `rsa-pss-sha512` and `ed25519`, a `created`
//! time within [`DATE_WINDOW`] of now, an `expires` time not passed, and a
//! signature covering `@method`, the target (`@target-uri`, or
//! `@authority` with `@path` or `@request-target`) and, for a body,
//! `content-digest`.

use super::{Checked, DATE_WINDOW, Received, SignatureError};
use crate::keys::Algorithm;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use sfv::{BareItem, Dictionary, FieldType, InnerList, ListEntry, Parser};
use sha2::{Digest as _, Sha256, Sha512};
use std::collections::BTreeMap;

/// Checks everything about `req`'s RFC 9421 signature except the key.
/// `headers` are `req`'s, with lowercase names.
pub fn check(
    req: &Received<'_>,
    headers: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Checked, SignatureError> {
    let malformed = |what: String| SignatureError::Malformed(what);
    let inputs = dictionary(headers, "signature-input")?;
    let signatures = dictionary(headers, "signature")?;
    // The first signature that both headers name.
    let (label, input) = inputs
        .iter()
        .find_map(|(label, entry)| match entry {
            ListEntry::InnerList(list) if signatures.contains_key(label.as_str()) => {
                Some((label.as_str(), list))
            }
            _ => None,
        })
        .ok_or_else(|| {
            malformed("no signature named in Signature-Input is in the Signature header".into())
        })?;
    let signature = match signatures.get(label) {
        Some(ListEntry::Item(item)) => item.bare_item.as_byte_sequence().map(<[u8]>::to_vec),
        _ => None,
    }
    .ok_or_else(|| malformed(format!("the signature {label} is not a byte sequence")))?;

    let param = |name: &str| {
        input
            .params
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    };
    let key_id = param("keyid")
        .and_then(BareItem::as_string)
        .map(|s| s.as_str().to_owned())
        .ok_or_else(|| malformed(format!("the signature {label} names no keyid")))?;
    let created = param("created")
        .and_then(BareItem::as_integer)
        .map(i64::from)
        .ok_or_else(|| SignatureError::Created("has no created time".to_owned()))?;
    let created = DateTime::from_timestamp(created, 0)
        .ok_or_else(|| SignatureError::Created(format!("created time {created} is not a time")))?;
    if (created - now).abs() > DATE_WINDOW {
        return Err(SignatureError::Created(format!(
            "was created {}, more than 12 hours from now ({})",
            created.to_rfc2822(),
            now.to_rfc2822()
        )));
    }
    if let Some(expires) = param("expires").and_then(BareItem::as_integer) {
        let expires = i64::from(expires);
        if expires < now.timestamp() {
            return Err(SignatureError::Created(format!(
                "expired at {}",
                DateTime::from_timestamp(expires, 0)
                    .unwrap_or(now)
                    .to_rfc2822()
            )));
        }
    }
    let algorithm = match param("alg") {
        None => None,
        Some(alg) => match alg.as_string().map(|s| s.as_str()) {
            Some("rsa-v1_5-sha256") => Some(Algorithm::RsaSha256),
            Some("rsa-pss-sha512") => Some(Algorithm::RsaPssSha512),
            Some("ed25519") => Some(Algorithm::Ed25519),
            _ => return Err(SignatureError::Algorithm),
        },
    };

    let mut covered = Vec::with_capacity(input.items.len());
    for item in &input.items {
        let name = item
            .bare_item
            .as_string()
            .ok_or_else(|| malformed("a covered component is not a string".into()))?;
        if !item.params.is_empty() {
            return Err(malformed(format!(
                "component parameters (on {:?}) are not supported",
                name.as_str()
            )));
        }
        covered.push(name.as_str().to_owned());
    }
    let covers = |name: &str| covered.iter().any(|c| c == name);
    if !covers("@method") {
        return Err(SignatureError::NotCovered("@method"));
    }
    if !(covers("@target-uri")
        || covers("@authority") && (covers("@path") || covers("@request-target")))
    {
        return Err(SignatureError::NotCovered(
            "@target-uri (or @authority and @path)",
        ));
    }
    let has_body = !req.body.is_empty() || req.method.eq_ignore_ascii_case("POST");
    if has_body {
        if !covers("content-digest") {
            return Err(SignatureError::NotCovered("content-digest"));
        }
        check_content_digest(headers, req.body)?;
    }

    let mut base = String::new();
    for name in &covered {
        let value = component(req, headers, name)?;
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    let params = vec![ListEntry::InnerList(InnerList {
        items: input.items.clone(),
        params: input.params.clone(),
    })]
    .serialize()
    .ok_or_else(|| malformed("the signature parameters could not be read".into()))?;
    base.push_str("\"@signature-params\": ");
    base.push_str(&params);
    Ok(Checked {
        key_id,
        signed: base.into_bytes(),
        signature,
        algorithm,
    })
}

/// The structured dictionary in header `name`.
fn dictionary(
    headers: &BTreeMap<String, String>,
    name: &'static str,
) -> Result<Dictionary, SignatureError> {
    let value = headers.get(name).ok_or(SignatureError::Unsigned)?;
    Parser::new(value)
        .parse::<Dictionary>()
        .map_err(|e| SignatureError::Malformed(format!("the {name} header: {e}")))
}

/// The value of the covered component `name` (RFC 9421 §2.1, §2.2).
fn component(
    req: &Received<'_>,
    headers: &BTreeMap<String, String>,
    name: &str,
) -> Result<String, SignatureError> {
    let authority = || {
        headers
            .get("host")
            .map(|h| h.trim().to_ascii_lowercase())
            .ok_or_else(|| SignatureError::Malformed("the request has no Host header".into()))
    };
    let (path, query) = match req.path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (req.path_and_query, None),
    };
    Ok(match name {
        "@method" => req.method.to_owned(),
        "@target-uri" => format!("{}://{}{}", req.scheme, authority()?, req.path_and_query),
        "@authority" => authority()?,
        "@scheme" => req.scheme.to_ascii_lowercase(),
        "@request-target" => req.path_and_query.to_owned(),
        "@path" => if path.is_empty() { "/" } else { path }.to_owned(),
        "@query" => format!("?{}", query.unwrap_or("")),
        derived if derived.starts_with('@') => {
            return Err(SignatureError::Malformed(format!(
                "the component {derived} is not supported"
            )));
        }
        field => headers
            .get(field)
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| {
                SignatureError::Malformed(format!(
                    "the signature covers {field}, which the request does not carry"
                ))
            })?,
    })
}

/// The body against its `Content-Digest` (sha-256 or sha-512).
fn check_content_digest(
    headers: &BTreeMap<String, String>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let Some(value) = headers.get("content-digest") else {
        return Err(SignatureError::Digest(
            "has no Content-Digest header: sign POSTs with a sha-256 Content-Digest",
        ));
    };
    let digests = Parser::new(value)
        .parse::<Dictionary>()
        .map_err(|_| SignatureError::Digest("has a Content-Digest header that cannot be read"))?;
    let digest = |alg: &str| match digests.get(alg) {
        Some(ListEntry::Item(item)) => item.bare_item.as_byte_sequence().map(<[u8]>::to_vec),
        _ => None,
    };
    let matches = if let Some(sha512) = digest("sha-512") {
        sha512[..] == Sha512::digest(body)[..]
    } else if let Some(sha256) = digest("sha-256") {
        sha256[..] == Sha256::digest(body)[..]
    } else {
        return Err(SignatureError::Digest(
            "needs a sha-256 or sha-512 Content-Digest header",
        ));
    };
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Digest(
            "does not match its Content-Digest header",
        ))
    }
}

/// The headers that sign a request with an RFC 9421 signature labelled
/// `sig1` over `@method`, `@target-uri` and (with a body) `content-digest`,
/// with RSASSA-PKCS1-v1_5 SHA-256, as fedify signs. convene's own requests
/// carry draft-cavage signatures, which every fediverse server reads; this
/// shows (and tests) what its inbox accepts.
pub fn sign(
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    key_id: &str,
    key: &crate::keys::KeyPair,
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = vec![
        format!("\"@method\": {method}"),
        format!("\"@target-uri\": {url}"),
    ];
    let mut names = "\"@method\" \"@target-uri\"".to_owned();
    if let Some(body) = body {
        let digest = format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)));
        lines.push(format!("\"content-digest\": {digest}"));
        names.push_str(" \"content-digest\"");
        out.push(("content-digest".to_owned(), digest));
    }
    let params = format!(
        "({names});created={};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\"",
        now.timestamp()
    );
    lines.push(format!("\"@signature-params\": {params}"));
    let signature = key.sign(lines.join("\n").as_bytes());
    out.push(("signature-input".to_owned(), format!("sig1={params}")));
    out.push(("signature".to_owned(), format!("sig1=:{signature}:")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use chrono::TimeZone;

    fn received<'a>(headers: &[(String, String)], body: &'a [u8]) -> Received<'a> {
        let mut all: BTreeMap<String, String> = headers.iter().cloned().collect();
        all.insert("host".into(), "example.org".into());
        all.insert("date".into(), "Mon, 07 Dec 2026 12:00:00 GMT".into());
        Received {
            scheme: "https",
            method: "POST",
            path_and_query: "/inbox",
            headers: all,
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
        let headers = sign("POST", &url, Some(body), "https://a.example/u#k", &key, now);
        let ok = super::super::check(&received(&headers, body), now).unwrap();
        assert_eq!(ok.key_id, "https://a.example/u#k");
        ok.verify(&key.public_pem).unwrap();
        assert_eq!(
            ok.verify(&other.public_pem),
            Err(SignatureError::Mismatch("https://a.example/u#k".into()))
        );
        // The body changed after signing.
        assert_eq!(
            super::super::check(&received(&headers, br#"{"type":"Undo"}"#), now).unwrap_err(),
            SignatureError::Digest("does not match its Content-Digest header")
        );
        // Another path: signed for /inbox, received at /other.
        let mut moved = received(&headers, body);
        moved.path_and_query = "/other";
        let moved = super::super::check(&moved, now).unwrap();
        assert!(moved.verify(&key.public_pem).is_err());
        // Created two days before now.
        let late = super::super::check(&received(&headers, body), now + chrono::Duration::days(2))
            .unwrap_err();
        assert!(
            late.to_string().contains("more than 12 hours from now"),
            "{late}"
        );
        // Signed without the body's digest.
        let bodiless = sign("POST", &url, None, "https://a.example/u#k", &key, now);
        assert_eq!(
            super::super::check(&received(&bodiless, body), now).unwrap_err(),
            SignatureError::NotCovered("content-digest")
        );
        // An algorithm we do not take.
        let hmac: Vec<_> = headers
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("rsa-v1_5-sha256", "hmac-sha256")))
            .collect();
        assert_eq!(
            super::super::check(&received(&hmac, body), now).unwrap_err(),
            SignatureError::Algorithm
        );
    }

    /// Headers signing a POST of `body` to https://example.org/inbox with
    /// `alg`, the signature made by `sign` over the signature base.
    fn signed_with(
        alg: &str,
        body: &[u8],
        now: DateTime<Utc>,
        sign: impl Fn(&[u8]) -> Vec<u8>,
    ) -> Vec<(String, String)> {
        let digest = format!("sha-512=:{}:", STANDARD.encode(Sha512::digest(body)));
        let params = format!(
            "(\"@method\" \"@target-uri\" \"content-digest\");created={};keyid=\"k\";alg=\"{alg}\"",
            now.timestamp()
        );
        let base = format!(
            "\"@method\": POST\n\"@target-uri\": https://example.org/inbox\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
        );
        vec![
            ("content-digest".into(), digest),
            ("signature-input".into(), format!("sig1={params}")),
            (
                "signature".into(),
                format!("sig1=:{}:", STANDARD.encode(sign(base.as_bytes()))),
            ),
        ]
    }

    #[test]
    fn ed25519_and_rsa_pss_signatures_are_accepted_from_their_keys_only() {
        use ring::signature::{Ed25519KeyPair, KeyPair as _, RSA_PSS_SHA512, RsaKeyPair};
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let body = br#"{"type":"Like"}"#;
        let rng = ring::rand::SystemRandom::new();

        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let ed = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        // SPKI of an Ed25519 key: the fixed prefix, then the 32 bytes.
        let mut spki = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        spki.extend_from_slice(ed.public_key().as_ref());
        let ed_pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(&spki)
        );
        let headers = signed_with("ed25519", body, now, |b| ed.sign(b).as_ref().to_vec());
        let checked = super::super::check(&received(&headers, body), now).unwrap();
        checked.verify(&ed_pem).unwrap();
        let rsa = KeyPair::generate(&mut rsa::rand_core::OsRng).unwrap();
        assert!(checked.verify(&rsa.public_pem).is_err());

        let (_, der) =
            rsa::pkcs8::der::pem::decode_vec(rsa.private_pem().unwrap().as_bytes()).unwrap();
        let pss = RsaKeyPair::from_pkcs8(&der).unwrap();
        let headers = signed_with("rsa-pss-sha512", body, now, |b| {
            let mut out = vec![0; pss.public().modulus_len()];
            pss.sign(&RSA_PSS_SHA512, &rng, b, &mut out).unwrap();
            out
        });
        let checked = super::super::check(&received(&headers, body), now).unwrap();
        checked.verify(&rsa.public_pem).unwrap();
        assert!(checked.verify(&ed_pem).is_err());
        // The same signature claimed as PKCS#1 v1.5 does not verify.
        let relabelled: Vec<_> = headers
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("rsa-pss-sha512", "rsa-v1_5-sha256")))
            .collect();
        let checked = super::super::check(&received(&relabelled, body), now).unwrap();
        assert!(checked.verify(&rsa.public_pem).is_err());
    }

    #[test]
    fn the_rfc_9421_example_signature_base_is_rebuilt() {
        // RFC 9421 §2.5's request and signature base.
        let headers: BTreeMap<String, String> = [
            ("host", "example.com"),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("content-type", "application/json"),
            (
                "content-digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            ),
            ("content-length", "18"),
            (
                "signature-input",
                "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" \"content-type\");created=1618884473;keyid=\"test-key-rsa-pss\"",
            ),
            ("signature", "sig1=:AAAA:"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let req = Received {
            scheme: "https",
            method: "POST",
            path_and_query: "/foo?param=Value&Pet=dog",
            headers: headers.clone(),
            body: b"{\"hello\": \"world\"}",
        };
        let now = DateTime::from_timestamp(1618884473, 0).unwrap();
        let checked = check(&req, &headers, now).unwrap();
        assert_eq!(
            String::from_utf8(checked.signed).unwrap(),
            "\"@method\": POST\n\
             \"@authority\": example.com\n\
             \"@path\": /foo\n\
             \"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n\
             \"content-length\": 18\n\
             \"content-type\": application/json\n\
             \"@signature-params\": (\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" \"content-type\");created=1618884473;keyid=\"test-key-rsa-pss\""
        );
    }
}
