//! Server-side sessions: the cookie holds a secret, the database its hash.

use crate::{AppResult, Services};
use chrono::Duration;
use convene_domain::{Actor, SecretToken};
use convene_store::users::UserRow;
use convene_store::{Tx, grants, sessions, users};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;

/// A signed-in person with the roles they hold.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub user: UserRow,
    /// The account as the authorization module sees it.
    pub actor: Actor,
}

/// Starts a new session for `user_id` inside `tx`; always a fresh secret, so
/// a session id planted before sign-in is worthless after it.
pub(crate) async fn start_session(
    tx: &mut Tx,
    svc: &Services,
    user_id: i64,
) -> AppResult<SecretToken> {
    let token = svc.tokens.new_token();
    let now = svc.clock.now();
    sessions::insert(
        tx.ex(),
        token.hash().as_str(),
        user_id,
        now,
        now + Duration::days(SESSION_DAYS),
    )
    .await?;
    Ok(token)
}

/// The person a session cookie belongs to, if it is live and the account enabled.
pub async fn resolve_session(svc: &Services, token: &str) -> AppResult<Option<SignedIn>> {
    let hash = SecretToken::from_client(token).hash();
    let mut conn = svc.db.conn().await?;
    let Some((user, grants)) =
        sessions::live_account(conn.ex(), hash.as_str(), svc.clock.now()).await?
    else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    let actor = Actor {
        user_id: user.id,
        grants,
    };
    Ok(Some(SignedIn { user, actor }))
}

pub(crate) async fn signed_in(
    conn: &mut convene_store::Conn,
    user_id: i64,
) -> AppResult<Option<SignedIn>> {
    let Some(user) = users::by_id(conn.ex(), user_id).await? else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    let grants = grants::for_user(conn.ex(), user.id).await?;
    let actor = Actor {
        user_id: user.id,
        grants,
    };
    Ok(Some(SignedIn { user, actor }))
}

/// Ends the session whose cookie holds `token`.
pub async fn sign_out(svc: &Services, token: &str) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    sessions::delete(tx.ex(), SecretToken::from_client(token).hash().as_str()).await?;
    tx.commit().await?;
    Ok(())
}
