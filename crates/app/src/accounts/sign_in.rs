//! Signing in with a password.

use super::start_session;
use crate::rate_limit::{self, SIGN_IN};
use crate::{AppError, AppResult, Services};
use convene_domain::{EmailAddress, PasswordHash, SecretToken};
use convene_store::users;
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

/// Checks an address and password and starts a session.
///
/// Limited per IP and per address; past the limit even the right password
/// is refused until the window ends.
pub async fn sign_in_with_password(
    svc: &Services,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<SecretToken> {
    let email = EmailAddress::parse(email).map_err(|_| AppError::BadCredentials)?;
    rate_limit::check(
        svc,
        SIGN_IN,
        &[&format!("ip:{ip}"), &format!("account:{email}")],
    )
    .await?;
    let user = {
        let mut conn = svc.db.conn().await?;
        users::by_email(conn.ex(), email.as_str()).await?
    };
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
    let session = start_session(&mut tx, svc, user.id).await?;
    tx.commit().await?;
    Ok(session)
}
