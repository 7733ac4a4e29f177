//! Rate limits on actions strangers can repeat (sign-in, sign-up, links).
//!
//! Counters live in the database so several nodes share them. Each limit is
//! a fixed window: at most `max` hits per `window` for a key such as
//! `signin:ip:203.0.113.7` or `signin:account:ada@example.org`.

use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_store::rate_limits;

/// One limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Name used in the counter key.
    pub name: &'static str,
    /// Hits allowed per window.
    pub max: i64,
    /// Window length.
    pub window: Duration,
}

/// Password sign-in attempts per IP, per address and IP together, and per
/// device that signed in to the address before.
pub const SIGN_IN: Limit = Limit {
    name: "signin",
    max: 10,
    window: Duration::minutes(15),
};
/// Password sign-in attempts per address from devices it never signed in
/// on, whatever their IP: a bound on guessing spread over many machines
/// that never stops the owner's own known devices.
pub const SIGN_IN_ACCOUNT: Limit = Limit {
    name: "signin-any",
    max: 50,
    window: Duration::minutes(15),
};
/// New accounts per IP.
pub const SIGN_UP: Limit = Limit {
    name: "signup",
    max: 5,
    window: Duration::hours(1),
};
/// Sign-in links by email, per address and per IP.
pub const MAGIC_LINK: Limit = Limit {
    name: "magic",
    max: 5,
    window: Duration::hours(1),
};
/// Password reset emails, per address and per IP.
pub const RESET: Limit = Limit {
    name: "reset",
    max: 5,
    window: Duration::hours(1),
};
/// Messages through a group's contact form, per IP and per group.
pub const CONTACT: Limit = Limit {
    name: "contact",
    max: 5,
    window: Duration::hours(1),
};
/// Invitations sent, per inviting account.
pub const INVITE: Limit = Limit {
    name: "invite",
    max: 50,
    window: Duration::hours(1),
};

/// Counts a hit against `limit` for each of `subjects` (e.g. the IP and the
/// address) and refuses once any of them is over.
pub async fn check(svc: &Services, limit: Limit, subjects: &[&str]) -> AppResult<()> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let mut retry_at = None;
    for subject in subjects {
        let key = format!("{}:{}", limit.name, subject);
        let (hits, started) = rate_limits::hit(tx.ex(), &key, now, now - limit.window).await?;
        if hits > limit.max {
            let ends = started + limit.window;
            retry_at = Some(retry_at.map_or(ends, |r: chrono::DateTime<chrono::Utc>| r.max(ends)));
        }
    }
    tx.commit().await?;
    match retry_at {
        Some(retry_at) => Err(AppError::RateLimited {
            retry_after_secs: (retry_at - now).num_seconds().max(1),
        }),
        None => Ok(()),
    }
}
