//! Bearer tokens for the JSON API. Only their hashes are stored.

use super::sessions::{SignedIn, signed_in};
use crate::{AppError, AppResult, Services};
use convene_domain::error::has_control_chars;
use convene_domain::{EmailAddress, InvalidInput, SecretToken};
use convene_store::api_tokens::{self, ApiTokenRow};
use convene_store::users;

/// Makes a new token for the account with address `email` (for the
/// `convene admin token` command) and returns its secret, shown once.
pub async fn create_api_token(svc: &Services, email: &str, name: &str) -> AppResult<SecretToken> {
    let email = EmailAddress::parse(email)?;
    if name.trim().is_empty() || name.chars().count() > 100 || has_control_chars(name) {
        return Err(InvalidInput::new(
            "name",
            "Give the token a one-line name of up to 100 characters.",
        )
        .into());
    }
    let mut tx = svc.db.begin().await?;
    let user = users::by_email(tx.ex(), email.as_str())
        .await?
        .ok_or(AppError::NotFound(
            "There is no account with that email address.",
        ))?;
    let token = svc.tokens.new_token();
    api_tokens::insert(
        tx.ex(),
        user.id,
        name.trim(),
        token.hash().as_str(),
        svc.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The person a bearer token belongs to, if it is live.
pub async fn resolve_api_token(svc: &Services, token: &str) -> AppResult<Option<SignedIn>> {
    let hash = SecretToken::from_client(token).hash();
    let mut conn = svc.db.conn().await?;
    let Some(row) = api_tokens::live_by_hash(conn.ex(), hash.as_str()).await? else {
        return Ok(None);
    };
    api_tokens::touch(conn.ex(), row.id, svc.clock.now()).await?;
    signed_in(&mut conn, row.user_id).await
}

/// The tokens of one account.
pub async fn list_api_tokens(svc: &Services, user_id: i64) -> AppResult<Vec<ApiTokenRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(api_tokens::for_user(conn.ex(), user_id).await?)
}

/// Revokes one of the account's own tokens.
pub async fn revoke_api_token(svc: &Services, user_id: i64, token_id: i64) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    if !api_tokens::revoke(tx.ex(), token_id, user_id, svc.clock.now()).await? {
        return Err(AppError::NotFound(
            "There is no such live token on your account.",
        ));
    }
    tx.commit().await?;
    Ok(())
}
