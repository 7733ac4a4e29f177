//! Coordinators keep the fediverse at arm's length: they block a remote
//! actor or a whole domain (nothing from it is taken or shown, and
//! deliveries to it stop), lift blocks, and read what the inboxes refused
//! and what other servers reported, and see which servers are
//! unreachable.

use crate::{AppResult, Services};
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::federation::{self, BlockRow, FlagRow, InboxHostRow, RefusalRow};

/// What the coordinators' page shows.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Every block.
    pub blocks: Vec<BlockRow>,
    /// The latest refusals.
    pub refusals: Vec<RefusalRow>,
    /// The latest reports.
    pub flags: Vec<FlagRow>,
    /// Servers marked unreachable, whose deliveries wait for their next try.
    pub unreachable: Vec<InboxHostRow>,
}

/// The blocks, refusals and reports.
pub async fn overview(svc: &Services, actor: &Actor) -> AppResult<Overview> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut conn = svc.db.conn().await?;
    Ok(Overview {
        blocks: federation::blocks(conn.ex()).await?,
        refusals: federation::refusals(conn.ex(), 100).await?,
        flags: federation::flags(conn.ex(), 50).await?,
        unreachable: federation::unreachable_inbox_hosts(conn.ex()).await?,
    })
}

/// What a coordinator typed, read as an actor's address or a domain:
/// `https://host/users/name` is an actor, `@name@host` a handle we cannot
/// resolve here (refused with advice), `host` or `host:port` a domain.
fn target_of(input: &str) -> Result<(String, &'static str), InvalidInput> {
    let input = input.trim();
    if input.starts_with("https://") || input.starts_with("http://") {
        let url = url::Url::parse(input)
            .map_err(|_| InvalidInput::new("target", "That address cannot be read."))?;
        if url.host_str().is_none() {
            return Err(InvalidInput::new("target", "That address has no host."));
        }
        return Ok((url.to_string(), "actor"));
    }
    if input.contains('@') {
        return Err(InvalidInput::new(
            "target",
            "Give the account's address (https://…/users/name, as its profile shows) or its whole domain.",
        ));
    }
    let domain = input.trim_end_matches('/').to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && domain.contains('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !valid {
        return Err(InvalidInput::new(
            "target",
            "Give a domain such as spam.example, or an account's address.",
        ));
    }
    Ok((domain, "domain"))
}

/// Blocks the actor or domain a coordinator typed, for `reason`.
pub async fn block(svc: &Services, actor: &Actor, input: &str, reason: &str) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let (target, kind) = target_of(input)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(InvalidInput::new("reason", "Say why, in at most 500 characters.").into());
    }
    let mut tx = svc.db.begin().await?;
    federation::block(
        tx.ex(),
        &target,
        kind,
        reason,
        Some(actor.user_id),
        svc.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(target)
}

/// Lifts the block on `target`.
pub async fn unblock(svc: &Services, actor: &Actor, target: &str) -> AppResult<()> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut tx = svc.db.begin().await?;
    federation::unblock(tx.ex(), target).await?;
    tx.commit().await?;
    Ok(())
}
