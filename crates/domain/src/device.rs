//! The known-device mark: a value a browser keeps after signing in to an
//! account with its password, signed with a key only the site holds, so it
//! cannot be made up or moved to another account. It lets the owner's
//! correct password through while strangers' wrong guesses have used up the
//! limits that protect the account.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// HMAC-SHA-256 (RFC 2104) of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block_key.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(block_key.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn mac(key: &str, user_id: i64, nonce: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac_sha256(
        key.as_bytes(),
        format!("convene-device|{user_id}|{nonce}").as_bytes(),
    ))
}

/// A verified mark: the account it was issued to and the device's own
/// random name (each device counts its own sign-in attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceMark {
    /// The account that signed in on this device.
    pub user_id: i64,
    /// The device's random name.
    pub nonce: String,
}

/// The mark for `user_id` on the device named `nonce` (URL-safe characters):
/// `{user_id}.{nonce}.{mac}`, safe as a cookie value.
pub fn sign_device(key: &str, user_id: i64, nonce: &str) -> String {
    format!("{user_id}.{nonce}.{}", mac(key, user_id, nonce))
}

/// Reads a mark back; `None` unless it was signed with `key`.
pub fn verify_device(key: &str, value: &str) -> Option<DeviceMark> {
    let mut parts = value.splitn(3, '.');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let nonce = parts.next()?;
    let given = parts.next()?;
    if nonce.is_empty()
        || nonce.len() > 64
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let expected = mac(key, user_id, nonce);
    // Compared without stopping at the first difference.
    let same = expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then(|| DeviceMark {
        user_id,
        nonce: nonce.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vectors() {
        // Test case 1.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2: a short key.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn marks_verify_only_as_issued() {
        let key = "site-key";
        let mark = sign_device(key, 42, "n0nce_-x");
        assert_eq!(
            verify_device(key, &mark),
            Some(DeviceMark {
                user_id: 42,
                nonce: "n0nce_-x".into()
            })
        );
        assert_eq!(verify_device("other-key", &mark), None);
        // Moved to another account, or renamed device: the signature no longer fits.
        assert_eq!(verify_device(key, &mark.replacen("42.", "43.", 1)), None);
        assert_eq!(
            verify_device(key, &mark.replacen("n0nce", "nOnce", 1)),
            None
        );
        assert_eq!(verify_device(key, ""), None);
        assert_eq!(verify_device(key, "42.x"), None);
        assert_eq!(verify_device(key, &format!("{mark}A")), None);
    }
}
