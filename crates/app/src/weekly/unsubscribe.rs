//! Ending a subscription from the link in its email (RFC 8058 one-click):
//! only the exact token of a subscription ends it.

use super::area::Area;
use crate::{AppError, AppResult, Services};
use convene_store::weekly::{self, WeeklyRow};

/// A link that does not have the shape of one we send (43 characters of
/// URL-safe base64) is refused before the database is asked.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

const NOT_OURS: &str = "This unsubscribe link is not one we sent. Check that the whole link from the email was copied; nothing was changed.";
const ENDED: &str =
    "This subscription has already ended, or the link is not one we sent; nothing was changed.";

/// The subscription behind an unsubscribe link, with what it covers.
pub async fn by_token(svc: &Services, token: &str) -> AppResult<(WeeklyRow, Option<Area>)> {
    let token = token.trim();
    if !well_formed(token) {
        return Err(AppError::NotFound(NOT_OURS));
    }
    let mut conn = svc.db.conn().await?;
    let row = weekly::by_token(conn.ex(), token)
        .await?
        .ok_or(AppError::LinkSpent(ENDED))?;
    let area = super::compose::area_of(conn.ex(), &row).await?;
    Ok((row, area))
}

/// Ends the subscription whose token is exactly `token`; returns what it
/// covered, in words.
pub async fn unsubscribe(svc: &Services, token: &str) -> AppResult<String> {
    let token = token.trim();
    if !well_formed(token) {
        return Err(AppError::NotFound(NOT_OURS));
    }
    let mut tx = svc.db.begin().await?;
    let row = weekly::delete_by_token(tx.ex(), token)
        .await?
        .ok_or(AppError::LinkSpent(ENDED))?;
    let area = super::compose::area_of(tx.ex(), &row).await?;
    tx.commit().await?;
    Ok(area.map(|a| a.long()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_token_shape_is_looked_up() {
        assert!(well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234"));
        assert!(!well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_0123"));
        assert!(!well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_0123%"));
        assert!(!well_formed(""));
    }
}
