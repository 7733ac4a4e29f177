//! Signing in with a password.

use super::start_session;
use crate::rate_limit::{self, SIGN_IN, SIGN_IN_ACCOUNT};
use crate::{AppError, AppResult, Services};
use convene_domain::device::{sign_device, verify_device};
use convene_domain::{EmailAddress, PasswordHash, SecretToken};
use convene_store::{settings, users};
use std::sync::OnceLock;

/// A hash to verify against when the address has no account, so that the
/// answer takes as long either way.
fn decoy_hash() -> &'static PasswordHash {
    static DECOY: OnceLock<PasswordHash> = OnceLock::new();
    DECOY.get_or_init(|| {
        convene_domain::Password::new("decoy password for timing", "x@example.org")
            .ok()
            .and_then(|p| p.hash().ok())
            .unwrap_or_else(|| PasswordHash(String::new()))
    })
}

/// The settings key of the secret that signs known-device marks.
const DEVICE_KEY: &str = "device_mark_key";

/// A successful password sign-in.
#[derive(Debug)]
pub struct PasswordSignIn {
    /// The new session.
    pub session: SecretToken,
    /// The known-device mark for this browser to keep: it lets this
    /// account's correct password through here even while strangers'
    /// guesses have used up the limits elsewhere.
    pub device: String,
}

/// Checks an address and password and starts a session.
///
/// Attempts are limited per source (IP), per address *and* source, and per
/// address across all sources (a larger limit, against guessing spread over
/// many machines). A browser that signed in to this account before (a valid
/// `device` mark) is limited on its own instead, so nobody elsewhere can
/// lock the owner out: their correct password from that browser goes
/// through. Past a limit even the right password is refused until the
/// window ends.
pub async fn sign_in_with_password(
    svc: &Services,
    email: &str,
    password: &str,
    ip: &str,
    device: Option<&str>,
) -> AppResult<PasswordSignIn> {
    let email = EmailAddress::parse(email).map_err(|_| AppError::BadCredentials)?;
    let (user, key) = {
        let mut conn = svc.db.conn().await?;
        let user = users::by_email(conn.ex(), email.as_str()).await?;
        let key = match device {
            Some(_) => settings::get(conn.ex(), DEVICE_KEY).await?,
            None => None,
        };
        (user, key)
    };
    let known = match (device, key.as_deref(), &user) {
        (Some(mark), Some(key), Some(u)) => verify_device(key, mark).filter(|m| m.user_id == u.id),
        _ => None,
    };
    match &known {
        Some(mark) => {
            rate_limit::check(svc, SIGN_IN, &[&format!("device:{}", mark.nonce)]).await?;
        }
        None => {
            rate_limit::check(
                svc,
                SIGN_IN,
                &[&format!("ip:{ip}"), &format!("account:{email}|ip:{ip}")],
            )
            .await?;
            rate_limit::check(svc, SIGN_IN_ACCOUNT, &[&format!("account:{email}")]).await?;
        }
    }
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        decoy_hash().verify(password);
        return Err(AppError::BadCredentials);
    };
    let Some(hash) = user.password_hash.clone() else {
        decoy_hash().verify(password);
        return Err(AppError::BadCredentials);
    };
    if !PasswordHash(hash).verify(password) {
        return Err(AppError::BadCredentials);
    }
    if user.email_verified_at.is_none() {
        return Err(AppError::Conflict(
            "Please confirm your email address first: open the link we emailed you when you signed up, or sign in with an emailed link.".into(),
        ));
    }
    let mut tx = svc.db.begin().await?;
    let key = settings::get_or_set(tx.ex(), DEVICE_KEY, svc.tokens.new_token().expose()).await?;
    // A device keeps its name across sign-ins, so its own counter stays its own.
    let nonce = match known {
        Some(mark) => mark.nonce,
        None => svc.tokens.new_token().expose().to_owned(),
    };
    let session = start_session(&mut tx, svc, user.id).await?;
    tx.commit().await?;
    Ok(PasswordSignIn {
        session,
        device: sign_device(&key, user.id, &nonce),
    })
}
