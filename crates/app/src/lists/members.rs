//! Who is on a list: subscribing from the web with a confirmation link
//! (double opt-in), leaving in one click, and a member's own subscriptions.

use crate::mail::{queue_email, templates};
use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_domain::{Action, Actor, EmailAddress, InvalidInput, SecretToken, authorize};
use convene_store::lists::{self as store, ListRow, MemberRow};

/// How long a confirmation link works.
const CONFIRM_HOURS: i64 = 48;

/// The ways a member can receive a list.
pub const DELIVERY_MODES: [(&str, &str); 3] = [
    ("each", "Each message"),
    ("digest", "A daily digest"),
    ("paused", "Paused"),
];

/// A list as pages show it.
#[derive(Debug, Clone)]
pub struct ListView {
    /// The stored list.
    pub row: ListRow,
    /// Its group: slug and name.
    pub group: Option<(String, String)>,
    /// Active members.
    pub members: i64,
    /// The address to write to.
    pub address: String,
}

impl ListView {
    /// An address of the list: `""` for posting, or `join`, `leave`, `owner`.
    pub fn address_for(&self, svc: &Services, suffix: &str) -> String {
        let domain = mail_domain(svc);
        if suffix.is_empty() {
            format!("{}@{domain}", self.row.name)
        } else {
            format!("{}-{suffix}@{domain}", self.row.name)
        }
    }

    /// True if `actor` runs the list: coordinators, and a group list's organizers.
    pub fn managed_by(&self, actor: Option<&Actor>) -> bool {
        match &self.group {
            None => actor.is_some_and(Actor::is_coordinator),
            Some((slug, _)) => authorize(actor, &Action::EditGroup { group: slug }).is_ok(),
        }
    }
}

/// The domain lists receive mail on: the one of the site's sender address.
pub fn mail_domain(svc: &Services) -> &str {
    svc.site
        .mail_from
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d.trim_end_matches('>'))
}

async fn view(svc: &Services, row: ListRow) -> AppResult<ListView> {
    let mut conn = svc.db.conn().await?;
    let members = store::count_active(conn.ex(), row.id).await?;
    let group = match row.group_id {
        Some(id) => convene_store::groups::by_id(conn.ex(), id)
            .await?
            .map(|g| (g.slug, g.name)),
        None => None,
    };
    let address = format!("{}@{}", row.name, mail_domain(svc));
    Ok(ListView {
        row,
        group,
        members,
        address,
    })
}

/// Every list, site lists first.
pub async fn all_lists(svc: &Services) -> AppResult<Vec<ListView>> {
    let rows = {
        let mut conn = svc.db.conn().await?;
        store::all(conn.ex()).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view(svc, row).await?);
    }
    Ok(out)
}

/// The list called `name`.
pub async fn list(svc: &Services, name: &str) -> AppResult<ListView> {
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_name(conn.ex(), &name.trim().to_ascii_lowercase())
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    view(svc, row).await
}

/// Asks to subscribe `email` to the list: a confirmation link is mailed to
/// the address, and nothing changes until it is followed. The answer is
/// the same whether or not the address was already subscribed, so the form
/// does not tell strangers who is on a list.
pub async fn request_subscription(
    svc: &Services,
    name: &str,
    email: &str,
    actor: Option<&Actor>,
) -> AppResult<()> {
    let address = EmailAddress::parse(email)?;
    let email = address.as_str().to_ascii_lowercase();
    let list = list(svc, name).await?;
    let confirm = svc.tokens.new_token();
    let member_token = member_token(svc);
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let asked = store::request(
        tx.ex(),
        list.row.id,
        &email,
        actor.map(|a| a.user_id),
        confirm.hash().as_str(),
        now + Duration::hours(CONFIRM_HOURS),
        &member_token,
        now,
    )
    .await?;
    if asked > 0 {
        let link = svc
            .site
            .link(&format!("/lists/confirm/{}", confirm.expose()));
        let rendered =
            templates::list_confirm(&svc.site.name, &list.row.display_name, &list.address, &link);
        queue_email(&mut tx, svc, &email, None, rendered).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A member's own secret: lowercase hex, so that it survives in the local
/// part of a bounce address, which mail systems may lowercase.
fn member_token(svc: &Services) -> String {
    svc.tokens.new_token().hash().as_str()[..32].to_owned()
}

/// Follows a confirmation link: the subscription becomes active. A link
/// works once and for 48 hours.
pub async fn confirm(svc: &Services, token: &str) -> AppResult<ListView> {
    let hash = SecretToken::from_client(token.trim()).hash();
    let mut tx = svc.db.begin().await?;
    let member = store::member_by_confirm_hash(tx.ex(), hash.as_str())
        .await?
        .ok_or(AppError::LinkSpent(
            "This confirmation link has already been used or was replaced by a newer one.",
        ))?;
    if member
        .confirm_expires_at
        .is_some_and(|at| at < svc.clock.now())
    {
        return Err(AppError::LinkSpent(
            "This confirmation link has expired. Ask to subscribe again from the list's page.",
        ));
    }
    store::confirm(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_id(conn.ex(), member.list_id)
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    view(svc, row).await
}

/// The subscription behind an unsubscribe link, with its list.
pub async fn by_member_token(svc: &Services, token: &str) -> AppResult<(MemberRow, ListView)> {
    let member = {
        let mut conn = svc.db.conn().await?;
        store::member_by_token(conn.ex(), token.trim())
            .await?
            .ok_or(AppError::NotFound(
                "This unsubscribe link is not valid: copy the whole link from the email.",
            ))?
    };
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_id(conn.ex(), member.list_id)
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    Ok((member, view(svc, row).await?))
}

/// Ends the subscription behind an unsubscribe link (one click, RFC 8058).
/// Doing it twice is harmless.
pub async fn leave_by_token(svc: &Services, token: &str) -> AppResult<ListView> {
    let (member, list) = by_member_token(svc, token).await?;
    let mut tx = svc.db.begin().await?;
    store::leave(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(list)
}

/// A signed-in member's subscriptions (by account or by address), with
/// each list's name and shown name.
pub async fn my_subscriptions(
    svc: &Services,
    actor: &Actor,
) -> AppResult<Vec<(MemberRow, String, String)>> {
    let mut conn = svc.db.conn().await?;
    let user = convene_store::users::by_id(conn.ex(), actor.user_id)
        .await?
        .ok_or(AppError::NotFound("There is no such account."))?;
    Ok(store::memberships(conn.ex(), &user.email.to_ascii_lowercase(), actor.user_id).await?)
}

/// One of `actor`'s own subscriptions, or a refusal.
async fn own(svc: &Services, actor: &Actor, member_id: i64) -> AppResult<MemberRow> {
    my_subscriptions(svc, actor)
        .await?
        .into_iter()
        .map(|(m, _, _)| m)
        .find(|m| m.id == member_id)
        .ok_or(AppError::NotFound("You have no such subscription."))
}

/// Changes how `actor` receives one of their lists.
pub async fn set_my_delivery(
    svc: &Services,
    actor: &Actor,
    member_id: i64,
    mode: &str,
) -> AppResult<()> {
    if !DELIVERY_MODES.iter().any(|(m, _)| *m == mode) {
        return Err(InvalidInput::new(
            "delivery",
            "Choose each message, a daily digest, or paused.",
        )
        .into());
    }
    let member = own(svc, actor, member_id).await?;
    let mut tx = svc.db.begin().await?;
    store::set_delivery(tx.ex(), member.id, mode, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// `actor` leaves one of their lists.
pub async fn leave_mine(svc: &Services, actor: &Actor, member_id: i64) -> AppResult<()> {
    let member = own(svc, actor, member_id).await?;
    let mut tx = svc.db.begin().await?;
    store::leave(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}
