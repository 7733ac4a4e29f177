//! Subscribing to the weekly email: a member's subscription starts at once
//! when their address is confirmed; a visitor's (or an unconfirmed
//! member's) waits until the link mailed to the address is followed.

use super::area::{Area, parse_area};
use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, Limit};
use crate::{AppResult, Services};
use chrono::Duration;
use convene_domain::email::EmailAddress;
use convene_domain::{Actor, InvalidInput};
use convene_store::users;
use convene_store::weekly::{self, NewWeekly, WeeklyRow};

/// How long a confirmation link works.
pub const CONFIRM_DAYS: i64 = 7;

/// Subscriptions a stranger may ask for, per IP and per address.
const WEEKLY_SUBSCRIBE: Limit = Limit {
    name: "weekly",
    max: 5,
    window: Duration::hours(1),
};

/// What the subscribe form sends.
#[derive(Debug, Clone, Default)]
pub struct WeeklyInput<'a> {
    /// A regional calendar's slug, or empty for an area.
    pub calendar: &'a str,
    /// A place (city or coordinates), for an area.
    pub place: &'a str,
    /// The distance in kilometres, for an area.
    pub km: &'a str,
    /// The IANA zone for the email's times; empty for the member's own zone
    /// (or UTC).
    pub time_zone: &'a str,
    /// A visitor's address (ignored for a signed-in member).
    pub email: &'a str,
}

/// How a subscription began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// It is running: the first email comes next week.
    Running,
    /// A confirmation link is on its way to the address.
    AwaitingConfirmation,
}

/// Subscribes `actor` (or the visitor at `input.email`, asking from `ip`)
/// to the weekly email of a calendar or an area.
pub async fn subscribe(
    svc: &Services,
    actor: Option<&Actor>,
    input: &WeeklyInput<'_>,
    ip: &str,
) -> AppResult<Subscribed> {
    let area = parse_area(svc, input.calendar, input.place, input.km).await?;
    let member = match actor {
        Some(a) => {
            let mut conn = svc.db.conn().await?;
            users::by_id(conn.ex(), a.user_id).await?
        }
        None => None,
    };
    let zone = match (input.time_zone.trim(), &member) {
        ("", Some(u)) if !u.time_zone.is_empty() => u.time_zone.clone(),
        ("", _) => "UTC".to_owned(),
        (z, _) => convene_domain::events::parse_zone("time_zone", z)?
            .name()
            .to_owned(),
    };
    let (email, name, verified) = match &member {
        Some(u) => (
            u.email.clone(),
            Some(u.display_name.clone()),
            u.email_verified_at.is_some(),
        ),
        None => {
            if input.email.trim().is_empty() {
                return Err(InvalidInput::new(
                    "email",
                    "Give the address the email should go to, or sign in.",
                )
                .into());
            }
            (
                EmailAddress::parse(input.email)?.as_str().to_owned(),
                None,
                false,
            )
        }
    };
    if !verified {
        rate_limit::check(
            svc,
            WEEKLY_SUBSCRIBE,
            &[&format!("ip:{ip}"), &format!("address:{email}")],
        )
        .await?;
    }
    let now = svc.clock.now();
    let token = svc.tokens.new_token();
    let confirm_token = svc.tokens.new_token();
    let confirm_hash = confirm_token.hash();
    let (place, area_coords, calendar_id) = match &area {
        Area::Calendar(c) => (String::new(), None, Some(c.id)),
        Area::Near {
            place,
            lat,
            lon,
            radius_km,
        } => (place.clone(), Some((*lat, *lon, *radius_km)), None),
    };
    let mut tx = svc.db.begin().await?;
    let same = weekly::same_as(
        tx.ex(),
        &email,
        calendar_id,
        &place,
        area_coords.map(|(_, _, km)| km),
    )
    .await?;
    match same {
        // Asking twice changes nothing: one email a week, not two.
        Some(s) if s.confirmed_at.is_some() => {
            return Ok(if verified {
                Subscribed::Running
            } else {
                // A stranger learns nothing about whether the address
                // is subscribed already.
                Subscribed::AwaitingConfirmation
            });
        }
        // Still waiting: the old link makes way for the one sent now.
        Some(s) => {
            weekly::delete_by_token(tx.ex(), &s.token).await?;
        }
        None => {}
    }
    weekly::insert(
        tx.ex(),
        &NewWeekly {
            user_id: member.as_ref().map(|u| u.id),
            email: &email,
            calendar_id,
            place: &place,
            area: area_coords,
            time_zone: &zone,
            token: token.expose(),
            confirm: (!verified)
                .then(|| (confirm_hash.as_str(), now + Duration::days(CONFIRM_DAYS))),
            confirmed_at: verified.then_some(now),
            now,
        },
    )
    .await?;
    if verified {
        tx.commit().await?;
        return Ok(Subscribed::Running);
    }
    let link = svc
        .site
        .link(&format!("/weekly/confirm/{}", confirm_token.expose()));
    let rendered = templates::confirm_weekly(&svc.site.name, name.as_deref(), &area.long(), &link);
    queue_email(&mut tx, svc, &email, name.as_deref(), rendered).await?;
    tx.commit().await?;
    Ok(Subscribed::AwaitingConfirmation)
}

/// A member's subscriptions, each with what it covers in words.
pub async fn subscriptions_of(svc: &Services, user_id: i64) -> AppResult<Vec<(WeeklyRow, String)>> {
    let mut conn = svc.db.conn().await?;
    let rows = weekly::of_user(conn.ex(), user_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let area = super::compose::area_of(conn.ex(), &row).await?;
        out.push((row, area.map(|a| a.long()).unwrap_or_default()));
    }
    Ok(out)
}
