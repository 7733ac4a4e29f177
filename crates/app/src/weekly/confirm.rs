//! Following the link mailed to a visitor: their subscription starts.

use crate::{AppError, AppResult, Services};
use convene_domain::SecretToken;
use convene_store::weekly;

/// Confirms the subscription waiting on `token`. A link that was never
/// sent is "not found"; one that expired or was used is spent.
pub async fn confirm(svc: &Services, token: &str) -> AppResult<()> {
    let hash = SecretToken::from_client(token.trim()).hash();
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    if weekly::confirm(tx.ex(), hash.as_str(), now)
        .await?
        .is_some()
    {
        tx.commit().await?;
        return Ok(());
    }
    if weekly::confirm_expired(tx.ex(), hash.as_str(), now).await? {
        return Err(AppError::LinkSpent(
            "This confirmation link has expired. Subscribe again to get a new one.",
        ));
    }
    Err(AppError::NotFound(
        "This confirmation link is not one we sent, or it was already used. Check that the whole link was copied, or subscribe again.",
    ))
}
