//! Whether strangers may create accounts (a coordinator can close sign-up).

use crate::{AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_store::settings;

const KEY: &str = "signup_open";

/// True unless a coordinator closed sign-up.
pub async fn signup_open(svc: &Services) -> AppResult<bool> {
    let mut conn = svc.db.conn().await?;
    Ok(settings::get(conn.ex(), KEY).await?.as_deref() != Some("false"))
}

/// Opens or closes sign-up.
pub async fn set_signup_open(svc: &Services, actor: &Actor, open: bool) -> AppResult<()> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut tx = svc.db.begin().await?;
    settings::set(tx.ex(), KEY, if open { "true" } else { "false" }).await?;
    tx.commit().await?;
    Ok(())
}
